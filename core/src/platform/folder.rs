//! The folder platform: models that live in no ML platform, described by TOML files.
//!
//! ```text
//! FOLDER/
//!   models/<any>.toml   one model (or prompt, or vendor model) with its versions
//!   runs/<any>.toml     one run: params, metrics (with history), tags, datasets
//! ```
//! Every field is documented in `docs/folder-platform.md`. Errors name the file, the line and
//! column, and the field.

use super::{FetchRequest, Platform, Progress, Snapshot};
use crate::model::{DatasetInput, Metric, MetricPoint, Model, ModelKind, Run, TagNames, Version};
use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A folder of TOML files acting as a platform.
#[derive(Debug)]
pub struct FolderPlatform {
    root: PathBuf,
    tag_names: TagNames,
    reads: AtomicU64,
}

/// A time in a folder file: an RFC 3339 string or a TOML date-time, or a bare date.
fn de_time<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<i64, D::Error> {
    let raw = toml::Value::deserialize(d)?;
    let text = match &raw {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(dt) => dt.to_string(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected an RFC 3339 time such as \"2025-03-01T10:00:00Z\", found {}",
                other.type_str()
            )))
        }
    };
    parse_time(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "'{text}' is not a time; write RFC 3339 such as \"2025-03-01T10:00:00Z\" or a date such as 2025-03-01"
        ))
    })
}

fn ser_time<S: serde::Serializer>(ms: &i64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&crate::encoding::rfc3339(*ms))
}

fn ser_opt_time<S: serde::Serializer>(
    ms: &Option<i64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => ser_time(ms, s),
        None => s.serialize_none(),
    }
}

fn de_opt_time<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<i64>, D::Error> {
    de_time(d).map(Some)
}

/// Parses RFC 3339 or YYYY-MM-DD into ms since the epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Some(t.timestamp_millis());
    }
    // Hand-written files: a loosely written date (`2025-3-1`) is read too.
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

/// A model file (`models/*.toml`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// Unique model name.
    pub name: String,
    /// `classic`, `prompt` or `vendor`.
    #[serde(default = "default_kind")]
    pub kind: ModelKind,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Creation time.
    #[serde(deserialize_with = "de_time", serialize_with = "ser_time")]
    pub created: i64,
    /// Tags (owner, risk_tier, … under the policy's tag names).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Alias → version.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Versions.
    #[serde(default)]
    pub versions: Vec<VersionEntry>,
}

fn default_kind() -> ModelKind {
    ModelKind::Classic
}

/// One version inside a model file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionEntry {
    /// Version number, as a string or an integer.
    #[serde(deserialize_with = "de_version")]
    pub version: String,
    /// Who created the version.
    #[serde(default)]
    pub creator: Option<String>,
    /// Creation time.
    #[serde(deserialize_with = "de_time", serialize_with = "ser_time")]
    pub created: i64,
    /// Where the artefact lives.
    #[serde(default)]
    pub source: String,
    /// The run (in `runs/`) that produced it.
    #[serde(default)]
    pub run_id: Option<String>,
    /// Status (default READY).
    #[serde(default = "default_status")]
    pub status: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The model's files: paths inside the folder (a file or a folder of files), hashed into
    /// approvals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

fn default_status() -> String {
    "READY".into()
}

fn de_version<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::String(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => Ok(s),
        toml::Value::Integer(i) if i > 0 => Ok(i.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "a version must be a positive number such as 3 or \"3\", found {other}"
        ))),
    }
}

/// A metric in a run file: one value, or its history by step.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetricEntry {
    /// A single value (step 0).
    Value(f64),
    /// Values at steps 0, 1, 2, …
    History(Vec<f64>),
}

/// A run file (`runs/*.toml`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    /// Run id, referenced by versions' `run_id`.
    pub run_id: String,
    /// Run name.
    #[serde(default)]
    pub name: String,
    /// Experiment (a free name).
    #[serde(default)]
    pub experiment: String,
    /// Who ran it.
    #[serde(default)]
    pub user: Option<String>,
    /// Status (default FINISHED).
    #[serde(default = "default_run_status")]
    pub status: String,
    /// Start time.
    #[serde(deserialize_with = "de_time", serialize_with = "ser_time")]
    pub start: i64,
    /// End time.
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        serialize_with = "ser_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub end: Option<i64>,
    /// Source file or notebook.
    #[serde(default)]
    pub source_name: Option<String>,
    /// Git commit.
    #[serde(default)]
    pub git_commit: Option<String>,
    /// Git repository URL.
    #[serde(default)]
    pub git_repo: Option<String>,
    /// Parameters.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Metrics.
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricEntry>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Dataset inputs.
    #[serde(default)]
    pub datasets: Vec<DatasetEntry>,
    /// Models this run evaluated, as `NAME/VERSION`.
    #[serde(default)]
    pub evaluates: Vec<String>,
}

fn default_run_status() -> String {
    "FINISHED".into()
}

