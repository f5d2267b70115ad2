//! Signing keys as a front end handles them: open the configured one, describe it, make one.
//! No store or platform is needed (a key is made before anything is configured).

use crate::config::KeyChoice;
pub use crate::signing::SigningKey;
use crate::signing::{self, allowed_signers::line_for};
use crate::Result;
use serde::Serialize;
use std::path::Path;

/// A key and the `allowed_signers` line the risk function adds for its holder.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// Where the key is (a file, or ssh-agent).
    pub source: String,
    /// Its SHA-256 fingerprint.
    pub fingerprint: String,
    /// The public key, OpenSSH format.
    pub public_key: String,
    /// `PRINCIPAL namespaces="countersign" KEY`: the line to hand to the risk function.
    pub allowed_signers_line: String,
}

/// Opens the key `choice` names; a protected key file without `passphrase` fails with
/// [`crate::Error::PassphraseNeeded`] (the front end asks, then calls again).
pub fn open_key(choice: &KeyChoice, passphrase: Option<&str>) -> Result<SigningKey> {
    match choice {
        KeyChoice::Agent => SigningKey::from_agent(None, None),
        KeyChoice::File(path) => SigningKey::from_file(path, passphrase),
    }
}

/// What `keys` shows of an open key, naming `identity` in the `allowed_signers` line.
pub fn describe(key: &SigningKey, identity: &str) -> KeyInfo {
    KeyInfo {
        source: key.source.clone(),
        fingerprint: key.fingerprint(),
        public_key: key.public_key().to_openssh().unwrap_or_default(),
        allowed_signers_line: line_for(identity, key.public_key()),
    }
}

/// Generates an Ed25519 key at `path` (private file mode 0600, `.pub` beside it) for
/// `identity`, with `comment` (default: the identity).
pub fn generate(
    path: &Path,
    identity: &str,
    comment: &str,
    passphrase: Option<&str>,
) -> Result<KeyInfo> {
    let comment = if comment.is_empty() {
        identity
    } else {
        comment
    };
    let public = signing::generate(path, comment, passphrase)?;
    Ok(KeyInfo {
        source: path.display().to_string(),
        fingerprint: signing::fingerprint_of(&public),
        public_key: public.to_openssh().unwrap_or_default(),
        allowed_signers_line: line_for(identity, &public),
    })
}
