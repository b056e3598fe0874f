//! The OAuth 2 client (`--client-id`): server switched on, client known, redirect URIs accepted
//! (and how strictly), loopback ports, grants enabled. Every probe is refused by design: an
//! authorization request from a browser that is not signed in (the site answers with its login
//! page or an error, never a code), and token requests with made-up users, codes and refresh
//! tokens (`unauthorized_client`: the grant is off; `invalid_grant`: it is on).

mod probes;

use url::Url;

pub(crate) use self::probes::HeaderFinding;
use self::probes::{
    authorize, base_or, is_loopback, lookalike, random_loopback, token_probe, Authorize,
    AuthorizeProbe, Grant, TokenProbe,
};
use super::{probe_value, CheckId, Ctx, Input, Ledger, Outcome};
use crate::discovery::Discovered;
use crate::oauth2::oauth2_endpoints;
use crate::oauth2::{ClientAuth, Endpoints, ErrorCode, Pkce};
use crate::secret::ClientSecret;
use crate::site::OAuth2Server;

/// What the probes learned that later checks use.
pub(crate) struct Probes {
    pub(crate) endpoints: Endpoints,
    pub(crate) client_id: String,
    /// A loopback redirect URI the site accepts (ours, or a random port), for `--live`.
    pub(crate) usable_redirect: Option<Url>,
    /// The refresh token grant is enabled: `Some(false)` when the server said it is not, `None`
    /// when a made-up token could not tell (WP OAuth Server checks the token before the client's
    /// grant types), and `--live` finds out with a real one.
    pub(crate) refresh_enabled: Option<bool>,
    /// Does the Authorization header reach WordPress, from the token endpoint's answers (`None`
    /// when they cannot tell).
    pub(crate) header_via_token_endpoint: Option<HeaderFinding>,
}

pub(crate) async fn run(ctx: &Ctx<'_>, ledger: &mut Ledger<'_>, d: &Discovered) -> Option<Probes> {
    let Some(client_id) = ctx.req.client_id.clone() else {
        ledger.skip_rest(
            "oauth2",
            &format!(
                "no {} given: name the OAuth client to check it",
                ctx.req.input(Input::ClientId)
            ),
        );
        return None;
    };
    let Ok(endpoints) = oauth2_endpoints(d) else {
        ledger.skip_rest(
            "oauth2",
            "the site advertises no OAuth 2 server (install and configure \
             WP OAuth Server, or connect the site to WordPress.com)",
        );
        return None;
    };
    let secret = ctx.req.client_secret.clone();
    let s = Subject {
        ctx,
        wpcom: endpoints.server == OAuth2Server::WordpressCom,
        body_auth: ClientAuth {
            client_id: client_id.clone(),
            client_secret: Some(secret.clone().unwrap_or_else(|| ClientSecret::new(""))),
            in_body: true,
        },
        referer: d.site_url(),
        endpoints,
        client_id,
        secret,
    };
    // Redirect URIs: ours (if given), a random loopback port, and a look-alike of an accepted one.
    let ours = ctx.req.redirect_uri.clone();
    let ours_answer = match &ours {
        Some(u) => Some(s.authorize(u).await),
        None => None,
    };
    let random = random_loopback(ours.as_ref());
    let random_answer = s.authorize(&random).await;
    let r = Redirects { ours, ours_answer, random, random_answer };
    // Token endpoint: the password grant for a made-up user, credentials in the body (read by
    // every server), then in the Authorization header (to see whether it arrives).
    let made_up = MadeUpUser { name: probe_value("user"), password: probe_value("password") };
    ledger.secret(&made_up.password);
    let password_probe = s.token(&made_up.form(), false).await;

    if !server_and_client(&s, ledger, r.first(), &password_probe) {
        return None;
    }
    let (ours_ok, random_ok) = redirects(&s, ledger, &r).await;
    let refresh_enabled = grants(&s, ledger, &r, &password_probe, &made_up.name).await;
    let header_via_token_endpoint = header_probe(&s, &password_probe, &made_up).await;
    let Redirects { ours, random, .. } = r;
    Some(Probes {
        endpoints: s.endpoints,
        client_id: s.client_id,
        usable_redirect: if ours_ok && ours.as_ref().is_some_and(is_loopback) {
            ours
        } else if random_ok {
            Some(random)
        } else {
            None
        },
        refresh_enabled,
        header_via_token_endpoint,
    })
}

