//! A small page-layout engine over printpdf's operations: fonts with a CJK fallback, text
//! measuring and wrapping, headings with bookmarks, key/value blocks, tables that flow across
//! pages with their header repeated, and a "Page X of Y" footer added once the page count is
//! known.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};

/// A4 width, points.
pub const PAGE_W: f32 = 595.276;
/// A4 height, points.
pub const PAGE_H: f32 = 841.89;
/// Left margin.
pub const LEFT: f32 = 50.0;
/// Right edge of the text area.
pub const RIGHT: f32 = PAGE_W - 50.0;
const TOP: f32 = PAGE_H - 56.0;
const BOTTOM: f32 = 64.0;

static REGULAR: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../fonts/DejaVuSans-Bold.ttf");
static CJK: &[u8] = include_bytes!("../../../fonts/DroidSansFallbackFull.ttf");

/// Text weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Regular.
    Regular,
    /// Bold.
    Bold,
}

/// RGB colour 0..1.
#[derive(Debug, Clone, Copy)]
pub struct Rgbf(pub f32, pub f32, pub f32);

/// Black.
pub const BLACK: Rgbf = Rgbf(0.0, 0.0, 0.0);
/// Grey for secondary text.
pub const GREY: Rgbf = Rgbf(0.4, 0.4, 0.4);
/// Red for warnings.
pub const RED: Rgbf = Rgbf(0.75, 0.1, 0.1);
/// Green for good news.
pub const GREEN: Rgbf = Rgbf(0.1, 0.5, 0.2);
/// Prefix of a table cell drawn bold red.
pub const ALERT: char = '\u{1}';
/// Accent blue.
pub const BLUE: Rgbf = Rgbf(0.12, 0.35, 0.75);

fn color(c: Rgbf) -> Color {
    Color::Rgb(Rgb {
        r: c.0,
        g: c.1,
        b: c.2,
        icc_profile: None,
    })
}

struct Face {
    font: ParsedFont,
    id: FontId,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The document being written.
#[derive(Debug)]
pub struct Writer {
    doc: PdfDocument,
    faces: [Face; 3],
    pages: Vec<Vec<Op>>,
    /// The y cursor on the current page (points from the bottom).
    pub y: f32,
    bookmarks: Vec<(String, usize)>,
}

// The fonts are compiled into the binary and parse (every PDF test renders with them): a
// failure here is a build defect, not a run-time condition.
#[allow(clippy::expect_used)]
fn load(bytes: &[u8], doc: &mut PdfDocument) -> Face {
    let mut warnings = Vec::new();
    // The fonts are compiled in and known to parse.
    let font = ParsedFont::from_bytes(bytes, 0, &mut warnings).expect("embedded font parses");
    let id = doc.add_font(&font);
    Face { font, id }
}

impl Writer {
    /// A new document with one empty page.
    pub fn new(title: &str) -> Self {
        let mut doc = PdfDocument::new(title);
        let faces = [
            load(REGULAR, &mut doc),
            load(BOLD, &mut doc),
            load(CJK, &mut doc),
        ];
        Self {
            doc,
            faces,
            pages: vec![Vec::new()],
            y: TOP,
            bookmarks: Vec::new(),
        }
    }

    /// Sets document metadata.
    pub fn metadata(
        &mut self,
        author: &str,
        subject: &str,
        keywords: Vec<String>,
        created_unix: i64,
    ) {
        let info = &mut self.doc.metadata.info;
        info.author = author.to_string();
        info.subject = subject.to_string();
        info.creator = "Countersign".into();
        info.producer = format!("Countersign {}", env!("CARGO_PKG_VERSION"));
        info.keywords = keywords;
        let t = printpdf::OffsetDateTime::from_unix_timestamp(created_unix)
            .unwrap_or_else(|_| printpdf::OffsetDateTime::now_utc());
        info.creation_date = t;
        info.modification_date = t;
        info.metadata_date = t;
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        let n = self.pages.len() - 1;
        &mut self.pages[n]
    }

