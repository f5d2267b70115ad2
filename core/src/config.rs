//! One resolved configuration for every front end: command-line flags > environment variables
//! (MLflow's own and `COUNTERSIGN_*`) > the config file (`$XDG_CONFIG_HOME/countersign/config.toml`,
//! or `COUNTERSIGN_CONFIG`) > defaults. Each value remembers where it came from, so
//! `countersign config show` can say so (like `git config --show-origin`). Front ends build
//! [`Flags`] from what the user typed and call [`Config::resolve`]; nothing else in Countersign
//! reads these settings from the environment. docs/configuration.md documents the file.

use crate::platform::mlflow::ClientOptions;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Origin {
    /// A command-line flag (its name) or a field of the desktop's settings.
    Flag(String),
    /// An environment variable (its name).
    Env(String),
    /// The config file (its path).
    File(String),
    /// The built-in default.
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag(n) => write!(f, "flag {n}"),
            Origin::Env(n) => write!(f, "env {n}"),
            Origin::File(p) => write!(f, "file {p}"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub origin: Origin,
}

/// What the user gave on the command line (or in the desktop's settings form).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--platform`.
    pub platform: Option<String>,
    /// `--policy`.
    pub policy: Option<PathBuf>,
    /// `--allowed-signers`.
    pub allowed_signers: Option<PathBuf>,
    /// `--root`: the pinned trust root, a file or `sha256:HEX`.
    pub root: Option<String>,
    /// `--min-release`: the lowest policy release number the gate accepts as the newest.
    pub min_release: Option<u64>,
    /// `--as`.
    pub identity: Option<String>,
    /// `--key`.
    pub key: Option<PathBuf>,
    /// `--agent`.
    pub agent: bool,
}

/// The config file's contents (every key optional; unknown keys are errors).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Platform URI.
    pub platform: Option<String>,
    /// Data directory.
    pub data_dir: Option<PathBuf>,
    /// Policy file.
    pub policy: Option<PathBuf>,
    /// allowed_signers file.
    pub allowed_signers: Option<PathBuf>,
    /// The pinned trust root: its file, or `sha256:HEX`.
    pub root: Option<String>,
    /// The lowest policy release number accepted as the newest.
    pub min_release: Option<u64>,
    /// Who you are (as in allowed_signers).
    pub identity: Option<String>,
    /// Signing key file, or `agent`.
    pub signing_key: Option<String>,
    /// Log level: off, info or debug.
    pub log: Option<String>,
    /// The secret MLflow signs webhook deliveries with (`countersign watch --register` writes
    /// it; the file is then readable by its owner only).
    pub webhook_secret: Option<String>,
    /// HTTP options.
    #[serde(default)]
    pub http: HttpFile,
}

/// `[http]` in the config file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpFile {
    /// Seconds per request.
    pub timeout: Option<f64>,
    /// Attempts per request.
    pub attempts: Option<u32>,
    /// Largest response body, MiB.
    pub max_body_mb: Option<u64>,
}

/// Which key signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChoice {
    /// A private key file.
    File(PathBuf),
    /// ssh-agent (`SSH_AUTH_SOCK`).
    Agent,
}

/// Every setting, resolved.
#[derive(Clone)]
pub struct Config {
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    /// Where the config file was looked for (whether or not it exists).
    pub file_looked_for: Option<PathBuf>,
    /// The data directory.
    pub data_dir: Setting<PathBuf>,
    /// The platform URI; `None`: the one used last with this store.
    pub platform: Setting<Option<String>>,
    /// The policy file; `None`: the built-in policy.
    pub policy: Setting<Option<PathBuf>>,
    /// The allowed_signers file; `None`: found from the policy, the platform or the data dir.
    pub allowed_signers: Setting<Option<PathBuf>>,
    /// The pinned trust root (a file, or `sha256:HEX`); `None`: nothing is trusted, and the
    /// gate, verification and signing refuse to run.
    pub root: Setting<Option<String>>,
    /// The lowest policy release accepted as the newest (a fresh machine cannot be rolled back
    /// below it by hiding newer releases); `None`: no floor beyond what this machine has seen.
    pub min_release: Setting<Option<u64>>,
    /// Who is acting; `None`: the login name, where [`Config::login_fallback`] allows it.
    pub identity: Setting<Option<String>>,
    /// Whether the login name stands in for an identity nobody configured (the CLI: yes; the
    /// TUI and the desktop, which ask instead: no — core then refuses to record under none).
    pub login_fallback: bool,
    /// The signing key.
    pub signing_key: Setting<KeyChoice>,
    /// Where `keys generate` writes a new key by default (`~/.ssh/countersign_ed25519`), the
    /// first place the default key is looked for.
    pub generated_key_path: PathBuf,
    /// What is logged: `off` (default), `info` (retries) or `debug` (every request, URLs without
    /// credentials; secrets never). Front ends send it where their users look.
    pub log_level: Setting<String>,
    /// The webhook secret (`COUNTERSIGN_WEBHOOK_SECRET`, else the file's `webhook_secret`).
    pub webhook_secret: Setting<Option<String>>,
    /// HTTP client options, MLflow credentials included.
    pub http: ClientOptions,
    /// Where each HTTP option came from: (name, origin), in [`Config::show`]'s order.
    http_origins: Vec<(&'static str, Origin)>,
}

impl std::fmt::Debug for Config {
    /// What `config show` shows: credentials in a URI redacted, secrets as `(set)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for s in self.show() {
            m.entry(&s.name, &s.value);
        }
        m.finish()
    }
}

