//! Reading one version fresh, and writing reviews and approvals back to MLflow (DESIGN §3):
//! each review is a run in the experiment `countersign-reviews`, tagged with the model name,
//! version and review id, holding `evidence.json`, `review.json` and
//! `approvals/<role>-<signer>.json(.sig)` as artifacts uploaded through the server's artifact
//! proxy; the version gets the tags `countersign.status` and `countersign.review_run_id`.
//! Writes only add: an approval file that exists is never replaced.
//!
//! Experiments are created as MLflow's own client creates them (a name, the server's default
//! artifact location `mlflow-artifacts:/<experiment id>`), which MLflow's basic-auth can
//! authorise for users granted EDIT on the experiment. A write that fails part-way marks the
//! run it created FAILED; readers only fetch files a listing shows (MLflow 2.x answers 500, not
//! 404, for a missing proxied artifact), so an incomplete run never blocks a version.

use super::{convert, wire, MlflowClient};
use crate::model::Run;
use crate::platform::{PublishedReview, StoredApproval, VersionSnapshot, WriteBack};
use crate::uri::VersionRef;
use crate::{Error, Result};
use serde::Deserialize;
use serde_json::json;

/// The experiment holding review runs.
pub const REVIEW_EXPERIMENT: &str = "countersign-reviews";

/// The experiment holding roots and policy releases (DESIGN §7), one run per publication.
pub(super) const POLICY_EXPERIMENT: &str = "countersign-policy";
/// The experiment where owners' attestations are runs (one per attestation).
pub const ATTESTATION_EXPERIMENT: &str = "countersign-attestations";
pub(super) const ATTESTATION_FILE: &str = "attestation.json";
const ATTESTATION_FILE_SIG: &str = "attestation.json.sig";
/// Suffix of the name an MLflow admin gives an experiment made by an earlier Countersign
/// (artifacts at `mlflow-artifacts:/<name>`, which basic-auth lets only admins write): it is
/// still read, and a new experiment of the plain name is created for writes.
pub(super) const LEGACY_SUFFIX: &str = "-legacy";

#[derive(Deserialize)]
struct GetModel {
    registered_model: wire::RegisteredModel,
}
#[derive(Deserialize)]
struct GetVersion {
    model_version: wire::ModelVersion,
}
#[derive(Deserialize)]
struct GetRun {
    run: wire::Run,
}
#[derive(Deserialize)]
struct GetExperiment {
    experiment: wire::Experiment,
}
#[derive(Deserialize)]
struct ExperimentId {
    experiment_id: String,
}
#[derive(Deserialize)]
struct RunInfoOnly {
    run_id: String,
    #[serde(default)]
    experiment_id: Option<String>,
    #[serde(default)]
    artifact_uri: String,
    #[serde(default)]
    start_time: Option<i64>,
    #[serde(default)]
    lifecycle_stage: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    /// The run's tags (filled from the search result's `data`).
    #[serde(skip)]
    tags: std::collections::BTreeMap<String, String>,
}

impl RunInfoOnly {
    fn deleted(&self) -> bool {
        self.lifecycle_stage.as_deref() == Some("deleted")
    }
}
#[derive(Deserialize)]
struct RunOnly {
    info: RunInfoOnly,
    #[serde(default)]
    data: wire::RunData,
}
impl RunOnly {
    /// The run's info with its tags.
    fn into_info(self) -> RunInfoOnly {
        RunInfoOnly {
            tags: self
                .data
                .tags
                .into_iter()
                .map(|t| (t.key, t.value))
                .collect(),
            ..self.info
        }
    }
}
#[derive(Deserialize)]
struct GetTagged {
    run: RunOnly,
}
#[derive(Deserialize)]
struct CreatedRun {
    run: RunOnly,
}
#[derive(Deserialize, Default)]
struct SearchRunInfos {
    #[serde(default)]
    runs: Vec<RunOnly>,
    #[serde(default)]
    next_page_token: Option<String>,
}
#[derive(Deserialize)]
struct FileInfo {
    path: String,
    #[serde(default)]
    is_dir: bool,
}
#[derive(Deserialize, Default)]
struct ListArtifacts {
    #[serde(default)]
    files: Vec<FileInfo>,
}

fn not_found(e: &Error) -> bool {
    matches!(e, Error::Platform { status: 404, .. })
}

/// A 403 during a write, with the one grant (or setup step) that fixes it as its hint; any
/// other error unchanged.
fn denied(e: Error, hint: impl FnOnce() -> String) -> Error {
    match e {
        Error::Platform {
            url,
            status: 403,
            code,
            message,
            ..
        } => Error::Platform {
            url,
            status: 403,
            code,
            message,
            hint: hint(),
        },
        e => e,
    }
}

/// The files of one run Countersign writes, uploaded through the artifact proxy.
struct RunFiles<'a> {
    client: &'a MlflowClient,
    /// The experiment's name and id (for the hint of a refusal).
    name: &'a str,
    exp: &'a str,
    /// The run's artifact root, relative to `mlflow-artifacts:/`.
    root: String,
}

impl RunFiles<'_> {
    /// Uploads one file; a refusal names the grant (or setup step) it needs.
    fn put(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.client
            .put_artifact(&self.root, rel, bytes)
            .map_err(|e| denied(e, || upload_hint(self.name, self.exp, &self.root)))
    }
}

