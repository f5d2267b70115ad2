//! Screen snapshots (ratatui `TestBackend` + insta) and key-driven state tests on the demo.
// Fixtures build their own stores and reviews below the workspace (src-tui/clippy.toml).
#![allow(clippy::disallowed_methods)]

use super::app::{App, Effect};
use super::ui;
use countersign_core::platform::folder::FolderPlatform;
use countersign_core::session::Session;
use countersign_core::store::Store;
use countersign_core::sync::{self, SyncOptions};
use countersign_core::uri::PlatformUri;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const TODAY: &str = "2026-11-25";

fn demo_app() -> (tempfile::TempDir, App) {
    demo_app_with(countersign_core::policy::LoadedPolicy::default_policy().expect("policy"))
}

/// The demo app under `policy`.
fn demo_app_with(policy: countersign_core::policy::LoadedPolicy) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    countersign_core::demo::generate(dir.path(), TODAY).expect("demo");
    let platform = FolderPlatform::new(dir.path().to_path_buf(), Default::default());
    // A store file (background jobs open their own connection to it).
    let mut store = Store::open(&dir.path().join("countersign.db")).expect("store");
    sync::sync(&platform, &mut store, SyncOptions::default(), &mut |_| {}).expect("sync");
    let uri = PlatformUri::Folder(dir.path().to_path_buf());
    let key = uri.display_safe();
    let mut session = Session::from_parts(store, uri);
    session.key = key;
    let ws = countersign_core::workspace::Workspace::from_session(
        session,
        policy,
        dir.path().to_path_buf(),
    );
    let mut app = App::new(ws, TODAY.into()).expect("app");
    // Where the identity asked on first use is saved (never the machine's own config).
    app.ws.config.file_looked_for = Some(dir.path().join("config/countersign/config.toml"));
    (dir, app)
}

/// `r` shows the selected version's checklist (a preview when no review exists) and `S`
/// starts it, answering "who are you?" as Vera when asked.
fn start_review(app: &mut App) {
    app.on_key(key(KeyCode::Char('r')));
    app.wait_job();
    let preview = matches!(&app.screen, super::app::Screen::Review(r) if r.preview);
    if preview {
        app.on_key(key(KeyCode::Char('S')));
        if app.identity_prompt.is_some() {
            app.identity_prompt.as_mut().expect("prompt").text.clear();
            for c in "vera.validator@demo.bank".chars() {
                app.on_key(key(KeyCode::Char(c)));
            }
            app.on_key(key(KeyCode::Enter));
        }
        // Starting asks first.
        assert!(
            matches!(&app.screen, super::app::Screen::Review(r) if r.confirm_start),
            "S asks before it starts"
        );
        app.on_key(key(KeyCode::Char('y')));
        app.wait_job();
    }
}

/// The demo's risk function, root and signed release (published to the demo folder), pinned
/// in the app's session.
fn pin_trust(dir: &std::path::Path, app: &mut App) {
    let root = countersign_core::demo::generate_trust(
        dir,
        &dir.join(".trust"),
        &countersign_core::policy::LoadedPolicy::default_policy().expect("policy"),
    )
    .expect("trust");
    app.ws.set_root(&root.display().to_string());
}

