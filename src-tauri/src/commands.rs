//! IPC commands, named `<area>_<verb>`. Each one delegates to a call on
//! [`countersign_core::workspace::Workspace`]; errors cross as
//! [`ErrorReport`](countersign_core::workspace::ErrorReport) values (`{code, message, reasons}`).

use crate::AppState;
use countersign_core::approval::sign::Signed;
use countersign_core::approval::verify::Verification;
use countersign_core::export::audit_pack::PackReport;
use countersign_core::export::portfolio::PortfolioReport;
use countersign_core::lineage::DatasetUse;
use countersign_core::platform::Progress;
use countersign_core::review::report::Section;
use countersign_core::review::FindingUpdate;
use countersign_core::sync::SyncReport;
use countersign_core::workspace::{
    AnswerInput, ErrorReport, FindingInput, IdentitySaved, InventoryPage, ModelPage, QueueOptions,
    ReportFormat, ReviewPage, ReviewSummary, SignRequest, VersionPage, Workspace, WorkspaceInfo,
};
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;

type Reply<T> = Result<T, ErrorReport>;

fn internal(message: String) -> ErrorReport {
    ErrorReport {
        code: "internal".into(),
        message,
        ..ErrorReport::default()
    }
}

/// Runs `f` on the workspace on a blocking thread: core does blocking I/O (SQLite, the
/// platform's HTTP client), which must stay off both the UI thread and the async runtime.
async fn with<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Workspace) -> countersign_core::Result<T> + Send + 'static,
) -> Reply<T> {
    let shared = state.workspace.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut guard = shared
            .lock()
            .map_err(|_| internal("a previous command panicked; restart the app".into()))?;
        if guard.is_none() {
            let mut w = Workspace::from_env()?;
            // The window asks who acts instead of recording under the login name.
            w.config.login_fallback = false;
            *guard = Some(w);
        }
        match guard.as_mut() {
            Some(w) => f(w).map_err(Into::into),
            None => Err(internal("the workspace did not open".into())),
        }
    })
    .await
    .map_err(|e| internal(format!("the command stopped: {e}")))?
}

/// Runs a long `f` (sync, verify, sign, exports) on a workspace of its own, opened from the
/// shared one's source (its platform, policy and settings): the shared lock is held only to read that configuration, so a
/// long sync or export never makes every other command wait.
async fn with_own<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Workspace) -> countersign_core::Result<T> + Send + 'static,
) -> Reply<T> {
    // The very platform, policy and settings the window shows (not resolved again).
    let source = with(state, |w| Ok(w.source())).await?;
    tauri::async_runtime::spawn_blocking(move || {
        let mut own = source.open()?;
        f(&mut own).map_err(Into::into)
    })
    .await
    .map_err(|e| internal(format!("the command stopped: {e}")))?
}

fn progress(channel: &Channel<Progress>) -> impl FnMut(Progress) + '_ {
    // A closed window drops the channel; the job goes on and its result is still returned.
    move |p| drop(channel.send(p))
}

/// The settings view: platform, identity, trust root, signing key and data directory, each
/// with where it came from, and whether the app still needs setting up.
#[tauri::command]
pub async fn settings_show() -> Reply<countersign_core::settings::SettingsPage> {
    tauri::async_runtime::spawn_blocking(|| {
        countersign_core::config::Config::resolve(&countersign_core::config::Flags::default())
            .map(|c| c.settings_page())
            .map_err(Into::into)
    })
    .await
    .map_err(|e| internal(format!("the command stopped: {e}")))?
}

/// Saves the settings into the config file the CLI reads, then opens the workspace afresh
/// from them on the next command.
#[tauri::command]
pub async fn settings_save(
    state: State<'_, AppState>,
    input: countersign_core::settings::SettingsInput,
) -> Reply<countersign_core::settings::SettingsPage> {
    let shared = state.workspace.clone();
    tauri::async_runtime::spawn_blocking(move || {
        use countersign_core::config::{Config, Flags};
        let mut config = Config::resolve(&Flags::default()).map_err(ErrorReport::from)?;
        config.save_settings(&input).map_err(ErrorReport::from)?;
        let mut guard = shared
            .lock()
            .map_err(|_| internal("a previous command panicked; restart the app".into()))?;
        *guard = None;
        Config::resolve(&Flags::default())
            .map(|c| c.settings_page())
            .map_err(Into::into)
    })
    .await
    .map_err(|e| internal(format!("the command stopped: {e}")))?
}

