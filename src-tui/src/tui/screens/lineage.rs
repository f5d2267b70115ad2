//! Reverse lineage: every version trained or evaluated on a dataset.

use super::ScreenEffect;
use countersign_core::workspace::Workspace;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};
use ratatui::Frame;

/// Reverse lineage: every version trained or evaluated on a dataset.
#[derive(Debug)]
pub struct LineageScreen {
    /// Digest or source typed.
    pub input: String,
    /// Datasets of the selected version, to pick from with Tab.
    pub suggestions: Vec<String>,
    /// Which suggestion Tab puts in next.
    pub next: usize,
    /// Results of the last lookup.
    pub results: Vec<countersign_core::lineage::DatasetUse>,
    /// Message.
    pub message: Option<String>,
}

impl LineageScreen {
    /// Opens with the selected version's dataset digests as suggestions.
    pub fn new(suggestions: Vec<String>) -> Self {
        let input = suggestions.first().cloned().unwrap_or_default();
        Self { input, suggestions, next: 1, results: Vec::new(), message: Some("type a dataset digest or source; Tab picks one of the selected version's; Enter looks it up".into()) }
    }

    /// Handles a key.
    pub fn on_key(&mut self, ws: &Workspace, key: KeyEvent) -> ScreenEffect {
        match key.code {
            KeyCode::Esc => return ScreenEffect::Close,
            KeyCode::Tab if !self.suggestions.is_empty() => {
                self.input = self.suggestions[self.next % self.suggestions.len()].clone();
                self.next += 1;
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.input.clear()
            }
            KeyCode::Backspace => {
                self.input.pop();
            }
            KeyCode::Enter => match ws.dataset_users(self.input.trim()) {
                Ok(r) => {
                    self.message = Some(format!("{} use(s) of '{}'", r.len(), self.input.trim()));
                    self.results = r;
                }
                Err(e) => self.message = Some(e.to_string()),
            },
            KeyCode::Char(c) => self.input.push(c),
            _ => {}
        }
        ScreenEffect::None
    }
}

/// Draws the reverse-lineage screen.
pub fn draw(f: &mut Frame, l: &LineageScreen, area: Rect) {
    let [input, table, msg] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(format!("{}▏", l.input)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Reverse lineage — dataset digest or source (Enter, Tab, Ctrl-U, Esc) "),
        ),
        input,
    );
    let rows: Vec<Row> = l
        .results
        .iter()
        .map(|u| {
            Row::new(vec![
                u.version.clone(),
                if u.produced_version {
                    "trained".into()
                } else {
                    "evaluated".into()
                },
                u.context.clone(),
                u.dataset_name.clone(),
                u.digest.clone(),
            ])
        })
        .collect();
    let t = Table::new(
        rows,
        [
            Constraint::Fill(2),
            Constraint::Length(10),
            Constraint::Length(11),
            Constraint::Fill(2),
            Constraint::Length(10),
        ],
    )
    .header(
        Row::new(vec!["Version", "Use", "Context", "Dataset", "Digest"])
            .style(Style::new().add_modifier(Modifier::BOLD)),
    )
    .block(Block::default().borders(Borders::ALL).title(" Versions "));
    f.render_widget(t, table);
    if let Some(m) = &l.message {
        f.render_widget(Paragraph::new(format!(" {m}")), msg);
    }
}
