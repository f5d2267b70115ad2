//! Helpers for Countersign's end-to-end tests: the real binaries, the MLflow harness started
//! by `scripts/test.sh`, and a small fault-injecting HTTP server for error paths.

pub mod proxy;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A built binary of the workspace (`countersign`, `countersign-desktop`), from
/// `$COUNTERSIGN_TARGET_DIR` or `target/debug`. Panics with the fix when it is missing.
pub fn binary(name: &str) -> PathBuf {
    let dir = std::env::var_os("COUNTERSIGN_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug"));
    let p = dir.join(name);
    assert!(
        p.exists(),
        "{} is missing: build it first (cargo build -p ...), or run scripts/test.sh",
        p.display()
    );
    p
}

/// The MLflow server the test script started. Fails (never skips) when it is not there.
pub fn mlflow_uri() -> String {
    std::env::var("COUNTERSIGN_TEST_MLFLOW_URI").unwrap_or_else(|_| {
        panic!("COUNTERSIGN_TEST_MLFLOW_URI is not set: these tests need the real MLflow server that scripts/test.sh starts and seeds")
    })
}

/// The second MLflow server the test script started and seeded with the evaluation scenario
/// (tests/mlflow/seed_evaluations.py), and what that script recorded. Fails (never skips)
/// when it is not there.
pub fn mlflow_evaluations() -> (String, serde_json::Value) {
    let var = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!("{k} is not set: these tests need the evaluation server that scripts/test.sh starts and seeds")
        })
    };
    let path = var("COUNTERSIGN_TEST_MLFLOW_EVAL_MANIFEST");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the evaluation manifest {path}: {e}"));
    let manifest = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("bad evaluation manifest {path}: {e}"));
    (var("COUNTERSIGN_TEST_MLFLOW_EVAL_URI"), manifest)
}

/// What the seeding script recorded (tests/mlflow/seed.py).
pub fn mlflow_manifest() -> serde_json::Value {
    let path = std::env::var("COUNTERSIGN_TEST_MLFLOW_MANIFEST").unwrap_or_else(|_| {
        panic!("COUNTERSIGN_TEST_MLFLOW_MANIFEST is not set: run scripts/test.sh")
    });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the seed manifest {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad seed manifest {path}: {e}"))
}

/// Runs `countersign` with its own data directory and returns the output.
#[derive(Debug)]
pub struct Cli {
    /// The data directory (removed on drop).
    pub data: tempfile::TempDir,
    /// The trust root pinned for every command (`COUNTERSIGN_ROOT`): set by [`Cli::pin`] or
    /// [`release_trust`]; else the demo's root once `demo` has made one.
    root: std::sync::Mutex<Option<PathBuf>>,
    /// Environment variables set for every command ([`Cli::set_env`]).
    env: std::sync::Mutex<Vec<(String, String)>>,
}

impl Default for Cli {
    fn default() -> Self {
        Self::new()
    }
}

impl Cli {
    /// A fresh data directory.
    pub fn new() -> Self {
        Self {
            data: tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")),
            root: std::sync::Mutex::new(None),
            env: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Sets an environment variable for every later command (e.g. MLflow credentials).
    pub fn set_env(&self, key: &str, value: &str) {
        let mut env = self.env.lock().unwrap_or_else(|e| e.into_inner());
        env.retain(|(k, _)| k != key);
        env.push((key.to_string(), value.to_string()));
    }

    /// Pins a trust root for every later command.
    pub fn pin(&self, root: &Path) {
        *self.root.lock().unwrap_or_else(|e| e.into_inner()) = Some(root.to_path_buf());
    }

    /// The root pinned for commands: [`Cli::pin`]'s, else the demo's when it exists.
    pub fn pinned(&self) -> Option<PathBuf> {
        self.root
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .or_else(|| {
                let demo = self.data.path().join("demo-trust/root.signers");
                demo.exists().then_some(demo)
            })
    }

    /// Runs `countersign ARGS` with this data directory and no platform from the environment.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run countersign: {e}"))
    }

    /// The command, ready to run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(binary("countersign"));
        c.args(args)
            .env("COUNTERSIGN_DATA_DIR", self.data.path())
            // No config file of the machine's user: tests are hermetic.
            .env("XDG_CONFIG_HOME", self.data.path().join("config"))
            .env_remove("COUNTERSIGN_CONFIG")
            // The login name is the CLI's identity when none is configured: the same one on
            // every machine, whatever its own USER.
            .env("USER", "cli.tester")
            .env_remove("COUNTERSIGN_IDENTITY")
            .env_remove("MLFLOW_TRACKING_URI")
            .env_remove("COUNTERSIGN_PLATFORM")
            .env_remove("COUNTERSIGN_ROOT");
        if let Some(root) = self.pinned() {
            c.env("COUNTERSIGN_ROOT", root);
        }
        for (k, v) in self.env.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            c.env(k, v);
        }
        c
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "countersign {args:?} failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs and expects success; parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("countersign {args:?} printed invalid JSON ({e}):\n{out}"))
    }
}

