//! The `oauth2` crate's async HTTP client over this project's HTTP seam, and the one place that
//! knows how WordPress's token endpoints answer.

use reqwest::header::{HeaderValue, AUTHORIZATION, REFERER};
use url::Url;

use super::token::{answer_error, read_tokens};
use crate::body;
use crate::error::{Error, Result};
use crate::http::{limits, Http};

/// The `oauth2` crate's async HTTP client: every request through [`Http`] (the credential check,
/// same-origin redirects only, bounded bodies, timeouts), answers made readable for the crate.
pub(crate) struct Transport<'a> {
    http: &'a Http,
    referer: &'a Url,
    /// The last answer as the server sent it, to explain a refusal or a broken answer.
    last: std::sync::Mutex<Option<(u16, Option<String>, bytes::Bytes)>>,
}

/// What went wrong on the way (the crate's view of [`Error`]).
#[derive(Debug)]
pub(crate) struct TransportError(pub(crate) Error);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TransportError {}

impl<'a> Transport<'a> {
    pub(crate) fn new(http: &'a Http, referer: &'a Url) -> Self {
        Transport { http, referer, last: std::sync::Mutex::new(None) }
    }

    async fn send(&self, request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse> {
        let url = Url::parse(&request.uri().to_string()).map_err(|e| Error::InvalidJson {
            url: self.referer.clone(),
            status: 0,
            detail: format!("the token endpoint address could not be read: {e}"),
            snippet: String::new(),
        })?;
        let mut headers = request.headers().clone();
        if let Some(v) = headers.get_mut(AUTHORIZATION) {
            v.set_sensitive(true);
        }
        if let Ok(r) = HeaderValue::from_str(self.referer.as_str()) {
            headers.insert(REFERER, r);
        }
        let body = String::from_utf8_lossy(request.body()).into_owned();
        let mut answer = self.http.post_form(url, headers, body).await?;
        let status = answer.status.as_u16();
        let content_type = answer.content_type().map(str::to_string);
        let bytes = answer.body(limits::JSON, self.http.options().timeout).await?;
        let readable = if (200..300).contains(&status) { readable(&bytes) } else { bytes.to_vec() };
        *self.last.lock().expect("not poisoned") = Some((status, content_type, bytes));
        oauth2::http::Response::builder()
            .status(status)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(readable)
            .map_err(|e| Error::InvalidJson {
                url: self.referer.clone(),
                status,
                detail: e.to_string(),
                snippet: String::new(),
            })
    }

    /// The error the last answer means (`parse_error`: what the crate could not read in it).
    pub(crate) fn explain(&self, url: &Url, parse_error: &str) -> Error {
        let last = self.last.lock().expect("not poisoned").take();
        let Some((status, content_type, body)) = last else {
            return Error::InvalidJson {
                url: url.clone(),
                status: 0,
                detail: parse_error.to_string(),
                snippet: String::new(),
            };
        };
        if !(200..300).contains(&status) {
            return answer_error(url, status, content_type.as_deref(), &body);
        }
        match read_tokens(url, status, content_type.as_deref(), &body) {
            Err(e) => e,
            Ok(_) => Error::InvalidJson {
                url: url.clone(),
                status,
                detail: parse_error.to_string(),
                snippet: body::snippet_redacted(&body),
            },
        }
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for Transport<'_> {
    type Error = TransportError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<oauth2::HttpResponse, TransportError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move { self.send(request).await.map_err(TransportError) })
    }
}

/// A successful token answer as the crate reads it: JSON after any PHP notices, `expires_in` a
/// number (WordPress plugins send "3600" too), a `token_type` (some leave it out: Bearer is meant),
/// no empty refresh token. Anything else is left as it came, for [`read_tokens`] to explain.
pub(super) fn readable(body: &[u8]) -> Vec<u8> {
    let json = body::json_after_php_notices(body).unwrap_or(body);
    let Ok(serde_json::Value::Object(mut o)) =
        serde_json::from_slice::<serde_json::Value>(crate::site::trim_json_prefix(json))
    else {
        return body.to_vec();
    };
    match o.get("expires_in") {
        Some(serde_json::Value::String(s)) => match s.trim().parse::<u64>() {
            Ok(n) => {
                o.insert("expires_in".into(), n.into());
            }
            Err(_) => {
                o.remove("expires_in");
            }
        },
        Some(serde_json::Value::Number(n)) if n.as_u64().is_none() => {
            o.remove("expires_in");
        }
        Some(serde_json::Value::Null) => {
            o.remove("expires_in");
        }
        _ => {}
    }
    if !o.contains_key("token_type") {
        o.insert("token_type".into(), "bearer".into());
    }
    if o.get("refresh_token").is_some_and(|r| r.as_str().is_none_or(str::is_empty)) {
        o.remove("refresh_token");
    }
    if o.get("scope").is_some_and(|s| !s.is_string()) {
        o.remove("scope");
    }
    serde_json::to_vec(&o).unwrap_or_else(|_| body.to_vec())
}
