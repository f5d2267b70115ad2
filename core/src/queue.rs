//! The review queue: what must be reviewed or approved, by whom, by when, and why.
//!
//! For every model it works out the version that governs it (the approved version in
//! production, else the newest approved one), its next review date from the policy (the day
//! the tier's required approvals came to count plus the tier's cadence; the owner's declared
//! `next_review_date` tag where nothing was approved), and every re-review trigger the tier
//! lists: evidence changed since an approval, a monitoring breach, an expired condition, a
//! new version or a production alias on an unapproved version. Work under way is in the
//! queue too (an approver's countersignature awaited, an assignment). Each reason carries a
//! due date set by the policy; the item is due at its earliest one.
//!
//! The judgement is pure ([`build`]); the approvals' verdicts come from `verify` against the
//! platform (or from the ledger when offline) and the dates triggers were first seen from the
//! store, both gathered by the workspace.

use crate::assignment::Assignment;
use crate::inventory::ModelStatus;
pub use crate::inventory::NextReview;
use crate::model::{Model, Version};
use crate::policy::{Decision, LoadedPolicy, Role, Trigger};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The schema of `countersign queue --json`.
pub const SCHEMA: &str = "countersign.queue/v1";

/// Why a version is in the queue.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// The calendar review (next review date) is near or past.
    Cadence,
    /// An approval went stale: what it was signed on changed.
    EvidenceChanged,
    /// The monitoring tag reports a breach.
    MonitoringBreach,
    /// A conditional approval's expiry passed.
    ConditionExpired,
    /// A newer version was registered, or a production alias points at an unapproved one.
    NewVersion,
    /// The validator signed; the approver's countersignature is awaited.
    AwaitingApproval,
    /// Someone was assigned to it.
    Assigned,
    /// The owner's periodic attestation (the tier's `attestation_cadence_months`) is near or
    /// past due.
    AttestationDue,
}

impl ReasonKind {
    /// The snake_case name (as in `--json` and the policy's triggers).
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::Cadence => "cadence",
            ReasonKind::EvidenceChanged => "evidence_changed",
            ReasonKind::MonitoringBreach => "monitoring_breach",
            ReasonKind::ConditionExpired => "condition_expired",
            ReasonKind::NewVersion => "new_version",
            ReasonKind::AwaitingApproval => "awaiting_approval",
            ReasonKind::Assigned => "assigned",
            ReasonKind::AttestationDue => "attestation_due",
        }
    }
}

impl std::fmt::Display for ReasonKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason a version is in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Reason {
    /// What fired.
    pub kind: ReasonKind,
    /// What it is about, in a sentence ("approval by vera (validator) is stale: run metric
    /// auc changed").
    pub detail: String,
    /// When the work is due for this reason (YYYY-MM-DD), if anything sets a date.
    pub due: Option<String>,
    /// When the trigger was first seen here, for reasons timed from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub since: Option<String>,
}

/// One version in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QueueItem {
    /// `models:/NAME/VERSION`.
    pub version_ref: String,
    /// The model.
    pub name: String,
    /// The version.
    pub version: String,
    /// The model's tier.
    pub tier: Option<String>,
    /// The model's owner.
    pub owner: Option<String>,
    /// Where the version stands.
    pub status: ModelStatus,
    /// Whether a production alias points at it.
    pub in_production: bool,
    /// The role whose work is needed next.
    pub needs: Role,
    /// Every reason, earliest due first.
    pub reasons: Vec<Reason>,
    /// The earliest due date of its reasons and assignments.
    pub due: Option<String>,
    /// Days past the due date (0 when not overdue).
    pub days_overdue: i64,
    /// Who is assigned, per role.
    pub assignments: Vec<Assignment>,
    /// The model's next review date.
    pub next_review: NextReview,
    /// The version's open findings (in its latest review), oldest first, with days open.
    #[serde(default)]
    pub findings: Vec<OpenFinding>,
}

/// An open finding of a queued version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OpenFinding {
    /// Its id (`F-1`).
    pub id: String,
    /// Severity.
    pub severity: crate::review::Severity,
    /// Title.
    pub title: String,
    /// Who must remediate it.
    pub owner: String,
    /// When it is due (YYYY-MM-DD).
    pub due: String,
    /// Days since it was raised (in the review that first raised it, carried over since).
    pub days_open: i64,
    /// Whether its due date has passed.
    pub past_due: bool,
}

impl OpenFinding {
    /// One line for a person: `F-1 [high] open 45 days, due 2026-10-01 (past due): title
    /// (owner o)`.
    pub fn summary(&self) -> String {
        format!(
            "{} [{}] open {} days, due {}{}: {} (owner {})",
            self.id,
            self.severity.as_str(),
            self.days_open,
            self.due,
            if self.past_due { " (past due)" } else { "" },
            self.title,
            self.owner
        )
    }

