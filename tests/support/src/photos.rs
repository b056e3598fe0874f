//! Real photos for upload tests: drawn by PHP's GD (what WordPress itself uses to make sizes),
//! given a GPS position by exiftool, and judged afterwards by exiftool, not by WP Connect.

use std::path::{Path, PathBuf};
use std::process::Command;

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
