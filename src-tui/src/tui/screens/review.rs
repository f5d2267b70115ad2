//! The review screen: the checklist of a version, answers with notes, findings.

use super::ScreenEffect;
use crate::tui::theme;
use countersign_core::policy::checks::AutoOutcome;
use countersign_core::review::{self, Outcome, Review, ReviewStatus};
use countersign_core::uri::VersionRef;
use countersign_core::workspace::{AnswerInput, FindingInput, ReviewPage, Workspace};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

/// A note being written for an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    /// Item id.
    pub item: String,
    /// The outcome chosen (None: confirm the automatic result).
    pub outcome: Option<Outcome>,
    /// The note so far (may hold several lines).
    pub text: String,
    /// Esc was pressed once on a non-empty note.
    pub confirm_discard: bool,
    /// The note is the remediation of this finding (`m`), not an answer.
    pub remediates: Option<String>,
    /// The text is this section of the validation report (`w`), not an answer.
    pub section: Option<review::report::Section>,
}

impl Editor {
    /// What the text is, in words: "the note", "the remediation" or the report section's title.
    pub fn what(&self) -> String {
        match (&self.section, &self.remediates) {
            (Some(s), _) => format!("the {}", s.title().to_lowercase()),
            (None, Some(_)) => "the remediation".into(),
            (None, None) => "the note".into(),
        }
    }
}

/// A finding being raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingForm {
    /// Item it relates to.
    pub item: String,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: review::Severity,
    /// Due date (YYYY-MM-DD).
    pub due: String,
    /// Owner.
    pub owner: String,
    /// Focused field: 0 title, 1 severity, 2 due, 3 owner.
    pub field: usize,
}

/// The finding form's field names, in Tab order.
pub const FINDING_FIELDS: [&str; 4] = ["title", "severity", "due", "owner"];

/// The review screen.
#[derive(Debug)]
pub struct ReviewScreen {
    /// The version reviewed (`models:/NAME/VERSION`).
    pub version: String,
    /// The review.
    pub review: Review,
    /// Selected item.
    pub selected: usize,
    /// Note editor, when open.
    pub editor: Option<Editor>,
    /// Progress and blockers.
    pub status: ReviewStatus,
    /// Last message (saved, or the error and how to fix it).
    pub message: Option<String>,
    /// Finding form, when open.
    pub finding: Option<FindingForm>,
    /// Owner of the model (the default finding owner).
    pub owner: String,
    /// `N` was pressed: the next `y` starts a new review superseding this one.
    pub confirm_new: bool,
    /// `S` in a preview was pressed: waiting for y/n before the review is started.
    pub confirm_start: bool,
    /// The checklist shown to look at: no review exists yet and nothing is saved; `S` starts
    /// it.
    pub preview: bool,
    /// The validation report's section picker (`w`), with the selected section.
    pub report_pick: Option<usize>,
    /// Sections the tier requires.
    pub required: Vec<review::report::Section>,
    /// The policy's ratings.
    pub ratings: Vec<String>,
}

/// Keys that record something on the review (and so need an identity).
const RECORDING_KEYS: [char; 8] = ['p', 'f', 'n', 'c', 'F', 'm', 'N', 'w'];

impl ReviewScreen {
    /// Whether the screen waits for a command (no note, form, picker or question open).
    pub fn idle(&self) -> bool {
        self.editor.is_none()
            && self.finding.is_none()
            && self.report_pick.is_none()
            && !self.confirm_new
            && !self.confirm_start
    }

    /// Shows the review of a version: started, resumed, or a preview of its checklist.
    pub fn from_page(vref: &VersionRef, page: ReviewPage) -> Self {
        let note = page
            .note
            .as_ref()
            .map(|n| format!(" — note: {n}"))
            .unwrap_or_default();
        let message = Some(if page.preview {
            format!("no review of {vref} yet: this is its checklist, to look at (nothing is saved). S starts the review{note}")
        } else {
            format!(
                "{} review {}{note}",
                if page.resumed { "resumed" } else { "started" },
                page.review.header.id,
            )
        });
        Self {
            version: vref.to_string(),
            owner: page.owner.unwrap_or_default(),
            review: page.review,
            selected: 0,
            editor: None,
            status: page.status,
            message,
            finding: None,
            confirm_new: false,
            confirm_start: false,
            preview: page.preview,
            report_pick: None,
            required: page.report_required.clone(),
            ratings: page.ratings.clone(),
        }
    }

