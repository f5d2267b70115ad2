//! The portfolio report's PDF.

use super::charts::bar_chart;
use super::layout::{self, Weight, Writer, BLACK, GREY, RED};
use crate::export::figures::PortfolioReport;

/// Platform text as a table cell: every control character made visible, so that none can
/// pass for the table's own red marker ([`layout::ALERT`]) or break a line.
fn esc(s: &str) -> String {
    crate::display::escape(s).into_owned()
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Renders the report.
pub fn render(r: &PortfolioReport, author: &str, created_unix: i64) -> Vec<u8> {
    let mut w = Writer::new("Model portfolio report");
    w.metadata(
        author,
        &format!("Model inventory of {}", r.platform),
        vec!["model risk".into(), "inventory".into()],
        created_unix,
    );
    w.space(30.0);
    w.text_at(
        layout::LEFT,
        w.y,
        "Model portfolio report",
        Weight::Bold,
        20.0,
        BLACK,
    );
    w.space(16.0);
    w.paragraph(
        &format!("{} — as of {}", r.platform, r.today),
        Weight::Regular,
        10.0,
        GREY,
    );
    w.heading("Figures", false);
    let f = &r.figures;
    w.kv("Models", &f.models.to_string(), BLACK);
    w.kv(
        "Overdue reviews",
        &f.overdue.to_string(),
        if f.overdue > 0 { RED } else { BLACK },
    );
    w.kv("In production", &f.in_production.to_string(), BLACK);
    w.kv("…with a named owner", &pct(f.production_with_owner), BLACK);
    w.kv(
        "…with monitoring",
        &pct(f.production_with_monitoring),
        BLACK,
    );
    let days = |d: Option<f64>| {
        d.map(|x| format!("{x:.1} days"))
            .unwrap_or_else(|| "no counted approval yet".into())
    };
    w.kv(
        "Candidate to approval",
        &format!(
            "median {}, p90 {}",
            days(f.median_days_to_approval),
            days(f.p90_days_to_approval)
        ),
        BLACK,
    );
    w.kv(
        "Open high findings",
        &format!("{} models", f.models_with_open_high_findings),
        if f.models_with_open_high_findings > 0 {
            RED
        } else {
            BLACK
        },
    );
    w.kv(
        "Open findings",
        &format!("{} ({} past due)", f.open_findings, f.findings_past_due),
        if f.findings_past_due > 0 { RED } else { BLACK },
    );
    w.kv(
        "Assignments past due",
        &f.assignments_past_due.to_string(),
        if f.assignments_past_due > 0 {
            RED
        } else {
            BLACK
        },
    );
    bar_chart(
        &mut w,
        "Models by tier",
        &f.by_tier
            .iter()
            .map(|(k, v)| (format!("tier {k}"), *v as f64))
            .collect::<Vec<_>>(),
    );
    bar_chart(
        &mut w,
        "Models by status",
        &f.by_status
            .iter()
            .map(|(k, v)| (k.clone(), *v as f64))
            .collect::<Vec<_>>(),
    );
    bar_chart(
        &mut w,
        "LLM prompts per provider",
        &f.prompts_per_provider
            .iter()
            .map(|(k, v)| (k.clone(), *v as f64))
            .collect::<Vec<_>>(),
    );
    w.heading("Inventory", true);
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|m| {
            let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            let owner = m.owner.as_deref().map(|o| match o.find('<') {
                Some(i) if i > 0 => o[..i].trim().to_string(),
                _ => o.to_string(),
            });
            let review = match (&m.next_review, m.overdue) {
                (Some(d), true) => format!("{}{d} overdue", layout::ALERT),
                (Some(d), false) => d.clone(),
                (None, _) => "—".into(),
            };
            let kind = match &m.provider {
                Some(p) => format!("{} · {p}", m.kind.as_str()),
                None => m.kind.as_str().to_string(),
            };
            let last = match (&m.last_approval, &m.verification) {
                (Some(a), Some(v)) => format!("{a} — {v}"),
                (Some(a), None) => a.clone(),
                _ => "—".into(),
            };
            vec![
                esc(&m.name),
                esc(&kind),
                esc(&o(&m.tier)),
                esc(&o(&owner)),
                m.status.to_string(),
                esc(&last),
                review,
                esc(&o(&m.monitoring)),
            ]
        })
        .collect();
    w.table(
        &[
            "Model",
            "Kind",
            "Tier",
            "Owner",
            "Status",
            "Last approval",
            "Next review",
            "Monitoring",
        ],
        &[0.21, 0.12, 0.05, 0.12, 0.1, 0.22, 0.1, 0.08],
        &rows,
    );
    w.heading("Open findings", true);
    if r.findings.is_empty() {
        w.paragraph("No finding is open.", Weight::Regular, 9.5, GREY);
    } else {
        let rows: Vec<Vec<String>> = r
            .findings
            .iter()
            .map(|x| {
                let f = &x.finding;
                vec![
                    esc(x.version.trim_start_matches("models:/")),
                    f.id.clone(),
                    f.severity.as_str().to_string(),
                    f.title.clone(),
                    f.owner.clone(),
                    if f.past_due {
                        format!("{}{} past due", layout::ALERT, f.due)
                    } else {
                        f.due.clone()
                    },
                    format!("{} days", f.days_open),
                ]
            })
            .collect();
        w.table(
            &[
                "Version", "Finding", "Severity", "Title", "Owner", "Due", "Open for",
            ],
            &[0.19, 0.08, 0.09, 0.26, 0.17, 0.11, 0.1],
            &rows,
        );
    }
    w.heading("Assignments past due", false);
    if r.assignments_past_due.is_empty() {
        w.paragraph(
            "No assignment is past its due date.",
            Weight::Regular,
            9.5,
            GREY,
        );
    } else {
        let rows: Vec<Vec<String>> = r
            .assignments_past_due
            .iter()
            .map(|x| {
                let a = &x.assignment;
                vec![
                    esc(x.version.trim_start_matches("models:/")),
                    a.role.as_str().to_string(),
                    esc(&a.to),
                    esc(&a.by),
                    esc(a.due.as_deref().unwrap_or_default()),
                    format!("{} days", x.days_late),
                ]
            })
            .collect();
        w.table(
            &["Version", "Role", "Assigned to", "By", "Due", "Late"],
            &[0.24, 0.1, 0.22, 0.22, 0.12, 0.1],
            &rows,
        );
    }
    let (doc, pages) = w.finish(&format!("Portfolio report · {} · {}", r.platform, r.today));
    layout::save(doc, pages)
}
