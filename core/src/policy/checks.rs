//! Automatic checks: evaluated from a version's evidence with an explanation a validator can
//! read, e.g. "auc_holdout = 0.81 ≥ 0.75 on dataset 'holdout-2025q3'".

use crate::evidence::{Evidence, RunEvidence};
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// How a checklist item is answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// The validator answers with a note.
    Attestation,
    /// A metric compared with a threshold.
    MetricThreshold {
        /// Metric key.
        metric: String,
        /// Comparison.
        op: Comparison,
        /// Threshold.
        threshold: f64,
        /// The dataset context the metric must have been measured on (a dataset with this
        /// context must be an input of the run that logged the metric).
        #[serde(default)]
        dataset_context: Option<String>,
    },
    /// A metric of this version compared with the version holding an alias.
    ChampionChallenger {
        /// Metric key.
        metric: String,
        /// The alias of the version to compare with (e.g. "champion").
        alias: String,
        /// Whether higher values are better.
        #[serde(default = "yes")]
        higher_is_better: bool,
        /// How much worse than the champion is tolerated.
        margin: f64,
    },
    /// Lineage is recorded.
    Lineage {
        /// What must be present.
        require: Vec<LineageRequirement>,
    },
    /// A tag is present (and, optionally, has a value).
    Tag {
        /// On the model or on the version.
        #[serde(default)]
        scope: TagScope,
        /// Tag name.
        tag: String,
        /// Required value (case-insensitive); any non-empty value when absent.
        #[serde(default)]
        equals: Option<String>,
    },
    /// A documentation link (an URL in a tag) is present.
    DocumentationLink {
        /// On the model or on the version.
        #[serde(default)]
        scope: TagScope,
        /// Tag holding the link.
        tag: String,
    },
    /// Provenance of a GenAI evaluation's verdicts: enough assessments (of one name, from one
    /// kind of source) on the traces of the version's evaluations, e.g. "at least 20 human
    /// assessments" or "LLM-judge results cover at least 90% of the evaluated rows".
    Assessments {
        /// The assessment name (a scorer's or a question's, e.g. `groundedness`); any when absent.
        #[serde(default)]
        name: Option<String>,
        /// The source type: `HUMAN`, `LLM_JUDGE` or `CODE`; any when absent.
        #[serde(default)]
        source: Option<String>,
        /// At least this many assessments.
        #[serde(default)]
        min_count: Option<u64>,
        /// At least this share (0 to 1) of the traces read carry one.
        #[serde(default)]
        min_coverage: Option<f64>,
    },
    /// Every dataset the version's run and evaluations used is allowed for this model by the
    /// policy's `[[data_use]]` rules.
    DataUse {
        /// The rules applied (their ids); every rule when empty.
        #[serde(default)]
        rules: Vec<String>,
    },
}

fn yes() -> bool {
    true
}

/// The source types MLflow records on an assessment.
pub const ASSESSMENT_SOURCES: [&str; 3] = ["HUMAN", "LLM_JUDGE", "CODE"];

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub enum Comparison {
    /// Greater or equal.
    #[serde(rename = ">=")]
    Ge,
    /// Greater.
    #[serde(rename = ">")]
    Gt,
    /// Less or equal.
    #[serde(rename = "<=")]
    Le,
    /// Less.
    #[serde(rename = "<")]
    Lt,
}

impl Comparison {
    /// Whether `a OP b`.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Comparison::Ge => a >= b,
            Comparison::Gt => a > b,
            Comparison::Le => a <= b,
            Comparison::Lt => a < b,
        }
    }

    /// The operator as shown, or its negation when it does not hold.
    pub fn symbol(self, holds: bool) -> &'static str {
        match (self, holds) {
            (Comparison::Ge, true) => "≥",
            (Comparison::Ge, false) => "<",
            (Comparison::Gt, true) => ">",
            (Comparison::Gt, false) => "≤",
            (Comparison::Le, true) => "≤",
            (Comparison::Le, false) => ">",
            (Comparison::Lt, true) => "<",
            (Comparison::Lt, false) => "≥",
        }
    }
}

/// What a lineage check requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LineageRequirement {
    /// At least one dataset input, each with a digest.
    DatasetDigests,
    /// The run's git commit.
    GitCommit,
    /// The run's entry point (source name).
    CodeSource,
    /// At least one parameter (the configuration).
    Params,
    /// A producing run at all.
    Run,
}