/// The client under test, and how to probe its server.
struct Subject<'a> {
    ctx: &'a Ctx<'a>,
    endpoints: Endpoints,
    client_id: String,
    secret: Option<ClientSecret>,
    referer: Url,
    wpcom: bool,
    /// The client's credentials in the form body (read by every server).
    body_auth: ClientAuth,
}

impl Subject<'_> {
    async fn authorize(&self, redirect_uri: &Url) -> AuthorizeProbe {
        authorize(self.ctx, &self.endpoints, &self.client_id, redirect_uri).await
    }

    /// A grant with the client's credentials in the body, or (`header`) in HTTP Basic only.
    async fn token(&self, form: &[(&str, &str)], header: bool) -> TokenProbe {
        let auth = if header {
            ClientAuth { in_body: false, ..self.body_auth.clone() }
        } else {
            self.body_auth.clone()
        };
        token_probe(self.ctx, &self.endpoints.token, &auth, form, &self.referer, header).await
    }
}

/// The redirect URIs tried and how the authorization endpoint answered each.
struct Redirects {
    ours: Option<Url>,
    ours_answer: Option<AuthorizeProbe>,
    random: Url,
    random_answer: AuthorizeProbe,
}

impl Redirects {
    /// The answer the client checks judge by: ours if given, else the random port's.
    fn first(&self) -> &AuthorizeProbe {
        self.ours_answer.as_ref().unwrap_or(&self.random_answer)
    }
}

/// The made-up user of the password-grant probe (refused by every server, by design).
struct MadeUpUser {
    name: String,
    password: String,
}

impl MadeUpUser {
    fn form(&self) -> [(&str, &str); 3] {
        [("grant_type", "password"), ("username", &self.name), ("password", &self.password)]
    }
}

/// `oauth2.server` and `oauth2.client`; false when the rest cannot be checked.
fn server_and_client(
    s: &Subject<'_>,
    ledger: &mut Ledger<'_>,
    first: &AuthorizeProbe,
    password_probe: &TokenProbe,
) -> bool {
    let (endpoints, client_id, secret) = (&s.endpoints, &s.client_id, &s.secret);
    // The server switched off?
    let disabled = first.verdict == Authorize::Disabled
        || password_probe.grant.as_ref().is_some_and(|g| *g == Grant::Disabled);
    if disabled {
        ledger.record(
            CheckId::Oauth2Server,
            Outcome::fail(
                "The OAuth server is switched off: it answers \"temporarily unavailable\" (HTTP \
                 503).",
                "In wp-admin, open OAuth Server > Settings and tick \"OAuth Server Enabled\" (WP \
                 OAuth Server), then save.",
            )
            .observe(&first.exchange)
            .observe(&password_probe.exchange),
        );
        ledger.skip_rest("oauth2", "the OAuth server is switched off");
        return false;
    }
    ledger.record(
        CheckId::Oauth2Server,
        Outcome::pass(format!(
            "The OAuth server answers at {} and {}.",
            endpoints.authorize, endpoints.token
        ))
        .observe(&first.exchange),
    );

    // The client.
    let client_outcome =
        if first.verdict == Authorize::UnknownClient {
            Some(Outcome::fail(
                format!(
                    "The site has no OAuth client with the ID \"{client_id}\" (invalid_client)."
                ),
                "Copy the client ID again from wp-admin (OAuth Server > Clients), or add a client \
                 there for WP Connect.",
            ))
        } else if password_probe.grant == Some(Grant::ClientRejected) {
            Some(Outcome::fail(
            if secret.is_some() {
                format!("The token endpoint refused the client \"{client_id}\" with the secret \
                         given (invalid_client).")
            } else {
                format!("The token endpoint refused the client \"{client_id}\" without a secret \
                         (invalid_client): it is a confidential client.")
            },
            "Set WPCONNECT_CLIENT_SECRET to the client's secret (wp-admin: OAuth Server > Clients \
             > the client), or leave it empty only for a public client.",
        ))
        } else {
            None
        };
    if let Some(o) = client_outcome {
        ledger.record(
            CheckId::Oauth2Client,
            o.observe(&first.exchange).observe(&password_probe.exchange),
        );
        ledger.skip_rest("oauth2", "the client was refused");
        return false;
    }
    ledger.record(
        CheckId::Oauth2Client,
        Outcome::pass(format!(
            "The site knows the client \"{client_id}\"{}.",
            if secret.is_some() {
                " and accepts its secret"
            } else {
                " as a public client (no secret)"
            }
        ))
        .observe(&password_probe.exchange),
    );

    true
}

