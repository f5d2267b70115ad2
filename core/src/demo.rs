//! The demo portfolio: a generated folder platform with classic models, vendor models and LLM
//! prompts over three tiers, several versions each, and some overdue reviews — so every
//! feature can be tried with no server.
//!
//! Generation is deterministic for a given `today` (review dates are placed around it).

use crate::model::ModelKind;
use crate::platform::folder::{DatasetEntry, MetricEntry, ModelFile, RunFile, VersionEntry};
use crate::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn float(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// (name, kind, tier, purpose, provider)
const PORTFOLIO: &[(&str, ModelKind, u8, &str, &str)] = &[
    (
        "retail-pd-scorecard",
        ModelKind::Classic,
        1,
        "Probability of default for retail credit decisions",
        "",
    ),
    (
        "mortgage-lgd",
        ModelKind::Classic,
        1,
        "Loss given default for IRB capital",
        "",
    ),
    (
        "irb-ead-corporate",
        ModelKind::Classic,
        1,
        "Exposure at default for corporate IRB capital",
        "",
    ),
    (
        "ifrs9-ecl-staging",
        ModelKind::Classic,
        1,
        "IFRS 9 expected credit loss staging",
        "",
    ),
    (
        "market-risk-var",
        ModelKind::Classic,
        1,
        "Trading book value-at-risk",
        "",
    ),
    (
        "aml-transaction-monitoring",
        ModelKind::Classic,
        1,
        "Suspicious transaction alerts for AML",
        "",
    ),
    (
        "sepsis-early-warning",
        ModelKind::Classic,
        1,
        "Sepsis early-warning score in inpatient wards",
        "",
    ),
    (
        "ccr-pfe-simulation",
        ModelKind::Classic,
        1,
        "Counterparty credit risk potential future exposure",
        "",
    ),
    (
        "fraud-detection-cards",
        ModelKind::Classic,
        2,
        "Card fraud scoring at authorisation",
        "",
    ),
    (
        "credit-limit-assignment",
        ModelKind::Classic,
        2,
        "Initial credit card limit assignment",
        "",
    ),
    (
        "collections-prioritisation",
        ModelKind::Classic,
        2,
        "Prioritising early-arrears collection calls",
        "",
    ),
    (
        "claims-triage",
        ModelKind::Classic,
        2,
        "Routing motor claims to fast-track or investigation",
        "",
    ),
    (
        "readmission-risk",
        ModelKind::Classic,
        2,
        "30-day hospital readmission risk",
        "",
    ),
    (
        "deposit-pricing-elasticity",
        ModelKind::Classic,
        2,
        "Deposit rate elasticity for ALM",
        "",
    ),
    (
        "liquidity-outflow-forecast",
        ModelKind::Classic,
        2,
        "Stressed deposit outflows for liquidity buffers",
        "",
    ),
    (
        "insurance-reserving-chainladder",
        ModelKind::Classic,
        2,
        "Claims reserving (chain ladder with ML tail)",
        "",
    ),
    (
        "kyc-name-screening",
        ModelKind::Classic,
        2,
        "Fuzzy name matching against sanctions lists",
        "",
    ),
    (
        "churn-propensity",
        ModelKind::Classic,
        3,
        "Retail customer churn propensity for retention offers",
        "",
    ),
    (
        "branch-footfall-forecast",
        ModelKind::Classic,
        3,
        "Branch staffing from footfall forecasts",
        "",
    ),
    (
        "marketing-next-best-offer",
        ModelKind::Classic,
        3,
        "Next-best-offer ranking for marketing e-mails",
        "",
    ),
    (
        "call-volume-forecast",
        ModelKind::Classic,
        3,
        "Contact-centre call volume forecast",
        "",
    ),
    (
        "document-classifier",
        ModelKind::Classic,
        3,
        "Routing scanned mail to back-office queues",
        "",
    ),
    (
        "it-incident-anomaly",
        ModelKind::Classic,
        3,
        "Anomaly detection on IT incident tickets",
        "",
    ),
    (
        "esg-score-aggregation",
        ModelKind::Classic,
        3,
        "Aggregating ESG scores for reporting",
        "",
    ),
    (
        "bureau-score-vendor",
        ModelKind::Vendor,
        1,
        "External credit bureau score used in originations",
        "Equifax",
    ),
    (
        "cards-fraud-vendor",
        ModelKind::Vendor,
        2,
        "Vendor consortium fraud score",
        "FICO",
    ),
    (
        "sanctions-screening-vendor",
        ModelKind::Vendor,
        2,
        "Vendor sanctions screening engine",
        "LSEG",
    ),
    (
        "weather-catastrophe-vendor",
        ModelKind::Vendor,
        3,
        "Vendor catastrophe model for property insurance",
        "Verisk",
    ),
    (
        "credit-memo-summarizer",
        ModelKind::Prompt,
        1,
        "Summarises credit memos for committee packs",
        "OpenAI",
    ),
    (
        "complaint-classifier",
        ModelKind::Prompt,
        2,
        "Classifies customer complaints for conduct reporting",
        "Anthropic",
    ),
    (
        "kyc-document-extractor",
        ModelKind::Prompt,
        1,
        "Extracts fields from KYC documents",
        "Azure OpenAI",
    ),
    (
        "claims-letter-drafter",
        ModelKind::Prompt,
        2,
        "Drafts claim decision letters for review",
        "Anthropic",
    ),
    (
        "clinical-note-summarizer",
        ModelKind::Prompt,
        1,
        "Summarises clinical notes for discharge",
        "Google",
    ),
    (
        "policy-qa-assistant",
        ModelKind::Prompt,
        3,
        "Answers staff questions on internal policies",
        "OpenAI",
    ),
    (
        "aml-narrative-writer",
        ModelKind::Prompt,
        2,
        "Drafts SAR narratives for investigators",
        "Mistral",
    ),
    (
        "call-summary-assistant",
        ModelKind::Prompt,
        3,
        "Summarises contact-centre calls",
        "Anthropic",
    ),
];

const OWNERS: &[&str] = &[
    "Zoë Adams <zoe.adams@demo.bank>",
    "Łukasz Nowak <lukasz.nowak@demo.bank>",
    "Priya Raman <priya.raman@demo.bank>",
    "Tomás García <tomas.garcia@demo.bank>",
    "李明 <li.ming@demo.bank>",
    "Amara Okafor <amara.okafor@demo.bank>",
];
/// The model builder of every demo version (the demo's "builder" identity).
pub const DEMO_BUILDER: &str = "bob.builder@demo.bank";
const OTHER_BUILDERS: &[&str] = &["carol.quant@demo.bank", "dev.ops@demo.bank"];

const SHARED_DATASETS: &[(&str, &str)] = &[
    (
        "bureau_snapshot_2025q4",
        "s3://demo-bank-data/bureau/2025q4.parquet",
    ),
    (
        "core_banking_accounts_2025q4",
        "s3://demo-bank-data/core/accounts_2025q4.parquet",
    ),
    (
        "transactions_2025h2",
        "s3://demo-bank-data/txn/2025h2.parquet",
    ),
    (
        "ehr_admissions_2025",
        "gs://demo-health-data/ehr/admissions_2025.parquet",
    ),
    (
        "market_data_2025",
        "s3://demo-bank-data/market/rates_fx_equity_2025.parquet",
    ),
    (
        "claims_history_2020_2025",
        "s3://demo-insurance-data/claims/history_2020_2025.parquet",
    ),
    (
        "watchlists_2025q4",
        "s3://demo-bank-data/screening/watchlists_2025q4.parquet",
    ),
    (
        "branch_and_contact_centre_ops_2025",
        "s3://demo-bank-data/ops/branch_contact_centre_2025.parquet",
    ),
    (
        "document_corpus_2025",
        "s3://demo-bank-data/documents/corpus_2025.parquet",
    ),
    (
        "it_operations_events_2025",
        "s3://demo-bank-data/it/events_2025.parquet",
    ),
    (
        "esg_disclosures_2025",
        "s3://demo-bank-data/esg/disclosures_2025.parquet",
    ),
];

/// The shared training data a demo model of this name would be built on: health records for
/// clinical models, watch lists for screening, transactions for fraud and AML, market data
/// for trading, counterparty and liquidity risk, claims for insurance, operations data for
/// forecasts, a document corpus, IT events, ESG disclosures, account data for customer
/// models, and the credit bureau for credit models.
fn training_data(name: &str) -> (&'static str, &'static str) {
    let has = |words: &[&str]| words.iter().any(|w| name.split('-').any(|part| part == *w));
    let pick = |n: &str| {
        SHARED_DATASETS
            .iter()
            .copied()
            .find(|(d, _)| *d == n)
            .unwrap_or(SHARED_DATASETS[0])
    };
    let dataset = if has(&["sepsis", "readmission", "clinical", "patient"]) {
        "ehr_admissions_2025"
    } else if has(&["kyc", "sanctions", "screening"]) {
        "watchlists_2025q4"
    } else if has(&["fraud", "aml", "transaction"]) {
        "transactions_2025h2"
    } else if has(&["market", "var", "ccr", "pfe", "liquidity"]) {
        "market_data_2025"
    } else if has(&["claims", "insurance", "reserving", "catastrophe"]) {
        "claims_history_2020_2025"
    } else if has(&["footfall", "call", "branch"]) {
        "branch_and_contact_centre_ops_2025"
    } else if has(&["document"]) {
        "document_corpus_2025"
    } else if has(&["incident", "it"]) {
        "it_operations_events_2025"
    } else if has(&["esg"]) {
        "esg_disclosures_2025"
    } else if has(&["churn", "deposit", "collections", "propensity", "marketing"]) {
        "core_banking_accounts_2025q4"
    } else {
        "bureau_snapshot_2025q4"
    };
    pick(dataset)
}

fn digest(text: &str) -> String {
    crate::encoding::sha256_hex(text.as_bytes())[..8].to_string()
}

fn date_from(today: &str, days: i64) -> String {
    let t = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d")
        .unwrap_or_else(|_| chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default());
    (t + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn rfc(today: &str, days: i64, hour: u32) -> String {
    format!("{}T{hour:02}:00:00Z", date_from(today, days))
}

/// Writes the demo portfolio as a folder platform into `dir` (which must be empty or absent).
/// Returns the number of models written.
pub fn generate(dir: &Path, today: &str) -> Result<usize> {
    std::fs::create_dir_all(dir.join("models")).map_err(|e| Error::io(dir, e))?;
    std::fs::create_dir_all(dir.join("runs")).map_err(|e| Error::io(dir, e))?;
    let mut rng = Rng(0xC0FFEE);
    for (i, (name, kind, tier, purpose, provider)) in PORTFOLIO.iter().enumerate() {
        let n_versions = 2 + (rng.next() % 3) as usize;
        let created_days = -700 + (i as i64) * 7;
        let mut tags = BTreeMap::new();
        tags.insert("owner".to_string(), OWNERS[i % OWNERS.len()].to_string());
        tags.insert("business_purpose".to_string(), purpose.to_string());
        tags.insert("risk_tier".to_string(), tier.to_string());
        // Every fifth model's review is overdue; the rest fall due over the coming year.
        let review_in = if i % 5 == 2 {
            -30 - (i as i64)
        } else {
            20 + (i as i64 * 11) % 330
        };
        tags.insert("next_review_date".to_string(), date_from(today, review_in));
        tags.insert(
            "monitoring".to_string(),
            if i % 7 == 3 {
                "none".into()
            } else {
                "enabled".into()
            },
        );
        if !provider.is_empty() {
            tags.insert("llm_provider".to_string(), provider.to_string());
        }
        if i % 6 != 4 {
            tags.insert(
                "documentation_url".to_string(),
                format!("https://wiki.demo.bank/models/{name}"),
            );
        }
        // Rubric answers consistent with the recorded tier, except for a few that disagree.
        let answers: [&str; 6] = match (tier, i % 9 == 5) {
            (1, false) | (3, true) => [
                "decisive",
                "regulatory",
                "moderate",
                "automated",
                "costly",
                "some",
            ],
            (2, false) => [
                "significant",
                "financial",
                "moderate",
                "human_on_the_loop",
                "costly",
                "none",
            ],
            _ => [
                "supporting",
                "operational",
                "simple",
                "human_in_the_loop",
                "easily",
                "none",
            ],
        };
        for (q, a) in [
            "exposure",
            "purpose",
            "complexity",
            "autonomy",
            "reversibility",
            "regulatory_exposure",
        ]
        .iter()
        .zip(answers)
        {
            tags.insert(format!("rubric.{q}"), a.to_string());
        }
        let mut versions = Vec::new();
        let base = 0.70 + rng.float() * 0.12;
        for v in 1..=n_versions {
            let run_id = format!("run-{name}-v{v}");
            let created = created_days + (v as i64) * 60;
            let builder = if v % 3 == 0 {
                *rng.pick(OTHER_BUILDERS)
            } else {
                DEMO_BUILDER
            };
            let mut vtags = BTreeMap::new();
            vtags.insert(
                "stage_note".to_string(),
                if v == n_versions {
                    "candidate".into()
                } else {
                    "released".into()
                },
            );
            versions.push(VersionEntry {
                version: v.to_string(),
                creator: Some(builder.to_string()),
                created: chrono::DateTime::parse_from_rfc3339(&rfc(today, created, 10))
                    .map(|t| t.timestamp_millis())
                    .unwrap_or(0),
                source: match kind {
                    ModelKind::Prompt => format!("prompts:/{name}/{v}"),
                    ModelKind::Vendor => format!(
                        "vendor://{}/{name}/{v}",
                        provider.to_lowercase().replace(' ', "-")
                    ),
                    ModelKind::Classic => format!("s3://demo-bank-models/{name}/v{v}/model.pkl"),
                },
                run_id: Some(run_id.clone()),
                status: "READY".into(),
                description: format!("{name} version {v}"),
                tags: vtags,
                files: if *kind == ModelKind::Classic {
                    // The model's files, inside the folder: hashed into every approval.
                    let rel = format!("artifacts/{name}/v{v}");
                    let d = dir.join(&rel);
                    std::fs::create_dir_all(&d).map_err(|e| crate::Error::io(&d, e))?;
                    for (f, text) in [
                        ("MLmodel", format!("artifact_path: model\nflavors:\n  sklearn: {{}}\nmodel_version: {v}\n")),
                        ("model.pkl", format!("demo model {name} v{v} weights {:.6}\n", base + v as f64)),
                    ] {
                        let p = d.join(f);
                        std::fs::write(&p, text).map_err(|e| crate::Error::io(&p, e))?;
                    }
                    vec![rel]
                } else {
                    Vec::new()
                },
            });
            let mut params = BTreeMap::new();
            let mut metrics = BTreeMap::new();
            let mut datasets = Vec::new();
            let quality = base + v as f64 * 0.01 + rng.float() * 0.01;
            match kind {
                ModelKind::Prompt => {
                    params.insert(
                        "llm_model".into(),
                        format!(
                            "{}-model-2025-{:02}",
                            provider.to_lowercase().replace(' ', "-"),
                            v + 3
                        ),
                    );
                    params.insert("temperature".into(), format!("{:.1}", 0.1 * (v % 3) as f64));
                    params.insert("max_tokens".into(), "1024".into());
                    params.insert(
                        "data_to_external_api".into(),
                        if *tier == 1 {
                            "masked".into()
                        } else {
                            "allowed".into()
                        },
                    );
                    metrics.insert(
                        "groundedness".into(),
                        MetricEntry::Value(round(0.80 + rng.float() * 0.15)),
                    );
                    metrics.insert(
                        "answer_relevance".into(),
                        MetricEntry::Value(round(0.78 + rng.float() * 0.18)),
                    );
                    metrics.insert(
                        "toxicity_rate".into(),
                        MetricEntry::Value(round(rng.float() * 0.01)),
                    );
                    metrics.insert(
                        "pii_leak_rate".into(),
                        MetricEntry::Value(round(rng.float() * 0.004)),
                    );
                    datasets.push(DatasetEntry {
                        context: "evaluation".into(),
                        name: format!("{name}_golden_set_v{v}"),
                        digest: digest(&format!("{name}-golden-{v}")),
                        source_type: "s3".into(),
                        source: format!("s3://demo-bank-evals/{name}/golden_v{v}.jsonl"),
                        tags: BTreeMap::new(),
                    });
                }
                _ => {
                    params.insert(
                        "algorithm".into(),
                        rng.pick(&[
                            "logistic_regression",
                            "gradient_boosting",
                            "xgboost",
                            "random_forest",
                        ])
                        .to_string(),
                    );
                    params.insert(
                        "learning_rate".into(),
                        format!("{:.3}", 0.01 + rng.float() * 0.1),
                    );
                    params.insert("max_depth".into(), (3 + rng.next() % 6).to_string());
                    params.insert(
                        "n_estimators".into(),
                        (100 + 50 * (rng.next() % 8)).to_string(),
                    );
                    params.insert("feature_set".into(), format!("fs_{name}_v{v}"));
                    params.insert("random_seed".into(), "42".into());
                    let steps = 10;
                    let hist: Vec<f64> = (0..steps)
                        .map(|s| round(quality - 0.12 * (-(s as f64) / 3.0).exp()))
                        .collect();
                    metrics.insert("val_auc".into(), MetricEntry::History(hist));
                    let loss: Vec<f64> = (0..steps)
                        .map(|s| round(0.25 + 0.5 * (-(s as f64) / 2.5).exp()))
                        .collect();
                    metrics.insert("train_loss".into(), MetricEntry::History(loss));
                    metrics.insert(
                        "auc_holdout".into(),
                        MetricEntry::Value(round(quality - 0.01)),
                    );
                    metrics.insert("ks".into(), MetricEntry::Value(round(quality * 0.55)));
                    metrics.insert("psi".into(), MetricEntry::Value(round(rng.float() * 0.2)));
                    let (shared, shared_src) = training_data(name);
                    datasets.push(DatasetEntry {
                        context: "training".into(),
                        name: shared.into(),
                        digest: digest(shared),
                        source_type: shared_src.split(':').next().unwrap_or("s3").into(),
                        source: shared_src.into(),
                        tags: BTreeMap::new(),
                    });
                    datasets.push(DatasetEntry {
                        context: "validation".into(),
                        name: format!("{name}_holdout_v{v}"),
                        digest: digest(&format!("{name}-holdout-{v}")),
                        source_type: "s3".into(),
                        source: format!("s3://demo-bank-data/{name}/holdout_v{v}.parquet"),
                        tags: BTreeMap::new(),
                    });
                }
            }
            let run = RunFile {
                run_id: run_id.clone(),
                name: format!("{name}-train-v{v}"),
                experiment: format!("/demo/{name}"),
                user: Some(builder.to_string()),
                status: "FINISHED".into(),
                start: chrono::DateTime::parse_from_rfc3339(&rfc(today, created - 1, 9))
                    .map(|t| t.timestamp_millis())
                    .unwrap_or(0),
                end: chrono::DateTime::parse_from_rfc3339(&rfc(today, created - 1, 11))
                    .map(|t| t.timestamp_millis())
                    .ok(),
                source_name: Some(format!("pipelines/{name}/train.py")),
                git_commit: Some(crate::encoding::sha256_hex(run_id.as_bytes())[..40].to_string()),
                git_repo: Some("https://git.demo.bank/risk/models.git".into()),
                params,
                metrics,
                tags: [("mlflow.source.type".to_string(), "JOB".to_string())].into(),
                datasets,
                evaluates: Vec::new(),
            };
            write_toml(&dir.join("runs").join(format!("{run_id}.toml")), &run)?;
            // An independent evaluation run for the latest version of tier-1 classic models.
            if v == n_versions && *tier == 1 && *kind == ModelKind::Classic {
                let eval_id = format!("eval-{name}-v{v}");
                let mut m = BTreeMap::new();
                m.insert("auc_oot".into(), MetricEntry::Value(round(quality - 0.02)));
                m.insert(
                    "gini_oot".into(),
                    MetricEntry::Value(round(2.0 * (quality - 0.02) - 1.0)),
                );
                let eval = RunFile {
                    run_id: eval_id.clone(),
                    name: format!("{name}-independent-eval-v{v}"),
                    experiment: "/demo/validation".into(),
                    user: Some("vera.validator@demo.bank".into()),
                    status: "FINISHED".into(),
                    start: chrono::DateTime::parse_from_rfc3339(&rfc(today, created + 5, 9))
                        .map(|t| t.timestamp_millis())
                        .unwrap_or(0),
                    end: chrono::DateTime::parse_from_rfc3339(&rfc(today, created + 5, 12))
                        .map(|t| t.timestamp_millis())
                        .ok(),
                    source_name: Some("validation/evaluate.py".into()),
                    git_commit: None,
                    git_repo: None,
                    params: [("evaluator".to_string(), "default".to_string())].into(),
                    metrics: m,
                    tags: BTreeMap::new(),
                    datasets: vec![DatasetEntry {
                        context: "evaluation".into(),
                        name: format!("{name}_oot_2026q1"),
                        digest: digest(&format!("{name}-oot")),
                        source_type: "s3".into(),
                        source: format!("s3://demo-bank-data/{name}/oot_2026q1.parquet"),
                        tags: BTreeMap::new(),
                    }],
                    evaluates: vec![format!("{name}/{v}")],
                };
                write_toml(&dir.join("runs").join(format!("{eval_id}.toml")), &eval)?;
            }
        }
        let mut aliases = BTreeMap::new();
        if n_versions >= 2 {
            aliases.insert(
                if *kind == ModelKind::Prompt {
                    "production".to_string()
                } else {
                    "champion".to_string()
                },
                (n_versions - 1).to_string(),
            );
            aliases.insert("challenger".to_string(), n_versions.to_string());
        }
        let file = ModelFile {
            name: name.to_string(),
            kind: *kind,
            description: format!("{purpose}."),
            created: chrono::DateTime::parse_from_rfc3339(&rfc(today, created_days, 8))
                .map(|t| t.timestamp_millis())
                .unwrap_or(0),
            tags,
            aliases,
            versions,
        };
        write_toml(&dir.join("models").join(format!("{name}.toml")), &file)?;
    }
    std::fs::write(
        dir.join("README.md"),
        "# Countersign demo portfolio\n\nA generated folder platform (see docs/folder-platform.md). Safe to delete; `countersign demo` makes it again.\n",
    )
    .map_err(|e| Error::io(dir, e))?;
    Ok(PORTFOLIO.len())
}

/// The demo validator's report of one version: every section, the rating following the
/// findings raised.
fn demo_report(
    name: &str,
    version: &str,
    findings: usize,
) -> Vec<(crate::review::report::Section, String)> {
    use crate::review::report::Section;
    let rating = if findings == 0 {
        "satisfactory"
    } else {
        "satisfactory_with_findings"
    };
    vec![
        (Section::ExecutiveSummary, format!(
            "Version {version} of {name} was validated independently of its developers against the bank's model risk policy. The model performs within its thresholds on held-out data and its lineage is complete.{}",
            if findings == 0 { String::new() } else { format!(" {findings} finding(s) of medium severity were raised; each has an owner, a due date and an action plan.") }
        )),
        (Section::Scope, format!(
            "In scope: conceptual soundness, data lineage, performance on the holdout and evaluation datasets, and the documentation of {name} version {version}.
Out of scope: the upstream data warehouse controls (covered by the data governance review) and the production serving stack (covered by IT general controls)."
        )),
        (Section::Rating, rating.to_string()),
        (Section::Conclusion, format!(
            "In the validator's opinion {name} version {version} is fit for its stated purpose, subject to the findings below being remediated by their due dates."
        )),
        (Section::ModelLimitations, "Performance was measured on data up to the training cut-off; behaviour under a structural break in the inputs is not known.".into()),
        (Section::ValidationLimitations, "The validation relied on the metrics and datasets the platform records; the training code was reviewed but not re-executed.".into()),
        (Section::UseRestrictions, "Not to be used outside the portfolio and jurisdiction it was developed for without a new validation.".into()),
        (Section::Recommendations, "Add drift monitoring on the top five features and review the thresholds at the next periodic review.".into()),
    ]
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn write_toml<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = toml::to_string_pretty(value).map_err(|e| Error::InvalidFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// The demo's people: (identity, role in the story).
pub const DEMO_PEOPLE: &[(&str, &str)] = &[
    ("bob.builder@demo.bank", "builder"),
    ("vera.validator@demo.bank", "validator"),
    ("victor.validator@demo.bank", "validator"),
    ("alex.approver@demo.bank", "approver"),
];

/// The demo owners' principals (tests attest as them).
#[cfg(test)]
pub(crate) const OWNERS_PRINCIPALS_FOR_TESTS: [&str; 2] =
    ["zoe.adams@demo.bank", "lukasz.nowak@demo.bank"];

/// The principal of a demo owner (`Zoë Adams <zoe.adams@demo.bank>` → `zoe.adams@demo.bank`):
/// each owner has a demo key, to attest their models.
pub fn demo_owner(owner: &str) -> String {
    owner
        .split_once('<')
        .map(|(_, rest)| rest.trim_end_matches('>').to_string())
        .unwrap_or_else(|| owner.to_string())
}

/// The demo key file of a person (`DIR/keys/<identity>/id_ed25519`, no passphrase).
pub fn demo_key_path(dir: &Path, identity: &str) -> std::path::PathBuf {
    dir.join("keys").join(identity).join("id_ed25519")
}

/// Creates the demo people's keys (kept if they exist) and `DIR/allowed_signers`.
pub fn generate_keys(dir: &Path) -> Result<()> {
    let mut lines = vec![
        "# Demo allowed_signers: one line per signer, limited to the countersign namespace."
            .to_string(),
    ];
    let people = DEMO_PEOPLE
        .iter()
        .map(|(who, _)| who.to_string())
        .chain(OWNERS.iter().map(|o| demo_owner(o)));
    for who in people {
        let who = who.as_str();
        let path = demo_key_path(dir, who);
        let public = if path.exists() {
            crate::signing::SigningKey::from_file(&path, None)?
                .public_key()
                .clone()
        } else {
            crate::signing::generate(&path, who, None)?
        };
        lines.push(crate::signing::allowed_signers::line_for(who, &public));
    }
    let p = dir.join("allowed_signers");
    std::fs::write(&p, lines.join("\n") + "\n").map_err(|e| Error::io(&p, e))
}

/// The demo risk function's members: three keys, any two of which sign a release.
pub const DEMO_RISK: [&str; 3] = ["risk-1@demo.bank", "risk-2@demo.bank", "risk-3@demo.bank"];

/// The demo's trust folder, beside the platform folder (never inside it): `DIR-trust/`.
pub fn trust_dir(dir: &Path) -> std::path::PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "demo".into());
    dir.with_file_name(format!("{name}-trust"))
}

/// The demo's root file, to pin with `--root` (`DIR-trust/root.signers`).
pub fn root_path(dir: &Path) -> std::path::PathBuf {
    trust_dir(dir).join(crate::trust::ROOT_FILE)
}

/// Makes the demo's risk function (three keys, release threshold two, root threshold two),
/// its root, and a policy release of the default policy and `DIR/allowed_signers` signed by
/// two of the three, governing the demo folder; publishes both to the folder's `policy/`.
/// Kept when already there. The risk keys and the root file go to `tdir` (the CLI's demo:
/// [`trust_dir`]). Returns the root file to pin.
pub fn generate_trust(
    dir: &Path,
    tdir: &Path,
    policy: &crate::policy::LoadedPolicy,
) -> Result<std::path::PathBuf> {
    use crate::trust::{release, root::Root};
    let root_file = tdir.join(crate::trust::ROOT_FILE);
    let mut keys = Vec::new();
    for who in DEMO_RISK {
        let path = tdir.join("keys").join(who).join("id_ed25519");
        if !path.exists() {
            crate::signing::generate(&path, who, None)?;
        }
        keys.push((who, crate::signing::SigningKey::from_file(&path, None)?));
    }
    if !root_file.exists() {
        let text = Root::render(
            1,
            2,
            2,
            None,
            &keys
                .iter()
                .map(|(w, k)| (w.to_string(), k.public_key().clone()))
                .collect::<Vec<_>>(),
        );
        std::fs::create_dir_all(tdir).map_err(|e| Error::io(tdir, e))?;
        std::fs::write(&root_file, &text).map_err(|e| Error::io(&root_file, e))?;
    }
    let root_bytes = std::fs::read(&root_file).map_err(|e| Error::io(&root_file, e))?;
    let root = Root::parse(&root_bytes).map_err(|why| Error::InvalidFile {
        path: root_file.clone(),
        message: why,
    })?;
    let platform = crate::platform::folder::FolderPlatform::new(
        std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()),
        policy.policy.tags.clone(),
    );
    use crate::platform::Platform;
    platform.publish_policy_files(&[(
        format!("roots/{}/{}", root.version, crate::trust::ROOT_FILE),
        root_bytes,
    )])?;
    let pin = crate::trust::RootPin::File(root_file.clone());
    if crate::trust::Trust::load(&pin, &platform)?.newest().is_ok() {
        return Ok(root_file);
    }
    let roster = std::fs::read(dir.join("allowed_signers"))
        .map_err(|e| Error::io(dir.join("allowed_signers"), e))?;
    let manifest = release::assemble(
        1,
        &root,
        policy.text.as_bytes(),
        &roster,
        vec![release::GovernedPlatform {
            name: "demo".into(),
            uris: vec![platform.uri()],
        }],
    )?;
    let rdir = tdir.join("releases").join("1");
    std::fs::create_dir_all(&rdir).map_err(|e| Error::io(&rdir, e))?;
    for (name, bytes) in [
        (release::MANIFEST_FILE, manifest.to_bytes()),
        (release::POLICY_FILE, policy.text.as_bytes().to_vec()),
        (release::ROSTER_FILE, roster),
    ] {
        let p = rdir.join(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))?;
    }
    for (_, key) in &keys[..2] {
        crate::trust::sign_local(&rdir, key, &[&root])?;
    }
    platform.publish_policy_files(&crate::trust::read_local(&rdir)?)?;
    Ok(root_file)
}

/// Signs a few demo approvals so that verification and the gate have something to show:
/// reviews answered in full, validator approvals, and countersignatures on some.
pub fn seed_approvals(
    session: &crate::session::Session,
    dir: &Path,
    trust: &crate::trust::Trust,
) -> Result<usize> {
    let policy = &trust.newest()?.policy;
    use crate::approval::{
        sign::{sign, SignOptions},
        Decision,
    };
    use crate::policy::Role;
    let platform = session.open_platform(policy)?;
    // (model, version, countersigned by the approver); fraud-detection-cards/1 is approved
    // with conditions (below).
    let plan: &[(&str, &str, bool)] = &[
        ("retail-pd-scorecard", "2", true),
        ("churn-propensity", "1", false),
        ("fraud-detection-cards", "1", true),
        ("policy-qa-assistant", "2", false),
        ("claims-triage", "2", false),
        ("credit-limit-assignment", "3", true),
        ("document-classifier", "3", false),
        ("aml-transaction-monitoring", "3", false),
    ];
    let mut n = 0;
    for (name, version, countersign) in plan {
        let vref = crate::uri::VersionRef {
            name: name.to_string(),
            version: version.to_string(),
        };
        if !platform.list_approvals(&vref)?.is_empty() {
            continue;
        }
        let (mut review, _) = crate::review::start(
            &session.store,
            &session.key,
            policy,
            &vref,
            Some("vera.validator@demo.bank".into()),
        )?;
        for item in review.header.items.clone() {
            let outcome = match item.automatic.as_ref().map(|a| a.outcome) {
                Some(crate::policy::checks::AutoOutcome::Pass) => None,
                Some(crate::policy::checks::AutoOutcome::Missing) => {
                    Some(crate::review::Outcome::NotApplicable)
                }
                Some(crate::policy::checks::AutoOutcome::Fail) => {
                    Some(crate::review::Outcome::Fail)
                }
                None => Some(crate::review::Outcome::Pass),
            };
            let note = match outcome {
                None => "confirmed",
                Some(crate::review::Outcome::NotApplicable) => {
                    "not measured for this model; covered by monitoring"
                }
                Some(crate::review::Outcome::Fail) => "see finding",
                Some(crate::review::Outcome::Pass) => "reviewed in the demo validation",
            };
            review.answer(
                &session.store,
                &crate::review::AnswerInput {
                    item: item.id.clone(),
                    outcome,
                    note: note.to_string(),
                    evidence: vec![],
                },
                Some("vera.validator@demo.bank".into()),
            )?;
            if outcome == Some(crate::review::Outcome::Fail) {
                review.add_finding(
                    &session.store,
                    &crate::review::FindingInput {
                        action_plan: format!(
                            "The owner re-runs {} on the next quarter's data and files the result as evidence; monitoring alerts on the same measure in the meantime.",
                            item.id
                        ),
                        title: format!("{} failed", item.id),
                        severity: crate::review::Severity::Medium,
                        description: format!("{}: {}", item.title, item.automatic.as_ref().map(|a| a.explanation.clone()).unwrap_or_else(|| "the validator's test did not pass".into())),
                        owner: "owner".into(),
                        due: "2027-06-30".into(),
                        item: Some(item.id.clone()),
                    },
                    Some("vera.validator@demo.bank".into()),
                )?;
            }
        }
        // The validator's report: what a committee reads first.
        let findings = review.findings.len();
        let sections = demo_report(name, version, findings);
        for (section, text) in sections {
            review.set_report(
                &session.store,
                policy,
                section,
                &text,
                Some("vera.validator@demo.bank".into()),
            )?;
        }
        let mut signers = vec![("vera.validator@demo.bank", Role::Validator)];
        if *countersign {
            signers.push(("alex.approver@demo.bank", Role::Approver));
        }
        for (who, role) in signers {
            let key = crate::signing::SigningKey::from_file(&demo_key_path(dir, who), None)?;
            // One version shows what a conditional approval looks like.
            let conditional = *name == "fraud-detection-cards" && role == Role::Approver;
            let opts = SignOptions {
                role,
                decision: if conditional {
                    Decision::ApproveWithConditions
                } else {
                    Decision::Approve
                },
                conditions: if conditional {
                    vec![
                        "Alert thresholds reviewed monthly by the fraud strategy team".into(),
                        "Re-validate on the 2026 H2 transactions before the expiry".into(),
                    ]
                } else {
                    vec![]
                },
                expires_at: conditional.then(|| chrono::Utc::now() + chrono::Duration::days(180)),
                signer: None,
            };
            sign(
                &session.store,
                platform.as_ref(),
                who,
                &key,
                trust,
                &vref,
                opts,
                &mut |_| {},
            )?;
            n += 1;
        }
    }
    // The owner of one approved version attests it, so the queue shows an attestation that
    // counts next to models whose attestation falls due.
    let vref = crate::uri::VersionRef {
        name: "retail-pd-scorecard".into(),
        version: "2".into(),
    };
    if platform.list_attestations(&vref)?.is_empty() {
        let owner = platform
            .fetch_version(&vref)?
            .model
            .owner
            .map(|o| demo_owner(&o))
            .unwrap_or_default();
        let key = crate::signing::SigningKey::from_file(&demo_key_path(dir, &owner), None)?;
        crate::attestation::attest(
            platform.as_ref(),
            &owner,
            &key,
            trust,
            &vref,
            None,
            Some("Used for retail credit decisions as documented; the limitations in the validation report are known to the credit committee."),
        )?;
    }
    Ok(n)
}