/// A dataset input in a run file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetEntry {
    /// training, validation, evaluation, …
    pub context: String,
    /// Dataset name.
    pub name: String,
    /// Content digest.
    pub digest: String,
    /// Source type (s3, gs, local, database, …).
    #[serde(default)]
    pub source_type: String,
    /// Source URI.
    #[serde(default)]
    pub source: String,
    /// Tags on this use of the dataset, e.g. `tags = { classification = "pii" }` (what
    /// data-use rules match).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl FolderPlatform {
    /// A folder platform rooted at `root`.
    pub fn new(root: PathBuf, tag_names: TagNames) -> Self {
        Self {
            root,
            tag_names,
            reads: AtomicU64::new(0),
        }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A `/`-separated relative path inside the folder, or `None` when it would leave it
    /// (absolute, `..`, empty parts).
    fn inside(&self, rel: &str) -> Option<PathBuf> {
        let mut p = self.root.clone();
        let rel = rel.trim_end_matches('/');
        if rel.is_empty() || rel.starts_with('/') {
            return None;
        }
        for part in rel.split('/') {
            if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
                return None;
            }
            p.push(part);
        }
        // A folder on the way that is a symbolic link out of the platform is refused.
        if let (Some(parent), Ok(root)) = (p.parent(), std::fs::canonicalize(&self.root)) {
            if let Ok(real) = std::fs::canonicalize(parent) {
                if !real.starts_with(&root) {
                    return None;
                }
            }
        }
        Some(p)
    }

    /// `reviews/NAME/VERSION` inside the folder, each part encoded as one safe path component
    /// ([`crate::paths::encode_component`]): a hostile name never leaves the folder.
    pub fn review_dir(&self, r: &crate::uri::VersionRef) -> PathBuf {
        use crate::paths::encode_component;
        self.root
            .join("reviews")
            .join(encode_component(&r.name))
            .join(encode_component(&r.version))
    }

    /// The assignments recorded for a version (`reviews/NAME/VERSION/assignments/*.json`,
    /// the newest per role), as the version tags they are on MLflow. Links and files that do
    /// not parse are passed over: an assignment is a hint of who is to act, never a grant.
    fn assignment_tags(&self, r: &crate::uri::VersionRef) -> BTreeMap<String, String> {
        let dir = self.review_dir(r).join("assignments");
        let mut newest: BTreeMap<String, (String, String, String)> = BTreeMap::new();
        let is_dir = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
        if !is_dir || self.real_dirs(&dir).is_err() {
            return BTreeMap::new();
        }
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let file = entry.file_name().to_string_lossy().into_owned();
            if !file.ends_with(".json") || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            if entry.metadata().map_or(true, |m| m.len() > 64 * 1024) {
                continue;
            }
            self.reads.fetch_add(1, Ordering::Relaxed);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(a) = serde_json::from_str::<crate::assignment::Assignment>(&text) else {
                continue;
            };
            // Only a file named as `assign` names it (ROLE-STAMP.json) counts for that role.
            if !file.starts_with(&format!("{}-", a.role)) {
                continue;
            }
            let key = a.tag_key();
            // The file name's stamp (written by `assign`) orders them, not the text inside.
            let candidate = (file, a.at.clone(), a.tag_value());
            if newest.get(&key).is_none_or(|old| candidate > *old) {
                newest.insert(key, candidate);
            }
        }
        newest.into_iter().map(|(k, (_, _, v))| (k, v)).collect()
    }

    /// Refuses a review folder reached through a symbolic link (or holding something other than
    /// a folder on the way): a planted link would make reads or writes happen outside the
    /// platform's folder.
    fn real_dirs(&self, dir: &Path) -> Result<()> {
        let Ok(rel) = dir.strip_prefix(&self.root) else {
            return Err(Error::InvalidInput {
                what: "review folder",
                input: dir.display().to_string(),
                reason: "it is outside the platform's folder".into(),
            });
        };
        let mut at = self.root.clone();
        for part in rel.components() {
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
                    return Err(Error::InvalidFile {
                        path: at.clone(),
                        message: "a symbolic link or a file where Countersign keeps a review folder: refused (remove it; nothing is read or written through it)".into(),
                    })
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(Error::io(&at, e)),
            }
        }
        Ok(())
    }

    fn toml_files(&self, sub: &str) -> Result<Vec<PathBuf>> {
        let dir = self.root.join(sub);
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && sub == "runs" => return Ok(Vec::new()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::InvalidFile {
                    path: dir,
                    message: "folder not found: a folder platform holds models/*.toml (and runs/*.toml); see docs/folder-platform.md".into(),
                })
            }
            Err(e) => return Err(Error::io(dir, e)),
        };
        let mut out = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
        out.sort();
        Ok(out)
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, path: &Path) -> Result<T> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        crate::toml_file::parse(path, &text)
    }

    /// The approval records in one `approvals/` folder (none when it does not exist).
    fn approvals_in(&self, dir: &Path) -> Result<Vec<super::StoredApproval>> {
        self.real_dirs(dir)?;
        let rd = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(dir, e)),
        };
        // Only regular files are read, and only so much of them: a symbolic link (to the
        // reader's own key, say), a FIFO, a file swapped for one after a look, or a planted
        // giant is reported as an unreadable record — which blocks the version — and is never
        // copied into a pack.
        let mut out = Vec::new();
        for entry in rd {
            let p = entry.map_err(|e| Error::io(dir, e))?.path();
            if p.extension().is_some_and(|x| x == "json") {
                let json = read_capped(&p, MAX_RECORD_BYTES)
                    .unwrap_or_else(|why| format!("unreadable record: {why}").into_bytes());
                let sig_path = PathBuf::from(format!("{}.sig", p.display()));
                let sig =
                    match std::fs::symlink_metadata(&sig_path) {
                        Err(_) => None,
                        Ok(_) => Some(read_capped(&sig_path, MAX_SIGNATURE_BYTES).unwrap_or_else(
                            |why| format!("unreadable signature: {why}").into_bytes(),
                        )),
                    };
                out.push(super::StoredApproval {
                    location: p.display().to_string(),
                    json,
                    sig,
                    deleted: None,
                });
            }
        }
        out.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(out)
    }
}