/// One canned HTTP answer of the fault server.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status, content type and body.
    Respond(u16, &'static str, String),
    /// Accept the connection, read the request, then never answer (until the server stops).
    Stall,
    /// Close the connection without answering.
    Hangup,
    /// Answer 500 with the request (headers included) echoed back in the body, as some
    /// misconfigured servers and proxies do.
    Echo,
}

/// A loopback HTTP server that answers every request with the same fault, and counts them.
#[derive(Debug)]
pub struct FaultServer {
    /// `http://127.0.0.1:PORT`.
    pub uri: String,
    stop: Arc<AtomicBool>,
    /// Requests seen.
    pub hits: Arc<std::sync::atomic::AtomicU64>,
}

impl FaultServer {
    /// Starts the server on a free loopback port.
    pub fn start(fault: Fault) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let uri = format!(
            "http://{}",
            listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default()
        );
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (stop2, hits2) = (stop.clone(), hits.clone());
        listener.set_nonblocking(true).ok();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        s.set_nonblocking(false).ok();
                        s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
                            .ok();
                        let mut buf = [0u8; 65536];
                        let n = s.read(&mut buf).unwrap_or(0);
                        hits2.fetch_add(1, Ordering::Relaxed);
                        match &fault {
                            Fault::Respond(status, ctype, body) => {
                                let _ = write!(s, "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                            }
                            Fault::Stall => held.push(s),
                            Fault::Hangup => drop(s),
                            Fault::Echo => {
                                let body = format!(
                                    "{{\"error_code\": \"INTERNAL_ERROR\", \"message\": \"bad request: {}\"}}",
                                    String::from_utf8_lossy(&buf[..n])
                                        .replace('\\', "\\\\")
                                        .replace('"', "\\\"")
                                        .replace('\r', "")
                                        .replace('\n', " | ")
                                );
                                let _ = write!(s, "HTTP/1.1 500 X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                            }
                        }
                    }
                    Err(_) => std::thread::park_timeout(std::time::Duration::from_millis(5)),
                }
            }
        });
        Self { uri, stop, hits }
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A program running in a real terminal: a detached tmux session.
#[derive(Debug)]
pub struct Tmux {
    session: String,
}

impl Tmux {
    /// Starts `cmd` in a new `width`×`height` session named after `name` and this process.
    pub fn start(name: &str, width: u16, height: u16, cmd: &str) -> Self {
        let session = format!("{name}-{}", std::process::id());
        let st = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                cmd,
            ])
            .status()
            .unwrap_or_else(|e| panic!("tmux: {e} (scripts/install-test-deps.sh installs it)"));
        assert!(st.success(), "tmux new-session failed");
        Self { session }
    }

    /// The screen's text now.
    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap_or_else(|e| panic!("capture-pane: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys (tmux key names: "Enter", "Escape", "C-s", or characters).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        assert!(
            Command::new("tmux")
                .args(&args)
                .status()
                .map(|s| s.success())
                .unwrap_or(false),
            "send-keys failed"
        );
    }

    /// Types text literally.
    pub fn text(&self, text: &str) {
        assert!(
            Command::new("tmux")
                .args(["send-keys", "-t", &self.session, "-l", text])
                .status()
                .map(|s| s.success())
                .unwrap_or(false),
            "send-keys failed"
        );
    }

    /// Polls the screen until `pred` holds (the UI redraws asynchronously); fails after 40 s
    /// with the screen.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// The pid of the program in the pane.
    pub fn pid(&self) -> u32 {
        let o = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.session, "#{pane_pid}"])
            .output()
            .unwrap_or_else(|e| panic!("tmux: {e}"));
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("pane pid: {e}"))
    }

    /// Whether the session (and so the program) is still running.
    pub fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["has-session", "-t", &self.session])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// `POST path` (under `/api/2.0/mlflow/`) on the test MLflow server: [`mlflow_call`].
