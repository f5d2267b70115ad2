//! Approvals: signed decisions by one person in one role (DESIGN §2).
//!
//! The record is a JSON file written once and never re-serialised; its exact bytes are signed
//! (SSHSIG, namespace `countersign`). [`sign`] refuses what the policy forbids; [`verify`] says,
//! for every approval found on the platform, whether it counts and every reason it does not;
//! [`verify::gate`] decides whether a version may be deployed.

pub mod sign;
pub mod verify;

pub use crate::policy::Decision;
use crate::policy::Role;
use serde::{Deserialize, Serialize};

/// The format identifier of approval records made now (DESIGN §2): v2 binds the platform's
/// governed name, the policy release, the inventory record, the model's files and, for an
/// approver, the validator's record.
pub const APPROVAL_TYPE: &str = "countersign.approval/v2";

/// The first format: records of it keep verifying under the rules they were made with.
pub const APPROVAL_TYPE_V1: &str = "countersign.approval/v1";

impl ApprovalRecord {
    /// The ledger entry for this record (hashing `bytes` when given).
    pub fn ledger_entry(&self, bytes: &[u8], origin: &str) -> crate::store::LedgerEntry {
        let r = self;
        crate::store::LedgerEntry {
            approval_sha256: if bytes.is_empty() {
                String::new()
            } else {
                crate::encoding::sha256_hex(bytes)
            },
            version: format!("models:/{}/{}", r.model.name, r.model.version),
            platform: r.model.platform.clone(),
            role: r.role,
            signer: r.signer.clone(),
            decision: r.decision,
            signed_at: r.signed_at.clone(),
            review_sha256: Some(r.review_sha256.clone()).filter(|s| !s.is_empty()),
            origin: origin.into(),
            recorded_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            counted: None,
            signature_ok: None,
        }
    }
}

/// The version an approval is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ApprovalModel {
    /// v2: the platform's name in the policy release; v1: its URI without credentials.
    pub platform: String,
    /// Model name.
    pub name: String,
    /// Version.
    pub version: String,
    /// The version's run id.
    pub run_id: Option<String>,
    /// The version's source.
    pub source: String,
}

/// The approval record, fields in DESIGN §2's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ApprovalRecord {
    /// Always [`APPROVAL_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The version.
    pub model: ApprovalModel,
    /// Tier.
    pub tier: String,
    /// Role.
    pub role: Role,
    /// Decision.
    pub decision: Decision,
    /// Conditions (for approve_with_conditions).
    pub conditions: Vec<String>,
    /// Expiry (RFC 3339), or null.
    pub expires_at: Option<String>,
    /// SHA-256 of evidence.json.
    pub evidence_sha256: String,
    /// SHA-256 of review.json.
    pub review_sha256: String,
    /// SHA-256 of the policy file.
    pub policy_sha256: String,
    /// v2: SHA-256 of the policy release's `release.json` the record was signed under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_release_sha256: Option<String>,
    /// v2, approvers: SHA-256 of the validator's record this approval countersigns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator_record_sha256: Option<String>,
    /// v2: the model's inventory record as the review relied on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<crate::coverage::InventoryRecord>,
    /// v2: the model's files (path, size, SHA-256) and what was not hashed, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<crate::coverage::ArtifactCoverage>,
    /// Principal as in allowed_signers.
    pub signer: String,
    /// `SHA256:…` of the signing key.
    pub key_fingerprint: String,
    /// RFC 3339 UTC.
    pub signed_at: String,
}

impl ApprovalRecord {
    /// The exact bytes written and signed: pretty JSON in field order, final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(self).unwrap_or_default();
        b.push(b'\n');
        b
    }

    /// Whether the record is of format v2 (binding release, platform name, inventory, files).
    pub fn is_v2(&self) -> bool {
        self.kind == APPROVAL_TYPE
    }

    /// `<role>-<signer>`, the file name stem under `approvals/` (unsafe characters replaced).
    pub fn file_stem(&self) -> String {
        let signer: String = self
            .signer
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "@._-+".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{}-{signer}", self.role.as_str())
    }
}

/// Parses an expiry: RFC 3339, or YYYY-MM-DD meaning the end of that day (UTC).
pub fn parse_expiry(s: &str) -> crate::Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    crate::inventory::parse_day(s.trim())
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc())
        .ok_or_else(|| crate::Error::InvalidInput {
            what: "expiry",
            input: s.to_string(),
            reason: "write YYYY-MM-DD or an RFC 3339 time".into(),
        })
}

