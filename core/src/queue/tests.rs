use super::*;
use crate::model::ModelKind;

fn day(s: &str) -> NaiveDate {
    date_of(s).unwrap()
}

fn ms(date: &str) -> i64 {
    day(date)
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

fn model(name: &str, tier: &str, aliases: &[(&str, &str)], tags: &[(&str, &str)]) -> Model {
    let mut t: BTreeMap<String, String> = tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    t.insert("risk_tier".into(), tier.into());
    t.insert("owner".into(), "olga@bank".into());
    let mut m = Model {
        name: name.into(),
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
        tags: t,
        aliases: aliases
            .iter()
            .map(|(a, v)| (a.to_string(), v.to_string()))
            .collect(),
        stages: Default::default(),
    };
    m.apply_tag_names(&Default::default());
    m
}

fn version(name: &str, v: &str, created: &str) -> Version {
    Version {
        name: name.into(),
        version: v.into(),
        creator: Some("bob@bank".into()),
        created_ms: ms(created),
        updated_ms: ms(created),
        source: String::new(),
        run_id: None,
        status: "READY".into(),
        description: String::new(),
        aliases: Vec::new(),
        tags: BTreeMap::new(),
        files: Vec::new(),
        stage: None,
    }
}

fn verdict(role: Role, decision: Decision, signer: &str, at: &str) -> Verdict {
    Verdict {
        role,
        decision,
        signer: signer.into(),
        signed_at: format!("{at}T09:00:00Z"),
        counts: true,
        stale: false,
        changes: Vec::new(),
        expires_at: None,
        signature_ok: true,
    }
}

fn approved_pair(validated: &str, approved: &str) -> VersionVerdicts {
    VersionVerdicts {
        approvals: vec![
            verdict(Role::Validator, Decision::Approve, "vera@bank", validated),
            verdict(Role::Approver, Decision::Approve, "alex@bank", approved),
        ],
        approved: true,
    }
}

struct World {
    policy: LoadedPolicy,
    models: Vec<Model>,
    versions: Vec<Version>,
    verdicts: BTreeMap<String, VersionVerdicts>,
    in_review: BTreeSet<String>,
    monitoring: BTreeMap<String, Vec<crate::evidence::RunEvidence>>,
    attestations: Option<BTreeMap<String, Vec<String>>>,
}

impl World {
    fn new(models: Vec<Model>, versions: Vec<Version>) -> Self {
        Self {
            policy: LoadedPolicy::default_policy().unwrap(),
            models,
            versions,
            verdicts: BTreeMap::new(),
            in_review: BTreeSet::new(),
            monitoring: BTreeMap::new(),
            attestations: None,
        }
    }

    fn queue_on(&self, today: &str, seen: &BTreeMap<(String, String), String>) -> Vec<QueueItem> {
        let input = Input {
            policy: &self.policy,
            models: &self.models,
            versions: &self.versions,
            verdicts: &self.verdicts,
            in_review: &self.in_review,
            monitoring: &self.monitoring,
            attestations: self.attestations.as_ref(),
            today: day(today),
        };
        build(&input, seen)
    }

    fn queue(&self, today: &str) -> Vec<QueueItem> {
        self.queue_on(today, &BTreeMap::new())
    }
}

fn kinds(item: &QueueItem) -> Vec<ReasonKind> {
    item.reasons.iter().map(|r| r.kind).collect()
}

#[test]
fn an_approval_moves_the_next_review_by_the_tiers_cadence() {
    // Tier 1 (12 months): validated in January, countersigned in February → due next February.
    let mut w = World::new(
        vec![model(
            "pd",
            "1",
            &[("champion", "1")],
            &[("next_review_date", "2026-03-01")],
        )],
        vec![version("pd", "1", "2026-01-02")],
    );
    w.verdicts.insert(
        "models:/pd/1".into(),
        approved_pair("2026-01-20", "2026-02-03"),
    );
    // Long before the date, nothing is due, although the owner's declared date has passed.
    assert_eq!(w.queue("2026-12-01"), vec![]);
    let (next, governing) = next_review(&w.policy, &w.models[0], &w.verdicts);
    assert_eq!(governing.as_deref(), Some("1"));
    assert_eq!(next.computed.as_deref(), Some("2027-02-03"));
    assert_eq!(next.declared.as_deref(), Some("2026-03-01"));
    assert!(next.disagree());
    // Within the policy's 30 days it enters the queue, due on that date; past it, overdue.
    let q = w.queue("2027-01-10");
    assert_eq!(q.len(), 1);
    assert_eq!(kinds(&q[0]), vec![ReasonKind::Cadence]);
    assert_eq!(q[0].due.as_deref(), Some("2027-02-03"));
    assert_eq!(q[0].days_overdue, 0);
    assert!(!q[0].reasons[0].detail.contains("approved on 2027-02-03"));
    assert!(
        q[0].reasons[0]
            .detail
            .contains("approved on 2026-02-03 + 12 months; the owner declared 2026-03-01"),
        "{}",
        q[0].reasons[0].detail
    );
    assert_eq!(w.queue("2027-02-13")[0].days_overdue, 10);
}

#[test]
fn without_an_approval_the_owners_declared_date_decides() {
    let w = World::new(
        vec![model("pd", "2", &[], &[("next_review_date", "2026-11-20")])],
        vec![
            version("pd", "1", "2026-01-02"),
            version("pd", "2", "2026-06-02"),
        ],
    );
    let q = w.queue("2026-12-01");
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].version, "2", "the newest version, no production alias");
    assert_eq!(q[0].days_overdue, 11);
    assert!(q[0].reasons[0].detail.contains("declared"));
    assert_eq!(q[0].needs, Role::Validator);
    assert_eq!(q[0].status, ModelStatus::NotReviewed);
}

