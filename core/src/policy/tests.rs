//! Policy parsing, validation, rubric and check tests.

use super::checks::{AutoOutcome, Check, CheckContext, Comparison};
use super::*;
use crate::evidence::Evidence;
use crate::model::{DatasetInput, Metric, Model, Run, Version};

#[test]
fn default_policy_is_valid_and_complete() {
    let p = LoadedPolicy::default_policy().unwrap();
    assert_eq!(p.sha256.len(), 64);
    assert_eq!(p.policy.tiers.len(), 3);
    assert!(p.checklist_for("1", ModelKind::Classic).len() >= 15);
    assert!(p
        .checklist_for("1", ModelKind::Prompt)
        .iter()
        .any(|i| i.id.get_ref() == "LLM-01"));
    assert!(p
        .checklist_for("3", ModelKind::Vendor)
        .iter()
        .any(|i| i.id.get_ref() == "VEN-01"));
    assert!(p.policy.tiers["1"].distinct_approver);
    assert_eq!(p.policy.tiers["3"].roles_required, vec![Role::Validator]);
}

/// A broken policy file and the exact message it must produce.
fn broken(edit: impl Fn(&str) -> String) -> String {
    let text = edit(DEFAULT_POLICY);
    LoadedPolicy::from_text(&text, Some("p.toml".into()))
        .unwrap_err()
        .to_string()
}

#[test]
fn broken_policies_give_file_line_column_and_reason() {
    let line_of = |needle: &str| {
        DEFAULT_POLICY
            .lines()
            .position(|l| l.contains(needle))
            .unwrap()
            + 1
    };
    let cases: Vec<(String, String)> = vec![
        (
            broken(|t| t.replacen("review_cadence_months = 12", "review_cadence_months = \"yearly\"", 1)),
            format!("p.toml: line {}, column 25 (field `tiers.1.review_cadence_months`): invalid type: string \"yearly\", expected u32", line_of("review_cadence_months = 12")),
        ),
        (
            broken(|t| t.replacen("kind = \"metric_threshold\", metric = \"auc_holdout\"", "kind = \"metric_treshold\", metric = \"auc_holdout\"", 1)),
            "unknown variant `metric_treshold`".into(),
        ),
        (
            broken(|t| t.replacen("tiers = [\"1\", \"2\", \"3\"]\nkinds = [\"classic\"]", "tiers = [\"1\", \"4\"]\nkinds = [\"classic\"]", 1)),
            format!("p.toml: line {}, column 9: checklist item 'CS-01' names tier '4', which [tiers] does not define (known: 1, 2, 3)", line_of("id = \"CS-01\"") + 5),
        ),
        (
            broken(|t| t.replacen("id = \"CS-02\"", "id = \"CS-01\"", 1)),
            format!("p.toml: line {}, column 6: checklist item id 'CS-01' is used twice", line_of("id = \"CS-02\"")),
        ),
        (broken(|t| t.replacen("roles_required = [\"validator\"]", "roles_required = []", 1)), "tiers.3.roles_required is empty".into()),
        (broken(|t| t.replacen("{ tier = \"3\", min_score = 0 }", "{ tier = \"3\", min_score = 1 }", 1)), "one threshold must have min_score = 0".into()),
        (broken(|t| t.replacen("margin = 0.02", "margin = -1.0", 1)), "champion_challenger margin must be a number ≥ 0".into()),
        (broken(|t| t.replacen("name = \"Countersign", "nam = \"Countersign", 1)), "unknown field `nam`".into()),
        (broken(|t| t.replacen("\"alex.approver@demo.bank\" = [\"approver\"]", "\"alex.approver@demo.bank\" = [\"boss\"]", 1)), "unknown variant `boss`".into()),
        (broken(|t| format!("{t}\n[[checklist]\n")), "p.toml: line".into()),
    ];
    for (got, want) in cases {
        assert!(got.contains(&want), "\n got: {got}\nwant: {want}");
        assert!(got.starts_with("p.toml: "), "{got}");
    }
}

fn model(tags: &[(&str, &str)]) -> Model {
    let mut m = Model {
        name: "m".into(),
        kind: ModelKind::Classic,
        description: String::new(),
        owner: None,
        business_purpose: None,
        risk_tier: None,
        next_review_date: None,
        monitoring: None,
        llm_provider: None,
        created_ms: 0,
        updated_ms: 0,
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        aliases: Default::default(),
        stages: Default::default(),
    };
    m.apply_tag_names(&Default::default());
    m
}