/// Where a tag is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TagScope {
    /// The model (registered model / prompt).
    #[default]
    Model,
    /// The version.
    Version,
}

/// The outcome of an automatic check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AutoOutcome {
    /// The evidence satisfies the check.
    Pass,
    /// The evidence contradicts it.
    Fail,
    /// The evidence needed is missing; the validator must decide.
    Missing,
}

/// An automatic check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AutoResult {
    /// Outcome.
    pub outcome: AutoOutcome,
    /// What was compared, in words.
    pub explanation: String,
}

impl AutoResult {
    fn new(outcome: AutoOutcome, explanation: impl Into<String>) -> Self {
        Self {
            outcome,
            explanation: explanation.into(),
        }
    }
}

/// What checks can see.
pub struct CheckContext<'a> {
    /// The version's evidence.
    pub evidence: &'a Evidence,
    /// The model record.
    pub model: &'a Model,
    /// Looks up the evidence of the version holding an alias.
    pub by_alias: &'a dyn Fn(&str) -> Option<Evidence>,
    /// The policy's data-use rules.
    pub data_use: &'a [super::data_use::DataUseRule],
}

impl std::fmt::Debug for CheckContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckContext")
            .field("evidence", &self.evidence)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

fn fmt(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Finds a metric by the name the policy gives: on the producing run first; else on the
/// newest evaluation that records it (by start, then run id), under that name or as
/// `NAME/mean` (how `mlflow.genai.evaluate` names a scorer's aggregate, e.g.
/// `groundedness/mean`). The newest evaluation is the one a re-run replaced the others with.
/// Returns the run, the name found and the value.
fn find_metric<'e>(e: &'e Evidence, key: &str) -> Option<(&'e RunEvidence, &'e str, Option<f64>)> {
    let exact = |r: &'e RunEvidence, k: &str| {
        r.metrics
            .get_key_value(k)
            .map(|(name, m)| (r, name.as_str(), m.value))
    };
    if let Some(found) = e.run.as_ref().and_then(|r| exact(r, key)) {
        return Some(found);
    }
    let mean = format!("{key}/mean");
    let mut newest_first: Vec<&'e RunEvidence> = e.evaluations.iter().collect();
    newest_first.sort_by(|a, b| (&b.start, &b.run_id).cmp(&(&a.start, &a.run_id)));
    newest_first
        .into_iter()
        .find_map(|r| exact(r, key).or_else(|| exact(r, &mean)))
}

/// The value of `key` as the checks read it ([`find_metric`]'s rule), with the name found and
/// the run it came from (its name).
pub fn metric_value(e: &Evidence, key: &str) -> Option<(String, String, Option<f64>)> {
    find_metric(e, key).map(|(r, name, v)| (r.run_name.clone(), name.to_string(), v))
}

/// How a metric's source reads in an explanation: nothing for the producing run, else which
/// evaluation run (and who ran it) supplied it.
fn source_of(e: &Evidence, run: &RunEvidence) -> String {
    if !is_evaluation(e, run) {
        return String::new();
    }
    format!(
        " (evaluation run '{}' {} by {})",
        run.run_name,
        crate::display::short_hash(&run.run_id),
        run.user.as_deref().unwrap_or("an unknown user")
    )
}

/// Whether `run` is one of the evidence's evaluations (not its producing run).
fn is_evaluation(e: &Evidence, run: &RunEvidence) -> bool {
    e.run.as_ref().is_none_or(|r| r.run_id != run.run_id)
}

impl Check {
    /// Whether the check runs automatically (everything but attestation).
    pub fn is_automatic(&self) -> bool {
        !matches!(self, Check::Attestation)
    }

