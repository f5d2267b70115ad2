//! Audit packs from the demo: the PDF passes qpdf, holds every section and every value from the
//! evidence, renders Unicode, carries its manifest and metadata; VERIFY.txt checks the pack with
//! stock tools and fails after any byte of any file is flipped.

use countersign_e2e::{workspace_root, Cli};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const EXPORTER: &str = "Zoë Łukasz 李明 Ωmega";

fn tool(cmd: &str, args: &[&str]) -> (bool, String) {
    let o = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (scripts/install-test-deps.sh installs it)"));
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

fn export(cli: &Cli, v: &str, out: &Path) -> Value {
    cli.json(&[
        "--as",
        EXPORTER,
        "export",
        "audit-pack",
        v,
        "-o",
        out.to_str().expect("path"),
        "--json",
    ])
}

/// `bash VERIFY.txt ROOT` with the root this CLI pins (the auditor's own, never the pack's).
fn verify_script(cli: &Cli, dir: &Path) -> (bool, String) {
    let o = Command::new("bash")
        .arg(dir.join("VERIFY.txt"))
        .arg(cli.pinned().expect("a pinned root"))
        .output()
        .expect("bash");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

fn text_of(pdf: &Path) -> String {
    let (ok, out) = tool("pdftotext", &["-layout", pdf.to_str().expect("p"), "-"]);
    assert!(ok, "pdftotext: {out}");
    out
}

/// Text with every run of white space one space (a table cell's lines joined).
fn words_of(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn num(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[test]
fn approved_pack_is_complete_and_verifiable_by_stock_tools() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let v = "models:/retail-pd-scorecard/2";
    let out = cli.data.path().join("pack");
    let report = export(&cli, v, &out);
    assert_eq!(report["gate_pass"], true);
    for f in [
        "audit-pack.pdf",
        "evidence.json",
        "review.json",
        "allowed_signers",
        "policy.toml",
        "manifest.json",
        "VERIFY.txt",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let pdf = out.join("audit-pack.pdf");
    let (ok, msg) = tool("qpdf", &["--check", pdf.to_str().expect("p")]);
    assert!(ok, "qpdf --check: {msg}");

    let text = text_of(&pdf);
    for heading in [
        "Model validation audit pack",
        "1. Inventory record",
        "2. Lineage",
        "3. Evidence",
        "4. Checklist",
        "5. Findings",
        "6. Conditions and limitations",
        "7. Approvals",
        "8. Policy",
        "9. Manifest",
    ] {
        assert!(text.contains(heading), "missing heading {heading}");
    }
    assert!(text.contains("retail-pd-scorecard") && text.contains("APPROVED"));
    assert!(
        text.contains(EXPORTER),
        "the Unicode test string does not render/extract"
    );
    let evidence: Value =
        serde_json::from_slice(&std::fs::read(out.join("evidence.json")).expect("evidence"))
            .expect("json");
    for (k, val) in evidence["run"]["params"].as_object().expect("params") {
        assert!(
            text.contains(k) && text.contains(val.as_str().expect("str")),
            "param {k}"
        );
    }
    for (k, m) in evidence["run"]["metrics"].as_object().expect("metrics") {
        let shown = num(m["value"].as_f64().expect("value"));
        assert!(
            text.contains(k) && text.contains(&shown),
            "metric {k} = {shown}"
        );
    }
    let review: Value =
        serde_json::from_slice(&std::fs::read(out.join("review.json")).expect("review"))
            .expect("json");
    for item in review["items"].as_array().expect("items") {
        assert!(
            text.contains(item["id"].as_str().expect("id")),
            "item {}",
            item["id"]
        );
    }
    for signer in ["vera.validator@demo.bank", "alex.approver@demo.bank"] {
        assert!(text.contains(signer), "signer {signer}");
    }
    let pages = text.matches("Page ").count();
    let (_, info) = tool("pdfinfo", &[pdf.to_str().expect("p")]);
    let n: usize = info
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .expect("pages");
    assert!(
        text.contains(&format!("Page {n} of {n}")) && pages >= n,
        "footer on every page"
    );
    assert!(
        info.contains("Title:") && info.contains("Audit pack — models:/retail-pd-scorecard/2"),
        "{info}"
    );
    assert!(
        info.contains(&format!("Author:          {EXPORTER}")),
        "{info}"
    );
    assert!(
        info.contains("Subject:         models:/retail-pd-scorecard/2"),
        "{info}"
    );
    assert!(info.contains("CreationDate:"), "{info}");
    let manifest_sha = report["manifest_sha256"].as_str().expect("sha");
    assert!(
        text.matches(&format!("pack {manifest_sha}")).count() >= n,
        "the whole pack hash is in every footer"
    );
    let (_, attached) = tool("pdfdetach", &["-list", pdf.to_str().expect("p")]);
    assert!(attached.contains("manifest.json"), "{attached}");
    let (_, fonts) = tool("pdffonts", &[pdf.to_str().expect("p")]);
    assert!(
        fonts.contains("DejaVuSans") && fonts.contains("emb"),
        "{fonts}"
    );

    // VERIFY.txt passes, and fails after flipping one byte of any file.
    let (ok, out_text) = verify_script(&cli, &out);
    assert!(
        ok && out_text.contains("All checks passed")
            && out_text.contains("Good \"countersign\" signature for vera.validator@demo.bank"),
        "{out_text}"
    );
    let mut files = vec![
        "audit-pack.pdf",
        "validation-report.pdf",
        "evidence.json",
        "review.json",
        "allowed_signers",
        "policy.toml",
        "manifest.json",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    for e in std::fs::read_dir(out.join("approvals")).expect("approvals") {
        files.push(format!(
            "approvals/{}",
            e.expect("entry").file_name().to_string_lossy()
        ));
    }
    for f in &files {
        let p = out.join(f);
        let orig = std::fs::read(&p).expect("read");
        let mut b = orig.clone();
        let i = b.len() / 2;
        b[i] ^= 0x20;
        std::fs::write(&p, &b).expect("write");
        let (ok, _) = verify_script(&cli, &out);
        assert!(!ok, "VERIFY.txt still passes after flipping a byte of {f}");
        std::fs::write(&p, &orig).expect("restore");
    }
    assert!(verify_script(&cli, &out).0);

    // Keep one rendered page per section type for a person to look at (not committed).
    let shots = workspace_root().join("test-artifacts/audit-pack");
    let _ = std::fs::create_dir_all(&shots);
    let _ = Command::new("pdftoppm")
        .args(["-png", "-r", "70", pdf.to_str().expect("p")])
        .arg(shots.join("page"))
        .status();
}

#[test]
fn packs_for_unapproved_rejected_and_zip_outputs() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    // No approval yet.
    let out = cli.data.path().join("none");
    let r = export(&cli, "models:/sepsis-early-warning/1", &out);
    assert_eq!(r["gate_pass"], false);
    let text = text_of(&out.join("audit-pack.pdf"));
    assert!(
        text.contains("NO APPROVAL YET") && text.contains("No review has been recorded"),
        "{text}"
    );
    assert!(verify_script(&cli, &out).0);
    // Never written over.
    let o = cli.run(&[
        "export",
        "audit-pack",
        "models:/sepsis-early-warning/1",
        "-o",
        out.to_str().expect("p"),
    ]);
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("never written over"));
    // Rejected.
    let v = "models:/mortgage-lgd/1";
    cli.ok(&["review", "start", v]);
    let key = cli
        .data
        .path()
        .join("demo/keys/victor.validator@demo.bank/id_ed25519");
    cli.ok(&[
        "sign",
        v,
        "--role",
        "validator",
        "--decision",
        "reject",
        "--key",
        key.to_str().expect("p"),
        "--yes",
    ]);
    let out = cli.data.path().join("rejected");
    export(&cli, v, &out);
    assert!(text_of(&out.join("audit-pack.pdf")).contains("REJECTED"));
    assert!(verify_script(&cli, &out).0);
    // Stale: the approved version's run changes on the platform after approval.
    let run = cli
        .data
        .path()
        .join("demo/runs/run-churn-propensity-v1.toml");
    let text = std::fs::read_to_string(&run).expect("run");
    std::fs::write(
        &run,
        text.replacen("[metrics]", "[metrics]\nrecheck_auc = 0.5", 1),
    )
    .expect("write");
    let out = cli.data.path().join("stale");
    let r = export(&cli, "models:/churn-propensity/1", &out);
    assert_eq!(r["stale"], true);
    let pdf_text = text_of(&out.join("audit-pack.pdf"));
    assert!(
        pdf_text.contains("STALE") && pdf_text.contains("recheck_auc"),
        "{pdf_text}"
    );
    std::fs::write(&run, text).expect("restore");
    // A zip.
    let zip = cli.data.path().join("pack.zip");
    export(&cli, "models:/churn-propensity/1", &zip);
    let (ok, listing) = tool(
        "python3",
        &["-m", "zipfile", "-l", zip.to_str().expect("p")],
    );
    assert!(
        ok && listing.contains("pack/audit-pack.pdf")
            && listing.contains("pack/VERIFY.txt")
            && listing.contains("pack/approvals/01-validator.json.sig"),
        "{listing}"
    );
    // The command printed for a zip works as printed, pasted into a shell (a space and a quote
    // in the path included).
    let dir = cli.data.path().join("auditor's packs");
    std::fs::create_dir_all(&dir).expect("dir");
    let zip = dir.join("pack.zip");
    let out = cli.ok(&[
        "export",
        "audit-pack",
        "models:/churn-propensity/1",
        "-o",
        zip.to_str().expect("p"),
    ]);
    let hint = out
        .lines()
        .find_map(|l| l.strip_prefix("Check it with stock tools: "))
        .unwrap_or_else(|| panic!("no command printed: {out}"));
    let (command, _) = hint.split_once(" ROOT ").expect("ROOT in the command");
    let root = cli.pinned().expect("a pinned root");
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{command} {}",
            countersign_core::display::shell_quote(&root.display().to_string())
        ))
        .output()
        .expect("bash");
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("All checks passed"),
        "{hint}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn portfolio_report_in_pdf_json_and_csv() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let json_path = cli.data.path().join("portfolio.json");
    cli.ok(&["export", "inventory", "-o", json_path.to_str().expect("p")]);
    let report: Value =
        serde_json::from_slice(&std::fs::read(&json_path).expect("json")).expect("json");
    let f = &report["figures"];
    assert_eq!(f["models"], 36);
    let listed = cli.json(&["ls", "--json", "--overdue"]);
    assert_eq!(
        f["overdue"].as_u64(),
        listed["models"].as_array().map(|m| m.len() as u64)
    );
    let statuses = f["by_status"].as_object().expect("statuses");
    assert_eq!(
        statuses
            .values()
            .map(|v| v.as_u64().unwrap_or(0))
            .sum::<u64>(),
        36
    );
    assert_eq!(statuses["approved"], 2, "{statuses:?}");
    assert_eq!(statuses["pending approval"], 2, "{statuses:?}");
    assert_eq!(f["by_kind"]["prompt"], 8);
    assert_eq!(f["prompts_per_provider"]["Anthropic"], 3);
    assert!(f["median_days_to_approval"].as_f64().is_some());
    let row = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["name"] == "credit-limit-assignment")
        .expect("row");
    assert_eq!(row["status"], "approved");
    assert!(
        row["last_approval"].as_str().unwrap_or("").contains("by "),
        "{row}"
    );

    let pdf = cli.data.path().join("portfolio.pdf");
    cli.ok(&[
        "--as",
        EXPORTER,
        "export",
        "inventory",
        "-o",
        pdf.to_str().expect("p"),
    ]);
    let (ok, msg) = tool("qpdf", &["--check", pdf.to_str().expect("p")]);
    assert!(ok, "{msg}");
    let text = text_of(&pdf);
    for s in [
        "Model portfolio report",
        "Summary",
        "Overdue reviews",
        "Open high findings",
        "prepared by",
        "Models by tier",
        "Inventory",
        "churn-propensity",
        "overdue",
        "李明",
        "Zoë Adams",
        "Mistral",
        "Page 1 of",
    ] {
        assert!(text.contains(s), "portfolio PDF lacks {s}");
    }
    let csv = cli.data.path().join("portfolio.csv");
    cli.ok(&["export", "inventory", "-o", csv.to_str().expect("p")]);
    let csv_text = std::fs::read_to_string(&csv).expect("csv");
    assert_eq!(csv_text.lines().count(), 37);
    assert!(csv_text.starts_with("name,kind,tier,owner,status,"));
    let header = csv_text.lines().next().expect("header");
    assert!(
        header.ends_with(",open_high_findings,oldest_open_finding_days,assignments_past_due"),
        "{header}"
    );
    // Every row has as many cells as the header (no name or owner broke a row).
    let columns = header.split(',').count();
    for line in csv_text.lines().skip(1) {
        assert!(line.matches(',').count() + 1 >= columns, "{line}");
    }
    let o = cli.run(&["export", "inventory", "-o", csv.to_str().expect("p")]);
    assert!(!o.status.success(), "never written over");
}

