//! MLflow 3.x platform client (REST API).
//!
//! The whole inventory comes in a handful of bulk requests (see `shared/notes/mlflow.md`):
//! registered models and versions (prompts too, which MLflow hides unless asked for by tag),
//! experiments, then the runs the store does not have yet through `runs/search` with
//! `attributes.run_id IN (…)` in chunks, metric histories only for metrics logged at more than
//! one step, and logged models only for versions that are new.

mod convert;
mod http;
mod wire;
mod writeback;

pub use writeback::{ATTESTATION_EXPERIMENT, REVIEW_EXPERIMENT};

pub use http::ClientOptions;

use super::{FetchRequest, Platform, Progress, Snapshot};
use crate::model::{LoggedModel, Metric, Model, Run, TagNames, Version};
use crate::Result;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

const PROMPT_FILTER: &str = "tags.`mlflow.prompt.is_prompt` = 'true'";
const RUN_CHUNK: usize = 500;
const PARALLEL: usize = 4;

/// A client for one MLflow tracking server.
#[derive(Debug)]
pub struct MlflowClient {
    http: http::Http,
    tag_names: TagNames,
    max_traces: u32,
}

impl MlflowClient {
    /// Creates a client for `base` (the server's root URL).
    pub fn new(base: url::Url, options: ClientOptions, tag_names: TagNames) -> Result<Self> {
        Ok(Self {
            http: http::Http::new(base, options)?,
            tag_names,
            max_traces: 1000,
        })
    }

    /// Reads at most `n` traces per GenAI evaluation run (the policy's
    /// `[evidence] max_traces`; 1000 unless set).
    pub fn with_max_traces(mut self, n: u32) -> Self {
        self.max_traces = n.max(1);
        self
    }

    /// The page size for listings: `COUNTERSIGN_MLFLOW_PAGE_SIZE` (tests use a small one to
    /// exercise pagination on a small server), else `default`.
    fn page_size(default: usize) -> usize {
        std::env::var("COUNTERSIGN_MLFLOW_PAGE_SIZE")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    }

    /// All registered models, or all prompts (`prompts = true`), following pages.
    pub fn search_registered_models(&self, prompts: bool) -> Result<Vec<Model>> {
        let path = "api/2.0/mlflow/registered-models/search";
        let models = paged(path, Self::page_size(1000), &mut |size, token| {
            let mut q = vec![("max_results", size.to_string())];
            if prompts {
                q.push(("filter", PROMPT_FILTER.to_string()));
            }
            if let Some(t) = token {
                q.push(("page_token", t.to_string()));
            }
            let page: wire::SearchRegisteredModels = self.http.get(path, &q)?;
            Ok((page.registered_models, page.next_page_token))
        })?;
        Ok(models
            .into_iter()
            .map(|m| convert::model(m, &self.tag_names))
            .collect())
    }

    /// All model versions, or all prompt versions, following pages.
    pub fn search_model_versions(&self, prompts: bool) -> Result<Vec<Version>> {
        let path = "api/2.0/mlflow/model-versions/search";
        let versions = paged(path, Self::page_size(10000), &mut |size, token| {
            let mut q = vec![("max_results", size.to_string())];
            if prompts {
                q.push(("filter", PROMPT_FILTER.to_string()));
            }
            if let Some(t) = token {
                q.push(("page_token", t.to_string()));
            }
            let page: wire::SearchModelVersions = self.http.get(path, &q)?;
            Ok((page.model_versions, page.next_page_token))
        })?;
        Ok(versions.into_iter().map(convert::version).collect())
    }

    /// Experiment id → name, for all experiments (deleted ones too).
    pub fn experiments(&self) -> Result<BTreeMap<String, String>> {
        let path = "api/2.0/mlflow/experiments/search";
        let all = paged(path, Self::page_size(1000), &mut |size, token| {
            let mut q = vec![
                ("max_results", size.to_string()),
                ("view_type", "ALL".to_string()),
            ];
            if let Some(t) = token {
                q.push(("page_token", t.to_string()));
            }
            let page: wire::SearchExperiments = self.http.get(path, &q)?;
            Ok((page.experiments, page.next_page_token))
        })?;
        Ok(all.into_iter().map(|e| (e.experiment_id, e.name)).collect())
    }

