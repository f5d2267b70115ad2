//! What a front end does, as plain calls on a [`Workspace`]: each takes inputs a form can hold
//! (strings, enums, numbers) and returns a serialisable value. The desktop app's IPC commands
//! are one-line delegations to these, and their TypeScript types are generated from the
//! structs here (`ts-rs`).

pub mod keys;
mod queue;
mod watch;
pub use queue::{Assigned, QueueOptions};
pub use watch::WatchReport;

use crate::approval::sign::{SignOptions, Signed};
use crate::approval::verify::Verification;
use crate::approval::Decision;
use crate::evidence::Evidence;
use crate::export::audit_pack::PackReport;
use crate::export::portfolio::PortfolioReport;
use crate::inventory::{self, InventoryView, ModelDetail, ModelState, ModelStatus};
use crate::lineage::{DatasetUse, Lineage};
use crate::platform::Progress;
use crate::policy::rubric::Assessment;
use crate::policy::{LoadedPolicy, Role};
use crate::review::{self, FindingStatus, Review, ReviewStatus};
pub use crate::review::{AnswerInput, FindingInput};
use crate::session::{self, Session};
use crate::signing::SigningKey;
use crate::store::LedgerEntry;
use crate::sync::{SyncOptions, SyncReport};
use crate::uri::VersionRef;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// Where a front end works: the session (store + platform), the policy and the paths, from one
/// resolved [`crate::config::Config`] (flags > environment > config file > defaults).
#[derive(Debug)]
pub struct Workspace {
    /// Store and platform.
    pub session: Session,
    /// The policy in force.
    pub policy: LoadedPolicy,
    /// The data directory.
    pub data_dir: PathBuf,
    /// An explicit allowed_signers file, if one was given.
    pub allowed_signers: Option<PathBuf>,
    /// An explicit acting identity, if one was given.
    pub identity: Option<String>,
    /// The resolved configuration it was opened with.
    pub config: crate::config::Config,
}

/// The configuration a session carries (its settings over the defaults).
impl ReportFormat {
    /// The format a file name asks for by its extension (`.pdf`, `.json`, `.csv`).
    pub fn from_path(path: &Path) -> Result<Self> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("pdf") => Ok(ReportFormat::Pdf),
            Some("json") => Ok(ReportFormat::Json),
            Some("csv") => Ok(ReportFormat::Csv),
            other => Err(Error::InvalidInput {
                what: "report file",
                input: path.display().to_string(),
                reason: format!(
                    "unknown format '{}': end the name in .pdf, .json or .csv",
                    other.unwrap_or_default()
                ),
            }),
        }
    }
}

fn config_of(session: &Session, data_dir: &Path) -> crate::config::Config {
    let mut config = crate::config::Config::defaults();
    config.data_dir.value = data_dir.to_path_buf();
    config.identity.value = session.identity.clone();
    config.allowed_signers.value = session.allowed_signers.clone();
    config.signing_key.value = session.signing_key.clone();
    config.http = session.client.clone();
    config.root.value = session.root.clone();
    config
}

/// What the pinned root trusts on the workspace's platform, with a platform client reading
/// inventory fields under the newest release's tag names.
pub struct Trusted {
    /// The root chain and the releases it trusts.
    pub trust: crate::trust::Trust,
    /// The platform, opened under the newest release's policy.
    pub platform: Box<dyn crate::platform::Platform>,
}

impl std::fmt::Debug for Trusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trusted")
            .field("trust", &self.trust)
            .field(
                "platform",
                &crate::uri::redact_url_str(&self.platform.uri()),
            )
            .finish()
    }
}

/// Opens a [`Workspace`] again on another thread: the configuration, the store file, the
/// platform and the policy of the one it came from ([`Workspace::source`]).
#[derive(Debug, Clone)]
pub struct WorkspaceSource {
    config: crate::config::Config,
    store_path: PathBuf,
    platform: crate::uri::PlatformUri,
    policy: LoadedPolicy,
    data_dir: PathBuf,
}

impl WorkspaceSource {
    /// Opens the workspace with a store connection of its own.
    pub fn open(&self) -> Result<Workspace> {
        let store = crate::store::Store::open(&self.store_path)?;
        let session = Session::with_store(store, self.platform.clone(), &self.config);
        let mut ws = Workspace::from_session(session, self.policy.clone(), self.data_dir.clone());
        ws.config = self.config.clone();
        Ok(ws)
    }
}

/// What `demo` made: where, the root to pin, the portfolio's size, the approvals signed and the
/// trust chain (to show).
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// The demo's folder platform.
    pub dir: PathBuf,
    /// The root file to pin.
    pub root: String,
    /// Models generated.
    pub models: usize,
    /// Versions synced.
    pub versions: u64,
    /// Approvals signed.
    pub signed: usize,
    /// The root chain and the releases it trusts.
    pub trust: crate::trust::Trust,
}

/// An identity saved on first use ([`Workspace::save_identity`]).
#[derive(Debug, Clone, Serialize, TS)]
pub struct IdentitySaved {
    /// Who acts from now on.
    pub identity: String,
    /// The config file it was saved in.
    pub path: String,
    /// The roles the configured policy's roster gives it (empty: its signature would not
    /// count); `None` when a trust root is pinned: the trusted release's roster decides when
    /// signing.
    pub roles: Option<Vec<String>>,
}

/// What the window shows in its header.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WorkspaceInfo {
    /// The platform, without credentials.
    pub platform: String,
    /// The data directory.
    pub data_dir: String,
    /// Who is acting: the configured identity, else the login name, else "unknown".
    pub identity: String,
    /// Whether an identity is configured; when not, the window asks for one before it
    /// records anything ([`Workspace::save_identity`]).
    pub identity_configured: bool,
    /// Policy version label.
    pub policy_version: String,
    /// Policy SHA-256.
    pub policy_sha256: String,
    /// The roster file a policy release would be assembled from (verification uses the
    /// trusted release's roster).
    pub allowed_signers: String,
    /// The pinned trust root (a file or `sha256:HEX`), or "none pinned".
    pub root: String,
    /// Tiers the policy defines, in order.
    pub tiers: Vec<String>,
}

/// The inventory with each model's status.
#[derive(Debug, Clone, Serialize, TS)]
pub struct InventoryPage {
    /// Models, from the store.
    pub view: InventoryView,
    /// Model name → status.
    pub statuses: BTreeMap<String, ModelState>,
}

/// One model: its record, the rubric's tier with rationale, versions and ledger approvals.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ModelPage {
    /// Record and versions.
    pub detail: ModelDetail,
    /// The rubric's tier and why.
    pub assessment: Assessment,
    /// Approvals in the ledger (latest verdict of each), newest first.
    pub approvals: Vec<LedgerEntry>,
    /// Version number → status from the ledger.
    pub version_status: BTreeMap<String, ModelStatus>,
    /// The model's next review: from the approvals and the tier's cadence, else the owner's
    /// declared date (as the inventory shows it).
    pub next_review: crate::inventory::NextReview,
    /// Whether that date has passed.
    pub overdue: bool,
}

/// One version: its evidence (metrics with history, params, datasets, tags) and lineage.
#[derive(Debug, Clone, Serialize, TS)]
pub struct VersionPage {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// Evidence as the last sync saw it.
    pub evidence: Evidence,
    /// Datasets → run → version.
    pub lineage: Lineage,
    /// The model's inventory record.
    pub model: Option<crate::model::Model>,
    /// What scorers, judges and reviewers said on the traces of its GenAI evaluations
    /// ([`Evidence::assessment_rows`], headed by [`crate::evidence::ASSESSMENT_HEADINGS`]).
    pub assessments: Vec<Vec<String>>,
    /// For a prompt: its template and model configuration against the previous version and
    /// production ([`Workspace::prompt`]).
    pub prompt: Option<PromptPage>,
}

