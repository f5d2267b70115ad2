//! Does an approval count? Every approval found on the platform is checked against DESIGN §2:
//! signature and signer in allowed_signers, role in the roster, not the builder, independence
//! between roles, evidence unchanged (else *stale*, with what changed), a known policy, not
//! expired, and bound to this very version. The gate then asks whether the approvals the
//! tier requires all count.

use super::{builders, roster_has, same_person, ApprovalRecord, APPROVAL_TYPE, APPROVAL_TYPE_V1};
use crate::coverage::{ArtifactCoverage, InventoryRecord};
use crate::encoding::sha256_hex;
use crate::evidence::Evidence;
use crate::platform::{Platform, StoredApproval};
use crate::policy::{LoadedPolicy, Role};
use crate::store::Store;
use crate::trust::Trust;
use crate::uri::VersionRef;
use crate::Result;
use serde::{Deserialize, Serialize};

/// The verdict on one approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ApprovalCheck {
    /// Where it was found.
    pub location: String,
    /// The record, if it could be read.
    pub record: Option<ApprovalRecord>,
    /// SHA-256 of the record's bytes.
    pub record_sha256: String,
    /// Whether it counts.
    pub counts: bool,
    /// Every reason it does not.
    pub reasons: Vec<String>,
    /// Whether it is stale (evidence changed), and what changed.
    pub stale: bool,
    /// What changed in the evidence, when stale.
    pub changes: Vec<String>,
    /// Whether the signature verified for the signer in allowed_signers (now and at
    /// `signed_at`), whatever else is said about the record.
    #[serde(default)]
    pub signature_ok: bool,
    /// Whether it was found in a deleted review run.
    #[serde(default)]
    pub deleted: bool,
    /// The trusted policy release it was judged under (its roster verifies the signature).
    #[serde(default)]
    pub policy_release: Option<u64>,
    /// Why the signature did not verify, when it did not (what [`blockers`] reports).
    #[serde(skip)]
    #[ts(skip)]
    pub signature_error: Option<String>,
    /// Whether the record names a version other than the one it was found for.
    #[serde(skip)]
    #[ts(skip)]
    pub other_version: bool,
}

/// The gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct GateResult {
    /// Whether deployment may proceed.
    pub pass: bool,
    /// The version's tier now.
    pub tier: Option<String>,
    /// Roles the tier requires.
    pub required_roles: Vec<Role>,
    /// Why it does not pass.
    pub reasons: Vec<String>,
}

/// Everything `verify` found for a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Verification {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// The evidence hash as the platform shows it now.
    pub evidence_sha256: String,
    /// Each approval's verdict.
    pub approvals: Vec<ApprovalCheck>,
    /// The gate.
    pub gate: GateResult,
    /// Approvals of this version recorded under its model's previous name, which do not
    /// count (each a sentence saying where and why); empty when there are none.
    #[serde(default)]
    pub under_other_names: Vec<String>,
}

/// The versions `verify --all` checks: those the platform lists as reviewed (a folder
/// platform's `reviews/NAME/VERSION`), or whose synced tags carry `countersign.review_run_id`
/// (MLflow's write-back), and every version the ledger holds an approval of. Versions nobody
/// reviewed are not fetched, so this scales with the approvals, not the inventory.
pub fn versions_with_approvals(store: &Store, platform: &dyn Platform) -> Result<Vec<VersionRef>> {
    let key = platform.uri();
    let mut out: std::collections::BTreeSet<(String, String)> =
        match platform.reviewed_versions()? {
            Some(list) => list.into_iter().map(|r| (r.name, r.version)).collect(),
            None => store
                .all_versions(&key)?
                .into_iter()
                .filter(|v| v.tags.contains_key("countersign.review_run_id"))
                .map(|v| (v.name, v.version))
                .collect(),
        };
    for e in store.ledger_entries()? {
        if e.platform == key {
            if let Ok(r) = VersionRef::parse(&e.version) {
                out.insert((r.name, r.version));
            }
        }
    }
    Ok(out
        .into_iter()
        .map(|(name, version)| VersionRef { name, version })
        .collect())
}

