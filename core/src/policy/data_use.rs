//! Data-use rules (`[[data_use]]`): which datasets may train or evaluate which models. A rule
//! matches a dataset by its source (prefix), its name, its tags (the platform's tags on the
//! dataset's use, else the run's) and the context it was used in, and says for which models it
//! is forbidden (`forbidden_for`) or the only ones it is allowed for (`allowed_only_for`). The
//! check kind `data_use` applies them to every dataset input of a version: its training run's
//! and its evaluations'.

use crate::evidence::{Evidence, RunEvidence};
use crate::model::{DatasetInput, Model};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataUseRule {
    /// Short id, named by checks (`rules = ["…"]`) and in every explanation.
    pub id: String,
    /// What the rule says, in the firm's words.
    pub text: String,
    /// The dataset's source starts with one of these (e.g. `s3://customer-pii/`).
    #[serde(default)]
    pub source_prefix: Vec<String>,
    /// The dataset's name is one of these (exactly).
    #[serde(default)]
    pub name: Vec<String>,
    /// Every one of these tags has this value (case-insensitive) on the dataset's use, or
    /// else on the run that used it (e.g. `classification = "pii"`).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The contexts the dataset was used in that the rule covers (`training`, `validation`,
    /// `evaluation`, …); every context when empty.
    #[serde(default)]
    pub contexts: Vec<String>,
    /// The models the data may not be used for.
    #[serde(default)]
    pub forbidden_for: Option<ModelScope>,
    /// The only models the data may be used for.
    #[serde(default)]
    pub allowed_only_for: Option<ModelScope>,
}

/// A set of models: each list given must match (one of its values); an empty scope is every
/// model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelScope {
    /// The model's business purpose (its inventory field) or its rubric answer `purpose`
    /// is one of these (case-insensitive).
    #[serde(default)]
    pub purposes: Vec<String>,
    /// The model's risk tier is one of these.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// The model's kind is one of these (`classic`, `prompt`, `vendor`).
    #[serde(default)]
    pub kinds: Vec<String>,
}

impl ModelScope {
    /// Whether the model is in the scope, and what about it matched or did not (for the
    /// explanation).
    fn admits(&self, model: &Model) -> (bool, String) {
        let purposes: Vec<String> = [
            model.business_purpose.clone(),
            model.tags.get("rubric.purpose").cloned(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
        let mut facts = Vec::new();
        let mut ok = true;
        if !self.purposes.is_empty() {
            let hit = purposes.iter().any(|p| {
                self.purposes
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(p.trim()))
            });
            ok &= hit;
            facts.push(format!(
                "purpose {}",
                if purposes.is_empty() {
                    "not recorded".to_string()
                } else {
                    purposes
                        .iter()
                        .map(|p| format!("'{}'", crate::display::escape(p)))
                        .collect::<Vec<_>>()
                        .join(" / ")
                }
            ));
        }
        if !self.tiers.is_empty() {
            let tier = model.risk_tier.as_deref().unwrap_or("");
            ok &= self.tiers.iter().any(|t| t == tier);
            facts.push(format!(
                "tier {}",
                if tier.is_empty() { "not set" } else { tier }
            ));
        }
        if !self.kinds.is_empty() {
            ok &= self.kinds.iter().any(|k| k == model.kind.as_str());
            facts.push(format!("kind {}", model.kind.as_str()));
        }
        (ok, facts.join(", "))
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.purposes.is_empty() {
            parts.push(format!("purpose {}", self.purposes.join(" or ")));
        }
        if !self.tiers.is_empty() {
            parts.push(format!("tier {}", self.tiers.join(" or ")));
        }
        if !self.kinds.is_empty() {
            parts.push(format!("kind {}", self.kinds.join(" or ")));
        }
        if parts.is_empty() {
            "every model".into()
        } else {
            parts.join(", ")
        }
    }
}

impl DataUseRule {
    /// Checks the rule itself.
    pub fn validate(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("a data_use rule needs an id".into());
        }
        if self.source_prefix.is_empty() && self.name.is_empty() && self.tags.is_empty() {
            return Err(format!(
                "data_use rule '{}' matches every dataset: give source_prefix, name or tags",
                self.id
            ));
        }
        if self.source_prefix.iter().any(|p| p.is_empty()) {
            return Err(format!(
                "data_use rule '{}': an empty source_prefix matches every dataset",
                self.id
            ));
        }
        match (&self.forbidden_for, &self.allowed_only_for) {
            (Some(_), Some(_)) | (None, None) => Err(format!(
                "data_use rule '{}' needs exactly one of forbidden_for and allowed_only_for",
                self.id
            )),
            _ => Ok(()),
        }
    }

