//! The sign screen: role, decision, conditions, key and passphrase, confirmation, result. With
//! the role `owner` it makes the owner's attestation instead (a note, no decision).

use super::ScreenEffect;
use crate::tui::theme;
use countersign_core::approval::sign::Signed;
use countersign_core::approval::Decision;
use countersign_core::attestation::Attested;
use countersign_core::policy::Role;
use countersign_core::uri::VersionRef;
use countersign_core::workspace::{AttestRequest, ErrorReport, KeySource, SignRequest};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use std::path::{Path, PathBuf};

/// The fields of the sign form, in Tab order.
pub const SIGN_FIELDS: [&str; 6] = [
    "role",
    "decision",
    "conditions",
    "expires",
    "key",
    "passphrase",
];

/// The roles the form signs in, in the order ←/→ cycles them.
pub const ROLES: [Role; 3] = [Role::Validator, Role::Approver, Role::Owner];

/// What the form made.
#[derive(Debug)]
pub enum Made {
    /// A decision.
    Signed(Box<Signed>),
    /// The owner's attestation.
    Attested(Box<Attested>),
}

/// The sign screen.
pub struct SignScreen {
    /// The version.
    pub version: VersionRef,
    /// Role (an index into [`ROLES`]).
    pub role: usize,
    /// Decision (0 approve, 1 approve_with_conditions, 2 reject).
    pub decision: usize,
    /// Conditions, separated by ';' (as the owner: the attestation's note).
    pub conditions: String,
    /// Expiry, YYYY-MM-DD.
    pub expires: String,
    /// Key file path.
    pub key: String,
    /// Passphrase (never shown).
    pub passphrase: String,
    /// Focused field.
    pub field: usize,
    /// Waiting for y/n.
    pub confirming: bool,
    /// The outcome: the signed record, or every reason it was refused.
    pub result: Option<Result<Made, ErrorReport>>,
    /// The demo keys of the validator and of the model's owner, swapped as the role changes
    /// (only while the key field holds one of them).
    demo_keys: Option<(String, String)>,
    /// A signature is being made (a background job: the platform may be slow).
    pub signing: bool,
}

/// The passphrase never shows.
impl std::fmt::Debug for SignScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignScreen")
            .field("version", &self.version)
            .field("field", &self.field)
            .field("key", &self.key)
            .field("passphrase", &"<redacted>")
            .field("signing", &self.signing)
            .finish_non_exhaustive()
    }
}

impl SignScreen {
    /// A form for a version, with a sensible default key.
    pub fn new(
        version: VersionRef,
        data_dir: &Path,
        configured: &countersign_core::config::KeyChoice,
    ) -> Self {
        use countersign_core::config::KeyChoice;
        // The configured key (the same default `countersign sign` uses); on the demo with no
        // key of one's own, the demo validator's.
        let demo_key = data_dir.join("demo/keys/vera.validator@demo.bank/id_ed25519");
        let key = match configured {
            KeyChoice::Agent => PathBuf::from("agent"),
            KeyChoice::File(p) if p.exists() || !demo_key.exists() => p.clone(),
            KeyChoice::File(_) => demo_key,
        };
        Self {
            version,
            role: 0,
            decision: 0,
            conditions: String::new(),
            expires: String::new(),
            key: key.display().to_string(),
            passphrase: String::new(),
            field: 0,
            confirming: false,
            result: None,
            signing: false,
            demo_keys: None,
        }
    }

    /// Knows the model's owner: on the demo, choosing the role `owner` picks their demo key.
    pub fn with_owner(mut self, data_dir: &Path, owner: Option<&str>) -> Self {
        let demo = data_dir.join("demo");
        let validator = countersign_core::demo::demo_key_path(&demo, "vera.validator@demo.bank");
        // The owner tag is platform text: it names a demo key only when it is one plain name.
        let principal = owner
            .map(countersign_core::demo::demo_owner)
            .filter(|p| !p.starts_with('.') && countersign_core::paths::encode_component(p) == *p);
        if let Some(principal) = principal {
            let key = countersign_core::demo::demo_key_path(&demo, &principal);
            if key.exists() && validator.exists() {
                self.demo_keys = Some((validator.display().to_string(), key.display().to_string()));
            }
        }
        self
    }

    /// Role chosen.
    pub fn role(&self) -> Role {
        ROLES[self.role.min(ROLES.len() - 1)]
    }