#[test]
fn a_huge_parameter_is_clipped_in_the_pdf_and_whole_in_the_evidence() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let run = cli
        .data
        .path()
        .join("demo/runs/run-credit-limit-assignment-v1.toml");
    let text = std::fs::read_to_string(&run).expect("run");
    let huge = "word ".repeat(400_000);
    std::fs::write(
        &run,
        text.replacen("[params]\n", &format!("[params]\nhuge = \"{huge}\"\n"), 1),
    )
    .expect("write");
    let out = cli.data.path().join("huge");
    export(&cli, "models:/credit-limit-assignment/1", &out);
    let pdf = out.join("audit-pack.pdf");
    let (ok, msg) = tool("qpdf", &["--check", pdf.to_str().expect("p")]);
    assert!(ok, "qpdf --check: {msg}");
    let pdf_text = words_of(&text_of(&pdf));
    assert!(
        pdf_text.contains("more characters; the full value is in"),
        "the clip is visible"
    );
    let ev: Value =
        serde_json::from_slice(&std::fs::read(out.join("evidence.json")).expect("ev")).expect("j");
    assert_eq!(
        ev["run"]["params"]["huge"].as_str().map(str::len),
        Some(huge.len()),
        "the evidence keeps the whole value"
    );
}

/// Renders every page of `pdf` to PNG under the test's artifact folder (kept, not committed)
/// and returns how many pages were drawn.
fn render_pages(pdf: &Path, name: &str) -> usize {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pdf-pages");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    let prefix = dir.join(name);
    let (ok, msg) = tool(
        "pdftoppm",
        &[
            "-r",
            "60",
            "-png",
            pdf.to_str().expect("p"),
            prefix.to_str().expect("p"),
        ],
    );
    assert!(ok, "pdftoppm: {msg}");
    std::fs::read_dir(&dir)
        .expect("dir")
        .filter(|e| {
            e.as_ref().is_ok_and(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{name}-"))
            })
        })
        .count()
}

