//! Pulling a platform's inventory into the local store.
//!
//! The first sync pulls everything; later ones fetch again the cheap bulk lists (models and
//! versions, needed anyway because MLflow's tag and alias writes do not move any timestamp),
//! the runs and logged models the store does not hold yet, and — because a metric or tag can
//! be logged to a finished run at any time without moving anything a list shows — the runs
//! that matter to reviewers every time (versions under review, signed, or holding a production
//! alias, with their evaluations; GenAI evaluations, whose traces get feedback later) and every
//! other run on a rolling basis (a share per sync,
//! so each is read again within `rolling_syncs` syncs). Nothing is written until the whole
//! fetch has succeeded, so a failed sync leaves the previous state.

use crate::platform::{FetchRequest, Platform, Progress};
use crate::store::{ApplyReport, Store};
use crate::Result;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Options of one sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Fetch every run again, even those already held.
    pub full: bool,
    /// Aliases that put a version in production: its run is read again at every sync.
    pub production_aliases: Vec<String>,
    /// Registry stages that do the same (MLflow 2.x).
    pub production_stages: Vec<String>,
    /// Every held run is read again at least once in this many syncs (0: only by `--full`).
    pub rolling_syncs: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            full: false,
            production_aliases: vec!["champion".into(), "production".into()],
            production_stages: vec!["Production".into()],
            rolling_syncs: 10,
        }
    }
}

/// Why a held run is read again by a sync that is not `--full`.
const UNDER_REVIEW: &str = "under review";
const SIGNED: &str = "signed";
const PRODUCTION: &str = "in production";
const GENAI: &str = "genai evaluation";
const ROLLING: &str = "rolling";

/// A run id's place in the rolling refresh (FNV-1a: stable across runs and machines).
fn rolling_slot(id: &str, every: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % every.max(1)
}