    /// Current page number (1-based).
    pub fn page(&self) -> usize {
        self.pages.len()
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Makes room for `h` points, starting a new page when needed. Returns true on a break.
    pub fn ensure(&mut self, h: f32) -> bool {
        if self.y - h < BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// Splits text into runs by the face that has the glyphs (regular/bold, else CJK).
    fn runs(&self, text: &str, weight: Weight) -> Vec<(usize, String)> {
        let primary = if weight == Weight::Bold { 1 } else { 0 };
        let mut out: Vec<(usize, String)> = Vec::new();
        for c in text.chars() {
            let has = |f: usize| {
                self.faces[f]
                    .font
                    .lookup_glyph_index(c as u32)
                    .is_some_and(|g| g != 0)
            };
            let face = if c == ' ' || has(primary) {
                primary
            } else if has(2) {
                2
            } else {
                primary
            };
            match out.last_mut() {
                Some((f, s)) if *f == face => s.push(c),
                _ => out.push((face, c.to_string())),
            }
        }
        out
    }

    /// Width of `text` at `size`.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.runs(text, weight)
            .iter()
            .map(|(f, s)| {
                let font = &self.faces[*f].font;
                let upem = font.font_metrics.units_per_em.max(1) as f32;
                s.chars()
                    .map(|c| {
                        font.lookup_glyph_index(c as u32)
                            .map(|g| font.get_horizontal_advance(g) as f32)
                            .unwrap_or(upem / 2.0)
                            / upem
                            * size
                    })
                    .sum::<f32>()
            })
            .sum()
    }

    /// Draws one line of text at (x, y).
    pub fn text_at(&mut self, x: f32, y: f32, text: &str, weight: Weight, size: f32, c: Rgbf) {
        if text.is_empty() {
            return;
        }
        let runs = self.runs(text, weight);
        let ids: Vec<FontId> = self.faces.iter().map(|f| f.id.clone()).collect();
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFillColor { col: color(c) });
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(x), Pt(y)),
        });
        for (f, s) in runs {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(ids[f].clone()),
                size: Pt(size),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(s)],
            });
        }
        ops.push(Op::EndTextSection);
    }

    /// Wraps text to `width`, breaking at spaces and, for words longer than a line, inside them.
    pub fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, weight, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the line: cut it.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.width(&piece, weight, size) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }

    /// A paragraph at the cursor, wrapped to the text width.
    pub fn paragraph(&mut self, text: &str, weight: Weight, size: f32, c: Rgbf) {
        self.paragraph_at(LEFT, RIGHT - LEFT, text, weight, size, c);
    }

    /// A paragraph with its own left edge and width.
    pub fn paragraph_at(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        weight: Weight,
        size: f32,
        c: Rgbf,
    ) {
        let lh = size * 1.35;
        for line in self.wrap(text, weight, size, width) {
            self.ensure(lh);
            self.y -= lh;
            self.text_at(x, self.y + size * 0.3, &line, weight, size, c);
        }
    }

    /// Vertical space.
    pub fn space(&mut self, h: f32) {
        self.y -= h;
    }

    /// A section heading, on a new page when `new_page`, with a bookmark.
    pub fn heading(&mut self, text: &str, new_page: bool) {
        if new_page && self.y < TOP - 1.0 {
            self.new_page();
        }
        self.ensure(60.0);
        self.y -= 22.0;
        self.text_at(LEFT, self.y, text, Weight::Bold, 16.0, BLUE);
        self.y -= 8.0;
        self.rule(LEFT, RIGHT, self.y, BLUE, 0.8);
        self.y -= 10.0;
        self.bookmarks.push((text.to_string(), self.page()));
    }

    /// A sub-heading.
    pub fn subheading(&mut self, text: &str) {
        self.ensure(40.0);
        self.y -= 16.0;
        self.text_at(LEFT, self.y, text, Weight::Bold, 11.5, BLACK);
        self.y -= 6.0;
    }

    /// A horizontal line.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, c: Rgbf, thickness: f32) {
        self.line(&[(x1, y), (x2, y)], c, thickness);
    }

    /// A polyline.
    pub fn line(&mut self, points: &[(f32, f32)], c: Rgbf, thickness: f32) {
        let ops = self.ops();
        ops.push(Op::SetOutlineColor { col: color(c) });
        ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        ops.push(Op::DrawLine {
            line: Line {
                points: points
                    .iter()
                    .map(|(x, y)| LinePoint {
                        p: Point {
                            x: Pt(*x),
                            y: Pt(*y),
                        },
                        bezier: false,
                    })
                    .collect(),
                is_closed: false,
            },
        });
    }

    /// A rectangle (filled, stroked or both).
    pub fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgbf>,
        stroke: Option<Rgbf>,
    ) {
        let mode = match (fill, stroke) {
            (Some(_), Some(_)) => PaintMode::FillStroke,
            (Some(_), None) => PaintMode::Fill,
            _ => PaintMode::Stroke,
        };
        let ops = self.ops();
        if let Some(f) = fill {
            ops.push(Op::SetFillColor { col: color(f) });
        }
        if let Some(s) = stroke {
            ops.push(Op::SetOutlineColor { col: color(s) });
            ops.push(Op::SetOutlineThickness { pt: Pt(0.7) });
        }
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(mode),
                winding_order: None,
            },
        });
    }

    /// Key/value lines: the key bold in a fixed column, the value wrapped beside it (both
    /// wrap when long).
    pub fn kv(&mut self, key: &str, value: &str, value_color: Rgbf) {
        let size = 9.5;
        let kw = 130.0;
        let keys = self.wrap(key, Weight::Bold, size, kw - 8.0);
        let values = self.wrap(value, Weight::Regular, size, RIGHT - LEFT - kw);
        let lh = size * 1.4;
        for i in 0..keys.len().max(values.len()) {
            self.ensure(lh);
            self.y -= lh;
            if let Some(k) = keys.get(i) {
                self.text_at(LEFT, self.y + 3.0, k, Weight::Bold, size, BLACK);
            }
            if let Some(v) = values.get(i) {
                self.text_at(
                    LEFT + kw,
                    self.y + 3.0,
                    v,
                    Weight::Regular,
                    size,
                    value_color,
                );
            }
        }
    }

    /// A table: column widths are fractions of the text width; rows wrap inside their cells;
    /// the header repeats on every page the table flows onto.
    pub fn table(&mut self, headers: &[&str], fractions: &[f32], rows: &[Vec<String>]) {
        // A row is never taller than a page, and a hostile value (a 10 MB parameter) costs
        // neither memory nor time: long cells are clipped, visibly, to what a page can show.
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| clip_cell(c)).collect())
            .collect();
        let rows = &rows;
        let size = 8.5;
        let lh = size * 1.3;
        let pad = 3.0;
        let total = RIGHT - LEFT;
        let widths: Vec<f32> = fractions.iter().map(|f| f * total).collect();
        let header = |w: &mut Writer| {
            let h = lh + 2.0 * pad;
            w.ensure(h + lh + 2.0 * pad);
            w.rect(LEFT, w.y - h, total, h, Some(Rgbf(0.9, 0.92, 0.96)), None);
            let mut x = LEFT;
            for (i, head) in headers.iter().enumerate() {
                w.text_at(
                    x + pad,
                    w.y - h + pad + 2.5,
                    head,
                    Weight::Bold,
                    size,
                    BLACK,
                );
                x += widths[i];
            }
            w.y -= h;
        };
        header(self);
        for row in rows {
            // A cell starting with ALERT is drawn in red (the marker itself is not shown).
            let alert: Vec<bool> = row.iter().map(|c| c.starts_with(ALERT)).collect();
            let wrapped: Vec<Vec<String>> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    self.wrap(
                        cell.trim_start_matches(ALERT),
                        Weight::Regular,
                        size,
                        widths[i] - 2.0 * pad,
                    )
                })
                .collect();
            let n = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = n as f32 * lh + 2.0 * pad;
            if self.ensure(h) {
                header(self);
            }
            let mut x = LEFT;
            for (i, lines) in wrapped.iter().enumerate() {
                for (j, l) in lines.iter().enumerate() {
                    let (wt, c) = if alert[i] {
                        (Weight::Bold, RED)
                    } else {
                        (Weight::Regular, BLACK)
                    };
                    self.text_at(
                        x + pad,
                        self.y - pad - (j as f32 + 1.0) * lh + 2.5,
                        l,
                        wt,
                        size,
                        c,
                    );
                }
                x += widths[i];
            }
            self.y -= h;
            self.rule(LEFT, RIGHT, self.y, Rgbf(0.8, 0.8, 0.8), 0.4);
        }
        self.y -= 6.0;
    }

    /// Finishes: footer with "Page X of Y" and `footer` on every page, bookmarks, and the bytes
    /// (fonts subset, streams compressed).
    pub fn finish(mut self, footer: &str) -> (PdfDocument, Vec<PdfPage>) {
        let n = self.pages.len();
        let pages: Vec<Vec<Op>> = std::mem::take(&mut self.pages);
        let mut out = Vec::with_capacity(n);
        for (i, ops) in pages.into_iter().enumerate() {
            self.pages = vec![ops];
            self.rule(LEFT, RIGHT, 44.0, GREY, 0.4);
            let label = format!("Page {} of {n}", i + 1);
            let w = self.width(&label, Weight::Regular, 8.0);
            self.text_at(RIGHT - w, 32.0, &label, Weight::Regular, 8.0, GREY);
            // The footer's tail (the pack hash) is kept whole; its head is shortened if needed.
            let room = RIGHT - LEFT - w - 14.0;
            let (head, tail) = footer.rsplit_once(" · ").unwrap_or(("", footer));
            let tail_w = self.width(tail, Weight::Regular, 7.0);
            let mut head = head.to_string();
            while !head.is_empty() && self.width(&head, Weight::Regular, 7.0) + tail_w + 12.0 > room
            {
                head = head
                    .chars()
                    .take(head.chars().count().saturating_sub(2))
                    .collect::<String>();
            }
            let f = if head.is_empty() {
                tail.to_string()
            } else {
                format!("{head} · {tail}")
            };
            self.text_at(LEFT, 32.0, &f, Weight::Regular, 7.0, GREY);
            let ops = self.pages.pop().unwrap_or_default();
            out.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
        }
        for (name, page) in &self.bookmarks {
            self.doc.add_bookmark(name, *page);
        }
        (self.doc, out)
    }
}

