//! The audit pack: everything an auditor takes away, checkable with `sha256sum`, `ssh-keygen`
//! and a PDF reader alone.
//!
//! ```text
//! audit-pack.pdf  evidence.json  review.json  approvals/*.json(.sig)  allowed_signers
//! policy.toml  manifest.json  VERIFY.txt
//! earlier-reviews/NN/{review.json,evidence.json}  superseded reviews records still bind
//! trust/roots/N/root.signers (+ signatures/)     the root chain from the pinned root
//! policy/releases/N/{release.json,policy.toml,allowed_signers,signatures/}
//! ```
//! `manifest.json` holds the SHA-256 of every evidence and record file; the PDF shows the
//! manifest's hash in every footer and carries the manifest as an attachment; `VERIFY.txt` is a
//! shell script of the exact commands that check every hash and every signature.

use crate::approval::verify::verify_version;
use crate::encoding::{canonical_json, sha256_hex};
use crate::evidence::Evidence;
use crate::platform::Platform;
use crate::review::ReviewRecord;
use crate::store::Store;
use crate::uri::VersionRef;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use super::pack_data::{Manifest, PackData, MANIFEST_TYPE};

/// What an export wrote.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct PackReport {
    /// Where (a folder or a .zip).
    pub path: PathBuf,
    /// Files written.
    pub files: Vec<String>,
    /// SHA-256 of manifest.json (the pack hash).
    pub manifest_sha256: String,
    /// The gate's verdict at export time.
    pub gate_pass: bool,
    /// Whether any approval is stale.
    pub stale: bool,
}

/// The name a record gets inside the pack: chosen by Countersign from a safe alphabet
/// (`NN-role.json`), never taken from the platform.
fn pack_name(index: usize, json: &[u8]) -> String {
    let role = serde_json::from_slice::<crate::approval::ApprovalRecord>(json)
        .map(|r| r.role.as_str())
        .unwrap_or("unreadable");
    format!("{:02}-{role}.json", index + 1)
}

