//! The trust root (DESIGN §7): who may approve is decided by the risk function, never by
//! whoever can write to the platform or the local machine.
//!
//! The pinned root (a file, or its SHA-256, from flag, environment or config file) names the
//! risk function's keys. Policy releases signed by the threshold of those keys are read from
//! the platform (`policy/` in a folder, the experiment `countersign-policy` on MLflow); each
//! one carries the policy, the roster and the platforms it governs. Approvals count only under
//! a release trusted this way ([`Trust`]).

pub mod author;
pub mod release;
pub mod root;

use crate::platform::Platform;
use crate::signing::ROOT_NAMESPACE;
use crate::{Error, Result};
use release::{ReleaseFiles, VerifiedRelease};
use root::Root;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The root file's name, in a root folder and on the platform (`roots/N/root.signers`).
/// The root file's name in the policy area and in an audit pack.
pub const ROOT_FILE: &str = POLICY_ROOT_FILE;
/// The folder of signatures beside a root or a release.
pub const SIGNATURES_DIR: &str = "signatures";

pub use crate::platform::{PolicyFile, PolicyScope, POLICY_MANIFEST_FILE, POLICY_ROOT_FILE};

/// How the root is pinned: a file, or the SHA-256 of a root published on the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootPin {
    /// A root file on this machine (outside the platform).
    File(PathBuf),
    /// The SHA-256 of the root (the file itself is read from the platform's chain).
    Sha256(String),
}

impl RootPin {
    /// `sha256:HEX` or 64 hex digits pin by hash; anything else is a path.
    pub fn parse(s: &str) -> Self {
        let t = s.trim();
        let hex = t.strip_prefix("sha256:").unwrap_or(t);
        if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            RootPin::Sha256(hex.to_ascii_lowercase())
        } else {
            RootPin::File(PathBuf::from(t))
        }
    }

    /// As shown to users.
    pub fn display(&self) -> String {
        match self {
            RootPin::File(p) => p.display().to_string(),
            RootPin::Sha256(h) => format!("sha256:{h}"),
        }
    }
}

fn untrusted(reasons: Vec<String>) -> Error {
    Error::Untrusted { reasons }
}

/// A root of the chain with the signatures that admitted it.
#[derive(Debug, Clone)]
pub struct ChainedRoot {
    /// The root.
    pub root: Root,
    /// (location, armored) signatures over it (none for the pinned root itself).
    pub signatures: Vec<(String, Vec<u8>)>,
}

/// What the pinned root trusts on a platform: the root chain, the trusted releases, and why
/// anything else was refused.
#[derive(Debug, Clone)]
pub struct Trust {
    /// How the root was pinned.
    pub pin: RootPin,
    /// SHA-256 of the pinned root.
    pub pinned_sha256: String,
    /// The chain, oldest first (earlier roots the pinned one names, the pinned one, valid
    /// rotations after it).
    pub chain: Vec<ChainedRoot>,
    /// Releases trusted under the chain, by version.
    pub releases: Vec<VerifiedRelease>,
    /// Why each root or release found was not trusted.
    pub refused: Vec<String>,
    /// Releases under the chain that are not trusted: (number, why). One numbered above the
    /// newest trusted release blocks it ([`Trust::newest`]).
    pub untrusted_under_chain: Vec<(u64, String)>,
}

/// Groups the platform's policy files into roots and releases by folder
/// (`roots/N/…`, `releases/N/…`): (kind, number) → files.
fn group(files: &[PolicyFile]) -> BTreeMap<(String, String), Vec<&PolicyFile>> {
    let mut out: BTreeMap<(String, String), Vec<&PolicyFile>> = BTreeMap::new();
    for f in files {
        let mut parts = f.path.splitn(3, '/');
        if let (Some(kind), Some(n), Some(_)) = (parts.next(), parts.next(), parts.next()) {
            out.entry((kind.to_string(), n.to_string()))
                .or_default()
                .push(f);
        }
    }
    out
}

fn signatures_of(files: &[&PolicyFile], prefix: &str) -> Vec<(String, Vec<u8>)> {
    files
        .iter()
        .filter(|f| {
            f.path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(&format!("{SIGNATURES_DIR}/")))
        })
        .map(|f| (f.location.clone(), f.bytes.clone()))
        .collect()
}