/// One line of `config show`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ShownSetting {
    /// The setting's name (as in the config file).
    pub name: String,
    /// Its value as text; secrets are `(set)`; `None` when unset.
    pub value: Option<String>,
    /// Where it came from.
    pub origin: Origin,
}

/// The config file's path: `COUNTERSIGN_CONFIG`, else `$XDG_CONFIG_HOME/countersign/config.toml`
/// (`~/.config/countersign/config.toml`).
pub fn config_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = env("COUNTERSIGN_CONFIG") {
        return Some(PathBuf::from(p));
    }
    env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("countersign").join("config.toml"))
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A setting that may stay unset (its origin then is the default).
fn opt<T>(s: Option<Setting<T>>) -> Setting<Option<T>> {
    match s {
        Some(s) => Setting {
            value: Some(s.value),
            origin: s.origin,
        },
        None => Setting {
            value: None,
            origin: Origin::Default,
        },
    }
}

/// Picks the first of (value, origin) candidates that is set.
fn first<T>(candidates: Vec<(Option<T>, Origin)>) -> Option<Setting<T>> {
    candidates
        .into_iter()
        .find_map(|(v, origin)| v.map(|value| Setting { value, origin }))
}

fn flag(n: &str) -> Origin {
    Origin::Flag(n.into())
}
fn env_o(n: &str) -> Origin {
    Origin::Env(n.into())
}

