//! The state machine's decisions, as pure functions tested case by case: what to fetch next when
//! the first probes did not find an index, and which error to report when nothing did.

use url::Url;

use super::index::{base_path_of, same_root, strip_query};
use crate::error::Error;

/// What the page probe learned.
#[derive(Debug)]
pub enum PageOutcome {
    /// The page advertises this REST root.
    Root(Url),
    /// The page answered but advertises no REST root.
    NoLink {
        url: Url,
        looks_like_wordpress: bool,
    },
    Failed(Error),
}

/// What discovery does next.
#[derive(Debug)]
pub enum Next {
    Fetch(Url),
    Fail(Error),
}

/// Decide what to do when the `/wp-json/` guess did not give an index.
pub fn after_probes(guess_url: &Url, guess_err: Error, page: PageOutcome) -> Next {
    match page {
        PageOutcome::Root(root) if same_root(&root, guess_url) => Next::Fail(guess_err),
        PageOutcome::Root(root) => Next::Fetch(root),
        PageOutcome::NoLink { url, .. } => {
            // `?rest_route=/` works whatever the permalink settings, at the base the page answered
            // at.
            let mut u = url;
            u.set_path(base_path_of(&u).as_str());
            u.set_query(Some("rest_route=/"));
            u.set_fragment(None);
            Next::Fetch(u)
        }
        PageOutcome::Failed(page_err) => {
            // Both failed. Report the one that learned more about the site.
            if guess_err.depth() >= page_err.depth() {
                Next::Fail(guess_err)
            } else {
                Next::Fail(page_err)
            }
        }
    }
}

/// Decide what to report when the last resort, `?rest_route=/`, failed too.
pub fn after_rest_route(url: &Url, err: Error, looks_like_wordpress: bool) -> Error {
    match err {
        // WordPress itself (or a plugin speaking for it) refused: that is the answer.
        e @ (Error::RestApiBlocked { .. }
        | Error::InvalidJson { .. }
        | Error::ServerError { .. }) => e,
        e if e.is_transport() => e,
        e @ Error::HtmlInsteadOfJson { cause: Some(_), .. } => e,
        e @ Error::HtmlInsteadOfJson { status: 200..=299, .. } if looks_like_wordpress => e,
        _ if looks_like_wordpress => Error::NotWordpress {
            url: strip_query(url),
            detail:
                "it looks like WordPress, but its REST API does not answer (it may be switched \
                 off)"
                    .into(),
        },
        _ => Error::NotWordpress {
            url: strip_query(url),
            detail: "it does not advertise a WordPress REST API, and neither /wp-json/ nor \
                     ?rest_route=/ answered with one"
                .into(),
        },
    }
}

/// Of several attempts' errors, the one that learned the most (the first among equals).
pub(super) fn best_error(failures: Vec<(Url, Error)>) -> Error {
    let mut best: Option<Error> = None;
    for (_, e) in failures {
        best = match best {
            Some(b) if b.depth() >= e.depth() => Some(b),
            _ => Some(e),
        };
    }
    best.expect("at least one candidate is always tried")
}
