//! The audit pack's PDF: every section of DESIGN §4, in order, from the pack's data only.

use super::archive::Attachment;
use super::charts::{self, line_chart, lineage_diagram, Axes, Node, Series};
use super::layout::{self, Orientation, Rgbf, Weight, Writer, BLACK, GREEN, GREY, LEFT, RED};
use crate::export::pack_data::{Manifest, PackData};
use crate::export::words;
use crate::policy::checks::Check;
use crate::{Error, Result};

fn opt(v: &Option<String>) -> String {
    v.clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "—".into())
}

fn num(v: Option<f64>) -> String {
    match v {
        Some(x) => {
            let s = format!("{x:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        None => "NaN".into(),
    }
}

/// The pack's record files embedded in its PDF (PDF/A-3 associated files): the manifest,
/// the evidence, the review and every approval with its signature, byte for byte.
fn attachments(d: &PackData, manifest_bytes: &[u8]) -> Vec<Attachment> {
    let json = |name: String, description: String, bytes: &[u8]| Attachment {
        name,
        mime: "application/json".into(),
        description,
        relationship: "Data",
        bytes: bytes.to_vec(),
    };
    let mut out = vec![
        json(
            "manifest.json".into(),
            "Audit pack manifest (SHA-256 of every file)".into(),
            manifest_bytes,
        ),
        json(
            "evidence.json".into(),
            "The evidence the review froze".into(),
            &d.evidence_bytes,
        ),
    ];
    if let Some(r) = &d.review_bytes {
        out.push(json(
            "review.json".into(),
            "The review: checklist, answers, findings, report".into(),
            r,
        ));
    }
    for (name, bytes, sig) in &d.approvals {
        // Flat names: a reader lists attachments without folders.
        out.push(json(
            format!("approvals-{name}"),
            format!("Approval record approvals/{name}"),
            bytes,
        ));
        if let Some(s) = sig {
            out.push(Attachment {
                name: format!("approvals-{name}.sig"),
                mime: "text/plain".into(),
                description: format!("SSH signature of approvals/{name}"),
                relationship: "Data",
                bytes: s.clone(),
            });
        }
    }
    out
}

/// Renders the PDF (PDF/A-3b) with the pack's record files attached inside it.
pub fn render(
    d: &PackData,
    manifest: &Manifest,
    manifest_sha: &str,
    manifest_bytes: &[u8],
) -> Result<Vec<u8>> {
    let title = format!("Audit pack — {}", d.version);
    let w = layout::compose(&title, Orientation::Portrait, |w| {
        w.metadata(
            &d.exporter,
            &d.version.to_string(),
            vec![
                "model risk".into(),
                "validation".into(),
                d.version.name.clone(),
            ],
            chrono::DateTime::parse_from_rfc3339(&d.created_at)
                .map(|t| t.timestamp())
                .unwrap_or(0),
        );
        cover(w, d, manifest_sha);
        w.contents_page();
        inventory(w, d);
        lineage(w, d);
        evidence(w, d);
        checklist(w, d);
        findings(w, d);
        conditions(w, d);
        approvals(w, d);
        policy(w, d);
        manifest_section(w, manifest, manifest_sha);
    });
    let footer = format!("{} · pack {}", d.version, manifest_sha);
    w.finish(&footer)
        .save(&attachments(d, manifest_bytes))
        .map_err(|e| Error::InvalidFile {
            path: "audit-pack.pdf".into(),
            message: e,
        })
}

/// The lineage diagram's boxes: training datasets → producing run, evaluation datasets →
/// evaluation runs, both runs → the version → its approvals. Shared with the report.
pub(crate) fn lineage_figure(w: &mut Writer, d: &PackData) {
    let e = &d.evidence;
    let mut datasets: Vec<Node> = Vec::new();
    let mut runs: Vec<Node> = Vec::new();
    let mut edges = Vec::new();
    if let Some(r) = &e.run {
        runs.push(Node {
            label: format!("trained by run {} ({})", r.run_name, r.run_id),
            fill: charts::RUN,
        });
        for x in &e.datasets {
            edges.push(((0, datasets.len()), (1, 0)));
            datasets.push(Node {
                label: format!("{} [{}] digest {}", x.name, x.context, x.digest),
                fill: charts::DATASET,
            });
        }
    }
    for ev in &e.evaluations {
        let at = runs.len();
        runs.push(Node {
            label: format!(
                "evaluated by run {} ({}) by {}",
                ev.run_name,
                ev.run_id,
                opt(&ev.user)
            ),
            fill: charts::RUN,
        });
        for x in &ev.datasets {
            edges.push(((0, datasets.len()), (1, at)));
            datasets.push(Node {
                label: format!(
                    "{} [{}] digest {}",
                    x.name,
                    crate::lineage::evaluation_context(&x.context),
                    x.digest
                ),
                fill: charts::DATASET,
            });
        }
    }
    if datasets.is_empty() {
        datasets.push(Node {
            label: "no dataset recorded".into(),
            fill: charts::DATASET,
        });
    }
    if runs.is_empty() {
        runs.push(Node {
            label: "no run recorded".into(),
            fill: charts::RUN,
        });
    }
    for i in 0..runs.len() {
        edges.push(((1, i), (2, 0)));
    }
    let version = vec![Node {
        label: d.version.to_string(),
        fill: charts::VERSION,
    }];
    let mut approvals: Vec<Node> = d
        .verification
        .approvals
        .iter()
        .filter_map(|a| {
            a.record.as_ref().map(|r| Node {
                label: format!(
                    "{}: {} by {} at {}{}",
                    words::role(r.role),
                    words::decision(r.decision),
                    r.signer,
                    words::minute(&r.signed_at),
                    if a.counts { "" } else { " (does not count)" }
                ),
                fill: charts::APPROVAL,
            })
        })
        .collect();
    if approvals.is_empty() {
        approvals.push(Node {
            label: "no approval yet".into(),
            fill: charts::APPROVAL,
        });
    }
    for i in 0..approvals.len() {
        edges.push(((2, 0), (3, i)));
    }
    lineage_diagram(w, &[datasets, runs, version, approvals], &edges);
}

fn status_line(d: &PackData) -> (String, Rgbf) {
    let v = &d.verification;
    if v.approvals.iter().any(|a| a.stale) {
        return ("STALE — the evidence changed after approval".into(), RED);
    }
    if v.approvals.is_empty() {
        return ("NO APPROVAL YET".into(), RED);
    }
    if v.approvals
        .iter()
        .any(|a| a.counts && a.record.as_ref().is_some_and(|r| !r.decision.approves()))
    {
        return ("REJECTED".into(), RED);
    }
    if v.gate.pass {
        (
            "APPROVED — every approval the tier requires counts".into(),
            GREEN,
        )
    } else {
        ("NOT APPROVED — the gate does not pass".into(), RED)
    }
}

fn cover(w: &mut Writer, d: &PackData, manifest_sha: &str) {
    w.space(60.0);
    w.text_at(
        LEFT,
        w.y,
        "Model validation audit pack",
        Weight::Bold,
        22.0,
        BLACK,
    );
    w.space(30.0);
    w.paragraph(&d.version.to_string(), Weight::Bold, 15.0, layout::BLUE);
    w.space(10.0);
    let (status, c) = status_line(d);
    w.banner(&status, c);
    w.kv("Model", &d.version.name, BLACK);
    w.kv("Version", &d.version.version, BLACK);
    w.kv("Kind", d.model.kind.as_str(), BLACK);
    w.kv("Tier", &opt(&d.model.risk_tier), BLACK);
    w.kv("Owner", &opt(&d.model.owner), BLACK);
    w.kv("Platform", &d.platform, BLACK);
    let decisions = crate::export::report::decisions(d);
    w.kv(
        "Decisions",
        &if decisions.is_empty() {
            "none recorded".into()
        } else {
            decisions.join("\n")
        },
        BLACK,
    );
    if let Some(r) = &d.review {
        w.kv(
            "Review",
            &format!(
                "{} started {} by {}",
                r.review_id,
                words::minute(&r.started_at),
                opt(&r.reviewer)
            ),
            BLACK,
        );
    }
    w.kv(
        "Exported",
        &format!("{} by {}", words::minute(&d.created_at), d.exporter),
        BLACK,
    );
    w.kv(
        "Pack hash",
        &format!("SHA-256 of manifest.json: {manifest_sha}"),
        BLACK,
    );
    w.space(14.0);
    w.paragraph(
        "Every claim in this document comes from the files beside it. VERIFY.txt lists the exact sha256sum and ssh-keygen commands that check each file and each signature without Countersign.",
        Weight::Regular,
        9.0,
        GREY,
    );
}

fn inventory(w: &mut Writer, d: &PackData) {
    w.heading("1. Inventory record", true);
    let m = &d.model;
    w.kv("Name", &m.name, BLACK);
    w.kv(
        "Description",
        if m.description.is_empty() {
            "—"
        } else {
            &m.description
        },
        BLACK,
    );
    w.kv("Business purpose", &opt(&m.business_purpose), BLACK);
    w.kv("Owner", &opt(&m.owner), BLACK);
    w.kv("Kind", m.kind.as_str(), BLACK);
    if let Some(p) = &m.llm_provider {
        w.kv("Provider", p, BLACK);
    }
    w.kv("Monitoring", &opt(&m.monitoring), BLACK);
    w.kv(
        "Next review",
        &opt(&m.next_review_date),
        if m.is_overdue(&d.created_at[..10.min(d.created_at.len())]) {
            RED
        } else {
            BLACK
        },
    );
    let tier = opt(&m.risk_tier);
    let label = m
        .risk_tier
        .as_ref()
        .and_then(|t| d.policy.policy.tiers.get(t))
        .map(|t| {
            format!(
                " — {}, review every {} months",
                t.label, t.review_cadence_months
            )
        })
        .unwrap_or_default();
    w.kv("Risk tier", &format!("{tier}{label}"), BLACK);
    let a = d.policy.policy.rubric.assess(m, &Default::default());
    let mut rationale = a.rationale.join("\n");
    if !a.unanswered.is_empty() {
        rationale.push_str(&format!("\nunanswered: {}", a.unanswered.join(", ")));
    }
    if a.disagrees {
        rationale.push_str(&format!(
            "\nThe rubric gives tier {} but the platform records tier {tier}.",
            a.tier.clone().unwrap_or_default()
        ));
    }
    w.kv(
        "Tier rationale",
        &rationale,
        if a.disagrees { RED } else { BLACK },
    );
}

fn lineage(w: &mut Writer, d: &PackData) {
    w.heading("2. Lineage", true);
    lineage_figure(w, d);
    let rows = crate::export::report::lineage_rows(d);
    w.table(&["Link", "Identifier", "Detail"], &rows);
}

/// The metrics the checklist reads, with the threshold a metric check sets (the checks of
/// the review's tier when there is a review, else of every tier).
pub(crate) fn checked_metrics(
    d: &PackData,
) -> Vec<(String, Option<(crate::policy::checks::Comparison, f64)>)> {
    let mut out: Vec<(String, Option<(crate::policy::checks::Comparison, f64)>)> = Vec::new();
    for item in crate::export::report::applicable_items(d) {
        let (metric, limit) = match &item.check {
            Check::MetricThreshold {
                metric,
                op,
                threshold,
                ..
            } => (metric, Some((*op, *threshold))),
            Check::ChampionChallenger { metric, .. } => (metric, None),
            _ => continue,
        };
        match out.iter_mut().find(|(m, _)| m == metric) {
            Some(e) if e.1.is_none() => e.1 = limit,
            Some(_) => {}
            None => out.push((metric.clone(), limit)),
        }
    }
    out
}

/// A threshold as a chart's label ("threshold ≥ 0.75").
pub(crate) fn threshold_label(op: crate::policy::checks::Comparison, t: f64) -> String {
    format!("threshold {} {t}", op.symbol(true))
}

/// The datasets behind the evidence: those the producing run trained and validated on, then
/// those each evaluation evaluated on.
fn datasets(w: &mut Writer, e: &crate::evidence::Evidence) {
    w.subheading("Datasets");
    let mut rows: Vec<Vec<String>> = e
        .datasets
        .iter()
        .map(|x| {
            vec![
                x.context.clone(),
                x.name.clone(),
                x.digest.clone(),
                x.source.clone(),
                e.run
                    .as_ref()
                    .map(|r| r.run_name.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    for ev in &e.evaluations {
        rows.extend(ev.datasets.iter().map(|x| {
            vec![
                crate::lineage::evaluation_context(&x.context).to_string(),
                x.name.clone(),
                x.digest.clone(),
                x.source.clone(),
                format!("{} (evaluation)", ev.run_name),
            ]
        }));
    }
    if rows.is_empty() {
        w.paragraph("No dataset is recorded.", Weight::Regular, 9.0, GREY);
        return;
    }
    w.table(&["Context", "Name", "Digest", "Source", "Run"], &rows);
}

fn evidence(w: &mut Writer, d: &PackData) {
    w.heading("3. Evidence", true);
    let e = &d.evidence;
    match &e.run {
        None => w.paragraph(
            "The version has no producing run: no parameters or training metrics are recorded.",
            Weight::Regular,
            9.5,
            BLACK,
        ),
        Some(run) => {
            w.subheading("Parameters");
            let rows: Vec<Vec<String>> = run
                .params
                .iter()
                .map(|(k, v)| vec![k.clone(), v.clone()])
                .collect();
            w.table(&["Parameter", "Value"], &rows);
        }
    }
    w.subheading("Metrics");
    let mut rows: Vec<Vec<String>> = e
        .run
        .iter()
        .flat_map(|run| run.metrics.iter().map(move |(k, m)| (run, k, m)))
        .map(|(run, k, m)| {
            vec![
                k.clone(),
                num(m.value),
                m.step.to_string(),
                if m.history.is_empty() {
                    "1".into()
                } else {
                    m.history.len().to_string()
                },
                run.run_name.clone(),
            ]
        })
        .collect();
    for ev in &e.evaluations {
        rows.extend(ev.metrics.iter().map(|(k, m)| {
            vec![
                k.clone(),
                num(m.value),
                m.step.to_string(),
                "1".into(),
                format!("{} (evaluation)", ev.run_name),
            ]
        }));
    }
    if rows.is_empty() {
        w.paragraph(
            "No metric is recorded on the version's run or its evaluations.",
            Weight::Regular,
            9.0,
            GREY,
        );
    } else {
        w.table(&["Metric", "Value", "Step", "Points", "Run"], &rows);
    }
    datasets(w, e);
    let assessed = e.assessment_rows();
    if !assessed.is_empty() {
        w.subheading("Assessments on evaluation traces");
        let rows: Vec<Vec<String>> = assessed.into_iter().map(Vec::from).collect();
        w.table(&crate::evidence::ASSESSMENT_HEADINGS, &rows);
    }
    let Some(run) = &e.run else {
        w.kv("Evidence SHA-256", &e.sha256(), BLACK);
        return;
    };
    w.subheading("Metric history");
    let checked = checked_metrics(d);
    let used: Vec<String> = checked.iter().map(|(m, _)| m.clone()).collect();
    let mut charted = 0;
    let mut keys: Vec<&String> = run
        .metrics
        .iter()
        .filter(|(_, m)| m.history.len() > 1)
        .map(|(k, _)| k)
        .collect();
    keys.sort_by_key(|k| !used.contains(k));
    for k in keys.into_iter().take(6) {
        let pts: Vec<(f64, f64)> = run.metrics[k]
            .history
            .iter()
            .filter_map(|p| p.value.map(|v| (p.step as f64, v)))
            .collect();
        let limit = checked
            .iter()
            .find(|(m, _)| m == k)
            .and_then(|(_, l)| *l)
            .map(|(op, t)| (t, threshold_label(op, t)));
        line_chart(
            w,
            &format!(
                "{k}{}",
                if used.contains(k) {
                    " (used by the checklist)"
                } else {
                    ""
                }
            ),
            &[Series {
                label: run.run_name.clone(),
                points: pts,
            }],
            &Axes {
                x_title: "training step (as logged)".into(),
                y_title: format!("{k} (value as logged)"),
                threshold: limit,
            },
        );
        charted += 1;
    }
    if charted == 0 {
        w.paragraph(
            "No metric was logged at more than one step.",
            Weight::Regular,
            9.0,
            GREY,
        );
    }
    w.kv("Evidence SHA-256", &e.sha256(), BLACK);
}

fn checklist(w: &mut Writer, d: &PackData) {
    w.heading("4. Checklist", true);
    let Some(r) = &d.review else {
        w.paragraph(
            "No review has been recorded for this version.",
            Weight::Bold,
            10.0,
            RED,
        );
        return;
    };
    w.kv(
        "Review",
        &format!(
            "{} — tier {}, policy {} ({})",
            r.review_id,
            r.tier,
            r.policy_version,
            crate::display::short_hash(&r.policy_sha256)
        ),
        BLACK,
    );
    let rows: Vec<Vec<String>> = r
        .items
        .iter()
        .map(|i| {
            let (auto, answer, note) = crate::export::report::item_cells(i);
            vec![
                i.id.clone(),
                format!("{} — {}", i.area, i.title),
                auto,
                answer,
                note,
            ]
        })
        .collect();
    w.table(
        &["Item", "Check", "Automatic result", "Answer", "Note"],
        &rows,
    );
}

fn findings(w: &mut Writer, d: &PackData) {
    w.heading("5. Findings", false);
    let findings = d
        .review
        .as_ref()
        .map(|r| r.findings.clone())
        .unwrap_or_default();
    if findings.is_empty() {
        w.paragraph("No findings were raised.", Weight::Regular, 9.5, BLACK);
        return;
    }
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                f.id.clone(),
                words::severity(f.severity).to_string(),
                match &f.exception_expires {
                    Some(e) if f.is_open(&crate::inventory::today()) => {
                        format!("open (exception lapsed {e})")
                    }
                    Some(e) => format!("{} until {e}", words::status(f.status)),
                    None if f.status == crate::review::FindingStatus::Accepted => {
                        "open (exception with no expiry)".to_string()
                    }
                    None => words::status(f.status).to_string(),
                },
                f.title.clone(),
                if f.action_plan.is_empty() {
                    f.description.clone()
                } else {
                    format!("{} Action plan: {}", f.description, f.action_plan)
                        .trim()
                        .to_string()
                },
                f.owner.clone(),
                f.due.clone(),
                f.item.clone().unwrap_or_default(),
            ]
        })
        .collect();
    w.table(
        &[
            "Id",
            "Severity",
            "Status",
            "Title",
            "Description",
            "Owner",
            "Due",
            "Item",
        ],
        &rows,
    );
    // Each change of status, with who made it and why.
    let changes: Vec<Vec<String>> = findings
        .iter()
        .flat_map(|f| {
            f.history.iter().map(move |c| {
                vec![
                    f.id.clone(),
                    words::status(c.status).to_string(),
                    c.by.clone().unwrap_or_else(|| "unrecorded".into()),
                    words::minute(&c.at),
                    [
                        Some(c.note.clone()),
                        c.evidence.as_ref().map(|e| format!("evidence: {e}")),
                        c.expires.as_ref().map(|e| format!("until {e}")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("; "),
                ]
            })
        })
        .collect();
    if !changes.is_empty() {
        w.table(
            &["Finding", "Changed to", "By", "At (UTC)", "Why"],
            &changes,
        );
    }
}

fn conditions(w: &mut Writer, d: &PackData) {
    w.heading("6. Conditions and limitations", false);
    let mut any = false;
    for a in &d.verification.approvals {
        let Some(r) = &a.record else { continue };
        if r.conditions.is_empty() {
            continue;
        }
        any = true;
        w.rect(LEFT, w.y - 4.0, 4.0, 4.0, Some(RED), None);
        w.paragraph(
            &format!(
                "Conditions of {} {} (expire {}):",
                words::role(r.role),
                r.signer,
                r.expires_at.clone().unwrap_or_else(|| "never".into())
            ),
            Weight::Bold,
            9.5,
            RED,
        );
        for c in &r.conditions {
            w.paragraph_at(
                LEFT + 14.0,
                w.text_width() - 14.0,
                &format!("• {c}"),
                Weight::Regular,
                9.5,
                RED,
            );
        }
    }
    if let Some(r) = &d.review {
        use crate::review::report::Section;
        for s in [
            Section::ModelLimitations,
            Section::ValidationLimitations,
            Section::UseRestrictions,
        ] {
            if let Some(t) = r.report.get(&s) {
                any = true;
                w.kv(s.title(), &t.text, BLACK);
            }
        }
        for i in r.items.iter().filter(|i| {
            i.area.to_lowercase().contains("limitation")
                || i.area.to_lowercase().contains("use restriction")
        }) {
            if let Some(a) = &i.answer {
                any = true;
                w.kv(
                    &format!("{} {}", i.id, i.title),
                    &format!(
                        "{} — {}",
                        words::outcome(a.outcome),
                        if a.note.is_empty() {
                            "no note"
                        } else {
                            &a.note
                        }
                    ),
                    BLACK,
                );
            }
        }
    }
    if !any {
        w.paragraph(
            "No conditions, and no limitations recorded in the review.",
            Weight::Regular,
            9.5,
            BLACK,
        );
    }
}

fn approvals(w: &mut Writer, d: &PackData) {
    w.heading("7. Approvals", true);
    let g = &d.verification.gate;
    w.kv(
        "Gate",
        &format!(
            "{} — tier {} requires {}",
            if g.pass { "PASS" } else { "FAIL" },
            opt(&g.tier),
            g.required_roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" + ")
        ),
        if g.pass { GREEN } else { RED },
    );
    for r in &g.reasons {
        w.paragraph_at(
            LEFT + 130.0,
            w.text_width() - 130.0,
            &format!("• {r}"),
            Weight::Regular,
            9.0,
            RED,
        );
    }
    w.space(6.0);
    if d.verification.approvals.is_empty() {
        w.paragraph("No approval has been recorded.", Weight::Bold, 10.0, RED);
        return;
    }
    let rows = crate::export::report::approval_rows(d);
    w.table(
        &[
            "Signer",
            "Role",
            "Decision",
            "Key fingerprint",
            "Signed",
            "Verification",
        ],
        &rows,
    );
    w.kv(
        "Evidence now",
        &format!("SHA-256 {}", d.verification.evidence_sha256),
        BLACK,
    );
}

fn policy(w: &mut Writer, d: &PackData) {
    w.heading("8. Policy", false);
    let p = &d.policy;
    w.kv("Policy", &p.policy.name, BLACK);
    w.kv("Version", &p.policy.version, BLACK);
    w.kv("SHA-256", &p.sha256, BLACK);
    w.kv("Trust root", &format!("sha256:{}", d.pinned_root), BLACK);
    for c in &d.chain {
        w.kv(
            &format!("Root v{}", c.root.version),
            &format!(
                "{} keys ({}); a release needs {} signatures, a new root {}",
                c.root.keys.entries.len(),
                c.root.principals().join(", "),
                c.root.release_threshold,
                c.root.root_threshold
            ),
            BLACK,
        );
    }
    for r in &d.releases {
        let threshold = d
            .chain
            .iter()
            .find(|c| c.root.sha256 == r.manifest.root_sha256)
            .map(|c| c.root.release_threshold)
            .unwrap_or(0);
        w.kv(
            &format!("Release {}", r.manifest.version),
            &format!(
                "signed by {} ({} of {} required) under root v{}; governs {}; sha256 {}",
                r.signers.join(", "),
                r.signers.len(),
                threshold,
                r.root_version,
                r.manifest
                    .platforms
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::display::short_hash(&r.sha256)
            ),
            BLACK,
        );
    }
    let rows: Vec<Vec<String>> = p
        .policy
        .tiers
        .iter()
        .map(|(k, t)| {
            vec![
                k.clone(),
                t.label.clone(),
                format!("{} months", t.review_cadence_months),
                t.roles_required
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
                if t.distinct_approver {
                    "yes".into()
                } else {
                    "no".into()
                },
            ]
        })
        .collect();
    w.table(
        &["Tier", "Label", "Cadence", "Approvals", "Distinct approver"],
        &rows,
    );
}

fn manifest_section(w: &mut Writer, m: &Manifest, sha: &str) {
    w.heading("9. Manifest", false);
    w.kv(
        "manifest.json",
        &format!("SHA-256 {sha} (attached to this PDF)"),
        BLACK,
    );
    let rows: Vec<Vec<String>> = m
        .files
        .iter()
        .map(|(p, h)| vec![p.clone(), h.clone()])
        .collect();
    w.table(&["File", "SHA-256"], &rows);
}
