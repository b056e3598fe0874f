//! A batch under way: each file sent with the shared credential (refreshed once when the site
//! refuses it), progress counted, stalls and cancellation watched, the draft post made.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use url::Url;

use super::body::Sent;
use super::media::{self, DraftPostCreated, Media};
use super::{
    media_endpoint, DraftPost, FileResult, MediaMeta, PostLayout, Prepared, UploadEvent,
    UploadFile, PROCESSING, STALL,
};
use crate::error::{Error, Result};
use crate::http::limits;
use crate::loopback::Cancel;
use crate::recommend::Method;
use crate::rest::{self, TokenIn};
use crate::secret::AccessToken;
use crate::session::Connect;
use crate::store::StoredAccount;

/// The credential a batch signs its requests with (shared by the files under way, replaced when
/// refreshed).
#[derive(Clone)]
pub(super) struct Credential {
    pub(super) token: AccessToken,
    pub(super) how: TokenIn,
}

pub(super) struct Batch<'a> {
    pub(super) connect: &'a Connect,
    pub(super) account: StoredAccount,
    pub(super) media: Url,
    pub(super) events: &'a (dyn Fn(UploadEvent) + Send + Sync),
    pub(super) cancel: &'a Cancel,
    pub(super) credential: Mutex<Credential>,
    pub(super) batch_sent: AtomicU64,
    pub(super) batch_bytes: u64,
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

    pub(super) async fn one(
        &self,
        index: usize,
        prepared: Result<Prepared>,
        file: UploadFile,
    ) -> FileResult {
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
        // This file's bytes in the batch's count, across attempts: a retry starts again from 0.
        let counted = AtomicU64::new(0);
        match self.send(index, p, &first, &counted).await {
            Err(Error::TokenRejected { status: 401, .. }) if self.refreshes() => {
                let because = "the site refused the access token; it was refreshed".to_string();
                (self.events)(UploadEvent::Retrying { index, because });
                let fresh = self.refreshed(&first).await?;
                // The refused attempt must not have left the file in the library.
                if let Some(m) = self.already_uploaded(p, &fresh).await {
                    return Ok(m);
                }
                self.send(index, p, &fresh, &counted).await
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
    async fn send(
        &self,
        index: usize,
        p: &Prepared,
        c: &Credential,
        counted: &AtomicU64,
    ) -> Result<Media> {
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
        let watch = async {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                self.report_progress(index, p, &sent, counted);
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
        self.report_progress(index, p, &sent, counted);
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
        let timeout = http.options().timeout;
        let media =
            media::read_answer(&mut answer, &url, p, &self.account.site_url, timeout).await?;
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
        let moved = |total: u64| (total + file_now).saturating_sub(file_before);
        let before_total = self
            .batch_sent
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| Some(moved(t)))
            .expect("the update always applies");
        let batch_sent = moved(before_total);
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

    pub(super) async fn draft_post(
        &self,
        d: &DraftPost,
        media: &[&Media],
    ) -> Result<DraftPostCreated> {
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
