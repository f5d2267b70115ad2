//! Making an approval: every rule checked before anything is signed or written.

use super::{
    builders, roster_has, same_person, ApprovalModel, ApprovalRecord, Decision, APPROVAL_TYPE,
};
use crate::encoding::sha256_hex;
use crate::evidence::Evidence;
use crate::platform::{Platform, WriteBack};
use crate::policy::{LoadedPolicy, Role};
use crate::review::{ReviewRecord, Severity};
use crate::signing::allowed_signers::{line_for, AllowedSigners};
use crate::signing::SigningKey;
use crate::store::Store;
use crate::trust::Trust;
use crate::uri::VersionRef;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// What to sign.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Role signed in.
    pub role: Role,
    /// Decision.
    pub decision: Decision,
    /// Conditions (approve_with_conditions).
    pub conditions: Vec<String>,
    /// Expiry (approve_with_conditions).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The signer's principal; by default the one allowed_signers lists for the key.
    pub signer: Option<String>,
}

/// A signed approval, written back.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct Signed {
    /// The record.
    pub record: ApprovalRecord,
    /// Its SHA-256.
    pub record_sha256: String,
    /// The armored signature.
    pub signature: String,
    /// Where it was written.
    pub location: String,
    /// The stock command that verifies it, given the two files and allowed_signers.
    pub verify_command: String,
}

/// The review an approval is about: its record bytes and frozen evidence.
struct ReviewBasis {
    record: ReviewRecord,
    bytes: Vec<u8>,
    evidence: Evidence,
    evidence_bytes: Vec<u8>,
}

fn review_basis(
    store: &Store,
    platform: &dyn Platform,
    key: &str,
    vref: &VersionRef,
    role: Role,
) -> Result<ReviewBasis> {
    let local = crate::review::load_latest(store, key, vref)?;
    if role == Role::Validator || local.is_some() {
        if let Some(r) = local {
            let record = r.record();
            let evidence_bytes = r.header.evidence.to_canonical_json();
            return Ok(ReviewBasis {
                bytes: record.to_canonical_json(),
                record,
                evidence: r.header.evidence,
                evidence_bytes,
            });
        }
        return Err(Error::NotFound {
            what: format!("review of {vref}"),
            hint: format!(
                ". Start one with `countersign review start {vref}` and answer its checklist"
            ),
        });
    }
    let published = platform
        .latest_review(vref)?
        .ok_or_else(|| Error::NotFound {
            what: format!("published review of {vref}"),
            hint: ". The validator signs first; their review is published with their approval"
                .into(),
        })?;
    let unreadable = |what: &str, e: serde_json::Error| Error::MalformedResponse {
        url: published.location.clone(),
        reason: format!("{what} cannot be read ({e})"),
    };
    let record: ReviewRecord =
        serde_json::from_slice(&published.review_json).map_err(|e| unreadable("review.json", e))?;
    let evidence: Evidence = serde_json::from_slice(&published.evidence_json)
        .map_err(|e| unreadable("evidence.json", e))?;
    Ok(ReviewBasis {
        record,
        bytes: published.review_json,
        evidence,
        evidence_bytes: published.evidence_json,
    })
}