/// Where the app works: platform, data directory, identity, policy.
#[tauri::command]
pub async fn workspace_info(state: State<'_, AppState>) -> Reply<WorkspaceInfo> {
    with(&state, move |w| Ok(w.info())).await
}

/// The inventory with each model's status.
#[tauri::command]
pub async fn inventory_list(state: State<'_, AppState>) -> Reply<InventoryPage> {
    with(&state, move |w| w.inventory()).await
}

/// One model: record, rubric tier, versions, approvals.
#[tauri::command]
pub async fn model_show(state: State<'_, AppState>, name: String) -> Reply<ModelPage> {
    with(&state, move |w| w.model(&name)).await
}

/// One version: evidence and lineage.
#[tauri::command]
pub async fn version_show(state: State<'_, AppState>, version: String) -> Reply<VersionPage> {
    with(&state, move |w| w.version(&version)).await
}

/// Verifies a version's approvals against the platform now.
#[tauri::command]
pub async fn version_verify(state: State<'_, AppState>, version: String) -> Reply<Verification> {
    with_own(&state, move |w| w.verify(&version)).await
}

/// Versions trained or evaluated on a dataset.
#[tauri::command]
pub async fn lineage_dataset(state: State<'_, AppState>, query: String) -> Reply<Vec<DatasetUse>> {
    with(&state, move |w| w.dataset_users(&query)).await
}

/// Starts or resumes the review of a version.
#[tauri::command]
pub async fn review_open(state: State<'_, AppState>, version: String) -> Reply<ReviewPage> {
    with(&state, move |w| w.review_open(&version)).await
}

/// The review of a version to look at, saving nothing (a preview when none exists).
#[tauri::command]
pub async fn review_preview(state: State<'_, AppState>, version: String) -> Reply<ReviewPage> {
    with(&state, move |w| w.review_preview(&version)).await
}

/// Saves who acts (asked on first use) in the config file.
#[tauri::command]
pub async fn identity_save(state: State<'_, AppState>, identity: String) -> Reply<IdentitySaved> {
    with(&state, move |w| w.save_identity(&identity)).await
}

/// Starts a new review that supersedes the latest one (kept).
#[tauri::command]
pub async fn review_new(state: State<'_, AppState>, version: String) -> Reply<ReviewPage> {
    with(&state, move |w| w.review_new(&version)).await
}

/// Every review of a version, oldest first.
#[tauri::command]
pub async fn review_list(state: State<'_, AppState>, version: String) -> Reply<Vec<ReviewSummary>> {
    with(&state, move |w| w.review_list(&version)).await
}

/// Records an answer.
#[tauri::command]
pub async fn review_answer(
    state: State<'_, AppState>,
    version: String,
    answer: AnswerInput,
) -> Reply<ReviewPage> {
    with(&state, move |w| w.review_answer(&version, answer)).await
}

/// Writes (or, with an empty text, clears) one section of the validation report.
#[tauri::command]
pub async fn review_report_set(
    state: State<'_, AppState>,
    version: String,
    section: Section,
    text: String,
) -> Reply<ReviewPage> {
    with(&state, move |w| {
        w.review_report_set(&version, section, &text)
    })
    .await
}

/// Writes a version's validation report (PDF or Markdown, by the file's extension).
#[tauri::command]
pub async fn export_report(
    state: State<'_, AppState>,
    version: String,
    out: PathBuf,
    on_progress: Channel<Progress>,
) -> Reply<PathBuf> {
    with_own(&state, move |w| {
        w.export_report(&version, &out, &mut progress(&on_progress))
    })
    .await
}