    /// Whether the rule covers this use of a dataset by `run`, and what matched.
    fn matches(&self, d: &DatasetInput, context: &str, run: &RunEvidence) -> Option<String> {
        if !self.contexts.is_empty() && !self.contexts.iter().any(|c| c == context) {
            return None;
        }
        let mut why = Vec::new();
        if !self.source_prefix.is_empty() {
            // Case-insensitive: `S3://Bucket/` names what `s3://bucket/` does, and a rule
            // should not be dodged by the spelling of a scheme.
            let source = d.source.trim().to_ascii_lowercase();
            let p = self
                .source_prefix
                .iter()
                .find(|p| source.starts_with(&p.trim().to_ascii_lowercase()))?;
            why.push(format!("source starts with {p}"));
        }
        if !self.name.is_empty() {
            self.name.iter().find(|n| **n == d.name)?;
            why.push(format!("name {}", d.name));
        }
        for (k, want) in &self.tags {
            let (value, on) = match d.tags.get(k) {
                Some(v) => (v, "dataset tag"),
                None => (run.tags.get(k)?, "run tag"),
            };
            if !value.trim().eq_ignore_ascii_case(want.trim()) {
                return None;
            }
            why.push(format!("{on} {k} = {value}"));
        }
        Some(why.join(", "))
    }

    /// A violation of this rule by a use of a dataset in a model, or `None`.
    fn violated_by(&self, model: &Model) -> Option<String> {
        if let Some(scope) = &self.forbidden_for {
            let (inside, facts) = scope.admits(model);
            return inside.then(|| {
                format!(
                    "forbidden for {} ({})",
                    scope.describe(),
                    if facts.is_empty() {
                        "every model".into()
                    } else {
                        format!("this model: {facts}")
                    }
                )
            });
        }
        let scope = self.allowed_only_for.as_ref()?;
        let (inside, facts) = scope.admits(model);
        (!inside).then(|| {
            format!(
                "allowed only for {} (this model: {facts})",
                scope.describe()
            )
        })
    }
}

/// Every dataset use of a version: (run, dataset, context as the rule sees it).
fn uses(e: &Evidence) -> Vec<(&RunEvidence, &DatasetInput, String)> {
    let mut out = Vec::new();
    if let Some(run) = &e.run {
        for d in &run.datasets {
            out.push((run, d, d.context.clone()));
        }
    }
    for run in &e.evaluations {
        for d in &run.datasets {
            out.push((
                run,
                d,
                crate::lineage::evaluation_context(&d.context).to_string(),
            ));
        }
    }
    out
}

/// The verdict of the rules on a version: how many dataset uses were checked, and each
/// violation explained (rule, dataset, what matched, why it is not allowed here).
pub fn evaluate(rules: &[&DataUseRule], e: &Evidence, model: &Model) -> (usize, Vec<String>) {
    let all = uses(e);
    let mut violations = Vec::new();
    for (run, d, context) in &all {
        for rule in rules {
            let Some(matched) = rule.matches(d, context, run) else {
                continue;
            };
            if let Some(why) = rule.violated_by(model) {
                violations.push(format!(
                    "dataset '{}' ({context} in run {}, source {}, digest {}) matches rule {} \"{}\" ({matched}): {why}",
                    crate::display::escape(&d.name),
                    run.run_id,
                    crate::display::escape(if d.source.is_empty() { "not recorded" } else { &d.source }),
                    crate::display::short_hash(&d.digest),
                    rule.id,
                    crate::display::escape(&rule.text),
                ));
            }
        }
    }
    violations.sort();
    violations.dedup();
    (all.len(), violations)
}