/// What identifies a version whatever its model is called later (a rename keeps all three,
/// a copy or a re-registration gets a new creation time), from its frozen evidence: tags set
/// on its review runs and read by `approvals_under_other_names_impl`.
fn identity_tags(evidence_json: &[u8]) -> Vec<(&'static str, String)> {
    let frozen: serde_json::Value = serde_json::from_slice(evidence_json).unwrap_or_default();
    let v = &frozen["version"];
    let mut out = Vec::new();
    if let Some(run) = v["run_id"].as_str().filter(|s| !s.is_empty()) {
        out.push(("countersign.model_run_id", run.to_string()));
    }
    if let Some(source) = v["source"]
        .as_str()
        .filter(|s| !s.is_empty() && s.len() <= 1000)
    {
        out.push(("countersign.model_source", source.to_string()));
    }
    if let Some(created) = v["created"].as_str().filter(|s| !s.is_empty()) {
        out.push(("countersign.model_created", created.to_string()));
    }
    out
}

/// The hint for a write to experiment `name` (id `exp`) refused for want of EDIT on it.
fn edit_hint(doing: &str, name: &str, exp: &str) -> String {
    format!(". {doing} the experiment '{name}' (id {exp}) needs EDIT on it: ask an MLflow admin to grant it (resource_type experiment, resource_id {exp})")
}

/// The hint for a refused artifact upload under `root` in experiment `name` (id `exp`).
fn upload_hint(name: &str, exp: &str, root: &str) -> String {
    let first = root.split('/').next().unwrap_or("");
    if first == exp {
        edit_hint("Uploading to a run of", name, exp)
    } else if first != name {
        format!(". The experiment '{name}' (id {exp}) keeps its artifacts under mlflow-artifacts:/{first}, not under its id; MLflow's basic-auth authorises an upload by the experiment id that starts its path, so only admins may upload there. New experiments get mlflow-artifacts:/<id> when the server's --default-artifact-root is left at its default (mlflow-artifacts:/)")
    } else {
        format!(". The experiment '{name}' (id {exp}) keeps its artifacts at mlflow-artifacts:/{first}, where an earlier Countersign put them; MLflow's basic-auth reads '{first}' as an experiment id and lets only admins upload there, whatever you are granted. One-time fix by an MLflow admin: rename the experiment to '{name}{LEGACY_SUFFIX}' (Countersign keeps reading it and creates a new '{name}' at the server's default location), then grant EDIT on the new one")
    }
}