#[test]
fn the_validation_report_is_complete_and_the_pack_is_pdfa_3b_with_its_files_attached() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let v = "models:/retail-pd-scorecard/2";
    let pdf = cli.data.path().join("report.pdf");
    let md = cli.data.path().join("report.md");
    for f in [&pdf, &md] {
        cli.ok(&[
            "--as",
            EXPORTER,
            "export",
            "report",
            v,
            "-o",
            f.to_str().expect("p"),
        ]);
    }
    // Never over an existing file.
    let o = cli.run(&["export", "report", v, "-o", pdf.to_str().expect("p")]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("never written over"));
    let (ok, msg) = tool("qpdf", &["--check", pdf.to_str().expect("p")]);
    assert!(ok, "qpdf --check: {msg}");
    let text = words_of(&text_of(&pdf));
    let markdown = std::fs::read_to_string(&md).expect("md");
    let review: Value = cli.json(&["review", "show", v, "--json"]);
    let report = &review["review"]["report"];
    for heading in [
        "Executive summary",
        "Scope",
        "The model",
        "Evidence",
        "Key metrics against their thresholds",
        "Checklist results",
        "Findings",
        "Limitations of the model",
        "Limitations of the validation",
        "Use restrictions",
        "Recommendations",
        "Conclusion and opinion",
        "Approvals",
    ] {
        assert!(text.contains(heading), "the PDF lacks {heading}");
        assert!(markdown.contains(heading), "the Markdown lacks {heading}");
    }
    assert!(text.contains("Overall rating: Satisfactory"), "the rating");
    let conclusion = report["conclusion"]["text"].as_str().expect("a conclusion");
    assert!(text.contains(conclusion) && markdown.contains(conclusion));
    // Who answered each item, with when.
    let items = review["review"]["answers"].as_object().expect("answers");
    assert!(!items.is_empty());
    for (id, a) in items {
        let by = a["answered_by"].as_str().expect("attributed");
        assert!(
            text.contains(id.as_str()) && text.contains(&format!("by {by} at 20")),
            "{id}"
        );
    }
    // Words shorter than their column are never split (known values of this version).
    for word in [
        "vera.validator@demo.bank",
        "alex.approver@demo.bank",
        "retail-pd-scorecard_holdout_v2",
        "bureau_snapshot_2025q4",
    ] {
        assert!(text.contains(word), "'{word}' is split or missing");
    }
    assert!(
        !text.contains("not_applicable"),
        "enumerations read as words"
    );
    assert!(render_pages(&pdf, "validation-report") >= 6);

    // The audit pack: the report is one of its files, and the PDF is PDF/A-3b with the
    // pack's record files attached byte for byte.
    let out = cli.data.path().join("pack");
    export(&cli, v, &out);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("m")).expect("j");
    assert!(manifest["files"]["validation-report.pdf"].is_string());
    let pack_pdf = out.join("audit-pack.pdf");
    let (_, meta) = tool("pdfinfo", &["-meta", pack_pdf.to_str().expect("p")]);
    assert!(
        meta.contains("<pdfaid:part>3</pdfaid:part>")
            && meta.contains("<pdfaid:conformance>B</pdfaid:conformance>")
            && meta.contains(&format!("<rdf:li>{EXPORTER}</rdf:li>")),
        "{meta}"
    );
    let raw = String::from_utf8_lossy(&std::fs::read(&pack_pdf).expect("pdf")).to_string();
    assert!(!raw.contains("GTS_PDFX"), "no PDF/X claim");
    assert!(raw.contains("/GTS_PDFA1") && raw.contains("/AFRelationship"));
    let detached = cli.data.path().join("detached");
    std::fs::create_dir_all(&detached).expect("dir");
    let (ok, msg) = tool(
        "pdfdetach",
        &[
            "-saveall",
            "-o",
            detached.to_str().expect("p"),
            pack_pdf.to_str().expect("p"),
        ],
    );
    assert!(ok, "pdfdetach: {msg}");
    let mut compared = 0;
    for (attached, in_pack) in [
        ("manifest.json", "manifest.json".to_string()),
        ("evidence.json", "evidence.json".to_string()),
        ("review.json", "review.json".to_string()),
    ]
    .into_iter()
    .map(|(a, p)| (a.to_string(), p))
    .chain(
        std::fs::read_dir(out.join("approvals"))
            .expect("approvals")
            .map(|e| {
                let n = e.expect("e").file_name().to_string_lossy().to_string();
                (format!("approvals-{n}"), format!("approvals/{n}"))
            }),
    ) {
        assert_eq!(
            std::fs::read(detached.join(&attached)).expect("attached"),
            std::fs::read(out.join(&in_pack)).expect("pack file"),
            "{attached} differs from {in_pack}"
        );
        compared += 1;
    }
    assert!(compared >= 7, "{compared} attachments compared");
    let (ok, out_text) = verify_script(&cli, &out);
    assert!(ok && out_text.contains("All checks passed"), "{out_text}");
    assert!(render_pages(&pack_pdf, "audit-pack") >= 8);
    // A long document has a contents page; the portfolio report is landscape.
    assert!(words_of(&text_of(&pack_pdf)).contains("Contents"));
    let portfolio = cli.data.path().join("portfolio.pdf");
    cli.ok(&[
        "--as",
        EXPORTER,
        "export",
        "inventory",
        "-o",
        portfolio.to_str().expect("p"),
    ]);
    let (_, info) = tool("pdfinfo", &[portfolio.to_str().expect("p")]);
    assert!(info.contains("841.89 x 595.276"), "{info}");
    assert!(
        info.contains(&format!("Author:          {EXPORTER}")),
        "{info}"
    );
    let ptext = words_of(&text_of(&portfolio));
    for word in [
        "tomas.garcia@demo.bank",
        "amara.okafor@demo.bank",
        "credit-limit-assignment",
    ] {
        assert!(
            ptext.contains(word),
            "'{word}' is split or missing in the portfolio"
        );
    }
    assert!(render_pages(&portfolio, "portfolio") >= 4);
}