/// Gathers everything for a version's pack (fetches from the platform).
pub fn gather(
    store: &Store,
    platform: &dyn Platform,
    trust: &crate::trust::Trust,
    vref: &VersionRef,
    exporter: &str,
    progress: &mut dyn FnMut(crate::platform::Progress),
) -> Result<PackData> {
    let verification = verify_version(store, platform, trust, vref, progress)?;
    let snapshot = platform.fetch_version(vref)?;
    let key = platform.uri();
    let (review, review_bytes, evidence, evidence_bytes) = match platform.latest_review(vref)? {
        Some(p) => {
            let r: ReviewRecord =
                serde_json::from_slice(&p.review_json).map_err(|e| Error::MalformedResponse {
                    url: p.location.clone(),
                    reason: format!("review.json: {e}"),
                })?;
            let ev: Evidence =
                serde_json::from_slice(&p.evidence_json).map_err(|e| Error::MalformedResponse {
                    url: p.location.clone(),
                    reason: format!("evidence.json: {e}"),
                })?;
            (Some(r), Some(p.review_json), ev, p.evidence_json)
        }
        None => match crate::review::load_latest(store, &key, vref)? {
            Some(local) => {
                let rec = local.record();
                let bytes = rec.to_canonical_json();
                let ev_bytes = local.header.evidence.to_canonical_json();
                (Some(rec), Some(bytes), local.header.evidence, ev_bytes)
            }
            None => {
                let ev = snapshot.evidence();
                let bytes = ev.to_canonical_json();
                (None, None, ev, bytes)
            }
        },
    };
    // The release the review was made under (else the newest), and every release a record
    // names: the pack carries each, with the root chain, for the offline check.
    let newest = trust.newest()?;
    let review_release = review
        .as_ref()
        .and_then(|r| trust.release_with_policy(&r.policy_sha256))
        .unwrap_or(newest);
    let policy = review_release.policy.clone();
    let mut releases = vec![review_release.clone()];
    for c in &verification.approvals {
        if let Some(r) = &c.record {
            let rel = if r.is_v2() {
                r.policy_release_sha256
                    .as_deref()
                    .and_then(|h| trust.release(h))
            } else {
                trust.release_with_policy(&r.policy_sha256)
            };
            if let Some(rel) = rel {
                if !releases.iter().any(|x| x.sha256 == rel.sha256) {
                    releases.push(rel.clone());
                }
            }
        }
    }
    releases.sort_by_key(|r| r.manifest.version);
    let allowed_bytes = review_release.roster_bytes.clone();
    // In the order verification listed them, so the pack's names match its verdicts.
    let approvals: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = platform
        .list_approvals(vref)?
        .into_iter()
        .enumerate()
        .map(|(i, a)| (pack_name(i, &a.json), a.json, a.sig))
        .collect();
    // The earlier reviews the records bind (found by their hash among the published ones):
    // a record that binds none the platform holds fails its check in VERIFY.txt.
    let current = review_bytes.as_deref().map(sha256_hex);
    // (review, evidence) pairs the records bind: an earlier review is carried only when both
    // of its files are the ones a record names, so a planted copy with other evidence is not.
    let wanted: std::collections::BTreeSet<(String, String)> = approvals
        .iter()
        .filter_map(|(_, json, _)| {
            serde_json::from_slice::<crate::approval::ApprovalRecord>(json).ok()
        })
        .map(|r| (r.review_sha256, r.evidence_sha256))
        .filter(|(h, _)| Some(h) != current.as_ref())
        .collect();
    let mut earlier_reviews: Vec<super::pack_data::EarlierReview> = Vec::new();
    if !wanted.is_empty() {
        for p in platform.published_reviews(vref)? {
            let h = sha256_hex(&p.review_json);
            let pair = (h.clone(), sha256_hex(&p.evidence_json));
            if wanted.contains(&pair) && !earlier_reviews.iter().any(|e| e.review_sha256 == h) {
                earlier_reviews.push(super::pack_data::EarlierReview {
                    dir: format!("earlier-reviews/{:02}", earlier_reviews.len() + 1),
                    review_sha256: h,
                    review_bytes: p.review_json,
                    evidence_bytes: p.evidence_json,
                });
            }
        }
    }
    Ok(PackData {
        version: vref.clone(),
        platform: key,
        exporter: exporter.to_string(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        model: snapshot.model,
        evidence,
        evidence_bytes,
        review,
        review_bytes,
        policy,
        verification,
        approvals,
        allowed_signers: allowed_bytes,
        chain: trust.chain.clone(),
        pinned_root: trust.pinned_sha256.clone(),
        releases,
        earlier_reviews,
        comparisons: Vec::new(),
    })
    .map(|mut d| {
        let platform_key = d.platform.clone();
        d.comparisons = super::report::comparisons(store, &platform_key, &d);
        d
    })
}

/// The validation report's file in the pack.
pub const REPORT_FILE: &str = "validation-report.pdf";

/// One file of a pack: (path inside the pack, bytes).
pub type PackFile = (String, Vec<u8>);

/// The pack's files other than the PDF, the manifest and VERIFY.txt.
fn record_files(d: &PackData) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![("evidence.json".to_string(), d.evidence_bytes.clone())];
    if let Some(r) = &d.review_bytes {
        files.push(("review.json".into(), r.clone()));
    }
    for e in &d.earlier_reviews {
        files.push((format!("{}/review.json", e.dir), e.review_bytes.clone()));
        files.push((format!("{}/evidence.json", e.dir), e.evidence_bytes.clone()));
    }
    for (name, json, sig) in &d.approvals {
        files.push((format!("approvals/{name}"), json.clone()));
        if let Some(s) = sig {
            files.push((format!("approvals/{name}.sig"), s.clone()));
        }
    }
    files.push(("allowed_signers".into(), d.allowed_signers.clone()));
    files.push(("policy.toml".into(), d.policy.text.clone().into_bytes()));
    for c in &d.chain {
        let dir = format!("trust/roots/{}", c.root.version);
        files.push((
            format!("{dir}/{}", crate::trust::ROOT_FILE),
            c.root.bytes.clone(),
        ));
        for (i, (who, sig)) in root_signers(d, c).into_iter().enumerate() {
            files.push((format!("{dir}/signatures/{}", root_sig_name(&who, i)), sig));
        }
    }
    for r in &d.releases {
        let dir = release_dir(r);
        files.push((format!("{dir}/release.json"), r.manifest_bytes.clone()));
        files.push((format!("{dir}/policy.toml"), r.policy_bytes.clone()));
        files.push((format!("{dir}/allowed_signers"), r.roster_bytes.clone()));
        let mut seen = std::collections::BTreeSet::new();
        for (who, sig) in &r.signatures {
            if seen.insert(who.clone()) {
                files.push((
                    format!("{dir}/signatures/{}.sig", sig_name(who)),
                    sig.clone(),
                ));
            }
        }
    }
    files
}

