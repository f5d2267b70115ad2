//! Core's log lines in the terminal UI: kept in memory and shown in the footer, never written
//! to the terminal (a line on stderr would paint over the screen). Core logs a retry of a
//! slow or failing platform at `info`; that is what a user waiting on a job wants to see.

use std::sync::Mutex;

/// The newest line not yet shown.
static LATEST: Mutex<Option<String>> = Mutex::new(None);

struct Footer;

impl log::Log for Footer {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target().starts_with("countersign") && m.level() <= log::Level::Info
    }

    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            // One line, control characters made visible: platform text reaches the terminal.
            let line = countersign_core::display::escape(&r.args().to_string()).into_owned();
            if let Ok(mut latest) = LATEST.lock() {
                *latest = Some(line);
            }
        }
    }

    fn flush(&self) {}
}

static LOGGER: Footer = Footer;

/// Sends core's log lines to the footer (once per process; a logger already installed stays).
pub(crate) fn install() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
}

/// The newest line logged since the last call, if any.
pub(crate) fn take() -> Option<String> {
    LATEST.lock().ok()?.take()
}