pub fn mlflow_api(path: &str, body: serde_json::Value) -> serde_json::Value {
    mlflow_call("POST", path, body)
}

/// `METHOD path` (under `/api/2.0/mlflow/`) on the test MLflow server with a JSON body, as
/// curl sends it; fails the test on an HTTP error, and returns the JSON answer (`Null` when
/// there is none).
pub fn mlflow_call(method: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let out = Command::new("curl")
        .args([
            "-sS",
            "-f",
            "-X",
            method,
            "-H",
            "Content-Type: application/json",
            "-d",
            &body.to_string(),
        ])
        .arg(format!("{}/api/2.0/mlflow/{path}", mlflow_uri()))
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "{method} {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// Creates a model of its own on the MLflow harness for one test: a finished run by
/// `tess.builder` with `metrics` (MLflow's metric objects) and an optional training dataset
/// (name, digest), and version 1 of a tier-3 model owned by `olga.owner@bank.example`.
/// Returns `models:/NAME/1`.
pub fn mlflow_fresh_model(
    name: &str,
    metrics: Vec<serde_json::Value>,
    dataset: Option<(&str, &str)>,
) -> String {
    use serde_json::json;
    let exp = mlflow_api(
        "experiments/create",
        json!({"name": format!("/tests/{name}")}),
    )["experiment_id"]
        .clone();
    let run_id = mlflow_api(
        "runs/create",
        json!({"experiment_id": exp, "user_id": "tess.builder", "run_name": "train"}),
    )["run"]["info"]["run_id"]
        .as_str()
        .expect("run id")
        .to_string();
    mlflow_api(
        "runs/log-batch",
        json!({"run_id": run_id, "params": [{"key": "algorithm", "value": "glm"}], "metrics": metrics}),
    );
    if let Some((ds, digest)) = dataset {
        mlflow_api(
            "runs/log-inputs",
            json!({"run_id": run_id, "datasets": [{"tags": [{"key": "mlflow.data.context", "value": "training"}], "dataset": {"name": ds, "digest": digest, "source_type": "s3", "source": format!("{{\"uri\": \"s3://tests/{ds}.parquet\"}}")}}]}),
        );
    }
    mlflow_api(
        "runs/update",
        json!({"run_id": run_id, "status": "FINISHED", "end_time": 100}),
    );
    mlflow_api(
        "registered-models/create",
        json!({"name": name, "tags": [{"key": "risk_tier", "value": "3"}, {"key": "owner", "value": "olga.owner@bank.example"}]}),
    );
    mlflow_api(
        "model-versions/create",
        json!({"name": name, "source": format!("runs:/{run_id}/model"), "run_id": run_id}),
    );
    format!("models:/{name}/1")
}

/// Vera's signing key at `key` (with `passphrase_file`'s passphrase, or none), an
/// `allowed_signers` with her line and a policy whose roster makes her a validator, both in
/// `dir`. Returns (allowed_signers, policy).
pub fn vera_validator(
    cli: &Cli,
    dir: &Path,
    key: &Path,
    passphrase_file: Option<&Path>,
) -> (PathBuf, PathBuf) {
    let mut args = vec![
        "keys".to_string(),
        "generate".into(),
        key.display().to_string(),
        "--as".into(),
        "vera.validator@bank.example".into(),
    ];
    match passphrase_file {
        Some(p) => args.extend(["--passphrase-file".into(), p.display().to_string()]),
        None => args.push("--no-passphrase".into()),
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cli.ok(&args);
    let allowed = dir.join("allowed_signers");
    std::fs::write(
        &allowed,
        out.lines()
            .last()
            .expect("allowed_signers line")
            .to_string()
            + "\n",
    )
    .expect("allowed_signers");
    let base = countersign_core::policy::DEFAULT_POLICY;
    let policy = base[..base.find("[roster]").expect("roster")].to_string()
        + "[roster]\n\"vera.validator@bank.example\" = [\"validator\"]\n";
    let policy_path = dir.join("policy.toml");
    std::fs::write(&policy_path, policy).expect("policy");
    (allowed, policy_path)
}

/// The risk function of a test: three keys in `DATA/risk/` (made once), root v1 with
/// thresholds two and two (made and published once per platform), and a new policy release of
/// `policy` and `allowed` governing the platform `platform` reaches (name `test`, reached
/// through `platform` and `also`), signed by two members through the CLI's own `policy
/// release`, `policy sign` and `policy publish` (published through `platform`). Pins the root
/// on `cli` and returns it.
pub fn release_trust(
    cli: &Cli,
    platform: &str,
    also: &[&str],
    policy: &Path,
    allowed: &Path,
) -> PathBuf {
    let risk = cli.data.path().join("risk");
    let root_dir = risk.join("root");
    let root = root_dir.join("root.signers");
    if !root.exists() {
        let mut members = Vec::new();
        for i in 1..=3 {
            let key = risk.join(format!("risk-{i}"));
            cli.ok(&[
                "keys",
                "generate",
                &key.display().to_string(),
                "--as",
                &format!("risk-{i}@bank.example"),
                "--no-passphrase",
            ]);
            members.push(format!("risk-{i}@bank.example={}.pub", key.display()));
        }
        let mut args = vec![
            "policy".to_string(),
            "root".into(),
            "init".into(),
            "-o".into(),
            root_dir.display().to_string(),
            "--release-threshold".into(),
            "2".into(),
            "--root-threshold".into(),
            "2".into(),
        ];
        for m in &members {
            args.extend(["--member".into(), m.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cli.ok(&args);
    }
    cli.pin(&root);
    let root_s = root_dir.display().to_string();
    cli.ok(&["--platform", platform, "policy", "publish", &root_s]);
    let n = std::fs::read_dir(&risk)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with("release-"))
                .count()
        })
        .unwrap_or(0);
    let rel = risk
        .join(format!("release-{}", n + 1))
        .display()
        .to_string();
    let key1 = risk.join("risk-1").display().to_string();
    let key2 = risk.join("risk-2").display().to_string();
    let (policy, allowed) = (policy.display().to_string(), allowed.display().to_string());
    let mut args = vec![
        "--platform",
        platform,
        "--policy",
        &policy,
        "--allowed-signers",
        &allowed,
        "policy",
        "release",
        "-o",
        &rel,
        "--name",
        "test",
        "--uri",
        platform,
        "--key",
        &key1,
    ];
    for u in also {
        args.extend(["--uri", u]);
    }
    cli.ok(&args);
    cli.ok(&[
        "--platform",
        platform,
        "policy",
        "sign",
        &rel,
        "--key",
        &key2,
    ]);
    cli.ok(&["--platform", platform, "policy", "publish", &rel]);
    root
}

/// Answers every item of a fresh review of `v` on `cli`'s platform as `validator`: confirms
/// automatic passes, marks other automatic checks not applicable, attests the rest, writes the
/// required report.
pub fn complete_review(cli: &Cli, v: &str, validator: &str) {
    let started = cli.json(&["review", "start", v, "--json"]);
    answer_review(cli, v, &started["review"], validator);
}

/// Answers every item of `review` (a review as `review start --json` prints it) through
/// `review apply`: confirms automatic passes, marks other automatic checks not applicable,
/// attests the rest, and writes every report section the tier requires that is not written yet
/// (the rating: the best on the policy's scale), all as `validator` (the report is the
/// validator's: the roster must give them the role).
pub fn answer_review(cli: &Cli, v: &str, review: &serde_json::Value, validator: &str) {
    let report = cli.json(&["review", "report", "show", v, "--json"]);
    apply_as(cli, v, validator, "answers", &answer_lines(review, &report));
}

/// Writes `lines` to a file named after `stem` and `v` and runs `review apply` on it as `who`.
fn apply_as(cli: &Cli, v: &str, who: &str, stem: &str, lines: &str) {
    let file = cli
        .data
        .path()
        .join(format!("{stem}-{}.tsv", v.replace(['/', ':'], "_")));
    std::fs::write(&file, lines).expect("apply file");
    cli.ok(&[
        "--as",
        who,
        "review",
        "apply",
        v,
        file.to_str().expect("path"),
    ]);
}

/// The `review apply` lines that answer every item of `review` (as `review start --json` prints
/// it) and write the report sections `report` (`review report show --json`) lists as required
/// and not written.
pub fn answer_lines(review: &serde_json::Value, report: &serde_json::Value) -> String {
    let mut lines = report_lines(report);
    for it in review["header"]["items"].as_array().expect("items") {
        let id = it["id"].as_str().expect("id");
        match it["automatic"]["outcome"].as_str() {
            Some("pass") => lines.push_str(&format!("{id}\tconfirm\t\n")),
            Some(_) => lines.push_str(&format!("{id}\tna\tnot measured for this model\n")),
            None => lines.push_str(&format!("{id}\tpass\treviewed\n")),
        }
    }
    lines
}

/// Writes, as `validator`, every report section the review of `v` requires and lacks.
pub fn write_required_report(cli: &Cli, v: &str, validator: &str) {
    let report = cli.json(&["review", "report", "show", v, "--json"]);
    apply_as(cli, v, validator, "report", &report_lines(&report));
}

/// The `review apply` lines that write each section `report` (`review report show --json`)
/// lists as required and not written (the rating: the best of the policy's scale).
pub fn report_lines(report: &serde_json::Value) -> String {
    let mut lines = String::new();
    for s in report["required"].as_array().expect("required") {
        let s = s.as_str().expect("section");
        if report["report"].get(s).is_some() {
            continue;
        }
        let text = if s == "rating" {
            report["ratings"][0].as_str().expect("rating").to_string()
        } else {
            format!("{s} written by the test")
        };
        lines.push_str(&format!("report:{s}\t{text}\n"));
    }
    lines
}

/// `verify --json` for one version, whatever the gate says (its exit code reflects the gate).
pub fn verify_json(cli: &Cli, v: &str) -> serde_json::Value {
    let o = cli.run(&["verify", v, "--json"]);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "verify --json printed no JSON ({e}): {}",
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// Whether stock OpenSSH accepts `record` (with `record.sig`) as signed by `signer`.
pub fn ssh_keygen_verify(allowed: &Path, signer: &str, record: &Path) -> bool {
    Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(allowed)
        .args(["-I", signer, "-n", "countersign", "-s"])
        .arg(format!("{}.sig", record.display()))
        .stdin(std::fs::File::open(record).expect("record"))
        .output()
        .map(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout).contains("Good \"countersign\" signature")
        })
        .expect("ssh-keygen")
}

/// Copies the contents of `from` into `to` (`cp -a`).
pub fn copy_dir(from: &Path, to: &Path) {
    let st = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .expect("cp");
    assert!(st.success(), "cp -a {} {}", from.display(), to.display());
}

/// Replaces the contents of `dir` with those of `template`.
pub fn restore_dir(dir: &Path, template: &Path) {
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            std::fs::remove_dir_all(&p).expect("rm -r");
        } else {
            std::fs::remove_file(&p).expect("rm");
        }
    }
    copy_dir(template, dir);
}