    /// Takes the review started from this preview (by the app's background job).
    pub fn took_started(&mut self, page: ReviewPage) {
        self.message = Some(format!(
            "{} review {} — p/f/n answer the selected item{}",
            if page.resumed { "resumed" } else { "started" },
            page.review.header.id,
            page.note
                .as_ref()
                .map(|n| format!(" — note: {n}"))
                .unwrap_or_default()
        ));
        self.preview = page.preview;
        self.take(page);
    }

    /// Whether `key` would record something (an answer, a finding, a review): the app asks who
    /// acts first when no identity is configured.
    pub fn records(&self, key: KeyEvent) -> bool {
        if self.editor.is_some()
            || self.finding.is_some()
            || self.confirm_new
            || self.confirm_start
            || self.report_pick.is_some()
        {
            return false;
        }
        match key.code {
            KeyCode::Char('S') => self.preview,
            KeyCode::Char(c) => !self.preview && RECORDING_KEYS.contains(&c),
            _ => false,
        }
    }

    /// Takes the new review that superseded this one (started by the app's background job).
    pub fn took_new(&mut self, page: ReviewPage) {
        self.message = Some(format!(
            "started review {} (supersedes {}; the evidence as the platform shows it now){}",
            page.review.header.id,
            self.review.header.id,
            page.note
                .as_ref()
                .map(|n| format!(" — note: {n}"))
                .unwrap_or_default()
        ));
        self.selected = 0;
        self.take(page);
    }

    /// Takes a saved review (and where it stands) from the workspace.
    fn take(&mut self, page: ReviewPage) {
        self.review = page.review;
        self.status = page.status;
        self.required = page.report_required;
        self.ratings = page.ratings;
    }

    fn item_id(&self) -> Option<String> {
        self.review
            .header
            .items
            .get(self.selected)
            .map(|i| i.id.clone())
    }

    /// Saves what the editor holds: an answer, or a finding's remediation. A refusal keeps
    /// the note in the editor, as typed.
    fn save_editor(&mut self, ws: &Workspace, ed: Editor) {
        if let Some(section) = ed.section {
            match ws.review_report_set(&self.version, section, &ed.text) {
                Ok(page) => {
                    self.message = Some(if page.review.report.contains_key(&section) {
                        format!("{} saved", section.title())
                    } else {
                        format!("{} cleared", section.title())
                    });
                    self.take(page);
                }
                Err(e) => {
                    self.message = Some(format!("{} not saved: {e}", section.title()));
                    self.editor = Some(ed);
                }
            }
            return;
        }
        let Some(fid) = ed.remediates.clone() else {
            return self.save(ws, &ed.item, ed.outcome, &ed.text);
        };
        let update = review::FindingUpdate {
            status: review::FindingStatus::Remediated,
            note: ed.text.clone(),
            evidence: None,
            expires: None,
        };
        match ws.review_finding_update(&self.version, &fid, update) {
            Ok(page) => {
                self.message = Some(format!("{fid} marked remediated"));
                self.take(page);
            }
            Err(e) => {
                self.message = Some(format!("{fid} not changed: {e}"));
                self.editor = Some(ed);
            }
        }
    }

    fn save(&mut self, ws: &Workspace, item: &str, outcome: Option<Outcome>, note: &str) {
        let answer = AnswerInput {
            item: item.to_string(),
            outcome,
            note: note.to_string(),
            evidence: Vec::new(),
        };
        match ws.review_answer(&self.version, answer) {
            Ok(page) => {
                let saved = page.review.answers.get(item).map(|a| a.outcome.as_str());
                self.message = Some(format!("{item}: {} saved", saved.unwrap_or("answer")));
                self.take(page);
            }
            Err(e) => self.message = Some(format!("{item}: {e}")),
        }
    }

