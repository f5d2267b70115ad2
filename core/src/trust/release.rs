//! Policy releases: the policy file, the roster (`allowed_signers`) and the platforms they
//! govern, bound by a manifest (`release.json`) that the trust root's keys sign with SSHSIG in
//! namespace `countersign-policy`.

use super::root::{missing, Root};
use crate::encoding::sha256_hex;
use crate::policy::LoadedPolicy;
use crate::signing::allowed_signers::AllowedSigners;
use crate::signing::POLICY_NAMESPACE;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format identifier of `release.json`.
pub const RELEASE_TYPE: &str = "countersign.policy-release/v1";
/// The policy file's name inside a release.
pub const POLICY_FILE: &str = "policy.toml";
/// The roster's name inside a release.
pub const ROSTER_FILE: &str = "allowed_signers";
/// The manifest's name inside a release.
pub const MANIFEST_FILE: &str = crate::platform::POLICY_MANIFEST_FILE;

/// A platform a release governs: its stable name and every URI that reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct GovernedPlatform {
    /// The name approvals bind (stable across hostnames and mount points).
    pub name: String,
    /// URIs that reach it (`http(s)://…`, `folder:PATH`), credentials never included.
    pub uris: Vec<String>,
}

/// `release.json`: what the root's keys sign. Written once; its exact bytes are signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Manifest {
    /// Always [`RELEASE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Release number: 1, 2, … (append-only; a higher number supersedes).
    pub version: u64,
    /// SHA-256 of the root file this release is signed under.
    pub root_sha256: String,
    /// The policy's own version label.
    pub policy_version: String,
    /// File name → SHA-256 (`policy.toml`, `allowed_signers`).
    pub files: BTreeMap<String, String>,
    /// The platforms it governs.
    pub platforms: Vec<GovernedPlatform>,
    /// When it was assembled (RFC 3339 UTC).
    pub created_at: String,
}

impl Manifest {
    /// The exact bytes written and signed: pretty JSON in field order, final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(self).unwrap_or_default();
        b.push(b'\n');
        b
    }
}

/// A release as found: its files' bytes and its signatures.
#[derive(Debug, Clone, Default)]
pub struct ReleaseFiles {
    /// Where it was found (for messages).
    pub location: String,
    /// `release.json` bytes.
    pub manifest: Vec<u8>,
    /// Candidate files by content: every file found beside it (the manifest picks by hash).
    pub files: Vec<Vec<u8>>,
    /// (location, armored signature) of each signature file.
    pub signatures: Vec<(String, Vec<u8>)>,
}

/// A release whose signatures meet its root's threshold and whose files match its manifest.
#[derive(Debug, Clone)]
pub struct VerifiedRelease {
    /// SHA-256 of `release.json`: what approval records name.
    pub sha256: String,
    /// The manifest.
    pub manifest: Manifest,
    /// `release.json` bytes.
    pub manifest_bytes: Vec<u8>,
    /// The policy.
    pub policy: LoadedPolicy,
    /// `policy.toml` bytes.
    pub policy_bytes: Vec<u8>,
    /// The roster.
    pub roster: AllowedSigners,
    /// `allowed_signers` bytes.
    pub roster_bytes: Vec<u8>,
    /// The signatures that count: (principal, armored signature).
    pub signatures: Vec<(String, Vec<u8>)>,
    /// Who signed (root principals).
    pub signers: Vec<String>,
    /// The version of the root it is signed under.
    pub root_version: u64,
}