impl Trust {
    /// Reads the pinned root, follows its chain and verifies every release published on the
    /// platform. Fails only when the pin itself cannot be used; releases that do not verify
    /// are listed in [`Trust::refused`].
    pub fn load(pin: &RootPin, platform: &dyn Platform) -> Result<Self> {
        // Roots first; then only the releases signed under a root of the chain.
        let mut files = platform.policy_files(&PolicyScope::Roots)?;
        let chain = Self::from_files(pin, &files, chrono::Utc::now())?;
        for c in &chain.chain {
            files
                .extend(platform.policy_files(&PolicyScope::ReleasesUnder(c.root.sha256.clone()))?);
        }
        let mut seen = std::collections::BTreeSet::new();
        files.retain(|f| seen.insert((f.location.clone(), f.path.clone())));
        Self::from_files(pin, &files, chrono::Utc::now())
    }

    /// [`Trust::load`] over files already read (tests, the audit pack's offline check).
    pub fn from_files(
        pin: &RootPin,
        files: &[PolicyFile],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self> {
        let groups = group(files);
        let mut refused = Vec::new();
        // Every root published, with its signatures.
        let mut published: Vec<ChainedRoot> = Vec::new();
        for ((kind, n), fs) in &groups {
            if kind != "roots" {
                continue;
            }
            let prefix = format!("roots/{n}/");
            for f in fs
                .iter()
                .filter(|f| f.path == format!("{prefix}{ROOT_FILE}"))
            {
                match Root::parse(&f.bytes) {
                    Ok(root) => published.push(ChainedRoot {
                        root,
                        signatures: signatures_of(fs, &prefix),
                    }),
                    Err(why) => refused.push(format!("{}: {why}", f.location)),
                }
            }
        }
        let pinned = match pin {
            RootPin::File(p) => {
                let bytes = std::fs::read(p).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Error::InvalidInput {
                        what: "trust root",
                        input: p.display().to_string(),
                        reason: "no such file; pin the risk function's root file with --root FILE (or COUNTERSIGN_ROOT, or `root = …` in the config file)".into(),
                    },
                    _ => Error::io(p, e),
                })?;
                Root::parse(&bytes).map_err(|why| Error::InvalidFile {
                    path: p.clone(),
                    message: format!("not a trust root: {why}"),
                })?
            }
            RootPin::Sha256(h) => published
                .iter()
                .find(|c| &c.root.sha256 == h)
                .map(|c| c.root.clone())
                .ok_or_else(|| {
                    untrusted(vec![format!(
                        "the pinned root sha256:{h} is not published on the platform (publish it with `countersign policy publish ROOT_DIR`, or pin the root file with --root FILE)"
                    )])
                })?,
        };
        let pinned_sha256 = pinned.sha256.clone();
        let mut chain = vec![ChainedRoot {
            root: pinned,
            signatures: Vec::new(),
        }];
        // Earlier roots the pinned one names by hash (they are trusted through that hash).
        while let Some(prev) = chain[0].root.previous.clone() {
            match published.iter().find(|c| c.root.sha256 == prev) {
                Some(c) if c.root.version + 1 == chain[0].root.version => {
                    chain.insert(0, c.clone())
                }
                _ => break,
            }
        }
        // Later roots: each must be a valid rotation of the last trusted one.
        loop {
            let last = &chain[chain.len() - 1].root;
            let candidates: Vec<&ChainedRoot> = published
                .iter()
                .filter(|c| c.root.version == last.version + 1)
                .collect();
            let mut accepted: Vec<&ChainedRoot> = Vec::new();
            for c in candidates {
                match last.accepts_rotation(&c.root, &c.signatures, now) {
                    Ok(()) => accepted.push(c),
                    Err(why) => refused.push(format!(
                        "root v{} ({}) is not trusted: {}",
                        c.root.version,
                        crate::display::short_hash(&c.root.sha256),
                        why.join("; ")
                    )),
                }
            }
            accepted.dedup_by(|a, b| a.root.sha256 == b.root.sha256);
            match accepted.as_slice() {
                [] => break,
                [one] => chain.push((*one).clone()),
                many => {
                    return Err(untrusted(vec![format!(
                        "{} different roots v{} are validly signed: the risk function must withdraw all but one",
                        many.len(),
                        last.version + 1
                    )]))
                }
            }
        }
        let roots: Vec<Root> = chain.iter().map(|c| c.root.clone()).collect();
        let mut releases: Vec<VerifiedRelease> = Vec::new();
        let mut untrusted_under_chain = Vec::new();
        for ((kind, n), fs) in &groups {
            if kind != "releases" {
                continue;
            }
            let prefix = format!("releases/{n}/");
            let others: Vec<Vec<u8>> = fs
                .iter()
                .filter(|f| {
                    f.path == format!("{prefix}{}", release::POLICY_FILE)
                        || f.path == format!("{prefix}{}", release::ROSTER_FILE)
                })
                .map(|f| f.bytes.clone())
                .collect();
            for m in fs
                .iter()
                .filter(|f| f.path == format!("{prefix}{}", release::MANIFEST_FILE))
            {
                let found = ReleaseFiles {
                    location: m.location.clone(),
                    manifest: m.bytes.clone(),
                    files: others.clone(),
                    signatures: signatures_of(fs, &prefix),
                };
                match release::verify(&found, &roots, now) {
                    Ok(r) if r.manifest.version.to_string() != *n => {
                        let text = format!(
                            "{}: release {} is filed under releases/{n}",
                            m.location, r.manifest.version
                        );
                        untrusted_under_chain.push((r.manifest.version, text.clone()));
                        refused.push(text)
                    }
                    Ok(r) => {
                        if !releases.iter().any(|x| x.sha256 == r.sha256) {
                            releases.push(r)
                        }
                    }
                    Err(why) => {
                        let text = format!("{}: {}", m.location, why.reasons.join("; "));
                        // Whatever cannot be trusted — unreadable, under an unknown root, short of
                        // signatures — blocks the releases numbered below it: hiding the newest
                        // release by breaking it never rolls the gate back.
                        if let Some(v) = why.under_chain.or_else(|| n.parse::<u64>().ok()) {
                            untrusted_under_chain.push((v, text.clone()));
                        }
                        refused.push(text)
                    }
                }
            }
        }
        releases.sort_by_key(|r| r.manifest.version);
        for w in releases.windows(2) {
            if w[0].manifest.version == w[1].manifest.version {
                return Err(untrusted(vec![format!(
                    "two different releases numbered {} are validly signed: the risk function must withdraw one",
                    w[0].manifest.version
                )]));
            }
        }
        Ok(Self {
            pin: pin.clone(),
            pinned_sha256,
            chain,
            releases,
            refused,
            untrusted_under_chain,
        })
    }

    /// The newest trusted release: what signers sign under. An error naming what is missing
    /// when there is none.
    pub fn newest(&self) -> Result<&VerifiedRelease> {
        let newest = self
            .releases
            .last()
            .map(|r| r.manifest.version)
            .unwrap_or(0);
        // The release right after the newest trusted one, found but not trusted, blocks: a
        // release is never hidden by breaking it (breaking release N leaves N − 1 the newest
        // and N right after it). Junk numbered further on is ignored, so a planted
        // `releases/99999` cannot stop every gate forever.
        let blocking: Vec<String> = self
            .untrusted_under_chain
            .iter()
            .filter(|(v, _)| Some(*v) == newest.checked_add(1))
            .map(|(v, why)| {
                format!("release {v} is published under the pinned root but is not trusted ({why})")
            })
            .collect();
        if !blocking.is_empty() {
            let mut reasons = blocking;
            reasons.push(format!(
                "nothing falls back to release {newest}: the risk function completes the newer release's signatures, or publishes a trusted release with that number"
            ));
            return Err(untrusted(reasons));
        }
        self.releases.last().ok_or_else(|| {
            let mut reasons = vec![format!(
                "no policy release signed under the pinned root {} ({}) is published on the platform",
                self.pin.display(),
                crate::display::short_hash(&self.pinned_sha256)
            )];
            reasons.extend(self.refused.iter().cloned());
            if self.refused.is_empty() {
                reasons.push("the risk function assembles one with `countersign policy release` and publishes it with `countersign policy publish`".into());
            }
            untrusted(reasons)
        })
    }

    /// The trusted release with this SHA-256 (of its `release.json`).
    pub fn release(&self, sha256: &str) -> Option<&VerifiedRelease> {
        self.releases.iter().find(|r| r.sha256 == sha256)
    }

    /// The newest trusted release whose policy file has this SHA-256 (how records of format v1,
    /// which name only the policy, are judged).
    pub fn release_with_policy(&self, policy_sha256: &str) -> Option<&VerifiedRelease> {
        self.releases
            .iter()
            .rev()
            .find(|r| r.policy.sha256 == policy_sha256)
    }

    /// The name the newest release gives the platform reached through `uri` (its key, without
    /// credentials); an error naming the URI when the release does not list it.
    pub fn platform_name(&self, uri: &str) -> Result<String> {
        let newest = self.newest()?;
        governed_name(&newest.manifest.platforms, uri).ok_or_else(|| {
            untrusted(vec![format!(
                "the platform {uri} is not governed by policy release {}: it governs {}. Reach the platform through a listed URI, or have the risk function list this one in a new release",
                newest.manifest.version,
                newest
                    .manifest
                    .platforms
                    .iter()
                    .map(|p| format!("'{}' ({})", p.name, p.uris.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            )])
        })
    }

    /// Whether these files (a release or a root folder, as [`read_local`] reads it) are trusted
    /// here: every release manifest among them a trusted release, every root file in the chain.
    pub fn holds(&self, files: &[(String, Vec<u8>)]) -> bool {
        files.iter().all(|(p, b)| {
            let sha = crate::encoding::sha256_hex(b);
            if p.ends_with(release::MANIFEST_FILE) {
                self.release(&sha).is_some()
            } else if p.ends_with(ROOT_FILE) {
                self.chain.iter().any(|c| c.root.sha256 == sha)
            } else {
                true
            }
        })
    }

    /// The keys of every root in the chain (never allowed to approve models).
    pub fn roots(&self) -> Vec<&Root> {
        self.chain.iter().map(|c| &c.root).collect()
    }
}

/// The platform name a list gives `uri`, URIs compared in their normal form
/// ([`normal_uri`]).
pub fn governed_name(platforms: &[release::GovernedPlatform], uri: &str) -> Option<String> {
    let want = normal_uri(uri);
    platforms
        .iter()
        .find(|p| p.uris.iter().any(|u| normal_uri(u) == want))
        .map(|p| p.name.clone())
}

/// A platform URI in the form URIs are compared in: credentials removed, a folder's path made
/// canonical (symbolic links and `..` resolved) where it exists, no trailing `/`.
pub fn normal_uri(uri: &str) -> String {
    match crate::uri::PlatformUri::parse(uri) {
        Ok(crate::uri::PlatformUri::Folder(p)) => {
            let p = std::fs::canonicalize(&p).unwrap_or(p);
            crate::uri::PlatformUri::Folder(p).display_safe()
        }
        Ok(other) => other.display_safe().trim_end_matches('/').to_string(),
        Err(_) => uri.trim().to_string(),
    }
}

/// Reads a local root or release folder as the policy files it would publish under
/// `roots/N/` or `releases/N/` (what `countersign policy publish DIR` sends).
pub fn read_local(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| Error::io(p, e));
    let sigs = |prefix: &str| -> Result<Vec<(String, Vec<u8>)>> {
        let mut out = Vec::new();
        let sd = dir.join(SIGNATURES_DIR);
        if sd.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&sd)
                .map_err(|e| Error::io(&sd, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "sig"))
                .collect();
            entries.sort();
            for p in entries {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.push((
                    format!(
                        "{prefix}{SIGNATURES_DIR}/{}",
                        crate::paths::encode_component(&name)
                    ),
                    read(&p)?,
                ));
            }
        }
        Ok(out)
    };
    let manifest = dir.join(release::MANIFEST_FILE);
    if manifest.exists() {
        let bytes = read(&manifest)?;
        let m: release::Manifest =
            serde_json::from_slice(&bytes).map_err(|e| Error::InvalidFile {
                path: manifest.clone(),
                message: format!("not a release manifest ({e})"),
            })?;
        let prefix = format!("releases/{}/", m.version);
        // The manifest goes last: a reader never sees a release before its files and
        // signatures are there.
        let mut out = Vec::new();
        for f in [release::POLICY_FILE, release::ROSTER_FILE] {
            out.push((format!("{prefix}{f}"), read(&dir.join(f))?));
        }
        out.extend(sigs(&prefix)?);
        out.push((format!("{prefix}{}", release::MANIFEST_FILE), bytes));
        return Ok(out);
    }
    let root_path = dir.join(ROOT_FILE);
    if root_path.exists() {
        let bytes = read(&root_path)?;
        let r = Root::parse(&bytes).map_err(|why| Error::InvalidFile {
            path: root_path.clone(),
            message: format!("not a trust root: {why}"),
        })?;
        let prefix = format!("roots/{}/", r.version);
        let mut out = sigs(&prefix)?;
        out.push((format!("{prefix}{ROOT_FILE}"), bytes));
        return Ok(out);
    }
    Err(Error::InvalidInput {
        what: "policy folder",
        input: dir.display().to_string(),
        reason: format!(
            "it holds neither {} (a policy release) nor {ROOT_FILE} (a trust root)",
            release::MANIFEST_FILE
        ),
    })
}

