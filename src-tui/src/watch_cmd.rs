//! `countersign watch`: the webhook listener (core checks and applies each delivery).
//!
//! Each connection is read on a thread of its own (at most [`MAX_CONNECTIONS`] at once, each
//! within [`REQUEST_DEADLINE`]), its delivery checked there and answered at once; only
//! accepted events reach the main loop, through a bounded queue, where the versions they name
//! are read again (events naming no version share one sync).

use crate::cli::WatchArgs;
use crate::output::UsageError;
use anyhow::{Context, Result};
use countersign_core::watch::{self, Event, ReplayGuard};
use countersign_core::workspace::Workspace;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Connections read at once; more are answered 503 (MLflow retries).
const MAX_CONNECTIONS: usize = 32;
/// The longest a connection may take to send its request.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// Accepted events waiting for the main loop; past it, deliveries are answered 503.
const QUEUE: usize = 256;

fn line(json: bool, value: serde_json::Value, text: String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", countersign_core::display::escape(&text));
    }
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// `watch --register URL` or `watch --listen ADDR`.
pub(crate) fn watch(mut ws: Workspace, a: WatchArgs) -> Result<()> {
    if let Some(url) = &a.register {
        let (id, path) = ws.watch_register(url)?;
        let shown = countersign_core::uri::redact_url_str(url);
        if matches!(
            ws.webhook_secret_origin(),
            countersign_core::config::Origin::Env(_)
        ) {
            eprintln!("warning: COUNTERSIGN_WEBHOOK_SECRET is set and overrides the secret just saved: unset it, or `watch --listen` refuses every delivery");
        }
        line(
            a.json,
            serde_json::json!({"schema": "countersign.watch/v1", "registered": id, "url": shown, "config": path}),
            format!(
                "Registered webhook {id} on {} delivering to {shown}; its secret is saved in {} (readable by you only). Now run: countersign watch --listen HOST:PORT",
                ws.info().platform,
                path.display()
            ),
        );
        return Ok(());
    }
    let addr = a.listen.clone().unwrap_or_default();
    let secret = match ws.webhook_secret() {
        Some(s) if s.len() >= watch::MIN_SECRET_LEN => s,
        Some(_) => {
            return Err(UsageError(format!(
                "the webhook secret is shorter than {} characters, which makes deliveries forgeable: run `countersign watch --register URL` for a new one",
                watch::MIN_SECRET_LEN
            ))
            .into())
        }
        None => {
            return Err(UsageError(
                "no webhook secret: run `countersign watch --register URL` first (it saves one in the config file), or set COUNTERSIGN_WEBHOOK_SECRET to the secret the webhook was made with".into(),
            )
            .into())
        }
    };
    let listener = TcpListener::bind(&addr).map_err(|e| {
        UsageError(format!(
            "cannot listen on {addr}: {e} (give a free HOST:PORT, e.g. 127.0.0.1:8765)"
        ))
    })?;
    let bound = listener.local_addr().context("the listening address")?;
    let first = ws.sync(false, &mut |_| {})?;
    let (tx, rx) = mpsc::sync_channel::<Event>(QUEUE);
    let shared = Arc::new(Shared {
        secret,
        json: a.json,
        guard: Mutex::new(ReplayGuard::default()),
        open: AtomicUsize::new(0),
    });
    let s = shared.clone();
    std::thread::spawn(move || accept_loop(&listener, &s, &tx));
    let interval = (a.interval > 0).then(|| Duration::from_secs(a.interval));
    line(
        a.json,
        serde_json::json!({"schema": "countersign.watch/v1", "listening": bound.to_string(), "platform": first.platform, "interval_s": a.interval}),
        format!(
            "Listening on {bound} for MLflow webhooks from {}. MLflow sends no events for runs, deletions or traces: {}",
            first.platform,
            match interval {
                Some(i) => format!("a sync runs every {} s for those.", i.as_secs()),
                None => "no interval sync (--interval 0): run `countersign sync` for those.".into(),
            }
        ),
    );
    let mut next = interval.map(|i| Instant::now() + i);
    loop {
        let got = match next {
            Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match got {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                match ws.sync(false, &mut |_| {}) {
                    Ok(r) => line(
                        a.json,
                        serde_json::json!({"schema": "countersign.watch/v1", "interval_sync": {"versions": r.versions, "runs_fetched": r.runs_fetched, "runs_reread": r.runs_reread}}),
                        format!(
                            "interval sync: {} versions held, {} runs fetched",
                            r.versions, r.runs_fetched
                        ),
                    ),
                    Err(e) => line(
                        a.json,
                        serde_json::json!({"schema": "countersign.watch/v1", "interval_sync_error": e.to_string()}),
                        format!(
                            "interval sync failed: {e} (tried again in {} s)",
                            a.interval
                        ),
                    ),
                }
                next = interval.map(|i| Instant::now() + i);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                anyhow::bail!("the listener on {bound} stopped")
            }
            Ok(ev) => {
                // Everything queued meanwhile, at once: events naming no version share one
                // sync, so a burst of them (or an insider's loop of tag writes) costs one.
                let mut batch = vec![ev];
                batch.extend(rx.try_iter());
                let mut synced_inventory = false;
                for ev in batch {
                    if ev.version.is_none() && synced_inventory {
                        line(
                            a.json,
                            serde_json::json!({"schema": "countersign.watch/v1", "applied": {"delivery": ev.delivery, "event": ev.event, "name": ev.name, "synced": "inventory (with the one before)"}}),
                            format!(
                                "{} {}: read with the sync before",
                                ev.event,
                                ev.name.clone().unwrap_or_default()
                            ),
                        );
                        continue;
                    }
                    apply(&mut ws, &ev, a.json);
                    synced_inventory |= ev.version.is_none();
                }
            }
        }
    }
}