fn render(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    t.backend().to_string()
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn masked(s: String) -> String {
    // The demo lives in a temporary folder whose name changes every run.
    let mut out = String::new();
    for line in s.lines() {
        // The sync time changes every run.
        let line = &match line.find(" synced ") {
            Some(i) => {
                let (head, tail) = line.split_at(i + 8);
                let stamp: String = tail
                    .chars()
                    .take(20)
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect();
                format!("{head}{stamp}{}", tail.chars().skip(20).collect::<String>())
            }
            None => line.to_string(),
        };
        match line.find("│ folder:") {
            Some(i) => {
                out.push_str(&line[..i]);
                out.push_str("│ folder:[DEMO]\"");
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[test]
fn inventory_screen_120x40() {
    let (_d, mut app) = demo_app();
    insta::assert_snapshot!(masked(render(&mut app, 120, 40)));
}

#[test]
fn inventory_screen_80x24() {
    let (_d, mut app) = demo_app();
    insta::assert_snapshot!(masked(render(&mut app, 80, 24)));
}

#[test]
fn help_overlay() {
    let (_d, mut app) = demo_app();
    app.on_key(key(KeyCode::Char('?')));
    let s = render(&mut app, 120, 40);
    assert!(s.contains("Help — ") && s.contains("key closes"), "{s}");
    assert!(s.contains("sync with the platform"), "{s}");
    app.on_key(key(KeyCode::Char('x')));
    assert!(!render(&mut app, 120, 40).contains("Help — "));
}

#[test]
fn keys_move_the_selection_and_search_filters() {
    let (_d, mut app) = demo_app();
    let first = app.selected_model().unwrap().model.name.clone();
    app.on_key(key(KeyCode::Char('j')));
    app.on_key(key(KeyCode::Down));
    let third = app.selected_model().unwrap().model.name.clone();
    assert_ne!(first, third);
    assert_eq!(app.selected, 2);
    assert!(
        render(&mut app, 120, 40).contains(&format!("│{third}"))
            || render(&mut app, 120, 40).contains(&third)
    );
    assert_eq!(app.detail.as_ref().unwrap().model.model.name, third);

    app.on_key(key(KeyCode::Char('/')));
    for c in "prompt-not-a-name".chars().take(0).chain("summar".chars()) {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    let names: Vec<_> = app
        .rows
        .iter()
        .map(|&i| app.view.models[i].model.name.clone())
        .collect();
    assert_eq!(
        names,
        vec![
            "call-summary-assistant",
            "clinical-note-summarizer",
            "credit-memo-summarizer"
        ]
    );
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("search: summar"), "{screen}");
    assert_eq!(app.on_key(key(KeyCode::Char('q'))), Effect::Quit);
}

#[test]
fn overdue_reviews_are_marked() {
    let (_d, mut app) = demo_app();
    let overdue: Vec<_> = app
        .view
        .models
        .iter()
        .filter(|m| m.overdue)
        .map(|m| m.model.name.clone())
        .collect();
    assert!(overdue.len() >= 5, "{overdue:?}");
    let s = render(&mut app, 120, 40);
    assert!(s.contains(&format!("{} overdue", overdue.len())), "{s}");
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn select(app: &mut App, name: &str) {
    app.on_key(key(KeyCode::Char('/')));
    for c in name.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    assert_eq!(app.selected_model().unwrap().model.name, name);
}

/// Masks what changes from run to run on the review and sign screens (ids, hashes, times).
fn masked_screen(s: String) -> String {
    let mut out = String::new();
    for line in masked(s).lines() {
        let mut l = line.to_string();
        for marker in [
            "evidence ",
            "policy ",
            "review rev-",
            "started review rev-",
            "resumed review rev-",
        ] {
            if let Some(i) = l.find(marker) {
                let start = i + marker.len();
                let end = l[start..]
                    .find(' ')
                    .map(|e| start + e)
                    .unwrap_or(l.len().saturating_sub(1));
                let n = l[start..end].chars().count();
                l = format!("{}{}{}", &l[..start], "#".repeat(n), &l[end..]);
            }
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

#[test]
fn review_screen_walks_the_checklist() {
    let (_d, mut app) = demo_app();
    select(&mut app, "churn-propensity");
    start_review(&mut app);
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Review of models:/churn-propensity/2"),
        "{screen}"
    );
    assert!(screen.contains("not ready for decision"), "{screen}");
    insta::assert_snapshot!("review_120x40", masked_screen(screen));
    insta::assert_snapshot!("review_80x24", masked_screen(render(&mut app, 80, 24)));

    // Answer every item: confirm automatic passes, attest the rest with a note.
    let items = match &app.screen {
        super::app::Screen::Review(r) => r.review.header.items.clone(),
        _ => panic!("review screen not open"),
    };
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            app.on_key(key(KeyCode::Char('j')));
        }
        match item.automatic.as_ref().map(|a| a.outcome) {
            Some(countersign_core::policy::checks::AutoOutcome::Pass) => {
                app.on_key(key(KeyCode::Char('c')));
            }
            _ => {
                app.on_key(key(KeyCode::Char('p')));
                for c in "checked in the demo".chars() {
                    app.on_key(key(KeyCode::Char(c)));
                }
                app.on_key(key(KeyCode::Enter));
                for c in "second line".chars() {
                    app.on_key(key(KeyCode::Char(c)));
                }
                app.on_key(ctrl('s'));
            }
        }
    }
    // Every item answered: a decision can be made; an approval still waits for the report.
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("ready for decision") && screen.contains("the validation report lacks"),
        "{screen}"
    );
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen")
    };
    assert_eq!(r.review.answers.len(), items.len());
    assert!(r
        .review
        .answers
        .values()
        .any(|a| a.note == "checked in the demo\nsecond line"));
    // Saved in the store as each answer was given.
    let stored = countersign_core::review::load_latest(
        &app.ws.session.store,
        &app.ws.session.key,
        &countersign_core::uri::VersionRef::parse("models:/churn-propensity/2").unwrap(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(stored.answers.len(), items.len());

    // An unsaved note asks before it is lost.
    app.on_key(key(KeyCode::Char('f')));
    app.on_key(key(KeyCode::Char('x')));
    assert_eq!(app.on_key(ctrl('c')), Effect::None, "first Ctrl-C warns");
    assert!(app.status.contains("not saved"));
    app.on_key(key(KeyCode::Esc));
    app.on_key(key(KeyCode::Esc));
    app.on_key(key(KeyCode::Esc));
    assert!(matches!(app.screen, super::app::Screen::Inventory));
}

#[test]
fn sign_screen_signs_with_the_demo_key_and_shows_refusals() {
    let (dir, mut app) = demo_app();
    countersign_core::demo::generate_keys(dir.path()).unwrap();
    pin_trust(dir.path(), &mut app);
    select(&mut app, "churn-propensity");
    // Without a review the signature is refused, with the reason.
    app.on_key(key(KeyCode::Char('S')));
    let super::app::Screen::Sign(form) = &mut app.screen else {
        panic!("sign screen")
    };
    form.key = countersign_core::demo::demo_key_path(dir.path(), "vera.validator@demo.bank")
        .display()
        .to_string();
    app.ws.data_dir = dir.path().parent().unwrap().to_path_buf();
    // allowed_signers is looked up inside the folder platform.
    app.on_key(key(KeyCode::Enter));
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("? y/n"), "{screen}");
    app.on_key(key(KeyCode::Char('y')));
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Not signed:")
            && screen.contains("review of models:/churn-propensity/2 not found"),
        "{screen}"
    );

    // Complete the review, then sign.
    let v = countersign_core::uri::VersionRef::parse("models:/churn-propensity/2").unwrap();
    let (mut review, _) = countersign_core::review::start(
        &app.ws.session.store,
        &app.ws.session.key,
        &app.ws.policy,
        &v,
        None,
    )
    .unwrap();
    for item in review.header.items.clone() {
        let o = match item.automatic.as_ref().map(|a| a.outcome) {
            Some(countersign_core::policy::checks::AutoOutcome::Pass) => None,
            Some(_) => Some(countersign_core::review::Outcome::NotApplicable),
            None => Some(countersign_core::review::Outcome::Pass),
        };
        review
            .answer(
                &app.ws.session.store,
                &countersign_core::review::AnswerInput {
                    item: item.id.clone(),
                    outcome: o,
                    note: "ok".into(),
                    evidence: vec![],
                },
                None,
            )
            .unwrap();
    }
    // Every item answered, the tier's report not written: refused, saying what is missing.
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Char('y')));
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Not signed:") && screen.contains("the validation report lacks"),
        "{screen}"
    );
    for s in countersign_core::review::report::required(&app.ws.policy, &review.header.tier) {
        let text = if s == countersign_core::review::report::Section::Rating {
            "satisfactory"
        } else {
            "written"
        };
        review
            .set_report(&app.ws.session.store, &app.ws.policy, s, text, None)
            .unwrap();
    }
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Char('y')));
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Signed as vera.validator@demo.bank"),
        "{screen}"
    );
    assert!(
        screen.contains(
            "ssh-keygen -Y verify -f allowed_signers -I vera.validator@demo.bank -n countersign"
        ),
        "{screen}"
    );
    assert!(dir
        .path()
        .join("reviews/churn-propensity/2/approvals/validator-vera.validator@demo.bank.json")
        .exists());
}

