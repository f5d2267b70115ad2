//! The real `countersign-desktop` in a real window (Xvfb), driven through tauri-driver and
//! WebKitWebDriver:
//! - on the demo portfolio: the inventory, filter chips, sort, search, a model's detail with its
//!   lineage graph, the dashboard, reverse lineage, the dark theme;
//! - on the real MLflow harness: sync from the window, filter, open a version, see its lineage
//!   and metric charts, complete the checklist, sign as validator with a key file protected by
//!   a passphrase (asked in a dialog), export the audit pack, then check the pack with
//!   `qpdf --check`, `ssh-keygen -Y verify` and its own VERIFY.txt.
//!
//! Screenshots of each view go to `test-artifacts/` (not committed). `scripts/test.sh` runs
//! this under `xvfb-run`, single-threaded, bounded by `timeout`.

use countersign_e2e::{
    binary, mlflow_fresh_model, mlflow_uri, vera_validator, workspace_root, Cli,
};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

type R<T> = Result<T, String>;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM: tauri-driver only stops WebKitWebDriver from its signal handler.
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn tauri_driver() -> PathBuf {
    let local = workspace_root().join(".tools/bin/tauri-driver");
    if local.exists() {
        local
    } else {
        "tauri-driver".into()
    }
}

fn artifacts() -> PathBuf {
    let dir = workspace_root().join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// The app in a window, with helpers that wait for what a user would see.
struct App {
    c: Client,
}

impl App {
    async fn find(&self, css: &str) -> R<Element> {
        self.c
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("find {css}: {e}"))
    }

    async fn all(&self, css: &str) -> R<Vec<Element>> {
        self.c
            .find_all(Locator::Css(css))
            .await
            .map_err(|e| format!("find all {css}: {e}"))
    }

    async fn text(&self, css: &str) -> R<String> {
        self.find(css)
            .await?
            .text()
            .await
            .map_err(|e| format!("text of {css}: {e}"))
    }

    /// Waits until the text of `css` satisfies `pred`; the error names what was awaited and
    /// what the window showed instead (with the error box).
    async fn wait_text(&self, css: &str, what: &str, pred: impl Fn(&str) -> bool) -> R<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let t = self.text(css).await.unwrap_or_default();
            if pred(&t) {
                return Ok(t);
            }
            if Instant::now() > deadline {
                let err = self.text("#error").await.unwrap_or_default();
                return Err(format!(
                    "waiting for {what}: {css} shows {t:?}; error box: {err:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_count(&self, css: &str, what: &str, pred: impl Fn(usize) -> bool) -> R<usize> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let n = self.all(css).await?.len();
            if pred(n) {
                return Ok(n);
            }
            if Instant::now() > deadline {
                let err = self.text("#error").await.unwrap_or_default();
                return Err(format!(
                    "waiting for {what}: {n} match {css}; error box: {err:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Scrolls an element to the middle of its scrolling area, as a user would before using it.
    async fn scroll_to(&self, css: &str) {
        let _ = self
            .c
            .execute(
                "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView({block: 'center'});",
                vec![json!(css)],
            )
            .await;
    }

    async fn click(&self, css: &str) -> R<()> {
        self.scroll_to(css).await;
        self.find(css)
            .await?
            .click()
            .await
            .map_err(|e| format!("click {css}: {e}"))
    }

    /// Types into a field, finding it afresh if a re-render replaced it meanwhile.
    async fn type_in(&self, css: &str, text: &str) -> R<()> {
        let mut last = String::new();
        for _ in 0..3 {
            self.scroll_to(css).await;
            let e = self.find(css).await?;
            let done = async {
                e.clear().await.map_err(|e| format!("clear {css}: {e:?}"))?;
                e.send_keys(text)
                    .await
                    .map_err(|e| format!("type in {css}: {e:?}"))
            }
            .await;
            match done {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    async fn shot(&self, name: &str) -> R<()> {
        let png = self
            .c
            .screenshot()
            .await
            .map_err(|e| format!("screenshot: {e}"))?;
        std::fs::write(artifacts().join(format!("desktop-{name}.png")), png)
            .map_err(|e| e.to_string())
    }
}

/// Starts tauri-driver with `env`, opens the app, runs `body`, and always ends the session
/// and stops the driver before reporting.
async fn with_app<F, Fut>(env: &[(&str, &Path)], body: F)
where
    F: FnOnce(App) -> Fut,
    Fut: std::future::Future<Output = (App, R<()>)>,
{
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "DISPLAY is not set: run under xvfb-run (scripts/test.sh does)"
    );
    let app_path = std::fs::canonicalize(binary("countersign-desktop")).expect("app path");
    let port = free_port();
    let native = free_port();
    let mut cmd = Command::new(tauri_driver());
    cmd.args([
        "--port",
        &port.to_string(),
        "--native-port",
        &native.to_string(),
    ])
    .env_remove("COUNTERSIGN_PLATFORM")
    .env_remove("COUNTERSIGN_POLICY")
    .env_remove("COUNTERSIGN_ROOT")
    .env_remove("COUNTERSIGN_IDENTITY")
    .env_remove("COUNTERSIGN_CONFIG")
    .env_remove("MLFLOW_TRACKING_URI");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let driver = Driver(
        cmd.spawn()
            .expect("start tauri-driver (scripts/install-test-deps.sh installs it)"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not listen on {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let caps =
        json!({"browserName": "wry", "tauri:options": {"application": app_path, "args": []}});
    let caps = caps.as_object().cloned().unwrap_or_default();
    let client = tokio::time::timeout(
        Duration::from_secs(60),
        ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}")),
    )
    .await;
    let client = match client {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => panic!("WebDriver session: {e}"),
        Err(_) => panic!("no WebDriver session within 60 s"),
    };
    let (app, result) = body(App { c: client }).await;
    if result.is_err() {
        let _ = app.shot("failure").await;
    }
    // Always end the session, or the app outlives the driver.
    let _ = app.c.close().await;
    drop(driver);
    if let Err(e) = result {
        panic!("desktop E2E failed: {e}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn desktop_demo_inventory_detail_dashboard_and_datasets() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let models = cli.json(&["ls", "--json"]);
    let models = models["models"].as_array().expect("models").clone();
    let vendors = models.iter().filter(|m| m["kind"] == "vendor").count();
    let overdue = models.iter().filter(|m| m["overdue"] == true).count();
    // A dataset of the first classic model with a version, for reverse lineage.
    let classic = models
        .iter()
        .find(|m| m["kind"] == "classic" && m["latest_version"].is_string())
        .expect("a classic model");
    let vref = format!(
        "models:/{}/{}",
        classic["name"].as_str().expect("name"),
        classic["latest_version"].as_str().expect("v")
    );
    let ev = cli.json(&["evidence", &vref]);
    let digest = ev["datasets"][0]["digest"]
        .as_str()
        .expect("a dataset")
        .to_string();
    let users = cli.json(&["lineage", "--dataset", &digest, "--json"]);
    let users = users["uses"]
        .as_array()
        .map(|a| a.len())
        .expect("lineage list");
    // The review queue as the CLI judges it on the same data directory.
    let queue = cli.json(&["queue", "--json"]);
    let queued: Vec<String> = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["version_ref"].as_str().expect("ref").to_string())
        .collect();
    assert!(!queued.is_empty(), "the demo has overdue reviews: {queue}");
    // The window attests the model below before comparing the queue: nothing of it may wait
    // on an attestation, or the comparison would not hold.
    assert!(
        !queue["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["name"] == classic["name"])
            .any(|i| i["reasons"].to_string().contains("attestation_due")),
        "{queue}"
    );
    // Nobody reviewed the most urgent version yet: the window must only preview it.
    let reviews = cli.json(&["review", "list", &queued[0], "--json"]);
    assert_eq!(reviews["reviews"], serde_json::json!([]), "{reviews}");
    let data = cli.data.path().to_path_buf();
    let name = classic["name"].as_str().expect("name").to_string();
    // The model's owner (a demo owner has a key of their own), who attests in the window.
    let owner = countersign_core::demo::demo_owner(
        cli.json(&["show", &vref, "--json"])["model"]["owner"]
            .as_str()
            .expect("an owner"),
    );
    let owner_key = data.join("demo/keys").join(&owner).join("id_ed25519");
    let attestations_dir = data
        .join("demo/reviews")
        .join(&name)
        .join(classic["latest_version"].as_str().expect("v"))
        .join("attestations");
    let mut names: Vec<String> = models
        .iter()
        .map(|m| m["name"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();

    let first_queued = queued[0].clone();
    let config_home = data.join("config");
    let config_file = config_home.join("countersign/config.toml");
    // The demo's trust root, pinned as the CLI above has it (the owner signs under it).
    let root = data.join("demo-trust/root.signers");
    with_app(
        &[
            ("COUNTERSIGN_DATA_DIR", &data),
            ("XDG_CONFIG_HOME", &config_home),
            ("COUNTERSIGN_ROOT", &root),
        ],
        |app| async move {
            let r = async {
                app.wait_count("#inventory tbody tr", "36 rows", |n| n == 36)
                    .await?;
                let counts = app
                    .wait_text("#counts", "the counts", |t| !t.is_empty())
                    .await?;
                if counts != format!("36 of 36 models · {overdue} overdue") {
                    return Err(format!("counts: {counts}"));
                }
                app.shot("inventory").await?;
                // The keys the TUI shares (docs/keys.md): d the dashboard, Q the queue, 1 back.
                for (k, view) in [("d", "dashboard"), ("Q", "queue"), ("1", "inventory")] {
                    app.c
                        .execute(
                            &format!("document.dispatchEvent(new KeyboardEvent('keydown', {{key: '{k}', bubbles: true}}))"),
                            vec![],
                        )
                        .await
                        .map_err(|e| format!("key {k}: {e}"))?;
                    app.wait_count(&format!("#view-{view}:not([hidden])"), view, |n| n == 1)
                        .await?;
                }
                // Filter chips: kind = vendor, then overdue on top, then clear.
                app.click("button.chip[data-filter=kind][data-value=vendor]")
                    .await?;
                app.wait_count("#inventory tbody tr", "vendor rows", |n| n == vendors)
                    .await?;
                app.click("button.chip[data-filter=kind][data-value=vendor]")
                    .await?;
                app.click("button.chip[data-filter=overdue]").await?;
                app.wait_count("#inventory tbody tr", "overdue rows", |n| n == overdue)
                    .await?;
                for row in app.all("#inventory tbody tr td:last-child").await? {
                    let t = row.text().await.map_err(|e| e.to_string())?;
                    if !t.contains("overdue") {
                        return Err(format!("a non-overdue row under the overdue chip: {t}"));
                    }
                }
                app.click("#clear-filters").await?;
                app.wait_count("#inventory tbody tr", "all rows again", |n| n == 36)
                    .await?;
                // Sort by name, descending: the last name comes first.
                app.click("button.sort[data-sort=name]").await?;
                app.wait_text("#inventory tbody tr td.name", "descending sort", |t| {
                    Some(t) == names.last().map(String::as_str)
                })
                .await?;
                app.click("button.sort[data-sort=name]").await?;
                // Search, then open the model.
                app.type_in("#search", &name).await?;
                app.wait_count("#inventory tbody tr", "the searched model", |n| n >= 1)
                    .await?;
                app.click("#inventory tbody tr td.name").await?;
                app.wait_text("#detail h2", "the detail", |t| t == name)
                    .await?;
                app.wait_count(
                    "#detail svg.lineage g[data-kind=dataset]",
                    "dataset nodes",
                    |n| n >= 1,
                )
                .await?;
                app.wait_count(
                    "#detail svg.lineage g[data-kind=version]",
                    "the version node",
                    |n| n == 1,
                )
                .await?;
                let detail = app.text("#detail").await?.to_lowercase();
                for want in ["tier (rubric)", "lineage", "metrics", "approvals", "sign…"] {
                    if !detail.contains(want) {
                        return Err(format!("the detail lacks {want:?}: {detail}"));
                    }
                }
                app.shot("detail").await?;
                // The owner attests from the sign dialog: a note instead of a decision, what is
                // attested shown first, the stock command that checks it after.
                app.click("#act-sign").await?;
                app.c
                    .execute(
                        "const s = document.getElementById('sign-role'); s.value = 'owner'; s.dispatchEvent(new Event('change', {bubbles: true}));",
                        vec![],
                    )
                    .await
                    .map_err(|e| format!("role: {e}"))?;
                app.wait_count("#sign-owner:not([hidden])", "the note field", |n| n == 1)
                    .await?;
                app.wait_count("#sign-decision[hidden]", "no decision", |n| n == 1)
                    .await?;
                app.type_in("#sign-key-path", owner_key.to_str().unwrap_or_default())
                    .await?;
                app.type_in("#sign-note", "Used for fast-track routing only.")
                    .await?;
                app.click("#sign-submit").await?;
                let attests = app
                    .wait_text("#sign-attests", "what is attested", |t| {
                        t.contains("You attest:")
                    })
                    .await?;
                if !attests.contains("Note: Used for fast-track routing only.") {
                    return Err(format!("attestation summary: {attests}"));
                }
                app.shot("attest-confirm").await?;
                app.click("#sign-confirm-ok").await?;
                let ok = app
                    .wait_text("#sign-ok", "the attestation", |t| t.starts_with("Attested"))
                    .await?;
                if !ok.contains(&format!("as its owner {owner}")) {
                    return Err(format!("attest result: {ok}"));
                }
                let cmd = app.text("#sign-verify-command").await?;
                if !cmd.contains(&format!("-I {owner}")) {
                    return Err(format!("verify command: {cmd}"));
                }
                let written = std::fs::read_dir(&attestations_dir)
                    .map(|d| d.count())
                    .unwrap_or(0);
                if written != 2 {
                    return Err(format!(
                        "{} holds {written} files, not the record and its signature",
                        attestations_dir.display()
                    ));
                }
                app.shot("attested").await?;
                app.click("#sign-cancel").await?;
                // Dashboard.
                app.click("nav button[data-view=dashboard]").await?;
                app.wait_text(
                    "#dashboard .figure[data-figure=Models] .value",
                    "the models figure",
                    |t| t == "36",
                )
                .await?;
                app.wait_text(
                    "#dashboard .figure[data-figure='Overdue reviews'] .value",
                    "the overdue figure",
                    |t| t == overdue.to_string(),
                )
                .await?;
                app.wait_count("#dashboard svg.bars rect.bar", "bar charts", |n| n >= 6)
                    .await?;
                app.shot("dashboard").await?;
                // The review queue: the same items as `countersign queue`, most urgent first; a
                // row's Review button opens the review of that very version.
                app.click("nav button[data-view=queue]").await?;
                app.wait_count("#queue tbody tr", "queue rows", |n| n == queued.len())
                    .await?;
                let first = app
                    .find("#queue tbody tr")
                    .await?
                    .attr("data-version")
                    .await
                    .map_err(|e| e.to_string())?;
                if first.as_deref() != Some(queued[0].as_str()) {
                    return Err(format!(
                        "first queue row {first:?}, the CLI says {}",
                        queued[0]
                    ));
                }
                app.shot("queue").await?;
                app.click("#queue tbody tr button[data-review]").await?;
                let (qname, qversion) = queued[0]
                    .trim_start_matches("models:/")
                    .rsplit_once('/')
                    .expect("models:/NAME/VERSION");
                app.wait_text("#review-title", "the queued version's review", |t| {
                    t == format!("Review of {qname} v{qversion}")
                })
                .await?;
                // Looking is not starting: a preview, nothing saved, answers disabled.
                app.wait_text("#review-meta", "the preview", |t| {
                    t.contains("not started (a preview)")
                })
                .await?;
                if app
                    .find("#review-items button[data-outcome]")
                    .await?
                    .attr("disabled")
                    .await
                    .map_err(|e| e.to_string())?
                    .is_none()
                {
                    return Err("the preview's answer buttons are enabled".into());
                }
                // Starting asks who acts (none is configured here), refuses a look-alike with
                // the text kept, then saves the identity and starts.
                app.click("#review-start").await?;
                app.wait_count("#identity-dialog[open]", "the identity question", |n| {
                    n == 1
                })
                .await?;
                app.type_in("#identity-input", "v\u{0435}ra@demo.bank")
                    .await?;
                app.click("#identity-ok").await?;
                app.wait_text("#identity-error", "the refusal", |t| t.contains("scripts"))
                    .await?;
                app.shot("identity-refused").await?;
                app.type_in("#identity-input", "vera.validator@demo.bank")
                    .await?;
                app.click("#identity-ok").await?;
                app.wait_text("#review-meta", "the started review", |t| {
                    t.contains("by vera.validator@demo.bank")
                })
                .await?;
                // The header names her (its full text is its tooltip: the line is cut short).
                app.wait_count(
                    "#identity[title^='vera.validator@demo.bank · policy']",
                    "the header naming her",
                    |n| n == 1,
                )
                .await?;
                let saved =
                    std::fs::read_to_string(&config_file).map_err(|e| format!("config: {e}"))?;
                if saved != "identity = \"vera.validator@demo.bank\"\n" {
                    return Err(format!("config file: {saved:?}"));
                }
                app.click("#review-back").await?;
                // A manager assigns the most urgent version from the queue; the row then names
                // who is to act.
                app.click("nav button[data-view=queue]").await?;
                app.wait_count("#queue tbody tr", "queue rows", |n| n >= 1)
                    .await?;
                app.click(&format!("#queue button[data-assign='{}']", queued[0]))
                    .await?;
                app.wait_count("#assign-dialog[open]", "the assign dialog", |n| n == 1)
                    .await?;
                app.type_in("#assign-to", "victor.validator@demo.bank").await?;
                app.click("#assign-ok").await?;
                app.wait_text(
                    &format!("#queue tbody tr[data-version='{}']", queued[0]),
                    "the assignment in the queue",
                    |t| t.contains("victor.validator@demo.bank (validator"),
                )
                .await?;
                app.shot("queue-assigned").await?;
                // Reverse lineage.
                app.click("nav button[data-view=datasets]").await?;
                app.type_in("#dataset-query", &digest).await?;
                app.click("#dataset-form button[type=submit]").await?;
                app.wait_text("#dataset-count", "reverse lineage", |t| {
                    t.starts_with(&format!("{users} version(s) used"))
                })
                .await?;
                app.wait_count("#dataset-results tbody tr", "reverse lineage rows", |n| {
                    n == users
                })
                .await?;
                app.shot("datasets").await?;
                // Dark theme, back on the inventory, at the smallest supported window size.
                app.click("nav button[data-view=inventory]").await?;
                // The theme is remembered between runs, so the toggle is checked both ways.
                let theme = || async {
                    app.c
                        .execute("return document.documentElement.dataset.theme", vec![])
                        .await
                        .map_err(|e| e.to_string())
                };
                let before = theme().await?;
                app.click("#theme").await?;
                let after = theme().await?;
                if before == after || ![json!("dark"), json!("light")].contains(&after) {
                    return Err(format!("theme {before} → {after} after the toggle"));
                }
                if after != json!("dark") {
                    app.click("#theme").await?;
                }
                app.c
                    .set_window_size(1024, 768)
                    .await
                    .map_err(|e| format!("resize: {e}"))?;
                let overflow = app
                    .c
                    .execute(
                        "return document.documentElement.scrollWidth > window.innerWidth",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if overflow != json!(false) {
                    return Err("the window scrolls sideways at 1024×768".into());
                }
                app.shot("dark-1024x768").await?;
                Ok(())
            }
            .await;
            (app, r)
        },
    )
    .await;
    // The assignment made in the window is on the platform, for every reviewer.
    let q = cli.json(&["queue", "--json"]);
    let item = q["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["version_ref"] == first_queued.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{first_queued} left the queue: {q}"));
    assert_eq!(
        item["assignments"][0]["to"], "victor.validator@demo.bank",
        "{item}"
    );
    assert_eq!(
        item["assignments"][0]["by"], "vera.validator@demo.bank",
        "{item}"
    );
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A first run on an empty configuration opens on the settings; what is saved there is the
/// config file the CLI reads, and the window then works from it.
#[tokio::test(flavor = "multi_thread")]
async fn desktop_first_run_sets_itself_up_in_settings() {
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let demo = cli.data.path().join("demo");
    let root = cli.data.path().join("demo-trust/root.signers");
    let key = demo.join("keys/vera.validator@demo.bank/id_ed25519");
    let home = tempfile::tempdir().expect("home");
    let config_home = home.path().join("config");
    let data_home = home.path().join("share");
    let config_file = config_home.join("countersign/config.toml");
    let (demo_s, root_s, key_s) = (
        demo.display().to_string(),
        root.display().to_string(),
        key.display().to_string(),
    );
    let cf = config_file.clone();
    with_app(
        &[
            ("HOME", home.path()),
            ("XDG_CONFIG_HOME", &config_home),
            ("XDG_DATA_HOME", &data_home),
        ],
        |app| async move {
            let r = async {
                app.wait_count("#view-settings:not([hidden])", "the settings view", |n| {
                    n == 1
                })
                .await?;
                app.wait_count("#settings-welcome:not([hidden])", "the welcome", |n| n == 1)
                    .await?;
                let file = app.text("#settings-file").await?;
                if file != cf.display().to_string() {
                    return Err(format!("config file shown: {file}"));
                }
                // A folder that is not there: refused, naming it; what was typed stays.
                app.type_in("#set-platform", "folder:/nowhere/at/all")
                    .await?;
                app.type_in("#set-identity", "vera.validator@demo.bank")
                    .await?;
                app.click("#settings-save").await?;
                app.wait_text("#settings-error", "the refusal", |t| {
                    t.contains("there is no folder at /nowhere/at/all")
                })
                .await?;
                let kept = app
                    .c
                    .execute(
                        "return document.getElementById('set-identity').value",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if kept != json!("vera.validator@demo.bank") {
                    return Err(format!("the typed identity was lost: {kept}"));
                }
                if cf.exists() {
                    return Err("a refused save wrote the config file".into());
                }
                app.shot("settings-refused").await?;
                app.type_in("#set-platform", &format!("folder:{demo_s}"))
                    .await?;
                app.type_in("#set-root", &root_s).await?;
                app.type_in("#set-signing_key", &key_s).await?;
                app.click("#settings-save").await?;
                // Saved: the window opens on the (empty) inventory of that platform; a sync
                // fills it.
                app.wait_count("#view-inventory:not([hidden])", "the inventory", |n| n == 1)
                    .await?;
                app.wait_count(
                    "#identity[title^='vera.validator@demo.bank · policy']",
                    "the header naming her",
                    |n| n == 1,
                )
                .await?;
                app.click("#sync").await?;
                app.wait_count("#inventory tbody tr", "36 rows after the sync", |n| n == 36)
                    .await?;
                app.shot("settings-saved-and-synced").await?;
                // The settings view shows where each value now comes from.
                app.click("nav button[data-view=settings]").await?;
                app.wait_text("#set-platform-origin", "the origin", |t| {
                    t == "Saved in the config file."
                })
                .await?;
                app.wait_count("#settings-welcome[hidden]", "no welcome", |n| n == 1)
                    .await?;
                Ok(())
            }
            .await;
            (app, r)
        },
    )
    .await;
    // The command line reads the very same file.
    let out = Command::new(binary("countersign"))
        .args(["config", "show", "--json"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", &config_home)
        .env("XDG_DATA_HOME", &data_home)
        .env_remove("COUNTERSIGN_PLATFORM")
        .env_remove("COUNTERSIGN_ROOT")
        .env_remove("COUNTERSIGN_IDENTITY")
        .env_remove("COUNTERSIGN_CONFIG")
        .env_remove("COUNTERSIGN_DATA_DIR")
        .env_remove("COUNTERSIGN_KEY")
        .env_remove("MLFLOW_TRACKING_URI")
        .output()
        .expect("countersign config show");
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "config show --json: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let find = |name: &str| -> serde_json::Value {
        shown["settings"]
            .as_array()
            .expect("settings")
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}: {shown}"))
    };
    for (name, want) in [
        ("platform", format!("folder:{}", demo.display())),
        ("identity", "vera.validator@demo.bank".to_string()),
        ("root", root.display().to_string()),
        ("signing_key", key.display().to_string()),
    ] {
        let s = find(name);
        assert_eq!(s["value"], want.as_str(), "{name}: {s}");
        assert_eq!(s["origin"]["kind"], "file", "{name}: {s}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config_file)
            .expect("config file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the config file is readable by others");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn desktop_reviews_signs_and_exports_against_mlflow() {
    // A fresh model on the server, so this test owns its version.
    let name = format!("desktop-e2e-{}", std::process::id());
    let losses: Vec<_> = (0..8)
        .map(|i| json!({"key": "loss", "value": 1.0 / f64::from(i + 1), "timestamp": i + 1, "step": i}))
        .chain([json!({"key": "auc_holdout", "value": 0.74, "timestamp": 9, "step": 0})])
        .collect();
    mlflow_fresh_model(&name, losses, Some(("desk_train", "feed1234")));

    // Vera's key file, protected by a passphrase; allowed_signers and a policy naming her.
    let cli = Cli::new();
    let home = cli.data.path().to_path_buf();
    let passphrase = "correct horse desktop staple";
    std::fs::write(home.join("pass"), passphrase).expect("pass");
    let (allowed, policy_path) =
        vera_validator(&cli, &home, &home.join("vera"), Some(&home.join("pass")));
    let root = countersign_e2e::release_trust(&cli, &mlflow_uri(), &[], &policy_path, &allowed);
    std::fs::remove_file(home.join("pass")).expect("rm pass");
    let exports = tempfile::tempdir().expect("exports");
    let pack = exports.path().join("pack");
    let platform = PathBuf::from(mlflow_uri());
    let key = home.join("vera");
    let vera = PathBuf::from("vera.validator@bank.example");

    let (pack2, key2, name2) = (pack.clone(), key.clone(), name.clone());
    with_app(
        &[
            ("COUNTERSIGN_DATA_DIR", &home),
            ("COUNTERSIGN_PLATFORM", &platform),
            ("COUNTERSIGN_POLICY", &policy_path),
            ("COUNTERSIGN_ALLOWED_SIGNERS", &allowed),
            ("COUNTERSIGN_ROOT", &root),
            ("COUNTERSIGN_IDENTITY", &vera),
        ],
        |app| async move {
            let (pack, key, name) = (pack2, key2, name2);
            let r = async {
                app.wait_text("#synced", "the empty store", |t| t == "never synced")
                    .await?;
                app.click("#sync").await?;
                app.wait_text("#toast", "the sync", |t| t.starts_with("Synced"))
                    .await?;
                app.wait_count("#inventory tbody tr", "synced rows", |n| n > 1)
                    .await?;
                // Filter to the new model: tier 3 chip and the search box.
                app.click("button.chip[data-filter=tier][data-value='3']")
                    .await?;
                app.type_in("#search", &name).await?;
                app.wait_count("#inventory tbody tr", "the new model alone", |n| n == 1)
                    .await?;
                app.click("#inventory tbody tr td.name").await?;
                app.wait_text("#detail h2", "the detail", |t| t == name)
                    .await?;
                app.wait_count(
                    "#detail svg.lineage g[data-kind=dataset]",
                    "the dataset node",
                    |n| n == 1,
                )
                .await?;
                app.wait_count(
                    "#detail svg.lineage g[data-kind=run]",
                    "the run node",
                    |n| n == 1,
                )
                .await?;
                let lineage = app.text("#detail svg.lineage").await.unwrap_or_default();
                if !lineage.contains("desk_train") {
                    return Err(format!(
                        "the lineage graph does not name the dataset: {lineage}"
                    ));
                }
                app.wait_count(
                    "#detail tr[data-metric=loss] svg.spark polyline",
                    "the loss chart",
                    |n| n == 1,
                )
                .await?;
                app.shot("mlflow-detail").await?;
                // The checklist: every item answered pass with a note.
                app.click("#act-review").await?;
                // A preview first: nothing is saved until Start review.
                app.wait_count("#review-start", "the preview's Start review", |n| n == 1)
                    .await?;
                app.click("#review-start").await?;
                app.wait_text("#review-meta", "the started review", |t| {
                    t.contains("started") && !t.contains("preview")
                })
                .await?;
                let total = app
                    .wait_text("#review-progress-text", "the review", |t| {
                        t.starts_with("0 of ")
                    })
                    .await?;
                let total: usize = total
                    .trim_start_matches("0 of ")
                    .split(' ')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or(format!("progress: {total}"))?;
                let mut ids = Vec::new();
                for item in app.all("#review-items article.item").await? {
                    ids.push(
                        item.attr("data-item")
                            .await
                            .map_err(|e| e.to_string())?
                            .unwrap_or_default(),
                    );
                }
                if ids.len() != total {
                    return Err(format!("{} items shown, progress says {total}", ids.len()));
                }
                app.shot("review").await?;
                // A high finding, raised and then remediated.
                app.type_in("#f-title", "Holdout too small").await?;
                app.type_in("#f-owner", "olga.owner@bank.example").await?;
                app.c
                    .execute(
                        "document.getElementById('f-due').value = '2027-01-31'",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                app.click(".finding-form button[type=submit]").await?;
                // (Tier 3 lets an open high finding stand; the list shows it open.)
                app.wait_text("#review-items .findings", "the raised finding", |t| {
                    t.contains("[high] Holdout too small") && t.contains("open")
                })
                .await?;
                // Remediating takes a note: the form opens under the finding.
                app.click("li.finding button").await?;
                app.type_in("form.finding-change textarea", "Holdout enlarged to 20%")
                    .await?;
                app.click("form.finding-change button[type=submit]").await?;
                app.wait_text("#review-items .findings", "the remediated finding", |t| {
                    t.contains("remediated by vera.validator@bank.example")
                        && t.contains("Holdout enlarged to 20%")
                })
                .await?;
                for (i, id) in ids.iter().enumerate() {
                    app.type_in(
                        &format!("#note-{id}"),
                        &format!("checked {id} in the desktop"),
                    )
                    .await?;
                    app.click(&format!("#item-{id} button[data-outcome=pass]"))
                        .await?;
                    let want = format!("{} of {total} answered", i + 1);
                    app.wait_text("#review-progress-text", &want, |t| t.starts_with(&want))
                        .await?;
                }
                // Every item answered; the tier's report is what still blocks an approval.
                app.wait_text("#review-blockers", "the report blocking", |t| {
                    t.contains("validation report lacks") && t.contains("rating, conclusion")
                })
                .await?;
                // The validator's report: sections typed and saved, the rating chosen from
                // the policy's scale; each is attributed.
                app.type_in(
                    "#report-executive_summary",
                    "Fit for its purpose; the one finding is remediated.",
                )
                .await?;
                app.click("#review-report button[data-save=executive_summary]")
                    .await?;
                app.wait_text(
                    "#review-report [data-section=executive_summary]",
                    "the saved summary",
                    |t| t.contains("Written by vera.validator@bank.example"),
                )
                .await?;
                app.c
                    .execute(
                        "document.getElementById('report-rating').value = 'satisfactory';",
                        vec![],
                    )
                    .await
                    .map_err(|e| format!("choose the rating: {e}"))?;
                app.click("#review-report button[data-save=rating]").await?;
                app.wait_text(
                    "#review-report [data-section=rating]",
                    "the saved rating",
                    |t| t.contains("Written by vera.validator@bank.example"),
                )
                .await?;
                app.type_in(
                    "#report-conclusion",
                    "Approved for claims triage within its documented limits.",
                )
                .await?;
                app.click("#review-report button[data-save=conclusion]")
                    .await?;
                app.wait_text("#review-blockers", "nothing blocking", |t| {
                    t.contains("Nothing blocks")
                })
                .await?;
                app.shot("review-done").await?;
                // Sign as validator with the key file: the passphrase is asked in a dialog.
                app.click("#review-back").await?;
                app.wait_text("#detail h2", "the detail again", |t| t == name)
                    .await?;
                app.click("#act-sign").await?;
                app.type_in("#sign-key-path", key.to_str().unwrap_or_default())
                    .await?;
                app.click("#sign-submit").await?;
                // What will be attested, before anything is signed.
                let attests = app
                    .wait_text("#sign-attests", "the attestation", |t| {
                        t.contains("Evidence: sha256") && t.contains("Overall rating: Satisfactory")
                    })
                    .await?;
                if !attests.contains(&format!("Version: models:/{name}/1"))
                    || !attests.contains("Decision: approve, as validator")
                {
                    return Err(format!("attestation: {attests}"));
                }
                app.shot("sign-confirm").await?;
                app.click("#sign-confirm-ok").await?;
                app.wait_text("#passphrase-prompt", "the passphrase dialog", |t| {
                    t.contains("protected by a passphrase")
                })
                .await?;
                app.type_in("#passphrase", "not the passphrase").await?;
                app.click("#passphrase-ok").await?;
                app.wait_text("#passphrase-prompt", "the wrong-passphrase prompt", |t| {
                    t.contains("Wrong passphrase")
                })
                .await?;
                app.type_in("#passphrase", passphrase).await?;
                app.click("#passphrase-ok").await?;
                let ok = app
                    .wait_text("#sign-ok", "the signature", |t| t.starts_with("Signed"))
                    .await?;
                if !ok.contains("validator approve") || !ok.contains("vera.validator@bank.example")
                {
                    return Err(format!("sign result: {ok}"));
                }
                let cmd = app.text("#sign-verify-command").await?;
                if !cmd.contains("ssh-keygen -Y verify") {
                    return Err(format!("verify command: {cmd}"));
                }
                app.shot("signed").await?;
                app.click("#sign-cancel").await?;
                // The approval appears in the detail and the lineage graph.
                app.wait_count(
                    "#detail svg.lineage g[data-kind=approval]",
                    "the approval node",
                    |n| n == 1,
                )
                .await?;
                // Export the audit pack to a chosen folder.
                app.click("#act-export").await?;
                app.wait_text("#export-title", "the export dialog", |t| {
                    t.contains("audit pack")
                })
                .await?;
                app.type_in("#export-path", pack.to_str().unwrap_or_default())
                    .await?;
                app.click("#export-submit").await?;
                let ok = app
                    .wait_text("#export-ok", "the export", |t| {
                        t.starts_with("Audit pack written")
                    })
                    .await?;
                if !ok.contains("gate PASS") {
                    return Err(format!("export result: {ok}"));
                }
                app.shot("exported").await?;
                // Progress that arrives after the result never paints over it.
                app.wait_text("#export-stage", "the finished export", |t| t == "done")
                    .await?;
                if !app
                    .text("#export-ok")
                    .await?
                    .starts_with("Audit pack written")
                {
                    return Err("the export's result was replaced".into());
                }
                app.click("#export-cancel").await?;
                // Verify now: the gate passes on the platform's current state.
                app.click("#act-verify").await?;
                app.wait_text("#gate-result", "the verification", |t| {
                    t.starts_with("Gate PASS")
                })
                .await?;
                app.shot("verified").await?;
                // The dashboard counts the synced models and the new approval.
                let rows = app.all("#inventory tbody tr").await?.len();
                app.click("#clear-filters").await?;
                let all = app
                    .wait_count("#inventory tbody tr", "every row", |n| n >= rows)
                    .await?;
                app.click("nav button[data-view=dashboard]").await?;
                app.wait_text(
                    "#dashboard .figure[data-figure=Models] .value",
                    "the models figure",
                    |t| t == all.to_string(),
                )
                .await?;
                app.wait_text("#dashboard", "the approved status bar", |t| {
                    t.contains("approved")
                })
                .await?;
                app.shot("mlflow-dashboard").await?;
                Ok(())
            }
            .await;
            (app, r)
        },
    )
    .await;

    // The pack, checked with stock tools; its validation report holds what was typed.
    run(Command::new("qpdf")
        .arg("--check")
        .arg(pack.join("audit-pack.pdf")));
    let report = run(Command::new("pdftotext")
        .arg(pack.join("validation-report.pdf"))
        .arg("-"));
    assert!(
        report.contains("Fit for its purpose; the one finding is remediated.")
            && report.contains("Overall rating: Satisfactory"),
        "{report}"
    );
    let txt = run(Command::new("pdftotext")
        .arg(pack.join("audit-pack.pdf"))
        .arg("-"));
    assert!(
        txt.contains(&name)
            && txt.contains("vera.validator@bank.example")
            && txt.contains("desk_train"),
        "{txt}"
    );
    let record = pack.join("approvals/01-validator.json");
    run(Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&allowed)
        .args([
            "-I",
            "vera.validator@bank.example",
            "-n",
            "countersign",
            "-s",
        ])
        .arg(record.with_extension("json.sig"))
        .stdin(std::fs::File::open(&record).expect("record in the pack")));
    run(Command::new("bash").arg(pack.join("VERIFY.txt")).arg(&root));
    // The passphrase reached no file the app wrote.
    for entry in walk(&home).into_iter().chain(walk(&pack)) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(passphrase),
            "the passphrase is in {}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
