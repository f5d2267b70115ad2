//! MLflow wire types → domain types.

use super::wire;
use crate::model::{
    DatasetInput, LoggedModel, Metric, MetricPoint, Model, ModelKind, Run, TagNames, Version,
};
use std::collections::{BTreeMap, BTreeSet};

fn tags(list: Vec<wire::Tag>) -> BTreeMap<String, String> {
    list.into_iter().map(|t| (t.key, t.value)).collect()
}

pub(super) fn model(m: wire::RegisteredModel, names: &TagNames) -> Model {
    let tags = tags(m.tags);
    let kind = if tags
        .get("mlflow.prompt.is_prompt")
        .is_some_and(|v| v == "true")
    {
        ModelKind::Prompt
    } else {
        ModelKind::Classic
    };
    let mut out = Model {
        name: m.name,
        kind,
        description: m.description.unwrap_or_default(),
        owner: None,
        business_purpose: None,
        risk_tier: None,
        next_review_date: None,
        monitoring: None,
        llm_provider: None,
        created_ms: m.creation_timestamp.unwrap_or(0),
        updated_ms: m.last_updated_timestamp.unwrap_or(0),
        tags,
        aliases: m
            .aliases
            .into_iter()
            .map(|a| (a.alias, a.version))
            .collect(),
        stages: m
            .latest_versions
            .into_iter()
            .filter_map(|v| Some((v.version, stage(v.current_stage.as_deref())?)))
            .collect(),
    };
    out.apply_tag_names(names);
    out
}

/// A registry stage worth recording: MLflow's `None` (and nothing) is no stage.
fn stage(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("none"))
        .map(str::to_string)
}

pub(super) fn version(v: wire::ModelVersion) -> Version {
    let tags = tags(v.tags);
    let stage = stage(v.current_stage.as_deref());
    Version {
        name: v.name,
        version: v.version,
        creator: v.user_id.filter(|u| !u.is_empty()),
        created_ms: v.creation_timestamp.unwrap_or(0),
        updated_ms: v.last_updated_timestamp.unwrap_or(0),
        source: v.source.unwrap_or_default(),
        run_id: v.run_id.filter(|r| !r.is_empty()),
        status: v.status.unwrap_or_default(),
        description: v.description.unwrap_or_default(),
        aliases: Vec::new(),
        tags,
        files: Vec::new(),
        stage,
    }
}

pub(super) fn metric_point(m: wire::Metric) -> MetricPoint {
    MetricPoint {
        step: m.step.unwrap_or(0),
        timestamp_ms: m.timestamp.unwrap_or(0),
        value: m.value.as_ref().and_then(wire::MetricValue::finite),
    }
}

/// The dataset source decoded from MLflow's JSON, whatever source type recorded it: the URI
/// (`uri`, `url`, `path`), a table (`table_name`, with its `version` when given), or for a
/// code source (autolog's `{"tags": {…}}`) the code it names; anything else as sent.
pub(crate) fn dataset_source(raw: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) else {
        return raw.to_string();
    };
    let s = |k: &str| v.get(k).and_then(|u| u.as_str()).map(str::to_string);
    if let Some(u) = s("uri").or_else(|| s("url")).or_else(|| s("path")) {
        return u;
    }
    if let Some(t) = s("table_name").or_else(|| s("table")) {
        return match v.get("version").filter(|x| !x.is_null()) {
            Some(ver) => format!(
                "table {t} (version {})",
                ver.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| ver.to_string())
            ),
            None => format!("table {t}"),
        };
    }
    if let Some(tags) = v.get("tags").and_then(|t| t.as_object()) {
        let tag = |k: &str| {
            tags.get(k)
                .and_then(|x| x.as_str())
                .filter(|x| !x.is_empty())
        };
        return match (tag("mlflow.source.name"), tag("mlflow.source.git.commit")) {
            (Some(name), Some(commit)) => format!("code {name} @ {commit}"),
            (Some(name), None) => format!("code {name}"),
            _ => "code (no source name recorded)".to_string(),
        };
    }
    raw.to_string()
}

