//! PDF/A-3b, written over printpdf's output with lopdf: XMP metadata (`pdfaid:part` 3,
//! conformance B) matching the document information dictionary, an sRGB output intent, nested
//! bookmarks, and files embedded as associated files (`/AF`, `/AFRelationship`). No PDF/X
//! claim is left in the file. veraPDF is the conformance authority (docs/audit-pack.md).

use lopdf::{dictionary, Dictionary, Object, ObjectId, Stream, StringFormat};

/// What the document says about itself (the information dictionary and the XMP).
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// Title.
    pub title: String,
    /// Author: the exporter's identity.
    pub author: String,
    /// Subject.
    pub subject: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Creation time, Unix seconds (UTC).
    pub created_unix: i64,
}

/// A file embedded in the PDF as an associated file.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// File name shown by readers (and `pdfdetach -list`).
    pub name: String,
    /// MIME type.
    pub mime: String,
    /// What it is.
    pub description: String,
    /// How it relates to the document (`Data`, `Source`, `Supplement`).
    pub relationship: &'static str,
    /// Its bytes, embedded unchanged.
    pub bytes: Vec<u8>,
}

/// One bookmark: nesting level (0 = section), title, 1-based page.
pub type OutlineEntry = (u8, String, usize);

/// A PDF text string: UTF-16BE with a byte-order mark (any script survives).
fn text(s: &str) -> Object {
    let mut b = vec![0xfe, 0xff];
    for u in s.encode_utf16() {
        b.extend(u.to_be_bytes());
    }
    Object::String(b, StringFormat::Hexadecimal)
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters: shown as their code.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push_str(&format!("U+{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn times(unix: i64) -> (String, String) {
    let t = chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default();
    (
        t.format("D:%Y%m%d%H%M%S+00'00'").to_string(),
        t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
    )
}

fn producer() -> String {
    format!("Countersign {}", env!("CARGO_PKG_VERSION"))
}

/// The XMP packet: PDF/A-3B identification and the same values as the info dictionary.
pub fn xmp(m: &Metadata) -> String {
    let (_, date) = times(m.created_unix);
    format!(
        concat!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
            " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
            "  <rdf:Description rdf:about=\"\"\n",
            "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n",
            "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n",
            "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n",
            "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n",
            "   <pdfaid:part>3</pdfaid:part>\n",
            "   <pdfaid:conformance>B</pdfaid:conformance>\n",
            "   <dc:format>application/pdf</dc:format>\n",
            "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n",
            "   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>\n",
            "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{subject}</rdf:li></rdf:Alt></dc:description>\n",
            "   <pdf:Keywords>{keywords}</pdf:Keywords>\n",
            "   <pdf:Producer>{producer}</pdf:Producer>\n",
            "   <xmp:CreatorTool>Countersign</xmp:CreatorTool>\n",
            "   <xmp:CreateDate>{date}</xmp:CreateDate>\n",
            "   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n",
            "   <xmp:MetadataDate>{date}</xmp:MetadataDate>\n",
            "  </rdf:Description>\n",
            " </rdf:RDF>\n",
            "</x:xmpmeta>\n",
            "<?xpacket end=\"w\"?>"
        ),
        title = xml_escape(&m.title),
        author = xml_escape(&m.author),
        subject = xml_escape(&m.subject),
        keywords = xml_escape(&m.keywords.join(", ")),
        producer = xml_escape(&producer()),
        date = date,
    )
}

/// Writes the outline tree under `parent` for `entries[range]` at `level`; returns (first,
/// last, count of visible descendants) of the written siblings.
fn outline_level(
    lo: &mut lopdf::Document,
    pages: &std::collections::BTreeMap<u32, ObjectId>,
    entries: &[OutlineEntry],
    parent: ObjectId,
) -> Option<(ObjectId, ObjectId, i64)> {
    let (level, _, _) = entries.first()?;
    let level = *level;
    // Siblings: entries at `level`, each owning the deeper entries after it.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (i, (l, _, _)) in entries.iter().enumerate() {
        if *l <= level || groups.is_empty() {
            groups.push((i, i + 1));
        } else if let Some(g) = groups.last_mut() {
            g.1 = i + 1;
        }
    }
    let ids: Vec<ObjectId> = groups.iter().map(|_| lo.new_object_id()).collect();
    let mut count = 0;
    for (k, (start, end)) in groups.iter().enumerate() {
        let (_, title, page) = &entries[*start];
        let page_id = pages
            .get(&(*page as u32))
            .or_else(|| pages.values().next_back())
            .copied();
        let mut d = dictionary! {
            "Title" => text(title),
            "Parent" => parent,
        };
        if let Some(p) = page_id {
            d.set(
                "Dest",
                vec![
                    Object::Reference(p),
                    "XYZ".into(),
                    Object::Null,
                    Object::Null,
                    Object::Null,
                ],
            );
        }
        if k > 0 {
            d.set("Prev", ids[k - 1]);
        }
        if k + 1 < ids.len() {
            d.set("Next", ids[k + 1]);
        }
        count += 1;
        if let Some((first, last, n)) = outline_level(lo, pages, &entries[start + 1..*end], ids[k])
        {
            d.set("First", first);
            d.set("Last", last);
            d.set("Count", n);
            count += n;
        }
        lo.objects.insert(ids[k], Object::Dictionary(d));
    }
    Some((ids[0], ids[ids.len() - 1], count))
}