    /// The open finding as of `today`.
    pub fn of(f: &crate::review::Finding, today: NaiveDate) -> Self {
        let raised = f.raised_at.get(..10).and_then(date_of).unwrap_or(today);
        Self {
            id: f.id.clone(),
            severity: f.severity,
            title: crate::display::escape(&f.title).into_owned(),
            owner: crate::display::escape(&f.owner).into_owned(),
            due: f.due.clone(),
            days_open: (today - raised).num_days().max(0),
            past_due: date_of(&f.due).is_some_and(|d| d < today),
        }
    }
}

impl QueueItem {
    /// Whether someone the identity names is assigned to it.
    pub fn assigned_to(&self, identity: &str) -> bool {
        self.assignments
            .iter()
            .any(|a| crate::identity::same_person(&a.to, identity))
    }

    /// Whether it waits on an attestation by the owner the identity names.
    pub fn owner_attestation_for(&self, identity: &str) -> bool {
        self.reasons
            .iter()
            .any(|r| r.kind == ReasonKind::AttestationDue)
            && crate::attestation::is_owner(self.owner.as_deref(), identity)
    }
}

/// The queue as `countersign queue` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Queue {
    /// [`SCHEMA`].
    pub schema: String,
    /// The platform.
    pub platform: String,
    /// The date it was judged on.
    pub today: String,
    /// How the approvals were judged: `verified` (against the platform now) or `ledger` (the
    /// last verification recorded here, offline).
    pub judged: String,
    /// Whose queue it is, for `--mine`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mine: Option<String>,
    /// The items, most urgent first.
    pub items: Vec<QueueItem>,
    /// Versions whose approvals could not be verified (the platform failed for them), with
    /// why: they are judged as if nothing were signed.
    #[serde(default)]
    pub unverified: Vec<String>,
}

/// Every version's verdicts from the ledger (the last verification recorded here), keyed by
/// `models:/NAME/VERSION`: what the inventory, the portfolio and an offline queue judge by.
pub fn ledger_verdicts(
    policy: &LoadedPolicy,
    models: &[Model],
    entries: Vec<crate::store::LedgerEntry>,
) -> BTreeMap<String, VersionVerdicts> {
    let mut by_version: BTreeMap<String, BTreeMap<String, crate::store::LedgerEntry>> =
        BTreeMap::new();
    for e in entries {
        by_version
            .entry(e.version.clone())
            .or_default()
            .insert(e.approval_sha256.clone(), e);
    }
    let tiers: BTreeMap<&str, Option<&str>> = models
        .iter()
        .map(|m| (m.name.as_str(), m.risk_tier.as_deref()))
        .collect();
    by_version
        .into_iter()
        .map(|(v, entries)| {
            let name = crate::uri::VersionRef::parse(&v).map(|r| r.name).ok();
            let tier = name
                .as_deref()
                .and_then(|n| tiers.get(n).copied().flatten());
            let entries: Vec<_> = entries.into_values().collect();
            let required = policy.required_roles(tier);
            (v, VersionVerdicts::from_ledger(&required, &entries))
        })
        .collect()
}

/// The verdict on one approval of a version, as the queue needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Role.
    pub role: Role,
    /// Decision.
    pub decision: Decision,
    /// Signer.
    pub signer: String,
    /// When signed (RFC 3339).
    pub signed_at: String,
    /// Whether it counts now.
    pub counts: bool,
    /// Whether it is stale, and what changed.
    pub stale: bool,
    /// What changed, when stale.
    pub changes: Vec<String>,
    /// A conditional approval's expiry (RFC 3339).
    pub expires_at: Option<String>,
    /// Whether its signature verified (a verified reject blocks).
    pub signature_ok: bool,
}

/// What is known of a version's approvals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionVerdicts {
    /// Each approval's verdict.
    pub approvals: Vec<Verdict>,
    /// Whether the gate passes (every required approval counts, nothing blocks).
    pub approved: bool,
}

impl VersionVerdicts {
    /// From `verify`'s result.
    pub fn from_verification(v: &crate::approval::verify::Verification) -> Self {
        Self {
            approvals: v
                .approvals
                .iter()
                .filter_map(|c| {
                    let r = c.record.as_ref()?;
                    Some(Verdict {
                        role: r.role,
                        decision: r.decision,
                        signer: r.signer.clone(),
                        signed_at: r.signed_at.clone(),
                        counts: c.counts,
                        stale: c.stale,
                        changes: c.changes.clone(),
                        expires_at: r.expires_at.clone(),
                        signature_ok: c.signature_ok,
                    })
                })
                .collect(),
            approved: v.gate.pass,
        }
    }

