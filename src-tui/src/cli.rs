//! Command-line definition.

use clap::{Args, Parser, Subcommand};
use countersign_core::approval::Decision;
use countersign_core::inventory::ModelStatus;
use countersign_core::model::ModelKind;
use countersign_core::policy::Role;
use countersign_core::review::{FindingStatus, Outcome, Severity};
use std::path::PathBuf;

/// Countersign: model risk review where the models live.
///
/// With no subcommand, opens the terminal UI on the local store (works offline).
/// Platforms: an MLflow server (http://HOST:PORT, honouring MLFLOW_TRACKING_URI, _TOKEN,
/// _USERNAME, _PASSWORD, _INSECURE_TLS, _SERVER_CERT_PATH) or a folder (folder:PATH).
///
/// Exit codes: 0 ok · 2 usage or not trusted · 3 platform failed · 4 bad input or data · 5 store/file failed.
#[derive(Debug, Parser)]
#[command(name = "countersign", version, about, long_about)]
pub(crate) struct Cli {
    /// Data directory holding the local store [env: COUNTERSIGN_DATA_DIR; config: data_dir;
    /// default: ~/.local/share/countersign].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Platform URI: http(s)://HOST:PORT for MLflow, folder:PATH for a folder
    /// [env: COUNTERSIGN_PLATFORM, then MLFLOW_TRACKING_URI; config: platform; default: the
    /// platform used last].
    #[arg(long, global = true, value_name = "URI")]
    pub platform: Option<String>,

