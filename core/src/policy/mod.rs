//! Policy as code: one TOML file, versioned by the risk function, holding the tiering rubric,
//! the tiers (cadence, roles, independence, blocking findings, re-review triggers), the
//! checklist items per tier and kind, the roster and the tag names. Its SHA-256 goes into
//! every review and approval. Every field is documented in `docs/policy.md`.

pub mod checks;
pub mod data_use;
pub mod rubric;

use crate::model::{ModelKind, TagNames};
use crate::toml_file::{line_col, parse as parse_toml};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The policy that ships with Countersign (aligned with SR 26-2 / SR 11-7, SS1/23 and EU AI
/// Act Annex IV).
pub const DEFAULT_POLICY: &str = include_str!("../../../policies/default.toml");

/// A role someone can hold in the roster.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Validates a model version and signs the validation decision.
    Validator,
    /// Countersigns (approves) after validation.
    Approver,
    /// Reads and verifies; signs nothing.
    Auditor,
    /// The model's owner (its inventory record names them): attests periodically that the
    /// model is used as documented and its limitations hold; never approves.
    Owner,
}

impl Role {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Validator => "validator",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
            Role::Owner => "owner",
        }
    }

    /// Whether the role signs decisions on versions (validator, approver): an auditor signs
    /// nothing and an owner only attests.
    pub fn decides(self) -> bool {
        matches!(self, Role::Validator | Role::Approver)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Approve.
    Approve,
    /// Approve with conditions and an expiry.
    ApproveWithConditions,
    /// Reject.
    Reject,
}

impl Decision {
    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "approve" => Some(Decision::Approve),
            "approve_with_conditions" => Some(Decision::ApproveWithConditions),
            "reject" => Some(Decision::Reject),
            _ => None,
        }
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::ApproveWithConditions => "approve_with_conditions",
            Decision::Reject => "reject",
        }
    }

    /// Whether it approves (with or without conditions).
    pub fn approves(self) -> bool {
        self != Decision::Reject
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What makes a model due for review before its calendar date.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The version's evidence changed on the platform since it was reviewed.
    EvidenceChanged,
    /// The monitoring tag reports a breach.
    MonitoringBreach,
    /// A conditional approval's expiry passed.
    ConditionExpired,
    /// A new version was registered, or the production alias moved to an unapproved version.
    NewVersion,
}

impl Trigger {
    /// Every trigger.
    pub const ALL: [Trigger; 4] = [
        Trigger::EvidenceChanged,
        Trigger::MonitoringBreach,
        Trigger::ConditionExpired,
        Trigger::NewVersion,
    ];

    /// The snake_case name, as the policy writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::EvidenceChanged => "evidence_changed",
            Trigger::MonitoringBreach => "monitoring_breach",
            Trigger::ConditionExpired => "condition_expired",
            Trigger::NewVersion => "new_version",
        }
    }

    /// Days to finish the re-review once the trigger fired, when the tier does not say.
    pub fn default_due_days(self) -> u32 {
        match self {
            Trigger::EvidenceChanged => 30,
            Trigger::MonitoringBreach => 14,
            Trigger::ConditionExpired => 0,
            Trigger::NewVersion => 90,
        }
    }
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One risk tier.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Human name, e.g. "Tier 1 — high materiality".
    pub label: String,
    /// Months between periodic reviews.
    pub review_cadence_months: u32,
    /// Roles whose approval is required, e.g. ["validator", "approver"].
    pub roles_required: Vec<Role>,
    /// The validator must not have built the model (always true in Countersign; kept explicit).
    #[serde(default = "yes")]
    pub independent_validator: bool,
    /// The approver must be a different person from the validator.
    #[serde(default)]
    pub distinct_approver: bool,
    /// Open high-severity findings block an approve decision.
    #[serde(default = "yes")]
    pub high_findings_block: bool,
    /// Events that make a re-review due before the calendar date.
    #[serde(default)]
    pub re_review_triggers: Vec<Trigger>,
    /// Days the re-review is due after each trigger fired (defaults: evidence changed 30,
    /// monitoring breach 14, condition expired 0, new version 90).
    #[serde(default)]
    pub trigger_due_days: BTreeMap<Trigger, u32>,
    /// Days an approver has to countersign once the validator signed (default 14).
    #[serde(default = "default_approval_due_days")]
    pub approval_due_days: u32,
    /// Most bytes of model files hashed into an approval of this tier (none: every file);
    /// files past it are recorded as not hashed, with the reason.
    #[serde(default)]
    pub max_hashed_bytes: Option<u64>,
    /// Parts of the validation report an approve decision needs (none by default).
    #[serde(default)]
    pub report_required: Vec<crate::review::report::Section>,
    /// Months between the owner's attestations (`countersign attest`) that the model is used
    /// as documented and its limitations hold; none: no attestation is asked for.
    #[serde(default)]
    pub attestation_cadence_months: Option<u32>,
}