    /// From the ledger (the last verdicts recorded here; expiries and what changed unknown).
    pub fn from_ledger(required: &[Role], entries: &[crate::store::LedgerEntry]) -> Self {
        Self {
            approvals: entries
                .iter()
                .map(|e| Verdict {
                    role: e.role,
                    decision: e.decision,
                    signer: e.signer.clone(),
                    signed_at: e.signed_at.clone(),
                    counts: e.counted != Some(false),
                    stale: e.counted == Some(false),
                    changes: Vec::new(),
                    expires_at: None,
                    signature_ok: e.signature_ok != Some(false),
                })
                .collect(),
            approved: crate::inventory::version_status(required, entries, false)
                == ModelStatus::Approved,
        }
    }

    /// The verdicts as they will stand on `day` (a look ahead, `queue --as-of`): a
    /// conditional approval whose expiry is before `day` no longer counts, and the version
    /// stays approved only while every role in `required` still has a counting approval.
    pub fn as_of(&mut self, day: NaiveDate, required: &[Role]) {
        let mut lapsed = false;
        for a in &mut self.approvals {
            if a.counts && a.expires_at.as_deref().is_some_and(|e| lapsed_by(e, day)) {
                a.counts = false;
                lapsed = true;
            }
        }
        if lapsed && self.approved {
            self.approved = required.iter().all(|r| self.counting(*r).next().is_some());
        }
    }

    fn rejected(&self) -> bool {
        self.approvals
            .iter()
            .any(|a| a.decision == Decision::Reject && a.signature_ok)
    }

    fn counting(&self, role: Role) -> impl Iterator<Item = &Verdict> {
        self.approvals
            .iter()
            .filter(move |a| a.role == role && a.counts && a.decision.approves())
    }

    /// When the version became approved (the last required role's newest counting
    /// signature, by time), as the record writes it.
    fn approved_at(&self, required: &[Role]) -> Option<String> {
        if !self.approved {
            return None;
        }
        let last = if required.contains(&Role::Approver) {
            Role::Approver
        } else {
            *required.first()?
        };
        self.counting(last)
            .map(|a| a.signed_at.clone())
            .max_by_key(|t| {
                chrono::DateTime::parse_from_rfc3339(t)
                    .map(|t| t.timestamp_millis())
                    .unwrap_or(i64::MIN)
            })
    }

    /// The day the required approvals came to count: the newest counting approval of the
    /// role that signs last (the approver where the tier needs one). A validator's newer
    /// approval in a review not yet countersigned does not move it.
    fn approved_on(&self, required: &[Role]) -> Option<NaiveDate> {
        self.approved_at(required).as_deref().and_then(date_of)
    }
}

/// The date part of an RFC 3339 time or a YYYY-MM-DD date.
pub fn date_of(s: &str) -> Option<NaiveDate> {
    crate::inventory::parse_day(s.get(..10)?)
}

/// Whether an expiry (RFC 3339, as a record holds it) has passed by the end of `day`: an
/// approval whose conditions expire during `day` no longer counts on it. A typed date means the
/// end of that day (`approval::parse_expiry`), so it counts through that day.
pub fn lapsed_by(expires_at: &str, day: NaiveDate) -> bool {
    let end = day.and_hms_opt(23, 59, 59).map(|t| t.and_utc());
    match (chrono::DateTime::parse_from_rfc3339(expires_at), end) {
        (Ok(t), Some(end)) => t.with_timezone(&chrono::Utc) < end,
        _ => date_of(expires_at).is_some_and(|e| e < day),
    }
}

fn fmt(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn plus_days(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(days))).unwrap_or(d)
}

/// When a reason is due: a fixed date, or a number of days after it was first seen.
enum Due {
    On(Option<NaiveDate>),
    AfterSeen(u32),
}

struct Pending {
    version: String,
    kind: ReasonKind,
    detail: String,
    due: Due,
}

/// A version's assignments whose work is not done: an assignment made before the version's
/// approval was that cycle's, and is done.
pub fn open_assignments(
    policy: &LoadedPolicy,
    m: &Model,
    v: &Version,
    verdicts: &BTreeMap<String, VersionVerdicts>,
) -> Vec<Assignment> {
    let vv = verdicts.get(&version_ref(v));
    let approved_at =
        vv.and_then(|vv| vv.approved_at(&policy.required_roles(m.risk_tier.as_deref())));
    // Times compared as times (RFC 3339), else as dates.
    let after = |t: &str, since: &str| match (
        chrono::DateTime::parse_from_rfc3339(t),
        chrono::DateTime::parse_from_rfc3339(since),
    ) {
        (Ok(t), Ok(s)) => t > s,
        _ => date_of(t).zip(date_of(since)).is_some_and(|(t, s)| t > s),
    };
    Assignment::from_tags(&v.tags)
        .into_iter()
        // Done once someone in its role signed a decision (approve or reject) after it...
        .filter(|a| {
            !vv.is_some_and(|vv| {
                vv.approvals
                    .iter()
                    .any(|x| x.role == a.role && x.signature_ok && after(&x.signed_at, &a.at))
            })
        })
        // ...and, as a whole cycle, once the version was approved after it.
        .filter(|a| approved_at.as_deref().is_none_or(|on| after(&a.at, on)))
        .collect()
}

