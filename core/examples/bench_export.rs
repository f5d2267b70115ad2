//! Benchmark of the exports (not a test): prints timings.
//!
//! `cargo run --release -p countersign-core --example bench_export`
//!
//! - audit pack of a version with 200 params, 100 metrics × 1,000 history steps, 20 datasets,
//!   60 checklist items and 3 approvals (target ≤ 300 ms);
//! - portfolio report (PDF) of 10,000 models (target ≤ 5 s).

use countersign_core::approval::verify::{ApprovalCheck, GateResult, Verification};
use countersign_core::approval::{ApprovalModel, ApprovalRecord, Decision, APPROVAL_TYPE};
use countersign_core::evidence::Evidence;
use countersign_core::export::audit_pack::{self, PackData};
use countersign_core::model::{DatasetInput, Metric, MetricPoint, Model, ModelKind, Run, Version};
use countersign_core::platform::Snapshot;
use countersign_core::policy::checks::{AutoOutcome, AutoResult};
use countersign_core::policy::{LoadedPolicy, Role};
use countersign_core::review::{Answer, Outcome, RecordItem, ReviewRecord, ReviewedModel};
use countersign_core::store::Store;
use countersign_core::uri::VersionRef;
use std::time::Instant;

fn model(i: usize) -> Model {
    let mut m = Model {
        name: format!("model-{i:05}"),
        kind: if i.is_multiple_of(10) {
            ModelKind::Prompt
        } else {
            ModelKind::Classic
        },
        description: "benchmark model".into(),
        owner: None,
        business_purpose: None,
        risk_tier: None,
        next_review_date: None,
        monitoring: None,
        llm_provider: None,
        created_ms: 1_700_000_000_000,
        updated_ms: 1_700_000_000_000,
        tags: [
            ("owner".to_string(), format!("owner{}@bank.example", i % 50)),
            ("risk_tier".to_string(), (1 + i % 3).to_string()),
            (
                "next_review_date".to_string(),
                if i.is_multiple_of(7) {
                    "2025-01-01".into()
                } else {
                    "2027-06-30".to_string()
                },
            ),
            ("monitoring".to_string(), "enabled".to_string()),
            (
                "llm_provider".to_string(),
                ["OpenAI", "Anthropic", "Mistral"][i % 3].to_string(),
            ),
        ]
        .into(),
        aliases: [("champion".to_string(), "1".to_string())].into(),
        stages: Default::default(),
    };
    m.apply_tag_names(&Default::default());
    m
}

fn version(name: &str, v: usize) -> Version {
    Version {
        name: name.into(),
        version: v.to_string(),
        creator: Some("builder@bank.example".into()),
        created_ms: 1_700_000_000_000,
        updated_ms: 1_700_000_000_000,
        source: format!("s3://models/{name}/{v}"),
        run_id: Some(format!("run-{name}-{v}")),
        status: "READY".into(),
        description: String::new(),
        aliases: vec![],
        files: Vec::new(),
        tags: Default::default(),
        stage: None,
    }
}

