//! `wpconnect login | accounts | me | logout`: signing in and managing accounts.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use wpconnect_core::browser::{Browser, NoBrowser, SystemBrowser};
use wpconnect_core::loopback::Cancel;
use wpconnect_core::profile::Profile;
use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions, SignedIn};
use wpconnect_core::signin::{ComesBack, Credentials, Interaction, Way};
use wpconnect_core::store::{AccountsFile, LazyKeyring, SecretStore, Storage, StoredAccount};
use wpconnect_core::{Discoverer, Error};

use crate::output::{fail, table, Style};
use crate::NetArgs;

/// How to sign in.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginMethod {
    /// Choose from what the site offers and what you gave (client ID, consumer key), and say why.
    Auto,
    /// OAuth 2 in your browser (authorization code with PKCE). Your password never touches this
    /// app.
    Oauth2,
    /// OAuth 2 password grant ("user credentials"): a fallback when the browser flow cannot work.
    Password,
    /// WordPress.com (or a Jetpack site) through WordPress.com's OAuth 2, in your browser.
    Wpcom,
    /// WordPress's own Application Passwords: approve in your browser (local sites), or paste
    /// one you created under Users > Profile (with --username and --password-stdin or a prompt).
    AppPassword,
    /// OAuth 1.0a (the WP REST API OAuth1 plugin), with --consumer-key; the consumer secret comes
    /// from WPCONNECT_CLIENT_SECRET or a prompt.
    Oauth1,
}

#[derive(clap::Args, Debug)]
pub struct LoginArgs {
    /// The site's address, as you would type it in a browser.
    address: String,

    #[arg(long, value_enum, default_value = "auto")]
    method: LoginMethod,

    /// The OAuth client's ID (from the site's OAuth server settings; OAuth 2 methods only).
    #[arg(long)]
    client_id: Option<String>,

    /// The OAuth 1.0a application's consumer key (wp-admin: Users > Applications).
    #[arg(long)]
    consumer_key: Option<String>,

    /// Port(s) registered for the redirect URI http://127.0.0.1:<port>/callback (repeat or
    /// comma-separate; the first free one is used). Without it, any free port.
    #[arg(long = "redirect-port", value_delimiter = ',')]
    redirect_ports: Vec<u16>,

    /// Scope to ask for (space-separated). Default: what the server gives.
    #[arg(long)]
    scope: Option<String>,

    /// Do not open a browser: print the address to open by hand.
    #[arg(long)]
    no_browser: bool,

    /// Username for the password fallback.
    #[arg(long)]
    username: Option<String>,

    /// Read the password (for the password fallback, or a pasted Application Password) from
    /// standard input (one line) instead of a prompt.
    #[arg(long)]
    password_stdin: bool,

    /// Keep the tokens in memory for this command only, not in the keyring.
    #[arg(long)]
    session_only: bool,

    /// Sign in even though the site uses plain http and is not on this computer: your password or
    /// token then crosses the network unencrypted, readable by anyone on the way. Only for a
    /// network you trust; it is recorded with the account.
    #[arg(long)]
    allow_plain_http: bool,

    /// Seconds to wait for the browser.
    #[arg(long, default_value_t = 300)]
    wait: u64,

    #[arg(long)]
    json: bool,

    #[command(flatten)]
    net: NetArgs,
}

#[derive(clap::Args, Debug)]
pub struct AccountsArgs {
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    net: NetArgs,
}

#[derive(clap::Args, Debug)]
pub struct AccountArgs {
    /// The account's ID (see `wpconnect accounts`); may be left out when there is only one.
    account: Option<String>,

    #[arg(long)]
    json: bool,

    #[command(flatten)]
    net: NetArgs,
}

pub(crate) async fn connect(net: &NetArgs) -> Result<Connect, Error> {
    let accounts = AccountsFile::default_location()?;
    // Connected on first use: listing accounts needs no keyring.
    let keyring: Arc<dyn SecretStore> = Arc::new(LazyKeyring::new());
    let connect = Connect::new(net.discovery_options().http, accounts, Ok(keyring));
    // A sign-in cut off last time (killed, say) may have left secrets: end them first.
    connect.finish_interrupted().await;
    Ok(connect)
}

