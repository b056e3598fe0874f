//! Uploads against the WordPress-dialect test server: a batch with good and bad files, a token
//! that stops working mid-batch, a subscriber, and cancelling (mid-file and after the file
//! arrived). The real WordPress runs the same flows in `upload_real.rs`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::upload::{DraftPost, PostLayout, UploadEvent, UploadFile, UploadOptions};
use wpconnect_core::{Discoverer, DiscoveryOptions, ErrorKind, HttpOptions};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};

fn http() -> HttpOptions {
    HttpOptions { timeout: Duration::from_secs(10), ..Default::default() }
}

struct Signed {
    site: OAuthSite,
    connect: Connect,
    account: String,
    dir: tempfile::TempDir,
}

/// `login` signed in with the password grant on a dialect site with these knobs.
async fn signed_in(knobs: Knobs, login: &str, roles: &[&str]) -> Signed {
    let users = vec![User::new(7, login, "correct horse", "Ada Lovelace", roles)];
    let client = Client::new("desk-app", Some("s3cret"), &["http://127.0.0.1:1/callback"]);
    let site = OAuthSite::start(knobs, vec![client], users).await;
    let d = Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(&site.url())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("accounts.json")), Ok(store));
    let client = OAuth2Client {
        client_id: "desk-app".into(),
        client_secret: Some(ClientSecret::new("s3cret")),
        redirect_ports: vec![],
        scope: None,
    };
    let done = connect
        .sign_in_password(
            &d,
            client,
            login,
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    Signed { site, connect, account: done.account.id, dir }
}

