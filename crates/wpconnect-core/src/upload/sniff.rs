//! A file's type from its first bytes (its name can lie, or have no extension): the type WordPress
//! is told, and whether the location remover knows the format.

/// The formats the uploader tells apart by their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Heic,
    Avif,
    Tiff,
    Bmp,
    Pdf,
    Mp4,
    QuickTime,
    /// Not recognised from its bytes: the extension decides.
    Other,
}

impl Format {
    /// From the file's first bytes (16 are enough).
    pub fn sniff(head: &[u8]) -> Format {
        let at = |i: usize, magic: &[u8]| {
            head.len() >= i + magic.len() && &head[i..i + magic.len()] == magic
        };
        if at(0, &[0xFF, 0xD8, 0xFF]) {
            Format::Jpeg
        } else if at(0, b"\x89PNG\r\n\x1a\n") {
            Format::Png
        } else if at(0, b"RIFF") && at(8, b"WEBP") {
            Format::Webp
        } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
            Format::Gif
        } else if at(4, b"ftypheic") || at(4, b"ftypheix") || at(4, b"ftypmif1") {
            Format::Heic
        } else if at(4, b"ftypavif") || at(4, b"ftypavis") {
            Format::Avif
        } else if at(4, b"ftypqt") {
            Format::QuickTime
        } else if at(4, b"ftyp") {
            Format::Mp4
        } else if at(0, b"II*\0") || at(0, b"MM\0*") {
            Format::Tiff
        } else if at(0, b"BM") && head.len() >= 14 {
            Format::Bmp
        } else if at(0, b"%PDF-") {
            Format::Pdf
        } else {
            Format::Other
        }
    }

    /// The media type sent with the file: from the bytes, else from the name's extension.
    pub fn content_type(self, file_name: &str) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Heic => "image/heic",
            Format::Avif => "image/avif",
            Format::Tiff => "image/tiff",
            Format::Bmp => "image/bmp",
            Format::Pdf => "application/pdf",
            Format::Mp4 => "video/mp4",
            Format::QuickTime => "video/quicktime",
            Format::Other => by_extension(file_name),
        }
    }

    /// The extension WordPress expects for the type (it refuses a file whose name and bytes
    /// disagree); `None` when the name's own extension is kept.
    pub(crate) fn extension(self) -> Option<&'static [&'static str]> {
        Some(match self {
            Format::Jpeg => &["jpg", "jpeg", "jpe"],
            Format::Png => &["png"],
            Format::Webp => &["webp"],
            Format::Gif => &["gif"],
            Format::Heic => &["heic", "heif"],
            Format::Avif => &["avif"],
            Format::Tiff => &["tif", "tiff"],
            Format::Bmp => &["bmp"],
            Format::Pdf => &["pdf"],
            Format::Mp4 => &["mp4", "m4v"],
            Format::QuickTime => &["mov", "qt"],
            Format::Other => return None,
        })
    }
}

fn by_extension(file_name: &str) -> &'static str {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "webm" => "video/webm",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The name WordPress gets: the person's, with the extension that matches the bytes when the
/// name's own does not (a JPEG saved as `photo.png` is sent as `photo.png.jpg`).
pub(crate) fn name_for(file_name: &str, format: Format) -> String {
    let Some(known) = format.extension() else { return file_name.to_string() };
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if known.contains(&ext.as_str()) {
        file_name.to_string()
    } else {
        format!("{file_name}.{}", known[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_decide_not_the_name() {
        assert_eq!(Format::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Format::Jpeg);
        assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Format::Png);
        assert_eq!(Format::sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Format::Webp);
        assert_eq!(Format::sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Format::Heic);
        assert_eq!(Format::sniff(b"hello"), Format::Other);
        assert_eq!(Format::Jpeg.content_type("holiday.png"), "image/jpeg");
        assert_eq!(Format::Other.content_type("notes.TXT"), "text/plain");
        assert_eq!(name_for("holiday.png", Format::Jpeg), "holiday.png.jpg");
        assert_eq!(name_for("Été à Paris.JPG", Format::Jpeg), "Été à Paris.JPG");
        assert_eq!(name_for("scan", Format::Pdf), "scan.pdf");
        assert_eq!(name_for("readme", Format::Other), "readme");
    }
}