#[test]
fn rubric_scores_answers_into_a_tier_with_rationale() {
    let p = LoadedPolicy::default_policy().unwrap();
    let m = model(&[
        ("risk_tier", "3"),
        ("rubric.exposure", "decisive"),
        ("rubric.purpose", "regulatory"),
    ]);
    let mut answers = std::collections::BTreeMap::new();
    for (k, v) in [
        ("complexity", "moderate"),
        ("autonomy", "human_on_the_loop"),
        ("reversibility", "costly"),
        ("regulatory_exposure", "some"),
    ] {
        answers.insert(k.to_string(), v.to_string());
    }
    let a = p.policy.rubric.assess(&m, &answers);
    assert_eq!(a.score, 3 + 3 + 1 + 1 + 1 + 1);
    assert_eq!(a.tier.as_deref(), Some("1"));
    assert!(a.disagrees, "platform says 3");
    assert!(
        a.rationale[0].starts_with("exposure = decisive (+3)"),
        "{:?}",
        a.rationale
    );
    assert_eq!(a.rationale.last().unwrap(), "score 10 → tier 1");

    answers.insert("autonomy".into(), "robot".into());
    let a = p.policy.rubric.assess(&m, &answers);
    assert_eq!(a.tier, None);
    assert_eq!(a.unanswered, vec!["autonomy"]);
    assert!(a
        .rationale
        .iter()
        .any(|r| r.contains("'robot' is not an option")));

    let low = model(&[("risk_tier", "3")]);
    let all_low: std::collections::BTreeMap<String, String> = p
        .policy
        .rubric
        .questions
        .iter()
        .map(|q| (q.id.clone(), q.options[0].value.clone()))
        .collect();
    let a = p.policy.rubric.assess(&low, &all_low);
    assert_eq!(
        (a.tier.as_deref(), a.score, a.disagrees),
        (Some("3"), 0, false)
    );
}

fn run(metrics: &[(&str, Option<f64>)], datasets: &[(&str, &str)]) -> Run {
    Run {
        run_id: "r1".into(),
        run_name: "train".into(),
        experiment_id: "1".into(),
        experiment_name: None,
        user: Some("u".into()),
        status: "FINISHED".into(),
        start_ms: 0,
        end_ms: None,
        source_name: Some("train.py".into()),
        git_commit: Some("abcdef1234567890".into()),
        git_repo: None,
        params: [("a".to_string(), "1".to_string())].into(),
        metrics: metrics
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    Metric {
                        value: *v,
                        step: 0,
                        timestamp_ms: 0,
                        history: vec![],
                    },
                )
            })
            .collect(),
        tags: Default::default(),
        datasets: datasets
            .iter()
            .map(|(c, n)| DatasetInput {
                context: c.to_string(),
                name: n.to_string(),
                digest: "d1".into(),
                source_type: "s3".into(),
                source: "s3://x".into(),
                tags: Default::default(),
            })
            .collect(),
        model_inputs: vec![],
        deleted: false,
        assessments: None,
    }
}

fn evidence(version: &str, aliases: &[&str], r: Option<Run>) -> Evidence {
    evidence_evaluated(version, aliases, r, &[])
}