    /// Whether the form makes the owner's attestation (not a decision).
    pub fn attesting(&self) -> bool {
        self.role() == Role::Owner
    }

    /// The label of field `i` for the role chosen.
    fn label(&self, i: usize) -> &'static str {
        match (self.attesting(), i) {
            (true, 2) => "note",
            (_, i) => SIGN_FIELDS[i],
        }
    }

    /// Whether Tab passes over field `i` (an owner chooses no decision and no expiry).
    fn skipped(&self, i: usize) -> bool {
        self.attesting() && matches!(i, 1 | 3)
    }

    fn step(&mut self, forward: bool) {
        let n = SIGN_FIELDS.len();
        loop {
            self.field = if forward {
                (self.field + 1) % n
            } else {
                (self.field + n - 1) % n
            };
            if !self.skipped(self.field) {
                break;
            }
        }
    }

    /// Decision chosen.
    pub fn decision(&self) -> Decision {
        [
            Decision::Approve,
            Decision::ApproveWithConditions,
            Decision::Reject,
        ][self.decision.min(2)]
    }

    fn text_field(&mut self) -> Option<&mut String> {
        match self.field {
            2 => Some(&mut self.conditions),
            3 => Some(&mut self.expires),
            4 => Some(&mut self.key),
            5 => Some(&mut self.passphrase),
            _ => None,
        }
    }

    /// The key the form names: "agent" (or an empty field with SSH_AUTH_SOCK set) signs
    /// through ssh-agent.
    fn key_source(&self) -> KeySource {
        let use_agent = self.key.trim().eq_ignore_ascii_case("agent")
            || (self.key.trim().is_empty() && std::env::var_os("SSH_AUTH_SOCK").is_some());
        if use_agent {
            KeySource::Agent
        } else {
            KeySource::File {
                path: self.key.clone(),
                passphrase: (!self.passphrase.is_empty()).then(|| self.passphrase.clone()),
            }
        }
    }

    /// The attestation the form describes (role `owner`).
    fn attest_request(&self) -> AttestRequest {
        AttestRequest {
            version: self.version.to_string(),
            note: Some(self.conditions.trim().to_string()).filter(|n| !n.is_empty()),
            key: self.key_source(),
        }
    }

    /// The request the form describes (the app clears the passphrase once the job started).
    fn request(&mut self) -> SignRequest {
        let key = self.key_source();
        let req = SignRequest {
            version: self.version.to_string(),
            role: self.role(),
            decision: self.decision(),
            conditions: self
                .conditions
                .split(';')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            expires: Some(self.expires.trim().to_string()).filter(|e| !e.is_empty()),
            key,
        };
        req
    }

    /// Takes the signing job's result into the form.
    pub fn finish(&mut self, result: Result<Made, ErrorReport>) {
        self.signing = false;
        self.result = Some(result);
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: KeyEvent) -> ScreenEffect {
        if self.signing {
            // Only Esc (cancel the job) while a signature is being made; the app handles it.
            return ScreenEffect::None;
        }
        if self.confirming {
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.confirming = false;
                    self.signing = true;
                    self.result = None;
                    if self.attesting() {
                        return ScreenEffect::Attest(Box::new(self.attest_request()));
                    }
                    return ScreenEffect::Sign(Box::new(self.request()));
                }
                _ => self.confirming = false,
            }
            return ScreenEffect::None;
        }
        match key.code {
            KeyCode::Esc => return ScreenEffect::Close,
            KeyCode::Tab | KeyCode::Down => self.step(true),
            KeyCode::BackTab | KeyCode::Up => self.step(false),
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if self.field < 2 => {
                let forward = key.code != KeyCode::Left;
                if self.field == 0 {
                    let n = ROLES.len();
                    self.role = if forward {
                        (self.role + 1) % n
                    } else {
                        (self.role + n - 1) % n
                    };
                    // On the demo, the owner's key for the owner, the validator's otherwise.
                    if let Some((validator, owner)) = &self.demo_keys {
                        if self.attesting() && self.key == *validator {
                            self.key = owner.clone();
                        } else if !self.attesting() && self.key == *owner {
                            self.key = validator.clone();
                        }
                    }
                } else {
                    self.decision = if forward {
                        (self.decision + 1) % 3
                    } else {
                        (self.decision + 2) % 3
                    };
                }
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                if let Some(t) = self.text_field() {
                    t.clear();
                }
            }
            KeyCode::Enter => {
                self.result = None;
                self.confirming = true;
            }
            KeyCode::Backspace => {
                if let Some(t) = self.text_field() {
                    t.pop();
                }
            }
            KeyCode::Char(c) => {
                if let Some(t) = self.text_field() {
                    t.push(c);
                }
            }
            _ => {}
        }
        ScreenEffect::None
    }
}