#[test]
fn a_stale_approval_is_due_from_when_it_was_first_seen() {
    let mut w = World::new(
        vec![model("pd", "1", &[("champion", "1")], &[])],
        vec![version("pd", "1", "2026-01-02")],
    );
    let mut vv = approved_pair("2026-10-01", "2026-10-02");
    vv.approved = false;
    for a in &mut vv.approvals {
        a.counts = false;
        a.stale = true;
        a.changes = vec!["run metric auc: 0.91 → 0.87".into()];
    }
    w.verdicts.insert("models:/pd/1".into(), vv);
    let q = w.queue("2026-12-01");
    assert_eq!(kinds(&q[0]), vec![ReasonKind::EvidenceChanged]);
    assert_eq!(q[0].due.as_deref(), Some("2026-12-31"), "tier 1: 30 days");
    assert!(q[0].reasons[0]
        .detail
        .contains("run metric auc: 0.91 → 0.87"));
    // Seen first on 1 November: due 1 December, so not pushed forward by looking again.
    let mut seen = BTreeMap::new();
    seen.insert(
        ("models:/pd/1".to_string(), "evidence_changed".to_string()),
        "2026-11-01".to_string(),
    );
    let q = w.queue_on("2026-12-05", &seen);
    assert_eq!(q[0].due.as_deref(), Some("2026-12-01"));
    assert_eq!(q[0].days_overdue, 4);
    assert_eq!(q[0].reasons[0].since.as_deref(), Some("2026-11-01"));
    let input = Input {
        policy: &w.policy,
        models: &w.models,
        versions: &w.versions,
        verdicts: &w.verdicts,
        in_review: &w.in_review,
        monitoring: &w.monitoring,
        attestations: None,
        today: day("2026-12-05"),
    };
    assert!(timed_triggers(&input).contains(&("models:/pd/1".into(), "evidence_changed".into())));
}