fn evidence_evaluated(version: &str, aliases: &[&str], r: Option<Run>, evals: &[Run]) -> Evidence {
    let v = Version {
        name: "m".into(),
        version: version.into(),
        creator: None,
        created_ms: 0,
        updated_ms: 0,
        source: "s".into(),
        run_id: r.as_ref().map(|r| r.run_id.clone()),
        status: "READY".into(),
        description: String::new(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        files: Vec::new(),
        tags: Default::default(),
        stage: None,
    };
    Evidence::assemble(&v, r.as_ref(), None, evals)
}

fn eval(
    check: &Check,
    e: &Evidence,
    m: &Model,
    champion: Option<Evidence>,
) -> (AutoOutcome, String) {
    let by_alias = move |_: &str| champion.clone();
    let r = check
        .evaluate(&CheckContext {
            evidence: e,
            model: m,
            by_alias: &by_alias,
            data_use: &[],
        })
        .unwrap();
    (r.outcome, r.explanation)
}

#[test]
fn metric_threshold_check() {
    let m = model(&[]);
    let c = Check::MetricThreshold {
        metric: "auc_holdout".into(),
        op: Comparison::Ge,
        threshold: 0.75,
        dataset_context: Some("validation".into()),
    };
    let e = evidence(
        "2",
        &[],
        Some(run(
            &[("auc_holdout", Some(0.81))],
            &[("validation", "holdout-2025q3")],
        )),
    );
    assert_eq!(
        eval(&c, &e, &m, None),
        (
            AutoOutcome::Pass,
            "auc_holdout = 0.81 ≥ 0.75 on dataset 'holdout-2025q3'".into()
        )
    );
    let e = evidence(
        "2",
        &[],
        Some(run(&[("auc_holdout", Some(0.7))], &[("validation", "h")])),
    );
    assert_eq!(
        eval(&c, &e, &m, None),
        (
            AutoOutcome::Fail,
            "auc_holdout = 0.7 < 0.75 on dataset 'h'".into()
        )
    );
    let e = evidence(
        "2",
        &[],
        Some(run(&[("other", Some(0.9))], &[("validation", "h")])),
    );
    assert_eq!(eval(&c, &e, &m, None).0, AutoOutcome::Missing);
    let e = evidence(
        "2",
        &[],
        Some(run(&[("auc_holdout", None)], &[("validation", "h")])),
    );
    assert_eq!(
        eval(&c, &e, &m, None),
        (
            AutoOutcome::Fail,
            "metric 'auc_holdout' is NaN or infinite in run r1".into()
        )
    );
    let e = evidence(
        "2",
        &[],
        Some(run(&[("auc_holdout", Some(0.9))], &[("training", "t")])),
    );
    assert_eq!(
        eval(&c, &e, &m, None),
        (
            AutoOutcome::Missing,
            "run r1 logged 'auc_holdout' but records no 'validation' dataset".into()
        )
    );
    let e = evidence("2", &[], None);
    assert_eq!(eval(&c, &e, &m, None).0, AutoOutcome::Missing);
}

#[test]
fn champion_challenger_check() {
    let m = model(&[]);
    let c = Check::ChampionChallenger {
        metric: "auc".into(),
        alias: "champion".into(),
        higher_is_better: true,
        margin: 0.02,
    };
    let champ = evidence("6", &["champion"], Some(run(&[("auc", Some(0.80))], &[])));
    let e = evidence("7", &[], Some(run(&[("auc", Some(0.79))], &[])));
    assert_eq!(
        eval(&c, &e, &m, Some(champ.clone())),
        (
            AutoOutcome::Pass,
            "challenger auc 0.79 vs champion v6 0.8: within margin 0.02".into()
        )
    );
    let e = evidence("7", &[], Some(run(&[("auc", Some(0.70))], &[])));
    assert_eq!(
        eval(&c, &e, &m, Some(champ.clone())),
        (
            AutoOutcome::Fail,
            "challenger auc 0.7 vs champion v6 0.8: worse by 0.1, more than margin 0.02".into()
        )
    );
    let e = evidence("7", &[], Some(run(&[("auc", Some(0.85))], &[])));
    assert_eq!(
        eval(&c, &e, &m, Some(champ.clone())).1,
        "challenger auc 0.85 vs champion v6 0.8: no worse"
    );
    assert_eq!(
        eval(&c, &e, &m, None),
        (
            AutoOutcome::Missing,
            "no version of m holds the alias 'champion'".into()
        )
    );
    let nan_champ = evidence("6", &["champion"], Some(run(&[("auc", None)], &[])));
    assert_eq!(eval(&c, &e, &m, Some(nan_champ)).0, AutoOutcome::Missing);
    assert_eq!(
        eval(&c, &champ, &m, None).0,
        AutoOutcome::Pass,
        "the champion itself"
    );
    let lower = Check::ChampionChallenger {
        metric: "auc".into(),
        alias: "champion".into(),
        higher_is_better: false,
        margin: 0.0,
    };
    assert_eq!(eval(&lower, &e, &m, Some(champ)).0, AutoOutcome::Fail);
}

#[test]
fn lineage_tag_and_documentation_checks() {
    use super::checks::{LineageRequirement as L, TagScope};
    let m = model(&[
        ("monitoring", "enabled"),
        ("documentation_url", "https://wiki/x"),
        ("bad_doc", "see wiki"),
    ]);
    let e = evidence("1", &[], Some(run(&[], &[("training", "t")])));
    let c = Check::Lineage {
        require: vec![
            L::Run,
            L::DatasetDigests,
            L::GitCommit,
            L::Params,
            L::CodeSource,
        ],
    };
    assert_eq!(eval(&c, &e, &m, None), (AutoOutcome::Pass, "recorded: producing run, dataset digests (1 datasets), git commit abcdef123456, configuration (1 params), code entry point".into()));
    let bare = evidence("1", &[], None);
    assert_eq!(eval(&c, &bare, &m, None).0, AutoOutcome::Fail);
    assert!(eval(&c, &bare, &m, None)
        .1
        .starts_with("not recorded: producing run, dataset digests (0 datasets)"));

    let t = Check::Tag {
        scope: TagScope::Model,
        tag: "monitoring".into(),
        equals: Some("ENABLED".into()),
    };
    assert_eq!(eval(&t, &e, &m, None).0, AutoOutcome::Pass);
    let t = Check::Tag {
        scope: TagScope::Model,
        tag: "monitoring".into(),
        equals: Some("full".into()),
    };
    assert_eq!(
        eval(&t, &e, &m, None),
        (
            AutoOutcome::Fail,
            "the model tag monitoring = 'enabled', expected 'full'".into()
        )
    );
    let t = Check::Tag {
        scope: TagScope::Version,
        tag: "monitoring".into(),
        equals: None,
    };
    assert_eq!(
        eval(&t, &e, &m, None),
        (
            AutoOutcome::Fail,
            "the version has no tag 'monitoring'".into()
        )
    );
    let d = Check::DocumentationLink {
        scope: TagScope::Model,
        tag: "documentation_url".into(),
    };
    assert_eq!(eval(&d, &e, &m, None).0, AutoOutcome::Pass);
    let d = Check::DocumentationLink {
        scope: TagScope::Model,
        tag: "bad_doc".into(),
    };
    assert_eq!(eval(&d, &e, &m, None).0, AutoOutcome::Fail);
    assert!(Check::Attestation
        .evaluate(&CheckContext {
            evidence: &e,
            model: &m,
            by_alias: &|_| None,
            data_use: &[],
        })
        .is_none());
}

/// A check reads an evaluation's metric under the name `mlflow.genai.evaluate` gives it
/// (`NAME/mean`), an evaluation's dataset MLflow logged with no context counts as its
/// evaluation dataset, and neither loosening reaches the producing run.
#[test]
fn metric_threshold_reads_evaluation_metrics_as_mlflow_names_them() {
    let m = model(&[]);
    let c = Check::MetricThreshold {
        metric: "groundedness".into(),
        op: Comparison::Ge,
        threshold: 0.8,
        dataset_context: Some("evaluation".into()),
    };
    let assemble = |train: Option<Run>, evals: &[Run]| evidence_evaluated("1", &[], train, evals);
    let mut ev = run(&[("groundedness/mean", Some(0.91))], &[("", "claims")]);
    ev.run_id = "e1".into();
    let e = assemble(None, std::slice::from_ref(&ev));
    assert_eq!(
        eval(&c, &e, &m, None),
        (
            AutoOutcome::Pass,
            "groundedness/mean = 0.91 ≥ 0.8 on dataset 'claims' (evaluation run 'train' e1 by u)"
                .into()
        )
    );
    // The newest evaluation decides, not the one whose id sorts first.
    let mut old = run(&[("groundedness/mean", Some(0.95))], &[("", "claims")]);
    old.run_id = "a-old".into();
    old.start_ms = 1_000;
    let mut new = run(&[("groundedness/mean", Some(0.5))], &[("", "claims")]);
    new.run_id = "z-new".into();
    new.start_ms = 2_000;
    let e = assemble(None, &[old.clone(), new.clone()]);
    let (outcome, why) = eval(&c, &e, &m, None);
    assert_eq!(outcome, AutoOutcome::Fail, "{why}");
    assert!(why.contains("z-new"), "{why}");
    (old.start_ms, new.start_ms) = (3_000, 2_000);
    let e = assemble(None, &[old, new]);
    assert_eq!(eval(&c, &e, &m, None).0, AutoOutcome::Pass);
    // The exact name wins over the aggregate.
    let mut both = run(
        &[
            ("groundedness", Some(0.5)),
            ("groundedness/mean", Some(0.91)),
        ],
        &[("evaluation", "claims")],
    );
    both.run_id = "e2".into();
    let e = assemble(None, &[both]);
    assert_eq!(eval(&c, &e, &m, None).0, AutoOutcome::Fail);
    // A producing run's `/mean` metric and context-less dataset do not stand in.
    let train = run(&[("groundedness/mean", Some(0.99))], &[("", "t")]);
    let e = assemble(Some(train), &[]);
    assert_eq!(eval(&c, &e, &m, None).0, AutoOutcome::Missing);
    let train = run(&[("groundedness", Some(0.99))], &[("", "t")]);
    let e = assemble(Some(train), &[]);
    assert_eq!(
        eval(&c, &e, &m, None),
        (
            AutoOutcome::Missing,
            "run r1 logged 'groundedness' but records no 'evaluation' dataset".into()
        )
    );
}

/// The policy with `rules` (TOML `[[data_use]]` tables) and a checklist item `DU-01` of kind
/// `data_use` applying `applied` (every rule when empty).
fn data_use_policy(rules: &str, applied: &str) -> std::result::Result<LoadedPolicy, String> {
    let item = format!(
        "\n[[checklist]]\nid = \"DU-01\"\ntitle = \"Data used as the policy allows\"\narea = \"data\"\nguidance = \"g\"\ntiers = [\"1\", \"2\", \"3\"]\ncheck = {{ kind = \"data_use\"{applied} }}\n"
    );
    let text = DEFAULT_POLICY.replacen("[roster]", &format!("{rules}{item}\n[roster]"), 1);
    LoadedPolicy::from_text(&text, Some("p.toml".into())).map_err(|e| e.to_string())
}

const PII_RULES: &str = r#"
[[data_use]]
id = "pii-not-marketing"
text = "Personal data may not train or evaluate marketing models"
tags = { classification = "pii" }
forbidden_for = { purposes = ["marketing"] }

[[data_use]]
id = "eu-only-tier-1"
text = "EU-resident data is for tier 1 models only"
source_prefix = ["s3://eu-data/"]
contexts = ["training"]
allowed_only_for = { tiers = ["1"] }
"#;

fn data_use_eval(p: &LoadedPolicy, e: &Evidence, m: &Model) -> (AutoOutcome, String) {
    let item = p
        .policy
        .checklist
        .iter()
        .find(|i| i.id.get_ref() == "DU-01")
        .expect("item");
    let r = item
        .check
        .evaluate(&CheckContext {
            evidence: e,
            model: m,
            by_alias: &|_| None,
            data_use: &p.policy.data_use,
        })
        .expect("automatic");
    (r.outcome, r.explanation)
}

fn with_dataset(mut r: Run, source: &str, tags: &[(&str, &str)]) -> Run {
    r.datasets[0].source = source.into();
    r.datasets[0].tags = tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    r
}

#[test]
fn data_use_rules_match_tags_sources_and_contexts_and_explain_each_violation() {
    let p = data_use_policy(PII_RULES, "").expect("policy");
    let marketing = {
        let mut m = model(&[("business_purpose", "Marketing"), ("risk_tier", "2")]);
        m.apply_tag_names(&Default::default());
        m
    };
    let credit = model(&[("business_purpose", "credit decisions"), ("risk_tier", "1")]);

    // A PII dataset (tagged on its use, whatever the case of the value) trains a marketing
    // model: refused, with the rule, the dataset and why.
    let pii = with_dataset(
        run(&[], &[("training", "crm_contacts")]),
        "s3://crm/contacts.parquet",
        &[("classification", "PII")],
    );
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(pii.clone())), &marketing);
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    assert!(
        why.contains(
            "dataset 'crm_contacts' (training in run r1, source s3://crm/contacts.parquet"
        ) && why.contains(
            "rule pii-not-marketing \"Personal data may not train or evaluate marketing models\""
        ) && why.contains("dataset tag classification = PII")
            && why.contains("forbidden for purpose marketing (this model: purpose 'Marketing')"),
        "{why}"
    );
    // The same data for a credit model is allowed.
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(pii)), &credit);
    assert_eq!(o, AutoOutcome::Pass, "{why}");
    assert!(
        why.starts_with("1 dataset use checked against rules pii-not-marketing, eu-only-tier-1"),
        "{why}"
    );

    // The tag on the run instead of the dataset counts too.
    let mut on_run = run(&[], &[("training", "events")]);
    on_run.tags.insert("classification".into(), "pii".into());
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(on_run)), &marketing);
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    assert!(why.contains("run tag classification = pii"), "{why}");

    // An evaluation on PII data is a use too.
    let train = run(&[], &[("training", "clean")]);
    let mut evaluation = with_dataset(
        run(&[], &[("evaluation", "holdout")]),
        "s3://crm/holdout.parquet",
        &[("classification", "pii")],
    );
    evaluation.run_id = "e1".into();
    let (o, why) = data_use_eval(
        &p,
        &evidence_evaluated("1", &[], Some(train.clone()), &[evaluation]),
        &marketing,
    );
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    assert!(why.contains("(evaluation in run e1"), "{why}");

    // Allowed only for tier 1, by a source prefix whatever its case; only for training.
    let eu = with_dataset(
        run(&[], &[("training", "eu_customers")]),
        "S3://EU-Data/customers.parquet",
        &[],
    );
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(eu.clone())), &marketing);
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    assert!(
        why.contains("source starts with s3://eu-data/")
            && why.contains("allowed only for tier 1 (this model: tier 2)"),
        "{why}"
    );
    let (o, _) = data_use_eval(&p, &evidence("1", &[], Some(eu)), &credit);
    assert_eq!(o, AutoOutcome::Pass);
    let mut eu_eval = with_dataset(
        run(&[], &[("evaluation", "eu_sample")]),
        "s3://eu-data/sample.parquet",
        &[],
    );
    eu_eval.run_id = "e2".into();
    let (o, why) = data_use_eval(
        &p,
        &evidence_evaluated("1", &[], Some(train), &[eu_eval]),
        &marketing,
    );
    assert_eq!(o, AutoOutcome::Pass, "the rule covers training only: {why}");

    // A look-alike bucket is another bucket; a hostile name is shown escaped.
    let hostile = with_dataset(
        run(&[], &[("training", "x\u{1b}[2Jcontacts")]),
        "s3://eu-data-archive/x",
        &[("classification", "pii")],
    );
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(hostile)), &marketing);
    assert_eq!(o, AutoOutcome::Fail);
    assert!(
        !why.contains('\u{1b}') && !why.contains("eu-only-tier-1 \""),
        "{why}"
    );

    // No datasets: nothing to check is not a pass.
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(run(&[], &[]))), &marketing);
    assert_eq!(o, AutoOutcome::Missing, "{why}");

    // A check naming one rule applies only that one.
    let only = data_use_policy(PII_RULES, ", rules = [\"eu-only-tier-1\"]").expect("policy");
    let pii = with_dataset(
        run(&[], &[("training", "crm_contacts")]),
        "s3://crm/contacts.parquet",
        &[("classification", "pii")],
    );
    let (o, why) = data_use_eval(&only, &evidence("1", &[], Some(pii)), &marketing);
    assert_eq!(o, AutoOutcome::Pass, "{why}");
}

