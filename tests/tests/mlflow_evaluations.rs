//! Evaluations linked the way MLflow links them, against a real MLflow server seeded by
//! tests/mlflow/seed_evaluations.py through MLflow's own high-level APIs: a scikit-learn model
//! (autolog) evaluated with `mlflow.models.evaluate(model="models:/NAME/1")`, linked to the
//! version only by the evaluation run's `mlflow.datasets` tag, and a prompt evaluated with
//! `mlflow.genai.evaluate`, linked only by `mlflow.linkedPrompts`. Countersign must find both,
//! with MLflow's exact values, in `show`, the lineage both ways, the checklist and the PDF.

use countersign_e2e::{mlflow_evaluations, Cli};
use serde_json::Value;
use std::path::Path;

fn evaluation<'a>(shown: &'a Value, run_id: &str) -> &'a Value {
    shown["evidence"]["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .find(|r| r["run_id"] == run_id)
        .unwrap_or_else(|| panic!("evaluation run {run_id} not found in {shown}"))
}

fn item<'a>(review: &'a Value, id: &str) -> &'a Value {
    review["review"]["header"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// The metrics MLflow's own client read back, equal bit for bit to what Countersign shows.
fn assert_metrics_match(got: &Value, want: &Value) {
    let want = want.as_object().expect("manifest metrics");
    assert!(!want.is_empty());
    for (k, v) in want {
        assert_eq!(
            got["metrics"][k]["value"].as_f64(),
            v.as_f64(),
            "metric {k}: {got}"
        );
    }
}

#[test]
fn an_evaluation_of_a_models_uri_and_of_a_prompt_are_found_with_their_values() {
    let (uri, m) = mlflow_evaluations();
    let cli = Cli::new();
    let report = cli.json(&["--platform", &uri, "sync", "--json"]);
    assert_eq!(report["missing_runs"], serde_json::json!([]), "{report}");

    // mlflow.models.evaluate(model="models:/fraud-detector/1").
    let f = &m["fraud"];
    let v = format!(
        "models:/{}/{}",
        f["name"].as_str().expect("name"),
        f["version"].as_str().expect("v")
    );
    let shown = cli.json(&["show", &v, "--json"]);
    let ev = evaluation(&shown, f["evaluation_run_id"].as_str().expect("id"));
    assert_metrics_match(ev, &f["evaluation_metrics"]);
    assert_eq!(ev["run_name"], "fraud-independent-evaluation");
    let ds = &ev["datasets"][0];
    assert_eq!(ds["digest"], f["holdout_digest"], "{ev}");
    assert_eq!(ds["source"], "s3://risk-data/fraud/holdout_2026q3.parquet");
    // Forward lineage: "evaluated on" the holdout, with its digest.
    let lineage_ev = &shown["lineage"]["evaluations"][0];
    assert_eq!(
        lineage_ev["datasets"][0]["context"], "evaluation",
        "{lineage_ev}"
    );
    assert_eq!(lineage_ev["datasets"][0]["digest"], f["holdout_digest"]);
    let text = cli.ok(&["show", &v]);
    assert!(
        text.contains(&format!(
            "evaluated on: {}",
            f["holdout_digest"].as_str().expect("d")
        )),
        "{text}"
    );
    // Reverse lineage: the holdout leads back to the version it evaluated.
    let uses = cli.json(&[
        "lineage",
        "--dataset",
        f["holdout_digest"].as_str().expect("d"),
        "--json",
    ]);
    let uses = uses
        .as_array()
        .or_else(|| uses["uses"].as_array())
        .expect("uses");
    let usage = uses
        .iter()
        .find(|u| u["version"] == v.as_str())
        .unwrap_or_else(|| panic!("{v} missing from the reverse lineage: {uses:?}"));
    assert_eq!(usage["produced_version"], false);
    assert_eq!(usage["context"], "evaluation");

    // mlflow.genai.evaluate with a predict function that loads the prompt.
    let p = &m["prompt"];
    let pv = format!(
        "models:/{}/{}",
        p["name"].as_str().expect("name"),
        p["version"].as_str().expect("v")
    );
    let shown = cli.json(&["show", &pv, "--json"]);
    let ev = evaluation(&shown, p["evaluation_run_id"].as_str().expect("id"));
    assert_metrics_match(ev, &p["evaluation_metrics"]);
    assert!(ev["metrics"].get("names_the_claim/mean").is_some(), "{ev}");
    // Its traces' assessments, as MLflow's own client counts them (valid ones per source type,
    // traces carrying one): the code scorer's, the LLM judge's, the reviewer's and her
    // override, not the judge score she overrode.
    let a = &ev["assessments"];
    assert_eq!(a["traces"], p["traces"], "{a}");
    assert_eq!(a["more"], false, "{a}");
    let want = p["assessments"].as_object().expect("assessments");
    let got = a["by_name"].as_object().expect("by_name");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{a}"
    );
    for (name, w) in want {
        assert_eq!(got[name]["by_source"], w["by_source"], "{name}: {a}");
        assert_eq!(
            got[name]["traces_by_source"], w["traces_by_source"],
            "{name}: {a}"
        );
    }
    assert_eq!(
        got["groundedness"]["by_source"]["HUMAN"], 1,
        "the override: {a}"
    );
    assert_eq!(
        got["groundedness"]["by_source"]["LLM_JUDGE"], 2,
        "the overridden one is left out: {a}"
    );
    assert_eq!(got["correct_category"]["passed"], 1, "{a}");
    assert_eq!(got["correct_category"]["failed"], 1, "{a}");
    assert_eq!(
        got["correct_category"]["sources"],
        serde_json::json!(["hana.reviewer@bank.example"]),
        "{a}"
    );
    // Mean of 0.9, 1.0 (the judge) and 0.2 (the override), over the sorted values.
    let mean = got["groundedness"]["mean"].as_f64().expect("mean");
    assert_eq!(
        mean.to_bits(),
        ((0.2f64 + 0.9 + 1.0) / 3.0).to_bits(),
        "{a}"
    );
    let text = cli.ok(&["show", &pv]);
    assert!(
        text.contains("groundedness") && text.contains("LLM_JUDGE 2 on 2"),
        "show prints the assessments: {text}"
    );

    // The second prompt version against the first (the previous one, in production): the
    // template diff and the model configuration as MLflow's client reads them.
    let second = &p["second"];
    let v2 = format!(
        "models:/{}/{}",
        p["name"].as_str().expect("name"),
        second["version"].as_str().expect("v")
    );
    let page = cli.json(&["show", &v2, "--json"])["prompt"].clone();
    let template: Vec<&str> = second["template"].as_str().expect("t").lines().collect();
    assert_eq!(
        page["facts"]["template"],
        serde_json::json!(template),
        "{page}"
    );
    for (k, v) in second["model_config"].as_object().expect("config") {
        let want = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        assert_eq!(
            page["facts"]["model_config"][k],
            want.as_str(),
            "{k}: {page}"
        );
    }
    let prev = &page["against_previous"];
    assert_eq!(prev["other"], pv.as_str(), "{page}");
    assert!(
        prev["against"]
            .as_str()
            .is_some_and(|a| a.contains("in production (production)")),
        "{prev}"
    );
    assert_eq!(prev["same_template"], false);
    let lines: Vec<String> = prev["diff"]
        .as_array()
        .expect("diff")
        .iter()
        .map(|l| {
            format!(
                "{}{}",
                l["op"].as_str().unwrap_or(""),
                l["text"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        lines.contains(&"-Classify this claim: {{claim}}".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&format!("+{}", template[0])), "{lines:?}");
    assert!(
        prev["config_changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c == "temperature: 0.0 → 0.2"),
        "{prev}"
    );
    let text = cli.ok(&["show", &v2]);
    assert!(text.contains("- Classify this claim: {{claim}}"), "{text}");

    // A run that names neither is not an evaluation of either.
    for shown in [cli.json(&["show", &v, "--json"]), shown] {
        assert_eq!(
            shown["evidence"]["evaluations"].as_array().map(Vec::len),
            Some(1),
            "{shown}"
        );
    }
}

/// The checklist reads both evaluations (`roc_auc` from the classic one, `names_the_claim`
/// as MLflow's `names_the_claim/mean`), and the audit PDF shows the evaluation datasets and,
/// for the prompt, which has no producing run, the evaluation's metrics.
#[test]
fn the_checklist_and_the_pdf_use_the_evaluations() {
    let (uri, m) = mlflow_evaluations();
    let cli = Cli::new();
    let dir = tempfile::tempdir().expect("tmp");
    let (allowed, policy) =
        countersign_e2e::vera_validator(&cli, dir.path(), &dir.path().join("vera"), None);
    let text = std::fs::read_to_string(&policy).expect("policy");
    let at = text.find("[roster]").expect("roster");
    let extra = r#"
[[checklist]]
id = "EV-01"
area = "Outcomes analysis"
title = "Independent evaluation: ROC AUC"
guidance = "The independent evaluation's ROC AUC on the holdout must reach 0.7."
references = ["SR 26-2 outcomes analysis"]
tiers = ["2"]
kinds = ["classic"]
check = { kind = "metric_threshold", metric = "roc_auc", op = ">=", threshold = 0.7, dataset_context = "evaluation" }

[[checklist]]
id = "EV-02"
area = "LLM evaluation"
title = "Code scorer: the answer names the claim"
guidance = "The code scorer must pass on at least 90% of the evaluation rows."
references = ["Firm LLM policy"]
tiers = ["2"]
kinds = ["prompt"]
check = { kind = "metric_threshold", metric = "names_the_claim", op = ">=", threshold = 0.9, dataset_context = "evaluation" }

[[checklist]]
id = "EV-03"
area = "LLM evaluation"
title = "Human review of the evaluation"
guidance = "At least three rows must carry a reviewer's verdict on the category."
references = ["Firm LLM policy"]
tiers = ["2"]
kinds = ["prompt"]
check = { kind = "assessments", name = "correct_category", source = "HUMAN", min_count = 3 }

[[checklist]]
id = "EV-04"
area = "LLM evaluation"
title = "The LLM judge covered the evaluation"
guidance = "LLM-judge groundedness results must cover at least 60% of the evaluation rows."
references = ["Firm LLM policy"]
tiers = ["2"]
kinds = ["prompt"]
check = { kind = "assessments", name = "groundedness", source = "LLM_JUDGE", min_coverage = 0.6 }

"#;
    std::fs::write(&policy, format!("{}{extra}{}", &text[..at], &text[at..])).expect("policy");
    countersign_e2e::release_trust(&cli, &uri, &[], &policy, &allowed);
    cli.ok(&["--platform", &uri, "sync", "--quiet"]);

    let f = &m["fraud"];
    let v = format!(
        "models:/{}/{}",
        f["name"].as_str().expect("n"),
        f["version"].as_str().expect("v")
    );
    let started = cli.json(&[
        "--policy",
        policy.to_str().expect("p"),
        "review",
        "start",
        &v,
        "--json",
        "--as",
        "vera.validator@bank.example",
    ]);
    let roc = f["evaluation_metrics"]["roc_auc"]
        .as_f64()
        .expect("roc_auc");
    let auto = &item(&started, "EV-01")["automatic"];
    assert_eq!(
        auto["outcome"],
        if roc >= 0.7 { "pass" } else { "fail" },
        "{auto}"
    );
    assert!(
        auto["explanation"].as_str().is_some_and(
            |e| e.starts_with("roc_auc = ")
                && e.contains("on dataset 'fraud_holdout_2026q3' (evaluation run 'fraud-independent-evaluation' ")
        ),
        "{auto}"
    );

    let p = &m["prompt"];
    let pv = format!(
        "models:/{}/{}",
        p["name"].as_str().expect("n"),
        p["version"].as_str().expect("v")
    );
    let started = cli.json(&[
        "--policy",
        policy.to_str().expect("p"),
        "review",
        "start",
        &pv,
        "--json",
        "--as",
        "vera.validator@bank.example",
    ]);
    let mean = p["evaluation_metrics"]["names_the_claim/mean"]
        .as_f64()
        .expect("mean");
    let auto = &item(&started, "EV-02")["automatic"];
    assert_eq!(
        auto["outcome"],
        if mean >= 0.9 { "pass" } else { "fail" },
        "{auto}"
    );
    assert!(
        auto["explanation"]
            .as_str()
            .is_some_and(|e| e.starts_with("names_the_claim/mean = ")),
        "{auto}"
    );
    // Provenance: two human verdicts are fewer than three; the judge's two valid scores cover
    // two of the three traces (its third was overridden), which is above 60%.
    let humans = &item(&started, "EV-03")["automatic"];
    assert_eq!(humans["outcome"], "fail", "{humans}");
    assert!(
        humans["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("2 HUMAN assessments of 'correct_category' < 3")),
        "{humans}"
    );
    let judged = &item(&started, "EV-04")["automatic"];
    assert_eq!(judged["outcome"], "pass", "{judged}");
    assert!(
        judged["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("on 2 of 3 traces (66.666667%) ≥ 60%")),
        "{judged}"
    );

    // The PDFs.
    for (version, want) in [
        (
            &v,
            vec![
                "evaluated on (evaluation)",
                f["holdout_digest"].as_str().expect("d"),
                "roc_auc",
                "fraud-independent-evaluation (evaluation)",
            ],
        ),
        (
            &pv,
            vec![
                "names_the_claim/mean",
                "claims-triage-evaluation (evaluation)",
                "Assessments on evaluation traces",
                "LLM_JUDGE 2 on 2",
                "hana.reviewer",
            ],
        ),
    ] {
        let out = dir
            .path()
            .join(format!("pack-{}", version.replace(['/', ':'], "_")));
        cli.ok(&[
            "export",
            "audit-pack",
            version,
            "-o",
            out.to_str().expect("o"),
        ]);
        let text = pdf_text(&out.join("audit-pack.pdf"));
        for w in want {
            assert!(text.contains(w), "{version}: the PDF lacks {w:?}:\n{text}");
        }
    }
}

fn pdf_text(pdf: &Path) -> String {
    let o = std::process::Command::new("pdftotext")
        .args([pdf.to_str().expect("p"), "-"])
        .output()
        .expect("pdftotext (scripts/install-test-deps.sh installs it)");
    assert!(o.status.success(), "pdftotext failed");
    // Table cells wrap: compare with every run of white space as one space.
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Data-use rules at the training set: a marketing model trained on a CRM extract that MLflow
/// records with the input tag `classification = pii` (`mlflow.log_input(…, tags=…)`) fails the
/// `data_use` check, which names the rule and the dataset; the fraud model, trained and
/// evaluated on untagged data, passes it; `lineage --report` lists every version trained on the
/// extract, the champion marked in production.
#[test]
fn a_data_use_rule_finds_personal_data_in_a_marketing_model_and_the_report_lists_its_versions() {
    let (uri, m) = mlflow_evaluations();
    let cli = Cli::new();
    let dir = tempfile::tempdir().expect("tmp");
    let (allowed, policy) =
        countersign_e2e::vera_validator(&cli, dir.path(), &dir.path().join("vera"), None);
    let text = std::fs::read_to_string(&policy).expect("policy");
    let at = text.find("[roster]").expect("roster");
    let extra = r#"
[[data_use]]
id = "pii-not-marketing"
text = "Personal data may not train or evaluate marketing models"
tags = { classification = "pii" }
forbidden_for = { purposes = ["marketing"] }

[[checklist]]
id = "DU-01"
area = "Data"
title = "The data used is allowed for this model"
guidance = "Every dataset the model was trained or evaluated on is allowed for its purpose."
tiers = ["2", "3"]
kinds = ["classic"]
check = { kind = "data_use" }

"#;
    std::fs::write(&policy, format!("{}{extra}{}", &text[..at], &text[at..])).expect("policy");
    countersign_e2e::release_trust(&cli, &uri, &[], &policy, &allowed);
    cli.ok(&["--platform", &uri, "sync", "--quiet"]);
    let c = &m["campaign"];
    let digest = c["crm_digest"].as_str().expect("digest");
    let champion = format!(
        "models:/campaign-uplift/{}",
        c["champion"].as_str().expect("c")
    );

    // The tag reaches the evidence as MLflow recorded it.
    let shown = cli.json(&["--platform", &uri, "show", &champion, "--json"]);
    let ds = shown.to_string();
    assert!(
        ds.contains(r#""tags":{"classification":"pii"}"#),
        "the dataset's tags are in the evidence: {ds}"
    );

    let review = |v: &str| {
        cli.json(&[
            "--policy",
            policy.to_str().expect("p"),
            "review",
            "start",
            v,
            "--json",
            "--as",
            "vera.validator@bank.example",
        ])
    };
    let auto = item(&review(&champion), "DU-01")["automatic"].clone();
    assert_eq!(auto["outcome"], "fail", "{auto}");
    let why = auto["explanation"].as_str().unwrap_or_default();
    assert!(
        why.contains("dataset 'crm_contacts_2026q3' (training in run ")
            && why.contains("source s3://crm-extracts/contacts_2026q3.parquet")
            && why.contains("rule pii-not-marketing \"Personal data may not train or evaluate marketing models\"")
            && why.contains("dataset tag classification = pii")
            && why.contains("forbidden for purpose marketing (this model: purpose 'marketing')"),
        "{why}"
    );
    let f = &m["fraud"];
    let fraud = format!(
        "models:/{}/{}",
        f["name"].as_str().expect("n"),
        f["version"].as_str().expect("v")
    );
    let auto = item(&review(&fraud), "DU-01")["automatic"].clone();
    assert_eq!(auto["outcome"], "pass", "{auto}");

    // The answer to a deletion request for the extract.
    let report = cli.json(&[
        "--platform",
        &uri,
        "lineage",
        "--dataset",
        digest,
        "--report",
        "--json",
    ]);
    assert_eq!(report["schema"], "countersign.lineage-report/v1");
    let uses = report["uses"].as_array().expect("uses");
    let versions: Vec<(&str, Vec<&str>, &str)> = uses
        .iter()
        .map(|u| {
            (
                u["version"].as_str().expect("v"),
                u["production"]
                    .as_array()
                    .expect("aliases")
                    .iter()
                    .map(|a| a.as_str().expect("a"))
                    .collect(),
                u["status"].as_str().expect("status"),
            )
        })
        .collect();
    let other = format!(
        "models:/campaign-uplift/{}",
        c["versions"][1].as_str().expect("v2")
    );
    assert_eq!(
        versions,
        vec![
            (champion.as_str(), vec!["champion"], "in review"),
            (other.as_str(), vec![], "not reviewed"),
        ],
        "{report}"
    );
    let table = cli.ok(&[
        "--platform",
        &uri,
        "lineage",
        "--dataset",
        digest,
        "--report",
    ]);
    assert!(
        table.starts_with(&format!(
            "2 versions used '{digest}': 1 in production, 0 approved"
        )),
        "{table}"
    );
}

/// The policy caps the traces read per evaluation run; the evidence says how many were read
/// and that there were more, and the same cap gives the same evidence on every read.
#[test]
fn the_policy_caps_the_traces_read_and_the_evidence_says_so() {
    let (uri, m) = mlflow_evaluations();
    let cli = Cli::new();
    let dir = tempfile::tempdir().expect("tmp");
    let (allowed, policy) =
        countersign_e2e::vera_validator(&cli, dir.path(), &dir.path().join("vera"), None);
    let text = std::fs::read_to_string(&policy).expect("policy");
    let at = text.find("[roster]").expect("roster");
    let capped = format!(
        "{}[evidence]\nmax_traces = 2\n\n{}",
        &text[..at],
        &text[at..]
    );
    std::fs::write(&policy, capped).expect("policy");
    countersign_e2e::release_trust(&cli, &uri, &[], &policy, &allowed);
    // The reviewer configured no policy: the store still reads under the release's cap, as
    // verification does, so the two agree.
    cli.ok(&["--platform", &uri, "sync", "--quiet"]);
    let p = &m["prompt"];
    assert!(p["traces"].as_u64().expect("traces") > 2, "{p}");
    let pv = format!(
        "models:/{}/{}",
        p["name"].as_str().expect("n"),
        p["version"].as_str().expect("v")
    );
    let shown = cli.json(&["show", &pv, "--json"]);
    let a = &evaluation(&shown, p["evaluation_run_id"].as_str().expect("id"))["assessments"];
    assert_eq!(
        (a["traces"].as_u64(), a["more"].as_bool()),
        (Some(2), Some(true)),
        "{a}"
    );
    // Read again fresh from the platform (as verification does): the same two rows, the same
    // evidence, so a capped sample never makes an approval look stale.
    let fresh = cli.json(&["verify", &pv, "--json"]);
    assert_eq!(
        fresh["evidence_sha256"], shown["evidence_sha256"],
        "a capped read is the same on every read: {fresh}"
    );
    let text = cli.ok(&["show", &pv]);
    assert!(
        text.contains("2 (the cap; more not read) traces read"),
        "{text}"
    );
}
