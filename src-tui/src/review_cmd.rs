//! `review`, `tier` and `policy` subcommands.

use crate::cli::{
    AnswerArgs, FindingCmd, ReportCmd, ReviewCmd, ReviewShowArgs, StartArgs, TierArgs, VersionJson,
};
use crate::output;
use anyhow::{Context, Result};
use countersign_core::policy::checks::AutoOutcome;
use countersign_core::policy::LoadedPolicy;
use countersign_core::review::{self, Outcome, Review};
use countersign_core::uri::VersionRef;
use countersign_core::workspace::{AnswerInput, FindingInput, Workspace};
use std::io::Write;
use std::path::Path;

/// The policy from `--policy`, or the built-in one.
pub(crate) fn load_policy(path: Option<&Path>) -> Result<LoadedPolicy> {
    Ok(match path {
        Some(p) => LoadedPolicy::load(p)?,
        None => LoadedPolicy::default_policy()?,
    })
}

/// `policy check`.
pub(crate) fn policy_check(file: Option<&Path>, json: bool) -> Result<()> {
    let p = load_policy(file)?;
    let shown = file
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "built-in default policy".into());
    if json {
        return output::json(
            "countersign.policy-check/v1",
            &serde_json::json!({
                "file": shown, "ok": true, "sha256": p.sha256, "name": p.policy.name, "version": p.policy.version,
                "tiers": p.policy.tiers.keys().collect::<Vec<_>>(), "checklist_items": p.policy.checklist.len(),
                "rubric_questions": p.policy.rubric.questions.len(), "roster": p.policy.roster.len(),
            }),
        );
    }
    say!("{}: ok", shown);
    say!(
        "  name:      {} (version {})",
        p.policy.name,
        p.policy.version
    );
    say!("  sha256:    {}", p.sha256);
    say!(
        "  tiers:     {}",
        p.policy
            .tiers
            .iter()
            .map(|(k, t)| format!("{k} ({})", t.label))
            .collect::<Vec<_>>()
            .join(", ")
    );
    say!(
        "  checklist: {} items; rubric: {} questions; roster: {} people",
        p.policy.checklist.len(),
        p.policy.rubric.questions.len(),
        p.policy.roster.len()
    );
    Ok(())
}

/// `tier`.
pub(crate) fn tier(ws: &Workspace, a: TierArgs) -> Result<()> {
    let policy = &ws.policy;
    let name = match VersionRef::parse(&a.model) {
        Ok(r) => r.name,
        Err(_) => a
            .model
            .strip_prefix("models:/")
            .unwrap_or(&a.model)
            .trim_end_matches('/')
            .to_string(),
    };
    let mut answers = std::collections::BTreeMap::new();
    for kv in &a.answers {
        let (k, v) = kv.split_once('=').with_context(|| {
            format!("--answer {kv}: write QUESTION=VALUE, e.g. exposure=decisive")
        })?;
        if let Some(q) = policy
            .policy
            .rubric
            .questions
            .iter()
            .find(|q| q.id == k.trim())
        {
            if !q.options.iter().any(|o| o.value == v.trim()) {
                let values: Vec<&str> = q.options.iter().map(|o| o.value.as_str()).collect();
                return Err(crate::output::UsageError(format!(
                    "--answer {kv}: '{}' is not an answer to {} (answers: {})",
                    v.trim(),
                    q.id,
                    values.join(", ")
                ))
                .into());
            }
        } else {
            let ids: Vec<&str> = policy
                .policy
                .rubric
                .questions
                .iter()
                .map(|q| q.id.as_str())
                .collect();
            return Err(crate::output::UsageError(format!(
                "--answer {kv}: the rubric has no question '{}' (questions: {})",
                k.trim(),
                ids.join(", ")
            ))
            .into());
        }
        answers.insert(k.trim().to_string(), v.trim().to_string());
    }
    let assessment = ws.tier(&name, &answers)?;
    if a.json {
        return output::json("countersign.tier/v1", &assessment);
    }
    say!(
        "{}: rubric of policy {} ({})",
        name,
        policy.policy.version,
        countersign_core::display::short_hash(&policy.sha256)
    );
    for r in &assessment.rationale {
        say!("  {}", r);
    }
    for q in &assessment.unanswered {
        let question = policy.policy.rubric.questions.iter().find(|x| &x.id == q);
        if let Some(question) = question {
            let opts: Vec<&str> = question.options.iter().map(|o| o.value.as_str()).collect();
            say!(
                "  unanswered: {} — {} ({}); pass --answer {}=VALUE or tag the model rubric.{}",
                q,
                question.text,
                opts.join(" | "),
                q,
                q
            );
        }
    }
    match (&assessment.tier, &assessment.platform_tier) {
        (Some(t), Some(p)) if t != p => {
            say!(
                "  DISAGREES: the rubric gives tier {}, the platform records tier {}",
                t,
                p
            )
        }
        (Some(t), Some(_)) => say!("  agrees with the platform's tier {}", t),
        (Some(t), None) => say!(
            "  the platform records no tier; set tag {}={}",
            policy.policy.tags.risk_tier,
            t
        ),
        (None, _) => say!("  no tier until every question is answered"),
    }
    Ok(())
}

