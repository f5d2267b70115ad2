//! The review engine: one validator's work on one version.
//!
//! Starting a review freezes the version's evidence (its SHA-256 is part of the review), picks
//! the checklist for the version's tier and kind from the policy, and evaluates the automatic
//! checks. Answers and findings are saved to the store one transaction at a time, so a killed
//! process loses nothing; resuming restores every answer. `review.json` is the deterministic,
//! hashable record of it all.

mod diff;
pub mod report;

use crate::encoding::{canonical_json, sha256_hex};
use crate::evidence::Evidence;
use crate::model::ModelKind;
use crate::policy::checks::{AutoOutcome, AutoResult, Check, CheckContext};
use crate::policy::LoadedPolicy;
use crate::store::Store;
use crate::uri::VersionRef;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format identifier of `review.json`.
pub const REVIEW_TYPE: &str = "countersign.review/v1";

/// A validator's answer to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Satisfied.
    Pass,
    /// Not satisfied.
    Fail,
    /// Does not apply (a note must say why).
    NotApplicable,
}

impl Outcome {
    /// Parses `pass`, `fail`, `na` / `n/a` / `not_applicable`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pass" | "p" => Some(Outcome::Pass),
            "fail" | "f" => Some(Outcome::Fail),
            "na" | "n/a" | "n.a." | "not_applicable" | "not-applicable" => {
                Some(Outcome::NotApplicable)
            }
            _ => None,
        }
    }

    /// The outcome's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotApplicable => "not_applicable",
        }
    }
}

/// An answer to one checklist item.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct AnswerInput {
    /// Item id.
    pub item: String,
    /// The outcome; `None` confirms the automatic result.
    pub outcome: Option<Outcome>,
    /// The validator's note.
    pub note: String,
    /// References to the evidence the answer rests on (document links, run ids).
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// A finding to raise.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct FindingInput {
    /// Short title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// What is wrong.
    pub description: String,
    /// Who remediates.
    pub owner: String,
    /// Due date (YYYY-MM-DD).
    pub due: String,
    /// The checklist item it records, if any.
    pub item: Option<String>,
    /// What the owner will do about it.
    #[serde(default)]
    pub action_plan: String,
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Answer {
    /// Outcome.
    pub outcome: Outcome,
    /// The validator's note.
    pub note: String,
    /// References to evidence (artifact paths, documents, tickets).
    pub evidence_refs: Vec<String>,
    /// Whether it differs from the automatic result (an override).
    pub overrides_automatic: bool,
    /// Who answered, where known.
    pub answered_by: Option<String>,
    /// When (RFC 3339 UTC).
    pub answered_at: String,
}

/// Finding severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
}

impl Severity {
    /// Parses high/medium/low.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "high" | "h" => Some(Severity::High),
            "medium" | "m" => Some(Severity::Medium),
            "low" | "l" => Some(Severity::Low),
            _ => None,
        }
    }

    /// `high`, `medium` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// Finding status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Open.
    Open,
    /// Remediated.
    Remediated,
    /// Accepted as an exception.
    Accepted,
}

impl FindingStatus {
    /// The name: open, remediated, accepted.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Remediated => "remediated",
            FindingStatus::Accepted => "accepted",
        }
    }

    /// Parses open/remediated/accepted.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Some(FindingStatus::Open),
            "remediated" => Some(FindingStatus::Remediated),
            "accepted" | "accepted_as_exception" | "exception" => Some(FindingStatus::Accepted),
            _ => None,
        }
    }
}

/// A finding in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Finding {
    /// "F-1", "F-2", …
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Description.
    pub description: String,
    /// Who must remediate.
    pub owner: String,
    /// Due date (YYYY-MM-DD).
    pub due: String,
    /// Status.
    pub status: FindingStatus,
    /// Checklist item it relates to, if any.
    pub item: Option<String>,
    /// When raised (RFC 3339).
    pub raised_at: String,
    /// When last changed (RFC 3339).
    pub updated_at: String,
    /// Who raised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub raised_by: Option<String>,
    /// Who last changed its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub updated_by: Option<String>,
    /// What the owner will do about it, and by when.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(as = "Option<String>", optional)]
    pub action_plan: String,
    /// When an accepted exception lapses (YYYY-MM-DD): the finding is open again after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub exception_expires: Option<String>,
    /// Every change of status, oldest first: who, when, why, on what evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<FindingChange>>", optional)]
    pub history: Vec<FindingChange>,
}

