//! Approvals written back to, and verified from, the real MLflow server: write-back as DESIGN
//! §3 says, separation of duties with the seeded run user, two approvers signing at once, a
//! record forged straight into MLflow, and stale evidence after the run changes.
//! `scripts/test.sh` runs this last: it changes the seeded server.

use countersign_e2e::{mlflow_manifest, mlflow_uri, Cli};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

struct World {
    dir: tempfile::TempDir,
    policy: PathBuf,
    /// The risk function's CLI (its data directory holds the root and its keys).
    risk: Cli,
    root: PathBuf,
}

const PEOPLE: &[(&str, &str)] = &[
    ("vera.validator@bank.example", "validator"),
    ("alex.approver@bank.example", "approver"),
    ("amy.approver@bank.example", "approver"),
    ("bruno.diaz", "approver"),
    ("erin.ds", "validator"),
];

/// The owner of every model `mlflow_fresh_model` registers.
const OWNERS: &[&str] = &["olga.owner@bank.example"];

impl World {
    /// Keys for everyone, an allowed_signers file and a policy whose roster names them.
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let gen = Cli::new();
        let mut lines = Vec::new();
        // Model owners hold keys too (they attest), but no role in the roster.
        for who in PEOPLE.iter().map(|(w, _)| w).chain(OWNERS) {
            let out = gen.ok(&[
                "keys",
                "generate",
                dir.path().join(who).to_str().expect("p"),
                "--no-passphrase",
                "--as",
                who,
            ]);
            lines.push(out.lines().last().expect("line").to_string());
        }
        std::fs::write(dir.path().join("allowed_signers"), lines.join("\n") + "\n")
            .expect("allowed");
        let roster: String = PEOPLE
            .iter()
            .map(|(w, r)| format!("\"{w}\" = [\"{r}\"]\n"))
            .collect();
        let base = countersign_core::policy::DEFAULT_POLICY;
        let policy =
            base[..base.find("[roster]").expect("roster")].to_string() + "[roster]\n" + &roster;
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, policy).expect("policy");
        // The risk function releases that policy and roster for this MLflow.
        let root = countersign_e2e::release_trust(
            &gen,
            &mlflow_uri(),
            &[],
            &path,
            &dir.path().join("allowed_signers"),
        );
        World {
            dir,
            policy: path,
            risk: gen,
            root,
        }
    }

    fn key(&self, who: &str) -> String {
        self.dir.path().join(who).display().to_string()
    }

    /// A person: their own data directory, on the MLflow platform, with the shared policy.
    fn person(&self) -> Cli {
        let cli = Cli::new();
        cli.pin(&self.root);
        cli.ok(&["--platform", &mlflow_uri(), "sync", "--quiet"]);
        cli
    }

    fn run(&self, cli: &Cli, args: &[&str]) -> std::process::Output {
        let mut a = vec!["--policy", self.policy.to_str().expect("p")];
        a.extend_from_slice(args);
        cli.run(&a)
    }

    fn ok(&self, cli: &Cli, args: &[&str]) -> String {
        let o = self.run(cli, args);
        assert!(
            o.status.success(),
            "{args:?}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn review_all(&self, cli: &Cli, v: &str, validator: &str) {
        let started: Value =
            serde_json::from_str(&self.ok(cli, &["review", "start", v, "--json"])).expect("json");
        self.answer_all(cli, v, &started, validator);
    }

    /// Answers every item of the review `started` (`review start --json`) printed, and writes
    /// the report the tier requires, as `validator`.
    fn answer_all(&self, cli: &Cli, v: &str, started: &Value, validator: &str) {
        let report: Value =
            serde_json::from_str(&self.ok(cli, &["review", "report", "show", v, "--json"]))
                .expect("json");
        let lines = countersign_e2e::answer_lines(&started["review"], &report);
        let f = cli.data.path().join("answers.tsv");
        std::fs::write(&f, lines).expect("answers");
        self.ok(
            cli,
            &[
                "--as",
                validator,
                "review",
                "apply",
                v,
                f.to_str().expect("p"),
            ],
        );
    }

    fn sign(
        &self,
        cli: &Cli,
        who: &str,
        v: &str,
        role: &str,
        decision: &str,
    ) -> std::process::Output {
        let k = self.key(who);
        self.run(
            cli,
            &[
                "sign",
                v,
                "--role",
                role,
                "--decision",
                decision,
                "--key",
                &k,
                "--yes",
            ],
        )
    }

    fn gate(&self, cli: &Cli, v: &str) -> (i32, String) {
        let o = self.run(cli, &["gate", v]);
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    }

    fn verify(&self, cli: &Cli, v: &str) -> Value {
        let o = self.run(cli, &["verify", v, "--json"]);
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("verify: {e} {}", String::from_utf8_lossy(&o.stderr)))
    }
}

fn api(method: &str, path: &str, body: Option<Value>) -> Value {
    let mut c = Command::new("curl");
    c.args(["-sS", "-f", "-X", method]);
    if let Some(b) = body {
        c.args(["-H", "Content-Type: application/json", "-d", &b.to_string()]);
    }
    let out = c
        .arg(format!("{}/{path}", mlflow_uri()))
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "{method} {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn put_artifact(path: &str, file: &Path) {
    let out = Command::new("curl")
        .args(["-sS", "-f", "-X", "PUT", "--data-binary"])
        .arg(format!("@{}", file.display()))
        .arg(format!(
            "{}/api/2.0/mlflow-artifacts/artifacts/{path}",
            mlflow_uri()
        ))
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "PUT {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn get_artifact(path: &str) -> Vec<u8> {
    let out = Command::new("curl")
        .args(["-sS", "-f"])
        .arg(format!(
            "{}/api/2.0/mlflow-artifacts/artifacts/{path}",
            mlflow_uri()
        ))
        .output()
        .expect("curl");
    assert!(out.status.success(), "GET {path}");
    out.stdout
}