fn invalid(path: &Path, message: String) -> Error {
    Error::InvalidFile {
        path: path.to_path_buf(),
        message,
    }
}

impl Platform for FolderPlatform {
    fn uri(&self) -> String {
        format!("folder:{}", self.root.display())
    }

    fn request_count(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    fn fetch_version(&self, r: &crate::uri::VersionRef) -> Result<super::VersionSnapshot> {
        let mut sink = |_: Progress| {};
        let snap = self.fetch(FetchRequest {
            have_run: &|_| false,
            have_logged_model: &|_| false,
            progress: &mut sink,
        })?;
        let nf = |what: String| Error::NotFound {
            what,
            hint: format!(" in {}", self.root.display()),
        };
        let model = snap
            .models
            .into_iter()
            .find(|m| m.name == r.name)
            .ok_or_else(|| nf(format!("model '{}'", r.name)))?;
        let version = snap
            .versions
            .into_iter()
            .find(|v| v.name == r.name && v.version == r.version)
            .ok_or_else(|| nf(format!("model version {r}")))?;
        let key = format!("{}/{}", r.name, r.version);
        let run = version
            .run_id
            .as_ref()
            .and_then(|id| snap.runs.iter().find(|x| &x.run_id == id).cloned());
        let evaluations = snap
            .runs
            .into_iter()
            .filter(|x| x.model_inputs.contains(&key) && Some(&x.run_id) != version.run_id.as_ref())
            .collect();
        Ok(super::VersionSnapshot {
            model,
            version,
            run,
            logged_model: None,
            evaluations,
        })
    }

    fn write_back(&self, w: &super::WriteBack<'_>) -> Result<String> {
        let dir = self.review_dir(w.version);
        self.real_dirs(&dir.join("approvals"))?;
        self.real_dirs(&dir.join("superseded"))?;
        std::fs::create_dir_all(dir.join("approvals")).map_err(|e| Error::io(&dir, e))?;
        // A review that was superseded is never made current again by a late signature.
        let mine = dir
            .join("superseded")
            .join(crate::paths::encode_component(w.review_id));
        if std::fs::symlink_metadata(&mine).is_ok() {
            return Err(Error::Refused { reasons: vec![format!("review {} of {} was superseded by a newer review; sign the current one (`countersign review list {}`)", w.review_id, w.version, w.version)] });
        }
        let review_path = dir.join("review.json");
        if let Ok(existing) = std::fs::read(&review_path) {
            if existing != w.review_json {
                let old_id = serde_json::from_slice::<serde_json::Value>(&existing)
                    .ok()
                    .and_then(|v| v["review_id"].as_str().map(str::to_string))
                    .unwrap_or_else(|| "unknown".into());
                if old_id == w.review_id {
                    return Err(Error::Refused { reasons: vec![format!("{} already holds review {old_id} with other content; start a new review", review_path.display())] });
                }
                // A new review supersedes the old one: move its files aside, never delete or
                // replace them. The id comes from the platform's review.json: encoded, never a
                // path. Approvals first and review.json last, so an interrupted move is
                // finished by the next write (review.json still names the old review).
                let base = dir.join("superseded");
                let mut aside = base.join(crate::paths::encode_component(&old_id));
                if aside.join("review.json").exists() {
                    // The same id superseded before (a planted or repeated id): its own folder.
                    aside = base.join(format!(
                        "{}-{}",
                        crate::paths::encode_component(&old_id),
                        &crate::encoding::sha256_hex(&existing)[..12]
                    ));
                }
                if aside.join("review.json").exists() {
                    return Err(Error::Refused {
                        reasons: vec![format!(
                            "{} already holds a superseded review {old_id}; nothing was moved",
                            aside.display()
                        )],
                    });
                }
                let old_approvals = aside.join("approvals");
                self.real_dirs(&old_approvals)?;
                std::fs::create_dir_all(&old_approvals)
                    .map_err(|e| Error::io(&old_approvals, e))?;
                // The approvals made on it go with it (a signer may approve the new review
                // too); they are still listed, so a reject among them keeps blocking.
                let approvals = dir.join("approvals");
                for entry in std::fs::read_dir(&approvals).map_err(|e| Error::io(&approvals, e))? {
                    let from = entry.map_err(|e| Error::io(&approvals, e))?.path();
                    if let Some(name) = from.file_name() {
                        move_new(&from, &old_approvals.join(name))?;
                    }
                }
                for name in ["evidence.json", "review.json"] {
                    let from = dir.join(name);
                    if from.exists() {
                        move_new(&from, &aside.join(name))?;
                    }
                }
            }
        }
        for (name, bytes) in [
            ("evidence.json", w.evidence_json),
            ("review.json", w.review_json),
        ] {
            let p = dir.join(name);
            match std::fs::read(&p) {
                Ok(have) if have == bytes => {}
                // Another review's file left beside this one (or planted): never mixed in.
                Ok(_) => return Err(Error::Refused { reasons: vec![format!("{} holds another review's {name}; move it aside (into superseded/) and sign again", p.display())] }),
                Err(_) => write_new(&p, bytes)?,
            }
        }
        let json_path = dir
            .join("approvals")
            .join(format!("{}.json", w.approval_stem));
        if json_path.exists() {
            return Err(Error::Refused {
                reasons: vec![format!(
                    "{} already exists; an approval is never replaced",
                    json_path.display()
                )],
            });
        }
        let sig_path = dir
            .join("approvals")
            .join(format!("{}.json.sig", w.approval_stem));
        if sig_path.exists() {
            // A signature without its record: a signing that was interrupted between the two
            // files. It can never count on its own; keep it aside and sign again.
            let aside = sig_path.with_extension(format!(
                "sig.orphaned-{}",
                chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f")
            ));
            std::fs::rename(&sig_path, &aside).map_err(|e| Error::io(&sig_path, e))?;
        }
        write_new(&sig_path, w.approval_sig)?;
        write_new(&json_path, w.approval_json)?;
        Ok(json_path.display().to_string())
    }

    fn model_aliases(&self, name: &str) -> Result<BTreeMap<String, String>> {
        let mut sink = |_: Progress| {};
        let snap = self.fetch(FetchRequest {
            have_run: &|_| true,
            have_logged_model: &|_| true,
            progress: &mut sink,
        })?;
        snap.models
            .into_iter()
            .find(|m| m.name == name)
            .map(|m| m.aliases)
            .ok_or_else(|| Error::NotFound {
                what: format!("model '{name}'"),
                hint: format!(" in {}", self.root.display()),
            })
    }

    fn reviewed_versions(&self) -> Result<Option<Vec<crate::uri::VersionRef>>> {
        let mut out = Vec::new();
        let reviews = self.root.join("reviews");
        for model in std::fs::read_dir(&reviews).into_iter().flatten().flatten() {
            for version in std::fs::read_dir(model.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let decoded = (
                    crate::paths::decode_component(&model.file_name().to_string_lossy()),
                    crate::paths::decode_component(&version.file_name().to_string_lossy()),
                );
                if let (true, (Some(name), Some(version))) = (version.path().is_dir(), decoded) {
                    out.push(crate::uri::VersionRef { name, version });
                }
            }
        }
        Ok(Some(out))
    }

    fn artifact_list(
        &self,
        snapshot: &super::VersionSnapshot,
    ) -> Result<std::result::Result<Vec<crate::platform::ArtifactEntry>, String>> {
        let mut out = Vec::new();
        for name in &snapshot.version.files {
            let Some(path) = self.inside(name) else {
                // Listed on its own, never read (it leaves the folder or goes through a link):
                // signing refuses it, and the other files are still bound.
                out.push(crate::platform::ArtifactEntry {
                    path: name.clone(),
                    size: None,
                });
                continue;
            };
            let mut stack = vec![(path, name.trim_matches('/').to_string())];
            while let Some((p, rel)) = stack.pop() {
                match std::fs::symlink_metadata(&p) {
                    Ok(m) if m.is_file() => out.push(crate::platform::ArtifactEntry {
                        path: rel,
                        size: Some(m.len()),
                    }),
                    Ok(m) if m.is_dir() => {
                        let rd = std::fs::read_dir(&p).map_err(|e| Error::io(&p, e))?;
                        for e in rd.flatten() {
                            let n = e.file_name().to_string_lossy().into_owned();
                            stack.push((e.path(), format!("{rel}/{n}")));
                        }
                    }
                    // A link or device is listed, never followed: it cannot be hashed.
                    Ok(_) | Err(_) => out.push(crate::platform::ArtifactEntry {
                        path: rel,
                        size: None,
                    }),
                }
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Ok(out))
    }

    fn hash_artifact(
        &self,
        _snapshot: &super::VersionSnapshot,
        path: &str,
        on_bytes: &mut dyn FnMut(u64),
    ) -> Result<Option<(u64, String)>> {
        use sha2::Digest;
        use std::io::Read;
        let Some(p) = self.inside(path) else {
            return Ok(None);
        };
        if !std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
            return Ok(None);
        }
        let mut f = std::fs::File::open(&p).map_err(|e| Error::io(&p, e))?;
        let mut h = sha2::Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = f.read(&mut buf).map_err(|e| Error::io(&p, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            total += n as u64;
            on_bytes(n as u64);
        }
        self.reads.fetch_add(1, Ordering::Relaxed);
        Ok(Some((
            total,
            h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        )))
    }

    fn policy_files(
        &self,
        scope: &crate::platform::PolicyScope,
    ) -> Result<Vec<crate::platform::PolicyFile>> {
        let base = self.root.join("policy");
        let mut out = Vec::new();
        // Regular files only, no symbolic links followed: what is read is what is there.
        fn walk(base: &Path, dir: &Path, out: &mut Vec<crate::platform::PolicyFile>) -> Result<()> {
            let rd = match std::fs::read_dir(dir) {
                Ok(rd) => rd,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(Error::io(dir, e)),
            };
            let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                let Ok(meta) = std::fs::symlink_metadata(&p) else {
                    continue;
                };
                if meta.is_dir() {
                    walk(base, &p, out)?;
                } else if meta.is_file() {
                    let rel = p
                        .strip_prefix(base)
                        .map(|r| {
                            r.components()
                                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                                .collect::<Vec<_>>()
                                .join("/")
                        })
                        .unwrap_or_default();
                    out.push(crate::platform::PolicyFile {
                        path: rel,
                        bytes: std::fs::read(&p).map_err(|e| Error::io(&p, e))?,
                        location: p.display().to_string(),
                    });
                }
            }
            Ok(())
        }
        walk(&base, &base, &mut out)?;
        out.retain(|f| scope.admits(&f.path));
        self.reads.fetch_add(out.len() as u64, Ordering::Relaxed);
        Ok(out)
    }

    fn publish_policy_files(&self, files: &[(String, Vec<u8>)]) -> Result<String> {
        let base = self.root.join("policy");
        for (rel, bytes) in files {
            let mut path = base.clone();
            for part in rel.split('/') {
                // Paths come from Countersign's own layout; a part that would leave the
                // folder is refused, never followed.
                if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
                    return Err(Error::InvalidInput {
                        what: "policy file path",
                        input: rel.clone(),
                        reason: "not a plain relative path".into(),
                    });
                }
                path.push(part);
            }
            // Never through a symbolic link someone planted on the way (the write would land
            // outside the platform, and readers, who never follow links, would not see it).
            let mut on_the_way = self.root.clone();
            for part in std::iter::once("policy").chain(rel.split('/')) {
                on_the_way.push(part);
                if std::fs::symlink_metadata(&on_the_way).is_ok_and(|m| m.file_type().is_symlink())
                {
                    return Err(Error::Refused {
                        reasons: vec![format!(
                            "{} is a symbolic link: nothing is published through one",
                            on_the_way.display()
                        )],
                    });
                }
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() && std::fs::read(&path).ok().as_deref() == Some(bytes) => {
                    continue
                }
                Ok(_) => {
                    return Err(Error::Refused {
                        reasons: vec![format!(
                            "{} is already published with other content: releases and roots are append-only (number a new one)",
                            path.display()
                        )],
                    })
                }
                Err(_) => write_new(&path, bytes)?,
            }
        }
        Ok(base.display().to_string())
    }