impl Config {
    /// Resolves the configuration from `flags`, the process environment and the config file.
    pub fn resolve(flags: &Flags) -> Result<Self> {
        // HOME as the environment says, else as the operating system knows it.
        let env = |k: &str| match k {
            "HOME" => {
                process_env("HOME").or_else(|| dirs::home_dir().map(|h| h.display().to_string()))
            }
            _ => process_env(k),
        };
        let looked = config_path(&env);
        let explicit = env("COUNTERSIGN_CONFIG").is_some();
        let file = match looked.clone() {
            Some(p) => match std::fs::read_to_string(&p) {
                Ok(text) => Some((p, text)),
                // The default place may hold no file; a file named by COUNTERSIGN_CONFIG must
                // exist (a typo there must not silently drop the policy the file names).
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => None,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(Error::InvalidInput {
                        what: "config file (COUNTERSIGN_CONFIG)",
                        input: p.display().to_string(),
                        reason: "it does not exist; fix the path or unset COUNTERSIGN_CONFIG"
                            .into(),
                    })
                }
                Err(e) => return Err(Error::io(&p, e)),
            },
            None => None,
        };
        let mut c = Self::from_sources(
            flags,
            &env,
            file.as_ref().map(|(p, t)| (p.as_path(), t.as_str())),
        )?;
        c.file_looked_for = looked;
        // By default, the operating system's data directory (`~/.local/share` here, others on
        // macOS and Windows), as before: never a path relative to where one stands.
        if c.data_dir.origin == Origin::Default {
            if let Some(d) = dirs::data_dir() {
                c.data_dir.value = d.join("countersign");
            }
        }
        Ok(c)
    }

    /// Resolves from explicit sources (a pure function of them; see [`Config::resolve`]).
    pub fn from_sources(
        flags: &Flags,
        env: &dyn Fn(&str) -> Option<String>,
        file: Option<(&Path, &str)>,
    ) -> Result<Self> {
        let parsed: ConfigFile = match file {
            Some((path, text)) => toml::from_str(text).map_err(|e| Error::InvalidFile {
                path: path.to_path_buf(),
                message: format!(
                    "{} (keys: platform, data_dir, policy, allowed_signers, root, min_release, identity, signing_key, log, webhook_secret, [http] timeout, attempts, max_body_mb; see docs/configuration.md)",
                    e.to_string().trim_end()
                ),
            })?,
            None => ConfigFile::default(),
        };
        let from_file = || match file {
            Some((p, _)) => Origin::File(p.display().to_string()),
            None => Origin::Default,
        };
        // In the file, `~/` is the home folder and relative paths are relative to the file's
        // folder.
        let home = env("HOME").map(PathBuf::from);
        let rel = |p: PathBuf| {
            let p = match (p.strip_prefix("~"), &home) {
                (Ok(rest), Some(h)) => h.join(rest),
                _ => p,
            };
            match file.and_then(|(f, _)| f.parent()) {
                Some(dir) if p.is_relative() => dir.join(p),
                _ => p,
            }
        };
        let file_platform = parsed
            .platform
            .clone()
            .map(|p| match p.strip_prefix("folder:") {
                Some(path) => format!("folder:{}", rel(PathBuf::from(path)).display()),
                None => p,
            });
        let data_dir = first(vec![
            (flags.data_dir.clone(), flag("--data-dir")),
            (
                env("COUNTERSIGN_DATA_DIR").map(PathBuf::from),
                env_o("COUNTERSIGN_DATA_DIR"),
            ),
            (parsed.data_dir.clone().map(rel), from_file()),
        ])
        .unwrap_or_else(|| Setting {
            value: env("XDG_DATA_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".local/share")))
                .unwrap_or_else(|| PathBuf::from(".countersign"))
                .join("countersign"),
            origin: Origin::Default,
        });
        let platform = opt(first(vec![
            (flags.platform.clone(), flag("--platform")),
            (env("COUNTERSIGN_PLATFORM"), env_o("COUNTERSIGN_PLATFORM")),
            (
                env("MLFLOW_TRACKING_URI").filter(|v| !v.trim().is_empty()),
                env_o("MLFLOW_TRACKING_URI"),
            ),
            (file_platform, from_file()),
        ]));
        let policy = opt(first(vec![
            (flags.policy.clone(), flag("--policy")),
            (
                env("COUNTERSIGN_POLICY").map(PathBuf::from),
                env_o("COUNTERSIGN_POLICY"),
            ),
            (parsed.policy.clone().map(rel), from_file()),
        ]));
        let allowed_signers = opt(first(vec![
            (flags.allowed_signers.clone(), flag("--allowed-signers")),
            (
                env("COUNTERSIGN_ALLOWED_SIGNERS").map(PathBuf::from),
                env_o("COUNTERSIGN_ALLOWED_SIGNERS"),
            ),
            (parsed.allowed_signers.clone().map(rel), from_file()),
        ]));
        let root = opt(first(vec![
            (flags.root.clone(), flag("--root")),
            (env("COUNTERSIGN_ROOT"), env_o("COUNTERSIGN_ROOT")),
            (
                parsed
                    .root
                    .clone()
                    .map(|r| match crate::trust::RootPin::parse(&r) {
                        crate::trust::RootPin::File(p) => rel(p).display().to_string(),
                        crate::trust::RootPin::Sha256(_) => r,
                    }),
                from_file(),
            ),
        ]));
        let min_release_env = match env("COUNTERSIGN_MIN_RELEASE") {
            Some(v) => Some(v.trim().parse::<u64>().map_err(|_| Error::InvalidInput {
                what: "COUNTERSIGN_MIN_RELEASE",
                input: v.clone(),
                reason: "a whole number: the lowest policy release the gate accepts".into(),
            })?),
            None => None,
        };
        let min_release = opt(first(vec![
            (flags.min_release, flag("--min-release")),
            (min_release_env, env_o("COUNTERSIGN_MIN_RELEASE")),
            (parsed.min_release, from_file()),
        ]));
        let identity = opt(first(vec![
            (flags.identity.clone(), flag("--as")),
            (env("COUNTERSIGN_IDENTITY"), env_o("COUNTERSIGN_IDENTITY")),
            (parsed.identity.clone(), from_file()),
        ]));
        let webhook_secret = opt(first(vec![
            (
                env("COUNTERSIGN_WEBHOOK_SECRET"),
                env_o("COUNTERSIGN_WEBHOOK_SECRET"),
            ),
            (parsed.webhook_secret.clone(), from_file()),
        ]));
        let key_of = |s: String, o: Origin, rel: &dyn Fn(PathBuf) -> PathBuf| Setting {
            value: if s == "agent" {
                KeyChoice::Agent
            } else {
                KeyChoice::File(rel(PathBuf::from(s)))
            },
            origin: o,
        };
        let home_ssh = env("HOME").map(|h| PathBuf::from(h).join(".ssh"));
        let generated_key_path = home_ssh.clone().unwrap_or_default().join(DEFAULT_KEY_NAME);
        let signing_key = if flags.agent {
            Setting {
                value: KeyChoice::Agent,
                origin: flag("--agent"),
            }
        } else if let Some(k) = &flags.key {
            Setting {
                value: KeyChoice::File(k.clone()),
                origin: flag("--key"),
            }
        } else if let Some(k) = env("COUNTERSIGN_KEY") {
            key_of(k, env_o("COUNTERSIGN_KEY"), &|p| p)
        } else if let Some(k) = parsed.signing_key.clone() {
            key_of(k, from_file(), &rel)
        } else {
            // The key `keys generate` writes, else OpenSSH's usual one, else the agent.
            let ssh = home_ssh.unwrap_or_default();
            let generated = ssh.join(DEFAULT_KEY_NAME);
            let usual = ssh.join("id_ed25519");
            let value = if generated.exists() {
                KeyChoice::File(generated)
            } else if usual.exists() {
                KeyChoice::File(usual)
            } else if env("SSH_AUTH_SOCK").is_some() {
                KeyChoice::Agent
            } else {
                KeyChoice::File(generated)
            };
            Setting {
                value,
                origin: Origin::Default,
            }
        };
        let log_level = first(vec![
            (env("COUNTERSIGN_LOG"), env_o("COUNTERSIGN_LOG")),
            (parsed.log.clone(), from_file()),
        ])
        .map(|s| Setting {
            value: s.value.to_ascii_lowercase(),
            origin: s.origin,
        })
        .unwrap_or(Setting {
            value: "off".into(),
            origin: Origin::Default,
        });
        let mut http = ClientOptions::default();
        let mut http_origins = Vec::new();
        // A value that is not a number (or not a finite, sane one) is an error naming where it
        // came from, never silently the default and never a crash.
        fn seconds(v: f64) -> Option<Duration> {
            (v.is_finite() && v > 0.0 && v <= 86_400.0).then(|| Duration::from_secs_f64(v.max(0.1)))
        }
        let bad = |what: &'static str, input: String, reason: &str| Error::InvalidInput {
            what,
            input,
            reason: reason.to_string(),
        };
        let mut origin_of = |name: &'static str, var: &'static str, in_file: bool| {
            let o = if env(var).is_some() {
                env_o(var)
            } else if in_file {
                from_file()
            } else {
                Origin::Default
            };
            http_origins.push((name, o));
        };
        if let Some(v) = env("COUNTERSIGN_HTTP_TIMEOUT") {
            http.timeout = v
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(seconds)
                .ok_or_else(|| {
                    bad(
                        "COUNTERSIGN_HTTP_TIMEOUT",
                        v.clone(),
                        "write a number of seconds between 0.1 and 86400",
                    )
                })?;
        } else if let Some(t) = parsed.http.timeout {
            http.timeout = seconds(t).ok_or_else(|| {
                bad(
                    "http.timeout in the config file",
                    t.to_string(),
                    "write a number of seconds between 0.1 and 86400",
                )
            })?;
        }
        origin_of(
            "http.timeout",
            "COUNTERSIGN_HTTP_TIMEOUT",
            parsed.http.timeout.is_some(),
        );
        if let Some(v) = env("COUNTERSIGN_HTTP_ATTEMPTS") {
            http.attempts = v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|a| *a >= 1)
                .ok_or_else(|| {
                    bad(
                        "COUNTERSIGN_HTTP_ATTEMPTS",
                        v.clone(),
                        "write a whole number, 1 or more",
                    )
                })?;
        } else if let Some(a) = parsed.http.attempts {
            http.attempts = a.max(1);
        }
        origin_of(
            "http.attempts",
            "COUNTERSIGN_HTTP_ATTEMPTS",
            parsed.http.attempts.is_some(),
        );
        if let Some(v) = env("COUNTERSIGN_HTTP_MAX_BODY_MB") {
            let mb = v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|m| *m >= 1)
                .ok_or_else(|| {
                    bad(
                        "COUNTERSIGN_HTTP_MAX_BODY_MB",
                        v.clone(),
                        "write a whole number of MiB, 1 or more",
                    )
                })?;
            http.max_body = mb.saturating_mul(1024 * 1024);
        } else if let Some(mb) = parsed.http.max_body_mb {
            http.max_body = mb.max(1).saturating_mul(1024 * 1024);
        }
        origin_of(
            "http.max_body_mb",
            "COUNTERSIGN_HTTP_MAX_BODY_MB",
            parsed.http.max_body_mb.is_some(),
        );
        let mut secret = |name: &'static str, var: &'static str| {
            let v = env(var);
            http_origins.push((
                name,
                if v.is_some() {
                    env_o(var)
                } else {
                    Origin::Default
                },
            ));
            v
        };
        http.token = secret("mlflow.token", "MLFLOW_TRACKING_TOKEN");
        http.username = secret("mlflow.username", "MLFLOW_TRACKING_USERNAME");
        http.password = secret("mlflow.password", "MLFLOW_TRACKING_PASSWORD");
        http.insecure_tls = secret("mlflow.insecure_tls", "MLFLOW_TRACKING_INSECURE_TLS")
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        http.ca_cert_path =
            secret("mlflow.ca_cert", "MLFLOW_TRACKING_SERVER_CERT_PATH").map(PathBuf::from);
        Ok(Self {
            file: file.map(|(p, _)| p.to_path_buf()),
            file_looked_for: file.map(|(p, _)| p.to_path_buf()),
            data_dir,
            platform,
            policy,
            allowed_signers,
            root,
            min_release,
            identity,
            login_fallback: true,
            signing_key,
            generated_key_path,
            log_level,
            webhook_secret,
            http,
            http_origins,
        })
    }

    /// Every setting at its default, ignoring the environment and any file (for tests and
    /// workspaces built from parts).
    pub fn defaults() -> Self {
        match Self::from_sources(&Flags::default(), &|_| None, None) {
            Ok(c) => c,
            // from_sources fails only on a config file's text, and there is none.
            Err(_) => unreachable!("defaults need no file"),
        }
    }

    /// Who is acting: the configured identity, else the login name, else "unknown".
    pub fn whoami(&self) -> String {
        self.acting_identity().unwrap_or_else(|| "unknown".into())
    }

    /// The configured identity, else (where [`Config::login_fallback`] allows) the login
    /// name; `None` when neither is known.
    pub fn acting_identity(&self) -> Option<String> {
        self.identity
            .value
            .clone()
            .or_else(|| self.login_fallback.then(|| process_env("USER")).flatten())
            .filter(|s| !s.trim().is_empty())
    }

    /// Whether an identity is configured (`--as`, `COUNTERSIGN_IDENTITY` or the config file):
    /// when not, a front end asks for one before recording anything, and saves it
    /// ([`Config::save_identity`]).
    pub fn identity_configured(&self) -> bool {
        self.identity
            .value
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
    }

    /// Saves `identity` as the config file's `identity` (creating the file, 0600, and its
    /// folder when missing; every other line kept as written) and takes it as this
    /// configuration's. Refused: an identity nobody should sign under
    /// ([`crate::identity::check_signer`]), and a configuration that names no config file.
    pub fn save_identity(&mut self, identity: &str) -> Result<PathBuf> {
        crate::identity::check_signer(identity).map_err(|reason| Error::InvalidInput {
            what: "identity",
            input: identity.to_string(),
            reason: format!("{reason}; type it as the roster (allowed_signers) names you, e.g. vera@bank.example"),
        })?;
        let path = self
            .file
            .clone()
            .or_else(|| self.file_looked_for.clone())
            .ok_or_else(|| Error::InvalidInput {
                what: "identity",
                input: identity.to_string(),
                reason: "there is no config file to save it in: set COUNTERSIGN_CONFIG (or HOME), or pass --as each time".into(),
            })?;
        let old = match std::fs::read_to_string(&path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&path, e)),
        };
        let old_text = old.as_deref().unwrap_or("");
        let text = with_identity(old_text, identity);
        // What is written must read back as this identity, with every other setting as it was.
        let by_hand = |why: &str| Error::InvalidFile {
            path: path.clone(),
            message: format!("{why}: set `identity = \"…\"` in it by hand (or pass --as)"),
        };
        let before: ConfigFile = crate::toml_file::parse(&path, old_text)?;
        let after: ConfigFile = toml::from_str(&text)
            .map_err(|_| by_hand("the identity could not be written into this file"))?;
        let rest = |c: &ConfigFile| {
            let mut c = c.clone();
            c.identity = None;
            serde_json::to_string(&c).unwrap_or_default()
        };
        if after.identity.as_deref() != Some(identity) || rest(&before) != rest(&after) {
            return Err(by_hand(
                "writing the identity would change other settings of this file",
            ));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        write_replacing(&path, text.as_bytes(), false)?;
        self.identity = Setting {
            value: Some(identity.to_string()),
            origin: Origin::File(path.display().to_string()),
        };
        self.file = Some(path.clone());
        Ok(path)
    }

    /// Saves `secret` as the config file's `webhook_secret` (creating the file and its folder
    /// when missing; every other line kept as written) and makes the file readable by its owner
    /// only (0600), since it now holds a secret.
    pub fn save_webhook_secret(&mut self, secret: &str) -> Result<PathBuf> {
        let path = self
            .file
            .clone()
            .or_else(|| self.file_looked_for.clone())
            .ok_or_else(|| Error::InvalidInput {
                what: "webhook secret",
                input: String::new(),
                reason: "there is no config file to save it in: set COUNTERSIGN_CONFIG (or HOME), or set COUNTERSIGN_WEBHOOK_SECRET".into(),
            })?;
        let old = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let text = with_setting(&old, "webhook_secret", Some(secret));
        let by_hand = |why: &str| Error::InvalidFile {
            path: path.clone(),
            message: format!(
                "{why}: set `webhook_secret` in it by hand, or COUNTERSIGN_WEBHOOK_SECRET"
            ),
        };
        let before: ConfigFile = crate::toml_file::parse(&path, &old)?;
        let after: ConfigFile = toml::from_str(&text)
            .map_err(|_| by_hand("the secret could not be written into this file"))?;
        let rest = |c: &ConfigFile| {
            let mut c = c.clone();
            c.webhook_secret = None;
            serde_json::to_string(&c).unwrap_or_default()
        };
        if after.webhook_secret.as_deref() != Some(secret) || rest(&before) != rest(&after) {
            return Err(by_hand(
                "writing the secret would change other settings of this file",
            ));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        write_replacing(&path, text.as_bytes(), true)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| Error::io(&path, e))?;
        }
        self.webhook_secret = Setting {
            value: Some(secret.to_string()),
            origin: Origin::File(path.display().to_string()),
        };
        self.file = Some(path.clone());
        Ok(path)
    }

    /// Every setting with its value and origin; secrets are shown as `(set)`.
    pub fn show(&self) -> Vec<ShownSetting> {
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        let mut out = vec![
            ShownSetting {
                name: "config_file".into(),
                value: match (&self.file, &self.file_looked_for) {
                    (Some(p), _) => Some(p.display().to_string()),
                    (None, Some(p)) => Some(format!("{} (not present)", p.display())),
                    (None, None) => None,
                },
                origin: if process_env("COUNTERSIGN_CONFIG").is_some() {
                    Origin::Env("COUNTERSIGN_CONFIG".into())
                } else {
                    Origin::Default
                },
            },
            ShownSetting {
                name: "platform".into(),
                value: self
                    .platform
                    .value
                    .as_deref()
                    .map(crate::uri::redact_url_str)
                    .or(Some("(the platform used last)".into())),
                origin: self.platform.origin.clone(),
            },
            ShownSetting {
                name: "data_dir".into(),
                value: Some(self.data_dir.value.display().to_string()),
                origin: self.data_dir.origin.clone(),
            },
            ShownSetting {
                name: "policy".into(),
                value: path(&self.policy.value).or(Some("(built-in default policy)".into())),
                origin: self.policy.origin.clone(),
            },
            ShownSetting {
                name: "allowed_signers".into(),
                value: path(&self.allowed_signers.value).or(Some(
                    "(the policy's, else FOLDER/allowed_signers, else DATA_DIR/allowed_signers)"
                        .into(),
                )),
                origin: self.allowed_signers.origin.clone(),
            },
            ShownSetting {
                name: "root".into(),
                value: Some(
                    self.root.value.clone().unwrap_or_else(|| {
                        "(none pinned: the gate, verify and sign refuse)".into()
                    }),
                ),
                origin: self.root.origin.clone(),
            },
            ShownSetting {
                name: "min_release".into(),
                value: Some(
                    self.min_release
                        .value
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "(none: the newest this machine has seen)".into()),
                ),
                origin: self.min_release.origin.clone(),
            },
            ShownSetting {
                name: "identity".into(),
                value: Some(match &self.identity.value {
                    Some(i) => i.clone(),
                    None => format!("{} (the login name)", self.whoami()),
                }),
                origin: self.identity.origin.clone(),
            },
            ShownSetting {
                name: "signing_key".into(),
                value: Some(match &self.signing_key.value {
                    KeyChoice::Agent => "agent".into(),
                    KeyChoice::File(p) => p.display().to_string(),
                }),
                origin: self.signing_key.origin.clone(),
            },
        ];
        out.push(ShownSetting {
            name: "log".into(),
            value: Some(self.log_level.value.clone()),
            origin: self.log_level.origin.clone(),
        });
        out.push(ShownSetting {
            name: "webhook_secret".into(),
            value: self.webhook_secret.value.as_ref().map(|_| "(set)".into()),
            origin: self.webhook_secret.origin.clone(),
        });
        for (name, origin) in &self.http_origins {
            let value = match *name {
                "http.timeout" => Some(format!("{}", self.http.timeout.as_secs_f64())),
                "http.attempts" => Some(self.http.attempts.to_string()),
                "http.max_body_mb" => Some((self.http.max_body / (1024 * 1024)).to_string()),
                "mlflow.token" => self.http.token.as_ref().map(|_| "(set)".into()),
                "mlflow.password" => self.http.password.as_ref().map(|_| "(set)".into()),
                "mlflow.username" => self.http.username.clone(),
                "mlflow.insecure_tls" => Some(self.http.insecure_tls.to_string()),
                "mlflow.ca_cert" => self
                    .http
                    .ca_cert_path
                    .as_ref()
                    .map(|p| p.display().to_string()),
                _ => None,
            };
            out.push(ShownSetting {
                name: (*name).into(),
                value,
                origin: origin.clone(),
            });
        }
        out
    }
}

