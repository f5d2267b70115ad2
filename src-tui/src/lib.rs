//! `countersign`: the terminal UI (no subcommand) and the command line for scripts and CI, as a
//! library so that the binary (`src/main.rs`) is one call and the TUI benchmark
//! (`examples/bench_tui.rs`) drives the real UI. Everything here is a thin front end over
//! `countersign_core::workspace`.
//!
//! Exit codes: 0 success; 2 usage error, or nothing trusted (no root pinned, a release short of
//! signatures, an unlisted platform); 3 the platform failed (unreachable, timeout, HTTP
//! error, unreadable response); 4 bad input or data (a reference, a folder-platform file, a
//! model that does not exist); 5 the local store or a file failed.

#[macro_use]
mod output;
mod cli;
mod commands;
mod logging;
mod policy_cmd;
mod queue_cmd;
mod review_cmd;
mod sign_cmd;
pub mod tui;
mod watch_cmd;

use clap::Parser;

/// Runs the program on the process's arguments and returns its exit code.
pub fn main_exit_code() -> i32 {
    // `countersign show … | head -1`: a closed stdout ends the program quietly (as ripgrep
    // does), not with a panic. println! panics on EPIPE; this hook turns exactly that panic
    // into a silent exit 0 and leaves every other panic as it was.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let cli = cli::Cli::parse();
    let code = match commands::run(cli) {
        Ok(()) => 0,
        Err(e) => {
            let code = exit_code(&e);
            // Errors quote platform text and are one line by construction: every control
            // character, newlines included, is made visible.
            eprintln!(
                "error: {}",
                countersign_core::display::escape(&format!("{e:#}"))
            );
            code
        }
    };
    code
}

/// Maps an error to the documented exit code.
fn exit_code(e: &anyhow::Error) -> i32 {
    use countersign_core::Error as E;
    if e.downcast_ref::<output::UsageError>().is_some() {
        return 2;
    }
    match e.downcast_ref::<E>() {
        Some(
            E::Unreachable { .. }
            | E::Timeout { .. }
            | E::Platform { .. }
            | E::MalformedResponse { .. },
        ) => 3,
        Some(E::InvalidInput { .. } | E::InvalidFile { .. } | E::NotFound { .. }) => 4,
        Some(E::Io { .. } | E::Store { .. }) => 5,
        Some(E::Untrusted { .. }) => 2,
        Some(_) => 1,
        None => 1,
    }
}
