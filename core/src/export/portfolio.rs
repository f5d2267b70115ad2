//! The portfolio report for managers: every model with its tier, owner, status, last approval
//! and next review, and the figures the portfolio is steered by — all computed from the local
//! store (inventory, ledger, reviews), so it needs no network.

use crate::model::{Model, ModelKind};
use crate::policy::{LoadedPolicy, Role};
use crate::store::{LedgerEntry, Store};
use crate::Result;
use std::collections::BTreeMap;

pub use super::figures::{
    PastDueAssignment, PortfolioFigures, PortfolioFinding, PortfolioReport, PortfolioRow,
};

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
    let verdicts = crate::queue::ledger_verdicts(
        policy,
        &models,
        by_version.values().flatten().cloned().collect(),
    );
    let reviews = store.open_high_findings_by_model(platform, today)?;
    let reviewed = store.reviewed_models(platform)?;
    let mut rows = Vec::with_capacity(models.len());
    let mut days = Vec::new();
    for m in &models {
        let vs = versions_by_model.get(&m.name).cloned().unwrap_or_default();
        let latest = vs.iter().max_by_key(|v| v.number()).cloned();
        let required: Vec<Role> = policy.required_roles(m.risk_tier.as_deref());
        let mut status = crate::inventory::ModelStatus::NotReviewed;
        let mut last: Option<&LedgerEntry> = None;
        if let Some(v) = &latest {
            let key = format!("models:/{}/{}", v.name, v.version);
            let entries = by_version.get(&key).map(Vec::as_slice).unwrap_or(&[]);
            status = crate::inventory::version_status(
                &required,
                entries,
                reviews.contains_key(&m.name) || reviewed.contains(&m.name),
            );
            if status == crate::inventory::ModelStatus::Approved {
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
        let in_production = !crate::queue::production_versions(policy, m).is_empty();
        let (next, _) = crate::queue::next_review(policy, m, &verdicts);
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
            overdue: next
                .date
                .as_deref()
                .is_some_and(|d| d.len() == 10 && d < today),
            next_review: next.date,
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
        open_findings: 0,
        findings_past_due: 0,
        assignments_past_due: 0,
    };
    // Open findings with days open, and assignments past their due date.
    let day = crate::queue::date_of(today).unwrap_or_else(|| chrono::Utc::now().date_naive());
    let mut findings: Vec<PortfolioFinding> = store
        .open_findings_by_version(platform, today)?
        .into_iter()
        .flat_map(|(version, o)| {
            o.findings
                .into_iter()
                .map(move |f| PortfolioFinding {
                    version: version.clone(),
                    finding: crate::queue::OpenFinding::of(&f, day),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    findings.sort_by(|a, b| {
        (b.finding.days_open, &a.version, &a.finding.id).cmp(&(
            a.finding.days_open,
            &b.version,
            &b.finding.id,
        ))
    });
    let mut past_due = Vec::new();
    for m in &models {
        for v in versions_by_model
            .get(&m.name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            for a in crate::queue::open_assignments(policy, m, v, &verdicts) {
                let late = a
                    .due
                    .as_deref()
                    .and_then(crate::queue::date_of)
                    .map(|d| (day - d).num_days())
                    .filter(|n| *n > 0);
                if let Some(days_late) = late {
                    past_due.push(PastDueAssignment {
                        version: format!("models:/{}/{}", v.name, v.version),
                        assignment: a,
                        days_late,
                    });
                }
            }
        }
    }
    past_due.sort_by(|a, b| (b.days_late, &a.version).cmp(&(a.days_late, &b.version)));
    figures.open_findings = findings.len() as u64;
    figures.findings_past_due = findings.iter().filter(|f| f.finding.past_due).count() as u64;
    figures.assignments_past_due = past_due.len() as u64;
    for r in &rows {
        *figures
            .by_tier
            .entry(r.tier.clone().unwrap_or_else(|| "none".into()))
            .or_default() += 1;
        *figures.by_status.entry(r.status.to_string()).or_default() += 1;
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
        findings,
        assignments_past_due: past_due,
        queue: None,
    })
}

/// One CSV cell: quoted where it holds a separator, a quote or a line break; and a cell a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first —
/// platform text such as a model name can hold anything) is prefixed with `'`, so it opens as
/// text.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl PortfolioReport {
    /// The rows as CSV (with a header line).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("name,kind,tier,owner,status,latest_version,last_approval,verification,next_review,overdue,monitoring,provider,in_production,open_high_findings,oldest_open_finding_days,assignments_past_due\n");
        let model_of = |version: &str| {
            version
                .strip_prefix("models:/")
                .and_then(|r| r.rsplit_once('/'))
                .map(|(name, _)| name.to_string())
        };
        for r in &self.rows {
            let o = |v: &Option<String>| csv_cell(v.as_deref().unwrap_or(""));
            let oldest = self
                .findings
                .iter()
                .filter(|f| model_of(&f.version).as_deref() == Some(r.name.as_str()))
                .map(|f| f.finding.days_open)
                .max()
                .map(|d| d.to_string())
                .unwrap_or_default();
            let late = self
                .assignments_past_due
                .iter()
                .filter(|a| model_of(&a.version).as_deref() == Some(r.name.as_str()))
                .count();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                csv_cell(&r.name),
                r.kind.as_str(),
                o(&r.tier),
                o(&r.owner),
                csv_cell(r.status.as_str()),
                o(&r.latest_version),
                o(&r.last_approval),
                o(&r.verification),
                o(&r.next_review),
                r.overdue,
                o(&r.monitoring),
                o(&r.provider),
                r.in_production,
                r.open_high_findings,
                oldest,
                late
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
            crate::export::pdf::portfolio::render(report, author, chrono::Utc::now().timestamp())?
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
    // Never over an existing file, even one made since the check above.
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| crate::Error::io(path, e))?;
    f.write_all(&bytes).map_err(|e| crate::Error::io(path, e))
}

#[cfg(test)]
mod csv_tests {
    use super::csv_cell;

    #[test]
    fn a_cell_never_runs_as_a_spreadsheet_formula_and_stays_one_cell() {
        assert_eq!(csv_cell("churn-propensity"), "churn-propensity");
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("a\rb"), "\"a\rb\"");
    }
}
