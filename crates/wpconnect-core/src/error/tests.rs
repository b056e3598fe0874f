use super::*;

fn oauth(code: &str, grant: Option<&str>, description: Option<&str>) -> Error {
    Error::OAuth {
        endpoint: Url::parse("https://s.example/oauth/token").unwrap(),
        status: 400,
        code: code.into(),
        description: description.map(Into::into),
        grant: grant.map(Into::into),
        redirect_uri: Some(Url::parse("http://127.0.0.1:8765/callback").unwrap()),
    }
}

#[test]
fn the_desktop_hint_names_no_flag_and_no_command() {
    let cb = "http://127.0.0.1:8765/callback";
    let errors = [
        Error::InsecureConnection {
            url: Url::parse("http://s.example/oauth/token").unwrap(),
            what: "your password",
        },
        Error::NoSuchAccount { id: "ada@s.example".into() },
        Error::InvalidInput { what: "x".into(), reason: "y".into() },
        oauth("redirect_uri_mismatch", None, None),
        Error::OAuth1 {
            endpoint: Url::parse("https://s.example/oauth1/request").unwrap(),
            status: 500,
            text: "Callback URL is invalid".into(),
            callback: Some(cb.into()),
            skew_secs: None,
        },
    ];
    for e in errors {
        let (cli, app) = (e.hint_for(Face::CommandLine), e.hint_for(Face::Desktop));
        assert_ne!(cli, app, "{e}: each face has its own words");
        assert!(
            !app.contains("--") && !app.contains("`wpconnect") && !app.contains("wpconnect login"),
            "{e}: {app}"
        );
        assert!(cli.contains("--") || cli.contains("wpconnect"), "{e}: {cli}");
    }
}

#[test]
fn every_oauth_code_has_its_own_sentence_and_remedy() {
    let cases = [
        ("invalid_client", None, "client ID or client secret", "public client has no secret"),
        ("invalid_grant", Some("authorization_code"), "refused the sign-in code", "30 seconds"),
        ("invalid_grant", Some("refresh_token"), "no longer accepts", "Sign in again"),
        (
            "unauthorized_client",
            Some("password"),
            "not allowed to use the password grant",
            "\"User Credentials\"",
        ),
        (
            "unauthorized_client",
            Some("authorization_code"),
            "browser sign-in",
            "\"Authorization Code\"",
        ),
        (
            "redirect_uri_mismatch",
            None,
            "redirect address",
            "Register exactly http://127.0.0.1:8765/callback",
        ),
        ("invalid_scope", None, "scope", "without asking for a scope"),
        (
            "unsupported_grant_type",
            Some("password"),
            "does not support the password grant",
            "another sign-in method",
        ),
        ("weird_code", None, "(weird_code, HTTP 400)", "site's admin"),
    ];
    for (code, grant, message, hint) in cases {
        let e = oauth(code, grant, None);
        assert_eq!(e.kind(), ErrorKind::Oauth);
        assert_eq!(e.category(), Category::Auth);
        assert!(e.to_string().contains(message), "{code}: {e}");
        assert!(e.hint().contains(hint), "{code}: {}", e.hint());
    }
    let e = oauth("invalid_request", None, Some("Invalid token"));
    assert!(
        e.to_string().contains("did not accept the access token")
            && e.to_string().contains("\"Invalid token\""),
        "{e}"
    );
}

#[test]
fn categories_pick_the_exit_code_family() {
    assert_eq!(Error::WrongPassword.category(), Category::Auth);
    assert_eq!(Error::Cancelled.category(), Category::Cancelled);
    assert_eq!(
        Error::CallbackTimeout { after: Duration::from_secs(300) }.category(),
        Category::Cancelled
    );
    assert_eq!(
        Error::KeyringLocked { store: "s".into(), detail: "d".into() }.category(),
        Category::Local
    );
    assert!(Error::CallbackTimeout { after: Duration::from_secs(300) }
        .to_string()
        .contains("5 minutes"));
}

#[test]
fn an_untrusted_certificate_on_this_computer_is_not_sent_to_a_host() {
    let tls = |u: &str| Error::Tls { url: Url::parse(u).unwrap(), detail: "unknown issuer".into() };
    let local = tls("https://localhost:8443/").hint_for(Face::Desktop);
    assert!(local.contains("on this computer") && local.contains("http://"), "{local}");
    assert!(!local.contains("host"), "no host to ask for a test site: {local}");
    let remote = tls("https://blog.example/").hint_for(Face::Desktop);
    assert!(remote.contains("Ask the site's host"), "{remote}");
}

#[test]
fn a_declined_approval_does_not_quote_the_servers_words() {
    let e = Error::AccessDenied {
        description: Some("The user denied access to your application".into()),
    };
    assert_eq!(e.to_string(), "WP Connect was not given access: the approval was declined.");
    assert!(e.hint_for(Face::Desktop).contains("approve"));
}