pub(super) fn run(r: wire::Run) -> Option<Run> {
    let run_id = r
        .info
        .run_id
        .or(r.info.run_uuid)
        .filter(|id| !id.is_empty())?;
    let tags = tags(r.data.tags);
    let metrics = r
        .data
        .metrics
        .into_iter()
        .map(|m| {
            let p = metric_point(wire::Metric {
                key: String::new(),
                run_id: None,
                value: m.value,
                timestamp: m.timestamp,
                step: m.step,
            });
            (
                m.key,
                Metric {
                    value: p.value,
                    step: p.step,
                    timestamp_ms: p.timestamp_ms,
                    history: Vec::new(),
                },
            )
        })
        .collect();
    let mut datasets: Vec<DatasetInput> = r
        .inputs
        .dataset_inputs
        .into_iter()
        .map(|d| {
            let context = d
                .tags
                .iter()
                .find(|t| t.key == "mlflow.data.context")
                .map(|t| t.value.clone())
                .unwrap_or_default();
            let tags = d
                .tags
                .iter()
                .filter(|t| t.key != "mlflow.data.context")
                .map(|t| (t.key.clone(), t.value.clone()))
                .collect();
            DatasetInput {
                context,
                name: d.dataset.name,
                digest: d.dataset.digest,
                source_type: d.dataset.source_type,
                source: dataset_source(&d.dataset.source),
                tags,
            }
        })
        .collect();
    datasets.sort();
    datasets.dedup();
    let mut model_inputs: Vec<String> = r
        .inputs
        .model_inputs
        .into_iter()
        .map(|m| m.model_id)
        .collect();
    model_inputs.sort();
    model_inputs.dedup();
    let user = r
        .info
        .user_id
        .filter(|u| !u.is_empty())
        .or_else(|| tags.get("mlflow.user").cloned());
    Some(Run {
        run_id,
        run_name: r
            .info
            .run_name
            .or_else(|| tags.get("mlflow.runName").cloned())
            .unwrap_or_default(),
        experiment_id: r.info.experiment_id,
        experiment_name: None,
        user,
        status: r.info.status.unwrap_or_default(),
        start_ms: r.info.start_time.unwrap_or(0),
        end_ms: r.info.end_time,
        source_name: tags.get("mlflow.source.name").cloned(),
        git_commit: tags.get("mlflow.source.git.commit").cloned(),
        git_repo: tags.get("mlflow.source.git.repoURL").cloned(),
        params: tags_from(r.data.params),
        metrics,
        tags,
        datasets,
        model_inputs,
        deleted: r.info.lifecycle_stage.as_deref() == Some("deleted"),
        assessments: None,
    })
}

/// Whether a run is a GenAI evaluation, whose traces hold its evidence: `mlflow.genai.evaluate`
/// tags it `mlflow.runType = genai_evaluate`; a run that loaded a prompt is linked to it by
/// `mlflow.linkedPrompts`.
pub(super) fn has_traces(r: &Run) -> bool {
    r.tags.get("mlflow.runType").map(String::as_str) == Some("genai_evaluate")
        || r.tags.contains_key(LINKED_PROMPTS_TAG)
}