/// Raises a finding.
#[tauri::command]
pub async fn review_finding_add(
    state: State<'_, AppState>,
    version: String,
    finding: FindingInput,
) -> Reply<ReviewPage> {
    with(&state, move |w| w.review_finding_add(&version, finding)).await
}

/// Changes a finding's status (with the note it needs; an exception with its expiry).
#[tauri::command]
pub async fn review_finding_update(
    state: State<'_, AppState>,
    version: String,
    id: String,
    update: FindingUpdate,
) -> Reply<ReviewPage> {
    with(&state, move |w| {
        w.review_finding_update(&version, &id, update)
    })
    .await
}

/// Signs a decision.
#[tauri::command]
pub async fn approval_sign(state: State<'_, AppState>, request: SignRequest) -> Reply<Signed> {
    with_own(&state, move |w| w.sign(request)).await
}

/// Records who is to act on a version (validator or approver), on the platform for every
/// reviewer's queue.
#[tauri::command]
pub async fn queue_assign(
    state: State<'_, AppState>,
    version: String,
    to: String,
    role: countersign_core::policy::Role,
    due: Option<String>,
) -> Reply<countersign_core::workspace::Assigned> {
    with_own(&state, move |w| w.assign(&version, &to, role, due)).await
}

/// Signs the owner's attestation of a version (that it is used as documented and its
/// limitations hold), written to the platform.
#[tauri::command]
pub async fn attestation_sign(
    state: State<'_, AppState>,
    request: countersign_core::workspace::AttestRequest,
) -> Reply<countersign_core::attestation::Attested> {
    with_own(&state, move |w| w.attest(request)).await
}

/// What every owner's attestation states, in core's words (shown before the owner confirms).
#[tauri::command]
pub fn attestation_statements() -> Vec<String> {
    countersign_core::attestation::STATEMENTS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Every owner attestation of a version, judged against the platform now.
#[tauri::command]
pub async fn attestation_list(
    state: State<'_, AppState>,
    version: String,
) -> Reply<Vec<countersign_core::attestation::AttestationCheck>> {
    with_own(&state, move |w| w.attestations(&version)).await
}

/// The review queue: every version due for review or approval, why, by when, who; approvals
/// verified on the platform (a long call: on a workspace of its own).
#[tauri::command]
pub async fn queue_show(
    state: State<'_, AppState>,
    options: QueueOptions,
) -> Reply<countersign_core::queue::Queue> {
    with_own(&state, move |w| {
        w.queue(&options, &countersign_core::inventory::today())
    })
    .await
}

/// The portfolio figures and rows.
#[tauri::command]
pub async fn portfolio_show(state: State<'_, AppState>) -> Reply<PortfolioReport> {
    with(&state, move |w| w.portfolio()).await
}

/// A default path for an export under the data directory.
#[tauri::command]
pub async fn export_default_path(
    state: State<'_, AppState>,
    stem: String,
    ext: String,
) -> Reply<String> {
    with(&state, move |w| Ok(w.default_export_path(&stem, &ext))).await
}

/// Exports a version's audit pack, reporting progress.
#[tauri::command]
pub async fn export_audit_pack(
    state: State<'_, AppState>,
    version: String,
    out: PathBuf,
    on_progress: Channel<Progress>,
) -> Reply<PackReport> {
    with_own(&state, move |w| {
        w.export_audit_pack(&version, &out, &mut progress(&on_progress))
    })
    .await
}

/// Writes the portfolio report.
#[tauri::command]
pub async fn export_portfolio(
    state: State<'_, AppState>,
    out: PathBuf,
    format: ReportFormat,
) -> Reply<PathBuf> {
    with_own(&state, move |w| w.export_portfolio(&out, format)).await
}

/// Syncs the platform into the store, reporting progress.
#[tauri::command]
pub async fn sync_run(
    state: State<'_, AppState>,
    full: bool,
    on_progress: Channel<Progress>,
) -> Reply<SyncReport> {
    with_own(&state, move |w| w.sync(full, &mut progress(&on_progress))).await
}
