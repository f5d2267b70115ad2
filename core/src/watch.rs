//! MLflow webhook deliveries (`countersign watch`): a small HTTP listener on loopback or a
//! private address, each delivery's signature checked as MLflow makes it
//! (`X-MLflow-Signature: v1,BASE64(HMAC-SHA256(secret, "{delivery id}.{timestamp}.{body}"))`),
//! deliveries older or newer than [`MAX_SKEW_S`] and repeated delivery ids refused, and each
//! accepted event named by what it says changed (a model, a version).
//!
//! MLflow sends no events for runs, deletions or traces; the watcher re-syncs on an interval for
//! those ([`crate::workspace::Workspace::watch_event`] applies one event).

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};

/// How far a delivery's timestamp may be from now, in seconds (either way).
pub const MAX_SKEW_S: i64 = 300;
/// The largest request body read (MLflow's payloads are a few hundred bytes).
pub const MAX_BODY: usize = 1 << 20;
/// The largest request head (request line and headers).
const MAX_HEAD: usize = 16 << 10;

/// The events `watch --register` subscribes to (every one MLflow has for models and prompts),
/// as MLflow's API spells them (upper case).
pub const EVENTS: [(&str, &str); 14] = [
    ("REGISTERED_MODEL", "CREATED"),
    ("MODEL_VERSION", "CREATED"),
    ("MODEL_VERSION_TAG", "SET"),
    ("MODEL_VERSION_TAG", "DELETED"),
    ("MODEL_VERSION_ALIAS", "CREATED"),
    ("MODEL_VERSION_ALIAS", "DELETED"),
    ("PROMPT", "CREATED"),
    ("PROMPT_VERSION", "CREATED"),
    ("PROMPT_TAG", "SET"),
    ("PROMPT_TAG", "DELETED"),
    ("PROMPT_VERSION_TAG", "SET"),
    ("PROMPT_VERSION_TAG", "DELETED"),
    ("PROMPT_ALIAS", "CREATED"),
    ("PROMPT_ALIAS", "DELETED"),
];

/// The name `watch --register` gives its webhook: only webhooks of this name are replaced.
pub const WEBHOOK_NAME: &str = "countersign-watch";

/// The shortest secret deliveries are checked with (an empty or short key makes the HMAC
/// guessable).
pub const MIN_SECRET_LEN: usize = 16;

/// One delivery as it arrived.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `X-MLflow-Delivery-Id`.
    pub id: String,
    /// `X-MLflow-Timestamp` (Unix seconds, as text).
    pub timestamp: String,
    /// `X-MLflow-Signature`.
    pub signature: String,
    /// The raw body.
    pub body: Vec<u8>,
}

/// What an accepted delivery says changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The delivery id.
    pub delivery: String,
    /// `model_version_tag.set`, `registered_model.created`, …
    pub event: String,
    /// The model or prompt named.
    pub name: Option<String>,
    /// The version named, if any.
    pub version: Option<String>,
}

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No signature, delivery id or timestamp.
    Unsigned,
    /// The signature does not match the secret.
    BadSignature,
    /// The timestamp is too far from now.
    Stale(i64),
    /// This delivery id was accepted before.
    Replayed,
    /// The body is not a webhook payload.
    Malformed(String),
}

impl Refusal {
    /// The HTTP status answered.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Unsigned | Refusal::BadSignature | Refusal::Stale(_) => 401,
            Refusal::Replayed => 409,
            Refusal::Malformed(_) => 400,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Unsigned => write!(f, "unsigned: no X-MLflow-Signature, X-MLflow-Delivery-Id or X-MLflow-Timestamp (register the webhook with a secret: countersign watch --register URL)"),
            Refusal::BadSignature => write!(f, "the signature does not match the webhook secret (a forged delivery, or a webhook registered with another secret)"),
            Refusal::Stale(skew) => write!(f, "the timestamp is {skew} s from now, more than {MAX_SKEW_S} s: a replayed or delayed delivery (or a clock off)"),
            Refusal::Replayed => write!(f, "this delivery id was accepted before: a replay"),
            Refusal::Malformed(why) => write!(f, "not an MLflow webhook payload: {why}"),
        }
    }
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.map(|x| x ^ b);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The signature MLflow sends for a delivery: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under the secret.
pub fn signature(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let mut msg = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    msg.extend_from_slice(id.as_bytes());
    msg.push(b'.');
    msg.extend_from_slice(timestamp.as_bytes());
    msg.push(b'.');
    msg.extend_from_slice(body);
    format!(
        "v1,{}",
        crate::encoding::base64(&hmac_sha256(secret.as_bytes(), &msg))
    )
}