/// Summarises the assessments on an evaluation's traces (in the order read; at most `cap`
/// traces count, and `more` says there were others). Assessments another one overrides
/// (`valid: false`) do not count. Feedback `true`/"yes"/"pass" passes, `false`/"no"/"fail"
/// fails, numbers are averaged (over the sorted values, so the mean's bits do not depend on
/// the order read); an error (the scorer failed on that row) and an expectation are counted
/// as such.
pub(super) fn assessments(traces: &[wire::TraceInfo], cap: usize) -> crate::model::Assessments {
    use crate::model::AssessmentSummary;
    // Each trace once (a trace listed on two pages counts once), in the order read.
    let mut ids = BTreeSet::new();
    let unique: Vec<&wire::TraceInfo> = traces
        .iter()
        .filter(|t| t.trace_id.is_empty() || ids.insert(t.trace_id.as_str()))
        .collect();
    let read = &unique[..unique.len().min(cap)];
    let mut by_name: BTreeMap<String, AssessmentSummary> = BTreeMap::new();
    let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for t in read {
        let mut on_trace: BTreeSet<(&str, String)> = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for a in t.assessments.iter().filter(|a| a.valid != Some(false)) {
            if !a.assessment_id.is_empty() && !seen.insert(a.assessment_id.as_str()) {
                continue;
            }
            let source = a.source.as_ref();
            let kind = source
                .and_then(|s| s.source_type.clone())
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "SOURCE_TYPE_UNSPECIFIED".into());
            let s = by_name.entry(a.assessment_name.clone()).or_default();
            if let Some(id) = source
                .and_then(|s| s.source_id.clone())
                .filter(|i| !i.is_empty())
            {
                if let Err(i) = s.sources.binary_search(&id) {
                    s.sources.insert(i, id);
                }
            }
            if a.expectation.is_some() {
                s.expectations += 1;
                continue;
            }
            let Some(f) = &a.feedback else { continue };
            if f.error.as_ref().is_some_and(|e| !e.is_null()) {
                s.errors += 1;
                continue;
            }
            // Only a value is a verdict.
            match &f.value {
                None | Some(serde_json::Value::Null) => continue,
                Some(serde_json::Value::Bool(true)) => s.passed += 1,
                Some(serde_json::Value::Bool(false)) => s.failed += 1,
                Some(serde_json::Value::Number(n)) => {
                    if let Some(x) = n.as_f64().filter(|x| x.is_finite()) {
                        values.entry(a.assessment_name.clone()).or_default().push(x);
                    }
                }
                Some(serde_json::Value::String(v)) => {
                    match v.trim().to_ascii_lowercase().as_str() {
                        "yes" | "pass" | "true" => s.passed += 1,
                        "no" | "fail" | "false" => s.failed += 1,
                        _ => {}
                    }
                }
                Some(_) => {}
            }
            *s.by_source.entry(kind.clone()).or_insert(0) += 1;
            on_trace.insert((a.assessment_name.as_str(), kind));
        }
        let mut names = BTreeSet::new();
        for (name, kind) in on_trace {
            if let Some(s) = by_name.get_mut(name) {
                *s.traces_by_source.entry(kind).or_insert(0) += 1;
                if names.insert(name) {
                    s.traces_any += 1;
                }
            }
        }
    }
    for (name, mut xs) in values {
        if let Some(s) = by_name.get_mut(&name) {
            xs.sort_by(f64::total_cmp);
            s.numeric = xs.len() as u64;
            s.mean = Some(xs.iter().sum::<f64>() / xs.len() as f64);
        }
    }
    crate::model::Assessments {
        cap: cap as u64,
        traces: read.len() as u64,
        more: unique.len() > cap,
        by_name,
    }
}

/// Tag names through which MLflow links a run to what it evaluated, when nothing else does.
pub(super) const DATASETS_TAG: &str = "mlflow.datasets";
/// See [`DATASETS_TAG`].
pub(super) const LINKED_PROMPTS_TAG: &str = "mlflow.linkedPrompts";

/// A model a run's tags say it evaluated ([`tag_links`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TagLink {
    /// A logged-model id `m-…`, or `NAME/VERSION`.
    pub model_ref: String,
    /// Named by `mlflow.linkedPrompts`: it counts only for a prompt's version.
    pub prompt: bool,
}