/// Everything [`build`] judges.
#[derive(Debug)]
pub struct Input<'a> {
    /// The policy the tiers come from.
    pub policy: &'a LoadedPolicy,
    /// The inventory's models.
    pub models: &'a [Model],
    /// Every version of every model.
    pub versions: &'a [Version],
    /// The approvals' verdicts by `models:/NAME/VERSION` (versions with none are absent).
    pub verdicts: &'a BTreeMap<String, VersionVerdicts>,
    /// Versions with a review under way here (`models:/NAME/VERSION`).
    pub in_review: &'a BTreeSet<String>,
    /// The monitoring runs of versions that have some ([`monitoring_runs`]), newest first, by
    /// `models:/NAME/VERSION`; read only when the policy sets `[lifecycle.monitoring_runs]`.
    pub monitoring: &'a BTreeMap<String, Vec<crate::evidence::RunEvidence>>,
    /// When each version's owner attestations that count were signed (RFC 3339), by
    /// `models:/NAME/VERSION`; `None` when they were not read (judged from the ledger), so
    /// no attestation is judged due.
    pub attestations: Option<&'a BTreeMap<String, Vec<String>>>,
    /// Today.
    pub today: NaiveDate,
}

/// A version's monitoring runs among its runs (its producing run and its evaluations): those
/// whose tag `tag` is set to anything but `false`, `0` or nothing, newest first (by start, then
/// id). A run dated after `today` is left out: a run cannot have measured the future, and a
/// far-future date must not make one reading "latest" for good.
pub fn monitoring_runs(
    e: &crate::evidence::Evidence,
    tag: &str,
    today: NaiveDate,
) -> Vec<crate::evidence::RunEvidence> {
    let marked = |r: &&crate::evidence::RunEvidence| {
        r.tags.get(tag).is_some_and(|v| {
            let v = v.trim();
            !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))
        })
    };
    let mut out: Vec<crate::evidence::RunEvidence> = e
        .run
        .iter()
        .chain(e.evaluations.iter())
        .filter(marked)
        .filter(|r| date_of(&r.start).is_some_and(|d| d <= today))
        .cloned()
        .collect();
    out.sort_by(|a, b| (&b.start, &b.run_id).cmp(&(&a.start, &a.run_id)));
    out
}

/// The breaches the policy's rules find in a version's monitoring runs (newest first): for
/// each rule, the newest run that records its metric decides (a newer run that does not
/// measure it hides nothing); a NaN or infinite reading is a breach.
fn run_breaches(
    rules: &crate::policy::MonitoringRuns,
    runs: &[crate::evidence::RunEvidence],
) -> Vec<String> {
    let mut out = Vec::new();
    for rule in &rules.breach_when {
        let Some((run, value)) = runs
            .iter()
            .find_map(|r| r.metrics.get(&rule.metric).map(|m| (r, m.value)))
        else {
            continue;
        };
        let shown = |what: String| {
            format!(
                "monitoring run '{}' ({}, {}): {what}",
                crate::display::escape(&run.run_name),
                crate::display::short_hash(&run.run_id),
                run.start.get(..10).unwrap_or(&run.start)
            )
        };
        match value {
            None => out.push(shown(format!(
                "{} is NaN or infinite",
                crate::display::escape(&rule.metric)
            ))),
            Some(v) if rule.op.holds(v, rule.threshold) => out.push(shown(format!(
                "{} = {} {} {}",
                crate::display::escape(&rule.metric),
                v,
                rule.op.symbol(true),
                rule.threshold
            ))),
            Some(_) => {}
        }
    }
    out
}