/// Why a review record does not allow an approve decision.
pub fn review_blockers(r: &ReviewRecord, policy: &LoadedPolicy) -> Vec<String> {
    let mut out = Vec::new();
    let unanswered: Vec<&str> = r
        .items
        .iter()
        .filter(|i| i.answer.is_none())
        .map(|i| i.id.as_str())
        .collect();
    if !unanswered.is_empty() {
        out.push(format!(
            "the review is not complete: {} of {} items unanswered ({})",
            unanswered.len(),
            r.items.len(),
            unanswered.join(", ")
        ));
    }
    if policy
        .policy
        .tiers
        .get(&r.tier)
        .map(|t| t.high_findings_block)
        .unwrap_or(true)
    {
        for f in r
            .findings
            .iter()
            .filter(|f| f.is_open(&crate::inventory::today()) && f.severity == Severity::High)
        {
            out.push(format!(
                "open high finding {} ({}) blocks approval in tier {}",
                f.id, f.title, r.tier
            ));
        }
    }
    for i in r.items.iter().filter(|i| {
        i.answer
            .as_ref()
            .is_some_and(|a| a.outcome == crate::review::Outcome::Fail)
    }) {
        if !r
            .findings
            .iter()
            .any(|f| f.item.as_deref() == Some(i.id.as_str()))
        {
            out.push(format!("item {} failed and no finding records it", i.id));
        }
    }
    out.extend(crate::review::report::blockers(
        &r.report,
        policy,
        &r.tier,
        &format!("models:/{}/{}", r.model.name, r.model.version),
    ));
    out
}

/// The validators' approvals of a version whose signatures verify now: what an approver's
/// approval countersigns (shown to the approver before signing, and checked by [`sign`]).
pub fn countersigned(
    platform: &dyn Platform,
    allowed: &AllowedSigners,
    vref: &VersionRef,
) -> Result<Vec<(ApprovalRecord, String)>> {
    Ok(platform
        .list_approvals(vref)?
        .into_iter()
        .filter(|a| a.deleted.is_none())
        .filter_map(|a| {
            let rec = serde_json::from_slice::<ApprovalRecord>(&a.json).ok()?;
            let sig = a.sig.as_ref()?;
            crate::signing::verify(allowed, &rec.signer, &a.json, sig, chrono::Utc::now()).ok()?;
            (rec.role == Role::Validator
                && rec.decision.approves()
                && rec.model.name == vref.name
                && rec.model.version == vref.version)
                .then(|| (rec, sha256_hex(&a.json)))
        })
        .collect())
}

/// Who signs with `key`: `named` (`--as`, the configured identity), else the one principal
/// the roster lists for the key; with the reasons that principal cannot sign with it (an
/// identity nobody should sign under, a key the roster does not list for them). One rule for
/// approvals and attestations.
pub(crate) fn signer_for(
    allowed: &AllowedSigners,
    named: Option<&str>,
    key: &SigningKey,
) -> Result<(String, Vec<String>)> {
    let fp = key.fingerprint();
    let listed = allowed.principals_for_key(key.public_key());
    let signer = match (named, listed.as_slice()) {
        (Some(s), _) => s.to_string(),
        (None, [one]) => one.clone(),
        (None, []) => {
            return Err(Error::Refused {
                reasons: vec![format!("your key {fp} is not in allowed_signers; ask the risk function to add the line: {}", line_for("YOUR-IDENTITY", key.public_key()))],
            })
        }
        (None, many) => return Err(Error::Refused { reasons: vec![format!("your key is listed for several principals ({}); choose one with --as", many.join(", "))] }),
    };
    let mut reasons = Vec::new();
    if let Err(why) = crate::identity::check_signer(&signer) {
        reasons.push(format!(
            "'{}' cannot sign: {why}",
            crate::display::escape(&signer)
        ));
    }
    if !allowed
        .for_principal(&signer)
        .any(|e| e.key.key_data() == key.public_key().key_data())
    {
        reasons.push(format!(
            "allowed_signers does not list key {fp} for '{signer}'; add: {}",
            line_for(&signer, key.public_key())
        ));
    }
    Ok((signer, reasons))
}