/// One change of a finding's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FindingChange {
    /// The status it moved to.
    pub status: FindingStatus,
    /// Who moved it.
    pub by: Option<String>,
    /// When (RFC 3339).
    pub at: String,
    /// Why: the remediation done, the exception's reason, why it reopened.
    pub note: String,
    /// A link to the remediation's evidence (a ticket, a run, a document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub evidence: Option<String>,
    /// An exception's expiry (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub expires: Option<String>,
}

/// A requested change of a finding's status (`review finding update`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FindingUpdate {
    /// The status to move to.
    pub status: FindingStatus,
    /// Why (required for every change).
    pub note: String,
    /// A link to the evidence of a remediation.
    #[serde(default)]
    pub evidence: Option<String>,
    /// An exception's expiry (YYYY-MM-DD, required for `accepted`).
    #[serde(default)]
    pub expires: Option<String>,
}

impl Finding {
    /// Whether it is open on `today` (YYYY-MM-DD): open, or an exception whose expiry passed.
    pub fn is_open(&self, today: &str) -> bool {
        match self.status {
            FindingStatus::Open => true,
            FindingStatus::Accepted => {
                let day = crate::inventory::parse_day;
                match (self.exception_expires.as_deref().and_then(day), day(today)) {
                    (Some(e), Some(t)) => e < t,
                    // An exception with no readable expiry never stands: open again.
                    (None, _) => true,
                    (Some(_), None) => false,
                }
            }
            FindingStatus::Remediated => false,
        }
    }
}

/// One checklist item as frozen into a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReviewItem {
    /// Item id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Area, for grouping.
    pub area: String,
    /// Guidance for the validator.
    pub guidance: String,
    /// The check, as the policy defines it.
    pub check: Check,
    /// Automatic result (None for attestations).
    pub automatic: Option<AutoResult>,
}

/// What is fixed when a review starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReviewHeader {
    /// Review id.
    pub id: String,
    /// Platform key.
    pub platform: String,
    /// Model name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Model kind.
    pub kind: ModelKind,
    /// Tier used.
    pub tier: String,
    /// Policy SHA-256.
    pub policy_sha256: String,
    /// Policy version label.
    pub policy_version: String,
    /// Frozen evidence.
    pub evidence: Evidence,
    /// Its SHA-256.
    pub evidence_sha256: String,
    /// Checklist with automatic results.
    pub items: Vec<ReviewItem>,
    /// Who started it.
    pub reviewer: Option<String>,
    /// When (RFC 3339 UTC).
    pub started_at: String,
    /// The review of the same version this one supersedes (kept, with its answers and the
    /// approvals made on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub supersedes: Option<String>,
}

/// A review: the header plus the answers and findings so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Review {
    /// Fixed part.
    pub header: ReviewHeader,
    /// Item id → answer.
    pub answers: BTreeMap<String, Answer>,
    /// Findings, in the order raised.
    pub findings: Vec<Finding>,
    /// The validation report's parts written so far.
    #[serde(default)]
    pub report: report::Report,
}

/// Where a review stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReviewStatus {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// Review id.
    pub review_id: String,
    /// Tier.
    pub tier: String,
    /// Items in the checklist.
    pub total: usize,
    /// Items answered.
    pub answered: usize,
    /// Items not answered yet.
    pub unanswered: Vec<String>,
    /// Items answered fail.
    pub failed: Vec<String>,
    /// Open findings by severity.
    pub open_findings: BTreeMap<String, usize>,
    /// Everything that blocks an approve decision, in words.
    pub blockers: Vec<String>,
    /// All items answered: a decision can be recorded.
    pub ready_for_decision: bool,
    /// Ready, and nothing blocks an approve decision.
    pub can_approve: bool,
    /// What changed in the evidence on the platform since the review froze it (empty: nothing).
    pub evidence_changes: Vec<String>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Starts a review of `vref` under `policy`, or resumes the latest one made under the same