/// The demo's risk function (on a CLI that ran `demo`) publishes a new policy release:
/// `policy` (default: the built-in one) with the demo's `allowed_signers` as it is now, signed
/// by risk-1 and risk-2 through `policy release`, `policy sign` and `policy publish`. Returns
/// the release's SHA-256 (what records under it name).
pub fn demo_release(cli: &Cli, policy: Option<&Path>) -> String {
    let data = cli.data.path();
    let default = data.join("default-policy.toml");
    let policy = match policy {
        Some(p) => p.to_path_buf(),
        None => {
            std::fs::write(&default, countersign_core::policy::DEFAULT_POLICY).expect("policy");
            default
        }
    };
    let n = std::fs::read_dir(data.join("demo/policy/releases"))
        .map(|r| r.count())
        .unwrap_or(0)
        + 1;
    let out = data.join(format!("release-{n}"));
    let _ = std::fs::remove_dir_all(&out);
    let uri = demo_uri(cli);
    demo_assemble(cli, &out, &policy, &[&uri], &[1, 2]);
    cli.ok(&["policy", "publish", &out.display().to_string()]);
    let bytes = std::fs::read(out.join("release.json")).expect("release.json");
    countersign_core::encoding::sha256_hex(&bytes)
}

/// A demo risk member's key file (`risk-I@demo.bank`).
pub fn demo_risk_key(cli: &Cli, i: u32) -> String {
    cli.data
        .path()
        .join(format!("demo-trust/keys/risk-{i}@demo.bank/id_ed25519"))
        .display()
        .to_string()
}

