//! What crosses between the page and the app, both ways. The page's TypeScript types are made
//! from these (`ui/src/bindings.ts`, by ts-rs; a test fails when that file is out of date).
//! Nothing here carries a token: secrets only come *in* (typed by the person) as core secret
//! types, which cannot be serialized back out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use wpconnect_core::present::{self, Standing};
use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Me, SignedIn};
use wpconnect_core::settings::{LogLevel, Settings};
use wpconnect_core::site::SiteInfo;
use wpconnect_core::store::{Storage, StoredAccount};
use wpconnect_core::Discovered;

#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub core_version: &'static str,
}

/// How to sign in, as the page asks for it: the core's [`Way`] (same JSON names).
pub use wpconnect_core::signin::Way;

/// One way to sign in that the site offers, for the method picker.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WayView {
    pub way: Way,
    pub label: String,
    /// One sentence about what it involves.
    pub about: String,
    /// A fallback, said so on screen.
    pub fallback: bool,
    /// The person continues in their browser ("Continue in your browser", the waiting screen).
    pub uses_browser: bool,
}

/// The site card and the sign-in choice, after discovery.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SiteView {
    /// The address as typed (the key the sign-in uses).
    pub address: String,
    pub site: SiteInfoView,
    pub api_root: String,
    pub permalinks: Option<String>,
    pub ways: Vec<WayView>,
    pub recommended: Option<Way>,
    pub reason: String,
    pub notes: Vec<String>,
    /// This site is on this computer (plain http is acceptable).
    pub local: bool,
    pub wordpress_com: bool,
    /// An approved Application Password comes back through the `wpconnect:` link (not the
    /// loopback): WordPress before 6.3 shows it to paste instead.
    pub app_password_via_link: bool,
}

#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SiteInfoView {
    pub name: String,
    pub description: String,
    pub url: String,
    pub home: String,
    pub https: bool,
    pub timezone: String,
    pub namespaces: Vec<String>,
    pub icon_url: Option<String>,
}

impl From<&SiteInfo> for SiteInfoView {
    fn from(s: &SiteInfo) -> Self {
        SiteInfoView {
            name: s.name.clone(),
            description: s.description.clone(),
            url: s.url.clone(),
            home: s.home.clone(),
            https: s.https,
            timezone: s.timezone_label(),
            namespaces: s.namespaces.clone(),
            icon_url: s.icon_url.clone(),
        }
    }
}

impl SiteView {
    pub fn new(address: &str, d: &Discovered, local: bool) -> SiteView {
        let ways = wpconnect_core::signin::offered(d)
            .into_iter()
            .map(|o| WayView {
                way: o.way,
                label: o.label.into(),
                about: o.about.into(),
                fallback: o.fallback,
                uses_browser: o.uses_browser,
            })
            .collect();
        SiteView {
            address: address.to_string(),
            site: (&d.site).into(),
            api_root: d.api_root.to_string(),
            permalinks: d.permalinks.map(|p| format!("{p:?}").to_lowercase()),
            ways,
            recommended: d.recommended.method.map(Way::of),
            reason: d.recommended.reason.clone(),
            notes: d.notes.clone(),
            local,
            wordpress_com: d.wordpress_com.is_some(),
            app_password_via_link: !wpconnect_core::app_passwords::loopback_possible(&d.site_url()),
        }
    }
}

/// What the person fills in to sign in. Secrets arrive as core secret types.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SignInRequest {
    pub address: String,
    pub way: Way,
    pub client_id: Option<String>,
    #[ts(as = "Option<String>")]
    pub client_secret: Option<ClientSecret>,
    pub redirect_port: Option<u16>,
    pub consumer_key: Option<String>,
    #[ts(as = "Option<String>")]
    pub consumer_secret: Option<ClientSecret>,
    pub username: Option<String>,
    #[ts(as = "Option<String>")]
    pub password: Option<Password>,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub session_only: bool,
    /// The person ticked "Sign in without encryption" (plain http to a site elsewhere).
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub allow_plain_http: bool,
}

/// Sign-in progress, sent to the page while the sign-in runs.
#[derive(Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "stage")]
pub enum Progress {
    /// The browser was asked to open `url`; WP Connect waits for the answer.
    Browser { url: String, waiting_on: String, timeout_secs: u64 },
    /// The answer came; tokens are being fetched and the profile read.
    Finishing,
}

