//! The inventory's domain types, independent of any platform's wire format.
//!
//! Collections are `BTreeMap`s or sorted `Vec`s so that serialising them is deterministic.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What kind of inventory entry a model is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// A trained model (an MLflow registered model).
    Classic,
    /// An LLM prompt (MLflow's prompt registry).
    Prompt,
    /// A vendor or externally built model.
    Vendor,
}

impl ModelKind {
    /// The kind's name as shown and as accepted by filters.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Classic => "classic",
            ModelKind::Prompt => "prompt",
            ModelKind::Vendor => "vendor",
        }
    }

    /// Parses a kind name (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "classic" | "model" => Some(ModelKind::Classic),
            "prompt" | "llm_prompt" => Some(ModelKind::Prompt),
            "vendor" => Some(ModelKind::Vendor),
            _ => None,
        }
    }
}

/// The tag names that carry inventory fields on the platform (set in the policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TagNames {
    /// Owner tag (default `owner`).
    pub owner: String,
    /// Business purpose tag (default `business_purpose`).
    pub business_purpose: String,
    /// Risk tier tag (default `risk_tier`).
    pub risk_tier: String,
    /// Next review date tag (default `next_review_date`).
    pub next_review_date: String,
    /// Monitoring status tag (default `monitoring`).
    pub monitoring: String,
    /// LLM provider tag (default `llm_provider`).
    pub llm_provider: String,
    /// Tag marking a vendor model (default `model_kind`, value `vendor`).
    pub model_kind: String,
    /// Documentation link tag (default `documentation_url`).
    pub documentation: String,
}

impl Default for TagNames {
    fn default() -> Self {
        Self {
            owner: "owner".into(),
            business_purpose: "business_purpose".into(),
            risk_tier: "risk_tier".into(),
            next_review_date: "next_review_date".into(),
            monitoring: "monitoring".into(),
            llm_provider: "llm_provider".into(),
            model_kind: "model_kind".into(),
            documentation: "documentation_url".into(),
        }
    }
}

/// One inventory entry: a registered model or a prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Model {
    /// Unique name on its platform.
    pub name: String,
    /// Classic model, prompt or vendor model.
    pub kind: ModelKind,
    /// Free-text description.
    pub description: String,
    /// Owner (usually an e-mail address).
    pub owner: Option<String>,
    /// Business purpose.
    pub business_purpose: Option<String>,
    /// Risk tier as recorded on the platform (e.g. "1").
    pub risk_tier: Option<String>,
    /// Next review date (YYYY-MM-DD) as recorded on the platform.
    pub next_review_date: Option<String>,
    /// Monitoring status (e.g. "enabled").
    pub monitoring: Option<String>,
    /// LLM or vendor provider, where there is one.
    pub llm_provider: Option<String>,
    /// Creation time (ms since the epoch).
    pub created_ms: i64,
    /// Last update time (ms since the epoch), as the platform reports it.
    pub updated_ms: i64,
    /// All tags.
    pub tags: BTreeMap<String, String>,
    /// Alias → version.
    pub aliases: BTreeMap<String, String>,
    /// Version → the registry stage it is in (MLflow's `Staging`, `Production`, `Archived`:
    /// how MLflow 2.x says "in production"), for every version in one; empty where the
    /// platform has none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[ts(as = "Option<BTreeMap<String, String>>", optional)]
    pub stages: BTreeMap<String, String>,
}

impl Model {
    /// Fills the inventory fields from tags, using the given tag names.
    pub fn apply_tag_names(&mut self, names: &TagNames) {
        let get = |k: &str| self.tags.get(k).filter(|v| !v.trim().is_empty()).cloned();
        self.owner = get(&names.owner);
        self.business_purpose = get(&names.business_purpose);
        self.risk_tier = get(&names.risk_tier);
        self.next_review_date = get(&names.next_review_date);
        self.monitoring = get(&names.monitoring);
        self.llm_provider = get(&names.llm_provider);
        if self.kind == ModelKind::Classic
            && self
                .tags
                .get(&names.model_kind)
                .is_some_and(|v| v.eq_ignore_ascii_case("vendor"))
        {
            self.kind = ModelKind::Vendor;
        }
    }

