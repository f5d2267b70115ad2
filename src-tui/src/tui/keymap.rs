//! The typed keymap: every action the inventory understands, its default keys, and user
//! overrides from `$XDG_CONFIG_HOME/countersign/keys.toml` (or `COUNTERSIGN_KEYMAP`), e.g.
//!
//! ```toml
//! review = "R"
//! quit = "x"
//! ```
//! The help overlay and the footer are generated from it.

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
    /// Export the version's validation report (PDF).
    ExportValidationReport,
    /// Open the dashboard.
    Dashboard,
    /// Reverse lineage.
    Lineage,
    /// Cycle the tier filter.
    FilterTier,
    /// Cycle the kind filter.
    FilterKind,
    /// Cycle the status filter.
    FilterStatus,
    /// Toggle overdue-only.
    FilterOverdue,
    /// Cycle the sort order.
    Sort,
    /// Export the portfolio report.
    ExportReport,
    /// Verify the latest version's approvals now.
    Verify,
    /// Open the review queue.
    Queue,
    /// Act on the next older version of the selected model (the detail pane's version picker).
    OlderVersion,
    /// Act on the next newer version of the selected model.
    NewerVersion,
}

/// (action, name in keys.toml, default keys, help) in help order.
const ACTIONS: &[(Action, &str, &[&str], &str)] = &[
    (Action::Down, "down", &["j", "Down"], "next model"),
    (Action::Up, "up", &["k", "Up"], "previous model"),
    (Action::PageDown, "page_down", &["PgDn"], "page down"),
    (Action::PageUp, "page_up", &["PgUp"], "page up"),
    (Action::Top, "top", &["g", "Home"], "first model"),
    (Action::Bottom, "bottom", &["G", "End"], "last model"),
    (Action::Search, "search", &["/"], "search names and owners"),
    (
        Action::ClearSearch,
        "clear_search",
        &["Esc"],
        "clear search, close help",
    ),
    (Action::SwitchPane, "switch_pane", &["Tab"], "switch pane"),
    (
        Action::OlderVersion,
        "older_version",
        &["["],
        "version picker: older version (review, sign, verify, export act on it)",
    ),
    (
        Action::NewerVersion,
        "newer_version",
        &["]"],
        "version picker: newer version",
    ),
    (
        Action::FilterTier,
        "filter_tier",
        &["t"],
        "filter: cycle tier",
    ),
    (
        Action::FilterKind,
        "filter_kind",
        &["K"],
        "filter: cycle kind",
    ),
    (
        Action::FilterStatus,
        "filter_status",
        &["a"],
        "filter: cycle status",
    ),
    (
        Action::FilterOverdue,
        "filter_overdue",
        &["o"],
        "filter: overdue only",
    ),
    (
        Action::Sort,
        "sort",
        &["O"],
        "sort: name, tier, next review, status",
    ),
    (
        Action::Verify,
        "verify",
        &["V"],
        "verify the latest version's approvals now",
    ),
    (Action::Sync, "sync", &["s"], "sync with the platform"),
    (
        Action::ExportReport,
        "export_report",
        &["P"],
        "export the portfolio report (PDF)",
    ),
    (
        Action::Review,
        "review",
        &["r"],
        "review the latest version (p/f/n answer, c confirm, F finding)",
    ),
    (
        Action::Sign,
        "sign",
        &["S"],
        "sign a decision (as the owner: attest) on the selected version",
    ),
    (Action::Export, "export", &["e"], "export its audit pack"),
    (
        Action::ExportValidationReport,
        "export_validation_report",
        &["E"],
        "export its validation report (PDF)",
    ),
    (
        Action::Lineage,
        "lineage",
        &["L"],
        "reverse lineage: versions on a dataset",
    ),
    (
        Action::Dashboard,
        "dashboard",
        &["d"],
        "portfolio dashboard",
    ),
    (
        Action::Queue,
        "queue",
        &["Q"],
        "review queue: what is due, why, who (Enter reviews that version)",
    ),
    (Action::Help, "help", &["?"], "help"),
    (Action::Quit, "quit", &["q"], "quit"),
];

fn parse_key(spec: &str) -> Option<KeyCode> {
    Some(match spec {
        "Down" => KeyCode::Down,
        "Up" => KeyCode::Up,
        "PgDn" => KeyCode::PageDown,
        "PgUp" => KeyCode::PageUp,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Enter" => KeyCode::Enter,
        s if s.chars().count() == 1 => KeyCode::Char(s.chars().next()?),
        _ => return None,
    })
}

/// A keymap: keys → actions.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<(String, KeyCode, Action)>,
}

impl Default for KeyMap {
    fn default() -> Self {
        let mut bindings = Vec::new();
        for (action, _, keys, _) in ACTIONS {
            for k in *keys {
                if let Some(code) = parse_key(k) {
                    bindings.push((k.to_string(), code, *action));
                }
            }
        }
        Self { bindings }
    }
}