#[test]
fn the_sign_screen_attests_as_the_owner_and_refuses_anyone_else() {
    let (dir, mut app) = demo_app();
    countersign_core::demo::generate_keys(dir.path()).unwrap();
    pin_trust(dir.path(), &mut app);
    select(&mut app, "churn-propensity");
    let owner = countersign_core::demo::demo_owner(
        app.selected_model()
            .and_then(|m| m.model.owner.as_deref())
            .expect("an owner"),
    );
    app.on_key(key(KeyCode::Char('S')));
    // Role: validator → approver → owner.
    app.on_key(key(KeyCode::Right));
    app.on_key(key(KeyCode::Right));
    let super::app::Screen::Sign(form) = &mut app.screen else {
        panic!("sign screen")
    };
    assert!(form.attesting());
    // A validator's key as the owner: refused, with the reason, nothing written.
    form.key = countersign_core::demo::demo_key_path(dir.path(), "vera.validator@demo.bank")
        .display()
        .to_string();
    // Tab passes over the decision: the next field is the note.
    app.on_key(key(KeyCode::Tab));
    for c in "Used for retention offers only.".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Attest models:/churn-propensity/2 as the model's owner")
            && screen.contains("note: Used for retention offers only."),
        "{screen}"
    );
    app.on_key(key(KeyCode::Enter));
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("you attest that:")
            && screen.contains(countersign_core::attestation::STATEMENTS[0])
            && screen.contains("Attest models:/churn-propensity/2? y/n"),
        "{screen}"
    );
    app.on_key(key(KeyCode::Char('y')));
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Not attested:") && screen.contains("is not the owner of churn-propensity"),
        "{screen}"
    );
    let attestations = dir.path().join("reviews/churn-propensity/2/attestations");
    assert!(!attestations.exists() || std::fs::read_dir(&attestations).unwrap().count() == 0);

    // The owner's key: attested, the note kept, the record beside the reviews.
    let super::app::Screen::Sign(form) = &mut app.screen else {
        panic!("sign screen")
    };
    form.key = countersign_core::demo::demo_key_path(dir.path(), &owner)
        .display()
        .to_string();
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Char('y')));
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains(&format!("Attested as {owner}")) && screen.contains("ssh-keygen -Y verify"),
        "{screen}"
    );
    let files: Vec<String> = std::fs::read_dir(&attestations)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let record = files.iter().find(|f| f.ends_with(".json")).expect("record");
    let text = std::fs::read_to_string(attestations.join(record)).unwrap();
    assert!(text.contains("Used for retention offers only."), "{text}");
    assert!(app.status.contains("attested"), "{}", app.status);
}

#[test]
fn choosing_the_owner_role_on_the_demo_picks_the_owners_key_and_back() {
    let d = tempfile::tempdir().unwrap();
    let demo = d.path().join("demo");
    let vera = countersign_core::demo::demo_key_path(&demo, "vera.validator@demo.bank");
    let zoe = countersign_core::demo::demo_key_path(&demo, "zoe.adams@demo.bank");
    for k in [&vera, &zoe] {
        std::fs::create_dir_all(k.parent().unwrap()).unwrap();
        std::fs::write(k, b"").unwrap();
    }
    let mut form = super::screens::SignScreen::new(
        countersign_core::uri::VersionRef::parse("models:/m/1").unwrap(),
        d.path(),
        &countersign_core::config::KeyChoice::File(d.path().join("none")),
    )
    .with_owner(d.path(), Some("Zoë Adams <zoe.adams@demo.bank>"));
    assert_eq!(form.key, vera.display().to_string());
    form.on_key(key(KeyCode::Left));
    assert!(form.attesting());
    assert_eq!(form.key, zoe.display().to_string());
    form.on_key(key(KeyCode::Right));
    assert!(!form.attesting());
    assert_eq!(form.key, vera.display().to_string());
    // A key the user typed is never replaced.
    form.key = "/home/me/.ssh/id_ed25519".into();
    form.on_key(key(KeyCode::Left));
    assert_eq!(form.key, "/home/me/.ssh/id_ed25519");
}

#[test]
fn dashboard_and_export() {
    let (dir, mut app) = demo_app();
    app.on_key(key(KeyCode::Char('d')));
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Portfolio dashboard")
            && screen.contains("by tier")
            && screen.contains("not reviewed"),
        "{screen}"
    );
    insta::assert_snapshot!("dashboard_120x40", masked(screen));
    insta::assert_snapshot!("dashboard_80x24", masked(render(&mut app, 80, 24)));
    app.on_key(key(KeyCode::Esc));
    // Export writes a pack under the data directory.
    countersign_core::demo::generate_keys(dir.path()).unwrap();
    pin_trust(dir.path(), &mut app);
    app.ws.data_dir = tempfile::tempdir().unwrap().keep();
    select(&mut app, "churn-propensity");
    app.on_key(key(KeyCode::Char('e')));
    assert!(app.job.is_some(), "the export runs in the background");
    app.wait_job();
    assert!(
        app.status
            .starts_with("audit pack of models:/churn-propensity/2 written to "),
        "{}",
        app.status
    );
    let written: std::path::PathBuf = app
        .status
        .trim_start_matches("audit pack of models:/churn-propensity/2 written to ")
        .split(" (pack")
        .next()
        .unwrap()
        .into();
    assert!(written.join("audit-pack.pdf").exists() && written.join("VERIFY.txt").exists());
}

