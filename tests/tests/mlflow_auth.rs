//! Write-back to an MLflow server running its built-in authentication (`--app-name
//! basic-auth`, default permission READ), with users holding the permissions MLflow documents:
//! an admin (the risk function), EDIT users, a READ-only user. `scripts/test.sh` starts that
//! server and seeds it (tests/mlflow/seed_auth.py).
//!
//! What an MLflow user may write is MLflow's business; what counts is the signature. So a
//! refusal must name the one grant that fixes it, leave nothing that blocks later work, and a
//! user with the documented grants must get through.

use countersign_e2e::Cli;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Output};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: these tests need the basic-auth MLflow server that scripts/test.sh starts and seeds")
    })
}

fn uri() -> String {
    env("COUNTERSIGN_TEST_MLFLOW_AUTH_URI")
}

fn manifest() -> Value {
    let path = env("COUNTERSIGN_TEST_MLFLOW_AUTH_MANIFEST");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("manifest")).expect("json")
}

fn admin_password() -> String {
    env("COUNTERSIGN_TEST_MLFLOW_AUTH_ADMIN_PASSWORD")
}

/// MLflow's REST API as the admin.
fn admin(method: &str, path: &str, body: Value) -> Value {
    call("admin", &admin_password(), method, path, body)
}

/// MLflow's REST API as `user` with `password`.
fn call(user: &str, password: &str, method: &str, path: &str, body: Value) -> Value {
    let mut c = Command::new("curl");
    c.args(["-sS", "-f", "-X", method, "-u"])
        .arg(format!("{user}:{password}"))
        .args(["-H", "Content-Type: application/json"]);
    let url = format!("{}/{path}", uri());
    if method == "GET" {
        let q: Vec<String> = body
            .as_object()
            .expect("query")
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().expect("string")))
            .collect();
        c.arg(format!("{url}?{}", q.join("&")));
    } else {
        c.args(["-d", &body.to_string()]).arg(url);
    }
    let out = c.output().expect("curl");
    assert!(
        out.status.success(),
        "{method} {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn experiment(name: &str) -> Option<Value> {
    let out = Command::new("curl")
        .args(["-sS", "-u"])
        .arg(format!("admin:{}", admin_password()))
        .arg(format!(
            "{}/api/2.0/mlflow/experiments/get-by-name?experiment_name={name}",
            uri()
        ))
        .output()
        .expect("curl");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v.get("experiment").cloned()
}

fn grant(user: &str, resource_type: &str, id: &str, permission: &str) {
    admin(
        "POST",
        "api/3.0/mlflow/users/permissions/grant",
        json!({"username": user, "resource_type": resource_type, "resource_id": id, "permission": permission}),
    );
}

/// Every run of an experiment (any lifecycle), as the admin sees it.
fn runs(exp_id: &str) -> Vec<Value> {
    admin(
        "POST",
        "api/2.0/mlflow/runs/search",
        json!({"experiment_ids": [exp_id], "run_view_type": "ALL", "max_results": 1000}),
    )["runs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The files a run's `approvals/` folder holds.
fn approval_files(run_id: &str) -> Vec<String> {
    admin(
        "GET",
        "api/2.0/mlflow/artifacts/list",
        json!({"run_id": run_id, "path": "approvals"}),
    )["files"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|x| x["path"].as_str().expect("path").to_string())
                .collect()
        })
        .unwrap_or_default()
}

const PEOPLE: &[(&str, &str)] = &[
    ("vera.validator@bank.example", "validator"),
    ("erin.ds", "validator"),
    ("alex.approver@bank.example", "approver"),
    ("amy.approver@bank.example", "approver"),
];
const OWNER: &str = "olga.owner@bank.example";

struct World {
    /// The risk function's CLI: its data directory holds the root every person pins.
    _risk: Cli,
    keys: tempfile::TempDir,
    root: PathBuf,
    version: String,
}

