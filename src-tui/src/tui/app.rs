//! The application state and how keys and mouse events change it. Rendering is in `ui`.

use super::jobs::ReviewJob;
use super::keymap::{self, Action};
use super::screens::sign::Made;
use super::screens::{
    Dashboard, LineageScreen, QueueScreen, ReviewScreen, ScreenEffect, SignScreen,
};
use countersign_core::inventory::{self, Filter, InventoryView, ModelDetail};
use countersign_core::lineage::Lineage;
use countersign_core::uri::VersionRef;
use countersign_core::workspace::Workspace;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

/// What is on screen over the inventory.
#[derive(Debug)]
pub enum Screen {
    /// The inventory (no screen over it).
    Inventory,
    /// The review of a version.
    Review(Box<ReviewScreen>),
    /// The sign form.
    Sign(Box<SignScreen>),
    /// The manager dashboard.
    Dashboard(Box<Dashboard>),
    /// Reverse lineage.
    Lineage(Box<LineageScreen>),
    /// The review queue.
    Queue(Box<QueueScreen>),
}

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
#[derive(Debug)]
pub struct Detail {
    /// Model and versions.
    pub model: ModelDetail,
    /// Lineage of the latest version, if it has one.
    pub lineage: Option<Lineage>,
    /// Evidence of the latest version (metrics for the chart).
    pub evidence: Option<countersign_core::evidence::Evidence>,
    /// Approvals of the model's versions seen or made here (from the ledger), newest first.
    pub approvals: Vec<countersign_core::store::LedgerEntry>,
    /// The last verification of the latest version (V), with every reason.
    pub verification: Option<countersign_core::approval::verify::Verification>,
    /// For a prompt version: its template and model configuration against the previous
    /// version and production.
    pub prompt: Option<countersign_core::workspace::PromptPage>,
}

/// The whole UI state.
#[derive(Debug)]
pub struct App {
    /// The workspace every action goes through (store, platform, policy, settings).
    pub ws: Workspace,
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
    /// How far the help overlay is scrolled (lines).
    pub help_scroll: u16,
    /// The command palette (`:`), when open.
    pub palette: Option<super::commands::Palette>,
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
    /// The screen over the inventory.
    pub screen: Screen,
    /// Ctrl-C was pressed once with an unsaved note.
    pub confirm_quit: bool,
    /// Tier, kind and overdue filters (the search text filters names and owners).
    pub filter: Filter,
    /// Only models with this status, when set.
    pub status_filter: Option<inventory::ModelStatus>,
    /// The keymap (defaults plus the user's overrides).
    pub keymap: keymap::KeyMap,
    /// Sort order: 0 name, 1 tier, 2 next review, 3 status.
    pub sort: usize,
    /// Each model's status and last approval.
    pub statuses: std::collections::BTreeMap<String, inventory::ModelState>,
    /// The background job in flight (verify, export), if any.
    pub job: Option<super::jobs::Job>,
    /// Core's newest log line while a job or sync runs (a retry of a slow platform).
    pub log_line: Option<String>,
    /// Asking who the user is, before the first thing that records it.
    pub identity_prompt: Option<IdentityPrompt>,
    /// The version picked in the detail pane (`[` / `]`), as (model, version); the latest
    /// when none is picked for the selected model. Review, sign, verify and export act on it.
    pub picked_version: Option<(String, String)>,
}

/// The question "who are you?", asked once: before the first answer, finding or review when
/// no identity is configured. Enter saves it in the config file and carries on with the key
/// that asked; Esc records nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityPrompt {
    /// What is typed (starts as the login name, when there is one).
    pub text: String,
    /// The key that needs the identity, replayed once it is saved.
    pub pending: KeyEvent,
    /// Why the last Enter was refused (the text is kept).
    pub error: Option<String>,
}

impl App {
    /// Loads the inventory from the store (no network).
    pub fn new(mut ws: Workspace, today: String) -> anyhow::Result<Self> {
        // The TUI asks who acts instead of recording under the login name.
        ws.config.login_fallback = false;
        let page = ws.inventory_on(&Filter::default(), &today)?;
        let (view, statuses) = (page.view, page.statuses);
        let status = match &view.synced_at {
            Some(t) => format!("synced {t}"),
            None => "never synced — press s to sync".into(),
        };
        let mut app = App {
            ws,
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
            help_scroll: 0,
            palette: None,
            focus: Pane::Table,
            detail: None,
            status,
            syncing: false,
            detail_scroll: 0,
            screen: Screen::Inventory,
            confirm_quit: false,
            filter: Filter::default(),
            status_filter: None,
            keymap: keymap::KeyMap::default(),
            sort: 0,
            statuses,
            job: None,
            log_line: None,
            identity_prompt: None,
            picked_version: None,
        };
        app.apply_search();
        app.refresh_detail();
        Ok(app)
    }