/// `oauth2.redirect_uri`, `oauth2.loopback_port`, `oauth2.redirect_matching`: whether our
/// redirect URI and a random loopback one are accepted.
async fn redirects(s: &Subject<'_>, ledger: &mut Ledger<'_>, r: &Redirects) -> (bool, bool) {
    ledger.record(CheckId::Oauth2RedirectUri, redirect_uri(s, r));
    let random_ok = accepted(&r.random_answer.verdict);
    let ours_ok = r.ours_answer.as_ref().is_some_and(|a| accepted(&a.verdict));
    ledger.record(CheckId::Oauth2LoopbackPort, loopback_port(s, r, ours_ok, random_ok));
    let base = if ours_ok {
        r.ours.clone()
    } else if random_ok {
        Some(r.random.clone())
    } else {
        None
    };
    let matching = match base {
        None => Outcome::skipped(
            "no redirect URI was accepted, so there is nothing to compare a look-alike with",
        ),
        Some(b) => redirect_matching(s, &b).await,
    };
    ledger.record(CheckId::Oauth2RedirectMatching, matching);
    (ours_ok, random_ok)
}

fn accepted(a: &Authorize) -> bool {
    matches!(a, Authorize::Accepted { .. })
}

/// The redirect URI the admin named.
fn redirect_uri(s: &Subject<'_>, r: &Redirects) -> Outcome {
    let (Some(u), Some(AuthorizeProbe { verdict: a, exchange: ex })) = (&r.ours, &r.ours_answer)
    else {
        return Outcome::skipped(format!(
            "no {} given: name the redirect URI people sign in with (WP Connect: \
             http://127.0.0.1:<port>/callback)",
            s.ctx.req.input(Input::RedirectUri)
        ));
    };
    let outcome = if accepted(a) {
        Outcome::pass(format!("The site accepts the redirect URI {u}."))
    } else if *a == Authorize::RedirectRejected {
        Outcome::fail(
            format!("The site refuses the redirect URI {u} (redirect_uri_mismatch)."),
            format!(
                "Add exactly {u} to the client's redirect URIs (wp-admin: OAuth Server > \
                 Clients > the client; several URIs are separated by spaces)."
            ),
        )
    } else {
        Outcome::warn(
            format!("The authorization request with {u} got an unexpected answer ({a:?})."),
            "Open the authorization address below in a browser to see what the site shows.",
        )
    };
    outcome.observe(ex)
}

/// A random loopback port, as WP Connect uses by default.
fn loopback_port(s: &Subject<'_>, r: &Redirects, ours_ok: bool, random_ok: bool) -> Outcome {
    let (random, answer) = (&r.random, &r.random_answer);
    let cli = s.ctx.req.face == crate::error::Face::CommandLine;
    let fixed_port = |port: u16| {
        if cli {
            format!("`wpconnect login --redirect-port {port}`")
        } else {
            format!("Redirect port {port} on the sign-in form")
        }
    };
    let outcome = if random_ok {
        Outcome::pass(format!(
            "A random loopback port ({random}) is accepted: people can sign in on any free port, \
             nothing more to register."
        ))
    } else if answer.verdict != Authorize::RedirectRejected {
        Outcome::warn(
            format!(
                "The authorization request with a random loopback port got an unexpected answer \
                 ({:?}).",
                answer.verdict
            ),
            "Open the authorization address below in a browser to see what the site shows.",
        )
    } else if let (true, Some(port)) =
        (ours_ok, r.ours.as_ref().filter(|u| is_loopback(u)).and_then(|u| u.port()))
    {
        Outcome::pass(format!(
            "Only the registered port is accepted ({random} is refused): people sign in with {}.",
            fixed_port(port)
        ))
    } else {
        Outcome::warn(
            format!(
                "A random loopback port ({random}) is refused, so WP Connect's default sign-in \
                 fails; a fixed port must be registered."
            ),
            format!(
                "Register a fixed loopback redirect URI such as http://127.0.0.1:8765/callback \
                 with the client (any free port from 1024 to 65535), and have people sign in with \
                 {}.",
                fixed_port(8765)
            ),
        )
    };
    outcome.observe(&answer.exchange)
}

