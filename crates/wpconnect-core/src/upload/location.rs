//! Location data out of photos before they leave the computer, without re-encoding them: the
//! metadata blocks of JPEG (APP1 Exif and XMP), PNG (eXIf, XMP and text profiles) and WebP (EXIF
//! and XMP chunks) are edited or dropped; everything else is sent byte for byte, straight from
//! the file. The result is a [`Plan`]: which ranges of the file to send, and which edited bytes
//! in between. Only the small metadata blocks are ever read into memory.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use bytes::Bytes;

use super::body::Plan;
use super::sniff::Format;
use super::tiff::{remove_gps, remove_xmp_gps, Removed};

/// Metadata blocks bigger than this are not read (sent as they are): real ones are far smaller.
const MAX_BLOCK: u64 = 16 * 1024 * 1024;

const XMP_JPEG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXTENDED: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
const XMP_KEYWORD: &[u8] = b"XML:com.adobe.xmp";

/// The plan for sending `file` (`len` bytes) without its location data, and what was taken out
/// (for the person: "EXIF GPS (latitude, longitude)"). Formats without known location blocks are
/// sent whole.
pub(crate) fn without_location(
    file: &mut File,
    len: u64,
    format: Format,
) -> io::Result<(Plan, Vec<String>)> {
    let mut removed = Vec::new();
    let plan = match format {
        Format::Jpeg => jpeg(file, len, &mut removed)?,
        Format::Png => png(file, len, &mut removed)?,
        Format::Webp => webp(file, len, &mut removed)?,
        _ => Plan::whole(len),
    };
    Ok((plan, removed))
}

fn read_at(file: &mut File, at: u64, len: u64) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0; len as usize];
    file.read_exact(&mut buf)?;
    Ok(buf)
}

fn exif_note(what: Removed) -> String {
    format!("EXIF GPS ({})", what.join(", "))
}

/// An Exif block (TIFF bytes) edited in place: `Some(true)` changed, `Some(false)` nothing to do,
/// `None` unreadable (to be dropped).
fn edit_exif(tiff: &mut [u8], removed: &mut Vec<String>) -> Option<bool> {
    match remove_gps(tiff) {
        Ok(Some(what)) => {
            removed.push(exif_note(what));
            Some(true)
        }
        Ok(None) => Some(false),
        Err(()) => {
            removed.push(
                "the whole EXIF block (it could not be read to remove only the location)".into(),
            );
            None
        }
    }
}

