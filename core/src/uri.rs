//! References users type: `models:/NAME/VERSION` and platform URIs.

use crate::{Error, Result};
use std::fmt;
use std::path::PathBuf;

/// A model version, named as MLflow names it: `models:/NAME/VERSION`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionRef {
    /// Registered model (or prompt) name.
    pub name: String,
    /// Version, as a string (MLflow's registry versions are strings on the wire).
    pub version: String,
}

impl VersionRef {
    /// Parses `models:/NAME/VERSION`.
    ///
    /// ```
    /// let r = countersign_core::uri::VersionRef::parse("models:/credit-scoring/2").unwrap();
    /// assert_eq!((r.name.as_str(), r.version.as_str()), ("credit-scoring", "2"));
    /// ```
    pub fn parse(input: &str) -> Result<Self> {
        let bad = |reason: &str| Error::InvalidInput {
            what: "model version reference",
            input: input.to_string(),
            reason: format!(
                "{reason}; expected models:/NAME/VERSION, e.g. models:/credit-scoring/2"
            ),
        };
        let rest = input
            .strip_prefix("models:/")
            .ok_or_else(|| bad("it does not start with models:/"))?;
        let (name, version) = rest
            .rsplit_once('/')
            .ok_or_else(|| bad("it has no /VERSION"))?;
        if name.is_empty() || name.contains('/') {
            return Err(bad("the model name is empty or contains '/'"));
        }
        if name == "." || name == ".." || name.chars().any(char::is_control) {
            return Err(bad(
                "the model name is '.', '..' or holds control characters",
            ));
        }
        if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad("the version must be a number"));
        }
        Ok(Self {
            name: name.to_string(),
            version: version.to_string(),
        })
    }
}

/// `models:/NAME@ALIAS`, MLflow's alias form: (name, alias), when `input` is one.
pub fn parse_alias(input: &str) -> Option<(String, String)> {
    let rest = input.strip_prefix("models:/")?;
    let (name, alias) = rest.rsplit_once('@')?;
    (!name.is_empty()
        && !name.contains('/')
        && !alias.is_empty()
        && alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    .then(|| (name.to_string(), alias.to_string()))
}

impl fmt::Display for VersionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "models:/{}/{}", self.name, self.version)
    }
}

/// Where models are registered: an MLflow server or a folder of TOML files. Its `Debug`
/// never shows credentials (a URL's user and password are redacted).
#[derive(Clone, PartialEq, Eq)]
pub enum PlatformUri {
    /// An MLflow tracking server (`http://` or `https://`).
    Mlflow(url::Url),
    /// A folder platform (`folder:PATH`).
    Folder(PathBuf),
}

impl std::fmt::Debug for PlatformUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlatformUri::Mlflow(u) => f.debug_tuple("Mlflow").field(&redact_url(u)).finish(),
            PlatformUri::Folder(p) => f.debug_tuple("Folder").field(p).finish(),
        }
    }
}

impl PlatformUri {
    /// Parses `http(s)://…` or `folder:PATH`.
    pub fn parse(input: &str) -> Result<Self> {
        let input = input.trim();
        if let Some(path) = input.strip_prefix("folder:") {
            if path.is_empty() {
                return Err(Error::InvalidInput {
                    what: "platform URI",
                    input: input.to_string(),
                    reason: "the folder path is empty; write folder:/path/to/inventory".into(),
                });
            }
            return Ok(PlatformUri::Folder(PathBuf::from(path)));
        }
        if input.starts_with("http://") || input.starts_with("https://") {
            let url = url::Url::parse(input).map_err(|e| Error::InvalidInput {
                what: "platform URI",
                input: redact_url_str(input),
                reason: e.to_string(),
            })?;
            return Ok(PlatformUri::Mlflow(url));
        }
        Err(Error::InvalidInput {
            what: "platform URI",
            input: redact_url_str(input),
            reason: "use http(s)://HOST:PORT for MLflow or folder:PATH for a folder platform"
                .into(),
        })
    }

    /// The URI as it may be shown and recorded: without user name or password.
    pub fn display_safe(&self) -> String {
        match self {
            PlatformUri::Mlflow(u) => redact_url(u),
            PlatformUri::Folder(p) => format!("folder:{}", p.display()),
        }
    }
}

/// A URL without credentials and without a trailing slash.
pub fn redact_url(url: &url::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.to_string().trim_end_matches('/').to_string()
}

/// Like [`redact_url`], for text that may not even parse as a URL.
pub fn redact_url_str(s: &str) -> String {
    match url::Url::parse(s) {
        Ok(u) => redact_url(&u),
        Err(_) => match s.find('@') {
            Some(at) => match s.find("://") {
                Some(scheme) if scheme < at => format!("{}://***{}", &s[..scheme], &s[at..]),
                _ => "***".into(),
            },
            None => s.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_credentials() {
        let u = PlatformUri::parse("https://ann:s3cret-pw@mlflow.bank.example/?token=t0k").unwrap();
        let shown = format!("{u:?}");
        assert!(
            !shown.contains("s3cret-pw") && !shown.contains("t0k"),
            "{shown}"
        );
        assert!(shown.contains("mlflow.bank.example"), "{shown}");
    }

    #[test]
    fn parses_version_refs() {
        let r = VersionRef::parse("models:/fraud detection (EU)/12").unwrap();
        assert_eq!(r.name, "fraud detection (EU)");
        assert_eq!(r.version, "12");
        assert_eq!(r.to_string(), "models:/fraud detection (EU)/12");
    }

    #[test]
    fn rejects_bad_version_refs_with_the_expected_form() {
        for bad in [
            "credit/2",
            "models:/credit",
            "models:/credit/x",
            "models://2",
            "models:/a/b/3",
        ] {
            let e = VersionRef::parse(bad).unwrap_err().to_string();
            assert!(e.contains("models:/NAME/VERSION"), "{bad}: {e}");
        }
    }

    #[test]
    fn platform_uri_never_shows_credentials() {
        let p = PlatformUri::parse("https://alice:s3cret@mlflow.example:5000/").unwrap();
        assert_eq!(p.display_safe(), "https://mlflow.example:5000");
        let e = PlatformUri::parse("ftp://bob:hunter2@x")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(matches!(
            PlatformUri::parse("folder:/tmp/x").unwrap(),
            PlatformUri::Folder(_)
        ));
    }
}