#[test]
fn an_expired_condition_and_a_breach_are_due_by_the_policys_days() {
    let mut w = World::new(
        vec![
            model("pd", "1", &[("champion", "1")], &[]),
            model(
                "lgd",
                "2",
                &[("production", "3")],
                &[("monitoring", " BREACH ")],
            ),
        ],
        vec![
            version("pd", "1", "2026-01-02"),
            version("lgd", "3", "2026-01-02"),
        ],
    );
    let mut vv = approved_pair("2026-01-10", "2026-01-11");
    vv.approved = false;
    vv.approvals[1].decision = Decision::ApproveWithConditions;
    vv.approvals[1].expires_at = Some("2026-11-15T00:00:00Z".into());
    vv.approvals[1].counts = false;
    w.verdicts.insert("models:/pd/1".into(), vv);
    w.verdicts.insert(
        "models:/lgd/3".into(),
        approved_pair("2026-06-01", "2026-06-02"),
    );
    let q = w.queue("2026-12-01");
    let pd = q.iter().find(|i| i.name == "pd").unwrap();
    assert!(kinds(pd).contains(&ReasonKind::ConditionExpired));
    assert_eq!(
        pd.due.as_deref(),
        Some("2026-11-15"),
        "tier 1: 0 days after the expiry"
    );
    assert_eq!(pd.days_overdue, 16);
    let lgd = q.iter().find(|i| i.name == "lgd").unwrap();
    assert_eq!(kinds(lgd), vec![ReasonKind::MonitoringBreach]);
    assert_eq!(lgd.due.as_deref(), Some("2026-12-31"), "tier 2: 30 days");
    // The overdue one first.
    assert_eq!(q[0].name, "pd");
    // A tier that does not list the trigger ignores it.
    w.models[1].risk_tier = Some("3".into());
    assert!(w.queue("2026-12-01").iter().all(|i| i.name != "lgd"));
}

#[test]
fn a_look_ahead_sees_a_conditional_approval_lapse() {
    let mut w = World::new(
        vec![model("pd", "1", &[("champion", "1")], &[])],
        vec![version("pd", "1", "2026-01-02")],
    );
    // Approved with conditions that expire on 2027-03-31 (typed as a date: the end of that
    // day); it counts today.
    let mut vv = approved_pair("2026-11-10", "2026-11-11");
    vv.approvals[1].decision = Decision::ApproveWithConditions;
    vv.approvals[1].expires_at = Some("2027-03-31T23:59:59Z".into());
    w.verdicts.insert("models:/pd/1".into(), vv.clone());
    assert!(w.queue("2026-12-01").is_empty(), "nothing due today");
    let required = w.policy.required_roles(Some("1"));
    // The day of the expiry it still counts; an expiry at a moment of that day lapses on it.
    let mut on_the_day = vv.clone();
    on_the_day.as_of(day("2027-03-31"), &required);
    assert_eq!(on_the_day, vv);
    let mut at_noon = vv.clone();
    at_noon.approvals[1].expires_at = Some("2027-03-31T12:00:00Z".into());
    at_noon.as_of(day("2027-03-31"), &required);
    assert!(!at_noon.approved, "lapsed during the day asked about");
    // The day after: it no longer counts and the version is no longer approved.
    let mut after = vv.clone();
    after.as_of(day("2027-04-01"), &required);
    assert!(!after.approved && !after.approvals[1].counts);
    assert!(
        after.approvals[0].counts,
        "the validator's approval has no expiry"
    );
    w.verdicts.insert("models:/pd/1".into(), after);
    let q = w.queue("2027-04-01");
    let pd = q.iter().find(|i| i.name == "pd").expect("queued");
    assert!(kinds(pd).contains(&ReasonKind::ConditionExpired), "{pd:?}");
    assert_eq!(pd.due.as_deref(), Some("2027-03-31"));
    assert_eq!(pd.days_overdue, 1);
    // A second, unconditional approval by the same role keeps it approved.
    let mut covered = vv.clone();
    covered.approvals.push(verdict(
        Role::Approver,
        Decision::Approve,
        "amy@bank",
        "2026-11-12",
    ));
    covered.as_of(day("2027-04-01"), &required);
    assert!(covered.approved);
}

#[test]
fn a_new_version_and_an_alias_on_an_unapproved_version_need_review() {
    let mut w = World::new(
        vec![model("pd", "1", &[("champion", "2")], &[])],
        vec![
            version("pd", "1", "2026-01-02"),
            version("pd", "2", "2026-10-01"),
            version("pd", "3", "2026-11-01"),
        ],
    );
    w.versions[2].status = "FAILED_REGISTRATION".into();
    w.verdicts.insert(
        "models:/pd/1".into(),
        approved_pair("2026-02-01", "2026-02-02"),
    );
    let q = w.queue("2026-12-01");
    // Version 3 failed registration: version 2 is the newest, and the champion points at it.
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(q[0].version, "2");
    assert!(q[0].in_production);
    let details: Vec<&str> = q[0].reasons.iter().map(|r| r.detail.as_str()).collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("alias champion points at version 2")),
        "{details:?}"
    );
    assert!(details
        .iter()
        .any(|d| d
            .contains("version 2 was registered on 2026-10-01; the newest approved is version 1")));
    assert_eq!(
        q[0].due.as_deref(),
        Some("2026-11-30"),
        "registered + 60 days"
    );
}