#[test]
fn data_use_rules_that_cannot_mean_anything_are_refused_with_the_fix() {
    let e = data_use_policy(PII_RULES, ", rules = [\"pii-not-marketting\"]").unwrap_err();
    assert!(
        e.contains("names data_use rule 'pii-not-marketting', which [[data_use]] does not define (known: eu-only-tier-1, pii-not-marketing)"),
        "{e}"
    );
    let e = data_use_policy("", "").unwrap_err();
    assert!(e.contains("the policy has no [[data_use]] rules"), "{e}");
    let every = "\n[[data_use]]\nid = \"all\"\ntext = \"t\"\nforbidden_for = {}\n";
    let e = data_use_policy(every, "").unwrap_err();
    assert!(
        e.contains("matches every dataset: give source_prefix, name or tags"),
        "{e}"
    );
    let empty_prefix =
        "\n[[data_use]]\nid = \"p\"\ntext = \"t\"\nsource_prefix = [\"\"]\nforbidden_for = {}\n";
    let e = data_use_policy(empty_prefix, "").unwrap_err();
    assert!(
        e.contains("an empty source_prefix matches every dataset"),
        "{e}"
    );
    let both = "\n[[data_use]]\nid = \"b\"\ntext = \"t\"\nname = [\"x\"]\nforbidden_for = {}\nallowed_only_for = {}\n";
    let e = data_use_policy(both, "").unwrap_err();
    assert!(
        e.contains("needs exactly one of forbidden_for and allowed_only_for"),
        "{e}"
    );
    let twice =
        "\n[[data_use]]\nid = \"d\"\ntext = \"t\"\nname = [\"x\"]\nforbidden_for = {}\n".repeat(2);
    let e = data_use_policy(&twice, "").unwrap_err();
    assert!(e.contains("data_use rule 'd' is defined twice"), "{e}");
    let typo = "\n[[data_use]]\nid = \"t\"\ntext = \"t\"\nname = [\"x\"]\nforbiden_for = {}\n";
    let e = data_use_policy(typo, "").unwrap_err();
    assert!(e.contains("forbiden_for"), "an unknown field is named: {e}");
}

