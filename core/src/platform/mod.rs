//! ML platforms: where models are registered.
//!
//! A [`Platform`] hands the whole inventory over as a [`Snapshot`]; [`crate::sync`] turns
//! snapshots into an incremental update of the local store.

pub mod folder;
pub mod mlflow;

use crate::model::{LoggedModel, Model, Run, TagNames, Version};
use crate::uri::PlatformUri;
use crate::Result;

/// Progress of a long platform operation, for progress displays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What is being done ("models", "versions", "runs", …).
    pub stage: String,
    /// Items done so far in this stage.
    pub done: u64,
    /// Items in this stage, where known.
    pub total: Option<u64>,
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

/// What to fetch.
pub struct FetchRequest<'a> {
    /// Returns true for run ids the caller already holds (they are not fetched again).
    pub have_run: &'a dyn Fn(&str) -> bool,
    /// Returns true for logged-model ids the caller already holds.
    pub have_logged_model: &'a dyn Fn(&str) -> bool,
    /// Receives progress.
    pub progress: &'a mut dyn FnMut(Progress),
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
}

/// Opens the platform a URI names.
pub fn open(uri: &PlatformUri, tag_names: TagNames) -> Result<Box<dyn Platform>> {
    Ok(match uri {
        PlatformUri::Mlflow(url) => Box::new(mlflow::MlflowClient::new(
            url.clone(),
            mlflow::ClientOptions::from_env(),
            tag_names,
        )?),
        PlatformUri::Folder(path) => Box::new(folder::FolderPlatform::new(path.clone(), tag_names)),
    })
}
