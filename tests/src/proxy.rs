//! A fault-injecting HTTP proxy on loopback, in front of the real MLflow harness. Requests are
//! forwarded to MLflow one connection each; the fault applies to requests whose path contains
//! the filter, and can be changed while the proxy runs.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to a matching request.
#[derive(Clone, Debug, PartialEq)]
pub enum ProxyFault {
    /// Forward untouched.
    Pass,
    /// Forward, then send the headers and half the body and reset the connection.
    ResetMidBody,
    /// Answer 429 with `Retry-After: secs` to the first `times` matching requests.
    TooManyRequests {
        /// Retry-After seconds.
        secs: u32,
        /// How many requests get it.
        times: u64,
    },
    /// Answer `status` to the first `times` matching requests.
    ServerErrors {
        /// 500, 502, 503 …
        status: u16,
        /// How many requests get it.
        times: u64,
    },
    /// Read the request and never answer.
    Stall,
    /// Forward, then send only the first half of the body (with a matching Content-Length).
    TruncatedJson,
    /// Answer 200 with a body that is not JSON.
    MalformedJson,
    /// Forward, then replace every `next_page_token` with the first one the proxy saw.
    RepeatPageToken,
    /// Forward, then remove every `next_page_token`.
    DropPageToken,
    /// Answer 401 with the request's own headers in the body, as some error pages do.
    EchoRequest,
    /// Forward `n` more matching requests, then stop listening (connection refused) until
    /// [`FaultProxy::restart`].
    DieAfter(u64),
}

#[derive(Debug)]
struct Shared {
    upstream: String,
    fault: ProxyFault,
    filter: String,
    matched: u64,
    first_token: Option<String>,
    auth: Vec<String>,
}

