//! Error paths: each gives a clear message naming the thing and the fix, the documented exit
//! code, no panic, no secret in the output, and the store keeps its previous good state.

use countersign_e2e::{Cli, Fault, FaultServer};
use std::process::Output;

const TOKEN: &str = "tok-SECRET-4711";
const PASSWORD: &str = "pw-SECRET-0815";

fn sync(cli: &Cli, uri: &str, extra_env: &[(&str, &str)]) -> Output {
    let mut c = cli.command(&["--platform", uri, "sync", "--quiet"]);
    c.env("COUNTERSIGN_HTTP_ATTEMPTS", "2")
        .env("MLFLOW_TRACKING_TOKEN", TOKEN);
    for (k, v) in extra_env {
        c.env(k, v);
    }
    c.output().expect("run countersign")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_clean_failure(o: &Output, code: i32, must_contain: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr:\n{err}");
    for m in must_contain {
        assert!(err.contains(m), "stderr lacks {m:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !err.contains(TOKEN) && !err.contains(PASSWORD),
        "a secret leaked:\n{err}"
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains(TOKEN));
}

#[test]
fn unreachable_server() {
    let cli = Cli::new();
    // Port 1 on loopback refuses connections.
    let o = sync(&cli, &format!("http://user:{PASSWORD}@127.0.0.1:1"), &[]);
    assert_clean_failure(
        &o,
        3,
        &[
            "cannot reach http://127.0.0.1:1/api/2.0/mlflow/registered-models/search",
            "Check that the server is running",
        ],
    );
}

#[test]
fn server_error_is_retried_then_reported() {
    let cli = Cli::new();
    let s = FaultServer::start(Fault::Respond(
        500,
        "application/json",
        r#"{"error_code": "INTERNAL_ERROR", "message": "database is locked"}"#.into(),
    ));
    let o = sync(&cli, &s.uri, &[]);
    assert_clean_failure(
        &o,
        3,
        &[
            "HTTP 500 (INTERNAL_ERROR): database is locked",
            "check its logs",
        ],
    );
    assert_eq!(
        s.hits.load(std::sync::atomic::Ordering::Relaxed),
        2,
        "one retry with COUNTERSIGN_HTTP_ATTEMPTS=2"
    );
}

#[test]
fn html_404_says_it_is_not_an_mlflow_api() {
    let cli = Cli::new();
    let s = FaultServer::start(Fault::Respond(404, "text/html", "<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>".into()));
    let o = sync(&cli, &s.uri, &[]);
    assert_clean_failure(&o, 3, &["HTTP 404", "404 Not Found", "MLflow 3.x"]);
    assert_eq!(
        s.hits.load(std::sync::atomic::Ordering::Relaxed),
        1,
        "a 404 is not retried"
    );
}

#[test]
fn plain_text_401_asks_for_credentials_without_showing_them() {
    let cli = Cli::new();
    let s = FaultServer::start(Fault::Respond(
        401,
        "text/plain",
        "You are not authenticated. Please see the docs.".into(),
    ));
    let o = sync(
        &cli,
        &s.uri,
        &[
            ("MLFLOW_TRACKING_USERNAME", "alice"),
            ("MLFLOW_TRACKING_PASSWORD", PASSWORD),
        ],
    );
    assert_clean_failure(
        &o,
        3,
        &[
            "HTTP 401",
            "You are not authenticated",
            "MLFLOW_TRACKING_USERNAME",
        ],
    );
}

#[test]
fn malformed_json_body() {
    let cli = Cli::new();
    let s = FaultServer::start(Fault::Respond(
        200,
        "application/json",
        r#"{"registered_models": [{"name": 42"#.into(),
    ));
    let o = sync(&cli, &s.uri, &[]);
    assert_clean_failure(
        &o,
        3,
        &["sent a response Countersign cannot read", "invalid JSON"],
    );
}

#[test]
fn wrong_shape_json_body() {
    let cli = Cli::new();
    let s = FaultServer::start(Fault::Respond(
        200,
        "application/json",
        r#"{"registered_models": "not a list"}"#.into(),
    ));
    let o = sync(&cli, &s.uri, &[]);
    assert_clean_failure(&o, 3, &["cannot read", "registered-models/search"]);
}

#[test]
fn slow_server_times_out() {
    let cli = Cli::new();
    let s = FaultServer::start(Fault::Stall);
    let o = sync(
        &cli,
        &s.uri,
        &[
            ("COUNTERSIGN_HTTP_TIMEOUT", "1"),
            ("COUNTERSIGN_HTTP_ATTEMPTS", "1"),
        ],
    );
    assert_clean_failure(&o, 3, &["did not answer within 1 s", "try again"]);
}

#[test]
fn connection_dropped_without_answer() {
    let cli = Cli::new();
    let s = FaultServer::start(Fault::Hangup);
    let o = sync(&cli, &s.uri, &[]);
    assert_clean_failure(&o, 3, &["cannot reach"]);
}

#[test]
fn bad_references_and_unknown_versions() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let o = cli.run(&["show", "credit-scoring/2"]);
    assert_clean_failure(
        &o,
        4,
        &[
            "invalid model version reference 'credit-scoring/2'",
            "models:/NAME/VERSION",
        ],
    );
    let o = cli.run(&["show", "models:/retail-pd-scorecard/99"]);
    assert_clean_failure(
        &o,
        4,
        &[
            "model version models:/retail-pd-scorecard/99",
            "not found",
            "countersign sync",
        ],
    );
    let o = cli.run(&["--platform", "ftp://x", "ls"]);
    assert_clean_failure(&o, 4, &["invalid platform URI", "folder:PATH"]);
}

#[test]
fn broken_folder_file_keeps_the_previous_good_state() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let before = cli.json(&["ls", "--json"]);
    assert_eq!(before["models"].as_array().map(Vec::len), Some(36));
    let file = cli.data.path().join("demo/models/mortgage-lgd.toml");
    let text = std::fs::read_to_string(&file).expect("demo file");
    std::fs::write(
        &file,
        text.replacen("risk_tier = \"1\"", "risk_tier = 1", 1),
    )
    .expect("write");
    let o = cli.run(&["sync", "--quiet"]);
    assert_clean_failure(
        &o,
        4,
        &[
            "mortgage-lgd.toml: line",
            "column",
            "risk_tier",
            "expected a string",
        ],
    );
    let after = cli.json(&["ls", "--json"]);
    assert_eq!(
        after["models"], before["models"],
        "the store changed after a failed sync"
    );
    // A deleted runs file makes sync warn, not fail.
    std::fs::write(&file, text).expect("restore");
    std::fs::remove_file(cli.data.path().join("demo/runs/run-mortgage-lgd-v1.toml"))
        .expect("remove");
    let out = cli.ok(&["sync"]);
    assert!(out.contains("run-mortgage-lgd-v1"), "{out}");
}