/// A prompt version's template and model configuration, with its template compared with the
/// previous version and with every version in production ([`Workspace::prompt`]).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PromptPage {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// Its template and model configuration.
    pub facts: crate::prompt::PromptFacts,
    /// Against the version registered before it, if any.
    pub against_previous: Option<crate::prompt::PromptComparison>,
    /// Against each other version a production alias or stage points at.
    pub against_production: Vec<crate::prompt::PromptComparison>,
}

/// A review with where it stands.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReviewPage {
    /// The review (checklist with automatic results, answers, findings).
    pub review: Review,
    /// Progress and blockers.
    pub status: ReviewStatus,
    /// Whether it was resumed rather than started now.
    pub resumed: bool,
    /// The model's owner (the default owner of a finding).
    pub owner: Option<String>,
    /// What the reviewer should know of the policy a new review is drafted under.
    pub note: Option<String>,
    /// A draft to look at, not saved: no review of the version exists yet, and only starting
    /// one ([`Workspace::review_open`]) creates it (looking is not starting).
    #[serde(default)]
    pub preview: bool,
    /// The validation report's sections the review's tier requires before an approval.
    #[serde(default)]
    pub report_required: Vec<crate::review::report::Section>,
    /// For a prompt: its template and model configuration against the previous version and
    /// production ([`Workspace::prompt`]); `None` for other models.
    #[serde(default)]
    pub prompt: Option<PromptPage>,
    /// The overall ratings the review's policy allows, best first.
    #[serde(default)]
    pub ratings: Vec<String>,
}

/// One review of a version in its history ([`Workspace::review_list`]).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReviewSummary {
    /// Review id.
    pub id: String,
    /// Who started it.
    pub reviewer: Option<String>,
    /// When (RFC 3339 UTC).
    pub started_at: String,
    /// The tier its checklist is for.
    pub tier: String,
    /// The policy version it was drafted under.
    pub policy_version: String,
    /// The evidence it froze.
    pub evidence_sha256: String,
    /// Whether the version's evidence (as last synced) differs from what it froze.
    pub evidence_changed: bool,
    /// Items answered.
    pub answered: usize,
    /// Items in its checklist.
    pub total: usize,
    /// Findings still open.
    pub open_findings: usize,
    /// The review it superseded.
    pub supersedes: Option<String>,
    /// The review that superseded it.
    pub superseded_by: Option<String>,
    /// Whether it is the latest (the one answers and signatures go to).
    pub current: bool,
    /// Approvals made on it, from the ledger (latest verdict of each).
    pub approvals: Vec<LedgerEntry>,
}

/// The key to sign with.
#[derive(Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeySource {
    /// An OpenSSH private key file, with its passphrase if it has one.
    File {
        /// The key file.
        path: String,
        /// Its passphrase (never logged, never stored).
        passphrase: Option<String>,
    },
    /// The first key held by the running ssh-agent (`SSH_AUTH_SOCK`).
    Agent,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File { path, passphrase } => f
                .debug_struct("File")
                .field("path", path)
                .field("passphrase", &passphrase.as_ref().map(|_| "<redacted>"))
                .finish(),
            KeySource::Agent => f.write_str("Agent"),
        }
    }
}

/// A request to sign a decision on a version.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SignRequest {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// Role signed in.
    pub role: Role,
    /// Decision.
    pub decision: Decision,
    /// Conditions (approve_with_conditions).
    pub conditions: Vec<String>,
    /// Expiry, YYYY-MM-DD or RFC 3339 (approve_with_conditions).
    pub expires: Option<String>,
    /// The key.
    pub key: KeySource,
}

/// A request to attest a version as its owner.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct AttestRequest {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// The owner's note (what they checked), if any.
    pub note: Option<String>,
    /// The key.
    pub key: KeySource,
}

/// Opens the key a request names; a passphrase's bytes are wiped as soon as the key is open.
fn open_source(source: KeySource) -> Result<SigningKey> {
    Ok(match source {
        KeySource::Agent => SigningKey::from_agent(None, None)?,
        KeySource::File { path, passphrase } => {
            let passphrase = zeroize::Zeroizing::new(passphrase.unwrap_or_default());
            SigningKey::from_file(
                Path::new(&path),
                Some(passphrase.as_str()).filter(|p| !p.is_empty()),
            )?
        }
    })
}

/// Portfolio report file formats.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// PDF report.
    Pdf,
    /// JSON figures and rows.
    Json,
    /// CSV rows.
    Csv,
}

impl Workspace {
    /// Opens the workspace a resolved configuration describes: the one door every front end
    /// goes through.
    pub fn open(config: crate::config::Config) -> Result<Self> {
        let session = Session::open(&config)?;
        let policy = match &config.policy.value {
            Some(p) => LoadedPolicy::load(p)?,
            None => LoadedPolicy::default_policy()?,
        };
        Ok(Self {
            session,
            policy,
            data_dir: config.data_dir.value.clone(),
            allowed_signers: config.allowed_signers.value.clone(),
            identity: config.identity.value.clone(),
            config,
        })
    }

    /// A workspace over an existing session (tests, benchmarks, tools that built their own
    /// store), with default settings for everything the session does not say.
    pub fn from_session(session: Session, policy: LoadedPolicy, data_dir: PathBuf) -> Self {
        let config = config_of(&session, &data_dir);
        Self {
            allowed_signers: session.allowed_signers.clone(),
            identity: session.identity.clone(),
            session,
            policy,
            data_dir,
            config,
        }
    }

    /// What opens this same workspace again on another thread (its own store connection):
    /// how background jobs and the desktop's long commands run without holding this one.
    pub fn source(&self) -> WorkspaceSource {
        WorkspaceSource {
            config: self.config.clone(),
            store_path: self.session.store.path().to_path_buf(),
            platform: self.session.platform.clone(),
            policy: self.policy.clone(),
            data_dir: self.data_dir.clone(),
        }
    }

    /// Generates the demo in `dir` (default `DATA_DIR/demo`) and opens a workspace on it: the
    /// folder platform, the demo people's keys, the risk function's root (pinned) and signed
    /// release, a sync, and the seeded approvals. The one door the CLI's `demo` goes through.
    pub fn open_demo(
        config: &crate::config::Config,
        dir: Option<PathBuf>,
        today: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Self, DemoReport)> {
        use crate::config::{Origin, Setting};
        let data = config.data_dir.value.clone();
        let dir = dir.unwrap_or_else(|| data.join("demo"));
        let models = crate::demo::generate(&dir, today)?;
        let policy = LoadedPolicy::default_policy()?;
        crate::demo::generate_keys(&dir)?;
        let root = crate::demo::generate_trust(&dir, &crate::demo::trust_dir(&dir), &policy)?
            .display()
            .to_string();
        // The demo's own platform and root, whatever else is configured.
        let mut config = config.clone();
        config.platform = Setting {
            value: Some(format!("folder:{}", dir.display())),
            origin: Origin::Flag("demo".into()),
        };
        config.root = Setting {
            value: Some(root.clone()),
            origin: Origin::Flag("demo".into()),
        };
        let mut ws = Self::from_session(Session::open(&config)?, policy, data);
        ws.config = config;
        let sync = ws.sync(false, progress)?;
        let trust = ws.trusted()?.trust;
        let signed = crate::demo::seed_approvals(&ws.session, &dir, &trust)?;
        Ok((
            ws,
            DemoReport {
                dir,
                root,
                models,
                versions: sync.versions,
                signed,
                trust,
            },
        ))
    }

    /// Opens the workspace the environment and the config file describe, with no flags (the
    /// desktop app).
    pub fn from_env() -> Result<Self> {
        Self::open(crate::config::Config::resolve(
            &crate::config::Flags::default(),
        )?)
    }

