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
    write_required_report(&mut r, &store, &policy);
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
    write_required_report(&mut r, &store, &policy);
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

/// Writes every report section `r`'s tier requires (the rating: the best of the scale), after
/// checking that their absence blocks approval.
fn write_required_report(r: &mut Review, store: &Store, policy: &LoadedPolicy) {
    let required = super::report::required(policy, &r.header.tier);
    assert!(!required.is_empty(), "the default policy requires a report");
    assert!(
        !r.status(policy, None).can_approve,
        "an unwritten report blocks"
    );
    for s in required {
        let text = if s == super::report::Section::Rating {
            policy.policy.report.ratings[0].clone()
        } else {
            format!("{} of the review", s.title())
        };
        r.set_report(store, policy, s, &text, Some("vera".into()))
            .unwrap();
    }
}

/// The default policy's tier-1 report requirement.
const DEFAULT_TIER1_REPORT: &str = "report_required = [\"executive_summary\", \"scope\", \"rating\", \"conclusion\", \"model_limitations\", \"validation_limitations\"]\n";

/// The default policy's rating scale.
const DEFAULT_REPORT: &str = "[report]\nratings = [\"satisfactory\", \"satisfactory_with_findings\", \"unsatisfactory\"]\nnot_approvable = [\"unsatisfactory\"]\n";

/// The default policy with `tier1` as tier 1's report requirement and `report` as its
/// `[report]` table.
fn with_report(tier1: &str, report: &str) -> String {
    let base = LoadedPolicy::default_policy().unwrap().text;
    assert!(base.contains(DEFAULT_TIER1_REPORT) && base.contains(DEFAULT_REPORT));
    base.replacen(DEFAULT_TIER1_REPORT, tier1, 1)
        .replacen(DEFAULT_REPORT, report, 1)
}

/// The default policy with tier 1 requiring the report's main sections.
fn requiring_report() -> LoadedPolicy {
    let text = with_report(
        "report_required = [\"executive_summary\", \"scope\", \"rating\", \"conclusion\"]\n",
        DEFAULT_REPORT,
    );
    LoadedPolicy::from_text(&text, None).unwrap()
}

#[test]
fn the_default_policy_requires_the_report_by_tier() {
    use super::report::Section::*;
    let p = LoadedPolicy::default_policy().unwrap();
    let req = |t: &str| p.policy.tiers[t].report_required.clone();
    assert_eq!(
        req("1"),
        vec![
            ExecutiveSummary,
            Scope,
            Rating,
            Conclusion,
            ModelLimitations,
            ValidationLimitations
        ]
    );
    assert_eq!(req("2"), vec![ExecutiveSummary, Rating, Conclusion]);
    assert_eq!(req("3"), vec![Rating, Conclusion]);
}

#[test]
fn a_not_approvable_rating_spelled_differently_from_the_scale_still_refuses() {
    use super::report::Section;
    let (_d, store, key, _) = demo();
    let text = with_report(
        "report_required = [\"rating\"]\n",
        "[report]\nratings = [\"Satisfactory\", \"Needs Improvement\", \"Unsatisfactory\"]\nnot_approvable = [\"needs-improvement\", \"UNSATISFACTORY\"]\n",
    );
    let policy = LoadedPolicy::from_text(&text, None).unwrap();
    let v = vref("models:/retail-pd-scorecard/3");
    let (mut r, _) = start(&store, &key, &policy, &v, Some("vera".into())).unwrap();
    for typed in ["NEEDS_IMPROVEMENT", "needs improvement", "unsatisfactory"] {
        r.set_report(&store, &policy, Section::Rating, typed, None)
            .unwrap();
        let stored = r.report[&Section::Rating].text.clone();
        assert!(
            stored == "Needs Improvement" || stored == "Unsatisfactory",
            "stored in the scale's spelling: {stored}"
        );
        assert!(
            crate::approval::sign::review_blockers(&r.record(), &policy)
                .iter()
                .any(|b| b.contains(&format!("the overall rating is '{stored}'"))),
            "{typed}: approvable"
        );
    }
    r.set_report(&store, &policy, Section::Rating, "satisfactory", None)
        .unwrap();
    assert!(
        !crate::approval::sign::review_blockers(&r.record(), &policy)
            .iter()
            .any(|b| b.contains("overall rating"))
    );
}

