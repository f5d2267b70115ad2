//! OpenSSH signatures (SSHSIG) with the reviewer's own ed25519 key, from a key file or
//! ssh-agent, verifiable by anyone with
//! `ssh-keygen -Y verify -f allowed_signers -I SIGNER -n countersign -s FILE.sig < FILE`.

pub mod allowed_signers;

use crate::{Error, Result};
use allowed_signers::AllowedSigners;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::path::{Path, PathBuf};

/// The SSHSIG namespace of approval records.
pub const NAMESPACE: &str = "countersign";

/// The SSHSIG namespace of policy releases, signed by the trust root's keys.
pub const POLICY_NAMESPACE: &str = "countersign-policy";

/// The SSHSIG namespace of a new trust root, signed by the previous root's keys and its own.
pub const ROOT_NAMESPACE: &str = "countersign-root";

enum Inner {
    File(Box<PrivateKey>),
    Agent(PathBuf),
}

/// A key that can sign: a decrypted key file, or a key held by ssh-agent.
pub struct SigningKey {
    inner: Inner,
    public: PublicKey,
    /// Where the key comes from, for display ("~/.ssh/id_ed25519" or "ssh-agent").
    pub source: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, {})", self.source, self.fingerprint())
    }
}

fn key_err(what: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Key {
        what: what.into(),
        message: message.into(),
    }
}

impl SigningKey {
    /// Loads an OpenSSH private key file; `passphrase` decrypts a protected one.
    pub fn from_file(path: &Path, passphrase: Option<&str>) -> Result<Self> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => key_err(
                &shown,
                "no such key file; create one with `countersign keys generate` or pass --key PATH",
            ),
            _ => Error::io(path, e),
        })?;
        let key = PrivateKey::from_openssh(&text).map_err(|e| {
            key_err(
                &shown,
                format!(
                    "not an OpenSSH private key ({e}); pass the private key file, not the .pub"
                ),
            )
        })?;
        let key = if key.is_encrypted() {
            let Some(pass) = passphrase else {
                return Err(Error::PassphraseNeeded {
                    path: path.to_path_buf(),
                });
            };
            key.decrypt(pass)
                .map_err(|_| key_err(&shown, "wrong passphrase"))?
        } else {
            key
        };
        if key.algorithm() != Algorithm::Ed25519 {
            return Err(key_err(&shown, format!("{} keys are not supported; Countersign signs with ed25519 (ssh-keygen -t ed25519)", key.algorithm())));
        }
        let public = key.public_key().clone();
        Ok(Self {
            inner: Inner::File(Box::new(key)),
            public,
            source: shown,
        })
    }

    /// Uses a key held by ssh-agent (`SSH_AUTH_SOCK`): the one matching `want` (a SHA256
    /// fingerprint or a public key file), or the first ed25519 key.
    pub fn from_agent(socket: Option<&Path>, want: Option<&str>) -> Result<Self> {
        let socket = match socket {
            Some(s) => s.to_path_buf(),
            None => std::env::var_os("SSH_AUTH_SOCK")
                .map(PathBuf::from)
                .ok_or_else(|| key_err("ssh-agent", "SSH_AUTH_SOCK is not set: start ssh-agent and ssh-add your key, or use --key FILE"))?,
        };
        let mut client = ssh_agent_client_rs::Client::connect(&socket).map_err(|e| {
            key_err(
                "ssh-agent",
                format!("cannot connect to {} ({e})", socket.display()),
            )
        })?;
        #[allow(deprecated)]
        let keys = client
            .list_identities()
            .map_err(|e| key_err("ssh-agent", format!("cannot list keys ({e})")))?;
        let wanted_fp = match want {
            Some(w) if w.starts_with("SHA256:") => Some(w.to_string()),
            Some(w) => {
                let text = std::fs::read_to_string(w)
                    .map_err(|e| key_err(w, format!("cannot read the public key ({e})")))?;
                let k = PublicKey::from_openssh(text.trim())
                    .map_err(|e| key_err(w, format!("not an OpenSSH public key ({e})")))?;
                Some(k.fingerprint(HashAlg::Sha256).to_string())
            }
            None => None,
        };
        let public = keys
            .into_iter()
            .filter(|k| k.algorithm() == Algorithm::Ed25519)
            .find(|k| {
                wanted_fp
                    .as_ref()
                    .is_none_or(|fp| &k.fingerprint(HashAlg::Sha256).to_string() == fp)
            })
            .ok_or_else(|| {
                key_err(
                    "ssh-agent",
                    match &wanted_fp {
                        Some(fp) => format!("holds no ed25519 key {fp}; ssh-add it first"),
                        None => "holds no ed25519 key; ssh-add one first".into(),
                    },
                )
            })?;
        Ok(Self {
            inner: Inner::Agent(socket),
            public,
            source: "ssh-agent".into(),
        })
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// `SHA256:…`, as `ssh-keygen -lf` prints it.
    pub fn fingerprint(&self) -> String {
        self.public.fingerprint(HashAlg::Sha256).to_string()
    }

    /// Signs `msg` in the `countersign` namespace; returns the armored signature.
    pub fn sign(&self, msg: &[u8]) -> Result<String> {
        self.sign_in(NAMESPACE, msg)
    }

    /// Signs `msg` in `namespace` (see [`NAMESPACE`], [`POLICY_NAMESPACE`],
    /// [`ROOT_NAMESPACE`]); returns the armored signature.
    pub fn sign_in(&self, namespace: &str, msg: &[u8]) -> Result<String> {
        let sig = match &self.inner {
            Inner::File(key) => SshSig::sign(key.as_ref(), namespace, HashAlg::Sha512, msg)
                .map_err(|e| key_err(&self.source, format!("signing failed ({e})")))?,
            Inner::Agent(socket) => {
                let data = SshSig::signed_data(namespace, HashAlg::Sha512, msg)
                    .map_err(|e| key_err("ssh-agent", e.to_string()))?;
                let mut client = ssh_agent_client_rs::Client::connect(socket)
                    .map_err(|e| key_err("ssh-agent", format!("cannot connect ({e})")))?;
                let raw = client
                    .sign(&self.public, &data)
                    .map_err(|e| key_err("ssh-agent", format!("refused to sign ({e})")))?;
                SshSig::new(
                    self.public.key_data().clone(),
                    namespace,
                    HashAlg::Sha512,
                    raw,
                )
                .map_err(|e| key_err("ssh-agent", e.to_string()))?
            }
        };
        sig.to_pem(LineEnding::LF)
            .map_err(|e| key_err(&self.source, e.to_string()))
    }
}

