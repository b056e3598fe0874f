//! The loopback redirect listener (RFC 8252 §7.3): 127.0.0.1 only, one callback on the expected
//! path, then closed; a timeout and a cancel.
//!
//! The caller's `judge` decides each request to the callback path (state, code, error...) and the
//! browser is told whether to go back to the app. An answer that is not for this sign-in (a
//! wrong `state`: another tab, a stale link, a page trying its luck) gets an error page and the
//! wait goes on, so it cannot end the real one. Connections are served side by side (at most
//! [`MAX_CONNECTIONS`], each with a short read timeout), so idle or slow ones cannot hold off the
//! real callback. Requests to other paths (a favicon, a port scanner) get a 404.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use url::Url;

use crate::error::{Error, Result};

pub const CALLBACK_PATH: &str = "/callback";
/// How long a person has to finish in the browser, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Cancels a waiting sign-in (the app's Cancel button, Ctrl-C in the CLI).
#[derive(Clone, Default, Debug)]
pub struct Cancel(Arc<(AtomicBool, Notify)>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0 .0.store(true, Ordering::SeqCst);
        self.0 .1.notify_waiters();
    }
    /// The same cancellation (a clone of it), not merely an equal one.
    pub fn same(&self, other: &Cancel) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    pub fn is_cancelled(&self) -> bool {
        self.0 .0.load(Ordering::SeqCst)
    }
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0 .1.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// A bound listener, waiting to be handed to the browser as `redirect_uri`.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    redirect_uri: Url,
}