/// Adds the caller's signature to a local release or root folder: `signatures/PRINCIPAL.sig`
/// over `release.json` (namespace `countersign-policy`) or `root.signers`
/// (namespace `countersign-root`). The key must be one of `root`'s (for a new root: of the
/// previous root's or its own). Returns (principal, signature path).
pub fn sign_local(
    dir: &Path,
    key: &crate::signing::SigningKey,
    roots: &[&Root],
) -> Result<(String, PathBuf)> {
    let manifest = dir.join(release::MANIFEST_FILE);
    let (file, namespace) = if manifest.exists() {
        (manifest, crate::signing::POLICY_NAMESPACE)
    } else {
        (dir.join(ROOT_FILE), ROOT_NAMESPACE)
    };
    let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
    if namespace == crate::signing::POLICY_NAMESPACE {
        // Sign only what is there: the manifest names a root of the chain and the very files
        // beside it (a manifest edited to name another roster is refused, not signed).
        let m: release::Manifest =
            serde_json::from_slice(&bytes).map_err(|e| Error::InvalidFile {
                path: file.clone(),
                message: format!("not a release manifest ({e})"),
            })?;
        let mut reasons = Vec::new();
        if !roots.iter().any(|r| r.sha256 == m.root_sha256) {
            reasons.push(format!(
                "the release names root {}, which is not a root of the pinned chain",
                crate::display::short_hash(&m.root_sha256)
            ));
        }
        for (name, want) in &m.files {
            let p = dir.join(crate::paths::encode_component(name));
            let have = std::fs::read(&p).map(|b| crate::encoding::sha256_hex(&b));
            if have.as_deref().ok() != Some(want.as_str()) {
                reasons.push(format!(
                    "{} is not the file the manifest names (SHA-256 {})",
                    p.display(),
                    crate::display::short_hash(want)
                ));
            }
        }
        if !reasons.is_empty() {
            return Err(Error::Refused { reasons });
        }
    }
    let mut candidates: Vec<&Root> = roots.to_vec();
    let own;
    if namespace == ROOT_NAMESPACE {
        own = Root::parse(&bytes).map_err(|why| Error::InvalidFile {
            path: file.clone(),
            message: format!("not a trust root: {why}"),
        })?;
        candidates.push(&own);
    }
    let who = candidates
        .iter()
        .find_map(|r| r.entry_for(key.public_key().key_data()))
        .map(|e| e.principals[0].clone())
        .ok_or_else(|| Error::Refused {
            reasons: vec![format!(
                "your key {} is not a key of the trust root: only the risk function's keys sign {}",
                key.fingerprint(),
                if namespace == ROOT_NAMESPACE {
                    "a new root"
                } else {
                    "a policy release"
                }
            )],
        })?;
    let sig = key.sign_in(namespace, &bytes)?;
    let sd = dir.join(SIGNATURES_DIR);
    std::fs::create_dir_all(&sd).map_err(|e| Error::io(&sd, e))?;
    let path = sd.join(format!("{}.sig", crate::paths::encode_component(&who)));
    std::fs::write(&path, sig).map_err(|e| Error::io(&path, e))?;
    Ok((who, path))
}

#[cfg(test)]
mod tests;
