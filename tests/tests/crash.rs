//! Crash safety: the real binary killed with SIGKILL at spread-out points, 50 times per
//! operation (sync against the real MLflow, signing, audit-pack export; answering is in
//! review.rs). After every kill the store opens and passes SQLite's integrity check, nothing
//! reported done is lost, and no half-written approval or pack is ever taken as valid.

use countersign_e2e::{
    complete_review, copy_dir, mlflow_uri, restore_dir, ssh_keygen_verify, verify_json, Cli,
};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: u32 = 50;

/// Kill points spread over 0..1.2 × the uninterrupted duration (a fixed sequence, so a failure
/// can be replayed).
fn kill_points(typical: Duration) -> Vec<Duration> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    (0..KILLS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            typical.mul_f64((x % 1200) as f64 / 1000.0)
        })
        .collect()
}

/// Runs `cmd`, SIGKILLing it at `at` unless it ends first. Returns whether it finished
/// (and succeeded) before the kill.
fn run_until(mut cmd: Command, at: Duration) -> Option<bool> {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn countersign");
    let deadline = Instant::now() + at;
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            return Some(st.success());
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn timed(mut cmd: Command) -> Duration {
    let t = Instant::now();
    let o = cmd.output().expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    t.elapsed()
}

fn store_is_sound(cli: &Cli, what: &str) {
    let store = countersign_core::store::Store::open(&cli.data.path().join("countersign.db"))
        .unwrap_or_else(|e| panic!("{what}: the store does not open: {e}"));
    store
        .integrity_check()
        .unwrap_or_else(|e| panic!("{what}: integrity check: {e}"));
}

#[test]
fn sync_killed_50_times_never_leaves_a_partial_inventory() {
    let uri = mlflow_uri();
    let full = Cli::new();
    full.ok(&["--platform", &uri, "sync", "--quiet"]);
    let want = full.json(&["--platform", &uri, "ls", "--json"])["models"].clone();
    let n = want.as_array().map(Vec::len).unwrap_or(0);
    assert!(n >= 3);

    let cli = Cli::new();
    let typical = timed(cli.command(&["--platform", &uri, "sync", "--full", "--quiet"]));
    // Start from an empty store again: the first kills land before any sync completed.
    let cli = Cli::new();
    let mut completed = false;
    for (i, at) in kill_points(typical).into_iter().enumerate() {
        let done = run_until(
            cli.command(&["--platform", &uri, "sync", "--full", "--quiet"]),
            at,
        );
        completed |= done == Some(true);
        let what = format!("kill {i} at {at:?}");
        store_is_sound(&cli, &what);
        let o = cli.run(&["--platform", &uri, "ls", "--json"]);
        if !o.status.success() {
            // Before the first complete sync the store knows no such platform yet.
            assert!(!completed, "{what}: ls failed after a completed sync");
            continue;
        }
        let got: Value = serde_json::from_slice(&o.stdout).expect("ls --json");
        let got = got["models"].as_array().map(Vec::len).unwrap_or(0);
        assert!(
            got == 0 || got == n,
            "{what}: {got} of {n} models in the store: a partial sync was kept"
        );
        if completed {
            assert_eq!(got, n, "{what}: a completed sync was lost");
        }
    }
    cli.ok(&["--platform", &uri, "sync", "--quiet"]);
    assert_eq!(
        cli.json(&["--platform", &uri, "ls", "--json"])["models"],
        want
    );
}

#[test]
fn signing_killed_50_times_never_leaves_a_half_approval_that_counts() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let demo = cli.data.path().join("demo");
    let v = "models:/claims-triage/1";
    complete_review(&cli, v, "vera.validator@demo.bank");
    let signer = "vera.validator@demo.bank";
    let key = demo.join("keys").join(signer).join("id_ed25519");
    let key = key.to_str().expect("key").to_string();
    let sign_args = [
        "sign",
        v,
        "--role",
        "validator",
        "--decision",
        "approve",
        "--key",
        &key,
        "--yes",
    ];
    let template = tempfile::tempdir().expect("template");
    copy_dir(cli.data.path(), template.path());
    let restore = || restore_dir(cli.data.path(), template.path());
    let typical = timed(cli.command(&sign_args));
    let approvals: PathBuf = demo.join("reviews/claims-triage/1/approvals");
    let record = approvals.join(format!("validator-{signer}.json"));
    let allowed = demo.join("allowed_signers");
    for (i, at) in kill_points(typical).into_iter().enumerate() {
        restore();
        let what = format!("kill {i} at {at:?}");
        let done = run_until(cli.command(&sign_args), at);
        store_is_sound(&cli, &what);
        // Whatever is on disk: an approval that counts verifies with stock OpenSSH.
        let ver = verify_json(&cli, v);
        for a in ver["approvals"].as_array().expect("approvals") {
            if a["counts"] == true {
                let loc = PathBuf::from(a["location"].as_str().expect("location"));
                assert!(
                    ssh_keygen_verify(&allowed, signer, &loc),
                    "{what}: {} counts but ssh-keygen refuses it",
                    loc.display()
                );
            }
        }
        // Signing again either works or says the approval is already there; then exactly
        // one approval by this validator counts.
        let again = cli.run(&sign_args);
        let err = String::from_utf8_lossy(&again.stderr);
        assert!(
            again.status.success() || (record.exists() && err.contains("already exists")),
            "{what} (finished: {done:?}): signing again failed: {err}"
        );
        let ver = verify_json(&cli, v);
        let counting = ver["approvals"]
            .as_array()
            .expect("approvals")
            .iter()
            .filter(|a| a["counts"] == true && a["record"]["signer"] == signer)
            .count();
        assert_eq!(counting, 1, "{what}: {ver}");
        assert!(ssh_keygen_verify(&allowed, signer, &record), "{what}");
    }
}