/// Saves a finished document (fonts subset, compressed).
pub fn save(mut doc: PdfDocument, pages: Vec<PdfPage>) -> Vec<u8> {
    let mut warnings = Vec::new();
    doc.with_pages(pages);
    doc.save(&PdfSaveOptions::default(), &mut warnings)
}

/// Saves a finished document with a JSON file attached (`/EmbeddedFiles`), via lopdf.
pub fn save_with_attachment(
    mut doc: PdfDocument,
    pages: Vec<PdfPage>,
    name: &str,
    bytes: &[u8],
) -> Result<Vec<u8>, String> {
    use lopdf::{dictionary, Object, Stream, StringFormat};
    let mut warnings = Vec::new();
    doc.with_pages(pages);
    let mut lo = doc.to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
    let stream = Stream::new(
        dictionary! { "Type" => "EmbeddedFile", "Subtype" => Object::Name(b"application#2Fjson".to_vec()), "Params" => dictionary! { "Size" => bytes.len() as i64 } },
        bytes.to_vec(),
    );
    let file_id = lo.add_object(stream);
    let spec = dictionary! {
        "Type" => "Filespec",
        "F" => Object::String(name.as_bytes().to_vec(), StringFormat::Literal),
        "UF" => Object::String(name.as_bytes().to_vec(), StringFormat::Literal),
        "Desc" => Object::String(b"Audit pack manifest (SHA-256 of every file)".to_vec(), StringFormat::Literal),
        "AFRelationship" => "Data",
        "EF" => dictionary! { "F" => file_id, "UF" => file_id },
    };
    let spec_id = lo.add_object(spec);
    let names = dictionary! { "EmbeddedFiles" => dictionary! { "Names" => vec![Object::String(name.as_bytes().to_vec(), StringFormat::Literal), Object::Reference(spec_id)] } };
    if let Ok(catalog) = lo.catalog_mut() {
        catalog.set("Names", names);
        catalog.set("AF", vec![Object::Reference(spec_id)]);
    }
    lo.version = "1.7".into();
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The longest text a table cell shows (a few hundred lines at most, within one page).
pub const MAX_CELL_CHARS: usize = 1500;

/// `cell` clipped to [`MAX_CELL_CHARS`] with a visible note of what was left out; the full
/// value stays in the pack's JSON files.
pub fn clip_cell(cell: &str) -> String {
    match cell.char_indices().nth(MAX_CELL_CHARS) {
        None => cell.to_string(),
        Some((cut, _)) => format!(
            "{}… ({} more characters; the full value is in evidence.json)",
            &cell[..cut],
            cell[cut..].chars().count()
        ),
    }
}
