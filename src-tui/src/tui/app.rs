//! The application state and how keys and mouse events change it. Rendering is in `ui`.

use super::keymap::{self, Action};
use countersign_core::inventory::{self, Filter, InventoryView, ModelDetail};
use countersign_core::lineage::Lineage;
use countersign_core::uri::VersionRef;
use countersign_core::workspace::Session;
use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The inventory table.
    Table,
    /// The detail pane.
    Detail,
}

/// What the event loop must do after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond redrawing.
    None,
    /// Leave.
    Quit,
    /// Start a background sync.
    StartSync,
}

/// The selected model with what the detail pane shows.
pub struct Detail {
    /// Model and versions.
    pub model: ModelDetail,
    /// Lineage of the latest version, if it has one.
    pub lineage: Option<Lineage>,
}

/// The whole UI state.
pub struct App {
    /// Core session (store and platform).
    pub session: Session,
    /// Date overdue reviews are judged against.
    pub today: String,
    /// The inventory from the store.
    pub view: InventoryView,
    /// Indices into `view.models` that pass the search.
    pub rows: Vec<usize>,
    /// Selected row (index into `rows`).
    pub selected: usize,
    /// First visible row of the table.
    pub offset: usize,
    /// Table body height at the last draw (for paging and mouse hits).
    pub page: usize,
    /// Screen row where the table body starts at the last draw.
    pub table_top: u16,
    /// Search text.
    pub search: String,
    /// Whether keys go to the search box.
    pub searching: bool,
    /// Help overlay shown.
    pub show_help: bool,
    /// Focused pane.
    pub focus: Pane,
    /// Detail of the selected model.
    pub detail: Option<Detail>,
    /// Status bar text.
    pub status: String,
    /// Whether a sync is running.
    pub syncing: bool,
    /// Scroll offset of the detail pane.
    pub detail_scroll: u16,
}

impl App {
    /// Loads the inventory from the store (no network).
    pub fn new(session: Session, today: String) -> anyhow::Result<Self> {
        let view = inventory::view(&session, &Filter::default(), &today)?;
        let status = match &view.synced_at {
            Some(t) => format!("synced {t}"),
            None => "never synced — press s to sync".into(),
        };
        let mut app = App {
            session,
            today,
            rows: (0..view.models.len()).collect(),
            view,
            selected: 0,
            offset: 0,
            page: 10,
            table_top: 0,
            search: String::new(),
            searching: false,
            show_help: false,
            focus: Pane::Table,
            detail: None,
            status,
            syncing: false,
            detail_scroll: 0,
        };
        app.refresh_detail();
        Ok(app)
    }

    /// Reloads the inventory from the store, keeping the selection by name.
    pub fn reload(&mut self) -> anyhow::Result<()> {
        let name = self.selected_model().map(|m| m.model.name.clone());
        self.view = inventory::view(&self.session, &Filter::default(), &self.today)?;
        self.apply_search();
        if let Some(name) = name {
            if let Some(i) = self
                .rows
                .iter()
                .position(|&r| self.view.models[r].model.name == name)
            {
                self.selected = i;
            }
        }
        self.refresh_detail();
        Ok(())
    }

    /// The selected model's summary.
    pub fn selected_model(&self) -> Option<&inventory::ModelSummary> {
        self.rows.get(self.selected).map(|&i| &self.view.models[i])
    }

    fn apply_search(&mut self) {
        let q = self.search.to_lowercase();
        self.rows = self
            .view
            .models
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                q.is_empty()
                    || m.model.name.to_lowercase().contains(&q)
                    || m.model
                        .owner
                        .as_deref()
                        .unwrap_or("")
                        .to_lowercase()
                        .contains(&q)
            })
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// Loads the detail of the selected model from the store.
    pub fn refresh_detail(&mut self) {
        self.detail_scroll = 0;
        self.detail = self.selected_model().and_then(|m| {
            let name = m.model.name.clone();
            let latest = m.latest_version.clone();
            let model = inventory::detail(&self.session.store, &self.session.key, &name)
                .ok()
                .flatten()?;
            let lineage = latest.and_then(|v| {
                Lineage::of_version(
                    &self.session.store,
                    &self.session.key,
                    &VersionRef { name, version: v },
                )
                .ok()
            });
            Some(Detail { model, lineage })
        });
    }

    fn select(&mut self, i: usize) {
        let i = i.min(self.rows.len().saturating_sub(1));
        if i != self.selected || self.detail.is_none() {
            self.selected = i;
            self.refresh_detail();
        }
    }

    /// Handles a key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Effect {
        if self.searching {
            match key.code {
                KeyCode::Enter => self.searching = false,
                KeyCode::Esc => {
                    self.searching = false;
                    self.search.clear();
                    self.apply_search();
                    self.refresh_detail();
                }
                KeyCode::Backspace => {
                    self.search.pop();
                    self.apply_search();
                    self.refresh_detail();
                }
                KeyCode::Char(c) => {
                    self.search.push(c);
                    self.selected = 0;
                    self.apply_search();
                    self.refresh_detail();
                }
                KeyCode::Down | KeyCode::Up => {
                    self.searching = false;
                    return self.on_key(key);
                }
                _ => {}
            }
            return Effect::None;
        }
        let action = keymap::action_for(key);
        if self.show_help && action != Some(Action::Quit) {
            self.show_help = false;
            return Effect::None;
        }
        let Some(action) = action else {
            return Effect::None;
        };
        match action {
            Action::Quit => return Effect::Quit,
            Action::Down if self.focus == Pane::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_add(1)
            }
            Action::Up if self.focus == Pane::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_sub(1)
            }
            Action::Down => self.select(self.selected + 1),
            Action::Up => self.select(self.selected.saturating_sub(1)),
            Action::PageDown => self.select(self.selected + self.page.max(1)),
            Action::PageUp => self.select(self.selected.saturating_sub(self.page.max(1))),
            Action::Top => self.select(0),
            Action::Bottom => self.select(self.rows.len().saturating_sub(1)),
            Action::Search => {
                self.searching = true;
                self.focus = Pane::Table;
            }
            Action::ClearSearch => {
                if !self.search.is_empty() {
                    self.search.clear();
                    self.apply_search();
                    self.refresh_detail();
                }
            }
            Action::SwitchPane => {
                self.focus = if self.focus == Pane::Table {
                    Pane::Detail
                } else {
                    Pane::Table
                };
            }
            Action::Sync if !self.syncing => return Effect::StartSync,
            Action::Sync => {}
            Action::Help => self.show_help = true,
        }
        Effect::None
    }

    /// Handles a mouse event: click selects a row, the wheel scrolls.
    pub fn on_mouse(&mut self, m: MouseEvent) {
        match m.kind {
            MouseEventKind::ScrollDown => self.select(self.selected + 1),
            MouseEventKind::ScrollUp => self.select(self.selected.saturating_sub(1)),
            MouseEventKind::Down(_) if m.row >= self.table_top => {
                let i = self.offset + (m.row - self.table_top) as usize;
                if i < self.rows.len() {
                    self.focus = Pane::Table;
                    self.select(i);
                }
            }
            _ => {}
        }
    }
}
