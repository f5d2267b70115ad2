//! The sRGB ICC profile of the documents' output intent (PDF/A needs one for device RGB),
//! built here from the published sRGB constants (IEC 61966-2-1) rather than copied from a
//! file: an ICC v2 display profile with the D50-adapted sRGB primaries and a 1024-point
//! sRGB tone curve.

/// An s15Fixed16Number.
fn s15(x: f64) -> [u8; 4] {
    ((x * 65536.0).round() as i32).to_be_bytes()
}

fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
    let mut t = b"XYZ \0\0\0\0".to_vec();
    for v in [x, y, z] {
        t.extend(s15(v));
    }
    t
}

fn text_description(s: &str) -> Vec<u8> {
    let mut t = b"desc\0\0\0\0".to_vec();
    t.extend(((s.len() + 1) as u32).to_be_bytes());
    t.extend(s.as_bytes());
    t.push(0);
    // No Unicode and no ScriptCode description (counts 0), as ICC v2 lays them out.
    t.extend([0u8; 4 + 4 + 2 + 1 + 67]);
    t
}

fn text(s: &str) -> Vec<u8> {
    let mut t = b"text\0\0\0\0".to_vec();
    t.extend(s.as_bytes());
    t.push(0);
    t
}

/// The sRGB transfer curve (encoded value → linear light), 1024 points.
fn curve() -> Vec<u8> {
    let n = 1024u32;
    let mut t = b"curv\0\0\0\0".to_vec();
    t.extend(n.to_be_bytes());
    for i in 0..n {
        let c = f64::from(i) / f64::from(n - 1);
        let v = if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        };
        t.extend(((v * 65535.0).round() as u16).to_be_bytes());
    }
    t
}

/// The profile's identifier in the output intent.
pub(super) const SRGB_NAME: &str = "sRGB IEC61966-2.1";

/// The sRGB profile's bytes.
pub(super) fn srgb() -> Vec<u8> {
    let trc = curve();
    let elements: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", text_description(SRGB_NAME)),
        (b"cprt", text("No copyright, use freely")),
        (b"wtpt", xyz(0.964203, 1.0, 0.824905)),
        (b"rXYZ", xyz(0.436066, 0.222488, 0.013916)),
        (b"gXYZ", xyz(0.385147, 0.716873, 0.097076)),
        (b"bXYZ", xyz(0.143066, 0.060608, 0.714096)),
        (b"rTRC", trc.clone()),
        (b"gTRC", trc.clone()),
        (b"bTRC", trc),
    ];
    let table_len = 4 + 12 * elements.len();
    let mut body: Vec<u8> = Vec::new();
    let mut table: Vec<u8> = (elements.len() as u32).to_be_bytes().to_vec();
    for (sig, data) in &elements {
        let offset = 128 + table_len + body.len();
        table.extend(*sig);
        table.extend((offset as u32).to_be_bytes());
        table.extend((data.len() as u32).to_be_bytes());
        body.extend(data);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
    }
    let size = 128 + table.len() + body.len();
    let mut h = Vec::with_capacity(size);
    h.extend((size as u32).to_be_bytes());
    h.extend([0u8; 4]); // preferred CMM: none
    h.extend(0x0210_0000u32.to_be_bytes()); // version 2.1
    h.extend(b"mntr");
    h.extend(b"RGB ");
    h.extend(b"XYZ ");
    for v in [2026u16, 1, 1, 0, 0, 0] {
        h.extend(v.to_be_bytes());
    }
    h.extend(b"acsp");
    h.extend([0u8; 4 * 4 + 8 + 4]); // platform, flags, manufacturer, model, attributes, intent
    h.extend(s15(0.9642));
    h.extend(s15(1.0));
    h.extend(s15(0.8249));
    h.extend([0u8; 4 + 16 + 28]); // creator, profile id, reserved
    debug_assert_eq!(h.len(), 128);
    h.extend(table);
    h.extend(body);
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> usize {
        u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
    }

    #[test]
    fn the_profile_is_a_well_formed_icc_v2_rgb_display_profile() {
        let p = srgb();
        assert_eq!(u32_at(&p, 0), p.len(), "the size field is the length");
        assert_eq!(&p[36..40], b"acsp");
        assert_eq!(&p[12..24], b"mntrRGB XYZ ");
        assert_eq!(p[8], 2, "major version 2");
        let n = u32_at(&p, 128);
        assert_eq!(n, 9);
        let mut sigs = Vec::new();
        for i in 0..n {
            let at = 132 + 12 * i;
            let (off, len) = (u32_at(&p, at + 4), u32_at(&p, at + 8));
            assert!(off % 4 == 0 && off + len <= p.len(), "tag {i} inside");
            sigs.push(String::from_utf8_lossy(&p[at..at + 4]).to_string());
        }
        for want in [
            "desc", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC", "cprt",
        ] {
            assert!(sigs.iter().any(|s| s == want), "{want}");
        }
        // The curve ends at full scale and starts at zero.
        let trc = p.windows(4).position(|w| w == b"curv").expect("curve");
        let count = u32_at(&p, trc + 8);
        assert_eq!(count, 1024);
        assert_eq!(&p[trc + 12..trc + 14], &[0, 0]);
        let last = trc + 12 + 2 * (count - 1);
        assert_eq!(&p[last..last + 2], &[0xff, 0xff]);
    }
}