/// Assembles a release manifest from a policy, a roster and the platforms it governs.
pub fn assemble(
    version: u64,
    root: &Root,
    policy_bytes: &[u8],
    roster_bytes: &[u8],
    platforms: Vec<GovernedPlatform>,
) -> crate::Result<Manifest> {
    let invalid = |what: &'static str, reason: String| crate::Error::InvalidInput {
        what,
        input: String::new(),
        reason,
    };
    let text = std::str::from_utf8(policy_bytes)
        .map_err(|_| invalid("policy", "the policy file is not UTF-8".into()))?;
    let policy = LoadedPolicy::from_text(text, None)?;
    let roster = AllowedSigners::parse(&String::from_utf8_lossy(roster_bytes))
        .map_err(|(l, why)| invalid("roster", format!("allowed_signers line {l}: {why}")))?;
    if let Some(why) = shares_key(&roster, std::slice::from_ref(root)) {
        return Err(invalid("roster", why));
    }
    if platforms.is_empty() {
        return Err(invalid(
            "release",
            "a release governs at least one platform: pass --name NAME and --uri URI (each URI that reaches it)".into(),
        ));
    }
    for p in &platforms {
        check_platform(p).map_err(|why| invalid("platform", why))?;
    }
    Ok(Manifest {
        kind: RELEASE_TYPE.into(),
        version,
        root_sha256: root.sha256.clone(),
        policy_version: policy.policy.version.clone(),
        files: [
            (POLICY_FILE.to_string(), sha256_hex(policy_bytes)),
            (ROSTER_FILE.to_string(), sha256_hex(roster_bytes)),
        ]
        .into(),
        platforms,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

fn check_platform(p: &GovernedPlatform) -> std::result::Result<(), String> {
    if p.name.trim().is_empty() || p.name.chars().any(|c| c.is_control()) {
        return Err(format!(
            "platform name '{}' must be printable and not empty",
            crate::display::escape(&p.name)
        ));
    }
    if p.uris.is_empty() {
        return Err(format!("platform '{}' lists no URI", p.name));
    }
    for u in &p.uris {
        crate::uri::PlatformUri::parse(u).map_err(|e| e.to_string())?;
        if crate::uri::redact_url_str(u) != *u {
            return Err(format!(
                "platform '{}': URIs in a release carry no credentials",
                p.name
            ));
        }
    }
    Ok(())
}

/// Why a roster cannot be used under these roots: a root key that also approves models.
pub fn shares_key(roster: &AllowedSigners, roots: &[Root]) -> Option<String> {
    for e in &roster.entries {
        for r in roots {
            if let Some(k) = r.entry_for(e.key.key_data()) {
                return Some(format!(
                    "allowed_signers line {} ({}) holds the key of root v{} member '{}': root keys never approve models",
                    e.line,
                    e.principals.join(","),
                    r.version,
                    k.principals[0]
                ));
            }
        }
    }
    None
}

/// Why a release is not trusted.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// Every reason.
    pub reasons: Vec<String>,
    /// Its number, when the manifest could be read and names a root of the chain: a
    /// release under the chain that is not trusted blocks the releases before it (the gate
    /// never falls back to an older roster the risk function meant to replace).
    pub under_chain: Option<u64>,
}

/// Verifies one release found on the platform against the trusted root chain (oldest first).
/// Returns the release, or every reason it is not trusted.
pub fn verify(
    found: &ReleaseFiles,
    chain: &[Root],
    at: chrono::DateTime<chrono::Utc>,
) -> std::result::Result<VerifiedRelease, Refusal> {
    verify_inner(found, chain, at).map_err(|(reasons, under_chain)| Refusal {
        reasons,
        under_chain,
    })
}

fn verify_inner(
    found: &ReleaseFiles,
    chain: &[Root],
    at: chrono::DateTime<chrono::Utc>,
) -> std::result::Result<VerifiedRelease, (Vec<String>, Option<u64>)> {
    let mut reasons = Vec::new();
    let manifest: Manifest = match serde_json::from_slice(&found.manifest) {
        Ok(m) => m,
        Err(e) => return Err((vec![format!("release.json cannot be read ({e})")], None)),
    };
    let label = format!("release {}", manifest.version);
    if manifest.kind != RELEASE_TYPE {
        reasons.push(format!(
            "{label}: type is '{}', not {RELEASE_TYPE}",
            manifest.kind
        ));
    }
    let Some(pos) = chain.iter().position(|r| r.sha256 == manifest.root_sha256) else {
        return Err((
            vec![format!(
                "{label} is signed under root {}, which is not the pinned root or a root in its chain",
                crate::display::short_hash(&manifest.root_sha256)
            )],
            Some(manifest.version),
        ));
    };
    let root = &chain[pos];
    // A root rotation may close the older roots to newer releases.
    for later in &chain[pos + 1..] {
        if let Some(last) = later.previous_last_release {
            if manifest.version > last {
                reasons.push(format!(
                    "{label} is signed under root v{}, but root v{} accepts releases under earlier roots only up to release {last}",
                    root.version, later.version
                ));
            }
        }
    }
    let (signers, bad) = root.signers_of(POLICY_NAMESPACE, &found.manifest, &found.signatures, at);
    if signers.len() < root.release_threshold {
        reasons.push(format!(
            "{label} has {} of the {} signatures root v{} requires ({}){}",
            signers.len(),
            root.release_threshold,
            root.version,
            missing(&signers, &root.principals(), root.release_threshold),
            if bad.is_empty() {
                String::new()
            } else {
                format!("; not counted: {}", bad.join("; "))
            }
        ));
    }
    let file = |name: &str| -> Option<Vec<u8>> {
        let want = manifest.files.get(name)?;
        found.files.iter().find(|b| &sha256_hex(b) == want).cloned()
    };
    let policy_bytes = file(POLICY_FILE);
    let roster_bytes = file(ROSTER_FILE);
    if policy_bytes.is_none() {
        reasons.push(format!(
            "{label}: no {POLICY_FILE} with the SHA-256 its manifest names"
        ));
    }
    if roster_bytes.is_none() {
        reasons.push(format!(
            "{label}: no {ROSTER_FILE} with the SHA-256 its manifest names"
        ));
    }
    let policy = policy_bytes.as_ref().and_then(|b| {
        LoadedPolicy::from_text(&String::from_utf8_lossy(b), None)
            .map_err(|e| reasons.push(format!("{label}: {POLICY_FILE}: {e}")))
            .ok()
    });
    let roster = roster_bytes.as_ref().and_then(|b| {
        AllowedSigners::parse(&String::from_utf8_lossy(b))
            .map_err(|(l, why)| reasons.push(format!("{label}: {ROSTER_FILE} line {l}: {why}")))
            .ok()
    });
    if let Some(r) = &roster {
        if let Some(why) = shares_key(r, chain) {
            reasons.push(format!("{label}: {why}"));
        }
    }
    if manifest.platforms.is_empty() {
        reasons.push(format!("{label} governs no platform"));
    }
    for p in &manifest.platforms {
        if let Err(why) = check_platform(p) {
            reasons.push(format!("{label}: {why}"));
        }
    }
    match (
        reasons.is_empty(),
        policy,
        roster,
        policy_bytes,
        roster_bytes,
    ) {
        (true, Some(policy), Some(roster), Some(pb), Some(rb)) => {
            let signatures = found
                .signatures
                .iter()
                .filter_map(|(_, sig)| {
                    let s = crate::signing::parse_signature(sig).ok()?;
                    let who = root.entry_for(s.public_key())?.principals[0].clone();
                    crate::signing::verify_in(
                        POLICY_NAMESPACE,
                        &root.keys,
                        &who,
                        &found.manifest,
                        sig,
                        at,
                    )
                    .ok()?;
                    Some((who, sig.clone()))
                })
                .collect();
            Ok(VerifiedRelease {
                sha256: sha256_hex(&found.manifest),
                manifest,
                manifest_bytes: found.manifest.clone(),
                policy,
                policy_bytes: pb,
                roster,
                roster_bytes: rb,
                signatures,
                signers,
                root_version: root.version,
            })
        }
        _ => Err((reasons, Some(manifest.version))),
    }
}
