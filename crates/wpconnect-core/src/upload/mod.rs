//! Uploading photos (and any other media) to a site's library, with a signed-in account of any
//! method: what a photo-upload tool builds on.
//!
//! ```no_run
//! # async fn example(connect: wpconnect_core::session::Connect) -> wpconnect_core::Result<()> {
//! use wpconnect_core::loopback::Cancel;
//! use wpconnect_core::upload::{UploadFile, UploadOptions};
//!
//! let files = vec![UploadFile::new("Été à Paris.jpg").alt_text("The Seine at dusk")];
//! let report = connect
//!     .upload("ada@blog.example", files, UploadOptions::default(), &|event| println!("{event:?}"), &Cancel::new())
//!     .await?;
//! for file in &report.files {
//!     match &file.outcome {
//!         Ok(media) => println!("{} → {}", file.name, media.source_url),
//!         Err(e) => println!("{}: {e} {}", file.name, e.hint()),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Each file is streamed from disk, never read whole into memory, as `multipart/form-data` with
//! its name as the person gave it (UTF-8) and a type read from its bytes. Location data (GPS) is
//! taken out of JPEG, PNG and WebP photos before they leave the computer, without re-encoding
//! them, unless [`UploadOptions::keep_location`]; each result says what was removed. Uploads run
//! [`UploadOptions::jobs`] at a time; one bad file does not stop the others. The access token is
//! refreshed before the batch when it would expire during it, and once more if the site refuses
//! it mid-batch: the file is then sent again from the start, after checking that the refused
//! attempt left nothing in the library.

mod body;
mod location;
mod media;
mod sniff;
mod tiff;

pub use media::{DraftPostCreated, Media, MediaSize};
pub use sniff::Format;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt as _;
use reqwest::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use url::Url;

use self::body::{Multipart, Plan, Sent};
use crate::error::{Error, Result};
use crate::http::limits;
use crate::loopback::Cancel;
use crate::recommend::Method;
use crate::rest::{self, rest_route, TokenIn};
use crate::secret::AccessToken;
use crate::session::{how_for, Connect};
use crate::store::StoredAccount;

/// How long a started upload may go without a byte leaving before it is given up.
pub const STALL: Duration = Duration::from_secs(30);
/// How long the site may take, once the whole file is there, to store it and make its sizes.
pub const PROCESSING: Duration = Duration::from_secs(300);
/// A batch refreshes its token first when it would expire within this.
const BATCH_MARGIN: Duration = Duration::from_secs(600);

/// One file to upload, with the words WordPress keeps with it.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadFile {
    pub path: PathBuf,
    pub meta: MediaMeta,
}

impl UploadFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        UploadFile { path: path.into(), meta: MediaMeta::default() }
    }
    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.meta.title = Some(t.into());
        self
    }
    pub fn alt_text(mut self, t: impl Into<String>) -> Self {
        self.meta.alt_text = Some(t.into());
        self
    }
    pub fn caption(mut self, t: impl Into<String>) -> Self {
        self.meta.caption = Some(t.into());
        self
    }
    pub fn description(mut self, t: impl Into<String>) -> Self {
        self.meta.description = Some(t.into());
        self
    }
}

/// A media item's words. `None` leaves WordPress's default, but for the title, which is then the
/// file's name as the person gave it (WordPress would strip it of accents and spaces).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaMeta {
    pub title: Option<String>,
    /// What a screen reader says instead of the image.
    pub alt_text: Option<String>,
    pub caption: Option<String>,
    pub description: Option<String>,
}

impl MediaMeta {
    fn fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("title", &self.title),
            ("alt_text", &self.alt_text),
            ("caption", &self.caption),
            ("description", &self.description),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}

/// How to upload a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOptions {
    /// Uploads at once (at least 1; 2 by default).
    pub jobs: usize,
    /// Send photos with their location data (by default it is removed first).
    pub keep_location: bool,
    /// Also make a draft post holding the photos that were uploaded.
    pub draft_post: Option<DraftPost>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions { jobs: 2, keep_location: false, draft_post: None }
    }
}

/// A draft post for the uploaded photos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftPost {
    pub title: String,
    pub layout: PostLayout,
}

/// What the draft post does with the photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostLayout {
    /// A gallery block of every photo.
    Gallery,
    /// The first photo as the post's featured image; the text is left to write.
    FeaturedImage,
}