    /// The version a reference names: `models:/NAME/VERSION`, or `models:/NAME@ALIAS` resolved on
    /// the platform now (never from the store: an alias moved since the last sync must not
    /// make the gate check another version).
    pub fn resolve(&self, input: &str) -> Result<VersionRef> {
        let Some((name, alias)) = crate::uri::parse_alias(input) else {
            return VersionRef::parse(input);
        };
        let platform = self.session.open_platform(&self.policy)?;
        let aliases = platform.model_aliases(&name)?;
        match aliases.get(&alias) {
            Some(version) => Ok(VersionRef {
                name,
                version: version.clone(),
            }),
            None => Err(Error::NotFound {
                what: format!("alias '{alias}' of model '{name}'"),
                hint: format!(
                    " on {} (its aliases: {})",
                    self.session.key,
                    if aliases.is_empty() {
                        "none".to_string()
                    } else {
                        aliases.keys().cloned().collect::<Vec<_>>().join(", ")
                    }
                ),
            }),
        }
    }

    /// The allowed_signers file a release is assembled from (`policy release`): the configured
    /// one, else the policy's, else `DATA_DIR/allowed_signers`. Verification never reads it:
    /// it takes the roster from the trusted release ([`Workspace::trusted`]).
    pub fn allowed_signers_path(&self) -> PathBuf {
        self.allowed_path()
    }

    /// Pins the trust root (a file or `sha256:HEX`), as `--root` does.
    pub fn with_root(mut self, pin: &str) -> Self {
        self.set_root(pin);
        self
    }

    /// Pins the trust root `pin` (a file or `sha256:HEX`) in this workspace, as `--root` does.
    pub fn set_root(&mut self, pin: &str) {
        self.session.root = Some(pin.to_string());
        self.config.root = crate::config::Setting {
            value: Some(pin.to_string()),
            origin: crate::config::Origin::Flag("--root".into()),
        };
    }

    /// The pinned root, or the error that says how to pin one.
    pub fn root_pin(&self) -> Result<crate::trust::RootPin> {
        self.config
            .root
            .value
            .as_deref()
            .map(crate::trust::RootPin::parse)
            .ok_or_else(|| Error::Untrusted {
                reasons: vec![crate::error::NO_ROOT_PINNED.to_string() + ": pass --root FILE (the risk function's root.signers) or --root sha256:HEX, set COUNTERSIGN_ROOT, or put `root = \"…\"` in the config file. The gate, verify, sign and the audit pack take their trust only from it"],
            })
    }

    /// Loads what the pinned root trusts on this platform: the root chain and the signed
    /// releases (policy, roster, governed platforms). Never a file of the platform's own
    /// choosing or the local store: only what the pinned root's keys signed.
    pub fn trusted(&self) -> Result<Trusted> {
        let pin = self.root_pin()?;
        let reader = self.session.open_platform(&self.policy)?;
        let trust = crate::trust::Trust::load(&pin, reader.as_ref())?;
        let newest = trust.newest()?;
        self.check_high_water(&trust, newest)?;
        let platform = self.session.open_platform(&newest.policy)?;
        Ok(Trusted { trust, platform })
    }

    /// The newest release and root this machine has trusted under the pinned root, per
    /// platform: the platform showing less (a release or rotation hidden, deleted or broken)
    /// is an error, never a rollback. The store only ever blocks here; it never grants trust.
    fn check_high_water(
        &self,
        trust: &crate::trust::Trust,
        newest: &crate::trust::release::VerifiedRelease,
    ) -> Result<()> {
        let key = format!(
            "trust.high_water.{}.{}",
            trust.pinned_sha256,
            crate::trust::normal_uri(&self.session.key)
        );
        let root_now = trust.chain.last().map(|c| c.root.version).unwrap_or(0);
        let release_now = newest.manifest.version;
        let seen = self.session.store.meta(&key)?.unwrap_or_default();
        let mut parts = seen
            .split_whitespace()
            .filter_map(|p| p.parse::<u64>().ok());
        let (release_seen, root_seen) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        let floor = self.config.min_release.value.unwrap_or(0);
        let mut reasons = Vec::new();
        if release_seen > release_now {
            reasons.push(format!(
                "this machine trusted policy release {release_seen} under the pinned root, but the platform's newest trusted release is {release_now}: a release is never withdrawn by hiding or breaking it"
            ));
        }
        if floor > release_now {
            reasons.push(format!(
                "the configured minimum release is {floor} (--min-release, COUNTERSIGN_MIN_RELEASE, min_release), but the platform's newest trusted release is {release_now}"
            ));
        }
        if root_seen > root_now {
            reasons.push(format!(
                "this machine trusted root v{root_seen} of the pinned chain, but the platform shows the chain only up to v{root_now}"
            ));
        }
        if !reasons.is_empty() {
            return Err(Error::Untrusted { reasons });
        }
        if (release_now, root_now) != (release_seen, root_seen) {
            self.session.store.set_meta(
                &key,
                &format!(
                    "{} {}",
                    release_now.max(release_seen),
                    root_now.max(root_seen)
                ),
            )?;
        }
        Ok(())
    }

    /// What the pinned root trusts on the platform, whether or not any release is trusted
    /// (`policy verify` reports it either way).
    pub fn trust_report(&self) -> Result<crate::trust::Trust> {
        let pin = self.root_pin()?;
        let reader = self.session.open_platform(&self.policy)?;
        crate::trust::Trust::load(&pin, reader.as_ref())
    }

    /// Assembles release `number` (default: one more than the newest published) of the
    /// configured policy and roster under the newest root of the pinned chain, governing
    /// `name` at `uris`, into the new folder `out`; signs it with `key` when given.
    pub fn policy_release(
        &self,
        out: &Path,
        number: Option<u64>,
        name: &str,
        uris: &[String],
        key: Option<&SigningKey>,
    ) -> Result<crate::trust::release::Manifest> {
        let trust = self.trust_report()?;
        let root = &trust.chain[trust.chain.len() - 1].root;
        let number = match number {
            Some(n) => n,
            None => {
                let platform = self.session.open_platform(&self.policy)?;
                platform
                    .policy_files(&crate::trust::PolicyScope::All)?
                    .iter()
                    .filter_map(|f| {
                        f.path
                            .strip_prefix("releases/")?
                            .split('/')
                            .next()?
                            .parse::<u64>()
                            .ok()
                    })
                    .max()
                    .unwrap_or(0)
                    .checked_add(1)
                    .ok_or_else(|| Error::InvalidInput {
                        what: "release number",
                        input: "releases/…".into(),
                        reason: "the platform holds a release numbered at the largest number; pass --number N".into(),
                    })?
            }
        };
        let policy_path = self.config.policy.value.clone().ok_or_else(|| Error::InvalidInput {
            what: "policy",
            input: String::new(),
            reason: "a release needs the policy file: pass --policy FILE (the built-in default is policies/default.toml)".into(),
        })?;
        let roster = self.allowed_path();
        if !roster.exists() {
            return Err(Error::InvalidInput {
                what: "roster",
                input: roster.display().to_string(),
                reason: "it does not exist: pass --allowed-signers FILE (one line per validator and approver; `countersign keys` prints each person's)".into(),
            });
        }
        let platforms = vec![crate::trust::release::GovernedPlatform {
            name: name.to_string(),
            uris: uris.iter().map(|u| crate::trust::normal_uri(u)).collect(),
        }];
        let m = crate::trust::author::assemble_release(
            out,
            number,
            root,
            &policy_path,
            &roster,
            platforms,
        )?;
        if let Some(k) = key {
            crate::trust::sign_local(out, k, &[root])?;
        }
        Ok(m)
    }

    /// Writes a first trust root into the new folder `out`: `members` as typed
    /// (`PRINCIPAL=PUBLIC_KEY_FILE`) and the two thresholds. Needs no platform. Returns the root
    /// file.
    pub fn policy_root_init(
        out: &Path,
        members: &[String],
        release_threshold: usize,
        root_threshold: usize,
    ) -> Result<PathBuf> {
        let members = members
            .iter()
            .map(|m| crate::trust::author::parse_member(m))
            .collect::<Result<Vec<_>>>()?;
        crate::trust::author::init_root(out, &members, release_threshold, root_threshold)
    }