#[test]
fn filter_keys_narrow_the_inventory() {
    let (_d, mut app) = demo_app();
    app.on_key(key(KeyCode::Char('t')));
    let tier1: Vec<_> = app
        .rows
        .iter()
        .map(|&i| app.view.models[i].model.risk_tier.clone())
        .collect();
    assert!(!tier1.is_empty() && tier1.iter().all(|t| t.as_deref() == Some("1")));
    app.on_key(key(KeyCode::Char('K')));
    app.on_key(key(KeyCode::Char('K')));
    let names: Vec<_> = app
        .rows
        .iter()
        .map(|&i| app.view.models[i].model.name.clone())
        .collect();
    assert_eq!(
        names,
        vec![
            "clinical-note-summarizer",
            "credit-memo-summarizer",
            "kyc-document-extractor"
        ]
    );
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("[tier 1 · prompt]") && screen.contains("3 shown"),
        "{screen}"
    );
    app.on_key(key(KeyCode::Char('o')));
    let names: Vec<_> = app
        .rows
        .iter()
        .map(|&i| app.view.models[i].model.name.clone())
        .collect();
    assert_eq!(names, vec!["clinical-note-summarizer"]);
    for _ in 0..3 {
        app.on_key(key(KeyCode::Char('t')));
    }
    app.on_key(key(KeyCode::Char('K')));
    app.on_key(key(KeyCode::Char('K')));
    app.on_key(key(KeyCode::Char('o')));
    assert_eq!(app.rows.len(), 36, "all filters cleared");
    // Status: nothing is signed in this demo store, so "approved" shows no model.
    app.on_key(key(KeyCode::Char('a')));
    assert_eq!(app.rows.len(), 0);
    assert!(render(&mut app, 120, 40).contains("[approved]"));
    for _ in 0..4 {
        app.on_key(key(KeyCode::Char('a')));
    }
    assert_eq!(app.rows.len(), 36, "'not reviewed' holds every model");
    app.on_key(key(KeyCode::Char('a')));
    assert_eq!(app.status_filter, None);
}

#[test]
fn findings_are_raised_and_remediated_from_the_review_screen() {
    let (_d, mut app) = demo_app();
    select(&mut app, "mortgage-lgd");
    start_review(&mut app);
    app.on_key(key(KeyCode::Char('F')));
    for c in "Back-test window too short".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("new finding on CS-01") && screen.contains("Back-test window too short"),
        "{screen}"
    );
    app.on_key(ctrl('s'));
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review")
    };
    assert_eq!(r.review.findings.len(), 1);
    assert_eq!(
        r.review.findings[0].severity,
        countersign_core::review::Severity::High
    );
    assert_eq!(r.review.findings[0].item.as_deref(), Some("CS-01"));
    assert!(
        r.status
            .blockers
            .iter()
            .any(|b| b.starts_with("open high finding F-1")),
        "{:?}",
        r.status.blockers
    );
    let screen = render(&mut app, 120, 40);
    // The title keeps its case (it was lower-cased wholesale once).
    assert!(
        screen.contains("F-1 High Open due") && screen.contains("— Back-test window"),
        "{screen}"
    );
    // m asks what was done; an empty note is refused and the editor stays open.
    app.ws.identity = Some("vera.validator@demo.bank".into());
    app.on_key(key(KeyCode::Char('m')));
    assert!(render(&mut app, 120, 40).contains("remediation of F-1"));
    app.on_key(ctrl('s'));
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review")
    };
    assert!(r.editor.is_some(), "kept open: {:?}", r.message);
    assert!(
        r.message.as_deref().unwrap_or("").contains("--note"),
        "{:?}",
        r.message
    );
    for c in "Back-test extended".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(ctrl('s'));
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review")
    };
    assert_eq!(
        r.review.findings[0].status,
        countersign_core::review::FindingStatus::Remediated,
        "{:?}",
        r.message
    );
    assert_eq!(r.review.findings[0].history[0].note, "Back-test extended");
    assert_eq!(
        r.review.findings[0].history[0].by.as_deref(),
        Some("vera.validator@demo.bank")
    );
    assert!(!r
        .status
        .blockers
        .iter()
        .any(|b| b.contains("open high finding")));
}

#[test]
fn reverse_lineage_screen_finds_versions_on_a_dataset() {
    let (_d, mut app) = demo_app();
    select(&mut app, "retail-pd-scorecard");
    app.on_key(key(KeyCode::Char('L')));
    // The shared bureau snapshot is the first suggestion; every model trained on it shows.
    app.on_key(key(KeyCode::Enter));
    let super::app::Screen::Lineage(l) = &app.screen else {
        panic!("lineage screen")
    };
    assert!(l.results.len() >= 9, "{}", l.results.len());
    assert!(l
        .results
        .iter()
        .all(|u| u.dataset_name == "bureau_snapshot_2025q4"));
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("models:/retail-pd-scorecard/1")
            && screen.contains("trained")
            && screen.contains("bureau_snapshot_2025q4"),
        "{screen}"
    );
    // A digest nobody used.
    app.on_key(ctrl('u'));
    for c in "nothing".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    assert!(render(&mut app, 120, 40).contains("0 use(s) of 'nothing'"));
    app.on_key(key(KeyCode::Esc));
    assert!(matches!(app.screen, super::app::Screen::Inventory));
}

#[test]
fn sign_and_lineage_screens_snapshots() {
    let (_d, mut app) = demo_app();
    select(&mut app, "churn-propensity");
    app.on_key(key(KeyCode::Char('S')));
    let super::app::Screen::Sign(form) = &mut app.screen else {
        panic!("sign screen")
    };
    form.key = "/keys/vera/id_ed25519".into();
    app.on_key(key(KeyCode::Right));
    for _ in 0..5 {
        app.on_key(key(KeyCode::Tab));
    }
    for c in "secret".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("passphrase: ••••••") && !screen.contains("secret"),
        "the passphrase is masked: {screen}"
    );
    insta::assert_snapshot!("sign_120x40", masked(screen));
    insta::assert_snapshot!("sign_80x24", masked(render(&mut app, 80, 24)));
    app.on_key(key(KeyCode::Esc));
    app.on_key(key(KeyCode::Char('L')));
    app.on_key(key(KeyCode::Enter));
    insta::assert_snapshot!("lineage_120x40", masked(render(&mut app, 120, 40)));
    insta::assert_snapshot!("lineage_80x24", masked(render(&mut app, 80, 24)));
}

