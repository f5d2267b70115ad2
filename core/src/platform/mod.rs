//! ML platforms: where models are registered.
//!
//! A [`Platform`] hands the whole inventory over as a [`Snapshot`]; the sync turns
//! snapshots into an incremental update of the local store.

pub mod folder;
pub mod mlflow;

use crate::model::{LoggedModel, Model, Run, TagNames, Version};
use crate::uri::PlatformUri;
use crate::Result;

/// Progress of a long platform operation, for progress displays.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct Progress {
    /// What is being done ("models", "versions", "runs", …).
    pub stage: String,
    /// Items done so far in this stage.
    pub done: u64,
    /// Items in this stage, where known.
    pub total: Option<u64>,
    /// The same as a sentence for a person ("Reading runs: 40 of 120"): what every front end
    /// shows.
    pub message: String,
}

impl Progress {
    /// Progress of `stage` (done of total), with its [`Progress::message`].
    pub fn new(stage: impl Into<String>, done: u64, total: Option<u64>) -> Self {
        let stage = stage.into();
        let what = match stage.as_str() {
            "models" => "Reading models".to_string(),
            "versions" => "Reading model versions".to_string(),
            "runs" => "Reading runs".to_string(),
            "metric history" => "Reading metric histories".to_string(),
            "logged models" => "Reading logged models".to_string(),
            "traces" => "Reading evaluation traces".to_string(),
            "saving" => "Saving to the local store".to_string(),
            "done" => "Done".to_string(),
            other => {
                let mut c = other.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect(),
                    None => "Working".to_string(),
                }
            }
        };
        let message = match (total, done) {
            (_, _) if stage == "done" => what,
            (Some(t), d) => format!("{what}: {d} of {t}"),
            (None, 0) => format!("{what}…"),
            (None, d) => format!("{what}: {d}"),
        };
        Self {
            stage,
            done,
            total,
            message,
        }
    }
}

pub use crate::model::Snapshot;

/// A file the platform lists under a version's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactEntry {
    /// Path under the source.
    pub path: String,
    /// Size, where listed.
    pub size: Option<u64>,
}

/// A file of the platform's policy area: path relative to it (`releases/3/release.json`).
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Path relative to the policy area, `/`-separated.
    pub path: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Where it was found (for messages).
    pub location: String,
}

/// Which part of the policy area to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyScope {
    /// Everything.
    All,
    /// Every root (`roots/…`).
    Roots,
    /// The releases signed under the root with this SHA-256 (`releases/…`).
    ReleasesUnder(String),
}

impl PolicyScope {
    /// Whether a file (path, bytes) belongs to this scope, as a platform that cannot filter
    /// on the server checks it.
    pub fn admits(&self, path: &str) -> bool {
        match self {
            PolicyScope::All => true,
            PolicyScope::Roots => path.starts_with("roots/"),
            PolicyScope::ReleasesUnder(_) => path.starts_with("releases/"),
        }
    }
}

/// The file naming a release's manifest in the policy area (`releases/N/release.json`).
pub const POLICY_MANIFEST_FILE: &str = "release.json";

/// The file of a trust root in the policy area (`roots/N/root.signers`).
pub const POLICY_ROOT_FILE: &str = "root.signers";

/// What to fetch.
pub struct FetchRequest<'a> {
    /// Returns true for run ids the caller already holds (they are not fetched again).
    pub have_run: &'a dyn Fn(&str) -> bool,
    /// Returns true for logged-model ids the caller already holds.
    pub have_logged_model: &'a dyn Fn(&str) -> bool,
    /// Receives progress.
    pub progress: &'a mut dyn FnMut(Progress),
}

impl std::fmt::Debug for FetchRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchRequest").finish_non_exhaustive()
    }
}

/// Everything the platform knows about one version right now (fetched fresh, not from the
/// store): what evidence and approval checks compare against.
#[derive(Debug, Clone)]
pub struct VersionSnapshot {
    /// The model.
    pub model: Model,
    /// The version.
    pub version: Version,
    /// Its run.
    pub run: Option<Run>,
    /// Its logged model.
    pub logged_model: Option<LoggedModel>,
    /// Runs that evaluated it.
    pub evaluations: Vec<Run>,
}

impl VersionSnapshot {
    /// The version's evidence as the platform shows it now.
    pub fn evidence(&self) -> crate::evidence::Evidence {
        crate::evidence::Evidence::assemble(
            &self.version,
            self.run.as_ref(),
            self.logged_model.clone(),
            &self.evaluations,
        )
    }
}

