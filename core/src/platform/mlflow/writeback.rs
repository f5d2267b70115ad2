//! Reading one version fresh, and writing reviews and approvals back to MLflow (DESIGN §3):
//! each review is a run in the experiment `countersign-reviews`, tagged with the model name,
//! version and review id, holding `evidence.json`, `review.json` and
//! `approvals/<role>-<signer>.json(.sig)` as artifacts uploaded through the server's artifact
//! proxy; the version gets the tags `countersign.status` and `countersign.review_run_id`.
//! Writes only add: an approval file that exists is never replaced.

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
    artifact_uri: String,
    #[serde(default)]
    start_time: Option<i64>,
    #[serde(default)]
    lifecycle_stage: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
}

impl RunInfoOnly {
    fn deleted(&self) -> bool {
        self.lifecycle_stage.as_deref() == Some("deleted")
    }
}
#[derive(Deserialize)]
struct RunOnly {
    info: RunInfoOnly,
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

    /// The id of an experiment, `None` when there is none of that name.
    fn existing_experiment(&self, name: &str) -> Result<Option<String>> {
        let q = [("experiment_name", name.to_string())];
        match self
            .http
            .get::<GetExperiment>("api/2.0/mlflow/experiments/get-by-name", &q)
        {
            Ok(e) => Ok(Some(e.experiment.experiment_id)),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The id of an experiment Countersign writes to, created (with an artifact root the
    /// proxy can write) when missing.
    fn experiment(&self, name: &str) -> Result<String> {
        if let Some(id) = self.existing_experiment(name)? {
            return Ok(id);
        }
        let created: Result<ExperimentId> = self.http.post(
            "api/2.0/mlflow/experiments/create",
            &json!({"name": name, "artifact_location": format!("mlflow-artifacts:/{name}")}),
        );
        match created {
            Ok(c) => Ok(c.experiment_id),
            // Another reviewer created it at the same moment.
            Err(e @ Error::Platform { .. }) => self.existing_experiment(name)?.ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// Every review run matching `filter`, following every page (through the guarded pager,
    /// so a listing that does not end or repeats a token is an error, never a short list).
    /// `deleted`: whether soft-deleted runs are listed too — they are when records are read,
    /// because a deleted reject still speaks against the version.
    fn review_runs(&self, exp: &str, filter: &str, deleted: bool) -> Result<Vec<RunInfoOnly>> {
        let path = "api/2.0/mlflow/runs/search";
        let view = if deleted { "ALL" } else { "ACTIVE_ONLY" };
        let runs = super::paged(path, Self::page_size(1000), &mut |size, token| {
            let mut body = json!({"experiment_ids": [exp], "filter": filter, "run_view_type": view, "max_results": size, "order_by": ["attributes.start_time DESC"]});
            if let Some(t) = token {
                body["page_token"] = json!(t);
            }
            let page: SearchRunInfos = self.http.post(path, &body)?;
            Ok((page.runs, page.next_page_token))
        })?;
        Ok(runs.into_iter().map(|r| r.info).collect())
    }

    fn artifact_root(info: &RunInfoOnly) -> Result<String> {
        info.artifact_uri.strip_prefix("mlflow-artifacts:/").map(|s| s.trim_start_matches('/').to_string()).ok_or_else(|| Error::Platform {
            url: "countersign-reviews".into(),
            status: 0,
            code: String::new(),
            message: format!("review run {} stores artifacts at '{}', which the artifact proxy cannot write", info.run_id, info.artifact_uri),
            hint: ". Start the MLflow server with --serve-artifacts (the default) and let Countersign create the experiment".into(),
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
            &exp,
            &format!(
                "tags.`countersign.review_id` = '{}'",
                w.review_id.replace('\'', "")
            ),
            false,
        )?;
        let info = match runs.pop() {
            Some(i) => i,
            None => {
                let c: CreatedRun = self.http.post(
                    "api/2.0/mlflow/runs/create",
                    &json!({
                        "experiment_id": exp,
                        "user_id": w.signer,
                        "run_name": format!("review {} v{}", w.version.name, w.version.version),
                        "start_time": chrono::Utc::now().timestamp_millis(),
                        "tags": [
                            {"key": "countersign.model_name", "value": w.version.name},
                            {"key": "countersign.model_version", "value": w.version.version},
                            {"key": "countersign.review_id", "value": w.review_id},
                            {"key": "mlflow.user", "value": w.signer},
                        ]
                    }),
                )?;
                c.run.info
            }
        };
        let root = Self::artifact_root(&info)?;
        for (name, bytes) in [
            ("evidence.json", w.evidence_json),
            ("review.json", w.review_json),
        ] {
            match self.get_artifact(&root, name)? {
                None => self.put_artifact(&root, name, bytes)?,
                Some(existing) if existing == bytes => {}
                Some(_) => {
                    return Err(Error::Refused {
                        reasons: vec![format!("{name} of review {} is already on the platform with other content; start a new review", w.review_id)],
                    })
                }
            }
        }
        let json_name = format!("approvals/{}.json", w.approval_stem);
        if self.get_artifact(&root, &json_name)?.is_some() {
            return Err(Error::Refused {
                reasons: vec![format!(
                    "{json_name} already exists in review run {}; an approval is never replaced",
                    info.run_id
                )],
            });
        }
        self.put_artifact(&root, &format!("{json_name}.sig"), w.approval_sig)?;
        self.put_artifact(&root, &json_name, w.approval_json)?;
        for (k, v) in [
            ("countersign.status", w.status.to_string()),
            ("countersign.review_run_id", info.run_id.clone()),
        ] {
            let _: serde_json::Value = self.http.post(
                "api/2.0/mlflow/model-versions/set-tag",
                &json!({"name": w.version.name, "version": w.version.version, "key": k, "value": v}),
            )?;
        }
        let _: serde_json::Value = self.http.post("api/2.0/mlflow/runs/update", &json!({"run_id": info.run_id, "status": "FINISHED", "end_time": chrono::Utc::now().timestamp_millis()}))?;
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
        let c: CreatedRun = self.http.post(
            "api/2.0/mlflow/runs/create",
            &json!({
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
        let info = c.run.info;
        let root = Self::artifact_root(&info)?;
        self.put_artifact(&root, ATTESTATION_FILE_SIG, sig)?;
        self.put_artifact(&root, ATTESTATION_FILE, json)?;
        let _: serde_json::Value = self.http.post("api/2.0/mlflow/runs/update", &json!({"run_id": info.run_id, "status": "FINISHED", "end_time": chrono::Utc::now().timestamp_millis()}))?;
        Ok(format!(
            "run {} ({ATTESTATION_EXPERIMENT}) {ATTESTATION_FILE}",
            info.run_id
        ))
    }

    /// Every attestation run of a version (active ones: a deleted attestation attests
    /// nothing, and its absence can only put the model in the queue).
    pub(super) fn list_attestations_impl(&self, r: &VersionRef) -> Result<Vec<StoredApproval>> {
        let Some(exp) = self.existing_experiment(ATTESTATION_EXPERIMENT)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for info in self.review_runs(&exp, &Self::version_filter(r), false)? {
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
            let Some(json) = self.get_artifact(&root, ATTESTATION_FILE)? else {
                continue;
            };
            let sig = self.get_artifact(&root, ATTESTATION_FILE_SIG)?;
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
        let Some(exp) = self.existing_experiment(REVIEW_EXPERIMENT)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for info in self.review_runs(&exp, &Self::version_filter(r), true)? {
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
            let files = match self.list_dir(&info.run_id, "approvals") {
                Ok(f) => f,
                Err(e) if not_found(&e) => continue,
                Err(e) => return Err(e),
            };
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
            for f in files
                .iter()
                .filter(|f| !f.is_dir && f.path.ends_with(".json"))
            {
                let rel = if f.path.starts_with("approvals/") {
                    f.path.clone()
                } else {
                    format!("approvals/{}", f.path)
                };
                let location = format!("run {} {rel}", info.run_id);
                let Some(json) = self.get_artifact(&root, &rel)? else {
                    // Listed but not there: reported as an unreadable record, never skipped.
                    out.push(StoredApproval {
                        location,
                        json: b"listed by the server but not downloadable".to_vec(),
                        sig: None,
                        deleted: deleted.clone(),
                    });
                    continue;
                };
                let sig = self.get_artifact(&root, &format!("{rel}.sig"))?;
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

    /// The published reviews of a version, newest run first (only the newest with `first`).
    pub(super) fn published_reviews_impl(
        &self,
        r: &VersionRef,
        first: bool,
    ) -> Result<Vec<PublishedReview>> {
        let Some(exp) = self.existing_experiment(REVIEW_EXPERIMENT)? else {
            return Ok(Vec::new());
        };
        let mut runs = self.review_runs(&exp, &Self::version_filter(r), false)?;
        runs.sort_by_key(|i| std::cmp::Reverse(i.start_time.unwrap_or(0)));
        let mut out = Vec::new();
        for info in runs {
            let Ok(root) = Self::artifact_root(&info) else {
                continue;
            };
            if let (Some(review_json), Some(evidence_json)) = (
                self.get_artifact(&root, "review.json")?,
                self.get_artifact(&root, "evidence.json")?,
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
        let Some(exp) = self.existing_experiment(POLICY_EXPERIMENT)? else {
            return Ok(Vec::new());
        };
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
        for info in self.review_runs(&exp, &filter, true)? {
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
        let c: CreatedRun = self.http.post(
            "api/2.0/mlflow/runs/create",
            &json!({
                "experiment_id": exp,
                "run_name": format!("publish {}", fresh[0].0.rsplit_once('/').map(|x| x.0).unwrap_or("")),
                "start_time": chrono::Utc::now().timestamp_millis(),
                "tags": [
                    {"key": "countersign.policy_kind", "value": kind},
                    {"key": "countersign.root_sha256", "value": root_sha},
                ]
            }),
        )?;
        let info = c.run.info;
        let root = Self::artifact_root(&info)?;
        for (path, bytes) in fresh {
            self.put_artifact(&root, path, bytes)?;
        }
        let _: serde_json::Value = self.http.post("api/2.0/mlflow/runs/update", &json!({"run_id": info.run_id, "status": "FINISHED", "end_time": chrono::Utc::now().timestamp_millis()}))?;
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
