//! The settings a window edits (the desktop's settings view): the platform, who you are, the
//! trust root, the signing key and the data directory — read with where each came from, and
//! saved into the very config file the CLI reads ([`crate::config`]), every other line kept.
//! Each value is checked before anything is written; a value a flag or an environment variable
//! overrides is saved all the same, and the page says the override wins.

use crate::config::{Config, ConfigFile, KeyChoice, Origin};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The settings the view edits, in its order.
pub const EDITABLE: [&str; 5] = ["platform", "identity", "root", "signing_key", "data_dir"];

/// One setting as the view shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct EditableSetting {
    /// Its name in the config file.
    pub name: String,
    /// The value in force (a URI without credentials); `None` when unset.
    pub value: Option<String>,
    /// Where the value in force came from.
    pub origin: Origin,
    /// What applies while it is unset, in words.
    pub default: String,
    /// Whether the config file decides it: `false` when a flag or an environment variable
    /// overrides the file (saving still writes the file; the override keeps winning).
    pub file_decides: bool,
}

/// The settings view: the file written, each setting, and whether the app is set up yet.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SettingsPage {
    /// The config file that is read and written.
    pub file: Option<String>,
    /// Whether that file exists yet.
    pub file_exists: bool,
    /// The settings, in [`EDITABLE`]'s order.
    pub settings: Vec<EditableSetting>,
    /// Nothing says which platform to use (no setting, no platform used before with this
    /// data directory): the window opens on this page.
    pub needs_setup: bool,
}

/// What to save: each field set is written (an empty text removes the setting from the file);
/// a field left out is not touched.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
pub struct SettingsInput {
    /// `http(s)://HOST:PORT` (MLflow) or `folder:PATH`.
    #[ts(optional)]
    pub platform: Option<String>,
    /// Who you are, as the roster (allowed_signers) names you.
    #[ts(optional)]
    pub identity: Option<String>,
    /// The risk function's `root.signers` file, or `sha256:HEX`.
    #[ts(optional)]
    pub root: Option<String>,
    /// A private key file, or `agent` for ssh-agent.
    #[ts(optional)]
    pub signing_key: Option<String>,
    /// The data directory (an absolute path).
    #[ts(optional)]
    pub data_dir: Option<String>,
}

impl SettingsInput {
    fn fields(&self) -> [(&'static str, Option<&String>); 5] {
        [
            ("platform", self.platform.as_ref()),
            ("identity", self.identity.as_ref()),
            ("root", self.root.as_ref()),
            ("signing_key", self.signing_key.as_ref()),
            ("data_dir", self.data_dir.as_ref()),
        ]
    }
}

fn overridden(origin: &Origin) -> bool {
    matches!(origin, Origin::Flag(_) | Origin::Env(_))
}

/// The file's own value of `name`, taken out of `c`.
fn take(c: &mut ConfigFile, name: &str) -> Option<String> {
    match name {
        "platform" => c.platform.take(),
        "identity" => c.identity.take(),
        "root" => c.root.take(),
        "signing_key" => c.signing_key.take(),
        "data_dir" => c.data_dir.take().map(|p| p.display().to_string()),
        _ => None,
    }
}

/// `~/…` as the home folder (as the config file reads it).
fn expand(value: &str) -> PathBuf {
    match (Path::new(value).strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(value),
    }
}

/// A path setting must be absolute (or start at `~/`): the config file reads a relative path
/// from its own folder, which a window user never sees.
fn absolute(what: &'static str, value: &str) -> Result<PathBuf> {
    let p = expand(value);
    if p.is_absolute() {
        Ok(p)
    } else {
        Err(bad(
            what,
            value,
            "give an absolute path (or one starting at ~/)",
        ))
    }
}

fn bad(what: &'static str, input: &str, reason: impl Into<String>) -> Error {
    Error::InvalidInput {
        what,
        input: crate::display::escape(input).into_owned(),
        reason: reason.into(),
    }
}

/// Why `value` cannot be saved as setting `name`, if it cannot (an empty value removes it).
pub fn check(name: &str, value: &str) -> Result<()> {
    let what: &'static str = match name {
        "platform" => "platform",
        "identity" => "identity",
        "root" => "trust root",
        "signing_key" => "signing key",
        "data_dir" => "data directory",
        _ => {
            return Err(bad(
                "setting",
                name,
                format!(
                    "not a setting this page saves (it saves {})",
                    EDITABLE.join(", ")
                ),
            ))
        }
    };
    if value.is_empty() {
        return Ok(());
    }
    if value.chars().any(char::is_control) {
        return Err(bad(
            what,
            value,
            "holds a control character; type it on one line",
        ));
    }
    match name {
        "platform" => {
            let uri = crate::uri::PlatformUri::parse(value)?;
            match uri {
                crate::uri::PlatformUri::Mlflow(u) => {
                    if !u.username().is_empty() || u.password().is_some() {
                        return Err(bad(what, &crate::uri::redact_url_str(value), "credentials do not go into the config file: remove them from the address and set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) in the environment"));
                    }
                }
                crate::uri::PlatformUri::Folder(p) => {
                    let p = absolute(what, &p.display().to_string())?;
                    if !p.is_dir() {
                        return Err(bad(what, value, format!("there is no folder at {}: give the folder holding the inventory (e.g. folder:/srv/models)", p.display())));
                    }
                }
            }
        }
        "identity" => {
            crate::identity::check_signer(value).map_err(|reason| {
                bad(what, value, format!("{reason}; type it as the roster (allowed_signers) names you, e.g. vera@bank.example"))
            })?;
        }
        "root" => {
            if let Some(hex) = value.strip_prefix("sha256:") {
                if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(bad(what, value, "a pinned hash is sha256: and 64 hexadecimal digits, as `countersign policy verify` prints it"));
                }
            } else if !absolute(what, value)?.is_file() {
                return Err(bad(
                    what,
                    value,
                    "no such file: choose the risk function's root.signers, or write sha256:HEX",
                ));
            }
        }
        "signing_key"
            if !value.eq_ignore_ascii_case("agent") && !absolute(what, value)?.is_file() =>
        {
            return Err(bad(what, value, "no such file: choose your SSH private key (e.g. ~/.ssh/id_ed25519), or write agent to sign through ssh-agent"));
        }
        "data_dir" => {
            let p = absolute(what, value)?;
            if p.exists() && !p.is_dir() {
                return Err(bad(what, value, "this is a file, not a folder"));
            }
        }
        _ => {}
    }
    Ok(())
}

