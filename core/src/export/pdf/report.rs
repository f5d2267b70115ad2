//! The validation report's PDF: the validator's opinion for a model risk committee, drawn from
//! the same data as the audit pack (see `export::report` for the content and its Markdown).

use super::charts::bar_chart;
use super::layout::{self, Orientation, Weight, Writer, BLACK, GREEN, GREY, LEFT, RED};
use crate::export::pack_data::{MetricComparison, PackData};
use crate::export::report::{
    approval_rows, checklist_by_area, dataset_rows, decisions, finding_rows, key_metric_rows,
    key_metrics, people, section_byline, section_text,
};
use crate::export::words;
use crate::review::report::Section;
use crate::{Error, Result};

fn opt(v: &Option<String>) -> String {
    v.clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "—".into())
}

/// Renders the report (PDF/A-3b).
pub fn render(d: &PackData, comparisons: &[MetricComparison]) -> Result<Vec<u8>> {
    let title = format!("Validation report — {}", d.version);
    let w = layout::compose(&title, Orientation::Portrait, |w| draw(w, d, comparisons));
    w.finish(&format!("Validation report · {}", d.version))
        .save(&[])
        .map_err(|e| Error::InvalidFile {
            path: "validation-report.pdf".into(),
            message: e,
        })
}

fn section(w: &mut Writer, d: &PackData, n: usize, s: Section) {
    w.heading(&format!("{n}. {}", s.title()), false);
    let written = d.review.as_ref().is_some_and(|r| r.report.contains_key(&s));
    w.paragraph(
        &section_text(d, s),
        Weight::Regular,
        10.0,
        if written { BLACK } else { GREY },
    );
    if let Some(b) = section_byline(d, s) {
        w.space(2.0);
        w.paragraph(&b, Weight::Regular, 8.0, GREY);
    }
}