#[test]
fn a_validated_version_waits_for_its_approver_and_assignments_show_who() {
    let mut w = World::new(
        vec![model("pd", "1", &[], &[])],
        vec![version("pd", "1", "2026-01-02")],
    );
    w.verdicts.insert(
        "models:/pd/1".into(),
        VersionVerdicts {
            approvals: vec![verdict(
                Role::Validator,
                Decision::Approve,
                "vera@bank",
                "2026-11-25",
            )],
            approved: false,
        },
    );
    let a = Assignment {
        to: "alex@bank".into(),
        role: Role::Approver,
        due: Some("2026-12-02".into()),
        by: "mona@bank".into(),
        at: "2026-11-26T10:00:00Z".into(),
    };
    w.versions[0].tags.insert(a.tag_key(), a.tag_value());
    let q = w.queue("2026-12-01");
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].needs, Role::Approver);
    assert_eq!(q[0].status, ModelStatus::PendingApproval);
    assert_eq!(
        kinds(&q[0]),
        vec![ReasonKind::Assigned, ReasonKind::AwaitingApproval]
    );
    assert_eq!(
        q[0].due.as_deref(),
        Some("2026-12-02"),
        "the assignment's date comes first"
    );
    assert!(q[0].assigned_to("alex@bank"));
    assert!(q[0].assigned_to("Alex@Bank"));
    assert!(!q[0].assigned_to("vera@bank"));
    // A reject blocks: nothing is awaited of an approver.
    w.verdicts.get_mut("models:/pd/1").unwrap().approvals[0].decision = Decision::Reject;
    let q = w.queue("2026-12-01");
    assert_eq!(kinds(&q[0]), vec![ReasonKind::Assigned]);
    assert_eq!(q[0].status, ModelStatus::Rejected);
    // The validator's assignment is done once a validator signs after it (her reject counts
    // as doing the work); one made after her signature waits for another.
    let v = Assignment {
        to: "vera@bank".into(),
        role: Role::Validator,
        due: Some("2026-11-20".into()),
        by: "mona@bank".into(),
        at: "2026-11-24T10:00:00Z".into(),
    };
    w.versions[0].tags.insert(v.tag_key(), v.tag_value());
    let pd = w.versions[0].clone();
    let open = |w: &World| open_assignments(&w.policy, &w.models[0], &pd, &w.verdicts);
    let roles: Vec<Role> = open(&w).iter().map(|a| a.role).collect();
    assert_eq!(
        roles,
        vec![Role::Approver],
        "vera signed on 2026-11-25, after it"
    );
    let later = Assignment {
        at: "2026-11-25T23:59:59Z".into(),
        ..v
    };
    let mut pd2 = pd.clone();
    pd2.tags.insert(later.tag_key(), later.tag_value());
    let roles: Vec<Role> = open_assignments(&w.policy, &w.models[0], &pd2, &w.verdicts)
        .iter()
        .map(|a| a.role)
        .collect();
    assert!(
        roles.contains(&Role::Validator),
        "made after her signature: {roles:?}"
    );
}

#[test]
fn hostile_platform_text_is_escaped_in_every_reason() {
    let mut w = World::new(
        vec![model(
            "pd",
            "1",
            &[("champion", "1")],
            &[("monitoring", "breach")],
        )],
        vec![version("pd", "1", "2026-01-02")],
    );
    let mut vv = approved_pair("2026-10-01", "2026-10-02");
    vv.approved = false;
    vv.approvals[0].signer = "vera\u{1b}]52;c;ZXZpbA==\u{7}@bank".into();
    vv.approvals[0].stale = true;
    vv.approvals[0].changes = vec!["tag x: \u{202e}evil".into()];
    w.verdicts.insert("models:/pd/1".into(), vv);
    let q = w.queue("2026-12-01");
    for r in &q[0].reasons {
        assert!(
            !r.detail.chars().any(crate::display::is_unsafe_char),
            "{:?}",
            r.detail
        );
    }
    assert!(q[0].reasons.iter().any(|r| r.detail.contains("vera\\e]52")));
}

