//! The review queue: what must be reviewed or approved, by whom, by when, and why — the same
//! `Workspace::queue` the CLI's `countersign queue` prints, most urgent first. Enter opens
//! the review of the selected version (whichever version it is, not only the latest); `a`
//! assigns it to a reviewer (`countersign assign`).

use super::ScreenEffect;
use crate::tui::theme;
use countersign_core::queue::{Queue, QueueItem};
use countersign_core::uri::VersionRef;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

/// The queue screen.
#[derive(Debug)]
pub struct QueueScreen {
    /// The queue as judged when the screen opened.
    pub queue: Queue,
    /// The configured identity (`m` shows only what is assigned to it).
    pub me: Option<String>,
    /// Whether only items assigned to `me` are shown.
    pub mine: bool,
    /// Index into [`QueueScreen::visible`].
    pub selected: usize,
    /// A line for the user.
    pub message: Option<String>,
    /// The assignment being typed for the selected version, if any.
    pub assign: Option<AssignForm>,
}

/// `a`: who is to act on the selected version, in which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignForm {
    /// The version.
    pub version: VersionRef,
    /// Who is assigned (as the roster names them).
    pub to: String,
    /// Validator or approver (Tab switches).
    pub role: countersign_core::policy::Role,
    /// Sent: waiting for the platform.
    pub sending: bool,
}

impl QueueScreen {
    /// A screen over a judged queue.
    pub fn new(queue: Queue, me: Option<String>) -> Self {
        Self {
            queue,
            me,
            mine: false,
            selected: 0,
            message: None,
            assign: None,
        }
    }

    /// Whether `key` records something (sends the assignment): the app asks who acts first
    /// when nobody is configured.
    pub fn records(&self, key: KeyEvent) -> bool {
        self.assign.as_ref().is_some_and(|a| !a.sending) && key.code == KeyCode::Enter
    }

    /// Whether text is being typed (the assignment form).
    pub fn typing(&self) -> bool {
        self.assign.is_some()
    }

    /// Takes the assignment's outcome: the form closes on success, stays (what was typed
    /// kept) on a refusal.
    pub fn assigned(&mut self, result: Result<String, String>) {
        match result {
            Ok(line) => {
                self.assign = None;
                self.message = Some(line);
            }
            Err(why) => {
                if let Some(a) = self.assign.as_mut() {
                    a.sending = false;
                }
                self.message = Some(format!("not assigned: {why}"));
            }
        }
    }

    /// The items shown (all, or those assigned to the identity).
    pub fn visible(&self) -> Vec<&QueueItem> {
        self.queue
            .items
            .iter()
            .filter(|i| !self.mine || self.me.as_deref().is_some_and(|me| i.assigned_to(me)))
            .collect()
    }

    /// Handles a key: j/k move, m toggles "mine", Enter reviews the version, Esc/q close.
    pub fn on_key(&mut self, key: KeyEvent) -> ScreenEffect {
        if let Some(a) = self.assign.as_mut() {
            if a.sending {
                return ScreenEffect::None;
            }
            use countersign_core::policy::Role;
            match key.code {
                KeyCode::Esc => {
                    self.assign = None;
                    self.message = Some("nothing assigned".into());
                }
                KeyCode::Tab | KeyCode::BackTab => {
                    a.role = if a.role == Role::Validator {
                        Role::Approver
                    } else {
                        Role::Validator
                    }
                }
                KeyCode::Backspace => {
                    a.to.pop();
                }
                KeyCode::Enter if a.to.trim().is_empty() => {
                    self.message = Some("type who is to act, as the roster names them".into())
                }
                KeyCode::Enter => {
                    a.sending = true;
                    return ScreenEffect::Assign {
                        version: a.version.clone(),
                        to: a.to.trim().to_string(),
                        role: a.role,
                    };
                }
                KeyCode::Char(c) => a.to.push(c),
                _ => {}
            }
            return ScreenEffect::None;
        }
        let n = self.visible().len();
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('Q') => return ScreenEffect::Close,
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.selected = n.saturating_sub(1),
            KeyCode::Char('m') => match &self.me {
                Some(_) => {
                    self.mine = !self.mine;
                    self.selected = 0;
                }
                None => {
                    self.message = Some(
                        "no identity is configured: start with --as PRINCIPAL (or set identity in the config file) to see what is yours".into(),
                    )
                }
            },
            KeyCode::Enter => {
                if let Some(item) = self.visible().get(self.selected) {
                    return ScreenEffect::OpenReview(VersionRef {
                        name: item.name.clone(),
                        version: item.version.clone(),
                    });
                }
            }
            KeyCode::Char('a') => {
                use countersign_core::policy::Role;
                let form = self.visible().get(self.selected).map(|item| AssignForm {
                    version: VersionRef {
                        name: item.name.clone(),
                        version: item.version.clone(),
                    },
                    to: String::new(),
                    role: if item.needs == Role::Approver {
                        Role::Approver
                    } else {
                        Role::Validator
                    },
                    sending: false,
                });
                if form.is_some() {
                    self.message = None;
                }
                self.assign = form;
            }
            _ => {}
        }
        ScreenEffect::None
    }

    /// Scrolls the selection (mouse wheel).
    pub fn scroll(&mut self, down: bool) {
        let n = self.visible().len();
        self.selected = if down {
            (self.selected + 1).min(n.saturating_sub(1))
        } else {
            self.selected.saturating_sub(1)
        };
    }
}