impl World {
    fn new() -> Self {
        let keys = tempfile::tempdir().expect("tempdir");
        let risk = Cli::new();
        risk.set_env("MLFLOW_TRACKING_USERNAME", "admin");
        risk.set_env("MLFLOW_TRACKING_PASSWORD", &admin_password());
        let mut lines = Vec::new();
        for who in PEOPLE.iter().map(|(w, _)| *w).chain([OWNER]) {
            let out = risk.ok(&[
                "keys",
                "generate",
                keys.path().join(who).to_str().expect("p"),
                "--no-passphrase",
                "--as",
                who,
            ]);
            lines.push(out.lines().last().expect("line").to_string());
        }
        let allowed = keys.path().join("allowed_signers");
        std::fs::write(&allowed, lines.join("\n") + "\n").expect("allowed");
        let roster: String = PEOPLE
            .iter()
            .map(|(w, r)| format!("\"{w}\" = [\"{r}\"]\n"))
            .collect();
        let base = countersign_core::policy::DEFAULT_POLICY;
        let policy =
            base[..base.find("[roster]").expect("roster")].to_string() + "[roster]\n" + &roster;
        let policy_path = keys.path().join("policy.toml");
        std::fs::write(&policy_path, policy).expect("policy");
        // The risk function publishes its root and release as the MLflow admin.
        let root = countersign_e2e::release_trust(&risk, &uri(), &[], &policy_path, &allowed);
        let m = manifest();
        World {
            _risk: risk,
            keys,
            root: root.clone(),
            version: format!(
                "models:/{}/{}",
                m["model"].as_str().expect("model"),
                m["version"].as_str().expect("version")
            ),
        }
    }

    /// A reviewer's CLI, logged in to MLflow as `user` (the admin for `admin`).
    fn person(&self, user: &str) -> Cli {
        let cli = Cli::new();
        cli.pin(&self.root);
        let password = if user == "admin" {
            admin_password()
        } else {
            manifest()["users"][user]
                .as_str()
                .expect("password")
                .to_string()
        };
        cli.set_env("COUNTERSIGN_PLATFORM", &uri());
        cli.set_env("MLFLOW_TRACKING_USERNAME", user);
        cli.set_env("MLFLOW_TRACKING_PASSWORD", &password);
        cli.ok(&["sync", "--quiet"]);
        cli
    }

    fn key(&self, who: &str) -> String {
        self.keys.path().join(who).display().to_string()
    }

    fn sign(&self, cli: &Cli, who: &str, role: &str) -> Output {
        cli.run(&[
            "sign",
            &self.version,
            "--role",
            role,
            "--decision",
            "approve",
            "--key",
            &self.key(who),
            "--yes",
        ])
    }

    fn attest(&self, cli: &Cli) -> Output {
        cli.run(&[
            "attest",
            &self.version,
            "--key",
            &self.key(OWNER),
            "--note",
            "in use as registered",
            "--yes",
        ])
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn gate(cli: &Cli, v: &str) -> (i32, String) {
    let o = cli.run(&["gate", v]);
    (o.status.code().unwrap_or(-1), text(&o))
}

#[test]
fn write_back_works_with_the_grants_mlflow_documents_and_every_refusal_names_the_grant() {
    let w = World::new();
    let v = w.version.clone();
    let model = manifest()["model"].as_str().expect("model").to_string();

    // Vera holds EDIT on the registered model and nothing on any experiment: her write-back
    // creates the review experiment (its creator may write it) at the server's default
    // location, which basic-auth authorises by experiment id.
    let vera = w.person("vera");
    countersign_e2e::complete_review(&vera, &v, "vera.validator@bank.example");
    let o = w.sign(&vera, "vera.validator@bank.example", "validator");
    assert!(o.status.success(), "vera signs: {}", text(&o));
    let exp = experiment("countersign-reviews").expect("the review experiment exists");
    let exp_id = exp["experiment_id"].as_str().expect("id").to_string();
    assert_eq!(
        exp["artifact_location"].as_str(),
        Some(format!("mlflow-artifacts:/{exp_id}").as_str()),
        "created as MLflow's client creates an experiment: {exp}"
    );
    let review_runs = runs(&exp_id);
    assert_eq!(review_runs.len(), 1, "{review_runs:?}");
    let run_id = review_runs[0]["info"]["run_id"]
        .as_str()
        .expect("run")
        .to_string();
    assert_eq!(review_runs[0]["info"]["status"], "FINISHED");

    // Rita may only read: refused before anything is uploaded, told what to ask for.
    let rita = w.person("rita");
    let o = w.sign(&rita, "amy.approver@bank.example", "approver");
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "a platform refusal: {said}");
    assert!(
        said.contains("403") && said.contains(&format!("EDIT on the registered model '{model}'")),
        "names the grant: {said}"
    );
    assert!(!said.contains("ask an MLflow admin for READ"), "{said}");

    // Alex holds EDIT on the model but not on the review experiment: the upload is refused and
    // the message names the experiment and its id.
    let alex = w.person("alex");
    let o = w.sign(&alex, "alex.approver@bank.example", "approver");
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains(&format!(
            "Uploading to a run of the experiment 'countersign-reviews' (id {exp_id}) needs EDIT on it: ask an MLflow admin to grant it (resource_type experiment, resource_id {exp_id})"
        )),
        "names the experiment grant: {said}"
    );
    // Nothing of theirs landed, the run keeps its state, and nobody is blocked.
    let files = approval_files(&run_id);
    assert_eq!(
        files.len(),
        2,
        "only vera's record and signature: {files:?}"
    );
    assert!(files.iter().all(|f| f.contains("vera")), "{files:?}");
    assert_eq!(runs(&exp_id)[0]["info"]["status"], "FINISHED");
    let (code, out) = gate(&rita, &v);
    assert_eq!(
        code, 1,
        "the gate fails for want of an approver, no error: {out}"
    );
    assert!(out.contains("needs an approver approval"), "{out}");