/// The validation report's rating scale.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportPolicy {
    /// The overall ratings a validator may give, best first.
    #[serde(default = "default_ratings")]
    pub ratings: Vec<String>,
    /// Ratings that do not allow an approve decision.
    #[serde(default = "default_not_approvable")]
    pub not_approvable: Vec<String>,
}

impl ReportPolicy {
    /// How ratings compare: case, `-`, `_` and spaces aside (`Needs improvement` is
    /// `needs_improvement`).
    pub fn key(s: &str) -> String {
        s.trim()
            .to_lowercase()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect()
    }

    /// The scale's spelling of `rating`, when it is one of the ratings.
    pub fn rating(&self, rating: &str) -> Option<&str> {
        let k = Self::key(rating);
        self.ratings
            .iter()
            .find(|r| Self::key(r) == k)
            .map(String::as_str)
    }

    /// Whether `rating` allows an approve decision.
    pub fn approvable(&self, rating: &str) -> bool {
        let k = Self::key(rating);
        !self.not_approvable.iter().any(|x| Self::key(x) == k)
    }
}

impl Default for ReportPolicy {
    fn default() -> Self {
        Self {
            ratings: default_ratings(),
            not_approvable: default_not_approvable(),
        }
    }
}

fn default_ratings() -> Vec<String> {
    [
        "satisfactory",
        "satisfactory_with_findings",
        "unsatisfactory",
    ]
    .map(String::from)
    .to_vec()
}

fn default_not_approvable() -> Vec<String> {
    vec!["unsatisfactory".into()]
}

fn yes() -> bool {
    true
}

fn default_approval_due_days() -> u32 {
    14
}

impl Tier {
    /// Days the re-review is due after `trigger` fired.
    pub fn due_days(&self, trigger: Trigger) -> u32 {
        self.trigger_due_days
            .get(&trigger)
            .copied()
            .unwrap_or_else(|| trigger.default_due_days())
    }
}

/// When versions need review again, beyond what each tier says: which aliases mean "in
/// production", how early a calendar review enters the queue, what a monitoring breach is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Aliases that mark the version in production (default `champion`, `production`).
    #[serde(default = "default_production_aliases")]
    pub production_aliases: Vec<String>,
    /// Registry stages that mark the version in production (MLflow 2.x's `current_stage`;
    /// default `Production`), compared without case.
    #[serde(default = "default_production_stages")]
    pub production_stages: Vec<String>,
    /// Days before the next review date that a version enters the review queue (default 30).
    #[serde(default = "default_due_soon_days")]
    pub due_soon_days: u32,
    /// The model or version tag that reports monitoring (default: the `monitoring` tag name
    /// from `[tags]`).
    #[serde(default)]
    pub breach_tag: Option<String>,
    /// Values of that tag that mean a breach, compared without case (default `breach`,
    /// `breached`, `alert`).
    #[serde(default = "default_breach_values")]
    pub breach_values: Vec<String>,
    /// Breaches read from monitoring runs' metrics (none by default).
    #[serde(default)]
    pub monitoring_runs: Option<MonitoringRuns>,
}

/// Monitoring read from runs: the newest run linked to the version (its producing run or an
/// evaluation) whose tag `tag` is set (to anything but `false`, `0` or nothing) is its latest
/// monitoring run, and any rule of `breach_when` that holds on its metrics is a breach.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringRuns {
    /// The run tag that marks a monitoring run (e.g. `monitoring_run`).
    pub tag: String,
    /// When a metric of that run means a breach, e.g. `{ metric = "psi", op = ">", threshold = 0.25 }`.
    pub breach_when: Vec<BreachRule>,
}