    /// Whether a note is being edited with unsaved text.
    pub fn has_unsaved_note(&self) -> bool {
        self.editor
            .as_ref()
            .is_some_and(|e| !e.text.trim().is_empty())
    }

    fn finding_key(&mut self, ws: &Workspace, key: KeyEvent) {
        let Some(form) = self.finding.as_mut() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('s') if ctrl => {
                let f = self.finding.take().expect("form open");
                let input = FindingInput {
                    title: f.title.clone(),
                    severity: f.severity,
                    description: String::new(),
                    owner: f.owner.clone(),
                    due: f.due.clone(),
                    item: Some(f.item.clone()),
                    action_plan: String::new(),
                };
                match ws.review_finding_add(&self.version, input) {
                    Ok(page) => {
                        let id = page.review.findings.last().map(|x| x.id.clone());
                        self.message =
                            Some(format!("{} raised on {}", id.unwrap_or_default(), f.item));
                        self.take(page);
                    }
                    Err(e) => {
                        self.message = Some(format!("finding not saved: {e}"));
                        self.finding = Some(f);
                    }
                }
            }
            KeyCode::Esc => {
                self.finding = None;
                self.message = Some("finding discarded".into());
            }
            KeyCode::Tab | KeyCode::Down => form.field = (form.field + 1) % FINDING_FIELDS.len(),
            KeyCode::BackTab | KeyCode::Up => {
                form.field = (form.field + FINDING_FIELDS.len() - 1) % FINDING_FIELDS.len()
            }
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if form.field == 1 => {
                use review::Severity::*;
                form.severity = match (form.severity, key.code == KeyCode::Left) {
                    (High, false) | (Low, true) => Medium,
                    (Medium, false) | (High, true) => Low,
                    (Low, false) | (Medium, true) => High,
                };
            }
            KeyCode::Backspace => {
                match form.field {
                    0 => form.title.pop(),
                    2 => form.due.pop(),
                    3 => form.owner.pop(),
                    _ => None,
                };
            }
            KeyCode::Char(c) => match form.field {
                0 => form.title.push(c),
                2 => form.due.push(c),
                3 => form.owner.push(c),
                _ => {}
            },
            _ => {}
        }
    }

    /// Findings about the selected item.
    pub fn item_findings(&self) -> Vec<&review::Finding> {
        let id = self.item_id().unwrap_or_default();
        self.review
            .findings
            .iter()
            .filter(|f| f.item.as_deref() == Some(id.as_str()))
            .collect()
    }

    /// The report picker's keys: j/k move, Enter writes the section, Esc closes.
    fn report_pick_key(&mut self, key: KeyEvent) {
        let Some(at) = self.report_pick else {
            return;
        };
        let n = review::report::Section::ALL.len();
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => self.report_pick = None,
            KeyCode::Char('j') | KeyCode::Down => self.report_pick = Some((at + 1).min(n - 1)),
            KeyCode::Char('k') | KeyCode::Up => self.report_pick = Some(at.saturating_sub(1)),
            KeyCode::Enter => {
                let section = review::report::Section::ALL[at];
                self.report_pick = None;
                let text = self
                    .review
                    .report
                    .get(&section)
                    .map(|t| t.text.clone())
                    .unwrap_or_default();
                self.message = Some(if section == review::report::Section::Rating {
                    format!(
                        "the overall rating — one of: {}; Ctrl-S saves, Esc cancels",
                        self.ratings.join(", ")
                    )
                } else {
                    format!(
                        "write the {}; Enter adds a line, Ctrl-S (or F2) saves, an empty text clears it, Esc cancels",
                        section.title().to_lowercase()
                    )
                });
                self.editor = Some(Editor {
                    item: section.as_str().to_string(),
                    outcome: None,
                    text,
                    confirm_discard: false,
                    remediates: None,
                    section: Some(section),
                });
            }
            _ => {}
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, ws: &Workspace, key: KeyEvent) -> ScreenEffect {
        if self.report_pick.is_some() {
            self.report_pick_key(key);
            return ScreenEffect::None;
        }
        if self.finding.is_some() {
            self.finding_key(ws, key);
            return ScreenEffect::None;
        }
        if let Some(ed) = self.editor.as_mut() {
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                KeyCode::Char('s') if ctrl => {
                    let ed = self.editor.take().expect("editor open");
                    self.save_editor(ws, ed);
                }
                KeyCode::F(2) => {
                    let ed = self.editor.take().expect("editor open");
                    self.save_editor(ws, ed);
                }
                KeyCode::Esc if ed.text.trim().is_empty() || ed.confirm_discard => {
                    self.message = Some(if ed.text.trim().is_empty() {
                        format!("{}: nothing written, nothing saved", ed.what())
                    } else {
                        format!("{} was not saved", ed.what())
                    });
                    self.editor = None;
                }
                KeyCode::Esc => {
                    ed.confirm_discard = true;
                    self.message = Some(format!(
                        "{} is not saved: Esc again discards it, Ctrl-S saves it",
                        ed.what()
                    ));
                }
                KeyCode::Enter => ed.text.push('\n'),
                KeyCode::Backspace => {
                    ed.text.pop();
                }
                KeyCode::Char(c) => {
                    ed.confirm_discard = false;
                    ed.text.push(c);
                }
                _ => {}
            }
            return ScreenEffect::None;
        }
        if self.confirm_start {
            self.confirm_start = false;
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                self.message = Some(format!("starting the review of {}…", self.version));
                if let Ok(v) = VersionRef::parse(&self.version) {
                    return ScreenEffect::StartReview(v);
                }
            } else {
                self.message = Some("not started: this is still a preview, nothing saved".into());
            }
            return ScreenEffect::None;
        }
        if self.confirm_new {
            self.confirm_new = false;
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                self.message = Some(format!(
                    "starting a new review of {}… (the platform is read now)",
                    self.version
                ));
                if let Ok(v) = VersionRef::parse(&self.version) {
                    return ScreenEffect::NewReview(v);
                }
            } else {
                self.message = Some("no new review started".into());
            }
            return ScreenEffect::None;
        }
        let n = self.review.header.items.len();
        if self.preview {
            match key.code {
                KeyCode::Char('S') => {
                    self.confirm_start = true;
                    self.message = Some(format!(
                        "Start the review of {} under this checklist (tier {})? It is recorded as yours and the model shows \"in review\". y/n",
                        self.version, self.review.header.tier
                    ));
                    return ScreenEffect::None;
                }
                KeyCode::Char(c) if RECORDING_KEYS.contains(&c) => {
                    self.message = Some(
                        "this is a preview: nothing is saved until the review starts — press S to start it"
                            .into(),
                    );
                    return ScreenEffect::None;
                }
                _ => {}
            }
        }
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return ScreenEffect::Close,
            KeyCode::Char('N') => {
                self.confirm_new = true;
                self.message = Some(format!(
                    "Start a new review of {} superseding {} (kept, with its answers)? y/n",
                    self.version, self.review.header.id
                ));
            }
            KeyCode::Char('j') | KeyCode::Down => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            KeyCode::Char('k') | KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char('g') | KeyCode::Home => self.selected = 0,
            KeyCode::Char('G') | KeyCode::End => self.selected = n.saturating_sub(1),
            KeyCode::Char('c') => {
                if let Some(id) = self.item_id() {
                    self.save(ws, &id, None, "");
                }
            }
            KeyCode::Char('w') => {
                // Start at the first required section not written yet.
                let first = review::report::Section::ALL
                    .iter()
                    .position(|s| self.required.contains(s) && !self.review.report.contains_key(s))
                    .unwrap_or(0);
                self.report_pick = Some(first);
                self.message = Some(
                    "the validation report: j/k choose a section, Enter writes it, Esc closes"
                        .into(),
                );
            }
            KeyCode::Char('F') => {
                if let Some(id) = self.item_id() {
                    let due = (chrono::Utc::now() + chrono::Duration::days(90))
                        .format("%Y-%m-%d")
                        .to_string();
                    self.finding = Some(FindingForm {
                        item: id,
                        title: String::new(),
                        severity: review::Severity::High,
                        due,
                        owner: self.owner.clone(),
                        field: 0,
                    });
                    self.message = Some(
                        "new finding: Tab moves, ←/→ severity, Ctrl-S saves, Esc cancels".into(),
                    );
                }
            }
            KeyCode::Char('m') => {
                let open = self
                    .item_findings()
                    .into_iter()
                    .find(|f| f.is_open(&countersign_core::inventory::today()))
                    .map(|f| f.id.clone());
                match (open, self.item_id()) {
                    (Some(fid), Some(item)) => {
                        self.message = Some(format!(
                            "say what was done to remediate {fid}; Ctrl-S confirms it, Esc cancels"
                        ));
                        self.editor = Some(Editor {
                            item,
                            outcome: None,
                            text: String::new(),
                            confirm_discard: false,
                            remediates: Some(fid),
                            section: None,
                        });
                    }
                    _ => self.message = Some("no open finding on this item".into()),
                }
            }
            KeyCode::Char(ch @ ('p' | 'f' | 'n')) => {
                if let Some(id) = self.item_id() {
                    let outcome = match ch {
                        'p' => Outcome::Pass,
                        'f' => Outcome::Fail,
                        _ => Outcome::NotApplicable,
                    };
                    let text = self
                        .review
                        .answers
                        .get(&id)
                        .map(|a| a.note.clone())
                        .unwrap_or_default();
                    self.editor = Some(Editor {
                        item: id,
                        outcome: Some(outcome),
                        text,
                        confirm_discard: false,
                        remediates: None,
                        section: None,
                    });
                    self.message = Some(
                        "write the note; Enter adds a line, Ctrl-S (or F2) saves, Esc cancels"
                            .into(),
                    );
                }
            }
            _ => {}
        }
        ScreenEffect::None
    }

    /// One line per item for the list.
    pub fn item_lines(&self) -> Vec<(String, String, Option<AutoOutcome>)> {
        self.review
            .header
            .items
            .iter()
            .map(|i| {
                let mark = match self.review.answers.get(&i.id).map(|a| a.outcome) {
                    Some(Outcome::Pass) => "[pass]",
                    Some(Outcome::Fail) => "[FAIL]",
                    Some(Outcome::NotApplicable) => "[n/a] ",
                    None => "[    ]",
                };
                (
                    mark.to_string(),
                    format!("{:<7} {}", i.id, i.title),
                    i.automatic.as_ref().map(|a| a.outcome),
                )
            })
            .collect()
    }
}

