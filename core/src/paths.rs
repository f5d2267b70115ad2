//! Platform text never becomes a path on its own: every platform-supplied string that names a
//! file or folder goes through [`encode_component`], which maps it onto one safe path
//! component (no separators, no `.`/`..`, no control characters, no leading dot), reversibly.

/// Characters kept as they are in a path component; everything else is `%XX`-encoded (UTF-8).
fn keep(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-+@,=".contains(c) || c == '.'
}

/// Encodes `s` as one path component: `%XX` for every byte outside `[A-Za-z0-9._+@,=-]`, and
/// for a leading dot (so `.`, `..` and hidden names cannot arise). The empty string becomes
/// `%`. [`decode_component`] reverses it.
pub fn encode_component(s: &str) -> String {
    if s.is_empty() {
        return "%".into();
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if keep(c) && !(i == 0 && c == '.') && c != '%' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Reverses [`encode_component`]; `None` for text it could not have produced.
pub fn decode_component(s: &str) -> Option<String> {
    if s == "%" {
        return Some(String::new());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_one_safe_component() {
        for s in [
            "..",
            ".",
            "../../etc/passwd",
            "/abs/path",
            "a/b",
            "a\\b",
            ".hidden",
            "x\ny",
            "name with spaces",
            "$(touch canary)",
            "ünïcødé",
            "%41",
            "",
            "C:\\x",
        ] {
            let e = encode_component(s);
            assert!(!e.contains(['/', '\\']), "{s:?} → {e:?}");
            assert!(!e.starts_with('.'), "{s:?} → {e:?}");
            assert!(!e.is_empty());
            assert!(e.chars().all(|c| c.is_ascii_graphic()), "{s:?} → {e:?}");
            assert_eq!(
                decode_component(&e).as_deref(),
                Some(s),
                "{s:?} round-trips"
            );
        }
        assert_eq!(
            encode_component("credit-limit-assignment"),
            "credit-limit-assignment"
        );
        assert_eq!(encode_component("v1.2"), "v1.2");
    }
}
