//! Reading the REST index: the fields discovery asks for, the answer judged (an index, WordPress
//! refusing, a web page, a server error), and the URL arithmetic around it.

use url::Url;

use crate::address::SiteAddress;
use crate::body::{html_error, likely_cause, looks_like_html, rest_error, snippet};
use crate::error::{Error, Result};
use crate::http::Answer;
use crate::site::{parse_index, IndexProblem, RestIndex};

/// The fields of the REST index discovery reads (the full index of a big site runs to megabytes).
pub(super) const INDEX_FIELDS: &str =
    "name,description,url,home,gmt_offset,timezone_string,namespaces,authentication,site_icon_url";

/// Read an answer that should be a REST index.
pub(super) fn read_index(
    from: &Url,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<RestIndex> {
    let url = without_fields(from);
    let html = looks_like_html(content_type, body);
    if (200..300).contains(&status) {
        if html {
            return Err(html_error(url, status, body));
        }
        return match parse_index(body, from) {
            Ok(ix) => Ok(ix),
            Err(IndexProblem::Syntax(detail)) => {
                Err(Error::InvalidJson { url, status, detail, snippet: snippet(body) })
            }
            Err(IndexProblem::NotAnIndex(why)) => {
                Err(Error::NotWordpress { url, detail: why.into() })
            }
        };
    }
    let rest_error = rest_error(body);
    match status {
        401 | 403 => Err(Error::RestApiBlocked {
            url,
            status,
            code: rest_error.as_ref().map(|e| e.0.clone()),
            message: rest_error.map(|e| e.1),
            snippet: html.then(|| snippet(body)),
        }),
        404 | 410 if rest_error.is_some() => {
            let (code, message) = rest_error.expect("checked");
            Err(Error::RestApiBlocked {
                url,
                status,
                code: Some(code),
                message: Some(message),
                snippet: None,
            })
        }
        500..=599 if html && likely_cause(body).is_some() => Err(html_error(url, status, body)),
        500..=599 => Err(Error::ServerError { url, status, snippet: snippet(body) }),
        _ if html => Err(html_error(url, status, body)),
        _ => Err(Error::NotWordpress {
            url,
            detail: format!("the REST API address answered HTTP {status}"),
        }),
    }
}

pub(super) fn with_fields(root: &Url) -> Url {
    let mut u = root.clone();
    u.query_pairs_mut().append_pair("_fields", INDEX_FIELDS);
    u
}

pub(super) fn without_fields(u: &Url) -> Url {
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != "_fields")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = u.clone();
    if pairs.is_empty() {
        out.set_query(None);
    } else {
        // Keep `rest_route=/` readable rather than `%2F`.
        let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.set_query(Some(&q.join("&")));
    }
    out
}

pub(super) fn same_root(a: &Url, b: &Url) -> bool {
    without_fields(a) == without_fields(b)
}

pub(super) fn strip_query(u: &Url) -> Url {
    let mut u = u.clone();
    u.set_query(None);
    u
}

/// The site base an answer came from: its path up to WordPress's own parts.
pub(super) fn answered_base(answer: &Answer) -> Url {
    let mut u = answer.url.clone();
    u.set_path(&base_path_of(&answer.url));
    u.set_query(None);
    u.set_fragment(None);
    u
}

pub(super) fn base_path_of(u: &Url) -> String {
    // Reuse the address rules: cut at wp-json, wp-admin, index.php, …
    SiteAddress::parse(u.as_str()).map(|a| a.path).unwrap_or_else(|_| "/".into())
}