/// An account as lists show it.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    /// What the person is called on screen (display name, else login).
    pub name: String,
    pub site_name: String,
    pub site_url: String,
    pub site_icon_url: Option<String>,
    pub username: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub method: String,
    pub way: Way,
    pub standing: Standing,
    pub standing_text: String,
    pub session_only: bool,
}

impl From<&StoredAccount> for AccountView {
    fn from(a: &StoredAccount) -> Self {
        let (standing, standing_text) = present::standing(a);
        AccountView {
            id: a.id.clone(),
            site_name: a.site_name.clone(),
            site_url: a.site_url.to_string(),
            site_icon_url: a.site_icon_url.clone(),
            username: a.user_login.clone(),
            display_name: a.display_name.clone(),
            name: present::name(&a.display_name, &a.user_login).to_string(),
            avatar_url: a.avatar_url.clone(),
            method: a.method.label().into(),
            way: Way::of(a.method),
            standing,
            standing_text,
            session_only: a.storage == Storage::Session,
        }
    }
}

/// What a finished sign-in shows.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedInView {
    pub account: AccountView,
    pub stored_in: String,
    pub notes: Vec<String>,
}

impl From<&SignedIn> for SignedInView {
    fn from(s: &SignedIn) -> Self {
        SignedInView {
            account: (&s.account).into(),
            stored_in: s.stored_in.clone(),
            notes: s.notes.clone(),
        }
    }
}

#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    /// What the person is called on screen (display name, else login).
    pub name: String,
    /// "Display Name (login)", as the command line says it too.
    pub who: String,
    pub user_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub registered: Option<String>,
    pub capabilities: String,
    pub capability_count: usize,
    /// What the account may do, in a person's words ("write and publish posts", ...).
    pub can: Vec<String>,
    pub avatar_url: Option<String>,
}

#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub method: String,
    pub scope: Option<String>,
    pub expires_at: Option<u64>,
    pub last_refresh: Option<u64>,
    pub stored_in: String,
    pub client_id: Option<String>,
    pub created_at: u64,
}

/// The account view: who, where, how.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetails {
    pub account: AccountView,
    pub profile: ProfileView,
    pub site: Option<SiteInfoView>,
    pub offered: Vec<String>,
    pub session: SessionView,
}

impl AccountDetails {
    pub fn new(a: &StoredAccount, me: &Me) -> AccountDetails {
        let p = &me.profile;
        AccountDetails {
            account: a.into(),
            profile: ProfileView {
                name: present::name(&p.display_name, &p.username).to_string(),
                who: present::who(p),
                user_id: p.user_id.clone(),
                username: p.username.clone(),
                display_name: p.display_name.clone(),
                email: p.email.clone(),
                roles: p.roles.clone(),
                registered: p.registered.clone(),
                capabilities: present::summarise_capabilities(&p.capabilities),
                capability_count: p
                    .capabilities
                    .iter()
                    .filter(|c| !c.starts_with("level_"))
                    .count(),
                can: present::what_it_can_do(&p.capabilities)
                    .into_iter()
                    .map(String::from)
                    .collect(),
                avatar_url: p.avatar_url.clone(),
            },
            site: me.site.as_ref().map(Into::into),
            offered: me.offered.iter().map(|m| m.label().to_string()).collect(),
            session: SessionView {
                method: a.method.label().into(),
                scope: a.scope.clone(),
                expires_at: a.expires_at,
                last_refresh: a.last_refresh,
                stored_in: match a.storage {
                    Storage::Keyring => "the system keyring".into(),
                    Storage::Session => "memory, for this session only".into(),
                },
                client_id: a.client_id.clone(),
                created_at: a.created_at,
            },
        }
    }
}

#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedOutView {
    pub revoked: bool,
    pub note: Option<String>,
}

/// Settings as the page edits them.
#[derive(Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub redirect_ports: Vec<u16>,
    pub wpcom_client_id: Option<String>,
    pub wpcom_redirect_port: Option<u16>,
    pub log_level: LogLevel,
    pub sign_in_timeout_secs: u64,
    /// Where the log files are (read-only).
    #[serde(default)]
    pub log_dir: String,
}

