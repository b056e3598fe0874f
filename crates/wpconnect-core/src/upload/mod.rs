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

mod batch;
mod body;
mod location;
mod media;
mod sniff;
mod staging;
mod tiff;

pub use media::{DraftPostCreated, Media, MediaSize};
pub use sniff::Format;
pub use staging::Staging;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use url::Url;

use self::batch::{Batch, Credential};
use self::body::{Multipart, Plan};
use crate::error::{Error, Result};
use crate::loopback::Cancel;
use crate::recommend::Method;
use crate::rest::rest_route;
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
