//! Rendering: a pure function of the [`App`] state.

use super::app::{App, Pane, Screen};
use super::screens;
use super::theme;
use super::theme::field;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

fn owner_name(owner: &str) -> &str {
    match owner.find('<') {
        Some(i) if i > 0 => owner[..i].trim(),
        _ => owner,
    }
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &mut App) {
    draw_screen(f, app);
    if app.identity_prompt.is_some() {
        draw_identity_prompt(f, app);
    }
    neutralize_controls(f.buffer_mut());
}

/// "Who are you?": asked before the first thing that records the identity.
fn draw_identity_prompt(f: &mut Frame, app: &App) {
    let Some(p) = &app.identity_prompt else {
        return;
    };
    let area = f.area();
    let w = 76.min(area.width);
    let h = 10.min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let mut lines = vec![
        Line::from(" Answers, findings and reviews record who made them."),
        Line::from(" Type your identity as the roster (allowed_signers) names you,"),
        Line::from(" e.g. vera.validator@bank.example:"),
        Line::from(vec![
            Span::raw(" > "),
            Span::styled(
                format!("{}▏", p.text),
                Style::new().add_modifier(Modifier::BOLD),
            ),
        ]),
        Line::from(""),
    ];
    match &p.error {
        Some(e) => lines.push(Line::from(Span::styled(
            format!(" {e}"),
            Style::new().fg(theme::c(Color::Red)),
        ))),
        None => lines.push(Line::from(
            " Enter saves it in your config file and goes on; Esc records nothing.".italic(),
        )),
    }
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Who are you? "),
        ),
        rect,
    );
}

/// The one place every frame passes before it reaches the terminal: a cell whose symbol holds
/// a control character (C0, C1, ESC) or a bidirectional override — which ratatui passes through,
/// appended to the cell before it — shows U+FFFD instead, so platform text can never move the
/// cursor, fake a line, write the clipboard or reorder what is shown.
pub fn neutralize_controls(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        if cell
            .symbol()
            .chars()
            .any(countersign_core::display::is_unsafe_char)
        {
            cell.set_symbol("\u{FFFD}");
        }
    }
}

