//! Long work off the UI thread: verify (`V`), audit-pack export (`e`) and the portfolio report
//! (`P`) run on a background thread with their own store connection and platform client, so
//! the screen keeps redrawing and keys keep working while a server is slow or dead. One job
//! at a time; Esc cancels (the thread's result is then ignored: a blocking request cannot be
//! interrupted, but nothing waits for it).

use countersign_core::approval::verify::Verification;
use countersign_core::export::audit_pack::PackReport;
use countersign_core::platform::mlflow::ClientOptions;
use countersign_core::policy::LoadedPolicy;
use countersign_core::store::Store;
use countersign_core::uri::{PlatformUri, VersionRef};
use countersign_core::workspace::Session;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

/// What a finished job hands back.
pub enum JobDone {
    /// `V`: the verification of a version.
    Verified(VersionRef, Result<Verification, String>),
    /// `e`: an audit pack.
    Pack(VersionRef, Result<PackReport, String>),
    /// `P`: the portfolio report.
    Report(PathBuf, Result<(), String>),
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

/// What a job's thread gets: its own store connection and a platform client, opened there.
pub struct JobCx {
    /// The store.
    pub store: Store,
    /// The platform's key in the store.
    pub key: String,
    /// The platform.
    pub platform: Box<dyn countersign_core::platform::Platform>,
}

/// What is needed to open a [`JobCx`] on another thread.
#[derive(Clone)]
pub struct JobSource {
    store_path: PathBuf,
    uri: PlatformUri,
    key: String,
    client: ClientOptions,
    policy: LoadedPolicy,
}

impl JobSource {
    /// From the session and the policy in force.
    pub fn new(session: &Session, policy: &LoadedPolicy) -> Self {
        Self {
            store_path: session.store.path().to_path_buf(),
            uri: session.platform.clone(),
            key: session.key.clone(),
            client: session.client.clone(),
            policy: policy.clone(),
        }
    }

    fn open(&self) -> countersign_core::Result<JobCx> {
        Ok(JobCx {
            store: Store::open(&self.store_path)?,
            key: self.key.clone(),
            platform: countersign_core::workspace::open_platform(
                &self.uri,
                &self.client,
                &self.policy,
            )?,
        })
    }
}

impl Job {
    /// Starts `work` on a background thread.
    pub fn spawn(
        label: String,
        source: JobSource,
        work: impl FnOnce(countersign_core::Result<JobCx>) -> JobDone + Send + 'static,
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
        self.rx.try_recv().ok()
    }

    /// Blocks until the job finishes (for scripted use and tests; the UI polls).
    #[cfg(test)]
    pub fn wait(&self) -> Option<JobDone> {
        self.rx.recv().ok()
    }
}
