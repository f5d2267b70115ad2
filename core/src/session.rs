//! Where things are: the data directory, the store, and which platform to use.

use crate::platform::{self, Platform};
use crate::store::Store;
use crate::uri::PlatformUri;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// The data directory of a configuration (see [`crate::config::Config::data_dir`]).
pub fn data_dir(config: &crate::config::Config) -> PathBuf {
    config.data_dir.value.clone()
}

/// The store file inside a data directory.
pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("countersign.db")
}

/// Opens the store in a data directory.
pub fn open_store(data_dir: &Path) -> Result<Store> {
    Store::open(&store_path(data_dir))
}

/// Picks the platform: the configured one (flag, `COUNTERSIGN_PLATFORM`, `MLFLOW_TRACKING_URI`,
/// the config file), else the platform used last with this store.
pub fn resolve_platform(configured: Option<&str>, store: &Store) -> Result<PlatformUri> {
    let chosen = match configured.map(str::to_string) {
        Some(s) => s,
        None => store.meta("last_platform")?.ok_or_else(|| Error::InvalidInput {
            what: "platform",
            input: String::new(),
            reason: crate::error::NO_PLATFORM_SET.to_string() + ": pass --platform http://HOST:PORT (MLflow) or --platform folder:PATH, set MLFLOW_TRACKING_URI, put `platform = …` in the config file, or run `countersign demo`",
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
/// defaults when the policy renames them — with the configured HTTP options.
pub fn open_platform(
    uri: &PlatformUri,
    client: &crate::platform::mlflow::ClientOptions,
    policy: &crate::policy::LoadedPolicy,
) -> Result<Box<dyn Platform>> {
    platform::open(
        uri,
        client.clone(),
        policy.policy.tags.clone(),
        &policy.policy.evidence,
    )
}

/// An open store together with the platform the user works on, inside every
/// [`crate::workspace::Workspace`] (front ends hold the workspace).
pub struct Session {
    /// The local store.
    pub store: Store,
    /// The platform.
    pub platform: PlatformUri,
    /// The platform's key in the store (its URI without credentials).
    pub key: String,
    /// How to reach the platform (timeouts, retries, credentials), from the configuration.
    pub client: crate::platform::mlflow::ClientOptions,
    /// The configured identity (`--as`, `COUNTERSIGN_IDENTITY`, the config file), if any.
    pub identity: Option<String>,
    /// The configured allowed_signers file, if any (else see [`allowed_signers_path`]).
    pub allowed_signers: Option<PathBuf>,
    /// The configured signing key.
    pub signing_key: crate::config::KeyChoice,
    /// The pinned trust root (a file or `sha256:HEX`), if any.
    pub root: Option<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("platform", &self.key)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Opens the store in the configured data directory and resolves the platform (see
    /// [`resolve_platform`]).
    pub fn open(config: &crate::config::Config) -> Result<Self> {
        let store = open_store(&config.data_dir.value)?;
        let platform = resolve_platform(config.platform.value.as_deref(), &store)?;
        Ok(Self::with_store(store, platform, config))
    }

    /// A session over `store` on a known platform, with the configuration's settings (for a
    /// second connection on another thread: see [`crate::workspace::WorkspaceSource`]).
    pub fn with_store(store: Store, platform: PlatformUri, config: &crate::config::Config) -> Self {
        let key = platform_key(&platform);
        Self {
            store,
            platform,
            key,
            client: config.http.clone(),
            identity: config.identity.value.clone(),
            allowed_signers: config.allowed_signers.value.clone(),
            signing_key: config.signing_key.value.clone(),
            root: config.root.value.clone(),
        }
    }

    /// A session over an open store with default settings (no identity, default HTTP options,
    /// the default key): for tests and benchmarks that build their own store.
    pub fn from_parts(store: Store, platform: PlatformUri) -> Self {
        let key = platform_key(&platform);
        Self {
            store,
            platform,
            key,
            client: Default::default(),
            identity: None,
            allowed_signers: None,
            signing_key: crate::config::KeyChoice::Agent,
            root: None,
        }
    }

    /// Opens a client of this session's platform under `policy`'s tag names.
    pub fn open_platform(&self, policy: &crate::policy::LoadedPolicy) -> Result<Box<dyn Platform>> {
        open_platform(&self.platform, &self.client, policy)
    }

    /// The version a reference names, from the synced inventory: `models:/NAME/VERSION`, or
    /// `models:/NAME@ALIAS` as of the last sync (for reading; verification and signing resolve
    /// aliases on the platform: [`crate::workspace::Workspace::resolve`]).
    pub fn resolve_local(&self, input: &str) -> Result<crate::uri::VersionRef> {
        let Some((name, alias)) = crate::uri::parse_alias(input) else {
            return crate::uri::VersionRef::parse(input);
        };
        let model = self
            .store
            .model(&self.key, &name)?
            .ok_or_else(|| Error::NotFound {
                what: format!("model '{name}'"),
                hint: " in the synced inventory (run `countersign sync`)".into(),
            })?;
        match model.aliases.get(&alias) {
            Some(v) => Ok(crate::uri::VersionRef {
                name,
                version: v.clone(),
            }),
            None => Err(Error::NotFound {
                what: format!("alias '{alias}' of model '{name}'"),
                hint: " in the synced inventory (run `countersign sync`, or check the alias)"
                    .into(),
            }),
        }
    }

    /// Who is acting: the configured identity, else the login name, else "unknown".
    pub fn whoami(&self) -> String {
        self.identity
            .clone()
            .or_else(|| std::env::var("USER").ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "unknown".into())
    }

    /// Records this platform as the one to use next time no platform is given.
    pub fn remember_platform(&self) -> Result<()> {
        self.store.set_meta("last_platform", &self.key)
    }
}

/// The `allowed_signers` file a policy release is assembled from: `explicit`, else the path
/// the policy file names, else `DATA_DIR/allowed_signers`. Never a file inside the platform,
/// and never what verification trusts (that is the release's roster).
pub fn allowed_signers_path(
    explicit: Option<&Path>,
    policy: &crate::policy::LoadedPolicy,
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