fn draw_screen(f: &mut Frame, app: &mut App) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(f.area());
    draw_header(f, app, header);
    let drawn = match &app.screen {
        Screen::Review(r) => {
            screens::review::draw(f, r, body);
            true
        }
        Screen::Sign(s) => {
            screens::sign::draw(f, s, body);
            true
        }
        Screen::Dashboard(d) => {
            screens::dashboard::draw(f, d, body);
            true
        }
        Screen::Lineage(l) => {
            screens::lineage::draw(f, l, body);
            true
        }
        Screen::Queue(q) => {
            screens::queue::draw(f, q, body);
            true
        }
        Screen::Inventory => false,
    };
    if drawn {
        draw_footer(f, app, footer);
        draw_overlays(f, app);
        return;
    }
    let wide = body.width >= 110;
    let [left, right] = if wide {
        Layout::horizontal([Constraint::Percentage(68), Constraint::Percentage(32)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
    };
    draw_table(f, app, left, wide);
    draw_detail(f, app, right);
    draw_footer(f, app, footer);
    draw_overlays(f, app);
}

/// Help (`?`) and the command palette (`:`), over any screen.
fn draw_overlays(f: &mut Frame, app: &mut App) {
    if app.show_help {
        draw_help(f, app);
    }
    if app.palette.is_some() {
        draw_palette(f, app);
    }
}

fn draw_header(f: &mut Frame, app: &App, area: Rect) {
    let overdue = app.view.models.iter().filter(|m| m.overdue).count();
    let line = Line::from(vec![
        Span::styled(
            " Countersign ",
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ),
        Span::raw(format!(" {} models", app.view.models.len())),
        Span::raw(format!("  {} shown", app.rows.len())),
        Span::styled(
            format!("  {overdue} overdue"),
            Style::new().fg(theme::c(Color::Red)),
        ),
        if app.ws.identity_configured() {
            Span::raw(format!("  as {}", app.ws.info().identity))
        } else {
            Span::styled(
                "  identity not set",
                Style::new().fg(theme::c(Color::Yellow)),
            )
        },
    ]);
    f.render_widget(Paragraph::new(line), area);
}

fn draw_table(f: &mut Frame, app: &mut App, area: Rect, wide: bool) {
    let mut title = if app.searching || !app.search.is_empty() {
        format!(
            " Inventory — search: {}{} ",
            app.search,
            if app.searching { "▏" } else { "" }
        )
    } else {
        " Inventory ".to_string()
    };
    let filters = app.filter_label();
    if !filters.is_empty() {
        title.push_str(&format!("[{filters}] "));
    }
    let focused = app.focus == Pane::Table;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(if focused {
            Style::new().fg(theme::c(Color::Cyan))
        } else {
            Style::new()
        });
    let inner_height = area.height.saturating_sub(3) as usize;
    app.page = inner_height.max(1);
    app.table_top = area.y + 2;
    if app.selected < app.offset {
        app.offset = app.selected;
    } else if app.selected >= app.offset + app.page {
        app.offset = app.selected + 1 - app.page;
    }
    let header_cells: Vec<&str> = if wide {
        vec![
            "Name",
            "Kind",
            "Tier",
            "Owner",
            "Status",
            "Latest",
            "Next review",
        ]
    } else {
        vec!["Name", "Kind", "Tier", "Status", "Latest", "Next review"]
    };
    // Only the visible rows are built: the inventory may hold tens of thousands of models.
    let first = app.offset;
    let last = (app.offset + app.page).min(app.rows.len());
    let rows: Vec<Row> = app.rows[first..last]
        .iter()
        .map(|&i| {
            let m = &app.view.models[i];
            let review = m.next_review.date.clone().unwrap_or_else(|| "—".into());
            let review = if m.overdue {
                Cell::from(format!("{review} !")).style(
                    Style::new()
                        .fg(theme::c(Color::Red))
                        .add_modifier(Modifier::BOLD),
                )
            } else {
                Cell::from(review)
            };
            let mut cells = vec![
                Cell::from(m.model.name.clone()),
                Cell::from(m.model.kind.as_str()),
                Cell::from(m.model.risk_tier.clone().unwrap_or_else(|| "—".into())),
            ];
            if wide {
                cells.push(Cell::from(
                    m.model
                        .owner
                        .as_deref()
                        .map(owner_name)
                        .unwrap_or("—")
                        .to_string(),
                ));
            }
            let st = app.statuses.get(&m.model.name);
            use countersign_core::inventory::ModelStatus as S;
            let (label, color) = match st.map(|s| s.status) {
                Some(S::Approved) => ("approved", Color::Green),
                Some(S::PendingApproval) => ("pending", Color::Yellow),
                Some(S::Rejected) => ("rejected", Color::Red),
                Some(S::InReview) => ("in review", Color::Cyan),
                Some(S::NotReviewed) | None => ("—", Color::Reset),
            };
            let mark = match st.and_then(|s| s.counts) {
                Some(false) => " ✗",
                _ => "",
            };
            cells
                .push(Cell::from(format!("{label}{mark}")).style(Style::new().fg(theme::c(color))));
            cells.push(Cell::from(
                m.latest_version
                    .clone()
                    .map(|v| format!("v{v}"))
                    .unwrap_or_else(|| "—".into()),
            ));
            cells.push(review);
            Row::new(cells)
        })
        .collect();
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(4),
            Constraint::Length(12),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(12),
        ]
    } else {
        vec![
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(4),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(12),
        ]
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header_cells).style(Style::new().add_modifier(Modifier::BOLD)))
        .block(block)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▶ ");
    let mut state = TableState::default();
    if !app.rows.is_empty() {
        state.select(Some(app.selected - first));
    }
    f.render_stateful_widget(table, area, &mut state);
}