/// A metric of a monitoring run and the values that mean a breach.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreachRule {
    /// The metric, as the run logs it.
    pub metric: String,
    /// The comparison that means a breach.
    pub op: checks::Comparison,
    /// The threshold it is compared with.
    pub threshold: f64,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            production_aliases: default_production_aliases(),
            production_stages: default_production_stages(),
            due_soon_days: default_due_soon_days(),
            breach_tag: None,
            breach_values: default_breach_values(),
            monitoring_runs: None,
        }
    }
}

fn default_production_aliases() -> Vec<String> {
    vec!["champion".into(), "production".into()]
}

fn default_production_stages() -> Vec<String> {
    vec!["Production".into()]
}

fn default_due_soon_days() -> u32 {
    30
}

fn default_breach_values() -> Vec<String> {
    vec!["breach".into(), "breached".into(), "alert".into()]
}

/// One checklist item.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Stable id, e.g. "CS-01".
    pub id: Spanned<String>,
    /// Short title.
    pub title: String,
    /// The area it belongs to (conceptual soundness, data, outcomes, …), for grouping.
    pub area: String,
    /// What the validator should look at and what good looks like.
    pub guidance: String,
    /// The regulatory references it answers (free text).
    #[serde(default)]
    pub references: Vec<String>,
    /// Tiers it applies to.
    pub tiers: Spanned<Vec<String>>,
    /// Model kinds it applies to (default: all).
    #[serde(default = "all_kinds")]
    pub kinds: Vec<ModelKind>,
    /// How it is answered or checked.
    pub check: checks::Check,
}

fn all_kinds() -> Vec<ModelKind> {
    vec![ModelKind::Classic, ModelKind::Prompt, ModelKind::Vendor]
}

/// The whole policy file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Policy name.
    pub name: String,
    /// Version label the risk function gives it (the SHA-256 identifies it exactly).
    pub version: String,
    /// Path of the `allowed_signers` file, relative to the policy file.
    #[serde(default)]
    pub allowed_signers: Option<String>,
    /// Tag names for inventory fields.
    #[serde(default)]
    pub tags: TagNames,
    /// The tiering rubric.
    pub rubric: rubric::Rubric,
    /// Tiers by name ("1", "2", "3").
    pub tiers: BTreeMap<String, Tier>,
    /// Checklist items.
    pub checklist: Vec<ChecklistItem>,
    /// Identity (as in allowed_signers) → roles.
    #[serde(default)]
    pub roster: BTreeMap<String, Vec<Role>>,
    /// Whether e-mail sub-addresses (`user+tag@host`) are folded onto the address when
    /// identities are compared with the roster (default true).
    #[serde(default = "default_true")]
    pub fold_subaddresses: bool,
    /// When versions need review again (production aliases, due-soon window, breaches).
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// The validation report's rating scale.
    #[serde(default)]
    pub report: ReportPolicy,
    /// What data may train or evaluate what (`[[data_use]]`), applied by `data_use` checks.
    #[serde(default)]
    pub data_use: Vec<data_use::DataUseRule>,
    /// How much of the platform a sync reads into the evidence (`[evidence]`).
    #[serde(default)]
    pub evidence: EvidencePolicy,
}

/// How much of the platform a sync reads into the evidence. Part of the signed policy, not of
/// a user's configuration: the evidence (and so its hash) depends on it, and every reviewer
/// must read the same.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidencePolicy {
    /// The most traces read per GenAI evaluation run (default 1000, 1 to 100,000); the oldest
    /// are read first and the evidence records how many were read and whether there were more.
    #[serde(default = "default_max_traces")]
    pub max_traces: u32,
}

impl Default for EvidencePolicy {
    fn default() -> Self {
        Self {
            max_traces: default_max_traces(),
        }
    }
}

fn default_max_traces() -> u32 {
    1000
}

fn default_true() -> bool {
    true
}

/// A policy with where it came from and its hash.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The parsed policy.
    pub policy: Policy,
    /// Its exact text.
    pub text: String,
    /// SHA-256 of the text, hex.
    pub sha256: String,
    /// Where it was read from (`None` for the built-in default).
    pub path: Option<PathBuf>,
}

impl LoadedPolicy {
    /// The roles a tier requires; a validator when the tier is missing or unknown to the policy.
    pub fn required_roles(&self, tier: Option<&str>) -> Vec<Role> {
        tier.and_then(|t| self.policy.tiers.get(t))
            .map(|t| t.roles_required.clone())
            .unwrap_or_else(|| vec![Role::Validator])
    }

    /// The built-in default policy.
    pub fn default_policy() -> Result<Self> {
        Self::from_text(DEFAULT_POLICY, None)
    }