/// An approval record as found on the platform.
#[derive(Debug, Clone)]
pub struct StoredApproval {
    /// Where it is (a run artifact path or a file path).
    pub location: String,
    /// The record's exact bytes.
    pub json: Vec<u8>,
    /// The armored signature, if present.
    pub sig: Option<Vec<u8>>,
    /// Set when the record is in a review run that was deleted: what the platform says of it.
    pub deleted: Option<String>,
}

/// A review published on the platform.
#[derive(Debug, Clone)]
pub struct PublishedReview {
    /// Where it is (run id or folder).
    pub location: String,
    /// `review.json` bytes.
    pub review_json: Vec<u8>,
    /// `evidence.json` bytes.
    pub evidence_json: Vec<u8>,
}

/// Files of one review and one approval to write back.
#[derive(Debug)]
pub struct WriteBack<'a> {
    /// The version.
    pub version: &'a crate::uri::VersionRef,
    /// Review id.
    pub review_id: &'a str,
    /// Who writes (recorded as the run's user on MLflow).
    pub signer: &'a str,
    /// `evidence.json` bytes.
    pub evidence_json: &'a [u8],
    /// `review.json` bytes.
    pub review_json: &'a [u8],
    /// `<role>-<signer>` (file name stem under `approvals/`).
    pub approval_stem: &'a str,
    /// Approval record bytes.
    pub approval_json: &'a [u8],
    /// Armored signature.
    pub approval_sig: &'a [u8],
    /// Value for the version's `countersign.status` tag.
    pub status: &'a str,
}

/// A source of model inventory.
pub trait Platform: Send + Sync {
    /// The platform's URI as it may be displayed and recorded (no credentials).
    fn uri(&self) -> String;

