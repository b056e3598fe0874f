//! What goes on the wire for one file: a [`Plan`] (ranges of the file, and edited bytes in
//! between) wrapped in a `multipart/form-data` body, streamed from disk in small pieces with the
//! bytes counted as they leave. The file is never read whole into memory.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// The size of each piece read from disk.
const PIECE: usize = 256 * 1024;

/// What to send for a file, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    /// A range of the file, sent as it is.
    File { at: u64, len: u64 },
    /// Bytes made here (an edited metadata block, the multipart framing).
    Bytes(Bytes),
}

impl Plan {
    pub(crate) fn whole(len: u64) -> Plan {
        let mut p = Plan::default();
        p.file(0, len);
        p
    }

    /// Add a range of the file (joined to the previous one when they touch).
    pub(crate) fn file(&mut self, at: u64, len: u64) {
        if len == 0 {
            return;
        }
        if let Some(Part::File { at: a, len: l }) = self.parts.last_mut() {
            if *a + *l == at {
                *l += len;
                return;
            }
        }
        self.parts.push(Part::File { at, len });
    }

    pub(crate) fn bytes(&mut self, b: Bytes) {
        if !b.is_empty() {
            self.parts.push(Part::Bytes(b));
        }
    }

    pub(crate) fn append(&mut self, other: Plan) {
        for p in other.parts {
            match p {
                Part::File { at, len } => self.file(at, len),
                Part::Bytes(b) => self.bytes(b),
            }
        }
    }

    /// Bytes on the wire.
    pub(crate) fn len(&self) -> u64 {
        self.parts
            .iter()
            .map(|p| match p {
                Part::File { len, .. } => *len,
                Part::Bytes(b) => b.len() as u64,
            })
            .sum()
    }

    /// Of those, the bytes sent straight from the file.
    #[cfg(test)]
    pub(crate) fn file_bytes(&self) -> u64 {
        self.parts.iter().map(|p| if let Part::File { len, .. } = p { *len } else { 0 }).sum()
    }

    /// Everything, in memory (tests only).
    #[cfg(test)]
    pub(crate) fn read_all(&self, file: &mut std::fs::File) -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                Part::File { at, len } => {
                    file.seek(SeekFrom::Start(*at))?;
                    let mut buf = vec![0; *len as usize];
                    file.read_exact(&mut buf)?;
                    out.extend_from_slice(&buf);
                }
                Part::Bytes(b) => out.extend_from_slice(b),
            }
        }
        Ok(out)
    }
}

/// Bytes sent of one file, and when the last ones left (for the stall watchdog).
#[derive(Debug)]
pub(crate) struct Sent {
    bytes: AtomicU64,
    /// Milliseconds since `start` of the last piece.
    last_ms: AtomicU64,
    start: Instant,
}

impl Sent {
    pub(crate) fn new() -> Arc<Sent> {
        Arc::new(Sent {
            bytes: AtomicU64::new(0),
            last_ms: AtomicU64::new(0),
            start: Instant::now(),
        })
    }
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::SeqCst)
    }
    fn add(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::SeqCst);
        self.touch();
    }
    pub(crate) fn touch(&self) {
        self.last_ms.store(self.start.elapsed().as_millis() as u64, Ordering::SeqCst);
    }
    /// Time since the last piece left.
    pub(crate) fn idle(&self) -> std::time::Duration {
        let last = std::time::Duration::from_millis(self.last_ms.load(Ordering::SeqCst));
        self.start.elapsed().saturating_sub(last)
    }
}

/// A `multipart/form-data` body with one part, `file`: the framing and the plan, streamed.
#[derive(Debug, Clone)]
pub(crate) struct Multipart {
    pub(crate) boundary: String,
    plan: Plan,
    path: PathBuf,
    /// Bytes of the file's own plan (the framing aside).
    file_len: u64,
}