#[test]
fn data_use_rules_are_not_dodged_by_spelling_context_or_a_second_tag() {
    let p = data_use_policy(PII_RULES, "").expect("policy");
    let marketing = model(&[("business_purpose", "marketing"), ("risk_tier", "2")]);
    // MLflow autolog's `train` is training; a tag key in another case is the same tag.
    let eu = with_dataset(run(&[], &[("train", "eu")]), "s3://eu-data/x", &[]);
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(eu)), &marketing);
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    let keyed = with_dataset(
        run(&[], &[("training", "crm")]),
        "s3://crm/x",
        &[("Classification", " PII ")],
    );
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(keyed)), &marketing);
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    // A dataset tag does not hide the run's.
    let mut both = with_dataset(
        run(&[], &[("training", "crm")]),
        "s3://crm/x",
        &[("classification", "public")],
    );
    both.tags.insert("classification".into(), "pii".into());
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(both)), &marketing);
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    assert!(why.contains("run tag classification = pii"), "{why}");
    // No context recorded: every rule covers it.
    let blank = with_dataset(run(&[], &[("", "eu")]), "s3://eu-data/x", &[]);
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(blank)), &marketing);
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    assert!(why.contains("(context not recorded in run r1"), "{why}");
    // A purpose nobody recorded is no way out of a forbidden purpose.
    let unknown = model(&[("risk_tier", "2")]);
    let pii = with_dataset(
        run(&[], &[("training", "crm")]),
        "s3://crm/x",
        &[("classification", "pii")],
    );
    let (o, why) = data_use_eval(&p, &evidence("1", &[], Some(pii.clone())), &unknown);
    assert_eq!(o, AutoOutcome::Fail, "{why}");
    assert!(why.contains("purpose not recorded"), "{why}");
    // Allowed only for tier 1: every recorded purpose must be allowed; a tier not set is not.
    let allowed = data_use_policy(
        "\n[[data_use]]\nid = \"credit-only\"\ntext = \"t\"\ntags = { classification = \"pii\" }\nallowed_only_for = { purposes = [\"credit\"] }\n",
        "",
    )
    .expect("policy");
    let two = model(&[
        ("business_purpose", "credit"),
        ("rubric.purpose", "marketing"),
    ]);
    let (o, why) = data_use_eval(&allowed, &evidence("1", &[], Some(pii.clone())), &two);
    assert_eq!(
        o,
        AutoOutcome::Fail,
        "one allowed purpose does not excuse the other: {why}"
    );
    // A training run that records nothing: evaluations alone do not pass it.
    let mut evaluation = with_dataset(run(&[], &[("evaluation", "h")]), "s3://clean/x", &[]);
    evaluation.run_id = "e1".into();
    let (o, why) = data_use_eval(
        &p,
        &evidence_evaluated("1", &[], Some(run(&[], &[])), &[evaluation]),
        &marketing,
    );
    assert_eq!(o, AutoOutcome::Missing, "{why}");
    // Platform text in the explanation is escaped.
    let mut hostile = pii;
    hostile.run_id = "r\u{1b}]8;;x\u{7}".into();
    let (_, why) = data_use_eval(&p, &evidence("1", &[], Some(hostile)), &marketing);
    assert!(!why.contains('\u{1b}') && !why.contains('\u{7}'), "{why}");
}