/// A look-alike of an accepted redirect URI: refused when URIs are matched exactly.
async fn redirect_matching(s: &Subject<'_>, accepted_uri: &Url) -> Outcome {
    let look = lookalike(accepted_uri);
    let AuthorizeProbe { verdict, exchange: ex } = s.authorize(&look).await;
    let outcome = match verdict {
        Authorize::Accepted { .. } => Outcome::warn(
            format!(
                "The look-alike redirect URI {look} is accepted as well as {accepted_uri}: \
                 redirect URIs are matched by prefix, so sign-in codes can be sent to addresses \
                 that merely begin like a registered one."
            ),
            "Match redirect URIs exactly: in WP OAuth Server, turn on \"Enforce Redirect URI\" \
             (OAuth Server > Settings > Advanced), and register every URI the client uses in \
             full (space-separated).",
        ),
        Authorize::RedirectRejected => Outcome::pass(format!(
            "The look-alike {look} is refused: redirect URIs are matched exactly."
        )),
        other => Outcome::warn(
            format!("The look-alike {look} got an unexpected answer ({other:?})."),
            "Open the authorization address below in a browser to see what the site shows.",
        ),
    };
    outcome.observe(&ex)
}

/// The grants: authorization code, refresh token (whether it is enabled, when it can tell),
/// password.
async fn grants(
    s: &Subject<'_>,
    ledger: &mut Ledger<'_>,
    r: &Redirects,
    password_probe: &TokenProbe,
    user: &str,
) -> Option<bool> {
    let (code_outcome, code_probe) = code_grant(s, r).await;
    ledger.record(
        CheckId::Oauth2GrantAuthorizationCode,
        code_outcome.observe(&r.first().exchange).observe(&code_probe.exchange),
    );
    let refresh_enabled = refresh_grant(s, ledger).await;
    let password = password_grant(password_probe, user);
    ledger.record(CheckId::Oauth2GrantPassword, password.observe(&password_probe.exchange));
    refresh_enabled
}

/// The authorization code grant: a made-up code, and what the authorization endpoint said.
async fn code_grant(s: &Subject<'_>, r: &Redirects) -> (Outcome, TokenProbe) {
    let first = r.first();
    let redirect_for_code = base_or(&r.ours, &r.random);
    let code = probe_value("code");
    let verifier = Pkce::new();
    let code_form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_for_code.as_str()),
        ("code_verifier", verifier.verifier.expose()),
    ];
    let code_probe = s.token(&code_form, false).await;
    let authz_says_off = matches!(
        &first.verdict,
        Authorize::Accepted { error: Some(ErrorCode::UnauthorizedClient) }
    );
    let code_outcome = match (&code_probe.grant, authz_says_off) {
        (_, true) | (Some(Grant::NotEnabled), _) => Outcome::fail(
            "The authorization code grant is not enabled for this client (unauthorized_client): \
             browser sign-in cannot work.",
            "In wp-admin, edit the client (OAuth Server > Clients) and tick the \"Authorization \
             Code\" grant type.",
        ),
        (Some(Grant::Enabled), _) => Outcome::pass(
            "Enabled: a made-up code was refused as \
             invalid_grant, not as a grant the client may not use.",
        ),
        (g, _) => grant_unclear("authorization code", g),
    };
    (code_outcome, code_probe)
}

