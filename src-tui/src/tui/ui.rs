//! Rendering: a pure function of the [`App`] state.

use super::app::{App, Pane};
use super::keymap;
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
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(f.area());
    draw_header(f, app, header);
    let wide = body.width >= 110;
    let [left, right] = if wide {
        Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
    };
    draw_table(f, app, left, wide);
    draw_detail(f, app, right);
    draw_footer(f, app, footer);
    if app.show_help {
        draw_help(f);
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
        Span::styled(format!("  {overdue} overdue"), Style::new().fg(Color::Red)),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

fn draw_table(f: &mut Frame, app: &mut App, area: Rect, wide: bool) {
    let title = if app.searching || !app.search.is_empty() {
        format!(
            " Inventory — search: {}{} ",
            app.search,
            if app.searching { "▏" } else { "" }
        )
    } else {
        " Inventory ".to_string()
    };
    let focused = app.focus == Pane::Table;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(if focused {
            Style::new().fg(Color::Cyan)
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
        vec!["Name", "Kind", "Tier", "Owner", "Latest", "Next review"]
    } else {
        vec!["Name", "Kind", "Tier", "Latest", "Next review"]
    };
    let rows: Vec<Row> = app
        .rows
        .iter()
        .map(|&i| {
            let m = &app.view.models[i];
            let review = m
                .model
                .next_review_date
                .clone()
                .unwrap_or_else(|| "—".into());
            let review = if m.overdue {
                Cell::from(format!("{review} !"))
                    .style(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))
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
            Constraint::Length(14),
            Constraint::Length(6),
            Constraint::Length(12),
        ]
    } else {
        vec![
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(4),
            Constraint::Length(6),
            Constraint::Length(12),
        ]
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header_cells).style(Style::new().add_modifier(Modifier::BOLD)))
        .block(block)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▶ ");
    let mut state = TableState::default().with_offset(app.offset);
    if !app.rows.is_empty() {
        state.select(Some(app.selected));
    }
    f.render_stateful_widget(table, area, &mut state);
    app.offset = state.offset();
}

fn field<'a>(k: &'a str, v: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{k:<13}"),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(v),
    ])
}

fn draw_detail(f: &mut Frame, app: &App, area: Rect) {
    let focused = app.focus == Pane::Detail;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Detail ")
        .border_style(if focused {
            Style::new().fg(Color::Cyan)
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
        field("next review", opt(&m.next_review_date)),
        field("monitoring", opt(&m.monitoring)),
    ];
    if let Some(p) = &m.llm_provider {
        lines.push(field("provider", p.clone()));
    }
    lines.push(Line::from(""));
    lines.push(Line::from("Versions".bold()));
    for v in &d.model.versions {
        let aliases = if v.aliases.is_empty() {
            String::new()
        } else {
            format!(" @{}", v.aliases.join(" @"))
        };
        lines.push(Line::from(format!(
            "  v{}{}  {}",
            v.version,
            aliases,
            v.creator.clone().unwrap_or_default()
        )));
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
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0)),
        area,
    );
}

fn draw_footer(f: &mut Frame, app: &App, area: Rect) {
    let line = Line::from(vec![
        Span::styled(
            format!(" {} ", app.status),
            Style::new().fg(if app.status.starts_with("sync failed") {
                Color::Red
            } else {
                Color::Reset
            }),
        ),
        Span::raw("│ "),
        Span::styled(keymap::footer(), Style::new().add_modifier(Modifier::DIM)),
        Span::raw(format!("  │ {}", app.view.platform)),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

fn draw_help(f: &mut Frame) {
    let area = f.area();
    let w = 50.min(area.width);
    let h = (keymap::BINDINGS.len() as u16 + 4).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let mut lines: Vec<Line> = keymap::BINDINGS
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(
                    format!(" {:<11}", b.keys),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(b.help),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(" Mouse: click a row, wheel scrolls.".italic()));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Help — any key closes "),
        ),
        rect,
    );
}
