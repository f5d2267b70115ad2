//! The one error type of the core layer.

use std::path::PathBuf;

/// Result alias for core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How the error that no platform is set begins ([`Error::missing_setting`]).
pub const NO_PLATFORM_SET: &str = "no platform is set";
/// How the error that no trust root is pinned begins ([`Error::missing_setting`]).
pub const NO_ROOT_PINNED: &str = "no trust root is pinned";

/// Everything that can go wrong in core. Messages name the thing and say how to fix it; they
/// never contain credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A URI or reference the user typed is not valid.
    #[error("invalid {what} '{input}': {reason}")]
    InvalidInput {
        /// What kind of input (e.g. "model version reference").
        what: &'static str,
        /// The input as typed (credentials removed).
        input: String,
        /// Why it is not valid and what is expected.
        reason: String,
    },
    /// The platform could not be reached at all.
    #[error("cannot reach {url}: {reason}. Check that the server is running and the URI is right (MLFLOW_TRACKING_URI or --platform).")]
    Unreachable {
        /// The URL without credentials.
        url: String,
        /// Underlying reason.
        reason: String,
    },
    /// The platform did not answer in time.
    #[error("{url} did not answer within {seconds} s (after {attempts} attempts). The server may be overloaded; try again, or raise --timeout.")]
    Timeout {
        /// The URL without credentials.
        url: String,
        /// Timeout in seconds.
        seconds: u64,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The platform answered with an error.
    #[error("{url} answered HTTP {status}{code}: {message}{hint}")]
    Platform {
        /// The URL without credentials.
        url: String,
        /// HTTP status.
        status: u16,
        /// MLflow's `error_code`, formatted as " (CODE)" or empty.
        code: String,
        /// The server's message (or a summary of a non-JSON body).
        message: String,
        /// What to do about it, formatted as ". hint" or empty.
        hint: String,
    },
    /// The platform answered with something that is not what its API promises.
    #[error(
        "{url} sent a response Countersign cannot read: {reason}. Is this an MLflow 3.x server?"
    )]
    MalformedResponse {
        /// The URL without credentials.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// A requested model or version does not exist.
    #[error("{what} not found{hint}")]
    NotFound {
        /// What was looked for, e.g. "model version models:/x/3".
        what: String,
        /// A hint such as ". Run `countersign sync` first", or empty.
        hint: String,
    },
    /// A file in a folder platform (or another input file) is invalid.
    #[error("{}: {message}", path.display())]
    InvalidFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line/column and field where known.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A signing key cannot be used.
    #[error("{what}: {message}")]
    Key {
        /// The key (path, or "ssh-agent").
        what: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A key file is protected by a passphrase and none was given.
    #[error("{}: the key is protected by a passphrase; enter it when asked, or pass --passphrase-file", path.display())]
    PassphraseNeeded {
        /// The key file.
        path: PathBuf,
    },
    /// Signing was refused: a policy or separation-of-duties rule forbids it.
    #[error("refused: {}", reasons.join("; "))]
    Refused {
        /// Every reason.
        reasons: Vec<String>,
    },
    /// Nothing the pinned trust root trusts allows this: no root pinned, a release short of
    /// signatures, an unknown root, a platform no release governs.
    #[error("not trusted: {}", reasons.join("; "))]
    Untrusted {
        /// Every reason, naming what is missing.
        reasons: Vec<String>,
    },
    /// The local store failed.
    #[error("local store {}: {message}", path.display())]
    Store {
        /// The store's path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

impl Error {
    /// A short stable code for front ends and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::Unreachable { .. } => "unreachable",
            Error::Timeout { .. } => "timeout",
            Error::Platform { .. } => "platform_error",
            Error::MalformedResponse { .. } => "malformed_response",
            Error::NotFound { .. } => "not_found",
            Error::InvalidFile { .. } => "invalid_file",
            Error::Io { .. } => "io",
            Error::Store { .. } => "store",
            Error::Key { .. } => "key",
            Error::PassphraseNeeded { .. } => "passphrase_needed",
            Error::Refused { .. } => "refused",
            Error::Untrusted { .. } => "untrusted",
        }
    }

    /// The setting whose absence this error reports, if it does: `platform` (no platform is
    /// set) or `root` (no trust root is pinned). A window points at its settings instead of
    /// the flags the message names.
    pub fn missing_setting(&self) -> Option<&'static str> {
        match self {
            Error::InvalidInput {
                what: "platform",
                reason,
                ..
            } if reason.starts_with(NO_PLATFORM_SET) => Some("platform"),
            Error::Untrusted { reasons }
                if reasons.iter().any(|r| r.starts_with(NO_ROOT_PINNED)) =>
            {
                Some("root")
            }
            _ => None,
        }
    }

    /// Builds an [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