#[test]
fn a_planted_record_hides_nothing_and_an_old_assignment_sets_no_date() {
    let mut w = World::new(
        vec![model("pd", "1", &[], &[])],
        vec![version("pd", "1", "2026-01-02")],
    );
    // A validator signed; someone planted an approver record with a bad signature, later.
    let mut forged = verdict(Role::Approver, Decision::Approve, "alex@bank", "2026-11-30");
    forged.counts = false;
    forged.signature_ok = false;
    w.verdicts.insert(
        "models:/pd/1".into(),
        VersionVerdicts {
            approvals: vec![
                verdict(
                    Role::Validator,
                    Decision::Approve,
                    "vera@bank",
                    "2026-11-25",
                ),
                forged,
            ],
            approved: false,
        },
    );
    let q = w.queue("2026-12-01");
    assert_eq!(kinds(&q[0]), vec![ReasonKind::AwaitingApproval], "{q:#?}");
    // Approved a year ago with an assignment from before: the calendar item is due on its
    // date, not on the old assignment's, and lists no assignee.
    let old = Assignment {
        to: "vera@bank".into(),
        role: Role::Validator,
        due: Some("2025-12-01".into()),
        by: "mona@bank".into(),
        at: "2025-11-01T10:00:00Z".into(),
    };
    w.versions[0].tags.insert(old.tag_key(), old.tag_value());
    w.verdicts.insert(
        "models:/pd/1".into(),
        approved_pair("2025-11-20", "2025-12-01"),
    );
    let q = w.queue("2026-11-20");
    assert_eq!(kinds(&q[0]), vec![ReasonKind::Cadence]);
    assert_eq!(q[0].due.as_deref(), Some("2026-12-01"));
    assert!(q[0].assignments.is_empty());
    assert!(!q[0].assigned_to("vera@bank"));
}