    /// Reloads the inventory from the store, keeping the selection by name.
    pub fn reload(&mut self) -> anyhow::Result<()> {
        let name = self.selected_model().map(|m| m.model.name.clone());
        let page = self.ws.inventory_on(&Filter::default(), &self.today)?;
        (self.view, self.statuses) = (page.view, page.statuses);
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
            .filter(|(_, m)| self.filter.keeps(m, &self.today))
            .filter(|(_, m)| {
                self.status_filter.as_ref().is_none_or(|want| {
                    self.statuses
                        .get(&m.model.name)
                        .is_some_and(|st| st.status == *want)
                })
            })
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
        let models = &self.view.models;
        let status = |i: usize| {
            self.statuses
                .get(&models[i].model.name)
                .map(|s| s.status)
                .unwrap_or(inventory::ModelStatus::NotReviewed)
        };
        match self.sort {
            1 => self.rows.sort_by(|&a, &b| {
                (models[a].model.risk_tier.clone(), &models[a].model.name)
                    .cmp(&(models[b].model.risk_tier.clone(), &models[b].model.name))
            }),
            2 => self.rows.sort_by(|&a, &b| {
                let d = |i: usize| {
                    models[i]
                        .next_review
                        .date
                        .clone()
                        .unwrap_or_else(|| "9999".into())
                };
                (d(a), &models[a].model.name).cmp(&(d(b), &models[b].model.name))
            }),
            3 => self.rows.sort_by(|&a, &b| {
                (status(a), &models[a].model.name).cmp(&(status(b), &models[b].model.name))
            }),
            _ => {}
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    fn refilter(&mut self) {
        self.selected = 0;
        self.apply_search();
        self.refresh_detail();
    }

    /// The active filters in words ("tier 1 · prompt · overdue"), empty when none.
    pub fn filter_label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &self.filter.tier {
            parts.push(format!("tier {t}"));
        }
        if let Some(k) = self.filter.kind {
            parts.push(k.as_str().to_string());
        }
        if let Some(st) = self.status_filter {
            parts.push(st.to_string());
        }
        if self.filter.overdue {
            parts.push("overdue".into());
        }
        if self.sort > 0 {
            parts.push(format!(
                "sorted by {}",
                ["name", "tier", "next review", "status"][self.sort]
            ));
        }
        parts.join(" · ")
    }

    /// Loads the detail of the selected model from the store.
    pub fn refresh_detail(&mut self) {
        self.detail_scroll = 0;
        // A pick holds for its model only, and only while the model has that version.
        let page = self.selected_model().and_then(|m| {
            self.ws
                .model(&m.model.name)
                .ok()
                .map(|p| (m.model.name.clone(), p))
        });
        let keep = match (&self.picked_version, &page) {
            (Some((pn, pv)), Some((name, p))) => {
                pn == name && p.detail.versions.iter().any(|v| &v.version == pv)
            }
            // The model could not be read just now: the pick stands (nothing says it went).
            (Some(_), None) => true,
            (None, _) => false,
        };
        if !keep {
            self.picked_version = None;
        }
        let shown = self.selected_version();
        self.detail = page.map(|(_, page)| {
            let version = shown.and_then(|v| self.ws.version(&v.to_string()).ok());
            let (evidence, lineage, prompt) = match version {
                Some(v) => (Some(v.evidence), Some(v.lineage), v.prompt),
                None => (None, None, None),
            };
            Detail {
                model: page.detail,
                lineage,
                evidence,
                approvals: page.approvals,
                verification: None,
                prompt,
            }
        });
    }

    fn select(&mut self, i: usize) {
        let i = i.min(self.rows.len().saturating_sub(1));
        if i != self.selected || self.detail.is_none() {
            self.selected = i;
            self.refresh_detail();
        }
    }

    /// The version the screens act on: the one picked in the detail pane when the selected
    /// model has it, else its latest version.
    pub fn selected_version(&self) -> Option<VersionRef> {
        let m = self.selected_model()?;
        let picked = self
            .picked_version
            .as_ref()
            .filter(|(name, _)| *name == m.model.name)
            .filter(|(name, v)| {
                // Not a version the detail pane knows this model no longer has.
                self.detail.as_ref().is_none_or(|d| {
                    d.model.model.name != *name || d.model.versions.iter().any(|x| &x.version == v)
                })
            })
            .map(|(_, v)| v.clone());
        Some(VersionRef {
            name: m.model.name.clone(),
            version: picked.or_else(|| m.latest_version.clone())?,
        })
    }

    /// Moves the version picker one version older (`older`) or newer, within the selected
    /// model's versions (newest first), and shows that version in the detail pane.
    fn pick_version(&mut self, older: bool) {
        let Some(d) = &self.detail else {
            return;
        };
        let versions: Vec<String> = d.model.versions.iter().map(|v| v.version.clone()).collect();
        let Some(current) = self.selected_version().map(|v| v.version) else {
            self.status = "this model has no version".into();
            return;
        };
        let at = versions.iter().position(|v| *v == current).unwrap_or(0);
        let next = if older {
            (at + 1).min(versions.len().saturating_sub(1))
        } else {
            at.saturating_sub(1)
        };
        let name = d.model.model.name.clone();
        self.picked_version = (next > 0).then(|| (name.clone(), versions[next].clone()));
        let chosen = versions.get(next).cloned().unwrap_or(current);
        self.status = format!(
            "acting on models:/{name}/{chosen}{}",
            if next == 0 { " (the latest)" } else { "" }
        );
        let keep = self.detail_scroll;
        self.refresh_detail();
        self.detail_scroll = keep;
    }

    /// A key while the identity prompt is open.
    fn identity_key(&mut self, key: KeyEvent) -> Effect {
        let Some(p) = self.identity_prompt.as_mut() else {
            return Effect::None;
        };
        match key.code {
            KeyCode::Esc => {
                self.identity_prompt = None;
                self.status = "nothing recorded: Countersign records who answers, so it needs your identity (or start with --as PRINCIPAL)".into();
            }
            KeyCode::Enter => {
                let text = p.text.trim().to_string();
                match self.ws.save_identity(&text) {
                    Ok(saved) => {
                        let (path, roles) = (saved.path, saved.roles);
                        let pending = p.pending;
                        self.identity_prompt = None;
                        self.status = format!(
                            "you are {text} (saved in {path}){}",
                            match roles {
                                None => " — the trusted roster decides your roles when you sign".to_string(),
                                Some(r) if r.is_empty() => " — the roster gives you no role: you may answer, but your signature would not count".to_string(),
                                Some(r) => format!(" — roster roles: {}", r.join(", ")),
                            }
                        );
                        let status = self.status.clone();
                        let effect = self.on_key(pending);
                        // The replayed key's own message follows the identity's.
                        if self.status != status {
                            self.status = format!("{status}; {}", self.status);
                        }
                        return effect;
                    }
                    Err(e) => p.error = Some(e.to_string()),
                }
            }
            KeyCode::Backspace => {
                p.text.pop();
                p.error = None;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                p.text.push(c);
                p.error = None;
            }
            _ => {}
        }
        Effect::None
    }

    fn open_review(&mut self) {
        let Some(v) = self.selected_version() else {
            self.status = "this model has no version to review".into();
            return;
        };
        self.start_review_job(v, ReviewJob::Look);
    }

    /// Shows, starts or starts anew the review of `v` in a background job: a first review
    /// reads the trust root and a new one the version from the platform, which may be slow.
    fn start_review_job(&mut self, v: VersionRef, what: ReviewJob) {
        let label = match what {
            ReviewJob::Look => format!("opening the review of {v}"),
            ReviewJob::Start => format!("starting the review of {v}"),
            ReviewJob::New => format!("starting a new review of {v}"),
        };
        let vref = v.clone();
        self.start_job(label, move |ws| {
            let version = vref.to_string();
            let page = ws.and_then(|ws| match what {
                ReviewJob::Look => ws.review_preview(&version),
                ReviewJob::Start => ws.review_open(&version),
                ReviewJob::New => ws.review_new(&version),
            });
            super::jobs::JobDone::Review(vref, what, Box::new(page.map_err(|e| e.to_string())))
        });
    }

    /// Starts a background job unless one is running (then says which).
    fn start_job(
        &mut self,
        label: String,
        work: impl FnOnce(
                countersign_core::Result<countersign_core::workspace::Workspace>,
            ) -> super::jobs::JobDone
            + Send
            + 'static,
    ) -> bool {
        if let Some(j) = &self.job {
            self.status = format!("busy: {} — wait, or Esc to cancel it", j.label);
            return false;
        }
        if self.syncing {
            self.status = "busy: a sync is running — wait for it to finish".into();
            return false;
        }
        let source = self.ws.source();
        self.status = format!("{label}… (Esc cancels)");
        self.job = Some(super::jobs::Job::spawn(label, source, work));
        true
    }

    /// Takes the finished job's result, if any, into the screen. Returns whether it did.
    pub fn poll_job(&mut self) -> bool {
        let Some(job) = self.job.as_ref() else {
            return false;
        };
        let Some(done) = job.poll() else {
            // Still running: the status line counts the seconds.
            // Only the job's own line is updated; any other message stays until the next one.
            if !self.status.starts_with(&job.label) {
                return false;
            }
            let shown = format!(
                "{}… {} s (Esc cancels)",
                job.label,
                job.started.elapsed().as_secs()
            );
            if shown != self.status {
                self.status = shown;
                return true;
            }
            return false;
        };
        self.job = None;
        self.log_line = None;
        self.apply_job(done);
        true
    }

    /// Waits for the job in flight and takes its result into the screen (scripted use, tests).
    #[cfg(test)]
    pub fn wait_job(&mut self) {
        if let Some(done) = self.job.take().and_then(|j| j.wait()) {
            self.apply_job(done);
        }
    }

    fn apply_job(&mut self, done: super::jobs::JobDone) {
        match done {
            super::jobs::JobDone::Verified(v, r) => self.finish_verify(v, r),
            super::jobs::JobDone::Pack(v, r) => {
                self.status = match r {
                    Ok(r) => format!(
                        "audit pack of {v} written to {} (pack {})",
                        r.path.display(),
                        countersign_core::display::short_hash(&r.manifest_sha256)
                    ),
                    Err(e) => format!("export of {v} failed: {e}"),
                }
            }
            super::jobs::JobDone::Review(v, what, page) => match (*page, &mut self.screen) {
                (Ok(page), Screen::Review(r))
                    if what == ReviewJob::New && r.version == v.to_string() =>
                {
                    self.status = format!("started review {}", page.review.header.id);
                    r.took_new(page);
                }
                (Ok(page), Screen::Review(r))
                    if what == ReviewJob::Start && r.version == v.to_string() =>
                {
                    self.status = format!("started review {}", page.review.header.id);
                    r.took_started(page);
                }
                (Ok(page), Screen::Inventory) if what == ReviewJob::Look => {
                    self.status = if page.preview {
                        format!("the checklist of {v}, to look at: S starts the review")
                    } else {
                        format!("review of {v} open")
                    };
                    self.screen = Screen::Review(Box::new(ReviewScreen::from_page(&v, page)));
                }
                (Ok(page), _) => {
                    self.status =
                        format!("review {} of {v} ready: r opens it", page.review.header.id)
                }
                (Err(e), Screen::Review(r)) if what != ReviewJob::Look => {
                    self.status = format!("no review of {v} started: {e}");
                    r.message = Some(format!("no review started: {e}"));
                }
                (Err(e), _) => self.status = format!("cannot review {v}: {e}"),
            },
            super::jobs::JobDone::Signed(v, r) => {
                let r = *r;
                self.status = match &r {
                    Ok(s) => format!("signed {v} as {}", s.record.signer),
                    Err(e) => format!("{v} not signed: {}", e.message),
                };
                if let Screen::Sign(form) = &mut self.screen {
                    form.finish(r.map(|s| Made::Signed(Box::new(s))));
                }
            }
            super::jobs::JobDone::Assigned(v, r) => {
                let r = *r;
                self.status = match &r {
                    Ok(a) => format!(
                        "assigned {v} to {} ({})",
                        a.assignment.to, a.assignment.role
                    ),
                    Err(e) => format!("{v} not assigned: {e}"),
                };
                if let Screen::Queue(q) = &mut self.screen {
                    let line = r.map(|a| {
                        let said = format!(
                            "assigned {v} to {} as {}, written to {}",
                            a.assignment.to, a.assignment.role, a.location
                        );
                        // The row shows it at once; the next queue reads it from the platform.
                        if let Some(item) = q
                            .queue
                            .items
                            .iter_mut()
                            .find(|i| i.version_ref == a.version)
                        {
                            item.assignments.retain(|x| x.role != a.assignment.role);
                            item.assignments.push(a.assignment);
                        }
                        said
                    });
                    q.assigned(line);
                }
            }
            super::jobs::JobDone::Attested(v, r) => {
                let r = *r;
                self.status = match &r {
                    Ok(a) => format!("attested {v} as its owner {}", a.record.signer),
                    Err(e) => format!("{v} not attested: {}", e.message),
                };
                if let Screen::Sign(form) = &mut self.screen {
                    form.finish(r.map(|a| Made::Attested(Box::new(a))));
                }
            }
            super::jobs::JobDone::Lost(label) => {
                if let Screen::Sign(form) = &mut self.screen {
                    form.signing = false;
                }
                self.status = format!("{label} stopped without an answer; try again")
            }
            super::jobs::JobDone::Queue(q) => match *q {
                Ok(q) => {
                    self.status = format!("review queue: {} item(s)", q.items.len());
                    if matches!(self.screen, Screen::Inventory) {
                        let me = self.ws.identity.clone();
                        self.screen = Screen::Queue(Box::new(QueueScreen::new(q, me)));
                    }
                }
                Err(e) => self.status = format!("review queue: {e}"),
            },
            super::jobs::JobDone::Report(what, out, r) => {
                self.status = match r {
                    Ok(()) => format!("{what} written to {}", out.display()),
                    Err(e) => format!("the {what} was not written: {e}"),
                }
            }
        }
    }

    /// Cancels the job in flight: its result will be ignored.
    pub fn cancel_job(&mut self) -> bool {
        match self.job.take() {
            Some(j) => {
                self.log_line = None;
                self.status = format!(
                    "cancelled: {} (a request under way ends on its own; its result is ignored)",
                    j.label
                );
                true
            }
            None => false,
        }
    }

    fn verify_selected(&mut self) {
        let Some(v) = self.selected_version() else {
            return;
        };
        let vref = v.clone();
        self.start_job(format!("verifying {v}"), move |ws| {
            let result = ws.and_then(|ws| ws.verify(&vref.to_string()));
            super::jobs::JobDone::Verified(vref, result.map_err(|e| e.to_string()))
        });
    }

    fn finish_verify(
        &mut self,
        v: VersionRef,
        result: Result<countersign_core::approval::verify::Verification, String>,
    ) {
        match result {
            Ok(ver) => {
                self.status = format!(
                    "verified {v}: gate {}",
                    if ver.gate.pass { "PASS" } else { "FAIL" }
                );
                if let Ok(page) = self.ws.inventory_on(&Filter::default(), &self.today) {
                    self.statuses = page.statuses;
                }
                self.refresh_detail();
                if let Some(d) = self.detail.as_mut() {
                    if d.model.model.name == v.name {
                        d.verification = Some(ver);
                    }
                }
            }
            Err(e) => self.status = format!("cannot verify {v}: {e}"),
        }
    }

    fn export_report(&mut self) {
        let out = self.ws.export_path("portfolio", ".pdf");
        self.start_job("writing the portfolio report".into(), move |ws| {
            let result = ws.and_then(|ws| {
                ws.export_portfolio(&out, countersign_core::workspace::ReportFormat::Pdf)
            });
            match result {
                Ok(path) => super::jobs::JobDone::Report("portfolio report".into(), path, Ok(())),
                Err(e) => {
                    super::jobs::JobDone::Report("portfolio report".into(), out, Err(e.to_string()))
                }
            }
        });
    }

    fn export_validation_report(&mut self) {
        let Some(v) = self.selected_version() else {
            return;
        };
        let out = self
            .ws
            .export_path(&format!("{}-v{}-report", v.name, v.version), ".pdf");
        let what = format!("validation report of {v}");
        self.start_job(format!("writing the {what}"), move |ws| {
            let result = ws.and_then(|ws| ws.export_report(&v.to_string(), &out, &mut |_| {}));
            match result {
                Ok(path) => super::jobs::JobDone::Report(what, path, Ok(())),
                Err(e) => super::jobs::JobDone::Report(what, out, Err(e.to_string())),
            }
        });
    }

    fn export_pack(&mut self) {
        let Some(v) = self.selected_version() else {
            return;
        };
        let out = self
            .ws
            .export_path(&format!("{}-v{}", v.name, v.version), "");
        let vref = v.clone();
        self.start_job(format!("exporting the audit pack of {v}"), move |ws| {
            let result =
                ws.and_then(|ws| ws.export_audit_pack(&vref.to_string(), &out, &mut |_| {}));
            super::jobs::JobDone::Pack(vref, result.map_err(|e| e.to_string()))
        });
    }

    /// A key while the command palette is open: typing filters, ↑/↓ choose, Enter sends the
    /// chosen command's key to the screen, Esc closes.
    fn palette_key(&mut self, key: KeyEvent) -> Effect {
        let all = super::commands::of_screen(self);
        let Some(p) = self.palette.as_mut() else {
            return Effect::None;
        };
        let listed = p.matches(all);
        match key.code {
            KeyCode::Esc => {
                self.palette = None;
                self.status.clear();
            }
            KeyCode::Down | KeyCode::Tab => {
                p.selected = (p.selected + 1).min(listed.len().saturating_sub(1))
            }
            KeyCode::Up | KeyCode::BackTab => p.selected = p.selected.saturating_sub(1),
            KeyCode::Backspace => {
                p.filter.pop();
                p.selected = 0;
            }
            KeyCode::Enter => {
                let chosen = listed.get(p.selected).and_then(|c| c.key);
                self.palette = None;
                self.status.clear();
                if let Some(k) = chosen {
                    return self.on_key(k);
                }
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                p.filter.push(c);
                p.selected = 0;
            }
            _ => {}
        }
        Effect::None
    }

    /// Handles a key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Effect {
        let ctrl_c =
            key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        if ctrl_c {
            let unsaved = matches!(&self.screen, Screen::Review(r) if r.has_unsaved_note());
            if unsaved && !self.confirm_quit {
                self.confirm_quit = true;
                let what = match &self.screen {
                    Screen::Review(r) => r.editor.as_ref().map(|e| e.what()),
                    _ => None,
                }
                .unwrap_or_else(|| "the note".into());
                self.status = format!("{what} is not saved: Ctrl-C again quits without it");
                return Effect::None;
            }
            return Effect::Quit;
        }
        self.confirm_quit = false;
        if self.identity_prompt.is_some() {
            return self.identity_key(key);
        }
        if self.palette.is_some() {
            return self.palette_key(key);
        }
        // Help scrolls; any other key closes it (on the inventory, its quit key still quits).
        if self.show_help {
            let quits = matches!(self.screen, Screen::Inventory)
                && self.keymap.action(key) == Some(Action::Quit);
            if !quits {
                match key.code {
                    KeyCode::Down | KeyCode::Char('j') => {
                        self.help_scroll = self.help_scroll.saturating_add(1)
                    }
                    KeyCode::Up | KeyCode::Char('k') => {
                        self.help_scroll = self.help_scroll.saturating_sub(1)
                    }
                    KeyCode::PageDown => self.help_scroll = self.help_scroll.saturating_add(10),
                    KeyCode::PageUp => self.help_scroll = self.help_scroll.saturating_sub(10),
                    _ => self.show_help = false,
                }
                return Effect::None;
            }
        }
        // F1 shows the keys on every screen, a form's too (where `?` is typed as text).
        if key.code == KeyCode::F(1) {
            self.show_help = true;
            self.help_scroll = 0;
            return Effect::None;
        }
        if super::commands::accepts_commands(self) && key.modifiers.is_empty() {
            match key.code {
                KeyCode::Char(':') => {
                    self.palette = Some(super::commands::Palette::default());
                    self.status =
                        "commands of this screen: type to filter, ↑/↓ choose, Enter runs, Esc closes"
                            .into();
                    return Effect::None;
                }
                // The inventory's help key is its keymap's (it may be remapped).
                KeyCode::Char('?') if !matches!(self.screen, Screen::Inventory) => {
                    self.show_help = true;
                    self.help_scroll = 0;
                    return Effect::None;
                }
                _ => {}
            }
        }
        // Nothing is recorded under no name: the first key that would record asks who acts.
        let records = match &self.screen {
            Screen::Review(r) => r.records(key),
            Screen::Queue(q) => q.records(key),
            _ => false,
        };
        if records && !self.ws.identity_configured() {
            self.identity_prompt = Some(IdentityPrompt {
                text: String::new(),
                pending: key,
                error: None,
            });
            self.status = "who are you? answers, findings and reviews record it".into();
            return Effect::None;
        }
        // Esc cancels a job from the inventory (other screens keep Esc for themselves).
        if key.code == KeyCode::Esc
            && matches!(self.screen, Screen::Inventory)
            && !self.searching
            && self.cancel_job()
        {
            return Effect::None;
        }
        // Esc on the sign screen while it signs stops waiting for the signature.
        if key.code == KeyCode::Esc {
            let signing_job = self
                .job
                .as_ref()
                .is_some_and(|j| j.label.starts_with("signing "));
            if let Screen::Sign(form) = &mut self.screen {
                if form.signing && signing_job {
                    form.signing = false;
                    self.cancel_job();
                    self.status
                        .push_str(" — a signature already sent may still be recorded: V verifies");
                    return Effect::None;
                }
            }
        }
        let effect = match &mut self.screen {
            Screen::Inventory => None,
            Screen::Review(r) => Some(r.on_key(&self.ws, key)),
            Screen::Sign(f) => Some(f.on_key(key)),
            Screen::Lineage(l) => Some(l.on_key(&self.ws, key)),
            Screen::Queue(q) => Some(q.on_key(key)),
            Screen::Dashboard(_) => Some(
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('d')
                ) {
                    ScreenEffect::Close
                } else {
                    ScreenEffect::None
                },
            ),
        };
        match effect {
            Some(ScreenEffect::NewReview(v)) => {
                self.start_review_job(v, ReviewJob::New);
                return Effect::None;
            }
            Some(ScreenEffect::StartReview(v)) => {
                self.start_review_job(v, ReviewJob::Start);
                return Effect::None;
            }
            Some(ScreenEffect::OpenReview(v)) => {
                self.screen = Screen::Inventory;
                self.start_review_job(v, ReviewJob::Look);
                return Effect::None;
            }
            Some(ScreenEffect::Assign { version, to, role }) => {
                let v = version.clone();
                let started = self.start_job(format!("assigning {v}"), move |ws| {
                    let result = ws.and_then(|ws| ws.assign(&v.to_string(), &to, role, None));
                    super::jobs::JobDone::Assigned(v, Box::new(result.map_err(|e| e.to_string())))
                });
                if !started {
                    let why = self.status.clone();
                    if let Screen::Queue(q) = &mut self.screen {
                        q.assigned(Err(why));
                    }
                }
                return Effect::None;
            }
            Some(effect @ (ScreenEffect::Sign(_) | ScreenEffect::Attest(_))) => {
                let started = match effect {
                    ScreenEffect::Sign(req) => match VersionRef::parse(&req.version) {
                        Ok(v) => self.start_job(format!("signing {v}"), move |ws| {
                            let result = ws.and_then(|ws| ws.sign(*req));
                            super::jobs::JobDone::Signed(v, Box::new(result.map_err(Into::into)))
                        }),
                        Err(e) => {
                            self.status = format!("not signed: {e}");
                            false
                        }
                    },
                    ScreenEffect::Attest(req) => match VersionRef::parse(&req.version) {
                        Ok(v) => self.start_job(format!("attesting {v}"), move |ws| {
                            let result = ws.and_then(|ws| ws.attest(*req));
                            super::jobs::JobDone::Attested(v, Box::new(result.map_err(Into::into)))
                        }),
                        Err(e) => {
                            self.status = format!("not attested: {e}");
                            false
                        }
                    },
                    _ => false,
                };
                if let Screen::Sign(form) = &mut self.screen {
                    if started {
                        // The passphrase went with the request; the form keeps none.
                        zeroize::Zeroize::zeroize(&mut form.passphrase);
                    } else {
                        // Nothing was sent: the form stays as the user filled it.
                        form.signing = false;
                        form.result = Some(Err(countersign_core::workspace::ErrorReport {
                            code: "busy".into(),
                            message: format!("not signed: {}", self.status),
                            ..Default::default()
                        }));
                    }
                }
                return Effect::None;
            }
            Some(ScreenEffect::Close) => {
                self.screen = Screen::Inventory;
                let _ = self.reload();
                return Effect::None;
            }
            Some(ScreenEffect::None) => return Effect::None,
            None => {}
        }
        if !self.searching {
            match self.keymap.action(key) {
                Some(Action::Review) => {
                    self.open_review();
                    return Effect::None;
                }
                Some(Action::Sign) => {
                    if let Some(v) = self.selected_version() {
                        let owner = self.selected_model().and_then(|m| m.model.owner.clone());
                        self.screen = Screen::Sign(Box::new(
                            SignScreen::new(v, &self.ws.data_dir, &self.ws.session.signing_key)
                                .with_owner(&self.ws.data_dir, owner.as_deref()),
                        ));
                    }
                    return Effect::None;
                }
                Some(Action::Export) => {
                    self.export_pack();
                    return Effect::None;
                }
                Some(Action::ExportValidationReport) => {
                    self.export_validation_report();
                    return Effect::None;
                }
                Some(Action::Lineage) => {
                    let suggestions = self
                        .detail
                        .as_ref()
                        .and_then(|d| d.lineage.as_ref())
                        .map(|l| l.datasets.iter().map(|d| d.digest.clone()).collect())
                        .unwrap_or_default();
                    self.screen = Screen::Lineage(Box::new(LineageScreen::new(suggestions)));
                    return Effect::None;
                }
                Some(Action::FilterTier) => {
                    self.filter.tier = match self.filter.tier.as_deref() {
                        None => Some("1".into()),
                        Some("1") => Some("2".into()),
                        Some("2") => Some("3".into()),
                        _ => None,
                    };
                    self.refilter();
                    return Effect::None;
                }
                Some(Action::FilterKind) => {
                    use countersign_core::model::ModelKind;
                    self.filter.kind = match self.filter.kind {
                        None => Some(ModelKind::Classic),
                        Some(ModelKind::Classic) => Some(ModelKind::Prompt),
                        Some(ModelKind::Prompt) => Some(ModelKind::Vendor),
                        Some(ModelKind::Vendor) => None,
                    };
                    self.refilter();
                    return Effect::None;
                }
                Some(Action::FilterStatus) => {
                    use inventory::ModelStatus as S;
                    // What a reviewer looks for first comes first.
                    const ORDER: [S; 5] = [
                        S::Approved,
                        S::PendingApproval,
                        S::Rejected,
                        S::InReview,
                        S::NotReviewed,
                    ];
                    self.status_filter = match self.status_filter {
                        None => Some(ORDER[0]),
                        Some(cur) => ORDER
                            .iter()
                            .position(|s| *s == cur)
                            .and_then(|i| ORDER.get(i + 1))
                            .copied(),
                    };
                    self.refilter();
                    return Effect::None;
                }
                Some(Action::Verify) => {
                    self.verify_selected();
                    return Effect::None;
                }
                Some(Action::Sort) => {
                    self.sort = (self.sort + 1) % 4;
                    self.refilter();
                    return Effect::None;
                }
                Some(Action::ExportReport) => {
                    self.export_report();
                    return Effect::None;
                }
                Some(Action::FilterOverdue) => {
                    self.filter.overdue = !self.filter.overdue;
                    self.refilter();
                    return Effect::None;
                }
                Some(Action::Dashboard) => {
                    match Dashboard::open(&self.ws, &self.today) {
                        Ok(d) => self.screen = Screen::Dashboard(Box::new(d)),
                        Err(e) => self.status = format!("dashboard: {e}"),
                    }
                    return Effect::None;
                }
                Some(Action::Queue) => {
                    let today = self.today.clone();
                    self.start_job("judging the review queue".into(), move |ws| {
                        let q = ws.and_then(|ws| {
                            ws.queue(
                                &countersign_core::workspace::QueueOptions::default(),
                                &today,
                            )
                        });
                        super::jobs::JobDone::Queue(Box::new(q.map_err(|e| e.to_string())))
                    });
                    return Effect::None;
                }
                _ => {}
            }
        }
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
        let action = self.keymap.action(key);
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
            Action::Sync if self.syncing => {}
            Action::Sync => match &self.job {
                Some(j) => self.status = format!("busy: {} — wait, or Esc to cancel it", j.label),
                None => return Effect::StartSync,
            },
            Action::Help => {
                self.show_help = true;
                self.help_scroll = 0;
            }
            Action::OlderVersion => self.pick_version(true),
            Action::NewerVersion => self.pick_version(false),
            // Handled above, before the keymap (they open screens).
            Action::Review
            | Action::Sign
            | Action::Export
            | Action::ExportValidationReport
            | Action::Dashboard
            | Action::Queue
            | Action::FilterTier
            | Action::FilterKind
            | Action::FilterStatus
            | Action::FilterOverdue
            | Action::Sort
            | Action::Verify
            | Action::ExportReport
            | Action::Lineage => {}
        }
        Effect::None
    }

    /// Handles a mouse event: click selects a row, the wheel scrolls.
    pub fn on_mouse(&mut self, m: MouseEvent) {
        if let Screen::Queue(q) = &mut self.screen {
            match m.kind {
                MouseEventKind::ScrollDown => q.scroll(true),
                MouseEventKind::ScrollUp => q.scroll(false),
                _ => {}
            }
            return;
        }
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