/// The refresh token grant, when a made-up token can tell (`Some(false)`: not enabled).
async fn refresh_grant(s: &Subject<'_>, ledger: &mut Ledger<'_>) -> Option<bool> {
    let (ctx, wpcom) = (s.ctx, s.wpcom);
    let refresh = probe_value("refresh");
    let refresh_form = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
    let refresh_probe = s.token(&refresh_form, false).await;
    // WP OAuth Server validates the refresh token (or the username and password) BEFORE it looks
    // at the client's grant types, so a made-up one is refused as invalid_grant whether or not the
    // client may use the grant: only "unauthorized_client" is an answer. (Measured on the real
    // plugin 4.4.0; a made-up authorization code is judged by the authorization endpoint instead.)
    let refresh_enabled = match &refresh_probe.grant {
        Some(Grant::NotEnabled | Grant::Unsupported) => Some(false),
        _ => None,
    };
    let refresh_outcome = match &refresh_probe.grant {
        _ if wpcom => Some(Outcome::skipped("WordPress.com's tokens neither expire nor refresh")),
        // --live signs in and tries a real refresh token, which tells.
        Some(Grant::Enabled) if ctx.req.live => None,
        Some(Grant::Enabled) => Some(Outcome::skipped(format!(
            "a made-up refresh token was refused (invalid_grant) before the server looked \
             at the client's grant types, so only a real one tells: run with {}",
            s.ctx.req.input(Input::Live)
        ))),
        Some(Grant::NotEnabled) | Some(Grant::Unsupported) => Some(refresh_not_enabled()),
        g => Some(grant_unclear("refresh token", g)),
    };
    if let Some(o) = refresh_outcome {
        ledger.record(CheckId::Oauth2GrantRefreshToken, o.observe(&refresh_probe.exchange));
    }

    refresh_enabled
}

fn password_grant(password_probe: &TokenProbe, user: &str) -> Outcome {
    match &password_probe.grant {
        Some(Grant::Enabled) => Outcome::skipped(format!(
            "a made-up user ({user}) was refused (invalid_grant) before the server looked at the \
             client's grant types, so whether this client may use the password grant cannot be \
             told without a real password; WP Connect offers it only as a labelled \
             fallback, and if no app needs it, leaving it off the client is safer"
        )),
        Some(Grant::NotEnabled) | Some(Grant::Unsupported) => Outcome::pass(
            "Not enabled for this \
             client: people sign in through the browser, which is safer (WP Connect's password \
             fallback is unavailable).",
        ),
        g => grant_unclear("password", g),
    }
}

/// Does the Authorization header reach WordPress? The same password probe with the client's
/// credentials in the header only.
async fn header_probe(
    s: &Subject<'_>,
    password_probe: &TokenProbe,
    made_up: &MadeUpUser,
) -> Option<HeaderFinding> {
    // WordPress.com reads the body only; a disabled or refused client tells nothing.
    let header_via_token_endpoint = if s.wpcom
        || password_probe
            .grant
            .as_ref()
            .is_none_or(|g| matches!(g, Grant::ClientRejected | Grant::Disabled | Grant::Other(_)))
    {
        None
    } else {
        let header_probe = s.token(&made_up.form(), true).await;
        match header_probe.grant {
            Some(Grant::ClientRejected) => Some(HeaderFinding {
                stripped: true,
                observed: vec![header_probe.exchange, password_probe.exchange.clone()],
            }),
            Some(Grant::Enabled | Grant::NotEnabled | Grant::Unsupported) => {
                Some(HeaderFinding { stripped: false, observed: vec![header_probe.exchange] })
            }
            _ => None,
        }
    };
    header_via_token_endpoint
}

pub(crate) fn refresh_not_enabled() -> Outcome {
    Outcome::warn(
        "The refresh token grant is not enabled for this client: people must sign in again \
         whenever the access token expires.",
        "In wp-admin, edit the client (OAuth Server > Clients) and tick the \"Refresh Token\" \
         grant type.",
    )
}

fn grant_unclear(name: &str, g: &Option<Grant>) -> Outcome {
    Outcome::warn(
        format!("The token endpoint's answer does not tell whether the {name} grant is enabled \
                 ({}).", g.as_ref().map(|g| format!("{g:?}")).unwrap_or_else(|| "no answer".into())),
        "See the answer below; if it is a web page, a security plugin or firewall is answering for \
         the token endpoint: let POST requests to it through.",
    )
}
