//! The whole job in a real terminal against the real MLflow harness: sync from the TUI, review
//! a version (killed with SIGKILL mid-review and restarted: the answers are there), sign as
//! validator with a key held by a real ssh-agent, export the audit pack; then `ssh-keygen -Y
//! verify` accepts the written approval. `scripts/test.sh` runs it with the tests that change
//! the seeded server.

use countersign_e2e::{binary, mlflow_fresh_model, mlflow_uri, vera_validator, Cli, Tmux};
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn review_sign_and_export_in_a_real_terminal() {
    // A fresh model on the server, so this test owns its version.
    let name = format!("tui-e2e-{}", std::process::id());
    mlflow_fresh_model(
        &name,
        vec![json!({"key": "auc_holdout", "value": 0.74, "timestamp": 1, "step": 0})],
        Some(("tui_train", "abcd1234")),
    );

    // Vera's key, in a real ssh-agent; allowed_signers and a policy naming her.
    let cli = Cli::new();
    let home = cli.data.path();
    let (allowed, policy) = vera_validator(&cli, home, &home.join("vera"), None);
    let root = countersign_e2e::release_trust(&cli, &mlflow_uri(), &[], &policy, &allowed);
    let sock = home.join("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .args(["-D", "-a"])
        .arg(&sock)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ssh-agent");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sock.exists() {
        assert!(Instant::now() < deadline, "ssh-agent socket");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(Command::new("ssh-add")
        .arg(home.join("vera"))
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .expect("ssh-add")
        .status
        .success());

    let cmd = format!(
        "env -u COUNTERSIGN_IDENTITY -u COUNTERSIGN_CONFIG XDG_CONFIG_HOME={d}/config COUNTERSIGN_DATA_DIR={d} COUNTERSIGN_POLICY={d}/policy.toml COUNTERSIGN_ROOT={r} SSH_AUTH_SOCK={s} COUNTERSIGN_KEY=agent TERM=xterm-256color {bin} --platform {uri}",
        d = home.display(),
        r = root.display(),
        s = sock.display(),
        bin = binary("countersign").display(),
        uri = mlflow_uri()
    );
    let t = Tmux::start("cs-tui-mlflow", 130, 42, &cmd);
    t.wait_for("the empty store", |s| s.contains("never synced"));
    t.keys(&["s"]);
    t.wait_for("the background sync", |s| {
        s.contains("synced:") && s.contains(&name)
    });
    t.keys(&["/"]);
    t.text(&name);
    t.keys(&["Enter", "r"]);
    // Looking is not starting: the checklist shows as a preview until S starts it, and
    // starting asks who acts (no identity is configured), once, saving it.
    t.wait_for("the preview", |s| {
        s.contains(&format!("Review of models:/{name}/1")) && s.contains("PREVIEW")
    });
    t.keys(&["S"]);
    t.wait_for("the identity question", |s| s.contains("Who are you?"));
    t.keys(&["C-u"]);
    for _ in 0..40 {
        t.keys(&["BSpace"]);
    }
    t.text("vera.validator@bank.example");
    t.keys(&["Enter"]);
    t.wait_for("the question before starting", |s| {
        s.contains("? It is recorded as yours")
    });
    t.keys(&["y"]);
    t.wait_for("the started review", |s| {
        s.contains("0/5 answered") && s.contains("started review") && !s.contains("PREVIEW")
    });
    // Two answers, then the process is killed.
    t.keys(&["p"]);
    t.text("method reviewed");
    t.keys(&["C-s"]);
    t.wait_for("the first answer", |s| s.contains("1/5 answered"));
    t.keys(&["j", "c"]);
    t.wait_for("the second answer", |s| s.contains("2/5 answered"));
    let pid = t.pid();
    assert!(Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill")
        .success());
    drop(t);
    let t = Tmux::start("cs-tui-mlflow2", 130, 42, &cmd);
    t.wait_for("the restarted UI", |s| s.contains("synced"));
    t.keys(&["/"]);
    t.text(&name);
    t.keys(&["Enter", "r"]);
    t.wait_for("the restored answers", |s| {
        s.contains("2/5 answered") && s.contains("resumed review")
    });
    // The rest: MON-02 is automatic, LIM-01 and IND-01 are attestations.
    t.keys(&["j", "j", "c"]);
    t.wait_for("MON-02", |s| s.contains("3/5 answered"));
    for (i, note) in ["limits documented", "independent of the builders"]
        .iter()
        .enumerate()
    {
        t.keys(&["j", "p"]);
        t.text(note);
        t.keys(&["C-s"]);
        let want = format!("{}/5 answered", 4 + i);
        t.wait_for(&want, |s| s.contains(&want));
    }
    // The tier's report: `w` opens the first required section not written (the rating, then
    // the conclusion).
    t.wait_for("the report blocking", |s| {
        s.contains("ready for decision") && s.contains("the validation report lacks")
    });
    for (text, want) in [
        ("Satisfactory", "Overall rating saved"),
        ("Fit for purpose.", "Conclusion and opinion saved"),
    ] {
        t.keys(&["w"]);
        t.wait_for("the section picker", |s| s.contains("REQUIRED"));
        t.keys(&["Enter"]);
        t.text(text);
        t.keys(&["C-s"]);
        t.wait_for(want, |s| s.contains(want));
    }
    t.wait_for("readiness", |s| {
        s.contains("ready for decision; nothing blocks an approval")
    });
    // Sign as validator through ssh-agent.
    // Escape and the next key are sent apart: together they read as Alt+key.
    t.keys(&["Escape"]);
    t.wait_for("the inventory", |s| {
        s.contains("Inventory") && !s.contains("Review of")
    });
    t.keys(&["S"]);
    t.wait_for("the sign form", |s| s.contains("Sign a decision on"));
    t.keys(&["Enter"]);
    t.wait_for("the confirmation", |s| s.contains("? y/n"));
    t.keys(&["y"]);
    let s = t.wait_for("the signature", |s| {
        s.contains("Signed as") || s.contains("Not signed")
    });
    assert!(s.contains("Signed as vera.validator@bank.example"), "{s}");
    // Export the audit pack.
    t.keys(&["Escape"]);
    t.wait_for("the inventory", |s| {
        s.contains("Inventory") && !s.contains("Sign a decision")
    });
    t.keys(&["e"]);
    // The export runs in the background; its result replaces the running status.
    let s = t.wait_for("the export", |s| {
        (s.contains("audit pack of") && s.contains("written to")) || s.contains("failed:")
    });
    assert!(s.contains("written to"), "{s}");
    t.keys(&["q"]);
    let _ = agent.kill();
    let _ = agent.wait();
    // Every answer made in the terminal carries the reviewer, and the identity was saved.
    let config = std::fs::read_to_string(home.join("config/countersign/config.toml"))
        .expect("the identity saved in the config file");
    assert!(
        config.contains("identity = \"vera.validator@bank.example\""),
        "{config}"
    );
    let shown = Command::new(binary("countersign"))
        .args(["review", "show", &format!("models:/{name}/1"), "--json"])
        .env("COUNTERSIGN_DATA_DIR", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("COUNTERSIGN_POLICY", home.join("policy.toml"))
        .env_remove("COUNTERSIGN_CONFIG")
        .output()
        .expect("review show");
    let shown: serde_json::Value =
        serde_json::from_slice(&shown.stdout).expect("review show --json");
    let answers = shown["review"]["answers"].as_object().expect("answers");
    assert_eq!(answers.len(), 5, "{shown}");
    for (item, a) in answers {
        assert_eq!(
            a["answered_by"], "vera.validator@bank.example",
            "{item}: {a}"
        );
    }
    assert_eq!(
        shown["review"]["header"]["reviewer"],
        "vera.validator@bank.example"
    );

    // The exported pack's approval verifies with stock OpenSSH, and the gate passes.
    let exports = home.join("exports");
    let pack = std::fs::read_dir(&exports)
        .expect("exports")
        .next()
        .expect("a pack")
        .expect("entry")
        .path();
    let rec = pack.join("approvals/01-validator.json");
    let o = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(home.join("allowed_signers"))
        .args([
            "-I",
            "vera.validator@bank.example",
            "-n",
            "countersign",
            "-s",
        ])
        .arg(format!("{}.sig", rec.display()))
        .stdin(std::fs::File::open(&rec).expect("record"))
        .output()
        .expect("ssh-keygen");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let check = Command::new("bash")
        .arg(pack.join("VERIFY.txt"))
        .arg(&root)
        .output()
        .expect("bash");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let g = cli
        .command(&[
            "--platform",
            &mlflow_uri(),
            "--policy",
            home.join("policy.toml").to_str().expect("p"),
            "gate",
            &format!("models:/{name}/1"),
        ])
        .output()
        .expect("gate");
    assert_eq!(
        g.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&g.stdout)
    );
}