/// policy. Returns the review and whether it was resumed.
pub fn start(
    store: &Store,
    platform: &str,
    policy: &LoadedPolicy,
    vref: &VersionRef,
    reviewer: Option<String>,
) -> Result<(Review, bool)> {
    let existing = load_latest(store, platform, vref)?;
    if let Some(existing) = &existing {
        if existing.header.policy_sha256 == policy.sha256 {
            return Ok((existing.clone(), true));
        }
    }
    let previous = existing.map(|r| r.header.id);
    Ok((
        create(store, platform, policy, vref, reviewer, previous)?,
        false,
    ))
}

/// Starts a new review of `vref` even when one is under way or approved: the checklist of
/// `policy` over the evidence as the store holds it now (sync first). The latest review is
/// superseded, never changed: it stays in the history with its answers, and the approvals
/// made on it stay where they were written.
pub fn start_new(
    store: &Store,
    platform: &str,
    policy: &LoadedPolicy,
    vref: &VersionRef,
    reviewer: Option<String>,
) -> Result<Review> {
    let previous = load_latest(store, platform, vref)?.map(|r| r.header.id);
    create(store, platform, policy, vref, reviewer, previous)
}

/// Every review of a version, oldest first, with answers and findings.
pub fn history(store: &Store, platform: &str, vref: &VersionRef) -> Result<Vec<Review>> {
    store
        .reviews_of::<ReviewHeader>(platform, &vref.name, &vref.version)?
        .into_iter()
        .map(|header| {
            let answers = store.answers::<Answer>(&header.id)?.into_iter().collect();
            let findings = store.findings::<Finding>(&header.id)?;
            let report = load_report(store, &header.id)?;
            Ok(Review {
                header,
                answers,
                findings,
                report,
            })
        })
        .collect()
}

/// The review of `vref` to look at, saving nothing: the latest one when there is one (`true`),
/// else the checklist `policy` would start, drafted over the stored evidence and not kept
/// (`false`). Looking is not starting: only [`start`] creates a review.
pub fn preview(
    store: &Store,
    platform: &str,
    policy: &LoadedPolicy,
    vref: &VersionRef,
    reviewer: Option<String>,
) -> Result<(Review, bool)> {
    if let Some(existing) = load_latest(store, platform, vref)? {
        return Ok((existing, true));
    }
    let header = draft(store, platform, policy, vref, reviewer, None)?;
    Ok((
        Review {
            header,
            answers: BTreeMap::new(),
            findings: Vec::new(),
            report: report::Report::new(),
        },
        false,
    ))
}

fn create(
    store: &Store,
    platform: &str,
    policy: &LoadedPolicy,
    vref: &VersionRef,
    reviewer: Option<String>,
    supersedes: Option<String>,
) -> Result<Review> {
    let header = draft(store, platform, policy, vref, reviewer, supersedes)?;
    store.put_policy(&policy.sha256, &policy.text)?;
    store.put_review(
        &header.id,
        platform,
        &vref.name,
        &vref.version,
        &header.started_at,
        &header,
    )?;
    // Findings are not left behind: a new review starts with every finding the one it
    // supersedes has not remediated (same id, owner, due date and history), so open ones keep
    // blocking and an exception still lapses on its date.
    let mut findings = Vec::new();
    // The validation report is carried over too, each section with who wrote it and when:
    // the validator revises it for the new evidence rather than losing it.
    let mut carried = report::Report::new();
    if let Some(prev) = header.supersedes.as_deref() {
        for f in store.findings::<Finding>(prev)? {
            if f.status != FindingStatus::Remediated {
                store.put_finding(&header.id, &f.id, &f)?;
                findings.push(f);
            }
        }
        // Each section is checked again under the new review's policy: a rating its scale
        // does not have is left behind (the validator rates again), never carried unchecked.
        for (section, mut text) in load_report(store, prev)? {
            match report::check(section, &text.text, policy) {
                Ok(t) if !t.is_empty() => text.text = t,
                _ => continue,
            }
            store.put_report_section(&header.id, section.as_str(), Some(&text))?;
            carried.insert(section, text);
        }
    }
    Ok(Review {
        header,
        answers: BTreeMap::new(),
        findings,
        report: carried,
    })
}

