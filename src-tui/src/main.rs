//! `countersign`: the terminal UI (no subcommand) and the command line for scripts and CI.
//! Exit codes are documented in the library (`countersign_cli`).

fn main() {
    std::process::exit(countersign_cli::main_exit_code());
}