/// The file name `keys generate` writes under `~/.ssh/` and the default key looks for first.
pub const DEFAULT_KEY_NAME: &str = "countersign_ed25519";

/// Writes `bytes` to `path` through a temporary file renamed over it (a crash leaves the old
/// file or the new one, never half of one), keeping the old file's permissions unless
/// `private` (it holds a secret: then readable by its owner only); a new file is readable by
/// its owner only (it may hold credentials).
pub(crate) fn write_replacing(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    use std::io::Write;
    // A linked config file (dotfiles) is written where the link points — even a link to a
    // file not made yet — and stays linked.
    let mut target = path.to_path_buf();
    for _ in 0..16 {
        match std::fs::read_link(&target) {
            Ok(to) => {
                target = match target.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                }
            }
            Err(_) => break,
        }
    }
    let path = target.as_path();
    let read_only = || {
        Error::InvalidFile {
        path: path.to_path_buf(),
        message: "the config file cannot be written: make it writable, or edit it by hand (or pass the setting as a flag)".into(),
    }
    };
    if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return Err(read_only());
    }
    // Writable by this user (not only by its mode bits): opened for writing, nothing written.
    if path.exists() {
        if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                return Err(read_only());
            }
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".{name}.{}.{seq}.tmp", std::process::id()));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut f = open.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        // The old file's mode is kept, but a file holding a secret stays its owner's only:
        // it is never, even for a moment, readable by others.
        if let (false, Ok(m)) = (private, std::fs::metadata(path)) {
            std::fs::set_permissions(&tmp, m.permissions())?;
        }
        std::fs::rename(&tmp, path)?;
        // The rename itself reaches the disk with its folder.
        if let Some(dir) = path.parent() {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// `text` (a config file) with its top-level `identity` set to `identity`: the existing line
/// replaced in place, else a line added before the first table.
fn with_identity(text: &str, identity: &str) -> String {
    with_setting(text, "identity", Some(identity))
}

/// `text` (a config file) with its top-level string setting `key` set to `value` (the existing
/// line replaced in place, else a line added before the first table), or removed (`None`).
/// Every other line is kept as written.
pub(crate) fn with_setting(text: &str, key: &str, value: Option<&str>) -> String {
    let line = value.map(|v| format!("{key} = {}", toml::Value::String(v.to_string())));
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    // Nothing to add when removing.
    let mut done = line.is_none();
    let mut in_table = false;
    let quoted = [format!("\"{key}\""), format!("'{key}'")];
    for l in text.lines() {
        let t = l.trim_start();
        let t = quoted
            .iter()
            .find_map(|q| {
                t.strip_prefix(q.as_str())
                    .map(|rest| format!("{key}{rest}"))
            })
            .unwrap_or_else(|| t.to_string());
        let t = t.as_str();
        if t.starts_with('[') {
            if let (false, Some(line)) = (done, &line) {
                out.push(line.clone());
                done = true;
            }
            in_table = true;
        }
        let is_key = !in_table
            && t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='));
        if is_key {
            if let (false, Some(line)) = (done, &line) {
                out.push(line.clone());
                done = true;
            }
            continue;
        }
        out.push(l.to_string());
    }
    if let (false, Some(line)) = (done, line) {
        out.push(line);
    }
    if out.is_empty() {
        return String::new();
    }
    out.join(newline) + newline
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| m.get(k).cloned()
    }

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let file = Path::new("/etc/cs/config.toml");
        let text = "platform = \"folder:/from/file\"\ndata_dir = \"data\"\nidentity = \"file@x\"\npolicy = \"p.toml\"\n[http]\nattempts = 7\n";
        let env = env_of(&[
            ("COUNTERSIGN_PLATFORM", "http://env:5000"),
            ("HOME", "/home/u"),
            ("COUNTERSIGN_HTTP_TIMEOUT", "5"),
            ("MLFLOW_TRACKING_PASSWORD", "hunter2"),
        ]);
        let flags = Flags {
            identity: Some("flag@x".into()),
            ..Flags::default()
        };
        let c = Config::from_sources(&flags, &env, Some((file, text))).unwrap();
        assert_eq!(c.identity.value.as_deref(), Some("flag@x"));
        assert_eq!(c.identity.origin, Origin::Flag("--as".into()));
        assert_eq!(c.platform.value.as_deref(), Some("http://env:5000"));
        assert_eq!(
            c.platform.origin,
            Origin::Env("COUNTERSIGN_PLATFORM".into())
        );
        assert_eq!(
            c.data_dir.value,
            PathBuf::from("/etc/cs/data"),
            "relative to the file"
        );
        assert_eq!(
            c.data_dir.origin,
            Origin::File("/etc/cs/config.toml".into())
        );
        assert_eq!(c.policy.value, Some(PathBuf::from("/etc/cs/p.toml")));
        assert_eq!(c.http.attempts, 7);
        assert_eq!(c.http.timeout, Duration::from_secs(5));
        let shown = c.show();
        let get = |n: &str| shown.iter().find(|s| s.name == n).unwrap().clone();
        assert_eq!(get("mlflow.password").value.as_deref(), Some("(set)"));
        assert!(!format!("{shown:?}").contains("hunter2"));
        assert_eq!(
            get("http.attempts").origin,
            Origin::File("/etc/cs/config.toml".into())
        );
        assert_eq!(
            get("http.timeout").origin,
            Origin::Env("COUNTERSIGN_HTTP_TIMEOUT".into())
        );
        // Nothing set: defaults.
        let c = Config::from_sources(&Flags::default(), &env_of(&[("HOME", "/h")]), None).unwrap();
        assert_eq!(
            c.data_dir.value,
            PathBuf::from("/h/.local/share/countersign")
        );
        assert_eq!(c.data_dir.origin, Origin::Default);
        assert_eq!(c.platform.value, None);
        assert_eq!(
            c.signing_key.value,
            KeyChoice::File(PathBuf::from("/h/.ssh/countersign_ed25519"))
        );
    }

    #[test]
    fn file_paths_expand_home_and_follow_the_file() {
        let file = Path::new("/etc/cs/config.toml");
        let text =
            "platform = \"folder:inventory\"\nsigning_key = \"~/.ssh/k\"\ndata_dir = \"~/data\"\n";
        let c = Config::from_sources(
            &Flags::default(),
            &env_of(&[("HOME", "/home/u")]),
            Some((file, text)),
        )
        .unwrap();
        assert_eq!(
            c.platform.value.as_deref(),
            Some("folder:/etc/cs/inventory")
        );
        assert_eq!(
            c.signing_key.value,
            KeyChoice::File(PathBuf::from("/home/u/.ssh/k"))
        );
        assert_eq!(c.data_dir.value, PathBuf::from("/home/u/data"));
    }

    #[test]
    fn numbers_that_are_not_sane_are_errors_naming_the_variable() {
        for (var, v) in [
            ("COUNTERSIGN_HTTP_TIMEOUT", "inf"),
            ("COUNTERSIGN_HTTP_TIMEOUT", "1e30"),
            ("COUNTERSIGN_HTTP_TIMEOUT", "soon"),
            ("COUNTERSIGN_HTTP_ATTEMPTS", "0"),
            ("COUNTERSIGN_HTTP_MAX_BODY_MB", "lots"),
        ] {
            let e = Config::from_sources(&Flags::default(), &env_of(&[(var, v)]), None)
                .unwrap_err()
                .to_string();
            assert!(e.contains(var) && e.contains(v), "{e}");
        }
        let e = Config::from_sources(
            &Flags::default(),
            &env_of(&[]),
            Some((Path::new("/c.toml"), "[http]\ntimeout = inf\n")),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("http.timeout"), "{e}");
    }

    #[test]
    fn a_bad_config_file_names_the_file_and_the_keys() {
        let e = Config::from_sources(
            &Flags::default(),
            &env_of(&[]),
            Some((Path::new("/c.toml"), "platfrom = \"x\"\n")),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("/c.toml") && e.contains("platfrom") && e.contains("keys:"),
            "{e}"
        );
    }
}

