//! Core's log lines in the desktop window: sent as `core-log` events, which the web front end
//! shows in its status bar (a retry of a slow platform while a sync or an export runs).

use std::sync::OnceLock;
use tauri::Emitter;

static HANDLE: OnceLock<tauri::AppHandle> = OnceLock::new();

struct ToWindow;

impl log::Log for ToWindow {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target().starts_with("countersign") && m.level() <= log::Level::Info
    }

    fn log(&self, r: &log::Record<'_>) {
        if !self.enabled(r.metadata()) {
            return;
        }
        if let Some(handle) = HANDLE.get() {
            // One line, control characters made visible (platform text is quoted in it).
            let line = countersign_core::display::escape(&r.args().to_string()).into_owned();
            let _ = handle.emit("core-log", line);
        }
    }

    fn flush(&self) {}
}

static LOGGER: ToWindow = ToWindow;

/// Sends core's log lines to the app's windows from now on.
pub(crate) fn install(handle: tauri::AppHandle) {
    if HANDLE.set(handle).is_ok() && log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
}