/// Equality that takes the same time wherever the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Delivery ids accepted within the last [`MAX_SKEW_S`] × 2 seconds (older ones are refused
/// by their timestamp anyway).
#[derive(Debug, Default)]
pub struct ReplayGuard {
    seen: BTreeMap<String, i64>,
}

impl ReplayGuard {
    /// Forgets an accepted id (its delivery could not be taken after all: MLflow's retry
    /// with the same id must be accepted).
    pub fn forget(&mut self, id: &str) {
        self.seen.remove(id);
    }

    fn admit(&mut self, id: &str, now: i64) -> bool {
        self.seen.retain(|_, at| now - *at <= 2 * MAX_SKEW_S);
        if self.seen.contains_key(id) {
            return false;
        }
        self.seen.insert(id.to_string(), now);
        true
    }
}

/// Checks a delivery against the secret, the clock (`now`, Unix seconds) and the ids seen, and
/// reads its event.
pub fn check(
    secret: &str,
    d: &Delivery,
    now: i64,
    guard: &mut ReplayGuard,
) -> Result<Event, Refusal> {
    if d.id.is_empty() || d.timestamp.is_empty() || d.signature.is_empty() {
        return Err(Refusal::Unsigned);
    }
    let want = signature(secret, &d.id, &d.timestamp, &d.body);
    // MLflow sends one `v1,…`; a header may carry several, space-separated.
    if !d
        .signature
        .split_whitespace()
        .any(|s| same(s.as_bytes(), want.as_bytes()))
    {
        return Err(Refusal::BadSignature);
    }
    let ts: i64 = d
        .timestamp
        .trim()
        .parse()
        .map_err(|_| Refusal::Malformed(format!("timestamp {:?}", d.timestamp)))?;
    // Saturating: a signed but absurd timestamp is stale, never an overflow.
    let skew = now.saturating_sub(ts);
    if skew.unsigned_abs() > MAX_SKEW_S as u64 {
        return Err(Refusal::Stale(skew));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&d.body).map_err(|e| Refusal::Malformed(e.to_string()))?;
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let (Some(entity), Some(action)) = (text("entity"), text("action")) else {
        return Err(Refusal::Malformed("no entity or action".into()));
    };
    let data = v.get("data");
    let field = |k: &str| {
        data.and_then(|d| d.get(k)).and_then(|x| match x {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    if !guard.admit(&d.id, now) {
        return Err(Refusal::Replayed);
    }
    Ok(Event {
        delivery: d.id.clone(),
        event: format!(
            "{}.{}",
            entity.to_ascii_lowercase(),
            action.to_ascii_lowercase()
        ),
        name: field("name"),
        version: field("version"),
    })
}

/// One HTTP request as [`read_request`] read it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `POST`, …
    pub method: String,
    /// The request path.
    pub path: String,
    /// Headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Reads one line of at most `limit` bytes (the newline included); `Err` past it.
fn bounded_line(r: &mut impl BufRead, limit: usize) -> Result<String, (u16, String)> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(limit as u64 + 1)
        .read_until(b'\n', &mut buf)
        .map_err(|e| (400, e.to_string()))?;
    if n > limit {
        return Err((431, "request head too large".into()));
    }
    String::from_utf8(buf).map_err(|_| (400, "a request head that is not UTF-8".into()))
}

/// One HTTP request read from a connection, within bounds: a head of at most 16 KiB, a body
/// of at most [`MAX_BODY`] with one `Content-Length` (no chunked bodies). `Err` with the
/// status to answer otherwise.
pub fn read_request(stream: &mut impl Read) -> Result<Request, (u16, String)> {
    let mut r = BufReader::new(stream);
    let bad = |s: &str| (400, s.to_string());
    let line = bounded_line(&mut r, MAX_HEAD)?;
    let mut head = line.len();
    let mut parts = line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(bad("not an HTTP request"));
    };
    let (method, path) = (method.to_string(), path.to_string());
    let mut headers = BTreeMap::new();
    loop {
        let h = bounded_line(&mut r, MAX_HEAD - head.min(MAX_HEAD))?;
        head += h.len();
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let Some((k, v)) = h.split_once(':') else {
            return Err(bad("a header line without a colon"));
        };
        if k.is_empty() || k.ends_with(char::is_whitespace) {
            return Err(bad("a header name with spaces"));
        }
        let k = k.to_ascii_lowercase();
        if headers.contains_key(&k) {
            return Err(bad(&format!("the header {k} twice")));
        }
        headers.insert(k, v.trim().to_string());
    }
    if headers.contains_key("transfer-encoding") {
        return Err((411, "send the body with a Content-Length".into()));
    }
    let len: usize = match headers.get("content-length") {
        Some(v) => v.parse().map_err(|_| bad("bad Content-Length"))?,
        None => 0,
    };
    if len > MAX_BODY {
        return Err((413, format!("body of {len} bytes, more than {MAX_BODY}")));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).map_err(|e| bad(&e.to_string()))?;
    Ok(Request {
        method,
        path,
        headers,
        body,
    })
}

/// The delivery in a request's headers and body.
pub fn delivery(headers: &BTreeMap<String, String>, body: Vec<u8>) -> Delivery {
    let h = |k: &str| headers.get(k).cloned().unwrap_or_default();
    Delivery {
        id: h("x-mlflow-delivery-id"),
        timestamp: h("x-mlflow-timestamp"),
        signature: h("x-mlflow-signature"),
        body,
    }
}

/// Answers with `status` and a one-line text body, and closes.
pub fn respond(stream: &mut impl Write, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let body = format!("{text}\n");
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// A new random webhook secret (32 bytes, hex).
pub fn new_secret() -> String {
    use ssh_key::rand_core::RngCore;
    let mut b = [0u8; 32];
    ssh_key::rand_core::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(secret: &str, id: &str, ts: i64, body: &str) -> Delivery {
        let t = ts.to_string();
        Delivery {
            id: id.into(),
            signature: signature(secret, id, &t, body.as_bytes()),
            timestamp: t,
            body: body.as_bytes().to_vec(),
        }
    }

    const BODY: &str = r#"{"entity": "model_version_tag", "action": "set", "timestamp": "2026-12-04T10:00:00+00:00", "data": {"name": "credit", "version": "2", "key": "k", "value": "v"}}"#;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // A key longer than the block is hashed first (RFC 4231 test case 6).
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_signed_delivery_is_read_and_forged_stale_or_replayed_ones_are_refused() {
        let mut g = ReplayGuard::default();
        let now = 1_800_000_000;
        let ok = check("s3cret", &signed("s3cret", "d-1", now, BODY), now, &mut g).expect("ok");
        assert_eq!(ok.event, "model_version_tag.set");
        assert_eq!(
            (ok.name.as_deref(), ok.version.as_deref()),
            (Some("credit"), Some("2"))
        );
        // The same delivery again: a replay.
        assert_eq!(
            check("s3cret", &signed("s3cret", "d-1", now, BODY), now, &mut g),
            Err(Refusal::Replayed)
        );
        // Another secret, a changed body, a changed id: forged.
        assert_eq!(
            check("s3cret", &signed("other", "d-2", now, BODY), now, &mut g),
            Err(Refusal::BadSignature)
        );
        let mut d = signed("s3cret", "d-3", now, BODY);
        d.body = BODY.replace("\"2\"", "\"3\"").into_bytes();
        assert_eq!(check("s3cret", &d, now, &mut g), Err(Refusal::BadSignature));
        let mut d = signed("s3cret", "d-4", now, BODY);
        d.id = "d-5".into();
        assert_eq!(check("s3cret", &d, now, &mut g), Err(Refusal::BadSignature));
        // Signed, but old (or from the future): refused.
        let old = signed("s3cret", "d-6", now - 301, BODY);
        assert_eq!(check("s3cret", &old, now, &mut g), Err(Refusal::Stale(301)));
        let future = signed("s3cret", "d-7", now + 400, BODY);
        assert_eq!(
            check("s3cret", &future, now, &mut g),
            Err(Refusal::Stale(-400))
        );
        // No signature at all.
        let mut d = signed("s3cret", "d-8", now, BODY);
        d.signature.clear();
        assert_eq!(check("s3cret", &d, now, &mut g), Err(Refusal::Unsigned));
        // An absurd timestamp is stale, not an overflow.
        let absurd = signed("s3cret", "d-10", i64::MIN, BODY);
        assert!(matches!(
            check("s3cret", &absurd, now, &mut g),
            Err(Refusal::Stale(_))
        ));
        // Signed nonsense is refused as such, and does not use up its id.
        let junk = signed("s3cret", "d-9", now, "{\"x\": 1}");
        assert!(matches!(
            check("s3cret", &junk, now, &mut g),
            Err(Refusal::Malformed(_))
        ));
    }

    #[test]
    fn requests_are_read_within_bounds() {
        let raw = b"POST /hook HTTP/1.1\r\nHost: x\r\nX-MLflow-Delivery-Id: d\r\nContent-Length: 2\r\n\r\n{}";
        let r = read_request(&mut &raw[..]).expect("request");
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.body.as_slice()),
            ("POST", "/hook", &b"{}"[..])
        );
        assert_eq!(r.headers["x-mlflow-delivery-id"], "d");
        let huge = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert_eq!(
            read_request(&mut huge.as_bytes())
                .map(|_| ())
                .unwrap_err()
                .0,
            413
        );
        let long = format!("POST / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(
            read_request(&mut long.as_bytes())
                .map(|_| ())
                .unwrap_err()
                .0,
            431
        );
    }
}
