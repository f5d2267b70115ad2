//! Review engine tests on the demo portfolio.

use super::*;
use crate::platform::folder::FolderPlatform;
use crate::sync::{sync, SyncOptions};

fn demo() -> (tempfile::TempDir, Store, String, LoadedPolicy) {
    let dir = tempfile::tempdir().unwrap();
    crate::demo::generate(dir.path(), "2026-11-25").unwrap();
    let p = FolderPlatform::new(dir.path().to_path_buf(), Default::default());
    let mut store = Store::in_memory().unwrap();
    sync(&p, &mut store, SyncOptions::default(), &mut |_| {}).unwrap();
    let key = crate::platform::Platform::uri(&p);
    (dir, store, key, LoadedPolicy::default_policy().unwrap())
}

fn vref(s: &str) -> VersionRef {
    VersionRef::parse(s).unwrap()
}

#[test]
fn start_freezes_evidence_and_evaluates_checks() {
    let (_d, store, key, policy) = demo();
    let (r, resumed) = start(
        &store,
        &key,
        &policy,
        &vref("models:/retail-pd-scorecard/3"),
        Some("vera".into()),
    )
    .unwrap();
    assert!(!resumed);
    assert_eq!(r.header.tier, "1");
    let ids: Vec<&str> = r.header.items.iter().map(|i| i.id.as_str()).collect();
    assert!(
        ids.contains(&"OA-01") && ids.contains(&"BM-01") && !ids.contains(&"LLM-01"),
        "{ids:?}"
    );
    let oa = r.item("OA-01").unwrap().automatic.clone().unwrap();
    assert_eq!(oa.outcome, AutoOutcome::Pass);
    assert!(
        oa.explanation.starts_with("auc_holdout = ")
            && oa
                .explanation
                .ends_with("on dataset 'retail-pd-scorecard_holdout_v3'"),
        "{}",
        oa.explanation
    );
    let bm = r.item("BM-01").unwrap().automatic.clone().unwrap();
    assert!(
        bm.explanation.contains("vs champion v2"),
        "{}",
        bm.explanation
    );
    assert_eq!(
        r.item("CS-02")
            .unwrap()
            .automatic
            .as_ref()
            .unwrap()
            .explanation,
        "the model documentation: https://wiki.demo.bank/models/retail-pd-scorecard"
    );
    assert_eq!(
        r.header.evidence_sha256,
        store
            .evidence(&key, &vref("models:/retail-pd-scorecard/3"))
            .unwrap()
            .sha256()
    );
    // Starting again resumes.
    let (again, resumed) = start(
        &store,
        &key,
        &policy,
        &vref("models:/retail-pd-scorecard/3"),
        None,
    )
    .unwrap();
    assert!(resumed);
    assert_eq!(again.header.id, r.header.id);
}

#[test]
fn answers_findings_and_readiness() {
    let (_d, store, key, policy) = demo();
    let v = vref("models:/churn-propensity/2");
    let (mut r, _) = start(&store, &key, &policy, &v, None).unwrap();
    assert_eq!(r.header.tier, "3");
    let st = r.status(&policy, None);
    assert!(!st.ready_for_decision && !st.can_approve);
    assert_eq!(st.unanswered.len(), r.header.items.len());

    // Rules: n/a needs a note; overriding an automatic result needs a note; confirming works.
    let e = r
        .answer(
            &store,
            &AnswerInput {
                item: "LIM-01".into(),
                outcome: Some(Outcome::NotApplicable),
                note: " ".into(),
                evidence: vec![],
            },
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("not applicable needs a note"), "{e}");
    let e = r
        .answer(
            &store,
            &AnswerInput {
                item: "DQ-01".into(),
                outcome: Some(Outcome::Fail),
                note: "".into(),
                evidence: vec![],
            },
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("overrides the automatic result"), "{e}");
    let e = r
        .answer(
            &store,
            &AnswerInput {
                item: "CS-01".into(),
                outcome: None,
                note: "".into(),
                evidence: vec![],
            },
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("attestation"), "{e}");
    assert!(r
        .answer(
            &store,
            &AnswerInput {
                item: "NOPE-1".into(),
                outcome: Some(Outcome::Pass),
                note: "x".into(),
                evidence: vec![]
            },
            None
        )
        .unwrap_err()
        .to_string()
        .contains("checklist has"));
    r.answer(
        &store,
        &AnswerInput {
            item: "DQ-01".into(),
            outcome: None,
            note: "".into(),
            evidence: vec![],
        },
        Some("vera".into()),
    )
    .unwrap();
    assert_eq!(r.answers["DQ-01"].outcome, Outcome::Pass);
    assert!(!r.answers["DQ-01"].overrides_automatic);
    for item in r.header.items.clone() {
        if !r.answers.contains_key(&item.id) {
            r.answer(
                &store,
                &AnswerInput {
                    item: item.id.clone(),
                    outcome: Some(Outcome::Pass),
                    note: "checked".into(),
                    evidence: vec!["doc://validation-report".into()],
                },
                None,
            )
            .unwrap();
        }
    }
    assert!(r.status(&policy, None).can_approve);

    // A failed item needs a finding; a high finding blocks only where the tier says so.
    r.answer(
        &store,
        &AnswerInput {
            item: "LIM-01".into(),
            outcome: Some(Outcome::Fail),
            note: "limitations not documented".into(),
            evidence: vec![],
        },
        None,
    )
    .unwrap();
    let st = r.status(&policy, None);
    assert!(st.ready_for_decision && !st.can_approve);
    assert!(
        st.blockers[0].contains("item LIM-01 failed and no finding records it"),
        "{:?}",
        st.blockers
    );
    let f = r
        .add_finding(
            &store,
            &FindingInput {
                title: "Limitations missing".into(),
                severity: Severity::High,
                description: "No limitations section".into(),
                owner: "owner@x".into(),
                due: "2027-01-31".into(),
                item: Some("LIM-01".into()),
                action_plan: String::new(),
            },
            None,
        )
        .unwrap()
        .clone();
    assert_eq!(f.id, "F-1");
    assert!(
        r.status(&policy, None).can_approve,
        "tier 3: high findings do not block ({:?})",
        r.status(&policy, None).blockers
    );
    assert!(r
        .add_finding(
            &store,
            &FindingInput {
                title: "x".into(),
                severity: Severity::Low,
                description: "".into(),
                owner: "".into(),
                due: "31/01/2027".into(),
                item: None,
                action_plan: String::new(),
            },
            None
        )
        .unwrap_err()
        .to_string()
        .contains("YYYY-MM-DD"));

    // Everything survives a reload from the store.
    let loaded = load_latest(&store, &key, &v).unwrap().unwrap();
    assert_eq!(loaded, r);
    assert_eq!(loaded.record().sha256(), r.record().sha256());
}