/// The held runs (and logged models) this sync reads again, each with why.
fn refresh_plan(
    store: &Store,
    key: &str,
    options: &SyncOptions,
    held: &BTreeSet<String>,
    sync_number: u64,
) -> Result<(BTreeMap<String, &'static str>, BTreeSet<String>)> {
    let reviewed = store.reviewed_versions(key)?;
    let signed: BTreeSet<String> = store
        .ledger_entries()?
        .into_iter()
        .filter(|e| e.platform == key)
        .map(|e| e.version)
        .collect();
    let mut runs: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut models = BTreeSet::new();
    for (name, version, run, aliases, stage) in store.version_runs(key)? {
        let vref = format!("models:/{name}/{version}");
        let why = if reviewed.contains(&vref) {
            Some(UNDER_REVIEW)
        } else if signed.contains(&vref) {
            Some(SIGNED)
        } else if aliases.iter().any(|a| {
            options
                .production_aliases
                .iter()
                .any(|p| p.eq_ignore_ascii_case(a))
        }) || stage.as_deref().is_some_and(|s| {
            options
                .production_stages
                .iter()
                .any(|p| p.eq_ignore_ascii_case(s))
        }) {
            Some(PRODUCTION)
        } else {
            None
        };
        let Some(why) = why else { continue };
        if let Some(r) = run.filter(|r| held.contains(r)) {
            runs.entry(r).or_insert(why);
        }
        // Its evaluations, and its logged model (which names the evaluation runs).
        let mut evals = store.runs_with_model_input(key, &format!("{name}/{version}"))?;
        if let Some(v) = store.version(key, &name, &version)? {
            if let Some(id) = v.logged_model_id() {
                evals.extend(store.runs_with_model_input(key, id)?);
                models.insert(id.to_string());
            }
        }
        for e in evals {
            if held.contains(&e.run_id) {
                runs.entry(e.run_id).or_insert(why);
            }
        }
    }
    // GenAI evaluations: reviewers and judges add feedback to their traces after the run
    // finished, and nothing a listing shows moves when they do.
    for id in store.runs_with_traces(key)? {
        if held.contains(&id) {
            runs.entry(id).or_insert(GENAI);
        }
    }
    if options.rolling_syncs > 0 {
        let slot = (sync_number % u64::from(options.rolling_syncs)) as u32;
        for id in held {
            if rolling_slot(id, options.rolling_syncs) == slot {
                runs.entry(id.clone()).or_insert(ROLLING);
            }
        }
    }
    Ok((runs, models))
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
    /// Runs the store held that this sync read again, by why: "under review", "signed", "in
    /// production" (each sync), "rolling" (a share per sync). Empty for `--full`, which reads
    /// every run.
    #[serde(default)]
    pub runs_reread: BTreeMap<String, u64>,
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
    let counter = format!("sync.count.{key}");
    let sync_number: u64 = store
        .meta(&counter)?
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut again = BTreeMap::new();
    let (have_runs, have_models) = if options.full {
        Default::default()
    } else {
        let mut runs = store.finished_run_ids(&key)?;
        let mut models = store.logged_model_ids(&key)?;
        let (plan, again_models) = refresh_plan(store, &key, &options, &runs, sync_number)?;
        for id in plan.keys() {
            runs.remove(id);
        }
        for id in &again_models {
            models.remove(id);
        }
        again = plan;
        (runs, models)
    };
    let snap = platform.fetch(FetchRequest {
        have_run: &|id| have_runs.contains(id),
        have_logged_model: &|id| have_models.contains(id),
        progress,
    })?;
    let runs_fetched = snap.runs.len() as u64;
    // What was read again, by why: counted from what the platform returned (a run the plan
    // names but the platform reaches only through a model it did not read is not counted).
    let mut runs_reread = BTreeMap::new();
    for r in &snap.runs {
        if let Some(why) = again.get(&r.run_id) {
            *runs_reread.entry(why.to_string()).or_insert(0) += 1;
        }
    }
    progress(Progress::new("saving", 0, None));
    let finished_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let changes = store.apply_snapshot(&key, &snap, &finished_at)?;
    store.set_meta(&counter, &(sync_number + 1).to_string())?;
    let (models, versions, runs) = store.counts(&key)?;
    store.set_meta("last_platform", &key)?;
    Ok(SyncReport {
        platform: key,
        changes,
        models,
        versions,
        runs,
        runs_fetched,
        runs_reread,
        missing_runs: snap.missing_runs,
        requests: platform.request_count() - before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::folder::FolderPlatform;

    fn write(dir: &std::path::Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn model(name: &str, run: &str, alias: bool) -> String {
        format!(
            "name = \"{name}\"\ncreated = 2025-01-01\n{}[[versions]]\nversion = 1\ncreated = \"2025-02-01T00:00:00Z\"\nrun_id = \"{run}\"\n",
            if alias { "[aliases]\nchampion = \"1\"\n" } else { "" }
        )
    }

    fn run(id: &str, metrics: &str) -> String {
        format!("run_id = \"{id}\"\nstart = 2025-01-30\nend = 2025-01-31\nstatus = \"FINISHED\"\n[metrics]\n{metrics}")
    }

    #[test]
    fn a_metric_logged_later_on_a_production_run_shows_after_a_plain_sync() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "models/prod.toml", &model("prod", "rp", true));
        write(d.path(), "models/other.toml", &model("other", "ro", false));
        write(d.path(), "runs/rp.toml", &run("rp", "auc = 0.8\n"));
        write(d.path(), "runs/ro.toml", &run("ro", "auc = 0.7\n"));
        let p = FolderPlatform::new(d.path().to_path_buf(), Default::default());
        let mut store = Store::open(&d.path().join("s.db")).unwrap();
        let opts = SyncOptions {
            rolling_syncs: 0,
            ..SyncOptions::default()
        };
        sync(&p, &mut store, opts.clone(), &mut |_| {}).unwrap();
        write(
            d.path(),
            "runs/rp.toml",
            &run("rp", "auc = 0.8\nlate = 0.5\n"),
        );
        write(
            d.path(),
            "runs/ro.toml",
            &run("ro", "auc = 0.7\nlate = 0.5\n"),
        );
        let r = sync(&p, &mut store, opts, &mut |_| {}).unwrap();
        assert_eq!(r.runs_reread.get(PRODUCTION), Some(&1), "{r:?}");
        let key = p.uri();
        let late = |store: &Store, id: &str| {
            store
                .run(&key, id)
                .unwrap()
                .unwrap()
                .metrics
                .contains_key("late")
        };
        assert!(
            late(&store, "rp"),
            "the production version's run was read again"
        );
        assert!(
            !late(&store, "ro"),
            "another finished run waits for its rolling turn (or --full)"
        );
        // With the rolling share on, every run is read again within that many syncs.
        let every = SyncOptions {
            rolling_syncs: 3,
            ..SyncOptions::default()
        };
        for _ in 0..3 {
            sync(&p, &mut store, every.clone(), &mut |_| {}).unwrap();
        }
        assert!(late(&store, "ro"));
    }
}
