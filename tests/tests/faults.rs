//! Platform faults, injected by a proxy on loopback in front of the real MLflow harness
//! (`countersign_e2e::proxy`). Listings use a page size of 2 so that the seeded server really
//! paginates. For every fault: bounded retries, a clear message, no panic, the store's previous
//! good state intact (same inventory, integrity check passes), and the next sync completes with
//! exactly the server's data. The table in docs/reliability.md names these tests.

use countersign_e2e::proxy::{FaultProxy, ProxyFault};
use countersign_e2e::{mlflow_uri, Cli};
use serde_json::Value;
use std::process::Output;

const ATTEMPTS: u64 = 3;
const TOKEN: &str = "tok-FAULTS-SECRET-9931";

fn sync(cli: &Cli, uri: &str, page_size: u32) -> Output {
    cli.command(&["--platform", uri, "sync", "--quiet", "--json"])
        .env("COUNTERSIGN_MLFLOW_PAGE_SIZE", page_size.to_string())
        .env("COUNTERSIGN_HTTP_ATTEMPTS", ATTEMPTS.to_string())
        .env("COUNTERSIGN_HTTP_TIMEOUT", "2")
        .env("MLFLOW_TRACKING_TOKEN", TOKEN)
        .output()
        .expect("run countersign")
}

/// The inventory the store holds for `uri`, without the platform's address.
fn inventory(cli: &Cli, uri: &str) -> Value {
    cli.json(&["--platform", uri, "ls", "--json"])["models"].take()
}

/// Models, versions and runs as one sync reports them.
fn counts(report: &Value) -> (u64, u64, u64) {
    (
        report["models"].as_u64().unwrap_or(0),
        report["versions"].as_u64().unwrap_or(0),
        report["runs"].as_u64().unwrap_or(0),
    )
}

/// Retries are bounded: each failing request was tried `ATTEMPTS` times (up to four requests
/// run in parallel during a sync).
fn bounded(proxy: &FaultProxy) {
    let n = proxy.matched();
    assert!(
        (ATTEMPTS..=4 * ATTEMPTS).contains(&n),
        "{n} attempts at the faulty endpoint, expected {ATTEMPTS} per request"
    );
}

struct Harness {
    cli: Cli,
    proxy: FaultProxy,
    good: Value,
    page_size: u32,
}

impl Harness {
    /// A store synced through the proxy with no fault: the previous good state.
    fn new() -> Self {
        Self::with_page_size(2)
    }

