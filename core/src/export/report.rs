//! `countersign export report`: the validator's report as a document a model risk committee
//! reads — cover, executive summary with the rating, scope, the model, the evidence against
//! its thresholds (champion against challenger), checklist results by area with who answered,
//! findings with their action plans, limitations, conclusion and the approvals with their
//! verification. The PDF (`pdf::report`) and the Markdown here are drawn from the same
//! [`PackData`] the audit pack is, so the two never disagree.

pub use super::pack_data::MetricComparison;
use super::pack_data::PackData;
use super::words;
use crate::policy::checks::{metric_value, Check, Comparison};
use crate::review::report::Section;
use crate::{Error, Result};

/// One metric the checklist reads, against its threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyMetric {
    /// Metric name as the policy names it.
    pub metric: String,
    /// Its value, where recorded (the name found and the run it came from).
    pub value: Option<(String, String, f64)>,
    /// The threshold a metric check sets.
    pub threshold: Option<(Comparison, f64)>,
}

impl KeyMetric {
    /// "Pass" / "FAIL" / "not recorded" / "—" (no threshold).
    pub fn verdict(&self) -> &'static str {
        match (&self.value, &self.threshold) {
            (None, _) => "not recorded",
            (Some(_), None) => "—",
            (Some((_, _, v)), Some((op, t))) => {
                if op.holds(*v, *t) {
                    "Pass"
                } else {
                    "FAIL"
                }
            }
        }
    }
}

/// The checklist items of the review's tier for the model's kind (every item when there is
/// no review, or its tier is unknown).
pub fn applicable_items(d: &PackData) -> Vec<&crate::policy::ChecklistItem> {
    match &d.review {
        Some(r) if d.policy.policy.tiers.contains_key(&r.tier) => {
            d.policy.checklist_for(&r.tier, d.model.kind)
        }
        _ => d.policy.policy.checklist.iter().collect(),
    }
}

/// The metrics the checklist of the review's tier reads, with their values in `d`'s evidence.
pub fn key_metrics(d: &PackData) -> Vec<KeyMetric> {
    super::pdf::audit::checked_metrics(d)
        .into_iter()
        .map(|(metric, threshold)| KeyMetric {
            value: metric_value(&d.evidence, &metric)
                .and_then(|(run, name, v)| v.map(|v| (run, name, v))),
            metric,
            threshold,
        })
        .collect()
}

/// Champion-against-challenger comparisons of the review's tier, reading the alias version's
/// evidence from `store` (what the last sync holds).
pub fn comparisons(
    store: &crate::store::Store,
    platform: &str,
    d: &PackData,
) -> Vec<MetricComparison> {
    let mut out: Vec<MetricComparison> = Vec::new();
    for item in applicable_items(d) {
        let Check::ChampionChallenger {
            metric,
            alias,
            higher_is_better,
            margin,
        } = &item.check
        else {
            continue;
        };
        if out.iter().any(|c| &c.metric == metric && &c.alias == alias) {
            continue;
        }
        let alias_version = d.model.aliases.get(alias).cloned();
        let champion = alias_version.as_ref().and_then(|v| {
            let e = store
                .evidence(
                    platform,
                    &crate::uri::VersionRef {
                        name: d.version.name.clone(),
                        version: v.clone(),
                    },
                )
                .ok()?;
            metric_value(&e, metric)?.2
        });
        out.push(MetricComparison {
            metric: metric.clone(),
            alias: alias.clone(),
            alias_version,
            champion,
            challenger: metric_value(&d.evidence, metric).and_then(|x| x.2),
            margin: *margin,
            higher_is_better: *higher_is_better,
        });
    }
    out
}

/// The validator's and the approver's decisions, as "Approve by X at T (counts)".
pub fn decisions(d: &PackData) -> Vec<String> {
    d.verification
        .approvals
        .iter()
        .filter_map(|a| {
            a.record.as_ref().map(|r| {
                format!(
                    "{}: {} by {} at {} — {}",
                    words::role(r.role),
                    words::decision(r.decision),
                    r.signer,
                    words::minute(&r.signed_at),
                    if a.counts {
                        "verified, counts".to_string()
                    } else {
                        format!("does not count: {}", a.reasons.join("; "))
                    }
                )
            })
        })
        .collect()
}