fn embed(lo: &mut lopdf::Document, a: &Attachment, mod_date: &str) -> ObjectId {
    let stream = Stream::new(
        dictionary! {
            "Type" => "EmbeddedFile",
            "Subtype" => Object::Name(a.mime.as_bytes().to_vec()),
            "Params" => dictionary! {
                "Size" => a.bytes.len() as i64,
                "ModDate" => Object::String(mod_date.as_bytes().to_vec(), StringFormat::Literal),
            },
        },
        a.bytes.clone(),
    );
    let file_id = lo.add_object(stream);
    lo.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => Object::String(a.name.as_bytes().to_vec(), StringFormat::Literal),
        "UF" => text(&a.name),
        "Desc" => text(&a.description),
        "AFRelationship" => Object::Name(a.relationship.as_bytes().to_vec()),
        "EF" => dictionary! { "F" => file_id, "UF" => file_id },
    })
}

/// Turns printpdf's document into PDF/A-3b bytes.
pub fn finish(
    mut lo: lopdf::Document,
    meta: &Metadata,
    outline: &[OutlineEntry],
    attachments: &[Attachment],
) -> Result<Vec<u8>, String> {
    let (pdf_date, _) = times(meta.created_unix);
    // printpdf's information dictionary claims PDF/X: it goes, not merely unlinked.
    if let Ok(id) = lo.trailer.get(b"Info").and_then(Object::as_reference) {
        lo.objects.remove(&id);
    }
    // The information dictionary, exactly what the XMP says (nothing of PDF/X).
    let info = lo.add_object(dictionary! {
        "Title" => text(&meta.title),
        "Author" => text(&meta.author),
        "Subject" => text(&meta.subject),
        "Keywords" => text(&meta.keywords.join(", ")),
        "Creator" => text("Countersign"),
        "Producer" => text(&producer()),
        "CreationDate" => Object::String(pdf_date.as_bytes().to_vec(), StringFormat::Literal),
        "ModDate" => Object::String(pdf_date.as_bytes().to_vec(), StringFormat::Literal),
    });
    lo.trailer.set("Info", info);
    let mut xmp_stream = Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp(meta).into_bytes(),
    );
    // PDF/A: the metadata stays readable without a filter.
    xmp_stream.allows_compression = false;
    let xmp_id = lo.add_object(xmp_stream);
    let mut icc = Stream::new(dictionary! { "N" => 3 }, super::icc::srgb());
    icc.allows_compression = true;
    let icc_id = lo.add_object(icc);
    let intent = dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFA1",
        "OutputConditionIdentifier" => Object::String(super::icc::SRGB_NAME.as_bytes().to_vec(), StringFormat::Literal),
        "Info" => Object::String(super::icc::SRGB_NAME.as_bytes().to_vec(), StringFormat::Literal),
        "DestOutputProfile" => icc_id,
    };
    let mut sorted: Vec<&Attachment> = attachments.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let specs: Vec<(String, ObjectId)> = sorted
        .iter()
        .map(|a| (a.name.clone(), embed(&mut lo, a, &pdf_date)))
        .collect();
    let pages = lo.get_pages();
    let outline_root = lo.new_object_id();
    let tree = outline_level(&mut lo, &pages, outline, outline_root);
    let catalog = lo.catalog_mut().map_err(|e| e.to_string())?;
    catalog.set("Metadata", xmp_id);
    catalog.set("OutputIntents", vec![Object::Dictionary(intent)]);
    if !specs.is_empty() {
        let mut names = Vec::new();
        for (name, id) in &specs {
            names.push(Object::String(
                name.as_bytes().to_vec(),
                StringFormat::Literal,
            ));
            names.push(Object::Reference(*id));
        }
        catalog.set(
            "Names",
            dictionary! { "EmbeddedFiles" => dictionary! { "Names" => names } },
        );
        catalog.set(
            "AF",
            specs
                .iter()
                .map(|(_, id)| Object::Reference(*id))
                .collect::<Vec<_>>(),
        );
    }
    if tree.is_some() {
        catalog.set("Outlines", outline_root);
        catalog.set("PageMode", "UseOutlines");
    }
    if let Some((first, last, count)) = tree {
        let root: Dictionary = dictionary! {
            "Type" => "Outlines",
            "First" => first,
            "Last" => last,
            "Count" => count,
        };
        lo.objects.insert(outline_root, Object::Dictionary(root));
    }
    lo.version = "1.7".into();
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xmp_escapes_hostile_text_and_names_pdfa_3b() {
        let x = xmp(&Metadata {
            title: "a <b> & \"c\" \u{1}".into(),
            author: "vera@bank.example".into(),
            subject: "s".into(),
            keywords: vec!["k".into()],
            created_unix: 1_790_000_000,
        });
        assert!(x.contains("<pdfaid:part>3</pdfaid:part>"));
        assert!(x.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
        assert!(x.contains("a &lt;b&gt; &amp; &quot;c&quot; U+0001"), "{x}");
        assert!(!x.contains('\u{1}'));
        assert!(!x.to_lowercase().contains("pdfx"));
    }
}
