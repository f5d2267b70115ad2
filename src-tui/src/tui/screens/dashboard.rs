//! The manager dashboard: the portfolio figures with bar charts.

use crate::tui::theme;
use crate::tui::theme::field;
use countersign_core::export::portfolio::PortfolioReport;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph};
use ratatui::Frame;

/// The dashboard: the portfolio figures.
#[derive(Debug)]
pub struct Dashboard {
    /// The report.
    pub report: PortfolioReport,
}

impl Dashboard {
    /// Builds the figures from the store (the same call the desktop's dashboard makes).
    pub fn open(
        ws: &countersign_core::workspace::Workspace,
        today: &str,
    ) -> countersign_core::Result<Self> {
        Ok(Self {
            report: ws.portfolio_on(today)?,
        })
    }
}

/// Draws the dashboard.
pub fn draw(f: &mut Frame, d: &Dashboard, area: Rect) {
    let fig = &d.report.figures;
    let [text, charts] = Layout::vertical([Constraint::Length(9), Constraint::Min(6)]).areas(area);
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let days = |x: Option<f64>| {
        x.map(|d| format!("{d:.1} days"))
            .unwrap_or_else(|| "—".into())
    };
    let lines = vec![
        Line::from("Portfolio dashboard — Esc back".bold()),
        field("models", fig.models.to_string()),
        Line::from(vec![
            Span::styled(
                format!("{:<13}", "overdue"),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                fig.overdue.to_string(),
                Style::new().fg(if fig.overdue > 0 {
                    theme::c(Color::Red)
                } else {
                    Color::Reset
                }),
            ),
        ]),
        field(
            "production",
            format!(
                "{} (owner {}, monitoring {})",
                fig.in_production,
                pct(fig.production_with_owner),
                pct(fig.production_with_monitoring)
            ),
        ),
        field(
            "to approval",
            format!(
                "median {}, p90 {}",
                days(fig.median_days_to_approval),
                days(fig.p90_days_to_approval)
            ),
        ),
        field(
            "findings",
            format!(
                "{} models with open high findings; {} open, {} past due",
                fig.models_with_open_high_findings, fig.open_findings, fig.findings_past_due
            ),
        ),
        field(
            "assignments",
            format!("{} past due", fig.assignments_past_due),
        ),
        field(
            "providers",
            fig.prompts_per_provider
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL)),
        text,
    );
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(charts);
    let bars = |m: &std::collections::BTreeMap<String, u64>, prefix: &str| -> Vec<Bar<'static>> {
        m.iter()
            .map(|(k, v)| {
                Bar::default()
                    .value(*v)
                    .label(Line::from(format!("{prefix}{k}")))
            })
            .collect()
    };
    f.render_widget(
        BarChart::default()
            .block(Block::default().borders(Borders::ALL).title(" by tier "))
            .data(BarGroup::default().bars(&bars(&fig.by_tier, "tier ")))
            .bar_width(7)
            .bar_gap(2),
        left,
    );
    f.render_widget(
        BarChart::default()
            .block(Block::default().borders(Borders::ALL).title(" by status "))
            .data(BarGroup::default().bars(&bars(&fig.by_status, "")))
            .bar_width(12)
            .bar_gap(2),
        right,
    );
}
