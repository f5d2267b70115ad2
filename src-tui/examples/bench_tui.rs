//! The terminal UI's benchmark: time to first frame and keystroke-to-frame latency with a
//! large store, rendered into an off-screen buffer of the terminal's usual size. Not a test,
//! and not part of the product binary:
//! `cargo run --release -p countersign --example bench_tui -- [MODELS] [VERSIONS]`.

// A synthetic store of its own, built below the workspace on purpose (src-tui/clippy.toml).
#![allow(clippy::disallowed_methods)]

use countersign_cli::tui::app::App;
use countersign_cli::tui::ui;
use countersign_core::model::{Model, ModelKind, Version};
use countersign_core::platform::Snapshot;
use countersign_core::session::Session;
use countersign_core::store::Store;
use countersign_core::uri::PlatformUri;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let models = args.next().transpose()?.unwrap_or(10_000);
    let versions = args.next().transpose()?.unwrap_or(10);
    run(models, versions)
}

/// Runs the benchmark and prints the figures.
fn run(models: usize, versions: usize) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let path = dir.join("countersign.db");
    {
        let mut store = Store::open(&path)?;
        let snap = Snapshot {
            models: (0..models)
                .map(|i| {
                    let mut m = Model {
                        name: format!("model-{i:05}"),
                        kind: if i % 10 == 0 {
                            ModelKind::Prompt
                        } else {
                            ModelKind::Classic
                        },
                        description: String::new(),
                        owner: None,
                        business_purpose: None,
                        risk_tier: None,
                        next_review_date: None,
                        monitoring: None,
                        llm_provider: None,
                        created_ms: 0,
                        updated_ms: 0,
                        tags: [
                            ("owner".to_string(), format!("owner{}@bank.example", i % 97)),
                            ("risk_tier".to_string(), (1 + i % 3).to_string()),
                            ("next_review_date".to_string(), "2027-01-01".to_string()),
                        ]
                        .into(),
                        aliases: Default::default(),
                        stages: Default::default(),
                    };
                    m.apply_tag_names(&Default::default());
                    m
                })
                .collect(),
            versions: (0..models)
                .flat_map(|i| {
                    (1..=versions).map(move |v| Version {
                        name: format!("model-{i:05}"),
                        version: v.to_string(),
                        creator: None,
                        created_ms: 0,
                        updated_ms: 0,
                        source: String::new(),
                        run_id: None,
                        status: "READY".into(),
                        description: String::new(),
                        aliases: vec![],
                        tags: Default::default(),
                        files: vec![],
                        stage: None,
                    })
                })
                .collect(),
            ..Default::default()
        };
        store.apply_snapshot("bench", &snap, "")?;
    }
    let t0 = Instant::now();
    let store = Store::open(&path)?;
    let mut session = Session::from_parts(store, PlatformUri::Folder(dir.clone()));
    session.key = "bench".into();
    let ws = countersign_core::workspace::Workspace::from_session(
        session,
        countersign_core::policy::LoadedPolicy::default_policy()?,
        dir.clone(),
    );
    let mut app = App::new(ws, "2026-11-25".into())?;
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    term.draw(|f| ui::draw(f, &mut app))?;
    let first = t0.elapsed().as_secs_f64() * 1000.0;
    // A scripted session: search, clear, filters, moving.
    let mut keys: Vec<KeyEvent> = vec![KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE)];
    for c in "model-0123".chars() {
        keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    for _ in 0..10 {
        keys.push(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    }
    keys.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    for c in ['t', 't', 'K', 'o', 'o', 'K', 'K', 'K', 't', 't'] {
        keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    for _ in 0..50 {
        keys.push(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
    }
    let mut lat = Vec::new();
    for k in keys {
        let t = Instant::now();
        app.on_key(k);
        term.draw(|f| ui::draw(f, &mut app))?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| lat[((lat.len() - 1) as f64 * q).round() as usize];
    println!("store: {models} models, {} versions", models * versions);
    println!("first frame: {first:.1} ms (open store, load inventory, draw)");
    println!(
        "keystroke to frame over {} keys: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        p(0.5),
        p(0.99),
        lat[lat.len() - 1]
    );
    println!("peak RSS: {:.1} MB", peak_rss_mb());
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("countersign-bench-tui-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}