#[test]
fn user_keymap_overrides_apply_to_the_app() {
    let (_d, mut app) = demo_app();
    app.keymap = super::keymap::KeyMap::with_overrides("review = \"R\"\nquit = \"x\"\n").unwrap();
    start_review(&mut app);
    assert!(
        matches!(app.screen, super::app::Screen::Inventory),
        "r is released"
    );
    app.on_key(key(KeyCode::Char('?')));
    let help = render(&mut app, 120, 40);
    assert!(
        help.contains(" R ") && help.contains("review the latest version"),
        "{help}"
    );
    app.on_key(key(KeyCode::Char('z')));
    app.on_key(key(KeyCode::Char('R')));
    app.wait_job();
    assert!(matches!(app.screen, super::app::Screen::Review(_)));
    app.on_key(key(KeyCode::Esc));
    assert_eq!(
        app.on_key(key(KeyCode::Char('q'))),
        Effect::None,
        "q no longer quits"
    );
    assert_eq!(app.on_key(key(KeyCode::Char('x'))), Effect::Quit);
}

#[test]
fn sorting_and_the_portfolio_report_from_the_tui() {
    let (_d, mut app) = demo_app();
    app.on_key(key(KeyCode::Char('O')));
    let tiers: Vec<_> = app
        .rows
        .iter()
        .map(|&i| {
            app.view.models[i]
                .model
                .risk_tier
                .clone()
                .unwrap_or_default()
        })
        .collect();
    let mut sorted = tiers.clone();
    sorted.sort();
    assert_eq!(tiers, sorted, "sorted by tier");
    assert!(render(&mut app, 120, 40).contains("sorted by tier"));
    app.on_key(key(KeyCode::Char('O')));
    let dates: Vec<_> = app
        .rows
        .iter()
        .map(|&i| {
            app.view.models[i]
                .model
                .next_review_date
                .clone()
                .unwrap_or_default()
        })
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "sorted by next review: overdue first");
    app.on_key(key(KeyCode::Char('O')));
    app.on_key(key(KeyCode::Char('O')));
    assert_eq!(
        app.view.models[app.rows[0]].model.name, "aml-narrative-writer",
        "back to name order"
    );
    // The detail pane shows the rubric's tier and the latest version's metrics.
    let screen = render(&mut app, 120, 60);
    assert!(
        screen.contains("rubric") && screen.contains("groundedness"),
        "{screen}"
    );
    // P writes the portfolio report.
    app.ws.data_dir = tempfile::tempdir().unwrap().keep();
    app.on_key(key(KeyCode::Char('P')));
    app.wait_job();
    assert!(
        app.status.starts_with("portfolio report written to "),
        "{}",
        app.status
    );
    let path = app
        .status
        .trim_start_matches("portfolio report written to ");
    assert!(std::fs::read(path).unwrap().starts_with(b"%PDF"));
}

#[test]
fn verify_from_the_detail_pane_shows_every_reason() {
    let (dir, mut app) = demo_app();
    countersign_core::demo::generate_keys(dir.path()).unwrap();
    pin_trust(dir.path(), &mut app);
    select(&mut app, "churn-propensity");
    // No approval yet: the gate fails and says why.
    app.on_key(key(KeyCode::Char('V')));
    assert!(
        app.status
            .starts_with("verifying models:/churn-propensity/2"),
        "{}",
        app.status
    );
    // Keys keep working while it runs; Esc would cancel it.
    app.on_key(key(KeyCode::Char('V')));
    assert!(app.status.starts_with("busy: verifying"), "{}", app.status);
    app.wait_job();
    assert!(app.status.contains("gate FAIL"), "{}", app.status);
    let ver = app
        .detail
        .as_ref()
        .and_then(|d| d.verification.as_ref())
        .expect("verification kept for the detail pane");
    assert!(
        ver.gate
            .reasons
            .iter()
            .any(|r| r.contains("tier 3 needs a validator approval")),
        "{:?}",
        ver.gate.reasons
    );
    let screen = render(&mut app, 120, 120);
    assert!(
        screen.contains("Verified models:/churn-propensity/2:")
            && screen.contains("gate: tier 3 needs a validator"),
        "{screen}"
    );
}

#[test]
fn platform_control_characters_never_reach_the_terminal() {
    use ratatui::widgets::{Paragraph, Widget};
    let hostile = "name\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{202e}evil\u{9b}x\r\n  COUNTS fake";
    let area = ratatui::layout::Rect::new(0, 0, 60, 3);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    Paragraph::new(hostile).render(area, &mut buf);
    assert!(
        buf.content.iter().any(|c| c
            .symbol()
            .chars()
            .any(countersign_core::display::is_unsafe_char)),
        "ratatui passes control characters through (this test would prove nothing otherwise)"
    );
    ui::neutralize_controls(&mut buf);
    for c in &buf.content {
        assert!(
            !c.symbol()
                .chars()
                .any(countersign_core::display::is_unsafe_char),
            "{:?} reached the terminal",
            c.symbol()
        );
    }
    let text: String = buf.content.iter().map(|c| c.symbol()).collect();
    assert!(
        text.contains("]52;c;aGk="),
        "the rest stays visible: {text}"
    );
    assert!(text.contains('\u{FFFD}'), "the removal is visible: {text}");
}

#[test]
fn core_log_lines_show_in_the_footer_not_on_the_terminal() {
    let (_dir, mut app) = demo_app();
    super::logline::install();
    // What core logs while it retries a slow platform, with a hostile control sequence.
    log::info!(target: "countersign_core::platform::mlflow::http", "GET http://h/x: timed out \x1b[2J — retrying in 500 ms (attempt 1 of 4)");
    log::debug!(target: "countersign_core::platform::mlflow::http", "a debug line stays out");
    app.log_line = super::logline::take();
    assert_eq!(super::logline::take(), None, "a line is shown once");
    let screen = render(&mut app, 160, 40);
    assert!(
        screen.contains("retrying in 500 ms (attempt 1 of 4)"),
        "{screen}"
    );
    assert!(
        !screen.contains('\x1b'),
        "control characters are made visible"
    );
    assert!(!screen.contains("a debug line"), "{screen}");
}

