//! # countersign-core
//!
//! Everything Countersign knows, independent of any user interface:
//!
//! - [`model`]: the inventory's domain types (models, versions, runs, datasets);
//! - [`uri`]: `models:/NAME/VERSION` references and platform URIs (with credentials redacted);
//! - [`platform`]: the ML platforms models live on — [`platform::mlflow`] (MLflow 3.x REST API)
//!   and [`platform::folder`] (a directory of TOML files);
//! - [`store`]: the local SQLite store (inventory cache, sync cursors);
//! - [`sync`]: pulling a platform's inventory into the store, incrementally;
//! - [`evidence`]: the frozen, deterministically serialised evidence of one version;
//! - [`lineage`]: version → run → datasets/code/config, and dataset → versions;
//! - [`inventory`]: listing and filtering the synced inventory;
//! - [`policy`]: policy as code — tiering rubric, tiers, checklists, automatic checks;
//! - [`review`]: the review engine — answers, findings, progress, `review.json`;
//! - [`signing`]: SSH signatures (key files, ssh-agent, allowed_signers);
//! - [`approval`]: signed approvals, their verification and the deployment gate;
//! - [`export`]: audit packs (PDF, records, manifest, VERIFY.txt) and the portfolio report;
//! - [`demo`]: the generated demo portfolio.
//!
//! The terminal UI (`countersign`) and the desktop app (`countersign-desktop`) are thin front
//! ends over this crate; it depends on neither.
#![deny(missing_docs)]
// Core never prints (it logs through `log`; front ends decide where lines go) and never
// panics on a value it was handed.
#![cfg_attr(
    not(test),
    deny(clippy::print_stdout, clippy::print_stderr, clippy::expect_used)
)]

pub mod approval;
pub mod assignment;
pub mod attestation;
pub mod config;
pub mod coverage;
pub mod demo;
pub mod display;
pub mod encoding;
pub mod error;
pub mod evidence;
pub mod export;
pub mod identity;
pub mod inventory;
pub mod lineage;
pub mod model;
pub mod paths;
pub mod platform;
pub mod policy;
pub mod prompt;
pub mod queue;
pub mod review;
pub mod session;
pub mod settings;
pub mod signing;
pub mod store;
pub mod sync;
pub mod toml_file;
pub mod trust;
pub mod uri;
pub mod watch;
pub mod workspace;

pub use error::{Error, Result};