/// A section's text, or what a reader sees when it was not written.
pub fn section_text(d: &PackData, s: Section) -> String {
    d.review
        .as_ref()
        .and_then(|r| r.report.get(&s))
        .map(|t| {
            if s == Section::Rating {
                words::rating(&t.text)
            } else {
                t.text.clone()
            }
        })
        .unwrap_or_else(|| "Not written.".into())
}

/// Who wrote a section and when ("written by vera@… at 2026-…Z").
pub fn section_byline(d: &PackData, s: Section) -> Option<String> {
    let t = d.review.as_ref()?.report.get(&s)?;
    Some(format!(
        "written by {} at {}",
        t.written_by.as_deref().unwrap_or("(not recorded)"),
        words::minute(&t.written_at)
    ))
}

/// One line of platform or validator text as Markdown that shows it literally: control
/// characters made visible, HTML (`<`, `>`, `&`) as entities, every character that starts
/// inline syntax (emphasis, code, links, images, tables) escaped, and what would start a
/// block at the line's head (a heading, quote, list, rule, numbered item, code block)
/// neutralised. No text can restyle the report or add a link.
fn literal(line: &str) -> String {
    let line = crate::display::escape(line);
    let line = line.trim_start();
    let mut out = String::with_capacity(line.len() + 8);
    for (i, c) in line.chars().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    // Bare URLs and `www.` names would become links (GFM autolinks): broken up, still legible.
    let out = out.replace("://", ":\\//").replace("www.", "www\\.");
    let mut out = out;
    // "1. item" and "1) item" would start a numbered list.
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && matches!(out[digits..].chars().next(), Some('.' | ')')) {
        out.insert(digits, '\\');
    }
    out
}

/// A table cell: one line ([`literal`], newlines as spaces).
fn cell(s: &str) -> String {
    literal(&s.replace(['\n', '\r'], " "))
}

/// Paragraph text: each line [`literal`], kept as its own line.
fn para(s: &str) -> String {
    s.lines().map(literal).collect::<Vec<_>>().join("  \n")
}

fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    out.push_str(&format!("| {} |\n", headers.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(headers.len())));
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out.push('\n');
}

fn opt(v: &Option<String>) -> String {
    v.clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "—".into())
}

/// The version's lineage as rows (link, identifier, detail): the version, its run, code,
/// configuration, datasets, logged model, and each evaluation with the datasets it evaluated
/// on. Shared by the report and the audit pack.
pub fn lineage_rows(d: &PackData) -> Vec<Vec<String>> {
    let e = &d.evidence;
    let mut rows = vec![vec![
        "version".into(),
        d.version.to_string(),
        format!("source {}", e.version.source),
    ]];
    if let Some(r) = &e.run {
        rows.push(vec![
            "run".into(),
            r.run_id.clone(),
            format!(
                "{} in {} by {}",
                r.run_name,
                opt(&r.experiment_name),
                opt(&r.user)
            ),
        ]);
        rows.push(vec![
            "code".into(),
            opt(&r.git_commit),
            format!("{} {}", opt(&r.git_repo), opt(&r.source_name)),
        ]);
        rows.push(vec![
            "config".into(),
            format!("{} params", r.params.len()),
            "see Evidence".into(),
        ]);
    }
    for x in &e.datasets {
        rows.push(vec![
            format!("dataset ({})", x.context),
            x.digest.clone(),
            format!("{} from {} ({})", x.name, x.source, x.source_type),
        ]);
    }
    if let Some(m) = &e.logged_model {
        rows.push(vec![
            "logged model".into(),
            m.model_id.clone(),
            format!("{} {}", m.name, m.status),
        ]);
    }
    for r in &e.evaluations {
        rows.push(vec![
            "evaluation".into(),
            r.run_id.clone(),
            format!("{} by {}", r.run_name, opt(&r.user)),
        ]);
        for x in &r.datasets {
            rows.push(vec![
                format!(
                    "evaluated on ({})",
                    crate::lineage::evaluation_context(&x.context)
                ),
                x.digest.clone(),
                format!(
                    "{} from {} ({}), by {}",
                    x.name, x.source, x.source_type, r.run_name
                ),
            ]);
        }
    }
    rows
}