/// An XMP packet without its GPS properties: `Ok(Some)` edited, `Ok(None)` nothing to do,
/// `Err` unreadable (to be dropped).
fn edit_xmp(packet: &[u8], removed: &mut Vec<String>) -> Result<Option<String>, ()> {
    let Ok(text) = std::str::from_utf8(packet) else {
        if contains(packet, b"GPS") {
            removed.push("the XMP block (it could not be read to remove only the location)".into());
            return Err(());
        }
        return Ok(None);
    };
    match remove_xmp_gps(text) {
        Ok(Some(edited)) => {
            removed.push("XMP GPS properties".into());
            Ok(Some(edited))
        }
        Ok(None) => Ok(None),
        Err(()) => {
            removed.push("the XMP block (it could not be read to remove only the location)".into());
            Err(())
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// JPEG: the segments before the image data (start of scan) are walked; APP1 Exif and XMP
/// segments are edited, extended XMP chunks naming GPS are dropped.
fn jpeg(file: &mut File, len: u64, removed: &mut Vec<String>) -> io::Result<Plan> {
    let mut plan = Plan::default();
    plan.file(0, 2.min(len));
    let mut pos = 2u64;
    while pos + 4 <= len {
        let head = read_at(file, pos, 4)?;
        if head[0] != 0xFF {
            break;
        }
        let marker = head[1];
        if marker == 0xFF {
            // Fill byte before a marker.
            plan.file(pos, 1);
            pos += 1;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            break; // Start of scan or end of image: the rest is image data.
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            plan.file(pos, 2);
            pos += 2;
            continue;
        }
        let seg_len = u16::from_be_bytes([head[2], head[3]]) as u64;
        if seg_len < 2 || pos + 2 + seg_len > len {
            break;
        }
        let total = 2 + seg_len;
        if marker != 0xE1 {
            plan.file(pos, total);
            pos += total;
            continue;
        }
        let mut payload = read_at(file, pos + 4, seg_len - 2)?;
        if payload.starts_with(b"Exif\0\0") {
            match edit_exif(&mut payload[6..], removed) {
                Some(true) => plan.bytes(segment(0xE1, &payload)),
                Some(false) => plan.file(pos, total),
                None => {}
            }
        } else if payload.starts_with(XMP_JPEG) {
            match edit_xmp(&payload[XMP_JPEG.len()..], removed) {
                Ok(Some(edited)) => {
                    let mut p = XMP_JPEG.to_vec();
                    p.extend_from_slice(edited.as_bytes());
                    plan.bytes(segment(0xE1, &p));
                }
                Ok(None) => plan.file(pos, total),
                Err(()) => {}
            }
        } else if payload.starts_with(XMP_EXTENDED) && contains(&payload, b"exif:GPS") {
            if !removed.iter().any(|r| r.starts_with("extended XMP")) {
                removed.push("extended XMP that held GPS properties".into());
            }
        } else {
            plan.file(pos, total);
        }
        pos += total;
    }
    plan.file(pos, len - pos);
    Ok(plan)
}

/// A JPEG segment: marker, length, payload (shorter than it was, so it fits).
fn segment(marker: u8, payload: &[u8]) -> Bytes {
    let mut s = Vec::with_capacity(payload.len() + 4);
    s.extend_from_slice(&[0xFF, marker]);
    s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(payload);
    Bytes::from(s)
}

/// PNG: every chunk's header is read; eXIf and XMP chunks are edited (their CRC made anew), the
/// text profiles ImageMagick writes Exif into are dropped (compressed: they cannot be edited
/// without decompressing).
fn png(file: &mut File, len: u64, removed: &mut Vec<String>) -> io::Result<Plan> {
    let mut plan = Plan::default();
    plan.file(0, 8.min(len));
    let mut pos = 8u64;
    while pos + 12 <= len {
        let head = read_at(file, pos, 8)?;
        let data_len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
        let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
        let total = 12 + data_len;
        if pos + total > len {
            break;
        }
        let metadata = matches!(&kind, b"eXIf" | b"iTXt" | b"tEXt" | b"zTXt");
        if !metadata || data_len > MAX_BLOCK {
            plan.file(pos, total);
            pos += total;
            if &kind == b"IEND" {
                break;
            }
            continue;
        }
        let mut data = read_at(file, pos + 8, data_len)?;
        match png_chunk(&kind, &mut data, removed) {
            Edit::Keep => plan.file(pos, total),
            Edit::Replace(new) => plan.bytes(png_chunk_bytes(&kind, &new)),
            Edit::Drop => {}
        }
        pos += total;
    }
    plan.file(pos, len - pos);
    Ok(plan)
}

enum Edit {
    Keep,
    Replace(Vec<u8>),
    Drop,
}

fn png_chunk(kind: &[u8; 4], data: &mut [u8], removed: &mut Vec<String>) -> Edit {
    if kind == b"eXIf" {
        return match edit_exif(data, removed) {
            Some(true) => Edit::Replace(data.to_vec()),
            Some(false) => Edit::Keep,
            None => Edit::Drop,
        };
    }
    let Some(nul) = data.iter().position(|b| *b == 0) else { return Edit::Keep };
    let keyword = &data[..nul];
    if keyword.starts_with(b"Raw profile type exif")
        || keyword.starts_with(b"Raw profile type APP1")
    {
        removed.push("the EXIF text profile (compressed: dropped whole)".into());
        return Edit::Drop;
    }
    if keyword != XMP_KEYWORD {
        return Edit::Keep;
    }
    // iTXt: keyword, 0, compressed flag, method, language, 0, translated keyword, 0, text.
    let text_at = match kind {
        b"tEXt" => nul + 1,
        b"iTXt" => {
            let rest = &data[nul + 1..];
            if rest.first() == Some(&1) {
                removed.push("the XMP block (compressed: dropped whole)".into());
                return Edit::Drop;
            }
            let Some(lang_end) = rest.iter().skip(2).position(|b| *b == 0) else {
                return Edit::Keep;
            };
            let Some(tr_end) = rest[2 + lang_end + 1..].iter().position(|b| *b == 0) else {
                return Edit::Keep;
            };
            nul + 1 + 2 + lang_end + 1 + tr_end + 1
        }
        _ => return Edit::Keep,
    };
    match edit_xmp(&data[text_at..], removed) {
        Ok(Some(edited)) => {
            let mut new = data[..text_at].to_vec();
            new.extend_from_slice(edited.as_bytes());
            Edit::Replace(new)
        }
        Ok(None) => Edit::Keep,
        Err(()) => Edit::Drop,
    }
}

fn png_chunk_bytes(kind: &[u8; 4], data: &[u8]) -> Bytes {
    let mut c = Vec::with_capacity(data.len() + 12);
    c.extend_from_slice(&(data.len() as u32).to_be_bytes());
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let crc = crc32(&c[4..]);
    c.extend_from_slice(&crc.to_be_bytes());
    Bytes::from(c)
}

/// CRC-32 (ISO 3309, as PNG uses it).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// WebP: the RIFF chunks are walked; EXIF and XMP chunks are edited or dropped, the VP8X flags
/// and the RIFF size follow.
fn webp(file: &mut File, len: u64, removed: &mut Vec<String>) -> io::Result<Plan> {
    if len < 12 {
        return Ok(Plan::whole(len));
    }
    let header = read_at(file, 0, 12)?;
    let riff_size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as i64;
    let mut parts: Vec<(u64, u64, Edit)> = Vec::new();
    let mut vp8x: Option<(u64, Vec<u8>)> = None;
    let mut dropped_flags = 0u8;
    let mut pos = 12u64;
    while pos + 8 <= len {
        let head = read_at(file, pos, 8)?;
        let kind: [u8; 4] = [head[0], head[1], head[2], head[3]];
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as u64;
        let total = 8 + size + (size & 1);
        if pos + total > len {
            break;
        }
        let edit = if &kind == b"VP8X" && size >= 10 {
            vp8x = Some((pos, read_at(file, pos, total)?));
            Edit::Keep
        } else {
            let (edit, flag) = webp_chunk(file, &kind, pos, size, removed)?;
            dropped_flags |= flag;
            edit
        };
        parts.push((pos, total, edit));
        pos += total;
    }
    if parts.iter().all(|(_, _, e)| matches!(e, Edit::Keep)) {
        return Ok(Plan::whole(len));
    }
    let mut delta: i64 = 0;
    let mut plan = Plan::default();
    let mut body = Plan::default();
    for (at, total, edit) in parts {
        match edit {
            Edit::Keep => match &vp8x {
                Some((v, bytes)) if *v == at && dropped_flags != 0 => {
                    let mut b = bytes.clone();
                    b[8] &= !dropped_flags;
                    body.bytes(Bytes::from(b));
                }
                _ => body.file(at, total),
            },
            Edit::Replace(data) => {
                let size = data.len() as u64;
                let mut c = Vec::with_capacity(data.len() + 9);
                c.extend_from_slice(&header_of(file, at)?);
                c[4..8].copy_from_slice(&(size as u32).to_le_bytes());
                c.extend_from_slice(&data);
                if size & 1 == 1 {
                    c.push(0);
                }
                delta += c.len() as i64 - total as i64;
                body.bytes(Bytes::from(c));
            }
            Edit::Drop => delta -= total as i64,
        }
    }
    let mut riff = header;
    riff[4..8].copy_from_slice(&((riff_size + delta).max(4) as u32).to_le_bytes());
    plan.bytes(Bytes::from(riff));
    plan.append(body);
    plan.file(pos, len - pos);
    Ok(plan)
}

/// What to do with one WebP chunk, and the VP8X flag to clear when it is dropped.
fn webp_chunk(
    file: &mut File,
    kind: &[u8; 4],
    pos: u64,
    size: u64,
    removed: &mut Vec<String>,
) -> io::Result<(Edit, u8)> {
    if size > MAX_BLOCK {
        return Ok((Edit::Keep, 0));
    }
    Ok(match kind {
        b"EXIF" => {
            let mut data = read_at(file, pos + 8, size)?;
            let at = if data.starts_with(b"Exif\0\0") { 6 } else { 0 };
            match edit_exif(&mut data[at..], removed) {
                Some(true) => (Edit::Replace(data), 0),
                Some(false) => (Edit::Keep, 0),
                None => (Edit::Drop, 0x08),
            }
        }
        b"XMP " => {
            let data = read_at(file, pos + 8, size)?;
            match edit_xmp(&data, removed) {
                Ok(Some(edited)) => (Edit::Replace(edited.into_bytes()), 0),
                Ok(None) => (Edit::Keep, 0),
                Err(()) => (Edit::Drop, 0x04),
            }
        }
        _ => (Edit::Keep, 0),
    })
}

fn header_of(file: &mut File, at: u64) -> io::Result<Vec<u8>> {
    read_at(file, at, 8)
}

#[cfg(test)]
mod tests {
    use super::super::tiff::tests::exif_with_gps;
    use super::*;
    use std::io::Write;

    fn materialise(file: &mut File, plan: &Plan) -> Vec<u8> {
        plan.read_all(file).unwrap()
    }

    fn temp(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    fn jpeg_with(exif: &[u8], xmp: &str) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(exif);
        j.extend_from_slice(&segment(0xE1, &app1));
        let mut x = XMP_JPEG.to_vec();
        x.extend_from_slice(xmp.as_bytes());
        j.extend_from_slice(&segment(0xE1, &x));
        j.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 1, 2]); // a quantisation table, say
        j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02]);
        j.extend_from_slice(&[0x12; 5000]); // "image data"
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    const XMP: &str = r#"<x:xmpmeta><rdf:Description exif:GPSLatitude="48,51.4N" dc:format="image/jpeg"/></x:xmpmeta>"#;

    #[test]
    fn a_jpeg_keeps_its_image_and_loses_its_location() {
        let original = jpeg_with(&exif_with_gps(), XMP);
        let mut f = temp(&original);
        let (plan, removed) =
            without_location(&mut f, original.len() as u64, Format::Jpeg).unwrap();
        let out = materialise(&mut f, &plan);
        assert_eq!(plan.len(), out.len() as u64);
        assert_eq!(removed, vec!["EXIF GPS (latitude, longitude, altitude)", "XMP GPS properties"]);
        assert!(!contains(&out, b"GPS"), "no GPS property left");
        assert!(!contains(&out, &2939u32.to_le_bytes()));
        assert!(contains(&out, b"Canon") && contains(&out, br#"dc:format="image/jpeg""#));
        // The image data is the file's own bytes, sent from the file (one range to the end).
        assert!(out.ends_with(&original[original.len() - 5010..]));
        assert!(plan.file_bytes() >= 5000);
    }

    #[test]
    fn without_location_data_the_file_is_sent_as_it_is() {
        let mut plain = vec![0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x04, 1, 2, 0xFF, 0xDA, 0x00, 0x02];
        plain.extend_from_slice(&[7; 100]);
        let mut f = temp(&plain);
        let (plan, removed) = without_location(&mut f, plain.len() as u64, Format::Jpeg).unwrap();
        assert!(removed.is_empty());
        assert_eq!(materialise(&mut f, &plan), plain);
        assert_eq!(plan.file_bytes(), plain.len() as u64, "nothing copied into memory");
    }

    #[test]
    fn a_png_exif_chunk_is_edited_and_its_crc_made_anew() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&png_chunk_bytes(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
        png.extend_from_slice(&png_chunk_bytes(b"eXIf", &exif_with_gps()));
        png.extend_from_slice(&png_chunk_bytes(b"IDAT", &[9; 300]));
        png.extend_from_slice(&png_chunk_bytes(b"IEND", &[]));
        let mut f = temp(&png);
        let (plan, removed) = without_location(&mut f, png.len() as u64, Format::Png).unwrap();
        let out = materialise(&mut f, &plan);
        assert_eq!(removed, vec!["EXIF GPS (latitude, longitude, altitude)"]);
        assert_eq!(out.len(), png.len());
        // Every chunk's CRC checks out.
        let mut pos = 8;
        while pos < out.len() {
            let n = u32::from_be_bytes(out[pos..pos + 4].try_into().unwrap()) as usize;
            let crc = u32::from_be_bytes(out[pos + 8 + n..pos + 12 + n].try_into().unwrap());
            assert_eq!(crc, crc32(&out[pos + 4..pos + 8 + n]));
            pos += 12 + n;
        }
        assert!(!contains(&out, &2939u32.to_le_bytes()));
    }

    #[test]
    fn a_webp_loses_its_xmp_location_and_its_riff_size_follows() {
        let xmp_chunk = |x: &str| {
            let mut c = b"XMP ".to_vec();
            c.extend_from_slice(&(x.len() as u32).to_le_bytes());
            c.extend_from_slice(x.as_bytes());
            if x.len() % 2 == 1 {
                c.push(0);
            }
            c
        };
        let mut chunks = Vec::new();
        chunks.extend_from_slice(b"VP8X\x0a\0\0\0\x0c\0\0\0\0\0\0\0\0\0"); // EXIF + XMP flags
        chunks.extend_from_slice(b"VP8L\x04\0\0\0\x2f\0\0\0");
        let mut exif = b"EXIF".to_vec();
        let e = exif_with_gps();
        exif.extend_from_slice(&(e.len() as u32).to_le_bytes());
        exif.extend_from_slice(&e);
        chunks.extend_from_slice(&exif);
        chunks.extend_from_slice(&xmp_chunk(XMP));
        let mut webp = b"RIFF".to_vec();
        webp.extend_from_slice(&((4 + chunks.len()) as u32).to_le_bytes());
        webp.extend_from_slice(b"WEBP");
        webp.extend_from_slice(&chunks);
        let mut f = temp(&webp);
        let (plan, removed) = without_location(&mut f, webp.len() as u64, Format::Webp).unwrap();
        let out = materialise(&mut f, &plan);
        assert_eq!(removed.len(), 2, "{removed:?}");
        let riff = u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize;
        assert_eq!(riff, out.len() - 8, "the RIFF size matches what is sent");
        assert!(!contains(&out, b"GPS"));
        assert!(contains(&out, b"VP8L"));
    }
}