#[cfg(test)]
mod save_identity_tests {
    use super::*;

    fn config_at(path: &Path) -> Config {
        let mut c = Config::defaults();
        c.file_looked_for = Some(path.to_path_buf());
        c
    }

    #[test]
    fn the_identity_is_saved_in_place_and_every_other_line_kept() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("countersign/config.toml");
        let mut c = config_at(&path);
        assert!(!c.identity_configured());
        // A new file (and its folder), readable by its owner only.
        assert_eq!(c.save_identity("vera@bank.example").unwrap(), path);
        assert!(c.identity_configured());
        assert_eq!(c.acting_identity().as_deref(), Some("vera@bank.example"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "identity = \"vera@bank.example\"\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // An existing file: its identity line replaced, comments, order and tables kept.
        let text = "# mine\nplatform = \"folder:/x\"\n  identity   = \"old@x\" # was\n[http]\nattempts = 3\n# identity = \"commented\"\n";
        std::fs::write(&path, text).unwrap();
        let mut c = config_at(&path);
        c.save_identity("Zoë \"Q\" <zoe@bank.example>").unwrap();
        let got = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            got,
            "# mine\nplatform = \"folder:/x\"\nidentity = 'Zoë \"Q\" <zoe@bank.example>'\n[http]\nattempts = 3\n# identity = \"commented\"\n"
                .replace(
                    "'Zoë \"Q\" <zoe@bank.example>'",
                    &toml::Value::String("Zoë \"Q\" <zoe@bank.example>".into()).to_string()
                )
        );
        let again =
            Config::from_sources(&Flags::default(), &|_| None, Some((&path, &got))).unwrap();
        assert_eq!(
            again.identity.value.as_deref(),
            Some("Zoë \"Q\" <zoe@bank.example>")
        );
        assert_eq!(again.http.attempts, 3);
        // No top-level identity but a table: the line goes before the table.
        std::fs::write(&path, "[http]\nattempts = 2\n").unwrap();
        config_at(&path).save_identity("ann@bank.example").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "identity = \"ann@bank.example\"\n[http]\nattempts = 2\n"
        );
    }

    #[test]
    fn a_hostile_identity_is_refused_and_the_file_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("config.toml");
        std::fs::write(&path, "platform = \"folder:/x\"\n").unwrap();
        for bad in [
            "",
            "  ",
            "vera@bank.example\nplatform = \"http://evil\"",
            "vera@bank.example\u{202e}",
            " vera@bank.example",
            "vеra@bank.example", // Cyrillic е among Latin letters
        ] {
            let mut c = config_at(&path);
            let e = c.save_identity(bad).unwrap_err().to_string();
            assert!(e.contains("identity"), "{bad:?}: {e}");
            assert!(!c.identity_configured(), "{bad:?}");
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                "platform = \"folder:/x\"\n",
                "{bad:?}"
            );
        }
        // CRLF files stay CRLF; a quoted key and a byte-order mark are recognised.
        std::fs::write(
            &path,
            "\u{feff}\"identity\" = \"old@x\"\r\nlog = \"info\"\r\n",
        )
        .unwrap();
        config_at(&path).save_identity("ann@bank.example").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "identity = \"ann@bank.example\"\r\nlog = \"info\"\r\n"
        );
        // An `identity =` line inside a multi-line string is text, not the key: writing would
        // change that string, so nothing is written and the message says what to do.
        let tricky = "identity = \"old@x\"\nlog = '''\nidentity = \"not a key\"\n'''\n";
        std::fs::write(&path, tricky).unwrap();
        let e = config_at(&path)
            .save_identity("ann@bank.example")
            .unwrap_err()
            .to_string();
        assert!(e.contains("by hand"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), tricky);
        // A linked config file (dotfiles) is written where it points and stays a link.
        #[cfg(unix)]
        {
            let target = d.path().join("dotfiles-config.toml");
            std::fs::write(&target, "log = \"info\"\n").unwrap();
            let link = d.path().join("linked.toml");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            config_at(&link).save_identity("ann@bank.example").unwrap();
            assert!(std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink());
            assert_eq!(
                std::fs::read_to_string(&target).unwrap(),
                "log = \"info\"\nidentity = \"ann@bank.example\"\n"
            );
            // A read-only file is refused, not replaced.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
            let e = config_at(&link)
                .save_identity("bo@bank.example")
                .unwrap_err()
                .to_string();
            assert!(e.contains("cannot be written"), "{e}");
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
            // A link to a file not made yet: the file is made where it points.
            let dangling = d.path().join("dangling.toml");
            std::os::unix::fs::symlink("not-yet.toml", &dangling).unwrap();
            config_at(&dangling)
                .save_identity("ann@bank.example")
                .unwrap();
            assert!(std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink());
            assert_eq!(
                std::fs::read_to_string(d.path().join("not-yet.toml")).unwrap(),
                "identity = \"ann@bank.example\"\n"
            );
        }
        // A file that does not parse is not rewritten.
        std::fs::write(&path, "platform = [broken\n").unwrap();
        assert!(config_at(&path).save_identity("vera@bank.example").is_err());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "platform = [broken\n"
        );
        // No config file location at all: refused with what to do instead.
        let mut c = Config::defaults();
        c.file_looked_for = None;
        let e = c
            .save_identity("vera@bank.example")
            .unwrap_err()
            .to_string();
        assert!(e.contains("--as"), "{e}");
    }
}
