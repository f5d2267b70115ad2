//! The portfolio report's PDF.

use super::charts::bar_chart;
use super::layout::{self, Orientation, Weight, Writer, BLACK, GREY, RED};
use crate::export::figures::{PortfolioFinding, PortfolioReport, PortfolioRow};
use crate::export::words;

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Days from `from` to `to` (both YYYY-MM-DD), when both are dates.
fn days_between(from: &str, to: &str) -> Option<i64> {
    let (a, b) = (
        crate::inventory::parse_day(from)?,
        crate::inventory::parse_day(to)?,
    );
    Some((b - a).num_days())
}

/// Renders the report: landscape A4, a summary page of figures and charts, then overdue
/// reviews by lateness, open high findings by age, assignments past due, every open finding
/// and the full inventory.
pub fn render(r: &PortfolioReport, author: &str, created_unix: i64) -> crate::Result<Vec<u8>> {
    let w = layout::compose("Model portfolio report", Orientation::Landscape, |w| {
        draw(w, r, author, created_unix)
    });
    let finished = w.finish(&format!("Portfolio report · {} · {}", r.platform, r.today));
    finished.save(&[]).map_err(|e| crate::Error::InvalidFile {
        path: "portfolio.pdf".into(),
        message: e,
    })
}

fn draw(w: &mut Writer, r: &PortfolioReport, author: &str, created_unix: i64) {
    w.metadata(
        author,
        &format!("Model inventory of {}", r.platform),
        vec!["model risk".into(), "inventory".into()],
        created_unix,
    );
    w.text_at(
        layout::LEFT,
        w.y - 10.0,
        "Model portfolio report",
        Weight::Bold,
        20.0,
        BLACK,
    );
    w.space(26.0);
    w.paragraph(
        &format!("{} — as of {} — prepared by {author}", r.platform, r.today),
        Weight::Regular,
        10.0,
        GREY,
    );
    w.heading("Summary", false);
    let f = &r.figures;
    let days = |d: Option<f64>| {
        d.map(|x| format!("{x:.1} days"))
            .unwrap_or_else(|| "no counted approval yet".into())
    };
    let red_if = |n: u64| if n > 0 { RED } else { BLACK };
    w.kv("Models", &f.models.to_string(), BLACK);
    w.kv("Overdue reviews", &f.overdue.to_string(), red_if(f.overdue));
    w.kv(
        "Open high findings",
        &format!("{} models", f.models_with_open_high_findings),
        red_if(f.models_with_open_high_findings),
    );
    w.kv(
        "Open findings",
        &format!("{} ({} past due)", f.open_findings, f.findings_past_due),
        red_if(f.findings_past_due),
    );
    w.kv(
        "Assignments past due",
        &f.assignments_past_due.to_string(),
        red_if(f.assignments_past_due),
    );
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
        "In production",
        &format!(
            "{} models: {} with a named owner, {} with monitoring",
            f.in_production,
            pct(f.production_with_owner),
            pct(f.production_with_monitoring)
        ),
        BLACK,
    );
    bar_chart(
        w,
        "Models by tier",
        "models",
        &f.by_tier
            .iter()
            .map(|(k, v)| (format!("tier {k}"), *v as f64))
            .collect::<Vec<_>>(),
        None,
    );
    bar_chart(
        w,
        "Models by status",
        "models",
        &f.by_status
            .iter()
            .map(|(k, v)| (k.clone(), *v as f64))
            .collect::<Vec<_>>(),
        None,
    );
    if !f.prompts_per_provider.is_empty() {
        bar_chart(
            w,
            "LLM provider concentration",
            "prompts",
            &f.prompts_per_provider
                .iter()
                .map(|(k, v)| (k.clone(), *v as f64))
                .collect::<Vec<_>>(),
            None,
        );
    }
    w.contents_page();
    w.heading("Overdue reviews", true);
    let mut overdue: Vec<(&PortfolioRow, i64)> = r
        .rows
        .iter()
        .filter(|m| m.overdue)
        .map(|m| {
            let late = m
                .next_review
                .as_deref()
                .and_then(|d| days_between(d, &r.today))
                .unwrap_or(0);
            (m, late)
        })
        .collect();
    overdue.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.name.cmp(&b.0.name)));
    if overdue.is_empty() {
        w.paragraph("No review is overdue.", Weight::Regular, 9.5, GREY);
    } else {
        let rows: Vec<Vec<String>> = overdue
            .iter()
            .map(|(m, late)| {
                vec![
                    m.name.clone(),
                    o(&m.tier),
                    o(&m.owner),
                    o(&m.next_review),
                    format!("{late} days"),
                    o(&m.last_approval),
                ]
            })
            .collect();
        w.table_alerting(
            &["Model", "Tier", "Owner", "Due", "Late by", "Last approval"],
            &rows,
            &|_, c| c == 4,
        );
    }
    w.heading("Review queue", false);
    let queue = r.queue.as_deref().unwrap_or_default();
    if r.queue.is_none() {
        w.paragraph(
            "The review queue could not be built for this report; `countersign queue` shows it.",
            Weight::Regular,
            9.5,
            RED,
        );
    } else if queue.is_empty() {
        w.paragraph("Nothing is waiting for review.", Weight::Regular, 9.5, GREY);
    } else {
        let rows: Vec<Vec<String>> = queue
            .iter()
            .map(|q| {
                vec![
                    q.version_ref.trim_start_matches("models:/").to_string(),
                    o(&q.tier),
                    words::role(q.needs).to_string(),
                    q.reasons
                        .iter()
                        .map(|x| x.detail.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                    o(&q.due),
                    if q.days_overdue > 0 {
                        format!("{} days late", q.days_overdue)
                    } else {
                        "—".into()
                    },
                ]
            })
            .collect();
        let late: Vec<bool> = queue.iter().map(|q| q.days_overdue > 0).collect();
        w.table_alerting(
            &["Version", "Tier", "Needs", "Why", "Due", "Late"],
            &rows,
            &|row, c| c == 5 && late.get(row).copied().unwrap_or(false),
        );
    }
    w.heading("Open high findings", false);
    let high: Vec<&PortfolioFinding> = r
        .findings
        .iter()
        .filter(|x| x.finding.severity == crate::review::Severity::High)
        .collect();
    if high.is_empty() {
        w.paragraph("No high finding is open.", Weight::Regular, 9.5, GREY);
    } else {
        findings_table(w, &high);
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
                    x.version.trim_start_matches("models:/").to_string(),
                    words::role(a.role).to_string(),
                    a.to.clone(),
                    a.by.clone(),
                    a.due.clone().unwrap_or_default(),
                    format!("{} days", x.days_late),
                ]
            })
            .collect();
        w.table_alerting(
            &["Version", "Role", "Assigned to", "By", "Due", "Late by"],
            &rows,
            &|_, c| c == 5,
        );
    }
    w.heading("Open findings", true);
    if r.findings.is_empty() {
        w.paragraph("No finding is open.", Weight::Regular, 9.5, GREY);
    } else {
        findings_table(w, &r.findings.iter().collect::<Vec<_>>());
    }
    w.heading("Inventory", true);
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|m| {
            let review = match (&m.next_review, m.overdue) {
                (Some(d), true) => format!("{d} overdue"),
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
                m.name.clone(),
                kind,
                o(&m.tier),
                o(&m.owner),
                m.status.to_string(),
                last,
                review,
                o(&m.monitoring),
            ]
        })
        .collect();
    let overdue_rows: Vec<bool> = r.rows.iter().map(|m| m.overdue).collect();
    w.table_alerting(
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
        &rows,
        &|row, c| c == 6 && overdue_rows.get(row).copied().unwrap_or(false),
    );
}

fn o(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

fn findings_table(w: &mut Writer, findings: &[&PortfolioFinding]) {
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|x| {
            let f = &x.finding;
            vec![
                x.version.trim_start_matches("models:/").to_string(),
                f.id.clone(),
                words::severity(f.severity).to_string(),
                f.title.clone(),
                f.owner.clone(),
                if f.past_due {
                    format!("{} past due", f.due)
                } else {
                    f.due.clone()
                },
                format!("{} days", f.days_open),
            ]
        })
        .collect();
    let past_due: Vec<bool> = findings.iter().map(|x| x.finding.past_due).collect();
    w.table_alerting(
        &[
            "Version", "Finding", "Severity", "Title", "Owner", "Due", "Open for",
        ],
        &rows,
        &|row, c| c == 5 && past_due.get(row).copied().unwrap_or(false),
    );
}
