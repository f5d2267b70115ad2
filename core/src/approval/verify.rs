//! Does an approval count? Every approval found on the platform is checked against DESIGN §2:
//! signature and signer in allowed_signers, role in the roster, not the builder, independence
//! between roles, evidence unchanged (else *stale*, with what changed), a known policy, not
//! expired, and bound to this very version. The gate then asks whether the approvals the
//! tier requires all count.

use super::{builders, normalize_identity, roster_has, ApprovalRecord, APPROVAL_TYPE};
use crate::evidence::{sha256_hex, Evidence};
use crate::platform::Platform;
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
    let builder_ids = builders(&snapshot);
    let mut checks = Vec::new();
    for stored in platform.list_approvals(vref)? {
        let record_sha256 = sha256_hex(&stored.json);
        let mut reasons = Vec::new();
        let record: Option<ApprovalRecord> = match serde_json::from_slice(&stored.json) {
            Ok(r) => Some(r),
            Err(e) => {
                reasons.push(format!("the record cannot be read ({e})"));
                None
            }
        };
        let mut stale = false;
        let mut changes = Vec::new();
        if let Some(r) = &record {
            if r.kind != APPROVAL_TYPE {
                reasons.push(format!("type is '{}', not {APPROVAL_TYPE}", r.kind));
            }
            // Backdating and postdating: a decision cannot predate the version it is about,
            // nor come from the future.
            match chrono::DateTime::parse_from_rfc3339(&r.signed_at) {
                Err(_) => reasons.push(format!(
                    "signed_at '{}' is not an RFC 3339 time",
                    r.signed_at
                )),
                Ok(t) => {
                    let t = t.with_timezone(&chrono::Utc);
                    let created = snapshot.version.created_ms;
                    if created > 0 && t.timestamp_millis() < created {
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
                reasons.push(format!(
                    "the record is for models:/{}/{}, not {vref}",
                    r.model.name, r.model.version
                ));
            }
            match &stored.sig {
                None => reasons.push("no signature file (.json.sig) beside the record".into()),
                Some(sig) => {
                    match crate::signing::verify(allowed, &r.signer, &stored.json, sig, now) {
                        Ok(fp) if fp != r.key_fingerprint => reasons.push(format!(
                            "signed with key {fp}, but the record names key {}",
                            r.key_fingerprint
                        )),
                        Ok(_) => {}
                        Err(why) => reasons.push(format!("bad signature: {why}")),
                    }
                }
            }
            // The policy the record was made under must be known; its rules apply.
            let known = if r.policy_sha256 == policy.sha256 {
                Some(policy.clone())
            } else {
                store
                    .policy_text(&r.policy_sha256)?
                    .and_then(|t| LoadedPolicy::from_text(&t, None).ok())
            };
            let rules = match known {
                Some(p) => p,
                None => {
                    reasons.push(format!(
                        "policy {} is not a known policy version",
                        short(&r.policy_sha256)
                    ));
                    policy.clone()
                }
            };
            if !roster_has(&rules.policy, &r.signer, r.role) {
                reasons.push(format!(
                    "the roster does not give '{}' the role {}",
                    r.signer,
                    r.role.as_str()
                ));
            }
            let me = normalize_identity(&r.signer);
            for (who, what) in &builder_ids {
                if *who == me {
                    reasons.push(format!(
                        "'{}' is the {what}: a builder's approval never counts",
                        r.signer
                    ));
                }
            }
            if r.evidence_sha256 != current_sha {
                stale = true;
                changes = match &frozen {
                    Some(f) if f.sha256() == r.evidence_sha256 => {
                        crate::review::diff_evidence(f, &current)
                    }
                    _ => vec![format!(
                        "evidence hash {} → {}",
                        short(&r.evidence_sha256),
                        short(&current_sha)
                    )],
                };
                reasons.push(format!(
                    "stale: the evidence changed since it was signed ({})",
                    changes.join("; ")
                ));
            }
            if let Some(t) = &snapshot.model.risk_tier {
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
        checks.push(ApprovalCheck {
            location: stored.location,
            counts: reasons.is_empty(),
            record,
            record_sha256,
            reasons,
            stale,
            changes,
        });
    }
    // Independence: where the tier demands it, one person (by identity or key) cannot hold
    // both roles.
    let tier_now = snapshot.model.risk_tier.clone();
    let distinct = tier_now
        .as_ref()
        .and_then(|t| policy.policy.tiers.get(t))
        .map(|t| t.distinct_approver)
        .unwrap_or(false);
    if distinct {
        let validators: Vec<(String, String)> = checks
            .iter()
            .filter_map(|c| c.record.as_ref().filter(|r| r.role == Role::Validator))
            .map(|r| (normalize_identity(&r.signer), r.key_fingerprint.clone()))
            .collect();
        for c in checks.iter_mut() {
            let Some(r) = c.record.as_ref().filter(|r| r.role == Role::Approver) else {
                continue;
            };
            if validators
                .iter()
                .any(|(who, fp)| *who == normalize_identity(&r.signer) || *fp == r.key_fingerprint)
            {
                c.reasons.push(format!(
                    "independence broken: '{}' (key {}) also signed as validator",
                    r.signer, r.key_fingerprint
                ));
                c.counts = false;
            }
        }
    }
    for c in &checks {
        if let Some(r) = &c.record {
            store.ledger_append(
                &crate::store::LedgerEntry::from_record(r, &[], "seen")
                    .with_sha(&c.record_sha256)
                    .with_counted(c.counts),
            )?;
        }
    }
    let gate = gate(policy, tier_now, &checks);
    Ok(Verification {
        version: vref.to_string(),
        evidence_sha256: current_sha,
        approvals: checks,
        gate,
    })
}

fn short(s: &str) -> &str {
    &s[..s.len().min(12)]
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
    for r in counted.iter().filter(|r| !r.decision.approves()) {
        reasons.push(format!("{} {} rejected it", r.role.as_str(), r.signer));
    }
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