/// The proxy. Dropping it stops it.
#[derive(Debug)]
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub uri: String,
    port: u16,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    /// Requests received (all paths).
    pub hits: Arc<AtomicU64>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT` of MLflow), forwarding untouched.
    pub fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let up = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let p = Self {
            uri: format!("http://127.0.0.1:{port}"),
            port,
            shared: Arc::new(Mutex::new(Shared {
                upstream: up,
                fault: ProxyFault::Pass,
                filter: String::new(),
                matched: 0,
                first_token: None,
                auth: Vec::new(),
            })),
            stop: Arc::new(AtomicBool::new(false)),
            hits: Arc::new(AtomicU64::new(0)),
        };
        p.serve(listener);
        p
    }

    /// Applies `fault` from now on to requests whose path contains `filter` ("" = all).
    pub fn set(&self, fault: ProxyFault, filter: &str) {
        let mut s = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        s.fault = fault;
        s.filter = filter.to_string();
        s.matched = 0;
        s.first_token = None;
    }

    /// Matching requests seen since the last [`set`](Self::set).
    pub fn matched(&self) -> u64 {
        self.shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .matched
    }

    /// The `Authorization` headers clients sent (to show a secret was really in play).
    pub fn authorizations(&self) -> Vec<String> {
        self.shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .auth
            .clone()
    }

    /// Listens again on the same port after [`ProxyFault::DieAfter`], forwarding untouched.
    pub fn restart(&self) {
        self.set(ProxyFault::Pass, "");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => return self.serve(l),
                Err(e) if std::time::Instant::now() > deadline => {
                    panic!("cannot listen again on {}: {e}", self.port)
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    fn serve(&self, listener: TcpListener) {
        let (shared, stop, hits) = (self.shared.clone(), self.stop.clone(), self.hits.clone());
        listener.set_nonblocking(true).ok();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let (client, _) = match listener.accept() {
                    Ok(c) => c,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(2));
                        continue;
                    }
                };
                hits.fetch_add(1, Ordering::Relaxed);
                client.set_nonblocking(false).ok();
                match handle(&shared, client) {
                    Handled::Done => {}
                    Handled::Hold(s) => held.push(s),
                    Handled::Die => return, // drops the listener: connection refused
                }
            }
        });
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

enum Handled {
    Done,
    Hold(TcpStream),
    Die,
}

fn read_request(s: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((head, buf[head_end..].to_vec()))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Sends the request upstream as HTTP/1.0 (no chunking, closed at the end) and returns the
/// status line's code, content type and body.
fn forward(upstream: &str, head: &str, body: &[u8]) -> Option<(u16, String, Vec<u8>)> {
    let mut lines = head.lines();
    let request_line = lines.next()?;
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    let mut out =
        format!("{method} {target} HTTP/1.0\r\nHost: {upstream}\r\nConnection: close\r\n");
    for l in lines {
        let lower = l.to_ascii_lowercase();
        if l.is_empty()
            || lower.starts_with("host:")
            || lower.starts_with("connection:")
            || lower.starts_with("content-length:")
        {
            continue;
        }
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut up = TcpStream::connect(upstream).ok()?;
    up.write_all(out.as_bytes()).ok()?;
    up.write_all(body).ok()?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).ok()?;
    let end = find(&resp, b"\r\n\r\n")?;
    let rhead = String::from_utf8_lossy(&resp[..end]).to_string();
    let status = rhead.split(' ').nth(1)?.parse().ok()?;
    let ctype = rhead
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| "application/json".into());
    Some((status, ctype, resp[end + 4..].to_vec()))
}

fn respond(s: &mut TcpStream, status: u16, ctype: &str, extra: &str, body: &[u8]) {
    let _ = write!(
        s,
        "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(body);
    let _ = s.flush();
}

fn rewrite_token(body: &[u8], f: impl FnOnce(Option<String>) -> Option<String>) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return body.to_vec();
    };
    let Some(obj) = v.as_object_mut() else {
        return body.to_vec();
    };
    let old = obj
        .remove("next_page_token")
        .and_then(|t| t.as_str().map(str::to_string));
    if let Some(t) = f(old) {
        obj.insert("next_page_token".into(), serde_json::Value::String(t));
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

fn handle(shared: &Mutex<Shared>, mut client: TcpStream) -> Handled {
    let Some((head, body)) = read_request(&mut client) else {
        return Handled::Done;
    };
    let path = head.split(' ').nth(1).unwrap_or_default().to_string();
    let (upstream, fault, nth) = {
        let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("authorization")
                .then(|| v.trim().to_string())
        }) {
            s.auth.push(a);
        }
        let matches = s.filter.is_empty() || path.contains(&s.filter);
        if matches {
            s.matched += 1;
        }
        let fault = if matches {
            s.fault.clone()
        } else {
            ProxyFault::Pass
        };
        (s.upstream.clone(), fault, s.matched)
    };
    let upstream_answer = || forward(&upstream, &head, &body);
    match fault {
        ProxyFault::Stall => return Handled::Hold(client),
        ProxyFault::TooManyRequests { secs, times } if nth <= times => {
            respond(
                &mut client,
                429,
                "application/json",
                &format!("Retry-After: {secs}\r\n"),
                br#"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}"#,
            );
            return Handled::Done;
        }
        ProxyFault::ServerErrors { status, times } if nth <= times => {
            respond(&mut client, status, "text/plain", "", b"upstream trouble");
            return Handled::Done;
        }
        ProxyFault::EchoRequest => {
            let echoed = format!("Unauthorized. Your request was:\n{head}");
            respond(&mut client, 401, "text/plain", "", echoed.as_bytes());
            return Handled::Done;
        }
        ProxyFault::MalformedJson => {
            respond(
                &mut client,
                200,
                "application/json",
                "",
                b"{\"registered_models\": [ {nope",
            );
            return Handled::Done;
        }
        ProxyFault::DieAfter(n) if nth > n => {
            let _ = client.shutdown(Shutdown::Both);
            return Handled::Die;
        }
        _ => {}
    }
    let Some((status, ctype, rbody)) = upstream_answer() else {
        respond(
            &mut client,
            502,
            "text/plain",
            "",
            b"proxy: upstream unreachable",
        );
        return Handled::Done;
    };
    match fault {
        ProxyFault::ResetMidBody => {
            let _ = write!(
                client,
                "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                rbody.len()
            );
            let _ = client.write_all(&rbody[..rbody.len() / 2]);
            let _ = client.flush();
            let _ = client.shutdown(Shutdown::Both);
        }
        ProxyFault::TruncatedJson => {
            respond(&mut client, status, &ctype, "", &rbody[..rbody.len() / 2]);
        }
        ProxyFault::RepeatPageToken => {
            let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
            let b = rewrite_token(&rbody, |t| {
                if s.first_token.is_none() {
                    s.first_token = t.clone();
                }
                t.and(s.first_token.clone())
            });
            drop(s);
            respond(&mut client, status, &ctype, "", &b);
        }
        ProxyFault::DropPageToken => {
            let b = rewrite_token(&rbody, |_| None);
            respond(&mut client, status, &ctype, "", &b);
        }
        _ => respond(&mut client, status, &ctype, "", &rbody),
    }
    Handled::Done
}