    fn assign(
        &self,
        r: &crate::uri::VersionRef,
        a: &crate::assignment::Assignment,
    ) -> Result<String> {
        let dir = self.review_dir(r).join("assignments");
        self.real_dirs(&dir)?;
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        self.real_dirs(&dir)?;
        // Files are only added: the newest per role is the assignment, the rest its history.
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.9fZ");
        let path = dir.join(format!("{}-{stamp}.json", a.role));
        write_new(&path, a.tag_value().as_bytes())?;
        Ok(path.display().to_string())
    }

    fn write_attestation(
        &self,
        r: &crate::uri::VersionRef,
        _signer: &str,
        stem: &str,
        json: &[u8],
        sig: &[u8],
    ) -> Result<String> {
        let dir = self.review_dir(r).join("attestations");
        self.real_dirs(&dir)?;
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        self.real_dirs(&dir)?;
        // The signature first: a record is never there without it.
        let path = dir.join(format!("{stem}.json"));
        write_new(&dir.join(format!("{stem}.json.sig")), sig)?;
        write_new(&path, json)?;
        Ok(path.display().to_string())
    }

    fn list_attestations(&self, r: &crate::uri::VersionRef) -> Result<Vec<super::StoredApproval>> {
        self.approvals_in(&self.review_dir(r).join("attestations"))
    }