/// The demo folder platform's URI, as its release lists it.
pub fn demo_uri(cli: &Cli) -> String {
    format!(
        "folder:{}",
        std::fs::canonicalize(cli.data.path().join("demo"))
            .expect("demo")
            .display()
    )
}

/// `policy release` of `policy` and the demo's allowed_signers into `out`, governing the demo
/// platform `demo` at `uris`, then `policy sign` by each risk member in `signers` (not
/// published).
pub fn demo_assemble(cli: &Cli, out: &Path, policy: &Path, uris: &[&str], signers: &[u32]) {
    let (policy, allowed, out_s) = (
        policy.display().to_string(),
        cli.data
            .path()
            .join("demo/allowed_signers")
            .display()
            .to_string(),
        out.display().to_string(),
    );
    let mut args = vec![
        "--policy",
        &policy,
        "--allowed-signers",
        &allowed,
        "policy",
        "release",
        "-o",
        &out_s,
        "--name",
        "demo",
    ];
    for u in uris {
        args.extend(["--uri", u]);
    }
    cli.ok(&args);
    for i in signers {
        cli.ok(&["policy", "sign", &out_s, "--key", &demo_risk_key(cli, *i)]);
    }
}

/// The demo version whose gate passes with a genuine validator (vera) and approver (alex).
pub const DEMO_V: &str = "models:/credit-limit-assignment/3";

