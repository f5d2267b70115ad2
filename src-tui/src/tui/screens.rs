//! The screens over the inventory: review, sign, dashboard. Each holds its own state and
//! handles its keys; all domain work is done by countersign-core.

use countersign_core::approval::sign::{sign, SignOptions, Signed};
use countersign_core::approval::Decision;
use countersign_core::evidence::Evidence;
use countersign_core::export::portfolio::PortfolioReport;
use countersign_core::policy::checks::AutoOutcome;
use countersign_core::policy::{LoadedPolicy, Role};
use countersign_core::review::{self, Outcome, Review, ReviewStatus};
use countersign_core::signing::SigningKey;
use countersign_core::uri::VersionRef;
use countersign_core::workspace::{self, Session};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};

/// What a screen asks the app to do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenEffect {
    /// Stay.
    None,
    /// Close the screen and go back to the inventory.
    Close,
}

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
pub struct ReviewScreen {
    /// The review.
    pub review: Review,
    /// Its policy.
    pub policy: LoadedPolicy,
    /// The version's evidence now (from the last sync).
    pub current: Option<Evidence>,
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
}

impl ReviewScreen {
    /// Starts (or resumes) the review of a version.
    pub fn open(
        session: &Session,
        policy: &LoadedPolicy,
        vref: &VersionRef,
    ) -> countersign_core::Result<Self> {
        let (review, resumed) = review::start(
            &session.store,
            &session.key,
            policy,
            vref,
            std::env::var("COUNTERSIGN_IDENTITY").ok(),
        )?;
        let policy = review::policy_of(&session.store, &review)?;
        let current = Evidence::from_store(&session.store, &session.key, vref).ok();
        let status = review.status(&policy, current.as_ref());
        let message = Some(if resumed {
            format!("resumed review {}", review.header.id)
        } else {
            format!("started review {}", review.header.id)
        });
        let owner = session
            .store
            .model(&session.key, &vref.name)?
            .and_then(|m| m.owner)
            .unwrap_or_default();
        Ok(Self {
            review,
            policy,
            current,
            selected: 0,
            editor: None,
            status,
            message,
            finding: None,
            owner,
        })
    }

    fn refresh(&mut self) {
        self.status = self.review.status(&self.policy, self.current.as_ref());
    }

    fn item_id(&self) -> Option<String> {
        self.review
            .header
            .items
            .get(self.selected)
            .map(|i| i.id.clone())
    }