#[test]
fn planted_control_characters_and_missing_glyphs_show_as_escapes_in_the_pdf() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let run = cli
        .data
        .path()
        .join("demo/runs/run-credit-limit-assignment-v1.toml");
    let text = std::fs::read_to_string(&run).expect("run");
    // A value that would colour its own cell (the old in-band marker), reorder itself and
    // draw a glyph no embedded font has.
    std::fs::write(
        &run,
        text.replacen(
            "[params]\n",
            "[params]\nhostile = \"\\u0001FAKE ALERT \\u202Eevil \\U0010FFFD end\"\n",
            1,
        ),
    )
    .expect("write");
    let out = cli.data.path().join("hostile");
    export(&cli, "models:/credit-limit-assignment/1", &out);
    let pdf = out.join("audit-pack.pdf");
    let (ok, msg) = tool("qpdf", &["--check", pdf.to_str().expect("p")]);
    assert!(ok, "qpdf --check: {msg}");
    let t = words_of(&text_of(&pdf));
    assert!(
        t.contains("\\u{1}FAKE ALERT"),
        "the marker is shown, not obeyed"
    );
    assert!(
        t.contains("\\u{202e}evil"),
        "the override is shown, not applied"
    );
    assert!(
        t.contains("\\u{10fffd} end"),
        "a glyph no font has is shown as its code"
    );
    assert!(!t.contains('\u{202e}') && !t.contains('\u{1}'));
    let ev: Value =
        serde_json::from_slice(&std::fs::read(out.join("evidence.json")).expect("ev")).expect("j");
    assert_eq!(
        ev["run"]["params"]["hostile"], "\u{1}FAKE ALERT \u{202e}evil \u{10FFFD} end",
        "the evidence keeps the value as the platform holds it"
    );
}
