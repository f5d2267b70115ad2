//! Pulling a platform's inventory into the local store.
//!
//! The first sync pulls everything; later ones fetch again only the cheap bulk lists (models
//! and versions, needed anyway because MLflow's tag and alias writes do not move any
//! timestamp) and only the runs and logged models the store does not hold yet. Nothing is
//! written until the whole fetch has succeeded, so a failed sync leaves the previous state.

use crate::platform::{FetchRequest, Platform, Progress};
use crate::store::{ApplyReport, Store};
use crate::Result;
use serde::{Deserialize, Serialize};

/// Options of one sync.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncOptions {
    /// Fetch every run again, even those already held.
    pub full: bool,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SyncReport {
    /// The platform, without credentials.
    pub platform: String,
    /// What changed in the store.
    #[serde(flatten)]
    pub changes: ApplyReport,
    /// Models held after the sync.
    pub models: u64,
    /// Versions held after the sync.
    pub versions: u64,
    /// Runs held after the sync.
    pub runs: u64,
    /// Runs fetched from the platform in this sync.
    pub runs_fetched: u64,
    /// Runs that versions point at but the platform no longer has.
    pub missing_runs: Vec<String>,
    /// Requests sent to the platform (files read, for a folder).
    pub requests: u64,
}

/// Syncs `platform` into `store`, reporting progress.
pub fn sync(
    platform: &dyn Platform,
    store: &mut Store,
    options: SyncOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncReport> {
    let key = platform.uri();
    let before = platform.request_count();
    let have_runs = if options.full {
        Default::default()
    } else {
        store.finished_run_ids(&key)?
    };
    let have_models = if options.full {
        Default::default()
    } else {
        store.logged_model_ids(&key)?
    };
    let snap = platform.fetch(FetchRequest {
        have_run: &|id| have_runs.contains(id),
        have_logged_model: &|id| have_models.contains(id),
        progress,
    })?;
    let runs_fetched = snap.runs.len() as u64;
    progress(Progress {
        stage: "saving".into(),
        done: 0,
        total: None,
    });
    let finished_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let changes = store.apply_snapshot(&key, &snap, &finished_at)?;
    let (models, versions, runs) = store.counts(&key)?;
    store.set_meta("last_platform", &key)?;
    Ok(SyncReport {
        platform: key,
        changes,
        models,
        versions,
        runs,
        runs_fetched,
        missing_runs: snap.missing_runs,
        requests: platform.request_count() - before,
    })
}