    fn list_approvals(&self, r: &crate::uri::VersionRef) -> Result<Vec<super::StoredApproval>> {
        // The current review's approvals, then those of every review it superseded: a reject
        // on an earlier review keeps blocking, and an approval of unchanged evidence counts.
        let base = self.review_dir(r);
        let mut out = self.approvals_in(&base.join("approvals"))?;
        // Fail closed: a superseded folder that cannot be read is an error, and anything in it
        // that is not a plain folder is reported as an unreadable record (it blocks), never
        // skipped.
        let superseded = base.join("superseded");
        self.real_dirs(&superseded)?;
        let rd = match std::fs::read_dir(&superseded) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::io(&superseded, e)),
        };
        let mut dirs = Vec::new();
        for entry in rd {
            dirs.push(entry.map_err(|e| Error::io(&superseded, e))?.path());
        }
        dirs.sort();
        for d in dirs {
            if std::fs::symlink_metadata(&d).is_ok_and(|m| m.file_type().is_dir()) {
                out.extend(self.approvals_in(&d.join("approvals"))?);
            } else {
                out.push(super::StoredApproval {
                    location: d.display().to_string(),
                    json: b"not a folder of a superseded review (a symbolic link or a file): never read".to_vec(),
                    sig: None,
                    deleted: None,
                });
            }
        }
        Ok(out)
    }

    fn published_reviews(&self, r: &crate::uri::VersionRef) -> Result<Vec<super::PublishedReview>> {
        let mut out: Vec<super::PublishedReview> = self.latest_review(r)?.into_iter().collect();
        let superseded = self.review_dir(r).join("superseded");
        self.real_dirs(&superseded)?;
        let mut dirs: Vec<PathBuf> = match std::fs::read_dir(&superseded) {
            Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(&superseded, e)),
        };
        dirs.sort();
        for d in dirs.into_iter().rev() {
            // Only plain folders of plain files: a link is never followed (list_approvals
            // reports it as a record that blocks).
            if !std::fs::symlink_metadata(&d).is_ok_and(|m| m.file_type().is_dir()) {
                continue;
            }
            let read = |name: &str| {
                let p = d.join(name);
                std::fs::symlink_metadata(&p)
                    .ok()
                    .filter(|m| m.file_type().is_file())
                    .and_then(|_| std::fs::read(&p).ok())
            };
            if let (Some(review_json), Some(evidence_json)) =
                (read("review.json"), read("evidence.json"))
            {
                out.push(super::PublishedReview {
                    location: d.display().to_string(),
                    review_json,
                    evidence_json,
                });
            }
        }
        Ok(out)
    }

    fn latest_review(&self, r: &crate::uri::VersionRef) -> Result<Option<super::PublishedReview>> {
        let dir = self.review_dir(r);
        self.real_dirs(&dir)?;
        for name in ["review.json", "evidence.json"] {
            if std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| !m.file_type().is_file()) {
                return Err(Error::InvalidFile {
                    path: dir.join(name),
                    message: "not a regular file (a symbolic link?): refused, never read".into(),
                });
            }
        }
        match (
            std::fs::read(dir.join("review.json")),
            std::fs::read(dir.join("evidence.json")),
        ) {
            (Ok(review_json), Ok(evidence_json)) => Ok(Some(super::PublishedReview {
                location: dir.display().to_string(),
                review_json,
                evidence_json,
            })),
            _ => Ok(None),
        }
    }

    fn fetch(&self, req: FetchRequest<'_>) -> Result<Snapshot> {
        let progress = req.progress;
        let model_files = self.toml_files("models")?;
        let total = model_files.len() as u64;
        let mut snap = Snapshot::default();
        let mut seen = BTreeMap::new();
        for (i, path) in model_files.iter().enumerate() {
            let f: ModelFile = self.parse(path)?;
            if let Some(prev) = seen.insert(f.name.clone(), path.clone()) {
                return Err(invalid(
                    path,
                    format!(
                        "field `name`: model '{}' is already defined in {}",
                        f.name,
                        prev.display()
                    ),
                ));
            }
            let mut versions_seen = BTreeSet::new();
            for v in &f.versions {
                if !versions_seen.insert(v.version.clone()) {
                    return Err(invalid(
                        path,
                        format!("field `versions`: version {} appears twice", v.version),
                    ));
                }
            }
            for (alias, v) in &f.aliases {
                if !versions_seen.contains(v) {
                    return Err(invalid(
                        path,
                        format!("field `aliases.{alias}`: version {v} does not exist in this file"),
                    ));
                }
            }
            let latest_update = f
                .versions
                .iter()
                .map(|v| v.created)
                .max()
                .unwrap_or(f.created);
            let mut model = Model {
                name: f.name.clone(),
                kind: f.kind,
                description: f.description,
                owner: None,
                business_purpose: None,
                risk_tier: None,
                next_review_date: None,
                monitoring: None,
                llm_provider: None,
                created_ms: f.created,
                updated_ms: latest_update,
                tags: f.tags,
                aliases: f.aliases.clone(),
                stages: Default::default(),
            };
            model.apply_tag_names(&self.tag_names);
            for v in f.versions {
                let mut aliases: Vec<String> = f
                    .aliases
                    .iter()
                    .filter(|(_, to)| **to == v.version)
                    .map(|(a, _)| a.clone())
                    .collect();
                aliases.sort();
                let mut tags = v.tags;
                // Assignments come only from `assign`: a model file's own assignment tags are
                // dropped, and the files recorded beside the reviews take their place.
                tags.retain(|k, _| !k.starts_with(crate::assignment::TAG_PREFIX));
                tags.extend(self.assignment_tags(&crate::uri::VersionRef {
                    name: f.name.clone(),
                    version: v.version.clone(),
                }));
                snap.versions.push(Version {
                    name: f.name.clone(),
                    version: v.version,
                    creator: v.creator,
                    created_ms: v.created,
                    updated_ms: v.created,
                    source: v.source,
                    run_id: v.run_id,
                    status: v.status,
                    description: v.description,
                    aliases,
                    tags,
                    files: v.files,
                    stage: None,
                });
            }
            snap.models.push(model);
            progress(Progress::new("models", i as u64 + 1, Some(total)));
        }
        let wanted: BTreeSet<&str> = snap
            .versions
            .iter()
            .filter_map(|v| v.run_id.as_deref())
            .collect();
        let run_files = self.toml_files("runs")?;
        let mut found = BTreeSet::new();
        for path in &run_files {
            let f: RunFile = self.parse(path)?;
            found.insert(f.run_id.clone());
            if (req.have_run)(&f.run_id) {
                continue;
            }
            snap.runs.push(run_from_file(f));
        }
        snap.missing_runs = wanted
            .iter()
            .filter(|id| !found.contains(**id))
            .map(|s| s.to_string())
            .collect();
        progress(Progress::new(
            "runs",
            snap.runs.len() as u64,
            Some(snap.runs.len() as u64),
        ));
        Ok(snap)
    }
}