#[test]
fn data_use_scopes_that_never_apply_or_name_nothing_are_refused() {
    for (rule, want) in [
        (
            "source_prefix = [\"  \"]\nforbidden_for = {}",
            "an empty source_prefix matches every dataset",
        ),
        (
            "name = [\"x\"]\nallowed_only_for = {}",
            "allowed_only_for = {} allows every model",
        ),
        (
            "name = [\"x\"]\nforbidden_for = { tiers = [\"4\"] }",
            "names tier '4', which [tiers] does not define",
        ),
        (
            "name = [\"x\"]\nforbidden_for = { kinds = [\"llm\"] }",
            "names kind 'llm': use classic, prompt or vendor",
        ),
    ] {
        let e = data_use_policy(
            &format!("\n[[data_use]]\nid = \"r\"\ntext = \"t\"\n{rule}\n"),
            "",
        )
        .unwrap_err();
        assert!(e.contains(want), "{rule}: {e}");
    }
}

fn genai_eval(by: &[(&str, &str, u64, u64)], traces: u64, more: bool) -> Run {
    let mut r = run(&[], &[]);
    r.run_id = "e1".into();
    let mut a = crate::model::Assessments {
        cap: 1000,
        traces,
        more,
        by_name: Default::default(),
    };
    for (name, source, count, on_traces) in by {
        let s = a.by_name.entry(name.to_string()).or_default();
        s.by_source.insert(source.to_string(), *count);
        s.traces_by_source.insert(source.to_string(), *on_traces);
        s.traces_any = s.traces_any.max(*on_traces);
    }
    r.assessments = Some(a);
    r
}

