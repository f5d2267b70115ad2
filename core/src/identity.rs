//! Identities: one person, one identity (DESIGN §2).
//!
//! Two comparisons, for two purposes:
//! - [`roster_key`] decides whether a principal is the one a roster names: Unicode NFKC,
//!   case folding, default-ignorable and format characters removed, `Name <e-mail>` unwrapped,
//!   whitespace removed, and (by default) e-mail sub-addresses (`+tag`) folded. Strict enough
//!   that a look-alike spelling never inherits someone else's role.
//! - [`builder_key`] decides whether a signer *is* the builder: the roster key passed through
//!   the confusable skeleton of Unicode TS #39 and with trailing dots dropped, so look-alike
//!   letters from other scripts, compatibility forms and invisible characters all fold onto the
//!   same person. Broad on purpose: a false match refuses an approval, it never grants one.
//!
//! [`check_signer`] refuses identities nobody should sign under (control characters, unsafe
//! mixed scripts).

use unicode_normalization::UnicodeNormalization;
use unicode_security::MixedScript;

/// Whether `c` is a Unicode default-ignorable code point (DerivedCoreProperties.txt), a format
/// character (general category Cf: interlinear annotation, Egyptian format controls, …) or a
/// variation selector: invisible, so never part of an identity.
fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.general_category() == GeneralCategory::Format
        || matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF | 0x0600..=0x0605 | 0x06DD | 0x070F | 0x08E2 | 0x110BD | 0x110CD)
}

/// NFKC, case-folded, invisible characters and whitespace removed, `Name <e-mail>` unwrapped.
fn folded(s: &str) -> String {
    let inner = match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if b > a => &s[a + 1..b],
        _ => s,
    };
    // Case folding is applied between two NFKC passes, as Unicode's NFKC_Casefold does.
    let once: String = inner.nfkc().filter(|c| !is_invisible(*c)).collect();
    once.to_lowercase()
        .nfkc()
        .filter(|c| !is_invisible(*c) && !c.is_whitespace())
        .collect()
}

/// Folds an e-mail sub-address: `user+tag@host` → `user@host`.
fn fold_subaddress(s: &str) -> String {
    match s.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split('+').next().unwrap_or(user);
            format!("{user}@{host}")
        }
        None => s.to_string(),
    }
}

/// The form in which roster entries and signers are compared (see the module docs).
pub fn roster_key(s: &str, fold_subaddresses: bool) -> String {
    let f = folded(s);
    if fold_subaddresses {
        fold_subaddress(&f)
    } else {
        f
    }
}

fn trim_dots(f: &str) -> String {
    let f = f.trim_end_matches('.');
    match f.rsplit_once('@') {
        Some((u, h)) => format!("{}@{}", u.trim_end_matches('.'), h.trim_end_matches('.')),
        None => f.to_string(),
    }
}

/// The forms in which a signer is compared with a version's builders: the roster key with
/// sub-addresses folded and trailing dots dropped, through the TS #39 confusable skeleton —
/// once after case folding, once before (the skeleton is case-sensitive: a Cyrillic `І` is
/// confusable with a Latin `l` only before folding). Two identities are the same person when
/// either form agrees ([`same_person`]).
pub fn builder_keys(s: &str) -> [String; 2] {
    let inner = unwrap_address(s);
    let folded_form = loose(&trim_dots(&fold_subaddress(&folded(&inner))));
    let after: String = unicode_security::skeleton(&folded_form).collect();
    let cased: String = inner
        .nfkc()
        .filter(|c| !is_invisible(*c) && !c.is_whitespace())
        .collect();
    let before: String = unicode_security::skeleton(&cased).collect();
    let before = loose(&trim_dots(&fold_subaddress(&folded(&before))));
    [loose(&after.to_lowercase()), before]
}

/// The address inside whatever wraps it: `Name <e-mail>` (balanced or not), quotes, `mailto:`.
fn unwrap_address(s: &str) -> String {
    let t = match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if b > a => &s[a + 1..b],
        (Some(a), None) => &s[a + 1..],
        _ => s,
    };
    let t = t.trim().trim_start_matches('<').trim_end_matches('>');
    let t = t
        .strip_prefix("mailto:")
        .or_else(|| t.strip_prefix("MAILTO:"))
        .unwrap_or(t);
    t.chars()
        .filter(|c| !matches!(c, '"' | '\'' | '<' | '>'))
        .collect()
}

/// The comparison-only form of a builder key: combining marks dropped (full case folding of
/// `İ` leaves a combining dot), dots in the local part dropped (`tomas..garcia`, `.tomas`).
fn loose(s: &str) -> String {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    let no_marks: String = s
        .nfd()
        .filter(|c| c.general_category_group() != GeneralCategoryGroup::Mark)
        .collect();
    match no_marks.rsplit_once('@') {
        Some((user, host)) => format!("{}@{host}", user.replace('.', "")),
        None => no_marks.replace('.', ""),
    }
}

/// The first of [`builder_keys`], for display and storage where one string is needed.
pub fn builder_key(s: &str) -> String {
    let [a, _] = builder_keys(s);
    a
}