/// One checklist item's cells: automatic result, answer with who and when, and the note
/// with its evidence references. Shared by the report and the audit pack.
pub fn item_cells(i: &crate::review::RecordItem) -> (String, String, String) {
    let auto = i
        .automatic
        .as_ref()
        .map(|a| format!("{}: {}", words::automatic(a.outcome), a.explanation))
        .unwrap_or_else(|| "attestation".into());
    let Some(a) = &i.answer else {
        return (auto, "Unanswered".into(), String::new());
    };
    // Who answered and when: every answer is attributed.
    let answer = format!(
        "{}{} by {} at {}",
        words::outcome(a.outcome),
        if a.overrides_automatic {
            " (override)"
        } else {
            ""
        },
        a.answered_by.as_deref().unwrap_or("(not recorded)"),
        words::minute(&a.answered_at)
    );
    let mut note = a.note.clone();
    if !a.evidence_refs.is_empty() {
        note.push_str(&format!(" [{}]", a.evidence_refs.join(", ")));
    }
    (auto, answer, note)
}

/// The checklist rows by area: (area, [(id, title, automatic, answer with who and when,
/// note)]).
pub fn checklist_by_area(d: &PackData) -> Vec<(String, Vec<Vec<String>>)> {
    let mut out: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    let Some(r) = &d.review else {
        return out;
    };
    for i in &r.items {
        let (auto, answer, note) = item_cells(i);
        let row = vec![i.id.clone(), i.title.clone(), auto, answer, note];
        match out.iter_mut().find(|(a, _)| a == &i.area) {
            Some((_, rows)) => rows.push(row),
            None => out.push((i.area.clone(), vec![row])),
        }
    }
    out
}

