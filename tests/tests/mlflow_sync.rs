//! Sync, `ls`, `show`, evidence and lineage against the real MLflow server started and seeded
//! by `scripts/test.sh` (tests/mlflow/seed.py). Run single-threaded: some tests change the
//! server.

use countersign_e2e::{mlflow_manifest, mlflow_uri, Cli};
use serde_json::{json, Value};

fn synced() -> Cli {
    let cli = Cli::new();
    cli.ok(&["--platform", &mlflow_uri(), "sync", "--quiet"]);
    cli
}

fn model_versions(manifest: &Value, model: &str) -> Vec<(String, Value)> {
    manifest["models"][model]["versions"]
        .as_object()
        .expect("versions")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn ls_lists_exactly_the_seeded_inventory() {
    let manifest = mlflow_manifest();
    let cli = synced();
    let view = cli.json(&["ls", "--json"]);
    assert_eq!(view["platform"], json!(mlflow_uri()));
    let models = view["models"].as_array().expect("models");
    let names: Vec<&str> = models
        .iter()
        .map(|m| m["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        vec![
            "churn-propensity",
            "credit-memo-summarizer",
            "credit-scoring"
        ]
    );
    for m in models {
        let name = m["name"].as_str().unwrap_or("");
        let want = &manifest["models"][name];
        assert_eq!(m["risk_tier"], want["tier"], "{name} tier");
        assert_eq!(m["owner"], want["owner"], "{name} owner");
        assert_eq!(m["kind"], want["kind"], "{name} kind");
        let latest = model_versions(&manifest, name)
            .iter()
            .map(|(v, _)| v.parse::<u64>().unwrap_or(0))
            .max()
            .unwrap_or(0);
        assert_eq!(
            m["latest_version"],
            json!(latest.to_string()),
            "{name} latest"
        );
        assert_eq!(
            m["version_count"],
            json!(model_versions(&manifest, name).len()),
            "{name} versions"
        );
    }
    let credit = &models[2];
    assert_eq!(credit["business_purpose"], "Retail credit decisions");
    assert_eq!(credit["next_review_date"], "2026-03-31");
    assert_eq!(credit["monitoring"], "enabled");
    assert_eq!(
        credit["aliases"],
        json!({"champion": "1", "challenger": "2"})
    );
    assert_eq!(models[1]["llm_provider"], "OpenAI");

    // Filters.
    let tier1 = cli.json(&["ls", "--json", "--tier", "1"]);
    assert_eq!(tier1["models"].as_array().map(Vec::len), Some(1));
    let prompts = cli.json(&["ls", "--json", "--kind", "prompt"]);
    assert_eq!(prompts["models"][0]["name"], "credit-memo-summarizer");
    let owner = cli.json(&["ls", "--json", "--owner", "DAN.marketing"]);
    assert_eq!(owner["models"][0]["name"], "churn-propensity");
    let name = cli.json(&["ls", "--json", "--name", "scor"]);
    assert_eq!(name["models"].as_array().map(Vec::len), Some(1));
}

#[test]
fn show_returns_the_seeded_evidence_field_by_field() {
    let manifest = mlflow_manifest();
    let cli = synced();
    for model in ["credit-scoring", "churn-propensity"] {
        for (version, want) in model_versions(&manifest, model) {
            let shown = cli.json(&["show", &format!("models:/{model}/{version}"), "--json"]);
            let ev = &shown["evidence"];
            let run_id = want["run_id"].as_str().expect("run id");
            let seeded = &manifest["runs"][run_id];
            assert_eq!(ev["type"], "countersign.evidence/v2");
            assert_eq!(ev["version"]["name"], model);
            assert_eq!(ev["version"]["version"], json!(version));
            assert_eq!(ev["version"]["run_id"], json!(run_id));
            assert_eq!(ev["version"]["source"], want["source"]);
            assert_eq!(ev["version"]["aliases"], want["aliases"]);
            let run = &ev["run"];
            assert_eq!(run["run_name"], seeded["name"]);
            assert_eq!(run["user"], seeded["user"]);
            assert_eq!(run["git_commit"], seeded["git_commit"]);
            assert_eq!(run["git_repo"], "https://git.example.com/risk/models.git");
            assert_eq!(run["source_name"], "pipelines/credit/train.py");
            assert_eq!(run["experiment_name"], "/risk/credit-scoring");
            assert_eq!(run["status"], "FINISHED");
            assert_eq!(run["params"], seeded["params"], "{model}/{version} params");
            let metrics = run["metrics"].as_object().expect("metrics");
            let want_metrics = seeded["metrics"].as_object().expect("seeded metrics");
            assert_eq!(
                metrics.len(),
                want_metrics.len(),
                "{model}/{version} metric keys"
            );
            for (k, v) in want_metrics {
                assert_eq!(metrics[k]["value"], *v, "{model}/{version} metric {k}");
            }
            for (k, steps) in seeded["history"].as_object().expect("history") {
                let hist: Vec<Value> = metrics[k]["history"]
                    .as_array()
                    .expect("history")
                    .iter()
                    .map(|p| p["value"].clone())
                    .collect();
                assert_eq!(&Value::Array(hist), steps, "{model}/{version} history {k}");
            }
            let datasets: Vec<Value> = ev["datasets"]
                .as_array()
                .expect("datasets")
                .iter()
                .map(|d| json!({"context": d["context"], "name": d["name"], "digest": d["digest"], "source": d["source"]}))
                .collect();
            let mut want_ds: Vec<Value> = seeded["datasets"]
                .as_array()
                .expect("seeded datasets")
                .clone();
            want_ds.sort_by_key(|d| d["context"].as_str().unwrap_or("").to_string());
            assert_eq!(datasets, want_ds, "{model}/{version} datasets");
            assert_eq!(shown["evidence_sha256"].as_str().map(str::len), Some(64));
        }
    }
    // The logged model and the independent evaluation of version 2.
    let v2 = cli.json(&["show", "models:/credit-scoring/2", "--json"]);
    assert_eq!(
        v2["evidence"]["logged_model"]["model_id"],
        manifest["logged_model_id"]
    );
    assert_eq!(
        v2["evidence"]["logged_model"]["params"]["learning_rate"],
        "0.05"
    );
    let evals = v2["evidence"]["evaluations"]
        .as_array()
        .expect("evaluations");
    assert_eq!(evals.len(), 1);
    assert_eq!(evals[0]["run_id"], manifest["evaluation_run_id"]);
    assert_eq!(evals[0]["user"], "vera.validator");
    assert_eq!(evals[0]["metrics"]["oot_auc"]["value"], json!(0.79));
    assert_eq!(v2["lineage"]["logged_model"], manifest["logged_model_id"]);
    assert_eq!(
        v2["lineage"]["code"]["git_commit"],
        "4b1c2d3e4f5061728394a5b6c7d8e9f001122334"
    );
    // A prompt version is in the inventory too, with no run.
    let prompt = cli.json(&["show", "models:/credit-memo-summarizer/1", "--json"]);
    assert_eq!(prompt["model"]["kind"], "prompt");
    assert_eq!(prompt["evidence"]["run"], Value::Null);
    assert!(prompt["evidence"]["version"]["tags"]["mlflow.prompt.text"]
        .as_str()
        .unwrap_or("")
        .contains("{{memo}}"));
}

#[test]
fn evidence_json_is_deterministic_across_syncs() {
    let a = synced();
    let b = synced();
    for v in [
        "models:/credit-scoring/1",
        "models:/credit-scoring/2",
        "models:/churn-propensity/1",
    ] {
        let ea = a.run(&["evidence", v]);
        let eb = b.run(&["evidence", v]);
        assert!(ea.status.success() && eb.status.success());
        assert_eq!(
            ea.stdout, eb.stdout,
            "{v}: evidence.json differs between two syncs"
        );
        let printed = String::from_utf8_lossy(&ea.stderr);
        let hash = countersign_core::encoding::sha256_hex(&ea.stdout);
        assert!(
            printed.contains(&hash),
            "{v}: printed hash {printed} is not the SHA-256 of the bytes {hash}"
        );
    }
    // Sync again into the same store: nothing changes, the hash stays.
    let before = a.json(&["show", "models:/credit-scoring/2", "--json"])["evidence_sha256"].clone();
    a.ok(&["sync", "--quiet"]);
    assert_eq!(
        a.json(&["show", "models:/credit-scoring/2", "--json"])["evidence_sha256"],
        before
    );
}

#[test]
fn resync_fetches_only_what_changed_and_drops_deleted_models() {
    let uri = mlflow_uri();
    let cli = synced();
    let again = cli.json(&["sync", "--json", "--quiet"]);
    // The only runs read again are those a plain sync re-reads on purpose (production
    // versions every time, the rest a share per sync), each counted with why.
    let reread = |r: &Value| -> u64 {
        r["runs_reread"]
            .as_object()
            .expect("runs_reread")
            .iter()
            .map(|(why, n)| {
                assert!(
                    ["under review", "signed", "in production", "rolling"].contains(&why.as_str()),
                    "{why}"
                );
                n.as_u64().expect("count")
            })
            .sum()
    };
    assert_eq!(
        again["runs_fetched"].as_u64(),
        Some(reread(&again)),
        "{again}"
    );
    assert_eq!(again["versions_added"], 0);
    assert_eq!(again["models_added"], 0);
    // models + prompts + versions + prompt versions + experiments + the two searches for
    // evaluations linked by tags: the bulk lists only, and requests for runs only when some
    // were read again.
    if reread(&again) == 0 {
        assert_eq!(again["requests"], 7, "{again}");
    } else {
        assert!(again["requests"].as_u64() > Some(7), "{again}");
    }

    // A new model with one version and one run appears on the server.
    let name = format!("inc-test-{}", std::process::id());
    let exp = post(
        &uri,
        "experiments/create",
        json!({"name": format!("/tests/{name}")}),
    )["experiment_id"]
        .clone();
    let run = post(
        &uri,
        "runs/create",
        json!({"experiment_id": exp, "user_id": "inc.user", "run_name": "inc-run"}),
    );
    let run_id = run["run"]["info"]["run_id"]
        .as_str()
        .expect("run id")
        .to_string();
    post(
        &uri,
        "runs/log-batch",
        json!({"run_id": run_id, "params": [{"key": "p", "value": "1"}], "metrics": [{"key": "m", "value": 0.5, "timestamp": 1, "step": 0}]}),
    );
    // A run still RUNNING is fetched again by every sync; this one is done.
    post(
        &uri,
        "runs/update",
        json!({"run_id": run_id, "status": "FINISHED", "end_time": 2}),
    );
    post(
        &uri,
        "registered-models/create",
        json!({"name": name, "tags": [{"key": "risk_tier", "value": "2"}]}),
    );
    post(
        &uri,
        "model-versions/create",
        json!({"name": name, "source": format!("runs:/{run_id}/model"), "run_id": run_id}),
    );

    let delta = cli.json(&["sync", "--json", "--quiet"]);
    assert_eq!(delta["models_added"], 1, "{delta}");
    assert_eq!(delta["versions_added"], 1, "{delta}");
    assert_eq!(
        delta["runs_fetched"].as_u64(),
        Some(1 + reread(&delta)),
        "{delta}"
    );
    assert_eq!(delta["models"], 4);
    let shown = cli.json(&["show", &format!("models:/{name}/1"), "--json"]);
    assert_eq!(shown["evidence"]["run"]["params"]["p"], "1");
    assert_eq!(shown["evidence"]["run"]["user"], "inc.user");

    // A tag change is seen although MLflow does not move any timestamp for it.
    post(
        &uri,
        "registered-models/set-tag",
        json!({"name": name, "key": "risk_tier", "value": "1"}),
    );
    let changed = cli.json(&["sync", "--json", "--quiet"]);
    assert_eq!(changed["models_updated"], 1, "{changed}");
    assert_eq!(changed["runs_fetched"].as_u64(), Some(reread(&changed)));
    assert_eq!(
        cli.json(&["ls", "--json", "--name", &name])["models"][0]["risk_tier"],
        "1"
    );

    // The model is deleted on the server: it disappears from the store.
    delete(&uri, "registered-models/delete", json!({"name": name}));
    let gone = cli.json(&["sync", "--json", "--quiet"]);
    assert_eq!(gone["models_removed"], 1, "{gone}");
    assert_eq!(gone["versions_removed"], 1, "{gone}");
    assert_eq!(gone["models"], 3);
    assert_eq!(
        cli.json(&["ls", "--json", "--name", &name])["models"],
        json!([])
    );
    let out = cli.run(&["show", &format!("models:/{name}/1")]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
}

#[test]
fn reverse_lineage_finds_every_version_on_a_dataset() {
    let manifest = mlflow_manifest();
    let cli = synced();
    let r1 = manifest["models"]["credit-scoring"]["versions"]["1"]["run_id"].clone();
    let oot = manifest["runs"][r1.as_str().expect("run")]["datasets"]
        .as_array()
        .expect("datasets")
        .iter()
        .find(|d| d["context"] == "validation")
        .expect("validation dataset")
        .clone();
    for key in [
        oot["digest"].as_str().expect("digest"),
        oot["source"].as_str().expect("source"),
    ] {
        let uses = cli.json(&["lineage", "--dataset", key, "--json"]);
        assert_eq!(uses["schema"], "countersign.lineage/v1");
        assert_eq!(uses["dataset"], key);
        let got: Vec<(String, bool, String)> = uses["uses"]
            .as_array()
            .expect("uses")
            .iter()
            .map(|u| {
                (
                    u["version"].as_str().unwrap_or("").into(),
                    u["produced_version"].as_bool().unwrap_or(false),
                    u["context"].as_str().unwrap_or("").into(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("models:/credit-scoring/1".into(), true, "validation".into()),
                (
                    "models:/credit-scoring/2".into(),
                    false,
                    "evaluation".into()
                ),
                ("models:/credit-scoring/2".into(), true, "validation".into()),
            ],
            "{key}"
        );
    }
    let none = cli.json(&["lineage", "--dataset", "no-such-digest", "--json"]);
    assert_eq!(none["uses"], json!([]));
}

fn post(uri: &str, path: &str, body: Value) -> Value {
    curl(uri, "POST", path, body)
}

fn delete(uri: &str, path: &str, body: Value) -> Value {
    curl(uri, "DELETE", path, body)
}

/// Writes to MLflow with curl (the test only needs a handful of calls).
fn curl(uri: &str, method: &str, path: &str, body: Value) -> Value {
    let out = std::process::Command::new("curl")
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
        .arg(format!("{uri}/api/2.0/mlflow/{path}"))
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "{method} {path} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}
