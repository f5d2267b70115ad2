//! A small page-layout engine over printpdf's operations: fonts with a CJK fallback, text
//! measuring and wrapping (at spaces, then punctuation, a word cut only when it alone is wider
//! than its line, and then visibly), headings with nested bookmarks and an optional contents
//! page, key/value blocks, tables whose column widths follow their content and that flow
//! across pages with their header repeated, and a "Page X of Y" footer added once the page
//! count is known. Every document is saved as PDF/A-3b ([`super::archive`]).

use super::archive::{Attachment, Metadata, OutlineEntry};
use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};

/// A4 short side, points.
pub const A4_SHORT: f32 = 595.276;
/// A4 long side, points.
pub const A4_LONG: f32 = 841.89;
/// Left margin.
pub const LEFT: f32 = 50.0;
const MARGIN_TOP: f32 = 56.0;
const BOTTOM: f32 = 64.0;
/// Drawn at the end of a piece of a word cut because it alone is wider than its line.
pub const CUT_MARK: char = '↩';
/// Characters after which a word too wide for its line may break (URLs, paths, addresses).
const BREAK_AFTER: &[char] = &[
    '/', '.', '@', '-', '_', ':', '?', '&', '=', '#', ',', ';', '|', '+',
];

/// Page orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// A4 portrait.
    Portrait,
    /// A4 landscape (wide tables).
    Landscape,
}

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
    page_w: f32,
    page_h: f32,
    outline: Vec<OutlineEntry>,
    meta: Metadata,
    /// The contents page to draw (the second pass of [`compose`]): the entries, the pages the
    /// contents take, and how many entries come before the contents.
    contents: Option<(Vec<OutlineEntry>, usize, usize)>,
    /// How many bookmarks there were when the first pass met [`Writer::contents_page`].
    contents_at: Option<usize>,
    /// The page the first pass reserved for the contents.
    reserved: Option<usize>,
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
    /// A new portrait document with one empty page.
    pub fn new(title: &str) -> Self {
        Self::with_orientation(title, Orientation::Portrait)
    }

    /// A new document with one empty page in `orientation`.
    pub fn with_orientation(title: &str, orientation: Orientation) -> Self {
        let mut doc = PdfDocument::new(title);
        let faces = [
            load(REGULAR, &mut doc),
            load(BOLD, &mut doc),
            load(CJK, &mut doc),
        ];
        let (page_w, page_h) = match orientation {
            Orientation::Portrait => (A4_SHORT, A4_LONG),
            Orientation::Landscape => (A4_LONG, A4_SHORT),
        };
        Self {
            doc,
            faces,
            pages: vec![Vec::new()],
            y: page_h - MARGIN_TOP,
            page_w,
            page_h,
            outline: Vec::new(),
            meta: Metadata {
                title: crate::display::escape(title).into_owned(),
                ..Metadata::default()
            },
            contents: None,
            contents_at: None,
            reserved: None,
        }
    }

    /// Sets document metadata (the title is the one given to [`Writer::new`]).
    pub fn metadata(
        &mut self,
        author: &str,
        subject: &str,
        keywords: Vec<String>,
        created_unix: i64,
    ) {
        // Cleaned once, so that the information dictionary and the XMP say the same.
        let clean = |s: &str| crate::display::escape(s).into_owned();
        self.meta.author = clean(author);
        self.meta.subject = clean(subject);
        self.meta.keywords = keywords.iter().map(|k| clean(k)).collect();
        self.meta.created_unix = created_unix;
    }

    /// Right edge of the text area.
    pub fn right(&self) -> f32 {
        self.page_w - LEFT
    }

    /// Width of the text area.
    pub fn text_width(&self) -> f32 {
        self.right() - LEFT
    }

    fn top(&self) -> f32 {
        self.page_h - MARGIN_TOP
    }

    /// The bookmarks so far: (level, title, page).
    pub fn outline(&self) -> &[OutlineEntry] {
        &self.outline
    }

    /// Puts the table of contents here, on a page of its own, and starts what follows on a
    /// new page. The page is reserved now and drawn by [`compose`] once every page number is
    /// known (or dropped when the document is too short to need it).
    pub fn contents_page(&mut self) {
        let Some((entries, pages, before)) = self.contents.take() else {
            self.contents_at = Some(self.outline.len());
            if self.y < self.top() - 1.0 {
                self.new_page();
            }
            self.reserved = Some(self.page());
            self.new_page();
            return;
        };
        // The second pass of a long contents: its own pages, numbers moved by the pages the
        // contents take beyond the one the first pass reserved.
        if self.y < self.top() - 1.0 {
            self.new_page();
        }
        self.draw_contents(&entries, before, pages - 1);
        self.new_page();
    }

    /// Draws the contents from the cursor, down the pages: entries from index `before` on
    /// shown `shift` pages later.
    fn draw_contents(&mut self, entries: &[OutlineEntry], before: usize, shift: usize) {
        self.text_at(LEFT, self.y - 20.0, "Contents", Weight::Bold, 16.0, BLUE);
        self.y -= 40.0;
        for (i, (level, title, page)) in entries.iter().enumerate() {
            let label = if i >= before { page + shift } else { *page }.to_string();
            let (x, wt, size, lines) = self.contents_entry(*level, title);
            let lw = self.width(&label, Weight::Regular, size);
            self.ensure(CONTENTS_LINE * lines.len() as f32);
            for (j, t) in lines.iter().enumerate() {
                self.y -= CONTENTS_LINE;
                self.text_at(x, self.y, t, wt, size, BLACK);
                if j == 0 {
                    let right = self.right();
                    self.text_at(right - lw, self.y, &label, Weight::Regular, size, GREY);
                }
            }
        }
    }

    /// A contents entry's left edge, weight, size and lines (titles wrap, never cut).
    fn contents_entry(&self, level: u8, title: &str) -> (f32, Weight, f32, Vec<String>) {
        let (x, wt, size) = if level == 0 {
            (LEFT, Weight::Bold, 10.0)
        } else {
            (LEFT + 16.0, Weight::Regular, 9.0)
        };
        // Room for the widest page number there can be.
        let room = self.right() - self.width("9999", Weight::Regular, size) - 12.0 - x;
        (x, wt, size, self.wrap(title, wt, size, room))
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
        self.y = self.top();
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

    /// `text` with every character no embedded face can draw shown as its code (`\u{1f600}`):
    /// a PDF/A file never draws a missing glyph.
    fn drawable<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let has = |c: char| {
            c == ' '
                || self
                    .faces
                    .iter()
                    .any(|f| f.font.lookup_glyph_index(c as u32).is_some_and(|g| g != 0))
        };
        if text.chars().all(has) {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if has(c) {
                out.push(c);
            } else {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
        }
        std::borrow::Cow::Owned(out)
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

    /// Width of `text` at `size`, as [`Writer::text_at`] draws it (escapes included).
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        // Printable ASCII is drawn as it is; anything else as `text_at` would draw it.
        let text: std::borrow::Cow<'_, str> = if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            std::borrow::Cow::Borrowed(text)
        } else {
            let escaped = crate::display::escape(text);
            std::borrow::Cow::Owned(self.drawable(&escaped).into_owned())
        };
        self.runs(&text, weight)
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
    /// Control and bidirectional-formatting characters are drawn as visible escapes
    /// ([`crate::display::escape`]): platform text can neither hide nor reorder itself.
    pub fn text_at(&mut self, x: f32, y: f32, text: &str, weight: Weight, size: f32, c: Rgbf) {
        if text.is_empty() {
            return;
        }
        let text = crate::display::escape(text);
        let text = self.drawable(&text);
        let runs = self.runs(&text, weight);
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

    /// Wraps text to `width`: at spaces; a word wider than a line alone breaks after
    /// punctuation (`/`, `.`, `@`, `-`, …), and a piece still too wide is cut, each cut marked
    /// with [`CUT_MARK`].
    pub fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            // Measured as drawn: control characters become visible escapes (see `text_at`).
            let para = crate::display::escape(para);
            let para = self.drawable(&para).into_owned();
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
                if self.width(word, weight, size) <= width {
                    line = word.to_string();
                    continue;
                }
                let mut pieces = self.break_word(word, weight, size, width);
                line = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
            }
            lines.push(line);
        }
        lines
    }

    /// A word wider than `width` in lines: broken after punctuation where it can be, cut
    /// (visibly) where it cannot. The last line is left open for the words after it.
    fn break_word(&self, word: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let mut segments: Vec<String> = Vec::new();
        let mut cur = String::new();
        for c in word.chars() {
            cur.push(c);
            if BREAK_AFTER.contains(&c) {
                segments.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            segments.push(cur);
        }
        let fits = |s: &str| self.width(s, weight, size) <= width;
        let mut out = Vec::new();
        let mut line = String::new();
        for seg in segments {
            let joined = format!("{line}{seg}");
            if fits(&joined) {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if fits(&seg) {
                line = seg;
                continue;
            }
            let mut piece = String::new();
            for c in seg.chars() {
                piece.push(c);
                if !fits(&format!("{piece}{CUT_MARK}")) && piece.chars().count() > 1 {
                    piece.pop();
                    out.push(format!("{piece}{CUT_MARK}"));
                    piece = c.to_string();
                }
            }
            line = piece;
        }
        out.push(line);
        out
    }

    /// A paragraph at the cursor, wrapped to the text width.
    pub fn paragraph(&mut self, text: &str, weight: Weight, size: f32, c: Rgbf) {
        let width = self.text_width();
        self.paragraph_at(LEFT, width, text, weight, size, c);
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
        if new_page && self.y < self.top() - 1.0 {
            self.new_page();
        }
        self.ensure(60.0);
        self.y -= 22.0;
        self.text_at(LEFT, self.y, text, Weight::Bold, 16.0, BLUE);
        self.y -= 8.0;
        let right = self.right();
        self.rule(LEFT, right, self.y, BLUE, 0.8);
        self.y -= 10.0;
        self.outline.push((0, text.to_string(), self.page()));
    }

    /// A sub-heading, bookmarked under the section it is in.
    pub fn subheading(&mut self, text: &str) {
        self.ensure(40.0);
        self.y -= 16.0;
        self.text_at(LEFT, self.y, text, Weight::Bold, 11.5, BLACK);
        self.y -= 6.0;
        if !self.outline.is_empty() {
            self.outline.push((1, text.to_string(), self.page()));
        }
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

    /// A cover's status box: `text` bold in `c`, framed in `c`, across the text width.
    pub fn banner(&mut self, text: &str, c: Rgbf) {
        let width = self.text_width();
        self.rect(
            LEFT,
            self.y - 34.0,
            width,
            30.0,
            Some(Rgbf(0.97, 0.97, 0.97)),
            Some(c),
        );
        self.text_at(LEFT + 10.0, self.y - 23.0, text, Weight::Bold, 12.0, c);
        self.space(50.0);
    }

    /// Key/value lines: the key bold in a fixed column, the value wrapped beside it (both
    /// wrap when long).
    pub fn kv(&mut self, key: &str, value: &str, value_color: Rgbf) {
        let size = 9.5;
        let kw = 130.0;
        let keys = self.wrap(key, Weight::Bold, size, kw - 8.0);
        let values = self.wrap(value, Weight::Regular, size, self.text_width() - kw);
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

    /// Column widths that follow the content (the automatic table layout of HTML): each
    /// column gets at least its widest word (up to a third of the page, so one hash cannot
    /// take it all) and the room left is shared by how much more each column's text wants.
    fn column_widths(
        &self,
        headers: &[&str],
        rows: &[Vec<String>],
        size: f32,
        pad: f32,
    ) -> Vec<f32> {
        let total = self.text_width();
        let n = headers.len();
        let mut natural = vec![0.0_f32; n];
        let mut least = vec![0.0_f32; n];
        let mut measure = |i: usize, text: &str, weight: Weight| {
            for line in text.split('\n') {
                natural[i] = natural[i].max(self.width(line, weight, size));
                for word in line.split(' ') {
                    least[i] = least[i].max(self.width(word, weight, size));
                }
            }
        };
        for (i, h) in headers.iter().enumerate() {
            measure(i, h, Weight::Bold);
        }
        for row in rows {
            for (i, cell) in row.iter().enumerate().take(n) {
                measure(i, cell, Weight::Regular);
            }
        }
        let cap = total / 3.0;
        for i in 0..n {
            least[i] = least[i].min(cap) + 2.0 * pad + 1.0;
            natural[i] = (natural[i] + 2.0 * pad + 1.0).min(total).max(least[i]);
        }
        let (sn, sl): (f32, f32) = (natural.iter().sum(), least.iter().sum());
        if sn <= total {
            natural.iter().map(|w| w + (total - sn) * w / sn).collect()
        } else if sl <= total {
            let extra = sn - sl;
            (0..n)
                .map(|i| least[i] + (total - sl) * (natural[i] - least[i]) / extra.max(1e-3))
                .collect()
        } else {
            least.iter().map(|w| w * total / sl).collect()
        }
    }

    /// A table whose column widths follow its content; cells (and headers) wrap inside their
    /// column; the header repeats on every page the table flows onto.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>]) {
        self.table_alerting(headers, rows, &|_, _| false);
    }

    /// [`Writer::table`] with the cells for which `alert(row, column)` holds drawn bold red.
    /// The marking is the caller's, never the text's: no cell content can colour itself.
    pub fn table_alerting(
        &mut self,
        headers: &[&str],
        rows: &[Vec<String>],
        alert: &dyn Fn(usize, usize) -> bool,
    ) {
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
        let total = self.text_width();
        let widths = self.column_widths(headers, rows, size, pad);
        let head_lines: Vec<Vec<String>> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| self.wrap(h, Weight::Bold, size, widths[i] - 2.0 * pad))
            .collect();
        let head_n = head_lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let header = |w: &mut Writer| {
            let h = head_n as f32 * lh + 2.0 * pad;
            w.ensure(h + lh + 2.0 * pad);
            w.rect(LEFT, w.y - h, total, h, Some(Rgbf(0.9, 0.92, 0.96)), None);
            let mut x = LEFT;
            for (i, lines) in head_lines.iter().enumerate() {
                for (j, l) in lines.iter().enumerate() {
                    w.text_at(
                        x + pad,
                        w.y - pad - (j as f32 + 1.0) * lh + 2.5,
                        l,
                        Weight::Bold,
                        size,
                        BLACK,
                    );
                }
                x += widths[i];
            }
            w.y -= h;
        };
        header(self);
        // A row never runs past the bottom of a page: a cell wrapping to more lines than a
        // page holds under the header shows what fits and says how much more there is.
        let head_h = head_n as f32 * lh + 2.0 * pad;
        let max_lines = (((self.top() - BOTTOM - head_h - 2.0 * pad) / lh).floor() as usize)
            .saturating_sub(1)
            .max(2);
        for (ri, row) in rows.iter().enumerate() {
            let alert: Vec<bool> = (0..row.len()).map(|ci| alert(ri, ci)).collect();
            let wrapped: Vec<Vec<String>> = row
                .iter()
                .enumerate()
                .take(widths.len())
                .map(|(i, cell)| {
                    let mut lines = self.wrap(cell, Weight::Regular, size, widths[i] - 2.0 * pad);
                    if lines.len() > max_lines {
                        let more = lines.len() - (max_lines - 1);
                        lines.truncate(max_lines - 1);
                        lines.push(format!("… ({more} more lines)"));
                    }
                    lines
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
            let right = self.right();
            self.rule(LEFT, right, self.y, Rgbf(0.8, 0.8, 0.8), 0.4);
        }
        self.y -= 6.0;
    }

    /// Finishes: footer with "Page X of Y" and `footer` on every page.
    pub fn finish(mut self, footer: &str) -> Finished {
        let n = self.pages.len();
        let pages: Vec<Vec<Op>> = std::mem::take(&mut self.pages);
        let mut out = Vec::with_capacity(n);
        let right = self.right();
        let (w_mm, h_mm) = (self.page_w * 25.4 / 72.0, self.page_h * 25.4 / 72.0);
        for (i, ops) in pages.into_iter().enumerate() {
            self.pages = vec![ops];
            self.rule(LEFT, right, 44.0, GREY, 0.4);
            let label = format!("Page {} of {n}", i + 1);
            let w = self.width(&label, Weight::Regular, 8.0);
            self.text_at(right - w, 32.0, &label, Weight::Regular, 8.0, GREY);
            // The footer's tail (the pack hash) is kept whole; its head is shortened if needed.
            let room = right - LEFT - w - 14.0;
            let (head, tail) = footer.rsplit_once(" · ").unwrap_or(("", footer));
            let tail_w = self.width(tail, Weight::Regular, 7.0);
            let footer_head_len = head.chars().count();
            let mut head = head.to_string();
            while !head.is_empty() && self.width(&head, Weight::Regular, 7.0) + tail_w + 12.0 > room
            {
                head = head
                    .chars()
                    .take(head.chars().count().saturating_sub(2))
                    .collect::<String>();
            }
            let cut = head.chars().count() < footer_head_len;
            let f = if head.is_empty() {
                tail.to_string()
            } else if cut {
                format!("{head}… · {tail}")
            } else {
                format!("{head} · {tail}")
            };
            self.text_at(LEFT, 32.0, &f, Weight::Regular, 7.0, GREY);
            let ops = self.pages.pop().unwrap_or_default();
            out.push(PdfPage::new(Mm(w_mm), Mm(h_mm), ops));
        }
        Finished {
            doc: self.doc,
            pages: out,
            outline: self.outline,
            meta: self.meta,
        }
    }
}

/// Height of one line of the contents page.
const CONTENTS_LINE: f32 = 15.0;

/// Documents of more pages than this get a contents page.
pub const CONTENTS_AFTER_PAGES: usize = 5;

/// Lays a document out with `draw`, twice when it runs past [`CONTENTS_AFTER_PAGES`]: the
/// second time [`Writer::contents_page`] draws the contents, with the page numbers the first
/// pass found (moved by the contents' own pages). `draw` must draw the same each time.
pub fn compose(title: &str, orientation: Orientation, draw: impl Fn(&mut Writer)) -> Writer {
    let mut w = Writer::with_orientation(title, orientation);
    draw(&mut w);
    let (Some(reserved), Some(before)) = (w.reserved, w.contents_at) else {
        return w;
    };
    if w.page() - 1 <= CONTENTS_AFTER_PAGES {
        // Short: no contents; the reserved page goes and what follows it moves up.
        w.pages.remove(reserved - 1);
        for e in &mut w.outline {
            if e.2 > reserved {
                e.2 -= 1;
            }
        }
        return w;
    }
    let entries = w.outline.clone();
    // The pages the contents take, laid out as `draw_contents` will: the first holds its
    // heading, an entry is never split across pages.
    let mut pages = 1;
    let mut room = w.top() - BOTTOM - 40.0;
    for (level, title, _) in &entries {
        let h = CONTENTS_LINE * w.contents_entry(*level, title).3.len() as f32;
        if h > room {
            pages += 1;
            room = w.top() - BOTTOM;
        }
        room -= h;
    }
    if pages == 1 {
        // One page, as reserved: drawn into it, every number already final.
        let tail = w.pages.split_off(reserved);
        let y = w.y;
        w.y = w.top();
        w.draw_contents(&entries, entries.len(), 0);
        w.pages.extend(tail);
        w.y = y;
        return w;
    }
    // A contents longer than a page: laid out again with room for it.
    let mut second = Writer::with_orientation(title, orientation);
    second.contents = Some((entries, pages, before));
    draw(&mut second);
    second
}

/// A laid-out document, ready to save.
#[derive(Debug)]
pub struct Finished {
    doc: PdfDocument,
    pages: Vec<PdfPage>,
    outline: Vec<OutlineEntry>,
    meta: Metadata,
}

impl Finished {
    /// Saves as PDF/A-3b with `attachments` embedded as associated files (fonts subset,
    /// streams compressed).
    pub fn save(mut self, attachments: &[Attachment]) -> Result<Vec<u8>, String> {
        let mut warnings = Vec::new();
        self.doc.with_pages(self.pages);
        let lo = self
            .doc
            .to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
        super::archive::finish(lo, &self.meta, &self.outline, attachments)
    }
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