/// The demo, generated once, with a template copy to restore between attacks: the world the
/// adversarial tables attack.
#[derive(Debug)]
pub struct World {
    /// The CLI on the demo's data directory.
    pub cli: Cli,
    template: tempfile::TempDir,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    /// Generates the demo in a fresh data directory and keeps a copy to restore.
    pub fn new() -> Self {
        let cli = Cli::new();
        cli.ok(&["demo", "--no-tui"]);
        let w = Self {
            cli,
            template: tempfile::tempdir().expect("template"),
        };
        copy_dir(w.cli.data.path(), w.template.path());
        w
    }

    /// Puts the data directory back as the demo left it.
    pub fn restore(&self) {
        restore_dir(self.cli.data.path(), self.template.path());
    }

    /// The demo's folder platform.
    pub fn demo(&self) -> PathBuf {
        self.cli.data.path().join("demo")
    }

    /// The demo's `allowed_signers`.
    pub fn allowed(&self) -> PathBuf {
        self.demo().join("allowed_signers")
    }

    /// The demo's risk function publishes a new policy release ([`demo_release`]); returns
    /// its SHA-256.
    pub fn release(&self, policy: Option<&Path>) -> String {
        demo_release(&self.cli, policy)
    }

    /// Plants release `n` in the demo folder by hand, as anyone with write access could, with
    /// no check on the way: release 1's files renumbered, the roster replaced by `roster`, and
    /// `release.json` signed (namespace countersign-policy) with each of `keys`.
    pub fn plant_release(&self, n: u64, roster: &[u8], keys: &[PathBuf]) {
        let r1 = self.demo().join("policy/releases/1");
        let dir = self.demo().join(format!("policy/releases/{n}"));
        std::fs::create_dir_all(dir.join("signatures")).expect("dir");
        let old = std::fs::read(r1.join("allowed_signers")).expect("roster of release 1");
        let manifest = std::fs::read_to_string(r1.join("release.json"))
            .expect("release 1")
            .replacen("\"version\": 1,", &format!("\"version\": {n},"), 1)
            .replace(
                &countersign_core::encoding::sha256_hex(&old),
                &countersign_core::encoding::sha256_hex(roster),
            );
        std::fs::write(dir.join("release.json"), manifest).expect("release");
        std::fs::write(dir.join("allowed_signers"), roster).expect("roster");
        std::fs::copy(r1.join("policy.toml"), dir.join("policy.toml")).expect("policy");
        for (i, key) in keys.iter().enumerate() {
            ssh_sign(key, "countersign-policy", &dir.join("release.json"));
            std::fs::rename(
                dir.join("release.json.sig"),
                dir.join(format!("signatures/planted-{i}.sig")),
            )
            .expect("sig");
        }
    }