/// Generates an ed25519 key pair at `path` (mode 0600) and `path.pub`; refuses to overwrite.
pub fn generate(path: &Path, comment: &str, passphrase: Option<&str>) -> Result<PublicKey> {
    if path.exists() {
        return Err(key_err(
            path.display().to_string(),
            "already exists; choose another path (Countersign never overwrites a key)",
        ));
    }
    let mut rng = ssh_key::rand_core::OsRng;
    let mut key = PrivateKey::random(&mut rng, Algorithm::Ed25519)
        .map_err(|e| key_err("key generation", e.to_string()))?;
    key.set_comment(comment);
    let public = key.public_key().clone();
    let key = match passphrase.filter(|p| !p.is_empty()) {
        Some(p) => key
            .encrypt(&mut rng, p)
            .map_err(|e| key_err("key generation", e.to_string()))?,
        None => key,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let pem = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| key_err("key generation", e.to_string()))?;
    write_private(path, pem.as_bytes())?;
    let pub_path = PathBuf::from(format!("{}.pub", path.display()));
    std::fs::write(
        &pub_path,
        format!("{}\n", public.to_openssh().unwrap_or_default()),
    )
    .map_err(|e| Error::io(&pub_path, e))?;
    Ok(public)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// The stock OpenSSH command that checks a record written as `STEM.json` with its signature
/// `STEM.json.sig` (namespace `countersign`) against `allowed_signers` in the current
/// directory. Every platform-supplied word is shell-quoted: a principal holding `$(…)` or a
/// quote stays one inert argument.
pub fn verify_command(signer: &str, stem: &str) -> String {
    let q = crate::display::shell_quote;
    format!(
        "ssh-keygen -Y verify -f allowed_signers -I {} -n countersign -s {} < {}",
        q(signer),
        q(&format!("{stem}.json.sig")),
        q(&format!("{stem}.json"))
    )
}

/// `SHA256:…` of a public key, as `ssh-keygen -lf` prints it.
pub fn fingerprint_of(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Verifies an armored SSHSIG over `msg` for `principal`, exactly as `ssh-keygen -Y verify`
/// would at time `at`. Returns the key's fingerprint, or the reason it does not verify.
pub fn verify(
    allowed: &AllowedSigners,
    principal: &str,
    msg: &[u8],
    armored: &[u8],
    at: chrono::DateTime<chrono::Utc>,
) -> std::result::Result<String, String> {
    verify_in(NAMESPACE, allowed, principal, msg, armored, at)
}

/// Parses an armored SSHSIG, accepting only its canonical encoding (what ssh-keygen and
/// Countersign write): the parser tolerates some malformed lengths that ssh-keygen rejects.
pub fn parse_signature(armored: &[u8]) -> std::result::Result<SshSig, String> {
    let sig = SshSig::from_pem(armored)
        .map_err(|_| "the signature file is not an armored SSH signature".to_string())?;
    let canonical = sig
        .to_pem(LineEnding::LF)
        .map_err(|_| "the signature cannot be re-encoded".to_string())?;
    let given = String::from_utf8_lossy(armored);
    if given.trim_end_matches(['\n', '\r']).replace("\r\n", "\n")
        != canonical.trim_end_matches(['\n', '\r'])
    {
        return Err(
            "the signature file is not a well-formed SSH signature (it was altered)".to_string(),
        );
    }
    Ok(sig)
}

/// [`verify`] in another namespace (policy releases and roots: [`POLICY_NAMESPACE`],
/// [`ROOT_NAMESPACE`]).
pub fn verify_in(
    namespace: &str,
    allowed: &AllowedSigners,
    principal: &str,
    msg: &[u8],
    armored: &[u8],
    at: chrono::DateTime<chrono::Utc>,
) -> std::result::Result<String, String> {
    let sig = parse_signature(armored)?;
    let fp = sig.public_key().fingerprint(HashAlg::Sha256).to_string();
    if sig.namespace() != namespace {
        return Err(format!(
            "signed for namespace '{}', not '{namespace}'",
            sig.namespace()
        ));
    }
    let entries: Vec<_> = allowed.for_principal(principal).collect();
    if entries.is_empty() {
        return Err(format!("signer '{principal}' is not in allowed_signers"));
    }
    let Some(entry) = entries
        .iter()
        .find(|e| e.key.key_data() == sig.public_key())
    else {
        return Err(format!(
            "signed with key {fp}, which allowed_signers does not list for '{principal}'"
        ));
    };
    if let Some(ns) = &entry.namespaces {
        if !ns.iter().any(|n| n == namespace) {
            return Err(format!(
                "allowed_signers line {} limits '{principal}' to namespaces {}",
                entry.line,
                ns.join(",")
            ));
        }
    }
    if entry.valid_after.is_some_and(|t| at < t) {
        return Err(format!(
            "allowed_signers line {}: the key of '{principal}' is not valid before {}",
            entry.line,
            entry
                .valid_after
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        ));
    }
    if entry.valid_before.is_some_and(|t| at > t) {
        return Err(format!(
            "allowed_signers line {}: the key of '{principal}' expired on {}",
            entry.line,
            entry
                .valid_before
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        ));
    }
    entry
        .key
        .verify(namespace, msg, &sig)
        .map_err(|_| "the signature does not match the record's bytes (the record or the signature was altered)".to_string())?;
    Ok(fp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_sign_verify_roundtrip_and_passphrase() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("k");
        let public = generate(&path, "vera", Some("hunter2")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert!(matches!(
            SigningKey::from_file(&path, None),
            Err(Error::PassphraseNeeded { .. })
        ));
        assert!(SigningKey::from_file(&path, Some("nope"))
            .unwrap_err()
            .to_string()
            .contains("wrong passphrase"));
        let key = SigningKey::from_file(&path, Some("hunter2")).unwrap();
        let allowed = AllowedSigners::parse(&allowed_signers::line_for("vera@x", &public)).unwrap();
        let sig = key.sign(b"record").unwrap();
        let now = chrono::Utc::now();
        assert_eq!(
            verify(&allowed, "vera@x", b"record", sig.as_bytes(), now).unwrap(),
            key.fingerprint()
        );
        assert!(verify(&allowed, "vera@x", b"recorD", sig.as_bytes(), now)
            .unwrap_err()
            .contains("altered"));
        assert!(verify(&allowed, "eve@x", b"record", sig.as_bytes(), now)
            .unwrap_err()
            .contains("not in allowed_signers"));
        assert!(generate(&path, "x", None)
            .unwrap_err()
            .to_string()
            .contains("already exists"));
    }

    #[test]
    fn the_printed_verify_command_passes_a_hostile_principal_as_one_inert_word() {
        let d = tempfile::tempdir().unwrap();
        let stem = "approver-x";
        std::fs::write(d.path().join(format!("{stem}.json")), b"{}").unwrap();
        let signer = "eve$(touch pwned)'`touch pwned2`\"";
        let cmd = verify_command(signer, stem);
        // Run the command as a user would paste it, with an ssh-keygen that prints its words.
        let bin = d.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let shim = bin.join("ssh-keygen");
        std::fs::write(&shim, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .env("PATH", path)
            .current_dir(d.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd}: {out:?}");
        let args: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(
            args,
            [
                "-Y",
                "verify",
                "-f",
                "allowed_signers",
                "-I",
                signer,
                "-n",
                "countersign",
                "-s",
                "approver-x.json.sig"
            ]
        );
        assert!(!d.path().join("pwned").exists() && !d.path().join("pwned2").exists());
    }
}
