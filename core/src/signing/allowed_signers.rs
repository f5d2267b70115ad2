//! OpenSSH `allowed_signers` files (see ssh-keygen(1), "ALLOWED SIGNERS").
//!
//! Each line: `principals [options] keytype base64-key [comment]`. Principals are a comma
//! list; options are `namespaces="a,b"`, `valid-after=TIME`, `valid-before=TIME`. Anything
//! Countersign does not implement (wildcard principals, `cert-authority`, other options) is
//! rejected with the line number, never silently accepted.

use crate::{Error, Result};
use ssh_key::PublicKey;
use std::path::Path;

/// One entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AllowedSigner {
    /// Principals (identities) this key may sign as.
    pub principals: Vec<String>,
    /// Namespaces it may sign in (`None`: any).
    pub namespaces: Option<Vec<String>>,
    /// Not valid before this time (UTC), if set.
    pub valid_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Not valid after this time (UTC), if set.
    pub valid_before: Option<chrono::DateTime<chrono::Utc>>,
    /// The public key.
    pub key: PublicKey,
    /// Line number in the file.
    pub line: usize,
}

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    /// Entries in file order.
    pub entries: Vec<AllowedSigner>,
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    // ssh-keygen accepts YYYYMMDD, YYYYMMDDHHMM and YYYYMMDDHHMMSS, optionally with a Z suffix.
    let s = s.trim_end_matches(['Z', 'z']);
    let fmt = match s.len() {
        8 => {
            return chrono::NaiveDate::parse_from_str(s, "%Y%m%d")
                .ok()?
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
        }
        12 => "%Y%m%d%H%M",
        14 => "%Y%m%d%H%M%S",
        _ => return None,
    };
    chrono::NaiveDateTime::parse_from_str(s, fmt)
        .ok()
        .map(|t| t.and_utc())
}

/// Splits off the next whitespace-separated token, honouring double quotes.
fn token(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            c if c.is_whitespace() && !in_quotes => return (&s[..i], &s[i..]),
            _ => {}
        }
    }
    (s, "")
}

impl AllowedSigners {
    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text).map_err(|(line, message)| Error::InvalidFile {
            path: path.to_path_buf(),
            message: format!("line {line}: {message}"),
        })
    }

    /// Parses text; errors carry the line number.
    pub fn parse(text: &str) -> std::result::Result<Self, (usize, String)> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (principals, rest) = token(l);
            let principals: Vec<String> = principals
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect();
            if principals.is_empty() {
                return Err((line, "no principal".into()));
            }
            if let Some(p) = principals.iter().find(|p| p.contains(['*', '?', '!'])) {
                return Err((line, format!("principal '{p}' is a pattern; Countersign needs exact identities (list each one)")));
            }
            let (mut next, mut rest) = token(rest);
            let mut namespaces = None;
            let mut valid_after = None;
            let mut valid_before = None;
            if !next.starts_with("ssh-") && !next.starts_with("ecdsa-") && !next.starts_with("sk-")
            {
                for opt in split_options(next) {
                    let (k, v) = opt
                        .split_once('=')
                        .map(|(k, v)| (k, Some(v.trim_matches('"'))))
                        .unwrap_or((opt, None));
                    match (k.to_ascii_lowercase().as_str(), v) {
                        ("namespaces", Some(v)) => namespaces = Some(v.split(',').map(|n| n.trim().to_string()).collect()),
                        ("valid-after", Some(v)) => valid_after = Some(parse_time(v).ok_or((line, format!("valid-after '{v}' is not YYYYMMDD[HHMM[SS]][Z]")))?),
                        ("valid-before", Some(v)) => valid_before = Some(parse_time(v).ok_or((line, format!("valid-before '{v}' is not YYYYMMDD[HHMM[SS]][Z]")))?),
                        ("cert-authority", _) => return Err((line, "cert-authority keys are not supported by Countersign; list each signer's own key".into())),
                        (other, _) => return Err((line, format!("option '{other}' is not supported (only namespaces, valid-after, valid-before)"))),
                    }
                }
                (next, rest) = token(rest);
            }
            let (b64, comment) = token(rest);
            if b64.is_empty() {
                return Err((
                    line,
                    "no public key (expected: principals [options] ssh-ed25519 AAAA…)".into(),
                ));
            }
            let key_text = format!(
                "{next} {b64}{}",
                if comment.trim().is_empty() {
                    String::new()
                } else {
                    format!(" {}", comment.trim())
                }
            );
            let key = PublicKey::from_openssh(&key_text)
                .map_err(|e| (line, format!("the public key cannot be read ({e})")))?;
            entries.push(AllowedSigner {
                principals,
                namespaces,
                valid_after,
                valid_before,
                key,
                line,
            });
        }
        Ok(Self { entries })
    }

    /// Entries whose principals include `principal` (exact, case-sensitive as in OpenSSH).
    pub fn for_principal<'a>(
        &'a self,
        principal: &'a str,
    ) -> impl Iterator<Item = &'a AllowedSigner> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.principals.iter().any(|p| p == principal))
    }

    /// Principals whose entry holds this key.
    pub fn principals_for_key(&self, key: &PublicKey) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.key.key_data() == key.key_data())
            .flat_map(|e| e.principals.iter().cloned())
            .collect()
    }
}

fn split_options(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().filter(|o| !o.is_empty()).collect()
}

/// The `allowed_signers` line for a principal and key, limited to the `countersign` namespace.
pub fn line_for(principal: &str, key: &PublicKey) -> String {
    let mut k = key.clone();
    k.set_comment("");
    format!(
        "{principal} namespaces=\"{}\" {}",
        super::NAMESPACE,
        k.to_openssh().unwrap_or_default().trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOgHIr4PjAW3RdZIdJ9oaxYKc/JPqlaLKyo/S5AbqECH";

    #[test]
    fn parses_principals_options_and_keys() {
        let t = format!("# comment\nalice@x.org,alice2 namespaces=\"countersign,git\",valid-after=20250101,valid-before=\"20271231235959Z\" {KEY} alice\n\nbob {KEY}\n");
        let a = AllowedSigners::parse(&t).unwrap();
        assert_eq!(a.entries.len(), 2);
        let e = &a.entries[0];
        assert_eq!(e.principals, vec!["alice@x.org", "alice2"]);
        assert_eq!(
            e.namespaces.as_deref(),
            Some(&["countersign".to_string(), "git".to_string()][..])
        );
        assert_eq!(
            e.valid_after.unwrap().to_rfc3339(),
            "2025-01-01T00:00:00+00:00"
        );
        assert_eq!(
            e.valid_before.unwrap().to_rfc3339(),
            "2027-12-31T23:59:59+00:00"
        );
        assert_eq!(a.entries[1].line, 4);
        assert_eq!(a.for_principal("bob").count(), 1);
    }

    #[test]
    fn rejects_what_it_does_not_support() {
        for (line, want) in [
            (format!("*@x.org {KEY}"), "is a pattern"),
            (format!("a cert-authority {KEY}"), "cert-authority"),
            (
                format!("a no-touch-required {KEY}"),
                "option 'no-touch-required' is not supported",
            ),
            (
                format!("a valid-before=tomorrow {KEY}"),
                "valid-before 'tomorrow'",
            ),
            ("a ssh-ed25519".to_string(), "no public key"),
            (
                "a ssh-ed25519 AAAAnotbase64!!".to_string(),
                "cannot be read",
            ),
        ] {
            let e = AllowedSigners::parse(&format!("\n{line}\n")).unwrap_err();
            assert_eq!(e.0, 2);
            assert!(e.1.contains(want), "{line}: {}", e.1);
        }
    }
}
