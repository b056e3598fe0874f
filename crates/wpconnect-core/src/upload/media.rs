//! What WordPress answers an upload with: the media item as a tool uses it, or the error a person
//! can act on. And the draft post that holds the photos.

use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::Prepared;
use crate::body;
use crate::error::Error;
use crate::http::{limits, Answer};

/// A media item in the site's library.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Media {
    pub id: u64,
    pub title: String,
    pub alt_text: String,
    /// The caption as typed (no HTML added).
    pub caption: String,
    pub description: String,
    pub mime_type: String,
    /// The file as stored (the original upload, or WordPress's `-scaled` copy of a big photo).
    pub source_url: Url,
    /// The item's own page on the site.
    pub link: Option<Url>,
    /// Where to edit it in wp-admin.
    pub edit_link: Url,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Bytes stored, as WordPress reports them (6.0 and later).
    pub file_size: Option<u64>,
    /// The sizes WordPress made (thumbnail, medium, large, …).
    pub sizes: Vec<MediaSize>,
}

/// One size WordPress made of an image.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaSize {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub url: Url,
}

/// A draft post made of uploaded photos.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftPostCreated {
    pub id: u64,
    pub title: String,
    /// Where to go on writing it in wp-admin.
    pub edit_link: Url,
    /// Its preview address on the site.
    pub link: Option<Url>,
}

fn text(v: &Value, field: &str) -> String {
    match &v[field] {
        Value::String(s) => s.clone(),
        o => o["raw"].as_str().or_else(|| o["rendered"].as_str()).unwrap_or_default().to_string(),
    }
}

/// `wp-admin/post.php?post=ID&action=edit` on the site (media items are edited there too).
pub(crate) fn edit_link(site: &Url, id: u64) -> Url {
    let mut u = site.join("wp-admin/post.php").unwrap_or_else(|_| site.clone());
    u.query_pairs_mut().append_pair("post", &id.to_string()).append_pair("action", "edit");
    u
}