/// Draws the review screen.
pub fn draw(f: &mut Frame, r: &ReviewScreen, area: Rect) {
    let [top, main, msg] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Min(5),
        Constraint::Length(1),
    ])
    .areas(area);
    let st = &r.status;
    let h = &r.review.header;
    let verdict = if st.can_approve {
        Span::styled(
            " ready for decision; nothing blocks an approval ",
            Style::new()
                .fg(theme::c(Color::Green))
                .add_modifier(Modifier::BOLD),
        )
    } else if st.ready_for_decision {
        Span::styled(
            " ready for decision; an approval is blocked ",
            Style::new()
                .fg(theme::c(Color::Yellow))
                .add_modifier(Modifier::BOLD),
        )
    } else {
        Span::styled(
            " not ready for decision ",
            Style::new().fg(theme::c(Color::Yellow)),
        )
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("Review of models:/{}/{}", h.name, h.version),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(
                "  tier {}  {}/{} answered ",
                h.tier, st.answered, st.total
            )),
            verdict,
        ]),
        if r.preview {
            Line::from(format!(
                "evidence {}  policy {}  no review yet",
                countersign_core::display::short_hash(&h.evidence_sha256),
                countersign_core::display::short_hash(&h.policy_sha256),
            ))
        } else {
            Line::from(format!(
                "evidence {}  policy {}  review {}",
                countersign_core::display::short_hash(&h.evidence_sha256),
                countersign_core::display::short_hash(&h.policy_sha256),
                h.id
            ))
        },
    ];
    if r.preview {
        lines.push(Line::from(Span::styled(
            "PREVIEW — nothing is saved and the model's status is unchanged: S starts the review",
            Style::new()
                .fg(theme::c(Color::Cyan))
                .add_modifier(Modifier::BOLD),
        )));
    } else if !st.evidence_changes.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                "EVIDENCE CHANGED since the review started: {} — N starts a new review",
                st.evidence_changes.join("; ")
            ),
            Style::new().fg(theme::c(Color::Red)),
        )));
    } else if let Some(b) = st.blockers.first() {
        lines.push(Line::from(Span::styled(
            format!(
                "blocks: {b}{}",
                if st.blockers.len() > 1 {
                    format!(" (+{} more)", st.blockers.len() - 1)
                } else {
                    String::new()
                }
            ),
            Style::new().fg(theme::c(Color::Yellow)),
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::BOTTOM)),
        top,
    );
    let wide = main.width >= 100;
    let [list_area, side] = if wide {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(main)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(main)
    };
    let items: Vec<ListItem> = r
        .item_lines()
        .into_iter()
        .map(|(mark, text, auto)| {
            let auto = match auto {
                Some(AutoOutcome::Pass) => {
                    Span::styled(" auto✓", Style::new().fg(theme::c(Color::Green)))
                }
                Some(AutoOutcome::Fail) => {
                    Span::styled(" auto✗", Style::new().fg(theme::c(Color::Red)))
                }
                Some(AutoOutcome::Missing) => {
                    Span::styled(" auto?", Style::new().fg(theme::c(Color::Yellow)))
                }
                None => Span::raw(""),
            };
            ListItem::new(Line::from(vec![
                Span::raw(format!("{mark} ")),
                Span::raw(text),
                auto,
            ]))
        })
        .collect();
    let mut state = ListState::default();
    state.select(Some(r.selected));
    f.render_stateful_widget(
        List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Checklist — p/f/n · c confirm · F finding · w report · N new "),
            )
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED)),
        list_area,
        &mut state,
    );
    let mut detail: Vec<Line> = Vec::new();
    if let Some(item) = h.items.get(r.selected) {
        detail.push(Line::from(format!("{} — {}", item.id, item.title).bold()));
        detail.push(Line::from(Span::styled(
            item.area.clone(),
            Style::new().add_modifier(Modifier::DIM),
        )));
        detail.push(Line::from(""));
        detail.push(Line::from(item.guidance.clone()));
        if let Some(a) = &item.automatic {
            detail.push(Line::from(""));
            detail.push(Line::from(vec![
                Span::styled("automatic: ", Style::new().add_modifier(Modifier::BOLD)),
                // Platform and policy text keeps its case ("FX PFE" stays "FX PFE").
                Span::raw(format!(
                    "{} — {}",
                    countersign_core::export::words::automatic(a.outcome),
                    a.explanation
                )),
            ]));
        }
        if let Some(ans) = r.review.answers.get(&item.id) {
            detail.push(Line::from(""));
            detail.push(Line::from(vec![
                Span::styled("answer: ", Style::new().add_modifier(Modifier::BOLD)),
                Span::raw(format!(
                    "{}{}",
                    ans.outcome.as_str(),
                    if ans.overrides_automatic {
                        " (overrides the automatic result)"
                    } else {
                        ""
                    }
                )),
            ]));
            for l in ans.note.lines() {
                detail.push(Line::from(format!("  {l}")));
            }
        }
    }
    let findings = r.item_findings();
    if !findings.is_empty() {
        detail.push(Line::from(""));
        detail.push(Line::from(Span::styled(
            "findings (m marks the first open one remediated):",
            Style::new().add_modifier(Modifier::BOLD),
        )));
        for fi in findings {
            let style = if fi.is_open(&countersign_core::inventory::today())
                && fi.severity == countersign_core::review::Severity::High
            {
                Style::new().fg(theme::c(Color::Red))
            } else {
                Style::new()
            };
            detail.push(Line::from(Span::styled(
                format!(
                    "  {} {} {} due {} — {}",
                    fi.id,
                    countersign_core::export::words::severity(fi.severity),
                    countersign_core::export::words::status(fi.status),
                    fi.due,
                    fi.title
                ),
                style,
            )));
        }
    }
    if let Some(form) = &r.finding {
        detail.push(Line::from(""));
        detail.push(Line::from(Span::styled(
            format!("new finding on {} — Ctrl-S saves, Esc cancels:", form.item),
            Style::new()
                .fg(theme::c(Color::Cyan))
                .add_modifier(Modifier::BOLD),
        )));
        let values = [
            form.title.clone(),
            format!(
                "◀ {} ▶",
                countersign_core::export::words::severity(form.severity)
            ),
            form.due.clone(),
            form.owner.clone(),
        ];
        for (i, (label, value)) in FINDING_FIELDS.iter().zip(values).enumerate() {
            let style = if i == form.field {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            detail.push(Line::from(vec![
                Span::raw(format!("{label:>9}: ")),
                Span::styled(value, style),
            ]));
        }
    }
    let writing_report =
        r.report_pick.is_some() || r.editor.as_ref().is_some_and(|e| e.section.is_some());
    if writing_report {
        // The report takes the pane: the item's detail is not what is being written.
        detail.clear();
    }
    if let Some(at) = r.report_pick {
        detail.push(Line::from(Span::styled(
            "validation report — Enter writes the section, Esc closes:",
            Style::new()
                .fg(theme::c(Color::Cyan))
                .add_modifier(Modifier::BOLD),
        )));
        for (i, s) in review::report::Section::ALL.iter().enumerate() {
            let state = match r.review.report.get(s) {
                Some(t) => format!(
                    "written by {}",
                    t.written_by.as_deref().unwrap_or("(not recorded)")
                ),
                None if r.required.contains(s) => "REQUIRED".into(),
                None => "—".into(),
            };
            let style = if i == at {
                Style::new().add_modifier(Modifier::REVERSED)
            } else if r.required.contains(s) && !r.review.report.contains_key(s) {
                Style::new().fg(theme::c(Color::Yellow))
            } else {
                Style::new()
            };
            detail.push(Line::from(Span::styled(
                format!("  {}: {state}", s.title()),
                style,
            )));
        }
    }
    if let Some(ed) = &r.editor {
        detail.push(Line::from(""));
        detail.push(Line::from(Span::styled(
            match (&ed.remediates, ed.section) {
                (_, Some(s)) => format!("{} — Ctrl-S saves, Esc cancels:", s.title()),
                (Some(fid), None) => {
                    format!("remediation of {fid} (what was done) — Ctrl-S confirms, Esc cancels:")
                }
                (None, None) => format!(
                    "note for {} ({}) — Ctrl-S saves, Esc cancels:",
                    ed.item,
                    ed.outcome.map(|o| o.as_str()).unwrap_or("confirm")
                ),
            },
            Style::new()
                .fg(theme::c(Color::Cyan))
                .add_modifier(Modifier::BOLD),
        )));
        for l in ed.text.split('\n') {
            detail.push(Line::from(format!("> {l}")));
        }
    }
    f.render_widget(
        Paragraph::new(detail)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" Item ")),
        side,
    );
    if let Some(m) = &r.message {
        f.render_widget(Paragraph::new(format!(" {m}")), msg);
    }
}
