//! The real `countersign` binary in a real terminal (tmux): open the demo, move the
//! selection, search, read the screen, quit.

use countersign_e2e::{binary, Cli, Tmux};
use std::time::{Duration, Instant};

fn selected_line(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains('▶'))
        .unwrap_or("")
        .to_string()
}

#[test]
fn demo_in_a_real_terminal() {
    let cli = Cli::new();
    let cmd = format!(
        "env COUNTERSIGN_DATA_DIR={} TERM=xterm-256color {} demo",
        cli.data.path().display(),
        binary("countersign").display()
    );
    let t = Tmux::start("cs-test", 120, 40, &cmd);
    let s = t.wait_for("the inventory", |s| s.contains("36 shown"));
    assert!(s.contains("aml-narrative-writer"), "{s}");
    assert!(selected_line(&s).contains("aml-narrative-writer"), "{s}");
    assert!(s.contains("overdue"), "{s}");

    t.keys(&["j", "j"]);
    let s = t.wait_for("the selection to move two rows", |s| {
        selected_line(s).contains("branch-footfall")
    });
    assert!(
        s.contains("Branch staffing") && s.contains("Zoë Adams"),
        "detail pane:\n{s}"
    );

    t.keys(&["/", "s", "e", "p", "s", "i", "s", "Enter"]);
    let s = t.wait_for("the search", |s| {
        s.contains("search: sepsis") && s.contains("1 shown")
    });
    assert!(selected_line(&s).contains("sepsis-early-warning"), "{s}");
    assert!(s.contains("Versions") && s.contains("rubric"), "{s}");

    t.keys(&["?"]);
    t.wait_for("the help overlay", |s| s.contains("Help — any key closes"));
    t.keys(&["Escape"]);
    t.wait_for("help to close", |s| !s.contains("Help — any key closes"));

    t.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while t.alive() {
        assert!(Instant::now() < deadline, "countersign did not quit on q");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The TUI never blocks: against a server that accepts connections and never answers, `V`
/// runs in the background, the selection still moves, and Esc cancels the job. With the
/// default HTTP settings (30 s × 4 attempts) a blocking verify would freeze it for minutes.
#[test]
fn verify_against_a_dead_server_never_freezes_the_terminal() {
    use countersign_e2e::proxy::{FaultProxy, ProxyFault};
    let cli = Cli::new();
    let proxy = FaultProxy::start(&countersign_e2e::mlflow_uri());
    cli.ok(&["--platform", &proxy.uri, "sync", "--quiet"]);
    proxy.set(ProxyFault::Stall, "");
    // An allowed_signers of its own, passed as a flag: the TUI verifies against the file the
    // command line names (as `countersign verify` does).
    let key = cli.data.path().join("k");
    let out = cli.ok(&[
        "keys",
        "generate",
        key.to_str().expect("p"),
        "--no-passphrase",
        "--as",
        "vera@bank.example",
    ]);
    let allowed = cli.data.path().join("pinned_allowed_signers");
    std::fs::write(
        &allowed,
        out.lines().last().expect("line").to_string() + "\n",
    )
    .expect("allowed");
    // A pinned root of its own: verification reads the releases from the (dead) server.
    let risk = cli.data.path().join("risk");
    cli.ok(&[
        "keys",
        "generate",
        risk.to_str().expect("p"),
        "--no-passphrase",
        "--as",
        "risk@bank.example",
    ]);
    let root_dir = cli.data.path().join("root");
    cli.ok(&[
        "policy",
        "root",
        "init",
        "-o",
        root_dir.to_str().expect("p"),
        "--member",
        &format!("risk@bank.example={}.pub", risk.display()),
        "--release-threshold",
        "1",
        "--root-threshold",
        "1",
    ]);
    let cmd = format!(
        "env COUNTERSIGN_DATA_DIR={} TERM=xterm-256color {} --platform {} --allowed-signers {} --root {}",
        cli.data.path().display(),
        binary("countersign").display(),
        proxy.uri,
        allowed.display(),
        root_dir.join("root.signers").display()
    );
    let t = Tmux::start("cs-dead-server", 120, 40, &cmd);
    let s = t.wait_for("the inventory from the store", |s| s.contains('▶'));
    let first = selected_line(&s);
    t.keys(&["V"]);
    t.wait_for("the verify job to start", |s| {
        s.contains("verifying models:/")
    });
    t.keys(&["j"]);
    let s = t.wait_for("the selection to move while the job waits", |s| {
        let line = selected_line(s);
        !line.is_empty() && line != first
    });
    assert!(
        s.contains("verifying models:/") && s.contains("Esc cancels"),
        "the job is still running while keys work:\n{s}"
    );
    assert!(
        proxy.matched() >= 1,
        "the request really reached the dead server"
    );
    t.keys(&["Escape"]);
    let s = t.wait_for("the job to be cancelled", |s| {
        s.contains("cancelled: verifying")
    });
    assert!(s.contains("its result is ignored"), "{s}");
    t.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while t.alive() {
        assert!(Instant::now() < deadline, "countersign did not quit on q");
        std::thread::sleep(Duration::from_millis(50));
    }
}