/// What an upload reports as it goes, to a callback the caller chooses.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadEvent {
    /// A file is ready to go: its name as sent, its size on the wire, the location data removed.
    Prepared { index: usize, name: String, bytes: u64, removed: Vec<String> },
    /// Bytes sent, of this file and of the whole batch.
    Progress { index: usize, sent: u64, bytes: u64, batch_sent: u64, batch_bytes: u64 },
    /// The file is sent again from the start (its first attempt was refused: the reason).
    Retrying { index: usize, because: String },
    /// The file is done: its media item, or the error's message.
    Finished { index: usize, result: std::result::Result<u64, String> },
}

/// The outcome of a batch: each file's, in the order given, and the draft post's.
#[derive(Debug)]
pub struct UploadReport {
    pub files: Vec<FileResult>,
    /// `None` when no draft post was asked for, or no photo was uploaded.
    pub post: Option<Result<DraftPostCreated>>,
    /// The batch was cancelled (files not finished then say so).
    pub cancelled: bool,
}

impl UploadReport {
    pub fn uploaded(&self) -> usize {
        self.files.iter().filter(|f| f.outcome.is_ok()).count()
    }
    pub fn failed(&self) -> usize {
        self.files.len() - self.uploaded()
    }
}

/// One file's outcome.
#[derive(Debug)]
pub struct FileResult {
    pub path: PathBuf,
    /// The name the site was given.
    pub name: String,
    /// The media type sent (from the file's bytes).
    pub content_type: String,
    /// Bytes sent (0 when the file could not be read).
    pub bytes: u64,
    /// Location data taken out before sending ("EXIF GPS (latitude, longitude)", …).
    pub location_removed: Vec<String>,
    pub outcome: Result<Media>,
}

/// A file read and planned, ready to send.
#[derive(Debug, Clone)]
struct Prepared {
    path: PathBuf,
    name: String,
    content_type: String,
    removed: Vec<String>,
    meta: MediaMeta,
    body: Multipart,
}

impl Prepared {
    /// Bytes of the file itself on the wire (the multipart framing aside).
    fn bytes(&self) -> u64 {
        self.body.file_len()
    }
}

/// Read a file's type and plan what to send (blocking: called on a blocking thread).
fn prepare(file: &UploadFile, keep_location: bool) -> Result<Prepared> {
    use std::io::Read;
    let path = &file.path;
    let unreadable =
        |detail: String| Error::FileUnreadable { path: path.display().to_string(), detail };
    let mut f = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    let meta = f.metadata().map_err(|e| unreadable(e.to_string()))?;
    if meta.is_dir() {
        return Err(unreadable("it is a folder".into()));
    }
    let len = meta.len();
    if len == 0 {
        return Err(unreadable("it is empty".into()));
    }
    let mut head = [0u8; 16];
    let n = f.read(&mut head).map_err(|e| unreadable(e.to_string()))?;
    let format = Format::sniff(&head[..n]);
    let original = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name = sniff::name_for(&original, format);
    let content_type = format.content_type(&name).to_string();
    let (plan, removed) = if keep_location {
        (Plan::whole(len), Vec::new())
    } else {
        location::without_location(&mut f, len, format).map_err(|e| unreadable(e.to_string()))?
    };
    let body = Multipart::new(path.clone(), &name, &content_type, plan);
    let mut meta = file.meta.clone();
    if meta.title.is_none() {
        // WordPress would make the title from the name it stores, which it strips of accents and
        // spaces ("Été à Paris.jpg" becomes "Ete-a-Paris"): the person's own name is the title.
        meta.title = Path::new(&original).file_stem().map(|s| s.to_string_lossy().into_owned());
    }
    Ok(Prepared { path: path.clone(), name, content_type, removed, meta, body })
}

/// The credential a batch signs its requests with (shared by the files under way, replaced when
/// refreshed).
#[derive(Clone)]
struct Credential {
    token: AccessToken,
    how: TokenIn,
}

struct Batch<'a> {
    connect: &'a Connect,
    account: StoredAccount,
    media: Url,
    events: &'a (dyn Fn(UploadEvent) + Send + Sync),
    cancel: &'a Cancel,
    credential: Mutex<Credential>,
    batch_sent: AtomicU64,
    batch_bytes: u64,
}