    /// The same, listing `page_size` items a page (1: every listing of two or more items
    /// has several pages, whatever the server holds).
    fn with_page_size(page_size: u32) -> Self {
        let proxy = FaultProxy::start(&mlflow_uri());
        let cli = Cli::new();
        let o = sync(&cli, &proxy.uri, page_size);
        assert!(
            o.status.success(),
            "the fault-free sync through the proxy failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let good = inventory(&cli, &proxy.uri);
        assert!(good.as_array().is_some_and(|a| a.len() >= 3), "{good}");
        Self {
            cli,
            proxy,
            good,
            page_size,
        }
    }

    /// A sync under `fault` fails cleanly with exit `code`, naming every `words`, and leaves
    /// the store as it was.
    fn fails(&self, fault: ProxyFault, filter: &str, code: i32, words: &[&str]) -> String {
        self.proxy.set(fault.clone(), filter);
        let o = sync(&self.cli, &self.proxy.uri, self.page_size);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(
            o.status.code(),
            Some(code),
            "{fault:?}: exit code; stderr:\n{err}"
        );
        for w in words {
            assert!(err.contains(w), "{fault:?}: stderr lacks {w:?}:\n{err}");
        }
        assert!(!err.contains("panicked"), "{fault:?}: {err}");
        assert!(!err.contains(TOKEN), "{fault:?}: the token leaked: {err}");
        self.assert_intact(&format!("{fault:?}"));
        err
    }

    fn assert_intact(&self, what: &str) {
        assert_eq!(
            inventory(&self.cli, &self.proxy.uri),
            self.good,
            "{what}: the store's inventory changed after a failed sync"
        );
        let store =
            countersign_core::store::Store::open(&self.cli.data.path().join("countersign.db"))
                .expect("store opens");
        store.integrity_check().expect("integrity check");
    }

    /// With the fault gone the next sync completes and holds exactly what the server holds
    /// (compared with a direct sync of the real server into a fresh store).
    fn recovers(&self) {
        self.proxy.set(ProxyFault::Pass, "");
        let o = sync(&self.cli, &self.proxy.uri, self.page_size);
        assert!(
            o.status.success(),
            "the sync after the fault failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let report: Value = serde_json::from_slice(&o.stdout).expect("sync --json");
        let direct = Cli::new();
        let d = sync(&direct, &mlflow_uri(), self.page_size);
        assert!(d.status.success(), "{}", String::from_utf8_lossy(&d.stderr));
        let direct_report: Value = serde_json::from_slice(&d.stdout).expect("sync --json");
        assert_eq!(counts(&report), counts(&direct_report));
        assert_eq!(
            inventory(&self.cli, &self.proxy.uri),
            inventory(&direct, &mlflow_uri()),
            "the store after recovery differs from the server's data"
        );
    }
}

#[test]
fn connection_refused_then_back() {
    let h = Harness::new();
    h.proxy.set(ProxyFault::DieAfter(0), "");
    h.fails(
        ProxyFault::DieAfter(0),
        "",
        3,
        &["cannot reach", "server is running"],
    );
    h.proxy.restart();
    h.recovers();
}

#[test]
fn reset_mid_body_is_retried_a_bounded_number_of_times() {
    let h = Harness::new();
    h.fails(
        ProxyFault::ResetMidBody,
        "model-versions/search",
        3,
        &["model-versions/search", "cut off"],
    );
    bounded(&h.proxy);
    h.recovers();
}

#[test]
fn too_many_requests_waits_for_retry_after_and_succeeds() {
    let h = Harness::new();
    h.proxy.set(
        ProxyFault::TooManyRequests { secs: 1, times: 2 },
        "registered-models/search",
    );
    let o = sync(&h.cli, &h.proxy.uri, h.page_size);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(h.proxy.matched() >= 3, "two 429s, then the answer");
    h.recovers();
}

#[test]
fn server_error_bursts_are_retried_and_persistent_ones_reported() {
    let h = Harness::new();
    for status in [500u16, 502, 503] {
        h.proxy.set(
            ProxyFault::ServerErrors { status, times: 2 },
            "model-versions/search",
        );
        let o = sync(&h.cli, &h.proxy.uri, h.page_size);
        assert!(
            o.status.success(),
            "a burst of two {status}s is within {ATTEMPTS} attempts: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            h.proxy.matched() >= 3,
            "two errors, then the version listings"
        );
    }
    let err = h.fails(
        ProxyFault::ServerErrors {
            status: 503,
            times: u64::MAX,
        },
        "model-versions/search",
        3,
        &["HTTP 503", "model-versions/search"],
    );
    assert!(!err.is_empty());
    bounded(&h.proxy);
    h.recovers();
}

#[test]
fn a_stalled_response_times_out() {
    let h = Harness::new();
    h.fails(
        ProxyFault::Stall,
        "registered-models/search",
        3,
        &[
            "did not answer within 2 s",
            &format!("after {ATTEMPTS} attempts"),
        ],
    );
    bounded(&h.proxy);
    h.recovers();
}

#[test]
fn truncated_and_malformed_json_are_refused() {
    let h = Harness::new();
    h.fails(
        ProxyFault::TruncatedJson,
        "registered-models/search",
        3,
        &["cannot read", "invalid JSON", "registered-models/search"],
    );
    h.fails(
        ProxyFault::MalformedJson,
        "model-versions/search",
        3,
        &["cannot read", "invalid JSON", "model-versions/search"],
    );
    h.recovers();
}

#[test]
fn a_repeating_page_token_is_an_error_not_a_loop() {
    let h = Harness::with_page_size(1);
    h.fails(
        ProxyFault::RepeatPageToken,
        "model-versions/search",
        3,
        &["came back a second time", "nothing was changed"],
    );
    h.recovers();
}

#[test]
fn a_vanishing_page_token_is_an_error_not_a_short_inventory() {
    let h = Harness::with_page_size(1);
    h.fails(
        ProxyFault::DropPageToken,
        "model-versions/search",
        3,
        &["without a next page token", "nothing was changed"],
    );
    h.recovers();
}

#[test]
fn server_killed_in_the_middle_of_a_sync_and_restarted() {
    let h = Harness::new();
    // Four requests get through, then the server is gone (connection refused).
    h.fails(ProxyFault::DieAfter(4), "", 3, &["cannot reach"]);
    assert!(h.proxy.matched() >= 5);
    h.proxy.restart();
    h.recovers();
}