/// The model's next review date and the version it governs (the approved production version,
/// else the newest approved one). `verdicts` is keyed by `models:/NAME/VERSION`; only the
/// model's own entries are read.
pub fn next_review(
    policy: &LoadedPolicy,
    model: &Model,
    verdicts: &BTreeMap<String, VersionVerdicts>,
) -> (NextReview, Option<String>) {
    let tier = model
        .risk_tier
        .as_deref()
        .and_then(|t| policy.policy.tiers.get(t));
    let required = policy.required_roles(model.risk_tier.as_deref());
    let prod = production_versions(policy, model);
    let prefix = format!("models:/{}/", model.name);
    let number = |v: &str| v.parse::<u64>().unwrap_or(0);
    let approved: Vec<(&str, NaiveDate)> = verdicts
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter_map(|(k, vv)| {
            let v = &k[prefix.len()..];
            // `models:/a/1` and `models:/a/b/1` share a prefix; a version has no slash.
            (!v.contains('/')).then_some(())?;
            Some((v, vv.approved_on(&required)?))
        })
        .collect();
    let governing = approved
        .iter()
        .filter(|(v, _)| prod.contains(*v))
        .max_by_key(|(v, _)| number(v))
        .or_else(|| approved.iter().max_by_key(|(v, _)| number(v)));
    let declared = model.next_review_date.as_deref().and_then(date_of).map(fmt);
    let (computed, approved_on) = match (governing, tier) {
        (Some((_, on)), Some(t)) => (
            on.checked_add_months(Months::new(t.review_cadence_months))
                .map(fmt),
            Some(fmt(*on)),
        ),
        (Some((_, on)), None) => (None, Some(fmt(*on))),
        _ => (None, None),
    };
    let date = computed.clone().or_else(|| declared.clone());
    (
        NextReview {
            date,
            computed,
            declared,
            approved_on,
        },
        governing.map(|(v, _)| v.to_string()),
    )
}

/// The versions a production alias (the policy's `production_aliases`) or a production stage
/// (`production_stages`, MLflow 2.x) points at.
pub fn production_versions(policy: &LoadedPolicy, model: &Model) -> BTreeSet<String> {
    production_markers(policy, model).into_keys().collect()
}

/// Each version in production with what says so: the aliases and stages the policy calls
/// production that point at it.
pub fn production_markers(policy: &LoadedPolicy, model: &Model) -> BTreeMap<String, Vec<String>> {
    let lc = &policy.policy.lifecycle;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (marker, version, names) in model
        .aliases
        .iter()
        .map(|(a, v)| (a, v, &lc.production_aliases))
        .chain(
            model
                .stages
                .iter()
                .map(|(v, s)| (s, v, &lc.production_stages)),
        )
    {
        if names.iter().any(|p| p.eq_ignore_ascii_case(marker)) {
            out.entry(version.clone()).or_default().push(marker.clone());
        }
    }
    out
}

fn version_ref(v: &Version) -> String {
    format!("models:/{}/{}", v.name, v.version)
}

