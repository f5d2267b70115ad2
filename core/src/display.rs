//! Making platform text safe to show and to put in a shell command.
//!
//! Any string that came from a platform (names, signers, tags, notes, file names) may hold
//! control characters that move a terminal's cursor, fake output lines, write the clipboard
//! (OSC 52) or reorder text (bidirectional overrides). [`escape`] replaces every such character
//! with a visible escape; [`shell_quote`] quotes a word for POSIX shells so that it is one
//! argument whatever it holds.

use std::borrow::Cow;

/// Whether `c` must never reach a terminal raw: C0 and C1 controls, DEL, and the
/// bidirectional formatting characters.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
}

/// `s` with every unsafe character (see [`is_unsafe_char`]) replaced by a visible escape
/// (`\n`, `\t`, `\e`, or `\u{…}`). Safe text is returned as is.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Quotes a word for a POSIX shell: unchanged when it holds only safe characters, otherwise
/// in single quotes (a quote inside becomes `'\''`). Control characters are first made
/// visible, so a quoted word is always one printable line.
pub fn shell_quote(s: &str) -> String {
    let s = escape(s);
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c))
    {
        return s.into_owned();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The first 12 characters of a hash for display — character-safe (a record's hash field is
/// platform text and may hold anything) and escaped.
pub fn short_hash(s: &str) -> String {
    let head: String = s.chars().take(12).collect();
    escape(&head).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\nCOUNTS b"), "a\\nCOUNTS b");
        assert_eq!(escape("\u{1b}]52;c;aGk=\u{7}"), "\\e]52;c;aGk=\\u{7}");
        assert_eq!(escape("x\u{202E}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
        assert!(!escape("\u{0}\u{7f}\u{85}").chars().any(is_unsafe_char));
    }

    #[test]
    fn short_hashes_never_split_a_character() {
        assert_eq!(short_hash("0123456789abcdef"), "0123456789ab");
        assert_eq!(short_hash("aaaaaaaaaaaé\u{1b}]52"), "aaaaaaaaaaaé");
        assert_eq!(short_hash("ab\u{1b}c"), "ab\\ec");
        assert_eq!(short_hash(""), "");
    }

    #[test]
    fn quoted_words_stay_one_argument() {
        assert_eq!(shell_quote("vera@demo.bank"), "vera@demo.bank");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$(touch x)"), "'$(touch x)'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a\nb"), "'a\\nb'");
    }
}