#[test]
fn n_starts_a_new_review_that_supersedes_the_open_one() {
    let (_d, mut app) = demo_app();
    select(&mut app, "churn-propensity");
    start_review(&mut app);
    let first = match &app.screen {
        super::app::Screen::Review(r) => r.review.header.id.clone(),
        _ => panic!("review screen not open"),
    };
    // N asks first; anything but y keeps the review.
    app.on_key(key(KeyCode::Char('N')));
    assert!(render(&mut app, 120, 40).contains("superseding"));
    app.on_key(key(KeyCode::Char('n')));
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen")
    };
    assert_eq!(r.review.header.id, first);
    app.on_key(key(KeyCode::Char('N')));
    app.on_key(key(KeyCode::Char('y')));
    app.wait_job();
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen")
    };
    assert_ne!(r.review.header.id, first);
    assert_eq!(r.review.header.supersedes.as_deref(), Some(first.as_str()));
    // Both are kept; r reopens the new one.
    let list = app
        .ws
        .review_list("models:/churn-propensity/2")
        .expect("list");
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0].superseded_by.as_deref(),
        Some(r.review.header.id.as_str())
    );
}

#[test]
fn signing_while_busy_keeps_the_form_and_says_why() {
    let (dir, mut app) = demo_app();
    countersign_core::demo::generate_keys(dir.path()).unwrap();
    select(&mut app, "churn-propensity");
    app.on_key(key(KeyCode::Char('S')));
    if let super::app::Screen::Sign(form) = &mut app.screen {
        form.key = "/nonexistent/key".into();
        form.passphrase = "typed-secret".into();
    }
    app.syncing = true;
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Char('y')));
    let super::app::Screen::Sign(form) = &app.screen else {
        panic!("sign screen")
    };
    assert!(!form.signing, "nothing is waiting");
    assert_eq!(
        form.passphrase, "typed-secret",
        "nothing the user typed is lost"
    );
    assert!(
        !format!("{form:?}").contains("typed-secret"),
        "Debug hides it"
    );
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("busy: a sync is running"), "{screen}");
}

#[test]
fn a_on_the_queue_assigns_the_version_after_asking_who_acts_and_keeps_a_refused_name() {
    let (dir, mut app) = demo_app();
    app.on_key(key(KeyCode::Char('Q')));
    app.wait_job();
    let super::app::Screen::Queue(q) = &app.screen else {
        panic!("queue screen not open")
    };
    let item = q.visible()[0].clone();
    let (name, version) = (item.name.clone(), item.version.clone());
    // The builder of every demo version is refused; the name stays to be corrected.
    app.on_key(key(KeyCode::Char('a')));
    for c in countersign_core::demo::DEMO_BUILDER.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    // Nobody is configured: the app asks who acts, then sends.
    assert!(app.identity_prompt.is_some(), "who acts is asked first");
    for c in "vera.validator@demo.bank".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("not assigned:") && screen.contains("builder"),
        "{screen}"
    );
    let super::app::Screen::Queue(q) = &mut app.screen else {
        panic!("queue screen")
    };
    let form = q.assign.as_ref().expect("the form stays open");
    assert_eq!(form.to, countersign_core::demo::DEMO_BUILDER);
    // Corrected: assigned, on the platform, and the row names the assignee.
    for _ in 0..countersign_core::demo::DEMO_BUILDER.len() {
        app.on_key(key(KeyCode::Backspace));
    }
    for c in "victor.validator@demo.bank".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("assigned models:/"), "{screen}");
    let super::app::Screen::Queue(q) = &app.screen else {
        panic!("queue screen")
    };
    assert!(q.assign.is_none());
    let row = q
        .queue
        .items
        .iter()
        .find(|i| i.name == name && i.version == version)
        .expect("the row");
    assert!(
        row.assignments
            .iter()
            .any(|a| a.to == "victor.validator@demo.bank" && a.by == "vera.validator@demo.bank"),
        "{row:?}"
    );
    let files = std::fs::read_dir(
        dir.path()
            .join("reviews")
            .join(&name)
            .join(&version)
            .join("assignments"),
    )
    .expect("assignments written beside the reviews")
    .count();
    assert_eq!(files, 1);
}

#[test]
fn q_opens_the_review_queue_and_enter_reviews_that_very_version() {
    let (_d, mut app) = demo_app();
    app.on_key(key(KeyCode::Char('Q')));
    assert!(app.job.is_some(), "the queue is judged in the background");
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("Review queue"), "{screen}");
    assert!(
        screen.contains("judged from the local ledger"),
        "no root pinned: the queue says how it judged: {screen}"
    );
    insta::assert_snapshot!("queue_120x40", masked(screen));
    let super::app::Screen::Queue(q) = &app.screen else {
        panic!("queue screen not open")
    };
    // The items are the workspace's queue, most urgent first.
    let want = app
        .ws
        .queue(&Default::default(), TODAY)
        .expect("queue")
        .items;
    assert_eq!(q.queue.items, want);
    assert!(!want.is_empty());
    let dues: Vec<_> = want.iter().map(|i| i.due.clone()).collect();
    let mut sorted = dues.clone();
    sorted.sort_by_key(|d| (d.is_none(), d.clone()));
    assert_eq!(dues, sorted);
    // No identity: `m` says how to set one instead of showing an empty list.
    app.on_key(key(KeyCode::Char('m')));
    assert!(render(&mut app, 120, 40).contains("no identity is configured"));
    // Enter opens the review of the selected item's own version, which need not be the latest.
    app.on_key(key(KeyCode::Down));
    let super::app::Screen::Queue(q) = &app.screen else {
        panic!("queue screen")
    };
    let item = q.visible()[1].clone();
    app.on_key(key(KeyCode::Enter));
    app.wait_job();
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen not open: {}", app.status)
    };
    assert_eq!(r.version, item.version_ref);
}

