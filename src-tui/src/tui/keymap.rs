//! The keymap: every key the UI understands, with its description. The help overlay and the
//! footer are generated from it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the program.
    Quit,
    /// Move the selection down.
    Down,
    /// Move the selection up.
    Up,
    /// Jump one page down.
    PageDown,
    /// Jump one page up.
    PageUp,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Start typing a search.
    Search,
    /// Clear the search.
    ClearSearch,
    /// Switch focus between the table and the detail pane.
    SwitchPane,
    /// Sync with the platform in the background.
    Sync,
    /// Show or hide help.
    Help,
    /// Review the selected model's latest version.
    Review,
    /// Sign a decision.
    Sign,
    /// Export the audit pack.
    Export,
    /// Open the dashboard.
    Dashboard,
    /// Change the filters.
    Filter,
    /// Reverse lineage.
    Lineage,
}

/// One binding: keys as shown, the action, what it does.
pub struct Binding {
    /// How the keys are shown in help.
    pub keys: &'static str,
    /// The action.
    pub action: Action,
    /// Description.
    pub help: &'static str,
}

/// The default bindings, in help order.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: "j ↓",
        action: Action::Down,
        help: "next model",
    },
    Binding {
        keys: "k ↑",
        action: Action::Up,
        help: "previous model",
    },
    Binding {
        keys: "PgDn PgUp",
        action: Action::PageDown,
        help: "page down / up",
    },
    Binding {
        keys: "g G",
        action: Action::Top,
        help: "first / last model",
    },
    Binding {
        keys: "/",
        action: Action::Search,
        help: "search names and owners",
    },
    Binding {
        keys: "Esc",
        action: Action::ClearSearch,
        help: "clear search, close help",
    },
    Binding {
        keys: "Tab",
        action: Action::SwitchPane,
        help: "switch pane",
    },
    Binding {
        keys: "s",
        action: Action::Sync,
        help: "sync with the platform",
    },
    Binding {
        keys: "t K a o",
        action: Action::Filter,
        help: "filter: cycle tier, kind, status; overdue only",
    },
    Binding {
        keys: "r",
        action: Action::Review,
        help: "review the latest version (p/f/n answer, c confirm)",
    },
    Binding {
        keys: "S",
        action: Action::Sign,
        help: "sign a decision on the latest version",
    },
    Binding {
        keys: "e",
        action: Action::Export,
        help: "export its audit pack",
    },
    Binding {
        keys: "L",
        action: Action::Lineage,
        help: "reverse lineage: versions on a dataset",
    },
    Binding {
        keys: "d",
        action: Action::Dashboard,
        help: "portfolio dashboard",
    },
    Binding {
        keys: "?",
        action: Action::Help,
        help: "help",
    },
    Binding {
        keys: "q",
        action: Action::Quit,
        help: "quit",
    },
];

/// The action a key press maps to, outside text entry.
pub fn action_for(key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Char('/') => Action::Search,
        KeyCode::Esc => Action::ClearSearch,
        KeyCode::Tab => Action::SwitchPane,
        KeyCode::Char('s') => Action::Sync,
        KeyCode::Char('?') => Action::Help,
        _ => return None,
    })
}

/// The short footer hint.
pub fn footer() -> String {
    const SHOWN: [Action; 5] = [
        Action::Down,
        Action::Search,
        Action::Sync,
        Action::Help,
        Action::Quit,
    ];
    BINDINGS
        .iter()
        .filter(|b| SHOWN.contains(&b.action))
        .map(|b| {
            format!(
                "{} {}",
                b.keys.split(' ').next().unwrap_or(b.keys),
                b.help.split(' ').next().unwrap_or(b.help)
            )
        })
        .collect::<Vec<_>>()
        .join("  ")
}
