//! The terminal UI: state ([`app`]), keys ([`keymap`]), rendering ([`ui`]) and the event loop
//! here. It starts from the local store and draws before any network call; a sync runs on a
//! background thread and reports progress to the status bar.

pub mod app;
pub mod commands;
pub mod jobs;
pub mod keymap;
mod logline;
pub mod screens;
pub mod theme;
pub mod ui;

#[cfg(test)]
mod tests;

use app::{App, Effect};
use countersign_core::platform::Progress;
use countersign_core::sync::SyncReport;
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::prelude::CrosstermBackend;
use ratatui::Terminal;
use std::sync::mpsc;
use std::time::Duration;

enum SyncMsg {
    Progress(Progress),
    Done(Result<SyncReport, String>),
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(std::io::stdout(), LeaveAlternateScreen, DisableMouseCapture);
}

/// Runs the UI until the user quits.
pub fn run(ws: countersign_core::workspace::Workspace, today: String) -> anyhow::Result<()> {
    logline::install();
    let mut app = App::new(ws, today)?;
    let (keys, warning) = keymap::KeyMap::load();
    app.keymap = keys;
    if let Some(w) = warning {
        app.status = w;
    }
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        hook(info);
    }));
    enable_raw_mode()?;
    execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    let result = event_loop(&mut terminal, &mut app);
    restore_terminal();
    let _ = terminal.show_cursor();
    result
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<std::io::Stdout>>,
    app: &mut App,
) -> anyhow::Result<()> {
    let mut sync_rx: Option<mpsc::Receiver<SyncMsg>> = None;
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| ui::draw(f, app))?;
            dirty = false;
        }
        // Wait for input, but wake regularly to pick up background sync messages.
        if event::poll(Duration::from_millis(100))? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => match app.on_key(k) {
                    Effect::Quit => return Ok(()),
                    Effect::StartSync => sync_rx = Some(start_sync(app)),
                    Effect::None => {}
                },
                Event::Mouse(m) => app.on_mouse(m),
                Event::Resize(..) => {}
                _ => continue,
            }
            dirty = true;
        }
        if app.poll_job() {
            dirty = true;
        }
        // Core's log lines while a job or a sync runs (an abandoned job's retries are not).
        if let Some(line) = logline::take() {
            if app.job.is_some() || app.syncing {
                app.log_line = Some(line);
                dirty = true;
            }
        }
        if let Some(rx) = &sync_rx {
            while let Ok(msg) = rx.try_recv() {
                dirty = true;
                match msg {
                    SyncMsg::Progress(p) => {
                        app.status = format!("Syncing — {}", p.message);
                    }
                    SyncMsg::Done(r) => {
                        app.syncing = false;
                        app.log_line = None;
                        app.status = match r {
                            Ok(rep) => format!(
                                "synced: +{} ~{} -{} versions, {} runs fetched",
                                rep.changes.versions_added,
                                rep.changes.versions_updated,
                                rep.changes.versions_removed,
                                rep.runs_fetched
                            ),
                            Err(e) => format!("sync failed: {e}"),
                        };
                        if let Err(e) = app.reload() {
                            app.status = format!("sync failed: {e}");
                        }
                    }
                }
            }
        }
    }
}

/// Starts a sync on a background thread, on a workspace of its own (its own store connection).
fn start_sync(app: &mut App) -> mpsc::Receiver<SyncMsg> {
    let (tx, rx) = mpsc::channel();
    app.syncing = true;
    app.status = "syncing…".into();
    let source = app.ws.source();
    std::thread::spawn(move || {
        let result = source.open().and_then(|mut ws| {
            let tx2 = tx.clone();
            let mut progress = move |p: Progress| {
                let _ = tx2.send(SyncMsg::Progress(p));
            };
            ws.sync(false, &mut progress)
        });
        let _ = tx.send(SyncMsg::Done(result.map_err(|e| e.to_string())));
    });
    rx
}