    /// Checks the parameters themselves.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Check::MetricThreshold {
                metric, threshold, ..
            } => {
                if metric.is_empty() {
                    return Err("metric_threshold needs a metric".into());
                }
                if !threshold.is_finite() {
                    return Err("metric_threshold threshold must be a finite number".into());
                }
            }
            Check::ChampionChallenger {
                metric,
                alias,
                margin,
                ..
            } => {
                if metric.is_empty() || alias.is_empty() {
                    return Err("champion_challenger needs a metric and an alias".into());
                }
                if !margin.is_finite() || *margin < 0.0 {
                    return Err("champion_challenger margin must be a number ≥ 0".into());
                }
            }
            Check::Lineage { require } if require.is_empty() => {
                return Err("lineage check needs require = [...]".into())
            }
            Check::Tag { tag, .. } | Check::DocumentationLink { tag, .. } if tag.is_empty() => {
                return Err("tag check needs a tag name".into())
            }
            Check::Assessments {
                name,
                source,
                min_count,
                min_coverage,
            } => {
                if min_count.is_none() && min_coverage.is_none() {
                    return Err(
                        "assessments check needs min_count or min_coverage (or both)".into(),
                    );
                }
                if let Some(c) = min_coverage {
                    if !(c.is_finite() && *c > 0.0 && *c <= 1.0) {
                        return Err(format!(
                            "assessments min_coverage is a share of the traces, above 0 and at most 1 (0.9 for 90%), not {c}"
                        ));
                    }
                }
                if let Some(s) = source {
                    if !ASSESSMENT_SOURCES.contains(&s.to_ascii_uppercase().as_str()) {
                        return Err(format!(
                            "assessments source '{s}' is not one of MLflow's source types ({})",
                            ASSESSMENT_SOURCES.join(", ")
                        ));
                    }
                }
                if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                    return Err("assessments name is empty: leave it out for any name".into());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Evaluates the check; `None` for attestations.
    pub fn evaluate(&self, cx: &CheckContext<'_>) -> Option<AutoResult> {
        use AutoOutcome::*;
        let e = cx.evidence;
        Some(match self {
            Check::Attestation => return None,
            Check::MetricThreshold {
                metric,
                op,
                threshold,
                dataset_context,
            } => match find_metric(e, metric) {
                None => AutoResult::new(
                    Missing,
                    format!(
                        "metric '{metric}' is not recorded on the version's run or its evaluations"
                    ),
                ),
                Some((run, name, None)) => AutoResult::new(
                    Fail,
                    format!("metric '{name}' is NaN or infinite in run {}", run.run_id),
                ),
                Some((run, name, Some(v))) => {
                    let metric = name;
                    let context_of = |d: &crate::model::DatasetInput| {
                        if is_evaluation(e, run) {
                            crate::lineage::evaluation_context(&d.context).to_string()
                        } else {
                            d.context.clone()
                        }
                    };
                    let on = match dataset_context {
                        None => Ok(String::new()),
                        Some(ctx) => run
                            .datasets
                            .iter()
                            .find(|d| &context_of(d) == ctx)
                            .map(|d| format!(" on dataset '{}'", d.name))
                            .ok_or_else(|| {
                                format!(
                                    "run {} logged '{metric}' but records no '{ctx}' dataset",
                                    run.run_id
                                )
                            }),
                    };
                    match on {
                        Err(why) => AutoResult::new(Missing, why),
                        Ok(on) => {
                            let holds = op.holds(v, *threshold);
                            AutoResult::new(
                                if holds { Pass } else { Fail },
                                format!(
                                    "{metric} = {} {} {}{on}{}",
                                    fmt(v),
                                    op.symbol(holds),
                                    fmt(*threshold),
                                    source_of(e, run)
                                ),
                            )
                        }
                    }
                }
            },
            Check::ChampionChallenger {
                metric,
                alias,
                higher_is_better,
                margin,
            } => {
                if e.version.aliases.iter().any(|a| a == alias) {
                    return Some(AutoResult::new(
                        Pass,
                        format!(
                            "this version holds '{alias}'; there is nothing to compare it with"
                        ),
                    ));
                }
                let Some(champ) = (cx.by_alias)(alias) else {
                    return Some(AutoResult::new(
                        Missing,
                        format!("no version of {} holds the alias '{alias}'", e.version.name),
                    ));
                };
                let cv = champ.version.version.clone();
                match (find_metric(e, metric), find_metric(&champ, metric)) {
                    (None, _) => AutoResult::new(
                        Missing,
                        format!("this version has no '{metric}' to compare"),
                    ),
                    (_, None) => AutoResult::new(
                        Missing,
                        format!("{alias} v{cv} has no '{metric}' to compare with"),
                    ),
                    (Some((_, _, None)), _) => {
                        AutoResult::new(Fail, format!("this version's {metric} is NaN"))
                    }
                    (_, Some((_, _, None))) => {
                        AutoResult::new(Missing, format!("{alias} v{cv}'s {metric} is NaN"))
                    }
                    (Some((_, _, Some(c))), Some((_, _, Some(h)))) => {
                        let shortfall = if *higher_is_better { h - c } else { c - h };
                        let head =
                            format!("challenger {metric} {} vs {alias} v{cv} {}", fmt(c), fmt(h));
                        if shortfall <= 0.0 {
                            AutoResult::new(Pass, format!("{head}: no worse"))
                        } else if shortfall <= *margin + 1e-12 {
                            AutoResult::new(Pass, format!("{head}: within margin {}", fmt(*margin)))
                        } else {
                            AutoResult::new(
                                Fail,
                                format!(
                                    "{head}: worse by {}, more than margin {}",
                                    fmt(shortfall),
                                    fmt(*margin)
                                ),
                            )
                        }
                    }
                }
            }
            Check::Lineage { require } => {
                let mut missing = Vec::new();
                let mut present = Vec::new();
                for r in require {
                    let (ok, what) = match r {
                        LineageRequirement::Run => (e.run.is_some(), "producing run".to_string()),
                        LineageRequirement::DatasetDigests => {
                            let n = e.datasets.len();
                            (
                                n > 0 && e.datasets.iter().all(|d| !d.digest.is_empty()),
                                format!("dataset digests ({n} datasets)"),
                            )
                        }
                        LineageRequirement::GitCommit => {
                            let c = e
                                .run
                                .as_ref()
                                .and_then(|r| r.git_commit.clone())
                                .filter(|c| !c.is_empty());
                            (
                                c.is_some(),
                                format!(
                                    "git commit {}",
                                    c.map(|c| c.chars().take(12).collect::<String>())
                                        .unwrap_or_default()
                                )
                                .trim_end()
                                .to_string(),
                            )
                        }
                        LineageRequirement::CodeSource => (
                            e.run.as_ref().is_some_and(|r| r.source_name.is_some()),
                            "code entry point".to_string(),
                        ),
                        LineageRequirement::Params => {
                            let n = e.run.as_ref().map(|r| r.params.len()).unwrap_or(0);
                            (n > 0, format!("configuration ({n} params)"))
                        }
                    };
                    if ok {
                        present.push(what)
                    } else {
                        missing.push(what)
                    }
                }
                if missing.is_empty() {
                    AutoResult::new(Pass, format!("recorded: {}", present.join(", ")))
                } else {
                    AutoResult::new(Fail, format!("not recorded: {}", missing.join(", ")))
                }
            }
            Check::Tag { scope, tag, equals } => {
                let (value, on) = tag_value(cx, *scope, tag);
                match (value, equals) {
                    (None, _) => AutoResult::new(Fail, format!("{on} has no tag '{tag}'")),
                    (Some(v), Some(want)) if !v.eq_ignore_ascii_case(want) => {
                        AutoResult::new(Fail, format!("{on} tag {tag} = '{v}', expected '{want}'"))
                    }
                    (Some(v), _) => AutoResult::new(Pass, format!("{on} tag {tag} = '{v}'")),
                }
            }
            Check::DataUse { rules } => {
                let applied: Vec<&super::data_use::DataUseRule> = cx
                    .data_use
                    .iter()
                    .filter(|r| rules.is_empty() || rules.contains(&r.id))
                    .collect();
                let (uses, violations) = super::data_use::evaluate(&applied, e, cx.model);
                let ids = applied
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                if !violations.is_empty() {
                    AutoResult::new(Fail, violations.join("; "))
                } else if e.run.as_ref().is_some_and(|r| r.datasets.is_empty()) {
                    // Evaluations alone say nothing of what the model was trained on.
                    AutoResult::new(
                        Missing,
                        "the version's training run records no datasets, so what it was trained on cannot be checked".to_string(),
                    )
                } else if uses == 0 {
                    AutoResult::new(
                        Missing,
                        "the version's run and evaluations record no datasets, so data use cannot be checked".to_string(),
                    )
                } else {
                    AutoResult::new(
                        Pass,
                        format!(
                            "{uses} dataset use{} checked against rule{} {ids}: none is forbidden for this model",
                            if uses == 1 { "" } else { "s" },
                            if applied.len() == 1 { "" } else { "s" },
                        ),
                    )
                }
            }
            Check::Assessments {
                name,
                source,
                min_count,
                min_coverage,
            } => assessments_check(
                e,
                name.as_deref(),
                source.as_deref(),
                *min_count,
                *min_coverage,
            ),
            Check::DocumentationLink { scope, tag } => {
                let (value, on) = tag_value(cx, *scope, tag);
                match value {
                    Some(v) if v.contains("://") => {
                        AutoResult::new(Pass, format!("{on} documentation: {v}"))
                    }
                    Some(v) => AutoResult::new(
                        Fail,
                        format!("{on} tag {tag} = '{v}' is not a link (expected a URL)"),
                    ),
                    None => AutoResult::new(
                        Fail,
                        format!("{on} has no documentation link in tag '{tag}'"),
                    ),
                }
            }
        })
    }
}