#[test]
fn help_explains_platforms_and_exit_codes() {
    let cli = Cli::new();
    let help = cli.ok(&["--help"]);
    for s in [
        "folder:PATH",
        "MLFLOW_TRACKING_URI",
        "Exit codes",
        "sync",
        "lineage",
        "demo",
    ] {
        assert!(help.contains(s), "--help lacks {s}:\n{help}");
    }
}

#[test]
fn an_oversized_body_is_refused_with_the_setting_named() {
    let cli = Cli::new();
    // A 2 MiB answer against a 1 MiB limit: refused by its Content-Length, never read whole.
    let s = FaultServer::start(Fault::Respond(
        200,
        "application/json",
        format!(
            "{{\"registered_models\": [], \"pad\": \"{}\"}}",
            "x".repeat(2 << 20)
        ),
    ));
    let o = sync(&cli, &s.uri, &[("COUNTERSIGN_HTTP_MAX_BODY_MB", "1")]);
    assert_clean_failure(
        &o,
        3,
        &[
            "registered-models/search",
            "larger than 1 MiB",
            "COUNTERSIGN_HTTP_MAX_BODY_MB",
        ],
    );
}

#[test]
fn a_server_echoing_basic_auth_headers_shows_no_form_of_the_password() {
    let cli = Cli::new();
    let s = FaultServer::start(Fault::Echo);
    let mut c = cli.command(&["--platform", &s.uri, "sync", "--quiet"]);
    c.env("COUNTERSIGN_HTTP_ATTEMPTS", "1")
        .env("COUNTERSIGN_LOG", "debug")
        .env("MLFLOW_TRACKING_USERNAME", "alice")
        .env("MLFLOW_TRACKING_PASSWORD", PASSWORD);
    let o = c.output().expect("run countersign");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.to_ascii_lowercase()
            .contains("authorization: basic ***"),
        "the echo reached the message, scrubbed: {err}"
    );
    let pair = format!("alice:{PASSWORD}");
    let b64 = base64(pair.as_bytes());
    for form in [
        PASSWORD.to_string(),
        pair,
        b64.clone(),
        b64.trim_end_matches('=').into(),
    ] {
        assert!(!err.contains(&form), "{form} leaked: {err}");
    }
}