#[test]
fn assessments_check_counts_provenance_and_coverage() {
    let m = model(&[]);
    let humans = Check::Assessments {
        name: Some("groundedness".into()),
        source: Some("human".into()),
        min_count: Some(3),
        min_coverage: None,
    };
    let judged = Check::Assessments {
        name: Some("groundedness".into()),
        source: Some("LLM_JUDGE".into()),
        min_count: None,
        min_coverage: Some(0.9),
    };
    let ev = |r: Run| evidence_evaluated("1", &[], Some(run(&[], &[])), &[r]);
    let e = ev(genai_eval(
        &[
            ("groundedness", "HUMAN", 2, 2),
            ("groundedness", "LLM_JUDGE", 18, 18),
        ],
        20,
        false,
    ));
    let (o, x) = eval(&humans, &e, &m, None);
    assert_eq!(o, AutoOutcome::Fail, "{x}");
    assert!(
        x.contains("2 HUMAN assessments of 'groundedness' < 3"),
        "{x}"
    );
    let (o, x) = eval(&judged, &e, &m, None);
    assert_eq!(o, AutoOutcome::Pass, "{x}");
    assert!(x.contains("on 18 of 20 traces (90%) ≥ 90%"), "{x}");

    // Another name's assessments, or another source's, do not count.
    let e = ev(genai_eval(
        &[
            ("relevance", "HUMAN", 9, 9),
            ("groundedness", "CODE", 20, 20),
        ],
        20,
        false,
    ));
    assert_eq!(eval(&humans, &e, &m, None).0, AutoOutcome::Fail);
    assert_eq!(eval(&judged, &e, &m, None).0, AutoOutcome::Fail);

    // A sample says so; no traces at all is missing evidence, not a pass.
    let e = ev(genai_eval(
        &[("groundedness", "LLM_JUDGE", 10, 10)],
        10,
        true,
    ));
    let (o, x) = eval(&judged, &e, &m, None);
    assert_eq!(o, AutoOutcome::Pass, "{x}");
    assert!(x.contains("max_traces was reached"), "{x}");
    let e = ev(run(&[], &[]));
    assert_eq!(eval(&judged, &e, &m, None).0, AutoOutcome::Missing);
    // An evaluation whose traces were read but held none is missing too, not a failure.
    let e = ev(genai_eval(&[], 0, false));
    assert_eq!(eval(&judged, &e, &m, None).0, AutoOutcome::Missing);
}