/// Checks every rule, signs under the newest policy release the pinned root trusts, writes
/// the approval back to the platform and records it in the ledger. Refuses with every reason
/// when a rule forbids it. `progress` hears the hashing of the model's files.
#[allow(clippy::too_many_arguments)]
pub fn sign(
    store: &Store,
    platform: &dyn Platform,
    key_name: &str,
    signing_key: &SigningKey,
    trust: &Trust,
    vref: &VersionRef,
    opts: SignOptions,
    progress: &mut dyn FnMut(crate::platform::Progress),
) -> Result<Signed> {
    let release = trust.newest()?;
    let platform_name = trust.platform_name(&platform.uri())?;
    let policy = &release.policy;
    let allowed = &release.roster;
    let fp = signing_key.fingerprint();
    let (signer, mut reasons) = signer_for(allowed, opts.signer.as_deref(), signing_key)?;
    if !opts.role.decides() {
        reasons.push(format!(
            "{}s sign no decision: only a validator or an approver does (an owner attests with `countersign attest`)",
            opts.role.as_str()
        ));
    } else if !roster_has(&policy.policy, &signer, opts.role) {
        reasons.push(format!(
            "the policy's roster does not give '{signer}' the role {}",
            opts.role.as_str()
        ));
    }
    match opts.decision {
        Decision::ApproveWithConditions => {
            if opts.conditions.iter().all(|c| c.trim().is_empty()) {
                reasons.push("approve_with_conditions needs at least one --condition".into());
            }
            match opts.expires_at {
                None => reasons.push("approve_with_conditions needs --expires (the date the conditions must be met by)".into()),
                Some(t) if t <= chrono::Utc::now() => reasons.push(format!("--expires {} is in the past", t.to_rfc3339())),
                _ => {}
            }
        }
        _ if !opts.conditions.is_empty() || opts.expires_at.is_some() => reasons.push(format!(
            "{} takes no conditions or expiry; use approve_with_conditions",
            opts.decision.as_str()
        )),
        _ => {}
    }

    let snapshot = platform.fetch_version(vref)?;
    if let Some(why) = super::verify::not_ready(&snapshot.version) {
        reasons.push(why);
    }
    for (who, what) in builders(&snapshot) {
        if same_person(&who, &signer) {
            reasons.push(format!(
                "'{signer}' is the {what}; the builder of a model never approves it"
            ));
        }
    }
    let basis = review_basis(store, platform, &platform.uri(), vref, opts.role)?;
    if basis.record.policy_sha256 != policy.sha256 {
        reasons.push(format!(
            "the review was made under policy {}, which is not the policy of release {} ({}), the newest the pinned root trusts: nothing signed under an unreleased policy counts; review it again under the release's policy (`countersign review start --new {vref}` without --policy drafts under it)",
            crate::display::short_hash(&basis.record.policy_sha256),
            release.manifest.version,
            crate::display::short_hash(&policy.sha256)
        ));
    }
    if opts.decision.approves() {
        reasons.extend(review_blockers(&basis.record, policy));
    }
    let current = snapshot.evidence();
    let current_sha = current.sha256();
    if basis.record.evidence_sha256 != current_sha {
        let changes = crate::review::diff_evidence(&basis.evidence, &current);
        reasons.push(format!(
            "the evidence changed on the platform since the review froze it: {} (start a new review with `countersign review start --new {vref}` after a sync)",
            changes.join("; ")
        ));
    }
    let tier = basis.record.tier.clone();
    if let Some(t) = policy.policy.tiers.get(&tier) {
        if t.distinct_approver {
            let other = if opts.role == Role::Validator {
                Role::Approver
            } else {
                Role::Validator
            };
            for a in platform.list_approvals(vref)? {
                let Ok(rec) = serde_json::from_slice::<ApprovalRecord>(&a.json) else {
                    continue;
                };
                if rec.role == other
                    && (same_person(&rec.signer, &signer) || rec.key_fingerprint == fp)
                {
                    reasons.push(format!("'{}' already signed as {} (key {}); tier {tier} needs a different person for each role", rec.signer, other.as_str(), rec.key_fingerprint));
                }
            }
        }
    } else {
        reasons.push(format!("the review's tier '{tier}' is not in the policy"));
    }
    let mut validator_record = None;
    if opts.role == Role::Approver && opts.decision.approves() {
        // The approver countersigns the review the validator approved, never another one.
        let review_sha = sha256_hex(&basis.bytes);
        let validators = countersigned(platform, allowed, vref)?;
        validator_record = validators
            .iter()
            .filter(|(v, _)| v.review_sha256 == review_sha)
            .map(|(_, sha)| sha.clone())
            .next();
        let validators: Vec<ApprovalRecord> = validators.into_iter().map(|(v, _)| v).collect();
        if validators.is_empty() {
            reasons.push("no validator's approval of this version verifies: the validator signs first, and the approver countersigns that record".into());
        }
        if !validators.is_empty() && !validators.iter().any(|v| v.review_sha256 == review_sha) {
            reasons.push(format!(
                "the review on the platform ({}) is not the one the validator approved ({}): an approver countersigns the validator's review, never another",
                crate::display::short_hash(&review_sha),
                validators
                    .iter()
                    .map(|v| format!("{} by {}", crate::display::short_hash(&v.review_sha256), v.signer))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if !reasons.is_empty() {
        return Err(Error::Refused { reasons });
    }
    let inventory = crate::coverage::InventoryRecord::of(&snapshot.model, &policy.policy.tags);
    let cap = policy
        .policy
        .tiers
        .get(&basis.record.tier)
        .and_then(|t| t.max_hashed_bytes);
    let artifacts = crate::coverage::cover(platform, &snapshot, cap, progress)?;
    let unreadable: Vec<String> = artifacts
        .not_hashed
        .iter()
        .filter(|n| n.reason == crate::coverage::UNREADABLE)
        .map(|n| crate::display::escape(&n.path).into_owned())
        .collect();
    if !unreadable.is_empty() {
        return Err(Error::Refused {
            reasons: vec![format!(
                "model files the version names cannot be read, so an approval could not bind them: {} (replace links with the files themselves)",
                unreadable.join(", ")
            )],
        });
    }

    let record = ApprovalRecord {
        kind: APPROVAL_TYPE.into(),
        model: ApprovalModel {
            platform: platform_name,
            name: vref.name.clone(),
            version: vref.version.clone(),
            run_id: snapshot.version.run_id.clone(),
            source: snapshot.version.source.clone(),
        },
        tier,
        role: opts.role,
        decision: opts.decision,
        conditions: opts
            .conditions
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        expires_at: opts
            .expires_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        evidence_sha256: current_sha,
        review_sha256: sha256_hex(&basis.bytes),
        policy_sha256: policy.sha256.clone(),
        policy_release_sha256: Some(release.sha256.clone()),
        validator_record_sha256: validator_record,
        inventory: Some(inventory),
        artifacts: Some(artifacts),
        signer: signer.clone(),
        key_fingerprint: fp.clone(),
        signed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let bytes = record.to_bytes();
    let signature = signing_key.sign(&bytes)?;
    // Check our own work as a verifier would before anything leaves this machine.
    crate::signing::verify(
        allowed,
        &signer,
        &bytes,
        signature.as_bytes(),
        chrono::Utc::now(),
    )
    .map_err(|why| Error::Key {
        what: key_name.to_string(),
        message: format!("the new signature does not verify: {why}"),
    })?;
    let stem = record.file_stem();
    let status = format!("{}_{}", opts.role.as_str(), opts.decision.as_str());
    let location = platform.write_back(&WriteBack {
        version: vref,
        review_id: &basis.record.review_id,
        signer: &signer,
        evidence_json: &basis.evidence_bytes,
        review_json: &basis.bytes,
        approval_stem: &stem,
        approval_json: &bytes,
        approval_sig: signature.as_bytes(),
        status: &status,
    })?;
    store.ledger_append(
        &record
            .ledger_entry(&bytes, "made")
            .on_platform(&platform.uri()),
    )?;
    Ok(Signed {
        record_sha256: sha256_hex(&bytes),
        verify_command: crate::signing::verify_command(&signer, &stem),
        record,
        signature,
        location,
    })
}