/// Draws the queue: the table, then the selected item's reasons.
pub fn draw(f: &mut Frame, q: &QueueScreen, area: Rect) {
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(10)]).areas(area);
    let items = q.visible();
    let rows: Vec<Row> = items
        .iter()
        .map(|i| {
            let late = if i.days_overdue > 0 {
                format!("{}d", i.days_overdue)
            } else {
                String::new()
            };
            let mut kinds: Vec<&str> = i.reasons.iter().map(|r| r.kind.as_str()).collect();
            kinds.dedup();
            let assigned = i
                .assignments
                .iter()
                .map(|a| a.to.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let style = if i.days_overdue > 0 {
                Style::new().fg(theme::c(Color::Red))
            } else {
                Style::new()
            };
            Row::new(vec![
                String::from(i.due.as_deref().unwrap_or("—")),
                late,
                String::from(i.tier.as_deref().unwrap_or("—")),
                String::from(&format!("{} v{}", i.name, i.version)),
                i.needs.to_string(),
                String::from(if assigned.is_empty() {
                    "—"
                } else {
                    &assigned
                }),
                match i.findings.first() {
                    None => String::new(),
                    Some(oldest) => format!("{} ({}d)", i.findings.len(), oldest.days_open),
                },
                kinds.join(", "),
            ])
            .style(style)
        })
        .collect();
    let title = format!(
        " Review queue — {} item(s){} · Enter review · a assign · m mine · Esc back ",
        items.len(),
        if q.mine { " assigned to you" } else { "" },
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(10),
            Constraint::Length(5),
            Constraint::Length(4),
            Constraint::Min(24),
            Constraint::Length(9),
            Constraint::Length(22),
            Constraint::Length(8),
            Constraint::Min(18),
        ],
    )
    .header(
        Row::new(vec![
            "due", "late", "tier", "version", "needs", "assigned", "findings", "why",
        ])
        .style(Style::new().add_modifier(Modifier::BOLD)),
    )
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
    .block(Block::default().borders(Borders::ALL).title(title));
    let mut state = TableState::default().with_selected(if items.is_empty() {
        None
    } else {
        Some(q.selected.min(items.len() - 1))
    });
    f.render_stateful_widget(table, table_area, &mut state);

    let mut lines: Vec<Line> = Vec::new();
    if q.queue.judged != "verified" {
        lines.push(
            Line::from("approvals judged from the local ledger, not verified on the platform (no trust root pinned)")
                .fg(theme::c(Color::Yellow)),
        );
    }
    if let Some(a) = &q.assign {
        lines.push(Line::from(vec![
            Span::styled(
                format!("Assign {} as {} to: ", a.version, a.role.as_str()),
                Style::new().bold(),
            ),
            Span::styled(
                String::from(&a.to),
                Style::new().add_modifier(Modifier::REVERSED),
            ),
            Span::raw(if a.sending { "  assigning…" } else { "▏" }),
        ]));
        lines.push(
            Line::from("Enter assigns (on the platform, for every reviewer) · Tab validator/approver · Esc cancels")
                .add_modifier(Modifier::DIM),
        );
    }
    if let Some(m) = &q.message {
        lines.push(Line::from(String::from(m)).fg(theme::c(Color::Yellow)));
    }
    for u in &q.queue.unverified {
        lines.push(
            Line::from(format!("could not verify {}", String::from(u))).fg(theme::c(Color::Yellow)),
        );
    }
    match items.get(q.selected) {
        None if q.queue.items.is_empty() => lines.push(Line::from(
            "Nothing needs review or approval now or in the coming weeks.",
        )),
        None => lines.push(Line::from("Nothing in the queue is assigned to you.")),
        Some(i) => {
            lines.push(Line::from(vec![
                Span::styled(String::from(&i.version_ref), Style::new().bold()),
                Span::raw(format!(
                    "  {} · owner {}",
                    i.status,
                    String::from(i.owner.as_deref().unwrap_or("—"))
                )),
            ]));
            for r in &i.reasons {
                lines.push(Line::from(format!(
                    "  {:<18} due {:<10}  {}",
                    r.kind.as_str(),
                    r.due.as_deref().unwrap_or("—"),
                    String::from(&r.detail)
                )));
            }
            for f in &i.findings {
                lines.push(Line::from(format!("  finding {}", f.summary())));
            }
            let n = &i.next_review;
            if n.disagree() {
                lines.push(Line::from(format!(
                    "  next review {} (from the approvals); the owner's tag says {}",
                    n.computed.as_deref().unwrap_or("—"),
                    n.declared.as_deref().unwrap_or("—")
                )));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL)),
        detail_area,
    );
}
