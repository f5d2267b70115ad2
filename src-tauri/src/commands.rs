//! IPC commands, named `<area>_<verb>`. Each one delegates to a call on
//! [`countersign_core::actions::Workspace`]; errors cross as
//! [`ErrorReport`](countersign_core::actions::ErrorReport) values (`{code, message, reasons}`).

use crate::AppState;
use countersign_core::actions::{
    AnswerInput, ErrorReport, FindingInput, InventoryPage, ModelPage, ReportFormat, ReviewPage,
    SignRequest, VersionPage, Workspace, WorkspaceInfo,
};
use countersign_core::approval::sign::Signed;
use countersign_core::approval::verify::Verification;
use countersign_core::export::audit_pack::PackReport;
use countersign_core::export::portfolio::PortfolioReport;
use countersign_core::lineage::DatasetUse;
use countersign_core::platform::Progress;
use countersign_core::review::FindingStatus;
use countersign_core::sync::SyncReport;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;

type Reply<T> = Result<T, ErrorReport>;

fn with<T>(
    state: &AppState,
    f: impl FnOnce(&mut Workspace) -> countersign_core::Result<T>,
) -> Reply<T> {
    let mut guard = state.workspace.lock().map_err(|_| ErrorReport {
        code: "internal".into(),
        message: "a previous command panicked; restart the app".into(),
        reasons: Vec::new(),
    })?;
    if guard.is_none() {
        *guard = Some(Workspace::from_env()?);
    }
    match guard.as_mut() {
        Some(w) => f(w).map_err(Into::into),
        None => unreachable!("the workspace was just opened"),
    }
}

fn progress(channel: &Channel<Progress>) -> impl FnMut(Progress) + '_ {
    // A closed window drops the channel; the job goes on and its result is still returned.
    move |p| drop(channel.send(p))
}

/// Where the app works: platform, data directory, identity, policy.
#[tauri::command(async)]
pub fn workspace_info(state: State<'_, AppState>) -> Reply<WorkspaceInfo> {
    with(&state, |w| Ok(w.info()))
}

/// The inventory with each model's status.
#[tauri::command(async)]
pub fn inventory_list(state: State<'_, AppState>) -> Reply<InventoryPage> {
    with(&state, |w| w.inventory())
}

/// One model: record, rubric tier, versions, approvals.
#[tauri::command(async)]
pub fn model_show(state: State<'_, AppState>, name: String) -> Reply<ModelPage> {
    with(&state, |w| w.model(&name))
}

/// One version: evidence and lineage.
#[tauri::command(async)]
pub fn version_show(state: State<'_, AppState>, version: String) -> Reply<VersionPage> {
    with(&state, |w| w.version(&version))
}

/// Verifies a version's approvals against the platform now.
#[tauri::command(async)]
pub fn version_verify(state: State<'_, AppState>, version: String) -> Reply<Verification> {
    with(&state, |w| w.verify(&version))
}

/// Versions trained or evaluated on a dataset.
#[tauri::command(async)]
pub fn lineage_dataset(state: State<'_, AppState>, query: String) -> Reply<Vec<DatasetUse>> {
    with(&state, |w| w.dataset_users(&query))
}

/// Starts or resumes the review of a version.
#[tauri::command(async)]
pub fn review_open(state: State<'_, AppState>, version: String) -> Reply<ReviewPage> {
    with(&state, |w| w.review_open(&version))
}

/// Records an answer.
#[tauri::command(async)]
pub fn review_answer(
    state: State<'_, AppState>,
    version: String,
    answer: AnswerInput,
) -> Reply<ReviewPage> {
    with(&state, |w| w.review_answer(&version, answer))
}

/// Raises a finding.
#[tauri::command(async)]
pub fn review_finding_add(
    state: State<'_, AppState>,
    version: String,
    finding: FindingInput,
) -> Reply<ReviewPage> {
    with(&state, |w| w.review_finding_add(&version, finding))
}

/// Changes a finding's status.
#[tauri::command(async)]
pub fn review_finding_set(
    state: State<'_, AppState>,
    version: String,
    id: String,
    status: FindingStatus,
) -> Reply<ReviewPage> {
    with(&state, |w| w.review_finding_set(&version, &id, status))
}

/// Signs a decision.
#[tauri::command(async)]
pub fn approval_sign(state: State<'_, AppState>, request: SignRequest) -> Reply<Signed> {
    with(&state, |w| w.sign(request))
}

/// The portfolio figures and rows.
#[tauri::command(async)]
pub fn portfolio_show(state: State<'_, AppState>) -> Reply<PortfolioReport> {
    with(&state, |w| w.portfolio())
}

/// A default path for an export under the data directory.
#[tauri::command(async)]
pub fn export_default_path(state: State<'_, AppState>, stem: String, ext: String) -> Reply<String> {
    with(&state, |w| Ok(w.default_export_path(&stem, &ext)))
}

/// Exports a version's audit pack, reporting progress.
#[tauri::command(async)]
pub fn export_audit_pack(
    state: State<'_, AppState>,
    version: String,
    out: PathBuf,
    on_progress: Channel<Progress>,
) -> Reply<PackReport> {
    with(&state, |w| {
        w.export_audit_pack(&version, &out, &mut progress(&on_progress))
    })
}

/// Writes the portfolio report.
#[tauri::command(async)]
pub fn export_portfolio(
    state: State<'_, AppState>,
    out: PathBuf,
    format: ReportFormat,
) -> Reply<PathBuf> {
    with(&state, |w| w.export_portfolio(&out, format))
}

/// Syncs the platform into the store, reporting progress.
#[tauri::command(async)]
pub fn sync_run(
    state: State<'_, AppState>,
    full: bool,
    on_progress: Channel<Progress>,
) -> Reply<SyncReport> {
    with(&state, |w| w.sync(full, &mut progress(&on_progress)))
}
