//! Uploads against the project's real WordPress (Debian's package on 127.0.0.1, PHP's own limits:
//! `upload_max_filesize` 2 MB). The photos are real ones, drawn by PHP's GD and given a GPS
//! position by exiftool; what WordPress stored is read back over its REST API and from its
//! uploads folder, and judged by exiftool, not by WP Connect's own parser.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::Password;
use wpconnect_core::session::{Connect, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::upload::{UploadFile, UploadOptions};
use wpconnect_core::{Discoverer, DiscoveryOptions, ErrorKind, HttpOptions};
use wpconnect_testsupport::{real_wordpress, RealWordPress};

use wpconnect_testsupport::photos::{gps_tags, photos};

fn http() -> HttpOptions {
    HttpOptions { timeout: Duration::from_secs(30), ..Default::default() }
}

/// `user` signed in with an Application Password they pasted.
async fn signed_in(
    wp: &RealWordPress,
    user: &str,
    app_password: &str,
) -> (Connect, String, tempfile::TempDir) {
    signed_in_at(&wp.url, user, app_password).await
}

async fn signed_in_at(
    url: &str,
    user: &str,
    app_password: &str,
) -> (Connect, String, tempfile::TempDir) {
    let d = Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(url)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("accounts.json")), Ok(store));
    let done = connect
        .sign_in_app_password_paste(&d, user, Password::new(app_password), SignInOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e} ({})", e.hint()));
    (connect, done.account.id, dir)
}

/// A media item as WordPress reports it to its owner, read without WP Connect.
async fn read_back(wp: &RealWordPress, id: u64) -> serde_json::Value {
    wp.author_get(&format!("wp/v2/media/{id}?context=edit")).await
}

async fn download(url: &str, to: &Path) {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    std::fs::write(to, r.bytes().await.unwrap()).unwrap();
}

#[tokio::test]
async fn an_author_uploads_jpeg_png_and_webp_under_unicode_names_and_wordpress_keeps_no_position() {
    let Some(wp) = real_wordpress(
        "an_author_uploads_jpeg_png_and_webp_under_unicode_names_and_wordpress_keeps_no_position",
    ) else {
        return;
    };
    let (connect, account, dir) = signed_in(&wp, &wp.author_user, &wp.author_app_password).await;
    let paths = photos(dir.path());
    let files: Vec<UploadFile> = paths
        .iter()
        .map(|p| {
            UploadFile::new(p)
                .alt_text(format!("Alt of {}", p.file_stem().unwrap().to_string_lossy()))
        })
        .collect();
    let report = connect
        .upload(&account, files, UploadOptions::default(), &|_| {}, &Cancel::new())
        .await
        .unwrap();
    assert_eq!(
        report.failed(),
        0,
        "{:?}",
        report
            .files
            .iter()
            .map(|f| f.outcome.as_ref().err().map(|e| e.to_string()))
            .collect::<Vec<_>>()
    );
    for (file, path) in report.files.iter().zip(&paths) {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let m = file.outcome.as_ref().unwrap();
        assert!(!file.location_removed.is_empty(), "{}: said what was removed", file.name);
        // Read back over REST, as the site has it.
        let v = read_back(&wp, m.id).await;
        assert_eq!(v["title"]["raw"], stem.as_str(), "the title is the name as the person gave it");
        assert_eq!(v["alt_text"], format!("Alt of {stem}"));
        assert_eq!(v["mime_type"], file.content_type.as_str());
        assert_eq!(v["media_details"]["width"], 640);
        assert!(
            v["media_details"]["sizes"]["thumbnail"].is_object(),
            "WordPress made its sizes: {}",
            v["media_details"]
        );
        assert_eq!(m.sizes.len(), v["media_details"]["sizes"].as_object().unwrap().len());
        assert!(m
            .edit_link
            .as_str()
            .starts_with(&format!("{}/wp-admin/post.php?post={}", wp.url, m.id)));
        // The original as stored: no position in any block, the picture intact.
        let stored = dir.path().join(format!("stored-{}", m.id));
        download(m.source_url.as_str(), &stored).await;
        assert!(gps_tags(&stored).is_empty(), "{}: {:?}", file.name, gps_tags(&stored));
        let make = Command::new("exiftool").args(["-s3", "-Make"]).arg(&stored).output().unwrap();
        if file.content_type == "image/jpeg" {
            assert_eq!(
                String::from_utf8_lossy(&make.stdout).trim(),
                "TestCam",
                "other metadata stays"
            );
        }
    }
}

