//! The trust root: the risk function's keys and thresholds, as a file `ssh-keygen` reads.
//!
//! A root is an OpenSSH `allowed_signers` file whose leading comment lines carry its header:
//!
//! ```text
//! # countersign.root/v1
//! # version: 1
//! # release_threshold: 2
//! # root_threshold: 2
//! # previous: none
//! risk-1@bank namespaces="countersign-policy,countersign-root" ssh-ed25519 AAAA…
//! ```
//!
//! so `ssh-keygen -Y verify -f root.signers -n countersign-policy …` checks a release signature
//! with nothing of ours. A new root (version N+1) names the SHA-256 of root N in `previous`
//! and counts only when signed (namespace `countersign-root`) by `root_threshold` of root N's
//! keys *and* of its own.

use crate::encoding::sha256_hex;
use crate::signing::allowed_signers::{AllowedSigner, AllowedSigners};
use crate::signing::{POLICY_NAMESPACE, ROOT_NAMESPACE};
use ssh_key::PublicKey;

/// The first line of every root file.
pub const ROOT_TYPE: &str = "countersign.root/v1";

/// A parsed trust root.
#[derive(Debug, Clone)]
pub struct Root {
    /// Its exact bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// 1 for the first root, +1 for each rotation.
    pub version: u64,
    /// Signatures of distinct root keys a policy release needs.
    pub release_threshold: usize,
    /// Signatures of distinct keys (of the previous root and of this one) a new root needs.
    pub root_threshold: usize,
    /// SHA-256 of the root this one replaces (`None` for the first).
    pub previous: Option<String>,
    /// Releases signed under earlier roots count only up to this release version (a retired
    /// key cannot sign a newer release under the old root). `None`: no limit was set.
    pub previous_last_release: Option<u64>,
    /// The risk function's keys.
    pub keys: AllowedSigners,
}

fn bad(reason: impl Into<String>) -> String {
    reason.into()
}

