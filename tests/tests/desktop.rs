//! The real `countersign-desktop` in a real window (Xvfb), driven through tauri-driver and
//! WebKitWebDriver: the demo inventory's rows appear, a click opens a model's detail.
//! `scripts/test.sh` runs this under `xvfb-run`, single-threaded.

use countersign_e2e::{binary, workspace_root, Cli};
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

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

fn tauri_driver() -> std::path::PathBuf {
    let local = workspace_root().join(".tools/bin/tauri-driver");
    if local.exists() {
        local
    } else {
        "tauri-driver".into()
    }
}

async fn drive(
    url: &str,
    app: &std::path::Path,
    artifacts: &std::path::Path,
) -> Result<(), String> {
    let caps = json!({"browserName": "wry", "tauri:options": {"application": app, "args": []}});
    let caps = caps.as_object().cloned().unwrap_or_default();
    let client = tokio::time::timeout(
        Duration::from_secs(60),
        ClientBuilder::native().capabilities(caps).connect(url),
    )
    .await
    .map_err(|_| "no WebDriver session within 60 s (is DISPLAY set?)".to_string())?
    .map_err(|e| format!("WebDriver session: {e}"))?;
    let result = async {
        let deadline = Instant::now() + Duration::from_secs(30);
        let rows = loop {
            let rows = client
                .find_all(Locator::Css("#inventory tbody tr"))
                .await
                .map_err(|e| e.to_string())?;
            if rows.len() == 36 {
                break rows;
            }
            if Instant::now() > deadline {
                let err = client.find(Locator::Id("error")).await.ok();
                let err = match err {
                    Some(e) => e.text().await.unwrap_or_default(),
                    None => String::new(),
                };
                return Err(format!(
                    "expected 36 inventory rows, saw {}; error box: {err}",
                    rows.len()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let first = rows[0].text().await.map_err(|e| e.to_string())?;
        if !first.contains("aml-narrative-writer") || !first.contains("prompt") {
            return Err(format!("first row: {first}"));
        }
        let counts = client
            .find(Locator::Id("counts"))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        if counts != "36 of 36 models" {
            return Err(format!("counts: {counts}"));
        }
        let shot = client.screenshot().await.map_err(|e| e.to_string())?;
        let _ = std::fs::write(artifacts.join("desktop-inventory.png"), shot);

        client
            .find(Locator::Css("#inventory tbody tr:nth-child(3) td.name"))
            .await
            .map_err(|e| format!("find row 3: {e:?}"))?
            .click()
            .await
            .map_err(|e| format!("click row 3: {e:?}"))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let h = client.find(Locator::Css("#detail h2")).await;
            if let Ok(h) = h {
                if h.text().await.unwrap_or_default() == "branch-footfall-forecast" {
                    break;
                }
            }
            if Instant::now() > deadline {
                return Err(
                    "the detail pane did not show branch-footfall-forecast after a click".into(),
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let detail = client
            .find(Locator::Id("detail"))
            .await
            .map_err(|e| format!("find detail: {e:?}"))?
            .text()
            .await
            .map_err(|e| format!("detail text: {e:?}"))?;
        if !detail.contains("Branch staffing from footfall forecasts")
            || !detail.contains("Versions")
        {
            return Err(format!("detail: {detail}"));
        }
        // The search box filters the table.
        let search = client
            .find(Locator::Id("search"))
            .await
            .map_err(|e| format!("find search: {e:?}"))?;
        search
            .send_keys("vendor")
            .await
            .map_err(|e| format!("type in search: {e:?}"))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let n = client
                .find_all(Locator::Css("#inventory tbody tr"))
                .await
                .map_err(|e| e.to_string())?
                .len();
            let counts = client
                .find(Locator::Id("counts"))
                .await
                .map_err(|e| e.to_string())?
                .text()
                .await
                .map_err(|e| e.to_string())?;
            if n == 4
                && counts == "4 of 36 models"
                && search.prop("value").await.ok().flatten().as_deref() == Some("vendor")
            {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "searching 'vendor' left {n} rows ({counts}), expected 4"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shot = client
            .screenshot()
            .await
            .map_err(|e| format!("screenshot: {e:?}"))?;
        let _ = std::fs::write(artifacts.join("desktop-detail.png"), shot);
        Ok(())
    }
    .await;
    // Always end the session, or the app outlives the driver.
    let _ = client.close().await;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn desktop_window_lists_the_demo_inventory() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "DISPLAY is not set: run under xvfb-run (scripts/test.sh does)"
    );
    let cli = Cli::new();
    cli.ok(&["demo", "--no-tui"]);
    let app = std::fs::canonicalize(binary("countersign-desktop")).expect("app path");
    let artifacts = workspace_root().join("test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");

    let port = free_port();
    let native = free_port();
    let driver = Driver(
        Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("COUNTERSIGN_DATA_DIR", cli.data.path())
            .env_remove("COUNTERSIGN_PLATFORM")
            .env_remove("MLFLOW_TRACKING_URI")
            .spawn()
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
    let result = drive(&format!("http://127.0.0.1:{port}"), &app, &artifacts).await;
    drop(driver);
    if let Err(e) = result {
        panic!("desktop E2E failed: {e}");
    }
}