/// Looking is not starting: `r` on a version nobody reviewed shows its checklist as a preview
/// (no review saved, the model's status unchanged, answer keys refused), and the first key
/// that would record (`S`, start) asks who acts — refusing a look-alike identity with the
/// text kept —, saves the answer in the config file and goes on with that key.
#[test]
fn looking_is_not_starting_and_the_first_record_asks_who_you_are() {
    let (d, mut app) = demo_app();
    let v = "models:/mortgage-lgd/4";
    select(&mut app, "mortgage-lgd");
    let before = app.statuses.get("mortgage-lgd").cloned();
    app.on_key(key(KeyCode::Char('r')));
    app.wait_job();
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("PREVIEW — nothing is saved"), "{screen}");
    assert!(screen.contains("identity not set"), "{screen}");
    assert!(app.ws.review_list(v).expect("list").is_empty());
    app.on_key(key(KeyCode::Char('p')));
    assert!(app.identity_prompt.is_none());
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen")
    };
    assert!(r.editor.is_none());
    assert!(r
        .message
        .as_deref()
        .is_some_and(|m| m.contains("this is a preview")));
    // Leaving the preview leaves nothing behind.
    app.on_key(key(KeyCode::Esc));
    app.reload().expect("reload");
    assert_eq!(app.statuses.get("mortgage-lgd").cloned(), before);
    assert!(app.ws.review_list(v).expect("list").is_empty());

    // Esc on the question records nothing.
    app.on_key(key(KeyCode::Char('r')));
    app.wait_job();
    app.on_key(key(KeyCode::Char('S')));
    assert!(render(&mut app, 120, 40).contains("Who are you?"));
    app.on_key(key(KeyCode::Esc));
    assert!(app.identity_prompt.is_none() && app.job.is_none());
    assert!(app.ws.review_list(v).expect("list").is_empty());

    // A look-alike (Cyrillic е among Latin letters) is refused and the text kept.
    app.on_key(key(KeyCode::Char('S')));
    app.identity_prompt.as_mut().expect("prompt").text.clear();
    for c in "v\u{0435}ra@demo.bank".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    let p = app.identity_prompt.as_ref().expect("still asking");
    assert_eq!(p.text, "v\u{0435}ra@demo.bank");
    assert!(
        p.error.as_deref().is_some_and(|e| e.contains("scripts")),
        "{p:?}"
    );
    for _ in 0..p.text.chars().count() {
        app.on_key(key(KeyCode::Backspace));
    }
    for c in "vera.validator@demo.bank".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    assert!(app.identity_prompt.is_none());
    // The replayed S asks before starting; any key but y keeps the preview.
    assert!(render(&mut app, 120, 40).contains("It is recorded as yours"));
    app.on_key(key(KeyCode::Char('x')));
    assert!(app.job.is_none() && app.ws.review_list(v).expect("list").is_empty());
    app.on_key(key(KeyCode::Char('S')));
    app.on_key(key(KeyCode::Char('y')));
    app.wait_job();
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen")
    };
    assert!(!r.preview);
    assert_eq!(
        r.review.header.reviewer.as_deref(),
        Some("vera.validator@demo.bank")
    );
    let config = std::fs::read_to_string(d.path().join("config/countersign/config.toml"))
        .expect("config saved");
    assert_eq!(config, "identity = \"vera.validator@demo.bank\"\n");
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("as vera.validator@demo.bank"), "{screen}");
    // From now on answers carry her name.
    app.on_key(key(KeyCode::Char('p')));
    for c in "looked at it".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(ctrl('s'));
    let page = app.ws.review_show(v).expect("review");
    assert!(page
        .review
        .answers
        .values()
        .all(|a| a.answered_by.as_deref() == Some("vera.validator@demo.bank")));
    assert_eq!(page.review.answers.len(), 1);
}

/// The detail pane's version picker: `[` picks an older version, which the detail shows and
/// review acts on (not the latest); `]` comes back; another model starts at its latest again.
#[test]
fn the_version_picker_makes_review_act_on_an_older_version() {
    let (_d, mut app) = demo_app();
    select(&mut app, "aml-transaction-monitoring");
    assert_eq!(
        app.selected_version().map(|v| v.version).as_deref(),
        Some("3")
    );
    app.on_key(key(KeyCode::Char('[')));
    assert_eq!(
        app.selected_version().map(|v| v.version).as_deref(),
        Some("2")
    );
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("▶ v2"), "{screen}");
    assert!(
        app.status.contains("models:/aml-transaction-monitoring/2"),
        "{}",
        app.status
    );
    assert_eq!(
        app.detail
            .as_ref()
            .and_then(|d| d.lineage.as_ref())
            .map(|l| l.version.as_str()),
        Some("models:/aml-transaction-monitoring/2")
    );
    // Past the oldest it stays there; `]` goes back towards the latest.
    for _ in 0..5 {
        app.on_key(key(KeyCode::Char('[')));
    }
    assert_eq!(
        app.selected_version().map(|v| v.version).as_deref(),
        Some("1")
    );
    app.on_key(key(KeyCode::Char(']')));
    assert_eq!(
        app.selected_version().map(|v| v.version).as_deref(),
        Some("2")
    );
    app.on_key(key(KeyCode::Char('r')));
    app.wait_job();
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen: {}", app.status)
    };
    assert_eq!(r.version, "models:/aml-transaction-monitoring/2");
    app.on_key(key(KeyCode::Esc));
    // Another model: its latest again.
    app.on_key(key(KeyCode::Esc));
    app.search.clear();
    select(&mut app, "ccr-pfe-simulation");
    let v = app.selected_version().expect("a version");
    assert_eq!(v.name, "ccr-pfe-simulation");
    assert_eq!(
        Some(v.version),
        app.selected_model().and_then(|m| m.latest_version.clone())
    );
}