impl Config {
    /// The settings view of this configuration.
    pub fn settings_page(&self) -> SettingsPage {
        let file = self.file.clone().or_else(|| self.file_looked_for.clone());
        let key = match &self.signing_key.value {
            KeyChoice::Agent => Some("agent".to_string()),
            KeyChoice::File(p) => Some(p.display().to_string()),
        };
        let rows: [(&str, Option<String>, &Origin, &str); 5] = [
            (
                "platform",
                self.platform
                    .value
                    .as_deref()
                    .map(crate::uri::redact_url_str),
                &self.platform.origin,
                "the platform used last with this data directory",
            ),
            (
                "identity",
                self.identity.value.clone(),
                &self.identity.origin,
                "asked before anything is recorded",
            ),
            (
                "root",
                self.root.value.clone(),
                &self.root.origin,
                "none pinned: signing, verification and the gate refuse",
            ),
            (
                "signing_key",
                key,
                &self.signing_key.origin,
                "~/.ssh/id_ed25519, or ssh-agent when SSH_AUTH_SOCK is set",
            ),
            (
                "data_dir",
                Some(self.data_dir.value.display().to_string()),
                &self.data_dir.origin,
                "~/.local/share/countersign",
            ),
        ];
        let settings = rows
            .into_iter()
            .map(|(name, value, origin, default)| EditableSetting {
                name: name.into(),
                value,
                origin: origin.clone(),
                default: default.into(),
                file_decides: !overridden(origin),
            })
            .collect();
        let used_before = crate::session::store_path(&self.data_dir.value).is_file();
        SettingsPage {
            file_exists: file.as_ref().is_some_and(|f| f.is_file()),
            file: file.map(|f| f.display().to_string()),
            settings,
            needs_setup: self.platform.value.is_none() && !used_before,
        }
    }

    /// Saves `input` into the config file (created 0600 with its folder when missing; every
    /// line it does not set kept as written) after checking every value; refused with the
    /// first bad value named, and nothing written. Returns the file written. The caller
    /// resolves the configuration again to use it.
    pub fn save_settings(&mut self, input: &SettingsInput) -> Result<PathBuf> {
        let changes: Vec<(&str, String)> = input
            .fields()
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v.trim().to_string())))
            .collect();
        for (k, v) in &changes {
            check(k, v)?;
        }
        let path = self
            .file
            .clone()
            .or_else(|| self.file_looked_for.clone())
            .ok_or_else(|| Error::InvalidInput {
                what: "settings",
                input: String::new(),
                reason: "there is no config file to save them in: set COUNTERSIGN_CONFIG (or HOME)"
                    .into(),
            })?;
        let old = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let mut text = old.clone();
        for (k, v) in &changes {
            text =
                crate::config::with_setting(&text, k, Some(v.as_str()).filter(|v| !v.is_empty()));
        }
        // What is written must read back as exactly these values, every other setting as it was.
        let by_hand = |why: &str| Error::InvalidFile {
            path: path.clone(),
            message: format!("{why}: edit it by hand (docs/configuration.md)"),
        };
        let mut before: ConfigFile = crate::toml_file::parse(&path, &old)?;
        let mut after: ConfigFile = toml::from_str(&text)
            .map_err(|_| by_hand("the settings could not be written into this file"))?;
        for (k, v) in &changes {
            let _ = take(&mut before, k);
            let got = take(&mut after, k);
            let want = Some(v.clone()).filter(|v| !v.is_empty());
            if got != want {
                return Err(by_hand(
                    "writing the settings would not give the values asked",
                ));
            }
        }
        let rest = |c: &ConfigFile| serde_json::to_string(c).unwrap_or_default();
        if rest(&before) != rest(&after) {
            return Err(by_hand(
                "writing the settings would change other settings of this file",
            ));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        crate::config::write_replacing(&path, text.as_bytes(), false)?;
        self.file = Some(path.clone());
        Ok(path)
    }
}

#[cfg(test)]
mod tests;