/// A signature file's name inside the pack, from a root principal (one safe component).
fn sig_name(who: &str) -> String {
    crate::paths::encode_component(who)
}

/// A rotated root's signature file: by principal and position (one principal may sign with its
/// old key and its new one).
fn root_sig_name(who: &str, i: usize) -> String {
    format!("{}.{}.sig", sig_name(who), i + 1)
}

fn release_dir(r: &crate::trust::release::VerifiedRelease) -> String {
    format!("policy/releases/{}", r.manifest.version)
}

/// The signatures that admitted a rotated root, each named by the key that made it: with the
/// previous root's keys and with its own (a principal of both appears once per root file).
fn root_signers(d: &PackData, c: &crate::trust::ChainedRoot) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let prev = d
        .chain
        .iter()
        .find(|p| c.root.previous.as_deref() == Some(p.root.sha256.as_str()));
    for (_, sig) in &c.signatures {
        let Ok(parsed) = crate::signing::parse_signature(sig) else {
            continue;
        };
        let who = c
            .root
            .entry_for(parsed.public_key())
            .or_else(|| prev.and_then(|p| p.root.entry_for(parsed.public_key())))
            .map(|e| e.principals[0].clone());
        if let Some(who) = who {
            // One principal may sign with its old key and its new one: both are kept.
            if !out.iter().any(|(_, s)| s == sig) {
                out.push((who, sig.clone()));
            }
        }
    }
    out
}

/// Builds every file of the pack in memory: (path, bytes), manifest hash.
pub fn build(d: &PackData) -> Result<(Vec<PackFile>, String)> {
    let mut files = record_files(d);
    // The validation report is one of the pack's files: the manifest and VERIFY.txt cover it.
    files.push((
        REPORT_FILE.into(),
        super::pdf::report::render(d, &d.comparisons)?,
    ));
    let manifest = Manifest {
        kind: MANIFEST_TYPE.into(),
        version: d.version.to_string(),
        created_at: d.created_at.clone(),
        files: files
            .iter()
            .map(|(p, b)| (p.clone(), sha256_hex(b)))
            .collect(),
    };
    let manifest_bytes = canonical_json(&manifest);
    let manifest_sha = sha256_hex(&manifest_bytes);
    let pdf = super::pdf::audit::render(d, &manifest, &manifest_sha, &manifest_bytes)?;
    files.push(("manifest.json".into(), manifest_bytes));
    files.push(("audit-pack.pdf".into(), pdf));
    let verify = verify_script(d, &files);
    files.push(("VERIFY.txt".into(), verify.into_bytes()));
    Ok((files, manifest_sha))
}

/// The `sed` expression that prints a record's 64-hex-digit `review_sha256` (nothing when the
/// field is missing or not hex): the script reads values from the files, it never embeds them.
const REVIEW_SHA_SED: &str = r#"s/^  "review_sha256": "\([0-9a-f]\{64\}\)",$/\1/p"#;

/// `YYYYMMDDHHMMSS` (UTC) for `ssh-keygen -Overify-time`, when `t` is an RFC 3339 time.
fn verify_time(t: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(t).ok().map(|t| {
        t.with_timezone(&chrono::Utc)
            .format("%Y%m%d%H%M%S")
            .to_string()
    })
}

