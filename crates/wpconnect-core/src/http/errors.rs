//! Transport errors in the words a person understands.

use std::error::Error as StdError;
use std::time::Duration;

use url::Url;

use super::origin;
use crate::error::Error;

/// Turn a transport error into the error a person understands.
pub(super) fn classify(e: &reqwest::Error, url: &Url, timeout: Duration) -> Error {
    let chain = error_chain(e);
    let lower = chain.to_lowercase();
    if e.is_timeout() || lower.contains("timed out") {
        let mut shown = url.clone();
        shown.set_query(None);
        return Error::Timeout { url: shown, after: timeout };
    }
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return Error::Dns { host: url.host_str().unwrap_or_default().to_string() };
    }
    if let Some(io) = find_source::<std::io::Error>(e) {
        if io.kind() == std::io::ErrorKind::ConnectionRefused {
            return Error::ConnectionRefused { url: origin(url) };
        }
    }
    if lower.contains("connection refused") {
        return Error::ConnectionRefused { url: origin(url) };
    }
    // The connection went away mid-way (reset, or closed before the answer was whole: over
    // TLS, without its closing message). Not a certificate problem, whatever layer noticed.
    if let Some(detail) = cut_off(e, &lower) {
        return Error::Connect { url: origin(url), detail: detail.into() };
    }
    if url.scheme() == "https"
        && (lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
            || lower.contains("corrupt message")
            || lower.contains("invalid content type")
            || lower.contains("peer"))
    {
        return Error::Tls { url: origin(url), detail: tls_detail(&lower, &chain) };
    }
    Error::Connect { url: origin(url), detail: last_cause(e) }
}

/// Why a connection that was open stopped, in words; `None` when it was not cut off.
fn cut_off(e: &reqwest::Error, lower: &str) -> Option<&'static str> {
    if lower.contains("handshake eof") {
        return None; // no TLS on that port: said by the TLS branch
    }
    let io = find_source::<std::io::Error>(e).map(std::io::Error::kind);
    if io == Some(std::io::ErrorKind::ConnectionReset)
        || io == Some(std::io::ErrorKind::ConnectionAborted)
        || lower.contains("connection reset")
    {
        return Some("the connection was reset by the server or the network");
    }
    if io == Some(std::io::ErrorKind::UnexpectedEof)
        || lower.contains("unexpected-eof")
        || lower.contains("unexpected eof")
        || lower.contains("close_notify")
        || lower.contains("incompletemessage")
        || lower.contains("connection closed before message completed")
        || lower.contains("end of file before message length reached")
    {
        return Some("the connection closed before the whole answer came");
    }
    None
}

fn tls_detail(lower: &str, chain: &str) -> String {
    if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
        "the certificate is not signed by an authority this computer trusts (self-signed?)".into()
    } else if lower.contains("expired") {
        "the certificate has expired".into()
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        "the certificate was issued for another name".into()
    } else if lower.contains("corrupt message")
        || lower.contains("invalid content type")
        || lower.contains("handshake eof")
    {
        "the server does not speak https on this port".into()
    } else {
        chain.rsplit(": ").next().unwrap_or(chain).to_string()
    }
}

fn error_chain(e: &(dyn StdError + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

fn last_cause(e: &(dyn StdError + 'static)) -> String {
    let mut cur: &(dyn StdError + 'static) = e;
    while let Some(s) = cur.source() {
        cur = s;
    }
    cur.to_string()
}

fn find_source<'a, T: StdError + 'static>(e: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut cur: Option<&'a (dyn StdError + 'static)> = Some(e);
    while let Some(s) = cur {
        if let Some(t) = s.downcast_ref::<T>() {
            return Some(t);
        }
        cur = s.source();
    }
    None
}