    /// Policy file (TOML) [env: COUNTERSIGN_POLICY; config: policy; default: the built-in
    /// policy, policies/default.toml].
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Who you are (as in allowed_signers), recorded on answers and reviews [env:
    /// COUNTERSIGN_IDENTITY; config: identity; default: the login name].
    #[arg(long = "as", global = true, value_name = "IDENTITY")]
    pub identity: Option<String>,

    /// The roster a policy release is assembled from (`policy release`); verification takes
    /// the roster of the trusted release instead [env: COUNTERSIGN_ALLOWED_SIGNERS; config:
    /// allowed_signers; default: the policy's, else DATA_DIR/allowed_signers].
    #[arg(long, global = true, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,

    /// The pinned trust root: the risk function's root.signers file, or sha256:HEX of a root
    /// published on the platform. The gate, verify, sign and the audit pack trust only what it
    /// signed [env: COUNTERSIGN_ROOT; config: root; default: none, and they refuse].
    #[arg(long, global = true, value_name = "FILE|sha256:HEX")]
    pub root: Option<String>,

    /// The lowest policy release the gate accepts as the newest: a machine that never saw a
    /// newer release cannot be rolled back below it by someone hiding releases [env:
    /// COUNTERSIGN_MIN_RELEASE; config: min_release; default: the newest this machine saw].
    #[arg(long, global = true, value_name = "N")]
    pub min_release: Option<u64>,

    /// What to do (no subcommand: open the terminal UI).
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The global flags as the configuration takes them.
    pub(crate) fn flags(&self) -> countersign_core::config::Flags {
        countersign_core::config::Flags {
            data_dir: self.data_dir.clone(),
            platform: self.platform.clone(),
            policy: self.policy.clone(),
            allowed_signers: self.allowed_signers.clone(),
            root: self.root.clone(),
            min_release: self.min_release,
            identity: self.identity.clone(),
            key: None,
            agent: false,
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// Review a version: start, answer the checklist, raise findings, see what blocks a decision.
    #[command(subcommand)]
    Review(ReviewCmd),
    /// The review queue: every version that must be reviewed or approved now or soon, why (each
    /// trigger), tier, owner, who is assigned and by when, most urgent first.
    ///
    /// Approvals are verified against the platform now (as `verify --all` does) when a trust
    /// root is pinned; otherwise, or with --offline, the ledger's last verdicts are used and
    /// the output says so.
    Queue(QueueArgs),
    /// Assign a version to a reviewer in a role, recorded on the platform (MLflow: a
    /// `countersign.assignment.ROLE` tag on the version; folder: a file beside its reviews),
    /// so every reviewer's queue shows it.
    Assign(AssignArgs),
    /// Sync each change as MLflow reports it: receive MLflow's webhooks (MLflow 3.3 and later),
    /// check each delivery's signature, read again just the version it names, and say what
    /// became stale or entered the review queue.
    ///
    /// First `countersign watch --register URL` (the address MLflow reaches this machine at):
    /// it creates the webhook on the server with a new secret, saved as the config file's
    /// `webhook_secret`. Then `countersign watch --listen HOST:PORT`. MLflow sends no events
    /// for runs, deletions or traces, so a sync also runs every --interval seconds.
    Watch(WatchArgs),
    /// Run the policy's tiering rubric for a model and compare with its recorded tier.
    Tier(TierArgs),
    /// Check a policy file.
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Show your signing key, its fingerprint and allowed_signers line; or generate one.
    Keys(KeysArgs),
    /// Show the resolved configuration: every setting, its value and where it came from.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Sign a decision on a version (validator or approver), and write it back to the platform.
    Sign(SignArgs),
    /// As the model's owner, attest that a version is used as its inventory record documents
    /// and that its limitations hold: a signed record of its own (never an approval), written to
    /// the platform. The tier's `attestation_cadence_months` says how often; `queue` lists a
    /// model whose attestation is due. `--list` shows a version's attestations and whether
    /// each counts.
    Attest(AttestArgs),
    /// Verify every approval of a version (or of the inventory): does each count, and why not.
    Verify(VerifyArgs),
    /// Exit 0 only when the approvals the version's tier requires all count (for pipelines).
    /// Exit 1 with every reason otherwise; 2 on usage or platform errors.
    Gate(VersionJson),
    /// The local hash-chained ledger of approvals made or seen.
    #[command(subcommand)]
    Ledger(LedgerCmd),
    /// Export an audit pack (PDF + records + manifest + VERIFY.txt).
    #[command(subcommand)]
    Export(ExportCmd),
    /// Print the shell completion script for bash, zsh, fish or powershell (where each goes:
    /// docs/cli.md), e.g. `countersign completions bash >
    /// ~/.local/share/bash-completion/completions/countersign`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `countersign man >
    /// ~/.local/share/man/man1/countersign.1`, then `man countersign`.
    Man,
}

/// `export` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ExportCmd {
    /// The audit pack of a version: a new folder, or a .zip.
    AuditPack {
        /// The version, as models:/NAME/VERSION.
        version: String,
        /// Output folder (must not exist or be empty) or FILE.zip.
        #[arg(short, long, value_name = "DIR|FILE.zip")]
        output: PathBuf,
        /// Print JSON (its `schema` field names the format: docs/json.md).
        #[arg(long)]
        json: bool,
    },
    /// The validation report of a version (its latest review with the report the validator
    /// wrote, and the approvals verified): FILE.pdf or FILE.md, never over an existing file.
    Report {
        /// The version, as models:/NAME/VERSION or models:/NAME@ALIAS.
        version: String,
        /// Output file; the format follows its extension (.pdf, .md).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// The portfolio report for managers, from the local store: FILE.pdf, FILE.json or FILE.csv.
    Inventory {
        /// Output file; the format follows its extension (.pdf, .json, .csv).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

/// Which key signs.
#[derive(Debug, Args, Clone)]
pub(crate) struct KeyArgs {
    /// OpenSSH ed25519 private key file [env: COUNTERSIGN_KEY; config: signing_key; default:
    /// ~/.ssh/countersign_ed25519, else ~/.ssh/id_ed25519, else ssh-agent when SSH_AUTH_SOCK
    /// is set].
    #[arg(long, value_name = "FILE", conflicts_with = "agent")]
    pub key: Option<PathBuf>,
    /// Sign through ssh-agent (SSH_AUTH_SOCK).
    #[arg(long)]
    pub agent: bool,
    /// Read the key's passphrase from this file instead of asking.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

/// `keys` options.
#[derive(Debug, Args)]
pub(crate) struct KeysArgs {
    /// The key to show.
    #[command(flatten)]
    pub key: KeyArgs,
    /// Subcommand.
    #[command(subcommand)]
    pub cmd: Option<KeysCmd>,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCmd {
    /// Generate a new ed25519 key (private file 0600, and FILE.pub).
    Generate {
        /// Where to write it [default: ~/.ssh/countersign_ed25519].
        path: Option<PathBuf>,
        /// Comment (your identity).
        #[arg(long, default_value = "")]
        comment: String,
        /// No passphrase (not recommended outside tests and demos).
        #[arg(long, conflicts_with = "passphrase_file")]
        no_passphrase: bool,
        /// Read the new key's passphrase from this file instead of asking.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
}

/// `sign` options.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// validator or approver.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// approve, approve_with_conditions or reject.
    #[arg(long, value_parser = parse_decision)]
    pub decision: Decision,
    /// A condition (repeatable; approve_with_conditions).
    #[arg(long = "condition", value_name = "TEXT")]
    pub conditions: Vec<String>,
    /// When the conditions must be met: YYYY-MM-DD or RFC 3339 (approve_with_conditions).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// The key.
    #[command(flatten)]
    pub key: KeyArgs,
    /// Do not ask for confirmation (required when standard input is not a terminal: a script
    /// never signs by accident).
    #[arg(long, short)]
    pub yes: bool,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `attest` options.
#[derive(Debug, Args)]
pub(crate) struct AttestArgs {
    /// The version, as models:/NAME/VERSION or models:/NAME@ALIAS.
    pub version: String,
    /// List the version's attestations and whether each counts, instead of attesting.
    #[arg(long, conflicts_with_all = ["note", "yes"])]
    pub list: bool,
    /// What you checked, in plain text (at most 2000 characters), kept in the signed record.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The key.
    #[command(flatten)]
    pub key: KeyArgs,
    /// Do not ask for confirmation (required when standard input is not a terminal).
    #[arg(long, short)]
    pub yes: bool,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `verify` options.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The version, as models:/NAME/VERSION (or --all).
    #[arg(required_unless_present = "all")]
    pub version: Option<String>,
    /// Every version in the synced inventory that has approvals.
    #[arg(long, conflicts_with = "version")]
    pub all: bool,
    /// Print the ssh-keygen command that checks each approval by hand.
    #[arg(long)]
    pub explain: bool,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `ledger` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum LedgerCmd {
    /// Check the chain; exit 1 when an entry was altered or removed.
    Verify {
        /// Print JSON (its `schema` field names the format: docs/json.md).
        #[arg(long)]
        json: bool,
    },
    /// List the entries.
    Show {
        /// Print JSON (its `schema` field names the format: docs/json.md).
        #[arg(long)]
        json: bool,
    },
}

/// `review` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ReviewCmd {
    /// Start a review (freezes the evidence, evaluates automatic checks), or resume the open one.
    /// With --new, start a new review that supersedes the latest (after the evidence changed,
    /// or to revalidate an approved version); the old one is kept.
    Start(StartArgs),
    /// Every review of a version: reviewer, dates, progress, which superseded which, and the
    /// approvals made on each.
    List(VersionJson),
    /// Show the checklist with automatic results and answers, and the findings.
    Show(ReviewShowArgs),
    /// Answer a checklist item: pass, fail, na (needs --note), or confirm (accept the automatic result).
    Answer(AnswerArgs),
    /// Apply answers from a file, one per line: ITEM<TAB>OUTCOME<TAB>NOTE ('-' reads stdin);
    /// a line `report:SECTION<TAB>TEXT` writes a section of the validation report (`\n` in
    /// TEXT is a new line). Each line is saved before the next is read, and printed as saved.
    Apply {
        /// The version, as models:/NAME/VERSION.
        version: String,
        /// The answers file, or - for standard input.
        file: PathBuf,
    },
    /// Raise or update a finding.
    #[command(subcommand)]
    Finding(FindingCmd),
    /// Write or show the validation report's sections (executive summary, scope, rating,
    /// conclusion, limitations, use restrictions, recommendations).
    #[command(subcommand)]
    Report(ReportCmd),
    /// Progress: what is unanswered, what blocks a decision, whether the evidence changed.
    Status(VersionJson),
}

/// `review start` options.
#[derive(Debug, Args)]
pub(crate) struct StartArgs {
    /// The version, as models:/NAME/VERSION or models:/NAME@ALIAS.
    pub version: String,
    /// Start a new review even when one exists (it supersedes the latest, which is kept).
    #[arg(long)]
    pub new: bool,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// A version and `--json`.
#[derive(Debug, Args)]
pub(crate) struct VersionJson {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `review show` options.
#[derive(Debug, Args)]
pub(crate) struct ReviewShowArgs {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// Print JSON (the review with its status).
    #[arg(long)]
    pub json: bool,
    /// Print the deterministic review.json record (its SHA-256 on stderr).
    #[arg(long, conflicts_with = "json")]
    pub record: bool,
}

/// `review answer` options.
#[derive(Debug, Args)]
pub(crate) struct AnswerArgs {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// Checklist item id (e.g. OA-01).
    pub item: String,
    /// pass, fail, na, or confirm (take the automatic result).
    #[arg(value_parser = parse_outcome)]
    pub outcome: OutcomeArg,
    /// The validator's note (required for na and for overriding an automatic result).
    #[arg(long, default_value = "")]
    pub note: String,
    /// Evidence reference (repeatable): an artifact path, document or ticket.
    #[arg(long = "evidence", value_name = "REF")]
    pub evidence: Vec<String>,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `review report` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCmd {
    /// Write one section (saved at once, with who wrote it and when); an empty text clears it.
    /// Sections: executive_summary, scope, rating (one of the policy's ratings), conclusion,
    /// model_limitations, validation_limitations, use_restrictions, recommendations.
    Set(ReportSetArgs),
    /// Show every section, what the tier requires and the rating scale.
    Show(VersionJson),
}

/// `review report set` options.
#[derive(Debug, Args)]
pub(crate) struct ReportSetArgs {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// The section (e.g. executive_summary, rating, conclusion).
    #[arg(long)]
    pub section: String,
    /// The text, from a file ('-' reads standard input).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "text",
        required_unless_present = "text"
    )]
    pub file: Option<PathBuf>,
    /// The text itself.
    #[arg(long)]
    pub text: Option<String>,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `review finding` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum FindingCmd {
    /// Raise a finding.
    Add(FindingAddArgs),
    /// Change a finding's status: open, remediated, accepted (as an exception).
    Update(FindingUpdateArgs),
}

/// `review finding add` options.
#[derive(Debug, Args)]
pub(crate) struct FindingAddArgs {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// Title.
    #[arg(long)]
    pub title: String,
    /// high, medium or low.
    #[arg(long, value_parser = parse_severity)]
    pub severity: Severity,
    /// Description.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Who must remediate.
    #[arg(long, default_value = "")]
    pub owner: String,
    /// Due date, YYYY-MM-DD.
    #[arg(long)]
    pub due: String,
    /// The checklist item it relates to.
    #[arg(long)]
    pub item: Option<String>,
    /// What the owner will do about it.
    #[arg(long, default_value = "")]
    pub action_plan: String,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `review finding update` options.
#[derive(Debug, Args)]
pub(crate) struct FindingUpdateArgs {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// Finding id (F-1, …).
    pub id: String,
    /// open, remediated or accepted.
    #[arg(long, value_parser = parse_finding_status)]
    pub status: FindingStatus,
    /// Why (required): what was done to remediate it, the reason the risk is accepted, or why
    /// it is open again.
    #[arg(long, default_value = "")]
    pub note: String,
    /// A link to the remediation's evidence (ticket, run, document).
    #[arg(long, value_name = "LINK")]
    pub evidence: Option<String>,
    /// When an accepted exception lapses (YYYY-MM-DD; required with --status accepted): the
    /// finding is open again after it.
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// Print JSON (the finding).
    #[arg(long)]
    pub json: bool,
}

/// `tier` options.
#[derive(Debug, Args)]
pub(crate) struct TierArgs {
    /// The model: NAME or models:/NAME/VERSION.
    pub model: String,
    /// A rubric answer QUESTION=VALUE (repeatable); otherwise the model's rubric.<id> tags.
    #[arg(long = "answer", value_name = "Q=V")]
    pub answers: Vec<String>,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `policy` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCmd {
    /// Check a policy file; prints its SHA-256, or every error with line and column.
    Check {
        /// The policy file [default: the built-in policy].
        file: Option<PathBuf>,
        /// Print JSON (its `schema` field names the format: docs/json.md).
        #[arg(long)]
        json: bool,
    },
    /// Assemble a policy release: --policy and --allowed-signers (the roster) under the pinned
    /// root (--root FILE), governing one platform; signs it when --key is a root member's.
    ///
    /// Example: countersign --root root.signers --policy policy.toml --allowed-signers roster
    /// policy release -o rel-3 --name prod --uri http://mlflow:5000 --uri http://mlflow.internal:5000 --key risk-1.key
    Release(ReleaseArgs),
    /// Add your signature (a root member's key) to a release or a new root folder.
    Sign {
        /// The release or root folder.
        dir: PathBuf,
        /// The key.
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Publish a release or a root folder to the platform (append-only).
    Publish {
        /// The release or root folder.
        dir: PathBuf,
    },
    /// Show what the pinned root trusts on the platform: the root chain, each release and its
    /// signers, and why anything else is refused. Exit 2 when no release is trusted.
    Verify {
        /// Print JSON (its `schema` field names the format: docs/json.md).
        #[arg(long)]
        json: bool,
    },
    /// Make or rotate the trust root.
    #[command(subcommand)]
    Root(RootCmd),
}

/// `policy release` options.
#[derive(Debug, Args)]
pub(crate) struct ReleaseArgs {
    /// The release folder to write (new).
    #[arg(long, short)]
    pub output: PathBuf,
    /// The release number [default: one more than the newest published].
    #[arg(long)]
    pub number: Option<u64>,
    /// The governed platform's stable name (what approvals bind).
    #[arg(long)]
    pub name: String,
    /// A URI that reaches the platform (repeat for each hostname or mount point).
    #[arg(long = "uri", required = true)]
    pub uris: Vec<String>,
    /// Sign it with a root member's key as well.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Read the key's passphrase from this file instead of asking.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

/// `policy root` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum RootCmd {
    /// Write a first root (version 1): the risk function's keys and thresholds.
    Init(RootArgs),
    /// Write the next root, replacing the pinned one (--root FILE); members of both sign it.
    Rotate {
        /// The new root.
        #[command(flatten)]
        root: RootArgs,
        /// Releases under the old root keep counting only up to this number.
        #[arg(long)]
        last_release: Option<u64>,
    },
}

/// A root's folder, members and thresholds.
#[derive(Debug, Args)]
pub(crate) struct RootArgs {
    /// The root folder to write (new): it gets root.signers.
    #[arg(long, short)]
    pub output: PathBuf,
    /// A member: PRINCIPAL=PUBLIC_KEY_FILE (repeat).
    #[arg(long = "member", required = true)]
    pub members: Vec<String>,
    /// Signatures a policy release needs.
    #[arg(long)]
    pub release_threshold: usize,
    /// Signatures a new root needs, of the previous root's keys and of its own.
    #[arg(long)]
    pub root_threshold: usize,
}

/// `sync` options.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
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

/// `watch` options.
#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// Listen for MLflow's webhook deliveries on this address (plain HTTP, e.g.
    /// 10.0.0.5:8765).
    #[arg(long, value_name = "HOST:PORT", required_unless_present = "register")]
    pub listen: Option<String>,
    /// Create the webhook on the MLflow server, delivering to URL (where MLflow reaches the
    /// listener), with a new secret saved in the config file (readable by its owner only);
    /// then exit. Replaces the webhooks Countersign made for the same URL.
    #[arg(long, value_name = "URL", conflicts_with = "listen")]
    pub register: Option<String>,
    /// Seconds between syncs for what MLflow sends no webhook for (runs, deletions, traces);
    /// 0 for none.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub interval: u64,
    /// One JSON object per line (schema `countersign.watch/v1`): the start, each delivery
    /// applied or refused, each interval sync.
    #[arg(long)]
    pub json: bool,
}

/// `ls` options.
#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    /// Only this risk tier (e.g. 1).
    #[arg(long)]
    pub tier: Option<String>,
    /// Only owners containing this text.
    #[arg(long)]
    pub owner: Option<String>,
    /// Only this kind: classic, prompt or vendor.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<ModelKind>,
    /// Only names containing this text.
    #[arg(long)]
    pub name: Option<String>,
    /// Only models whose review is overdue.
    #[arg(long)]
    pub overdue: bool,
    /// Only models in this status: "not reviewed", "in review", "pending approval", "approved"
    /// or "rejected" (the status of the newest version, as the TUI shows it).
    #[arg(long, value_parser = parse_status)]
    pub status: Option<ModelStatus>,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `queue` options.
#[derive(Debug, Args)]
pub(crate) struct QueueArgs {
    /// Only versions assigned to you (the configured identity: --as, COUNTERSIGN_IDENTITY or
    /// `identity` in the config file).
    #[arg(long)]
    pub mine: bool,
    /// Only models of this risk tier (e.g. 1).
    #[arg(long)]
    pub tier: Option<String>,
    /// Judge approvals from the local ledger instead of verifying them on the platform.
    #[arg(long)]
    pub offline: bool,
    /// Judge the queue as on this date (YYYY-MM-DD, today or later), e.g. the quarter's end:
    /// conditions that will have expired and calendar reviews that will be due show as they
    /// will then. Triggers it sees first are not remembered.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Print JSON (schema countersign.queue/v1).
    #[arg(long)]
    pub json: bool,
}

/// `assign` options.
#[derive(Debug, Args)]
pub(crate) struct AssignArgs {
    /// The version, as models:/NAME/VERSION or models:/NAME@ALIAS.
    pub version: String,
    /// The reviewer, as the roster and allowed_signers name them.
    #[arg(long, value_name = "PRINCIPAL")]
    pub to: String,
    /// The role they are to act in.
    #[arg(long, value_parser = parse_role, default_value = "validator")]
    pub role: Role,
    /// When it is due (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `show` / `evidence` options.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The version, as models:/NAME/VERSION.
    pub version: String,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `lineage` options.
#[derive(Debug, Args)]
pub(crate) struct LineageArgs {
    /// A dataset digest or source URI.
    #[arg(long, value_name = "DIGEST|SOURCE")]
    pub dataset: String,
    /// Report for a deletion request or a data incident: each version marked in production
    /// (the policy's production aliases) and with its approval status (as verified here).
    #[arg(long)]
    pub report: bool,
    /// Print JSON (its `schema` field names the format: docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `demo` options.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Where to write the demo folder [default: DATA_DIR/demo].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Prepare the demo but do not open the terminal UI.
    #[arg(long)]
    pub no_tui: bool,
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCmd {
    /// Every setting with its value and origin (flag, env var, config file, default); secrets
    /// are shown as (set).
    Show {
        /// Print JSON (its `schema` field names the format: docs/json.md).
        #[arg(long)]
        json: bool,
    },
}

/// An answer's outcome on the command line: an outcome, or `confirm` (take the automatic
/// result).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutcomeArg(pub Option<Outcome>);

// Values are parsed by core's own parsers (with their aliases); a bad one is a usage error
// (exit 2) that lists the values.
fn parse_role(s: &str) -> Result<Role, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "validator" => Ok(Role::Validator),
        "approver" => Ok(Role::Approver),
        _ => Err("use validator or approver".into()),
    }
}

fn parse_decision(s: &str) -> Result<Decision, String> {
    Decision::parse(s).ok_or_else(|| "use approve, approve_with_conditions or reject".into())
}

fn parse_outcome(s: &str) -> Result<OutcomeArg, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "confirm" | "auto" => Ok(OutcomeArg(None)),
        o => Outcome::parse(o)
            .map(|o| OutcomeArg(Some(o)))
            .ok_or_else(|| "use pass, fail, na or confirm".into()),
    }
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| "use high, medium or low".into())
}

fn parse_finding_status(s: &str) -> Result<FindingStatus, String> {
    FindingStatus::parse(s).ok_or_else(|| "use open, remediated or accepted".into())
}

fn parse_status(s: &str) -> Result<ModelStatus, String> {
    ModelStatus::parse(s).ok_or_else(|| {
        let all: Vec<&str> = ModelStatus::ALL.iter().map(|s| s.as_str()).collect();
        format!("use one of: {}", all.join(", "))
    })
}

fn parse_kind(s: &str) -> Result<ModelKind, String> {
    ModelKind::parse(s).ok_or_else(|| "use classic, prompt or vendor".into())
}