/// `VERIFY.txt`: a bash script of stock `sha256sum`, `ssh-keygen`, `sed` and `grep` commands.
/// Nothing the platform supplied is executed: file names are Countersign's own, every value
/// that reaches a command is shell-quoted with control characters made visible, comments
/// carry only escaped text. Every record is checked, none skipped: one that cannot be read or
/// has no signature is reported and fails the script.
fn verify_script(d: &PackData, files: &[(String, Vec<u8>)]) -> String {
    use crate::display::{escape, shell_quote};
    let mut s = String::new();
    s.push_str(&format!(
        "# Countersign audit pack for {} — how to check it with stock tools only.\n#\n# Run it from anywhere: `bash VERIFY.txt ROOT`, where ROOT is the trust root YOU pin — its\n# root.signers file or its SHA-256 (or set COUNTERSIGN_ROOT_SHA256) — never a value taken\n# from this pack. It needs sha256sum (coreutils), ssh-keygen (OpenSSH 8.2 or later), sed and\n# grep, nothing of Countersign's. Every check runs; each failure is named, and the script\n# exits 1 if any check failed. It checks integrity and signatures from the root down; the\n# gate's verdict at export ({}) is in the PDF.\nset -uo pipefail\nroot_given=${{1:-${{COUNTERSIGN_ROOT_SHA256:-}}}}\nif [ -n \"$root_given\" ] && [ -f \"$root_given\" ]; then\n  expected=$(sha256sum < \"$root_given\" | cut -d' ' -f1)\nelse\n  expected=$(printf '%s' \"$root_given\" | sed 's/^[Ss][Hh][Aa]256://' | tr 'A-F' 'a-f')\nfi\ncd \"$(dirname \"$0\")\" || exit 1\nfailed=0\nfail() {{ echo \"FAILED: $*\" >&2; failed=1; }}\n\n",
        escape(&d.version.to_string()),
        if d.verification.gate.pass { "PASS" } else { "FAIL" }
    ));
    s.push_str("# 1. Every file is the one exported. Expected: one line \"<file>: OK\" per file.\nsha256sum -c --strict <<'SUMS' || fail \"a file of the pack is not the one exported\"\n");
    for (p, b) in files {
        s.push_str(&format!("{}  {p}\n", sha256_hex(b)));
    }
    s.push_str("SUMS\n\n");
    s.push_str(
        "# 2. manifest.json lists the same hashes (its own hash is printed in every PDF footer).\n",
    );
    s.push_str(&format!(
        "test \"$(sha256sum manifest.json | cut -d' ' -f1)\" = {} || fail \"manifest.json is not the one exported\"\n\n",
        sha256_hex(
            &files
                .iter()
                .find(|(p, _)| p == "manifest.json")
                .map(|(_, b)| b.clone())
                .unwrap_or_default()
        )
    ));
    let mut n = 3;
    n = trust_checks(d, &mut s, n);
    let records: Vec<(&String, Option<crate::approval::ApprovalRecord>, bool)> = d
        .approvals
        .iter()
        .map(|(name, json, sig)| (name, serde_json::from_slice(json).ok(), sig.is_some()))
        .collect();
    let validator_files: Vec<String> = records
        .iter()
        .filter(|(_, r, _)| {
            r.as_ref()
                .is_some_and(|r| r.role == crate::policy::Role::Validator && r.decision.approves())
        })
        .map(|(name, _, _)| format!("approvals/{name}"))
        .collect();
    for (name, rec, has_sig) in &records {
        let file = format!("approvals/{name}");
        let Some(rec) = rec else {
            s.push_str(&format!(
                "# {n}. {file} cannot be read as an approval record.\nfail \"{file}: the record cannot be read as an approval record\"\n\n"
            ));
            n += 1;
            continue;
        };
        if !has_sig {
            s.push_str(&format!(
                "# {n}. {file} has no signature.\nfail \"{file}: the record has no signature ({file}.sig is missing)\"\n\n"
            ));
            n += 1;
            continue;
        }
        let signer = shell_quote(&rec.signer);
        let Some(release) = d.release_of(rec) else {
            s.push_str(&format!(
                "# {n}. {file} names no policy release this pack carries.\nfail \"{file}: signed under a policy no release trusted under the root carries\"\n\n"
            ));
            n += 1;
            continue;
        };
        let rdir = release_dir(release);
        let roster = format!("{rdir}/allowed_signers");
        if rec.is_v2() {
            s.push_str(&format!(
                "grep -qx \"  \\\"policy_release_sha256\\\": \\\"$(sha256sum {rdir}/release.json | cut -d' ' -f1)\\\",\" {file} || fail \"{file}: the record does not name release {}\"\n",
                release.manifest.version
            ));
        } else {
            s.push_str(&format!(
                "grep -qx \"  \\\"policy_sha256\\\": \\\"$(sha256sum {rdir}/policy.toml | cut -d' ' -f1)\\\",\" {file} || fail \"{file}: the record's policy is not release {}'s\"\n",
                release.manifest.version
            ));
        }
        s.push_str(&format!(
            "# {n}. {file}: the {} signature of {} ({}), now and at the time it was signed.\n# Expected twice: Good \"countersign\" signature for {} with ED25519 key {}\n",
            rec.role.as_str(),
            escape(&rec.signer),
            rec.decision.as_str(),
            escape(&rec.signer),
            escape(&rec.key_fingerprint)
        ));
        s.push_str(&format!(
            "ssh-keygen -Y verify -f {roster} -I {signer} -n countersign -s {file}.sig < {file} || fail \"{file}: the signature does not verify\"\n"
        ));
        match verify_time(&rec.signed_at) {
            Some(t) => s.push_str(&format!(
                "TZ=UTC0 ssh-keygen -Y verify -f {roster} -I {signer} -n countersign -Overify-time={t} -s {file}.sig < {file} || fail \"{file}: the key was not valid when the record says it was signed\"\n"
            )),
            None => s.push_str(&format!(
                "fail \"{file}: signed_at is not an RFC 3339 time\"\n"
            )),
        }
        // The record is about this very version, and binds this pack's review and evidence:
        // the expected lines are Countersign's (JSON-encoded, shell-quoted), the record's own
        // bytes are only read.
        for (field, value) in [
            ("name", d.version.name.as_str()),
            ("version", d.version.version.as_str()),
        ] {
            let line = format!(
                "    \"{field}\": {},",
                serde_json::to_string(value).unwrap_or_default()
            );
            s.push_str(&format!(
                "grep -qxF -- {} {file} || fail \"{file}: the record is not about this version ({field} differs)\"\n",
                shell_quote(&line)
            ));
        }
        let (review_file, evidence_file) = d.bound_files(rec);
        for (field, pack_file) in [
            ("review_sha256", review_file.as_str()),
            ("evidence_sha256", evidence_file.as_str()),
        ] {
            if files.iter().any(|(p, _)| p == pack_file) {
                s.push_str(&format!(
                    "grep -qx \"  \\\"{field}\\\": \\\"$(sha256sum {pack_file} | cut -d' ' -f1)\\\",\" {file} || fail \"{file}: the record does not bind this pack's {pack_file}\"\n"
                ));
            } else {
                s.push_str(&format!(
                    "fail \"{file}: the pack has no {pack_file} for the record's {field}\"\n"
                ));
            }
        }
        if rec.role == crate::policy::Role::Approver && rec.decision.approves() {
            if validator_files.is_empty() {
                s.push_str(&format!(
                    "fail \"{file}: an approver's approval, but the pack holds no validator approval it countersigns\"\n"
                ));
            } else {
                s.push_str(&format!(
                    "rv=$(sed -n '{REVIEW_SHA_SED}' {file})\n[ -n \"$rv\" ] && grep -qx \"  \\\"review_sha256\\\": \\\"$rv\\\",\" {} || fail \"{file}: the approver countersigned a review no validator's record names\"\n",
                    validator_files.join(" ")
                ));
            }
        }
        s.push('\n');
        n += 1;
    }
    s.push_str("if [ \"$failed\" -ne 0 ]; then\n  echo \"Some checks FAILED (see above).\" >&2\n  exit 1\nfi\necho \"All checks passed.\"\n");
    s
}