    // The grant the message named is enough.
    grant("alex", "experiment", &exp_id, "EDIT");
    let o = w.sign(&alex, "alex.approver@bank.example", "approver");
    assert!(
        o.status.success(),
        "alex signs after the grant: {}",
        text(&o)
    );
    let (code, out) = gate(&rita, &v);
    assert_eq!(code, 0, "the READ user verifies the gate: {out}");

    // A new review by a user who may create runs in the experiment but not tag the model:
    // the run it created is marked FAILED, holds nothing, and blocks nothing.
    grant("rita", "experiment", &exp_id, "EDIT");
    let erin = w.person("rita");
    let started = erin.json(&["review", "start", "--new", &v, "--json"]);
    countersign_e2e::answer_review(&erin, &v, &started["review"], "erin.ds");
    let o = w.sign(&erin, "erin.ds", "validator");
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains(&format!("EDIT on the registered model '{model}'")),
        "{said}"
    );
    let all = runs(&exp_id);
    assert_eq!(all.len(), 2, "{all:?}");
    let failed: Vec<&Value> = all
        .iter()
        .filter(|r| r["info"]["run_id"] != json!(run_id))
        .collect();
    assert_eq!(failed[0]["info"]["status"], "FAILED", "{failed:?}");
    let failed_id = failed[0]["info"]["run_id"].as_str().expect("id");
    assert!(approval_files(failed_id).is_empty());
    for cli in [&rita, &vera] {
        let (code, out) = gate(cli, &v);
        assert_eq!(code, 0, "an incomplete review run blocks nothing: {out}");
        let o = cli.run(&["verify", &v]);
        assert!(o.status.success(), "verify: {}", text(&o));
        let o = cli.run(&[
            "export",
            "audit-pack",
            &v,
            "-o",
            cli.data.path().join("pack").to_str().expect("p"),
        ]);
        assert!(o.status.success(), "export: {}", text(&o));
    }
}

#[test]
fn an_experiment_an_earlier_countersign_made_is_named_with_the_one_fix_and_still_read() {
    let w = World::new();
    let v = w.version.clone();
    // An earlier Countersign made the attestation experiment with its artifacts at
    // mlflow-artifacts:/NAME, which basic-auth lets only admins write; the admin attested
    // there once (admins may).
    let exp = admin(
        "POST",
        "api/2.0/mlflow/experiments/create",
        json!({"name": "countersign-attestations", "artifact_location": "mlflow-artifacts:/countersign-attestations"}),
    )["experiment_id"]
        .as_str()
        .expect("id")
        .to_string();
    let admin_cli = w.person("admin");
    let o = w.attest(&admin_cli);
    assert!(o.status.success(), "the admin attests: {}", text(&o));

    // Olga, granted EDIT on that experiment, is refused: the message names the rename.
    grant("olga", "experiment", &exp, "EDIT");
    let olga = w.person("olga");
    let o = w.attest(&olga);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains("mlflow-artifacts:/countersign-attestations")
            && said.contains("rename the experiment to 'countersign-attestations-legacy'"),
        "names the one fix: {said}"
    );
    let left = runs(&exp);
    let statuses: Vec<&str> = left
        .iter()
        .map(|r| r["info"]["status"].as_str().expect("status"))
        .collect();
    assert!(
        statuses.contains(&"FAILED") && !statuses.contains(&"RUNNING"),
        "her run is marked failed: {statuses:?}"
    );

    // The admin does what the message says; Olga's next attestation lands in a new
    // experiment, and both attestations are read.
    admin(
        "POST",
        "api/2.0/mlflow/experiments/update",
        json!({"experiment_id": exp, "new_name": "countersign-attestations-legacy"}),
    );
    let o = w.attest(&olga);
    assert!(
        o.status.success(),
        "olga attests after the rename: {}",
        text(&o)
    );
    let fresh = experiment("countersign-attestations").expect("a new experiment");
    assert_ne!(fresh["experiment_id"].as_str(), Some(exp.as_str()));
    let listed = olga.json(&["attest", &v, "--list", "--json"]);
    let n = listed["attestations"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(
        n, 2,
        "the legacy experiment's record and the new one: {listed}"
    );

    // Anyone logged in may create an experiment of the legacy name; Rita (READ everywhere)
    // does, and plants a record there. It is not read: only an experiment keeping its files
    // at mlflow-artifacts:/countersign-reviews (where only admins upload) is a legacy one.
    let rita_pw = manifest()["users"]["rita"]
        .as_str()
        .expect("pw")
        .to_string();
    let planted = call(
        "rita",
        &rita_pw,
        "POST",
        "api/2.0/mlflow/experiments/create",
        json!({"name": "countersign-reviews-legacy"}),
    )["experiment_id"]
        .as_str()
        .expect("id")
        .to_string();
    let m = manifest();
    let run = call(
        "rita",
        &rita_pw,
        "POST",
        "api/2.0/mlflow/runs/create",
        json!({"experiment_id": planted, "tags": [
            {"key": "countersign.model_name", "value": m["model"]},
            {"key": "countersign.model_version", "value": m["version"]},
        ]}),
    )["run"]["info"]
        .clone();
    let root = run["artifact_uri"]
        .as_str()
        .and_then(|u| u.strip_prefix("mlflow-artifacts:/"))
        .expect("proxied")
        .to_string();
    let out = Command::new("curl")
        .args(["-sS", "-f", "-X", "PUT", "-u"])
        .arg(format!("rita:{rita_pw}"))
        .args(["--data-binary", "{\"planted\": true}"])
        .arg(format!(
            "{}/api/2.0/mlflow-artifacts/artifacts/{root}/approvals/approver-rita.json",
            uri()
        ))
        .output()
        .expect("curl");
    assert!(out.status.success(), "rita uploads to her own experiment");
    let verified = olga.json(&["verify", &v, "--json"]);
    let planted_run = run["run_id"].as_str().expect("run id");
    assert!(
        !verified.to_string().contains(planted_run),
        "a record in a look-alike legacy experiment is not read: {verified}"
    );
}