/// Applies one accepted event and prints what it did.
fn apply(ws: &mut Workspace, ev: &Event, json: bool) {
    match ws.watch_event(ev, &today()) {
        Ok(r) => {
            let text = format!(
                "{} {}{}: read {}; became stale: {}; entered the queue: {}",
                r.event,
                r.name.clone().unwrap_or_default(),
                r.version
                    .as_ref()
                    .map(|v| format!("/{v}"))
                    .unwrap_or_default(),
                r.synced,
                if r.became_stale.is_empty() {
                    "none".into()
                } else {
                    r.became_stale.join(", ")
                },
                if r.entered_queue.is_empty() {
                    "none".into()
                } else {
                    r.entered_queue.join("; ")
                },
            );
            line(
                json,
                serde_json::json!({"schema": "countersign.watch/v1", "applied": r}),
                text,
            );
        }
        Err(e) => line(
            json,
            serde_json::json!({"schema": "countersign.watch/v1", "error": {"delivery": ev.delivery, "event": ev.event, "reason": e.to_string()}}),
            format!(
                "{} could not be applied: {e} (the next sync reads it)",
                ev.event
            ),
        ),
    }
}

/// What every connection thread checks with.
struct Shared {
    secret: String,
    json: bool,
    guard: Mutex<ReplayGuard>,
    open: AtomicUsize,
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, tx: &mpsc::SyncSender<Event>) {
    for conn in listener.incoming() {
        let mut stream = match conn {
            Ok(s) => s,
            Err(e) => {
                // Out of file descriptors, say: back off instead of spinning.
                log::warn!("accepting a connection failed: {e}");
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
        };
        if shared.open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.open.fetch_sub(1, Ordering::SeqCst);
            watch::respond(&mut stream, 503, "too many connections; try again");
            continue;
        }
        let (s, tx) = (shared.clone(), tx.clone());
        let spawned = std::thread::Builder::new()
            .name("watch-connection".into())
            .spawn(move || {
                serve(stream, &s, &tx);
                s.open.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            shared.open.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A connection read within one deadline for the whole request (not per read).
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Instant,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request took too long",
            ));
        }
        self.stream.set_read_timeout(Some(left))?;
        (&*self.stream).read(buf)
    }
}

/// Reads one request, checks its delivery, answers, and queues an accepted event.
fn serve(mut stream: TcpStream, shared: &Shared, tx: &mpsc::SyncSender<Event>) {
    let req = {
        let mut r = Deadline {
            stream: &stream,
            until: Instant::now() + REQUEST_DEADLINE,
        };
        watch::read_request(&mut r)
    };
    let req = match req {
        Ok(r) => r,
        Err((status, why)) => return watch::respond(&mut stream, status, &why),
    };
    if req.method != "POST" {
        return watch::respond(&mut stream, 405, "POST webhook deliveries here");
    }
    let d = watch::delivery(&req.headers, req.body);
    let checked = {
        let mut g = shared.guard.lock().unwrap_or_else(|e| e.into_inner());
        watch::check(&shared.secret, &d, chrono::Utc::now().timestamp(), &mut g)
    };
    match checked {
        Err(refusal) => {
            watch::respond(&mut stream, refusal.status(), &refusal.to_string());
            line(
                shared.json,
                serde_json::json!({"schema": "countersign.watch/v1", "refused": {"delivery": d.id, "status": refusal.status(), "reason": refusal.to_string()}}),
                format!(
                    "refused delivery {:?} (HTTP {}): {refusal}",
                    d.id,
                    refusal.status()
                ),
            );
        }
        Ok(ev) => match tx.try_send(ev) {
            Ok(()) => watch::respond(&mut stream, 200, "accepted"),
            Err(_) => {
                // Not taken: MLflow retries the same delivery, which must then be accepted.
                shared
                    .guard
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .forget(&d.id);
                watch::respond(&mut stream, 503, "busy; try again");
            }
        },
    }
}
