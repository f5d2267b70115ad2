//! What an audit pack is made of: the data its documents are rendered from and its
//! manifest. The pack's writer (`audit_pack`) and its PDF (`pdf::audit`) both read these.

use crate::approval::verify::Verification;
use crate::evidence::Evidence;
use crate::policy::LoadedPolicy;
use crate::review::ReviewRecord;
use crate::uri::VersionRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The manifest's format identifier.
pub const MANIFEST_TYPE: &str = "countersign.audit-pack/v1";

/// Everything the pack's documents are made from.
#[derive(Debug, Clone)]
pub struct PackData {
    /// The version.
    pub version: VersionRef,
    /// Platform.
    pub platform: String,
    /// Who exported it.
    pub exporter: String,
    /// When (RFC 3339 UTC).
    pub created_at: String,
    /// The model record as the platform shows it now.
    pub model: crate::model::Model,
    /// The evidence the review froze (or, with no review, the current evidence).
    pub evidence: Evidence,
    /// `evidence.json` bytes.
    pub evidence_bytes: Vec<u8>,
    /// The review, if any.
    pub review: Option<ReviewRecord>,
    /// `review.json` bytes.
    pub review_bytes: Option<Vec<u8>>,
    /// The policy the review was made under (else the current one).
    pub policy: LoadedPolicy,
    /// Verification of every approval, and the gate.
    pub verification: Verification,
    /// Approval files: (file name, json bytes, sig bytes).
    pub approvals: Vec<(String, Vec<u8>, Option<Vec<u8>>)>,
    /// allowed_signers bytes (the roster of the release the review was made under).
    pub allowed_signers: Vec<u8>,
    /// The root chain the pinned root trusts, oldest first.
    pub chain: Vec<crate::trust::ChainedRoot>,
    /// SHA-256 of the pinned root.
    pub pinned_root: String,
    /// The releases the records (and the pack's policy) are under, by version.
    pub releases: Vec<crate::trust::release::VerifiedRelease>,
    /// Earlier reviews of the version that approvals in the pack bind (a version reviewed
    /// again: approvals of unchanged evidence made on the review it superseded still count).
    pub earlier_reviews: Vec<EarlierReview>,
    /// Champion-against-challenger comparisons of the review's tier (the validation report's
    /// chart), with the alias version's values from the store.
    pub comparisons: Vec<MetricComparison>,
}

/// The version against the one holding an alias, on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricComparison {
    /// Metric.
    pub metric: String,
    /// Alias compared with ("champion").
    pub alias: String,
    /// The alias's version, if the alias is set.
    pub alias_version: Option<String>,
    /// The alias version's value.
    pub champion: Option<f64>,
    /// This version's value.
    pub challenger: Option<f64>,
    /// Tolerated margin.
    pub margin: f64,
    /// Whether higher is better.
    pub higher_is_better: bool,
}

/// An earlier review an approval binds, carried in the pack under `dir`.
#[derive(Debug, Clone)]
pub struct EarlierReview {
    /// Its folder inside the pack (`earlier-reviews/NN`), chosen by Countersign.
    pub dir: String,
    /// SHA-256 of its `review.json`, as the records name it.
    pub review_sha256: String,
    /// `review.json` bytes.
    pub review_bytes: Vec<u8>,
    /// `evidence.json` bytes.
    pub evidence_bytes: Vec<u8>,
}

impl PackData {
    /// The pack's `review.json` and `evidence.json` a record binds: those of the earlier review
    /// it names, else the pack's own.
    pub fn bound_files(&self, r: &crate::approval::ApprovalRecord) -> (String, String) {
        match self
            .earlier_reviews
            .iter()
            .find(|e| e.review_sha256 == r.review_sha256)
        {
            Some(e) => (
                format!("{}/review.json", e.dir),
                format!("{}/evidence.json", e.dir),
            ),
            None => ("review.json".into(), "evidence.json".into()),
        }
    }

    /// The release a record is judged under (as verification does), if trusted.
    pub fn release_of(
        &self,
        r: &crate::approval::ApprovalRecord,
    ) -> Option<&crate::trust::release::VerifiedRelease> {
        if r.is_v2() {
            let h = r.policy_release_sha256.as_deref()?;
            self.releases.iter().find(|x| x.sha256 == h)
        } else {
            self.releases
                .iter()
                .rev()
                .find(|x| x.policy.sha256 == r.policy_sha256)
        }
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// Export time.
    pub created_at: String,
    /// Path → SHA-256.
    pub files: BTreeMap<String, String>,
}