    /// Reads and checks a policy file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_text(&text, Some(path.to_path_buf()))
    }

    /// Parses and checks policy text.
    pub fn from_text(text: &str, path: Option<PathBuf>) -> Result<Self> {
        let shown = path
            .clone()
            .unwrap_or_else(|| PathBuf::from("<built-in default policy>"));
        let policy: Policy = parse_toml(&shown, text)?;
        validate(&policy, text, &shown)?;
        Ok(Self {
            sha256: crate::encoding::sha256_hex(text.as_bytes()),
            text: text.to_string(),
            policy,
            path,
        })
    }

    /// The checklist for a tier and kind, in file order.
    pub fn checklist_for(&self, tier: &str, kind: ModelKind) -> Vec<&ChecklistItem> {
        self.policy
            .checklist
            .iter()
            .filter(|i| i.tiers.get_ref().iter().any(|t| t == tier) && i.kinds.contains(&kind))
            .collect()
    }

    /// The path of the allowed_signers file, resolved against the policy's folder.
    pub fn allowed_signers_path(&self) -> Option<PathBuf> {
        let rel = self.policy.allowed_signers.as_ref()?;
        let base = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .unwrap_or(Path::new("."));
        Some(base.join(rel))
    }
}

fn at(text: &str, path: &Path, offset: usize, message: String) -> Error {
    let (line, col) = line_col(text, offset);
    Error::InvalidFile {
        path: path.to_path_buf(),
        message: format!("line {line}, column {col}: {message}"),
    }
}