/// The models a run evaluated as only its tags say (MLflow 3 §9 of the notes):
/// `mlflow.datasets` (`[{"name", "hash", "model": "m-…"}]`, written by
/// `mlflow.models.evaluate(model="models:/NAME/V")`, whose metrics carry no model id) names
/// logged models; `mlflow.linkedPrompts` (`[{"name", "version"}]`, written by
/// `mlflow.genai.evaluate` when the predict function loads a prompt) names prompt versions, as
/// `NAME/VERSION`. Malformed tags link nothing. What a link may count for is decided against
/// the versions themselves ([`qualified_links`]).
pub(super) fn tag_links(tags: &BTreeMap<String, String>) -> Vec<TagLink> {
    let list = |key: &str| -> Vec<serde_json::Value> {
        tags.get(key)
            .and_then(|t| serde_json::from_str::<Vec<serde_json::Value>>(t).ok())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for d in list(DATASETS_TAG) {
        let Some(m) = d.get("model").and_then(|m| m.as_str()) else {
            continue;
        };
        let m = m.strip_prefix("models:/").unwrap_or(m);
        if let Some(r) = model_ref(m) {
            out.push(TagLink {
                model_ref: r,
                prompt: false,
            });
        }
    }
    for p in list(LINKED_PROMPTS_TAG) {
        let name = p.get("name").and_then(|n| n.as_str()).unwrap_or("");
        let version = match p.get("version") {
            Some(serde_json::Value::String(v)) => v.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        if let Some(r) = model_ref(&format!("{name}/{version}")) {
            out.push(TagLink {
                model_ref: r,
                prompt: true,
            });
        }
    }
    out
}

/// The model references a run's tags link it to that may count as its evaluations: never for
/// a deleted run; a logged-model id only when a version is that logged model (and not through
/// `mlflow.linkedPrompts`); a `NAME/VERSION` only when that version exists, is a prompt's when
/// the link came from `mlflow.linkedPrompts` (a classic version is never "loaded as a
/// prompt"), and was registered before the run started (a model deleted and registered again
/// restarts its numbering: an old run must not evaluate the new version 1). `version_of`
/// answers, for a reference, whether its version is a prompt's and when it was registered.
pub(super) fn qualified_links(
    run: &crate::model::Run,
    version_of: &dyn Fn(&str) -> Option<(bool, i64)>,
) -> Vec<String> {
    if run.deleted {
        return Vec::new();
    }
    let mut out: Vec<String> = tag_links(&run.tags)
        .into_iter()
        .filter(|l| {
            let logged = !l.model_ref.contains('/');
            match version_of(&l.model_ref) {
                None => false,
                Some(_) if logged => !l.prompt,
                Some((is_prompt, created_ms)) => {
                    (!l.prompt || is_prompt) && run.start_ms >= created_ms
                }
            }
        })
        .map(|l| l.model_ref)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A model reference as the store keeps it (a logged-model id `m-…` or `NAME/VERSION` with a
/// numeric version), or `None` for anything else.
fn model_ref(s: &str) -> Option<String> {
    if s.chars().any(char::is_control) || s.len() > 1024 {
        return None;
    }
    if s.starts_with("m-") && !s.contains('/') && s.len() > 2 {
        return Some(s.to_string());
    }
    let (name, version) = s.rsplit_once('/')?;
    (!name.is_empty() && !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.to_string())
}

fn tags_from(list: Vec<wire::Tag>) -> BTreeMap<String, String> {
    tags(list)
}

pub(super) fn logged_model(m: wire::LoggedModel) -> LoggedModel {
    let source = m.info.source_run_id.clone().unwrap_or_default();
    let mut evaluation_run_ids: Vec<String> = m
        .data
        .metrics
        .iter()
        .filter_map(|x| x.run_id.clone())
        .filter(|r| !r.is_empty() && *r != source)
        .collect();
    evaluation_run_ids.sort();
    evaluation_run_ids.dedup();
    LoggedModel {
        evaluation_run_ids,
        model_id: m.info.model_id,
        name: m.info.name,
        experiment_id: m.info.experiment_id,
        source_run_id: m.info.source_run_id.filter(|s| !s.is_empty()),
        status: m.info.status.unwrap_or_default(),
        model_type: m.info.model_type.unwrap_or_default(),
        params: tags(m.data.params),
        metrics: m
            .data
            .metrics
            .into_iter()
            .map(|x| (x.key, x.value.as_ref().and_then(wire::MetricValue::finite)))
            .collect(),
        tags: tags(m.info.tags),
    }
}

#[cfg(test)]
mod dataset_source_tests {
    use super::dataset_source;

    #[test]
    fn every_source_type_reads_as_a_place() {
        assert_eq!(
            dataset_source(r#"{"uri": "s3://b/k.parquet"}"#),
            "s3://b/k.parquet"
        );
        assert_eq!(
            dataset_source(r#"{"url": "https://x/d.csv"}"#),
            "https://x/d.csv"
        );
        assert_eq!(
            dataset_source(r#"{"table_name": "main.risk.loans", "version": 7}"#),
            "table main.risk.loans (version 7)"
        );
        assert_eq!(
            dataset_source(
                r#"{"tags": {"mlflow.source.name": "train.py", "mlflow.user": "tess"}}"#
            ),
            "code train.py"
        );
        assert_eq!(
            dataset_source(r#"{"tags": {}}"#),
            "code (no source name recorded)"
        );
        assert_eq!(dataset_source("not json"), "not json");
    }
}

#[cfg(test)]
mod tag_link_tests {
    use super::{qualified_links, tag_links};
    use std::collections::BTreeMap;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn links(pairs: &[(&str, &str)]) -> Vec<String> {
        tag_links(&tags(pairs))
            .into_iter()
            .map(|l| l.model_ref)
            .collect()
    }

    fn run(start_ms: i64, pairs: &[(&str, &str)]) -> crate::model::Run {
        crate::model::Run {
            run_id: "r".into(),
            run_name: "eval".into(),
            experiment_id: "1".into(),
            experiment_name: None,
            user: None,
            status: "FINISHED".into(),
            start_ms,
            end_ms: None,
            source_name: None,
            git_commit: None,
            git_repo: None,
            params: BTreeMap::new(),
            metrics: BTreeMap::new(),
            tags: tags(pairs),
            datasets: Vec::new(),
            model_inputs: Vec::new(),
            deleted: false,
            assessments: None,
        }
    }

    /// A link counts only for what it can mean: a prompt link only for a prompt's version, a
    /// version only when the run started after it was registered (numbers restart when a
    /// model is deleted and registered again), nothing for a deleted run.
    #[test]
    fn tag_links_count_only_where_they_can_mean_an_evaluation() {
        // claims/1 a prompt registered at 1000; fraud/1 classic at 1000, logged model m-f.
        let version_of = |r: &str| match r {
            "claims/1" => Some((true, 1000)),
            "fraud/1" | "m-f" => Some((false, 1000)),
            _ => None,
        };
        let prompt = r#"[{"name": "claims", "version": "1"}]"#;
        assert_eq!(
            qualified_links(&run(2000, &[("mlflow.linkedPrompts", prompt)]), &version_of),
            ["claims/1"]
        );
        // Started before the version existed: an evaluation of an earlier model of that name.
        assert!(
            qualified_links(&run(999, &[("mlflow.linkedPrompts", prompt)]), &version_of).is_empty()
        );
        // A prompt link naming a classic version, or a logged model: never.
        let classic = r#"[{"name": "fraud", "version": "1"}]"#;
        assert!(qualified_links(
            &run(2000, &[("mlflow.linkedPrompts", classic)]),
            &version_of
        )
        .is_empty());
        let by_datasets =
            r#"[{"name":"h","model":"m-f"},{"model":"models:/fraud/1"},{"model":"m-unknown"}]"#;
        assert_eq!(
            qualified_links(&run(2000, &[("mlflow.datasets", by_datasets)]), &version_of),
            ["fraud/1", "m-f"]
        );
        let mut deleted = run(2000, &[("mlflow.datasets", by_datasets)]);
        deleted.deleted = true;
        assert!(qualified_links(&deleted, &version_of).is_empty());
    }

    #[test]
    fn evaluations_linked_by_their_tags_name_the_model_or_the_prompt_version() {
        // As mlflow.models.evaluate(model="models:/NAME/1") writes it in 3.17.
        assert_eq!(
            links(&[(
                "mlflow.datasets",
                r#"[{"name":"holdout","hash":"798ac6","model":"m-db30624b441843ef"}]"#
            )]),
            ["m-db30624b441843ef"]
        );
        // As mlflow.genai.evaluate writes it; a number for the version is read too.
        assert_eq!(
            links(&[(
                "mlflow.linkedPrompts",
                r#"[{"name": "claims-triage", "version": "1"}, {"name": "other", "version": 12}]"#
            )]),
            ["claims-triage/1", "other/12"]
        );
        assert_eq!(
            links(&[(
                "mlflow.datasets",
                r#"[{"model":"models:/fraud-detector/3"},{"model":"models:/m-abc"}]"#
            )]),
            ["fraud-detector/3", "m-abc"]
        );
    }

    #[test]
    fn malformed_or_hostile_link_tags_link_nothing() {
        for (k, v) in [
            ("mlflow.datasets", "not json"),
            ("mlflow.datasets", r#"{"model":"m-abc"}"#),
            ("mlflow.datasets", r#"[{"name":"no model"}]"#),
            ("mlflow.datasets", r#"[{"model":42}]"#),
            ("mlflow.datasets", r#"[{"model":"m-"}]"#),
            ("mlflow.datasets", r#"[{"model":"m-a/../b"}]"#),
            ("mlflow.datasets", r#"[{"model":"m-ab\u001b[31m"}]"#),
            (
                "mlflow.linkedPrompts",
                r#"[{"name":"p","version":"1; rm -rf /"}]"#,
            ),
            ("mlflow.linkedPrompts", r#"[{"name":"","version":"1"}]"#),
            ("mlflow.linkedPrompts", r#"[{"name":"p"}]"#),
            ("mlflow.linkedPrompts", r#"[{"name":"p\n","version":"1"}]"#),
            (
                "mlflow.linkedPrompts",
                r#"[{"name":"p","version":"latest"}]"#,
            ),
            ("mlflow.other", r#"[{"model":"m-abc"}]"#),
        ] {
            assert!(links(&[(k, v)]).is_empty(), "{k} = {v}");
        }
    }
}

#[cfg(test)]
mod assessment_tests {
    use super::{assessments, wire};

    fn traces(json: &str) -> Vec<wire::TraceInfo> {
        serde_json::from_str::<wire::SearchTraces>(json)
            .expect("json")
            .traces
    }

    #[test]
    fn summaries_count_sources_values_and_leave_out_overridden_ones() {
        let t = traces(
            r#"{"traces": [
              {"trace_id": "tr-1", "assessments": [
                {"assessment_name": "safe", "source": {"source_type": "LLM_JUDGE", "source_id": "openai:/gpt-4o"}, "feedback": {"value": "yes"}},
                {"assessment_name": "safe", "source": {"source_type": "HUMAN", "source_id": "hana@bank.example"}, "feedback": {"value": false}},
                {"assessment_name": "safe", "source": {"source_type": "LLM_JUDGE", "source_id": "openai:/gpt-4o"}, "feedback": {"value": true}, "valid": false},
                {"assessment_name": "score", "source": {"source_type": "CODE", "source_id": "s"}, "feedback": {"value": 0.5}}]},
              {"trace_id": "tr-2", "assessments": [
                {"assessment_name": "safe", "source": {"source_type": "LLM_JUDGE", "source_id": "openai:/gpt-4o"}, "feedback": {"error": {"error_message": "rate limited"}}},
                {"assessment_name": "score", "source": {"source_type": "CODE", "source_id": "s"}, "feedback": {"value": 1}},
                {"assessment_name": "expected", "source": {"source_type": "HUMAN"}, "expectation": {"value": "x"}}]},
              {"trace_id": "tr-3", "assessments": []}
            ]}"#,
        );
        let a = assessments(&t, 10);
        assert_eq!((a.traces, a.more), (3, false));
        let safe = &a.by_name["safe"];
        assert_eq!(
            safe.by_source["LLM_JUDGE"], 1,
            "neither the overridden one nor the error is a verdict"
        );
        assert_eq!(safe.by_source["HUMAN"], 1);
        assert_eq!(safe.traces_by_source["LLM_JUDGE"], 1);
        assert_eq!(safe.traces_by_source["HUMAN"], 1);
        assert_eq!(safe.traces_any, 1);
        assert!(
            !a.by_name["expected"].by_source.contains_key("HUMAN"),
            "an expectation is not a verdict"
        );
        assert_eq!((safe.passed, safe.failed, safe.errors), (1, 1, 1));
        assert_eq!(safe.sources, vec!["hana@bank.example", "openai:/gpt-4o"]);
        let score = &a.by_name["score"];
        assert_eq!((score.numeric, score.mean), (2, Some(0.75)));
        assert_eq!(a.by_name["expected"].expectations, 1);

        // A trace listed twice counts once.
        let mut twice = traces(
            r#"{"traces": [{"trace_id": "tr-9", "assessments": [{"assessment_id": "a-1", "assessment_name": "ok", "source": {"source_type": "HUMAN"}, "feedback": {"value": true}}]}]}"#,
        );
        twice.extend(traces(r#"{"traces": [{"trace_id": "tr-9", "assessments": [{"assessment_id": "a-1", "assessment_name": "ok", "source": {"source_type": "HUMAN"}, "feedback": {"value": true}}]}]}"#));
        let once = assessments(&twice, 10);
        assert_eq!((once.traces, once.by_name["ok"].by_source["HUMAN"]), (1, 1));

        // A trace listed twice counts once.
        let row = r#"{"trace_id": "tr-9", "assessments": [{"assessment_id": "a-1", "assessment_name": "ok", "source": {"source_type": "HUMAN"}, "feedback": {"value": true}}]}"#;
        let twice = traces(&format!(r#"{{"traces": [{row}, {row}]}}"#));
        let once = assessments(&twice, 10);
        assert_eq!((once.traces, once.by_name["ok"].by_source["HUMAN"]), (1, 1));

        // The cap: the first traces count, and the summary says there were more.
        let capped = assessments(&t, 1);
        assert_eq!((capped.traces, capped.more), (1, true));
        assert_eq!(capped.by_name["score"].mean, Some(0.5));
        assert!(!capped.by_name["safe"].by_source.contains_key("CODE"));
    }

    #[test]
    fn the_mean_does_not_depend_on_the_order_read() {
        let row = |v: f64| {
            format!(
                r#"{{"assessments": [{{"assessment_name": "x", "source": {{"source_type": "CODE"}}, "feedback": {{"value": {v}}}}}]}}"#
            )
        };
        let vals = [0.1, 0.7, 1e-17, 0.2, 0.30000000000000004];
        let fwd: Vec<String> = vals.iter().map(|v| row(*v)).collect();
        let rev: Vec<String> = vals.iter().rev().map(|v| row(*v)).collect();
        let a = assessments(
            &traces(&format!(r#"{{"traces": [{}]}}"#, fwd.join(","))),
            10,
        );
        let b = assessments(
            &traces(&format!(r#"{{"traces": [{}]}}"#, rev.join(","))),
            10,
        );
        assert_eq!(
            a.by_name["x"].mean.map(f64::to_bits),
            b.by_name["x"].mean.map(f64::to_bits)
        );
    }
}