#[test]
fn approvals_on_mlflow_end_to_end() {
    let w = World::new();
    let v = "models:/credit-scoring/2";
    let vera = w.person();
    w.review_all(&vera, v, "vera.validator@bank.example");
    let o = w.sign(
        &vera,
        "vera.validator@bank.example",
        v,
        "validator",
        "approve",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Written back as DESIGN §3 says.
    let exp = api(
        "GET",
        "api/2.0/mlflow/experiments/get-by-name?experiment_name=countersign-reviews",
        None,
    );
    let exp_id = exp["experiment"]["experiment_id"]
        .as_str()
        .expect("experiment")
        .to_string();
    let mv = api(
        "GET",
        "api/2.0/mlflow/model-versions/get?name=credit-scoring&version=2",
        None,
    );
    let tags: Vec<(String, String)> = mv["model_version"]["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| {
            (
                t["key"].as_str().unwrap_or("").into(),
                t["value"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert!(
        tags.contains(&("countersign.status".into(), "validator_approve".into())),
        "{tags:?}"
    );
    let run_id = tags
        .iter()
        .find(|(k, _)| k == "countersign.review_run_id")
        .map(|(_, v)| v.clone())
        .expect("review run tag");
    let run = api(
        "GET",
        &format!("api/2.0/mlflow/runs/get?run_id={run_id}"),
        None,
    );
    assert_eq!(run["run"]["info"]["experiment_id"], json!(exp_id));
    let run_tags = run["run"]["data"]["tags"].to_string();
    assert!(
        run_tags.contains("countersign.model_name") && run_tags.contains("credit-scoring"),
        "{run_tags}"
    );
    let root = run["run"]["info"]["artifact_uri"]
        .as_str()
        .expect("uri")
        .strip_prefix("mlflow-artifacts:/")
        .expect("proxied")
        .to_string();
    let record = get_artifact(&format!(
        "{root}/approvals/validator-vera.validator@bank.example.json"
    ));
    let sig = get_artifact(&format!(
        "{root}/approvals/validator-vera.validator@bank.example.json.sig"
    ));
    let evidence = get_artifact(&format!("{root}/evidence.json"));
    let review = get_artifact(&format!("{root}/review.json"));
    let rec: Value = serde_json::from_slice(&record).expect("record");
    assert_eq!(
        rec["evidence_sha256"].as_str(),
        Some(countersign_core::encoding::sha256_hex(&evidence).as_str())
    );
    assert_eq!(
        rec["review_sha256"].as_str(),
        Some(countersign_core::encoding::sha256_hex(&review).as_str())
    );
    assert_eq!(rec["model"]["platform"], json!("test"), "the governed name");
    let _ = &w.risk;
    // ssh-keygen verifies what was downloaded from MLflow.
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("a.json"), &record).expect("w");
    std::fs::write(tmp.path().join("a.json.sig"), &sig).expect("w");
    let st = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(w.dir.path().join("allowed_signers"))
        .args([
            "-I",
            "vera.validator@bank.example",
            "-n",
            "countersign",
            "-s",
        ])
        .arg(tmp.path().join("a.json.sig"))
        .stdin(std::fs::File::open(tmp.path().join("a.json")).expect("r"))
        .output()
        .expect("ssh-keygen");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );

    // The run's user may not approve what he built.
    let bruno = w.person();
    let o = w.sign(&bruno, "bruno.diaz", v, "approver", "approve");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("'bruno.diaz' is the user of the version's run"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(w.gate(&vera, v).0, 1, "tier 1 still needs an approver");

    // Two approvers sign at the same moment: both end up recorded.
    let alex = w.person();
    let amy = w.person();
    let (ka, km) = (
        w.key("alex.approver@bank.example"),
        w.key("amy.approver@bank.example"),
    );
    let pol = w.policy.to_str().expect("p").to_string();
    let mut c1 = alex.command(&[
        "--policy",
        &pol,
        "sign",
        v,
        "--role",
        "approver",
        "--decision",
        "approve",
        "--key",
        &ka,
        "--yes",
    ]);
    let mut c2 = amy.command(&[
        "--policy",
        &pol,
        "sign",
        v,
        "--role",
        "approver",
        "--decision",
        "approve",
        "--key",
        &km,
        "--yes",
    ]);
    for c in [&mut c1, &mut c2] {
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
    }
    let (p1, p2) = (c1.spawn().expect("spawn"), c2.spawn().expect("spawn"));
    let (o1, o2) = (
        p1.wait_with_output().expect("wait"),
        p2.wait_with_output().expect("wait"),
    );
    assert!(
        o1.status.success() && o2.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o1.stderr),
        String::from_utf8_lossy(&o2.stderr)
    );
    let ver = w.verify(&vera, v);
    let signers: Vec<&str> = ver["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .filter(|a| a["counts"] == true)
        .map(|a| a["record"]["signer"].as_str().unwrap_or(""))
        .collect();
    for who in [
        "vera.validator@bank.example",
        "alex.approver@bank.example",
        "amy.approver@bank.example",
    ] {
        assert!(signers.contains(&who), "{who} missing: {ver}");
    }
    assert_eq!(w.gate(&vera, v).0, 0);

    // The audit pack of the approved MLflow version checks out with stock tools.
    let pack = vera.data.path().join("pack");
    w.ok(
        &vera,
        &["export", "audit-pack", v, "-o", pack.to_str().expect("p")],
    );
    let q = Command::new("qpdf")
        .arg("--check")
        .arg(pack.join("audit-pack.pdf"))
        .output()
        .expect("qpdf");
    assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stdout));
    let txt = Command::new("pdftotext")
        .arg(pack.join("audit-pack.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let txt = String::from_utf8_lossy(&txt.stdout);
    assert!(
        txt.contains("credit-scoring")
            && txt.contains("amy.approver@bank.example")
            && txt.contains("credit_oot_2025q3")
            && txt.contains("gradient_boosting"),
        "{txt}"
    );
    let check = Command::new("bash")
        .arg(pack.join("VERIFY.txt"))
        .arg(&w.root)
        .output()
        .expect("bash");
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn forged_and_stale_approvals_on_mlflow() {
    let w = World::new();
    let manifest = mlflow_manifest();
    let v = "models:/churn-propensity/1";
    let vera = w.person();
    w.review_all(&vera, v, "vera.validator@bank.example");
    assert!(w
        .sign(
            &vera,
            "vera.validator@bank.example",
            v,
            "validator",
            "approve"
        )
        .status
        .success());
    assert_eq!(w.gate(&vera, v).0, 0, "tier 3 needs only the validator");

    // The builder writes his own approval straight into the review run, bypassing `sign`.
    let mv = api(
        "GET",
        "api/2.0/mlflow/model-versions/get?name=churn-propensity&version=1",
        None,
    );
    let run_id = mv["model_version"]["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .find(|t| t["key"] == "countersign.review_run_id")
        .and_then(|t| t["value"].as_str())
        .expect("run")
        .to_string();
    let run = api(
        "GET",
        &format!("api/2.0/mlflow/runs/get?run_id={run_id}"),
        None,
    );
    let root = run["run"]["info"]["artifact_uri"]
        .as_str()
        .expect("uri")
        .strip_prefix("mlflow-artifacts:/")
        .expect("proxied")
        .to_string();
    let mut rec: Value = serde_json::from_slice(&get_artifact(&format!(
        "{root}/approvals/validator-vera.validator@bank.example.json"
    )))
    .expect("rec");
    rec["signer"] = "erin.ds".into();
    let tmp = tempfile::tempdir().expect("tmp");
    let f = tmp.path().join("validator-erin.ds.json");
    let mut bytes = serde_json::to_vec_pretty(&rec).expect("json");
    bytes.push(b'\n');
    std::fs::write(&f, &bytes).expect("w");
    let st = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f", &w.key("erin.ds"), "-n", "countersign"])
        .stdin(std::fs::File::open(&f).expect("r"))
        .stdout(std::fs::File::create(tmp.path().join("validator-erin.ds.json.sig")).expect("w"))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("ssh-keygen");
    assert!(st.success());
    put_artifact(&format!("{root}/approvals/validator-erin.ds.json"), &f);
    put_artifact(
        &format!("{root}/approvals/validator-erin.ds.json.sig"),
        &tmp.path().join("validator-erin.ds.json.sig"),
    );
    let ver = w.verify(&vera, v);
    let forged = ver["approvals"]
        .as_array()
        .expect("a")
        .iter()
        .find(|a| a["record"]["signer"] == "erin.ds")
        .expect("forged record listed");
    assert_eq!(forged["counts"], false);
    let reasons = forged["reasons"].to_string();
    assert!(
        reasons.contains(
            "'erin.ds' is the user of the version's run: a builder's approval never counts"
        ),
        "{reasons}"
    );
    assert!(
        reasons.contains("signed with key"),
        "the record names vera's key: {reasons}"
    );

    // The evidence changes on the server: a metric logged on the run, an alias moved.
    let train_run = manifest["models"]["churn-propensity"]["versions"]["1"]["run_id"]
        .as_str()
        .expect("run")
        .to_string();
    api(
        "POST",
        "api/2.0/mlflow/runs/log-metric",
        Some(
            json!({"run_id": train_run, "key": "auc_recheck", "value": 0.5, "timestamp": 1, "step": 0}),
        ),
    );
    api(
        "POST",
        "api/2.0/mlflow/registered-models/alias",
        Some(json!({"name": "churn-propensity", "alias": "champion", "version": "1"})),
    );
    let ver = w.verify(&vera, v);
    let vera_check = ver["approvals"]
        .as_array()
        .expect("a")
        .iter()
        .find(|a| a["record"]["signer"] == "vera.validator@bank.example")
        .expect("vera");
    assert_eq!(vera_check["stale"], true, "{ver}");
    let changes = vera_check["changes"].to_string();
    assert!(
        changes.contains("run.metrics.auc_recheck: added"),
        "{changes}"
    );
    assert!(changes.contains("version.aliases"), "{changes}");
    let (code, text) = w.gate(&vera, v);
    assert_eq!(code, 1);
    assert!(text.contains("stale"), "{text}");
    // Signing again on the old review is refused with what changed.
    let o = w.sign(
        &vera,
        "vera.validator@bank.example",
        v,
        "validator",
        "reject",
    );
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("the evidence changed on the platform since the review froze it"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Creates `n` empty review runs for `v` in `countersign-reviews`, all started after every
/// real one (start times are the client's to set), in one curl process.
fn bury_under_review_runs(exp_id: &str, name: &str, version: &str, n: usize) {
    let cfg = tempfile::NamedTempFile::new().expect("curl config");
    let mut text = String::new();
    let start = chrono::Utc::now().timestamp_millis() + 86_400_000;
    for i in 0..n {
        let body = json!({
            "experiment_id": exp_id,
            "user_id": "tess.builder",
            "run_name": format!("noise {i}"),
            "start_time": start + i as i64,
            "tags": [
                {"key": "countersign.model_name", "value": name},
                {"key": "countersign.model_version", "value": version},
                {"key": "countersign.review_id", "value": format!("noise-{i}")},
            ],
        });
        if i > 0 {
            text.push_str("next\n");
        }
        text.push_str(&format!(
            "url = \"{}/api/2.0/mlflow/runs/create\"\nrequest = \"POST\"\nheader = \"Content-Type: application/json\"\ndata = {}\noutput = \"/dev/null\"\nfail\nsilent\nshow-error\n",
            mlflow_uri(),
            serde_json::to_string(&body.to_string()).expect("quoted")
        ));
    }
    std::fs::write(cfg.path(), text).expect("config");
    let out = Command::new("curl")
        .arg("-K")
        .arg(cfg.path())
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "creating review runs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_buried_or_deleted_reject_still_blocks_on_mlflow() {
    let w = World::new();
    let name = format!("fail-closed-{}", std::process::id());
    let v = countersign_e2e::mlflow_fresh_model(
        &name,
        vec![json!({"key": "auc_holdout", "value": 0.8, "timestamp": 1, "step": 0})],
        Some(("fc_train", "fc0001")),
    );
    let vera = w.person();
    w.review_all(&vera, &v, "vera.validator@bank.example");
    let o = w.sign(
        &vera,
        "vera.validator@bank.example",
        &v,
        "validator",
        "approve",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, out) = w.gate(&vera, &v);
    assert_eq!(code, 0, "tier 3 needs only the validator: {out}");

    // Erin, another validator, rejects it in a review of her own.
    let erin = w.person();
    w.review_all(&erin, &v, "erin.ds");
    let o = w.sign(&erin, "erin.ds", &v, "validator", "reject");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ver = w.verify(&vera, &v);
    let reject_run = ver["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .find(|a| a["record"]["signer"] == "erin.ds")
        .and_then(|a| a["location"].as_str())
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("erin's review run")
        .to_string();
    let (code, out) = w.gate(&vera, &v);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("validator erin.ds rejected it"), "{out}");

    // The builder buries the reject under more than a page of newer review runs.
    let exp = api(
        "GET",
        "api/2.0/mlflow/experiments/get-by-name?experiment_name=countersign-reviews",
        None,
    );
    let exp_id = exp["experiment"]["experiment_id"].as_str().expect("exp");
    bury_under_review_runs(exp_id, &name, "1", 1001);
    let (code, out) = w.gate(&vera, &v);
    assert_eq!(code, 1, "a reject pushed off the first page passed: {out}");
    assert!(out.contains("validator erin.ds rejected it"), "{out}");

    // The builder soft-deletes the reject's run: it still blocks, and verify says why.
    api(
        "POST",
        "api/2.0/mlflow/runs/delete",
        Some(json!({"run_id": reject_run})),
    );
    // A fresh machine, whose ledger never saw the reject, reads it from the deleted run.
    let fresh = w.person();
    let (code, out) = w.gate(&fresh, &v);
    assert_eq!(code, 1, "a deleted reject passed: {out}");
    assert!(out.contains("validator erin.ds rejected it"), "{out}");
    let ver = w.verify(&fresh, &v);
    let erin_check = ver["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .find(|a| a["record"]["signer"] == "erin.ds")
        .expect("the deleted reject is still listed")
        .clone();
    assert_eq!(erin_check["deleted"], true, "{erin_check}");
    assert!(
        erin_check["reasons"]
            .to_string()
            .contains("deleted review run"),
        "{erin_check}"
    );
}

/// Exact values (#19): a fresh model of its own, so the seeded inventory other tests count is
/// left alone.
#[test]
fn metric_values_are_mlflows_bit_for_bit() {
    // Values whose last digit a default (not round-trip exact) float parser gets wrong.
    let exact = [
        "0.9970674486803519",
        "0.9970810884539317",
        "93.11653469036203",
    ];
    let name = format!("exact-values-{}", std::process::id());
    let metrics = vec![
        json!({"key": "auc", "value": 0.9970674486803519_f64, "timestamp": 1, "step": 0}),
        json!({"key": "loss", "value": 0.9970810884539317_f64, "timestamp": 1, "step": 1}),
        json!({"key": "loss", "value": 93.11653469036203_f64, "timestamp": 2, "step": 2}),
    ];
    let v = countersign_e2e::mlflow_fresh_model(&name, metrics, None);
    let cli = Cli::new();
    cli.ok(&["--platform", &mlflow_uri(), "sync", "--quiet"]);
    let shown = cli.ok(&["show", &v, "--json"]);
    let evidence = cli.ok(&["evidence", &v]);
    // MLflow's own answer, as text.
    let run_id = serde_json::from_str::<Value>(&shown).expect("json")["evidence"]["run"]["run_id"]
        .as_str()
        .expect("run id")
        .to_string();
    let out = std::process::Command::new("curl")
        .args(["-sS", "-f"])
        .arg(format!(
            "{}/api/2.0/mlflow/metrics/get-history?run_id={run_id}&metric_key=loss",
            mlflow_uri()
        ))
        .output()
        .expect("curl");
    let history = String::from_utf8_lossy(&out.stdout).into_owned();
    for x in exact {
        let in_mlflow = history.contains(x) || x == exact[0];
        assert!(in_mlflow, "MLflow holds {x}: {history}");
        assert!(shown.contains(x), "show --json lacks {x} exactly: {shown}");
        assert!(evidence.contains(x), "evidence.json lacks {x} exactly");
    }
}

/// Uploads bytes to MLflow's artifact proxy, as any client with write access could.
fn put_bytes(path: &str, bytes: &[u8]) {
    let tmp = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(tmp.path(), bytes).expect("write");
    let st = Command::new("curl")
        .args(["-sS", "-f", "-X", "PUT", "--data-binary"])
        .arg(format!("@{}", tmp.path().display()))
        .arg(format!(
            "{}/api/2.0/mlflow-artifacts/artifacts/{path}",
            mlflow_uri()
        ))
        .status()
        .expect("curl");
    assert!(st.success(), "PUT {path}");
}

fn delete_artifact(path: &str) {
    let st = Command::new("curl")
        .args(["-sS", "-f", "-X", "DELETE"])
        .arg(format!(
            "{}/api/2.0/mlflow-artifacts/artifacts/{path}",
            mlflow_uri()
        ))
        .status()
        .expect("curl");
    assert!(st.success(), "DELETE {path}");
}

/// The model's files (an MLflow 3 logged model's, reached through MLflow's own artifact
/// endpoints) are bound in the approval: swapped, added or removed through the artifact API,
/// the approval is stale, naming the file. The same server through 127.0.0.1 and localhost,
/// both listed in the release, counts; an unlisted URI is refused by name.
#[test]
fn model_files_and_listed_hostnames_on_mlflow() {
    use countersign_e2e::mlflow_api as api;
    let name = format!("files-{}", std::process::id());
    let exp = api(
        "experiments/create",
        json!({"name": format!("/tests/{name}")}),
    )["experiment_id"]
        .clone();
    let run = api(
        "runs/create",
        json!({"experiment_id": exp, "user_id": "tess.builder", "run_name": "train"}),
    )["run"]["info"]["run_id"]
        .as_str()
        .expect("run")
        .to_string();
    api(
        "runs/update",
        json!({"run_id": run, "status": "FINISHED", "end_time": 100}),
    );
    let logged = api(
        "logged-models",
        json!({"experiment_id": exp, "name": "model", "source_run_id": run}),
    );
    let model_id = logged["model"]["info"]["model_id"]
        .as_str()
        .expect("model id")
        .to_string();
    let root = logged["model"]["info"]["artifact_uri"]
        .as_str()
        .expect("artifact uri")
        .strip_prefix("mlflow-artifacts:/")
        .expect("a proxied artifact root")
        .to_string();
    put_bytes(
        &format!("{root}/MLmodel"),
        b"artifact_path: model\nflavors: {}\n",
    );
    put_bytes(&format!("{root}/weights/model.pkl"), b"genuine weights\n");
    api(
        "registered-models/create",
        json!({"name": name, "tags": [{"key": "risk_tier", "value": "3"}, {"key": "owner", "value": "olga.owner@bank.example"}]}),
    );
    api(
        "model-versions/create",
        json!({"name": name, "source": format!("models:/{model_id}"), "run_id": run, "model_id": model_id}),
    );
    let v = format!("models:/{name}/1");

    // The risk function releases vera's roster for this server under both hostnames.
    let cli = Cli::new();
    let home = cli.data.path().to_path_buf();
    let (allowed, policy) = countersign_e2e::vera_validator(&cli, &home, &home.join("vera"), None);
    let localhost = mlflow_uri().replace("127.0.0.1", "localhost");
    countersign_e2e::release_trust(&cli, &mlflow_uri(), &[&localhost], &policy, &allowed);
    let p = policy.display().to_string();
    cli.ok(&[
        "--platform",
        &mlflow_uri(),
        "--policy",
        &p,
        "sync",
        "--quiet",
    ]);
    countersign_e2e::complete_review(&cli, &v, "vera.validator@bank.example");
    let key = home.join("vera").display().to_string();
    cli.ok(&[
        "--policy",
        &p,
        "sign",
        &v,
        "--role",
        "validator",
        "--decision",
        "approve",
        "--key",
        &key,
        "--yes",
    ]);
    let gate = |platform: &str| {
        let o = cli.run(&["--platform", platform, "gate", &v]);
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let ver = countersign_e2e::verify_json(&cli, &v);
    let files = &ver["approvals"][0]["record"]["artifacts"]["files"];
    assert_eq!(
        files.as_array().map(Vec::len),
        Some(2),
        "both model files are hashed into the record: {ver}"
    );
    assert_eq!(gate(&mlflow_uri()).0, 0, "{}", gate(&mlflow_uri()).1);
    let (code, out) = gate(&localhost);
    assert_eq!(
        code, 0,
        "the same server through its other listed hostname: {out}"
    );
    let proxy = countersign_e2e::proxy::FaultProxy::start(&mlflow_uri());
    let (code, out) = gate(&proxy.uri);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&format!(
            "the platform {} is not governed by policy release",
            proxy.uri
        )),
        "{out}"
    );

    // Swapped, added, removed through the artifact API.
    put_bytes(
        &format!("{root}/weights/model.pkl"),
        b"backdoored weights\n",
    );
    let (code, out) = gate(&mlflow_uri());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("model file weights/model.pkl changed"),
        "{out}"
    );
    put_bytes(&format!("{root}/weights/model.pkl"), b"genuine weights\n");
    assert_eq!(gate(&mlflow_uri()).0, 0, "{}", gate(&mlflow_uri()).1);
    put_bytes(&format!("{root}/weights/extra.py"), b"import os\n");
    let (code, out) = gate(&mlflow_uri());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("model file weights/extra.py was added"),
        "{out}"
    );
    delete_artifact(&format!("{root}/weights/extra.py"));
    delete_artifact(&format!("{root}/MLmodel"));
    let (code, out) = gate(&mlflow_uri());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("model file MLmodel was removed"), "{out}");
}

#[test]
fn a_stale_approval_is_re_approved_through_a_new_review_on_mlflow() {
    let w = World::new();
    let name = format!("re-review-{}", std::process::id());
    let v = countersign_e2e::mlflow_fresh_model(
        &name,
        vec![json!({"key": "auc_holdout", "value": 0.8, "timestamp": 1, "step": 0})],
        None,
    );
    let vera = w.person();
    w.review_all(&vera, &v, "vera.validator@bank.example");
    let o = w.sign(
        &vera,
        "vera.validator@bank.example",
        &v,
        "validator",
        "approve",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(w.gate(&vera, &v).0, 0, "tier 3 needs only the validator");
    let queued = |cli: &Cli, extra: &[&str]| -> Option<Value> {
        let mut args = vec!["queue", "--json"];
        args.extend_from_slice(extra);
        let q: Value = serde_json::from_str(&w.ok(cli, &args)).expect("queue json");
        assert_eq!(q["schema"], "countersign.queue/v1");
        assert_eq!(q["judged"], "verified", "{q}");
        q["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["version_ref"] == v.as_str())
            .cloned()
    };
    let today = chrono::Utc::now().date_naive();
    let in_days = |d: u64| {
        (today + chrono::Days::new(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    assert_eq!(
        queued(&vera, &[]),
        None,
        "approved today: next review in 36 months"
    );
    // The computed date is on the model as Countersign's own tag; the owner's are untouched.
    let model = api(
        "GET",
        &format!("api/2.0/mlflow/registered-models/get?name={name}"),
        None,
    );
    let tags: Vec<(String, String)> = model["registered_model"]["tags"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| {
                    (
                        t["key"].as_str().unwrap_or("").to_string(),
                        t["value"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let in_36_months = (today + chrono::Months::new(36))
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        tags.contains(&("countersign.next_review_date".to_string(), in_36_months)),
        "{tags:?}"
    );
    assert!(
        !tags.iter().any(|(k, _)| k == "next_review_date"),
        "{tags:?}"
    );
    assert_eq!(w.gate(&vera, &v).0, 0, "writing the tag made nothing stale");

    // A metric is logged on the (finished) training run after vera's sync: stale.
    let show: Value = serde_json::from_str(&w.ok(&vera, &["show", &v, "--json"])).expect("json");
    let run_id = show["evidence"]["run"]["run_id"]
        .as_str()
        .expect("run")
        .to_string();
    api(
        "POST",
        "api/2.0/mlflow/runs/log-metric",
        Some(
            json!({"run_id": run_id, "key": "auc_recheck", "value": 0.5, "timestamp": 1, "step": 0}),
        ),
    );
    assert_eq!(w.gate(&vera, &v).0, 1, "stale");
    // A plain sync shows the late metric: a signed version's run is read again every sync.
    let synced: Value =
        serde_json::from_str(&w.ok(&vera, &["sync", "--json", "--quiet"])).expect("json");
    let mattering = synced["runs_reread"]["under review"].as_u64().unwrap_or(0)
        + synced["runs_reread"]["signed"].as_u64().unwrap_or(0);
    assert!(mattering >= 1, "{synced}");
    let shown: Value = serde_json::from_str(&w.ok(&vera, &["show", &v, "--json"])).expect("json");
    assert!(
        shown["evidence"]["run"]["metrics"]["auc_recheck"].is_object(),
        "the late metric reached the store by a plain sync: {shown}"
    );
    // The queue says so, with what changed, due by the tier's days (tier 3: 90).
    let item = queued(&vera, &[]).expect("the stale version is in the queue");
    let reason = item["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .find(|r| r["kind"] == "evidence_changed")
        .unwrap_or_else(|| panic!("{item}"))
        .clone();
    assert!(
        reason["detail"]
            .as_str()
            .expect("detail")
            .contains("auc_recheck"),
        "{reason}"
    );
    assert_eq!(reason["due"], in_days(90), "{reason}");
    assert_eq!(item["needs"], "validator");
    // Vera hands the re-review to erin (a validator), due in a week; the run's builder
    // cannot be given it.
    let o = w.run(
        &vera,
        &[
            "assign",
            &v,
            "--to",
            "tess.builder",
            "--as",
            "vera.validator@bank.example",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("builder of a model never"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let due = in_days(7);
    w.ok(
        &vera,
        &[
            "assign",
            &v,
            "--to",
            "erin.ds",
            "--due",
            &due,
            "--as",
            "vera.validator@bank.example",
        ],
    );
    // Erin, on her own machine, sees it in her queue once she synced; it is due when the
    // assignment says, earlier than the trigger's date.
    let erin = w.person();
    let mine = queued(&erin, &["--mine", "--as", "erin.ds"]).expect("erin's queue lists it");
    assert_eq!(mine["assignments"][0]["to"], "erin.ds", "{mine}");
    assert_eq!(mine["assignments"][0]["by"], "vera.validator@bank.example");
    assert_eq!(mine["due"], due.as_str());
    assert_eq!(
        queued(&erin, &["--mine", "--as", "amy.approver@bank.example"]),
        None
    );
    let v = v.as_str();

    // The way back: a new review, over the evidence as MLflow shows it now (the metric was
    // logged on a finished run after vera's sync), answered and signed again.
    let started: Value =
        serde_json::from_str(&w.ok(&vera, &["review", "start", "--new", v, "--json"]))
            .expect("json");
    assert_eq!(started["resumed"], false, "{started}");
    assert!(
        started["review"]["header"]["evidence"]["run"]["metrics"]["auc_recheck"].is_object(),
        "the new review froze the evidence as it is now: {started}"
    );
    w.answer_all(&vera, v, &started, "vera.validator@bank.example");
    let o = w.sign(
        &vera,
        "vera.validator@bank.example",
        v,
        "validator",
        "approve",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, text) = w.gate(&vera, v);
    assert_eq!(code, 0, "re-approved on MLflow: {text}");
    // Re-approved: out of the queue (the assignment is done), next review moved.
    assert_eq!(
        queued(&vera, &[]),
        None,
        "nothing is due for a re-approved version"
    );
    let list: Value =
        serde_json::from_str(&w.ok(&vera, &["review", "list", v, "--json"])).expect("json");
    let reviews = list["reviews"].as_array().expect("reviews");
    assert_eq!(reviews.len(), 2, "{list}");
    assert_eq!(reviews[0]["superseded_by"], reviews[1]["id"]);
    assert!(
        reviews[1]["approvals"]
            .as_array()
            .expect("approvals")
            .iter()
            .any(|a| a["signer"] == "vera.validator@bank.example"),
        "{list}"
    );
}

#[test]
fn a_conditional_approval_past_its_expiry_and_a_breach_tag_are_in_the_queue_on_mlflow() {
    let w = World::new();
    let name = format!("conditions-{}", std::process::id());
    let v = countersign_e2e::mlflow_fresh_model(
        &name,
        vec![json!({"key": "auc_holdout", "value": 0.8, "timestamp": 1, "step": 0})],
        None,
    );
    // Tier 2: a validator and a different approver; a monitoring breach is a trigger.
    api(
        "POST",
        "api/2.0/mlflow/registered-models/set-tag",
        Some(json!({"name": name, "key": "risk_tier", "value": "2"})),
    );
    let vera = w.person();
    w.review_all(&vera, &v, "vera.validator@bank.example");
    let today = chrono::Utc::now().date_naive();
    let day = |d: u64| {
        (today + chrono::Days::new(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    let expires = day(60);
    let key = w.key("vera.validator@bank.example");
    let o = w.run(
        &vera,
        &[
            "sign",
            &v,
            "--role",
            "validator",
            "--decision",
            "approve_with_conditions",
            "--condition",
            "Monitor the holdout AUC monthly",
            "--expires",
            &expires,
            "--key",
            &key,
            "--yes",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = w.sign(
        &vera,
        "alex.approver@bank.example",
        &v,
        "approver",
        "approve",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(w.gate(&vera, &v).0, 0, "approved with conditions");
    let queue = |extra: &[&str]| -> (Value, Option<Value>) {
        let mut args = vec!["queue", "--json"];
        args.extend_from_slice(extra);
        let q: Value = serde_json::from_str(&w.ok(&vera, &args)).expect("queue json");
        assert_eq!(q["judged"], "verified", "{q}");
        let item = q["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["version_ref"] == v.as_str())
            .cloned();
        (q, item)
    };
    let reason = |item: &Value, kind: &str| -> Value {
        item["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind}: {item}"))
            .clone()
    };
    assert_eq!(queue(&[]).1, None, "nothing is due today");
    // The day after the conditions' expiry: the queue lists it, due on the expiry date.
    let (q, item) = queue(&["--as-of", &day(61)]);
    assert_eq!(q["today"], day(61).as_str());
    let item = item.unwrap_or_else(|| panic!("the expired condition is not queued: {q}"));
    assert_eq!(
        reason(&item, "condition_expired")["due"],
        expires.as_str(),
        "{item}"
    );
    assert!(item["days_overdue"].as_i64().unwrap_or(0) >= 1, "{item}");
    // A look at another date records nothing: today's queue is as it was.
    assert_eq!(queue(&[]).1, None, "the look ahead changed today's queue");
    let o = w.run(&vera, &["queue", "--as-of", "2027-1-5"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--as-of"));

    // Monitoring reports a breach on the version: queued at once, due by tier 2's 30 days.
    api(
        "POST",
        "api/2.0/mlflow/model-versions/set-tag",
        Some(json!({"name": name, "version": "1", "key": "monitoring", "value": "Breach"})),
    );
    w.ok(&vera, &["sync", "--quiet"]);
    let (q, item) = queue(&[]);
    let item = item.unwrap_or_else(|| panic!("the breach is not queued: {q}"));
    assert_eq!(
        reason(&item, "monitoring_breach")["due"],
        day(30).as_str(),
        "{item}"
    );
    assert_eq!(item["needs"], "validator", "{item}");
}

#[test]
fn the_owners_attestation_is_a_run_of_its_own_on_mlflow_and_counts_only_for_the_owner_now() {
    let w = World::new();
    let name = format!("attested-{}", std::process::id());
    let v = countersign_e2e::mlflow_fresh_model(
        &name,
        vec![json!({"key": "auc_holdout", "value": 0.8, "timestamp": 1, "step": 0})],
        None,
    );
    let owner = OWNERS[0];
    let me = w.person();
    // A validator is not the owner: refused, nothing written.
    let o = w.run(
        &me,
        &[
            "attest",
            &v,
            "--key",
            &w.key("vera.validator@bank.example"),
            "--yes",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("is not the owner of"), "{err}");
    let made: Value = serde_json::from_str(&w.ok(
        &me,
        &[
            "attest",
            &v,
            "--key",
            &w.key(owner),
            "--yes",
            "--note",
            "Used for the pilot portfolio only.",
            "--json",
        ],
    ))
    .expect("json");
    assert_eq!(made["record"]["signer"], owner);
    // On MLflow: one run of countersign-attestations, tagged with the version, holding the
    // record and its signature, which stock OpenSSH verifies.
    let exp = api(
        "GET",
        "api/2.0/mlflow/experiments/get-by-name?experiment_name=countersign-attestations",
        None,
    )["experiment"]["experiment_id"]
        .as_str()
        .expect("the attestation experiment")
        .to_string();
    let runs = api(
        "POST",
        "api/2.0/mlflow/runs/search",
        Some(
            json!({"experiment_ids": [exp], "filter": format!("tags.`countersign.model_name` = '{name}'")}),
        ),
    );
    let runs = runs["runs"].as_array().expect("runs").clone();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let info = &runs[0]["info"];
    let run_id = info["run_id"].as_str().expect("run id").to_string();
    assert!(made["location"]
        .as_str()
        .is_some_and(|l| l.contains(&run_id)));
    let art = info["artifact_uri"]
        .as_str()
        .expect("artifact uri")
        .trim_start_matches("mlflow-artifacts:/")
        .trim_start_matches('/')
        .to_string();
    let dl = w.dir.path().join("downloaded");
    std::fs::create_dir_all(&dl).expect("dir");
    let record = dl.join("attestation.json");
    std::fs::write(&record, get_artifact(&format!("{art}/attestation.json"))).expect("record");
    std::fs::write(
        dl.join("attestation.json.sig"),
        get_artifact(&format!("{art}/attestation.json.sig")),
    )
    .expect("sig");
    assert!(countersign_e2e::ssh_keygen_verify(
        &w.dir.path().join("allowed_signers"),
        owner,
        &record
    ));
    // The command Countersign printed works on the files as MLflow names them.
    std::fs::copy(
        w.dir.path().join("allowed_signers"),
        dl.join("allowed_signers"),
    )
    .expect("roster");
    let cmd = made["verify_command"].as_str().expect("command");
    let out = Command::new("sh")
        .args(["-c", cmd])
        .current_dir(&dl)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{cmd}: {out:?}");
    // Someone else, on their own machine, sees it count.
    let other = w.person();
    let judged: Value =
        serde_json::from_str(&w.ok(&other, &["attest", &v, "--list", "--json"])).expect("json");
    let checks = judged["attestations"].as_array().expect("list");
    assert!(checks.len() == 1 && checks[0]["counts"] == true, "{judged}");
    // The owner changes on MLflow: the old owner's attestation no longer counts.
    api(
        "POST",
        "api/2.0/mlflow/registered-models/set-tag",
        Some(json!({"name": name, "key": "owner", "value": "nora.newowner@bank.example"})),
    );
    let judged: Value =
        serde_json::from_str(&w.ok(&other, &["attest", &v, "--list", "--json"])).expect("json");
    let checks = judged["attestations"].as_array().expect("list");
    assert_eq!(checks[0]["counts"], false, "{judged}");
    assert!(
        checks[0]["reasons"]
            .to_string()
            .contains("is not the model's owner now"),
        "{judged}"
    );
    // A deleted attestation run attests nothing.
    api(
        "POST",
        "api/2.0/mlflow/runs/delete",
        Some(json!({"run_id": run_id})),
    );
    let judged: Value =
        serde_json::from_str(&w.ok(&other, &["attest", &v, "--list", "--json"])).expect("json");
    assert_eq!(judged["attestations"], json!([]), "{judged}");
}

#[test]
fn a_renamed_models_approvals_are_reported_where_they_are_and_its_rejects_still_block() {
    let w = World::new();
    let name = format!("before-rename-{}", std::process::id());
    let v = countersign_e2e::mlflow_fresh_model(
        &name,
        vec![json!({"key": "auc_holdout", "value": 0.8, "timestamp": 1, "step": 0})],
        None,
    );
    let vera = w.person();
    w.review_all(&vera, &v, "vera.validator@bank.example");
    let o = w.sign(
        &vera,
        "vera.validator@bank.example",
        &v,
        "validator",
        "approve",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(w.gate(&vera, &v).0, 0);

    let renamed = format!("after-rename-{}", std::process::id());
    api(
        "POST",
        "api/2.0/mlflow/registered-models/rename",
        Some(json!({"name": name, "new_name": renamed})),
    );
    w.ok(&vera, &["sync", "--quiet"]);
    let nv = format!("models:/{renamed}/1");
    let j = w.verify(&vera, &nv);
    assert_eq!(j["approvals"], json!([]), "{j}");
    let said = j["under_other_names"][0].as_str().unwrap_or_default();
    assert!(
        said.starts_with("1 approval record of this version is in run ")
            && said.contains(&format!("under its previous name '{name}'"))
            && said.contains(&format!("it names models:/{name}/1"))
            && said.contains(&format!("review and approve it again as {nv}")),
        "{j}"
    );
    let text = w.ok(&vera, &["verify", &nv]);
    assert!(
        text.contains("no approvals recorded under this name")
            && !text.contains("no approvals recorded\n"),
        "{text}"
    );
    let (code, out) = w.gate(&vera, &nv);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("previous name '{name}'")), "{out}");
    // The old name is no model any more.
    let o = w.run(&vera, &["verify", &v]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // Back to the old name: Erin rejects it there in a review of her own; renamed again,
    // that reject still blocks, even once Vera approves it under the new name.
    api(
        "POST",
        "api/2.0/mlflow/registered-models/rename",
        Some(json!({"name": renamed, "new_name": name})),
    );
    let erin = w.person();
    w.review_all(&erin, &v, "erin.ds");
    let o = w.sign(&erin, "erin.ds", &v, "validator", "reject");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    api(
        "POST",
        "api/2.0/mlflow/registered-models/rename",
        Some(json!({"name": name, "new_name": renamed})),
    );
    w.ok(&vera, &["sync", "--quiet"]);
    w.review_all(&vera, &nv, "vera.validator@bank.example");
    let o = w.sign(
        &vera,
        "vera.validator@bank.example",
        &nv,
        "validator",
        "approve",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = w.verify(&vera, &nv);
    assert_eq!(j["approvals"].as_array().map(Vec::len), Some(1), "{j}");
    assert_eq!(j["approvals"][0]["counts"], true, "{j}");
    assert_eq!(
        j["under_other_names"].as_array().map(Vec::len),
        Some(2),
        "vera's and erin's runs under the old name: {j}"
    );
    let (code, out) = w.gate(&vera, &nv);
    assert_eq!(code, 1, "the old reject blocks: {out}");
    assert!(
        out.contains(&format!(
            "1 reject (or unreadable record) made under the previous name '{name}'"
        )),
        "{out}"
    );
}
