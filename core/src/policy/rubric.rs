//! The tiering rubric: questions scored into a tier, with a written rationale.
//!
//! Answers come from the model's tags (`rubric.<question id>`) or are given explicitly; a
//! model whose platform tier tag disagrees with the rubric is flagged.

use super::Tier;
use crate::model::Model;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One possible answer to a question.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    /// The value recorded (e.g. "decisive").
    pub value: String,
    /// What it means.
    pub label: String,
    /// Points it adds.
    pub score: u32,
}

/// One rubric question.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable id (also the tag suffix: `rubric.<id>`).
    pub id: String,
    /// The question.
    pub text: String,
    /// Possible answers.
    pub options: Vec<AnswerOption>,
}

/// A score threshold: at least `min_score` points means `tier`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Tier name.
    pub tier: String,
    /// Minimum score.
    pub min_score: u32,
}

/// The rubric.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    /// Questions.
    pub questions: Vec<Question>,
    /// Thresholds; the highest one reached wins.
    pub thresholds: Vec<Threshold>,
}

/// The rubric's verdict for one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Assessment {
    /// The model.
    pub model: String,
    /// The tier the rubric gives (None while questions are unanswered).
    pub tier: Option<String>,
    /// Total score.
    pub score: u32,
    /// One line per answered question.
    pub rationale: Vec<String>,
    /// Questions with no (valid) answer.
    pub unanswered: Vec<String>,
    /// The tier recorded on the platform.
    pub platform_tier: Option<String>,
    /// Whether the platform's tier differs from the rubric's.
    pub disagrees: bool,
}

impl Rubric {
    /// Checks ids, options and thresholds.
    pub fn validate(&self, tiers: &BTreeMap<String, Tier>) -> Result<(), String> {
        if self.questions.is_empty() {
            return Err("rubric.questions is empty: the rubric needs at least one question".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for q in &self.questions {
            if !ids.insert(&q.id) {
                return Err(format!("rubric question id '{}' is used twice", q.id));
            }
            if q.options.is_empty() {
                return Err(format!("rubric question '{}' has no options", q.id));
            }
        }
        if self.thresholds.is_empty() {
            return Err("rubric.thresholds is empty: map scores to tiers, e.g. { tier = \"1\", min_score = 10 }".into());
        }
        for t in &self.thresholds {
            if !tiers.contains_key(&t.tier) {
                return Err(format!(
                    "rubric threshold names tier '{}', which [tiers] does not define",
                    t.tier
                ));
            }
        }
        if !self.thresholds.iter().any(|t| t.min_score == 0) {
            return Err("rubric.thresholds: one threshold must have min_score = 0 so every model gets a tier".into());
        }
        Ok(())
    }

    /// Scores a model, from its `rubric.<id>` tags overridden by `answers`.
    pub fn assess(&self, model: &Model, answers: &BTreeMap<String, String>) -> Assessment {
        let mut score = 0;
        let mut rationale = Vec::new();
        let mut unanswered = Vec::new();
        for q in &self.questions {
            let given = answers
                .get(&q.id)
                .or_else(|| model.tags.get(&format!("rubric.{}", q.id)));
            match given.and_then(|v| {
                q.options
                    .iter()
                    .find(|o| o.value.eq_ignore_ascii_case(v.trim()))
            }) {
                Some(o) => {
                    score += o.score;
                    rationale.push(format!(
                        "{} = {} (+{}): {}",
                        q.id, o.value, o.score, o.label
                    ));
                }
                None => {
                    if let Some(v) = given {
                        let allowed: Vec<&str> =
                            q.options.iter().map(|o| o.value.as_str()).collect();
                        rationale.push(format!(
                            "{} = '{v}' is not an option ({})",
                            q.id,
                            allowed.join(", ")
                        ));
                    }
                    unanswered.push(q.id.clone());
                }
            }
        }
        let tier = if unanswered.is_empty() {
            let mut ts: Vec<&Threshold> = self.thresholds.iter().collect();
            ts.sort_by_key(|t| std::cmp::Reverse(t.min_score));
            ts.into_iter()
                .find(|t| score >= t.min_score)
                .map(|t| t.tier.clone())
        } else {
            None
        };
        if let Some(t) = &tier {
            rationale.push(format!("score {score} → tier {t}"));
        }
        let platform_tier = model.risk_tier.clone();
        let disagrees = matches!((&tier, &platform_tier), (Some(a), Some(b)) if a != b);
        Assessment {
            model: model.name.clone(),
            tier,
            score,
            rationale,
            unanswered,
            platform_tier,
            disagrees,
        }
    }
}
