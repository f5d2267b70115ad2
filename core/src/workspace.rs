//! Where things are: the data directory, the store, and which platform to use.

use crate::platform::{self, Platform};
use crate::store::Store;
use crate::uri::PlatformUri;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "COUNTERSIGN_DATA_DIR";

/// The data directory: `explicit`, else `$COUNTERSIGN_DATA_DIR`, else the XDG data directory
/// (`~/.local/share/countersign`).
pub fn data_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from(".countersign"))
        .join("countersign")
}

/// The store file inside a data directory.
pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("countersign.db")
}

/// Opens the store in a data directory.
pub fn open_store(data_dir: &Path) -> Result<Store> {
    Store::open(&store_path(data_dir))
}

/// Picks the platform: `explicit` (a flag or `COUNTERSIGN_PLATFORM`), else
/// `MLFLOW_TRACKING_URI`, else the platform used last with this store.
pub fn resolve_platform(explicit: Option<&str>, store: &Store) -> Result<PlatformUri> {
    let from_env = std::env::var("MLFLOW_TRACKING_URI")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let chosen = match explicit.map(str::to_string).or(from_env) {
        Some(s) => s,
        None => store.meta("last_platform")?.ok_or_else(|| Error::InvalidInput {
            what: "platform",
            input: String::new(),
            reason: "no platform is set: pass --platform http://HOST:PORT (MLflow) or --platform folder:PATH, set MLFLOW_TRACKING_URI, or run `countersign demo`".into(),
        })?,
    };
    let uri = PlatformUri::parse(&chosen)?;
    Ok(match uri {
        PlatformUri::Folder(p) => PlatformUri::Folder(std::fs::canonicalize(&p).unwrap_or(p)),
        other => other,
    })
}

/// The key under which a platform's inventory is stored (its URI without credentials).
pub fn platform_key(uri: &PlatformUri) -> String {
    uri.display_safe()
}

/// Opens a platform client that reads the inventory fields (tier, owner, purpose, monitoring,
/// review date, provider, kind) from the tag names of the policy in force — never the
/// defaults when the policy renames them.
pub fn open_platform(
    uri: &PlatformUri,
    policy: &crate::policy::LoadedPolicy,
) -> Result<Box<dyn Platform>> {
    platform::open(uri, policy.policy.tags.clone())
}

/// An open store together with the platform the user works on: what every front end holds.
pub struct Session {
    /// The local store.
    pub store: Store,
    /// The platform.
    pub platform: PlatformUri,
    /// The platform's key in the store (its URI without credentials).
    pub key: String,
}

impl Session {
    /// Opens the store in `data_dir` (see [`data_dir`]) and resolves the platform (see
    /// [`resolve_platform`]).
    pub fn open(data_dir_flag: Option<&Path>, platform_flag: Option<&str>) -> Result<Self> {
        let store = open_store(&data_dir(data_dir_flag))?;
        let platform = resolve_platform(platform_flag, &store)?;
        let key = platform_key(&platform);
        Ok(Self {
            store,
            platform,
            key,
        })
    }

    /// Records this platform as the one to use next time no platform is given.
    pub fn remember_platform(&self) -> Result<()> {
        self.store.set_meta("last_platform", &self.key)
    }
}

/// The `allowed_signers` file to use: `explicit`, else the path the policy file names, else
/// `allowed_signers` inside a folder platform, else `DATA_DIR/allowed_signers`.
pub fn allowed_signers_path(
    explicit: Option<&Path>,
    policy: &crate::policy::LoadedPolicy,
    platform: &PlatformUri,
    data_dir: &Path,
) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if policy.path.is_some() {
        if let Some(p) = policy.allowed_signers_path() {
            return p;
        }
    }
    if let PlatformUri::Folder(dir) = platform {
        let p = dir.join("allowed_signers");
        if p.exists() {
            return p;
        }
    }
    data_dir.join("allowed_signers")
}

/// Loads `allowed_signers`, saying how to make one when it is missing.
pub fn load_allowed_signers(
    path: &Path,
) -> Result<crate::signing::allowed_signers::AllowedSigners> {
    if !path.exists() {
        return Err(Error::InvalidInput {
            what: "allowed_signers file",
            input: path.display().to_string(),
            reason: "it does not exist; the risk function keeps one line per signer (`countersign keys` prints yours); pass --allowed-signers FILE".into(),
        });
    }
    crate::signing::allowed_signers::AllowedSigners::load(path)
}

/// Who is acting, for exports and records: `explicit` (`--as`), else `COUNTERSIGN_IDENTITY`,
/// else the login name, else "unknown".
pub fn whoami(explicit: Option<&str>) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| {
            std::env::var("COUNTERSIGN_IDENTITY")
                .ok()
                .filter(|v| !v.is_empty())
        })
        .or_else(|| std::env::var("USER").ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Where interactive exports go: `DATA_DIR/exports/<stem>-<UTC timestamp><ext>`, the stem
/// encoded as one safe path component (it often holds a model name from the platform). The
/// one function the CLI, the TUI and the desktop build export paths with.
pub fn export_path(data_dir: &Path, stem: &str, ext: &str) -> PathBuf {
    data_dir.join("exports").join(format!(
        "{}-{}{ext}",
        crate::paths::encode_component(stem),
        chrono::Utc::now().format("%Y%m%dT%H%M%S")
    ))
}