/// `review …`.
pub(crate) fn run(ws: &Workspace, cmd: ReviewCmd) -> Result<()> {
    match cmd {
        ReviewCmd::Start(StartArgs { version, new, json }) => {
            let page = if new {
                ws.review_new(&version)?
            } else {
                ws.review_open(&version)?
            };
            let (review, status) = (&page.review, &page.status);
            if json {
                return output::json(
                    "countersign.review-page/v1",
                    &serde_json::json!({
                        "resumed": page.resumed, "review": review, "status": status, "note": page.note,
                    }),
                );
            }
            say!(
                "{} review {} of {} (tier {}, policy {} {}, evidence {}){}",
                if page.resumed { "Resumed" } else { "Started" },
                review.header.id,
                ws.resolve_local(&version)?,
                review.header.tier,
                review.header.policy_version,
                countersign_core::display::short_hash(&review.header.policy_sha256),
                countersign_core::display::short_hash(&review.header.evidence_sha256),
                review
                    .header
                    .supersedes
                    .as_ref()
                    .map(|s| format!(", superseding {s}"))
                    .unwrap_or_default()
            );
            print_checklist(review);
            print_status(status);
            if let Some(note) = &page.note {
                eprintln!("note: {}", crate::output::Esc(note));
            }
            Ok(())
        }
        ReviewCmd::List(VersionJson { version, json }) => {
            let list = ws.review_list(&version)?;
            if json {
                return output::json(
                    "countersign.review-list/v1",
                    &serde_json::json!({
                        "version": ws.resolve_local(&version)?.to_string(),
                        "reviews": list,
                    }),
                );
            }
            if list.is_empty() {
                say!(
                    "No review of {} yet. Start one with `countersign review start {}`.",
                    version,
                    version
                );
                return Ok(());
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|r| {
                    let state = match (&r.superseded_by, r.evidence_changed) {
                        (Some(by), _) => format!("superseded by {by}"),
                        (None, true) => "current, evidence changed: start --new".into(),
                        (None, false) if r.answered == r.total => "current, complete".into(),
                        (None, false) => "current, under way".into(),
                    };
                    let approvals = r
                        .approvals
                        .iter()
                        .map(|e| format!("{} {} by {}", e.role, e.decision, e.signer))
                        .collect::<Vec<_>>()
                        .join("; ");
                    vec![
                        r.id.clone(),
                        r.reviewer.clone().unwrap_or_else(|| "-".into()),
                        r.started_at.clone(),
                        format!("{}/{}", r.answered, r.total),
                        state,
                        if approvals.is_empty() {
                            "-".into()
                        } else {
                            approvals
                        },
                    ]
                })
                .collect();
            print!(
                "{}",
                output::table(
                    &[
                        "REVIEW",
                        "REVIEWER",
                        "STARTED",
                        "ANSWERED",
                        "STATE",
                        "APPROVALS"
                    ],
                    &rows
                )
            );
            Ok(())
        }
        ReviewCmd::Show(ReviewShowArgs {
            version,
            json,
            record,
        }) => {
            let page = ws.review_show(&version)?;
            let review = &page.review;
            if record {
                let rec = review.record();
                std::io::stdout().write_all(&rec.to_canonical_json())?;
                eprintln!("sha256 {}", rec.sha256());
                return Ok(());
            }
            if json {
                return output::json(
                    "countersign.review-page/v1",
                    &serde_json::json!({"review": review, "status": page.status, "prompt": page.prompt}),
                );
            }
            say!(
                "Review {} of {} (tier {}, started {})",
                review.header.id,
                ws.resolve_local(&version)?,
                review.header.tier,
                review.header.started_at
            );
            if let Some(p) = &page.prompt {
                crate::commands::print_prompt(p);
            }
            print_checklist(review);
            print_findings(review);
            print_status(&page.status);
            Ok(())
        }
        ReviewCmd::Answer(AnswerArgs {
            version,
            item,
            outcome,
            note,
            evidence,
            json,
        }) => {
            let page = ws.review_answer(
                &version,
                AnswerInput {
                    item: item.clone(),
                    outcome: outcome.0,
                    note,
                    evidence,
                },
            )?;
            let answer = answer_of(&page.review, &item)?;
            if json {
                return output::json("countersign.review-answer/v1", answer);
            }
            say!(
                "{} {}{}",
                item.to_uppercase(),
                answer.outcome.as_str(),
                if answer.overrides_automatic {
                    " (overrides the automatic result)"
                } else {
                    ""
                }
            );
            say!("{} of {} answered", page.status.answered, page.status.total);
            Ok(())
        }
        ReviewCmd::Apply { version, file } => {
            // Fails before reading anything when there is no review to apply answers to.
            ws.review_show(&version)?;
            let reader: Box<dyn std::io::BufRead> = if file.as_os_str() == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                Box::new(std::io::BufReader::new(
                    std::fs::File::open(&file)
                        .with_context(|| format!("cannot open {}", file.display()))?,
                ))
            };
            let mut out = std::io::stdout().lock();
            for (n, line) in std::io::BufRead::lines(reader).enumerate() {
                let line = line?;
                if line.trim().is_empty() || line.starts_with('#') {
                    continue;
                }
                // A report section: `report:SECTION<TAB>TEXT`, `\n` in TEXT a new line.
                if let Some(rest) = line.strip_prefix("report:") {
                    let Some((name, text)) = rest.split_once('\t') else {
                        return Err(countersign_core::Error::InvalidInput {
                            what: "review apply line",
                            input: format!("{}: line {}", file.display(), n + 1),
                            reason: "write report:SECTION<TAB>TEXT (a tab after the section; an empty TEXT clears it)".into(),
                        }
                        .into());
                    };
                    let section = review::report::Section::parse(name)
                        .with_context(|| format!("{}: line {}", file.display(), n + 1))?;
                    let page = ws
                        .review_report_set(&version, section, &unescape_line(text))
                        .with_context(|| format!("{}: line {}", file.display(), n + 1))?;
                    match page.review.report.get(&section) {
                        Some(t) => writeln!(
                            out,
                            "saved report {section} ({} characters)",
                            t.text.chars().count()
                        )?,
                        None => writeln!(out, "cleared report {section}")?,
                    }
                    out.flush()?;
                    continue;
                }
                let mut parts = line.splitn(3, '\t');
                let (item, outcome, note) = (
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                );
                let outcome = match outcome.trim().to_ascii_lowercase().as_str() {
                    "confirm" | "auto" => None,
                    o => Some(Outcome::parse(o).with_context(|| {
                        format!(
                            "{}: line {}: outcome '{o}': use pass, fail, na or confirm",
                            file.display(),
                            n + 1
                        )
                    })?),
                };
                let page = ws
                    .review_answer(
                        &version,
                        AnswerInput {
                            item: item.trim().to_string(),
                            outcome,
                            note: note.to_string(),
                            evidence: Vec::new(),
                        },
                    )
                    .with_context(|| format!("{}: line {}", file.display(), n + 1))?;
                let a = answer_of(&page.review, item.trim())?;
                writeln!(
                    out,
                    "saved {} {} {}",
                    item.trim(),
                    a.outcome.as_str(),
                    a.note
                )?;
                out.flush()?;
            }
            Ok(())
        }
        ReviewCmd::Finding(FindingCmd::Add(a)) => {
            let before = ws.review_show(&a.version)?.review.findings.len();
            let page = ws.review_finding_add(
                &a.version,
                FindingInput {
                    title: a.title,
                    severity: a.severity,
                    description: a.description,
                    owner: a.owner,
                    due: a.due,
                    item: a.item,
                    action_plan: a.action_plan,
                },
            )?;
            let f = page
                .review
                .findings
                .get(before)
                .context("the finding was not recorded")?;
            if a.json {
                return output::json("countersign.review-finding/v1", f);
            }
            say!(
                "Raised {} ({}): {}",
                f.id,
                countersign_core::export::words::severity(f.severity),
                f.title
            );
            Ok(())
        }
        ReviewCmd::Finding(FindingCmd::Update(a)) => {
            let update = review::FindingUpdate {
                status: a.status,
                note: a.note,
                evidence: a.evidence,
                expires: a.expires,
            };
            let page = ws.review_finding_update(&a.version, &a.id, update)?;
            let f = page
                .review
                .findings
                .iter()
                .find(|f| f.id.eq_ignore_ascii_case(&a.id))
                .context("the finding was not recorded")?;
            if a.json {
                return output::json("countersign.review-finding/v1", f);
            }
            say!(
                "{} is now {}{} (by {})",
                f.id,
                f.status.as_str(),
                f.exception_expires
                    .as_deref()
                    .map(|e| format!(" until {e}, then open again"))
                    .unwrap_or_default(),
                f.updated_by.as_deref().unwrap_or("-")
            );
            Ok(())
        }
        ReviewCmd::Report(ReportCmd::Set(a)) => {
            let section = review::report::Section::parse(&a.section)?;
            let text = match (&a.text, &a.file) {
                (Some(t), _) => t.clone(),
                (None, Some(f)) if f.as_os_str() == "-" => {
                    let mut s = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                        .context("reading the section's text from standard input")?;
                    s
                }
                (None, Some(f)) => {
                    std::fs::read_to_string(f).map_err(|e| countersign_core::Error::io(f, e))?
                }
                (None, None) => String::new(),
            };
            let page = ws.review_report_set(&a.version, section, &text)?;
            if a.json {
                return output::json(
                    "countersign.review-report-section/v1",
                    &serde_json::json!({
                        "section": section, "text": page.review.report.get(&section), "status": page.status,
                    }),
                );
            }
            match page.review.report.get(&section) {
                Some(t) => say!(
                    "{} written ({} characters) by {}",
                    section.title(),
                    t.text.chars().count().to_string(),
                    t.written_by.as_deref().unwrap_or("-")
                ),
                None => say!("{} cleared", section.title()),
            }
            print_status(&page.status);
            Ok(())
        }
        ReviewCmd::Report(ReportCmd::Show(VersionJson { version, json })) => {
            let page = ws.review_show(&version)?;
            let required = &page.report_required;
            if json {
                return output::json(
                    "countersign.review-report/v1",
                    &serde_json::json!({
                        "report": page.review.report,
                        "required": required,
                        "ratings": page.ratings,
                    }),
                );
            }
            for s in review::report::Section::ALL {
                let need = if required.contains(&s) {
                    " (required)"
                } else {
                    ""
                };
                match page.review.report.get(&s) {
                    Some(t) => {
                        say!(
                            "{}{} — by {} at {}",
                            s.title(),
                            need,
                            t.written_by.as_deref().unwrap_or("-"),
                            t.written_at
                        );
                        for line in t.text.lines() {
                            say!("  {}", line);
                        }
                    }
                    None => say!("{}{} — not written", s.title(), need),
                }
            }
            say!("Ratings: {}", page.ratings.join(", "));
            Ok(())
        }
        ReviewCmd::Status(VersionJson { version, json }) => {
            let page = ws.review_show(&version)?;
            if json {
                return output::json("countersign.review-status/v1", &page.status);
            }
            print_status(&page.status);
            Ok(())
        }
    }
}

