//! Where core's log lines go on the command line: stderr, at the configured level
//! (`COUNTERSIGN_LOG` / `log` in the config file: off, info, debug). The terminal UI installs its
//! own (`tui::logline`: the footer), so nothing paints over its screen.

/// Writes `countersign: MESSAGE` lines to stderr, control characters made visible.
struct Stderr;

impl log::Log for Stderr {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target().starts_with("countersign")
    }

    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            eprintln!(
                "countersign: {}",
                countersign_core::display::escape(&r.args().to_string())
            );
        }
    }

    fn flush(&self) {}
}

static LOGGER: Stderr = Stderr;

/// Installs the stderr logger at `level` (`info`, `debug`/`trace`; anything else is off).
pub(crate) fn init(level: &str) {
    let filter = match level {
        "debug" | "trace" => log::LevelFilter::Debug,
        "info" => log::LevelFilter::Info,
        _ => return,
    };
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(filter);
    }
}
