//! Who is signed in: the profile from the OAuth server's `me` endpoint, enriched from core's
//! `/wp/v2/users/me?context=edit` where the token works there.

use serde::{Deserialize, Serialize};

/// The signed-in person, as the app shows them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Profile {
    pub user_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub registered: Option<String>,
    pub roles: Vec<String>,
    /// Capabilities granted (true), sorted.
    pub capabilities: Vec<String>,
    pub avatar_url: Option<String>,
}

fn string_of(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn granted(v: Option<&serde_json::Value>) -> Vec<String> {
    let mut caps: Vec<String> = v
        .and_then(|c| c.as_object())
        .map(|o| {
            o.iter().filter(|(_, g)| g.as_bool() == Some(true)).map(|(k, _)| k.clone()).collect()
        })
        .unwrap_or_default();
    caps.sort();
    caps
}

/// WP OAuth Server's `/oauth/me` (`ID` is a string there).
pub fn from_oauth_me(v: &serde_json::Value) -> Profile {
    Profile {
        user_id: v.get("ID").and_then(string_of),
        username: v.get("user_login").and_then(string_of).unwrap_or_default(),
        display_name: v.get("display_name").and_then(string_of).unwrap_or_default(),
        email: v.get("user_email").and_then(string_of),
        registered: v.get("user_registered").and_then(string_of),
        roles: v
            .get("user_roles")
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(string_of).collect())
            .unwrap_or_default(),
        capabilities: granted(v.get("capabilities")),
        avatar_url: None,
    }
}

/// WordPress.com's `/rest/v1.1/me`.
pub fn from_wpcom_me(v: &serde_json::Value) -> Profile {
    Profile {
        user_id: v.get("ID").and_then(string_of),
        username: v.get("username").and_then(string_of).unwrap_or_default(),
        display_name: v.get("display_name").and_then(string_of).unwrap_or_default(),
        email: v.get("email").and_then(string_of),
        registered: v.get("date").and_then(string_of),
        roles: Vec::new(),
        capabilities: Vec::new(),
        avatar_url: v.get("avatar_URL").and_then(string_of),
    }
}

/// Core's `/wp/v2/users/me?context=edit`.
pub fn from_rest_me(v: &serde_json::Value) -> Profile {
    let avatar =
        v.get("avatar_urls").and_then(|a| a.get("96").or_else(|| a.get("48"))).and_then(string_of);
    Profile {
        user_id: v.get("id").and_then(string_of),
        username: v
            .get("username")
            .or_else(|| v.get("slug"))
            .and_then(string_of)
            .unwrap_or_default(),
        display_name: v.get("name").and_then(string_of).unwrap_or_default(),
        email: v.get("email").and_then(string_of),
        registered: v.get("registered_date").and_then(string_of),
        roles: v
            .get("roles")
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(string_of).collect())
            .unwrap_or_default(),
        capabilities: granted(v.get("capabilities")),
        avatar_url: avatar,
    }
}

impl Profile {
    /// Fill what `self` lacks from `more` (the richer core REST profile).
    pub fn enrich(mut self, more: Profile) -> Profile {
        if self.avatar_url.is_none() {
            self.avatar_url = more.avatar_url;
        }
        if self.email.is_none() {
            self.email = more.email;
        }
        if self.registered.is_none() {
            self.registered = more.registered;
        }
        if self.roles.is_empty() {
            self.roles = more.roles;
        }
        if self.capabilities.is_empty() || more.capabilities.len() > self.capabilities.len() {
            self.capabilities = more.capabilities;
        }
        if self.display_name.is_empty() {
            self.display_name = more.display_name;
        }
        if self.username.is_empty() {
            self.username = more.username;
        }
        if self.user_id.is_none() {
            self.user_id = more.user_id;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_me_with_string_id_enriched_from_rest() {
        let me = serde_json::json!({
            "ID":"2",
            "user_login":"ada",
            "user_email":"a@x.test",
            "display_name":"Ada",
            "user_roles":["author"],
            "capabilities":{"author":true,"level_2":true,"banned":false},
        });
        let rest = serde_json::json!({
            "id":2,
            "username":"ada",
            "name":"Ada",
            "avatar_urls":{"96":"https://x.test/a.png"},
            "capabilities":{"read":true,"edit_posts":true,"upload_files":true,"author":true},
        });
        let p = from_oauth_me(&me).enrich(from_rest_me(&rest));
        assert_eq!(p.user_id.as_deref(), Some("2"));
        assert_eq!(p.username, "ada");
        assert_eq!(p.avatar_url.as_deref(), Some("https://x.test/a.png"));
        assert_eq!(p.capabilities, ["author", "edit_posts", "read", "upload_files"]);
        assert_eq!(p.roles, ["author"]);
    }
}