/// The queue's reasons before the dates triggers were first seen are known: judged from the
/// input alone. Returns them with the keys (`version`, `reason`) whose first sighting dates
/// the due dates.
fn reasons(input: &Input<'_>) -> Vec<Pending> {
    let policy = input.policy;
    let mut by_model: BTreeMap<&str, Vec<&Version>> = BTreeMap::new();
    for v in input.versions {
        by_model.entry(v.name.as_str()).or_default().push(v);
    }
    let mut out = Vec::new();
    for m in input.models {
        let mut versions = by_model.remove(m.name.as_str()).unwrap_or_default();
        versions.sort_by_key(|v| v.number());
        let Some(newest) = versions.last().copied() else {
            continue;
        };
        let tier = m
            .risk_tier
            .as_deref()
            .and_then(|t| policy.policy.tiers.get(t));
        let fires = |t: Trigger| tier.is_some_and(|tier| tier.re_review_triggers.contains(&t));
        let due_days = |t: Trigger| tier.map_or(t.default_due_days(), |tier| tier.due_days(t));
        let required = policy.required_roles(m.risk_tier.as_deref());
        let prod = production_versions(policy, m);
        let verdict = |v: &Version| input.verdicts.get(&version_ref(v));
        let approved = |v: &Version| verdict(v).is_some_and(|vv| vv.approved);
        let (next, governing) = next_review(policy, m, input.verdicts);
        let newest_approved = versions.iter().rev().find(|v| approved(v)).copied();
        // The version the model's calendar and monitoring are about.
        let subject = governing
            .as_deref()
            .and_then(|g| versions.iter().find(|v| v.version == g))
            .or_else(|| versions.iter().rev().find(|v| prod.contains(&v.version)))
            .copied()
            .unwrap_or(newest);
        let key = version_ref(subject);
        let mut push = |version: String, kind: ReasonKind, detail: String, due: Due| {
            out.push(Pending {
                version,
                kind,
                detail,
                due,
            })
        };

        // The calendar.
        if let Some(date) = next.date.as_deref().and_then(date_of) {
            let soon = plus_days(input.today, policy.policy.lifecycle.due_soon_days);
            if date <= soon {
                let basis = match (&next.computed, &next.approved_on, &next.declared) {
                    (Some(_), Some(on), declared) => format!(
                        "approved on {on} + {} months{}",
                        tier.map_or(0, |t| t.review_cadence_months),
                        match declared {
                            Some(d) if next.disagree() => format!("; the owner declared {d}"),
                            _ => String::new(),
                        }
                    ),
                    _ => "the owner's declared date; no approval counts yet".into(),
                };
                let when = if date < input.today {
                    "was due"
                } else {
                    "is due"
                };
                push(
                    key.clone(),
                    ReasonKind::Cadence,
                    format!("periodic review {when} on {} ({basis})", fmt(date)),
                    Due::On(Some(date)),
                );
            }
        }

        // The owner's attestation, of the version the calendar is about, once approved.
        let cadence = tier.and_then(|t| t.attestation_cadence_months);
        if let (Some(seen), Some(months), Some(g)) = (input.attestations, cadence, &governing) {
            let gref = format!("models:/{}/{g}", m.name);
            let last = seen
                .get(&gref)
                .and_then(|ts| ts.iter().filter_map(|t| date_of(t)).max());
            let basis = match (last, next.approved_on.as_deref().and_then(date_of)) {
                (Some(d), _) => Some((d, format!("last attested on {}", fmt(d)))),
                (None, Some(on)) => Some((
                    on,
                    format!("not attested since the approval on {}", fmt(on)),
                )),
                (None, None) => None,
            };
            if let Some((from, why)) = basis {
                let due = from.checked_add_months(Months::new(months)).unwrap_or(from);
                if due <= plus_days(input.today, policy.policy.lifecycle.due_soon_days) {
                    let when = if due < input.today {
                        "was due"
                    } else {
                        "is due"
                    };
                    push(
                        gref,
                        ReasonKind::AttestationDue,
                        format!(
                            "the owner's attestation {when} on {} ({why}; every {months} months): `countersign attest` by {}",
                            fmt(due),
                            m.owner
                                .as_deref()
                                .map(|o| crate::display::escape(o).into_owned())
                                .unwrap_or_else(|| "the owner (the inventory names none)".into())
                        ),
                        Due::On(Some(due)),
                    );
                }
            }
        }

        // A monitoring breach, on the version or the model.
        if fires(Trigger::MonitoringBreach) {
            let tag = policy
                .policy
                .lifecycle
                .breach_tag
                .clone()
                .unwrap_or_else(|| policy.policy.tags.monitoring.clone());
            let value = subject.tags.get(&tag).or_else(|| m.tags.get(&tag));
            if let Some(value) = value.filter(|v| {
                policy
                    .policy
                    .lifecycle
                    .breach_values
                    .iter()
                    .any(|b| b.eq_ignore_ascii_case(v.trim()))
            }) {
                push(
                    key.clone(),
                    ReasonKind::MonitoringBreach,
                    format!("monitoring tag {tag} = {}", crate::display::escape(value)),
                    Due::AfterSeen(due_days(Trigger::MonitoringBreach)),
                );
            }
            // And what the monitoring runs measured: of the version the calendar is about and
            // of every version in production (the deployed one may be another).
            if let Some(rules) = policy.policy.lifecycle.monitoring_runs.as_ref() {
                let mut judged: Vec<String> = vec![key.clone()];
                for v in versions.iter().filter(|v| prod.contains(&v.version)) {
                    let r = version_ref(v);
                    if !judged.contains(&r) {
                        judged.push(r);
                    }
                }
                for at in judged {
                    let runs = input.monitoring.get(&at).map(Vec::as_slice).unwrap_or(&[]);
                    for detail in run_breaches(rules, runs) {
                        push(
                            at.clone(),
                            ReasonKind::MonitoringBreach,
                            detail,
                            Due::AfterSeen(due_days(Trigger::MonitoringBreach)),
                        );
                    }
                }
            }
        }

        // Evidence changed and conditions expired, on the versions that matter: those in
        // production and the newest version anyone signed.
        let newest_signed = versions
            .iter()
            .rev()
            .find(|v| verdict(v).is_some_and(|vv| vv.approvals.iter().any(|a| a.signature_ok)))
            .copied();
        let mut matter: Vec<&Version> = versions
            .iter()
            .filter(|v| prod.contains(&v.version))
            .copied()
            .collect();
        if let Some(v) = newest_signed {
            if !matter.iter().any(|x| x.version == v.version) {
                matter.push(v);
            }
        }
        // Versions whose approvals went stale or expired: that is why they are unapproved.
        let mut explained = BTreeSet::new();
        for v in &matter {
            let Some(vv) = verdict(v) else { continue };
            if vv.approved {
                continue;
            }
            if vv.approvals.iter().filter(|a| a.signature_ok).any(|a| {
                a.stale
                    || a.expires_at
                        .as_deref()
                        .is_some_and(|e| lapsed_by(e, input.today))
            }) {
                explained.insert(v.version.clone());
            }
            if fires(Trigger::EvidenceChanged) {
                // One reason per version (the first stale approval says what changed).
                if let Some(a) = vv.approvals.iter().find(|a| a.stale && a.signature_ok) {
                    let what = if a.changes.is_empty() {
                        "it did not count when last verified".to_string()
                    } else {
                        format!("changed: {}", a.changes.join("; "))
                    };
                    push(
                        version_ref(v),
                        ReasonKind::EvidenceChanged,
                        format!(
                            "{} approval by {} on {} is stale ({})",
                            a.role,
                            crate::display::escape(&a.signer),
                            a.signed_at.get(..10).unwrap_or(&a.signed_at),
                            crate::display::escape(&what)
                        ),
                        Due::AfterSeen(due_days(Trigger::EvidenceChanged)),
                    );
                }
            }
            if fires(Trigger::ConditionExpired) {
                let expired = vv
                    .approvals
                    .iter()
                    .filter(|a| a.signature_ok)
                    .filter_map(|a| {
                        let exp = date_of(a.expires_at.as_deref()?)?;
                        (lapsed_by(a.expires_at.as_deref()?, input.today)
                            && a.decision == Decision::ApproveWithConditions)
                            .then_some((a, exp))
                    });
                if let Some((a, exp)) = expired.max_by_key(|(_, e)| *e) {
                    push(
                        version_ref(v),
                        ReasonKind::ConditionExpired,
                        format!(
                            "the conditional {} approval by {} expired on {}",
                            a.role,
                            crate::display::escape(&a.signer),
                            fmt(exp)
                        ),
                        Due::On(Some(plus_days(exp, due_days(Trigger::ConditionExpired)))),
                    );
                }
            }
        }

        // New versions: a production alias on an unapproved version, or a newer version
        // than the newest approved one.
        if fires(Trigger::NewVersion) {
            for (alias, pv) in &m.aliases {
                if !prod.contains(pv) {
                    continue;
                }
                let Some(v) = versions.iter().find(|v| &v.version == pv) else {
                    continue;
                };
                if !approved(v) && !explained.contains(&v.version) {
                    push(
                        version_ref(v),
                        ReasonKind::NewVersion,
                        format!(
                            "alias {} points at version {}, which is not approved",
                            crate::display::escape(alias),
                            v.version
                        ),
                        Due::AfterSeen(due_days(Trigger::NewVersion)),
                    );
                }
            }
            if let Some(a) = newest_approved {
                let candidate = versions
                    .iter()
                    .rev()
                    .find(|v| v.status.eq_ignore_ascii_case("READY"))
                    .copied();
                if let Some(n) = candidate.filter(|n| n.number() > a.number() && !approved(n)) {
                    let created = chrono::DateTime::from_timestamp_millis(n.created_ms)
                        .map(|t| t.date_naive());
                    push(
                        version_ref(n),
                        ReasonKind::NewVersion,
                        format!(
                            "version {} was registered{}; the newest approved is version {}",
                            n.version,
                            created
                                .map(|d| format!(" on {}", fmt(d)))
                                .unwrap_or_default(),
                            a.version
                        ),
                        Due::On(created.map(|d| plus_days(d, due_days(Trigger::NewVersion)))),
                    );
                }
            }
        }

        // Work under way: the validator signed and the approver is awaited.
        let days = tier.map_or(14, |t| t.approval_due_days);
        for v in &versions {
            if newest_approved.is_some_and(|a| v.number() < a.number()) {
                continue;
            }
            let Some(vv) = verdict(v) else { continue };
            if vv.approved || vv.rejected() || !required.contains(&Role::Approver) {
                continue;
            }
            if vv.counting(Role::Approver).next().is_some() {
                continue;
            }
            let validated = vv
                .counting(Role::Validator)
                .max_by(|a, b| a.signed_at.cmp(&b.signed_at));
            // An approver who signed after the validator (a conditional approval since
            // expired, a stale one) is not awaited: another reason says why.
            let answered = |val: &Verdict| {
                // Only a record whose signature verified: a planted one hides nothing.
                vv.approvals.iter().any(|a| {
                    a.role == Role::Approver && a.signature_ok && a.signed_at >= val.signed_at
                })
            };
            if let Some(val) = validated.filter(|val| !answered(val)) {
                let on = date_of(&val.signed_at);
                push(
                    version_ref(v),
                    ReasonKind::AwaitingApproval,
                    format!(
                        "validated by {} on {}; an approver's countersignature is needed",
                        crate::display::escape(&val.signer),
                        on.map(fmt).unwrap_or_default()
                    ),
                    Due::On(on.map(|d| plus_days(d, days))),
                );
            }
        }

        // Assignments on versions not approved yet.
        for v in &versions {
            if approved(v) {
                continue;
            }
            for a in Assignment::from_tags(&v.tags) {
                let under_way = if input.in_review.contains(&version_ref(v)) {
                    " (review under way)"
                } else {
                    ""
                };
                push(
                    version_ref(v),
                    ReasonKind::Assigned,
                    format!(
                        "assigned to {} as {} by {} on {}{under_way}",
                        crate::display::escape(&a.to),
                        a.role,
                        crate::display::escape(&a.by),
                        a.at.get(..10).unwrap_or(&a.at)
                    ),
                    Due::On(a.due.as_deref().and_then(date_of)),
                );
            }
        }
    }
    out
}