#[test]
fn report_sections_are_checked_attributed_and_block_approval_until_written() {
    use super::report::Section;
    let (_d, store, key, _) = demo();
    let policy = requiring_report();
    let v = vref("models:/retail-pd-scorecard/3");
    let (mut r, _) = start(&store, &key, &policy, &v, Some("vera".into())).unwrap();
    let st = r.status(&policy, None);
    assert!(
        st.blockers.iter().any(|b| b.contains(
            "the validation report lacks sections required by tier 1: executive_summary, scope, rating, conclusion"
        ) && b.contains("countersign review report set models:/retail-pd-scorecard/3")),
        "{:?}",
        st.blockers
    );
    // Hostile and malformed text is refused before anything is saved.
    for (section, text, why) in [
        (Section::Rating, "excellent", "is not a rating of policy"),
        (Section::Rating, "satisfactory; rm -rf /", "is not a rating"),
        (
            Section::Conclusion,
            "fine\u{1b}]52;c;ZXZpbA==\u{7}",
            "control character U+001B",
        ),
        (Section::Scope, "all\u{1}", "control character U+0001"),
    ] {
        let e = r
            .set_report(&store, &policy, section, text, Some("vera".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains(why), "{text:?}: {e}");
    }
    let long = "x".repeat(super::report::MAX_SECTION_CHARS + 1);
    assert!(r
        .set_report(&store, &policy, Section::Scope, &long, None)
        .unwrap_err()
        .to_string()
        .contains("more than a section holds"));
    assert!(r.report.is_empty(), "nothing refused was kept");
    // A rating is stored in the policy's spelling; multi-line text keeps its lines.
    r.set_report(
        &store,
        &policy,
        Section::Rating,
        " Satisfactory with findings ",
        Some("vera".into()),
    )
    .unwrap();
    assert_eq!(
        r.report[&Section::Rating].text,
        "satisfactory_with_findings"
    );
    r.set_report(
        &store,
        &policy,
        Section::Scope,
        "in: A\r\nout: B\n",
        Some("vera".into()),
    )
    .unwrap();
    assert_eq!(r.report[&Section::Scope].text, "in: A\nout: B");
    assert_eq!(
        r.report[&Section::Scope].written_by.as_deref(),
        Some("vera")
    );
    r.set_report(
        &store,
        &policy,
        Section::ExecutiveSummary,
        "Fit for purpose.",
        None,
    )
    .unwrap();
    r.set_report(&store, &policy, Section::Conclusion, "Approve.", None)
        .unwrap();
    // Saved at once: a fresh load (a crash after the call) holds every section.
    let again = load_latest(&store, &key, &v).unwrap().unwrap();
    assert_eq!(again.report, r.report);
    assert!(
        !r.status(&policy, None)
            .blockers
            .iter()
            .any(|b| b.contains("validation report")),
        "written: nothing of the report blocks"
    );
    // The record carries the report; the signing rules read the same blockers.
    let rec = r.record();
    assert_eq!(rec.report.len(), 4);
    assert!(!crate::approval::sign::review_blockers(&rec, &policy)
        .iter()
        .any(|b| b.contains("validation report")));
    // A rating the policy does not let be approved blocks approval; clearing a section does too.
    r.set_report(&store, &policy, Section::Rating, "unsatisfactory", None)
        .unwrap();
    assert!(crate::approval::sign::review_blockers(&r.record(), &policy)
        .iter()
        .any(|b| b.contains("the overall rating is 'unsatisfactory'")));
    r.set_report(&store, &policy, Section::Conclusion, "  ", None)
        .unwrap();
    assert!(!r.report.contains_key(&Section::Conclusion));
    assert!(!load_latest(&store, &key, &v)
        .unwrap()
        .unwrap()
        .report
        .contains_key(&Section::Conclusion));
    // A record without a report hashes as records made before reports existed.
    let mut bare = r.record();
    bare.report.clear();
    assert!(!String::from_utf8(bare.to_canonical_json())
        .unwrap()
        .contains("\"report\""));
}

#[test]
fn a_policy_rating_scale_must_be_consistent() {
    for (add, why) in [
        ("[report]\nratings = []\n", "report.ratings must list"),
        (
            "[report]\nratings = [\"good\", \"Good\"]\nnot_approvable = []\n",
            "names 'Good' twice",
        ),
        (
            "[report]\nratings = [\"good\"]\nnot_approvable = [\"bad\"]\n",
            "not one of report.ratings",
        ),
    ] {
        let e = LoadedPolicy::from_text(&with_report(DEFAULT_TIER1_REPORT, add), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains(why), "{add}: {e}");
    }
    let e = LoadedPolicy::from_text(
        &with_report("report_required = [\"summary\"]\n", DEFAULT_REPORT),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("summary"), "{e}");
}
