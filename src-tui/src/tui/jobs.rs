//! Long work off the UI thread: opening a review (`r`; a first review reads the trust root
//! from the platform) and starting a new one (`N`, which reads the version from the platform),
//! verify (`V`), signing (the sign screen), audit-pack export (`e`) and the portfolio report
//! (`P`) run on a background thread on a workspace of their own (the same calls the CLI and the
//! desktop make, on a store connection of the thread's own), so
//! the screen keeps redrawing and keys keep working while a server is slow or dead. One job
//! at a time; Esc cancels (the thread's result is then ignored: a blocking request cannot be
//! interrupted, but nothing waits for it).

use countersign_core::approval::verify::Verification;
use countersign_core::export::audit_pack::PackReport;
use countersign_core::uri::VersionRef;
use countersign_core::workspace::{Workspace, WorkspaceSource};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

/// What a finished job hands back.
#[derive(Debug)]
pub enum JobDone {
    /// `V`: the verification of a version.
    Verified(VersionRef, Result<Verification, String>),
    /// `e`: an audit pack.
    Pack(VersionRef, Result<PackReport, String>),
    /// The sign screen's signature.
    Signed(
        VersionRef,
        Box<
            Result<
                countersign_core::approval::sign::Signed,
                countersign_core::workspace::ErrorReport,
            >,
        >,
    ),
    /// The queue screen's assignment (`a`).
    Assigned(
        VersionRef,
        Box<Result<countersign_core::workspace::Assigned, String>>,
    ),
    /// The sign screen's owner attestation.
    Attested(
        VersionRef,
        Box<
            Result<
                countersign_core::attestation::Attested,
                countersign_core::workspace::ErrorReport,
            >,
        >,
    ),
    /// `r` (look), the preview's `S` (start) or the review screen's `N` (a new review).
    Review(
        VersionRef,
        ReviewJob,
        Box<Result<countersign_core::workspace::ReviewPage, String>>,
    ),
    /// `P`: the portfolio report; `E`: a version's validation report (what, where, result).
    Report(String, PathBuf, Result<(), String>),
    /// `Q`: the review queue (approvals verified on the platform).
    Queue(Box<Result<countersign_core::queue::Queue, String>>),
    /// The job's thread stopped without an answer (it panicked).
    Lost(String),
}

/// A job in flight.
pub struct Job {
    /// What it does, for the status line ("verifying models:/a/1").
    pub label: String,
    /// When it started.
    pub started: Instant,
    rx: mpsc::Receiver<JobDone>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("label", &self.label).finish()
    }
}

impl Job {
    /// Starts `work` on a background thread.
    pub fn spawn(
        label: String,
        source: WorkspaceSource,
        work: impl FnOnce(countersign_core::Result<Workspace>) -> JobDone + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let done = work(source.open());
            let _ = tx.send(done);
        });
        Self {
            label,
            started: Instant::now(),
            rx,
        }
    }

    /// The result, once the job has finished.
    pub fn poll(&self) -> Option<JobDone> {
        match self.rx.try_recv() {
            Ok(d) => Some(d),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(JobDone::Lost(self.label.clone())),
        }
    }

    /// Blocks until the job finishes (for scripted use and tests; the UI polls).
    #[cfg(test)]
    pub fn wait(&self) -> Option<JobDone> {
        self.rx.recv().ok()
    }
}

/// What a review job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewJob {
    /// Show the review (the latest one, else a preview of the checklist): saves nothing.
    Look,
    /// Start the review (or resume the one under way).
    Start,
    /// Start a new review superseding the latest one, the platform read now.
    New,
}