fn draw_detail(f: &mut Frame, app: &App, area: Rect) {
    let focused = app.focus == Pane::Detail;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Detail ")
        .border_style(if focused {
            Style::new().fg(theme::c(Color::Cyan))
        } else {
            Style::new()
        });
    let Some(d) = &app.detail else {
        let msg = if app.view.models.is_empty() {
            "No models in the local store. Press s to sync."
        } else {
            "No model matches the search."
        };
        f.render_widget(Paragraph::new(msg).block(block), area);
        return;
    };
    let m = &d.model.model;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let mut lines = vec![
        Line::from(m.name.clone().bold()),
        field("kind", m.kind.as_str().to_string()),
        field("tier", opt(&m.risk_tier)),
        field("owner", opt(&m.owner)),
        field("purpose", opt(&m.business_purpose)),
        field(
            "next review",
            // As the inventory judged it: from the approvals and the tier's cadence, else the
            // owner's tag.
            match app
                .selected_model()
                .filter(|s| s.model.name == m.name)
                .map(|s| (s.next_review.describe(), s.overdue))
            {
                Some((Some(n), true)) => format!("{n} — overdue"),
                Some((Some(n), false)) => n,
                _ => opt(&m.next_review_date),
            },
        ),
        field("monitoring", opt(&m.monitoring)),
    ];
    if let Some(p) = &m.llm_provider {
        lines.push(field("provider", p.clone()));
    }
    if !m.description.is_empty() {
        lines.push(field("description", m.description.clone()));
    }
    let a = app.ws.policy.policy.rubric.assess(m, &Default::default());
    match (&a.tier, a.disagrees) {
        (Some(t), true) => lines.push(Line::from(Span::styled(
            format!(
                "rubric       tier {t} (score {}) — DISAGREES with the platform",
                a.score
            ),
            Style::new().fg(theme::c(Color::Red)),
        ))),
        (Some(t), false) => lines.push(field("rubric", format!("tier {t} (score {})", a.score))),
        (None, _) => lines.push(field(
            "rubric",
            format!("{} question(s) unanswered", a.unanswered.len()),
        )),
    }
    if let Some(st) = app.statuses.get(&m.name) {
        lines.push(field("status", st.status.to_string()));
        if let Some(a) = &st.last_approval {
            let verdict = match st.counts {
                Some(true) => "counts",
                Some(false) => "does NOT count",
                None => "signed here, not yet verified",
            };
            lines.push(field("last approval", format!("{a} — {verdict}")));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        "Versions".bold(),
        Span::styled("  ([ ] pick ▶)", Style::new().add_modifier(Modifier::DIM)),
    ]));
    let acting = app.selected_version().map(|v| v.version);
    for v in &d.model.versions {
        let aliases = if v.aliases.is_empty() {
            String::new()
        } else {
            format!(" @{}", v.aliases.join(" @"))
        };
        let here = acting.as_deref() == Some(v.version.as_str());
        // The registry stage (MLflow 2.x), where the version is in one.
        let stage = v
            .stage
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        let line = Line::from(format!(
            "{}v{}{}{}  {}  {}",
            if here { "▶ " } else { "  " },
            v.version,
            aliases,
            stage,
            v.status,
            v.creator.clone().unwrap_or_default()
        ));
        lines.push(if here { line.bold() } else { line });
    }
    if let Some(l) = &d.lineage {
        lines.push(Line::from(""));
        lines.push(Line::from(format!("Lineage of {}", l.version).bold()));
        if let Some(r) = &l.run {
            lines.push(Line::from(format!(
                "  run {} ({})",
                r.run_name, r.experiment
            )));
        }
        for ds in &l.datasets {
            lines.push(Line::from(format!(
                "  [{}] {} #{}",
                ds.context, ds.name, ds.digest
            )));
        }
        if let Some(c) = &l.code {
            let commit = c
                .git_commit
                .as_deref()
                .map(|s| &s[..s.len().min(12)])
                .unwrap_or("—");
            lines.push(Line::from(format!(
                "  code {commit} {}",
                c.source_name.clone().unwrap_or_default()
            )));
        }
        if !l.config.is_empty() {
            lines.push(Line::from(format!("  config {} params", l.config.len())));
        }
        for e in &l.evaluations {
            lines.push(Line::from(format!(
                "  evaluated by {} ({})",
                e.run_name,
                e.user.clone().unwrap_or_default()
            )));
            for ds in &e.datasets {
                lines.push(Line::from(format!(
                    "    on [{}] {} #{}",
                    ds.context, ds.name, ds.digest
                )));
            }
        }
    }
    if let Some(run) = d.evidence.as_ref().and_then(|e| e.run.as_ref()) {
        if !run.metrics.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from("Metrics (version ▶)".bold()));
            for (k, mm) in run.metrics.iter().take(12) {
                let v = mm
                    .value
                    .map(|x| format!("{x}"))
                    .unwrap_or_else(|| "NaN".into());
                lines.push(Line::from(format!(
                    "  {k:<18} {v}{}",
                    if mm.history.len() > 1 {
                        format!("  ({} steps)", mm.history.len())
                    } else {
                        String::new()
                    }
                )));
            }
        }
    }
    // A prompt's template and configuration, and what changed against the previous version
    // and production.
    if let Some(p) = &d.prompt {
        lines.push(Line::from(""));
        lines.push(Line::from("Prompt template".bold()));
        for l in p.facts.template.iter().take(8) {
            lines.push(Line::from(format!("  │ {l}")));
        }
        if p.facts.template.len() > 8 {
            lines.push(Line::from(format!(
                "  │ … {} more lines",
                p.facts.template.len() - 8
            )));
        }
        if !p.facts.model_config.is_empty() {
            let cfg: Vec<String> = p
                .facts
                .model_config
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            lines.push(Line::from(format!("  model: {}", cfg.join(" · "))));
        }
        for c in p.against_previous.iter().chain(&p.against_production) {
            lines.push(Line::from(format!("  against {}:", c.against)));
            if c.same_template && c.config_changes.is_empty() {
                lines.push(Line::from("    the same template and model configuration"));
                continue;
            }
            for ch in &c.config_changes {
                lines.push(Line::from(format!("    model {ch}")));
            }
            for l in c.diff.iter().filter(|l| l.op != " ").take(10) {
                let text = Line::from(format!("    {} {}", l.op, l.text));
                lines.push(if l.op == "+" {
                    text.green()
                } else {
                    text.red()
                });
            }
        }
    }
    // What scorers, judges and reviewers said on the traces of GenAI evaluations.
    let assessed = d
        .evidence
        .as_ref()
        .map(|e| e.assessment_rows())
        .unwrap_or_default();
    if !assessed.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("Assessments on evaluation traces".bold()));
        for [run, name, by, result, read] in assessed.iter().take(12) {
            lines.push(Line::from(format!("  {name}: {result}")));
            lines.push(Line::from(format!(
                "    {by} · {read} traces read of {run}"
            )));
        }
    }
    let inventory_tags = [
        "owner",
        "business_purpose",
        "risk_tier",
        "next_review_date",
        "monitoring",
        "llm_provider",
        "documentation_url",
    ];
    let other: Vec<String> = m
        .tags
        .iter()
        .filter(|(k, _)| {
            !inventory_tags.contains(&k.as_str())
                && !k.starts_with("rubric.")
                && !k.starts_with("mlflow.")
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !other.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(format!("tags: {}", other.join(", "))));
    }
    if let Some(ver) = &d.verification {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(
                "Verified {}: gate {}",
                ver.version,
                if ver.gate.pass { "PASS" } else { "FAIL" }
            ),
            Style::new()
                .fg(theme::c(if ver.gate.pass {
                    Color::Green
                } else {
                    Color::Red
                }))
                .add_modifier(Modifier::BOLD),
        )));
        for c in &ver.approvals {
            let who = c
                .record
                .as_ref()
                .map(|r| {
                    format!(
                        "{} {} by {}",
                        r.role.as_str(),
                        r.decision.as_str(),
                        r.signer
                    )
                })
                .unwrap_or_else(|| "unreadable record".into());
            lines.push(Line::from(format!(
                "  {} {who}",
                if c.counts { "counts" } else { "REFUSED" }
            )));
            for r in &c.reasons {
                lines.push(Line::from(Span::styled(
                    format!("    - {r}"),
                    Style::new().fg(theme::c(Color::Red)),
                )));
            }
        }
        for r in &ver.gate.reasons {
            lines.push(Line::from(Span::styled(
                format!("  gate: {r}"),
                Style::new().fg(theme::c(Color::Red)),
            )));
        }
    }
    if !d.approvals.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("Approvals (ledger)".bold()));
        for e in d.approvals.iter().take(6) {
            let verdict = match e.counted {
                Some(true) => Span::styled(" counts", Style::new().fg(theme::c(Color::Green))),
                Some(false) => {
                    Span::styled(" does not count", Style::new().fg(theme::c(Color::Red)))
                }
                None => Span::raw(" signed here"),
            };
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "  {} {} {} by {}",
                    e.version
                        .rsplit('/')
                        .next()
                        .map(|v| format!("v{v}"))
                        .unwrap_or_default(),
                    e.role,
                    e.decision,
                    e.signer
                )),
                verdict,
            ]));
        }
    }
    let history = d
        .evidence
        .as_ref()
        .and_then(|e| e.run.as_ref())
        .and_then(|r| {
            let key = if r
                .metrics
                .get("val_auc")
                .is_some_and(|m| m.history.len() > 1)
            {
                Some("val_auc".to_string())
            } else {
                r.metrics
                    .iter()
                    .find(|(_, m)| m.history.len() > 1)
                    .map(|(k, _)| k.clone())
            };
            key.map(|k| {
                (
                    k.clone(),
                    r.metrics[&k]
                        .history
                        .iter()
                        .filter_map(|p| p.value.map(|v| (p.step as f64, v)))
                        .collect::<Vec<(f64, f64)>>(),
                )
            })
        });
    let (text_area, chart_area) = match &history {
        Some(_) if area.height >= 24 => {
            let [a, b] = Layout::vertical([Constraint::Min(8), Constraint::Length(11)]).areas(area);
            (a, Some(b))
        }
        _ => (area, None),
    };
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0)),
        text_area,
    );
    if let (Some(chart_area), Some((name, points))) = (chart_area, history) {
        draw_metric_chart(f, chart_area, &name, &points);
    }
}