impl Media {
    /// From a media item as the REST API returns it (`context=edit` or `view`).
    pub(crate) fn from_json(v: &Value, site: &Url) -> Option<Media> {
        let id = v["id"].as_u64()?;
        let source_url = Url::parse(v["source_url"].as_str()?).ok()?;
        let details = &v["media_details"];
        let mut sizes: Vec<MediaSize> = details["sizes"]
            .as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(name, s)| {
                        Some(MediaSize {
                            name: name.clone(),
                            width: s["width"].as_u64()? as u32,
                            height: s["height"].as_u64()? as u32,
                            url: Url::parse(s["source_url"].as_str()?).ok()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        sizes.sort_by_key(|s| (s.width, s.name.clone()));
        Some(Media {
            id,
            title: text(v, "title"),
            alt_text: text(v, "alt_text"),
            caption: body::strip_tags(&text(v, "caption")),
            description: body::strip_tags(&text(v, "description")),
            mime_type: text(v, "mime_type"),
            source_url,
            link: v["link"].as_str().and_then(|l| Url::parse(l).ok()),
            edit_link: edit_link(site, id),
            width: details["width"].as_u64().map(|w| w as u32),
            height: details["height"].as_u64().map(|h| h as u32),
            file_size: details["filesize"].as_u64(),
            sizes,
        })
    }
}

/// The site's answer to an upload: the media item it made, or the error a person can act on.
pub(crate) async fn read_answer(
    answer: &mut Answer,
    url: &Url,
    p: &Prepared,
    site: &Url,
    timeout: std::time::Duration,
) -> Result<Media, Error> {
    let status = answer.status.as_u16();
    let bytes = answer.body(limits::JSON, timeout).await?;
    if !(200..300).contains(&status) {
        let ct = answer.content_type();
        return Err(upload_error(url, &p.name, p.bytes(), status, ct, &bytes));
    }
    if body::looks_like_html(answer.content_type(), &bytes) {
        return Err(body::html_error(url.clone(), status, &bytes));
    }
    let invalid = |detail: String| Error::InvalidJson {
        url: url.clone(),
        status,
        detail,
        snippet: body::snippet_redacted(&bytes),
    };
    let value: Value = serde_json::from_slice(crate::site::trim_json_prefix(&bytes))
        .map_err(|e| invalid(e.to_string()))?;
    Media::from_json(&value, site).ok_or_else(|| invalid("the answer is not a media item".into()))
}

/// What a refused upload means for the person. `file` is the name sent, `size` the bytes.
pub(crate) fn upload_error(
    url: &Url,
    file: &str,
    size: u64,
    status: u16,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Error {
    if body::looks_like_html(content_type, bytes) {
        if status == 413 {
            return Error::FileTooLarge {
                file: file.into(),
                size,
                site_says: Some(
                    "the web server refused the request as too large (HTTP 413)".into(),
                ),
            };
        }
        return body::html_error(url.clone(), status, bytes);
    }
    let (code, message) = body::rest_error(bytes).unwrap_or_default();
    let lower = message.to_ascii_lowercase();
    match (status, code.as_str()) {
        (413, _) => Error::FileTooLarge { file: file.into(), size, site_says: some(message) },
        // PHP drops a body over post_max_size whole: WordPress then sees no file at all.
        (_, "rest_upload_no_data") => {
            Error::FileTooLarge { file: file.into(), size, site_says: None }
        }
        (_, "rest_upload_file_too_big") => {
            Error::FileTooLarge { file: file.into(), size, site_says: some(message) }
        }
        (_, "rest_upload_unknown_error")
            if lower.contains("upload_max_filesize") || lower.contains("max_file_size") =>
        {
            Error::FileTooLarge { file: file.into(), size, site_says: some(message) }
        }
        (
            _,
            "rest_upload_unknown_error"
            | "rest_upload_sniffed_file_type"
            | "rest_upload_invalid_type",
        ) if lower.contains("type") => Error::FileTypeRefused { file: file.into(), message },
        (_, "rest_upload_limited_space" | "rest_upload_user_quota_exceeded") => {
            Error::UploadQuota { message }
        }
        (401 | 403, "rest_cannot_create" | "rest_cannot_edit" | "rest_forbidden") => {
            Error::CannotUpload { message }
        }
        (401, _) | (403, "rest_not_logged_in") => Error::TokenRejected {
            url: url.clone(),
            status,
            code: Some(code).filter(|c| !c.is_empty()),
            stripped_header_suspected: false,
        },
        (500..=599, "") => {
            Error::ServerError { url: url.clone(), status, snippet: body::snippet_redacted(bytes) }
        }
        _ => Error::UploadRefused {
            url: url.clone(),
            status,
            code: Some(code).filter(|c| !c.is_empty()),
            message: some(message).unwrap_or_else(|| body::snippet_redacted(bytes)),
        },
    }
}

fn some(s: String) -> Option<String> {
    Some(s).filter(|s| !s.is_empty())
}

/// The block markup of a draft post: a gallery of the photos, or nothing (the first photo is the
/// featured image).
pub(crate) fn gallery(media: &[&Media]) -> String {
    let mut out = String::from(
        "<!-- wp:gallery {\"linkTo\":\"none\"} -->\n\
         <figure class=\"wp-block-gallery has-nested-images columns-default is-cropped\">",
    );
    for m in media {
        let src = m
            .sizes
            .iter()
            .find(|s| s.name == "large")
            .map(|s| s.url.as_str())
            .unwrap_or(m.source_url.as_str());
        out.push_str(&format!(
            "<!-- wp:image {{\"id\":{id},\"sizeSlug\":\"large\",\"linkDestination\":\"none\"}} \
             -->\n\
             <figure class=\"wp-block-image size-large\"><img src=\"{src}\" alt=\"{alt}\" \
             class=\"wp-image-{id}\"/></figure>\n<!-- /wp:image -->",
            id = m.id,
            src = escape(src),
            alt = escape(&m.alt_text),
        ));
    }
    out.push_str("</figure>\n<!-- /wp:gallery -->");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Url {
        Url::parse("https://blog.example/").unwrap()
    }

    #[test]
    fn a_media_item_reads_as_a_tool_uses_it() {
        let v = serde_json::json!({
            "id": 42, "link": "https://blog.example/ete/",
            "title": {"raw": "Été à Paris", "rendered": "Été à Paris"},
            "caption": {"raw": "Le soir", "rendered": "<p>Le soir</p>\n"},
            "description": {"rendered": "<p>Quai</p>"},
            "alt_text": "La Seine", "mime_type": "image/jpeg",
            "source_url": "https://blog.example/wp-content/uploads/2026/12/ete.jpg",
            "media_details": {"width": 1200, "height": 800, "filesize": 345678, "sizes": {
                "medium": {"width": 300, "height": 200,
                    "source_url": "https://blog.example/wp-content/uploads/2026/12/ete-300x200.jpg"},
                "thumbnail": {"width": 150, "height": 150,
                    "source_url": "https://blog.example/wp-content/uploads/2026/12/ete-150x150.jpg"}
            }}
        });
        let m = Media::from_json(&v, &site()).unwrap();
        assert_eq!(m.id, 42);
        assert_eq!((m.title.as_str(), m.alt_text.as_str()), ("Été à Paris", "La Seine"));
        assert_eq!((m.caption.as_str(), m.description.as_str()), ("Le soir", "Quai"));
        assert_eq!(
            m.edit_link.as_str(),
            "https://blog.example/wp-admin/post.php?post=42&action=edit"
        );
        assert_eq!(
            m.sizes.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["thumbnail", "medium"]
        );
        assert_eq!((m.width, m.file_size), (Some(1200), Some(345678)));
    }

    #[test]
    fn refusals_become_errors_a_person_can_act_on() {
        let url = Url::parse("https://blog.example/wp-json/wp/v2/media").unwrap();
        let json = Some("application/json");
        let e = |status, body: &str| {
            upload_error(&url, "a.jpg", 9_000_000, status, json, body.as_bytes())
        };
        let kind = |status, body: &str| e(status, body).kind();
        use crate::ErrorKind::*;
        assert_eq!(
            kind(400, r#"{"code":"rest_upload_no_data","message":"No data supplied."}"#),
            FileTooLarge
        );
        assert_eq!(
            kind(
                500,
                r#"{"code":"rest_upload_unknown_error","message":"The uploaded file exceeds the upload_max_filesize directive in php.ini."}"#
            ),
            FileTooLarge
        );
        assert_eq!(
            kind(
                500,
                r#"{"code":"rest_upload_unknown_error","message":"Sorry, you are not allowed to upload this file type."}"#
            ),
            FileTypeRefused
        );
        assert_eq!(
            kind(
                403,
                r#"{"code":"rest_cannot_create","message":"Sorry, you are not allowed to create posts as this user."}"#
            ),
            CannotUpload
        );
        assert_eq!(
            kind(
                400,
                r#"{"code":"rest_upload_user_quota_exceeded","message":"Not enough space."}"#
            ),
            UploadQuota
        );
        assert_eq!(kind(401, r#"{"code":"rest_not_logged_in","message":"x"}"#), TokenRejected);
        assert_eq!(
            kind(
                400,
                r#"{"code":"rest_invalid_param","message":"Invalid parameter(s): alt_text"}"#
            ),
            UploadRefused
        );
        let firewall = upload_error(
            &url,
            "a.jpg",
            1,
            403,
            Some("text/html"),
            b"<html><title>Wordfence</title>Blocked</html>",
        );
        assert_eq!(firewall.kind(), HtmlInsteadOfJson);
        let big = upload_error(
            &url,
            "a.jpg",
            1,
            413,
            Some("text/html"),
            b"<html>413 Request Entity Too Large</html>",
        );
        assert_eq!(big.kind(), FileTooLarge);
    }

    #[test]
    fn the_gallery_holds_each_photo_escaped() {
        let v = serde_json::json!({"id": 7, "alt_text": "\"Tom\" & <Jerry>",
            "source_url": "https://blog.example/a.jpg", "title": "a"});
        let m = Media::from_json(&v, &site()).unwrap();
        let g = gallery(&[&m]);
        assert!(g.contains(r#"alt="&quot;Tom&quot; &amp; &lt;Jerry&gt;""#), "{g}");
        assert!(g.contains("class=\"wp-image-7\"") && g.starts_with("<!-- wp:gallery"));
    }
}