/// Checks what the TOML grammar cannot: references between sections, uniqueness, ranges.
fn validate(p: &Policy, text: &str, path: &Path) -> Result<()> {
    let plain = |message: String| Error::InvalidFile {
        path: path.to_path_buf(),
        message,
    };
    // Inventory fields are the owner's tags: one named like Countersign's own would let
    // Countersign's writes change what approvals bind.
    if let Ok(serde_json::Value::Object(names)) = serde_json::to_value(&p.tags) {
        for (field, name) in names {
            if name.as_str().is_some_and(|n| n.starts_with("countersign.")) {
                return Err(plain(format!(
                    "tags.{field} = {name}: the countersign. prefix is Countersign's own; name the platform's tag"
                )));
            }
        }
    }
    if p.tiers.is_empty() {
        return Err(plain(
            "[tiers] is empty: define at least one tier, e.g. [tiers.1]".into(),
        ));
    }
    for (name, t) in &p.tiers {
        if t.roles_required.is_empty() {
            return Err(plain(format!(
                "tiers.{name}.roles_required is empty: list at least \"validator\""
            )));
        }
        if t.roles_required.iter().any(|r| !r.decides()) {
            return Err(plain(format!("tiers.{name}.roles_required: auditors and owners do not approve; use validator and/or approver")));
        }
        if t.distinct_approver && !t.roles_required.contains(&Role::Approver) {
            return Err(plain(format!(
                "tiers.{name}: distinct_approver = true needs \"approver\" in roles_required"
            )));
        }
        if t.approval_due_days > 3650 {
            return Err(plain(format!(
                "tiers.{name}.approval_due_days must be 0 to 3650 days, not {}",
                t.approval_due_days
            )));
        }
        for (trigger, days) in &t.trigger_due_days {
            if *days > 3650 {
                return Err(plain(format!(
                    "tiers.{name}.trigger_due_days.{trigger} must be 0 to 3650 days, not {days}"
                )));
            }
        }
        if t.review_cadence_months == 0 || t.review_cadence_months > 120 {
            return Err(plain(format!(
                "tiers.{name}.review_cadence_months must be 1 to 120, not {}",
                t.review_cadence_months
            )));
        }
        if let Some(m) = t.attestation_cadence_months.filter(|m| *m == 0 || *m > 120) {
            return Err(plain(format!(
                "tiers.{name}.attestation_cadence_months must be 1 to 120, not {m}"
            )));
        }
    }
    let r = &p.report;
    if r.ratings.is_empty()
        || r.ratings
            .iter()
            .any(|x| x.trim().is_empty() || x.chars().any(char::is_control))
    {
        return Err(plain(
            "report.ratings must list the ratings a validator may give, e.g. [\"satisfactory\", \"unsatisfactory\"]".into(),
        ));
    }
    let key = ReportPolicy::key;
    for (i, x) in r.ratings.iter().enumerate() {
        if r.ratings[..i].iter().any(|y| key(y) == key(x)) {
            return Err(plain(format!("report.ratings names '{x}' twice")));
        }
    }
    for x in &r.not_approvable {
        if !r.ratings.iter().any(|y| key(y) == key(x)) {
            return Err(plain(format!(
                "report.not_approvable names '{x}', which is not one of report.ratings ({})",
                r.ratings.join(", ")
            )));
        }
    }
    if !(1..=100_000).contains(&p.evidence.max_traces) {
        return Err(plain(format!(
            "evidence.max_traces must be 1 to 100000 traces per evaluation run, not {}",
            p.evidence.max_traces
        )));
    }
    if p.lifecycle.due_soon_days > 3650 {
        return Err(plain(format!(
            "lifecycle.due_soon_days must be 0 to 3650 days, not {}",
            p.lifecycle.due_soon_days
        )));
    }
    if let Some(m) = &p.lifecycle.monitoring_runs {
        if m.tag.trim().is_empty() || m.tag.starts_with("countersign.") {
            return Err(plain(
                "lifecycle.monitoring_runs.tag must name the run tag that marks a monitoring run (not one of Countersign's own countersign.… tags, which the evidence leaves out)"
                    .into(),
            ));
        }
        if m.breach_when.is_empty() {
            return Err(plain(
                "lifecycle.monitoring_runs.breach_when must hold at least one rule, e.g. { metric = \"psi\", op = \">\", threshold = 0.25 }".into(),
            ));
        }
        for r in &m.breach_when {
            if r.metric.trim().is_empty() || !r.threshold.is_finite() {
                return Err(plain(format!(
                    "lifecycle.monitoring_runs.breach_when: each rule needs a metric and a finite threshold (metric {:?}, threshold {})",
                    r.metric, r.threshold
                )));
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for item in &p.checklist {
        let id = item.id.get_ref();
        if id.trim().is_empty() {
            return Err(at(
                text,
                path,
                item.id.span().start,
                "checklist item id is empty".into(),
            ));
        }
        if !seen.insert(id.clone()) {
            return Err(at(
                text,
                path,
                item.id.span().start,
                format!("checklist item id '{id}' is used twice"),
            ));
        }
        if item.tiers.get_ref().is_empty() {
            return Err(at(
                text,
                path,
                item.tiers.span().start,
                format!("checklist item '{id}': tiers is empty"),
            ));
        }
        for t in item.tiers.get_ref() {
            if !p.tiers.contains_key(t) {
                let known: Vec<&str> = p.tiers.keys().map(String::as_str).collect();
                return Err(at(
                    text,
                    path,
                    item.tiers.span().start,
                    format!("checklist item '{id}' names tier '{t}', which [tiers] does not define (known: {})", known.join(", ")),
                ));
            }
        }
        if item.kinds.is_empty() {
            return Err(plain(format!(
                "checklist item '{id}': kinds is empty (omit it to mean all kinds)"
            )));
        }
        item.check.validate().map_err(|m| {
            at(
                text,
                path,
                item.id.span().start,
                format!("checklist item '{id}': {m}"),
            )
        })?;
    }
    p.rubric.validate(&p.tiers).map_err(plain)?;
    let mut rule_ids = std::collections::BTreeSet::new();
    let tier_names: Vec<&str> = p.tiers.keys().map(String::as_str).collect();
    for r in &p.data_use {
        r.validate(&tier_names).map_err(plain)?;
        if !rule_ids.insert(r.id.as_str()) {
            return Err(plain(format!(
                "data_use rule '{}' is defined twice: give each rule its own id",
                r.id
            )));
        }
    }
    for item in &p.checklist {
        if let checks::Check::DataUse { rules } = &item.check {
            if p.data_use.is_empty() {
                return Err(at(
                    text,
                    path,
                    item.id.span().start,
                    format!(
                        "checklist item '{}' is a data_use check, but the policy has no [[data_use]] rules",
                        item.id.get_ref()
                    ),
                ));
            }
            if let Some(unknown) = rules.iter().find(|r| !rule_ids.contains(r.as_str())) {
                return Err(at(
                    text,
                    path,
                    item.id.span().start,
                    format!(
                        "checklist item '{}' names data_use rule '{unknown}', which [[data_use]] does not define (known: {})",
                        item.id.get_ref(),
                        rule_ids.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