/// A review's header as `policy` drafts it over the stored evidence of `vref`, not saved.
fn draft(
    store: &Store,
    platform: &str,
    policy: &LoadedPolicy,
    vref: &VersionRef,
    reviewer: Option<String>,
    supersedes: Option<String>,
) -> Result<ReviewHeader> {
    let evidence = store.evidence(platform, vref)?;
    let model = store
        .model(platform, &vref.name)?
        .ok_or_else(|| Error::NotFound {
            what: format!("model {}", vref.name),
            hint: ". Run `countersign sync`".into(),
        })?;
    let tier = model.risk_tier.clone().ok_or_else(|| Error::InvalidInput {
        what: "model",
        input: vref.name.clone(),
        reason: format!("it has no '{}' tag, so its checklist is unknown; set the tag on the platform (run `countersign tier` to apply the rubric) and sync", policy.policy.tags.risk_tier),
    })?;
    if !policy.policy.tiers.contains_key(&tier) {
        let known: Vec<&str> = policy.policy.tiers.keys().map(String::as_str).collect();
        return Err(Error::InvalidInput {
            what: "risk tier",
            input: tier,
            reason: format!(
                "the policy defines tiers {}; fix the model's tier tag or the policy",
                known.join(", ")
            ),
        });
    }
    let by_alias = |alias: &str| -> Option<Evidence> {
        let v = model.aliases.get(alias)?;
        store
            .evidence(
                platform,
                &VersionRef {
                    name: vref.name.clone(),
                    version: v.clone(),
                },
            )
            .ok()
    };
    let cx = CheckContext {
        evidence: &evidence,
        model: &model,
        by_alias: &by_alias,
        data_use: &policy.policy.data_use,
    };
    let items = policy
        .checklist_for(&tier, model.kind)
        .into_iter()
        .map(|i| ReviewItem {
            id: i.id.get_ref().clone(),
            title: i.title.clone(),
            area: i.area.clone(),
            guidance: i.guidance.clone(),
            automatic: i.check.evaluate(&cx),
            check: i.check.clone(),
        })
        .collect();
    // A review started after another one (even in the same millisecond) never shares its id.
    let mut started_at = now();
    if let Some(prev) = supersedes
        .as_deref()
        .and_then(|id| load_by_id(store, platform, vref, id))
    {
        if prev.started_at >= started_at {
            started_at = later_than(&prev.started_at);
        }
    }
    let evidence_sha256 = evidence.sha256();
    let id = format!(
        "rev-{}",
        &sha256_hex(
            format!(
                "{platform}\n{vref}\n{started_at}\n{}\n{}",
                policy.sha256,
                supersedes.as_deref().unwrap_or("")
            )
            .as_bytes()
        )[..16]
    );
    let header = ReviewHeader {
        id: id.clone(),
        platform: platform.to_string(),
        name: vref.name.clone(),
        version: vref.version.clone(),
        kind: model.kind,
        tier,
        policy_sha256: policy.sha256.clone(),
        policy_version: policy.policy.version.clone(),
        evidence,
        evidence_sha256,
        items,
        reviewer,
        started_at: started_at.clone(),
        supersedes,
    };
    Ok(header)
}

fn load_by_id(store: &Store, platform: &str, vref: &VersionRef, id: &str) -> Option<ReviewHeader> {
    store
        .reviews_of::<ReviewHeader>(platform, &vref.name, &vref.version)
        .ok()?
        .into_iter()
        .find(|h| h.id == id)
}