/// An identity normalised for comparison with a roster entry (see [`crate::identity`]):
/// NFKC, case folding, invisible characters and whitespace removed, `Name <e-mail>` unwrapped,
/// e-mail sub-addresses folded.
pub fn normalize_identity(s: &str) -> String {
    crate::identity::roster_key(s, true)
}

/// Whether two identities are the same person, look-alike spellings folded
/// ([`crate::identity::same_person`]).
pub fn same_person(a: &str, b: &str) -> bool {
    crate::identity::same_person(a, b)
}

/// Whether the policy's roster gives `signer` the role.
pub fn roster_has(policy: &crate::policy::Policy, signer: &str, role: Role) -> bool {
    roster_roles(policy, signer).contains(&role)
}

/// Every role the policy's roster gives `signer` (entries compared as
/// [`crate::identity::roster_key`] compares them), sorted, each once.
pub fn roster_roles(policy: &crate::policy::Policy, signer: &str) -> Vec<Role> {
    let fold = policy.fold_subaddresses;
    let n = crate::identity::roster_key(signer, fold);
    let mut out: Vec<Role> = policy
        .roster
        .iter()
        .filter(|(who, _)| crate::identity::roster_key(who, fold) == n)
        .flat_map(|(_, roles)| roles.iter().copied())
        .collect();
    out.sort_by_key(|r| r.as_str());
    out.dedup();
    out
}

/// Who built a version, as the platform spells them: its creator, its run's user (the run's
/// `user_id` and its `mlflow.user` tag) and the model's owner.
pub fn builders(snapshot: &crate::platform::VersionSnapshot) -> Vec<(String, &'static str)> {
    let run = snapshot.run.as_ref();
    builders_of(
        snapshot.version.creator.as_deref(),
        run.and_then(|r| r.user.as_deref()),
        run.and_then(|r| r.tags.get("mlflow.user"))
            .map(String::as_str),
        snapshot.model.owner.as_deref(),
    )
}

/// The builders from their parts (a version creator, its run's user and `mlflow.user` tag, the
/// model's owner), named by what they are: what [`builders`] and a review's frozen evidence
/// both judge by.
pub fn builders_of(
    creator: Option<&str>,
    run_user: Option<&str>,
    run_user_tag: Option<&str>,
    owner: Option<&str>,
) -> Vec<(String, &'static str)> {
    [
        (creator, "creator of the version"),
        (run_user, "user of the version's run"),
        (
            run_user_tag,
            "user of the version's run (its mlflow.user tag)",
        ),
        (owner, "owner of the model"),
    ]
    .into_iter()
    .filter_map(|(who, what)| Some((who?.to_string(), what)))
    .filter(|(n, _)| !n.trim().is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_normalise() {
        assert_eq!(
            normalize_identity(" Bob Builder <Bob.Builder@Demo.Bank > "),
            "bob.builder@demo.bank"
        );
        assert_eq!(
            normalize_identity("BOB.builder@demo.bank"),
            "bob.builder@demo.bank"
        );
        assert_eq!(
            normalize_identity("bob . builder@demo.bank"),
            "bob.builder@demo.bank"
        );
    }

    #[test]
    fn record_bytes_follow_the_design_order() {
        let r = ApprovalRecord {
            kind: APPROVAL_TYPE_V1.into(),
            model: ApprovalModel {
                platform: "p".into(),
                name: "m".into(),
                version: "1".into(),
                run_id: None,
                source: "s".into(),
            },
            tier: "1".into(),
            role: Role::Validator,
            decision: Decision::ApproveWithConditions,
            conditions: vec!["c".into()],
            expires_at: Some("2027-01-01T00:00:00Z".into()),
            evidence_sha256: "e".into(),
            review_sha256: "r".into(),
            policy_sha256: "p".into(),
            policy_release_sha256: None,
            validator_record_sha256: None,
            inventory: None,
            artifacts: None,
            signer: "vera@x".into(),
            key_fingerprint: "SHA256:x".into(),
            signed_at: "2026-11-25T00:00:00Z".into(),
        };
        let text = String::from_utf8(r.to_bytes()).unwrap();
        let order = [
            "\"type\"",
            "\"model\"",
            "\"tier\"",
            "\"role\"",
            "\"decision\"",
            "\"conditions\"",
            "\"expires_at\"",
            "\"evidence_sha256\"",
            "\"review_sha256\"",
            "\"policy_sha256\"",
            "\"signer\"",
            "\"key_fingerprint\"",
            "\"signed_at\"",
        ];
        let pos: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.contains("\"decision\": \"approve_with_conditions\""));
        assert_eq!(r.file_stem(), "validator-vera@x");
        let back: ApprovalRecord = serde_json::from_slice(&r.to_bytes()).unwrap();
        assert_eq!(back, r);
    }
}