/// Draws the sign screen.
pub fn draw(f: &mut Frame, s: &SignScreen, area: Rect) {
    let title = if s.attesting() {
        format!("Attest {} as the model's owner", s.version)
    } else {
        format!("Sign a decision on {}", s.version)
    };
    let mut lines = vec![Line::from(title.bold()), Line::from("")];
    let values = [
        format!("◀ {} ▶", s.role().as_str()),
        if s.attesting() {
            "— (an owner attests; never decides)".to_string()
        } else {
            format!("◀ {} ▶", s.decision().as_str())
        },
        s.conditions.clone(),
        if s.attesting() {
            "—".to_string()
        } else {
            s.expires.clone()
        },
        s.key.clone(),
        "•".repeat(s.passphrase.chars().count()),
    ];
    for (i, value) in values.into_iter().enumerate() {
        let label = s.label(i);
        let focused = i == s.field;
        let style = if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{label:>12}: "),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(value, style),
            Span::raw(if focused { "▏" } else { "" }),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Tab moves · ←/→ choose · Ctrl-U clears · Enter signs (asks first) · Esc back. Key: a file, or \"agent\" for ssh-agent. Conditions: separated by ';'. Role owner: the owner's attestation, with a note.", Style::new().add_modifier(Modifier::DIM))));
    if s.confirming {
        let ask = Style::new()
            .fg(theme::c(Color::Yellow))
            .add_modifier(Modifier::BOLD);
        lines.push(Line::from(""));
        if s.attesting() {
            lines.push(Line::from(Span::styled(
                format!("As the owner of {}, you attest that:", s.version.name),
                ask,
            )));
            for statement in countersign_core::attestation::STATEMENTS {
                lines.push(Line::from(format!("  - {statement}")));
            }
            lines.push(Line::from(Span::styled(
                format!("Attest {}? y/n", s.version),
                ask,
            )));
        } else {
            lines.push(Line::from(Span::styled(
                format!(
                    "Sign '{}' as {} on {}? y/n",
                    s.decision().as_str(),
                    s.role().as_str(),
                    s.version
                ),
                ask,
            )));
        }
    }
    if s.signing {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("Signing {}… (Esc cancels)", s.version),
            Style::new().fg(theme::c(Color::Yellow)),
        )));
    }
    match &s.result {
        Some(Ok(made)) => {
            let (what, signer, key, location, sha, command) = match made {
                Made::Signed(m) => (
                    "Signed",
                    &m.record.signer,
                    &m.record.key_fingerprint,
                    &m.location,
                    &m.record_sha256,
                    &m.verify_command,
                ),
                Made::Attested(m) => (
                    "Attested",
                    &m.record.signer,
                    &m.record.key_fingerprint,
                    &m.location,
                    &m.record_sha256,
                    &m.verify_command,
                ),
            };
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                format!("{what} as {signer} (key {key})"),
                Style::new()
                    .fg(theme::c(Color::Green))
                    .add_modifier(Modifier::BOLD),
            )));
            lines.push(Line::from(format!("written to {location}")));
            lines.push(Line::from(format!("record sha256 {sha}")));
            lines.push(Line::from("verify by hand:"));
            lines.push(Line::from(format!("  {command}")));
        }
        Some(Err(e)) => {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                if s.attesting() {
                    "Not attested:"
                } else {
                    "Not signed:"
                },
                Style::new()
                    .fg(theme::c(Color::Red))
                    .add_modifier(Modifier::BOLD),
            )));
            // A refusal lists every reason; any other error is its one message.
            let reasons = if e.reasons.is_empty() {
                std::slice::from_ref(&e.message)
            } else {
                &e.reasons[..]
            };
            for reason in reasons {
                lines.push(Line::from(Span::styled(
                    format!("  - {reason}"),
                    Style::new().fg(theme::c(Color::Red)),
                )));
            }
        }
        None => {}
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" Sign ")),
        area,
    );
}
