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
    /// The model's recorded purposes (business purpose and rubric answer), trimmed.
    fn purposes(model: &Model) -> Vec<String> {
        [
            model.business_purpose.clone(),
            model.tags.get("rubric.purpose").cloned(),
        ]
        .into_iter()
        .flatten()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
    }

    /// Whether the data is forbidden for this model, with what about the model says so. Fails
    /// closed: a purpose or tier the model does not record counts as in the scope, and any
    /// one of its recorded purposes in the list is enough.
    fn forbids(&self, model: &Model) -> (bool, String) {
        self.judge(model, true)
    }

    /// Whether the data is allowed for this model. Fails closed: an unrecorded purpose or
    /// tier is not allowed, and every recorded purpose must be in the list.
    fn allows(&self, model: &Model) -> (bool, String) {
        self.judge(model, false)
    }

    fn judge(&self, model: &Model, forbidding: bool) -> (bool, String) {
        let esc = |s: &str| crate::display::escape(s).into_owned();
        let mut facts = Vec::new();
        let mut inside = true;
        if !self.purposes.is_empty() {
            let recorded = Self::purposes(model);
            let listed = |p: &String| {
                self.purposes
                    .iter()
                    .any(|w| w.trim().eq_ignore_ascii_case(p))
            };
            inside &= if recorded.is_empty() {
                forbidding
            } else if forbidding {
                recorded.iter().any(listed)
            } else {
                recorded.iter().all(listed)
            };
            facts.push(if recorded.is_empty() {
                "purpose not recorded".to_string()
            } else {
                format!(
                    "purpose {}",
                    recorded
                        .iter()
                        .map(|p| format!("'{}'", esc(p)))
                        .collect::<Vec<_>>()
                        .join(" / ")
                )
            });
        }
        if !self.tiers.is_empty() {
            let tier = model.risk_tier.as_deref().map(str::trim).unwrap_or("");
            inside &= if tier.is_empty() {
                forbidding
            } else {
                self.tiers.iter().any(|t| t.trim() == tier)
            };
            facts.push(if tier.is_empty() {
                "tier not set".to_string()
            } else {
                format!("tier {}", esc(tier))
            });
        }
        if !self.kinds.is_empty() {
            // Read as validation read them (any case, the kinds' other names).
            inside &= self
                .kinds
                .iter()
                .any(|k| crate::model::ModelKind::parse(k) == Some(model.kind));
            facts.push(format!("kind {}", model.kind.as_str()));
        }
        (inside, facts.join(", "))
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
    /// Checks the rule itself, against the policy's tier names.
    pub fn validate(&self, tiers: &[&str]) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("a data_use rule needs an id".into());
        }
        if self.source_prefix.is_empty() && self.name.is_empty() && self.tags.is_empty() {
            return Err(format!(
                "data_use rule '{}' matches every dataset: give source_prefix, name or tags",
                self.id
            ));
        }
        if self.source_prefix.iter().any(|p| p.trim().is_empty()) {
            return Err(format!(
                "data_use rule '{}': an empty source_prefix matches every dataset",
                self.id
            ));
        }
        let scope = match (&self.forbidden_for, &self.allowed_only_for) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(format!(
                    "data_use rule '{}' needs exactly one of forbidden_for and allowed_only_for",
                    self.id
                ))
            }
            (Some(s), None) => s,
            (None, Some(s)) => {
                if s.purposes.is_empty() && s.tiers.is_empty() && s.kinds.is_empty() {
                    return Err(format!(
                        "data_use rule '{}': allowed_only_for = {{}} allows every model, so the rule never applies; say which purposes, tiers or kinds",
                        self.id
                    ));
                }
                s
            }
        };
        if let Some(c) = self
            .contexts
            .iter()
            .find(|c| !KNOWN_CONTEXTS.contains(&canonical_context(c).as_str()))
        {
            return Err(format!(
                "data_use rule '{}' names context '{c}': use {} (MLflow's train, eval and test are read as those)",
                self.id,
                KNOWN_CONTEXTS.join(", ")
            ));
        }
        if let Some(t) = scope.tiers.iter().find(|t| !tiers.contains(&t.trim())) {
            return Err(format!(
                "data_use rule '{}' names tier '{t}', which [tiers] does not define (known: {})",
                self.id,
                tiers.join(", ")
            ));
        }
        if let Some(k) = scope
            .kinds
            .iter()
            .find(|k| crate::model::ModelKind::parse(k).is_none())
        {
            return Err(format!(
                "data_use rule '{}' names kind '{k}': use classic, prompt or vendor",
                self.id
            ));
        }
        Ok(())
    }

    /// Whether the rule covers this use of a dataset by `run` (in `context`, already
    /// canonical), and what matched.
    fn matches(&self, d: &DatasetInput, context: &str, run: &RunEvidence) -> Option<String> {
        let esc = |s: &str| crate::display::escape(s).into_owned();
        // A use whose context is not recorded is covered by every rule (fail closed).
        if !context.is_empty()
            && !self.contexts.is_empty()
            && !self
                .contexts
                .iter()
                .any(|c| canonical_context(c) == context)
        {
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
            why.push(format!("source starts with {}", esc(p.trim())));
        }
        if !self.name.is_empty() {
            self.name
                .iter()
                .find(|n| n.trim().eq_ignore_ascii_case(d.name.trim()))?;
            why.push(format!("name {}", esc(&d.name)));
        }
        for (k, want) in &self.tags {
            // The tag on the dataset's use or on the run, whichever holds the value: one
            // cannot hide the other.
            let holds = |tags: &BTreeMap<String, String>| {
                tags.iter()
                    .find(|(key, v)| {
                        key.trim().eq_ignore_ascii_case(k.trim())
                            && v.trim().eq_ignore_ascii_case(want.trim())
                    })
                    .map(|(key, v)| format!("{} = {}", esc(key), esc(v.trim())))
            };
            let hit = holds(&d.tags)
                .map(|t| format!("dataset tag {t}"))
                .or_else(|| holds(&run.tags).map(|t| format!("run tag {t}")))?;
            why.push(hit);
        }
        Some(why.join(", "))
    }

    /// A violation of this rule by a use of a dataset in a model, or `None`.
    fn violated_by(&self, model: &Model) -> Option<String> {
        if let Some(scope) = &self.forbidden_for {
            let (inside, facts) = scope.forbids(model);
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
        let (inside, facts) = scope.allows(model);
        (!inside).then(|| {
            format!(
                "allowed only for {} (this model: {facts})",
                scope.describe()
            )
        })
    }
}

