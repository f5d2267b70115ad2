//! The desktop app: Tauri commands that delegate to `countersign-core`, nothing more.
//!
//! The workspace (data directory, platform, policy, allowed_signers, identity) comes from the
//! same environment variables as the CLI's (`COUNTERSIGN_DATA_DIR`, `COUNTERSIGN_PLATFORM`, …),
//! see [`countersign_core::workspace::Workspace::from_env`].

pub mod commands;
mod logging;

use std::sync::{Arc, Mutex};

/// State shared by the commands: the core workspace, opened lazily so that a broken store is
/// reported in the window instead of preventing it from opening.
#[derive(Debug, Default)]
pub struct AppState {
    workspace: Arc<Mutex<Option<countersign_core::workspace::Workspace>>>,
}

/// Builds and runs the app.
pub fn run() {
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(AppState::default())
        .setup(|app| {
            logging::install(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::workspace_info,
            commands::settings_show,
            commands::settings_save,
            commands::inventory_list,
            commands::model_show,
            commands::version_show,
            commands::version_verify,
            commands::lineage_dataset,
            commands::review_open,
            commands::review_preview,
            commands::identity_save,
            commands::review_new,
            commands::review_list,
            commands::review_answer,
            commands::review_finding_add,
            commands::review_report_set,
            commands::export_report,
            commands::review_finding_update,
            commands::approval_sign,
            commands::attestation_sign,
            commands::attestation_list,
            commands::attestation_statements,
            commands::portfolio_show,
            commands::queue_show,
            commands::queue_assign,
            commands::export_default_path,
            commands::export_audit_pack,
            commands::export_portfolio,
            commands::sync_run,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("countersign-desktop: {e}");
        std::process::exit(1);
    }
}
