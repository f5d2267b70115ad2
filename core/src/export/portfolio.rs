//! The portfolio report for managers: every model with its tier, owner, status, last approval
//! and next review, and the figures the portfolio is steered by — all computed from the local
//! store (inventory, ledger, reviews), so it needs no network.

use crate::model::{Model, ModelKind};
use crate::policy::{LoadedPolicy, Role};
use crate::store::{LedgerEntry, Store};
use crate::Result;
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
    pub status: String,
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
}

fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    Some(sorted[rank.min(sorted.len() - 1)])
}

/// Builds the report for a platform from the store.
pub fn build(
    store: &Store,
    platform: &str,
    policy: &LoadedPolicy,
    today: &str,
) -> Result<PortfolioReport> {
    let models: Vec<Model> = store.models(platform)?;
    let mut versions_by_model: BTreeMap<String, Vec<crate::model::Version>> = BTreeMap::new();
    for v in store.all_versions(platform)? {
        versions_by_model.entry(v.name.clone()).or_default().push(v);
    }
    // Latest ledger verdict per approval, grouped by version.
    let mut by_sha: BTreeMap<String, LedgerEntry> = BTreeMap::new();
    for e in store.ledger_entries()? {
        if e.platform == platform {
            by_sha.insert(e.approval_sha256.clone(), e);
        }
    }
    let mut by_version: BTreeMap<String, Vec<LedgerEntry>> = BTreeMap::new();
    for e in by_sha.into_values() {
        by_version.entry(e.version.clone()).or_default().push(e);
    }
    let reviews = store.open_high_findings_by_model(platform)?;
    let reviewed = store.reviewed_models(platform)?;
    let mut rows = Vec::with_capacity(models.len());
    let mut days = Vec::new();
    for m in &models {
        let vs = versions_by_model.get(&m.name).cloned().unwrap_or_default();
        let latest = vs.iter().max_by_key(|v| v.number()).cloned();
        let required: Vec<Role> = policy.required_roles(m.risk_tier.as_deref());
        let mut status = "not reviewed".to_string();
        let mut last: Option<&LedgerEntry> = None;
        if let Some(v) = &latest {
            let key = format!("models:/{}/{}", v.name, v.version);
            let entries = by_version.get(&key).map(Vec::as_slice).unwrap_or(&[]);
            status = crate::inventory::version_status(
                &required,
                entries,
                reviews.contains_key(&m.name) || reviewed.contains(&m.name),
            )
            .to_string();
            if status == "approved" {
                if let Some(t) = entries
                    .iter()
                    .filter(|e| e.counted != Some(false))
                    .filter_map(|e| chrono::DateTime::parse_from_rfc3339(&e.signed_at).ok())
                    .map(|t| t.timestamp_millis())
                    .max()
                {
                    days.push((t - v.created_ms) as f64 / 86_400_000.0);
                }
            }
        }
        for v in &vs {
            for e in by_version
                .get(&format!("models:/{}/{}", v.name, v.version))
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                if last.is_none_or(|l| e.signed_at > l.signed_at) {
                    last = Some(e);
                }
            }
        }
        let in_production = m
            .aliases
            .keys()
            .any(|a| a == "champion" || a == "production");
        rows.push(PortfolioRow {
            name: m.name.clone(),
            kind: m.kind,
            tier: m.risk_tier.clone(),
            owner: m.owner.clone(),
            status,
            latest_version: latest.map(|v| v.version),
            last_approval: last.map(|e| {
                format!(
                    "{} {} by {} on {} ({})",
                    e.role,
                    e.decision,
                    e.signer,
                    &e.signed_at[..10.min(e.signed_at.len())],
                    e.version
                )
            }),
            verification: last.map(|e| match e.counted {
                Some(true) => "counts".to_string(),
                Some(false) => "does not count".to_string(),
                None => "signed here, not yet verified".to_string(),
            }),
            next_review: m.next_review_date.clone(),
            overdue: m.is_overdue(today),
            monitoring: m.monitoring.clone(),
            provider: m.llm_provider.clone(),
            in_production,
            open_high_findings: reviews.get(&m.name).copied().unwrap_or(0),
        });
    }
    days.sort_by(|a, b| a.total_cmp(b));
    let prod: Vec<&PortfolioRow> = rows.iter().filter(|r| r.in_production).collect();
    let share = |f: &dyn Fn(&PortfolioRow) -> bool| {
        if prod.is_empty() {
            0.0
        } else {
            prod.iter().filter(|r| f(r)).count() as f64 / prod.len() as f64
        }
    };
    let mut figures = PortfolioFigures {
        models: rows.len() as u64,
        by_tier: BTreeMap::new(),
        by_status: BTreeMap::new(),
        by_kind: BTreeMap::new(),
        overdue: rows.iter().filter(|r| r.overdue).count() as u64,
        in_production: prod.len() as u64,
        production_with_owner: share(&|r| r.owner.is_some()),
        production_with_monitoring: share(&|r| {
            r.monitoring
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("enabled"))
        }),
        median_days_to_approval: percentile(&days, 0.5),
        p90_days_to_approval: percentile(&days, 0.9),
        prompts_per_provider: BTreeMap::new(),
        models_with_open_high_findings: rows.iter().filter(|r| r.open_high_findings > 0).count()
            as u64,
    };
    for r in &rows {
        *figures
            .by_tier
            .entry(r.tier.clone().unwrap_or_else(|| "none".into()))
            .or_default() += 1;
        *figures.by_status.entry(r.status.clone()).or_default() += 1;
        *figures.by_kind.entry(r.kind.as_str().into()).or_default() += 1;
        if r.kind == ModelKind::Prompt {
            *figures
                .prompts_per_provider
                .entry(r.provider.clone().unwrap_or_else(|| "unknown".into()))
                .or_default() += 1;
        }
    }
    Ok(PortfolioReport {
        platform: platform.to_string(),
        today: today.to_string(),
        figures,
        rows,
    })
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl PortfolioReport {
    /// The rows as CSV (with a header line).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("name,kind,tier,owner,status,latest_version,last_approval,verification,next_review,overdue,monitoring,provider,in_production,open_high_findings\n");
        for r in &self.rows {
            let o = |v: &Option<String>| csv_cell(v.as_deref().unwrap_or(""));
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                csv_cell(&r.name),
                r.kind.as_str(),
                o(&r.tier),
                o(&r.owner),
                csv_cell(&r.status),
                o(&r.latest_version),
                o(&r.last_approval),
                o(&r.verification),
                o(&r.next_review),
                r.overdue,
                o(&r.monitoring),
                o(&r.provider),
                r.in_production,
                r.open_high_findings
            ));
        }
        out
    }
}

/// Writes the report to `path` in the format its extension names (.pdf, .json, .csv), creating
/// the folder; never over an existing file.
pub fn write(report: &PortfolioReport, path: &std::path::Path, author: &str) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = match ext.as_str() {
        "pdf" => {
            crate::export::pdf::portfolio::render(report, author, chrono::Utc::now().timestamp())
        }
        "json" => serde_json::to_vec_pretty(report).unwrap_or_default(),
        "csv" => report.to_csv().into_bytes(),
        other => {
            return Err(crate::Error::InvalidInput {
                what: "report file",
                input: path.display().to_string(),
                reason: format!("unknown format '{other}'; name the file .pdf, .json or .csv"),
            })
        }
    };
    if path.exists() {
        return Err(crate::Error::InvalidInput {
            what: "report file",
            input: path.display().to_string(),
            reason: "it already exists; choose a new file (a report is never written over)".into(),
        });
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| crate::Error::io(path, e))
}