/// Standard base64 (RFC 4648), as curl and reqwest send basic auth.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                A[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[test]
fn bad_values_are_usage_errors_naming_the_values() {
    let cli = Cli::new();
    let table: &[(&[&str], &str)] = &[
        (
            &[
                "sign",
                "models:/m/1",
                "--role",
                "boss",
                "--decision",
                "approve",
            ],
            "use validator or approver",
        ),
        (
            &[
                "sign",
                "models:/m/1",
                "--role",
                "validator",
                "--decision",
                "maybe",
            ],
            "use approve, approve_with_conditions or reject",
        ),
        (&["ls", "--kind", "bogus"], "use classic, prompt or vendor"),
        (
            &["review", "answer", "models:/m/1", "OA-01", "perhaps"],
            "use pass, fail, na or confirm",
        ),
        (
            &[
                "review",
                "finding",
                "add",
                "models:/m/1",
                "--title",
                "t",
                "--severity",
                "huge",
                "--due",
                "2027-01-01",
            ],
            "use high, medium or low",
        ),
        (
            &[
                "review",
                "finding",
                "update",
                "models:/m/1",
                "F-1",
                "--status",
                "gone",
            ],
            "use open, remediated or accepted",
        ),
    ];
    for (args, hint) in table {
        let o = cli.run(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(hint), "{args:?}: {err}");
    }
}