/// What the verdict on one record is judged against: everything fetched, nothing fetched
/// here. [`judge`] is a pure function of it, so every rule can be tested without a platform.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The version asked about.
    pub vref: &'a VersionRef,
    /// The version as the platform shows it now.
    pub snapshot: &'a crate::platform::VersionSnapshot,
    /// Its evidence now, and that evidence's hash.
    pub current: &'a Evidence,
    /// `current`'s hash.
    pub current_sha: &'a str,
    /// The evidence the latest published review froze, if any (to name what changed).
    pub frozen: Option<&'a Evidence>,
    /// The policy in force: the newest trusted release's.
    pub policy: &'a LoadedPolicy,
    /// What the pinned root trusts: the releases records may name, with their rosters.
    pub trust: &'a Trust,
    /// The platform's name in the newest release.
    pub platform_name: &'a str,
    /// The model's inventory record now (read through the policy's tag names).
    pub inventory: &'a InventoryRecord,
    /// The model's files now, hashed under each cap (a tier's `max_hashed_bytes`) a record
    /// binding them was made under.
    pub artifacts: &'a std::collections::BTreeMap<Option<u64>, ArtifactCoverage>,
    /// The time of the check.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Judges one record found for a version: every rule of DESIGN §2 that concerns the record
/// alone (independence between records is [`independence`]'s).
pub fn judge(stored: &StoredApproval, cx: &Context<'_>) -> ApprovalCheck {
    let now = cx.now;
    let vref = cx.vref;
    let record_sha256 = sha256_hex(&stored.json);
    let mut reasons = Vec::new();
    let mut signature_ok = false;
    let mut signature_error = None;
    let mut other_version = false;
    let record: Option<ApprovalRecord> = match serde_json::from_slice(&stored.json) {
        Ok(r) => Some(r),
        Err(e) => {
            reasons.push(format!("the record cannot be read ({e})"));
            None
        }
    };
    let mut stale = false;
    let mut changes = Vec::new();
    let mut policy_release = None;
    if let Some(why) = &stored.deleted {
        reasons.push(format!(
            "it is in a deleted review run ({why}): a deleted record never counts for a version, and a deleted reject still blocks it"
        ));
    }
    if let Some(r) = &record {
        if r.kind != APPROVAL_TYPE && r.kind != APPROVAL_TYPE_V1 {
            reasons.push(format!(
                "type is '{}', not {APPROVAL_TYPE} (or {APPROVAL_TYPE_V1})",
                r.kind
            ));
        }
        // The release the record was made under, trusted under the pinned root (v1 records
        // name only the policy: the newest release carrying that policy).
        let release = if r.is_v2() {
            r.policy_release_sha256
                .as_deref()
                .and_then(|h| cx.trust.release(h))
        } else {
            cx.trust.release_with_policy(&r.policy_sha256)
        };
        policy_release = release.map(|rel| rel.manifest.version);
        match (release, r.is_v2()) {
            (None, true) => reasons.push(format!(
                "it names policy release {}, which is not a release trusted under the pinned root: nothing signed under it counts",
                short(r.policy_release_sha256.as_deref().unwrap_or("(none)"))
            )),
            (None, false) => reasons.push(format!(
                "policy {} is in no policy release trusted under the pinned root: nothing signed under it counts",
                short(&r.policy_sha256)
            )),
            (Some(rel), true) if rel.policy.sha256 != r.policy_sha256 => reasons.push(format!(
                "it names policy {} but release {} carries policy {}",
                short(&r.policy_sha256),
                rel.manifest.version,
                short(&rel.policy.sha256)
            )),
            _ => {}
        }
        // The roster the signature is checked against: the record's release, else the newest
        // (so that a roster member's reject blocks even under a release nobody trusts).
        let no_roster = crate::signing::allowed_signers::AllowedSigners::default();
        let roster = release
            .or_else(|| cx.trust.newest().ok())
            .map(|rel| &rel.roster)
            .unwrap_or(&no_roster);
        // The platform, by its governed name (v1: the URI it was signed through must reach
        // the same platform).
        if r.is_v2() {
            if r.model.platform != cx.platform_name {
                reasons.push(format!(
                    "signed for platform '{}', but this is platform '{}'",
                    crate::display::escape(&r.model.platform),
                    cx.platform_name
                ));
            }
        } else {
            let platforms = release
                .or_else(|| cx.trust.newest().ok())
                .map(|rel| rel.manifest.platforms.clone())
                .unwrap_or_default();
            if crate::trust::governed_name(&platforms, &r.model.platform).as_deref()
                != Some(cx.platform_name)
            {
                reasons.push(format!(
                    "signed through {}, which the release does not list for platform '{}'",
                    crate::display::escape(&r.model.platform),
                    cx.platform_name
                ));
            }
        }
        // Backdating and postdating: a decision cannot predate the version it is about,
        // nor come from the future.
        let signed_at = chrono::DateTime::parse_from_rfc3339(&r.signed_at)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc));
        match signed_at {
            None => reasons.push(format!(
                "signed_at '{}' is not an RFC 3339 time",
                r.signed_at
            )),
            Some(t) => {
                let created = cx.snapshot.version.created_ms;
                // signed_at has whole seconds: a record signed within the second the version
                // was created is not backdated.
                let created_second = created - created.rem_euclid(1000);
                if created > 0 && t.timestamp_millis() < created_second {
                    reasons.push(format!(
                        "signed at {}, before the version existed (created {}): a backdated record never counts",
                        r.signed_at,
                        crate::encoding::rfc3339(created)
                    ));
                }
                if t > now + chrono::Duration::minutes(10) {
                    reasons.push(format!("signed at {}, which is in the future", r.signed_at));
                }
            }
        }
        if r.model.name != vref.name || r.model.version != vref.version {
            other_version = true;
            reasons.push(format!(
                "the record is for models:/{}/{}, not {vref}",
                r.model.name, r.model.version
            ));
        }
        let mut sig_problem = |why: String| {
            signature_error = Some(why.clone());
            reasons.push(why);
        };
        match &stored.sig {
            None => sig_problem("no signature file (.json.sig) beside the record".into()),
            Some(sig) => {
                // The key's validity window must hold now and at the time the record says it
                // was signed (as `ssh-keygen -Y verify -Overify-time` checks).
                let at_signing = signed_at.unwrap_or(now);
                match crate::signing::verify(roster, &r.signer, &stored.json, sig, now).and_then(
                    |fp| {
                        crate::signing::verify(roster, &r.signer, &stored.json, sig, at_signing)
                            .map(|_| fp)
                            .map_err(|why| format!("at signed_at {}: {why}", r.signed_at))
                    },
                ) {
                    Ok(fp) if fp != r.key_fingerprint => sig_problem(format!(
                        "signed with key {fp}, but the record names key {}",
                        r.key_fingerprint
                    )),
                    Ok(_) => signature_ok = true,
                    Err(why) => sig_problem(format!("bad signature: {why}")),
                }
                // The newest release's roster revokes: a key it removed, or whose window it
                // closed, no longer approves (a reject by it still blocks, above).
                if let Ok(newest) = cx.trust.newest() {
                    if release.is_some_and(|rel| rel.sha256 != newest.sha256) && signature_ok {
                        let check = |t| {
                            crate::signing::verify(&newest.roster, &r.signer, &stored.json, sig, t)
                        };
                        if let Err(why) = check(now).and_then(|_| {
                            check(at_signing)
                                .map_err(|why| format!("at signed_at {}: {why}", r.signed_at))
                        }) {
                            reasons.push(format!(
                                "revoked by release {}, the newest: {why}",
                                newest.manifest.version
                            ));
                        }
                    }
                }
            }
        }
        let rules = release.map(|rel| &rel.policy).unwrap_or(cx.policy);
        if let (Some(rel), Ok(newest)) = (release, cx.trust.newest()) {
            if rel.sha256 != newest.sha256 && !roster_has(&newest.policy.policy, &r.signer, r.role)
            {
                reasons.push(format!(
                    "revoked by release {}, the newest: its roster no longer gives '{}' the role {}",
                    newest.manifest.version,
                    r.signer,
                    r.role.as_str()
                ));
            }
            if !rel
                .manifest
                .platforms
                .iter()
                .any(|p| p.name == cx.platform_name)
            {
                reasons.push(format!(
                    "release {} does not govern platform '{}'",
                    rel.manifest.version, cx.platform_name
                ));
            }
        }
        if !r.role.decides() {
            reasons.push(format!(
                "it is signed in the role {}, which decides nothing: only a validator's or an approver's record counts",
                r.role.as_str()
            ));
        } else if !roster_has(&rules.policy, &r.signer, r.role) {
            reasons.push(format!(
                "the roster does not give '{}' the role {}",
                r.signer,
                r.role.as_str()
            ));
        }
        for (who, what) in builders(cx.snapshot) {
            if same_person(&who, &r.signer) {
                reasons.push(format!(
                    "'{}' is the {what}: a builder's approval never counts",
                    r.signer
                ));
            }
        }
        // v1 records bound the evidence with the platform URI inside.
        let current_sha = if r.is_v2() {
            cx.current_sha.to_string()
        } else {
            cx.current.as_v1(&r.model.platform).sha256()
        };
        if r.evidence_sha256 != current_sha {
            stale = true;
            changes = match cx.frozen {
                Some(f) if f.sha256() == r.evidence_sha256 => {
                    crate::review::diff_evidence(f, cx.current)
                }
                Some(f) if f.as_v1(&r.model.platform).sha256() == r.evidence_sha256 => {
                    crate::review::diff_evidence(f, cx.current)
                }
                _ => vec![format!(
                    "evidence hash {} → {}",
                    short(&r.evidence_sha256),
                    short(&current_sha)
                )],
            };
        }
        if r.is_v2() {
            match &r.inventory {
                Some(then) => changes.extend(then.changes(cx.inventory)),
                None => reasons.push("a v2 record that does not bind the inventory record".into()),
            }
            let cap = rules
                .policy
                .tiers
                .get(&r.tier)
                .and_then(|t| t.max_hashed_bytes);
            match (&r.artifacts, cx.artifacts.get(&cap)) {
                (Some(then), Some(now)) => changes.extend(then.changes(now)),
                (Some(_), None) => reasons.push("the model's files could not be checked".into()),
                (None, _) => {
                    reasons.push("a v2 record that does not bind the model's files".into())
                }
            }
        }
        if !changes.is_empty() {
            stale = true;
            reasons.push(format!(
                "stale: what it was signed on changed ({})",
                changes.join("; ")
            ));
        }
        if let Some(why) = not_ready(&cx.snapshot.version) {
            reasons.push(why);
        }
        if let Some(t) = &cx.snapshot.model.risk_tier {
            if &r.tier != t {
                reasons.push(format!(
                    "signed for tier {}, but the model is now tier {t}",
                    r.tier
                ));
            }
        }
        if let Some(exp) = &r.expires_at {
            match chrono::DateTime::parse_from_rfc3339(exp) {
                Ok(t) if t < now => reasons.push(format!("expired on {exp}")),
                Ok(_) => {}
                Err(_) => reasons.push(format!("expires_at '{exp}' is not an RFC 3339 time")),
            }
        }
        if r.decision == super::Decision::ApproveWithConditions && r.expires_at.is_none() {
            reasons.push("a conditional approval without expiry".into());
        }
    }
    ApprovalCheck {
        location: stored.location.clone(),
        counts: reasons.is_empty(),
        record,
        record_sha256,
        reasons,
        stale,
        changes,
        signature_ok,
        deleted: stored.deleted.is_some(),
        signature_error,
        other_version,
        policy_release,
    }
}