#[test]
fn export_killed_50_times_never_leaves_a_pack_that_passes_half_written() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let v = "models:/aml-transaction-monitoring/3";
    let out = tempfile::tempdir().expect("out");
    let first = out.path().join("first");
    let typical = timed(cli.command(&[
        "export",
        "audit-pack",
        v,
        "--output",
        first.to_str().expect("p"),
    ]));
    for (i, at) in kill_points(typical).into_iter().enumerate() {
        let what = format!("kill {i} at {at:?}");
        let zip = i % 2 == 1;
        let target = out
            .path()
            .join(format!("pack-{i}{}", if zip { ".zip" } else { "" }));
        let t = target.to_str().expect("p").to_string();
        let done = run_until(
            cli.command(&["export", "audit-pack", v, "--output", &t]),
            at,
        );
        store_is_sound(&cli, &what);
        if target.exists() {
            // Whatever carries the name asked for is a whole pack that verifies.
            let dir = if zip {
                let x = out.path().join(format!("unzipped-{i}"));
                let st = Command::new("python3")
                    .args([
                        "-c",
                        "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
                    ])
                    .arg(&target)
                    .arg(&x)
                    .status()
                    .expect("python3");
                assert!(
                    st.success(),
                    "{what}: {} is not a whole zip",
                    target.display()
                );
                x.join(format!("pack-{i}"))
            } else {
                target.clone()
            };
            let check = Command::new("bash")
                .arg(dir.join("VERIFY.txt"))
                .arg(cli.pinned().expect("the demo's root"))
                .output()
                .expect("bash");
            assert!(
                check.status.success(),
                "{what} (finished: {done:?}): {} exists but does not verify: {}{}",
                target.display(),
                String::from_utf8_lossy(&check.stdout),
                String::from_utf8_lossy(&check.stderr)
            );
        } else {
            assert_ne!(
                done,
                Some(true),
                "{what}: the export finished but wrote nothing"
            );
            // Nothing was taken: exporting again to the same place works.
            cli.ok(&["export", "audit-pack", v, "--output", &t]);
            assert!(target.exists());
        }
    }
}