impl Root {
    /// Parses a root file; the error says what is wrong and where.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| bad("the root file is not UTF-8"))?;
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(&format!("# {ROOT_TYPE}")) {
            return Err(bad(format!(
                "the first line must be '# {ROOT_TYPE}' (is this a trust root file?)"
            )));
        }
        let mut header = std::collections::BTreeMap::new();
        for l in lines {
            let Some(rest) = l.trim().strip_prefix('#') else {
                break;
            };
            if let Some((k, v)) = rest.split_once(':') {
                header.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        let num = |k: &str| -> std::result::Result<u64, String> {
            header
                .get(k)
                .ok_or_else(|| bad(format!("the header has no '# {k}: N' line")))?
                .parse::<u64>()
                .map_err(|_| bad(format!("'{k}' must be a whole number")))
        };
        let version = num("version")?;
        let release_threshold = num("release_threshold")? as usize;
        let root_threshold = num("root_threshold")? as usize;
        let previous = header
            .get("previous")
            .filter(|v| !v.is_empty() && v.as_str() != "none")
            .cloned();
        let previous_last_release = match header.get("previous_last_release") {
            Some(v) if v != "none" => Some(
                v.parse::<u64>()
                    .map_err(|_| bad("'previous_last_release' must be a whole number"))?,
            ),
            _ => None,
        };
        let keys = AllowedSigners::parse(text)
            .map_err(|(line, why)| bad(format!("line {line}: {why}")))?;
        let n = keys.entries.len();
        if n == 0 {
            return Err(bad("the root lists no keys"));
        }
        for (what, t) in [
            ("release_threshold", release_threshold),
            ("root_threshold", root_threshold),
        ] {
            if t == 0 || t > n {
                return Err(bad(format!(
                    "{what} is {t}, but it must be between 1 and the number of keys ({n})"
                )));
            }
        }
        for (i, a) in keys.entries.iter().enumerate() {
            if a.principals.len() != 1 {
                return Err(bad(format!(
                    "line {}: a root key has exactly one principal",
                    a.line
                )));
            }
            for b in &keys.entries[i + 1..] {
                if a.key.key_data() == b.key.key_data() {
                    return Err(bad(format!(
                        "lines {} and {} hold the same key: each root key counts once",
                        a.line, b.line
                    )));
                }
                if a.principals == b.principals {
                    return Err(bad(format!(
                        "lines {} and {} name the same principal '{}'",
                        a.line, b.line, a.principals[0]
                    )));
                }
            }
        }
        if version == 1 && previous.is_some() {
            return Err(bad("root version 1 cannot name a previous root"));
        }
        if version > 1 && previous.is_none() {
            return Err(bad(format!(
                "root version {version} must name the SHA-256 of version {} in '# previous:'",
                version - 1
            )));
        }
        Ok(Self {
            sha256: sha256_hex(bytes),
            bytes: bytes.to_vec(),
            version,
            release_threshold,
            root_threshold,
            previous,
            previous_last_release,
            keys,
        })
    }

    /// Builds the text of a root (see the module doc).
    pub fn render(
        version: u64,
        release_threshold: usize,
        root_threshold: usize,
        previous: Option<(&str, Option<u64>)>,
        keys: &[(String, PublicKey)],
    ) -> String {
        let mut out = format!(
            "# {ROOT_TYPE}\n# version: {version}\n# release_threshold: {release_threshold}\n# root_threshold: {root_threshold}\n"
        );
        match previous {
            Some((sha, last)) => {
                out.push_str(&format!("# previous: {sha}\n"));
                if let Some(n) = last {
                    out.push_str(&format!("# previous_last_release: {n}\n"));
                }
            }
            None => out.push_str("# previous: none\n"),
        }
        out.push_str(
            "# The risk function's keys: they sign policy releases and new roots, never models.\n",
        );
        for (who, key) in keys {
            let mut k = key.clone();
            k.set_comment("");
            out.push_str(&format!(
                "{who} namespaces=\"{POLICY_NAMESPACE},{ROOT_NAMESPACE}\" {}\n",
                k.to_openssh().unwrap_or_default().trim()
            ));
        }
        out
    }

    /// The entry holding `key`, if it is one of this root's.
    pub fn entry_for(&self, key: &ssh_key::public::KeyData) -> Option<&AllowedSigner> {
        self.keys.entries.iter().find(|e| e.key.key_data() == key)
    }

    /// The principals of this root's keys.
    pub fn principals(&self) -> Vec<String> {
        self.keys
            .entries
            .iter()
            .map(|e| e.principals[0].clone())
            .collect()
    }

    /// Which of this root's keys made a valid signature over `msg` in `namespace` (each key
    /// counted once), and why each other signature does not count.
    pub fn signers_of(
        &self,
        namespace: &str,
        msg: &[u8],
        signatures: &[(String, Vec<u8>)],
        at: chrono::DateTime<chrono::Utc>,
    ) -> (Vec<String>, Vec<String>) {
        let mut ok: Vec<String> = Vec::new();
        let mut bad = Vec::new();
        for (location, armored) in signatures {
            let sig = match crate::signing::parse_signature(armored) {
                Ok(s) => s,
                Err(why) => {
                    bad.push(format!("{location}: {why}"));
                    continue;
                }
            };
            let Some(entry) = self.entry_for(sig.public_key()) else {
                bad.push(format!(
                    "{location}: made with key {}, which is not a key of root v{}",
                    ssh_key::PublicKey::from(sig.public_key().clone())
                        .fingerprint(ssh_key::HashAlg::Sha256),
                    self.version
                ));
                continue;
            };
            let who = entry.principals[0].clone();
            match crate::signing::verify_in(namespace, &self.keys, &who, msg, armored, at) {
                Ok(_) if !ok.contains(&who) => ok.push(who),
                Ok(_) => {}
                Err(why) => bad.push(format!("{location}: {why}")),
            }
        }
        ok.sort();
        (ok, bad)
    }

    /// Whether `next` is a valid rotation of this root: the next version, naming this root,
    /// signed by `root_threshold` of this root's keys and of its own. Every reason otherwise.
    pub fn accepts_rotation(
        &self,
        next: &Root,
        signatures: &[(String, Vec<u8>)],
        at: chrono::DateTime<chrono::Utc>,
    ) -> std::result::Result<(), Vec<String>> {
        let mut reasons = Vec::new();
        if next.version != self.version + 1 {
            reasons.push(format!(
                "root v{} does not follow root v{}",
                next.version, self.version
            ));
        }
        if next.previous.as_deref() != Some(self.sha256.as_str()) {
            reasons.push(format!(
                "root v{} does not name root v{} ({}) as its previous root",
                next.version,
                self.version,
                crate::display::short_hash(&self.sha256)
            ));
        }
        let (old, old_bad) = self.signers_of(ROOT_NAMESPACE, &next.bytes, signatures, at);
        if old.len() < self.root_threshold {
            reasons.push(format!(
                "root v{} is signed by {} of the {} keys of root v{} it needs ({}){}",
                next.version,
                old.len(),
                self.root_threshold,
                self.version,
                missing(&old, &self.principals(), self.root_threshold),
                notes(&old_bad)
            ));
        }
        let (new, new_bad) = next.signers_of(ROOT_NAMESPACE, &next.bytes, signatures, at);
        if new.len() < next.root_threshold {
            reasons.push(format!(
                "root v{} is signed by {} of the {} of its own keys it needs ({}){}",
                next.version,
                new.len(),
                next.root_threshold,
                missing(&new, &next.principals(), next.root_threshold),
                notes(&new_bad)
            ));
        }
        if reasons.is_empty() {
            Ok(())
        } else {
            Err(reasons)
        }
    }
}

/// "signed by a, b; missing: any 1 of c, d".
pub fn missing(have: &[String], all: &[String], need: usize) -> String {
    let rest: Vec<&str> = all
        .iter()
        .filter(|p| !have.contains(p))
        .map(String::as_str)
        .collect();
    let signed = if have.is_empty() {
        "signed by nobody".to_string()
    } else {
        format!("signed by {}", have.join(", "))
    };
    if have.len() >= need {
        signed
    } else {
        format!(
            "{signed}; missing: any {} of {}",
            need - have.len(),
            rest.join(", ")
        )
    }
}

fn notes(bad: &[String]) -> String {
    if bad.is_empty() {
        String::new()
    } else {
        format!("; not counted: {}", bad.join("; "))
    }
}