    /// Whether the next review date is before `today` (YYYY-MM-DD strings compare as dates).
    pub fn is_overdue(&self, today: &str) -> bool {
        self.next_review_date
            .as_deref()
            .is_some_and(|d| d.len() == 10 && d < today)
    }
}

/// One version of a model (`models:/NAME/VERSION`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Version {
    /// Model name.
    pub name: String,
    /// Version string.
    pub version: String,
    /// Who created the version, where the platform records it.
    pub creator: Option<String>,
    /// Creation time (ms since the epoch).
    pub created_ms: i64,
    /// Last update time (ms since the epoch).
    pub updated_ms: i64,
    /// Where the model files come from (`models:/m-…`, `runs:/…`, a path).
    pub source: String,
    /// The run that produced it, if any.
    pub run_id: Option<String>,
    /// Registry status (e.g. READY).
    pub status: String,
    /// Description.
    pub description: String,
    /// Aliases pointing at this version, sorted.
    pub aliases: Vec<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Model files the version names (folder platform: paths inside the folder).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The registry stage it is in (MLflow's `current_stage`: `Staging`, `Production`,
    /// `Archived`); `None` when it is in none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stage: Option<String>,
}

impl Version {
    /// Sort key: numeric version order.
    pub fn number(&self) -> u64 {
        self.version.parse().unwrap_or(0)
    }

    /// The MLflow 3 logged-model id, parsed from `source` (`models:/m-…`).
    pub fn logged_model_id(&self) -> Option<&str> {
        self.source
            .strip_prefix("models:/")
            .filter(|id| id.starts_with("m-") && !id.contains('/'))
    }
}

/// One point of a metric's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MetricPoint {
    /// Step.
    pub step: i64,
    /// Timestamp (ms since the epoch).
    pub timestamp_ms: i64,
    /// Value (`None` for NaN/Inf, which JSON cannot carry).
    pub value: Option<f64>,
}

/// A metric: its latest value and, where logged at several steps, its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Metric {
    /// Latest value (`None` for NaN/Inf).
    pub value: Option<f64>,
    /// Step of the latest value.
    pub step: i64,
    /// Timestamp of the latest value (ms).
    pub timestamp_ms: i64,
    /// Full history, sorted by step then timestamp; empty when only one value was logged.
    #[serde(default)]
    pub history: Vec<MetricPoint>,
}

/// A dataset a run consumed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
pub struct DatasetInput {
    /// Usage context (training, validation, evaluation, …).
    pub context: String,
    /// Dataset name.
    pub name: String,
    /// Content digest.
    pub digest: String,
    /// Source type (s3, gs, local, …).
    pub source_type: String,
    /// Source (the URI when the platform gives one, else the raw source text).
    pub source: String,
    /// Tags the platform records on this use of the dataset (MLflow's input tags but
    /// `mlflow.data.context`; a folder run's `tags` table); left out when there are none, so
    /// evidence without them hashes as before.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[ts(as = "Option<BTreeMap<String, String>>", optional)]
    pub tags: BTreeMap<String, String>,
}