    /// Writes the root after the pinned chain's newest into the new folder `out` (members of
    /// both then sign it). Returns the new root file and the root it replaces.
    pub fn policy_root_rotate(
        &self,
        out: &Path,
        members: &[String],
        release_threshold: usize,
        root_threshold: usize,
        last_release: Option<u64>,
    ) -> Result<(PathBuf, crate::trust::root::Root)> {
        let members = members
            .iter()
            .map(|m| crate::trust::author::parse_member(m))
            .collect::<Result<Vec<_>>>()?;
        let trust = self.trust_report()?;
        let previous = trust.chain[trust.chain.len() - 1].root.clone();
        let path = crate::trust::author::rotate_root(
            out,
            &previous,
            last_release,
            &members,
            release_threshold,
            root_threshold,
        )?;
        Ok((path, previous))
    }

    /// Adds `key`'s signature to a release or root folder (the key must be a member of the
    /// pinned chain's newest root, or of the new root itself). Returns (principal, file).
    pub fn policy_sign(&self, dir: &Path, key: &SigningKey) -> Result<(String, PathBuf)> {
        let trust = self.trust_report()?;
        let roots = trust.roots();
        crate::trust::sign_local(dir, key, &roots)
    }

    /// Publishes a release or root folder to the platform's policy area (append-only).
    /// A release is published only when it verifies under the pinned chain (its signatures
    /// meet the threshold), a new root only when it is a valid rotation: what is published
    /// short of signatures would block the gate for everyone until completed.
    pub fn policy_publish(&self, dir: &Path) -> Result<String> {
        let files = crate::trust::read_local(dir)?;
        let pin = self.root_pin()?;
        let platform = self.session.open_platform(&self.policy)?;
        let mut all = platform.policy_files(&crate::trust::PolicyScope::Roots)?;
        all.extend(files.iter().map(|(p, b)| {
            crate::trust::PolicyFile {
                path: p.clone(),
                bytes: b.clone(),
                location: dir
                    .join(p.rsplit('/').next().unwrap_or(""))
                    .display()
                    .to_string(),
            }
        }));
        let check = crate::trust::Trust::from_files(&pin, &all, chrono::Utc::now())?;
        if !check.holds(&files) {
            return Err(Error::Untrusted {
                reasons: std::iter::once(format!(
                    "not published: {} does not verify under the pinned root (a release short of signatures, or a root that is not a valid rotation of it)",
                    dir.display()
                ))
                .chain(check.refused)
                .collect(),
            });
        }
        let at = platform.publish_policy_files(&files)?;
        // Read back what was published: a write that went astray is an error, not a success.
        if !crate::trust::Trust::load(&pin, platform.as_ref())?.holds(&files) {
            return Err(Error::Untrusted {
                reasons: vec![format!(
                    "{} was written to {at}, but reading the platform back does not show it trusted: check the policy area for links or other writers",
                    dir.display()
                )],
            });
        }
        Ok(at)
    }

    /// The policy a new review is drafted under, and what the reviewer should know about it,
    /// from one look at the trust: the configured file when one is given (an unreleased draft
    /// is allowed, and the note says nothing signed under it would count), else the newest
    /// release's when a root is pinned and the platform answers, else the built-in one. The
    /// note is `None` when the policy is the newest release's.
    pub fn drafting(&self) -> (LoadedPolicy, Option<String>) {
        if self.config.root.value.is_none() {
            return (
                self.policy.clone(),
                Some("no trust root is pinned: you may draft this review, but nothing can be signed or counted until one is (--root FILE)".into()),
            );
        }
        let newest = self.trusted().and_then(|t| {
            t.trust
                .newest()
                .map(|r| (r.policy.clone(), r.manifest.version))
        });
        let policy = match (&newest, self.config.policy.value.is_some()) {
            (Ok((released, _)), false) => released.clone(),
            _ => self.policy.clone(),
        };
        let note = match newest {
            Err(e) => Some(format!(
                "the policy releases could not be checked ({e}): nothing signed counts unless its policy is released"
            )),
            Ok((r, _)) if r.sha256 == policy.sha256 => None,
            Ok((r, n)) => Some(format!(
                "policy {} is not the policy of release {n} ({}), the newest the pinned root trusts: you may draft under it, but nothing signed under it counts",
                crate::display::short_hash(&policy.sha256),
                crate::display::short_hash(&r.sha256)
            )),
        };
        (policy, note)
    }

    /// Where the roster of policy release `n` can be read by hand, for `ssh-keygen -Y verify
    /// -f …`: the file on a folder platform, else where to download it from.
    pub fn roster_location(&self, n: u64) -> String {
        match &self.session.platform {
            crate::uri::PlatformUri::Folder(dir) => dir
                .join("policy/releases")
                .join(n.to_string())
                .join(crate::trust::release::ROSTER_FILE)
                .display()
                .to_string(),
            _ => format!(
                "releases/{n}/allowed_signers from the experiment countersign-policy on {}",
                self.session.key
            ),
        }
    }

    fn allowed_path(&self) -> PathBuf {
        session::allowed_signers_path(
            self.allowed_signers.as_deref(),
            &self.policy,
            &self.data_dir,
        )
    }

