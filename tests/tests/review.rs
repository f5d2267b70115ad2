//! The review workflow through the CLI: a scripted review of a seeded MLflow version (champion
//! vs challenger, real metrics) reaches "ready for decision"; findings block approval; and a
//! review process killed with SIGKILL loses nothing it had saved.

use countersign_e2e::{mlflow_uri, Cli};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn item<'a>(review: &'a Value, id: &str) -> &'a Value {
    review["review"]["header"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

#[test]
fn scripted_review_of_a_seeded_mlflow_version() {
    let cli = Cli::new();
    cli.ok(&["--platform", &mlflow_uri(), "sync", "--quiet"]);
    let v = "models:/credit-scoring/2";
    let started = cli.json(&[
        "review",
        "start",
        v,
        "--json",
        "--as",
        "vera.validator@bank.example",
    ]);
    assert_eq!(started["resumed"], false);
    assert_eq!(started["review"]["header"]["tier"], "1");
    let shown = cli.json(&["show", v, "--json"]);
    assert_eq!(
        started["review"]["header"]["evidence_sha256"], shown["evidence_sha256"],
        "the review freezes the synced evidence"
    );

    // Automatic checks against the real metrics.
    let oa = &item(&started, "OA-01")["automatic"];
    assert_eq!(
        oa,
        &json!({"outcome": "pass", "explanation": "auc_holdout = 0.8 ≥ 0.7 on dataset 'credit_oot_2025q3'"})
    );
    let bm = &item(&started, "BM-01")["automatic"];
    assert_eq!(
        bm,
        &json!({"outcome": "pass", "explanation": "challenger auc_holdout 0.8 vs champion v1 0.78: no worse"})
    );
    assert_eq!(item(&started, "DQ-01")["automatic"]["outcome"], "pass");
    assert_eq!(
        item(&started, "DQ-02")["automatic"]["explanation"],
        "recorded: git commit 4b1c2d3e4f50, configuration (3 params)"
    );
    assert_eq!(
        item(&started, "MON-01")["automatic"]["explanation"],
        "the model tag monitoring = 'enabled'"
    );
    assert_eq!(item(&started, "CS-02")["automatic"]["outcome"], "pass");
    assert_eq!(
        item(&started, "OA-02")["automatic"],
        json!({"outcome": "missing", "explanation": "metric 'psi' is not recorded on the version's run or its evaluations"})
    );

    let status = cli.json(&["review", "status", v, "--json"]);
    assert_eq!(status["ready_for_decision"], false);
    let total = status["total"].as_u64().expect("total");
    assert_eq!(
        status["unanswered"].as_array().map(Vec::len),
        Some(total as usize)
    );

    // Confirming a check whose evidence is missing is refused with the fix.
    let out = cli.run(&["review", "answer", v, "OA-02", "confirm"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("answer pass, fail or na with a note"));
    // Answer everything: confirm the automatic results, attest the rest.
    for it in started["review"]["header"]["items"]
        .as_array()
        .expect("items")
    {
        let id = it["id"].as_str().expect("id");
        let auto = &it["automatic"]["outcome"];
        if auto == "pass" {
            cli.ok(&["review", "answer", v, id, "confirm"]);
        } else if id == "OA-02" {
            cli.ok(&[
                "review",
                "answer",
                v,
                id,
                "na",
                "--note",
                "PSI is monitored in production, not at validation",
            ]);
        } else {
            cli.ok(&[
                "review",
                "answer",
                v,
                id,
                "pass",
                "--note",
                "reviewed the development pack",
                "--evidence",
                "doc://credit/validation-2025q4.pdf",
            ]);
        }
    }
    // Every item answered: a decision can be made; an approval waits for the tier's report.
    let status = cli.json(&["review", "status", v, "--json"]);
    assert_eq!(status["ready_for_decision"], true, "{status}");
    assert_eq!(status["can_approve"], false, "{status}");
    assert!(
        status["blockers"][0]
            .as_str()
            .unwrap_or("")
            .starts_with("the validation report lacks sections required by tier 1: executive_summary, scope, rating, conclusion, model_limitations, validation_limitations"),
        "{status}"
    );
    countersign_e2e::write_required_report(&cli, v, "victor.validator@demo.bank");
    let status = cli.json(&["review", "status", v, "--json"]);
    assert_eq!(status["can_approve"], true, "{status}");

    // An open high finding blocks approval on tier 1 until it is remediated.
    let f = cli.json(&[
        "review",
        "finding",
        "add",
        v,
        "--title",
        "Back-test window too short",
        "--severity",
        "high",
        "--owner",
        "carla.owner@bank.example",
        "--due",
        "2027-02-28",
        "--json",
    ]);
    assert_eq!(f["id"], "F-1");
    let status = cli.json(&["review", "status", v, "--json"]);
    assert_eq!(status["ready_for_decision"], true);
    assert_eq!(status["can_approve"], false);
    assert!(
        status["blockers"][0]
            .as_str()
            .unwrap_or("")
            .starts_with("open high finding F-1: Back-test window too short"),
        "{status}"
    );
    // The model's owner (a builder) cannot confirm its remediation; a validator can, with a
    // note saying what was done.
    let owner = shown["model"]["owner"].as_str().unwrap_or("").to_string();
    let o = cli.run(&[
        "--as",
        &owner,
        "review",
        "finding",
        "update",
        v,
        "F-1",
        "--status",
        "remediated",
        "--note",
        "fixed it myself",
    ]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("did not build the model"), "{err}");
    let o = cli.run(&[
        "review",
        "finding",
        "update",
        v,
        "F-1",
        "--status",
        "remediated",
    ]);
    assert_eq!(o.status.code(), Some(4), "no note: bad input");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--note"));
    // (The built-in policy's roster names the demo's validators.)
    cli.ok(&[
        "--as",
        "victor.validator@demo.bank",
        "review",
        "finding",
        "update",
        v,
        "F-1",
        "--status",
        "remediated",
        "--note",
        "Back-test extended to 36 months",
        "--evidence",
        "JIRA-4711",
    ]);
    assert_eq!(
        cli.json(&["review", "status", v, "--json"])["can_approve"],
        true
    );
    // `review show` tells each finding's story: raised, then remediated by whom and why.
    let text = cli.ok(&["review", "show", v]);
    assert!(
        text.contains("F-1 High Remediated due 2027-02-28 — Back-test window too short"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l
            .trim_start()
            .starts_with("Remediated by victor.validator@demo.bank at ")
            && l.ends_with(": Back-test extended to 36 months (evidence JIRA-4711)")),
        "{text}"
    );

    // review.json is deterministic and holds every answer.
    let a = cli.run(&["review", "show", v, "--record"]);
    let b = cli.run(&["review", "show", v, "--record"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    let record: Value = serde_json::from_slice(&a.stdout).expect("review.json");
    assert_eq!(record["type"], "countersign.review/v1");
    assert_eq!(record["evidence_sha256"], shown["evidence_sha256"]);
    assert!(record["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|i| !i["answer"].is_null()));
    assert_eq!(record["findings"][0]["status"], "remediated");
    assert!(String::from_utf8_lossy(&a.stderr)
        .contains(&countersign_core::encoding::sha256_hex(&a.stdout)));

    // Starting again resumes the same review.
    let again = cli.json(&["review", "start", v, "--json"]);
    assert_eq!(again["resumed"], true);
    assert_eq!(
        again["review"]["header"]["id"],
        started["review"]["header"]["id"]
    );
}

#[test]
fn policy_check_and_tier_through_the_cli() {
    let cli = Cli::new();
    let out = cli.ok(&["policy", "check"]);
    assert!(
        out.contains("built-in default policy: ok") && out.contains("sha256:"),
        "{out}"
    );
    let bad = cli.data.path().join("bad.toml");
    std::fs::write(
        &bad,
        countersign_core::policy::DEFAULT_POLICY.replacen(
            "review_cadence_months = 12",
            "review_cadence_months = -1",
            1,
        ),
    )
    .expect("write");
    let o = cli.run(&["policy", "check", bad.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(4));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml: line") && err.contains("tiers.1.review_cadence_months"),
        "{err}"
    );

    cli.ok(&["demo", "--no-tui"]);
    let t = cli.json(&["tier", "retail-pd-scorecard", "--json"]);
    assert_eq!(t["tier"], "1");
    assert_eq!(t["disagrees"], false);
    let t = cli.json(&[
        "tier",
        "models:/retail-pd-scorecard/1",
        "--answer",
        "exposure=informational",
        "--answer",
        "purpose=operational",
        "--json",
    ]);
    assert_eq!(t["tier"], "2");
    assert_eq!(t["disagrees"], true);
    let o = cli.run(&["tier", "retail-pd-scorecard", "--answer", "vibes=good"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("the rubric has no question 'vibes'"));
}

#[test]
fn a_killed_review_loses_nothing_it_saved() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let v = "models:/mortgage-lgd/2";
    let started = cli.json(&["review", "start", v, "--json"]);
    let ids: Vec<String> = started["review"]["header"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().unwrap_or("").to_string())
        .collect();

    // 50 kills, each after a different number of saved answers.
    for attempt in 0..50 {
        // A scripted review answering every item over and over, each note naming its round.
        let mut child = cli
            .command(&["review", "apply", v, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        let ids2 = ids.clone();
        let writer = std::thread::spawn(move || {
            for round in 0..100_000 {
                for id in &ids2 {
                    if writeln!(stdin, "{id}\tpass\tattempt {attempt} round {round}").is_err() {
                        return;
                    }
                }
            }
        });
        let mut saved: std::collections::BTreeMap<String, u64> = Default::default();
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        // Kill after a number of saved answers that varies per attempt.
        let kill_after = 3 + (attempt * 37) % 120;
        let mut n = 0;
        while let Some(Ok(line)) = lines.next() {
            // "saved ID pass attempt A round R"
            let parts: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(parts[0], "saved", "{line}");
            saved.insert(parts[1].to_string(), parts[6].parse().expect("round"));
            n += 1;
            if n >= kill_after || Instant::now() > deadline {
                break;
            }
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        drop(lines);
        let _ = writer.join();
        assert!(
            n >= kill_after,
            "the scripted review stopped after {n} answers"
        );

        // Every answer reported as saved is there, at that round or a later one.
        let shown = cli.json(&["review", "show", v, "--json"]);
        for (id, round) in &saved {
            let note = shown["review"]["answers"][id]["note"]
                .as_str()
                .unwrap_or_else(|| panic!("answer {id} lost after SIGKILL"));
            let words: Vec<&str> = note.split_whitespace().collect();
            let (a, r): (usize, u64) = (
                words[1].parse().expect("attempt"),
                words[3].parse().expect("round"),
            );
            assert!(
                a == attempt && r >= *round,
                "{id}: stored '{note}', but round {round} of attempt {attempt} was reported saved"
            );
        }
    }
    // The store is sound and the review goes on.
    let status = cli.json(&["review", "status", v, "--json"]);
    assert_eq!(status["answered"], status["total"]);
    let store = countersign_core::store::Store::open(&cli.data.path().join("countersign.db"))
        .expect("store opens");
    store.integrity_check().expect("integrity");
}

/// Vera (validator) and Alex (approver) approve `v`; each signature must succeed.
fn approve_as_validator_and_approver(w: &countersign_e2e::World, v: &str) {
    for (who, role) in [
        ("vera.validator@demo.bank", "validator"),
        ("alex.approver@demo.bank", "approver"),
    ] {
        let o = w.sign(who, v, role, "approve");
        assert!(
            o.status.success(),
            "{who}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// The run file of the folder platform that holds `run_id`.
fn run_file(demo: &std::path::Path, run_id: &str) -> std::path::PathBuf {
    std::fs::read_dir(demo.join("runs"))
        .expect("runs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| t.contains(&format!("run_id = \"{run_id}\"")))
        })
        .unwrap_or_else(|| panic!("no run file holds {run_id}"))
}

#[test]
fn a_stale_approval_is_re_approved_through_a_new_review() {
    use countersign_e2e::{World, DEMO_V};
    let w = World::new();
    let v = DEMO_V;
    assert_eq!(w.gate(v, &[]), 0, "the demo's approvals count");
    let first = w.cli.json(&["review", "list", v, "--json"]);
    let reviews = first["reviews"].as_array().expect("reviews");
    assert_eq!(reviews.len(), 1, "{first}");
    let old_id = reviews[0]["id"].as_str().expect("id").to_string();
    let signers: Vec<&str> = reviews[0]["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .filter_map(|a| a["signer"].as_str())
        .collect();
    assert!(
        signers.contains(&"vera.validator@demo.bank")
            && signers.contains(&"alex.approver@demo.bank"),
        "the approvals made on the review are listed with it: {first}"
    );

    // A metric is logged on the version's run: the approvals go stale.
    let show = w.cli.json(&["show", v, "--json"]);
    let run_id = show["evidence"]["run"]["run_id"].as_str().expect("run");
    let file = run_file(&w.demo(), run_id);
    let text = std::fs::read_to_string(&file).expect("run");
    assert!(text.contains("[metrics]\n"), "{text}");
    std::fs::write(
        &file,
        text.replacen("[metrics]\n", "[metrics]\nbacktest_ks = 0.41\n", 1),
    )
    .expect("write");
    w.cli.ok(&["sync", "--quiet"]);
    assert_eq!(w.gate(v, &[]), 1, "stale approvals do not count");

    // The old review cannot be signed again; the refusal says what to do.
    let o = w.sign("vera.validator@demo.bank", v, "validator", "approve");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains(&format!("review start --new {v}")), "{err}");
    // Resuming is still resuming: `review start` without --new keeps the old review.
    let resumed = w.cli.json(&["review", "start", v, "--json"]);
    assert_eq!(resumed["resumed"], true);
    assert_eq!(resumed["review"]["header"]["id"], old_id.as_str());

    // A new review, answered, signed by the validator and the approver: the gate passes again.
    let started = w.cli.json(&["review", "start", "--new", v, "--json"]);
    assert_eq!(started["resumed"], false, "{started}");
    let new_id = started["review"]["header"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_ne!(new_id, old_id);
    assert_eq!(started["review"]["header"]["supersedes"], old_id.as_str());
    assert!(
        started["review"]["header"]["evidence"]["run"]["metrics"]["backtest_ks"].is_object(),
        "the new review froze the evidence as the platform shows it now"
    );
    countersign_e2e::answer_review(&w.cli, v, &started["review"], "vera.validator@demo.bank");
    approve_as_validator_and_approver(&w, v);
    assert_eq!(w.gate(v, &[]), 0, "re-approved");

    // Both reviews are kept: the old one superseded with its approvals, the new one current.
    let list = w.cli.json(&["review", "list", v, "--json"]);
    let reviews = list["reviews"].as_array().expect("reviews");
    assert_eq!(reviews.len(), 2, "{list}");
    assert_eq!(reviews[0]["id"], old_id.as_str());
    assert_eq!(reviews[0]["superseded_by"], new_id.as_str());
    assert_eq!(reviews[0]["current"], false);
    assert_eq!(reviews[0]["evidence_changed"], true);
    assert_eq!(reviews[1]["id"], new_id.as_str());
    assert_eq!(reviews[1]["current"], true);
    assert_eq!(reviews[1]["evidence_changed"], false);
    assert_eq!(reviews[1]["answered"], reviews[1]["total"]);
    let on_new: Vec<&str> = reviews[1]["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .filter_map(|a| a["signer"].as_str())
        .collect();
    assert_eq!(on_new.len(), 2, "{list}");
    let text = w.cli.ok(&["review", "list", v]);
    assert!(text.contains(&format!("superseded by {new_id}")), "{text}");
}

#[test]
fn a_new_review_never_hides_a_reject_and_revalidates_unchanged_evidence() {
    use countersign_e2e::{World, DEMO_V};
    let w = World::new();
    let v = DEMO_V;
    // Periodic revalidation of an unchanged version: a new review over the same evidence,
    // approved again; the gate passes throughout and both reviews are kept.
    let started = w.cli.json(&["review", "start", "--new", v, "--json"]);
    assert_eq!(started["resumed"], false);
    countersign_e2e::answer_review(&w.cli, v, &started["review"], "vera.validator@demo.bank");
    approve_as_validator_and_approver(&w, v);
    assert_eq!(w.gate(v, &[]), 0);
    let superseded = w
        .demo()
        .join("reviews/credit-limit-assignment/3/superseded");
    let moved: Vec<_> = std::fs::read_dir(&superseded)
        .expect("superseded")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(
        moved[0].join("review.json").exists()
            && std::fs::read_dir(moved[0].join("approvals"))
                .expect("approvals")
                .count()
                >= 4,
        "the old review and its signed records were moved aside, not deleted"
    );
    // The audit pack carries the superseded review the earlier (still counting) records bind,
    // and its VERIFY.txt checks every record against the review it names.
    let out = w.cli.data.path().join("revalidated-pack");
    let o = w
        .cli
        .run(&["export", "audit-pack", v, "-o", out.to_str().expect("p")]);
    let export_log = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{export_log}");
    assert!(
        out.join("earlier-reviews/01/review.json").is_file(),
        "{export_log}\n{:?}\n{}",
        std::fs::read_dir(&out)
            .expect("pack")
            .map(|e| e.expect("e").file_name())
            .collect::<Vec<_>>(),
        std::fs::read_to_string(out.join("VERIFY.txt")).unwrap_or_default()
    );
    assert!(out.join("earlier-reviews/01/evidence.json").is_file());
    let verify = |dir: &std::path::Path| {
        let o = std::process::Command::new("bash")
            .arg(dir.join("VERIFY.txt"))
            .arg(w.cli.pinned().expect("pinned"))
            .output()
            .expect("bash");
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let (ok, text) = verify(&out);
    assert!(ok, "VERIFY.txt of a re-reviewed version: {text}");
    // Swapping the earlier review for the current one (both are in the pack) is caught.
    std::fs::copy(
        out.join("review.json"),
        out.join("earlier-reviews/01/review.json"),
    )
    .expect("copy");
    let (ok, text) = verify(&out);
    assert!(!ok, "{text}");
    assert!(text.contains("earlier-reviews/01/review.json"), "{text}");

    // A validator rejects; a builder then starts yet another review hoping to bury it.
    let o = w.sign("victor.validator@demo.bank", v, "validator", "reject");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(w.gate(v, &[]), 1);
    let again = w.cli.json(&["review", "start", "--new", v, "--json"]);
    countersign_e2e::answer_review(&w.cli, v, &again["review"], "vera.validator@demo.bank");
    approve_as_validator_and_approver(&w, v);
    // A machine that never saw the reject (a CI gate with a fresh store) reads it from the
    // superseded review's folder: it blocks there too, not only through this ledger.
    let ci = Cli::new();
    ci.pin(&w.cli.data.path().join("demo-trust/root.signers"));
    let uri = countersign_e2e::demo_uri(&w.cli);
    ci.ok(&["--platform", &uri, "sync", "--quiet"]);
    let o = ci.run(&["--platform", &uri, "gate", v]);
    let text = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the reject on the superseded review still blocks: {text}"
    );
    assert!(
        text.contains("validator victor.validator@demo.bank rejected it"),
        "{text}"
    );
    let o = ci.run(&["--platform", &uri, "verify", v, "--json"]);
    let ver: Value = serde_json::from_slice(&o.stdout).expect("verify json");
    let victor = ver["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .find(|a| a["record"]["signer"] == "victor.validator@demo.bank")
        .unwrap_or_else(|| panic!("victor's reject is listed: {ver}"));
    assert!(
        victor["location"]
            .as_str()
            .is_some_and(|l| l.contains("/superseded/")),
        "read from the superseded review's folder: {victor}"
    );

    // A planted non-folder in superseded/ is never skipped: it blocks as unreadable.
    std::fs::write(superseded.join("planted"), b"x").expect("plant");
    let o = ci.run(&["--platform", &uri, "gate", v]);
    let text = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.code() == Some(1) && text.contains("planted"),
        "{text}"
    );
    std::fs::remove_file(superseded.join("planted")).expect("unplant");
    let list = w.cli.json(&["review", "list", v, "--json"]);
    assert_eq!(
        list["reviews"].as_array().expect("reviews").len(),
        3,
        "{list}"
    );
}

/// Managers see how long findings have been open and which assignments are late: per version
/// in the queue, and in the portfolio report (JSON and PDF) with the dashboard's figures.
#[test]
fn the_queue_and_the_portfolio_show_open_findings_and_assignments_past_due() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let q = cli.json(&["queue", "--json"]);
    let v = q["items"][0]["version_ref"]
        .as_str()
        .expect("a queued version")
        .to_string();
    let vera = "victor.validator@demo.bank";
    cli.ok(&["review", "start", &v, "--as", vera]);
    cli.ok(&[
        "review",
        "finding",
        "add",
        &v,
        "--title",
        "Back-test window too short",
        "--severity",
        "high",
        "--due",
        "2026-01-31",
        "--owner",
        "olga.owner@demo.bank",
        "--as",
        vera,
    ]);
    cli.ok(&[
        "assign",
        &v,
        "--to",
        "vera.validator@demo.bank",
        "--due",
        "2026-02-01",
        "--as",
        vera,
    ]);
    let today = chrono::Utc::now().date_naive();
    let late = (today - chrono::NaiveDate::from_ymd_opt(2026, 2, 1).expect("date")).num_days();

    let q = cli.json(&["queue", "--json"]);
    let item = q["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["version_ref"] == v.as_str())
        .expect("still queued");
    let f = &item["findings"][0];
    assert_eq!(f["id"], "F-1", "{item}");
    assert_eq!(f["days_open"], 0);
    assert_eq!(f["past_due"], true);
    assert_eq!(f["severity"], "high");

    let dir = tempfile::tempdir().expect("tmp");
    let json_path = dir.path().join("portfolio.json");
    cli.ok(&["export", "inventory", "-o", json_path.to_str().expect("p")]);
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json"))
        .expect("portfolio json");
    assert!(
        r["figures"]["open_findings"].as_u64() >= Some(1),
        "{}",
        r["figures"]
    );
    assert!(r["figures"]["findings_past_due"].as_u64() >= Some(1));
    assert_eq!(r["figures"]["assignments_past_due"], 1, "{}", r["figures"]);
    let a = &r["assignments_past_due"][0];
    assert_eq!(a["version"], v.as_str());
    assert_eq!(a["assignment"]["to"], "vera.validator@demo.bank");
    assert_eq!(a["days_late"], late);
    let found = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|x| x["version"] == v.as_str())
        .expect("the finding");
    assert_eq!(found["finding"]["title"], "Back-test window too short");

    let pdf = dir.path().join("portfolio.pdf");
    cli.ok(&["export", "inventory", "-o", pdf.to_str().expect("p")]);
    let o = std::process::Command::new("pdftotext")
        .args([pdf.to_str().expect("p"), "-"])
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "Assignments past due",
        "Open findings",
        "Back-test window too short",
        &format!("{late} days"),
    ] {
        assert!(
            text.contains(want),
            "the portfolio PDF lacks {want:?}: {text}"
        );
    }
}

#[test]
fn the_validation_report_is_written_from_the_cli_and_hostile_text_is_refused() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let v = "models:/mortgage-lgd/2";
    cli.ok(&["review", "start", v]);
    // From --text, from a file, and from a scripted review.
    cli.ok(&[
        "--as",
        "vera.validator@demo.bank",
        "review",
        "report",
        "set",
        v,
        "--section",
        "executive-summary",
        "--text",
        "Fit for IRB use.",
    ]);
    let scope = cli.data.path().join("scope.md");
    std::fs::write(
        &scope,
        "In: the LGD model.\nOut: the collateral valuations.\n",
    )
    .expect("w");
    cli.ok(&[
        "--as",
        "vera.validator@demo.bank",
        "review",
        "report",
        "set",
        v,
        "--section",
        "scope",
        "--file",
        scope.to_str().expect("p"),
    ]);
    let mut child = cli
        .command(&[
            "--as",
            "vera.validator@demo.bank",
            "review",
            "apply",
            v,
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"report:rating\tSatisfactory with findings\nreport:conclusion\tFit for purpose.\\nSubject to F-1.\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("saved report conclusion"));
    let shown = cli.json(&["review", "report", "show", v, "--json"]);
    assert_eq!(shown["schema"], "countersign.review-report/v1");
    let r = &shown["report"];
    assert_eq!(r["executive_summary"]["text"], "Fit for IRB use.");
    assert_eq!(
        r["scope"]["text"],
        "In: the LGD model.\nOut: the collateral valuations."
    );
    assert_eq!(r["rating"]["text"], "satisfactory_with_findings");
    assert_eq!(r["conclusion"]["text"], "Fit for purpose.\nSubject to F-1.");
    assert_eq!(r["conclusion"]["written_by"], "vera.validator@demo.bank");
    // Refused with exit 4, naming the section and the fix; nothing is saved.
    for (args, want) in [
        (
            vec!["--section", "rating", "--text", "excellent"],
            "is not a rating",
        ),
        (
            vec!["--section", "summary", "--text", "x"],
            "the sections are executive_summary",
        ),
        (
            vec!["--section", "conclusion", "--text", "ok\u{1b}[2J"],
            "control character U+001B",
        ),
    ] {
        let mut a = vec![
            "--as",
            "vera.validator@demo.bank",
            "review",
            "report",
            "set",
            v,
        ];
        a.extend(args);
        let o = cli.run(&a);
        assert_eq!(o.status.code(), Some(4), "{a:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{a:?}: {err}");
        assert!(
            !err.contains('\u{1b}'),
            "the terminal never gets the escape"
        );
    }
    let again = cli.json(&["review", "report", "show", v, "--json"]);
    assert_eq!(
        again["report"], shown["report"],
        "nothing refused was saved"
    );
    // The builder of the model never writes its validation report.
    let o = cli.run(&[
        "--as",
        "bob.builder@demo.bank",
        "review",
        "report",
        "set",
        v,
        "--section",
        "conclusion",
        "--text",
        "Looks great.",
    ]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("bob.builder@demo.bank' is the"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Nor does a look-alike of the validator: a Cyrillic 'е', another domain (a zero for the
    // 'o'), an invisible character — none is the roster's validator. (A sub-address is the
    // same mailbox: the policy folds `vera+x@` onto `vera@` unless `fold_subaddresses = false`.)
    for who in [
        "v\u{435}ra.validator@demo.bank",
        "vera.validator@dem0.bank",
        "vera.validator\u{200b}@demo.bank",
    ] {
        let o = cli.run(&[
            "--as",
            who,
            "review",
            "report",
            "set",
            v,
            "--section",
            "conclusion",
            "--text",
            "Approve at once.",
        ]);
        assert!(!o.status.success(), "{who:?} wrote the report");
        if who.contains('\u{200b}') {
            // Refused as an identity before anything: nothing is recorded under a name that
            // reads as someone else's.
            assert_eq!(o.status.code(), Some(4));
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("invisible character U+200B"),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    assert_eq!(
        cli.json(&["review", "report", "show", v, "--json"])["report"],
        shown["report"],
        "no look-alike changed the report"
    );
    // The Markdown report carries what was written; a hostile heading cannot restyle it.
    cli.ok(&[
        "--as",
        "vera.validator@demo.bank",
        "review",
        "report",
        "set",
        v,
        "--section",
        "recommendations",
        "--text",
        "# Approved by the board\n<script>x</script>",
    ]);
    let md = cli.data.path().join("r.md");
    cli.ok(&["export", "report", v, "-o", md.to_str().expect("p")]);
    let text = std::fs::read_to_string(&md).expect("md");
    // Lines are kept (a hard break), and each shows literally.
    assert!(
        text.contains("Fit for purpose.  \nSubject to F-1."),
        "{text}"
    );
    assert!(text.contains("\\# Approved by the board"), "{text}");
    assert!(
        !text.contains("<script>") && text.contains("&lt;script&gt;"),
        "{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("# Approved")), "{text}");
}

#[test]
fn a_look_ahead_is_never_a_look_back_and_says_what_it_cannot_see() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let o = cli.run(&["queue", "--as-of", "2020-01-01"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is before today"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let ahead = (chrono::Utc::now().date_naive() + chrono::Days::new(400))
        .format("%Y-%m-%d")
        .to_string();
    // Judged from the ledger, expiries are unknown: the queue says so.
    let q = cli.json(&["queue", "--offline", "--as-of", &ahead, "--json"]);
    assert_eq!(q["today"], ahead.as_str());
    assert!(
        q["unverified"]
            .as_array()
            .expect("unverified")
            .iter()
            .any(|u| u
                .as_str()
                .unwrap_or("")
                .contains("expiries are not in the ledger")),
        "{q}"
    );
    // Verified (the demo pins its root): the demo's conditional approval of
    // fraud-detection-cards/1 (180 days) has lapsed 400 days ahead.
    let q = cli.json(&["queue", "--as-of", &ahead, "--json"]);
    let item = q["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["version_ref"] == "models:/fraud-detection-cards/1")
        .unwrap_or_else(|| panic!("{q}"))
        .clone();
    assert!(
        item["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r["kind"] == "condition_expired"),
        "{item}"
    );
    let text = cli.ok(&["queue", "--as-of", &ahead]);
    assert!(
        text.contains(&format!("Review queue as of {ahead} (a look ahead")),
        "{text}"
    );
}
