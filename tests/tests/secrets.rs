//! Secrets: a full run against the real MLflow harness (through a loopback proxy that records
//! the `Authorization` headers, so the token and password are shown to be in play) with the
//! most verbose log, a bearer token, then a basic-auth password, and a passphrase-protected
//! key — sync, inventory, evidence, review, sign (also with a wrong passphrase), verify, gate,
//! ledger, exports, and error paths including a server that echoes request headers. Every
//! stdout and stderr, every file in the data directory (PDF text and zip contents included) and
//! what was written back to MLflow are searched for the three secrets. Also: file permissions
//! of keys and the store. Runs with the tests that change the seeded server (write-back).

use countersign_e2e::proxy::{FaultProxy, ProxyFault};
use countersign_e2e::{mlflow_api as api, mlflow_fresh_model, mlflow_uri, vera_validator, Cli};
use serde_json::json;
use std::cell::RefCell;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TOKEN: &str = "tok-SECRET-Q7w9-countersign";
const PASSWORD: &str = "pw-SECRET-K2p5-basic";
const PASSPHRASE: &str = "phrase-SECRET-x81-vera";
const SECRETS: [&str; 3] = [TOKEN, PASSWORD, PASSPHRASE];

struct Recorder {
    cli: Cli,
    env: RefCell<Vec<(String, String)>>,
    outputs: RefCell<Vec<(String, Vec<u8>)>>,
}