#[test]
fn the_validation_report_is_written_from_the_review_screen() {
    use countersign_core::review::report::Section;
    // Every tier requires the same four sections.
    let text: String = countersign_core::policy::LoadedPolicy::default_policy()
        .expect("policy")
        .text
        .lines()
        .map(|l| {
            if l.starts_with("report_required =") {
                "report_required = [\"executive_summary\", \"scope\", \"rating\", \"conclusion\"]\n"
                    .to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let policy = countersign_core::policy::LoadedPolicy::from_text(&text, None).expect("policy");
    let (_d, mut app) = demo_app_with(policy);
    select(&mut app, "mortgage-lgd");
    start_review(&mut app);
    let review = |app: &App| match &app.screen {
        super::app::Screen::Review(r) => (
            r.review.report.clone(),
            r.editor.is_some(),
            r.message.clone(),
            r.status.blockers.clone(),
        ),
        _ => panic!("review screen"),
    };
    assert!(
        review(&app)
            .3
            .iter()
            .any(|b| b.contains("the validation report lacks sections")),
        "{:?}",
        review(&app).3
    );
    app.on_key(key(KeyCode::Char('w')));
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("validation report") && screen.contains("Executive summary: REQUIRED"),
        "{screen}"
    );
    app.on_key(key(KeyCode::Enter));
    assert!(render(&mut app, 120, 40).contains("Executive summary — Ctrl-S saves"));
    for c in "Fit for purpose.".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    for c in "Two findings.".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(ctrl('s'));
    let (report, editing, message, _) = review(&app);
    assert!(!editing, "{message:?}");
    let s = &report[&Section::ExecutiveSummary];
    assert_eq!(s.text, "Fit for purpose.\nTwo findings.");
    assert_eq!(s.written_by.as_deref(), Some("vera.validator@demo.bank"));
    // The picker starts at the next required section; a rating off the scale is refused and
    // what was typed stays in the editor.
    app.on_key(key(KeyCode::Char('w')));
    app.on_key(key(KeyCode::Char('j')));
    app.on_key(key(KeyCode::Enter));
    for c in "excellent".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(ctrl('s'));
    let (report, editing, message, _) = review(&app);
    assert!(editing && !report.contains_key(&Section::Rating));
    assert!(
        message.as_deref().unwrap_or("").contains("is not a rating"),
        "{message:?}"
    );
    assert!(render(&mut app, 120, 40).contains("> excellent"));
    for _ in 0.."excellent".len() {
        app.on_key(key(KeyCode::Backspace));
    }
    for c in "satisfactory".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(ctrl('s'));
    let (report, editing, message, _) = review(&app);
    assert!(!editing, "{message:?}");
    assert_eq!(report[&Section::Rating].text, "satisfactory");
    // Esc closes the picker without writing anything.
    app.on_key(key(KeyCode::Char('w')));
    app.on_key(key(KeyCode::Esc));
    assert!(
        matches!(&app.screen, super::app::Screen::Review(r) if r.report_pick.is_none() && r.editor.is_none())
    );
}

#[test]
fn every_screen_shows_its_own_keys_in_the_footer_help_and_palette() {
    let (_d, mut app) = demo_app();
    select(&mut app, "mortgage-lgd");
    // The inventory's palette runs an action chosen by name.
    app.on_key(key(KeyCode::Char(':')));
    for c in "dashboard".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Commands") && screen.contains("portfolio dashboard"),
        "{screen}"
    );
    app.on_key(key(KeyCode::Enter));
    assert!(matches!(app.screen, super::app::Screen::Dashboard(_)));
    app.on_key(key(KeyCode::Esc));
    assert!(matches!(app.screen, super::app::Screen::Inventory));

    // The review screen: its keys in the footer, not the inventory's.
    start_review(&mut app);
    let screen = render(&mut app, 120, 40);
    let footer = screen.lines().last().expect("footer").to_string();
    assert!(
        footer.contains("p pass") && footer.contains("Esc back") && footer.contains("? help"),
        "{footer}"
    );
    assert!(!footer.contains("search"), "the inventory's keys: {footer}");
    // `?` lists every key of the review screen; at 80×24 it scrolls and stops at the end.
    app.on_key(key(KeyCode::Char('?')));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("raise a finding on the item"), "{screen}");
    for _ in 0..50 {
        app.on_key(key(KeyCode::Char('j')));
    }
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("back to the inventory") && screen.contains("Mouse: click"),
        "scrolled to the end: {screen}"
    );
    let at_end = app.help_scroll;
    app.on_key(key(KeyCode::Char('j')));
    render(&mut app, 80, 24);
    assert_eq!(app.help_scroll, at_end, "scrolling stops at the end");
    app.on_key(key(KeyCode::Esc));
    assert!(!app.show_help);
    assert!(
        matches!(app.screen, super::app::Screen::Review(_)),
        "Esc closed the help, not the screen"
    );
    // `:` filters the screen's commands; Enter runs the chosen one (the report picker).
    app.on_key(key(KeyCode::Char(':')));
    for c in "nothing like this".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    assert!(render(&mut app, 120, 40).contains("no command matches"));
    for _ in 0.."nothing like this".len() {
        app.on_key(key(KeyCode::Backspace));
    }
    for c in "validation report".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen")
    };
    assert!(
        r.report_pick.is_some(),
        "the palette opened the report picker"
    );
    // While a section is being picked or written, `?` and `:` are text, not commands.
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Char('?')));
    app.on_key(key(KeyCode::Char(':')));
    assert!(!app.show_help && app.palette.is_none());
    let super::app::Screen::Review(r) = &app.screen else {
        panic!("review screen")
    };
    assert!(r.editor.as_ref().is_some_and(|e| e.text.ends_with("?:")));
}

#[test]
fn keys_mean_the_same_in_the_tui_and_the_desktop() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join("docs/keys.md")).expect("docs/keys.md");
    let ts = std::fs::read_to_string(root.join("ui/src/logic/keys.ts")).expect("keys.ts");
    // The desktop's shortcuts: `  "r": "review",` lines.
    let desktop: std::collections::BTreeMap<String, String> = ts
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_suffix(',')?;
            let (k, v) = l.split_once(": ")?;
            Some((
                k.trim_matches('"').to_string(),
                v.trim_matches('"').to_string(),
            ))
        })
        .collect();
    assert!(desktop.len() >= 10, "{desktop:?}");
    let ticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let keymap = super::keymap::KeyMap::default();
    let mut documented = std::collections::BTreeSet::new();
    for row in doc
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("| `"))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (names, tui, desk) = (ticked(cells[2]), ticked(cells[3]), ticked(cells[4]));
        for (i, name) in names.iter().enumerate() {
            if let Some(key) = tui.get(i) {
                let bound = keymap
                    .keys_named(name)
                    .unwrap_or_else(|| panic!("docs/keys.md: no TUI action {name}"));
                assert!(
                    bound.contains(&key.as_str()),
                    "TUI {name}: {bound:?}, doc {key}"
                );
            }
            if let Some(key) = desk
                .get(i)
                .or(if names.len() == 1 { desk.first() } else { None })
            {
                assert_eq!(
                    desktop.get(key).map(String::as_str),
                    Some(name.as_str()),
                    "desktop key {key}"
                );
                documented.insert(key.clone());
            }
        }
    }
    let shortcuts: std::collections::BTreeSet<String> = desktop.keys().cloned().collect();
    assert_eq!(
        documented, shortcuts,
        "every desktop shortcut is in docs/keys.md"
    );
}