impl Loopback {
    /// Listen on 127.0.0.1 at the first free port of `ports`, or at an ephemeral port when
    /// `ports` is empty. Servers that match redirect URIs exactly need a registered port.
    pub async fn bind(ports: &[u16]) -> Result<Loopback> {
        let candidates: Vec<u16> = if ports.is_empty() { vec![0] } else { ports.to_vec() };
        let mut last = None;
        for port in candidates {
            match TcpListener::bind(("127.0.0.1", port)).await {
                Ok(listener) => {
                    let port = listener
                        .local_addr()
                        .map_err(|e| Error::LoopbackUnavailable {
                            ports: ports.to_vec(),
                            detail: e.to_string(),
                        })?
                        .port();
                    let redirect_uri =
                        Url::parse(&format!("http://127.0.0.1:{port}{CALLBACK_PATH}"))
                            .expect("valid URL");
                    return Ok(Loopback { listener, redirect_uri });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(Error::LoopbackUnavailable {
            ports: ports.to_vec(),
            detail: last.map(|e| e.to_string()).unwrap_or_default(),
        })
    }

    /// `http://127.0.0.1:<port>/callback`: the exact URI to register with a server.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Wait for the callback. `judge` gets each callback's query parameters and decides: its
    /// result is returned and the browser is told in plain words, except for
    /// [`Error::StateMismatch`], after which the wait goes on (if it then runs out, that is the
    /// error returned: it says more than a timeout). The listener is closed on return.
    pub async fn wait<T>(
        self,
        timeout: Duration,
        cancel: &Cancel,
        mut judge: impl FnMut(&HashMap<String, String>) -> Result<T>,
    ) -> Result<T> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(TcpStream, String)>(MAX_CONNECTIONS);
        let accept = accept_callbacks(self.listener, tx);
        let mismatched = AtomicBool::new(false);
        let answered = async {
            while let Some((mut stream, target)) = rx.recv().await {
                match judge(&callback_params(&target)) {
                    Err(Error::StateMismatch) => {
                        mismatched.store(true, Ordering::SeqCst);
                        let _ = respond(
                            &mut stream,
                            400,
                            "Not for this sign-in",
                            "This answer does not belong to the sign-in WP Connect is waiting for, \
                             so it was not used. If you started another sign-in, finish it in its \
                             own tab.",
                        )
                        .await;
                    }
                    verdict => {
                        tell_browser(&mut stream, &verdict).await;
                        return verdict;
                    }
                }
            }
            Err(Error::CallbackTimeout { after: timeout })
        };
        tokio::select! {
            v = answered => v,
            _ = accept => unreachable!("the accept loop never ends"),
            _ = tokio::time::sleep(timeout) => Err(if mismatched.load(Ordering::SeqCst) {
                Error::StateMismatch
            } else {
                Error::CallbackTimeout { after: timeout }
            }),
            _ = cancel.cancelled() => Err(Error::Cancelled),
        }
    }
}

/// Accept connections (from 127.0.0.1 only, at most [`MAX_CONNECTIONS`] at once) and pass each
/// request for the callback path on; anything else is answered 404. Never ends.
async fn accept_callbacks(
    listener: TcpListener,
    tx: tokio::sync::mpsc::Sender<(TcpStream, String)>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            // Out of file descriptors, say: wait a little rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // 127.0.0.1 only; and when every slot is taken, new connections are closed.
        let Ok(slot) = slots.clone().try_acquire_owned() else { continue };
        if !peer.ip().is_loopback() {
            continue;
        }
        let tx = tx.clone();
        tokio::spawn(async move {
            let _slot = slot;
            match read_request(stream).await {
                Some((stream, target)) if is_callback(&target) => {
                    let _ = tx.send((stream, target)).await;
                }
                Some((mut stream, _)) => {
                    let body = "This address only receives WP Connect's sign-in.";
                    let _ = respond(&mut stream, 404, "Not found", body).await;
                }
                None => {}
            }
        });
    }
}

/// The page the browser shows once the sign-in's answer was judged.
async fn tell_browser<T>(stream: &mut TcpStream, verdict: &Result<T>) {
    let _ = match verdict {
        Ok(_) => {
            let body = "You can close this tab and return to WP Connect.";
            respond(stream, 200, "Signed in", body).await
        }
        Err(e) => {
            let body = format!("{e} Return to WP Connect to try again.");
            respond(stream, 400, "Sign-in did not complete", &body).await
        }
    };
}

/// Connections served at once; more are closed as they come.
pub const MAX_CONNECTIONS: usize = 64;
/// How long a connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(3);

fn path_of(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or("")
}

/// Read one request head (bounded in size and time); return the request target of a GET.
async fn read_request(mut stream: TcpStream) -> Option<(TcpStream, String)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read = async {
        loop {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                return Some(());
            }
            if buf.len() > 16 * 1024 {
                return None;
            }
        }
    };
    tokio::time::timeout(READ_TIMEOUT, read).await.ok()??;
    match request_line(&buf)? {
        RequestLine::Get(target) => Some((stream, target)),
        RequestLine::NotGet => {
            let _ = respond(
                &mut stream,
                405,
                "Not allowed",
                "This address only receives WP Connect's sign-in.",
            )
            .await;
            None
        }
    }
}

/// What a request head asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RequestLine {
    /// A GET, with its request target.
    Get(String),
    /// Any other method.
    NotGet,
}

/// Read the request line of a head the browser sent; `None` when there is none to read.
pub(crate) fn request_line(head: &[u8]) -> Option<RequestLine> {
    let head = String::from_utf8_lossy(head);
    let mut first = head.lines().next()?.split(' ');
    let (method, target) = (first.next()?, first.next()?);
    Some(if method == "GET" { RequestLine::Get(target.to_string()) } else { RequestLine::NotGet })
}

/// Is this request target the callback (whatever its query)?
pub(crate) fn is_callback(target: &str) -> bool {
    path_of(target) == CALLBACK_PATH
}

/// The query parameters of a callback's request target.
pub(crate) fn callback_params(target: &str) -> HashMap<String, String> {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    // A fragment never reaches a server; one that does is not part of the query.
    let query = query.split('#').next().unwrap_or("");
    url::form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    title: &str,
    text: &str,
) -> std::io::Result<()> {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>WP Connect: \
         {t}</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem \
         auto;padding:0 1rem}}</style></head>\
         <body><h1>{t}</h1><p>{x}</p></body></html>",
        t = escape(title),
        x = escape(text)
    );
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \
         {}\r\n\
         Content-Security-Policy: default-src 'none'; style-src \
         'unsafe-inline'\r\nReferrer-Policy: no-referrer\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
