//! The authorization code: `state` echoed, PKCE enforced, codes single use.

use url::Url;

use super::{Authorized, Live, SignedIn};
use crate::browser::Browser;
use crate::doctor::{request_line, CheckId, Exchange, Ledger, Outcome};
use crate::error::Error;
use crate::loopback::Cancel;
use crate::oauth2::{AuthorizeRequest, ErrorCode, Pkce};

impl Live<'_, '_> {
    /// The first sign-in in the browser, and whether the site sent `state` back. `None` (the rest
    /// skipped) when the sign-in did not complete.
    pub(super) async fn state(
        &self,
        ledger: &mut Ledger<'_>,
        redirect: &Url,
        browser: &dyn Browser,
        cancel: &Cancel,
    ) -> Option<Authorized> {
        let first = match self.authorize(ledger, redirect, browser, cancel).await {
            Ok(a) => a,
            Err(e) => {
                let o = Outcome::fail(
                    format!("The sign-in in the browser did not complete: {e}"),
                    self.ctx.hint(&e),
                );
                ledger.record(CheckId::LiveState, o);
                ledger.skip_rest("live", "the sign-in in the browser did not complete");
                return None;
            }
        };
        let auth_line = Exchange {
            request: request_line("GET", &first.request.url, &[]),
            response: format!(
                "the browser came back to {} with a code",
                first.request.redirect_uri
            ),
        };
        let outcome = if first.state_echoed {
            Outcome::pass("The site sent the state back unchanged.")
        } else {
            Outcome::fail(
                "The site's answer did not carry the state WP Connect sent: every sign-in is \
                 refused as a possible forgery.",
                "Update the OAuth server plugin; a server must return the state parameter \
                 unchanged (RFC 6749 §4.1.2). A proxy or security plugin rewriting the redirect \
                 can also drop it.",
            )
        };
        ledger.record(CheckId::LiveState, outcome.observe(&auth_line));
        Some(first)
    }

    /// PKCE: the code is first offered with a wrong verifier, then redeemed with the right one (a
    /// second sign-in when the refused attempt used the code up). `None` when no tokens came.
    pub(super) async fn pkce(
        &mut self,
        ledger: &mut Ledger<'_>,
        first: Authorized,
        redirect: &Url,
        browser: &dyn Browser,
        cancel: &Cancel,
    ) -> Option<SignedIn> {
        let Authorized { code, request, .. } = first;
        let wrong = Pkce::new();
        let (with_wrong, ex_wrong) = self.exchange(&code, &request, wrong.verifier.expose()).await;
        match with_wrong {
            Ok(tokens) => {
                self.keep(ledger, &tokens);
                let o = Outcome::fail(
                    "The site issued tokens for a code presented with a WRONG PKCE verifier: PKCE \
                     is not enforced, so an intercepted code can be used by anyone.",
                    "Update WP OAuth Server (it honours PKCE when the app sends a code \
                     challenge); if it is current, check that no other plugin replaces its \
                     authorization endpoint.",
                );
                ledger.record(CheckId::LivePkce, o.observe(&ex_wrong));
                Some(SignedIn { tokens, code, request })
            }
            Err(Error::OAuth { code: ErrorCode::InvalidGrant, .. }) => {
                let o = Outcome::pass("A wrong PKCE verifier was refused (invalid_grant).");
                ledger.record(CheckId::LivePkce, o.observe(&ex_wrong));
                match self.redeem(ledger, code, request).await {
                    Some(signed_in) => Some(signed_in),
                    // The refused attempt used the code up: sign in a second time.
                    None => self.sign_in_again(ledger, redirect, browser, cancel).await,
                }
            }
            Err(e) => {
                let o = Outcome::fail(
                    format!("Exchanging the code failed for another reason than PKCE: {e}"),
                    self.ctx.hint(&e),
                );
                ledger.record(CheckId::LivePkce, o.observe(&ex_wrong));
                self.redeem(ledger, code, request).await
            }
        }
    }

    /// The code with its right verifier.
    async fn redeem(
        &mut self,
        ledger: &mut Ledger<'_>,
        code: String,
        request: AuthorizeRequest,
    ) -> Option<SignedIn> {
        let (right, _) = self.exchange(&code, &request, request.pkce.verifier.expose()).await;
        let tokens = right.ok()?;
        self.keep(ledger, &tokens);
        Some(SignedIn { tokens, code, request })
    }

    async fn sign_in_again(
        &mut self,
        ledger: &mut Ledger<'_>,
        redirect: &Url,
        browser: &dyn Browser,
        cancel: &Cancel,
    ) -> Option<SignedIn> {
        let Authorized { code, request, .. } =
            match self.authorize(ledger, redirect, browser, cancel).await {
                Ok(a) => a,
                Err(e) => {
                    let o = Outcome::fail(
                        format!("The second sign-in did not complete: {e}"),
                        self.ctx.hint(&e),
                    );
                    ledger.record(CheckId::LiveCodeReuse, o);
                    return None;
                }
            };
        match self.exchange(&code, &request, request.pkce.verifier.expose()).await {
            (Ok(tokens), _) => {
                self.keep(ledger, &tokens);
                Some(SignedIn { tokens, code, request })
            }
            (Err(e), ex) => {
                let o = Outcome::fail(
                    format!("The second sign-in's code was refused: {e}"),
                    self.ctx.hint(&e),
                );
                ledger.record(CheckId::LiveCodeReuse, o.observe(&ex));
                None
            }
        }
    }

    /// The code that was redeemed, offered again: it must be refused.
    pub(super) async fn code_reuse(&mut self, ledger: &mut Ledger<'_>, used: &SignedIn) {
        let verifier = used.request.pkce.verifier.expose();
        let (again, ex_again) = self.exchange(&used.code, &used.request, verifier).await;
        let reuse = match again {
            Ok(t) => {
                self.keep(ledger, &t);
                Outcome::fail(
                    "A code that had already been exchanged was accepted again.",
                    "Update the OAuth server plugin: codes must work once (RFC 6749 §4.1.2).",
                )
            }
            Err(_) => Outcome::pass("A code already exchanged was refused the second time."),
        };
        ledger.record(CheckId::LiveCodeReuse, reuse.observe(&ex_again));
        ledger.record(
            CheckId::LiveCodeLifetime,
            Outcome::skipped(
                "measuring it means waiting for a code to expire (WP OAuth Server: about 30 \
                 seconds); the doctor does not make you wait",
            ),
        );
    }
}