/// Writes a new file atomically; fails if it exists (never overwrites).
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    // create_new: never through a file or symbolic link someone planted under that name.
    let _ = std::fs::remove_file(&tmp);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| Error::io(&tmp, e))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked.map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::Refused {
            reasons: vec![format!(
                "{} already exists; it is never replaced",
                path.display()
            )],
        },
        _ => Error::io(path, e),
    })
}

/// Moves a file to a name that must not exist yet (a hard link, then the old name removed):
/// never replaces what is there, unlike a rename.
fn move_new(from: &Path, to: &Path) -> Result<()> {
    std::fs::hard_link(from, to).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::Refused {
            reasons: vec![format!(
                "{} already exists; a superseded file is never replaced",
                to.display()
            )],
        },
        _ => Error::io(from, e),
    })?;
    std::fs::remove_file(from).map_err(|e| Error::io(from, e))
}

fn run_from_file(f: RunFile) -> Run {
    let mut datasets: Vec<DatasetInput> = f
        .datasets
        .into_iter()
        .map(|d| DatasetInput {
            context: d.context,
            name: d.name,
            digest: d.digest,
            source_type: d.source_type,
            source: d.source,
            tags: d.tags,
        })
        .collect();
    datasets.sort();
    let metrics = f
        .metrics
        .into_iter()
        .map(|(k, m)| {
            let metric = match m {
                MetricEntry::Value(v) => Metric {
                    value: v.is_finite().then_some(v),
                    step: 0,
                    timestamp_ms: f.end.unwrap_or(f.start),
                    history: Vec::new(),
                },
                MetricEntry::History(values) => {
                    let history: Vec<MetricPoint> = values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| MetricPoint {
                            step: i as i64,
                            timestamp_ms: f.start + i as i64 * 1000,
                            value: v.is_finite().then_some(*v),
                        })
                        .collect();
                    let last = history.last().cloned().unwrap_or(MetricPoint {
                        step: 0,
                        timestamp_ms: f.start,
                        value: None,
                    });
                    Metric {
                        value: last.value,
                        step: last.step,
                        timestamp_ms: last.timestamp_ms,
                        history: if history.len() > 1 {
                            history
                        } else {
                            Vec::new()
                        },
                    }
                }
            };
            (k, metric)
        })
        .collect();
    let mut model_inputs = f.evaluates;
    model_inputs.sort();
    Run {
        run_id: f.run_id,
        run_name: f.name,
        experiment_id: f.experiment.clone(),
        experiment_name: (!f.experiment.is_empty()).then_some(f.experiment),
        user: f.user,
        status: f.status,
        start_ms: f.start,
        end_ms: f.end,
        source_name: f.source_name,
        git_commit: f.git_commit,
        git_repo: f.git_repo,
        params: f.params,
        metrics,
        tags: f.tags,
        datasets,
        model_inputs,
        deleted: false,
        assessments: None,
    }
}

