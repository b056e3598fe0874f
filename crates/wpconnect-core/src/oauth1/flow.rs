//! Signing in with OAuth 1.0a (the WP REST API OAuth1 plugin): a temporary token, the person's
//! approval in the browser (back on the registered loopback port, or a code they type for `oob`),
//! then the access token; every later request is signed anew.

use std::sync::Arc;

use url::Url;

use crate::browser::{hand_to, Browser};
use crate::discovery::Discovered;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::loopback::{Cancel, Loopback};
use crate::oauth2::unix_now;
use crate::recommend::Method;
use crate::rest::TokenIn;
use crate::secret::{AccessToken, ClientSecret};
use crate::session::{Connect, SignInOptions, SignedIn, ACCESS, CLIENT_SECRET, TOKEN_SECRET};
use crate::store::{SecretStore, StoredAccount};

impl Connect {
    pub(crate) async fn oauth1_credentials(
        &self,
        account: &StoredAccount,
        token: &AccessToken,
    ) -> Result<TokenIn> {
        let missing = || Error::SignInAgain {
            account: account.id.clone(),
            reason: "its OAuth 1.0a secrets are missing from the keyring".into(),
        };
        let token_secret = self.secret(account, TOKEN_SECRET).await?.ok_or_else(missing)?;
        let consumer_secret = self.secret(account, CLIENT_SECRET).await?.ok_or_else(missing)?;
        Ok(TokenIn::OAuth1(Box::new(crate::rest::OAuth1Credentials {
            consumer: crate::oauth1::Consumer {
                key: account.client_id.clone().unwrap_or_default(),
                secret: ClientSecret::new(consumer_secret),
            },
            token: crate::oauth1::TokenPair {
                token: token.expose().to_string(),
                secret: AccessToken::new(token_secret),
            },
            origin: account.site_url.clone(),
        })))
    }

    /// Sign in with OAuth 1.0a (the WP REST API OAuth1 plugin). `callback_port`: the port the
    /// application is registered with (`http://127.0.0.1:<port>/callback`), or `None` for `oob`,
    /// where `verifier` asks the person for the code the site shows.
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_in_oauth1(
        &self,
        site: &Discovered,
        consumer: crate::oauth1::Consumer,
        callback_port: Option<u16>,
        opts: SignInOptions,
        browser: &dyn Browser,
        cancel: &Cancel,
        waiting: impl FnOnce(&Url, Option<&Url>),
        verifier: impl FnOnce() -> Result<String>,
    ) -> Result<SignedIn> {
        let ep = site.methods.oauth1.clone().ok_or_else(|| Error::NoSignInMethod {
            site: site.site_url(),
            wanted: "uses OAuth 1.0a (the WP REST API OAuth1 plugin was not found)".into(),
        })?;
        self.may_send(site, &opts, &[&ep.request, &ep.access], "an OAuth 1.0a sign-in").await?;
        let store = self.store(opts.storage)?;
        // The signing origin; the same one is used for every later request of this account.
        let origin = site.site_url();
        let loopback = match callback_port {
            Some(p) => Some(Loopback::bind(&[p]).await?),
            None => None,
        };
        let callback =
            loopback.as_ref().map(|l| l.redirect_uri().to_string()).unwrap_or_else(|| "oob".into());
        let temp = token_request(
            &self.http,
            &ep.request,
            &origin,
            &consumer,
            None,
            &[("oauth_callback", &callback)],
            Some(&callback),
        )
        .await?;
        let mut authorize = ep.authorize.clone();
        authorize.query_pairs_mut().append_pair("oauth_token", &temp.token);
        waiting(&authorize, loopback.as_ref().map(|l| l.redirect_uri()));
        hand_to(browser, &authorize);
        let code = match loopback {
            Some(l) => wait_for_verifier(l, &temp, opts.timeout, cancel).await?,
            None => verifier()?.trim().to_string(),
        };
        let access = token_request(
            &self.http,
            &ep.access,
            &origin,
            &consumer,
            Some(&temp),
            &[("oauth_verifier", &code)],
            None,
        )
        .await?;
        let approved = Approved { consumer, access, callback };
        self.keep_oauth1(store, site, approved, opts).await
    }

    /// The access token's owner read from the site, the account and its secrets kept.
    async fn keep_oauth1(
        &self,
        store: Arc<dyn SecretStore>,
        site: &Discovered,
        approved: Approved,
        opts: SignInOptions,
    ) -> Result<SignedIn> {
        let Approved { consumer, access, callback } = approved;
        let creds = crate::rest::OAuth1Credentials {
            consumer: consumer.clone(),
            token: access.clone(),
            origin: site.site_url(),
        };
        let how = TokenIn::OAuth1(Box::new(creds));
        let me =
            self.load_profile(Method::Oauth1, &site.api_root, None, &access.secret, how).await?;
        let profile = me.profile;
        let account = StoredAccount {
            client_id: Some(consumer.key.clone()),
            has_client_secret: true,
            redirect_uri: Url::parse(&callback).ok(),
            ..self.new_account(site, Method::Oauth1, &profile.username, &profile, opts)?
        };
        let secrets = [
            (ACCESS, Some(access.token.as_str())),
            (TOKEN_SECRET, Some(access.secret.expose())),
            (CLIENT_SECRET, Some(consumer.secret.expose())),
        ];
        self.keep(store, account, &secrets, profile, Vec::new()).await
    }
}