/// A training or evaluation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Run {
    /// Run id.
    pub run_id: String,
    /// Run name.
    pub run_name: String,
    /// Experiment id.
    pub experiment_id: String,
    /// Experiment name, where known.
    pub experiment_name: Option<String>,
    /// The user who ran it.
    pub user: Option<String>,
    /// Status (FINISHED, RUNNING, …).
    pub status: String,
    /// Start time (ms).
    pub start_ms: i64,
    /// End time (ms), if finished.
    pub end_ms: Option<i64>,
    /// Source file or notebook (`mlflow.source.name`).
    pub source_name: Option<String>,
    /// Git commit (`mlflow.source.git.commit`).
    pub git_commit: Option<String>,
    /// Git repository URL (`mlflow.source.git.repoURL`).
    pub git_repo: Option<String>,
    /// Parameters.
    pub params: BTreeMap<String, String>,
    /// Metrics.
    pub metrics: BTreeMap<String, Metric>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Dataset inputs, sorted.
    pub datasets: Vec<DatasetInput>,
    /// Logged models this run consumed (MLflow 3 `model_inputs`), sorted.
    pub model_inputs: Vec<String>,
    /// Whether the run is deleted on the platform.
    pub deleted: bool,
    /// The assessments on the traces of a GenAI evaluation run (MLflow 3
    /// `mlflow.genai.evaluate`), summarised; left out for other runs, so their evidence hashes
    /// as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub assessments: Option<Assessments>,
}

/// What the traces of one evaluation run hold: each trace is one evaluated row, its
/// assessments the scorers' and reviewers' verdicts on it. At most the policy's
/// `[evidence] max_traces` traces are read (the oldest first, so the sample stays the same as
/// traces are added); `more` says when there were more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Assessments {
    /// The most traces read (the policy's `[evidence] max_traces` when they were read).
    pub cap: u64,
    /// Traces read (each once, however the pages came).
    pub traces: u64,
    /// Whether the run has more traces than were read (the cap was reached).
    pub more: bool,
    /// Per assessment name (a scorer's or a reviewer's question).
    pub by_name: BTreeMap<String, AssessmentSummary>,
}

/// The valid (not overridden) assessments of one name over the traces read. Only feedback
/// with a value counts as a verdict; errors and expectations are counted apart.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct AssessmentSummary {
    /// Traces carrying at least one verdict of this name from any source.
    pub traces_any: u64,
    /// Traces carrying at least one verdict of this name, per source type (`HUMAN`,
    /// `LLM_JUDGE`, `CODE`, as MLflow records it).
    pub traces_by_source: BTreeMap<String, u64>,
    /// Verdicts of this name (feedback with a value: not an error, not an expectation), per
    /// source type.
    pub by_source: BTreeMap<String, u64>,
    /// Who or what gave them (the source ids: a scorer's name, a reviewer), sorted.
    pub sources: Vec<String>,
    /// Feedback that is `true` (or "yes"/"pass").
    pub passed: u64,
    /// Feedback that is `false` (or "no"/"fail").
    pub failed: u64,
    /// The mean of numeric feedback, when there is any.
    pub mean: Option<f64>,
    /// Numeric feedback values.
    pub numeric: u64,
    /// Feedback that is an error (the scorer failed on that row).
    pub errors: u64,
    /// Expectations (ground truth) rather than feedback.
    pub expectations: u64,
}

/// An MLflow 3 logged model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct LoggedModel {
    /// `m-…` id.
    pub model_id: String,
    /// Name given at logging time.
    pub name: String,
    /// Experiment id.
    pub experiment_id: String,
    /// The run that produced it.
    pub source_run_id: Option<String>,
    /// Status.
    pub status: String,
    /// Model type (e.g. "vendor" for external models).
    pub model_type: String,
    /// Parameters.
    pub params: BTreeMap<String, String>,
    /// Latest metric values.
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Runs other than the source run that logged metrics against this model (evaluations),
    /// sorted.
    #[serde(default)]
    pub evaluation_run_ids: Vec<String>,
}

/// Everything a platform holds that the inventory needs.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// All models and prompts.
    pub models: Vec<Model>,
    /// All versions of those models.
    pub versions: Vec<Version>,
    /// The runs that were fetched (runs the caller already had are left out).
    pub runs: Vec<Run>,
    /// Logged models behind the versions that were fetched.
    pub logged_models: Vec<LoggedModel>,
    /// Ids of runs that were asked for but are gone from the platform.
    pub missing_runs: Vec<String>,
}