impl SettingsView {
    pub fn new(s: &Settings, log_dir: &std::path::Path) -> SettingsView {
        SettingsView {
            redirect_ports: s.redirect_ports.clone(),
            wpcom_client_id: s.wpcom_client_id.clone(),
            wpcom_redirect_port: s.wpcom_redirect_port,
            log_level: s.log_level,
            sign_in_timeout_secs: s.sign_in_timeout_secs,
            log_dir: log_dir.display().to_string(),
        }
    }

    pub fn into_settings(self) -> Settings {
        Settings {
            redirect_ports: self.redirect_ports,
            wpcom_client_id: self
                .wpcom_client_id
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().to_string()),
            wpcom_redirect_port: self.wpcom_redirect_port,
            log_level: self.log_level,
            sign_in_timeout_secs: self.sign_in_timeout_secs,
        }
    }
}

/// What the admin asks the doctor to check. Secrets come in as core secret types.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct DoctorRequestView {
    pub address: String,
    pub client_id: Option<String>,
    #[ts(as = "Option<String>")]
    pub client_secret: Option<ClientSecret>,
    pub redirect_uri: Option<String>,
    pub consumer_key: Option<String>,
    #[ts(as = "Option<String>")]
    pub consumer_secret: Option<ClientSecret>,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub live: bool,
}

/// The doctor's progress, sent to the page while it runs.
#[derive(Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "stage")]
pub enum DoctorProgress {
    /// A check is settled.
    Check { check: wpconnect_core::doctor::Check },
    /// `live`: the admin signs in at this address (opened in the browser too).
    Browser { url: String, waiting_on: String },
}

/// The doctor's report as the page shows it: the `wpconnect.doctor/1` document, plus its summary
/// line in the core's words.
#[derive(Serialize, TS)]
pub struct ReportView {
    #[serde(flatten)]
    pub report: wpconnect_core::doctor::Report,
    #[serde(rename = "summaryLine")]
    pub summary_line: String,
}

/// A photo the page handed over, kept until it is uploaded.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StagedView {
    pub staged_id: String,
    pub name: String,
    pub bytes: u64,
}

/// An upload as the page asks for it: staged photos with their words.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct UploadRequestView {
    pub account_id: String,
    pub files: Vec<UploadFileView>,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub keep_location: bool,
    /// A draft post of the uploaded photos (a gallery), with this title.
    pub draft_post: Option<String>,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct UploadFileView {
    pub staged_id: String,
    pub alt_text: Option<String>,
    pub title: Option<String>,
    pub caption: Option<String>,
}

/// An upload's progress, sent to the page while it runs (`index`: the file's place in the request).
#[derive(Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "stage")]
pub enum UploadNews {
    Prepared { index: usize, name: String, bytes: u64, removed: Vec<String> },
    Progress { index: usize, sent: u64, bytes: u64, batch_sent: u64, batch_bytes: u64 },
    Retrying { index: usize, because: String },
    Finished { index: usize, ok: bool },
}

impl From<wpconnect_core::upload::UploadEvent> for UploadNews {
    fn from(e: wpconnect_core::upload::UploadEvent) -> Self {
        use wpconnect_core::upload::UploadEvent as E;
        match e {
            E::Prepared { index, name, bytes, removed } => {
                UploadNews::Prepared { index, name, bytes, removed }
            }
            E::Progress { index, sent, bytes, batch_sent, batch_bytes } => {
                UploadNews::Progress { index, sent, bytes, batch_sent, batch_bytes }
            }
            E::Retrying { index, because } => UploadNews::Retrying { index, because },
            E::Finished { index, result } => UploadNews::Finished { index, ok: result.is_ok() },
        }
    }
}

/// What became of each photo, in the order sent, and of the draft post.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UploadResultView {
    pub files: Vec<UploadedView>,
    pub post: Option<Result<wpconnect_core::upload::DraftPostCreated, crate::error::IpcError>>,
    pub cancelled: bool,
    pub uploaded: usize,
    pub failed: usize,
}

#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UploadedView {
    pub staged_id: String,
    pub name: String,
    pub location_removed: Vec<String>,
    pub media: Option<wpconnect_core::upload::Media>,
    pub error: Option<crate::error::IpcError>,
}
