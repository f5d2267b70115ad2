//! What each screen can do, in one table per screen: the help overlay (`?`), the footer and
//! the command palette (`:`) are all drawn from it, so they never disagree with each other.
//! The inventory's table is its keymap (user overrides included); the other screens' keys are
//! fixed.

use super::app::{App, Screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One thing a screen can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The keys as shown ("j Down").
    pub keys: String,
    /// What it does.
    pub does: String,
    /// The key the palette sends when it is chosen (None: it is typed, not chosen).
    pub key: Option<KeyEvent>,
    /// The word the footer shows for it (None: not in the footer).
    pub hint: Option<&'static str>,
}

fn fixed(keys: &str, does: &str, code: Option<KeyCode>) -> Command {
    Command {
        keys: keys.into(),
        does: does.into(),
        key: code.map(KeyEvent::from),
        hint: None,
    }
}

/// A command the footer names with `hint`.
fn hinted(keys: &str, hint: &'static str, does: &str, code: Option<KeyCode>) -> Command {
    Command {
        hint: Some(hint),
        ..fixed(keys, does, code)
    }
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Keys every list screen shares.
fn moving() -> Vec<Command> {
    vec![
        fixed("j ↓", "next row", Some(KeyCode::Down)),
        fixed("k ↑", "previous row", Some(KeyCode::Up)),
        fixed("g Home", "first row", Some(KeyCode::Home)),
        fixed("G End", "last row", Some(KeyCode::End)),
    ]
}

/// Every command of the screen on show, in help order.
pub fn of_screen(app: &App) -> Vec<Command> {
    let mut out = match &app.screen {
        Screen::Inventory => return app.keymap.commands(),
        Screen::Review(r) => {
            let mut v = moving();
            if r.preview {
                v.push(hinted(
                    "S",
                    "start",
                    "start the review (asks y/n; nothing is saved before)",
                    Some(KeyCode::Char('S')),
                ));
            }
            v.extend([
                hinted(
                    "p",
                    "pass",
                    "answer pass (a note, Ctrl-S saves)",
                    Some(KeyCode::Char('p')),
                ),
                hinted("f", "fail", "answer fail", Some(KeyCode::Char('f'))),
                hinted(
                    "n",
                    "n/a",
                    "answer not applicable",
                    Some(KeyCode::Char('n')),
                ),
                hinted(
                    "c",
                    "confirm",
                    "confirm the automatic result",
                    Some(KeyCode::Char('c')),
                ),
                hinted(
                    "F",
                    "finding",
                    "raise a finding on the item",
                    Some(KeyCode::Char('F')),
                ),
                hinted(
                    "m",
                    "remediate",
                    "mark the item's open finding remediated (asks for a note)",
                    Some(KeyCode::Char('m')),
                ),
                hinted(
                    "w",
                    "report",
                    "write a section of the validation report",
                    Some(KeyCode::Char('w')),
                ),
                hinted(
                    "N",
                    "new review",
                    "start a new review superseding this one (asks first)",
                    Some(KeyCode::Char('N')),
                ),
            ]);
            v
        }
        Screen::Queue(_) => {
            let mut v = moving();
            v.extend([
                hinted(
                    "Enter",
                    "review",
                    "review the selected version",
                    Some(KeyCode::Enter),
                ),
                hinted(
                    "a",
                    "assign",
                    "assign the selected version to a reviewer (Tab: validator/approver)",
                    Some(KeyCode::Char('a')),
                ),
                hinted(
                    "m",
                    "mine",
                    "only what is assigned to you, or everything",
                    Some(KeyCode::Char('m')),
                ),
            ]);
            v
        }
        Screen::Dashboard(_) => Vec::new(),
        Screen::Lineage(_) => vec![
            fixed("type", "a dataset digest or source", None),
            hinted(
                "Tab",
                "complete",
                "complete with a dataset of the selected version",
                Some(KeyCode::Tab),
            ),
            hinted("Enter", "search", "list the versions that used it", None),
            Command {
                keys: "Ctrl-U".into(),
                does: "clear what was typed".into(),
                key: Some(ctrl('u')),
                hint: None,
            },
        ],
        Screen::Sign(_) => vec![
            hinted("Tab", "next field", "next field (↓ too)", None),
            fixed("Shift-Tab ↑", "previous field", None),
            hinted("←/→", "choose", "choose role or decision (Space too)", None),
            hinted(
                "Enter",
                "sign",
                "sign (shows what is attested and asks y/n)",
                None,
            ),
            fixed("Ctrl-U", "clear the field", None),
        ],
    };
    if accepts_commands(app) {
        out.push(fixed("? F1", "this help", None));
        out.push(fixed(":", "the command palette", None));
    } else {
        out.push(fixed("F1", "this help", None));
    }
    out.push(fixed("Esc", "back to the inventory", Some(KeyCode::Esc)));
    out
}

/// Whether `?` and `:` open help and the palette on the screen as it is (not while text is
/// typed: in a search, a note, a form).
pub fn accepts_commands(app: &App) -> bool {
    match &app.screen {
        Screen::Inventory => !app.searching,
        Screen::Review(r) => r.idle(),
        Screen::Queue(q) => !q.typing(),
        Screen::Dashboard(_) => true,
        Screen::Lineage(_) | Screen::Sign(_) => false,
    }
}

/// The footer's hint: the screen's hinted commands, then how to see them all.
pub fn footer(app: &App) -> String {
    if matches!(app.screen, Screen::Inventory) {
        return app.keymap.footer();
    }
    // How to see everything first: a narrow terminal cuts the end of the line.
    let mut shown: Vec<String> = Vec::new();
    if accepts_commands(app) {
        shown.push("? help  : commands".into());
    } else {
        shown.push("F1 help".into());
    }
    shown.push("Esc back".into());
    shown.extend(of_screen(app).iter().filter_map(|c| {
        let key = c.keys.split(' ').next().unwrap_or("");
        c.hint.map(|h| format!("{key} {h}"))
    }));
    shown.join("  ")
}

/// The command palette (`:`): a filter typed and the row chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Palette {
    /// What is typed: commands whose keys or description hold it (case ignored) are listed.
    pub filter: String,
    /// The row chosen among those listed.
    pub selected: usize,
}

impl Palette {
    /// The commands `filter` keeps (only those the palette can send).
    pub fn matches(&self, all: Vec<Command>) -> Vec<Command> {
        let f = self.filter.to_lowercase();
        all.into_iter()
            .filter(|c| c.key.is_some())
            .filter(|c| {
                f.is_empty() || c.does.to_lowercase().contains(&f) || c.keys.to_lowercase() == f
            })
            .collect()
    }
}