/// A report line's text: `\n` is a new line, `\t` a tab, `\\` a backslash.
fn unescape_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn answer_of<'a>(review: &'a Review, item: &str) -> Result<&'a review::Answer> {
    review
        .answers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(item))
        .map(|(_, a)| a)
        .with_context(|| format!("the answer to {item} was not recorded"))
}

fn print_checklist(review: &Review) {
    let mut area = "";
    for item in &review.header.items {
        if item.area != area {
            area = &item.area;
            say!("\n{}", area);
        }
        let answer = review.answers.get(&item.id);
        let mark = match answer.map(|a| a.outcome) {
            Some(Outcome::Pass) => "[pass]",
            Some(Outcome::Fail) => "[FAIL]",
            Some(Outcome::NotApplicable) => "[n/a] ",
            None => "[    ]",
        };
        say!("  {} {:<7} {}", mark, item.id, item.title);
        if let Some(auto) = &item.automatic {
            let o = match auto.outcome {
                AutoOutcome::Pass => "pass",
                AutoOutcome::Fail => "FAIL",
                AutoOutcome::Missing => "missing",
            };
            say!("           automatic: {} — {}", o, auto.explanation);
        }
        if let Some(a) = answer {
            if !a.note.is_empty() {
                say!("           note: {}", a.note);
            }
        }
    }
}