#[test]
fn a_bearer_token_names_its_user_and_a_wrong_one_is_refused_with_the_fix() {
    let m = manifest();
    let token = m["tokens"]["vera"]
        .as_str()
        .expect("vera's token")
        .to_string();
    let model = m["model"].as_str().expect("model").to_string();
    let cli = |vars: &[(&str, &str)]| {
        let c = Cli::new();
        c.set_env("COUNTERSIGN_PLATFORM", &uri());
        for (k, v) in vars {
            c.set_env(k, v);
        }
        c
    };

    // MLFLOW_TRACKING_TOKEN alone: the server's auth plugin takes the bearer token for vera,
    // and MLflow's own permissions apply (READ everywhere, EDIT on the model).
    let vera = cli(&[("MLFLOW_TRACKING_TOKEN", &token)]);
    let o = vera.run(&["sync"]);
    assert!(o.status.success(), "sync with a bearer token: {}", text(&o));
    assert!(!text(&o).contains(&token), "the token is never printed");
    let listed = vera.json(&["ls", "--json"]);
    assert!(
        listed.to_string().contains(&format!("\"{model}\"")),
        "the model is listed: {listed}"
    );
    let shown = vera.json(&[
        "show",
        &format!("models:/{model}/{}", m["version"].as_str().expect("v")),
        "--json",
    ]);
    assert!(
        !shown.to_string().contains(&token),
        "the token is not in the evidence"
    );

    // A wrong token: 401, the platform's exit code, a message naming the setting, and the
    // token itself nowhere in it.
    let wrong = format!("tok-wrong-{}", &token[4..]);
    let o = cli(&[("MLFLOW_TRACKING_TOKEN", &wrong)]).run(&["sync"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(3), "{t}");
    assert!(
        t.contains("401") && t.contains("refused that token: check MLFLOW_TRACKING_TOKEN"),
        "{t}"
    );
    assert!(!t.contains(&wrong), "the wrong token is not echoed: {t}");

    // A user name and password as well as a token: basic auth wins, as in MLflow's client
    // (its rest_utils), so the same environment means the same user to both.
    let password = m["users"]["vera"].as_str().expect("password").to_string();
    let both = cli(&[
        ("MLFLOW_TRACKING_TOKEN", &wrong),
        ("MLFLOW_TRACKING_USERNAME", "vera"),
        ("MLFLOW_TRACKING_PASSWORD", &password),
    ]);
    let o = both.run(&["sync"]);
    assert!(
        o.status.success(),
        "basic auth chosen over the token: {}",
        text(&o)
    );
}
