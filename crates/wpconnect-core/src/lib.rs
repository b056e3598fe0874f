//! WP Connect's core: everything the desktop app and the `wpconnect` CLI do, without any UI.
//!
//! - [`address`]: what a person types, turned into addresses worth trying.
//! - [`discovery`]: finding a site's REST API, what the site is, and how to sign in to it.
//! - [`site`]: the site's information and sign-in methods, parsed from its REST index.
//! - [`recommend`]: which method to use, and why.
//! - [`http`]: the one HTTP seam (rustls, timeouts, bounded bodies, redirects by hand).
//! - [`error`]: the one error type, each variant with a message, a hint and a stable kind.
//! - [`doctor`]: the client-configuration doctor for site admins (`wpconnect doctor`).
//! - [`upload`]: photos (any media) into a site's library, for an account of any method.

// Every fallible function returns the one `Error`, whose variants carry what a person needs (URLs,
// excerpts): large by design, and returned only on the slow path.
#![allow(clippy::result_large_err)]

pub mod address;
pub mod app_passwords;
pub mod body;
pub mod browser;
pub mod crypto;
pub mod discovery;
pub mod doctor;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod http;
pub mod loopback;
pub mod oauth1;
pub mod oauth2;
pub mod present;
pub mod profile;
pub mod recommend;
pub mod report;
pub mod rest;
pub mod secret;
pub mod session;
pub mod settings;
pub mod signin;
pub mod site;
pub mod store;
pub mod upload;

pub use address::SiteAddress;
pub use discovery::{Discovered, Discoverer, DiscoveryOptions, Permalinks};
pub use error::{Category, Error, ErrorKind, Face, Result};
pub use http::HttpOptions;
pub use recommend::{Method, Recommendation};
pub use site::{AuthMethods, SiteInfo};

/// The core's version, shown by the CLI and the desktop app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