/// The contexts a rule may name (after [`canonical_context`]).
const KNOWN_CONTEXTS: [&str; 3] = ["training", "validation", "evaluation"];

/// A dataset context as rules compare it: lower case, MLflow's short forms spelled out
/// (`train` → `training`, `eval`/`test` → `evaluation`, `val`/`valid` → `validation`); empty
/// when none is recorded.
pub fn canonical_context(c: &str) -> String {
    let c = c.trim().to_ascii_lowercase();
    match c.as_str() {
        "train" | "training" => "training".into(),
        "eval" | "evaluation" | "test" | "testing" => "evaluation".into(),
        "val" | "valid" | "validation" => "validation".into(),
        _ => c,
    }
}

/// Every dataset use of a version: (run, dataset, canonical context). An evaluation run's
/// datasets are `evaluation` whatever context it logged them with.
fn uses(e: &Evidence) -> Vec<(&RunEvidence, &DatasetInput, String)> {
    let mut out = Vec::new();
    if let Some(run) = &e.run {
        for d in &run.datasets {
            out.push((run, d, canonical_context(&d.context)));
        }
    }
    for run in &e.evaluations {
        for d in &run.datasets {
            out.push((run, d, "evaluation".to_string()));
        }
    }
    out
}

/// The verdict of the rules on a version: how many dataset uses were checked, and each
/// violation explained (rule, dataset, what matched, why it is not allowed here).
pub fn evaluate(rules: &[&DataUseRule], e: &Evidence, model: &Model) -> (usize, Vec<String>) {
    let all = uses(e);
    let esc = |s: &str| crate::display::escape(s).into_owned();
    let mut violations = Vec::new();
    for (run, d, context) in &all {
        for rule in rules {
            let Some(matched) = rule.matches(d, context, run) else {
                continue;
            };
            if let Some(why) = rule.violated_by(model) {
                violations.push(format!(
                    "dataset '{}' ({} in run {}, source {}, digest {}) matches rule {} \"{}\" ({matched}): {why}",
                    esc(&d.name),
                    if context.is_empty() { "context not recorded" } else { context },
                    esc(&run.run_id),
                    esc(if d.source.is_empty() { "not recorded" } else { &d.source }),
                    esc(&crate::display::short_hash(&d.digest)),
                    esc(&rule.id),
                    esc(&rule.text),
                ));
            }
        }
    }
    violations.sort();
    violations.dedup();
    (all.len(), violations)
}