/// The script's checks of the trust chain: the pinned root's hash, each rotation (hash link,
/// thresholds of old and new keys), each release (its root, its signatures counted against
/// the root's threshold, its files' hashes). Thresholds are read from the root files.
fn trust_checks(d: &PackData, s: &mut String, mut n: usize) -> usize {
    use crate::display::{escape, shell_quote};
    let root_path = |v: u64| format!("trust/roots/{v}/{}", crate::trust::ROOT_FILE);
    let hash_of = |p: &str| format!("$(sha256sum {p} | cut -d' ' -f1)");
    let threshold =
        |p: &str, key: &str| format!("$(sed -n 's/^# {key}: \\([0-9][0-9]*\\)$/\\1/p' {p})");
    let Some(pinned) = d.chain.iter().find(|c| c.root.sha256 == d.pinned_root) else {
        s.push_str("fail \"the pack carries no trust root\"\n\n");
        return n;
    };
    s.push_str(&format!(
        "# {n}. The trust root is the one you pin (given as the script's argument; the pack was\n#    exported under {}).\nif [ -z \"$root_given\" ]; then\n  fail \"pass the trust root you pin: bash VERIFY.txt ROOT.signers (or its SHA-256); nothing in this pack can vouch for itself\"\nelif ! printf '%s' \"$expected\" | grep -qxE '[0-9a-f]{{64}}'; then\n  fail \"the root you gave is neither a readable root file nor a SHA-256\"\nelif [ \"{}\" != \"$expected\" ]; then\n  fail \"the trust root is not the pinned one (this pack's root is not the root you gave)\"\nfi\n\n",
        d.pinned_root,
        hash_of(&root_path(pinned.root.version)),
    ));
    n += 1;
    for w in d.chain.windows(2) {
        let (old, new) = (&w[0].root, &w[1].root);
        let (op, np) = (root_path(old.version), root_path(new.version));
        s.push_str(&format!(
            "# {n}. Root v{} replaces root v{}: it names it, and (after the pinned root) is signed by the\n#    root_threshold of the old root's keys and of its own (namespace countersign-root).\ngrep -qxF \"# previous: {}\" {np} || fail \"root v{} does not name root v{}\"\n",
            new.version, old.version, hash_of(&op), new.version, old.version
        ));
        if new.version > pinned.root.version {
            let sigs = root_signers(d, &w[1]);
            for (label, root, file) in [("old", old, &op), ("new", new, &np)] {
                s.push_str("ok=0\n");
                // Each principal counts once, whichever of its signatures verifies.
                for p in root.principals() {
                    // The signatures made with this root's key for `p` (a key kept across the
                    // rotation under another name is checked under this root's name for it).
                    let tries: Vec<String> = sigs
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, sig))| {
                            crate::signing::parse_signature(sig).ok().is_some_and(|s| {
                                root.entry_for(s.public_key())
                                    .is_some_and(|e| e.principals[0] == p)
                            })
                        })
                        .map(|(i, (who, _))| {
                            format!(
                                "ssh-keygen -Y verify -f {file} -I {} -n countersign-root -s {} < {np} >/dev/null 2>&1",
                                shell_quote(&p),
                                shell_quote(&format!(
                                    "trust/roots/{}/signatures/{}",
                                    new.version,
                                    root_sig_name(who, i)
                                ))
                            )
                        })
                        .collect();
                    if !tries.is_empty() {
                        s.push_str(&format!("{{ {}; }} && ok=$((ok+1))\n", tries.join(" || ")));
                    }
                }
                s.push_str(&format!(
                    "need={}\n[ -n \"$need\" ] && [ \"$ok\" -ge \"$need\" ] || fail \"root v{}: $ok signatures of the {label} root's keys, $need needed\"\n",
                    threshold(file, "root_threshold"),
                    new.version
                ));
            }
        }
        s.push('\n');
        n += 1;
    }
    for r in &d.releases {
        let dir = release_dir(r);
        let Some(root) = d
            .chain
            .iter()
            .find(|c| c.root.sha256 == r.manifest.root_sha256)
        else {
            continue;
        };
        let rp = root_path(root.root.version);
        s.push_str(&format!(
            "# {n}. Policy release {} is signed under root v{} by the release_threshold of its keys\n#    (namespace countersign-policy; signed by {}), and names its files by hash.\n",
            r.manifest.version,
            root.root.version,
            escape(&r.signers.join(", "))
        ));
        s.push_str(&format!(
            "grep -qx \"  \\\"root_sha256\\\": \\\"{}\\\",\" {dir}/release.json || fail \"release {} is not signed under root v{}\"\n",
            hash_of(&rp),
            r.manifest.version,
            root.root.version
        ));
        s.push_str("ok=0\n");
        let mut seen = std::collections::BTreeSet::new();
        for (who, _) in &r.signatures {
            if seen.insert(who.clone()) {
                s.push_str(&format!(
                    "ssh-keygen -Y verify -f {rp} -I {} -n countersign-policy -s {} < {dir}/release.json >/dev/null 2>&1 && ok=$((ok+1))\n",
                    shell_quote(who),
                    shell_quote(&format!("{dir}/signatures/{}.sig", sig_name(who)))
                ));
            }
        }
        s.push_str(&format!(
            "need={}\n[ -n \"$need\" ] && [ \"$ok\" -ge \"$need\" ] || fail \"release {}: $ok valid signatures of root keys, $need needed\"\n",
            threshold(&rp, "release_threshold"),
            r.manifest.version
        ));
        for f in ["policy.toml", "allowed_signers"] {
            s.push_str(&format!(
                "grep -qF \"\\\"{f}\\\": \\\"{}\\\"\" {dir}/release.json || fail \"release {}: {f} is not the file its manifest names\"\n",
                hash_of(&format!("{dir}/{f}")),
                r.manifest.version
            ));
        }
        s.push('\n');
        n += 1;
    }
    n
}