    /// A demo signer's private key file.
    pub fn key(&self, who: &str) -> PathBuf {
        self.demo().join("keys").join(who).join("id_ed25519")
    }

    /// The folder holding a version's approval records.
    pub fn approvals(&self, v: &str) -> PathBuf {
        let (name, ver) = v
            .strip_prefix("models:/")
            .and_then(|r| r.rsplit_once('/'))
            .expect("ref");
        self.demo()
            .join("reviews")
            .join(name)
            .join(ver)
            .join("approvals")
    }

    /// One approval record of a version, by file stem.
    pub fn record(&self, v: &str, stem: &str) -> PathBuf {
        self.approvals(v).join(format!("{stem}.json"))
    }

    /// `gate` under the demo's pinned root with `extra` flags; its exit code.
    pub fn gate(&self, v: &str, extra: &[&str]) -> i32 {
        let mut args = vec![];
        args.extend_from_slice(extra);
        args.extend(["gate", v]);
        self.cli.run(&args).status.code().unwrap_or(-1)
    }

    /// `sign VERSION --role ROLE --decision DECISION --yes` with a demo signer's key, under the
    /// demo's pinned root.
    pub fn sign(&self, who: &str, v: &str, role: &str, decision: &str) -> Output {
        let key = self.key(who).display().to_string();
        self.cli.run(&[
            "sign",
            v,
            "--role",
            role,
            "--decision",
            decision,
            "--key",
            &key,
            "--yes",
        ])
    }

    /// `verify --json` under the demo's pinned root with `extra` flags.
    pub fn verify(&self, v: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec![];
        args.extend_from_slice(extra);
        args.extend(["verify", v, "--json"]);
        let o = self.cli.run(&args);
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!("verify --json: {e}: {}", String::from_utf8_lossy(&o.stderr))
        })
    }
}

/// Signs `path` with ssh-keygen into `path.sig` (namespace `ns`).
pub fn ssh_sign(key: &Path, ns: &str, path: &Path) {
    let st = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f"])
        .arg(key)
        .args(["-n", ns])
        .stdin(std::fs::File::open(path).expect("record"))
        .stdout(std::fs::File::create(format!("{}.sig", path.display())).expect("sig"))
        .stderr(Stdio::null())
        .status()
        .expect("ssh-keygen");
    assert!(st.success());
}

/// The `SHA256:…` fingerprint of a key file's public half.
pub fn fingerprint(key: &Path) -> String {
    let o = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(key.with_extension("pub"))
        .output()
        .expect("ssh-keygen -lf");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .nth(1)
        .expect("fingerprint")
        .to_string()
}