    /// Runs matching a `runs/search` filter across the given experiments, following pages.
    pub fn search_runs(&self, experiment_ids: &[String], filter: &str) -> Result<Vec<Run>> {
        let path = "api/2.0/mlflow/runs/search";
        let runs = paged(path, Self::page_size(1000), &mut |size, token| {
            let mut body = json!({
                "experiment_ids": experiment_ids,
                "filter": filter,
                "run_view_type": "ALL",
                "max_results": size,
            });
            if let Some(t) = token {
                body["page_token"] = json!(t);
            }
            let page: wire::SearchRuns = self.http.post(path, &body)?;
            Ok((page.runs, page.next_page_token))
        })?;
        Ok(runs.into_iter().filter_map(convert::run).collect())
    }

    /// The full history of one metric of one run, sorted by step.
    pub fn metric_history(
        &self,
        run_id: &str,
        key: &str,
    ) -> Result<Vec<crate::model::MetricPoint>> {
        let path = "api/2.0/mlflow/metrics/get-history";
        let mut points: Vec<crate::model::MetricPoint> =
            paged(path, Self::page_size(25000), &mut |size, token| {
                let mut q = vec![
                    ("run_id", run_id.to_string()),
                    ("metric_key", key.to_string()),
                    ("max_results", size.to_string()),
                ];
                if let Some(t) = token {
                    q.push(("page_token", t.to_string()));
                }
                let page: wire::MetricHistory = self.http.get(path, &q)?;
                Ok((page.metrics, page.next_page_token))
            })?
            .into_iter()
            .map(convert::metric_point)
            .collect();
        points.sort_by_key(|p| (p.step, p.timestamp_ms));
        Ok(points)
    }

    /// One logged model by id.
    pub fn logged_model(&self, model_id: &str) -> Result<LoggedModel> {
        #[derive(serde::Deserialize)]
        struct Get {
            model: wire::LoggedModel,
        }
        let g: Get = self
            .http
            .get(&format!("api/2.0/mlflow/logged-models/{model_id}"), &[])?;
        Ok(convert::logged_model(g.model))
    }

