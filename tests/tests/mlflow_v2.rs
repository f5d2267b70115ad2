//! The core of the MLflow harness against an MLflow 2.x server (2.22, as many banks still run):
//! sync, show, evidence, review, sign with write-back, verify, gate, export — and stages, the
//! 2.x way of saying "in production". `scripts/test.sh` starts that server from a second
//! virtualenv and seeds it (tests/mlflow/seed_v2.py).

use countersign_e2e::Cli;
use serde_json::Value;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: these tests need the MLflow 2.x server that scripts/test.sh starts and seeds")
    })
}

fn manifest() -> Value {
    let path = env("COUNTERSIGN_TEST_MLFLOW_V2_MANIFEST");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("manifest")).expect("json")
}

#[test]
fn the_review_cycle_works_on_mlflow_2_and_stages_count_as_production() {
    let uri = env("COUNTERSIGN_TEST_MLFLOW_V2_URI");
    let m = manifest();
    assert!(
        m["mlflow_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("2.")),
        "the server is MLflow 2.x: {m}"
    );
    let cli = Cli::new();
    let dir = tempfile::tempdir().expect("tmp");
    let (allowed, policy) =
        countersign_e2e::vera_validator(&cli, dir.path(), &dir.path().join("vera"), None);
    countersign_e2e::release_trust(&cli, &uri, &[], &policy, &allowed);
    cli.set_env("COUNTERSIGN_PLATFORM", &uri);
    cli.ok(&["sync", "--quiet"]);

    let name = m["name"].as_str().expect("name");
    let prod = &m["versions"][0];
    let staging = &m["versions"][1];
    assert_eq!(prod["stage"], "Production");
    assert_eq!(staging["stage"], "Staging");
    let v = format!("models:/{name}/{}", prod["version"].as_str().expect("v"));
    let v2 = format!("models:/{name}/{}", staging["version"].as_str().expect("v"));

    // Stages are shown and are part of the evidence, with MLflow's values.
    let shown = cli.ok(&["show", &v]);
    assert!(shown.contains("  stage:        Production\n"), "{shown}");
    let j = cli.json(&["show", &v, "--json"]);
    assert_eq!(j["evidence"]["version"]["stage"], "Production", "{j}");
    let run = &j["evidence"]["run"];
    assert_eq!(run["run_id"], prod["run_id"]);
    for (k, want) in prod["metrics"].as_object().expect("metrics") {
        assert_eq!(run["metrics"][k]["value"], *want, "metric {k}: {run}");
    }
    let evidence = cli.json(&["evidence", &v]);
    assert_eq!(evidence["version"]["stage"], "Production", "{evidence}");
    let j2 = cli.json(&["show", &v2, "--json"]);
    assert_eq!(j2["evidence"]["version"]["stage"], "Staging");

    // In production by its stage (the default policy's production_stages).
    let digest = m["dataset_digest"].as_str().expect("digest");
    let report = cli.json(&["lineage", "--dataset", digest, "--report", "--json"]);
    let production: Vec<(String, Value)> = report["uses"]
        .as_array()
        .expect("uses")
        .iter()
        .map(|u| {
            (
                u["version"].as_str().expect("v").to_string(),
                u["production"].clone(),
            )
        })
        .collect();
    assert_eq!(
        production,
        vec![
            (v.clone(), serde_json::json!(["Production"])),
            (v2.clone(), serde_json::json!([])),
        ],
        "{report}"
    );

    // Review, sign with write-back, verify, gate, export.
    countersign_e2e::complete_review(&cli, &v, "vera.validator@bank.example");
    let o = cli.run(&[
        "sign",
        &v,
        "--role",
        "validator",
        "--decision",
        "approve",
        "--key",
        dir.path().join("vera").to_str().expect("key"),
        "--yes",
    ]);
    assert!(
        o.status.success(),
        "signing writes back to MLflow 2.x: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let verified = countersign_e2e::verify_json(&cli, &v);
    let approvals = verified["approvals"].as_array().expect("approvals");
    assert_eq!(approvals.len(), 1, "{verified}");
    assert_eq!(approvals[0]["counts"], true, "{verified}");
    assert_eq!(verified["gate"]["pass"], true, "{verified}");
    let gate = cli.run(&["gate", &v]);
    assert_eq!(
        gate.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&gate.stdout)
    );
    // A version nobody reviewed: the gate fails, no error.
    let gate = cli.run(&["gate", &v2]);
    assert_eq!(
        gate.status.code(),
        Some(1),
        "{}{}",
        String::from_utf8_lossy(&gate.stdout),
        String::from_utf8_lossy(&gate.stderr)
    );
    let pack = dir.path().join("pack");
    cli.ok(&["export", "audit-pack", &v, "-o", pack.to_str().expect("p")]);
    assert!(pack.join("audit-pack.pdf").is_file());
    let checked = std::process::Command::new("qpdf")
        .args(["--check"])
        .arg(pack.join("audit-pack.pdf"))
        .output()
        .expect("qpdf");
    assert!(checked.status.success(), "qpdf --check");
}