/// Writes the pack to `out`: a new folder, or a `.zip` file.
pub fn write(d: &PackData, out: &Path) -> Result<PackReport> {
    let (files, manifest_sha) = build(d)?;
    let is_zip = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if out.exists()
        && (is_zip
            || std::fs::read_dir(out)
                .map(|mut r| r.next().is_some())
                .unwrap_or(true))
    {
        return Err(Error::InvalidInput {
            what: "output",
            input: out.display().to_string(),
            reason: "it already exists; choose a new folder or .zip (a pack is never written over)"
                .into(),
        });
    }
    if is_zip {
        write_zip(out, &files)?;
    } else {
        // Written beside the target and renamed into place, so a crash never leaves a
        // half-written pack under the name asked for.
        let mut partial = out.as_os_str().to_owned();
        partial.push(format!(".partial-{}", std::process::id()));
        let tmp = PathBuf::from(partial);
        let _ = std::fs::remove_dir_all(&tmp);
        for (p, b) in &files {
            let path = tmp.join(p);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            std::fs::write(&path, b).map_err(|e| Error::io(&path, e))?;
        }
        if out.exists() {
            // An empty folder the user chose: replace it.
            std::fs::remove_dir(out).map_err(|e| Error::io(out, e))?;
        }
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
    }
    Ok(PackReport {
        path: out.to_path_buf(),
        files: files.iter().map(|(p, _)| p.clone()).collect(),
        manifest_sha256: manifest_sha,
        gate_pass: d.verification.gate.pass,
        stale: d.verification.approvals.iter().any(|a| a.stale),
    })
}