/// The most bytes of a record file read (an approval lists every hashed model file).
const MAX_RECORD_BYTES: u64 = 32 * 1024 * 1024;
/// The most bytes of a signature file read (an armored SSHSIG is well under 1 KiB).
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// Reads a regular file of at most `cap` bytes, never following a symbolic link and never
/// waiting on a FIFO or device (the check is on the opened file, so a swap after a look is
/// caught); why not, when it cannot.
fn read_capped(path: &Path, cap: u64) -> std::result::Result<Vec<u8>, String> {
    use std::io::Read;
    const NOT_REGULAR: &str = "not a regular file (a symbolic link, folder or device): never read";
    if std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file()) {
        return Err(NOT_REGULAR.into());
    }
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = open
        .open(path)
        .map_err(|e| format!("{e} (not a regular file, or not readable): never read"))?;
    let meta = f.metadata().map_err(|e| e.to_string())?;
    if !meta.file_type().is_file() {
        return Err(NOT_REGULAR.into());
    }
    if meta.len() > cap {
        return Err(format!(
            "{} bytes, more than the {cap} a record may hold: never read",
            meta.len()
        ));
    }
    let mut buf = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > cap {
        return Err(format!(
            "grew past the {cap} bytes a record may hold while read: never used"
        ));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_text_never_becomes_a_path() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let p = FolderPlatform::new(root.path().to_path_buf(), TagNames::default());
        let hostile = [
            "../../escape".to_string(),
            outside.path().display().to_string(),
            "..".into(),
            "a/b".into(),
        ];
        for (i, bad) in hostile.iter().enumerate() {
            let vref = crate::uri::VersionRef {
                name: bad.clone(),
                version: bad.clone(),
            };
            let dir = p.review_dir(&vref);
            assert!(dir.starts_with(root.path().join("reviews")), "{dir:?}");
            std::fs::create_dir_all(&dir).unwrap();
            // The published review names a hostile id; the next review moves it aside.
            let old = serde_json::json!({"review_id": bad}).to_string();
            std::fs::write(dir.join("review.json"), &old).unwrap();
            let stem = format!("validator-v{i}");
            let wrote = p.write_back(&super::super::WriteBack {
                version: &vref,
                review_id: "new-review",
                signer: "vera",
                evidence_json: b"{}",
                review_json: b"{\"review_id\":\"new-review\"}",
                approval_stem: &stem,
                approval_json: b"{}",
                approval_sig: b"sig",
                status: "validator_approve",
            });
            assert!(wrote.is_ok(), "{wrote:?}");
            assert!(
                std::fs::read_dir(dir.join("superseded")).unwrap().count() == 1,
                "the old review is kept aside"
            );
            assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
            let listed = p.reviewed_versions().unwrap().unwrap();
            assert!(listed.contains(&vref), "{listed:?} lacks {vref:?}");
        }
        assert!(!root.path().parent().unwrap().join("escape").exists());
    }

    #[test]
    fn planted_giants_fifos_and_links_are_unreadable_records_never_hangs_or_ooms() {
        let root = tempfile::tempdir().unwrap();
        let p = FolderPlatform::new(root.path().to_path_buf(), TagNames::default());
        let vref = crate::uri::VersionRef::parse("models:/m/1").unwrap();
        let dir = p.review_dir(&vref).join("attestations");
        std::fs::create_dir_all(&dir).unwrap();
        // A sparse 40 GB record costs nothing to plant and would exhaust memory if read.
        let giant = std::fs::File::create(dir.join("giant.json")).unwrap();
        giant.set_len(40 * 1024 * 1024 * 1024).unwrap();
        std::fs::write(dir.join("good.json"), b"{}").unwrap();
        std::fs::write(dir.join("good.json.sig"), b"sig").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", dir.join("link.json")).unwrap();
            std::fs::write(dir.join("good2.json"), b"{}").unwrap();
            // A FIFO record, and a FIFO signature: neither is waited on.
            let made = std::process::Command::new("mkfifo")
                .arg(dir.join("fifo.json"))
                .arg(dir.join("good2.json.sig"))
                .status()
                .unwrap();
            assert!(made.success());
        }
        let listed = p.list_attestations(&vref).unwrap();
        let by = |name: &str| {
            listed
                .iter()
                .find(|a| a.location.ends_with(name))
                .unwrap_or_else(|| panic!("{name} not listed: {listed:?}"))
        };
        assert_eq!(by("good.json").json, b"{}");
        assert_eq!(by("good.json").sig.as_deref(), Some(&b"sig"[..]));
        let giant = String::from_utf8_lossy(&by("giant.json").json).into_owned();
        assert!(
            giant.starts_with("unreadable record:") && giant.contains("more than"),
            "{giant}"
        );
        #[cfg(unix)]
        {
            for name in ["link.json", "fifo.json"] {
                let text = String::from_utf8_lossy(&by(name).json).into_owned();
                assert!(text.contains("not a regular file"), "{name}: {text}");
            }
            let sig =
                String::from_utf8_lossy(by("good2.json").sig.as_deref().unwrap()).into_owned();
            assert!(sig.contains("not a regular file"), "{sig}");
        }
    }

    fn fetch(dir: &Path) -> Result<Snapshot> {
        let p = FolderPlatform::new(dir.to_path_buf(), TagNames::default());
        let mut sink = |_p: Progress| {};
        p.fetch(FetchRequest {
            have_run: &|_| false,
            have_logged_model: &|_| false,
            progress: &mut sink,
        })
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn reads_models_versions_and_runs() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "models/a.toml", "name = \"a\"\ncreated = 2025-01-01\n[tags]\nrisk_tier = \"2\"\nowner = \"o@x\"\n[aliases]\nchampion = \"1\"\n[[versions]]\nversion = 1\ncreated = \"2025-02-01T00:00:00Z\"\nrun_id = \"r1\"\n");
        write(d.path(), "runs/r1.toml", "run_id = \"r1\"\nstart = 2025-01-30\n[metrics]\nauc = 0.8\nloss = [0.9, 0.5, 0.3]\n[[datasets]]\ncontext = \"training\"\nname = \"t\"\ndigest = \"abc\"\n");
        let s = fetch(d.path()).unwrap();
        assert_eq!(s.models[0].risk_tier.as_deref(), Some("2"));
        assert_eq!(s.versions[0].aliases, vec!["champion".to_string()]);
        let r = &s.runs[0];
        assert_eq!(r.metrics["loss"].history.len(), 3);
        assert_eq!(r.metrics["loss"].value, Some(0.3));
        assert_eq!(r.datasets[0].digest, "abc");
    }

    #[test]
    fn assignments_come_only_from_assign_never_from_a_model_file_or_a_link() {
        use crate::assignment::Assignment;
        use crate::policy::Role;
        let d = tempfile::tempdir().unwrap();
        let planted = Assignment {
            to: "mallory@x".into(),
            role: Role::Validator,
            due: None,
            by: "mallory@x".into(),
            at: "2099-01-01T00:00:00Z".into(),
        };
        write(
            d.path(),
            "models/a.toml",
            &format!(
                "name = \"a\"\ncreated = 2025-01-01\n[[versions]]\nversion = 1\ncreated = \"2025-02-01T00:00:00Z\"\n[versions.tags]\n\"countersign.assignment.validator\" = {:?}\n",
                planted.tag_value()
            ),
        );
        let tags = |d: &Path| fetch(d).unwrap().versions[0].tags.clone();
        assert!(
            Assignment::from_tags(&tags(d.path())).is_empty(),
            "a model file's own tag is dropped"
        );
        let p = FolderPlatform::new(d.path().to_path_buf(), TagNames::default());
        let vref = crate::uri::VersionRef {
            name: "a".into(),
            version: "1".into(),
        };
        let mut a = Assignment {
            to: "vera@x".into(),
            role: Role::Validator,
            due: Some("2027-01-01".into()),
            by: "mona@x".into(),
            at: "2026-12-01T00:00:00Z".into(),
        };
        p.assign(&vref, &a).unwrap();
        assert_eq!(Assignment::from_tags(&tags(d.path())), vec![a.clone()]);
        // Reassigned: the newest file counts (by the stamp assign wrote, not the text's
        // claimed time), the first stays as history.
        a.to = "erin@x".into();
        a.at = "2000-01-01T00:00:00Z".into();
        p.assign(&vref, &a).unwrap();
        assert_eq!(Assignment::from_tags(&tags(d.path())), vec![a.clone()]);
        let dir = p.review_dir(&vref).join("assignments");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        // A folder of assignments swapped for a link elsewhere is not read, and not written.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("validator-9.json"), planted.tag_value()).unwrap();
        std::fs::rename(&dir, d.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(outside.path(), &dir).unwrap();
        assert!(Assignment::from_tags(&tags(d.path())).is_empty());
        assert!(p.assign(&vref, &a).is_err());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
    }

    #[test]
    fn errors_name_file_line_column_and_field() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "models/bad.toml",
            "name = \"a\"\ncreated = \"yesterday\"\n",
        );
        let e = fetch(d.path()).unwrap_err().to_string();
        assert!(e.contains("bad.toml: line 2, column 11"), "{e}");
        assert!(e.contains("'yesterday' is not a time"), "{e}");

        write(
            d.path(),
            "models/bad.toml",
            "name = \"a\"\ncreated = 2025-01-01\nownr = \"x\"\n",
        );
        let e = fetch(d.path()).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("ownr"), "{e}");

        write(
            d.path(),
            "models/bad.toml",
            "name = \"a\"\ncreated = 2025-01-01\n[aliases]\nchampion = \"4\"\n",
        );
        let e = fetch(d.path()).unwrap_err().to_string();
        assert!(
            e.contains("aliases.champion") && e.contains("version 4 does not exist"),
            "{e}"
        );
    }
}