/// A run for [`monitoring_evidence`]: id, start date, tags, metrics.
type RunSpec<'a> = (
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a [(&'a str, Option<f64>)],
);

fn monitoring_evidence(runs: &[RunSpec<'_>]) -> crate::evidence::Evidence {
    let v = version("lgd", "3", "2026-01-02");
    let runs: Vec<crate::model::Run> = runs
        .iter()
        .map(|(id, start, tags, metrics)| crate::model::Run {
            run_id: id.to_string(),
            run_name: format!("monitor-{id}"),
            experiment_id: "9".into(),
            experiment_name: None,
            user: Some("mon.job".into()),
            status: "FINISHED".into(),
            start_ms: ms(start),
            end_ms: None,
            source_name: None,
            git_commit: None,
            git_repo: None,
            params: BTreeMap::new(),
            metrics: metrics
                .iter()
                .map(|(k, x)| {
                    (
                        k.to_string(),
                        crate::model::Metric {
                            value: *x,
                            step: 0,
                            timestamp_ms: 0,
                            history: vec![],
                        },
                    )
                })
                .collect(),
            tags: tags
                .iter()
                .map(|(k, x)| (k.to_string(), x.to_string()))
                .collect(),
            datasets: vec![],
            model_inputs: vec![],
            deleted: false,
            assessments: None,
        })
        .collect();
    crate::evidence::Evidence::assemble(&v, None, None, &runs)
}

/// A breach read from monitoring runs' metrics: per rule, the newest tagged run that records
/// the metric decides (an older breach healed by a newer reading is no breach; a newer run that
/// does not measure it hides nothing; an unmarked or future-dated run is not monitoring), a NaN
/// reading is a breach, the reason names the run, and a production version other than the one
/// the calendar is about is judged too.
#[test]
fn the_latest_monitoring_runs_metric_beyond_its_threshold_is_a_breach() {
    let mut w = World::new(
        vec![model("lgd", "2", &[("production", "3")], &[])],
        vec![version("lgd", "3", "2026-01-02")],
    );
    w.verdicts.insert(
        "models:/lgd/3".into(),
        approved_pair("2026-06-01", "2026-06-02"),
    );
    let text = crate::policy::DEFAULT_POLICY.replace(
        "breach_values = [\"breach\", \"breached\", \"alert\"]",
        "breach_values = [\"breach\", \"breached\", \"alert\"]\nmonitoring_runs = { tag = \"monitoring_run\", breach_when = [{ metric = \"psi\", op = \">\", threshold = 0.25 }] }",
    );
    w.policy = LoadedPolicy::from_text(&text, None).unwrap();
    let today = day("2026-12-01");
    let runs = |specs: &[RunSpec<'_>]| {
        monitoring_runs(&monitoring_evidence(specs), "monitoring_run", today)
    };
    let at = |w: &World| {
        w.queue("2026-12-01")
            .into_iter()
            .find(|i| i.version_ref == "models:/lgd/3")
    };
    // An older breach, a newer healthy reading; unmarked, false-marked and future-dated runs
    // do not count: no breach.
    let found = runs(&[
        (
            "a",
            "2026-10-01",
            &[("monitoring_run", "true")],
            &[("psi", Some(0.4))],
        ),
        (
            "b",
            "2026-11-01",
            &[("monitoring_run", "true")],
            &[("psi", Some(0.1))],
        ),
        ("c", "2026-11-20", &[], &[("psi", Some(0.9))]),
        (
            "d",
            "2026-11-21",
            &[("monitoring_run", "false")],
            &[("psi", Some(0.9))],
        ),
        (
            "e",
            "9999-12-31",
            &[("monitoring_run", "true")],
            &[("psi", Some(0.9))],
        ),
    ]);
    assert_eq!(
        found.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(),
        ["b", "a"]
    );
    w.monitoring.insert("models:/lgd/3".into(), found);
    assert!(at(&w).is_none());
    // The newest reading breaches: queued, due by the tier's days, the run named; a still
    // newer run that measures something else hides nothing.
    w.monitoring.insert(
        "models:/lgd/3".into(),
        runs(&[
            (
                "a",
                "2026-10-01",
                &[("monitoring_run", "true")],
                &[("psi", Some(0.1))],
            ),
            (
                "b",
                "2026-11-01",
                &[("monitoring_run", "yes")],
                &[("psi", Some(0.31))],
            ),
            (
                "z",
                "2026-11-30",
                &[("monitoring_run", "true")],
                &[("auc", Some(0.9))],
            ),
        ]),
    );
    let lgd = at(&w).expect("queued");
    assert_eq!(kinds(&lgd), vec![ReasonKind::MonitoringBreach]);
    assert_eq!(
        lgd.reasons[0].detail,
        "monitoring run 'monitor-b' (b, 2026-11-01): psi = 0.31 > 0.25"
    );
    assert_eq!(lgd.due.as_deref(), Some("2026-12-31"), "tier 2: 30 days");
    // A NaN reading is no evidence that all is well.
    w.monitoring.insert(
        "models:/lgd/3".into(),
        runs(&[(
            "n",
            "2026-11-05",
            &[("monitoring_run", "1")],
            &[("psi", None)],
        )]),
    );
    let lgd = at(&w).expect("queued");
    assert!(
        lgd.reasons[0].detail.contains("psi is NaN or infinite"),
        "{:?}",
        lgd.reasons
    );
    // The deployed version is judged even when the calendar is about another (approved v2,
    // production alias on unapproved v4).
    w.models[0].aliases = [("production".to_string(), "4".to_string())].into();
    w.versions.push(version("lgd", "4", "2026-09-01"));
    w.monitoring.clear();
    w.monitoring.insert(
        "models:/lgd/4".into(),
        runs(&[(
            "p",
            "2026-11-05",
            &[("monitoring_run", "1")],
            &[("psi", Some(0.5))],
        )]),
    );
    let q = w.queue("2026-12-01");
    let v4 = q
        .iter()
        .find(|i| i.version_ref == "models:/lgd/4")
        .expect("v4 queued");
    assert!(
        kinds(v4).contains(&ReasonKind::MonitoringBreach),
        "{:?}",
        v4.reasons
    );
}

#[test]
fn the_owners_attestation_falls_due_by_the_tiers_cadence_and_only_the_owner_is_asked() {
    // Tier 1 attests every 6 months; approved on 2026-02-03.
    let mut w = World::new(
        vec![model("pd", "1", &[("champion", "1")], &[])],
        vec![version("pd", "1", "2026-01-02")],
    );
    w.verdicts.insert(
        "models:/pd/1".into(),
        approved_pair("2026-01-20", "2026-02-03"),
    );
    // Not read (judged from the ledger): never judged due.
    assert_eq!(w.queue("2026-12-01"), vec![]);
    // Read, and none counts: due six months after the approval, and only the owner is needed.
    w.attestations = Some(BTreeMap::new());
    let q = w.queue("2026-12-01");
    assert_eq!(q.len(), 1);
    assert_eq!(kinds(&q[0]), vec![ReasonKind::AttestationDue]);
    assert_eq!(q[0].due.as_deref(), Some("2026-08-03"));
    assert_eq!(q[0].needs, Role::Owner);
    assert!(
        q[0].reasons[0].detail.contains(
            "was due on 2026-08-03 (not attested since the approval on 2026-02-03; every 6 months)"
        ),
        "{}",
        q[0].reasons[0].detail
    );
    assert!(q[0].owner_attestation_for("olga@bank"));
    assert!(q[0].owner_attestation_for("Olga <OLGA@bank>"));
    assert!(!q[0].owner_attestation_for("olga@bank.evil"));
    assert!(
        !q[0].owner_attestation_for("olga"),
        "a bare name is not the owner's address"
    );
    // Attested in October: due next April, out of the queue until 30 days before.
    w.attestations = Some(BTreeMap::from([(
        "models:/pd/1".to_string(),
        vec!["2026-10-15T10:00:00Z".to_string()],
    )]));
    assert_eq!(w.queue("2026-12-01"), vec![]);
    let q = w.queue("2027-03-20");
    // The calendar review (2027-02-03) is due too: a validator is needed, and both are listed.
    assert_eq!(
        kinds(&q[0]),
        vec![ReasonKind::Cadence, ReasonKind::AttestationDue]
    );
    assert_eq!(q[0].needs, Role::Validator);
    assert_eq!(q[0].reasons[1].due.as_deref(), Some("2027-04-15"));
    assert!(q[0].reasons[1]
        .detail
        .contains("is due on 2027-04-15 (last attested on 2026-10-15"));
    // An attestation of another version attests nothing for the governing one.
    w.attestations = Some(BTreeMap::from([(
        "models:/pd/2".to_string(),
        vec!["2026-11-15T10:00:00Z".to_string()],
    )]));
    assert_eq!(
        kinds(&w.queue("2026-12-01")[0]),
        vec![ReasonKind::AttestationDue]
    );
    // With another reason a validator is needed, and the attestation is still listed.
    w.models[0]
        .tags
        .insert("next_review_date".into(), "2026-01-01".into());
    w.verdicts.clear();
    w.models[0].apply_tag_names(&Default::default());
    let q = w.queue("2026-12-01");
    assert!(
        !kinds(&q[0]).contains(&ReasonKind::AttestationDue),
        "nothing approved: nothing to attest"
    );
    assert_eq!(q[0].needs, Role::Validator);
}

#[test]
fn every_version_in_a_production_stage_is_in_production_and_the_policy_names_the_stages() {
    let policy = LoadedPolicy::default_policy().unwrap();
    let mut m = model("pd", "2", &[("champion", "4")], &[]);
    // MLflow 2.x: several versions may sit in Production at once (no archiving on transition).
    m.stages = [("1", "Production"), ("2", "production"), ("3", "Staging")]
        .iter()
        .map(|(v, s)| (v.to_string(), s.to_string()))
        .collect();
    let prod = production_versions(&policy, &m);
    assert_eq!(
        prod.into_iter().collect::<Vec<_>>(),
        vec!["1".to_string(), "2".into(), "4".into()]
    );
    assert_eq!(
        production_markers(&policy, &m).get("2"),
        Some(&vec!["production".to_string()])
    );
    let text = crate::policy::DEFAULT_POLICY.replacen(
        "[lifecycle]",
        "[lifecycle]\nproduction_stages = [\"Staging\"]",
        1,
    );
    assert_ne!(
        text,
        crate::policy::DEFAULT_POLICY,
        "the default policy has a [lifecycle]"
    );
    let staging = LoadedPolicy::from_text(&text, None).unwrap();
    assert_eq!(
        production_versions(&staging, &m)
            .into_iter()
            .collect::<Vec<_>>(),
        vec!["3".to_string(), "4".into()]
    );
}
