//! MLflow 3.x REST wire types. Empty collections and messages are left out by the server, so
//! every collection defaults and every scalar is optional.

use serde::Deserialize;

/// A key/value tag.
#[derive(Debug, Deserialize, Default)]
pub(super) struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct Alias {
    pub alias: String,
    pub version: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct RegisteredModel {
    pub name: String,
    #[serde(default)]
    pub creation_timestamp: Option<i64>,
    #[serde(default)]
    pub last_updated_timestamp: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub aliases: Vec<Alias>,
    /// The latest version per stage (MLflow 2.x's stages; 3.x lists them with stage None).
    #[serde(default)]
    pub latest_versions: Vec<ModelVersion>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct SearchRegisteredModels {
    #[serde(default)]
    pub registered_models: Vec<RegisteredModel>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ModelVersion {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub creation_timestamp: Option<i64>,
    #[serde(default)]
    pub last_updated_timestamp: Option<i64>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub current_stage: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct SearchModelVersions {
    #[serde(default)]
    pub model_versions: Vec<ModelVersion>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Experiment {
    pub experiment_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub artifact_location: String,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct SearchExperiments {
    #[serde(default)]
    pub experiments: Vec<Experiment>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RunInfo {
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub run_uuid: Option<String>,
    #[serde(default)]
    pub run_name: Option<String>,
    #[serde(default)]
    pub experiment_id: String,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub start_time: Option<i64>,
    #[serde(default)]
    pub end_time: Option<i64>,
    #[serde(default)]
    pub lifecycle_stage: Option<String>,
}

/// A metric value: a number, or a string for NaN/Infinity.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum MetricValue {
    Number(f64),
    /// "NaN", "Infinity": not a finite value.
    #[allow(dead_code)]
    Text(String),
}

impl MetricValue {
    pub(super) fn finite(&self) -> Option<f64> {
        match self {
            MetricValue::Number(v) if v.is_finite() => Some(*v),
            _ => None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct Metric {
    pub key: String,
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub value: Option<MetricValue>,
    #[serde(default)]
    pub timestamp: Option<i64>,
    #[serde(default)]
    pub step: Option<i64>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct RunData {
    #[serde(default)]
    pub metrics: Vec<Metric>,
    #[serde(default)]
    pub params: Vec<Tag>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct Dataset {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub source_type: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct DatasetInput {
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub dataset: Dataset,
}

#[derive(Debug, Deserialize)]
pub(super) struct ModelInput {
    pub model_id: String,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct RunInputs {
    #[serde(default)]
    pub dataset_inputs: Vec<DatasetInput>,
    #[serde(default)]
    pub model_inputs: Vec<ModelInput>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Run {
    pub info: RunInfo,
    #[serde(default)]
    pub data: RunData,
    #[serde(default)]
    pub inputs: RunInputs,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct SearchRuns {
    #[serde(default)]
    pub runs: Vec<Run>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct MetricHistory {
    #[serde(default)]
    pub metrics: Vec<Metric>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct LoggedModelInfo {
    pub model_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub experiment_id: String,
    #[serde(default)]
    pub source_run_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct LoggedModelData {
    #[serde(default)]
    pub params: Vec<Tag>,
    #[serde(default)]
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Deserialize)]
pub(super) struct LoggedModel {
    pub info: LoggedModelInfo,
    #[serde(default)]
    pub data: LoggedModelData,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct SearchLoggedModels {
    #[serde(default)]
    pub models: Vec<LoggedModel>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// MLflow's JSON error body.
#[derive(Debug, Deserialize)]
pub(super) struct ErrorBody {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `POST /api/3.0/mlflow/traces/search`: trace infos with their assessments.
#[derive(Debug, Deserialize, Default)]
pub(super) struct SearchTraces {
    #[serde(default)]
    pub traces: Vec<TraceInfo>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct TraceInfo {
    #[serde(default)]
    pub trace_id: String,
    #[serde(default)]
    pub assessments: Vec<Assessment>,
}

/// One assessment: feedback (a scorer's or reviewer's verdict) or an expectation (ground truth).
#[derive(Debug, Deserialize, Default)]
pub(super) struct Assessment {
    #[serde(default)]
    pub assessment_id: String,
    #[serde(default)]
    pub assessment_name: String,
    #[serde(default)]
    pub source: Option<AssessmentSource>,
    #[serde(default)]
    pub feedback: Option<Feedback>,
    #[serde(default)]
    pub expectation: Option<serde_json::Value>,
    /// False once another assessment overrides it.
    #[serde(default)]
    pub valid: Option<bool>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct AssessmentSource {
    #[serde(default)]
    pub source_type: Option<String>,
    #[serde(default)]
    pub source_id: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct Feedback {
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}
