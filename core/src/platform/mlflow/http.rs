//! HTTP transport for the MLflow client: authentication, timeouts, bounded retries with
//! backoff, and turning every failure into a clear [`Error`] that names the URL (never the
//! credentials).

use crate::encoding::base64;
use crate::uri::redact_url;
use crate::{Error, Result};
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Connection options; [`crate::config::Config`] fills them from MLflow's own environment
/// variables, `COUNTERSIGN_HTTP_*` and the config file.
#[derive(Clone)]
pub struct ClientOptions {
    /// Bearer token (`MLFLOW_TRACKING_TOKEN`).
    pub token: Option<String>,
    /// Basic-auth user (`MLFLOW_TRACKING_USERNAME`).
    pub username: Option<String>,
    /// Basic-auth password (`MLFLOW_TRACKING_PASSWORD`).
    pub password: Option<String>,
    /// Skip TLS verification (`MLFLOW_TRACKING_INSECURE_TLS=true`).
    pub insecure_tls: bool,
    /// Extra CA certificate, PEM (`MLFLOW_TRACKING_SERVER_CERT_PATH`).
    pub ca_cert_path: Option<std::path::PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Attempts per request (1 = no retry).
    pub attempts: u32,
    /// First backoff delay; doubles per attempt.
    pub backoff: Duration,
    /// The largest response body read (bytes); a larger one is an error naming the URL and
    /// `COUNTERSIGN_HTTP_MAX_BODY_MB`, never read whole into memory.
    pub max_body: u64,
}

/// The default [`ClientOptions::max_body`]: 256 MiB, far above any MLflow JSON answer or
/// Countersign record.
pub(super) const DEFAULT_MAX_BODY: u64 = 256 * 1024 * 1024;

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("insecure_tls", &self.insecure_tls)
            .field("ca_cert_path", &self.ca_cert_path)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            token: None,
            username: None,
            password: None,
            insecure_tls: false,
            ca_cert_path: None,
            timeout: Duration::from_secs(30),
            attempts: 4,
            backoff: Duration::from_millis(250),
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// A blocking HTTP client bound to one MLflow server.
pub(super) struct Http {
    base: url::Url,
    client: reqwest::blocking::Client,
    options: ClientOptions,
    requests: AtomicU64,
}

/// Credentials never show: the URL without them, the options with them masked.
impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("base", &crate::uri::redact_url(&self.base))
            .field("options", &self.options)
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}

enum Failure {
    /// Worth retrying (connection error, 429, 5xx); carries the error to report if it persists
    /// and an optional server-requested delay.
    Retry(Error, Option<Duration>),
    Fatal(Error),
}