/// Why a version cannot be approved because of its registration status (MLflow's
/// `PENDING_REGISTRATION`, `FAILED_REGISTRATION`, …): only a `READY` version can be.
pub fn not_ready(version: &crate::model::Version) -> Option<String> {
    (!version.status.eq_ignore_ascii_case("READY")).then(|| {
        format!(
            "the version's registration status is {}, not READY: only a READY version can be approved",
            crate::display::escape(&version.status)
        )
    })
}

/// Independence: where the tier demands it, one person (by identity or key) cannot hold both
/// roles; and an approver's record countersigns the review the validator approved.
pub fn independence(policy: &LoadedPolicy, tier: Option<&str>, checks: &mut [ApprovalCheck]) {
    let distinct = tier
        .and_then(|t| policy.policy.tiers.get(t))
        .map(|t| t.distinct_approver)
        .unwrap_or(false);
    let validators: Vec<(String, String, String)> = checks
        .iter()
        .filter(|c| c.signature_ok)
        .filter_map(|c| c.record.as_ref().filter(|r| r.role == Role::Validator))
        .map(|r| {
            (
                r.signer.clone(),
                r.key_fingerprint.clone(),
                r.review_sha256.clone(),
            )
        })
        .collect();
    let validator_records: Vec<String> = checks
        .iter()
        .filter(|c| c.signature_ok && !c.deleted)
        .filter(|c| {
            c.record
                .as_ref()
                .is_some_and(|r| r.role == Role::Validator && r.decision.approves())
        })
        .map(|c| c.record_sha256.clone())
        .collect();
    for c in checks.iter_mut() {
        let Some(r) = c.record.as_ref().filter(|r| r.role == Role::Approver) else {
            continue;
        };
        if distinct
            && validators
                .iter()
                .any(|(who, fp, _)| same_person(who, &r.signer) || *fp == r.key_fingerprint)
        {
            c.reasons.push(format!(
                "independence broken: '{}' (key {}) also signed as validator",
                r.signer, r.key_fingerprint
            ));
            c.counts = false;
        }
        if r.is_v2() && r.decision.approves() {
            let bound = r.validator_record_sha256.as_deref().unwrap_or("");
            if !validator_records.iter().any(|v| v == bound) {
                c.reasons.push(format!(
                    "the approver countersigned validator record {}, which is not among this version's verified validator approvals",
                    short(if bound.is_empty() { "(none)" } else { bound })
                ));
                c.counts = false;
            }
        }
        if !validators.is_empty()
            && r.decision.approves()
            && !validators.iter().any(|(_, _, rev)| *rev == r.review_sha256)
        {
            c.reasons.push(format!(
                "the approver countersigned review {}, which no validator's record names: the pair disagrees",
                short(&r.review_sha256)
            ));
            c.counts = false;
        }
    }
}

