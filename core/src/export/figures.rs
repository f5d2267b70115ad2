//! What the portfolio report says: its rows and figures. Built by `portfolio`, rendered by
//! `pdf::portfolio`, written as JSON or CSV by `portfolio`.

use crate::model::ModelKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One model's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PortfolioRow {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ModelKind,
    /// Tier.
    pub tier: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// approved / rejected / pending approval / in review / not reviewed.
    pub status: crate::inventory::ModelStatus,
    /// Latest version.
    pub latest_version: Option<String>,
    /// The last approval: "role decision by signer on date".
    pub last_approval: Option<String>,
    /// Its verification state: counted, did not count, or signed here (not yet verified).
    pub verification: Option<String>,
    /// Next review date.
    pub next_review: Option<String>,
    /// Whether the review is overdue.
    pub overdue: bool,
    /// Monitoring.
    pub monitoring: Option<String>,
    /// LLM or vendor provider.
    pub provider: Option<String>,
    /// Whether a production alias (champion/production) points at a version.
    pub in_production: bool,
    /// Open high findings in its reviews.
    pub open_high_findings: u64,
}

/// The figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PortfolioFigures {
    /// Models.
    pub models: u64,
    /// Counts by tier.
    pub by_tier: BTreeMap<String, u64>,
    /// Counts by status.
    pub by_status: BTreeMap<String, u64>,
    /// Counts by kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Overdue reviews.
    pub overdue: u64,
    /// Models in production.
    pub in_production: u64,
    /// Share of production models with a named owner (0..1).
    pub production_with_owner: f64,
    /// Share of production models with monitoring enabled (0..1).
    pub production_with_monitoring: f64,
    /// Median days from version creation to its counted approval.
    pub median_days_to_approval: Option<f64>,
    /// 90th percentile of the same.
    pub p90_days_to_approval: Option<f64>,
    /// LLM prompts per provider.
    pub prompts_per_provider: BTreeMap<String, u64>,
    /// Models with open high findings.
    pub models_with_open_high_findings: u64,
    /// Open findings, and how many of them are past their due date.
    #[serde(default)]
    pub open_findings: u64,
    /// Open findings past their due date.
    #[serde(default)]
    pub findings_past_due: u64,
    /// Assignments past their due date with the work not done.
    #[serde(default)]
    pub assignments_past_due: u64,
}

/// An open finding in the portfolio, with how long it has been open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PortfolioFinding {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// The finding.
    pub finding: crate::queue::OpenFinding,
}

/// An assignment past its due date, its work not done (no approval since it was made).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PastDueAssignment {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// The assignment.
    pub assignment: crate::assignment::Assignment,
    /// Days past its due date.
    pub days_late: i64,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PortfolioReport {
    /// Platform.
    pub platform: String,
    /// Date reviews are judged against.
    pub today: String,
    /// Figures.
    pub figures: PortfolioFigures,
    /// Every model.
    pub rows: Vec<PortfolioRow>,
    /// Every open finding, longest open first.
    #[serde(default)]
    pub findings: Vec<PortfolioFinding>,
    /// Assignments past their due date, latest first.
    #[serde(default)]
    pub assignments_past_due: Vec<PastDueAssignment>,
    /// The review queue (judged from the ledger, offline), most urgent first; `None` when it
    /// was not built (the dashboards) or could not be (the export says so).
    #[serde(default)]
    pub queue: Option<Vec<crate::queue::QueueItem>>,
}