impl Connect {
    /// Upload files to the account's media library; see the [module](crate::upload) for what
    /// happens on the way. Fails as a whole only when nothing can be sent (the account is unknown,
    /// must sign in again, or its secrets cannot be read); otherwise each file has its outcome.
    pub async fn upload(
        &self,
        account_id: &str,
        files: Vec<UploadFile>,
        opts: UploadOptions,
        events: &(dyn Fn(UploadEvent) + Send + Sync),
        cancel: &Cancel,
    ) -> Result<UploadReport> {
        let account = self.account(account_id)?;
        let credential = self.batch_credential(&account).await?;
        let keep = opts.keep_location;
        let mut prepared = Vec::with_capacity(files.len());
        for (index, file) in files.into_iter().enumerate() {
            let path = file.path.display().to_string();
            let p = tokio::task::spawn_blocking(move || (prepare(&file, keep), file))
                .await
                .map_err(|e| Error::FileUnreadable { path, detail: e.to_string() })?;
            if let (Ok(ready), _) = &p {
                events(UploadEvent::Prepared {
                    index,
                    name: ready.name.clone(),
                    bytes: ready.bytes(),
                    removed: ready.removed.clone(),
                });
            }
            prepared.push(p);
        }
        let batch = Batch {
            connect: self,
            media: media_endpoint(&account, "media"),
            account,
            events,
            cancel,
            credential: Mutex::new(credential),
            batch_sent: AtomicU64::new(0),
            batch_bytes: prepared
                .iter()
                .filter_map(|(p, _)| p.as_ref().ok())
                .map(|p| p.bytes())
                .sum(),
        };
        let files: Vec<FileResult> = futures_util::stream::iter(prepared.into_iter().enumerate())
            .map(|(index, (p, file))| batch.one(index, p, file))
            .buffered(opts.jobs.max(1))
            .collect()
            .await;
        let cancelled = cancel.is_cancelled();
        let uploaded: Vec<&Media> = files.iter().filter_map(|f| f.outcome.as_ref().ok()).collect();
        let post = match &opts.draft_post {
            Some(d) if !uploaded.is_empty() && !cancelled => {
                Some(batch.draft_post(d, &uploaded).await)
            }
            _ => None,
        };
        Ok(UploadReport { files, post, cancelled })
    }

    /// The account's credential, refreshed first if it would expire during a batch.
    async fn batch_credential(&self, account: &StoredAccount) -> Result<Credential> {
        let token = self.access_token_lasting(&account.id, BATCH_MARGIN).await?;
        let how = match account.method {
            Method::Oauth1 => self.oauth1_credentials(account, &token).await?,
            _ => how_for(account),
        };
        Ok(Credential { token, how })
    }
}

/// `wp/v2/<route>` for the account: on its site, or on WordPress.com's API for a WordPress.com
/// site (`/wp/v2/sites/<id>/<route>`).
fn media_endpoint(account: &StoredAccount, route: &str) -> Url {
    if account.method == Method::WordpressCom {
        let root = account.api_root.as_str();
        if let Some((base, site)) = root.split_once("/rest/v1.1/sites/") {
            let site = site.trim_end_matches('/');
            if let Ok(u) = Url::parse(&format!("{base}/wp/v2/sites/{site}/{route}")) {
                return u;
            }
        }
    }
    rest_route(&account.api_root, &format!("wp/v2/{route}"))
}