    fn save(&mut self, session: &Session, item: &str, outcome: Option<Outcome>, note: &str) {
        let by = std::env::var("COUNTERSIGN_IDENTITY").ok();
        match self
            .review
            .answer(&session.store, item, outcome, note, Vec::new(), by)
        {
            Ok(a) => {
                self.message = Some(format!("{item}: {} saved", a.outcome.as_str()));
                self.refresh();
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

    fn finding_key(&mut self, session: &Session, key: KeyEvent) {
        let Some(form) = self.finding.as_mut() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('s') if ctrl => {
                let f = self.finding.take().expect("form open");
                match self.review.add_finding(
                    &session.store,
                    &f.title,
                    f.severity,
                    "",
                    &f.owner,
                    &f.due,
                    Some(f.item.clone()),
                ) {
                    Ok(saved) => {
                        self.message = Some(format!("{} raised on {}", saved.id, f.item));
                        self.refresh();
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

    /// Handles a key.
    pub fn on_key(&mut self, session: &Session, key: KeyEvent) -> ScreenEffect {
        if self.finding.is_some() {
            self.finding_key(session, key);
            return ScreenEffect::None;
        }
        if let Some(ed) = self.editor.as_mut() {
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                KeyCode::Char('s') if ctrl => {
                    let ed = self.editor.take().expect("editor open");
                    self.save(session, &ed.item, ed.outcome, &ed.text);
                }
                KeyCode::F(2) => {
                    let ed = self.editor.take().expect("editor open");
                    self.save(session, &ed.item, ed.outcome, &ed.text);
                }
                KeyCode::Esc if ed.text.trim().is_empty() || ed.confirm_discard => {
                    self.editor = None;
                    self.message = Some("note discarded".into());
                }
                KeyCode::Esc => {
                    ed.confirm_discard = true;
                    self.message = Some(
                        "the note is not saved: Esc again discards it, Ctrl-S saves it".into(),
                    );
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
        let n = self.review.header.items.len();
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return ScreenEffect::Close,
            KeyCode::Char('j') | KeyCode::Down => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            KeyCode::Char('k') | KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char('g') | KeyCode::Home => self.selected = 0,
            KeyCode::Char('G') | KeyCode::End => self.selected = n.saturating_sub(1),
            KeyCode::Char('c') => {
                if let Some(id) = self.item_id() {
                    self.save(session, &id, None, "");
                }
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
                    .find(|f| f.status == review::FindingStatus::Open)
                    .map(|f| f.id.clone());
                match open {
                    Some(fid) => match self.review.set_finding_status(
                        &session.store,
                        &fid,
                        review::FindingStatus::Remediated,
                    ) {
                        Ok(_) => {
                            self.message = Some(format!("{fid} marked remediated"));
                            self.refresh();
                        }
                        Err(e) => self.message = Some(e.to_string()),
                    },
                    None => self.message = Some("no open finding on this item".into()),
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

/// The fields of the sign form, in Tab order.
pub const SIGN_FIELDS: [&str; 6] = [
    "role",
    "decision",
    "conditions",
    "expires",
    "key",
    "passphrase",
];

/// The sign screen.
pub struct SignScreen {
    /// The version.
    pub version: VersionRef,
    /// Role (0 validator, 1 approver).
    pub role: usize,
    /// Decision (0 approve, 1 approve_with_conditions, 2 reject).
    pub decision: usize,
    /// Conditions, separated by ';'.
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
    pub result: Option<Result<Signed, String>>,
}

impl SignScreen {
    /// A form for a version, with a sensible default key.
    pub fn new(version: VersionRef, data_dir: &Path) -> Self {
        let demo_key = data_dir.join("demo/keys/vera.validator@demo.bank/id_ed25519");
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(".ssh/id_ed25519");
        let key = match std::env::var("COUNTERSIGN_KEY").ok() {
            Some(k) => PathBuf::from(k),
            None if std::env::var_os("SSH_AUTH_SOCK").is_some() && !home.exists() => {
                PathBuf::from("agent")
            }
            None if home.exists() => home,
            None => demo_key,
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
        }
    }

    /// Role chosen.
    pub fn role(&self) -> Role {
        if self.role == 0 {
            Role::Validator
        } else {
            Role::Approver
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

    fn submit(&mut self, session: &Session, policy: &LoadedPolicy, data_dir: &Path) {
        let result = (|| -> Result<Signed, String> {
            let pass = (!self.passphrase.is_empty()).then_some(self.passphrase.as_str());
            // "agent" (or an empty field with SSH_AUTH_SOCK set) signs through ssh-agent.
            let use_agent = self.key.trim().eq_ignore_ascii_case("agent")
                || (self.key.trim().is_empty() && std::env::var_os("SSH_AUTH_SOCK").is_some());
            let key = if use_agent {
                SigningKey::from_agent(None, None).map_err(|e| e.to_string())?
            } else {
                SigningKey::from_file(Path::new(&self.key), pass).map_err(|e| e.to_string())?
            };
            let allowed_path =
                workspace::allowed_signers_path(None, policy, &session.platform, data_dir);
            let allowed =
                workspace::load_allowed_signers(&allowed_path).map_err(|e| e.to_string())?;
            let platform =
                workspace::open_platform(&session.platform).map_err(|e| e.to_string())?;
            let expires_at = if self.expires.trim().is_empty() {
                None
            } else {
                let d = chrono::NaiveDate::parse_from_str(self.expires.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("expires '{}': write YYYY-MM-DD", self.expires))?;
                d.and_hms_opt(23, 59, 59).map(|t| t.and_utc())
            };
            let opts = SignOptions {
                role: self.role(),
                decision: self.decision(),
                conditions: self
                    .conditions
                    .split(';')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
                expires_at,
                signer: std::env::var("COUNTERSIGN_IDENTITY").ok(),
            };
            sign(
                &session.store,
                platform.as_ref(),
                &self.key,
                &key,
                policy,
                &allowed,
                &self.version,
                opts,
            )
            .map_err(|e| e.to_string())
        })();
        // The passphrase is not kept once used.
        self.passphrase.clear();
        self.result = Some(result);
    }

    /// Handles a key.
    pub fn on_key(
        &mut self,
        session: &Session,
        policy: &LoadedPolicy,
        data_dir: &Path,
        key: KeyEvent,
    ) -> ScreenEffect {
        if self.confirming {
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.confirming = false;
                    self.submit(session, policy, data_dir);
                }
                _ => self.confirming = false,
            }
            return ScreenEffect::None;
        }
        match key.code {
            KeyCode::Esc => return ScreenEffect::Close,
            KeyCode::Tab | KeyCode::Down => self.field = (self.field + 1) % SIGN_FIELDS.len(),
            KeyCode::BackTab | KeyCode::Up => {
                self.field = (self.field + SIGN_FIELDS.len() - 1) % SIGN_FIELDS.len()
            }
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if self.field < 2 => {
                let forward = key.code != KeyCode::Left;
                if self.field == 0 {
                    self.role = 1 - self.role;
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

/// The dashboard: the portfolio figures.
pub struct Dashboard {
    /// The report.
    pub report: PortfolioReport,
}

impl Dashboard {
    /// Builds the figures from the store.
    pub fn open(
        session: &Session,
        policy: &LoadedPolicy,
        today: &str,
    ) -> countersign_core::Result<Self> {
        Ok(Self {
            report: countersign_core::export::portfolio::build(
                &session.store,
                &session.key,
                policy,
                today,
            )?,
        })
    }
}

/// Reverse lineage: every version trained or evaluated on a dataset.
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
    pub fn on_key(&mut self, session: &Session, key: KeyEvent) -> ScreenEffect {
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
            KeyCode::Enter => match countersign_core::lineage::versions_using_dataset(
                &session.store,
                &session.key,
                self.input.trim(),
            ) {
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
