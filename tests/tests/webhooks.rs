//! `countersign watch` receiving the webhooks a real MLflow 3.17 server fires
//! (tests/mlflow/start-server.sh lets it deliver to loopback over http): each delivery's
//! signature checked, just the version it names read again, and forged, replayed and stale
//! deliveries refused. Runs after the other tests on the seeded server: it adds a model.

use countersign_e2e::{mlflow_uri, Cli};
use serde_json::{json, Value};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn api(method: &str, path: &str, body: Value) -> Value {
    countersign_e2e::mlflow_call(method, path, body)
}

/// POSTs a delivery to the listener by hand; returns the HTTP status.
fn deliver(port: u16, id: &str, ts: &str, sig: &str, body: &str) -> u16 {
    let out = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
        .args(["-H", &format!("X-MLflow-Delivery-Id: {id}")])
        .args(["-H", &format!("X-MLflow-Timestamp: {ts}")])
        .args(["-H", &format!("X-MLflow-Signature: {sig}")])
        .args(["-H", "Content-Type: application/json", "-d", body])
        .arg(format!("http://127.0.0.1:{port}/hook"))
        .output()
        .expect("curl");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// The running `watch --json`, its lines as they come.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
}

impl Watch {
    /// The next line that `pred` accepts, within 90 s (MLflow delivers in the background).
    fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if pred(&v) {
                        return v;
                    }
                }
                Err(_) => panic!(
                    "no {what} from `watch` within 90 s; it printed: {:#?}",
                    self.seen
                ),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn applied<'a>(v: &'a Value, event: &str, name: &str) -> Option<&'a Value> {
    let a = v.get("applied")?;
    (a["event"] == event && a["name"] == name).then_some(a)
}

#[test]
fn webhooks_sync_what_they_name_and_forged_replayed_or_stale_deliveries_are_refused() {
    let uri = mlflow_uri();
    let cli = Cli::new();
    cli.set_env("COUNTERSIGN_PLATFORM", &uri);
    cli.ok(&["sync", "--quiet"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");

    // Registering makes the webhook on the server and keeps its secret in the config file,
    // readable by its owner only.
    let reg = cli.json(&["watch", "--register", &url, "--json"]);
    let hook_id = reg["registered"].as_str().expect("webhook id").to_string();
    let config = std::path::PathBuf::from(reg["config"].as_str().expect("config"));
    let text = std::fs::read_to_string(&config).expect("config");
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("webhook_secret = "))
        .map(|s| s.trim_matches('"').to_string())
        .expect("the secret is in the config file");
    assert_eq!(secret.len(), 64, "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the config file holds a secret");
    }
    let listed = api("GET", "webhooks", json!({}));
    assert!(
        listed.to_string().contains(&url),
        "the server lists the webhook: {listed}"
    );
    // Registering again replaces it (a new secret; never two webhooks to one receiver).
    let again = cli.json(&["watch", "--register", &url, "--json"]);
    let hook_id2 = again["registered"].as_str().expect("id").to_string();
    let listed = api("GET", "webhooks", json!({}));
    let to_us = listed["webhooks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| w["url"] == url.as_str())
        .count();
    assert_eq!(to_us, 1, "{listed}");
    assert_ne!(hook_id, hook_id2);
    let text = std::fs::read_to_string(&config).expect("config");
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("webhook_secret = "))
        .map(|s| s.trim_matches('"').to_string())
        .expect("secret");

    // The listener.
    let mut child = cli
        .command(&[
            "watch",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--json",
            "--interval",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("watch");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Ok(v) = serde_json::from_str::<Value>(&l) {
                let _ = tx.send(v);
            }
        }
    });
    let mut w = Watch {
        child,
        lines: rx,
        seen: Vec::new(),
    };
    w.wait("the start", |v| v.get("listening").is_some());

    // A new model and version through MLflow's API: MLflow fires, watch reads that version.
    let name = format!("watched-{port}");
    api("POST", "registered-models/create", json!({"name": name}));
    api(
        "POST",
        "model-versions/create",
        json!({"name": name, "source": "s3://models/watched/1"}),
    );
    let got = w.wait("model_version.created", |v| {
        applied(v, "model_version.created", &name).is_some()
    });
    let a = &got["applied"];
    assert_eq!(a["synced"], format!("models:/{name}/1"), "{got}");
    let shown = cli.json(&["show", &format!("models:/{name}/1"), "--json"]);
    assert_eq!(shown["version"], format!("models:/{name}/1"), "{shown}");

    // A tag set on the version: read again, and the store shows it.
    api(
        "POST",
        "model-versions/set-tag",
        json!({"name": name, "version": "1", "key": "validation_note", "value": "checked by hand"}),
    );
    w.wait("model_version_tag.set", |v| {
        applied(v, "model_version_tag.set", &name).is_some()
    });
    let shown = cli.json(&["show", &format!("models:/{name}/1"), "--json"]);
    assert_eq!(
        shown["evidence"]["version"]["tags"]["validation_note"], "checked by hand",
        "{shown}"
    );

    // A forged delivery (another secret), a replay of an accepted one, a stale one, an
    // unsigned one: refused with their reasons, and nothing read.
    let now = chrono::Utc::now().timestamp().to_string();
    let body = json!({"entity": "model_version_tag", "action": "set", "timestamp": "2026-12-04T00:00:00+00:00",
                      "data": {"name": name, "version": "1", "key": "k", "value": "v"}})
    .to_string();
    let forged =
        countersign_core::watch::signature("not-the-secret", "fake-1", &now, body.as_bytes());
    assert_eq!(deliver(port, "fake-1", &now, &forged, &body), 401);
    let r = w.wait("a refusal", |v| v.get("refused").is_some());
    assert!(
        r["refused"]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("does not match the webhook secret")),
        "{r}"
    );
    let good = countersign_core::watch::signature(&secret, "hand-1", &now, body.as_bytes());
    assert_eq!(deliver(port, "hand-1", &now, &good, &body), 200);
    w.wait("the hand delivery", |v| {
        applied(v, "model_version_tag.set", &name).is_some_and(|a| a["delivery"] == "hand-1")
    });
    assert_eq!(deliver(port, "hand-1", &now, &good, &body), 409, "a replay");
    let r = w.wait("the replay's refusal", |v| v.get("refused").is_some());
    assert_eq!(r["refused"]["status"], 409, "{r}");
    let old = (chrono::Utc::now().timestamp() - 3600).to_string();
    let stale = countersign_core::watch::signature(&secret, "hand-2", &old, body.as_bytes());
    assert_eq!(
        deliver(port, "hand-2", &old, &stale, &body),
        401,
        "an hour old"
    );
    assert_eq!(deliver(port, "hand-3", &now, "", &body), 401, "unsigned");

    drop(w);
    api("DELETE", &format!("webhooks/{hook_id2}"), json!({}));
    api("DELETE", "registered-models/delete", json!({"name": name}));
}