impl Batch<'_> {
    fn credential(&self) -> Credential {
        self.credential.lock().expect("not poisoned").clone()
    }

    /// Whether a refused token can be refreshed (OAuth 2 with a token endpoint).
    fn refreshes(&self) -> bool {
        self.account.token_url.is_some()
            && !matches!(
                self.account.method,
                Method::WordpressCom | Method::Oauth1 | Method::ApplicationPasswords
            )
    }

    async fn one(&self, index: usize, prepared: Result<Prepared>, file: UploadFile) -> FileResult {
        let p = match prepared {
            Ok(p) => p,
            Err(e) => {
                (self.events)(UploadEvent::Finished { index, result: Err(e.to_string()) });
                return FileResult {
                    path: file.path,
                    name: String::new(),
                    content_type: String::new(),
                    bytes: 0,
                    location_removed: Vec::new(),
                    outcome: Err(e),
                };
            }
        };
        let outcome = self.upload_with_retry(index, &p).await;
        (self.events)(UploadEvent::Finished {
            index,
            result: outcome.as_ref().map(|m| m.id).map_err(|e| e.to_string()),
        });
        FileResult {
            bytes: p.bytes(),
            path: p.path,
            name: p.name,
            content_type: p.content_type,
            location_removed: p.removed,
            outcome,
        }
    }

    async fn upload_with_retry(&self, index: usize, p: &Prepared) -> Result<Media> {
        if self.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let first = self.credential();
        match self.send(index, p, &first).await {
            Err(Error::TokenRejected { status: 401, .. }) if self.refreshes() => {
                let because = "the site refused the access token; it was refreshed".to_string();
                (self.events)(UploadEvent::Retrying { index, because });
                let fresh = self.refreshed(&first).await?;
                // The refused attempt must not have left the file in the library.
                if let Some(m) = self.already_uploaded(p, &fresh).await {
                    return Ok(m);
                }
                self.send(index, p, &fresh).await
            }
            other => other,
        }
    }

    /// A new access token after `refused` was refused (one refresh for every file that saw it).
    async fn refreshed(&self, refused: &Credential) -> Result<Credential> {
        let id = &self.account.id;
        let seen = self.connect.account(id)?.expires_at;
        let token = self.connect.refresh_replacing(id, seen, Some(&refused.token)).await?;
        let fresh = Credential { token, how: refused.how.clone() };
        *self.credential.lock().expect("not poisoned") = fresh.clone();
        Ok(fresh)
    }

    /// Send one file: progress reported, stalls and cancellation watched.
    async fn send(&self, index: usize, p: &Prepared, c: &Credential) -> Result<Media> {
        let mut url = self.media.clone();
        url.query_pairs_mut().extend_pairs(p.meta.fields());
        let (mut headers, target) =
            rest::with_credential(&reqwest::Method::POST, &url, &c.token, c.how.clone())?;
        let content_type = HeaderValue::from_str(&p.body.content_type()).expect("ASCII");
        headers.insert(CONTENT_TYPE, content_type);
        headers.insert(CONTENT_LENGTH, HeaderValue::from(p.body.len()));
        let sent = Sent::new();
        let make = || p.body.stream(sent.clone());
        let http = &self.connect.http;
        let request =
            http.send_stream(reqwest::Method::POST, target, headers, &make, PROCESSING + STALL * 4);
        tokio::pin!(request);
        let total = p.body.len();
        let counted = AtomicU64::new(0);
        let watch = async {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                self.report_progress(index, p, &sent, &counted);
                let done = sent.bytes() >= total;
                let idle = sent.idle();
                if (!done && idle > STALL) || (done && idle > PROCESSING) {
                    return Error::Timeout {
                        url: url.clone(),
                        after: if done { PROCESSING } else { STALL },
                    };
                }
            }
        };
        let outcome = tokio::select! {
            answer = &mut request => answer,
            e = watch => Err(e),
            _ = self.cancel.cancelled() => {
                if sent.bytes() >= total {
                    // The whole file is there and the site may keep it: let it answer, then take
                    // the item back out, so that a cancelled file is not in the library.
                    if let Ok(Ok(answer)) = tokio::time::timeout(PROCESSING, &mut request).await {
                        self.take_back(answer, c).await;
                    }
                }
                Err(Error::Cancelled)
            }
        };
        self.report_progress(index, p, &sent, &counted);
        let mut answer = match outcome {
            Ok(a) => a,
            Err(e) if e.is_transport() && sent.bytes() > 0 && sent.bytes() < total => {
                return Err(Error::UploadInterrupted {
                    file: p.name.clone(),
                    sent: sent.bytes().min(total),
                    total,
                    detail: e.to_string(),
                })
            }
            Err(e) => return Err(e),
        };
        let status = answer.status.as_u16();
        let bytes = answer.body(limits::JSON, http.options().timeout).await?;
        if !(200..300).contains(&status) {
            return Err(media::upload_error(
                &url,
                &p.name,
                p.bytes(),
                status,
                answer.content_type(),
                &bytes,
            ));
        }
        let value: serde_json::Value =
            serde_json::from_slice(crate::site::trim_json_prefix(&bytes)).map_err(|e| {
                Error::InvalidJson {
                    url: url.clone(),
                    status,
                    detail: e.to_string(),
                    snippet: crate::body::snippet_redacted(&bytes),
                }
            })?;
        let media =
            Media::from_json(&value, &self.account.site_url).ok_or_else(|| Error::InvalidJson {
                url: url.clone(),
                status,
                detail: "the answer is not a media item".into(),
                snippet: crate::body::snippet_redacted(&bytes),
            })?;
        self.words_kept(media, &p.meta, c).await
    }

    /// Delete the media item an answer created (the upload was cancelled after it was sent).
    async fn take_back(&self, mut answer: crate::http::Answer, c: &Credential) {
        let timeout = self.connect.http.options().timeout;
        let Ok(bytes) = answer.body(limits::JSON, timeout).await else { return };
        let Some(id) = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .filter(|_| answer.status.is_success())
            .and_then(|v| v["id"].as_u64())
        else {
            return;
        };
        let mut url = media_endpoint(&self.account, &format!("media/{id}"));
        url.query_pairs_mut().append_pair("force", "true");
        let deleted = rest::send_json(
            &self.connect.http,
            reqwest::Method::DELETE,
            &url,
            &c.token,
            c.how.clone(),
        )
        .await;
        if let Err(e) = deleted {
            tracing::warn!(media = id, error = %e, "a cancelled upload could not be deleted");
        }
    }

    /// Report this file's bytes sent, and the batch's, when they moved.
    fn report_progress(&self, index: usize, p: &Prepared, sent: &Sent, counted: &AtomicU64) {
        let now = sent.bytes().min(p.body.len());
        let before = counted.swap(now, Ordering::SeqCst);
        if now == before {
            return;
        }
        // The framing's bytes count for the file but not for the batch's total of file bytes.
        let file_now = now.min(p.bytes());
        let file_before = before.min(p.bytes());
        let batch_sent = if file_now >= file_before {
            self.batch_sent.fetch_add(file_now - file_before, Ordering::SeqCst) + file_now
                - file_before
        } else {
            self.batch_sent.fetch_sub(file_before - file_now, Ordering::SeqCst)
                - (file_before - file_now)
        };
        (self.events)(UploadEvent::Progress {
            index,
            sent: file_now,
            bytes: p.bytes(),
            batch_sent,
            batch_bytes: self.batch_bytes,
        });
    }

    /// The words asked for, as WordPress kept them: set again right after the upload when the
    /// site did not take them with it.
    async fn words_kept(&self, media: Media, meta: &MediaMeta, c: &Credential) -> Result<Media> {
        let differs = |asked: &Option<String>, kept: &str| {
            asked.as_deref().is_some_and(|a| a.trim() != kept.trim())
        };
        if !(differs(&meta.title, &media.title)
            || differs(&meta.alt_text, &media.alt_text)
            || differs(&meta.caption, &media.caption)
            || differs(&meta.description, &media.description))
        {
            return Ok(media);
        }
        let url = media_endpoint(&self.account, &format!("media/{}", media.id));
        let body: serde_json::Map<String, serde_json::Value> =
            meta.fields().into_iter().map(|(k, v)| (k.to_string(), v.into())).collect();
        let v = rest::send_json_body(
            &self.connect.http,
            reqwest::Method::POST,
            &url,
            &c.token,
            c.how.clone(),
            &body.into(),
        )
        .await?;
        Ok(Media::from_json(&v, &self.account.site_url).unwrap_or(media))
    }

    /// A media item from this batch's refused attempt at `p`, if the site kept it after all: the
    /// account's newest items with the same title or name and the same size.
    async fn already_uploaded(&self, p: &Prepared, c: &Credential) -> Option<Media> {
        let mut url = self.media.clone();
        let search = p.meta.title.clone()?;
        url.query_pairs_mut()
            .append_pair("search", &search)
            .append_pair("per_page", "20")
            .append_pair("orderby", "date")
            .append_pair("order", "desc")
            .append_pair("context", "edit");
        if let Some(user) = &self.account.user_id {
            url.query_pairs_mut().append_pair("author", user);
        }
        let list = rest::get_json(&self.connect.http, &url, &c.token, c.how.clone()).await.ok()?;
        list.as_array()?
            .iter()
            .filter_map(|v| Media::from_json(v, &self.account.site_url))
            .find(|m| m.file_size == Some(p.bytes()) && m.title == search)
    }

    async fn draft_post(&self, d: &DraftPost, media: &[&Media]) -> Result<DraftPostCreated> {
        let url = media_endpoint(&self.account, "posts");
        let mut body = serde_json::json!({ "title": d.title, "status": "draft" });
        match d.layout {
            PostLayout::Gallery => body["content"] = media::gallery(media).into(),
            PostLayout::FeaturedImage => body["featured_media"] = media[0].id.into(),
        }
        let c = self.credential();
        let v = rest::send_json_body(
            &self.connect.http,
            reqwest::Method::POST,
            &url,
            &c.token,
            c.how,
            &body,
        )
        .await?;
        let id = v["id"].as_u64().ok_or_else(|| Error::InvalidJson {
            url: url.clone(),
            status: 201,
            detail: "the answer is not a post".into(),
            snippet: crate::body::snippet_redacted(v.to_string().as_bytes()),
        })?;
        Ok(DraftPostCreated {
            id,
            title: v["title"]["raw"].as_str().unwrap_or(&d.title).to_string(),
            edit_link: media::edit_link(&self.account.site_url, id),
            link: v["link"].as_str().and_then(|l| Url::parse(l).ok()),
        })
    }
}