impl Recorder {
    fn run(&self, args: &[&str]) -> Output {
        let mut c = self.cli.command(args);
        c.env("COUNTERSIGN_LOG", "debug");
        for (k, v) in self.env.borrow().iter() {
            c.env(k, v);
        }
        let o = c.output().expect("run countersign");
        let mut all = o.stdout.clone();
        all.extend_from_slice(&o.stderr);
        self.outputs.borrow_mut().push((format!("{args:?}"), all));
        o
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for s in SECRETS {
        assert!(!text.contains(s), "{what} contains the secret {s:?}");
    }
}

#[test]
fn no_secret_reaches_any_output_file_or_the_platform() {
    // A model of this test's own on the server.
    let name = format!("secrets-e2e-{}", std::process::id());
    let v = mlflow_fresh_model(
        &name,
        vec![json!({"key": "auc_holdout", "value": 0.8, "timestamp": 1, "step": 0})],
        None,
    );

    let proxy = FaultProxy::start(&mlflow_uri());
    let r = Recorder {
        cli: Cli::new(),
        env: RefCell::new(vec![("MLFLOW_TRACKING_TOKEN".into(), TOKEN.into())]),
        outputs: RefCell::new(Vec::new()),
    };
    let home = r.cli.data.path().to_path_buf();
    let p = proxy.uri.as_str();

    // A passphrase-protected key, allowed_signers and a policy naming its owner.
    let pass_file = home.join("passphrase");
    std::fs::write(&pass_file, PASSPHRASE).expect("passphrase");
    let key = home.join("keys/vera");
    let (allowed, policy) = vera_validator(&r.cli, &home, &key, Some(&pass_file));
    // The risk function releases them for this MLflow, reached directly and through the proxy.
    countersign_e2e::release_trust(&r.cli, &mlflow_uri(), &[p], &policy, &allowed);
    r.env.borrow_mut().extend([
        (
            "COUNTERSIGN_POLICY".to_string(),
            policy.display().to_string(),
        ),
        (
            "COUNTERSIGN_ALLOWED_SIGNERS".to_string(),
            allowed.display().to_string(),
        ),
    ]);

    // The whole job, with a token.
    r.ok(&["--platform", p, "sync", "--json"]);
    r.ok(&["--platform", p, "ls", "--json"]);
    r.ok(&["--platform", p, "show", &v, "--json"]);
    r.ok(&["--platform", p, "evidence", &v]);
    let started: serde_json::Value =
        serde_json::from_str(&r.ok(&["--platform", p, "review", "start", &v, "--json"]))
            .expect("json");
    let report: serde_json::Value =
        serde_json::from_str(&r.ok(&["--platform", p, "review", "report", "show", &v, "--json"]))
            .expect("json");
    let tsv = countersign_e2e::answer_lines(&started["review"], &report);
    let answers = home.join("answers.tsv");
    std::fs::write(&answers, tsv).expect("answers");
    // The validator answers and writes the report (the roster's validator).
    r.ok(&[
        "--platform",
        p,
        "--as",
        "vera.validator@bank.example",
        "review",
        "apply",
        &v,
        answers.to_str().expect("p"),
    ]);
    r.ok(&["--platform", p, "review", "status", &v, "--json"]);
    let wrong = home.join("wrong");
    std::fs::write(&wrong, "not-the-passphrase").expect("wrong");
    let o = r.run(&[
        "--platform",
        p,
        "sign",
        &v,
        "--role",
        "validator",
        "--decision",
        "approve",
        "--key",
        key.to_str().expect("p"),
        "--passphrase-file",
        wrong.to_str().expect("p"),
        "--yes",
    ]);
    assert!(!o.status.success(), "a wrong passphrase signs nothing");
    r.ok(&[
        "--platform",
        p,
        "sign",
        &v,
        "--role",
        "validator",
        "--decision",
        "approve",
        "--key",
        key.to_str().expect("p"),
        "--passphrase-file",
        pass_file.to_str().expect("p"),
        "--yes",
        "--json",
    ]);
    r.run(&["--platform", p, "verify", &v, "--json", "--explain"]);
    r.run(&["--platform", p, "gate", &v]);
    r.ok(&["--platform", p, "ledger", "verify"]);
    r.ok(&["--platform", p, "ledger", "show"]);
    let exports = home.join("out");
    for out in ["pack", "pack.zip"] {
        r.ok(&[
            "--platform",
            p,
            "export",
            "audit-pack",
            &v,
            "--output",
            exports.join(out).to_str().expect("p"),
        ]);
    }
    for ext in ["pdf", "json", "csv"] {
        r.ok(&[
            "--platform",
            p,
            "export",
            "inventory",
            "--output",
            exports
                .join(format!("portfolio.{ext}"))
                .to_str()
                .expect("p"),
        ]);
    }
    // Error paths: a server that echoes the request (with its Authorization header) back.
    proxy.set(ProxyFault::EchoRequest, "");
    let o = r.run(&["--platform", p, "sync"]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("HTTP 401") && err.contains("***"), "{err}");
    proxy.set(ProxyFault::Pass, "");
    // Basic auth: a password in the environment and in the URI, on a server that is down.
    r.env
        .borrow_mut()
        .retain(|(k, _)| k != "MLFLOW_TRACKING_TOKEN");
    r.env.borrow_mut().extend([
        ("MLFLOW_TRACKING_USERNAME".to_string(), "olga".to_string()),
        ("MLFLOW_TRACKING_PASSWORD".to_string(), PASSWORD.to_string()),
    ]);
    r.ok(&["--platform", p, "sync", "--json"]);
    let dead = format!("http://olga:{PASSWORD}@127.0.0.1:9");
    let o = r.run(&["--platform", &dead, "sync"]);
    assert_eq!(o.status.code(), Some(3));

    // The secrets were in play.
    let auth = proxy.authorizations();
    assert!(auth.iter().any(|a| a == &format!("Bearer {TOKEN}")));
    assert!(auth.iter().any(|a| a.starts_with("Basic ")));

    // Nothing printed carries one.
    for (what, bytes) in r.outputs.borrow().iter() {
        assert_clean(&format!("the output of {what}"), bytes);
    }
    // No file Countersign wrote carries one (PDF text and zip contents included).
    let mut all = Vec::new();
    files(&home, &mut all);
    for f in &all {
        if f == &pass_file || f == &wrong {
            continue;
        }
        let bytes = std::fs::read(f).expect("read");
        assert_clean(&f.display().to_string(), &bytes);
        match f.extension().and_then(|e| e.to_str()) {
            Some("pdf") => {
                let t = Command::new("pdftotext")
                    .arg(f)
                    .arg("-")
                    .output()
                    .expect("pdftotext");
                assert!(t.status.success());
                assert_clean(&format!("the text of {}", f.display()), &t.stdout);
            }
            Some("zip") => {
                let x = home.join("unzipped");
                let st = Command::new("python3")
                    .args([
                        "-c",
                        "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
                    ])
                    .arg(f)
                    .arg(&x)
                    .status()
                    .expect("python3");
                assert!(st.success());
                let mut inner = Vec::new();
                files(&x, &mut inner);
                assert!(inner.len() > 3);
                for i in inner {
                    assert_clean(&i.display().to_string(), &std::fs::read(&i).expect("read"));
                }
            }
            _ => {}
        }
    }
    // What was written back to MLflow carries none either.
    let exps = api(
        "experiments/search",
        json!({"max_results": 1000, "filter": "name = 'countersign-reviews'"}),
    );
    let ids: Vec<_> = exps["experiments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["experiment_id"].as_str().map(str::to_string))
        .collect();
    assert!(!ids.is_empty(), "the review experiment exists");
    let runs = api(
        "runs/search",
        json!({"experiment_ids": ids, "max_results": 1000}),
    );
    assert_clean(
        "the runs written back to MLflow",
        runs.to_string().as_bytes(),
    );
    let mv = Command::new("curl")
        .args(["-sS", "-f", "-G"])
        .arg(format!(
            "{}/api/2.0/mlflow/model-versions/search",
            mlflow_uri()
        ))
        .arg("--data-urlencode")
        .arg(format!("filter=name = '{name}'"))
        .output()
        .expect("curl");
    assert!(mv.status.success());
    assert!(String::from_utf8_lossy(&mv.stdout).contains("countersign"));
    assert_clean("the version's tags on MLflow", &mv.stdout);

    // Permissions: the private key and the store are private to their owner.
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&key), 0o600, "the private key");
    for f in all.iter().filter(|f| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("countersign.db"))
    }) {
        assert_eq!(mode(f) & 0o077, 0, "{} is readable by others", f.display());
    }
    // A data directory Countersign creates is private too (one the user made is left alone).
    let fresh = home.join("fresh-data");
    let o = r
        .cli
        .command(&["--data-dir", fresh.to_str().expect("p"), "ls"])
        .output()
        .expect("run");
    assert!(fresh.exists(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(mode(&fresh), 0o700, "a data directory Countersign created");
    assert_eq!(mode(&fresh.join("countersign.db")), 0o600, "the store");
}
