//! Screen snapshots (ratatui `TestBackend` + insta) and key-driven state tests on the demo.

use super::app::{App, Effect};
use super::ui;
use countersign_core::platform::folder::FolderPlatform;
use countersign_core::store::Store;
use countersign_core::sync::{self, SyncOptions};
use countersign_core::uri::PlatformUri;
use countersign_core::workspace::Session;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const TODAY: &str = "2026-11-25";

fn demo_app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    countersign_core::demo::generate(dir.path(), TODAY).expect("demo");
    let platform = FolderPlatform::new(dir.path().to_path_buf(), Default::default());
    let mut store = Store::in_memory().expect("store");
    sync::sync(&platform, &mut store, SyncOptions::default(), &mut |_| {}).expect("sync");
    let uri = PlatformUri::Folder(dir.path().to_path_buf());
    let key = uri.display_safe();
    let app = App::new(
        Session {
            store,
            platform: uri,
            key,
        },
        TODAY.into(),
    )
    .expect("app");
    (dir, app)
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
    assert!(s.contains("Help — any key closes"), "{s}");
    assert!(s.contains("sync with the platform"), "{s}");
    app.on_key(key(KeyCode::Char('x')));
    assert!(!render(&mut app, 120, 40).contains("Help — any key closes"));
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
