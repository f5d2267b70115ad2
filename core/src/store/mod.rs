//! The local store: an embedded SQLite database in the user's data directory.
//!
//! It holds the synced inventory of every platform the user has opened (keyed by the
//! platform's display URI), sync cursors, and settings such as the last platform used. Writes
//! happen in one transaction per operation, so a killed process leaves the previous good state.

use crate::model::Snapshot;
use crate::model::{LoggedModel, Model, Run, Version};
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod evidence;

/// Writes a model record (sync and the refresh of one version share it).
const UPSERT_MODEL: &str = "INSERT INTO models (platform, name, kind, json) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(platform, name) DO UPDATE SET kind = excluded.kind, json = excluded.json";

/// Writes a version record (sync and the refresh of one version share it).
const UPSERT_VERSION: &str = "INSERT INTO versions (platform, name, version, run_id, json) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(platform, name, version) DO UPDATE SET run_id = excluded.run_id, json = excluded.json";
mod ledger;
mod reviews;
pub use reviews::OpenFindings;
mod triggers;

pub use ledger::{LedgerEntry, LedgerReport};

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE models (
  platform TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (platform, name));
CREATE TABLE versions (
  platform TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, run_id TEXT, json TEXT NOT NULL,
  PRIMARY KEY (platform, name, version));
CREATE INDEX versions_run ON versions (platform, run_id);
CREATE TABLE runs (platform TEXT NOT NULL, run_id TEXT NOT NULL, finished INTEGER NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (platform, run_id));
CREATE TABLE dataset_uses (platform TEXT NOT NULL, run_id TEXT NOT NULL, digest TEXT NOT NULL,
  source TEXT NOT NULL, name TEXT NOT NULL, context TEXT NOT NULL);
CREATE INDEX dataset_uses_digest ON dataset_uses (platform, digest);
CREATE INDEX dataset_uses_source ON dataset_uses (platform, source);
CREATE INDEX dataset_uses_run ON dataset_uses (platform, run_id);
CREATE TABLE run_model_inputs (platform TEXT NOT NULL, run_id TEXT NOT NULL, model_ref TEXT NOT NULL);
CREATE INDEX run_model_inputs_ref ON run_model_inputs (platform, model_ref);
CREATE TABLE logged_models (platform TEXT NOT NULL, model_id TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (platform, model_id));
CREATE TABLE sync_state (platform TEXT PRIMARY KEY, json TEXT NOT NULL);
"#,
    r#"
CREATE TABLE policies (sha256 TEXT PRIMARY KEY, text TEXT NOT NULL, first_seen TEXT NOT NULL);
CREATE TABLE reviews (id TEXT PRIMARY KEY, platform TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
  started_at TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX reviews_version ON reviews (platform, name, version, started_at);
CREATE TABLE review_answers (review_id TEXT NOT NULL REFERENCES reviews(id), item_id TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (review_id, item_id));
CREATE TABLE review_findings (review_id TEXT NOT NULL REFERENCES reviews(id), finding_id TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (review_id, finding_id));
"#,
    r#"
CREATE TABLE ledger (seq INTEGER PRIMARY KEY, approval_sha256 TEXT NOT NULL, entry TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX ledger_approval ON ledger (approval_sha256);
"#,
    r#"
CREATE TABLE trigger_seen (platform TEXT NOT NULL, version TEXT NOT NULL, reason TEXT NOT NULL,
  first_seen TEXT NOT NULL, PRIMARY KEY (platform, version, reason));
"#,
    r#"
CREATE TABLE review_report (review_id TEXT NOT NULL REFERENCES reviews(id), section TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (review_id, section));
"#,
];

/// A version's (name, version, run id, aliases, stage), as [`Store::version_runs`] lists them.
pub type VersionRun = (String, String, Option<String>, Vec<String>, Option<String>);

/// The local store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What a sync changed in the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ApplyReport {
    /// Models added.
    pub models_added: u64,
    /// Models whose record changed.
    pub models_updated: u64,
    /// Models gone from the platform and removed.
    pub models_removed: u64,
    /// Versions added.
    pub versions_added: u64,
    /// Versions whose record changed.
    pub versions_updated: u64,
    /// Versions removed.
    pub versions_removed: u64,
    /// Runs written (new or refreshed).
    pub runs_written: u64,
    /// Runs no longer referenced and removed.
    pub runs_removed: u64,
}

