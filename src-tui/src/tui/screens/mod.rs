//! The screens over the inventory, one file each: review, sign, dashboard, reverse lineage.
//! Each holds its own state, handles its keys and draws itself; all domain work is done by
//! countersign-core.

pub mod dashboard;
pub mod lineage;
pub mod queue;
pub mod review;
pub mod sign;

pub use dashboard::Dashboard;
pub use lineage::LineageScreen;
pub use queue::QueueScreen;
pub use review::ReviewScreen;
pub use sign::SignScreen;

/// What a screen asks the app to do after a key.
#[derive(Debug, Clone)]
pub enum ScreenEffect {
    /// Stay.
    None,
    /// Close the screen and go back to the inventory.
    Close,
    /// Start a new review of this version, as a background job (the review screen takes the
    /// result).
    NewReview(countersign_core::uri::VersionRef),
    /// Close this screen and show the review of this version (the latest, else a preview of
    /// its checklist), in a background job.
    OpenReview(countersign_core::uri::VersionRef),
    /// Start the review this screen previews, as a background job (the screen takes it).
    StartReview(countersign_core::uri::VersionRef),
    /// Sign, as a background job (the sign screen takes the result: [`SignScreen::finish`]).
    Sign(Box<countersign_core::workspace::SignRequest>),
    /// Assign a version to a reviewer, as a background job (the queue screen takes the result).
    Assign {
        /// The version.
        version: countersign_core::uri::VersionRef,
        /// Who is to act.
        to: String,
        /// In which role.
        role: countersign_core::policy::Role,
    },
    /// Attest as the model's owner, as a background job (the sign screen takes the result).
    Attest(Box<countersign_core::workspace::AttestRequest>),
}
