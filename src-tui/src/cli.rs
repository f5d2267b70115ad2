//! Command-line definition.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Countersign: model risk review where the models live.
///
/// With no subcommand, opens the terminal UI on the local store (works offline).
/// Platforms: an MLflow server (http://HOST:PORT, honouring MLFLOW_TRACKING_URI, _TOKEN,
/// _USERNAME, _PASSWORD, _INSECURE_TLS, _SERVER_CERT_PATH) or a folder (folder:PATH).
///
/// Exit codes: 0 ok · 2 usage · 3 platform failed · 4 bad input or data · 5 store/file failed.
#[derive(Debug, Parser)]
#[command(name = "countersign", version, about, long_about)]
pub struct Cli {
    /// Data directory holding the local store [default: ~/.local/share/countersign].
    #[arg(long, global = true, env = "COUNTERSIGN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Platform URI: http(s)://HOST:PORT for MLflow, folder:PATH for a folder
    /// [default: MLFLOW_TRACKING_URI, else the platform used last].
    #[arg(long, global = true, env = "COUNTERSIGN_PLATFORM", value_name = "URI")]
    pub platform: Option<String>,

    /// What to do (no subcommand: open the terminal UI).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pull the inventory from the platform into the local store (incremental after the first).
    Sync(SyncArgs),
    /// List the inventory from the local store.
    Ls(LsArgs),
    /// Show a version: inventory record, evidence summary and lineage.
    Show(ShowArgs),
    /// Print a version's evidence.json (deterministic; its SHA-256 on stderr).
    Evidence(ShowArgs),
    /// Reverse lineage: every version trained or evaluated on a dataset.
    Lineage(LineageArgs),
    /// Generate the demo portfolio (a folder platform), sync it and open the terminal UI.
    Demo(DemoArgs),
}

/// `sync` options.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Fetch every run again, not only new ones.
    #[arg(long)]
    pub full: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `ls` options.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Only this risk tier (e.g. 1).
    #[arg(long)]
    pub tier: Option<String>,
    /// Only owners containing this text.
    #[arg(long)]
    pub owner: Option<String>,
    /// Only this kind: classic, prompt or vendor.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only names containing this text.
    #[arg(long)]
    pub name: Option<String>,
    /// Only models whose review is overdue.
    #[arg(long)]
    pub overdue: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `show` / `evidence` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `lineage` options.
#[derive(Debug, Args)]
pub struct LineageArgs {
    /// A dataset digest or source URI.
    #[arg(long, value_name = "DIGEST|SOURCE")]
    pub dataset: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo folder [default: DATA_DIR/demo].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Prepare the demo but do not open the terminal UI.
    #[arg(long)]
    pub no_tui: bool,
}