fn pack_data() -> PackData {
    let name = "big-model";
    let v = version(name, 1);
    let run = Run {
        run_id: "run-big".into(),
        run_name: "train".into(),
        experiment_id: "1".into(),
        experiment_name: Some("/bench".into()),
        user: Some("builder@bank.example".into()),
        status: "FINISHED".into(),
        start_ms: 0,
        end_ms: Some(1),
        source_name: Some("train.py".into()),
        git_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        git_repo: Some("https://git.example/models.git".into()),
        params: (0..200)
            .map(|i| (format!("param_{i:03}"), format!("value {i} with some text")))
            .collect(),
        metrics: (0..100)
            .map(|i| {
                let history: Vec<MetricPoint> = (0..1000)
                    .map(|s| MetricPoint {
                        step: s,
                        timestamp_ms: s,
                        value: Some(0.5 + (s as f64 / 1000.0) * (i as f64 / 200.0)),
                    })
                    .collect();
                (
                    format!("metric_{i:03}"),
                    Metric {
                        value: history.last().and_then(|p| p.value),
                        step: 999,
                        timestamp_ms: 999,
                        history,
                    },
                )
            })
            .collect(),
        tags: Default::default(),
        datasets: (0..20)
            .map(|i| DatasetInput {
                context: if i % 2 == 0 {
                    "training".into()
                } else {
                    "validation".into()
                },
                name: format!("dataset_{i}"),
                digest: format!("{i:08x}"),
                source_type: "s3".into(),
                source: format!("s3://data/{i}.parquet"),
                tags: Default::default(),
            })
            .collect(),
        model_inputs: vec![],
        deleted: false,
        assessments: None,
    };
    let evidence = Evidence::assemble(&v, Some(&run), None, &[]);
    let items = (0..60)
        .map(|i| RecordItem {
            id: format!("IT-{i:02}"),
            title: format!("Checklist item {i} with a title long enough to wrap in its cell"),
            area: format!("Area {}", i / 10),
            automatic: (i % 3 == 0).then(|| AutoResult {
                outcome: AutoOutcome::Pass,
                explanation: format!("metric_{i:03} = 0.8 ≥ 0.7"),
            }),
            answer: Some(Answer {
                outcome: Outcome::Pass,
                note: "reviewed against the development pack".into(),
                evidence_refs: vec![],
                overrides_automatic: false,
                answered_by: None,
                answered_at: "2026-11-25T00:00:00Z".into(),
            }),
        })
        .collect();
    let policy = LoadedPolicy::default_policy().expect("policy");
    let review = ReviewRecord {
        kind: "countersign.review/v1".into(),
        review_id: "rev-bench".into(),
        platform: "bench".into(),
        model: ReviewedModel {
            name: name.into(),
            version: "1".into(),
            kind: ModelKind::Classic,
            run_id: Some("run-big".into()),
        },
        tier: "1".into(),
        policy_sha256: policy.sha256.clone(),
        policy_version: policy.policy.version.clone(),
        evidence_sha256: evidence.sha256(),
        reviewer: Some("vera".into()),
        started_at: "2026-11-25T00:00:00Z".into(),
        supersedes: None,
        items,
        findings: vec![],
        report: Default::default(),
    };
    let approvals: Vec<ApprovalCheck> = (0..3)
        .map(|i| {
            let record = ApprovalRecord {
                kind: APPROVAL_TYPE.into(),
                model: ApprovalModel {
                    platform: "bench".into(),
                    name: name.into(),
                    version: "1".into(),
                    run_id: Some("run-big".into()),
                    source: "s3://x".into(),
                },
                tier: "1".into(),
                role: if i == 0 {
                    Role::Validator
                } else {
                    Role::Approver
                },
                decision: Decision::Approve,
                conditions: vec![],
                expires_at: None,
                evidence_sha256: evidence.sha256(),
                review_sha256: "r".into(),
                policy_sha256: policy.sha256.clone(),
                policy_release_sha256: None,
                validator_record_sha256: None,
                inventory: None,
                artifacts: None,
                signer: format!("signer{i}@bank.example"),
                key_fingerprint: "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".into(),
                signed_at: "2026-11-25T00:00:00Z".into(),
            };
            ApprovalCheck {
                location: format!("approvals/a{i}.json"),
                record_sha256: "x".into(),
                record: Some(record),
                counts: true,
                reasons: vec![],
                stale: false,
                changes: vec![],
                signature_ok: true,
                deleted: false,
                signature_error: None,
                other_version: false,
                policy_release: Some(1),
            }
        })
        .collect();
    let files = approvals
        .iter()
        .map(|a| {
            (
                format!("a{}.json", a.location.len()),
                a.record.as_ref().map(|r| r.to_bytes()).unwrap_or_default(),
                Some(b"sig".to_vec()),
            )
        })
        .collect();
    PackData {
        version: VersionRef {
            name: name.into(),
            version: "1".into(),
        },
        platform: "bench".into(),
        exporter: "bench".into(),
        created_at: "2026-11-25T00:00:00Z".into(),
        model: model(1),
        evidence_bytes: evidence.to_canonical_json(),
        evidence,
        review_bytes: Some(serde_json::to_vec(&review).expect("json")),
        review: Some(review),
        policy,
        verification: Verification {
            version: "models:/big-model/1".into(),
            evidence_sha256: "e".into(),
            approvals,
            gate: GateResult {
                pass: true,
                tier: Some("1".into()),
                required_roles: vec![Role::Validator, Role::Approver],
                reasons: vec![],
            },
            under_other_names: vec![],
        },
        approvals: files,
        allowed_signers: b"# none\n".to_vec(),
        chain: vec![],
        pinned_root: String::new(),
        releases: vec![],
        earlier_reviews: vec![],
        comparisons: vec![],
    }
}

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) -> T {
    let mut times = Vec::new();
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        out = Some(f());
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{label}: min {:.3} s, median {:.3} s over {runs} runs",
        times[0],
        times[times.len() / 2]
    );
    out.expect("ran")
}

fn main() {
    let data = pack_data();
    let (files, _) = time(
        "audit pack (200 params, 100 metrics x 1000 steps, 20 datasets, 60 items, 3 approvals)",
        5,
        || audit_pack::build(&data).expect("pack"),
    );
    let pdf = files
        .iter()
        .find(|(p, _)| p == "audit-pack.pdf")
        .map(|(_, b)| b.len())
        .unwrap_or(0);
    println!("  PDF {:.0} KB", pdf as f64 / 1024.0);

    let mut store = Store::in_memory().expect("store");
    let snap = Snapshot {
        models: (0..10_000).map(model).collect(),
        versions: (0..10_000)
            .map(|i| version(&format!("model-{i:05}"), 1))
            .collect(),
        ..Default::default()
    };
    store.apply_snapshot("bench", &snap, "").expect("apply");
    let policy = LoadedPolicy::default_policy().expect("policy");
    let bytes = time("portfolio report, 10,000 models (build + PDF)", 3, || {
        let r = countersign_core::export::portfolio::build(&store, "bench", &policy, "2026-11-25")
            .expect("report");
        countersign_core::export::pdf::portfolio::render(&r, "bench", 0).expect("pdf")
    });
    println!("  PDF {:.0} KB", bytes.len() as f64 / 1024.0);
}