    /// The traces of one run (`traces/search` filtered to it, the oldest first), at most
    /// `max_traces` + 1 of them: one more than counts tells whether there were more. `None`
    /// where the server has no traces API (MLflow 2.x answers 404).
    fn run_traces(&self, run: &Run) -> Result<Option<Vec<wire::TraceInfo>>> {
        let path = "api/3.0/mlflow/traces/search";
        // Run and experiment ids are MLflow's hex and digits; anything else is not put into a
        // filter, and such a run is read as having no traces.
        let plain =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !plain(&run.run_id) || !plain(&run.experiment_id) {
            return Ok(None);
        }
        let want = self.max_traces as usize + 1;
        let mut out: Vec<wire::TraceInfo> = Vec::new();
        let mut token: Option<String> = None;
        let mut seen = BTreeSet::new();
        while out.len() < want {
            let mut body = json!({
                "locations": [{"type": "MLFLOW_EXPERIMENT",
                               "mlflow_experiment": {"experiment_id": run.experiment_id}}],
                "filter": format!("attribute.run_id = '{}'", run.run_id),
                "order_by": ["timestamp_ms ASC"],
                "max_results": (want - out.len()).min(Self::page_size(500).min(500)),
            });
            if let Some(t) = &token {
                body["page_token"] = json!(t);
            }
            let page: wire::SearchTraces = match self.http.post(path, &body) {
                Ok(p) => p,
                // No traces API (MLflow 2.x: a plain 404); a 404 naming a missing
                // resource is an answer, not an absence.
                Err(crate::Error::Platform {
                    status: 404, code, ..
                }) if out.is_empty()
                    && (code.is_empty() || code.contains("ENDPOINT_NOT_FOUND")) =>
                {
                    return Ok(None)
                }
                Err(e) => return Err(e),
            };
            let n = page.traces.len();
            out.extend(page.traces);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if n == 0 => {
                    return Err(crate::Error::MalformedResponse {
                        url: path.into(),
                        reason: format!("an empty page with a next page token ({t:?}): the listing would end short; nothing was changed, try again"),
                    });
                }
                Some(t) => {
                    if !seen.insert(t.clone()) {
                        return Err(crate::Error::MalformedResponse {
                            url: path.into(),
                            reason: format!("the page token {t:?} came back a second time: the listing would loop; nothing was changed, try again"),
                        });
                    }
                    token = Some(t);
                }
                _ => break,
            }
        }
        Ok(Some(out))
    }

    /// Reads the assessments of every GenAI evaluation among `runs` ([`convert::has_traces`]).
    fn fill_assessments(&self, runs: &mut [Run], progress: &mut dyn FnMut(Progress)) -> Result<()> {
        let wanted: Vec<usize> = (0..runs.len())
            .filter(|i| convert::has_traces(&runs[*i]))
            .collect();
        for (done, i) in wanted.iter().enumerate() {
            progress(Progress::new(
                "traces",
                done as u64,
                Some(wanted.len() as u64),
            ));
            if let Some(traces) = self.run_traces(&runs[*i])? {
                runs[*i].assessments =
                    Some(convert::assessments(&traces, self.max_traces as usize));
            }
        }
        Ok(())
    }

    /// Runs by id, fetched in parallel chunks through `runs/search`.
    fn runs_by_id(
        &self,
        experiment_ids: &[String],
        ids: &[String],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<Run>> {
        let chunks: Vec<&[String]> = ids.chunks(RUN_CHUNK).collect();
        let total = ids.len() as u64;
        let mut out = Vec::with_capacity(ids.len());
        (progress)(Progress::new("runs", 0, Some(total)));
        for group in chunks.chunks(PARALLEL) {
            let results: Vec<Result<Vec<Run>>> = std::thread::scope(|s| {
                let handles: Vec<_> = group
                    .iter()
                    .map(|chunk| {
                        s.spawn(move || {
                            let list = chunk
                                .iter()
                                .map(|id| format!("'{}'", id.replace('\'', "")))
                                .collect::<Vec<_>>()
                                .join(",");
                            self.search_runs(
                                experiment_ids,
                                &format!("attributes.run_id IN ({list})"),
                            )
                        })
                    })
                    .collect();
                handles.into_iter().map(join).collect()
            });
            for r in results {
                out.extend(r?);
            }
            (progress)(Progress::new("runs", out.len() as u64, Some(total)));
        }
        Ok(out)
    }

    /// Runs MLflow links to what they evaluated only through their tags
    /// ([`convert::tag_links`]): with `refs`, those naming one of them (a logged-model id or a
    /// prompt version `NAME/VERSION`), else every run carrying such a tag. The search is by
    /// `LIKE` (quotes and backslashes in a name match any character); what a run links is then
    /// read exactly from its tags.
    fn tag_linked_runs(
        &self,
        experiment_ids: &[String],
        refs: Option<&[String]>,
    ) -> Result<Vec<Run>> {
        use convert::{DATASETS_TAG, LINKED_PROMPTS_TAG};
        if experiment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let like = |s: &str| s.replace(['\'', '\\'], "_");
        let filters: Vec<String> = match refs {
            None => vec![
                format!("tags.`{DATASETS_TAG}` LIKE '%\"model\"%'"),
                format!("tags.`{LINKED_PROMPTS_TAG}` LIKE '%'"),
            ],
            Some(refs) => refs
                .iter()
                .flat_map(|r| match r.rsplit_once('/') {
                    // A version: named by a prompt link, or by a `models:/NAME/V` dataset link.
                    Some((name, _)) => vec![
                        format!("tags.`{LINKED_PROMPTS_TAG}` LIKE '%{}%'", like(name)),
                        format!("tags.`{DATASETS_TAG}` LIKE '%models:/{}%'", like(r)),
                    ],
                    None => vec![format!("tags.`{DATASETS_TAG}` LIKE '%{}%'", like(r))],
                })
                .collect(),
        };
        let mut out: BTreeMap<String, Run> = BTreeMap::new();
        for f in filters {
            for r in self.search_runs(experiment_ids, &f)? {
                let named = convert::tag_links(&r.tags);
                if !r.deleted
                    && refs.is_none_or(|refs| named.iter().any(|l| refs.contains(&l.model_ref)))
                {
                    out.insert(r.run_id.clone(), r);
                }
            }
        }
        Ok(out.into_values().collect())
    }

    /// Fills the history of metrics logged at more than one step.
    fn fill_histories(&self, runs: &mut [Run], progress: &mut dyn FnMut(Progress)) -> Result<()> {
        let wanted: Vec<(usize, String)> = runs
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.metrics
                    .iter()
                    .filter(|(_, m)| m.step > 0)
                    .map(move |(k, _)| (i, k.clone()))
            })
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let total = wanted.len() as u64;
        let mut done = 0u64;
        for group in wanted.chunks(PARALLEL * 2) {
            let results: Vec<Result<Vec<crate::model::MetricPoint>>> = std::thread::scope(|s| {
                let runs = &*runs;
                let handles: Vec<_> = group
                    .iter()
                    .map(|(i, k)| s.spawn(move || self.metric_history(&runs[*i].run_id, k)))
                    .collect();
                handles.into_iter().map(join).collect()
            });
            for ((i, k), r) in group.iter().zip(results) {
                let points = r?;
                if let Some(m) = runs[*i].metrics.get_mut(k) {
                    set_history(m, points);
                }
            }
            done += group.len() as u64;
            (progress)(Progress::new("metric history", done, Some(total)));
        }
        Ok(())
    }

    fn logged_models(
        &self,
        ids: &[String],
        experiment_ids: &[String],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<LoggedModel>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        (progress)(Progress::new("logged models", 0, Some(ids.len() as u64)));
        let mut out = Vec::new();
        if ids.len() <= 16 {
            for group in ids.chunks(PARALLEL) {
                let results: Vec<Result<LoggedModel>> = std::thread::scope(|s| {
                    let handles: Vec<_> = group
                        .iter()
                        .map(|id| s.spawn(move || self.logged_model(id)))
                        .collect();
                    handles.into_iter().map(join).collect()
                });
                for r in results {
                    match r {
                        Ok(m) => out.push(m),
                        // A version may point at a logged model that was deleted: not fatal.
                        Err(crate::Error::Platform { status: 404, .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        } else {
            let wanted: BTreeSet<&String> = ids.iter().collect();
            let mut token: Option<String> = None;
            loop {
                let mut body = json!({ "experiment_ids": experiment_ids, "max_results": 1000 });
                if let Some(t) = &token {
                    body["page_token"] = json!(t);
                }
                let page: wire::SearchLoggedModels = self
                    .http
                    .post("api/2.0/mlflow/logged-models/search", &body)?;
                let empty = page.models.is_empty();
                out.extend(
                    page.models
                        .into_iter()
                        .filter(|m| wanted.contains(&m.info.model_id))
                        .map(convert::logged_model),
                );
                match page.next_page_token {
                    Some(t) if !t.is_empty() && !empty && Some(&t) != token.as_ref() => {
                        token = Some(t)
                    }
                    _ => break,
                }
            }
        }
        (progress)(Progress::new(
            "logged models",
            out.len() as u64,
            Some(ids.len() as u64),
        ));
        Ok(out)
    }
}

/// Most pages a listing may take before it is taken for a loop.
const MAX_PAGES: usize = 100_000;

/// Follows a paged listing to its end, guarding against a server (or proxy) that breaks
/// pagination: a page token seen before is a loop and an error (never a silently short
/// listing); a full last page without a token may mean a token was lost, so the listing is read
/// again with a page size that does not divide the count — an exact fit then ends on a short
/// page, a lost token fails again and is an error. A sync never applies a listing it cannot show complete.
type Page<T> = (Vec<T>, Option<String>);

/// Fetches one page: (page size, token) → (items, next token).
type FetchPage<'a, T> = dyn FnMut(usize, Option<&str>) -> Result<Page<T>> + 'a;

fn paged<T>(what: &str, page_size: usize, fetch: &mut FetchPage<'_, T>) -> Result<Vec<T>> {
    let broken = |reason: String| crate::Error::MalformedResponse {
        url: what.to_string(),
        reason,
    };
    let mut size = page_size;
    for attempt in 0..2 {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(broken(format!(
                    "more than {MAX_PAGES} pages: the listing does not end"
                )));
            }
            let (items, next) = fetch(size, token.as_deref())?;
            let n = items.len();
            out.extend(items);
            match next.filter(|t| !t.is_empty()) {
                Some(t) => {
                    if !seen.insert(t.clone()) {
                        return Err(broken(format!(
                            "the page token {t:?} came back a second time: the listing would loop or skip items; nothing was changed, try again"
                        )));
                    }
                    token = Some(t);
                }
                None if n >= size && attempt == 0 => {
                    // A page size that does not divide what came, so an honest listing now
                    // ends on a short page; smaller if possible, as MLflow caps some page
                    // sizes (1000 models).
                    let total = out.len();
                    size = (size / 2..size)
                        .rev()
                        .find(|s| *s > 0 && total % s != 0)
                        .unwrap_or(total + 1);
                    break;
                }
                None if n >= size => {
                    return Err(broken(format!(
                        "a full page of {n} items came without a next page token, twice: the listing may be incomplete; nothing was changed, try again"
                    )));
                }
                None => return Ok(out),
            }
        }
    }
    Err(broken("the listing could not be read completely".into()))
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    h.join().unwrap_or_else(|_| {
        Err(crate::Error::MalformedResponse {
            url: "MLflow".into(),
            reason: "a worker thread failed while decoding a response".into(),
        })
    })
}

fn set_history(m: &mut Metric, points: Vec<crate::model::MetricPoint>) {
    if points.len() > 1 {
        m.history = points;
    }
}

impl Platform for MlflowClient {
    fn create_webhook(
        &self,
        name: &str,
        url: &str,
        secret: &str,
        events: &[(&str, &str)],
    ) -> Result<String> {
        let path = "api/2.0/mlflow/webhooks";
        let body = json!({
            "name": name,
            "url": url,
            "description": "Countersign: sync what changed (countersign watch)",
            "events": events.iter().map(|(e, a)| json!({"entity": e, "action": a})).collect::<Vec<_>>(),
            "secret": secret,
            "status": "ACTIVE",
        });
        let made: serde_json::Value = self.http.post(path, &body)?;
        made["webhook"]["webhook_id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| crate::Error::MalformedResponse {
                url: path.into(),
                reason: "the created webhook has no webhook_id".into(),
            })
    }

    fn delete_webhooks(&self, name: &str, url: &str, keep: &str) -> Result<usize> {
        let path = "api/2.0/mlflow/webhooks";
        let all = paged(path, 1000, &mut |size, token| {
            let mut q = vec![("max_results", size.to_string())];
            if let Some(t) = token {
                q.push(("page_token", t.to_string()));
            }
            let page: serde_json::Value = self.http.get(path, &q)?;
            let items = page["webhooks"].as_array().cloned().unwrap_or_default();
            let next = page["next_page_token"].as_str().map(str::to_string);
            Ok((items, next))
        })?;
        let mut n = 0;
        for w in all {
            let id = w["webhook_id"].as_str().unwrap_or_default();
            if w["name"].as_str() == Some(name)
                && w["url"].as_str() == Some(url)
                && id != keep
                && !id.is_empty()
            {
                self.http.delete(&format!("{path}/{id}"))?;
                n += 1;
            }
        }
        Ok(n)
    }

    fn fetch_version(&self, version: &crate::uri::VersionRef) -> Result<super::VersionSnapshot> {
        self.fetch_version_fresh(version)
    }

    fn write_back(&self, w: &super::WriteBack<'_>) -> Result<String> {
        self.write_back_impl(w)
    }

    fn set_countersign_model_tag(&self, model: &str, key: &str, value: &str) -> Result<bool> {
        super::check_countersign_key(key)?;
        let _: serde_json::Value = self.http.post(
            "api/2.0/mlflow/registered-models/set-tag",
            &serde_json::json!({"name": model, "key": key, "value": value}),
        )?;
        Ok(true)
    }

    fn assign(
        &self,
        version: &crate::uri::VersionRef,
        a: &crate::assignment::Assignment,
    ) -> Result<String> {
        let key = a.tag_key();
        let _: serde_json::Value = self.http.post(
            "api/2.0/mlflow/model-versions/set-tag",
            &serde_json::json!({"name": version.name, "version": version.version, "key": key, "value": a.tag_value()}),
        )?;
        Ok(format!("tag {key} on {version}"))
    }

    fn list_approvals(
        &self,
        version: &crate::uri::VersionRef,
    ) -> Result<Vec<super::StoredApproval>> {
        self.list_approvals_impl(version)
    }

    fn write_attestation(
        &self,
        version: &crate::uri::VersionRef,
        signer: &str,
        stem: &str,
        json: &[u8],
        sig: &[u8],
    ) -> Result<String> {
        self.write_attestation_impl(version, signer, stem, json, sig)
    }

    fn attestation_file_stem(&self, _stem: &str) -> String {
        // Each attestation is a run of its own holding `attestation.json` and its `.sig`.
        writeback::ATTESTATION_FILE
            .trim_end_matches(".json")
            .to_string()
    }

    fn list_attestations(
        &self,
        version: &crate::uri::VersionRef,
    ) -> Result<Vec<super::StoredApproval>> {
        self.list_attestations_impl(version)
    }

    fn approvals_under_other_names(
        &self,
        snapshot: &super::VersionSnapshot,
    ) -> Result<Vec<super::RenamedApprovals>> {
        self.approvals_under_other_names_impl(snapshot)
    }

    fn latest_review(
        &self,
        version: &crate::uri::VersionRef,
    ) -> Result<Option<super::PublishedReview>> {
        Ok(self
            .published_reviews_impl(version, true)?
            .into_iter()
            .next())
    }

    fn published_reviews(
        &self,
        version: &crate::uri::VersionRef,
    ) -> Result<Vec<super::PublishedReview>> {
        self.published_reviews_impl(version, false)
    }

    fn model_aliases(&self, name: &str) -> Result<std::collections::BTreeMap<String, String>> {
        self.model_aliases_fresh(name)
    }

    fn policy_files(
        &self,
        scope: &crate::platform::PolicyScope,
    ) -> Result<Vec<crate::platform::PolicyFile>> {
        self.policy_files_impl(scope)
    }

    fn artifact_list(
        &self,
        snapshot: &super::VersionSnapshot,
    ) -> Result<std::result::Result<Vec<crate::platform::ArtifactEntry>, String>> {
        self.artifact_list_impl(&snapshot.version)
    }

    fn hash_artifact(
        &self,
        snapshot: &super::VersionSnapshot,
        path: &str,
        on_bytes: &mut dyn FnMut(u64),
    ) -> Result<Option<(u64, String)>> {
        self.hash_artifact_impl(&snapshot.version, path, on_bytes)
    }

    fn publish_policy_files(&self, files: &[(String, Vec<u8>)]) -> Result<String> {
        self.publish_policy_impl(files)
    }

    fn uri(&self) -> String {
        self.http.base_display()
    }

    fn request_count(&self) -> u64 {
        self.http.request_count()
    }

    fn fetch(&self, req: FetchRequest<'_>) -> Result<Snapshot> {
        let progress = req.progress;
        progress(Progress::new("models", 0, None));
        let mut models = self.search_registered_models(false)?;
        models.extend(self.search_registered_models(true)?);
        progress(Progress::new(
            "models",
            models.len() as u64,
            Some(models.len() as u64),
        ));

        progress(Progress::new("versions", 0, None));
        let mut versions = self.search_model_versions(false)?;
        versions.extend(self.search_model_versions(true)?);
        // Aliases are only on the registered model.
        let mut alias_map: HashMap<(&str, &str), Vec<String>> = HashMap::new();
        for m in &models {
            for (alias, v) in &m.aliases {
                alias_map
                    .entry((m.name.as_str(), v.as_str()))
                    .or_default()
                    .push(alias.clone());
            }
        }
        for v in &mut versions {
            if let Some(a) = alias_map.get(&(v.name.as_str(), v.version.as_str())) {
                v.aliases = a.clone();
                v.aliases.sort();
            }
        }
        // Stages are on each version (the model lists only the latest per stage, and several
        // versions may be in Production at once).
        let mut stage_map: HashMap<&str, BTreeMap<String, String>> = HashMap::new();
        for v in &versions {
            if let Some(s) = &v.stage {
                stage_map
                    .entry(v.name.as_str())
                    .or_default()
                    .insert(v.version.clone(), s.clone());
            }
        }
        for m in &mut models {
            m.stages = stage_map.remove(m.name.as_str()).unwrap_or_default();
        }
        let names: BTreeSet<&str> = models.iter().map(|m| m.name.as_str()).collect();
        versions.retain(|v| names.contains(v.name.as_str()));
        progress(Progress::new(
            "versions",
            versions.len() as u64,
            Some(versions.len() as u64),
        ));

        let wanted_runs: Vec<String> = versions
            .iter()
            .filter_map(|v| v.run_id.clone())
            .filter(|id| !(req.have_run)(id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let wanted_models: Vec<String> = versions
            .iter()
            .filter_map(|v| v.logged_model_id().map(str::to_string))
            .filter(|id| !(req.have_logged_model)(id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();

        let mut runs = Vec::new();
        let mut missing_runs = Vec::new();
        let mut logged_models = Vec::new();
        let experiments = self.experiments()?;
        let exp_ids: Vec<String> = experiments.keys().cloned().collect();
        // Evaluations MLflow links only through their tags (`mlflow.datasets`,
        // `mlflow.linkedPrompts`): one search each, kept when they name a version here.
        let prompts: BTreeSet<&str> = models
            .iter()
            .filter(|m| m.kind == crate::model::ModelKind::Prompt)
            .map(|m| m.name.as_str())
            .collect();
        let by_ref: HashMap<String, (bool, i64)> = versions
            .iter()
            .flat_map(|v| {
                let facts = (prompts.contains(v.name.as_str()), v.created_ms);
                std::iter::once((format!("{}/{}", v.name, v.version), facts))
                    .chain(v.logged_model_id().map(|id| (id.to_string(), facts)))
            })
            .collect();
        let version_of = |r: &str| by_ref.get(r).copied();
        let mut tag_linked: Vec<Run> = self
            .tag_linked_runs(&exp_ids, None)?
            .into_iter()
            .filter(|r| !convert::qualified_links(r, &version_of).is_empty())
            .filter(|r| !(req.have_run)(&r.run_id))
            .collect();
        if !wanted_runs.is_empty() || !wanted_models.is_empty() {
            if !wanted_runs.is_empty() {
                runs = self.runs_by_id(&exp_ids, &wanted_runs, progress)?;
                for r in &mut runs {
                    r.experiment_name = experiments.get(&r.experiment_id).cloned();
                }
                let got: BTreeSet<&str> = runs.iter().map(|r| r.run_id.as_str()).collect();
                missing_runs = wanted_runs
                    .iter()
                    .filter(|id| !got.contains(id.as_str()))
                    .cloned()
                    .collect();
                self.fill_histories(&mut runs, progress)?;
            }
            logged_models = self.logged_models(&wanted_models, &exp_ids, progress)?;
            // Evaluation runs: runs that logged metrics against a version's logged model.
            let fetched: BTreeSet<String> = runs.iter().map(|r| r.run_id.clone()).collect();
            let eval_ids: Vec<String> = logged_models
                .iter()
                .flat_map(|m| m.evaluation_run_ids.iter().cloned())
                .filter(|id| !fetched.contains(id) && !(req.have_run)(id))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if !eval_ids.is_empty() {
                let mut evals = self.runs_by_id(&exp_ids, &eval_ids, progress)?;
                for r in &mut evals {
                    r.experiment_name = experiments.get(&r.experiment_id).cloned();
                }
                self.fill_histories(&mut evals, progress)?;
                runs.extend(evals);
            }
            // Record the link from the evaluation side too, so the store can find it.
            for m in &logged_models {
                for r in runs
                    .iter_mut()
                    .filter(|r| m.evaluation_run_ids.contains(&r.run_id))
                {
                    if !r.model_inputs.contains(&m.model_id) {
                        r.model_inputs.push(m.model_id.clone());
                        r.model_inputs.sort();
                    }
                }
            }
        }
        let fetched: BTreeSet<String> = runs.iter().map(|r| r.run_id.clone()).collect();
        tag_linked.retain(|r| !fetched.contains(&r.run_id));
        for r in &mut tag_linked {
            r.experiment_name = experiments.get(&r.experiment_id).cloned();
        }
        self.fill_histories(&mut tag_linked, progress)?;
        runs.extend(tag_linked);
        // Every run read links what its tags say it evaluated, where that may count.
        for r in &mut runs {
            r.model_inputs
                .extend(convert::qualified_links(r, &version_of));
            r.model_inputs.sort();
            r.model_inputs.dedup();
        }
        self.fill_assessments(&mut runs, progress)?;
        Ok(Snapshot {
            models,
            versions,
            runs,
            logged_models,
            missing_runs,
        })
    }
}

/// Decodes `body` as one of the MLflow responses a sync reads (`which` picks it) and converts
/// the result as a sync would, discarding it. For the fuzz targets under `fuzz/`: whatever the
/// bytes, this returns (an error or nothing) and never panics.
#[doc(hidden)]
pub fn fuzz_decode(which: u8, body: &[u8]) {
    let names = TagNames::default();
    let shown = "fuzz";
    match which % 6 {
        0 => {
            if let Ok(p) = http::decode::<wire::SearchRegisteredModels>(shown, body) {
                for m in p.registered_models {
                    let _ = convert::model(m, &names);
                }
            }
        }
        1 => {
            if let Ok(p) = http::decode::<wire::SearchModelVersions>(shown, body) {
                for v in p.model_versions {
                    let _ = convert::version(v);
                }
            }
        }
        2 => {
            if let Ok(p) = http::decode::<wire::SearchRuns>(shown, body) {
                for r in p.runs {
                    let _ = convert::run(r);
                }
            }
        }
        3 => {
            if let Ok(p) = http::decode::<wire::MetricHistory>(shown, body) {
                for m in p.metrics {
                    let _ = convert::metric_point(m);
                }
            }
        }
        4 => {
            if let Ok(p) = http::decode::<wire::SearchLoggedModels>(shown, body) {
                for m in p.models {
                    let _ = convert::logged_model(m);
                }
            }
        }
        _ => {
            let _ = http::decode::<wire::SearchExperiments>(shown, body);
            let _ = http::status_error(shown, 500, body);
        }
    }
}

#[cfg(test)]
mod paging_tests {
    use super::paged;

    /// A server holding `total` items that pages honestly, with `tamper` applied to each token.
    fn server(
        total: usize,
        tamper: impl Fn(usize, Option<String>) -> Option<String>,
    ) -> impl FnMut(usize, Option<&str>) -> crate::Result<super::Page<usize>> {
        let mut call = 0;
        move |size, token| {
            call += 1;
            let start: usize = token.map(|t| t.parse().unwrap_or(0)).unwrap_or(0);
            let end = (start + size).min(total);
            let next = (end < total).then(|| end.to_string());
            Ok(((start..end).collect(), tamper(call, next)))
        }
    }

    #[test]
    fn honest_listings_are_complete_even_on_an_exact_fit() {
        for size in [1, 2, 4, 1000] {
            for total in [0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 999, 1000, 2000, 2997] {
                let got = paged("x", size, &mut server(total, |_, t| t)).expect("complete");
                assert_eq!(
                    got,
                    (0..total).collect::<Vec<_>>(),
                    "size {size}, total {total}"
                );
            }
        }
    }

    #[test]
    fn a_repeated_token_is_an_error_not_a_short_listing() {
        let e = paged("x", 2, &mut server(9, |_, _| Some("2".into()))).expect_err("loop");
        assert!(e.to_string().contains("came back a second time"), "{e}");
    }

    #[test]
    fn a_vanished_token_is_an_error_not_a_short_listing() {
        let e = paged("x", 2, &mut server(9, |_, _| None)).expect_err("lost token");
        assert!(e.to_string().contains("without a next page token"), "{e}");
    }
}
