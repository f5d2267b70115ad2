//! `countersign watch`: the webhook listener's loop (core checks and applies each delivery).

use crate::cli::WatchArgs;
use crate::output::UsageError;
use anyhow::{Context, Result};
use countersign_core::watch::{self, ReplayGuard};
use countersign_core::workspace::Workspace;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A request the accept thread read, with where to send the answer.
struct Incoming {
    method: String,
    headers: std::collections::BTreeMap<String, String>,
    body: Vec<u8>,
    answer: mpsc::Sender<(u16, String)>,
}

fn line(json: bool, value: serde_json::Value, text: String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", countersign_core::display::escape(&text));
    }
}

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// `watch --register URL` or `watch --listen ADDR`.
pub(crate) fn watch(mut ws: Workspace, a: WatchArgs) -> Result<()> {
    if let Some(url) = &a.register {
        let (id, path) = ws.watch_register(url)?;
        let shown = countersign_core::uri::redact_url_str(url);
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
    let Some(secret) = ws.webhook_secret() else {
        return Err(UsageError(
            "no webhook secret: run `countersign watch --register URL` first (it saves one in the config file), or set COUNTERSIGN_WEBHOOK_SECRET to the secret the webhook was made with".into(),
        )
        .into());
    };
    let listener = TcpListener::bind(&addr).map_err(|e| {
        UsageError(format!(
            "cannot listen on {addr}: {e} (give a free HOST:PORT, e.g. 127.0.0.1:8765)"
        ))
    })?;
    let bound = listener.local_addr().context("the listening address")?;
    let first = ws.sync(false, &mut |_| {})?;
    let (tx, rx) = mpsc::channel::<Incoming>();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut stream) = conn else { continue };
            let tx = tx.clone();
            // One thread per connection: a slow client never holds up the next delivery.
            std::thread::spawn(move || serve(&mut stream, &tx));
        }
    });
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
    let mut guard = ReplayGuard::default();
    let mut next = interval.map(|i| Instant::now() + i);
    loop {
        let got = match next {
            Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match got {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let r = ws.sync(false, &mut |_| {});
                match r {
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
                        format!("interval sync failed: {e}"),
                    ),
                }
                next = interval.map(|i| Instant::now() + i);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                anyhow::bail!("the listener on {bound} stopped")
            }
            Ok(req) => {
                if req.method != "POST" {
                    let _ = req
                        .answer
                        .send((405, "POST webhook deliveries here".into()));
                    continue;
                }
                let d = watch::delivery(&req.headers, req.body);
                match watch::check(&secret, &d, now_s(), &mut guard) {
                    Err(refusal) => {
                        let _ = req.answer.send((refusal.status(), refusal.to_string()));
                        line(
                            a.json,
                            serde_json::json!({"schema": "countersign.watch/v1", "refused": {"delivery": d.id, "status": refusal.status(), "reason": refusal.to_string()}}),
                            format!(
                                "refused delivery {:?} (HTTP {}): {refusal}",
                                d.id,
                                refusal.status()
                            ),
                        );
                    }
                    Ok(ev) => {
                        // Answered before the work: MLflow's delivery does not wait on a sync.
                        let _ = req.answer.send((200, "accepted".into()));
                        match ws.watch_event(&ev, &today()) {
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
                                let mut v = serde_json::to_value(&r).unwrap_or_default();
                                if let Some(o) = v.as_object_mut() {
                                    o.insert("schema".into(), "countersign.watch/v1".into());
                                }
                                line(
                                    a.json,
                                    serde_json::json!({"applied": v, "schema": "countersign.watch/v1"}),
                                    text,
                                );
                            }
                            Err(e) => line(
                                a.json,
                                serde_json::json!({"schema": "countersign.watch/v1", "error": {"delivery": ev.delivery, "event": ev.event, "reason": e.to_string()}}),
                                format!(
                                    "{} could not be applied: {e} (the next sync will read it)",
                                    ev.event
                                ),
                            ),
                        }
                    }
                }
            }
        }
    }
}

/// Reads one request, hands it to the main loop and writes its answer.
fn serve(stream: &mut TcpStream, tx: &mpsc::Sender<Incoming>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    match watch::read_request(stream) {
        Err((status, why)) => watch::respond(stream, status, &why),
        Ok(req) => {
            let (atx, arx) = mpsc::channel();
            if tx
                .send(Incoming {
                    method: req.method,
                    headers: req.headers,
                    body: req.body,
                    answer: atx,
                })
                .is_err()
            {
                watch::respond(stream, 503, "shutting down");
                return;
            }
            let (status, text) = arx.recv().unwrap_or((500, "no answer".into()));
            watch::respond(stream, status, &text);
        }
    }
}