impl MlflowClient {
    fn run_fresh(&self, run_id: &str) -> Result<Option<Run>> {
        let got: Result<GetRun> = self
            .http
            .get("api/2.0/mlflow/runs/get", &[("run_id", run_id.to_string())]);
        let mut run = match got {
            Ok(g) => match convert::run(g.run) {
                Some(r) => r,
                None => return Ok(None),
            },
            Err(e) if not_found(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        if let Ok(e) = self.http.get::<GetExperiment>(
            "api/2.0/mlflow/experiments/get",
            &[("experiment_id", run.experiment_id.clone())],
        ) {
            run.experiment_name = Some(e.experiment.name);
        }
        let keys: Vec<String> = run
            .metrics
            .iter()
            .filter(|(_, m)| m.step > 0)
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            let h = self.metric_history(&run.run_id, &k)?;
            if let Some(m) = run.metrics.get_mut(&k) {
                if h.len() > 1 {
                    m.history = h;
                }
            }
        }
        Ok(Some(run))
    }

    pub(super) fn model_aliases_fresh(
        &self,
        name: &str,
    ) -> Result<std::collections::BTreeMap<String, String>> {
        match self.http.get::<GetModel>(
            "api/2.0/mlflow/registered-models/get",
            &[("name", name.to_string())],
        ) {
            Ok(m) => Ok(convert::model(m.registered_model, &self.tag_names).aliases),
            Err(e) if not_found(&e) => Err(Error::NotFound {
                what: format!("model '{name}'"),
                hint: format!(" on {}", self.http.base_display()),
            }),
            Err(e) => Err(e),
        }
    }

    pub(super) fn fetch_version_fresh(&self, r: &VersionRef) -> Result<VersionSnapshot> {
        let nf = |what: String| Error::NotFound {
            what,
            hint: format!(" on {}", self.http.base_display()),
        };
        let model = match self.http.get::<GetModel>(
            "api/2.0/mlflow/registered-models/get",
            &[("name", r.name.clone())],
        ) {
            Ok(m) => convert::model(m.registered_model, &self.tag_names),
            Err(e) if not_found(&e) => return Err(nf(format!("model '{}'", r.name))),
            Err(e) => return Err(e),
        };
        let mut version = match self.http.get::<GetVersion>(
            "api/2.0/mlflow/model-versions/get",
            &[("name", r.name.clone()), ("version", r.version.clone())],
        ) {
            Ok(v) => convert::version(v.model_version),
            Err(e) if not_found(&e) => return Err(nf(format!("model version {r}"))),
            Err(e) => return Err(e),
        };
        version.aliases = model
            .aliases
            .iter()
            .filter(|(_, v)| **v == version.version)
            .map(|(a, _)| a.clone())
            .collect();
        version.aliases.sort();
        let run = match &version.run_id {
            Some(id) => self.run_fresh(id)?,
            None => None,
        };
        let logged_model = match version.logged_model_id() {
            Some(id) => match self.logged_model(id) {
                Ok(m) => Some(m),
                Err(e) if not_found(&e) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let mut evaluations = Vec::new();
        if let Some(m) = &logged_model {
            for id in &m.evaluation_run_ids {
                if let Some(mut r) = self.run_fresh(id)? {
                    if !r.model_inputs.contains(&m.model_id) {
                        r.model_inputs.push(m.model_id.clone());
                    }
                    evaluations.push(r);
                }
            }
        }
        // Evaluations linked only by their tags (`mlflow.models.evaluate` of a `models:/` URI,
        // `mlflow.genai.evaluate` of a prompt).
        let refs: Vec<String> = std::iter::once(format!("{}/{}", version.name, version.version))
            .chain(version.logged_model_id().map(str::to_string))
            .collect();
        let facts = (
            model.kind == crate::model::ModelKind::Prompt,
            version.created_ms,
        );
        let version_of = |r: &str| refs.iter().any(|x| x == r).then_some(facts);
        let exp_ids: Vec<String> = self.experiments()?.into_keys().collect();
        for r in self.tag_linked_runs(&exp_ids, Some(&refs))? {
            if convert::qualified_links(&r, &version_of).is_empty()
                || run.as_ref().is_some_and(|t| t.run_id == r.run_id)
            {
                continue;
            }
            if evaluations.iter().any(|e| e.run_id == r.run_id) {
                continue;
            }
            if let Some(r) = self.run_fresh(&r.run_id)? {
                evaluations.push(r);
            }
        }
        for e in &mut evaluations {
            e.model_inputs
                .extend(convert::qualified_links(e, &version_of));
            e.model_inputs.sort();
            e.model_inputs.dedup();
        }
        self.fill_assessments(&mut evaluations, &mut |_| {})?;
        // The version's own run too, as a sync reads it (a GenAI app's run that loaded a
        // prompt has traces of its own).
        let mut run = run;
        if let Some(r) = run.as_mut() {
            self.fill_assessments(std::slice::from_mut(r), &mut |_| {})?;
        }
        Ok(VersionSnapshot {
            model,
            version,
            run,
            logged_model,
            evaluations,
        })
    }

    fn review_experiment(&self) -> Result<String> {
        self.experiment(REVIEW_EXPERIMENT)
    }

    /// The runs of experiment `name` matching `filter` (see [`Self::review_runs`]), and those of
    /// `name-legacy` (see [`LEGACY_SUFFIX`]) — but only when that experiment keeps its
    /// artifacts at `mlflow-artifacts:/name`, as the experiment an earlier Countersign made
    /// does, and only its runs whose files are under that path: basic-auth lets nobody but an
    /// admin upload there, while anyone logged in may create an experiment of that name.
    fn record_runs(&self, name: &str, filter: &str, deleted: bool) -> Result<Vec<RunInfoOnly>> {
        let mut exps = Vec::new();
        if let Some(e) = self.experiment_named(name)? {
            exps.push(e.experiment_id);
        }
        let legacy_root = format!("mlflow-artifacts:/{name}");
        let legacy = self
            .experiment_named(&format!("{name}{LEGACY_SUFFIX}"))?
            .filter(|e| e.artifact_location.trim_end_matches('/') == legacy_root)
            .map(|e| e.experiment_id);
        exps.extend(legacy.clone());
        let mut runs = self.review_runs(&exps, filter, deleted)?;
        if let Some(legacy) = legacy {
            let under = format!("{legacy_root}/");
            runs.retain(|r| {
                r.experiment_id.as_deref() != Some(legacy.as_str())
                    || r.artifact_uri.starts_with(&under)
            });
        }
        Ok(runs)
    }

    /// The id of an experiment, `None` when there is none of that name.
    fn existing_experiment(&self, name: &str) -> Result<Option<String>> {
        Ok(self.experiment_named(name)?.map(|e| e.experiment_id))
    }

    /// An experiment by name, `None` when there is none.
    fn experiment_named(&self, name: &str) -> Result<Option<wire::Experiment>> {
        let q = [("experiment_name", name.to_string())];
        match self
            .http
            .get::<GetExperiment>("api/2.0/mlflow/experiments/get-by-name", &q)
        {
            Ok(e) => Ok(Some(e.experiment)),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The id of an experiment Countersign writes to, created when missing as MLflow's own
    /// client creates one: a name only, so the server gives it its default artifact location
    /// (`mlflow-artifacts:/<id>` when it serves artifacts), which basic-auth can authorise.
    fn experiment(&self, name: &str) -> Result<String> {
        if let Some(id) = self.existing_experiment(name)? {
            return Ok(id);
        }
        let created: Result<ExperimentId> = self
            .http
            .post("api/2.0/mlflow/experiments/create", &json!({"name": name}));
        match created {
            Ok(c) => Ok(c.experiment_id),
            // Another reviewer created it at the same moment.
            Err(e @ Error::Platform { .. }) => self.existing_experiment(name)?.ok_or_else(|| {
                denied(e, || format!(". Creating the experiment '{name}', where Countersign writes, was refused: ask an MLflow admin to create it (a name only, the server's default artifact location) and grant you EDIT on it"))
            }),
            Err(e) => Err(e),
        }
    }

    /// Runs `write` on the files of the run `info` of experiment `name` (id `exp`), then
    /// marks the run FINISHED. When `write` fails and the run was `created` for it, the run is
    /// marked FAILED (best effort: the first error is the one reported), so a refused upload
    /// never leaves a run that looks like work in progress.
    fn finish_run<T>(
        &self,
        name: &str,
        exp: &str,
        info: &RunInfoOnly,
        created: bool,
        write: impl FnOnce(&RunFiles<'_>) -> Result<T>,
    ) -> Result<T> {
        let done = Self::artifact_root(info).and_then(|root| {
            write(&RunFiles {
                client: self,
                name,
                exp,
                root,
            })
        });
        let status = match (&done, created) {
            (Ok(_), _) => "FINISHED",
            (Err(_), true) => "FAILED",
            (Err(_), false) => return done,
        };
        let ended: Result<serde_json::Value> = self.http.post(
            "api/2.0/mlflow/runs/update",
            &json!({"run_id": info.run_id, "status": status, "end_time": chrono::Utc::now().timestamp_millis()}),
        );
        match (done, ended) {
            // Every record is up: a run left RUNNING holds them all the same, and an error
            // here would have the signer retry a write that is refused ("never replaced").
            (Ok(v), _) => Ok(v),
            (Err(e), _) => Err(e),
        }
    }

    /// Creates a run in experiment `name` (id `exp`); a refusal names the grant it needs.
    fn create_run(&self, name: &str, exp: &str, body: serde_json::Value) -> Result<RunInfoOnly> {
        let c: CreatedRun = self
            .http
            .post("api/2.0/mlflow/runs/create", &body)
            .map_err(|e| denied(e, || edit_hint("Creating a run in", name, exp)))?;
        Ok(c.run.info)
    }

    /// Sets a Countersign tag on a version; a refusal names the grant it needs.
    fn set_version_tag(&self, r: &VersionRef, key: &str, value: &str) -> Result<()> {
        let _: serde_json::Value = self
            .http
            .post(
                "api/2.0/mlflow/model-versions/set-tag",
                &json!({"name": r.name, "version": r.version, "key": key, "value": value}),
            )
            .map_err(|e| {
                denied(e, || format!(". Setting the tag {key} on {r} needs EDIT on the registered model '{}': ask an MLflow admin to grant it (resource_type registered_model)", r.name))
            })?;
        Ok(())
    }

    /// The files directly in `dir` of a run's artifacts (full paths, as the server lists
    /// them); empty when the folder does not exist.
    fn listed(&self, run_id: &str, dir: &str) -> Result<std::collections::BTreeSet<String>> {
        match self.list_dir(run_id, dir) {
            Ok(files) => Ok(files
                .into_iter()
                .filter(|f| !f.is_dir)
                .map(|f| {
                    if dir.is_empty() || f.path.starts_with(&format!("{dir}/")) {
                        f.path
                    } else {
                        format!("{dir}/{}", f.path)
                    }
                })
                .collect()),
            Err(e) if not_found(&e) => Ok(Default::default()),
            Err(e) => Err(e),
        }
    }

    /// A file of a run's artifacts, fetched only when `listing` shows it (`None` otherwise):
    /// servers differ in how they answer for a missing file (MLflow 2.x: 500).
    fn get_listed(
        &self,
        root: &str,
        rel: &str,
        listing: &std::collections::BTreeSet<String>,
    ) -> Result<Option<Vec<u8>>> {
        if !listing.contains(rel) {
            return Ok(None);
        }
        self.get_artifact(root, rel)
    }

    /// Every review run matching `filter`, following every page (through the guarded pager,
    /// so a listing that does not end or repeats a token is an error, never a short list).
    /// `deleted`: whether soft-deleted runs are listed too — they are when records are read,
    /// because a deleted reject still speaks against the version.
    fn review_runs(
        &self,
        exps: &[String],
        filter: &str,
        deleted: bool,
    ) -> Result<Vec<RunInfoOnly>> {
        if exps.is_empty() {
            return Ok(Vec::new());
        }
        let path = "api/2.0/mlflow/runs/search";
        let view = if deleted { "ALL" } else { "ACTIVE_ONLY" };
        let runs = super::paged(path, Self::page_size(1000), &mut |size, token| {
            let mut body = json!({"experiment_ids": exps, "filter": filter, "run_view_type": view, "max_results": size, "order_by": ["attributes.start_time DESC"]});
            if let Some(t) = token {
                body["page_token"] = json!(t);
            }
            let page: SearchRunInfos = self.http.post(path, &body)?;
            Ok((page.runs, page.next_page_token))
        })?;
        Ok(runs.into_iter().map(RunOnly::into_info).collect())
    }

    fn artifact_root(info: &RunInfoOnly) -> Result<String> {
        info.artifact_uri.strip_prefix("mlflow-artifacts:/").map(|s| s.trim_start_matches('/').to_string()).ok_or_else(|| Error::Platform {
            url: "countersign-reviews".into(),
            status: 0,
            code: String::new(),
            message: format!("review run {} stores artifacts at '{}', which the artifact proxy cannot write", info.run_id, info.artifact_uri),
            hint: ". Countersign uploads through the server's artifact proxy: the experiment's artifact location must be mlflow-artifacts:/<experiment id>, which MLflow gives new experiments when the server serves artifacts (its default, --serve-artifacts) and no --default-artifact-root points elsewhere".into(),
        })
    }

    fn list_dir(&self, run_id: &str, path: &str) -> Result<Vec<FileInfo>> {
        let l: ListArtifacts = self.http.get(
            "api/2.0/mlflow/artifacts/list",
            &[("run_id", run_id.to_string()), ("path", path.to_string())],
        )?;
        Ok(l.files)
    }

    fn get_artifact(&self, root: &str, rel: &str) -> Result<Option<Vec<u8>>> {
        self.http
            .get_bytes(&format!("api/2.0/mlflow-artifacts/artifacts/{root}/{rel}"))
    }

    fn put_artifact(&self, root: &str, rel: &str, bytes: &[u8]) -> Result<()> {
        self.http.put_bytes(
            &format!("api/2.0/mlflow-artifacts/artifacts/{root}/{rel}"),
            bytes,
        )
    }

    fn version_filter(r: &VersionRef) -> String {
        let q = |s: &str| s.replace('\'', "\\'");
        format!(
            "tags.`countersign.model_name` = '{}' AND tags.`countersign.model_version` = '{}'",
            q(&r.name),
            q(&r.version)
        )
    }

    pub(super) fn write_back_impl(&self, w: &WriteBack<'_>) -> Result<String> {
        let exp = self.review_experiment()?;
        let mut runs = self.review_runs(
            std::slice::from_ref(&exp),
            &format!(
                "tags.`countersign.review_id` = '{}'",
                w.review_id.replace('\'', "")
            ),
            false,
        )?;
        let (info, created) = match runs.pop() {
            Some(i) => {
                // A run written before the identity tags existed gets them now.
                for (k, v) in identity_tags(w.evidence_json) {
                    if !i.tags.contains_key(k) {
                        let _: serde_json::Value = self
                            .http
                            .post(
                                "api/2.0/mlflow/runs/set-tag",
                                &json!({"run_id": i.run_id, "key": k, "value": v}),
                            )
                            .map_err(|e| {
                                denied(e, || edit_hint("Tagging a run of", REVIEW_EXPERIMENT, &exp))
                            })?;
                    }
                }
                (i, false)
            }
            None => {
                let mut tags = vec![
                    json!({"key": "countersign.model_name", "value": w.version.name}),
                    json!({"key": "countersign.model_version", "value": w.version.version}),
                    json!({"key": "countersign.review_id", "value": w.review_id}),
                    json!({"key": "mlflow.user", "value": w.signer}),
                ];
                tags.extend(
                    identity_tags(w.evidence_json)
                        .into_iter()
                        .map(|(k, v)| json!({"key": k, "value": v})),
                );
                let info = self.create_run(
                    REVIEW_EXPERIMENT,
                    &exp,
                    json!({
                        "experiment_id": exp,
                        "user_id": w.signer,
                        "run_name": format!("review {} v{}", w.version.name, w.version.version),
                        "start_time": chrono::Utc::now().timestamp_millis(),
                        "tags": tags,
                    }),
                )?;
                (info, true)
            }
        };
        let json_name = format!("approvals/{}.json", w.approval_stem);
        self.finish_run(REVIEW_EXPERIMENT, &exp, &info, created, |files| {
            // The version's tag first, to its value now (so a write-back that fails later
            // leaves it pointing at the run that holds the records): a user who may not write
            // it (no EDIT on the registered model) is refused before anything is uploaded.
            let pointer = self
                .http
                .get::<GetVersion>(
                    "api/2.0/mlflow/model-versions/get",
                    &[
                        ("name", w.version.name.clone()),
                        ("version", w.version.version.clone()),
                    ],
                )?
                .model_version
                .tags
                .into_iter()
                .find(|t| t.key == "countersign.review_run_id")
                .map(|t| t.value)
                .unwrap_or_else(|| info.run_id.clone());
            self.set_version_tag(w.version, "countersign.review_run_id", &pointer)?;
            let top = self.listed(&info.run_id, "")?;
            for (name, bytes) in [
                ("evidence.json", w.evidence_json),
                ("review.json", w.review_json),
            ] {
                match self.get_listed(&files.root, name, &top)? {
                    None => files.put(name, bytes)?,
                    Some(existing) if existing == bytes => {}
                    Some(_) => {
                        return Err(Error::Refused {
                            reasons: vec![format!("{name} of review {} is already on the platform with other content; start a new review", w.review_id)],
                        })
                    }
                }
            }
            if self.listed(&info.run_id, "approvals")?.contains(&json_name) {
                return Err(Error::Refused {
                    reasons: vec![format!(
                        "{json_name} already exists in review run {}; an approval is never replaced",
                        info.run_id
                    )],
                });
            }
            files.put(&format!("{json_name}.sig"), w.approval_sig)?;
            files.put(&json_name, w.approval_json)?;
            self.set_version_tag(w.version, "countersign.review_run_id", &info.run_id)?;
            self.set_version_tag(w.version, "countersign.status", w.status)
        })?;
        Ok(format!(
            "run {} ({REVIEW_EXPERIMENT}) {json_name}",
            info.run_id
        ))
    }

    /// One run per attestation in the experiment `countersign-attestations`, tagged with the
    /// version, holding `attestation.json` and its signature.
    pub(super) fn write_attestation_impl(
        &self,
        r: &VersionRef,
        signer: &str,
        stem: &str,
        json: &[u8],
        sig: &[u8],
    ) -> Result<String> {
        let exp = self.experiment(ATTESTATION_EXPERIMENT)?;
        let info = self.create_run(
            ATTESTATION_EXPERIMENT,
            &exp,
            json!({
                "experiment_id": exp,
                "user_id": signer,
                "run_name": format!("attestation {} v{}", r.name, r.version),
                "start_time": chrono::Utc::now().timestamp_millis(),
                "tags": [
                    {"key": "countersign.model_name", "value": r.name},
                    {"key": "countersign.model_version", "value": r.version},
                    {"key": "countersign.attestation", "value": stem},
                    {"key": "mlflow.user", "value": signer},
                ]
            }),
        )?;
        self.finish_run(ATTESTATION_EXPERIMENT, &exp, &info, true, |files| {
            files.put(ATTESTATION_FILE_SIG, sig)?;
            files.put(ATTESTATION_FILE, json)
        })?;
        Ok(format!(
            "run {} ({ATTESTATION_EXPERIMENT}) {ATTESTATION_FILE}",
            info.run_id
        ))
    }

    /// Every attestation run of a version (active ones: a deleted attestation attests
    /// nothing, and its absence can only put the model in the queue).
    pub(super) fn list_attestations_impl(&self, r: &VersionRef) -> Result<Vec<StoredApproval>> {
        let mut out = Vec::new();
        for info in self.record_runs(ATTESTATION_EXPERIMENT, &Self::version_filter(r), false)? {
            let location = format!("run {} {ATTESTATION_FILE}", info.run_id);
            let root = match Self::artifact_root(&info) {
                Ok(root) => root,
                Err(e) => {
                    out.push(StoredApproval {
                        location,
                        json: format!("unreadable attestation run: {e}").into_bytes(),
                        sig: None,
                        deleted: None,
                    });
                    continue;
                }
            };
            // A run whose upload never finished holds no record: nothing to judge.
            let top = self.listed(&info.run_id, "")?;
            let Some(json) = self.get_listed(&root, ATTESTATION_FILE, &top)? else {
                continue;
            };
            let sig = self.get_listed(&root, ATTESTATION_FILE_SIG, &top)?;
            out.push(StoredApproval {
                location,
                json,
                sig,
                deleted: None,
            });
        }
        out.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(out)
    }

    pub(super) fn list_approvals_impl(&self, r: &VersionRef) -> Result<Vec<StoredApproval>> {
        let mut out = Vec::new();
        for info in self.record_runs(REVIEW_EXPERIMENT, &Self::version_filter(r), true)? {
            let deleted = info.deleted().then(|| {
                format!(
                    "review run {} is deleted{}",
                    info.run_id,
                    info.user_id
                        .as_deref()
                        .filter(|u| !u.is_empty())
                        .map(|u| format!("; it was created by {u}"))
                        .unwrap_or_default()
                )
            });
            // A run a failed write-back left holds no approvals: nothing to judge.
            let files = self.listed(&info.run_id, "approvals")?;
            if files.is_empty() {
                continue;
            }
            let root = match Self::artifact_root(&info) {
                Ok(root) => root,
                Err(e) => {
                    // Records Countersign cannot read are reported, never skipped.
                    out.push(StoredApproval {
                        location: format!("run {} approvals/", info.run_id),
                        json: format!("unreadable review run: {e}").into_bytes(),
                        sig: None,
                        deleted,
                    });
                    continue;
                }
            };
            for rel in files.iter().filter(|f| f.ends_with(".json")) {
                let location = format!("run {} {rel}", info.run_id);
                let Some(json) = self.get_listed(&root, rel, &files)? else {
                    // Listed but not there: reported as an unreadable record, never skipped.
                    out.push(StoredApproval {
                        location,
                        json: b"listed by the server but not downloadable".to_vec(),
                        sig: None,
                        deleted: deleted.clone(),
                    });
                    continue;
                };
                let sig = self.get_listed(&root, &format!("{rel}.sig"), &files)?;
                out.push(StoredApproval {
                    location,
                    json,
                    sig,
                    deleted: deleted.clone(),
                });
            }
        }
        out.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(out)
    }

    /// The approval records of this version in review runs that name its model otherwise (it
    /// was renamed since): runs tagged with the version's identity — the run that produced it
    /// (`countersign.model_run_id`) or, without one, its source (`countersign.model_source`),
    /// which a rename does not change — and, for runs written before those tags, the run the
    /// version's `countersign.review_run_id` tag names (tags move with a renamed version).
    pub(super) fn approvals_under_other_names_impl(
        &self,
        snapshot: &VersionSnapshot,
    ) -> Result<Vec<crate::platform::RenamedApprovals>> {
        let v = &snapshot.version;
        // The identity the version's review runs carry (see `identity_tags`), each also
        // compared here: MLflow's filter unescapes nothing, so a value holding a quote is
        // left out of it and checked only here.
        let created = crate::evidence::Evidence::assemble(v, None, None, &[])
            .version
            .created;
        let mut identity: Vec<(&str, &str)> = vec![("countersign.model_created", &created)];
        match &v.run_id {
            Some(run) => identity.push(("countersign.model_run_id", run)),
            None => identity.push(("countersign.model_source", &v.source)),
        }
        let mut filter = format!(
            "tags.`countersign.model_version` = '{}'",
            v.version.replace('\'', "")
        );
        for (k, value) in &identity {
            if !value.contains('\'') {
                filter.push_str(&format!(" AND tags.`{k}` = '{value}'"));
            }
        }
        let mut runs: Vec<RunInfoOnly> = self
            .record_runs(REVIEW_EXPERIMENT, &filter, true)?
            .into_iter()
            .filter(|r| {
                identity
                    .iter()
                    .all(|(k, value)| r.tags.get(*k).map(String::as_str) == Some(*value))
            })
            .collect();
        if let Some(pointer) = v.tags.get("countersign.review_run_id") {
            if !runs.iter().any(|r| &r.run_id == pointer) {
                let got: Result<GetTagged> = self
                    .http
                    .get("api/2.0/mlflow/runs/get", &[("run_id", pointer.clone())]);
                match got {
                    Ok(g) => runs.push(g.run.into_info()),
                    // A tag that names no run (or no valid run id: 400) points nowhere.
                    Err(Error::Platform {
                        status: 400 | 404, ..
                    }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let mut out = Vec::new();
        for run in runs {
            let (Some(name), Some(version)) = (
                run.tags.get("countersign.model_name"),
                run.tags.get("countersign.model_version"),
            ) else {
                continue;
            };
            if *name == v.name || *version != v.version {
                continue;
            }
            let files = self.listed(&run.run_id, "approvals")?;
            let records: Vec<&String> = files.iter().filter(|f| f.ends_with(".json")).collect();
            if records.is_empty() {
                continue;
            }
            // Rejects keep blocking the version under its new name; a record that cannot be
            // read is counted with them (fail closed, as among the version's own records).
            let root = Self::artifact_root(&run).ok();
            let mut rejects = 0;
            for rel in &records {
                let decision = match &root {
                    Some(root) => self.get_listed(root, rel, &files)?,
                    None => None,
                }
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|v| v["decision"].as_str().map(str::to_string));
                if decision
                    .as_deref()
                    .and_then(crate::policy::Decision::parse)
                    .is_none_or(|d| d == crate::policy::Decision::Reject)
                {
                    rejects += 1;
                }
            }
            out.push(crate::platform::RenamedApprovals {
                location: format!("run {}", run.run_id),
                name: name.clone(),
                count: records.len(),
                rejects,
            });
        }
        out.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(out)
    }

    /// The published reviews of a version, newest run first (only the newest with `first`).
    pub(super) fn published_reviews_impl(
        &self,
        r: &VersionRef,
        first: bool,
    ) -> Result<Vec<PublishedReview>> {
        let mut runs = self.record_runs(REVIEW_EXPERIMENT, &Self::version_filter(r), false)?;
        runs.sort_by_key(|i| std::cmp::Reverse(i.start_time.unwrap_or(0)));
        let mut out = Vec::new();
        for info in runs {
            let Ok(root) = Self::artifact_root(&info) else {
                continue;
            };
            // A run a failed write-back left incomplete is no published review.
            let top = self.listed(&info.run_id, "")?;
            if let (Some(review_json), Some(evidence_json)) = (
                self.get_listed(&root, "review.json", &top)?,
                self.get_listed(&root, "evidence.json", &top)?,
            ) {
                out.push(PublishedReview {
                    location: format!("run {}", info.run_id),
                    review_json,
                    evidence_json,
                });
                if first {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Every file under a run's artifacts, walking folders (the listing is not recursive).
    fn walk_artifacts(&self, run_id: &str, dir: &str, out: &mut Vec<String>) -> Result<()> {
        for f in self.list_dir(run_id, dir)? {
            if f.is_dir {
                if out.len() > 100_000 {
                    break;
                }
                self.walk_artifacts(run_id, &f.path, out)?;
            } else {
                out.push(f.path);
            }
        }
        Ok(())
    }

    pub(super) fn policy_files_impl(
        &self,
        scope: &crate::platform::PolicyScope,
    ) -> Result<Vec<crate::platform::PolicyFile>> {
        // Each publication run is tagged with what it holds, so a chain's files are found
        // without reading every other chain's (the tags only narrow the search: every file
        // read is still verified).
        let filter = match scope {
            crate::platform::PolicyScope::All => String::new(),
            crate::platform::PolicyScope::Roots => {
                "tags.`countersign.policy_kind` = 'root'".to_string()
            }
            crate::platform::PolicyScope::ReleasesUnder(sha) => format!(
                "tags.`countersign.root_sha256` = '{}'",
                sha.replace('\'', "")
            ),
        };
        let mut out = Vec::new();
        // Deleted publication runs are read too: deleting a release never withdraws it (nor
        // rolls the gate back to an older one).
        for info in self.record_runs(POLICY_EXPERIMENT, &filter, true)? {
            let Ok(root) = Self::artifact_root(&info) else {
                continue;
            };
            let mut paths = Vec::new();
            self.walk_artifacts(&info.run_id, "", &mut paths)?;
            for path in paths.into_iter().filter(|p| scope.admits(p)) {
                if let Some(bytes) = self.get_artifact(&root, &path)? {
                    out.push(crate::platform::PolicyFile {
                        location: format!("run {} ({POLICY_EXPERIMENT}) {path}", info.run_id),
                        path,
                        bytes,
                    });
                }
            }
        }
        Ok(out)
    }

    pub(super) fn publish_policy_impl(&self, files: &[(String, Vec<u8>)]) -> Result<String> {
        // Each publication is a run of its own, never modified afterwards; what several runs
        // hold under one path are separate candidates, each verified on reading.
        let kind = if files.iter().any(|(p, _)| p.starts_with("roots/")) {
            "root"
        } else {
            "release"
        };
        // The root a release is signed under (from its manifest), for the search tag.
        let root_sha = files
            .iter()
            .find(|(p, _)| p.ends_with(crate::platform::POLICY_MANIFEST_FILE))
            .and_then(|(_, b)| serde_json::from_slice::<serde_json::Value>(b).ok())
            .and_then(|m| m.get("root_sha256")?.as_str().map(str::to_string))
            .or_else(|| {
                files
                    .iter()
                    .find(|(p, _)| p.ends_with(crate::platform::POLICY_ROOT_FILE))
                    .map(|(_, b)| crate::encoding::sha256_hex(b))
            })
            .unwrap_or_default();
        let scope = if kind == "root" {
            crate::platform::PolicyScope::Roots
        } else {
            crate::platform::PolicyScope::ReleasesUnder(root_sha.clone())
        };
        let existing = self.policy_files_impl(&scope)?;
        let fresh: Vec<&(String, Vec<u8>)> = files
            .iter()
            .filter(|(p, b)| !existing.iter().any(|f| &f.path == p && &f.bytes == b))
            .collect();
        if fresh.is_empty() {
            return Ok(format!("{POLICY_EXPERIMENT} (already published)"));
        }
        let exp = self.experiment(POLICY_EXPERIMENT)?;
        let info = self.create_run(
            POLICY_EXPERIMENT,
            &exp,
            json!({
                "experiment_id": exp,
                "run_name": format!("publish {}", fresh[0].0.rsplit_once('/').map(|x| x.0).unwrap_or("")),
                "start_time": chrono::Utc::now().timestamp_millis(),
                "tags": [
                    {"key": "countersign.policy_kind", "value": kind},
                    {"key": "countersign.root_sha256", "value": root_sha},
                ]
            }),
        )?;
        self.finish_run(POLICY_EXPERIMENT, &exp, &info, true, |files| {
            fresh
                .iter()
                .try_for_each(|(path, bytes)| files.put(path, bytes))
        })?;
        Ok(format!("run {} ({POLICY_EXPERIMENT})", info.run_id))
    }

    /// Where a version's files are: its MLflow 3 logged model, or a `runs:/RUN/PATH` source.
    fn model_files_at(v: &crate::model::Version) -> Option<ModelFiles> {
        if let Some(id) = v.logged_model_id() {
            return Some(ModelFiles::Logged(id.to_string()));
        }
        let rest = v.source.strip_prefix("runs:/")?;
        let (run, path) = rest.split_once('/').unwrap_or((rest, ""));
        Some(ModelFiles::Run(
            run.to_string(),
            path.trim_matches('/').to_string(),
        ))
    }

    pub(super) fn artifact_list_impl(
        &self,
        v: &crate::model::Version,
    ) -> Result<std::result::Result<Vec<crate::platform::ArtifactEntry>, String>> {
        #[derive(Deserialize, Default)]
        struct Listed {
            #[serde(default)]
            files: Vec<ListedFile>,
        }
        #[derive(Deserialize)]
        struct ListedFile {
            path: String,
            #[serde(default)]
            is_dir: bool,
            #[serde(default)]
            file_size: Option<u64>,
        }
        let Some(at) = Self::model_files_at(v) else {
            return Ok(Err(format!(
                "the version's source '{}' is not in MLflow's artifact store, so its files cannot be listed or hashed through the server",
                crate::display::escape(&v.source)
            )));
        };
        let mut out = Vec::new();
        let mut dirs = vec![match &at {
            ModelFiles::Logged(_) => String::new(),
            ModelFiles::Run(_, p) => p.clone(),
        }];
        while let Some(dir) = dirs.pop() {
            let listed: Listed = match &at {
                ModelFiles::Logged(id) => self.http.get(
                    &format!("api/2.0/mlflow/logged-models/{id}/artifacts/directories"),
                    &[("artifact_directory_path", dir.clone())],
                )?,
                ModelFiles::Run(run, _) => self.http.get(
                    "api/2.0/mlflow/artifacts/list",
                    &[("run_id", run.clone()), ("path", dir.clone())],
                )?,
            };
            for f in listed.files {
                if f.is_dir {
                    if f.path != dir {
                        dirs.push(f.path);
                    }
                } else {
                    out.push(crate::platform::ArtifactEntry {
                        path: f.path,
                        size: f.file_size,
                    });
                }
            }
            if out.len() > 1_000_000 {
                return Ok(Err("more than a million model files".into()));
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Ok(out))
    }

    pub(super) fn hash_artifact_impl(
        &self,
        v: &crate::model::Version,
        path: &str,
        on_bytes: &mut dyn FnMut(u64),
    ) -> Result<Option<(u64, String)>> {
        match Self::model_files_at(v) {
            Some(ModelFiles::Logged(id)) => self.http.get_hashed(
                &format!("ajax-api/2.0/mlflow/logged-models/{id}/artifacts/files"),
                &[("artifact_file_path", path.to_string())],
                on_bytes,
            ),
            Some(ModelFiles::Run(run, _)) => self.http.get_hashed(
                "get-artifact",
                &[("run_uuid", run), ("path", path.to_string())],
                on_bytes,
            ),
            None => Ok(None),
        }
    }
}

enum ModelFiles {
    Logged(String),
    Run(String, String),
}