impl Http {
    /// Builds the client. Fails only on an unreadable CA file or a TLS setup error.
    pub(super) fn new(base: url::Url, options: ClientOptions) -> Result<Self> {
        let mut b = reqwest::blocking::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            // MLflow's default uvicorn server stalls ~40 ms on every reused keep-alive
            // connection (Nagle + delayed ACK); a fresh connection per request avoids it.
            .pool_max_idle_per_host(0)
            .user_agent(concat!("countersign/", env!("CARGO_PKG_VERSION")))
            .danger_accept_invalid_certs(options.insecure_tls);
        if let Some(path) = &options.ca_cert_path {
            let pem = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| Error::InvalidFile {
                path: path.clone(),
                message: format!("not a PEM certificate (MLFLOW_TRACKING_SERVER_CERT_PATH): {e}"),
            })?;
            b = b.add_root_certificate(cert);
        }
        let client = b.build().map_err(|e| Error::Unreachable {
            url: redact_url(&base),
            reason: format!("cannot set up the HTTP client: {e}"),
        })?;
        Ok(Self {
            base,
            client,
            options,
            requests: AtomicU64::new(0),
        })
    }

    /// The server's URL without credentials.
    pub(super) fn base_display(&self) -> String {
        redact_url(&self.base)
    }

    /// Requests sent so far (each attempt counts).
    pub(super) fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn endpoint(&self, path: &str) -> url::Url {
        let mut u = self.base.clone();
        let _ = u.set_username("");
        let _ = u.set_password(None);
        let base_path = u.path().trim_end_matches('/').to_string();
        u.set_path(&format!("{base_path}/{}", path.trim_start_matches('/')));
        u
    }

    /// `GET path?query` and decode the JSON answer.
    pub(super) fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let url = self.endpoint(path);
        let body = self
            .send(&url, false, || self.client.get(url.clone()).query(query))?
            .unwrap_or_default();
        decode(&redact_url(&url), &body)
    }

    /// `POST path` with a JSON body and decode the JSON answer.
    pub(super) fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T> {
        let url = self.endpoint(path);
        let out = self
            .send(&url, false, || self.client.post(url.clone()).json(body))?
            .unwrap_or_default();
        decode(&redact_url(&url), &out)
    }

    /// `DELETE path`; `false` when the server answers 404 (nothing to delete).
    pub(super) fn delete(&self, path: &str) -> Result<bool> {
        let url = self.endpoint(path);
        Ok(self
            .send(&url, true, || self.client.delete(url.clone()))?
            .is_some())
    }

    /// `GET path` as raw bytes; `None` when the server answers 404.
    pub(super) fn get_bytes(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let url = self.endpoint(path);
        self.send(&url, true, || self.client.get(url.clone()))
    }

    /// `GET path?query`, streamed through SHA-256 and never held in memory: (size, hex digest),
    /// or `None` when the server answers 404. `on_bytes` hears each chunk's length (progress).
    /// A body cut off mid-stream is fetched again from the start, as any failed request is.
    pub(super) fn get_hashed(
        &self,
        path: &str,
        query: &[(&str, String)],
        on_bytes: &mut dyn FnMut(u64),
    ) -> Result<Option<(u64, String)>> {
        use sha2::Digest;
        use std::io::Read;
        let url = self.endpoint(path);
        let shown = redact_url(&url);
        let attempts = self.options.attempts.max(1);
        let mut delay = self.options.backoff;
        let mut last = None;
        for attempt in 1..=attempts {
            let req = self.credentials(self.client.get(url.clone()).query(query));
            self.requests.fetch_add(1, Ordering::Relaxed);
            let failure = match req.send() {
                Err(e) => self.transport_error(&shown, attempt, &e),
                Ok(resp) if resp.status().is_success() => {
                    let mut resp = resp;
                    let mut hasher = sha2::Sha256::new();
                    let mut buf = vec![0u8; 256 * 1024];
                    let mut total = 0u64;
                    let read = loop {
                        match resp.read(&mut buf) {
                            Ok(0) => break Ok(()),
                            Ok(n) => {
                                hasher.update(&buf[..n]);
                                total += n as u64;
                                on_bytes(n as u64);
                            }
                            Err(e) => break Err(e),
                        }
                    };
                    match read {
                        Ok(()) => {
                            let hex: String = hasher
                                .finalize()
                                .iter()
                                .map(|b| format!("{b:02x}"))
                                .collect();
                            return Ok(Some((total, hex)));
                        }
                        Err(e) => Failure::Retry(
                            Error::MalformedResponse {
                                url: shown.clone(),
                                reason: format!(
                                    "the download was cut off after {total} bytes ({e})"
                                ),
                            },
                            None,
                        ),
                    }
                }
                Ok(resp) if resp.status().as_u16() == 404 => return Ok(None),
                Ok(resp) => {
                    let status = resp.status();
                    let body = match self.read_body(&shown, attempt, resp) {
                        Ok(b) => b,
                        Err(Failure::Fatal(e)) | Err(Failure::Retry(e, _)) => {
                            return Err(self.scrub(e))
                        }
                    };
                    let err = self.status_error(&shown, status.as_u16(), &body);
                    if status.as_u16() == 429 || status.is_server_error() {
                        Failure::Retry(err, None)
                    } else {
                        Failure::Fatal(err)
                    }
                }
            };
            match failure {
                Failure::Fatal(e) => return Err(self.scrub(e)),
                Failure::Retry(e, wait) => {
                    if attempt < attempts {
                        std::thread::sleep(wait.unwrap_or(delay).min(Duration::from_secs(30)));
                        delay = delay.saturating_mul(2);
                    }
                    last = Some(self.scrub(e));
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Unreachable {
            url: shown,
            reason: "no attempt was made".into(),
        }))
    }

    /// `PUT path` with raw bytes.
    pub(super) fn put_bytes(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let url = self.endpoint(path);
        let owned = bytes.to_vec();
        self.send(&url, false, || {
            self.client
                .put(url.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(owned.clone())
        })?;
        Ok(())
    }

    fn send(
        &self,
        url: &url::Url,
        allow_404: bool,
        build: impl Fn() -> reqwest::blocking::RequestBuilder,
    ) -> Result<Option<Vec<u8>>> {
        let shown = redact_url(url);
        let mut delay = self.options.backoff;
        let attempts = self.options.attempts.max(1);
        let mut last = None;
        for attempt in 1..=attempts {
            let started = std::time::Instant::now();
            match self.attempt(&shown, attempt, allow_404, &build) {
                Ok(v) => {
                    log::debug!(
                        "{shown}: {} bytes in {} ms (attempt {attempt})",
                        v.as_ref().map(Vec::len).unwrap_or(0),
                        started.elapsed().as_millis()
                    );
                    return Ok(v);
                }
                Err(Failure::Fatal(e)) => return Err(self.scrub(e)),
                Err(Failure::Retry(e, wait)) => {
                    let e = self.scrub(e);
                    if attempt < attempts {
                        let pause = wait.unwrap_or(delay).min(Duration::from_secs(30));
                        log::info!(
                            "{e} — retrying in {} ms (attempt {attempt} of {attempts})",
                            pause.as_millis()
                        );
                        std::thread::sleep(pause);
                        delay = delay.saturating_mul(2);
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Unreachable {
            url: shown,
            reason: "no attempt was made".into(),
        }))
    }

    /// Every form a credential may take in a message: raw, `user:password`, their base64 (as
    /// in an echoed `Authorization: Basic …` header), URL-encoded. Forms shorter than 4
    /// characters are left out (they would blank out ordinary words).
    fn secret_forms(&self) -> Vec<String> {
        let mut raw: Vec<String> = Vec::new();
        if let Some(t) = &self.options.token {
            raw.push(t.clone());
        }
        if let Some(p) = &self.options.password {
            raw.push(p.clone());
            let user = self.options.username.clone().unwrap_or_default();
            raw.push(format!("{user}:{p}"));
        }
        let mut out = Vec::new();
        for r in raw {
            let b64 = base64(r.as_bytes());
            out.push(b64.trim_end_matches('=').to_string());
            out.push(b64);
            out.push(url::form_urlencoded::byte_serialize(r.as_bytes()).collect());
            out.push(
                url::form_urlencoded::byte_serialize(r.as_bytes())
                    .collect::<String>()
                    .replace('+', "%20"),
            );
            out.push(r);
        }
        out.retain(|s| s.len() >= 4);
        // Longest first, so a form that contains another is removed whole.
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }

    /// Removes every form of the token and password ([`Self::secret_forms`]) from an error's
    /// text: a server (or a proxy) may echo request headers in its error pages, and nothing
    /// secret may reach a message.
    fn scrub(&self, e: Error) -> Error {
        let secrets = self.secret_forms();
        if secrets.is_empty() {
            return e;
        }
        let clean = |t: String| {
            secrets
                .iter()
                .fold(t, |acc, secret| acc.replace(secret.as_str(), "***"))
        };
        match e {
            Error::Platform {
                url,
                status,
                code,
                message,
                hint,
            } => Error::Platform {
                url: clean(url),
                status,
                code: clean(code),
                message: clean(message),
                hint,
            },
            Error::Unreachable { url, reason } => Error::Unreachable {
                url: clean(url),
                reason: clean(reason),
            },
            Error::MalformedResponse { url, reason } => Error::MalformedResponse {
                url: clean(url),
                reason: clean(reason),
            },
            Error::Timeout {
                url,
                seconds,
                attempts,
            } => Error::Timeout {
                url: clean(url),
                seconds,
                attempts,
            },
            other => other,
        }
    }

    /// Adds the credentials as MLflow's own client chooses them: basic auth when both a user
    /// name and a password are set, else the bearer token, else a user name alone.
    fn credentials(
        &self,
        req: reqwest::blocking::RequestBuilder,
    ) -> reqwest::blocking::RequestBuilder {
        let o = &self.options;
        match (&o.username, &o.password, &o.token) {
            (Some(user), Some(password), _) => req.basic_auth(user, Some(password)),
            (_, _, Some(token)) => req.bearer_auth(token),
            (Some(user), None, None) => req.basic_auth(user, None::<&str>),
            _ => req,
        }
    }

    /// [`status_error`], with a 401's hint naming the credentials this client sent (a refused
    /// password and a missing one need different fixes).
    fn status_error(&self, url: &str, status: u16, body: &[u8]) -> Error {
        let mut err = status_error(url, status, body);
        let o = &self.options;
        let sent = match (&o.username, &o.password, &o.token) {
            (Some(_), Some(_), _) => Some(". The server refused that user name and password: check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (they are used before MLFLOW_TRACKING_TOKEN, as by MLflow's client)"),
            (_, _, Some(_)) => Some(". The server refused that token: check MLFLOW_TRACKING_TOKEN"),
            (Some(_), None, None) => Some(". The server wants a password as well: set MLFLOW_TRACKING_PASSWORD"),
            _ => None,
        };
        if let (401, Some(text), Error::Platform { hint, .. }) = (status, sent, &mut err) {
            *hint = text.to_string();
        }
        err
    }

    fn attempt(
        &self,
        shown: &str,
        attempt: u32,
        allow_404: bool,
        build: &impl Fn() -> reqwest::blocking::RequestBuilder,
    ) -> std::result::Result<Option<Vec<u8>>, Failure> {
        let req = self.credentials(build());
        self.requests.fetch_add(1, Ordering::Relaxed);
        let resp = req
            .send()
            .map_err(|e| self.transport_error(shown, attempt, &e))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = self.read_body(shown, attempt, resp)?;
        if status.is_success() {
            return Ok(Some(body));
        }
        if allow_404 && status.as_u16() == 404 {
            return Ok(None);
        }
        let err = self.status_error(shown, status.as_u16(), &body);
        if status.as_u16() == 429 || status.is_server_error() {
            Err(Failure::Retry(err, retry_after))
        } else {
            Err(Failure::Fatal(err))
        }
    }

    /// Reads a body, streamed, refusing one larger than [`ClientOptions::max_body`] before it
    /// is held in memory (by its Content-Length, or as soon as the stream passes the limit).
    fn read_body(
        &self,
        shown: &str,
        attempt: u32,
        resp: reqwest::blocking::Response,
    ) -> std::result::Result<Vec<u8>, Failure> {
        use std::io::Read;
        let limit = self.options.max_body;
        let too_big = || {
            Failure::Fatal(Error::MalformedResponse {
                url: shown.to_string(),
                reason: format!(
                    "the response is larger than {} MiB, the limit set by COUNTERSIGN_HTTP_MAX_BODY_MB; nothing was read into memory past it (raise the limit only if the server really sends that much)",
                    limit.div_ceil(1024 * 1024)
                ),
            })
        };
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(too_big());
        }
        let mut body = Vec::with_capacity(
            resp.content_length()
                .unwrap_or(0)
                .min(limit)
                .min(64 * 1024 * 1024) as usize,
        );
        let mut reader = resp.take(limit.saturating_add(1));
        reader.read_to_end(&mut body).map_err(|e| {
            Failure::Retry(
                Error::MalformedResponse {
                    url: shown.to_string(),
                    reason: format!("the response body was cut off ({e})"),
                },
                None,
            )
        })?;
        let _ = attempt;
        if body.len() as u64 > limit {
            return Err(too_big());
        }
        Ok(body)
    }

    fn transport_error(&self, shown: &str, attempts: u32, e: &reqwest::Error) -> Failure {
        if e.is_timeout() {
            Failure::Retry(
                Error::Timeout {
                    url: shown.to_string(),
                    seconds: self.options.timeout.as_secs_f64().ceil() as u64,
                    attempts,
                },
                None,
            )
        } else if e.is_body() || e.is_decode() {
            Failure::Retry(
                Error::MalformedResponse {
                    url: shown.to_string(),
                    reason: format!("the response body was cut off ({})", root_cause(e)),
                },
                None,
            )
        } else {
            Failure::Retry(
                Error::Unreachable {
                    url: shown.to_string(),
                    reason: root_cause(e),
                },
                None,
            )
        }
    }
}

/// Standard base64 with padding (RFC 4648), for recognising an echoed basic-auth header.
pub(crate) fn decode<T: DeserializeOwned>(shown: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::MalformedResponse {
        url: shown.to_string(),
        reason: format!("invalid JSON for this endpoint ({e})"),
    })
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Turns a non-2xx answer into an error: MLflow's JSON error when the body is one, otherwise a
/// summary of the text/HTML body, with a hint per status.
pub(crate) fn status_error(url: &str, status: u16, body: &[u8]) -> Error {
    let parsed: Option<super::wire::ErrorBody> = serde_json::from_slice(body).ok();
    let (code, message) = match parsed {
        Some(b) if b.error_code.is_some() || b.message.is_some() => (
            b.error_code.map(|c| format!(" ({c})")).unwrap_or_default(),
            b.message
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "no message".into()),
        ),
        _ => (String::new(), summarize_body(body)),
    };
    // The hint starts a sentence of its own: no "authenticate.. The server…".
    let message = message.trim_end_matches('.').to_string();
    let hint = match status {
        401 => ". The server wants credentials: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)",
        403 => ". Your MLflow user lacks permission for this: ask an MLflow admin for READ (or EDIT to write back)",
        404 if code.is_empty() => ". This path does not exist on the server: is the URI the MLflow server's root and is it MLflow 3.x?",
        429 => ". The server is rate-limiting; wait and try again",
        500..=599 => ". The server failed; check its logs and try again",
        _ => "",
    };
    Error::Platform {
        url: url.to_string(),
        status,
        code,
        message,
        hint: hint.to_string(),
    }
}

fn summarize_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let mut s = words.join(" ");
    if s.is_empty() {
        return "empty response body".into();
    }
    if s.chars().count() > 200 {
        s = s.chars().take(200).collect::<String>() + "…";
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64;

    #[test]
    fn json_errors_keep_mlflow_code_and_message() {
        let e = status_error(
            "http://h/api",
            404,
            br#"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered Model with name=nope not found"}"#,
        )
        .to_string();
        assert!(
            e.contains(
                "HTTP 404 (RESOURCE_DOES_NOT_EXIST): Registered Model with name=nope not found"
            ),
            "{e}"
        );
    }

    #[test]
    fn html_errors_are_summarised_with_a_hint() {
        let e = status_error(
            "http://h/x",
            404,
            b"<!doctype html><html><title>404 Not Found</title><h1>Not Found</h1></html>",
        )
        .to_string();
        assert!(e.contains("404 Not Found"), "{e}");
        assert!(e.contains("MLflow 3.x"), "{e}");
        let e = status_error("http://h/x", 401, b"You are not authenticated.").to_string();
        assert!(e.contains("MLFLOW_TRACKING_USERNAME"), "{e}");
    }

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"alice:s3cr3t pw"), "YWxpY2U6czNjcjN0IHB3");
    }

    #[test]
    fn every_form_of_a_credential_is_scrubbed() {
        let http = Http::new(
            url::Url::parse("http://127.0.0.1:9").unwrap(),
            ClientOptions {
                username: Some("alice".into()),
                password: Some("s3cr3t pw&x".into()),
                ..ClientOptions::default()
            },
        )
        .unwrap();
        let pair = "alice:s3cr3t pw&x";
        let echoed = format!(
            "Authorization: Basic {} | raw s3cr3t pw&x | pair {pair} | url s3cr3t%20pw%26x | form s3cr3t+pw%26x | b64nopad {}",
            base64(pair.as_bytes()),
            base64(pair.as_bytes()).trim_end_matches('=')
        );
        let e = http.scrub(Error::Platform {
            url: "u".into(),
            status: 500,
            code: String::new(),
            message: echoed,
            hint: String::new(),
        });
        let text = e.to_string();
        for form in ["s3cr3t", "YWxpY2U6czNjcjN0IHB3", "pw%26x", "pw&x"] {
            assert!(!text.contains(form), "{form} left in: {text}");
        }
    }

    #[test]
    fn a_401_names_the_credentials_that_were_sent() {
        let hint = |o: ClientOptions| {
            let http = Http::new(url::Url::parse("http://127.0.0.1:9").unwrap(), o).unwrap();
            http.status_error("u", 401, b"You are not authenticated.")
                .to_string()
        };
        let none = hint(ClientOptions::default());
        assert!(
            none.contains("not authenticated. The server wants credentials"),
            "{none}"
        );
        let token = hint(ClientOptions {
            token: Some("t".into()),
            ..ClientOptions::default()
        });
        assert!(
            token.contains("refused that token: check MLFLOW_TRACKING_TOKEN"),
            "{token}"
        );
        let both = hint(ClientOptions {
            token: Some("t".into()),
            username: Some("u".into()),
            password: Some("p".into()),
            ..ClientOptions::default()
        });
        assert!(
            both.contains("refused that user name and password"),
            "{both}"
        );
        let user = hint(ClientOptions {
            username: Some("u".into()),
            ..ClientOptions::default()
        });
        assert!(user.contains("set MLFLOW_TRACKING_PASSWORD"), "{user}");
    }

    #[test]
    fn options_debug_hides_secrets() {
        let o = ClientOptions {
            token: Some("tok-123".into()),
            password: Some("pw-456".into()),
            ..ClientOptions::default()
        };
        let d = format!("{o:?}");
        assert!(!d.contains("tok-123") && !d.contains("pw-456"), "{d}");
    }
}