    fn whoami(&self) -> String {
        self.identity
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| self.config.whoami())
    }

    /// Whether an identity is configured (`--as`, environment, config file). When not, a
    /// front end asks for one before anything is recorded, and saves it
    /// ([`Workspace::save_identity`]); the login name is only a fallback for the CLI.
    pub fn identity_configured(&self) -> bool {
        self.identity
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
            || self.config.identity_configured()
    }

    /// Takes `principal` as who acts from now on and saves it in the config file (kept as
    /// written otherwise; created 0600 when missing): how the TUI and the desktop set the
    /// identity on first use. Returns the file written and, where no root is pinned, the roles
    /// the configured roster gives the principal.
    pub fn save_identity(&mut self, principal: &str) -> Result<IdentitySaved> {
        let path = self.config.save_identity(principal)?;
        self.identity = Some(principal.to_string());
        self.session.identity = Some(principal.to_string());
        // No look at the platform here (the TUI saves on its UI thread): with a root pinned
        // the trusted release's roster decides at signing, so it is not guessed.
        let roles = match self.root_pin() {
            Ok(_) => None,
            Err(_) => Some(
                crate::approval::roster_roles(&self.policy.policy, principal)
                    .into_iter()
                    .map(|r| r.as_str().to_string())
                    .collect(),
            ),
        };
        Ok(IdentitySaved {
            identity: principal.to_string(),
            path: path.display().to_string(),
            roles,
        })
    }

    /// The header facts.
    pub fn info(&self) -> WorkspaceInfo {
        WorkspaceInfo {
            platform: self.session.key.clone(),
            data_dir: self.data_dir.display().to_string(),
            identity: self.whoami(),
            identity_configured: self.identity_configured(),
            policy_version: self.policy.policy.version.clone(),
            policy_sha256: self.policy.sha256.clone(),
            allowed_signers: self.allowed_path().display().to_string(),
            root: self
                .config
                .root
                .value
                .clone()
                .unwrap_or_else(|| "none pinned".into()),
            tiers: self.policy.policy.tiers.keys().cloned().collect(),
        }
    }

    /// The inventory with statuses.
    pub fn inventory(&self) -> Result<InventoryPage> {
        self.inventory_on(&inventory::Filter::default(), &inventory::today())
    }

    /// The models `filter` keeps, with statuses, judging overdue reviews against `today`.
    pub fn inventory_on(&self, filter: &inventory::Filter, today: &str) -> Result<InventoryPage> {
        // Overdue is judged by the next review date the approvals set, not only the tag.
        let mut view = inventory::view(
            &self.session,
            &inventory::Filter {
                overdue: false,
                ..filter.clone()
            },
            today,
        )?;
        let models: Vec<crate::model::Model> =
            view.models.iter().map(|m| m.model.clone()).collect();
        let entries = self.session.store.ledger_entries_on(&self.session.key)?;
        let verdicts = crate::queue::ledger_verdicts(&self.policy, &models, entries);
        for m in &mut view.models {
            let (next, _) = crate::queue::next_review(&self.policy, &m.model, &verdicts);
            m.overdue = next
                .date
                .as_deref()
                .is_some_and(|d| d.len() == 10 && d < today);
            m.next_review = next;
        }
        if filter.overdue {
            view.models.retain(|m| m.overdue);
        }
        let statuses = inventory::statuses(
            &self.session.store,
            &self.session.key,
            &self.policy,
            view.models.iter().map(|m| &m.model),
        )?
        .into_iter()
        .collect();
        Ok(InventoryPage { view, statuses })
    }

    /// One model's page.
    pub fn model(&self, name: &str) -> Result<ModelPage> {
        let s = &self.session;
        let detail = inventory::detail(&s.store, &s.key, name)?.ok_or_else(|| Error::NotFound {
            what: format!("model '{name}'"),
            hint: ". Run a sync to refresh the inventory".into(),
        })?;
        let assessment = self
            .policy
            .policy
            .rubric
            .assess(&detail.model, &BTreeMap::new());
        let mut approvals = s.store.ledger_entries_of_model(&s.key, name)?;
        approvals.dedup_by(|a, b| a.approval_sha256 == b.approval_sha256);
        let required = self
            .policy
            .required_roles(detail.model.risk_tier.as_deref());
        let reviewed = s.store.reviewed_models(&s.key)?;
        let version_status = detail
            .versions
            .iter()
            .map(|v| {
                let r = format!("models:/{}/{}", v.name, v.version);
                let entries: Vec<LedgerEntry> = approvals
                    .iter()
                    .filter(|e| e.version == r)
                    .cloned()
                    .collect();
                let status = inventory::version_status(
                    &required,
                    &entries,
                    reviewed.contains(&detail.model.name),
                );
                (v.version.clone(), status)
            })
            .collect();
        let today = inventory::today();
        let entries = s.store.ledger_entries_on(&s.key)?;
        let verdicts = crate::queue::ledger_verdicts(
            &self.policy,
            std::slice::from_ref(&detail.model),
            entries,
        );
        let (next_review, _) = crate::queue::next_review(&self.policy, &detail.model, &verdicts);
        let overdue = next_review
            .date
            .as_deref()
            .is_some_and(|d| d.len() == 10 && d < today.as_str());
        Ok(ModelPage {
            detail,
            assessment,
            approvals,
            version_status,
            next_review,
            overdue,
        })
    }

    /// One version's evidence and lineage.
    pub fn version(&self, version: &str) -> Result<VersionPage> {
        let vref = self.resolve_local(version)?;
        let evidence = self.evidence(&vref.to_string())?;
        let lineage = Lineage::from_evidence(&evidence);
        let model = self.session.store.model(&self.session.key, &vref.name)?;
        let assessments = evidence
            .assessment_rows()
            .into_iter()
            .map(Vec::from)
            .collect();
        // A prompt page that cannot be read leaves the rest of the page as it is.
        let prompt = match &model {
            Some(m) => self.prompt_of(&vref, m).unwrap_or_else(|e| {
                log::warn!("the prompt of {vref} could not be read: {e}");
                None
            }),
            None => None,
        };
        Ok(VersionPage {
            version: vref.to_string(),
            evidence,
            lineage,
            model,
            assessments,
            prompt,
        })
    }

    /// A prompt version's template and model configuration, compared with the version before
    /// it and with the versions in production, from the synced store; `None` when the version
    /// holds no template (not a prompt).
    pub fn prompt(&self, version: &str) -> Result<Option<PromptPage>> {
        let vref = self.resolve_local(version)?;
        match self.session.store.model(&self.session.key, &vref.name)? {
            Some(model) => self.prompt_of(&vref, &model),
            None => Ok(None),
        }
    }

    /// [`Workspace::prompt`] of a version of `model` (already read from the store).
    fn prompt_of(
        &self,
        vref: &VersionRef,
        model: &crate::model::Model,
    ) -> Result<Option<PromptPage>> {
        use crate::prompt::{compare, PromptFacts};
        // Only a prompt's versions: a `mlflow.prompt.text` tag on another model's version is a
        // tag like any other, not a template to show a reviewer.
        if model.kind != crate::model::ModelKind::Prompt {
            return Ok(None);
        }
        let all = self.session.store.versions(&self.session.key, &vref.name)?;
        let Some(this) = all.iter().find(|v| v.version == vref.version) else {
            return Ok(None);
        };
        let Some(facts) = PromptFacts::of(this) else {
            return Ok(None);
        };
        let number = |v: &str| v.parse::<u64>().ok();
        let previous = all
            .iter()
            .filter(|v| match (number(&v.version), number(&this.version)) {
                (Some(a), Some(b)) => a < b,
                _ => false,
            })
            .max_by_key(|v| number(&v.version));
        let reference = |v: &crate::model::Version| format!("models:/{}/{}", v.name, v.version);
        let production = crate::queue::production_markers(&self.policy, model);
        let against_previous = previous.and_then(|p| {
            let label = match production.get(&p.version) {
                Some(m) => format!(
                    "the previous version {}, in production ({})",
                    p.version,
                    m.join(", ")
                ),
                None => format!("the previous version {}", p.version),
            };
            PromptFacts::of(p).map(|f| compare(&facts, &f, label, reference(p)))
        });
        let mut against_production = Vec::new();
        {
            for (v, markers) in production {
                // This version itself, and the previous one (already compared), are skipped.
                if v == this.version || previous.is_some_and(|p| p.version == v) {
                    continue;
                }
                if let Some(other) = all.iter().find(|x| x.version == v) {
                    if let Some(f) = PromptFacts::of(other) {
                        against_production.push(compare(
                            &facts,
                            &f,
                            format!("version {v} in production ({})", markers.join(", ")),
                            reference(other),
                        ));
                    }
                }
            }
        }
        Ok(Some(PromptPage {
            version: vref.to_string(),
            facts,
            against_previous,
            against_production,
        }))
    }

    /// The version a reference names in the synced inventory (`models:/NAME@ALIAS` as of the
    /// last sync): what the pages that read the store show. Verification, signing and exports
    /// resolve on the platform now ([`Workspace::resolve`]).
    pub fn resolve_local(&self, input: &str) -> Result<VersionRef> {
        self.session.resolve_local(input)
    }

    /// A version's evidence as the last sync saw it.
    pub fn evidence(&self, version: &str) -> Result<Evidence> {
        let vref = self.resolve_local(version)?;
        self.session.store.evidence(&self.session.key, &vref)
    }

    /// A model's record in the synced inventory.
    pub fn model_record(&self, name: &str) -> Result<crate::model::Model> {
        self.session
            .store
            .model(&self.session.key, name)?
            .ok_or_else(|| Error::NotFound {
                what: format!("model '{name}'"),
                hint: ". Check the name with `countersign ls`, or run `countersign sync`".into(),
            })
    }

    /// The rubric's tier of a model from its tags and `answers` (question id → value), with
    /// the rationale and the questions left unanswered.
    pub fn tier(&self, name: &str, answers: &BTreeMap<String, String>) -> Result<Assessment> {
        let model = self.model_record(name)?;
        Ok(self.policy.policy.rubric.assess(&model, answers))
    }

    /// Every entry of the local approvals ledger, oldest first.
    pub fn ledger(&self) -> Result<Vec<LedgerEntry>> {
        self.session.store.ledger_entries()
    }

    /// Checks the ledger's hash chain.
    pub fn ledger_verify(&self) -> Result<crate::store::LedgerReport> {
        self.session.store.ledger_verify()
    }

    /// Every version trained or evaluated on a dataset (digest or source).
    pub fn dataset_users(&self, query: &str) -> Result<Vec<DatasetUse>> {
        crate::lineage::versions_using_dataset(&self.session.store, &self.session.key, query)
    }

    /// Every version trained or evaluated on a dataset, marked in production and approved.
    pub fn dataset_report(&self, query: &str) -> Result<Vec<crate::lineage::ReportedUse>> {
        crate::lineage::dataset_report(&self.session.store, &self.session.key, &self.policy, query)
    }

    /// Verifies a version's approvals against the platform now, and runs the gate.
    pub fn verify(&self, version: &str) -> Result<Verification> {
        let vref = self.resolve(version)?;
        let t = self.trusted()?;
        crate::approval::verify::verify_version(
            &self.session.store,
            t.platform.as_ref(),
            &t.trust,
            &vref,
            &mut |_| {},
        )
    }

    /// Verifies every version with approvals (or reviews) recorded: `verify --all`.
    pub fn verify_all(&self) -> Result<(usize, Vec<Verification>)> {
        let t = self.trusted()?;
        let versions = crate::approval::verify::versions_with_approvals(
            &self.session.store,
            t.platform.as_ref(),
        )?;
        let mut out = Vec::new();
        for v in &versions {
            let res = crate::approval::verify::verify_version(
                &self.session.store,
                t.platform.as_ref(),
                &t.trust,
                v,
                &mut |_| {},
            )?;
            if !res.approvals.is_empty() {
                out.push(res);
            }
        }
        Ok((versions.len(), out))
    }

    /// The validators' approvals of a version that an approver's approval would countersign
    /// (shown before an approver signs).
    pub fn countersigned(&self, version: &str) -> Result<Vec<crate::approval::ApprovalRecord>> {
        let vref = self.resolve(version)?;
        let t = self.trusted()?;
        Ok(crate::approval::sign::countersigned(
            t.platform.as_ref(),
            &t.trust.newest()?.roster,
            &vref,
        )?
        .into_iter()
        .map(|(r, _)| r)
        .collect())
    }

    fn review_page(&self, review: Review, resumed: bool) -> Result<ReviewPage> {
        let policy = review::policy_of(&self.session.store, &review)?;
        self.review_page_under(review, resumed, &policy)
    }

    /// [`Workspace::review_page`] with the policy the review is under given (a preview's,
    /// which the store does not hold).
    fn review_page_under(
        &self,
        review: Review,
        resumed: bool,
        policy: &crate::policy::LoadedPolicy,
    ) -> Result<ReviewPage> {
        let vref = VersionRef {
            name: review.header.name.clone(),
            version: review.header.version.clone(),
        };
        let current = self.session.store.evidence(&self.session.key, &vref).ok();
        let status = review.status(policy, current.as_ref());
        let owner = self
            .session
            .store
            .model(&self.session.key, &vref.name)?
            .and_then(|m| m.owner);
        let report_required = crate::review::report::required(policy, &review.header.tier);
        let prompt = self.prompt(&vref.to_string()).ok().flatten();
        Ok(ReviewPage {
            review,
            status,
            resumed,
            owner,
            note: None,
            preview: false,
            report_required,
            prompt,
            ratings: policy.policy.report.ratings.clone(),
        })
    }

    /// The review of a version to look at, saving nothing: the latest one when there is one,
    /// else the checklist a start would draft (`preview: true`), with the automatic results
    /// over the stored evidence. The model's status does not change.
    pub fn review_preview(&self, version: &str) -> Result<ReviewPage> {
        let vref = self.resolve_local(version)?;
        // As `review_open` decides: the review under way is shown from the store.
        if let Some(existing) = self.under_way(&vref)? {
            return self.review_page(existing, true);
        }
        let (policy, note) = self.drafting();
        let reviewer = self.acting_identity("a review").ok();
        let (review, _) = review::preview(
            &self.session.store,
            &self.session.key,
            &policy,
            &vref,
            reviewer,
        )?;
        let mut page = self.review_page_under(review, false, &policy)?;
        page.preview = true;
        page.note = note;
        Ok(page)
    }

    /// The review that opening `vref` resumes and looking at it shows: the latest one, read
    /// from the store with no look at the platform (a slow server must not hold a screen, and
    /// a failed look must not start another review over it) — unless an explicit --policy
    /// differs from the one it was drafted under, which drafts anew. (A different built-in or
    /// pinned policy is a reason for `review_new`, not a surprise.)
    fn under_way(&self, vref: &VersionRef) -> Result<Option<Review>> {
        let Some(existing) = review::load_latest(&self.session.store, &self.session.key, vref)?
        else {
            return Ok(None);
        };
        // An explicit --policy is what a draft would use (`drafting`): no need to ask the
        // trust root.
        if self.config.policy.value.is_none() || existing.header.policy_sha256 == self.policy.sha256
        {
            return Ok(Some(existing));
        }
        Ok(None)
    }

    /// Starts a review of a version, or resumes the one under way; the page's note says
    /// what the reviewer should know of the policy it is drafted under.
    pub fn review_open(&self, version: &str) -> Result<ReviewPage> {
        let vref = self.resolve_local(version)?;
        if let Some(existing) = self.under_way(&vref)? {
            let mut page = self.review_page(existing, true)?;
            // Resumed under an explicit --policy: what to know of it, as a start would say.
            if self.config.policy.value.is_some() {
                page.note = self.drafting().1;
            }
            return Ok(page);
        }
        let (policy, note) = self.drafting();
        let (review, resumed) = review::start(
            &self.session.store,
            &self.session.key,
            &policy,
            &vref,
            Some(self.acting_identity("a review")?),
        )?;
        let mut page = self.review_page(review, resumed)?;
        page.note = note;
        Ok(page)
    }

    /// Starts a new review of a version that supersedes the latest one (kept, with its
    /// answers and approvals; its open findings carry over): the way from "stale" to
    /// "re-approved", and periodic revalidation of an unchanged version. The version is read
    /// from the platform now and written into the store first.
    pub fn review_new(&self, version: &str) -> Result<ReviewPage> {
        let vref = self.resolve_local(version)?;
        // The evidence as the platform shows it now, not as the last sync stored it: a
        // metric logged on a finished run is not read again by an incremental sync.
        let platform = self.session.open_platform(&self.reading_policy())?;
        let snap = platform.fetch_version(&vref)?;
        let key = self.session.key.clone();
        self.session.store.refresh_snapshot(&key, &snap)?;
        let now = self.session.store.evidence(&key, &vref)?;
        if now.sha256() != snap.evidence().sha256() {
            let changes = crate::review::diff_evidence(&snap.evidence(), &now);
            return Err(Error::Refused {
                reasons: vec![format!(
                    "the local store could not be brought to the platform's view of {vref} ({}); run `countersign sync --full` and start the review again",
                    changes.join("; ")
                )],
            });
        }
        let (policy, note) = self.drafting();
        let review = review::start_new(
            &self.session.store,
            &self.session.key,
            &policy,
            &vref,
            Some(self.acting_identity("a review")?),
        )?;
        let mut page = self.review_page(review, false)?;
        page.note = note;
        Ok(page)
    }

    /// Every review of a version, oldest first: who, when, how far, whether superseded, and
    /// the approvals made on each (from the ledger: those binding its `review.json`).
    pub fn review_list(&self, version: &str) -> Result<Vec<ReviewSummary>> {
        let vref = self.resolve_local(version)?;
        let s = &self.session;
        let reviews = review::history(&s.store, &s.key, &vref)?;
        let current = s.store.evidence(&s.key, &vref).ok().map(|e| e.sha256());
        let mut entries = s.store.ledger_entries_of_model(&s.key, &vref.name)?;
        entries.retain(|e| e.version == vref.to_string());
        // The latest verdict of each approval.
        let mut seen = std::collections::BTreeSet::new();
        entries.retain(|e| seen.insert(e.approval_sha256.clone()));
        // A record whose signature did not verify is nobody's approval.
        entries.retain(|e| e.signature_ok != Some(false));
        let time = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
        let n = reviews.len();
        Ok(reviews
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let h = &r.header;
                let record_sha = r.record().sha256();
                let next = reviews.get(i + 1).map(|x| x.header.started_at.as_str());
                let approvals = entries
                    .iter()
                    .filter(|e| match &e.review_sha256 {
                        Some(sha) => *sha == record_sha,
                        // Entries recorded before the review hash was kept: by time.
                        None => {
                            let (at, from) = (time(&e.signed_at), time(&h.started_at));
                            at.is_some() && at >= from && next.is_none_or(|t| at < time(t))
                        }
                    })
                    .cloned()
                    .collect();
                ReviewSummary {
                    id: h.id.clone(),
                    reviewer: h.reviewer.clone(),
                    started_at: h.started_at.clone(),
                    tier: h.tier.clone(),
                    policy_version: h.policy_version.clone(),
                    evidence_sha256: h.evidence_sha256.clone(),
                    evidence_changed: current.as_ref().is_some_and(|c| *c != h.evidence_sha256),
                    answered: r.answers.len(),
                    total: h.items.len(),
                    open_findings: r
                        .findings
                        .iter()
                        .filter(|f| f.is_open(&inventory::today()))
                        .count(),
                    supersedes: h.supersedes.clone(),
                    superseded_by: reviews.get(i + 1).map(|x| x.header.id.clone()),
                    current: i + 1 == n,
                    approvals,
                }
            })
            .collect())
    }

    /// The latest review of a version, where it stands.
    pub fn review_show(&self, version: &str) -> Result<ReviewPage> {
        let review = self.latest_review(version)?;
        self.review_page(review, true)
    }

    fn latest_review(&self, version: &str) -> Result<Review> {
        let vref = self.resolve_local(version)?;
        review::require_latest(&self.session.store, &self.session.key, &vref)
    }

    /// Records an answer (saved before this returns).
    pub fn review_answer(&self, version: &str, a: AnswerInput) -> Result<ReviewPage> {
        let mut review = self.latest_review(version)?;
        let by = self.acting_identity("an answer")?;
        review.answer(&self.session.store, &a, Some(by))?;
        self.review_page(review, true)
    }

    /// Who built the reviewed version (from the evidence the review froze, and the model's
    /// owner): they never sign off its review.
    fn builders_of(&self, review: &Review) -> Result<Vec<(String, &'static str)>> {
        let ev = &review.header.evidence;
        let owner = self
            .session
            .store
            .model(&self.session.key, &review.header.name)?
            .and_then(|m| m.owner);
        Ok(crate::approval::builders_of(
            ev.version.creator.as_deref(),
            ev.run.as_ref().and_then(|r| r.user.as_deref()),
            ev.run
                .as_ref()
                .and_then(|r| r.tags.get("mlflow.user"))
                .map(String::as_str),
            owner.as_deref(),
        ))
    }

    /// Writes (or, with an empty text, clears) one section of the latest review's validation
    /// report. The writer is the acting identity: a validator in the roster (when the roster
    /// names anyone) who did not build the model.
    pub fn review_report_set(
        &self,
        version: &str,
        section: crate::review::report::Section,
        text: &str,
    ) -> Result<ReviewPage> {
        let mut review = self.latest_review(version)?;
        let policy = review::policy_of(&self.session.store, &review)?;
        // What was typed is checked first: bad text is bad input, whoever types it.
        crate::review::report::check(section, text, &policy)?;
        let by = self.acting_identity("a report section")?;
        let governing = self.governing_policy()?;
        let mut reasons = Vec::new();
        for (who, what) in self.builders_of(&review)? {
            if crate::approval::same_person(&who, &by) {
                reasons.push(format!(
                    "'{}' is the {what}; the validation report is written by a validator who did not build the model",
                    crate::display::escape(&by)
                ));
            }
        }
        if !governing.policy.roster.is_empty()
            && !crate::approval::roster_has(&governing.policy, &by, Role::Validator)
        {
            reasons.push(format!(
                "the roster does not give '{}' the validator role: the validation report is the validator's",
                crate::display::escape(&by)
            ));
        }
        if !reasons.is_empty() {
            return Err(Error::Refused { reasons });
        }
        review.set_report(&self.session.store, &policy, section, text, Some(by))?;
        self.review_page(review, true)
    }

    /// Raises a finding.
    pub fn review_finding_add(&self, version: &str, f: FindingInput) -> Result<ReviewPage> {
        let mut review = self.latest_review(version)?;
        let by = self.acting_identity("a finding")?;
        review.add_finding(&self.session.store, &f, Some(by))?;
        self.review_page(review, true)
    }

    /// Changes a finding's status (remediated, accepted, open).
    pub fn review_finding_update(
        &self,
        version: &str,
        id: &str,
        update: crate::review::FindingUpdate,
    ) -> Result<ReviewPage> {
        let mut review = self.latest_review(version)?;
        // What was typed is checked first (a missing note is bad input, whoever types it).
        review.check_finding_update(id, &update)?;
        let by = self.acting_identity("a finding's change")?;
        // Who may: a validator who did not build the model remediates (and reopens); an
        // approver accepts an exception. Builders come from the evidence the review froze.
        let policy = self.governing_policy()?;
        let builders = self.builders_of(&review)?;
        let mut reasons = Vec::new();
        let role = match update.status {
            FindingStatus::Accepted => Role::Approver,
            FindingStatus::Remediated | FindingStatus::Open => Role::Validator,
        };
        if update.status != FindingStatus::Open {
            for (who, what) in &builders {
                if crate::approval::same_person(who, &by) {
                    reasons.push(format!(
                        "'{}' is the {what}; {}",
                        crate::display::escape(&by),
                        if update.status == FindingStatus::Remediated {
                            "a remediation is confirmed by a validator who did not build the model"
                        } else {
                            "the builder of a model never accepts the risk of its findings"
                        }
                    ));
                }
            }
        }
        let roster_ok = |r: Role| crate::approval::roster_has(&policy.policy, &by, r);
        let allowed = policy.policy.roster.is_empty()
            || roster_ok(role)
            || (update.status == FindingStatus::Open && roster_ok(Role::Approver));
        if !allowed {
            reasons.push(format!(
                "the roster does not give '{}' the {role} role: {} a finding takes {}",
                crate::display::escape(&by),
                match update.status {
                    FindingStatus::Accepted => "accepting the risk of",
                    FindingStatus::Remediated => "confirming the remediation of",
                    FindingStatus::Open => "reopening",
                },
                match update.status {
                    FindingStatus::Accepted => "an approver",
                    _ => "a validator",
                }
            ));
        }
        if !reasons.is_empty() {
            reasons.dedup();
            return Err(Error::Refused { reasons });
        }
        review.update_finding(&self.session.store, id, &update, Some(by))?;
        self.review_page(review, true)
    }

    /// Signs a decision, writes it back to the platform and records it in the ledger.
    /// A key file with a passphrase and none given fails with [`Error::PassphraseNeeded`].
    pub fn sign(&self, mut req: SignRequest) -> Result<Signed> {
        // The passphrase leaves the request before any work starts (trust, hashing, writes).
        let key = open_source(std::mem::replace(&mut req.key, KeySource::Agent))?;
        self.sign_with(&key, req)
    }

    /// Signs the owner's attestation of a version (that it is used as its inventory record
    /// documents and its limitations hold) and writes it to the platform. Refused unless the
    /// signer is the model's owner with their key in the trusted roster.
    pub fn attest(&self, mut req: AttestRequest) -> Result<crate::attestation::Attested> {
        let key = open_source(std::mem::replace(&mut req.key, KeySource::Agent))?;
        self.attest_with(&key, &req.version, req.note.as_deref())
    }

    /// [`Workspace::attest`] with a key the front end opened itself.
    pub fn attest_with(
        &self,
        key: &SigningKey,
        version: &str,
        note: Option<&str>,
    ) -> Result<crate::attestation::Attested> {
        let vref = self.resolve(version)?;
        let t = self.trusted()?;
        crate::attestation::attest(
            t.platform.as_ref(),
            &key.source.clone(),
            key,
            &t.trust,
            &vref,
            self.identity.as_deref(),
            note,
        )
    }

    /// Every owner attestation of a version, judged against the platform now.
    pub fn attestations(&self, version: &str) -> Result<Vec<crate::attestation::AttestationCheck>> {
        let vref = self.resolve(version)?;
        let t = self.trusted()?;
        crate::attestation::verify_version(t.platform.as_ref(), &t.trust, &vref)
    }

    /// Signs with a key the front end opened itself (the command line asks for passphrases on
    /// its terminal); `req.key` is not used.
    pub fn sign_with(&self, key: &SigningKey, req: SignRequest) -> Result<Signed> {
        self.sign_with_progress(key, req, &mut |_| {})
    }

    /// [`Workspace::sign_with`], reporting the hashing of the model's files to `progress`
    /// (bytes done of bytes listed: large models take a while).
    pub fn sign_with_progress(
        &self,
        key: &SigningKey,
        req: SignRequest,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Signed> {
        let vref = self.resolve(&req.version)?;
        let expires_at = req
            .expires
            .as_deref()
            .map(crate::approval::parse_expiry)
            .transpose()?;
        let t = self.trusted()?;
        let signed = crate::approval::sign::sign(
            &self.session.store,
            t.platform.as_ref(),
            &key.source.clone(),
            key,
            &t.trust,
            &vref,
            SignOptions {
                role: req.role,
                decision: req.decision,
                conditions: req
                    .conditions
                    .into_iter()
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
                expires_at,
                signer: self.identity.clone(),
            },
            progress,
        )?;
        // The approval may move the model's next review date: where the platform keeps model
        // tags it is recorded as `countersign.next_review_date` (the owner's tag is never
        // touched). The signature stands whatever happens here; a failure is logged.
        match self.record_next_review(&t, &vref) {
            Ok(Some(date)) => log::info!(
                "next review of {} recorded on the platform: {date}",
                vref.name
            ),
            Ok(None) => {}
            Err(e) => log::warn!(
                "the next review date of {} was not recorded on the platform: {e}",
                vref.name
            ),
        }
        Ok(signed)
    }

    /// Computes the model's next review date from its approvals as verified now and writes it
    /// as `countersign.next_review_date` on the model, when it differs from what is there.
    fn record_next_review(&self, t: &Trusted, vref: &VersionRef) -> Result<Option<String>> {
        let v = crate::approval::verify::verify_version(
            &self.session.store,
            t.platform.as_ref(),
            &t.trust,
            vref,
            &mut |_| {},
        )?;
        let Some(model) = self.session.store.model(&self.session.key, &vref.name)? else {
            return Ok(None);
        };
        let policy = &t.trust.newest()?.policy;
        let entries = self.session.store.ledger_entries_on(&self.session.key)?;
        let mut verdicts =
            crate::queue::ledger_verdicts(policy, std::slice::from_ref(&model), entries);
        verdicts.insert(
            vref.to_string(),
            crate::queue::VersionVerdicts::from_verification(&v),
        );
        let (next, _) = crate::queue::next_review(policy, &model, &verdicts);
        let Some(date) = next.computed else {
            return Ok(None);
        };
        const TAG: &str = "countersign.next_review_date";
        if model.tags.get(TAG) == Some(&date) {
            return Ok(None);
        }
        Ok(t.platform
            .set_countersign_model_tag(&vref.name, TAG, &date)?
            .then_some(date))
    }

    /// The portfolio figures and rows (the dashboard).
    pub fn portfolio(&self) -> Result<PortfolioReport> {
        self.portfolio_on(&inventory::today())
    }

    /// The portfolio figures and rows as of `today` (YYYY-MM-DD).
    pub fn portfolio_on(&self, today: &str) -> Result<PortfolioReport> {
        crate::export::portfolio::build(&self.session.store, &self.session.key, &self.policy, today)
    }

    /// Writes the portfolio report to `out` in `format`.
    pub fn export_portfolio(&self, out: &Path, format: ReportFormat) -> Result<PathBuf> {
        let mut report = self.portfolio()?;
        // The exported report carries the review queue as the ledger judges it (the report is
        // made from the local store). A queue that cannot be built leaves the section saying
        // so in the log; the rest of the report is written.
        match self.queue(
            &QueueOptions {
                offline: true,
                ..QueueOptions::default()
            },
            &report.today.clone(),
        ) {
            Ok(q) => report.queue = Some(q.items),
            Err(e) => log::warn!("the portfolio report's review queue could not be built: {e}"),
        }
        let ext = match format {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
        };
        let out = if out.extension().is_some() {
            out.to_path_buf()
        } else {
            out.with_extension(ext)
        };
        crate::export::portfolio::write(&report, &out, &self.whoami())?;
        Ok(out)
    }

    /// Exports a version's validation report to `out` (`.pdf` or `.md`, a new file): the
    /// published review (else the latest one here, as a draft) with its approvals verified.
    pub fn export_report(
        &self,
        version: &str,
        out: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PathBuf> {
        let vref = self.resolve(version)?;
        let t = self.trusted()?;
        let data = crate::export::audit_pack::gather(
            &self.session.store,
            t.platform.as_ref(),
            &t.trust,
            &vref,
            &self.whoami(),
            progress,
        )?;
        crate::export::report::write(&data, &data.comparisons, out)?;
        Ok(out.to_path_buf())
    }

    /// Exports a version's audit pack to `out` (a new folder, or a `.zip`), reporting each
    /// stage.
    pub fn export_audit_pack(
        &self,
        version: &str,
        out: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PackReport> {
        let vref = self.resolve(version)?;
        let t = self.trusted()?;
        crate::export::audit_pack::export(
            &self.session.store,
            t.platform.as_ref(),
            &t.trust,
            &vref,
            &self.whoami(),
            out,
            progress,
        )
    }

    /// The policy the platform's evidence is read under: the configured one, with the
    /// `[evidence]` section of the newest trusted release when a root is pinned — verification
    /// and signing read under the release, so the store must read alike, or every approval
    /// would look stale. The configured policy alone when no root is pinned or the release
    /// cannot be read now (verification then fails on its own).
    fn reading_policy(&self) -> LoadedPolicy {
        let mut p = self.policy.clone();
        if self.root_pin().is_ok() {
            match self.trusted().and_then(|t| t.trust.newest().map(|n| n.policy.clone())) {
                Ok(released) => p.policy.evidence = released.policy.evidence,
                Err(e) => log::warn!(
                    "reading the platform under the configured policy's [evidence]: the trusted release cannot be read now ({e})"
                ),
            }
        }
        p
    }

    /// Syncs the platform into the store, reporting progress.
    pub fn sync(&mut self, full: bool, progress: &mut dyn FnMut(Progress)) -> Result<SyncReport> {
        let platform = self.session.open_platform(&self.reading_policy())?;
        let report = crate::sync::sync(
            platform.as_ref(),
            &mut self.session.store,
            SyncOptions {
                full,
                production_aliases: self.policy.policy.lifecycle.production_aliases.clone(),
                production_stages: self.policy.policy.lifecycle.production_stages.clone(),
                ..SyncOptions::default()
            },
            progress,
        )?;
        self.session.remember_platform()?;
        Ok(report)
    }

    /// A default place for an export: `DATA_DIR/exports/<stem>-<timestamp><ext>`.
    pub fn export_path(&self, stem: &str, ext: &str) -> PathBuf {
        session::export_path(&self.data_dir, stem, ext)
    }

    /// [`Workspace::export_path`] as text (for a form's default value).
    pub fn default_export_path(&self, stem: &str, ext: &str) -> String {
        session::export_path(&self.data_dir, stem, ext)
            .display()
            .to_string()
    }
}

/// An error as a front end shows it: a stable code, the message (naming the thing and the
/// fix), and every reason when signing was refused.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct ErrorReport {
    /// Stable code (see [`Error::code`]).
    pub code: String,
    /// The message.
    pub message: String,
    /// Each reason, for `refused`.
    pub reasons: Vec<String>,
    /// The setting whose absence this is (`platform`, `root`), when it is: a window says
    /// where to set it instead of the command line's flags ([`Error::missing_setting`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub setting: Option<String>,
}

impl From<Error> for ErrorReport {
    fn from(e: Error) -> Self {
        let reasons = match &e {
            Error::Refused { reasons } => reasons.clone(),
            _ => Vec::new(),
        };
        Self {
            code: e.code().into(),
            setting: e.missing_setting().map(str::to_string),
            message: e.to_string(),
            reasons,
        }
    }
}