/// The keys (`models:/NAME/VERSION`, reason) of the triggers firing whose due date counts
/// from their first sighting: the workspace records and dates them in the store.
pub fn timed_triggers(input: &Input<'_>) -> BTreeSet<(String, String)> {
    reasons(input)
        .into_iter()
        .filter(|p| matches!(p.due, Due::AfterSeen(_)))
        .map(|p| (p.version, p.kind.as_str().to_string()))
        .collect()
}

/// The queue's items, most urgent first. `seen` gives, for each key of [`timed_triggers`],
/// the day it was first seen (today when absent).
pub fn build(input: &Input<'_>, seen: &BTreeMap<(String, String), String>) -> Vec<QueueItem> {
    let pending = reasons(input);
    let mut by_version: BTreeMap<String, Vec<Reason>> = BTreeMap::new();
    for p in pending {
        let (due, since) = match p.due {
            Due::On(d) => (d, None),
            Due::AfterSeen(days) => {
                let first = seen
                    .get(&(p.version.clone(), p.kind.as_str().to_string()))
                    .and_then(|d| date_of(d))
                    .unwrap_or(input.today);
                (Some(plus_days(first, days)), Some(fmt(first)))
            }
        };
        let list = by_version.entry(p.version).or_default();
        let reason = Reason {
            kind: p.kind,
            detail: p.detail,
            due: due.map(fmt),
            since,
        };
        if !list.contains(&reason) {
            list.push(reason);
        }
    }
    let models: BTreeMap<&str, &Model> =
        input.models.iter().map(|m| (m.name.as_str(), m)).collect();
    let mut items = Vec::new();
    for (vref, mut reasons) in by_version {
        let Some(v) = input.versions.iter().find(|v| version_ref(v) == vref) else {
            continue;
        };
        let Some(m) = models.get(v.name.as_str()) else {
            continue;
        };
        reasons.sort_by(|a, b| {
            (a.due.is_none(), &a.due, a.kind).cmp(&(b.due.is_none(), &b.due, b.kind))
        });
        let assignments = open_assignments(input.policy, m, v, input.verdicts);
        let due = reasons
            .iter()
            .filter_map(|r| r.due.clone())
            .chain(assignments.iter().filter_map(|a| a.due.clone()))
            .min();
        let days_overdue = due
            .as_deref()
            .and_then(date_of)
            .map_or(0, |d| (input.today - d).num_days().max(0));
        let required = input.policy.required_roles(m.risk_tier.as_deref());
        let vv = input.verdicts.get(&vref);
        let status = match vv {
            Some(vv) if vv.rejected() => ModelStatus::Rejected,
            Some(vv) if vv.approved => ModelStatus::Approved,
            Some(vv) if !vv.approvals.is_empty() => ModelStatus::PendingApproval,
            _ if input.in_review.contains(&vref) => ModelStatus::InReview,
            _ => ModelStatus::NotReviewed,
        };
        let only_approver_awaited = reasons
            .iter()
            .all(|r| matches!(r.kind, ReasonKind::AwaitingApproval | ReasonKind::Assigned))
            && reasons
                .iter()
                .any(|r| r.kind == ReasonKind::AwaitingApproval);
        let only_owner = reasons.iter().all(|r| r.kind == ReasonKind::AttestationDue);
        let needs = if only_owner {
            Role::Owner
        } else if only_approver_awaited && required.contains(&Role::Approver) {
            Role::Approver
        } else {
            Role::Validator
        };
        let (next_review, _) = next_review(input.policy, m, input.verdicts);
        items.push(QueueItem {
            version_ref: vref.clone(),
            name: v.name.clone(),
            version: v.version.clone(),
            tier: m.risk_tier.clone(),
            owner: m.owner.clone(),
            status,
            in_production: production_versions(input.policy, m).contains(&v.version),
            needs,
            reasons,
            due,
            days_overdue,
            assignments,
            next_review,
            findings: Vec::new(),
        });
    }
    items.sort_by(|a, b| {
        (
            a.due.is_none(),
            &a.due,
            &a.tier,
            &a.name,
            a.version.len(),
            &a.version,
        )
            .cmp(&(
                b.due.is_none(),
                &b.due,
                &b.tier,
                &b.name,
                b.version.len(),
                &b.version,
            ))
    });
    items
}

#[cfg(test)]
mod tests;