/// What an approved OAuth 1.0a sign-in holds before it is kept.
struct Approved {
    consumer: crate::oauth1::Consumer,
    access: crate::oauth1::TokenPair,
    /// The callback the application is registered with (`oob` when none).
    callback: String,
}

/// The person's approval coming back to the registered loopback port: the temporary token
/// echoed (it plays `state`'s part) and the verifier.
async fn wait_for_verifier(
    loopback: Loopback,
    temp: &crate::oauth1::TokenPair,
    timeout: std::time::Duration,
    cancel: &Cancel,
) -> Result<String> {
    loopback
        .wait(timeout, cancel, |p| {
            if p.get("oauth_token").is_none_or(|t| !crate::crypto::same(t, &temp.token)) {
                return Err(Error::StateMismatch);
            }
            p.get("oauth_verifier")
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or(Error::MissingCode { detail: None })
        })
        .await
}

/// POST a signed OAuth1 token request; read `oauth_token` and `oauth_token_secret`.
pub(crate) async fn token_request(
    http: &Http,
    url: &Url,
    origin: &Url,
    consumer: &crate::oauth1::Consumer,
    token: Option<&crate::oauth1::TokenPair>,
    extra: &[(&str, &str)],
    callback: Option<&str>,
) -> Result<crate::oauth1::TokenPair> {
    // A query (`index.php?rest_oauth1=request` on plain permalinks) travels in the body: the
    // plugin signs a POST's body parameters only, RFC 5849 signs both, and WordPress reads its
    // query variables from either, so the body is where all three agree.
    let mut post_to = url.clone();
    post_to.set_query(None);
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let signing = crate::oauth1::Signing {
        method: "POST",
        url: &post_to,
        origin: Some(origin),
        consumer,
        token,
        extra,
        form: &form,
        signature_method: crate::oauth1::SignatureMethod::HmacSha1,
        nonce: crate::oauth1::nonce(),
        timestamp: unix_now(),
    };
    let mut headers = reqwest::header::HeaderMap::new();
    let mut v = reqwest::header::HeaderValue::from_str(&signing.header())
        .map_err(|_| Error::InvalidClientId)?;
    v.set_sensitive(true);
    headers.insert(reqwest::header::AUTHORIZATION, v);
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    let mut answer = http.post_form(post_to, headers, body).await?;
    let status = answer.status.as_u16();
    let date = answer.headers.get(reqwest::header::DATE).and_then(|d| d.to_str().ok());
    let date = date.map(str::to_string);
    let body = answer.body(crate::http::limits::JSON, http.options().timeout).await?;
    let answered = Answer { status, content_type: answer.content_type(), date: date.as_deref() };
    read_token_pair(url, &answered, &body, callback, unix_now())
}

/// What came back from an OAuth 1.0a token endpoint, besides its body.
pub(crate) struct Answer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    /// The server's `Date` header: how far its clock is from ours, when it refuses.
    pub date: Option<&'a str>,
}

/// Read a token endpoint's answer: the pair, or what is wrong in words (`now`: our clock).
pub(crate) fn read_token_pair(
    url: &Url,
    answer: &Answer<'_>,
    body: &[u8],
    callback: Option<&str>,
    now: u64,
) -> Result<crate::oauth1::TokenPair> {
    let fields = crate::oauth1::parse_form(body);
    let field = |k: &str| fields.get(k).filter(|v| !v.is_empty());
    match (answer.status, field("oauth_token"), field("oauth_token_secret")) {
        (200..=299, Some(t), Some(s)) => {
            Ok(crate::oauth1::TokenPair { token: t.clone(), secret: AccessToken::new(s.clone()) })
        }
        _ if crate::body::looks_like_html(answer.content_type, body) => {
            Err(crate::body::html_error(url.clone(), answer.status, body))
        }
        _ => Err(Error::OAuth1 {
            endpoint: url.clone(),
            status: answer.status,
            // WordPress's own refusal says it in words: those and its code, not its JSON.
            text: crate::body::rest_error(body)
                .filter(|(_, message)| !message.is_empty())
                .map(|(code, message)| format!("{message} ({code})"))
                .unwrap_or_else(|| crate::body::snippet_redacted(body)),
            callback: callback.map(str::to_string),
            skew_secs: answer
                .date
                .and_then(crate::oauth1::parse_http_date)
                .map(|server| server as i64 - now as i64),
        }),
    }
}
