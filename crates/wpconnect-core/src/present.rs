//! Words for people: how an account's state, a user and their capabilities read. Shared by the
//! CLI and the desktop app so both say the same thing.

use serde::Serialize;

use crate::oauth2::unix_now;
use crate::profile::Profile;
use crate::store::{AccountStatus, StoredAccount};

/// An access token this close to expiry is called "expires soon".
pub const EXPIRES_SOON_SECS: i64 = 600;

/// Where an account stands, for a badge and a sentence.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    SignedIn,
    /// The access token expires within [`EXPIRES_SOON_SECS`] (it is refreshed on next use).
    ExpiresSoon,
    /// The access token has expired; it is refreshed on next use.
    Expired,
    /// The tokens stopped working: the person must sign in again.
    SignInAgain,
}

/// An account's standing at `now` (seconds since the Unix epoch), and the sentence for it.
pub fn standing_at(a: &StoredAccount, now: u64) -> (Standing, String) {
    match &a.status {
        AccountStatus::SignInAgain { reason } => {
            (Standing::SignInAgain, format!("sign in again: {reason}"))
        }
        AccountStatus::SignedIn => match a.expires_at.map(|e| e as i64 - now as i64) {
            Some(left) if left <= 0 => {
                (Standing::Expired, "signed in (renews by itself on next use)".into())
            }
            Some(left) if left < EXPIRES_SOON_SECS => (
                Standing::ExpiresSoon,
                format!("signed in (renews by itself within {} min)", (left + 59) / 60),
            ),
            _ => (Standing::SignedIn, "signed in".into()),
        },
    }
}

/// [`standing_at`] now.
pub fn standing(a: &StoredAccount) -> (Standing, String) {
    standing_at(a, unix_now())
}

/// What a person is called on screen: their display name, else their login.
pub fn name<'a>(display_name: &'a str, username: &'a str) -> &'a str {
    if display_name.trim().is_empty() {
        username
    } else {
        display_name
    }
}

/// "Display Name (login)", or just the login when the two agree.
pub fn who(p: &Profile) -> String {
    if p.display_name.is_empty() || p.display_name == p.username {
        p.username.clone()
    } else {
        format!("{} ({})", p.display_name, p.username)
    }
}

/// A few capabilities by name and how many more (the numbered `level_*` ones left out).
pub fn summarise_capabilities(caps: &[String]) -> String {
    let meaningful: Vec<&str> =
        caps.iter().map(String::as_str).filter(|c| !c.starts_with("level_")).collect();
    let shown = &meaningful[..meaningful.len().min(6)];
    match meaningful.len() - shown.len() {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// What an account may do on its site, in a person's words ("write and publish posts", "upload
/// photos and files"), from its WordPress capabilities; the most telling first. Empty when the
/// site did not say (a profile read without `context=edit`).
pub fn what_it_can_do(caps: &[String]) -> Vec<&'static str> {
    let has = |c: &str| caps.iter().any(|x| x == c);
    let mut can = Vec::new();
    match (has("edit_posts"), has("publish_posts")) {
        (true, true) => can.push("write and publish posts"),
        (true, false) => can.push("write posts for an editor to publish"),
        _ => {}
    }
    for (cap, words) in [
        ("upload_files", "upload photos and files"),
        ("edit_others_posts", "edit other people's posts"),
        ("edit_pages", "edit pages"),
        ("moderate_comments", "moderate comments"),
        ("edit_users", "manage users"),
        ("activate_plugins", "manage plugins"),
        ("manage_options", "change the site's settings"),
    ] {
        if has(cap) {
            can.push(words);
        }
    }
    if can.is_empty() && has("read") {
        can.push("read the site as a signed-in user");
    }
    can
}

/// This computer's name, for the Application Password's name in the person's profile: the name
/// its owner gave it where the system keeps one ("Sam's MacBook Air", Windows' computer name, a
/// Linux pretty hostname), else its host name.
pub fn device_name() -> String {
    [whoami::devicename(), whoami::hostname()]
        .into_iter()
        .filter_map(|n| n.ok())
        .map(|n| n.trim().chars().take(60).collect::<String>())
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| "this computer".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_device_is_named_as_its_owner_named_it() {
        // No pretty name set (no /etc/machine-info here): the host name, as the kernel has it.
        let name = device_name();
        if !std::path::Path::new("/etc/machine-info").exists() {
            let kernel = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
            assert_eq!(name, kernel.trim());
        }
        assert!(!name.is_empty() && name.chars().count() <= 60, "{name:?}");
    }

    fn account(expires_at: Option<u64>, status: AccountStatus) -> StoredAccount {
        let url = url::Url::parse("https://example.test/").unwrap();
        let a = StoredAccount::new(
            "a@example.test".into(),
            crate::Method::Oauth2,
            url.clone(),
            "Example".into(),
            url,
            "a".into(),
            "A".into(),
            crate::store::Storage::Keyring,
        );
        StoredAccount { expires_at, status, ..a }
    }

    #[test]
    fn standing_follows_expiry_and_status() {
        let now = 1_000_000;
        assert_eq!(standing_at(&account(None, AccountStatus::SignedIn), now).0, Standing::SignedIn);
        assert_eq!(
            standing_at(&account(Some(now + 3600), AccountStatus::SignedIn), now).0,
            Standing::SignedIn
        );
        let (s, text) = standing_at(&account(Some(now + 90), AccountStatus::SignedIn), now);
        assert_eq!(
            (s, text.as_str()),
            (Standing::ExpiresSoon, "signed in (renews by itself within 2 min)")
        );
        assert_eq!(
            standing_at(&account(Some(now - 1), AccountStatus::SignedIn), now).0,
            Standing::Expired
        );
        let (s, text) = standing_at(
            &account(Some(now + 3600), AccountStatus::SignInAgain { reason: "revoked".into() }),
            now,
        );
        assert_eq!((s, text.as_str()), (Standing::SignInAgain, "sign in again: revoked"));
    }

    #[test]
    fn what_an_account_can_do_is_said_in_plain_words() {
        let caps = |l: &[&str]| l.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let author = caps(&[
            "read",
            "level_2",
            "edit_posts",
            "publish_posts",
            "upload_files",
            "delete_posts",
        ]);
        assert_eq!(what_it_can_do(&author), ["write and publish posts", "upload photos and files"]);
        assert_eq!(
            what_it_can_do(&caps(&["read", "edit_posts"])),
            ["write posts for an editor to publish"]
        );
        assert_eq!(what_it_can_do(&caps(&["read"])), ["read the site as a signed-in user"]);
        assert!(what_it_can_do(&[]).is_empty());
        let admin = caps(&["read", "edit_posts", "publish_posts", "manage_options", "edit_users"]);
        assert_eq!(
            what_it_can_do(&admin),
            ["write and publish posts", "manage users", "change the site's settings"]
        );
    }

    #[test]
    fn capabilities_are_summarised_without_levels() {
        let caps: Vec<String> =
            ["level_0", "read", "edit_posts", "upload_files", "a", "b", "c", "d"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(
            summarise_capabilities(&caps),
            "read, edit_posts, upload_files, a, b, c and 1 more"
        );
        assert_eq!(summarise_capabilities(&caps[..3]), "read, edit_posts");
    }
}