#[test]
fn high_findings_block_tier_one_until_remediated() {
    let (_d, store, key, policy) = demo();
    let (mut r, _) = start(&store, &key, &policy, &vref("models:/mortgage-lgd/2"), None).unwrap();
    for item in r.header.items.clone() {
        r.answer(
            &store,
            &AnswerInput {
                item: item.id.clone(),
                outcome: Some(Outcome::Pass),
                note: "reviewed".into(),
                evidence: vec![],
            },
            None,
        )
        .unwrap();
    }
    assert!(r.status(&policy, None).can_approve);
    r.add_finding(
        &store,
        &FindingInput {
            title: "Back-test gap".into(),
            severity: Severity::High,
            description: "".into(),
            owner: "o".into(),
            due: "2027-03-31".into(),
            item: None,
            action_plan: String::new(),
        },
        None,
    )
    .unwrap();
    let st = r.status(&policy, None);
    assert_eq!(st.open_findings.get("high"), Some(&1));
    assert!(
        !st.can_approve && st.blockers[0].starts_with("open high finding F-1: Back-test gap"),
        "{:?}",
        st.blockers
    );
    // Every change needs a note; an exception an expiry after today.
    let change = |status, note: &str, expires: Option<&str>| FindingUpdate {
        status,
        note: note.into(),
        evidence: None,
        expires: expires.map(Into::into),
    };
    let err = r
        .update_finding(
            &store,
            "f-1",
            &change(FindingStatus::Remediated, " ", None),
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("--note"), "{err}");
    let err = r
        .update_finding(
            &store,
            "F-1",
            &change(FindingStatus::Accepted, "low exposure", None),
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("--expires YYYY-MM-DD"), "{err}");
    let err = r
        .update_finding(
            &store,
            "F-1",
            &change(FindingStatus::Accepted, "low exposure", Some("2001-01-01")),
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("not after today"), "{err}");
    // One spelling for dates: `2999-1-1` would never compare as a date in the queue.
    let err = r
        .update_finding(
            &store,
            "F-1",
            &change(FindingStatus::Accepted, "low exposure", Some("2999-1-1")),
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a date"), "{err}");
    for bad in [
        "2026-1-5",
        "2026-01-5",
        " 2026-01-05",
        "2026-01-05 ",
        "20260105",
        "2026/01/05",
    ] {
        assert!(crate::inventory::parse_day(bad).is_none(), "{bad}");
    }
    assert!(crate::inventory::parse_day("2026-01-05").is_some());
    assert!(!r.status(&policy, None).can_approve, "nothing changed");
    // An exception stops blocking until it lapses; then the finding is open again.
    r.update_finding(
        &store,
        "F-1",
        &change(FindingStatus::Accepted, "low exposure", Some("2999-01-01")),
        Some("alex".into()),
    )
    .unwrap();
    assert!(r.status(&policy, None).can_approve);
    assert!(!r.findings[0].is_open("2998-12-31"));
    assert!(
        r.findings[0].is_open("2999-01-02"),
        "reopens after its expiry"
    );
    r.update_finding(
        &store,
        "F-1",
        &change(
            FindingStatus::Remediated,
            "back-test rerun on 2024 data",
            None,
        ),
        Some("vera".into()),
    )
    .unwrap();
    assert!(r.status(&policy, None).can_approve);
    let f = &r.findings[0];
    assert_eq!(
        f.exception_expires, None,
        "a remediation ends the exception"
    );
    let trail: Vec<(FindingStatus, Option<&str>, &str)> = f
        .history
        .iter()
        .map(|c| (c.status, c.by.as_deref(), c.note.as_str()))
        .collect();
    assert_eq!(
        trail,
        vec![
            (FindingStatus::Accepted, Some("alex"), "low exposure"),
            (
                FindingStatus::Remediated,
                Some("vera"),
                "back-test rerun on 2024 data"
            ),
        ]
    );
    let err = r
        .update_finding(
            &store,
            "F-1",
            &change(FindingStatus::Remediated, "again", None),
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("already remediated"), "{err}");
    // What was saved is what the next load sees.
    assert_eq!(
        store.findings::<Finding>(&r.header.id).unwrap()[0],
        r.findings[0]
    );
}

#[test]
fn changed_evidence_is_flagged_with_what_changed() {
    let (_d, store, key, policy) = demo();
    let v = vref("models:/churn-propensity/2");
    let (r, _) = start(&store, &key, &policy, &v, None).unwrap();
    let mut now = r.header.evidence.clone();
    if let Some(run) = now.run.as_mut() {
        run.metrics.get_mut("auc_holdout").unwrap().value = Some(0.5);
        run.params.insert("new_param".into(), "1".into());
    }
    let st = r.status(&policy, Some(&now));
    assert!(!st.ready_for_decision);
    assert!(
        st.evidence_changes
            .iter()
            .any(|c| c.starts_with("run.metrics.auc_holdout.value: ") && c.ends_with("→ 0.5")),
        "{:?}",
        st.evidence_changes
    );
    assert!(
        st.evidence_changes
            .iter()
            .any(|c| c == "run.params.new_param: added '1'"),
        "{:?}",
        st.evidence_changes
    );
}

#[test]
fn review_json_is_deterministic() {
    let (_d, store, key, policy) = demo();
    let (r, _) = start(
        &store,
        &key,
        &policy,
        &vref("models:/credit-memo-summarizer/2"),
        None,
    )
    .unwrap();
    let a = r.record().to_canonical_json();
    let b = load_latest(&store, &key, &vref("models:/credit-memo-summarizer/2"))
        .unwrap()
        .unwrap()
        .record()
        .to_canonical_json();
    assert_eq!(a, b);
    let text = String::from_utf8(a).unwrap();
    assert!(text.contains("\"type\": \"countersign.review/v1\""));
    assert!(text.contains("LLM-01"));
}

#[test]
fn a_new_review_supersedes_and_carries_open_findings() {
    let (_d, store, key, policy) = demo();
    let v = vref("models:/retail-pd-scorecard/3");
    let (mut first, _) = start(&store, &key, &policy, &v, Some("vera".into())).unwrap();
    let finding = |title: &str| FindingInput {
        title: title.into(),
        severity: Severity::High,
        description: String::new(),
        owner: "owner@x".into(),
        due: "2027-01-31".into(),
        item: None,
        action_plan: String::new(),
    };
    first
        .add_finding(&store, &finding("still open"), Some("vera".into()))
        .unwrap();
    first
        .add_finding(&store, &finding("fixed"), Some("vera".into()))
        .unwrap();
    first
        .update_finding(
            &store,
            "F-2",
            &FindingUpdate {
                status: FindingStatus::Remediated,
                note: "fixed in v2".into(),
                evidence: Some("JIRA-12".into()),
                expires: None,
            },
            Some("vic".into()),
        )
        .unwrap();
    assert_eq!(first.findings[1].updated_by.as_deref(), Some("vic"));
    let second = start_new(&store, &key, &policy, &v, Some("val".into())).unwrap();
    assert_ne!(second.header.id, first.header.id);
    assert_eq!(
        second.header.supersedes.as_deref(),
        Some(first.header.id.as_str())
    );
    assert!(second.header.started_at > first.header.started_at);
    let carried: Vec<&str> = second.findings.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(carried, ["still open"], "open findings keep blocking");
    assert!(
        !second.status(&policy, None).can_approve,
        "the carried high finding blocks approval"
    );
    // Resuming gives the new one; the history keeps both, in order.
    let (resumed, was) = start(&store, &key, &policy, &v, None).unwrap();
    assert!(was);
    assert_eq!(resumed.header.id, second.header.id);
    assert_eq!(resumed.findings.len(), 1);
    let h: Vec<String> = history(&store, &key, &v)
        .unwrap()
        .into_iter()
        .map(|r| r.header.id)
        .collect();
    assert_eq!(h, [first.header.id.clone(), second.header.id.clone()]);
    // The record says what it supersedes; a first review's record has no such field.
    assert_eq!(
        second.record().supersedes.as_deref(),
        Some(first.header.id.as_str())
    );
    assert!(!String::from_utf8_lossy(&first.record().to_canonical_json()).contains("supersedes"));
}
