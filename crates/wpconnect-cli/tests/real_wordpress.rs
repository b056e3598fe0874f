//! `wpconnect site` against the project's real WordPress (Debian's package), in the forms people
//! type addresses, with pretty and with plain permalinks.

mod common;
use common::*;

fn forms(url: &str) -> Vec<String> {
    let hostport = url.trim_start_matches("http://");
    vec![
        hostport.to_string(),       // bare host:port (https tried first, then http)
        url.to_string(),            // http://host:port
        format!("{url}/"),          // trailing slash
        format!("{url}/wp-admin/"), // the dashboard
        format!("{url}/wp-login.php?redirect_to=%2Fwp-admin%2F"), // the login page
        format!("{url}/wp-admin/options-general.php"),
        format!("  {}  ", url.to_uppercase().replace("HTTP://", "http://")), // spaces around, capitals
    ]
}

async fn check_site(wp: &RealWordPress, site_url: &str, plain: bool) {
    for input in forms(site_url) {
        let out = wpconnect(&["site", &input, "--json"]).await;
        assert!(out.status.success(), "{input}: {}{}", stdout(&out), stderr(&out));
        let doc = json(&out);
        assert_eq!(doc["schema"], "wpconnect.site/1");
        assert_eq!(doc["site"]["name"], wp.name.as_str(), "{input}");
        assert_eq!(doc["site"]["description"], wp.tagline.as_str(), "{input}");
        assert_eq!(doc["site"]["url"], site_url, "{input}");
        assert_eq!(doc["site"]["timezone"], wp.timezone.as_str(), "{input}");
        assert_eq!(doc["site"]["https"], false);
        assert_eq!(doc["permalinks"], if plain { "plain" } else { "pretty" }, "{input}");
        let want_root = if plain {
            format!("{site_url}/index.php?rest_route=/")
        } else {
            format!("{site_url}/wp-json/")
        };
        assert_eq!(doc["api_root"], want_root.as_str(), "{input}");
        assert_eq!(
            doc["methods"]["application_passwords"]["authorization_url"],
            format!("{site_url}/wp-admin/authorize-application.php").as_str(),
            "{input}"
        );
        assert_eq!(doc["recommended"]["method"], "application-passwords", "{input}");
        let bare = !input.trim().starts_with("http");
        let notes = doc["notes"].as_array().unwrap();
        assert_eq!(
            notes.iter().any(|n| n.as_str().unwrap().contains("did not work")),
            bare,
            "{input}: {notes:?}"
        );
    }
}

#[tokio::test]
async fn site_with_pretty_permalinks() {
    let Some(wp) = real_wordpress("site_with_pretty_permalinks") else { return };
    check_site(&wp, &wp.url, false).await;
}

#[tokio::test]
async fn site_with_plain_permalinks() {
    let Some(wp) = real_wordpress("site_with_plain_permalinks") else { return };
    check_site(&wp, &wp.plain_url, true).await;
}

#[tokio::test]
async fn human_output_names_the_site_and_the_method() {
    let Some(wp) = real_wordpress("human_output_names_the_site_and_the_method") else { return };
    let out = wpconnect(&["site", wp.url.trim_start_matches("http://")]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for want in [
        format!("Site         {}", wp.name),
        format!("Tagline      {}", wp.tagline),
        // Europe/Paris is UTC+1 in winter and UTC+2 in summer: WordPress derives the offset from
        // the zone when it is read, so either is right depending on the date.
        format!("Time zone    {} (UTC+", wp.timezone),
        "Secure       no (http), but the site is on this computer".to_string(),
        "Sign-in      Application Passwords: approve at".to_string(),
        "Recommended  Application Passwords: built into WordPress, no plugin or client \
         registration needed"
            .to_string(),
        format!("Note         https://{}/ did not work", wp.url.trim_start_matches("http://")),
    ] {
        assert!(text.contains(&want), "missing {want:?} in:\n{text}");
    }
    let zone = text.lines().find(|l| l.starts_with("Time zone")).unwrap();
    assert!(
        zone.ends_with("(UTC+1)") || zone.ends_with("(UTC+2)"),
        "Paris is UTC+1 or UTC+2: {zone}"
    );
}

#[tokio::test]
async fn a_page_that_is_not_the_site_root_still_finds_the_site() {
    let Some(wp) = real_wordpress("a_page_that_is_not_the_site_root_still_finds_the_site") else {
        return;
    };
    // A front-end path: WordPress answers (404 page) with the Link header naming the real root.
    let out = wpconnect(&["site", &format!("{}/no-such-page/", wp.url), "--json"]).await;
    // The path is kept as a possible subfolder install, and the Link header corrects it.
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(json(&out)["api_root"], format!("{}/wp-json/", wp.url).as_str());
}