fn draw(w: &mut Writer, d: &PackData, comparisons: &[MetricComparison]) {
    w.metadata(
        &d.exporter,
        &format!("Validation report of {}", d.version),
        vec![
            "model risk".into(),
            "validation report".into(),
            d.version.name.clone(),
        ],
        chrono::DateTime::parse_from_rfc3339(&d.created_at)
            .map(|t| t.timestamp())
            .unwrap_or(0),
    );
    // Cover.
    w.space(60.0);
    w.text_at(
        LEFT,
        w.y,
        "Model validation report",
        Weight::Bold,
        22.0,
        BLACK,
    );
    w.space(30.0);
    w.paragraph(&d.version.to_string(), Weight::Bold, 15.0, layout::BLUE);
    w.space(10.0);
    let rating = section_text(d, Section::Rating);
    let rated = d
        .review
        .as_ref()
        .is_some_and(|r| r.report.contains_key(&Section::Rating));
    let not_approvable = d
        .review
        .as_ref()
        .and_then(|r| r.report.get(&Section::Rating))
        .is_some_and(|t| !d.policy.policy.report.approvable(&t.text));
    let (banner, c) = if !rated {
        ("NO RATING GIVEN YET".to_string(), RED)
    } else if not_approvable {
        (format!("Overall rating: {rating}"), RED)
    } else {
        (format!("Overall rating: {rating}"), GREEN)
    };
    w.banner(&banner, c);
    w.kv("Model", &d.version.name, BLACK);
    w.kv("Version", &d.version.version, BLACK);
    w.kv("Tier", &opt(&d.model.risk_tier), BLACK);
    w.kv("Overall rating", &rating, if rated { BLACK } else { RED });
    let dec = decisions(d);
    w.kv(
        "Decisions",
        &if dec.is_empty() {
            "none signed yet: this is a draft".into()
        } else {
            dec.join("\n")
        },
        if dec.is_empty() { RED } else { BLACK },
    );
    let (validator, approver) = people(d);
    w.kv("Validator", &validator, BLACK);
    w.kv("Approver", &approver, BLACK);
    if let Some(r) = &d.review {
        w.kv(
            "Review",
            &format!("{} started {}", r.review_id, words::minute(&r.started_at)),
            BLACK,
        );
    }
    w.kv(
        "Exported",
        &format!("{} by {}", words::minute(&d.created_at), d.exporter),
        BLACK,
    );
    w.contents_page();
    // 1. Executive summary, with the rating.
    w.heading("1. Executive summary", true);
    w.paragraph(
        &format!("Overall rating: {rating}"),
        Weight::Bold,
        11.0,
        if rated && !not_approvable { BLACK } else { RED },
    );
    w.space(4.0);
    let s = section_text(d, Section::ExecutiveSummary);
    w.paragraph(&s, Weight::Regular, 10.0, BLACK);
    if let Some(b) = section_byline(d, Section::ExecutiveSummary) {
        w.paragraph(&b, Weight::Regular, 8.0, GREY);
    }
    section(w, d, 2, Section::Scope);
    // 3. The model.
    w.heading("3. The model", false);
    let m = &d.model;
    w.kv("Purpose", &opt(&m.business_purpose), BLACK);
    w.kv(
        "Description",
        if m.description.is_empty() {
            "—"
        } else {
            &m.description
        },
        BLACK,
    );
    w.kv("Owner", &opt(&m.owner), BLACK);
    w.kv("Kind", m.kind.as_str(), BLACK);
    w.kv("Provider", &opt(&m.llm_provider), BLACK);
    w.kv("Monitoring", &opt(&m.monitoring), BLACK);
    // 4. Evidence.
    w.heading("4. Evidence", true);
    w.subheading("Key metrics against their thresholds");
    let km = key_metrics(d);
    if km.is_empty() {
        w.paragraph(
            "The checklist of this tier reads no metric.",
            Weight::Regular,
            9.0,
            GREY,
        );
    } else {
        let rows = key_metric_rows(d);
        let fails: Vec<bool> = km.iter().map(|k| k.verdict() == "FAIL").collect();
        w.table_alerting(
            &["Metric", "Value", "Threshold", "Result", "Source"],
            &rows,
            &|r, c| c == 3 && fails.get(r).copied().unwrap_or(false),
        );
    }
    for c in comparisons {
        let mut items = Vec::new();
        if let Some(v) = c.champion {
            items.push((
                format!("{} (version {})", c.alias, opt(&c.alias_version)),
                v,
            ));
        }
        if let Some(v) = c.challenger {
            items.push((format!("this version ({})", d.version.version), v));
        }
        if items.is_empty() {
            continue;
        }
        bar_chart(
            w,
            &format!("Champion and challenger: {}", c.metric),
            &format!(
                "{} (value as logged; {} is better, margin {})",
                c.metric,
                if c.higher_is_better {
                    "higher"
                } else {
                    "lower"
                },
                c.margin
            ),
            &items,
            None,
        );
    }
    w.subheading("Datasets");
    let ds = dataset_rows(d);
    if ds.is_empty() {
        w.paragraph("No dataset is recorded.", Weight::Regular, 9.0, GREY);
    } else {
        w.table(&["Context", "Name", "Digest", "Source"], &ds);
    }
    let assessed = d.evidence.assessment_rows();
    if !assessed.is_empty() {
        w.subheading("Assessments on evaluation traces");
        let rows: Vec<Vec<String>> = assessed.into_iter().map(Vec::from).collect();
        w.table(&crate::evidence::ASSESSMENT_HEADINGS, &rows);
    }
    w.subheading("Lineage");
    super::audit::lineage_figure(w, d);
    // 5. Checklist by area.
    w.heading("5. Checklist results", true);
    let areas = checklist_by_area(d);
    if areas.is_empty() {
        w.paragraph(
            "No review has been recorded for this version.",
            Weight::Bold,
            10.0,
            RED,
        );
    }
    for (area, rows) in &areas {
        w.subheading(area);
        let unanswered: Vec<bool> = rows.iter().map(|r| r[3] == "Unanswered").collect();
        w.table_alerting(
            &["Item", "Check", "Automatic result", "Answer", "Note"],
            rows,
            &|r, c| c == 3 && unanswered.get(r).copied().unwrap_or(false),
        );
    }
    // 6. Findings.
    w.heading("6. Findings", true);
    let fr = finding_rows(d);
    if fr.is_empty() {
        w.paragraph("No findings were raised.", Weight::Regular, 9.5, BLACK);
    } else {
        let high: Vec<bool> = fr.iter().map(|r| r[1] == "High").collect();
        w.table_alerting(
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
            &|r, c| c == 1 && high.get(r).copied().unwrap_or(false),
        );
    }
    let mut n = 7;
    for s in [
        Section::ModelLimitations,
        Section::ValidationLimitations,
        Section::UseRestrictions,
        Section::Recommendations,
        Section::Conclusion,
    ] {
        section(w, d, n, s);
        n += 1;
    }
    w.heading(&format!("{n}. Approvals"), true);
    let ar = approval_rows(d);
    if ar.is_empty() {
        w.paragraph(
            "No decision has been signed: this report is a draft.",
            Weight::Bold,
            10.0,
            RED,
        );
    } else {
        let bad: Vec<bool> = ar.iter().map(|r| r[5].starts_with("DOES NOT")).collect();
        w.table_alerting(
            &[
                "Signer",
                "Role",
                "Decision",
                "Key fingerprint",
                "Signed",
                "Verification",
            ],
            &ar,
            &|r, c| c == 5 && bad.get(r).copied().unwrap_or(false),
        );
    }
}