impl KeyMap {
    /// The defaults with the overrides of a keys.toml text applied; errors name the entry.
    pub fn with_overrides(text: &str) -> Result<Self, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("keys.toml: {}", e.message()))?;
        let mut map = Self::default();
        for (name, value) in table {
            let (action, ..) = ACTIONS
                .iter()
                .find(|(_, n, ..)| *n == name)
                .ok_or_else(|| {
                    format!(
                        "keys.toml: unknown action '{name}' (known: {})",
                        ACTIONS.iter().map(|a| a.1).collect::<Vec<_>>().join(", ")
                    )
                })?;
            let keys: Vec<String> = match value {
                toml::Value::String(s) => vec![s],
                toml::Value::Array(a) => a.into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
                other => return Err(format!("keys.toml: {name} = {other}: write a key such as \"R\" or a list [\"R\", \"Enter\"]")),
            };
            let mut codes = Vec::new();
            for k in &keys {
                codes.push((k.clone(), parse_key(k).ok_or_else(|| format!("keys.toml: {name}: '{k}' is not a key (one character, or Down, Up, PgDn, PgUp, Home, End, Esc, Tab, Enter)"))?));
            }
            // The action loses its default keys, and the new keys leave any other action.
            map.bindings
                .retain(|(_, code, a)| a != action && !codes.iter().any(|(_, c)| c == code));
            for (k, code) in codes {
                map.bindings.push((k, code, *action));
            }
        }
        Ok(map)
    }

    /// The user's keymap: `COUNTERSIGN_KEYMAP`, else `$XDG_CONFIG_HOME/countersign/keys.toml`,
    /// else the defaults. A broken file gives the defaults and a message for the status bar.
    pub fn load() -> (Self, Option<String>) {
        let path = std::env::var_os("COUNTERSIGN_KEYMAP")
            .map(std::path::PathBuf::from)
            .or_else(|| dirs_config().map(|d| d.join("countersign").join("keys.toml")));
        let Some(path) = path.filter(|p| p.exists()) else {
            return (Self::default(), None);
        };
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| Self::with_overrides(&t))
        {
            Ok(map) => (map, None),
            Err(e) => (
                Self::default(),
                Some(format!("{}: {e}; using the default keys", path.display())),
            ),
        }
    }

    /// The action a key press maps to (Ctrl-C always quits).
    pub fn action(&self, key: KeyEvent) -> Option<Action> {
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return (key.code == KeyCode::Char('c')).then_some(Action::Quit);
        }
        self.bindings
            .iter()
            .find(|(_, code, _)| *code == key.code)
            .map(|(_, _, a)| *a)
    }

    /// The keys bound to the action named `name` in keys.toml (None: no such action).
    pub fn keys_named(&self, name: &str) -> Option<Vec<&str>> {
        let (action, ..) = ACTIONS.iter().find(|(_, n, ..)| *n == name)?;
        Some(self.keys_for(*action))
    }

    /// The keys bound to an action, as written.
    pub fn keys_for(&self, action: Action) -> Vec<&str> {
        self.bindings
            .iter()
            .filter(|(_, _, a)| *a == action)
            .map(|(k, _, _)| k.as_str())
            .collect()
    }

    /// (keys, help) for the help overlay, in help order.
    pub fn help(&self) -> Vec<(String, &'static str)> {
        ACTIONS
            .iter()
            .map(|(a, _, _, help)| (self.keys_for(*a).join(" "), *help))
            .collect()
    }

    /// Every action as a command of the palette and the help overlay: its keys, its help, and
    /// the first of its keys to send.
    pub fn commands(&self) -> Vec<super::commands::Command> {
        ACTIONS
            .iter()
            .map(|(a, _, _, help)| super::commands::Command {
                keys: self.keys_for(*a).join(" "),
                does: (*help).to_string(),
                key: self
                    .bindings
                    .iter()
                    .find(|(_, _, b)| b == a)
                    .map(|(_, code, _)| KeyEvent::from(*code)),
                hint: None,
            })
            .collect()
    }

    /// The short footer hint.
    pub fn footer(&self) -> String {
        [
            (Action::Down, "next"),
            (Action::Search, "search"),
            (Action::Review, "review"),
            (Action::Sync, "sync"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ]
        .iter()
        .filter_map(|(a, word)| self.keys_for(*a).first().map(|k| format!("{k} {word}")))
        .collect::<Vec<_>>()
        .join("  ")
    }
}

fn dirs_config() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".config")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn defaults_and_overrides() {
        let d = KeyMap::default();
        assert_eq!(d.action(k(KeyCode::Char('r'))), Some(Action::Review));
        assert_eq!(
            d.action(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        let m = KeyMap::with_overrides("review = \"R\"\nquit = [\"x\", \"Esc\"]\n").unwrap();
        assert_eq!(m.action(k(KeyCode::Char('R'))), Some(Action::Review));
        assert_eq!(
            m.action(k(KeyCode::Char('r'))),
            None,
            "the default key is released"
        );
        assert_eq!(
            m.action(k(KeyCode::Esc)),
            Some(Action::Quit),
            "Esc moved from clear_search to quit"
        );
        assert!(m.keys_for(Action::ClearSearch).is_empty());
        assert!(m
            .help()
            .iter()
            .any(|(keys, help)| keys == "R" && help.starts_with("review")));
        assert!(m.footer().contains("R review") && m.footer().contains("x quit"));
    }

    #[test]
    fn broken_overrides_say_what_is_wrong() {
        assert!(KeyMap::with_overrides("reveiw = \"R\"")
            .unwrap_err()
            .contains("unknown action 'reveiw'"));
        assert!(KeyMap::with_overrides("review = \"Ctrl-R\"")
            .unwrap_err()
            .contains("'Ctrl-R' is not a key"));
        assert!(KeyMap::with_overrides("review = 3")
            .unwrap_err()
            .contains("write a key"));
        assert!(KeyMap::with_overrides("review = ")
            .unwrap_err()
            .starts_with("keys.toml:"));
    }
}