/// The findings' rows: id, severity, status, title, description, action plan, owner, due.
pub fn finding_rows(d: &PackData) -> Vec<Vec<String>> {
    let today = crate::inventory::today();
    d.review
        .as_ref()
        .map(|r| {
            r.findings
                .iter()
                .map(|f| {
                    let status =
                        if f.is_open(&today) && f.status != crate::review::FindingStatus::Open {
                            "Open (exception lapsed or without expiry)".to_string()
                        } else {
                            match &f.exception_expires {
                                Some(e) => format!("{} until {e}", words::status(f.status)),
                                None => words::status(f.status).to_string(),
                            }
                        };
                    vec![
                        f.id.clone(),
                        words::severity(f.severity).to_string(),
                        status,
                        f.title.clone(),
                        f.description.clone(),
                        if f.action_plan.is_empty() {
                            "none recorded".into()
                        } else {
                            f.action_plan.clone()
                        },
                        f.owner.clone(),
                        f.due.clone(),
                    ]
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The approvals' rows: signer, role, decision, key fingerprint, signed, verification.
pub fn approval_rows(d: &PackData) -> Vec<Vec<String>> {
    d.verification
        .approvals
        .iter()
        .map(|a| {
            let result = if a.counts {
                "verified, counts".to_string()
            } else {
                format!("DOES NOT COUNT: {}", a.reasons.join("; "))
            };
            match &a.record {
                Some(r) => vec![
                    r.signer.clone(),
                    words::role(r.role).to_string(),
                    words::decision(r.decision).to_string(),
                    r.key_fingerprint.clone(),
                    words::minute(&r.signed_at),
                    result,
                ],
                None => vec![
                    "unreadable record".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    result,
                ],
            }
        })
        .collect()
}

/// The key-metric table's rows: metric, value, threshold, result, source.
pub fn key_metric_rows(d: &PackData) -> Vec<Vec<String>> {
    key_metrics(d)
        .iter()
        .map(|k| {
            vec![
                k.metric.clone(),
                k.value
                    .as_ref()
                    .map(|(_, _, v)| v.to_string())
                    .unwrap_or_else(|| "—".into()),
                k.threshold
                    .map(|(op, t)| format!("{} {t}", op.symbol(true)))
                    .unwrap_or_else(|| "—".into()),
                k.verdict().into(),
                k.value
                    .as_ref()
                    .map(|(run, name, _)| format!("{name} on run {run}"))
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

/// The datasets' rows: context, name, digest, source (the training run's, then each
/// evaluation's).
pub fn dataset_rows(d: &PackData) -> Vec<Vec<String>> {
    let mut ds: Vec<Vec<String>> = d
        .evidence
        .datasets
        .iter()
        .map(|x| {
            vec![
                x.context.clone(),
                x.name.clone(),
                x.digest.clone(),
                x.source.clone(),
            ]
        })
        .collect();
    for ev in &d.evidence.evaluations {
        ds.extend(ev.datasets.iter().map(|x| {
            vec![
                crate::lineage::evaluation_context(&x.context).to_string(),
                x.name.clone(),
                x.digest.clone(),
                format!("{} (evaluation run {})", x.source, ev.run_name),
            ]
        }));
    }
    ds
}

/// Who validated and who approved: the signers of each role, else (the validator) the
/// reviewer who started the review.
pub fn people(d: &PackData) -> (String, String) {
    let signer = |role: crate::policy::Role| {
        d.verification
            .approvals
            .iter()
            .filter_map(|a| a.record.as_ref())
            .filter(|r| r.role == role)
            .map(|r| r.signer.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let validator = signer(crate::policy::Role::Validator);
    let validator = if validator.is_empty() {
        opt(&d.review.as_ref().and_then(|r| r.reviewer.clone()))
    } else {
        validator
    };
    let approver = signer(crate::policy::Role::Approver);
    (
        validator,
        if approver.is_empty() {
            "—".into()
        } else {
            approver
        },
    )
}

/// The report as Markdown (the same content as the PDF).
pub fn markdown(d: &PackData, comparisons: &[MetricComparison]) -> String {
    let mut s = String::new();
    let esc = |x: &str| para(x);
    s.push_str(&format!(
        "# Model validation report — {}\n\n",
        esc(&d.version.to_string())
    ));
    let rating = section_text(d, Section::Rating);
    let rows = vec![
        vec!["Model".into(), d.version.name.clone()],
        vec!["Version".into(), d.version.version.clone()],
        vec!["Tier".into(), opt(&d.model.risk_tier)],
        vec!["Overall rating".into(), rating.clone()],
        vec!["Decisions".into(), {
            let x = decisions(d);
            if x.is_empty() {
                "none signed yet (draft)".into()
            } else {
                x.join("; ")
            }
        }],
        vec!["Validator".into(), people(d).0],
        vec!["Approver".into(), people(d).1],
        vec![
            "Review started".into(),
            d.review
                .as_ref()
                .map(|r| words::minute(&r.started_at))
                .unwrap_or_else(|| "no review".into()),
        ],
        vec![
            "Exported".into(),
            format!("{} by {}", words::minute(&d.created_at), d.exporter),
        ],
    ];
    table(&mut s, &["", ""], &rows);
    for (n, sec) in [(1, Section::ExecutiveSummary), (2, Section::Scope)] {
        s.push_str(&format!("## {n}. {}\n\n", sec.title()));
        if sec == Section::ExecutiveSummary {
            s.push_str(&format!("**Overall rating: {}**\n\n", esc(&rating)));
        }
        s.push_str(&esc(&section_text(d, sec)));
        s.push_str("\n\n");
        if let Some(b) = section_byline(d, sec) {
            s.push_str(&format!("*{}*\n\n", esc(&b)));
        }
    }
    s.push_str("## 3. The model\n\n");
    let m = &d.model;
    table(
        &mut s,
        &["", ""],
        &[
            vec!["Purpose".into(), opt(&m.business_purpose)],
            vec![
                "Description".into(),
                if m.description.is_empty() {
                    "—".into()
                } else {
                    m.description.clone()
                },
            ],
            vec!["Owner".into(), opt(&m.owner)],
            vec!["Kind".into(), m.kind.as_str().into()],
            vec!["Provider".into(), opt(&m.llm_provider)],
            vec!["Monitoring".into(), opt(&m.monitoring)],
        ],
    );
    s.push_str("## 4. Evidence\n\n### Key metrics against their thresholds\n\n");
    let km = key_metric_rows(d);
    table(
        &mut s,
        &["Metric", "Value", "Threshold", "Result", "Source"],
        &km,
    );
    if !comparisons.is_empty() {
        s.push_str("### Champion and challenger\n\n");
        let rows: Vec<Vec<String>> = comparisons
            .iter()
            .map(|c| {
                vec![
                    c.metric.clone(),
                    format!("{} (version {})", c.alias, opt(&c.alias_version)),
                    c.champion
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "—".into()),
                    c.challenger
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "—".into()),
                    format!(
                        "{} is better; margin {}",
                        if c.higher_is_better {
                            "higher"
                        } else {
                            "lower"
                        },
                        c.margin
                    ),
                ]
            })
            .collect();
        table(
            &mut s,
            &[
                "Metric",
                "Compared with",
                "Champion",
                "This version",
                "Rule",
            ],
            &rows,
        );
    }
    s.push_str("### Datasets\n\n");
    let ds = dataset_rows(d);
    table(&mut s, &["Context", "Name", "Digest", "Source"], &ds);
    let assessed = d.evidence.assessment_rows();
    if !assessed.is_empty() {
        s.push_str("### Assessments on evaluation traces\n\n");
        let rows: Vec<Vec<String>> = assessed.into_iter().map(Vec::from).collect();
        table(&mut s, &crate::evidence::ASSESSMENT_HEADINGS, &rows);
    }
    s.push_str("### Lineage\n\n");
    table(&mut s, &["Link", "Identifier", "Detail"], &lineage_rows(d));
    s.push_str("## 5. Checklist results\n\n");
    for (area, rows) in checklist_by_area(d) {
        s.push_str(&format!("### {}\n\n", esc(&area)));
        table(
            &mut s,
            &["Item", "Check", "Automatic result", "Answer", "Note"],
            &rows,
        );
    }
    s.push_str("## 6. Findings\n\n");
    let fr = finding_rows(d);
    if fr.is_empty() {
        s.push_str("No findings were raised.\n\n");
    } else {
        table(
            &mut s,
            &[
                "Id",
                "Severity",
                "Status",
                "Title",
                "Description",
                "Action plan",
                "Owner",
                "Due",
            ],
            &fr,
        );
    }
    let mut n = 7;
    for sec in [
        Section::ModelLimitations,
        Section::ValidationLimitations,
        Section::UseRestrictions,
        Section::Recommendations,
        Section::Conclusion,
    ] {
        s.push_str(&format!("## {n}. {}\n\n", sec.title()));
        s.push_str(&esc(&section_text(d, sec)));
        s.push_str("\n\n");
        if let Some(b) = section_byline(d, sec) {
            s.push_str(&format!("*{}*\n\n", esc(&b)));
        }
        n += 1;
    }
    s.push_str(&format!("## {n}. Approvals\n\n"));
    let ar = approval_rows(d);
    if ar.is_empty() {
        s.push_str("No decision has been signed.\n\n");
    } else {
        table(
            &mut s,
            &[
                "Signer",
                "Role",
                "Decision",
                "Key fingerprint",
                "Signed",
                "Verification",
            ],
            &ar,
        );
    }
    s
}

/// Writes the report to `out` as PDF or Markdown (by its extension), never over a file.
pub fn write(d: &PackData, comparisons: &[MetricComparison], out: &std::path::Path) -> Result<()> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = match ext.as_str() {
        "pdf" => super::pdf::report::render(d, comparisons)?,
        "md" | "markdown" => markdown(d, comparisons).into_bytes(),
        other => {
            return Err(Error::InvalidInput {
                what: "report file",
                input: out.display().to_string(),
                reason: format!("unknown format '{other}'; name the file .pdf or .md"),
            })
        }
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::InvalidInput {
                what: "report file",
                input: out.display().to_string(),
                reason: "it already exists; choose a new file (a report is never written over)"
                    .into(),
            },
            _ => Error::io(out, e),
        })?;
    f.write_all(&bytes).map_err(|e| Error::io(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_shows_literally_in_markdown() {
        for (input, want) in [
            ("# Approved", "\\# Approved"),
            ("   # Approved", "\\# Approved"),
            ("1. item", "1\\. item"),
            ("12) item", "12\\) item"),
            ("- list", "\\- list"),
            ("> quote", "&gt; quote"),
            ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
            (
                "![](https://tracker.example/p.png)",
                "\\!\\[\\](https:\\//tracker.example/p.png)",
            ),
            ("<img src=x onerror=y>", "&lt;img src=x onerror=y&gt;"),
            ("a | b", "a \\| b"),
            ("**bold** `code`", "\\*\\*bold\\*\\* \\`code\\`"),
            // The visible escape's backslash is itself escaped: it renders as `\u{7}`.
            ("bell\u{7}", "bell\\\\u{7}"),
            ("F-1 is 2.5% off.", "F-1 is 2.5% off."),
            (
                "see https://evil.example or www.evil.example",
                "see https:\\//evil.example or www\\.evil.example",
            ),
        ] {
            assert_eq!(literal(input), want, "{input:?}");
        }
        assert_eq!(cell("a\nb|c"), "a b\\|c");
        assert_eq!(para("one\n# two"), "one  \n\\# two");
    }
}
