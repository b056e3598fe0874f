//! Helpers shared by the core's integration suites.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use wpconnect_core::store::SecretStore;

/// A keyring that refuses every write (locked while the person was in the browser, say).
pub struct RefusingStore;

impl SecretStore for RefusingStore {
    fn set(&self, _: &str, _: &str) -> wpconnect_core::Result<()> {
        Err(wpconnect_core::Error::KeyringLocked {
            store: "the test keyring".into(),
            detail: "locked".into(),
        })
    }
    fn get(&self, _: &str) -> wpconnect_core::Result<Option<secrecy::SecretString>> {
        Ok(None)
    }
    fn delete(&self, _: &str) -> wpconnect_core::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "a keyring that refuses writes".into()
    }
}

/// The person at the browser, played by the scripted browser in the background. Each visit's
/// outcome is kept, so a test can assert what the site showed them (a timeout test must know
/// the browser reached the page it expected, not merely that nothing came back).
pub struct Person {
    browser: wpconnect_testsupport::browser::TestBrowser,
    visits: std::sync::Mutex<Vec<tokio::task::JoinHandle<Result<Visit, String>>>>,
}

pub use wpconnect_testsupport::browser::Visit;

impl Person {
    pub fn new(browser: wpconnect_testsupport::browser::TestBrowser) -> Person {
        Person { browser, visits: Default::default() }
    }

    /// Where each visit so far ended (waiting for the ones still going).
    pub async fn visits(&self) -> Vec<Result<Visit, String>> {
        let handles: Vec<_> = std::mem::take(&mut *self.visits.lock().unwrap());
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap_or_else(|e| Err(format!("the browser task failed: {e}"))));
        }
        out
    }

    /// The one visit this sign-in made.
    pub async fn only_visit(&self) -> Visit {
        let mut v = self.visits().await;
        assert_eq!(v.len(), 1, "one browser visit: {v:?}");
        v.remove(0).expect("the browser visit went through")
    }
}

impl wpconnect_core::browser::Browser for Person {
    fn open(&self, url: &url::Url) -> wpconnect_core::Result<()> {
        let (b, url) = (self.browser.clone(), url.to_string());
        self.visits.lock().unwrap().push(tokio::spawn(async move { b.visit(&url).await }));
        Ok(())
    }
}

/// Real photos: a 640×480 picture drawn by GD, saved as JPEG, PNG and WebP under non-ASCII
/// names, each then given a GPS position by exiftool.
pub fn photos(dir: &Path) -> Vec<PathBuf> {
    let names = ["Été à Paris.jpg", "Küstenweg.png", "Łódź nocą.webp"];
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    let script = r#"
        $im = imagecreatetruecolor(640, 480);
        for ($x = 0; $x < 640; $x += 8) {
            imagefilledrectangle($im, $x, 0, $x + 7, 479, imagecolorallocate($im, $x % 256, (2 * $x) % 256, 160));
        }
        imagejpeg($im, $argv[1], 90);
        imagepng($im, $argv[2]);
        imagewebp($im, $argv[3], 80);
    "#;
    let status = Command::new("php").arg("-r").arg(script).args(&paths).status().unwrap();
    assert!(status.success(), "GD drew the test photos");
    let status = Command::new("exiftool")
        .args(["-q", "-overwrite_original", "-GPSLatitude=48.8566", "-GPSLatitudeRef=N"])
        .args(["-GPSLongitude=2.3522", "-GPSLongitudeRef=E", "-GPSAltitude=35", "-Make=TestCam"])
        .args(&paths)
        .status()
        .expect("exiftool (libimage-exiftool-perl) is installed by the test command");
    assert!(status.success());
    for p in &paths {
        assert!(!gps_tags(p).is_empty(), "the test photo {} has a position", p.display());
    }
    paths
}

/// The GPS tags exiftool finds in a file, in any block.
pub fn gps_tags(path: &Path) -> Vec<String> {
    let out = Command::new("exiftool")
        .args(["-j", "-G", "-a", "-gps:all", "-xmp-exif:all"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v[0].as_object()
        .unwrap()
        .keys()
        .filter(|k| k.to_ascii_lowercase().contains("gps"))
        .cloned()
        .collect()
}
