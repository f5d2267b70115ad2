//! Does an approval count? Every approval found on the platform is checked against DESIGN §2:
//! signature and signer in allowed_signers, role in the roster, not the builder, independence
//! between roles, evidence unchanged (else *stale*, with what changed), a known policy, not
//! expired, and bound to this very version. The gate then asks whether the approvals the
//! tier requires all count.

use super::{builders, roster_has, same_person, ApprovalRecord, APPROVAL_TYPE};
use crate::evidence::{sha256_hex, Evidence};
use crate::platform::{Platform, StoredApproval};
use crate::policy::{LoadedPolicy, Role};
use crate::signing::allowed_signers::AllowedSigners;
use crate::store::Store;
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
    /// The policy in force.
    pub policy: &'a LoadedPolicy,
    /// Policies the record may name besides the one in force (by SHA-256).
    pub known_policies: &'a [LoadedPolicy],
    /// The allowed signers.
    pub allowed: &'a AllowedSigners,
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
    if let Some(why) = &stored.deleted {
        reasons.push(format!(
            "it is in a deleted review run ({why}): a deleted record never counts for a version, and a deleted reject still blocks it"
        ));
    }
    if let Some(r) = &record {
        if r.kind != APPROVAL_TYPE {
            reasons.push(format!("type is '{}', not {APPROVAL_TYPE}", r.kind));
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
                        crate::evidence::rfc3339(created)
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
                match crate::signing::verify(cx.allowed, &r.signer, &stored.json, sig, now)
                    .and_then(|fp| {
                        crate::signing::verify(cx.allowed, &r.signer, &stored.json, sig, at_signing)
                            .map(|_| fp)
                            .map_err(|why| format!("at signed_at {}: {why}", r.signed_at))
                    }) {
                    Ok(fp) if fp != r.key_fingerprint => sig_problem(format!(
                        "signed with key {fp}, but the record names key {}",
                        r.key_fingerprint
                    )),
                    Ok(_) => signature_ok = true,
                    Err(why) => sig_problem(format!("bad signature: {why}")),
                }
            }
        }
        // The policy the record was made under must be known; its rules apply.
        let known = if r.policy_sha256 == cx.policy.sha256 {
            Some(cx.policy)
        } else {
            cx.known_policies
                .iter()
                .find(|p| p.sha256 == r.policy_sha256)
        };
        let rules = match known {
            Some(p) => p,
            None => {
                reasons.push(format!(
                    "policy {} is not a known policy version",
                    short(&r.policy_sha256)
                ));
                cx.policy
            }
        };
        if !roster_has(&rules.policy, &r.signer, r.role) {
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
        if r.evidence_sha256 != cx.current_sha {
            stale = true;
            changes = match cx.frozen {
                Some(f) if f.sha256() == r.evidence_sha256 => {
                    crate::review::diff_evidence(f, cx.current)
                }
                _ => vec![format!(
                    "evidence hash {} → {}",
                    short(&r.evidence_sha256),
                    short(cx.current_sha)
                )],
            };
            reasons.push(format!(
                "stale: the evidence changed since it was signed ({})",
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
    }
}

/// Why a version cannot be approved because of its registration status (MLflow's
/// `PENDING_REGISTRATION`, `FAILED_REGISTRATION`, …): only a `READY` version can be.
pub fn not_ready(version: &crate::model::Version) -> Option<String> {
    (!version.status.eq_ignore_ascii_case("READY")).then(|| {
        format!(
            "the version's registration status is {}, not READY: only a READY version can be approved",
            version.status
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
    policy: &LoadedPolicy,
    allowed: &AllowedSigners,
    vref: &VersionRef,
) -> Result<Verification> {
    let now = chrono::Utc::now();
    let key = platform.uri();
    let snapshot = platform.fetch_version(vref)?;
    let current = snapshot.evidence(&key);
    let current_sha = current.sha256();
    let published = platform.latest_review(vref)?;
    let frozen: Option<Evidence> = published
        .as_ref()
        .and_then(|p| serde_json::from_slice(&p.evidence_json).ok());
    let stored = platform.list_approvals(vref)?;
    // Policies the records name, other than the one in force, as the local store knows them.
    let mut known_policies: Vec<LoadedPolicy> = Vec::new();
    for s in &stored {
        if let Ok(r) = serde_json::from_slice::<ApprovalRecord>(&s.json) {
            if r.policy_sha256 != policy.sha256
                && !known_policies.iter().any(|p| p.sha256 == r.policy_sha256)
            {
                if let Some(p) = store
                    .policy_text(&r.policy_sha256)?
                    .and_then(|t| LoadedPolicy::from_text(&t, None).ok())
                {
                    known_policies.push(p);
                }
            }
        }
    }
    let cx = Context {
        vref,
        snapshot: &snapshot,
        current: &current,
        current_sha: &current_sha,
        frozen: frozen.as_ref(),
        policy,
        known_policies: &known_policies,
        allowed,
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
            && e.decision == super::Decision::Reject.as_str()
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
                &crate::store::LedgerEntry::from_record(r, &[], "seen")
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
    Ok(Verification {
        version: vref.to_string(),
        evidence_sha256: current_sha,
        approvals: checks,
        gate,
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
            reasons.push(if failing.is_empty() {
                format!("tier {t} needs a {} approval; there is none", role.as_str())
            } else {
                format!(
                    "tier {t} needs a {} approval that counts; none does ({})",
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