/// One millisecond after an RFC 3339 time (the order of reviews is their start time).
fn later_than(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|t| {
            (t.with_timezone(&chrono::Utc) + chrono::Duration::milliseconds(1))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
        .unwrap_or_else(|_| now())
}

/// The latest review of a version, with its answers and findings.
pub fn load_latest(store: &Store, platform: &str, vref: &VersionRef) -> Result<Option<Review>> {
    let Some(header) = store.latest_review::<ReviewHeader>(platform, &vref.name, &vref.version)?
    else {
        return Ok(None);
    };
    let answers = store.answers::<Answer>(&header.id)?.into_iter().collect();
    let findings = store.findings::<Finding>(&header.id)?;
    let report = load_report(store, &header.id)?;
    Ok(Some(Review {
        header,
        answers,
        findings,
        report,
    }))
}

/// A review's report sections from the store (a section name this build does not know is an
/// error, never dropped: it may be what an approval bound).
fn load_report(store: &Store, review_id: &str) -> Result<report::Report> {
    store
        .report_sections::<report::SectionText>(review_id)?
        .into_iter()
        .map(|(name, text)| {
            report::Section::parse(&name)
                .map(|s| (s, text))
                .map_err(|_| Error::Store {
                    path: store.path().to_path_buf(),
                    message: format!(
                        "review {review_id} holds report section '{name}', which this version of Countersign does not know"
                    ),
                })
        })
        .collect()
}

/// The latest review of a version, or an error saying how to start one.
pub fn require_latest(store: &Store, platform: &str, vref: &VersionRef) -> Result<Review> {
    load_latest(store, platform, vref)?.ok_or_else(|| Error::NotFound {
        what: format!("review of {vref}"),
        hint: format!(". Start one with `countersign review start {vref}`"),
    })
}

impl Review {
    /// The item with this id.
    pub fn item(&self, id: &str) -> Result<&ReviewItem> {
        self.header
            .items
            .iter()
            .find(|i| i.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| Error::InvalidInput {
                what: "checklist item",
                input: id.to_string(),
                reason: format!(
                    "this review's checklist has {}",
                    self.header
                        .items
                        .iter()
                        .map(|i| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }

    /// Records an answer (saved at once). `outcome = None` confirms the automatic result.
    pub fn answer(
        &mut self,
        store: &Store,
        input: &AnswerInput,
        by: Option<String>,
    ) -> Result<&Answer> {
        let item = self.item(&input.item)?.clone();
        let (outcome, note) = (input.outcome, input.note.as_str());
        let auto = item.automatic.as_ref().map(|a| a.outcome);
        let outcome = match (outcome, auto) {
            (Some(o), _) => o,
            (None, Some(AutoOutcome::Pass)) => Outcome::Pass,
            (None, Some(AutoOutcome::Fail)) => Outcome::Fail,
            (None, Some(AutoOutcome::Missing)) => {
                return Err(Error::InvalidInput {
                    what: "answer",
                    input: item.id.clone(),
                    reason: "the automatic check could not be evaluated (evidence missing); answer pass, fail or na with a note".into(),
                })
            }
            (None, None) => {
                return Err(Error::InvalidInput {
                    what: "answer",
                    input: item.id.clone(),
                    reason: "this item is an attestation: answer pass, fail or na with a note".into(),
                })
            }
        };
        let note = note.trim().to_string();
        if outcome == Outcome::NotApplicable && note.is_empty() {
            return Err(Error::InvalidInput {
                what: "answer",
                input: item.id.clone(),
                reason: "not applicable needs a note saying why (--note)".into(),
            });
        }
        let overrides = matches!((auto, outcome), (Some(AutoOutcome::Pass), o) if o != Outcome::Pass)
            || matches!((auto, outcome), (Some(AutoOutcome::Fail), o) if o != Outcome::Fail);
        if overrides && note.is_empty() {
            return Err(Error::InvalidInput {
                what: "answer",
                input: item.id.clone(),
                reason: format!(
                    "it overrides the automatic result ({}); say why in a note (--note)",
                    item.automatic
                        .as_ref()
                        .map(|a| a.explanation.as_str())
                        .unwrap_or("")
                ),
            });
        }
        let answer = Answer {
            outcome,
            note,
            evidence_refs: input.evidence.clone(),
            overrides_automatic: overrides,
            answered_by: by,
            answered_at: now(),
        };
        store.put_answer(&self.header.id, &item.id, &answer)?;
        self.answers.insert(item.id.clone(), answer);
        Ok(&self.answers[&item.id])
    }

    /// Writes (or, with an empty text, clears) one section of the validation report, saved at
    /// once. The text is checked by [`report::check`] (a rating must be one of `policy`'s).
    pub fn set_report(
        &mut self,
        store: &Store,
        policy: &LoadedPolicy,
        section: report::Section,
        text: &str,
        by: Option<String>,
    ) -> Result<Option<&report::SectionText>> {
        let text = report::check(section, text, policy)?;
        if text.is_empty() {
            store.put_report_section::<report::SectionText>(
                &self.header.id,
                section.as_str(),
                None,
            )?;
            self.report.remove(&section);
            return Ok(None);
        }
        let t = report::SectionText {
            text,
            written_by: by,
            written_at: now(),
        };
        store.put_report_section(&self.header.id, section.as_str(), Some(&t))?;
        self.report.insert(section, t);
        Ok(self.report.get(&section))
    }

    /// Raises a finding (saved at once) and returns it.
    pub fn add_finding(
        &mut self,
        store: &Store,
        input: &FindingInput,
        by: Option<String>,
    ) -> Result<&Finding> {
        let FindingInput {
            title,
            severity,
            description,
            owner,
            due,
            item,
            action_plan: _,
        } = input.clone();
        let (title, description, owner, due) = (&title, &description, &owner, due.as_str());
        if title.trim().is_empty() {
            return Err(Error::InvalidInput {
                what: "finding",
                input: String::new(),
                reason: "a finding needs a title".into(),
            });
        }
        if crate::inventory::parse_day(due).is_none() {
            return Err(Error::InvalidInput {
                what: "due date",
                input: due.to_string(),
                reason: "write it as YYYY-MM-DD".into(),
            });
        }
        if let Some(i) = &item {
            self.item(i)?;
        }
        let n = self
            .findings
            .iter()
            .filter_map(|f| f.id.strip_prefix("F-")?.parse::<u32>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        let t = now();
        let f = Finding {
            id: format!("F-{n}"),
            title: title.trim().to_string(),
            severity,
            description: description.trim().to_string(),
            owner: owner.trim().to_string(),
            due: due.to_string(),
            status: FindingStatus::Open,
            item,
            raised_at: t.clone(),
            updated_at: t,
            raised_by: by.clone(),
            updated_by: by,
            action_plan: input.action_plan.trim().to_string(),
            exception_expires: None,
            history: Vec::new(),
        };
        store.put_finding(&self.header.id, &f.id, &f)?;
        let at = self.findings.len();
        self.findings.push(f);
        Ok(&self.findings[at])
    }

    /// Checks a change of a finding before anything is saved (the finding exists, the change
    /// is a change, the note and expiry it needs are there); returns its index.
    pub fn check_finding_update(&self, id: &str, update: &FindingUpdate) -> Result<usize> {
        let pos = self
            .findings
            .iter()
            .position(|f| f.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| Error::InvalidInput {
                what: "finding",
                input: id.to_string(),
                reason: format!(
                    "this review has {}",
                    if self.findings.is_empty() {
                        "no findings".to_string()
                    } else {
                        self.findings
                            .iter()
                            .map(|f| f.id.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            })?;
        let bad = |reason: String| Error::InvalidInput {
            what: "finding change",
            input: format!("{} → {}", self.findings[pos].id, update.status.as_str()),
            reason,
        };
        let today = crate::inventory::today();
        let current = &self.findings[pos];
        if current.status == update.status
            && current.is_open(&today) == (update.status == FindingStatus::Open)
        {
            return Err(bad(format!(
                "{} is already {}",
                current.id,
                update.status.as_str()
            )));
        }
        if update.note.trim().is_empty() {
            return Err(bad(match update.status {
                FindingStatus::Remediated => "say what was done: --note \"…\" (and --evidence LINK to the ticket, run or document)".into(),
                FindingStatus::Accepted => "give the reason the risk is accepted: --note \"…\" with --expires YYYY-MM-DD".into(),
                FindingStatus::Open => "say why it is open again: --note \"…\"".into(),
            }));
        }
        match (update.status, update.expires.as_deref()) {
            (FindingStatus::Accepted, None) => {
                return Err(bad(
                    "an exception needs an expiry: --expires YYYY-MM-DD (it reopens after it)"
                        .into(),
                ))
            }
            (FindingStatus::Accepted, Some(d)) => {
                let (Some(date), Some(now)) = (
                    crate::inventory::parse_day(d),
                    crate::inventory::parse_day(&today),
                ) else {
                    return Err(bad(format!(
                        "--expires '{d}' is not a date: write YYYY-MM-DD"
                    )));
                };
                // One spelling per date (2027-01-05, never 2027-1-5): what is stored compares.
                if date.to_string() != d {
                    return Err(bad(format!("--expires '{d}': write it as {date}")));
                }
                if date <= now {
                    return Err(bad(format!("--expires {d} is not after today ({today})")));
                }
            }
            (_, Some(_)) => {
                return Err(bad("--expires applies only to an accepted exception".into()))
            }
            _ => {}
        }
        Ok(pos)
    }

    /// Changes a finding's status (saved at once).
    /// Every change needs a note; an exception needs an expiry after today. Who may make which
    /// change (a validator who did not build the model remediates, an approver accepts) is
    /// checked by the workspace, which knows the roster and the builders.
    pub fn update_finding(
        &mut self,
        store: &Store,
        id: &str,
        update: &FindingUpdate,
        by: Option<String>,
    ) -> Result<&Finding> {
        let pos = self.check_finding_update(id, update)?;
        let mut f = self.findings[pos].clone();
        let t = now();
        f.history.push(FindingChange {
            status: update.status,
            by: by.clone(),
            at: t.clone(),
            note: update.note.trim().to_string(),
            evidence: update.evidence.clone().filter(|e| !e.trim().is_empty()),
            expires: update.expires.clone(),
        });
        f.exception_expires = match update.status {
            FindingStatus::Accepted => update.expires.clone(),
            _ => None,
        };
        f.status = update.status;
        f.updated_at = t;
        f.updated_by = by;
        store.put_finding(&self.header.id, &f.id, &f)?;
        self.findings[pos] = f;
        Ok(&self.findings[pos])
    }

    /// Where the review stands. `current_evidence` is the version's evidence as the platform
    /// shows it now (from the last sync), to flag changes since the review froze it.
    pub fn status(
        &self,
        policy: &LoadedPolicy,
        current_evidence: Option<&Evidence>,
    ) -> ReviewStatus {
        let h = &self.header;
        let unanswered: Vec<String> = h
            .items
            .iter()
            .filter(|i| !self.answers.contains_key(&i.id))
            .map(|i| i.id.clone())
            .collect();
        let failed: Vec<String> = h
            .items
            .iter()
            .filter(|i| {
                self.answers
                    .get(&i.id)
                    .is_some_and(|a| a.outcome == Outcome::Fail)
            })
            .map(|i| i.id.clone())
            .collect();
        let mut open_findings = BTreeMap::new();
        let today = crate::inventory::today();
        for f in self.findings.iter().filter(|f| f.is_open(&today)) {
            *open_findings
                .entry(f.severity.as_str().to_string())
                .or_insert(0) += 1;
        }
        let mut blockers = Vec::new();
        if !unanswered.is_empty() {
            blockers.push(format!(
                "{} of {} items unanswered: {}",
                unanswered.len(),
                h.items.len(),
                unanswered.join(", ")
            ));
        }
        let blocks_high = policy
            .policy
            .tiers
            .get(&h.tier)
            .map(|t| t.high_findings_block)
            .unwrap_or(true);
        if blocks_high {
            for f in self
                .findings
                .iter()
                .filter(|f| f.is_open(&today) && f.severity == Severity::High)
            {
                blockers.push(format!(
                    "open high finding {}: {} (tier {} blocks approval while it is open)",
                    f.id, f.title, h.tier
                ));
            }
        }
        for id in &failed {
            if !self
                .findings
                .iter()
                .any(|f| f.item.as_deref() == Some(id.as_str()))
            {
                blockers.push(format!(
                    "item {id} failed and no finding records it (raise one with --item {id})"
                ));
            }
        }
        blockers.extend(report::blockers(
            &self.report,
            policy,
            &h.tier,
            &format!("models:/{}/{}", h.name, h.version),
        ));
        let evidence_changes = match current_evidence {
            Some(cur) if cur.sha256() != h.evidence_sha256 => {
                let mut changes = diff::changes(&h.evidence, cur);
                if changes.is_empty() {
                    changes.push("the evidence hash differs".into());
                }
                blockers.push(format!("the evidence changed on the platform since the review started ({} change(s)); start a new review (`countersign review start --new models:/{}/{}`)", changes.len(), h.name, h.version));
                changes
            }
            _ => Vec::new(),
        };
        ReviewStatus {
            version: format!("models:/{}/{}", h.name, h.version),
            review_id: h.id.clone(),
            tier: h.tier.clone(),
            total: h.items.len(),
            answered: h.items.len() - unanswered.len(),
            ready_for_decision: unanswered.is_empty() && evidence_changes.is_empty(),
            can_approve: blockers.is_empty(),
            unanswered,
            failed,
            open_findings,
            blockers,
            evidence_changes,
        }
    }

    /// The deterministic `review.json` record.
    pub fn record(&self) -> ReviewRecord {
        let h = &self.header;
        ReviewRecord {
            kind: REVIEW_TYPE.into(),
            review_id: h.id.clone(),
            platform: h.platform.clone(),
            model: ReviewedModel {
                name: h.name.clone(),
                version: h.version.clone(),
                kind: h.kind,
                run_id: h.evidence.version.run_id.clone(),
            },
            tier: h.tier.clone(),
            policy_sha256: h.policy_sha256.clone(),
            policy_version: h.policy_version.clone(),
            evidence_sha256: h.evidence_sha256.clone(),
            reviewer: h.reviewer.clone(),
            started_at: h.started_at.clone(),
            supersedes: h.supersedes.clone(),
            items: h
                .items
                .iter()
                .map(|i| RecordItem {
                    id: i.id.clone(),
                    title: i.title.clone(),
                    area: i.area.clone(),
                    automatic: i.automatic.clone(),
                    answer: self.answers.get(&i.id).cloned(),
                })
                .collect(),
            findings: self.findings.clone(),
            report: self.report.clone(),
        }
    }
}

/// `review.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReviewRecord {
    /// Always [`REVIEW_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Review id.
    pub review_id: String,
    /// Platform.
    pub platform: String,
    /// The version reviewed.
    pub model: ReviewedModel,
    /// Tier.
    pub tier: String,
    /// Policy hash.
    pub policy_sha256: String,
    /// Policy version label.
    pub policy_version: String,
    /// Evidence hash.
    pub evidence_sha256: String,
    /// Reviewer.
    pub reviewer: Option<String>,
    /// Start time.
    pub started_at: String,
    /// The review this one supersedes, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub supersedes: Option<String>,
    /// Items with automatic results and answers, in checklist order.
    pub items: Vec<RecordItem>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// The validation report's written parts (left out when none is written, so a record
    /// made before reports existed hashes as it did).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub report: report::Report,
}

/// The version a review covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReviewedModel {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: ModelKind,
    /// Run id.
    pub run_id: Option<String>,
}

/// One item in `review.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RecordItem {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Area.
    pub area: String,
    /// Automatic result.
    pub automatic: Option<AutoResult>,
    /// Answer.
    pub answer: Option<Answer>,
}

impl ReviewRecord {
    /// Canonical bytes.
    pub fn to_canonical_json(&self) -> Vec<u8> {
        canonical_json(self)
    }

    /// SHA-256 of the canonical bytes.
    pub fn sha256(&self) -> String {
        sha256_hex(&self.to_canonical_json())
    }
}

/// What changed between two versions of the same version's evidence, in words.
pub fn diff_evidence(before: &Evidence, after: &Evidence) -> Vec<String> {
    diff::changes(before, after)
}

/// The policy a review was made under, from the store (where `start` recorded it).
pub fn policy_of(store: &Store, review: &Review) -> Result<LoadedPolicy> {
    let text = store
        .policy_text(&review.header.policy_sha256)?
        .ok_or_else(|| Error::Store {
            path: store.path().to_path_buf(),
            message: format!(
                "policy {} of review {} is missing from the store",
                review.header.policy_sha256, review.header.id
            ),
        })?;
    LoadedPolicy::from_text(&text, None)
}

#[cfg(test)]
mod tests;