/// The state of the last successful sync of one platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SyncState {
    /// When it finished (RFC 3339).
    pub finished_at: String,
    /// Models held after it.
    pub models: u64,
    /// Versions held after it.
    pub versions: u64,
    /// Runs held after it.
    pub runs: u64,
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> String {
    // Serialising our own plain data types cannot fail.
    serde_json::to_string(v).unwrap_or_default()
}

impl Store {
    /// Opens (creating if needed) the store at `path`, and migrates it.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            let created = !dir.as_os_str().is_empty() && !dir.exists();
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            restrict_dir(dir, created);
        }
        let conn = Connection::open(path).map_err(|e| store_err(path, &e))?;
        restrict_file(path);
        let mut s = Self {
            conn,
            path: path.to_path_buf(),
        };
        s.init()?;
        Ok(s)
    }

    /// Opens an in-memory store (tests, benchmarks).
    pub fn in_memory() -> Result<Self> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| store_err(&path, &e))?;
        let mut s = Self { conn, path };
        s.init()?;
        Ok(s)
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> Error {
        store_err(&self.path, &e)
    }

    fn init(&mut self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;")
            .map_err(|e| self.err(e))?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version as usize > MIGRATIONS.len() {
            return Err(Error::Store {
                path: self.path.clone(),
                message: format!(
                    "schema version {version} is newer than this Countersign understands ({}); upgrade Countersign",
                    MIGRATIONS.len()
                ),
            });
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| store_err(&self.path, &e))?;
            tx.execute_batch(m).map_err(|e| store_err(&self.path, &e))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(|e| store_err(&self.path, &e))?;
            tx.commit().map_err(|e| store_err(&self.path, &e))?;
        }
        Ok(())
    }

    /// Reads a setting.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Writes a setting.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Ids of finished runs held for a platform (runs still running are fetched again).
    pub fn finished_run_ids(&self, platform: &str) -> Result<BTreeSet<String>> {
        self.strings(
            "SELECT run_id FROM runs WHERE platform = ?1 AND finished = 1",
            platform,
        )
    }

    /// Ids of held runs whose traces were read (GenAI evaluations: their `assessments` are
    /// in the stored JSON), which a sync reads again every time.
    pub fn runs_with_traces(&self, platform: &str) -> Result<BTreeSet<String>> {
        self.strings(
            "SELECT run_id FROM runs WHERE platform = ?1 AND json LIKE '%\"assessments\":%'",
            platform,
        )
    }

    /// Ids of logged models held for a platform.
    pub fn logged_model_ids(&self, platform: &str) -> Result<BTreeSet<String>> {
        self.strings(
            "SELECT model_id FROM logged_models WHERE platform = ?1",
            platform,
        )
    }

    /// Every version's (name, version, run id, aliases), without decoding the versions: what
    /// a sync needs to decide which runs to read again.
    pub fn version_runs(&self, platform: &str) -> Result<Vec<VersionRun>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT name, version, run_id, json_extract(json, '$.aliases'), json_extract(json, '$.stage') FROM versions WHERE platform = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([platform], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, version, run, aliases, stage) = row.map_err(|e| self.err(e))?;
            let aliases: Vec<String> = aliases
                .and_then(|a| serde_json::from_str(&a).ok())
                .unwrap_or_default();
            out.push((name, version, run, aliases, stage));
        }
        Ok(out)
    }

    fn strings(&self, sql: &str, platform: &str) -> Result<BTreeSet<String>> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map([platform], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Applies a platform snapshot in one transaction: models and versions are replaced by
    /// the snapshot's (removing what the platform no longer has), runs and logged models are
    /// added or refreshed, and runs no version or evaluation needs any more are dropped.
    pub fn apply_snapshot(
        &mut self,
        platform: &str,
        snap: &Snapshot,
        finished_at: &str,
    ) -> Result<ApplyReport> {
        let path = self.path.clone();
        let e = |err: rusqlite::Error| store_err(&path, &err);
        let mut report = ApplyReport::default();
        // IMMEDIATE: a second connection (a TUI job, the desktop's long commands) writing at
        // the same time makes this wait for the lock rather than fail.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(e)?;
        {
            // Models.
            let old: BTreeMap<String, String> = query_pairs(
                &tx,
                "SELECT name, json FROM models WHERE platform = ?1",
                platform,
            )
            .map_err(e)?;
            let mut upsert = tx.prepare_cached(UPSERT_MODEL).map_err(e)?;
            let mut new_names = BTreeSet::new();
            for m in &snap.models {
                let json = to_json(m);
                new_names.insert(m.name.clone());
                match old.get(&m.name) {
                    Some(j) if *j == json => continue,
                    Some(_) => report.models_updated += 1,
                    None => report.models_added += 1,
                }
                upsert
                    .execute(params![platform, m.name, m.kind.as_str(), json])
                    .map_err(e)?;
            }
            let mut del = tx
                .prepare_cached("DELETE FROM models WHERE platform = ?1 AND name = ?2")
                .map_err(e)?;
            for name in old.keys().filter(|n| !new_names.contains(*n)) {
                del.execute(params![platform, name]).map_err(e)?;
                report.models_removed += 1;
            }

            // Versions.
            let old: BTreeMap<String, String> = query_pairs(
                &tx,
                "SELECT name || char(31) || version, json FROM versions WHERE platform = ?1",
                platform,
            )
            .map_err(e)?;
            let mut upsert = tx.prepare_cached(UPSERT_VERSION).map_err(e)?;
            let mut new_keys = BTreeSet::new();
            for v in &snap.versions {
                let key = format!("{}\u{1f}{}", v.name, v.version);
                let json = to_json(v);
                match old.get(&key) {
                    Some(j) if *j == json => {
                        new_keys.insert(key);
                        continue;
                    }
                    Some(_) => report.versions_updated += 1,
                    None => report.versions_added += 1,
                }
                new_keys.insert(key);
                upsert
                    .execute(params![platform, v.name, v.version, v.run_id, json])
                    .map_err(e)?;
            }
            let mut del = tx
                .prepare_cached(
                    "DELETE FROM versions WHERE platform = ?1 AND name = ?2 AND version = ?3",
                )
                .map_err(e)?;
            for key in old.keys().filter(|k| !new_keys.contains(*k)) {
                if let Some((n, v)) = key.split_once('\u{1f}') {
                    del.execute(params![platform, n, v]).map_err(e)?;
                    report.versions_removed += 1;
                }
            }

            // Runs.
            report.runs_written += write_runs(&tx, platform, &snap.runs).map_err(e)?;
            write_logged_models(&tx, platform, &snap.logged_models).map_err(e)?;
            // Drop runs that no version references and that evaluate nothing.
            report.runs_removed = tx
                .execute(
                    "DELETE FROM runs WHERE platform = ?1
                       AND run_id NOT IN (SELECT run_id FROM versions WHERE platform = ?1 AND run_id IS NOT NULL)
                       AND run_id NOT IN (SELECT run_id FROM run_model_inputs WHERE platform = ?1)",
                    [platform],
                )
                .map_err(e)? as u64;
            tx.execute(
                "DELETE FROM dataset_uses WHERE platform = ?1 AND run_id NOT IN (SELECT run_id FROM runs WHERE platform = ?1)",
                [platform],
            )
            .map_err(e)?;
            // The state of this sync, counts included, committed with the inventory.
            let count = |table: &str| -> rusqlite::Result<u64> {
                tx.query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE platform = ?1"),
                    [platform],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n as u64)
            };
            let state = SyncState {
                finished_at: finished_at.to_string(),
                models: count("models").map_err(e)?,
                versions: count("versions").map_err(e)?,
                runs: count("runs").map_err(e)?,
            };
            tx.execute(
                "INSERT INTO sync_state (platform, json) VALUES (?1, ?2) ON CONFLICT(platform) DO UPDATE SET json = excluded.json",
                params![platform, to_json(&state)],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok(report)
    }

    /// [`Store::refresh_version`] from a version as the platform shows it now.
    pub fn refresh_snapshot(
        &self,
        platform: &str,
        snap: &crate::platform::VersionSnapshot,
    ) -> Result<()> {
        let runs: Vec<Run> = snap
            .run
            .iter()
            .chain(snap.evaluations.iter())
            .cloned()
            .collect();
        self.refresh_version(
            platform,
            &snap.model,
            &snap.version,
            &runs,
            snap.logged_model.as_ref(),
        )
    }

    /// Writes what the platform shows of one version now (its model record, the version, its
    /// run and the runs that evaluated it, its logged model) over what the last sync stored,
    /// in one transaction: a new review then freezes the evidence as it is, even when a
    /// finished run was changed after the sync read it.
    pub fn refresh_version(
        &self,
        platform: &str,
        model: &Model,
        version: &Version,
        runs: &[Run],
        logged_model: Option<&LoggedModel>,
    ) -> Result<()> {
        let path = self.path.clone();
        let e = |err: rusqlite::Error| store_err(&path, &err);
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(e)?;
        let m = model;
        tx.execute(
            UPSERT_MODEL,
            params![platform, m.name, m.kind.as_str(), to_json(m)],
        )
        .map_err(e)?;
        let v = version;
        tx.execute(
            UPSERT_VERSION,
            params![platform, v.name, v.version, v.run_id, to_json(v)],
        )
        .map_err(e)?;
        write_runs(&tx, platform, runs).map_err(e)?;
        write_logged_models(&tx, platform, logged_model.cloned().as_slice()).map_err(e)?;
        // Runs that no longer evaluate the version (an evaluation deleted, a folder's
        // `evaluates` edited) stop counting as its evaluations: the store's evidence of the
        // version is then exactly what the platform shows.
        let fresh: BTreeSet<&str> = runs.iter().map(|r| r.run_id.as_str()).collect();
        let refs: Vec<String> = std::iter::once(format!("{}/{}", v.name, v.version))
            .chain(v.logged_model_id().map(str::to_string))
            .collect();
        for model_ref in &refs {
            let linked: Vec<String> = {
                let mut st = tx
                    .prepare_cached(
                        "SELECT run_id FROM run_model_inputs WHERE platform = ?1 AND model_ref = ?2",
                    )
                    .map_err(e)?;
                let rows = st
                    .query_map(params![platform, model_ref], |r| r.get::<_, String>(0))
                    .map_err(e)?;
                rows.collect::<std::result::Result<_, _>>().map_err(e)?
            };
            for run_id in linked.iter().filter(|id| !fresh.contains(id.as_str())) {
                tx.execute(
                    "DELETE FROM run_model_inputs WHERE platform = ?1 AND model_ref = ?2 AND run_id = ?3",
                    params![platform, model_ref, run_id],
                )
                .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// The last successful sync of a platform.
    pub fn sync_state(&self, platform: &str) -> Result<Option<SyncState>> {
        self.one(
            "SELECT json FROM sync_state WHERE platform = ?1",
            params![platform],
        )
    }

    /// Counts of models, versions and runs held for a platform.
    pub fn counts(&self, platform: &str) -> Result<(u64, u64, u64)> {
        let count = |table: &str| -> Result<u64> {
            self.conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE platform = ?1"),
                    [platform],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n as u64)
                .map_err(|e| self.err(e))
        };
        Ok((count("models")?, count("versions")?, count("runs")?))
    }

    pub(crate) fn one<T: DeserializeOwned>(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
    ) -> Result<Option<T>> {
        let json: Option<String> = self
            .conn
            .query_row(sql, p, |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        json.map(|j| self.decode(&j)).transpose()
    }

    pub(crate) fn many<T: DeserializeOwned>(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<T>> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(p, |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for j in rows {
            out.push(self.decode(&j.map_err(|e| self.err(e))?)?);
        }
        Ok(out)
    }

    fn decode<T: DeserializeOwned>(&self, json: &str) -> Result<T> {
        serde_json::from_str(json).map_err(|e| Error::Store {
            path: self.path.clone(),
            message: format!(
                "a stored record cannot be read ({e}); run `countersign sync --full` to rebuild it"
            ),
        })
    }

    /// All models of a platform, by name.
    pub fn models(&self, platform: &str) -> Result<Vec<Model>> {
        self.many(
            "SELECT json FROM models WHERE platform = ?1 ORDER BY name",
            [platform],
        )
    }

    /// One model.
    pub fn model(&self, platform: &str, name: &str) -> Result<Option<Model>> {
        self.one(
            "SELECT json FROM models WHERE platform = ?1 AND name = ?2",
            params![platform, name],
        )
    }

    /// All versions of a platform.
    pub fn all_versions(&self, platform: &str) -> Result<Vec<Version>> {
        self.many("SELECT json FROM versions WHERE platform = ?1", [platform])
    }

    /// Per model: (latest version, number of versions), without decoding the versions.
    pub fn version_summary(
        &self,
        platform: &str,
    ) -> Result<std::collections::HashMap<String, (String, u64)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT name, MAX(CAST(version AS INTEGER)), COUNT(*) FROM versions WHERE platform = ?1 GROUP BY name")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([platform], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (name, latest, n) = row.map_err(|e| self.err(e))?;
            out.insert(name, (latest.to_string(), n as u64));
        }
        Ok(out)
    }

    /// Versions of one model, newest first.
    pub fn versions(&self, platform: &str, name: &str) -> Result<Vec<Version>> {
        let mut v: Vec<Version> = self.many(
            "SELECT json FROM versions WHERE platform = ?1 AND name = ?2",
            params![platform, name],
        )?;
        v.sort_by_key(|x| std::cmp::Reverse(x.number()));
        Ok(v)
    }

    /// One version.
    pub fn version(&self, platform: &str, name: &str, version: &str) -> Result<Option<Version>> {
        self.one(
            "SELECT json FROM versions WHERE platform = ?1 AND name = ?2 AND version = ?3",
            params![platform, name, version],
        )
    }

    /// Versions produced by the given run.
    pub fn versions_of_run(&self, platform: &str, run_id: &str) -> Result<Vec<Version>> {
        self.many("SELECT json FROM versions WHERE platform = ?1 AND run_id = ?2 ORDER BY name, CAST(version AS INTEGER)", params![platform, run_id])
    }

    /// One run.
    pub fn run(&self, platform: &str, run_id: &str) -> Result<Option<Run>> {
        self.one(
            "SELECT json FROM runs WHERE platform = ?1 AND run_id = ?2",
            params![platform, run_id],
        )
    }

    /// One logged model.
    pub fn logged_model(&self, platform: &str, model_id: &str) -> Result<Option<LoggedModel>> {
        self.one(
            "SELECT json FROM logged_models WHERE platform = ?1 AND model_id = ?2",
            params![platform, model_id],
        )
    }

    /// Runs that consumed the given model reference (a logged-model id or `NAME/VERSION`).
    pub fn runs_with_model_input(&self, platform: &str, model_ref: &str) -> Result<Vec<Run>> {
        self.many(
            "SELECT r.json FROM runs r JOIN run_model_inputs m ON m.platform = r.platform AND m.run_id = r.run_id
             WHERE r.platform = ?1 AND m.model_ref = ?2 ORDER BY r.run_id",
            params![platform, model_ref],
        )
    }

    /// Ids of runs that consumed a dataset with this digest or source.
    pub fn runs_using_dataset(
        &self,
        platform: &str,
        digest_or_source: &str,
    ) -> Result<BTreeSet<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT run_id FROM dataset_uses WHERE platform = ?1 AND (digest = ?2 OR source = ?2)")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![platform, digest_or_source], |r| {
                r.get::<_, String>(0)
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Runs SQLite's integrity check; `Ok(())` when the database is sound.
    pub fn integrity_check(&self) -> Result<()> {
        let r: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if r == "ok" {
            Ok(())
        } else {
            Err(Error::Store {
                path: self.path.clone(),
                message: format!("integrity check failed: {r}"),
            })
        }
    }
}

fn query_pairs(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    platform: &str,
) -> rusqlite::Result<BTreeMap<String, String>> {
    let mut st = tx.prepare_cached(sql)?;
    let rows = st.query_map([platform], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    rows.collect()
}

fn store_err(path: &Path, e: &rusqlite::Error) -> Error {
    Error::Store {
        path: path.to_path_buf(),
        message: format!(
            "{e}. If the file is damaged, move it away and run `countersign sync` to rebuild it"
        ),
    }
}

#[cfg(unix)]
fn restrict_file(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

/// Makes the data directory private to its owner when Countersign created it or it is the
/// default one (`…/countersign`); a directory the user chose and made is left as it is.
#[cfg(unix)]
fn restrict_dir(path: &Path, created: bool) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path) {
        if m.permissions().mode() & 0o077 != 0
            && (created || path.file_name().is_some_and(|n| n == "countersign"))
        {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700));
        }
    }
}

#[cfg(not(unix))]
fn restrict_file(_: &Path) {}
#[cfg(not(unix))]
fn restrict_dir(_: &Path, _: bool) {}

/// Writes runs (with their dataset uses and model inputs) inside a transaction; returns how
/// many.
fn write_runs(
    tx: &rusqlite::Transaction<'_>,
    platform: &str,
    runs: &[Run],
) -> std::result::Result<u64, rusqlite::Error> {
    let mut written = 0;
    let mut put_run = tx
        .prepare_cached("INSERT INTO runs (platform, run_id, finished, json) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(platform, run_id) DO UPDATE SET finished = excluded.finished, json = excluded.json")
        ?;
    let mut clear_ds =
        tx.prepare_cached("DELETE FROM dataset_uses WHERE platform = ?1 AND run_id = ?2")?;
    let mut put_ds = tx
        .prepare_cached("INSERT INTO dataset_uses (platform, run_id, digest, source, name, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        ?;
    let mut clear_mi =
        tx.prepare_cached("DELETE FROM run_model_inputs WHERE platform = ?1 AND run_id = ?2")?;
    let mut put_mi = tx.prepare_cached(
        "INSERT INTO run_model_inputs (platform, run_id, model_ref) VALUES (?1, ?2, ?3)",
    )?;
    for r in runs {
        let finished = r.status != "RUNNING" && r.status != "SCHEDULED";
        put_run.execute(params![platform, r.run_id, finished, to_json(r)])?;
        clear_ds.execute(params![platform, r.run_id])?;
        for d in &r.datasets {
            put_ds.execute(params![
                platform, r.run_id, d.digest, d.source, d.name, d.context
            ])?;
        }
        clear_mi.execute(params![platform, r.run_id])?;
        for m in &r.model_inputs {
            put_mi.execute(params![platform, r.run_id, m])?;
        }
        written += 1;
    }
    Ok(written)
}

/// Writes logged models inside a transaction.
fn write_logged_models(
    tx: &rusqlite::Transaction<'_>,
    platform: &str,
    models: &[LoggedModel],
) -> std::result::Result<(), rusqlite::Error> {
    let mut put_lm = tx
        .prepare_cached("INSERT INTO logged_models (platform, model_id, json) VALUES (?1, ?2, ?3) ON CONFLICT(platform, model_id) DO UPDATE SET json = excluded.json")
        ?;
    for m in models {
        put_lm.execute(params![platform, m.model_id, to_json(m)])?;
    }
    Ok(())
}
