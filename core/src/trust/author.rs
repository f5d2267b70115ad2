//! What the risk function does: make a root, rotate it, assemble a release. Each writes a
//! local folder (`root.signers` or `release.json` + files) that members then sign
//! ([`super::sign_local`]) and publish ([`super::read_local`] → the platform).

use super::release::{self, GovernedPlatform};
use super::root::Root;
use super::ROOT_FILE;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// A member of the risk function: a principal and the `.pub` file (or OpenSSH public key
/// text) of their key, as typed `PRINCIPAL=FILE`.
pub fn parse_member(s: &str) -> Result<(String, ssh_key::PublicKey)> {
    let bad = |reason: String| Error::InvalidInput {
        what: "root member",
        input: s.to_string(),
        reason,
    };
    let (who, key) = s.split_once('=').ok_or_else(|| {
        bad("write PRINCIPAL=PUBLIC_KEY_FILE (e.g. risk-1@bank=risk-1.pub)".into())
    })?;
    crate::identity::check_signer(who.trim()).map_err(|why| bad(why.to_string()))?;
    let text = std::fs::read_to_string(key.trim()).unwrap_or_else(|_| key.trim().to_string());
    let public = ssh_key::PublicKey::from_openssh(text.trim()).map_err(|e| {
        bad(format!(
            "'{}' is not an OpenSSH public key or .pub file ({e})",
            key.trim()
        ))
    })?;
    Ok((who.trim().to_string(), public))
}

fn new_dir(out: &Path) -> Result<()> {
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut r| r.next().is_some())
            .unwrap_or(true)
    {
        return Err(Error::InvalidInput {
            what: "output folder",
            input: out.display().to_string(),
            reason: "it already exists and is not empty; roots and releases are never written over"
                .into(),
        });
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))
}

/// Writes a first root (version 1) into `out/root.signers`; returns its path.
pub fn init_root(
    out: &Path,
    members: &[(String, ssh_key::PublicKey)],
    release_threshold: usize,
    root_threshold: usize,
) -> Result<PathBuf> {
    write_root(out, 1, None, members, release_threshold, root_threshold)
}

/// Writes root `previous.version + 1` naming `previous` into `out/root.signers`: it counts
/// once signed by the root threshold of the previous root's keys and of its own. Releases
/// under earlier roots keep counting up to `last_release` (none: all of them).
pub fn rotate_root(
    out: &Path,
    previous: &Root,
    last_release: Option<u64>,
    members: &[(String, ssh_key::PublicKey)],
    release_threshold: usize,
    root_threshold: usize,
) -> Result<PathBuf> {
    write_root(
        out,
        previous.version + 1,
        Some((&previous.sha256, last_release)),
        members,
        release_threshold,
        root_threshold,
    )
}

fn write_root(
    out: &Path,
    version: u64,
    previous: Option<(&str, Option<u64>)>,
    members: &[(String, ssh_key::PublicKey)],
    release_threshold: usize,
    root_threshold: usize,
) -> Result<PathBuf> {
    let text = Root::render(
        version,
        release_threshold,
        root_threshold,
        previous,
        members,
    );
    Root::parse(text.as_bytes()).map_err(|why| Error::InvalidInput {
        what: "trust root",
        input: out.display().to_string(),
        reason: why,
    })?;
    new_dir(out)?;
    let p = out.join(ROOT_FILE);
    std::fs::write(&p, text).map_err(|e| Error::io(&p, e))?;
    Ok(p)
}

/// Reads a root file.
pub fn load_root(path: &Path) -> Result<Root> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Root::parse(&bytes).map_err(|why| Error::InvalidFile {
        path: path.to_path_buf(),
        message: format!("not a trust root: {why}"),
    })
}

/// Assembles release `version` of `policy` and `roster` under `root`, governing `platforms`,
/// into `out/` (`release.json`, `policy.toml`, `allowed_signers`). Nobody has signed it yet.
pub fn assemble_release(
    out: &Path,
    version: u64,
    root: &Root,
    policy_path: &Path,
    roster_path: &Path,
    platforms: Vec<GovernedPlatform>,
) -> Result<release::Manifest> {
    let policy = std::fs::read(policy_path).map_err(|e| Error::io(policy_path, e))?;
    let roster = std::fs::read(roster_path).map_err(|e| Error::io(roster_path, e))?;
    let manifest = release::assemble(version, root, &policy, &roster, platforms)?;
    new_dir(out)?;
    for (name, bytes) in [
        (release::MANIFEST_FILE, manifest.to_bytes()),
        (release::POLICY_FILE, policy),
        (release::ROSTER_FILE, roster),
    ] {
        let p = out.join(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))?;
    }
    Ok(manifest)
}