#[tokio::test]
async fn keeping_the_location_is_the_callers_choice() {
    let Some(wp) = real_wordpress("keeping_the_location_is_the_callers_choice") else { return };
    let (connect, account, dir) = signed_in(&wp, &wp.author_user, &wp.author_app_password).await;
    let jpeg = photos(dir.path()).remove(0);
    let opts = UploadOptions { keep_location: true, ..Default::default() };
    let report = connect
        .upload(&account, vec![UploadFile::new(&jpeg)], opts, &|_| {}, &Cancel::new())
        .await
        .unwrap();
    let m = report.files[0].outcome.as_ref().unwrap();
    assert!(report.files[0].location_removed.is_empty());
    let stored = dir.path().join("stored");
    download(m.source_url.as_str(), &stored).await;
    assert!(!gps_tags(&stored).is_empty(), "kept as asked");
}

#[tokio::test]
async fn a_subscriber_a_file_over_the_limit_and_a_refused_type_each_get_a_clear_error() {
    let Some(wp) = real_wordpress(
        "a_subscriber_a_file_over_the_limit_and_a_refused_type_each_get_a_clear_error",
    ) else {
        return;
    };
    let (connect, account, dir) = signed_in(&wp, &wp.author_user, &wp.author_app_password).await;
    // A real JPEG followed by 2.5 MB that decoders ignore: over PHP's default 2 MB.
    let big = dir.path().join("big.jpg");
    let mut bytes = std::fs::read(&photos(dir.path())[0]).unwrap();
    bytes.extend(std::iter::repeat_n(0u8, 2_500_000));
    std::fs::write(&big, bytes).unwrap();
    let svg = dir.path().join("drawing.svg");
    std::fs::write(&svg, br#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#)
        .unwrap();
    let report = connect
        .upload(
            &account,
            vec![UploadFile::new(&big), UploadFile::new(&svg)],
            UploadOptions::default(),
            &|_| {},
            &Cancel::new(),
        )
        .await
        .unwrap();
    let too_big = report.files[0].outcome.as_ref().unwrap_err();
    assert_eq!(too_big.kind(), ErrorKind::FileTooLarge, "{too_big}");
    assert!(
        too_big.to_string().contains("big.jpg")
            && too_big.to_string().contains("upload_max_filesize"),
        "{too_big}"
    );
    let svg_refused = report.files[1].outcome.as_ref().unwrap_err();
    assert_eq!(svg_refused.kind(), ErrorKind::FileTypeRefused, "{svg_refused}");

    let (connect, account, dir) =
        signed_in(&wp, &wp.subscriber_user, &wp.subscriber_app_password).await;
    let photo = photos(dir.path()).remove(1);
    let report = connect
        .upload(
            &account,
            vec![UploadFile::new(&photo)],
            UploadOptions::default(),
            &|_| {},
            &Cancel::new(),
        )
        .await
        .unwrap();
    let e = report.files[0].outcome.as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CannotUpload, "{e}");
    assert!(e.to_string().contains("not allowed to create posts"), "WordPress's own words: {e}");
}

#[tokio::test]
async fn cancelling_mid_file_leaves_no_media_item_on_the_real_wordpress() {
    let Some(wp) = real_wordpress("cancelling_mid_file_leaves_no_media_item_on_the_real_wordpress")
    else {
        return;
    };
    // The same site, served with limits that take a 200 MB file.
    let big = wpconnect_testsupport::BigUploads::start().expect("the test WordPress");
    let (connect, account, dir) =
        signed_in_at(&big.url, &wp.author_user, &wp.author_app_password).await;
    let path = dir.path().join("cancel-me-midway.zip");
    std::fs::File::create(&path).unwrap().set_len(200_000_000).unwrap();
    let cancel = Cancel::new();
    let c = cancel.clone();
    let events = move |e: wpconnect_core::upload::UploadEvent| {
        if let wpconnect_core::upload::UploadEvent::Progress { sent, bytes, .. } = e {
            if sent > 20_000_000 && sent < bytes {
                c.cancel();
            }
        }
    };
    let report = connect
        .upload(&account, vec![UploadFile::new(&path)], UploadOptions::default(), &events, &cancel)
        .await
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.files[0].outcome.as_ref().unwrap_err().kind(), ErrorKind::Cancelled);
    // Time enough for WordPress to have stored it, had the whole file arrived.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let found = wp.author_get("wp/v2/media?search=cancel-me-midway&context=edit").await;
    assert_eq!(found, serde_json::json!([]), "WordPress keeps nothing of a cancelled upload");
}