fn write_zip(out: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = out.with_extension("zip.partial");
    let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let prefix = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audit-pack".into());
    for (p, b) in files {
        z.start_file(format!("{prefix}/{p}"), opts)
            .map_err(|e| Error::InvalidFile {
                path: out.to_path_buf(),
                message: e.to_string(),
            })?;
        z.write_all(b).map_err(|e| Error::io(out, e))?;
    }
    z.finish().map_err(|e| Error::InvalidFile {
        path: out.to_path_buf(),
        message: e.to_string(),
    })?;
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
}

/// Gathers a version's pack from the platform and writes it to `out` (a new folder or .zip),
/// reporting each stage to `progress`.
#[allow(clippy::too_many_arguments)]
pub fn export(
    store: &Store,
    platform: &dyn Platform,
    trust: &crate::trust::Trust,
    vref: &VersionRef,
    exporter: &str,
    out: &Path,
    progress: &mut dyn FnMut(crate::platform::Progress),
) -> Result<PackReport> {
    fn stage(progress: &mut dyn FnMut(crate::platform::Progress), stage: &str, done: u64) {
        progress(crate::platform::Progress::new(stage, done, Some(3)))
    }
    stage(
        progress,
        "fetching the version and verifying its approvals",
        0,
    );
    let data = gather(store, platform, trust, vref, exporter, progress)?;
    stage(progress, "writing the PDF and the pack files", 1);
    let report = write(&data, out)?;
    stage(progress, "done", 3);
    Ok(report)
}