#[test]
fn assessments_checks_that_cannot_mean_anything_are_refused() {
    for (check, want) in [
        (
            "{ kind = \"assessments\", name = \"x\" }",
            "needs min_count or min_coverage",
        ),
        (
            "{ kind = \"assessments\", min_coverage = 90 }",
            "above 0 and at most 1",
        ),
        (
            "{ kind = \"assessments\", source = \"ROBOT\", min_count = 1 }",
            "not one of MLflow's source types",
        ),
        (
            "{ kind = \"assessments\", name = \" \", min_count = 1 }",
            "name is empty",
        ),
    ] {
        let item = format!("\n[[checklist]]\nid = \"GA-01\"\ntitle = \"t\"\narea = \"a\"\nguidance = \"g\"\ntiers = [\"1\"]\ncheck = {check}\n");
        let text = DEFAULT_POLICY.replacen("[roster]", &format!("{item}\n[roster]"), 1);
        let e = LoadedPolicy::from_text(&text, Some("p.toml".into()))
            .expect_err(check)
            .to_string();
        assert!(e.contains(want), "{check}: {e}");
    }
    let text = DEFAULT_POLICY.replacen("[roster]", "[evidence]\nmax_traces = 0\n\n[roster]", 1);
    let e = LoadedPolicy::from_text(&text, Some("p.toml".into()))
        .expect_err("0")
        .to_string();
    assert!(e.contains("evidence.max_traces must be 1 to 100000"), "{e}");
}