#[test]
fn unknown_values_closed_pipes_and_fresh_machines() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    // Unknown values are errors, not empty results.
    let o = cli.run(&["ls", "--tier", "9"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the policy defines tiers 1, 2, 3"),
        "{}",
        stderr(&o)
    );
    let o = cli.run(&[
        "tier",
        "credit-limit-assignment",
        "--answer",
        "exposure=bogus",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("answers: "), "{}", stderr(&o));
    // ls shows each model's status and filters by it; an unknown status is a usage error.
    let approved = cli.ok(&["ls", "--status", "approved"]);
    assert!(
        approved
            .lines()
            .next()
            .is_some_and(|h| h.contains("STATUS"))
            && approved.contains("credit-limit-assignment")
            && !approved.contains("sepsis-early-warning"),
        "{approved}"
    );
    let o = cli.run(&["ls", "--status", "done"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("pending approval"), "{}", stderr(&o));
    // A closed stdout ends quietly: `countersign show … --json | head -1`.
    let mut child = cli
        .command(&["show", "models:/credit-limit-assignment/3", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    // A pack of a version nobody approved, on a machine with no allowed_signers.
    std::fs::remove_file(cli.data.path().join("demo/allowed_signers")).expect("rm");
    let out = cli.data.path().join("fresh-pack");
    let o = cli.run(&[
        "export",
        "audit-pack",
        "models:/sepsis-early-warning/1",
        "-o",
        out.to_str().expect("p"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("VERIFY.txt").is_file());
}

/// Completion scripts for every shell and the manual page come out even with a broken config
/// file; a closed stdout ends quietly; an unknown shell is a usage error (2).
#[test]
fn completions_and_the_manual_page() {
    let cli = Cli::new();
    let dir = cli.data.path().join("config/countersign");
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(dir.join("config.toml"), "platform = [not toml\n").expect("config");
    assert_eq!(
        cli.run(&["ls"]).status.code(),
        Some(4),
        "the config file is broken"
    );
    for (shell, want) in [
        ("bash", "_countersign"),
        ("zsh", "#compdef countersign"),
        ("fish", "complete -c countersign"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = cli.ok(&["completions", shell]);
        assert!(out.contains(want), "{shell}: {out}");
        for sub in ["review", "queue", "assign", "gate", "verify"] {
            assert!(out.contains(sub), "{shell} completes {sub}");
        }
    }
    let man = cli.ok(&["man"]);
    assert!(man.contains(".TH countersign"), "{man}");
    assert!(man.contains("queue"), "the manual lists the subcommands");
    let bad = cli.run(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("bash"),
        "names the shells"
    );
    // `countersign completions bash | head -1`.
    let mut child = cli
        .command(&["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every `--json` output is one object naming its schema, and docs/json.md lists exactly the
/// schemas the commands print.
#[test]
fn every_json_output_names_its_schema_as_docs_json_md_lists_it() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let doc = std::fs::read_to_string(countersign_e2e::workspace_root().join("docs/json.md"))
        .expect("docs/json.md");
    let demo = cli.data.path().join("demo");
    let vera_key = demo
        .join("keys/vera.validator@demo.bank/id_ed25519")
        .display()
        .to_string();
    let v = "models:/claims-triage/1";
    let mut seen = std::collections::BTreeSet::new();
    let mut check = |args: &[&str], schema: &str| -> serde_json::Value {
        let o = cli.run(args);
        let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?} printed no JSON object ({e}): {}",
                String::from_utf8_lossy(&o.stderr)
            )
        });
        assert!(out.is_object(), "{args:?}: {out}");
        assert_eq!(out["schema"], schema, "{args:?}");
        assert!(
            doc.contains(&format!("| `{schema}` |")),
            "docs/json.md does not list {schema}"
        );
        seen.insert(schema.to_string());
        out
    };
    check(&["config", "show", "--json"], "countersign.config/v1");
    check(&["sync", "--json"], "countersign.sync/v1");
    check(&["ls", "--json"], "countersign.inventory/v1");
    let shown = check(&["show", v, "--json"], "countersign.version/v1");
    let digest = shown["evidence"]["datasets"][0]["digest"]
        .as_str()
        .expect("a dataset")
        .to_string();
    let uses = check(
        &["lineage", "--dataset", &digest, "--json"],
        "countersign.lineage/v1",
    );
    assert!(uses["uses"].as_array().is_some_and(|u| !u.is_empty()));
    let report = check(
        &["lineage", "--dataset", &digest, "--report", "--json"],
        "countersign.lineage-report/v1",
    );
    assert_eq!(
        report["uses"].as_array().map(Vec::len),
        uses["uses"].as_array().map(Vec::len),
        "the report lists the same uses: {report}"
    );
    check(
        &["policy", "check", "--json"],
        "countersign.policy-check/v1",
    );
    check(&["policy", "verify", "--json"], "countersign.trust/v1");
    check(&["tier", "claims-triage", "--json"], "countersign.tier/v1");
    let vera = ["--as", "vera.validator@demo.bank"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        vera.iter().chain(extra.iter()).copied().collect()
    };
    let started = check(
        &with(&["review", "start", v, "--json"]),
        "countersign.review-page/v1",
    );
    check(
        &["review", "show", v, "--json"],
        "countersign.review-page/v1",
    );
    check(
        &["review", "list", v, "--json"],
        "countersign.review-list/v1",
    );
    check(
        &["review", "status", v, "--json"],
        "countersign.review-status/v1",
    );
    let item = started["review"]["header"]["items"][0]["id"]
        .as_str()
        .expect("an item")
        .to_string();
    let mut a: Vec<&str> = with(&["review", "answer", v]);
    a.extend([item.as_str(), "pass", "--note", "reviewed", "--json"]);
    check(&a, "countersign.review-answer/v1");
    check(
        &with(&[
            "review",
            "finding",
            "add",
            v,
            "--title",
            "Holdout small",
            "--severity",
            "low",
            "--owner",
            "olga.owner@demo.bank",
            "--due",
            "2027-02-28",
            "--json",
        ]),
        "countersign.review-finding/v1",
    );
    check(
        &with(&[
            "review",
            "finding",
            "update",
            v,
            "F-1",
            "--status",
            "remediated",
            "--note",
            "Holdout enlarged",
            "--json",
        ]),
        "countersign.review-finding/v1",
    );
    check(
        &with(&[
            "review",
            "report",
            "set",
            v,
            "--section",
            "scope",
            "--text",
            "All of it.",
            "--json",
        ]),
        "countersign.review-report-section/v1",
    );
    check(
        &["review", "report", "show", v, "--json"],
        "countersign.review-report/v1",
    );
    check(&["queue", "--json"], "countersign.queue/v1");
    check(
        &with(&["assign", v, "--to", "victor.validator@demo.bank", "--json"]),
        "countersign.assignment/v1",
    );
    check(
        &["keys", "--key", &vera_key, "--json"],
        "countersign.key/v1",
    );
    // The model's owner attests (the demo gives every owner a key).
    let owner = countersign_core::demo::demo_owner(
        shown["model"]["owner"]
            .as_str()
            .expect("the model names its owner"),
    );
    let owner_key = demo
        .join("keys")
        .join(&owner)
        .join("id_ed25519")
        .display()
        .to_string();
    let attested = check(
        &["attest", v, "--key", &owner_key, "--yes", "--json"],
        "countersign.attested/v1",
    );
    assert_eq!(attested["record"]["signer"], owner.as_str());
    let attestations = check(
        &["attest", v, "--list", "--json"],
        "countersign.attestations/v1",
    );
    assert!(
        attestations["attestations"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["counts"] == true)),
        "{attestations}"
    );
    countersign_e2e::complete_review(&cli, v, "vera.validator@demo.bank");
    check(
        &[
            "sign",
            v,
            "--role",
            "validator",
            "--decision",
            "approve",
            "--key",
            &vera_key,
            "--yes",
            "--json",
        ],
        "countersign.signed/v1",
    );
    check(&["verify", v, "--json"], "countersign.verification/v1");
    let all = check(
        &["verify", "--all", "--json"],
        "countersign.verification-list/v1",
    );
    assert!(all["versions"].as_array().is_some_and(|a| !a.is_empty()));
    check(&["gate", v, "--json"], "countersign.gate/v1");
    check(
        &["ledger", "verify", "--json"],
        "countersign.ledger-check/v1",
    );
    let ledger = check(&["ledger", "show", "--json"], "countersign.ledger/v1");
    assert!(ledger["entries"].as_array().is_some_and(|e| !e.is_empty()));
    let pack = cli.data.path().join("pack");
    check(
        &[
            "export",
            "audit-pack",
            v,
            "--output",
            pack.to_str().expect("p"),
            "--json",
        ],
        "countersign.audit-pack/v1",
    );
    // And the document names no schema that no command prints.
    let listed: std::collections::BTreeSet<String> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split("| `").nth(2))
        .filter_map(|c| c.split('`').next())
        .filter(|s| s.starts_with("countersign."))
        .map(String::from)
        .collect();
    assert_eq!(listed, seen, "docs/json.md against the commands");
}