fn print_findings(review: &Review) {
    if review.findings.is_empty() {
        return;
    }
    use countersign_core::export::words;
    say!("\nFindings");
    for f in &review.findings {
        say!(
            "  {} {} {} due {} — {}{}",
            f.id,
            words::severity(f.severity),
            words::status(f.status),
            f.due,
            f.title,
            f.item
                .as_ref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default()
        );
        say!(
            "      raised by {} at {}",
            f.raised_by.as_deref().unwrap_or("-"),
            words::minute(&f.raised_at)
        );
        if !f.action_plan.is_empty() {
            say!("      action plan: {}", f.action_plan);
        }
        // Every change of status, oldest first: who, when, why.
        for c in &f.history {
            say!(
                "      {} by {} at {}{}{}{}",
                words::status(c.status),
                c.by.as_deref().unwrap_or("-"),
                words::minute(&c.at),
                if c.note.is_empty() {
                    String::new()
                } else {
                    format!(": {}", c.note)
                },
                c.evidence
                    .as_ref()
                    .map(|e| format!(" (evidence {e})"))
                    .unwrap_or_default(),
                c.expires
                    .as_ref()
                    .map(|e| format!(" (expires {e})"))
                    .unwrap_or_default()
            );
        }
    }
}

fn print_status(s: &review::ReviewStatus) {
    say!("\n{}: {} of {} answered", s.version, s.answered, s.total);
    if !s.evidence_changes.is_empty() {
        say!("  EVIDENCE CHANGED since the review started:");
        for c in &s.evidence_changes {
            say!("    {}", c);
        }
    }
    if s.can_approve {
        say!("  ready for decision; nothing blocks an approval");
    } else {
        if s.ready_for_decision {
            say!("  ready for decision, but an approval is blocked:");
        } else {
            say!("  not ready for decision:");
        }
        for b in &s.blockers {
            say!("    - {}", b);
        }
    }
}
