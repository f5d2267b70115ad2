//! Benchmark of model-file hashing (not a test): prints throughput.
//!
//! `cargo run --release -p countersign-core --example bench_hash -- [MIB]`
//!
//! - over loopback: a local HTTP server answers MLflow's `get-artifact` with MIB MiB (default
//!   1024), streamed; Countersign's MLflow client hashes it the way an approval does
//!   (`Platform::hash_artifact`, never holding it in memory);
//! - from disk: the folder platform hashes a MIB MiB file.
//!
//! Compare with `curl -s URL | sha256sum` and `sha256sum FILE` (docs/benchmarks.md): the target
//! is the loopback and disk speed, not Countersign's CPU.

use countersign_core::model::{Model, ModelKind, Version};
use countersign_core::platform::{Platform, VersionSnapshot};
use std::io::{Read, Write};
use std::time::Instant;

fn snapshot(source: &str, files: Vec<String>) -> VersionSnapshot {
    VersionSnapshot {
        model: Model {
            name: "m".into(),
            kind: ModelKind::Classic,
            description: String::new(),
            owner: None,
            business_purpose: None,
            risk_tier: None,
            next_review_date: None,
            monitoring: None,
            llm_provider: None,
            created_ms: 0,
            updated_ms: 0,
            tags: Default::default(),
            aliases: Default::default(),
            stages: Default::default(),
        },
        version: Version {
            name: "m".into(),
            version: "1".into(),
            creator: None,
            created_ms: 0,
            updated_ms: 0,
            source: source.into(),
            run_id: None,
            status: "READY".into(),
            description: String::new(),
            aliases: vec![],
            tags: Default::default(),
            files,
            stage: None,
        },
        run: None,
        logged_model: None,
        evaluations: vec![],
    }
}

/// Serves `size` bytes (a repeated pattern) to every request, HTTP/1.1 with Content-Length.
fn serve(size: u64) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
            );
            let chunk: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
            let mut left = size;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                if s.write_all(&chunk[..n]).is_err() {
                    break;
                }
                left -= n as u64;
            }
        }
    });
    format!("http://{addr}")
}

fn report(what: &str, bytes: u64, secs: f64, sha: &str) {
    println!(
        "{what}: {} MiB in {secs:.2} s = {:.0} MiB/s (sha256 {}…)",
        bytes / (1024 * 1024),
        bytes as f64 / (1024.0 * 1024.0) / secs,
        &sha[..12]
    );
}

fn main() {
    let mib: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    let size = mib * 1024 * 1024;

    let uri = serve(size);
    let client = countersign_core::platform::mlflow::MlflowClient::new(
        url::Url::parse(&uri).expect("url"),
        Default::default(),
        Default::default(),
    )
    .expect("client");
    let snap = snapshot("runs:/0123456789abcdef/model", vec![]);
    let started = Instant::now();
    let mut seen = 0u64;
    let (n, sha) = client
        .hash_artifact(&snap, "model.pkl", &mut |b| seen += b)
        .expect("hash")
        .expect("found");
    assert_eq!(n, size);
    assert_eq!(seen, size, "progress heard every byte");
    report(
        "MLflow get-artifact over loopback",
        n,
        started.elapsed().as_secs_f64(),
        &sha,
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.bin");
    {
        let mut f = std::fs::File::create(&path).expect("file");
        let chunk: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
        for _ in 0..mib {
            f.write_all(&chunk).expect("write");
        }
    }
    let folder = countersign_core::platform::folder::FolderPlatform::new(
        dir.path().to_path_buf(),
        Default::default(),
    );
    let snap = snapshot("", vec!["model.bin".into()]);
    let started = Instant::now();
    let (n, sha) = folder
        .hash_artifact(&snap, "model.bin", &mut |_| {})
        .expect("hash")
        .expect("found");
    report(
        "folder platform from disk (page cache)",
        n,
        started.elapsed().as_secs_f64(),
        &sha,
    );
}
