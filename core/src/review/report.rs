//! The validator's report inside a review: executive summary, scope, overall rating,
//! conclusion, limitations, use restrictions and recommendations. Each part is saved on its
//! own (one transaction per change, like answers) with who wrote it and when; the policy says
//! per tier which parts an approve decision needs and which ratings exist.

use crate::policy::LoadedPolicy;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A part of the validation report.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// What the validation found, in a paragraph a committee reads first.
    ExecutiveSummary,
    /// What was validated and what was not, and why.
    Scope,
    /// The overall rating, one of the policy's ratings.
    Rating,
    /// The validator's conclusion and opinion.
    Conclusion,
    /// Limitations of the model.
    ModelLimitations,
    /// Limitations of the validation itself (what could not be tested).
    ValidationLimitations,
    /// Uses the model must not be put to.
    UseRestrictions,
    /// Recommendations to the owner.
    Recommendations,
}

impl Section {
    /// Every section, in the report's order.
    pub const ALL: [Section; 8] = [
        Section::ExecutiveSummary,
        Section::Scope,
        Section::Rating,
        Section::Conclusion,
        Section::ModelLimitations,
        Section::ValidationLimitations,
        Section::UseRestrictions,
        Section::Recommendations,
    ];

    /// The name used in files and on the command line (`executive_summary`).
    pub fn as_str(self) -> &'static str {
        match self {
            Section::ExecutiveSummary => "executive_summary",
            Section::Scope => "scope",
            Section::Rating => "rating",
            Section::Conclusion => "conclusion",
            Section::ModelLimitations => "model_limitations",
            Section::ValidationLimitations => "validation_limitations",
            Section::UseRestrictions => "use_restrictions",
            Section::Recommendations => "recommendations",
        }
    }

    /// The heading a reader sees.
    pub fn title(self) -> &'static str {
        match self {
            Section::ExecutiveSummary => "Executive summary",
            Section::Scope => "Scope",
            Section::Rating => "Overall rating",
            Section::Conclusion => "Conclusion and opinion",
            Section::ModelLimitations => "Limitations of the model",
            Section::ValidationLimitations => "Limitations of the validation",
            Section::UseRestrictions => "Use restrictions",
            Section::Recommendations => "Recommendations",
        }
    }

    /// Parses a section name (`executive_summary`, `executive-summary`, `Executive summary`).
    pub fn parse(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Section::ALL
            .into_iter()
            .find(|x| x.as_str() == key)
            .ok_or_else(|| Error::InvalidInput {
                what: "report section",
                input: s.to_string(),
                reason: format!(
                    "the sections are {}",
                    Section::ALL.map(Section::as_str).join(", ")
                ),
            })
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One written part, attributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SectionText {
    /// The text (the rating: one of the policy's ratings).
    pub text: String,
    /// Who wrote it last.
    pub written_by: Option<String>,
    /// When (RFC 3339 UTC).
    pub written_at: String,
}

/// The report's parts written so far, by section.
pub type Report = BTreeMap<Section, SectionText>;

/// Most characters of one section (a long report, never a pasted file of megabytes).
pub const MAX_SECTION_CHARS: usize = 20_000;

/// Checks and normalises a section's text before it is saved: no control characters but
/// newlines and tabs, at most [`MAX_SECTION_CHARS`], and a rating one of the policy's (given
/// in its spelling). An empty text means "clear the section".
pub fn check(section: Section, text: &str, policy: &LoadedPolicy) -> Result<String> {
    let bad = |reason: String| Error::InvalidInput {
        what: "report section",
        input: section.as_str().to_string(),
        reason,
    };
    let text = text.replace("\r\n", "\n");
    let text = text.trim();
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(bad(format!(
            "the text holds the control character U+{:04X}; write plain text (newlines and tabs are kept)",
            c as u32
        )));
    }
    let n = text.chars().count();
    if n > MAX_SECTION_CHARS {
        return Err(bad(format!(
            "{n} characters is more than a section holds ({MAX_SECTION_CHARS}); put long material in a document and reference it"
        )));
    }
    if section == Section::Rating && !text.is_empty() {
        let scale = &policy.policy.report;
        return scale.rating(text).map(str::to_string).ok_or_else(|| {
            bad(format!(
                "'{}' is not a rating of policy {}; the ratings are {}",
                crate::display::escape(text),
                policy.policy.name,
                scale.ratings.join(", ")
            ))
        });
    }
    Ok(text.to_string())
}

/// The sections tier `tier` of `policy` requires before an approval (none for a tier the
/// policy does not name).
pub fn required(policy: &LoadedPolicy, tier: &str) -> Vec<Section> {
    policy
        .policy
        .tiers
        .get(tier)
        .map(|t| t.report_required.clone())
        .unwrap_or_default()
}

/// What stops an approve decision in the report: required sections not written (tier
/// `tier` of `policy`), and a rating that does not allow approval. `vref` is the version's
/// URI, for the command that fixes it.
pub fn blockers(report: &Report, policy: &LoadedPolicy, tier: &str, vref: &str) -> Vec<String> {
    let mut out = Vec::new();
    let required = required(policy, tier);
    let missing: Vec<&str> = required
        .iter()
        .filter(|s| report.get(s).is_none_or(|t| t.text.trim().is_empty()))
        .map(|s| s.as_str())
        .collect();
    if !missing.is_empty() {
        out.push(format!(
            "the validation report lacks {} required by tier {tier}: {} (write each with `countersign review report set {vref} --section NAME --file FILE`)",
            if missing.len() == 1 { "a section" } else { "sections" },
            missing.join(", ")
        ));
    }
    if let Some(r) = report.get(&Section::Rating) {
        if !policy.policy.report.approvable(&r.text) {
            out.push(format!(
                "the overall rating is '{}', which policy {} does not allow to be approved (reject, or change the rating)",
                r.text, policy.policy.name
            ));
        }
    }
    out
}