/// A JPEG's structure (not an image a decoder would draw: the dialect does not decode) with an
/// Exif block holding a GPS position: big-endian TIFF, IFD0 = [GPS pointer], GPS = [latitude].
fn jpeg_with_gps(filler: usize) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    // GPS IFD at 26: one entry, latitude, 3 rationals at 44.
    tiff.extend_from_slice(&[0, 1, 0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 44, 0, 0, 0, 0]);
    for (n, d) in [(48u32, 1u32), (51, 1), (2939, 100)] {
        tiff.extend_from_slice(&n.to_be_bytes());
        tiff.extend_from_slice(&d.to_be_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE1];
    j.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    j.extend_from_slice(&app1);
    j.extend_from_slice(&[0xFF, 0xDA, 0, 2]);
    j.extend(std::iter::repeat_n(0x5A, filler));
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde\0\0\0\0IEND\xaeB`\x82";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn has_gps_values(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == 2939u32.to_be_bytes())
        || bytes.windows(4).any(|w| w == [0x88, 0x25, 0, 4])
}

#[tokio::test]
async fn a_batch_uploads_each_good_file_with_its_words_and_says_why_the_others_did_not_go() {
    let s = signed_in(
        Knobs { upload_max_bytes: Some(300_000), ..Default::default() },
        "ada",
        &["author"],
    )
    .await;
    let d = s.dir.path();
    let files = vec![
        UploadFile::new(write(d, "gps.jpg", &jpeg_with_gps(5_000))).alt_text("The Seine at dusk"),
        UploadFile::new(write(d, "Été à Paris.png", PNG)).title("Été à Paris").caption("Le soir"),
        UploadFile::new(write(d, "notes.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>")),
        UploadFile::new(d.join("gone.jpg")),
        UploadFile::new(write(d, "huge.jpg", &jpeg_with_gps(400_000))),
    ];
    let events = Mutex::new(Vec::new());
    let opts = UploadOptions {
        draft_post: Some(DraftPost { title: "Holiday".into(), layout: PostLayout::Gallery }),
        ..Default::default()
    };
    let report = s
        .connect
        .upload(&s.account, files, opts, &|e| events.lock().unwrap().push(e), &Cancel::new())
        .await
        .unwrap();
    let kinds: Vec<Option<ErrorKind>> =
        report.files.iter().map(|f| f.outcome.as_ref().err().map(|e| e.kind())).collect();
    assert_eq!(
        kinds,
        [
            None,
            None,
            Some(ErrorKind::FileTypeRefused),
            Some(ErrorKind::FileUnreadable),
            Some(ErrorKind::FileTooLarge)
        ]
    );
    assert_eq!((report.uploaded(), report.failed()), (2, 3));
    // What the site stored: the photo without its position, the name as the person gave it.
    let stored = s.site.media();
    assert_eq!(stored.len(), 2, "nothing else reached the library");
    let photo = stored.iter().find(|m| m.file_name == "gps.jpg").unwrap();
    assert!(!has_gps_values(&photo.bytes), "the GPS directory is gone from what was sent");
    assert_eq!(photo.bytes.len() as u64, report.files[0].bytes);
    assert_eq!(photo.content_type, "image/jpeg");
    assert_eq!(report.files[0].location_removed, ["EXIF GPS (latitude)"]);
    let uploaded = report.files[0].outcome.as_ref().unwrap();
    assert_eq!(uploaded.alt_text, "The Seine at dusk");
    assert!(uploaded
        .edit_link
        .as_str()
        .ends_with(&format!("/wp-admin/post.php?post={}&action=edit", uploaded.id)));
    let png = report.files[1].outcome.as_ref().unwrap();
    assert_eq!((png.title.as_str(), png.caption.as_str()), ("Été à Paris", "Le soir"));
    assert!(stored.iter().any(|m| m.file_name == "Été à Paris.png" && m.bytes == PNG));
    // Errors a person can act on.
    let too_big = report.files[4].outcome.as_ref().unwrap_err();
    assert!(too_big.to_string().contains("upload_max_filesize"), "{too_big}");
    assert!(too_big.hint().contains("smaller"), "{}", too_big.hint());
    assert!(report.files[3].outcome.as_ref().unwrap_err().to_string().contains("gone.jpg"));
    // The draft post holds the two photos.
    let post = report.post.expect("asked for").unwrap();
    assert!(post.edit_link.as_str().contains(&format!("post={}", post.id)));
    let posts = s.site.posts();
    let content = posts[0]["content"]["raw"].as_str().unwrap();
    assert!(
        content.contains(&format!("wp-image-{}", uploaded.id))
            && content.contains(&format!("wp-image-{}", png.id))
    );
    assert_eq!(posts[0]["status"], "draft");
    // Progress: the batch's bytes add up, and every file finished.
    let ev = events.lock().unwrap();
    let last_batch = ev.iter().rev().find_map(|e| match e {
        UploadEvent::Progress { batch_sent, batch_bytes, .. } => Some((*batch_sent, *batch_bytes)),
        _ => None,
    });
    let (sent, total) = last_batch.expect("progress was reported");
    assert_eq!(sent, total);
    assert_eq!(ev.iter().filter(|e| matches!(e, UploadEvent::Finished { .. })).count(), 5);
}

#[tokio::test]
async fn a_token_that_stops_working_mid_batch_is_refreshed_once_and_no_file_is_stored_twice() {
    let s = signed_in(
        Knobs { expire_access_after_uploads: Some(1), ..Default::default() },
        "ada",
        &["author"],
    )
    .await;
    let d = s.dir.path();
    let files: Vec<UploadFile> = (1..=3)
        .map(|i| UploadFile::new(write(d, &format!("p{i}.jpg"), &jpeg_with_gps(1000 * i))))
        .collect();
    let retried = Mutex::new(0);
    let batch = Mutex::new(Vec::new());
    let events = |e: UploadEvent| match e {
        UploadEvent::Retrying { .. } => *retried.lock().unwrap() += 1,
        UploadEvent::Progress { batch_sent, batch_bytes, .. } => {
            batch.lock().unwrap().push((batch_sent, batch_bytes))
        }
        _ => {}
    };
    let opts = UploadOptions { jobs: 1, ..Default::default() };
    let report = s.connect.upload(&s.account, files, opts, &events, &Cancel::new()).await.unwrap();
    assert_eq!(
        report.uploaded(),
        3,
        "{:?}",
        report.files.iter().map(|f| f.outcome.as_ref().err()).collect::<Vec<_>>()
    );
    assert_eq!(s.site.media().len(), 3, "each file once");
    let c = s.site.counters();
    assert_eq!(c.refresh_grants, 1);
    assert_eq!(c.upload_requests, 4, "one refused attempt, sent again after the refresh");
    assert_eq!(*retried.lock().unwrap(), 1);
    // The batch's count takes the refused attempt's bytes back: never past the total, all at the end.
    let batch = batch.lock().unwrap();
    assert!(batch.iter().all(|(sent, total)| sent <= total), "{batch:?}");
    assert_eq!(batch.last().map(|(s, t)| s == t), Some(true), "{batch:?}");
}

#[tokio::test]
async fn a_subscriber_is_told_plainly_that_they_may_not_upload() {
    let s = signed_in(Knobs::default(), "sam", &["subscriber"]).await;
    let path = write(s.dir.path(), "a.jpg", &jpeg_with_gps(100));
    let report = s
        .connect
        .upload(
            &s.account,
            vec![UploadFile::new(path)],
            UploadOptions::default(),
            &|_| {},
            &Cancel::new(),
        )
        .await
        .unwrap();
    let e = report.files[0].outcome.as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CannotUpload);
    assert!(e.hint().contains("Author"), "{}", e.hint());
    assert!(s.site.media().is_empty());
}

#[tokio::test]
async fn cancelling_mid_file_leaves_nothing_in_the_library() {
    let s = signed_in(Knobs::default(), "ada", &["author"]).await;
    let path = write(s.dir.path(), "big.jpg", &jpeg_with_gps(24_000_000));
    // About 4 MB a second: the upload is under way for seconds.
    s.site.server().pace_body_reads(Duration::from_millis(1));
    let cancel = Cancel::new();
    let c = cancel.clone();
    let events = move |e: UploadEvent| {
        if let UploadEvent::Progress { sent, bytes, .. } = e {
            if sent > 8_000_000 && sent < bytes {
                c.cancel();
            }
        }
    };
    let report = s
        .connect
        .upload(&s.account, vec![UploadFile::new(path)], UploadOptions::default(), &events, &cancel)
        .await
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.files[0].outcome.as_ref().unwrap_err().kind(), ErrorKind::Cancelled);
    // The site reads what was already on its way, then the connection's end.
    let upload = async {
        loop {
            let found =
                s.site.server().requests().into_iter().find(|r| r.path().ends_with("/wp/v2/media"));
            if let Some(r) = found {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let request = tokio::time::timeout(Duration::from_secs(15), upload)
        .await
        .expect("the upload reached the site");
    let declared: usize = request.header("content-length").unwrap().parse().unwrap();
    assert!(request.body.len() < declared, "the site got part of the file only");
    assert!(s.site.media().is_empty(), "a half-sent file is not kept");
}

#[tokio::test]
async fn cancelling_after_the_file_arrived_takes_it_back_out() {
    let s = signed_in(
        Knobs { latency: Duration::from_millis(800), ..Default::default() },
        "ada",
        &["author"],
    )
    .await;
    let path = write(s.dir.path(), "small.jpg", &jpeg_with_gps(2000));
    let cancel = Cancel::new();
    let c = cancel.clone();
    let events = move |e: UploadEvent| {
        if let UploadEvent::Progress { sent, bytes, .. } = e {
            if sent == bytes {
                c.cancel();
            }
        }
    };
    let report = s
        .connect
        .upload(&s.account, vec![UploadFile::new(path)], UploadOptions::default(), &events, &cancel)
        .await
        .unwrap();
    assert_eq!(report.files[0].outcome.as_ref().unwrap_err().kind(), ErrorKind::Cancelled);
    assert_eq!(s.site.counters().upload_requests, 1, "the file did arrive");
    assert!(s.site.media().is_empty(), "and was deleted again");
}

/// The example program (`examples/photo_upload.rs`), built by `cargo test`, run as a person would:
/// the account signed in here is in the real keyring; the program finds it and uploads.
#[tokio::test]
async fn the_example_program_uploads_with_a_stored_account() {
    if !wpconnect_testsupport::keyring_here("the_example_program_uploads_with_a_stored_account") {
        return;
    }
    let users = vec![User::new(7, "ada", "correct horse", "Ada Lovelace", &["author"])];
    let client = Client::new("desk-app", None, &["http://127.0.0.1:1/callback"]);
    let site = OAuthSite::start(Knobs::default(), vec![client], users).await;
    let d = Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(&site.url())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keyring: Arc<dyn SecretStore> = Arc::new(wpconnect_core::store::LazyKeyring::new());
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("accounts.json")), Ok(keyring));
    let client = OAuth2Client {
        client_id: "desk-app".into(),
        client_secret: None,
        redirect_ports: vec![],
        scope: None,
    };
    let done = connect
        .sign_in_password(
            &d,
            client,
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    let photo = write(dir.path(), "Straße.jpg", &jpeg_with_gps(3000));
    // target/debug/deps/upload-… → target/debug/examples/photo_upload
    let exe = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/photo_upload");
    if !exe.exists() {
        // `cargo test` builds the examples, unless it was asked for some tests only.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let built = std::process::Command::new(cargo)
            .args(["build", "-q", "-p", "wpconnect-core", "--example", "photo_upload"])
            .status()
            .unwrap();
        assert!(built.success());
    }
    let out = tokio::process::Command::new(&exe)
        .arg(&photo)
        .env("WPCONNECT_CONFIG_DIR", dir.path())
        .output()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("Straße.jpg: http://127.0.0.1:"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("100%"), "a progress line");
    let stored = site.media();
    assert_eq!(stored.len(), 1);
    assert!(!has_gps_values(&stored[0].bytes));
    connect.sign_out(&done.account.id).await.unwrap();
}

#[tokio::test]
async fn a_site_that_goes_away_mid_file_is_said_plainly_and_the_batch_goes_on() {
    let s = signed_in(Knobs::default(), "ada", &["author"]).await;
    let big = write(s.dir.path(), "big.jpg", &jpeg_with_gps(8_000_000));
    let small = write(s.dir.path(), "small.jpg", &jpeg_with_gps(10));
    s.site.server().cut_bodies_after(1_000_000);
    let files = vec![UploadFile::new(&big), UploadFile::new(&small)];
    let opts = UploadOptions { jobs: 1, ..Default::default() };
    let report = s.connect.upload(&s.account, files, opts, &|_| {}, &Cancel::new()).await.unwrap();
    let e = report.files[0].outcome.as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UploadInterrupted, "{e}");
    assert!(e.to_string().contains("big.jpg") && e.to_string().contains(" of 8.0 MB sent"), "{e}");
    assert!(e.hint().contains("upload the files that failed again"), "{}", e.hint());
    // The next file, under the cut, goes through.
    assert!(report.files[1].outcome.is_ok(), "one bad file does not stop the batch");
    assert_eq!(s.site.media().len(), 1);
}