/// The client secret: `WPCONNECT_CLIENT_SECRET`, else a prompt on a terminal (empty: a public
/// client).
fn client_secret(prompt: &str) -> Result<Option<ClientSecret>, Error> {
    if let Ok(s) = std::env::var("WPCONNECT_CLIENT_SECRET") {
        return Ok((!s.is_empty()).then(|| ClientSecret::new(s)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let s = rpassword::prompt_password(prompt).map_err(|e| Error::InvalidInput {
        what: "The client secret".into(),
        reason: format!("it could not be read ({e})"),
    })?;
    Ok((!s.is_empty()).then(|| ClientSecret::new(s)))
}

/// The password read from standard input (`--password-stdin`), read before anything is sent, so
/// an empty one stops the command before a single request.
fn stdin_password(args: &LoginArgs) -> Result<Option<Password>, Error> {
    if !args.password_stdin {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(password_read_error)?;
    non_empty(line.trim_end_matches(['\r', '\n']).to_string()).map(Some)
}

/// The password: the one read from standard input, else asked for on the terminal.
fn password(from_stdin: &mut Option<Password>, prompt: &str) -> Result<Password, Error> {
    match from_stdin.take() {
        Some(p) => Ok(p),
        None => non_empty(rpassword::prompt_password(prompt).map_err(password_read_error)?),
    }
}

fn non_empty(p: String) -> Result<Password, Error> {
    if p.is_empty() {
        return Err(Error::InvalidInput {
            what: "The password".into(),
            reason: "it is empty (nothing was sent to the site)".into(),
        });
    }
    Ok(Password::new(p))
}

fn password_read_error(e: std::io::Error) -> Error {
    Error::InvalidInput {
        what: "The password".into(),
        reason: format!("it could not be read ({e})"),
    }
}

pub async fn login(args: LoginArgs) -> ExitCode {
    match login_inner(&args).await {
        Ok(done) => {
            if args.json {
                print_json("wpconnect.login/1", &done);
            } else {
                outln!(
                    "Signed in to {} as {}.",
                    done.account.site_name,
                    wpconnect_core::present::who(&done.profile)
                );
                out!("{}", profile_table(&done.account, &done.profile));
                outln!("Tokens are kept in {}.", done.stored_in);
                for n in &done.notes {
                    outln!("Note: {n}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, args.json),
    }
}

async fn login_inner(args: &LoginArgs) -> Result<SignedIn, Error> {
    let mut typed = stdin_password(args)?;
    let connect = connect(&args.net).await?;
    let site = Discoverer::new(args.net.discovery_options()).discover(&args.address).await?;
    let opts = SignInOptions {
        storage: if args.session_only { Storage::Session } else { Storage::Keyring },
        timeout: Duration::from_secs(args.wait),
        allow_plain_http: args.allow_plain_http,
    };
    if args.allow_plain_http && site.plain_http_elsewhere() {
        crate::output::labelled(
            Style::Warning,
            "Warning:",
            &format!(
                "{} is not encrypted and not on this computer; as you asked, your sign-in will \
                 cross the network readable by anyone on the way.",
                site.answered_at
            ),
        );
    }
    let way = way(args, &site)?;
    let with = credentials(args, way, &site, &mut typed)?;
    let browser: Box<dyn Browser> =
        if args.no_browser { Box::new(NoBrowser) } else { Box::new(SystemBrowser) };
    let cancel = cancel_on_ctrl_c();
    let no_browser = args.no_browser;
    let waiting = |url: &url::Url, back: ComesBack<'_>| match back {
        ComesBack::To(redirect) => waiting_message(no_browser, url, redirect),
        ComesBack::TypedCode => {
            errln!("Open this address, approve, and type the code the site shows:\n\n  {url}\n")
        }
        ComesBack::AppLink => errln!("Continue in your browser:\n\n  {url}\n"),
    };
    let code = || {
        let mut line = String::new();
        err!("Code: ");
        std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::InvalidInput {
            what: "The code".into(),
            reason: format!("it could not be read ({e})"),
        })?;
        Ok(line)
    };
    // The CLI has no `wpconnect:` link: Application Passwords come back to the loopback.
    let ui = Interaction {
        browser: browser.as_ref(),
        cancel: &cancel,
        inbox: None,
        waiting: &waiting,
        code: &code,
    };
    connect.sign_in(&site, with, opts, ui).await
}

/// `--method`, as the core's way (the one place the CLI maps it): `auto` chooses from what the
/// site offers and what was given, and says why.
fn way(args: &LoginArgs, site: &wpconnect_core::Discovered) -> Result<Way, Error> {
    Ok(match args.method {
        LoginMethod::Auto => {
            let have = wpconnect_core::recommend::Have {
                client_id: args.client_id.is_some(),
                consumer_key: args.consumer_key.is_some(),
            };
            let (m, why) =
                wpconnect_core::recommend::choose(&site.recommended, have).map_err(|reason| {
                    Error::NoSignInMethod {
                        site: site.answered_at.clone(),
                        wanted: format!("works with what was given: {reason}"),
                    }
                })?;
            errln!("Signing in with {why}");
            Way::of(m)
        }
        LoginMethod::Oauth2 => Way::Oauth2,
        LoginMethod::Password => Way::Password,
        LoginMethod::Wpcom => Way::WordpressCom,
        LoginMethod::AppPassword => Way::AppPassword,
        LoginMethod::Oauth1 => Way::Oauth1,
    })
}

/// What the way needs, from the flags, the environment and prompts.
fn credentials(
    args: &LoginArgs,
    way: Way,
    site: &wpconnect_core::Discovered,
    typed: &mut Option<Password>,
) -> Result<Credentials, Error> {
    let oauth2 = || -> Result<OAuth2Client, Error> {
        let Some(client_id) = args.client_id.clone() else {
            return Err(Error::InvalidInput {
                what: "--client-id".into(),
                reason: "OAuth 2 sign-in needs the ID of the site's OAuth client (or use --method \
                         app-password)"
                    .into(),
            });
        };
        Ok(OAuth2Client {
            client_id,
            client_secret: client_secret("Client secret (leave empty for a public client): ")?,
            redirect_ports: args.redirect_ports.clone(),
            scope: args.scope.clone(),
        })
    };
    Ok(match way {
        Way::Oauth2 => Credentials::Oauth2(oauth2()?),
        Way::WordpressCom => Credentials::WordpressCom(oauth2()?),
        Way::Password => {
            let client = oauth2()?;
            let username = username(args)?;
            errln!(
                "Signing in with the password grant, a fallback: your password goes to the site \
                 once and is not kept."
            );
            Credentials::Password { client, username, password: password(typed, "Password: ")? }
        }
        Way::AppPassword | Way::AppPasswordPaste => return app_password(args, site, typed),
        Way::Oauth1 => {
            let key = args.consumer_key.clone().ok_or_else(|| Error::InvalidInput {
                what: "--consumer-key".into(),
                reason: "OAuth 1.0a needs the application's consumer key (wp-admin: Users > \
                         Applications)"
                    .into(),
            })?;
            let secret =
                client_secret("Consumer secret: ")?.ok_or_else(|| Error::InvalidInput {
                    what: "The consumer secret".into(),
                    reason:
                        "OAuth 1.0a needs it: set WPCONNECT_CLIENT_SECRET or type it at the prompt"
                            .into(),
                })?;
            Credentials::Oauth1 {
                consumer: wpconnect_core::oauth1::Consumer { key, secret },
                callback_port: args.redirect_ports.first().copied(),
            }
        }
    })
}

fn username(args: &LoginArgs) -> Result<String, Error> {
    args.username.clone().ok_or_else(|| Error::InvalidInput {
        what: "--username".into(),
        reason: "this way of signing in needs the username to sign in with".into(),
    })
}

/// Application Passwords from the CLI: approved in the browser where the answer can come back to
/// a command-line program (local sites), else pasted.
fn app_password(
    args: &LoginArgs,
    site: &wpconnect_core::Discovered,
    typed: &mut Option<Password>,
) -> Result<Credentials, Error> {
    let paste =
        args.password_stdin || !wpconnect_core::app_passwords::loopback_possible(&site.site_url());
    if !paste {
        return Ok(Credentials::AppPassword { device: wpconnect_core::present::device_name() });
    }
    if !args.password_stdin {
        errln!(
            "This site cannot send an Application Password back to a command-line program (only \
             local sites can)."
        );
        errln!(
            "Create one under Users > Profile > Application Passwords on the site, then paste \
             it here."
        );
    }
    let username = username(args)?;
    Ok(Credentials::AppPasswordPaste {
        username,
        password: password(typed, "Application Password: ")?,
    })
}

pub(crate) fn cancel_on_ctrl_c() -> Cancel {
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            c2.cancel();
        }
    });
    cancel
}

fn waiting_message(no_browser: bool, url: &url::Url, redirect: &url::Url) {
    if no_browser {
        errln!("Open this address in your browser to sign in:\n\n  {url}\n");
    } else {
        errln!("Continue in your browser. If it did not open, open this address:\n\n  {url}\n");
    }
    errln!("Waiting for the browser to come back to {redirect} (Ctrl-C cancels)...");
}

fn status_text(a: &StoredAccount) -> String {
    wpconnect_core::present::standing(a).1
}

fn profile_table(a: &StoredAccount, p: &Profile) -> String {
    let mut rows = vec![
        ("Account", a.id.clone()),
        ("Site", format!("{} ({})", a.site_name, a.site_url)),
        ("User", wpconnect_core::present::who(p)),
    ];
    if let Some(e) = &p.email {
        rows.push(("Email", e.clone()));
    }
    if !p.roles.is_empty() {
        rows.push(("Roles", p.roles.join(", ")));
    }
    if let Some(r) = &p.registered {
        rows.push(("Registered", r.clone()));
    }
    let can = wpconnect_core::present::what_it_can_do(&p.capabilities);
    if !can.is_empty() {
        rows.push(("Can", can.join(", ")));
    }
    if !p.capabilities.is_empty() {
        rows.push((
            "Capabilities",
            wpconnect_core::present::summarise_capabilities(&p.capabilities),
        ));
    }
    rows.push(("Method", a.method.label().to_string()));
    if let Some(s) = &a.scope {
        rows.push(("Scope", s.clone()));
    }
    rows.push(("Status", status_text(a)));
    table(&rows)
}

#[derive(Serialize)]
struct Doc<'a, T: Serialize> {
    schema: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

pub(crate) fn print_json<T: Serialize>(schema: &'static str, body: &T) {
    outln!(
        "{}",
        serde_json::to_string_pretty(&Doc { schema, body }).expect("plain data serializes")
    );
}

pub async fn accounts(args: AccountsArgs) -> ExitCode {
    // Made only to finish a sign-in interrupted last time (the keyring is touched only then).
    let _ = connect(&args.net).await;
    let all = match AccountsFile::default_location().and_then(|f| f.load()) {
        Ok(a) => a,
        Err(e) => return fail(&e, args.json),
    };
    if args.json {
        #[derive(Serialize)]
        struct List<'a> {
            accounts: &'a [StoredAccount],
        }
        print_json("wpconnect.accounts/1", &List { accounts: &all });
    } else if all.is_empty() {
        outln!("No accounts yet. Sign in with: wpconnect login <address> --client-id <id>");
    } else {
        for a in &all {
            outln!("{}  {}  {}  {}", a.id, a.site_name, a.method.label(), status_text(a));
        }
    }
    ExitCode::SUCCESS
}

pub(crate) fn pick(connect: &Connect, given: &Option<String>) -> Result<StoredAccount, Error> {
    match given {
        Some(id) => connect.account(id),
        None => {
            let all = connect.accounts()?;
            match all.as_slice() {
                [one] => Ok(one.clone()),
                _ => Err(Error::NoSuchAccount { id: "(none given)".into() }),
            }
        }
    }
}

pub async fn me(args: AccountArgs) -> ExitCode {
    let result = async {
        let connect = connect(&args.net).await?;
        let account = pick(&connect, &args.account)?;
        let me = connect.me(&account.id).await?;
        Ok::<_, Error>((connect.account(&account.id)?, me))
    }
    .await;
    match result {
        Ok((account, me)) => {
            if args.json {
                #[derive(Serialize)]
                struct MeDoc<'a> {
                    account: &'a StoredAccount,
                    profile: &'a Profile,
                    site: &'a Option<wpconnect_core::SiteInfo>,
                }
                print_json(
                    "wpconnect.me/1",
                    &MeDoc { account: &account, profile: &me.profile, site: &me.site },
                );
            } else {
                out!("{}", profile_table(&account, &me.profile));
                if let Some(site) = &me.site {
                    let mut rows = vec![
                        ("Site name", site.name.clone()),
                        ("Tagline", site.description.clone()),
                        ("Time zone", site.timezone_label()),
                    ];
                    if site.home != site.url {
                        rows.push(("Home", site.home.clone()));
                    }
                    out!("{}", table(&rows));
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, args.json),
    }
}

pub async fn refresh(args: AccountArgs) -> ExitCode {
    let result = async {
        let connect = connect(&args.net).await?;
        let account = pick(&connect, &args.account)?;
        connect.refresh(&account.id, account.expires_at).await?;
        connect.account(&account.id)
    }
    .await;
    match result {
        Ok(account) => {
            if args.json {
                #[derive(Serialize)]
                struct Refreshed<'a> {
                    account: &'a StoredAccount,
                }
                print_json("wpconnect.refresh/1", &Refreshed { account: &account });
            } else {
                outln!("Refreshed the sign-in of {}: {}.", account.id, status_text(&account));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, args.json),
    }
}

pub async fn logout(args: AccountArgs) -> ExitCode {
    let result = async {
        let connect = connect(&args.net).await?;
        let account = pick(&connect, &args.account)?;
        connect.sign_out(&account.id).await
    }
    .await;
    match result {
        Ok(out) => {
            if args.json {
                print_json("wpconnect.logout/1", &out);
            } else {
                outln!(
                    "Signed out of {}: its tokens were deleted from this computer.",
                    out.account
                );
                match &out.revoke_problem {
                    None => outln!("The site revoked them too."),
                    Some(p) => outln!("Note: {p}"),
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, args.json),
    }
}