impl Multipart {
    pub(crate) fn new(path: PathBuf, file_name: &str, content_type: &str, plan: Plan) -> Self {
        let boundary = format!("wpconnect-{}", crate::crypto::random_state());
        let file_len = plan.len();
        let mut framed = Plan::default();
        framed.bytes(Bytes::from(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: {content_type}\r\n\r\n",
            quoted_file_name(file_name)
        )));
        framed.append(plan);
        framed.bytes(Bytes::from(format!("\r\n--{boundary}--\r\n")));
        Multipart { boundary, plan: framed, path, file_len }
    }

    /// Bytes of the file as sent (location data removed), without the framing.
    pub(crate) fn file_len(&self) -> u64 {
        self.file_len
    }

    pub(crate) fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// Bytes on the wire (the Content-Length).
    pub(crate) fn len(&self) -> u64 {
        self.plan.len()
    }

    /// A fresh stream of the body, counting into `sent` (each send, and each retry, opens the
    /// file anew and starts from the beginning).
    pub(crate) fn stream(&self, sent: Arc<Sent>) -> reqwest::Body {
        reqwest::Body::wrap_stream(self.pieces(sent))
    }

    fn pieces(
        &self,
        sent: Arc<Sent>,
    ) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
        let state = Reading { parts: self.plan.parts.clone(), next: 0, file: None, left: 0 };
        let path = self.path.clone();
        let stream =
            futures_util::stream::unfold((state, path, sent), |(mut st, path, sent)| async move {
                match st.piece(&path).await {
                    Ok(Some(b)) => {
                        sent.add(b.len() as u64);
                        Some((Ok::<Bytes, std::io::Error>(b), (st, path, sent)))
                    }
                    Ok(None) => None,
                    Err(e) => Some((Err(e), (Reading::done(), path, sent))),
                }
            });
        stream
    }
}

/// Where the stream is in the plan.
struct Reading {
    parts: Vec<Part>,
    next: usize,
    file: Option<tokio::fs::File>,
    /// Bytes left in the current file range.
    left: u64,
}

impl Reading {
    fn done() -> Reading {
        Reading { parts: Vec::new(), next: 0, file: None, left: 0 }
    }

    async fn piece(&mut self, path: &std::path::Path) -> std::io::Result<Option<Bytes>> {
        loop {
            if self.left > 0 {
                let file = self.file.as_mut().expect("a range is being read");
                let want = (self.left as usize).min(PIECE);
                let mut buf = vec![0; want];
                file.read_exact(&mut buf).await?;
                self.left -= want as u64;
                return Ok(Some(Bytes::from(buf)));
            }
            let Some(part) = self.parts.get(self.next).cloned() else { return Ok(None) };
            self.next += 1;
            match part {
                Part::Bytes(b) => return Ok(Some(b)),
                Part::File { at, len } => {
                    if self.file.is_none() {
                        self.file = Some(tokio::fs::File::open(path).await?);
                    }
                    let file = self.file.as_mut().expect("just opened");
                    file.seek(std::io::SeekFrom::Start(at)).await?;
                    self.left = len;
                }
            }
        }
    }
}

/// A file name inside the multipart header's quotes: UTF-8 as it is (as browsers send it, and as
/// PHP reads it), with the three characters that would break the header percent-encoded.
fn quoted_file_name(name: &str) -> String {
    name.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt as _;

    #[tokio::test]
    async fn the_body_streams_the_framing_and_the_file_and_counts_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Été \"1\".jpg");
        let data: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let mut plan = Plan::default();
        plan.file(0, 100);
        plan.bytes(Bytes::from_static(b"EDITED"));
        plan.file(200, data.len() as u64 - 200);
        let body = Multipart::new(path, "Été \"1\".jpg", "image/jpeg", plan);
        let sent = Sent::new();
        let mut stream = Box::pin(body.pieces(sent.clone()));
        let mut got = Vec::new();
        let mut pieces = 0;
        while let Some(b) = stream.next().await {
            let b = b.unwrap();
            assert!(b.len() <= PIECE.max(200), "read in pieces, not whole");
            got.extend_from_slice(&b);
            pieces += 1;
        }
        assert!(pieces > 3);
        assert_eq!(got.len() as u64, body.len());
        assert_eq!(sent.bytes(), body.len());
        let text = String::from_utf8_lossy(&got[..200]);
        assert!(text.contains("filename=\"Été %221%22.jpg\""), "{text}");
        assert!(text.contains("Content-Type: image/jpeg\r\n\r\n"));
        let start = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(&got[start..start + 100], &data[..100]);
        assert_eq!(&got[start + 100..start + 106], b"EDITED");
        assert_eq!(&got[start + 106..start + 106 + 10], &data[200..210]);
        assert!(got.ends_with(format!("\r\n--{}--\r\n", body.boundary).as_bytes()));
    }
}
