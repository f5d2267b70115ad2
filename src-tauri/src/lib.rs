//! The desktop app: Tauri commands that delegate to `countersign-core`, nothing more.
//!
//! The data directory and platform come from `COUNTERSIGN_DATA_DIR` and
//! `COUNTERSIGN_PLATFORM` (or the platform used last), exactly as for the terminal UI.

pub mod commands;

use std::sync::Mutex;

/// State shared by the commands: the core session, opened lazily so that a broken store is
/// reported in the window instead of preventing it from opening.
#[derive(Default)]
pub struct AppState {
    session: Mutex<Option<countersign_core::workspace::Session>>,
}

/// Builds and runs the app.
pub fn run() {
    let result = tauri::Builder::default()
        .manage(AppState::default())
        .invoke_handler(tauri::generate_handler![
            commands::inventory_list,
            commands::inventory_detail
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("countersign-desktop: {e}");
        std::process::exit(1);
    }
}