/// Verifies every approval of a version and runs the gate.
pub fn verify_version(
    store: &Store,
    platform: &dyn Platform,
    trust: &Trust,
    vref: &VersionRef,
    progress: &mut dyn FnMut(crate::platform::Progress),
) -> Result<Verification> {
    let now = chrono::Utc::now();
    let key = platform.uri();
    let newest = trust.newest()?;
    let platform_name = trust.platform_name(&key)?;
    let policy = &newest.policy;
    let snapshot = platform.fetch_version(vref)?;
    let current = snapshot.evidence();
    let current_sha = current.sha256();
    let published = platform.latest_review(vref)?;
    let frozen: Option<Evidence> = published
        .as_ref()
        .and_then(|p| serde_json::from_slice(&p.evidence_json).ok());
    let stored = platform.list_approvals(vref)?;
    let inventory = InventoryRecord::of(&snapshot.model, &policy.policy.tags);
    // The model's files are hashed only when a record binds them, under the cap of the tier
    // the record binding them was made for.
    let binding: Vec<ApprovalRecord> = stored
        .iter()
        .filter_map(|s| serde_json::from_slice::<ApprovalRecord>(&s.json).ok())
        .filter(|r| r.artifacts.is_some())
        .collect();
    let mut artifacts = std::collections::BTreeMap::new();
    for r in &binding {
        let cap = trust
            .release(r.policy_release_sha256.as_deref().unwrap_or(""))
            .unwrap_or(newest)
            .policy
            .policy
            .tiers
            .get(&r.tier)
            .and_then(|t| t.max_hashed_bytes);
        if let std::collections::btree_map::Entry::Vacant(e) = artifacts.entry(cap) {
            e.insert(crate::coverage::cover(platform, &snapshot, cap, progress)?);
        }
    }
    let cx = Context {
        vref,
        snapshot: &snapshot,
        current: &current,
        current_sha: &current_sha,
        frozen: frozen.as_ref(),
        policy,
        trust,
        platform_name: &platform_name,
        inventory: &inventory,
        artifacts: &artifacts,
        now,
    };
    let mut checks: Vec<ApprovalCheck> = stored.iter().map(|s| judge(s, &cx)).collect();
    let tier_now = snapshot.model.risk_tier.clone();
    independence(policy, tier_now.as_deref(), &mut checks);
    // Rejects this machine saw verified for this version that the platform no longer shows:
    // a deleted reject still blocks.
    let version_name = vref.to_string();
    let present: std::collections::BTreeSet<&str> =
        checks.iter().map(|c| c.record_sha256.as_str()).collect();
    let mut vanished = Vec::new();
    let mut reported = std::collections::BTreeSet::new();
    for e in store.ledger_entries_of_model(&key, &vref.name)? {
        if e.version == version_name
            && e.decision == super::Decision::Reject
            && (e.origin == "made" || e.signature_ok == Some(true))
            && !e.approval_sha256.is_empty()
            && !present.contains(e.approval_sha256.as_str())
            && reported.insert(e.approval_sha256.clone())
        {
            vanished.push(format!(
                "the reject by {} {} (record {}, signed {}) that this machine's ledger holds is gone from the platform: a removed reject still blocks",
                e.role,
                e.signer,
                short(&e.approval_sha256),
                e.signed_at
            ));
        }
    }
    for c in &checks {
        if let Some(r) = &c.record {
            store.ledger_append(
                &r.ledger_entry(&[], "seen")
                    .on_platform(&key)
                    .with_sha(&c.record_sha256)
                    .with_counted(c.counts)
                    .with_signature_ok(c.signature_ok),
            )?;
        }
    }
    let mut gate = gate(policy, tier_now, &checks);
    if let Some(why) = not_ready(&snapshot.version) {
        gate.pass = false;
        gate.reasons.insert(0, why);
    }
    if !vanished.is_empty() {
        gate.pass = false;
        gate.reasons.extend(vanished);
    }
    // A renamed model: its approvals name the old model and rightly do not count here, but
    // "none recorded" would mislead, and a reject made under the old name still blocks.
    let renamed = platform.approvals_under_other_names(&snapshot)?;
    let under_other_names: Vec<String> = renamed
        .iter()
        .map(|r| {
            format!(
                "{} approval record{} of this version {} in {} under its previous name '{}': {} models:/{}/{}, and an approval counts only for the model it names{}",
                r.count,
                if r.count == 1 { "" } else { "s" },
                if r.count == 1 { "is" } else { "are" },
                crate::display::escape(&r.location),
                crate::display::escape(&r.name),
                if r.count == 1 { "it names" } else { "they name" },
                crate::display::escape(&r.name),
                vref.version,
                if stored.is_empty() {
                    format!("; review and approve it again as {vref}")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    for r in renamed.iter().filter(|r| r.rejects > 0) {
        gate.pass = false;
        gate.reasons.push(format!(
            "{} reject{} (or unreadable record{}) made under the previous name '{}' in {} still block{} this version",
            r.rejects,
            if r.rejects == 1 { "" } else { "s" },
            if r.rejects == 1 { "" } else { "s" },
            crate::display::escape(&r.name),
            crate::display::escape(&r.location),
            if r.rejects == 1 { "s" } else { "" },
        ));
    }
    if stored.is_empty() {
        gate.reasons.extend(under_other_names.iter().cloned());
    }
    Ok(Verification {
        version: vref.to_string(),
        evidence_sha256: current_sha,
        approvals: checks,
        gate,
        under_other_names,
    })
}

/// What blocks the gate whatever else the approvals say (fail closed, DESIGN §2): a reject
/// whose signature verifies, and any record found for the version that cannot be verified
/// (unreadable, bad or missing signature) or that names another version. A planted junk file
/// may block a release; it can never help one.
pub fn blockers(checks: &[ApprovalCheck]) -> Vec<String> {
    let mut out = Vec::new();
    for c in checks {
        match &c.record {
            None => out.push(format!(
                "{}: a record that cannot be read blocks the version ({})",
                c.location,
                c.reasons.join("; ")
            )),
            Some(r) if !c.signature_ok => out.push(format!(
                "{}: a record whose signature does not verify blocks the version ({} {}: {})",
                c.location,
                r.role.as_str(),
                r.signer,
                c.signature_error.as_deref().unwrap_or("not verified")
            )),
            Some(r) if !r.decision.approves() => {
                out.push(format!("{} {} rejected it", r.role.as_str(), r.signer))
            }
            Some(r) if c.other_version => out.push(format!(
                "{}: a record for models:/{}/{} was planted among this version's records",
                c.location, r.model.name, r.model.version
            )),
            Some(_) => {}
        }
    }
    out
}

fn short(s: &str) -> String {
    crate::display::short_hash(s)
}

/// Whether the approvals the tier requires all count (and no counted reject).
pub fn gate(policy: &LoadedPolicy, tier: Option<String>, checks: &[ApprovalCheck]) -> GateResult {
    let mut reasons = Vec::new();
    let Some(t) = tier.clone() else {
        return GateResult {
            pass: false,
            tier,
            required_roles: vec![],
            reasons: vec![
                "the model has no risk tier, so the approvals it needs are unknown".into(),
            ],
        };
    };
    let Some(rules) = policy.policy.tiers.get(&t) else {
        return GateResult {
            pass: false,
            tier,
            required_roles: vec![],
            reasons: vec![format!("tier '{t}' is not in the policy")],
        };
    };
    let counted: Vec<&ApprovalRecord> = checks
        .iter()
        .filter(|c| c.counts)
        .filter_map(|c| c.record.as_ref())
        .collect();
    reasons.extend(blockers(checks));
    for role in &rules.roles_required {
        if !counted
            .iter()
            .any(|r| r.role == *role && r.decision.approves())
        {
            let failing: Vec<String> = checks
                .iter()
                .filter(|c| c.record.as_ref().is_some_and(|r| r.role == *role) && !c.counts)
                .map(|c| {
                    format!(
                        "{}: {}",
                        c.record.as_ref().map(|r| r.signer.as_str()).unwrap_or("?"),
                        c.reasons.join("; ")
                    )
                })
                .collect();
            let a = if role.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            reasons.push(if failing.is_empty() {
                format!(
                    "tier {t} needs {a} {} approval; there is none",
                    role.as_str()
                )
            } else {
                format!(
                    "tier {t} needs {a} {} approval that counts; none does ({})",
                    role.as_str(),
                    failing.join(" | ")
                )
            });
        }
    }
    GateResult {
        pass: reasons.is_empty(),
        tier,
        required_roles: rules.roles_required.clone(),
        reasons,
    }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