    /// Fetches the inventory: all models and versions, plus the runs and logged models the
    /// request does not already hold.
    fn fetch(&self, req: FetchRequest<'_>) -> Result<Snapshot>;

    /// How many requests (HTTP requests, or files read) this platform has made so far.
    fn request_count(&self) -> u64;

    /// One version as the platform shows it now.
    fn fetch_version(&self, version: &crate::uri::VersionRef) -> Result<VersionSnapshot>;

    /// Writes a review's files and one approval, adding only: an existing approval file is
    /// never replaced. Returns where the approval was written.
    fn write_back(&self, w: &WriteBack<'_>) -> Result<String>;

    /// Every approval recorded for a version.
    fn list_approvals(&self, version: &crate::uri::VersionRef) -> Result<Vec<StoredApproval>>;

    /// The most recently published review of a version.
    fn latest_review(&self, version: &crate::uri::VersionRef) -> Result<Option<PublishedReview>>;

    /// Every review of a version published on the platform, the latest first: the audit pack
    /// carries the earlier ones that approvals still bind.
    fn published_reviews(&self, version: &crate::uri::VersionRef) -> Result<Vec<PublishedReview>> {
        Ok(self.latest_review(version)?.into_iter().collect())
    }

    /// A model's aliases (alias → version) as the platform shows them now.
    fn model_aliases(&self, name: &str) -> Result<std::collections::BTreeMap<String, String>>;

    /// The model files under a version's source (walking folders), or why they cannot be
    /// listed (a source outside the platform's reach: the reason is recorded, never hidden).
    fn artifact_list(
        &self,
        snapshot: &VersionSnapshot,
    ) -> Result<std::result::Result<Vec<crate::platform::ArtifactEntry>, String>>;

    /// One model file streamed through SHA-256: (size, hex digest), `None` when it is gone.
    fn hash_artifact(
        &self,
        snapshot: &VersionSnapshot,
        path: &str,
        on_bytes: &mut dyn FnMut(u64),
    ) -> Result<Option<(u64, String)>>;

    /// Files of the platform's policy area (roots and policy releases, DESIGN §7): a folder's
    /// `policy/`, MLflow's experiment `countersign-policy`; `scope` narrows what is read (a
    /// platform may return more). Nothing here is trusted until the trust chain
    /// checks its signatures.
    fn policy_files(
        &self,
        scope: &crate::platform::PolicyScope,
    ) -> Result<Vec<crate::platform::PolicyFile>>;

    /// Publishes files into the policy area (paths as in [`Platform::policy_files`]), adding
    /// only: a file already there with other bytes is refused. Returns where they went.
    fn publish_policy_files(&self, files: &[(String, Vec<u8>)]) -> Result<String>;

    /// Every version the platform holds reviews or approvals for, when it can list them
    /// cheaply; `None` when the synced version tags (`countersign.review_run_id`) tell instead.
    fn reviewed_versions(&self) -> Result<Option<Vec<crate::uri::VersionRef>>> {
        Ok(None)
    }

    /// Sets one of Countersign's own tags (`countersign.…`) on a registered model, where the
    /// platform keeps model tags (MLflow); returns whether it was written. Any other key is
    /// refused: the owner's tags are never written.
    fn set_countersign_model_tag(&self, _model: &str, key: &str, _value: &str) -> Result<bool> {
        check_countersign_key(key)?;
        Ok(false)
    }

    /// Writes an owner's attestation of a version (the record and its signature; a new entry,
    /// never over another). `signer` is recorded as the writer where the platform keeps one.
    /// Returns where it was written.
    fn write_attestation(
        &self,
        version: &crate::uri::VersionRef,
        signer: &str,
        stem: &str,
        json: &[u8],
        sig: &[u8],
    ) -> Result<String>;

    /// The file name (without `.json`) an attestation written under `stem` has where a
    /// reader downloads it: the stem itself, unless the platform names its files otherwise.
    fn attestation_file_stem(&self, stem: &str) -> String {
        stem.to_string()
    }

    /// Every attestation recorded for a version (record bytes and signature, unjudged).
    fn list_attestations(&self, version: &crate::uri::VersionRef) -> Result<Vec<StoredApproval>>;

    /// Approvals of this very version recorded while its model had another name (it was
    /// renamed since): where they are, the name they name, how many. Empty where the platform
    /// knows no renames (a folder's names are its paths).
    fn approvals_under_other_names(
        &self,
        _snapshot: &VersionSnapshot,
    ) -> Result<Vec<RenamedApprovals>> {
        Ok(Vec::new())
    }

    /// Creates a webhook named `name` delivering `events` (entity, action) to `url`, signed
    /// with `secret`; returns its id.
    fn create_webhook(
        &self,
        name: &str,
        url: &str,
        secret: &str,
        events: &[(&str, &str)],
    ) -> Result<String> {
        let _ = (name, url, secret, events);
        Err(crate::Error::InvalidInput {
            what: "webhook",
            input: self.uri(),
            reason: "this platform sends no webhooks (only MLflow 3.3 and later does): run `countersign sync` instead".into(),
        })
    }

    /// Deletes the webhooks named `name` delivering to `url`, but `keep`; returns how many.
    fn delete_webhooks(&self, name: &str, url: &str, keep: &str) -> Result<usize> {
        let _ = (name, url, keep);
        Ok(0)
    }

    /// Records who is to review or approve a version (replacing the assignment of that role,
    /// which every later read shows). Returns where it was written.
    fn assign(
        &self,
        version: &crate::uri::VersionRef,
        assignment: &crate::assignment::Assignment,
    ) -> Result<String>;
}

/// Approvals a version holds under its model's previous name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenamedApprovals {
    /// Where they are (e.g. `run ID`).
    pub location: String,
    /// The model name they name.
    pub name: String,
    /// How many approval records there are.
    pub count: usize,
    /// How many of them are rejects or cannot be read (they keep blocking the version).
    pub rejects: usize,
}

/// Refuses a tag key that is not Countersign's own (`countersign.` and something).
pub fn check_countersign_key(key: &str) -> Result<()> {
    match key.strip_prefix("countersign.") {
        Some(rest) if !rest.is_empty() => Ok(()),
        _ => Err(crate::Error::InvalidInput {
            what: "tag",
            input: key.to_string(),
            reason: "Countersign writes only its own tags (countersign.…)".into(),
        }),
    }
}

/// Opens the platform a URI names, reading evidence as the policy's `[evidence]` says.
pub fn open(
    uri: &PlatformUri,
    client: mlflow::ClientOptions,
    tag_names: TagNames,
    reading: &crate::policy::EvidencePolicy,
) -> Result<Box<dyn Platform>> {
    Ok(match uri {
        PlatformUri::Mlflow(url) => Box::new(
            mlflow::MlflowClient::new(url.clone(), client, tag_names)?
                .with_max_traces(reading.max_traces),
        ),
        PlatformUri::Folder(path) => Box::new(folder::FolderPlatform::new(path.clone(), tag_names)),
    })
}

#[cfg(test)]
mod progress_tests {
    use super::Progress;

    #[test]
    fn progress_reads_as_a_sentence() {
        assert_eq!(
            Progress::new("runs", 40, Some(120)).message,
            "Reading runs: 40 of 120"
        );
        assert_eq!(
            Progress::new("saving", 0, None).message,
            "Saving to the local store…"
        );
        assert_eq!(
            Progress::new("metric history", 3, None).message,
            "Reading metric histories: 3"
        );
        assert_eq!(
            Progress::new("hashing model files", 1, Some(2)).message,
            "Hashing model files: 1 of 2"
        );
        assert_eq!(Progress::new("done", 3, Some(3)).message, "Done");
    }
}