/// The `assessments` check over every run of the evidence whose traces were read.
fn assessments_check(
    e: &Evidence,
    name: Option<&str>,
    source: Option<&str>,
    min_count: Option<u64>,
    min_coverage: Option<f64>,
) -> AutoResult {
    use AutoOutcome::*;
    let runs: Vec<&crate::model::Assessments> = e
        .run
        .iter()
        .chain(&e.evaluations)
        .filter_map(|r| r.assessments.as_ref())
        .filter(|a| a.traces > 0)
        .collect();
    if runs.is_empty() {
        return AutoResult::new(
            Missing,
            "no GenAI evaluation of this version has traces read (no mlflow.genai.evaluate run, no traces on it, or the platform has no traces API)",
        );
    }
    let source_matches = |k: &str| source.is_none_or(|s| s.eq_ignore_ascii_case(k));
    let traces: u64 = runs.iter().map(|a| a.traces).sum();
    let sampled = runs.iter().any(|a| a.more);
    let (mut count, mut covered) = (0u64, 0u64);
    for a in &runs {
        let mut on_run = 0u64;
        for (n, s) in &a.by_name {
            if name.is_some_and(|want| want != n) {
                continue;
            }
            count += s
                .by_source
                .iter()
                .filter(|(k, _)| source_matches(k))
                .map(|(_, c)| c)
                .sum::<u64>();
            // The traces carrying a verdict of this name: from the source asked for, or from
            // any. With no name, the best-covered name counts.
            let c = match source {
                None => s.traces_any,
                Some(_) => s
                    .traces_by_source
                    .iter()
                    .filter(|(k, _)| source_matches(k))
                    .map(|(_, c)| *c)
                    .sum(),
            };
            on_run = on_run.max(c);
        }
        covered += on_run.min(a.traces);
    }
    let what = format!(
        "{}assessment{}{}",
        source
            .map(|s| format!("{} ", s.to_ascii_uppercase()))
            .unwrap_or_default(),
        if count == 1 { "" } else { "s" },
        name.map(|n| format!(" of '{n}'")).unwrap_or_default()
    );
    let mut parts = Vec::new();
    let mut ok = true;
    if let Some(min) = min_count {
        let holds = count >= min;
        ok &= holds;
        parts.push(format!(
            "{count} {what} {} {min}",
            if holds { "≥" } else { "<" }
        ));
    }
    if let Some(min) = min_coverage {
        let share = if traces == 0 {
            0.0
        } else {
            covered as f64 / traces as f64
        };
        let holds = traces > 0 && share >= min;
        ok &= holds;
        parts.push(format!(
            "{what} on {covered} of {traces} traces ({}%) {} {}%",
            fmt(share * 100.0),
            if holds { "≥" } else { "<" },
            fmt(min * 100.0)
        ));
    }
    let mut explanation = parts.join("; ");
    if sampled {
        explanation.push_str(" (in the traces read: the policy's evidence.max_traces was reached)");
    }
    AutoResult::new(if ok { Pass } else { Fail }, explanation)
}

fn tag_value(cx: &CheckContext<'_>, scope: TagScope, tag: &str) -> (Option<String>, &'static str) {
    match scope {
        TagScope::Model => (
            cx.model
                .tags
                .get(tag)
                .filter(|v| !v.trim().is_empty())
                .cloned(),
            "the model",
        ),
        TagScope::Version => (
            cx.evidence
                .version
                .tags
                .get(tag)
                .filter(|v| !v.trim().is_empty())
                .cloned(),
            "the version",
        ),
    }
}