fn draw_metric_chart(f: &mut Frame, area: Rect, name: &str, points: &[(f64, f64)]) {
    use ratatui::symbols::Marker;
    use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
    let (min_x, max_x) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), (x, _)| {
        (a.min(*x), b.max(*x))
    });
    let (min_y, max_y) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), (_, y)| {
        (a.min(*y), b.max(*y))
    });
    let pad = ((max_y - min_y) * 0.1).max(1e-6);
    let ds = Dataset::default()
        .name(name.to_string())
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(Style::new().fg(theme::c(Color::Cyan)))
        .data(points);
    let chart = Chart::new(vec![ds])
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {name} by step ")),
        )
        .x_axis(
            Axis::default()
                .bounds([min_x, max_x.max(min_x + 1.0)])
                .labels(vec![
                    Span::raw(format!("{min_x:.0}")),
                    Span::raw(format!("{max_x:.0}")),
                ]),
        )
        .y_axis(
            Axis::default()
                .bounds([min_y - pad, max_y + pad])
                .labels(vec![
                    Span::raw(format!("{min_y:.3}")),
                    Span::raw(format!("{max_y:.3}")),
                ]),
        );
    f.render_widget(chart, area);
}

fn draw_footer(f: &mut Frame, app: &App, area: Rect) {
    let line = Line::from(vec![
        Span::styled(
            format!(" {} ", app.status),
            Style::new().fg(if app.status.starts_with("sync failed") {
                theme::c(Color::Red)
            } else {
                Color::Reset
            }),
        ),
        Span::styled(
            app.log_line
                .as_deref()
                .map(|l| format!("({l}) "))
                .unwrap_or_default(),
            Style::new().fg(theme::c(Color::Yellow)),
        ),
        Span::raw("│ "),
        Span::styled(
            super::commands::footer(app),
            Style::new().add_modifier(Modifier::DIM),
        ),
        Span::raw(format!("  │ {}", app.view.platform)),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

fn draw_help(f: &mut Frame, app: &mut App) {
    let area = f.area();
    let commands = super::commands::of_screen(app);
    let w = 84.min(area.width);
    let h = (commands.len() as u16 + 5).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let mut lines: Vec<Line> = commands
        .into_iter()
        .map(|c| {
            Line::from(vec![
                Span::styled(
                    format!(" {:<12}", c.keys),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(c.does),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(
        " Mouse: click a row, wheel scrolls. Keys: ~/.config/countersign/keys.toml".italic(),
    ));
    // Scrolling stops at the end: the last line stays in view.
    let inner = h.saturating_sub(2);
    let max = (lines.len() as u16).saturating_sub(inner);
    app.help_scroll = app.help_scroll.min(max);
    let title = if max > 0 {
        format!(
            " Help — j/k scroll ({}/{}), any other key closes ",
            app.help_scroll + inner.min(lines.len() as u16),
            lines.len()
        )
    } else {
        " Help — any key closes ".to_string()
    };
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .scroll((app.help_scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}

fn draw_palette(f: &mut Frame, app: &App) {
    let Some(p) = &app.palette else {
        return;
    };
    let listed = p.matches(super::commands::of_screen(app));
    let area = f.area();
    let w = 72.min(area.width);
    let h = (listed.len() as u16 + 4)
        .clamp(5, area.height.max(5))
        .min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + 1.min(area.height),
        width: w,
        height: h,
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(" : ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(p.filter.clone()),
        Span::styled("█", Style::new().add_modifier(Modifier::SLOW_BLINK)),
    ])];
    if listed.is_empty() {
        lines.push(Line::from(" no command matches".italic()));
    }
    // The chosen row stays in view.
    let room = h.saturating_sub(3) as usize;
    let first = p.selected.saturating_sub(room.saturating_sub(1));
    for (i, c) in listed.iter().enumerate().skip(first).take(room) {
        let style = if i == p.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:<12}", c.keys),
                style.add_modifier(Modifier::BOLD),
            ),
            Span::styled(c.does.clone(), style),
        ]));
    }
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Commands — type to filter, ↑/↓ choose, Enter runs, Esc closes "),
        ),
        rect,
    );
}