/// Whether two identities are the same person (see [`builder_keys`]). A bare user name (what
/// MLflow often records as a run's user) is the same person as an e-mail address with that
/// local part.
pub fn same_person(a: &str, b: &str) -> bool {
    let (x, y) = (builder_keys(a), builder_keys(b));
    let local = |k: &str| k.rsplit_once('@').map(|(u, _)| u.to_string());
    (0..2).any(|i| {
        let (p, q) = (&x[i], &y[i]);
        if p.is_empty() || q.is_empty() {
            return false;
        }
        p == q
            || (!p.contains('@') && local(q).as_deref() == Some(p.as_str()))
            || (!q.contains('@') && local(p).as_deref() == Some(q.as_str()))
    })
}

/// Refuses an identity nobody should sign under: empty, control characters, invisible
/// characters, or a mix of scripts that Unicode TS #39 calls unsafe (Latin letters with
/// Cyrillic look-alikes, say). Returns the reason.
pub fn check_signer(s: &str) -> std::result::Result<(), String> {
    if s.trim().is_empty() {
        return Err("the identity is empty".into());
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the identity holds the control character U+{:04X}",
            c as u32
        ));
    }
    if let Some(c) = s.chars().find(|c| is_invisible(*c)) {
        return Err(format!(
            "the identity holds the invisible character U+{:04X}",
            c as u32
        ));
    }
    if s != s.trim() {
        return Err("the identity starts or ends with white space".into());
    }
    let parts: Vec<&str> = s.split(['@', '.', '<', '>', ' ', '+', '-', '_']).collect();
    if parts.iter().any(|p| !p.is_single_script()) {
        return Err(
            "the identity mixes letters of several scripts (Unicode TS #39 calls that unsafe): use one script per word".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOB: &str = "bob.builder@demo.bank";

    #[test]
    fn variant_spellings_of_the_builder_are_the_builder() {
        let variants = [
            "Bob.Builder@Demo.Bank",
            " bob.builder@demo.bank ",
            "Bob Builder <bob.builder@demo.bank>",
            "bob.builder+approvals@demo.bank",
            "bob.builder@demo.bank.",
            "bob.builder.@demo.bank",
            "bob.\u{200B}builder@demo.bank",
            "bob.builder\u{00AD}@demo.bank",
            "bob.buil\u{2060}der@demo.bank",
            "ｂｏｂ.ｂｕｉｌｄｅｒ@ｄｅｍｏ.ｂａｎｋ",
            "b\u{043E}b.builder@demo.bank",
            "bob.bui\u{0406}der@demo.bank",
            "BOB.BUILDER@DEMO.BANK",
            "bob.bui1der@demo.bank",
            "\u{FEFF}bob.builder@demo.bank",
            "bob.builder@dem\u{03BF}.bank",
            "bob.builder\u{FFF9}@demo.bank",
            "bob.builder\u{13430}@demo.bank",
            "bob.builder\u{0890}@demo.bank",
            "BOB.BU\u{0130}LDER@demo.bank",
            "<bob.builder@demo.bank",
            "bob.builder@demo.bank>",
            "\"bob.builder\"@demo.bank",
            "mailto:bob.builder@demo.bank",
            "bob.builder",
            ".bob.builder@demo.bank",
            "bob..builder@demo.bank",
        ];
        for v in variants {
            assert!(
                same_person(v, BOB),
                "{v:?} must fold onto the builder: {:?} vs {:?}",
                builder_keys(v),
                builder_keys(BOB)
            );
        }
        assert!(!same_person("vera.validator@demo.bank", BOB));
        assert!(!same_person("bob.builderx@demo.bank", BOB));
        assert!(!same_person("rob.builder@demo.bank", BOB));
    }

    #[test]
    fn look_alikes_never_inherit_a_roster_role() {
        let k = roster_key("vera.validator@demo.bank", true);
        assert_eq!(roster_key("Vera.Validator@demo.bank", true), k);
        assert_eq!(roster_key("vera.validator+x@demo.bank", true), k);
        assert_ne!(roster_key("vera.validator+x@demo.bank", false), k);
        assert_ne!(roster_key("v\u{0435}ra.validator@demo.bank", true), k);
        assert_eq!(roster_key("vera.vali\u{200D}dator@demo.bank", true), k);
    }

    #[test]
    fn unsafe_identities_are_refused() {
        assert!(check_signer("vera.validator@demo.bank").is_ok());
        assert!(check_signer("Vera Validator <vera@demo.bank>").is_ok());
        assert!(check_signer("vera\n@demo.bank").is_err());
        assert!(check_signer("vera\u{1b}[2J@demo.bank").is_err());
        assert!(check_signer("v\u{0435}ra@demo.bank").is_err());
        assert!(check_signer("vera\u{200B}@demo.bank").is_err());
        assert!(check_signer("vera\u{202E}@demo.bank").is_err());
        assert!(check_signer("vera\u{FFF9}@demo.bank").is_err());
        assert!(check_signer("").is_err());
        assert!(check_signer("иван@банк.рф").is_ok());
    }
}
