//! Location data inside the metadata blocks photos carry: the GPS directory of a TIFF (Exif)
//! structure, and the `exif:GPS…` properties of an XMP packet. Both are edited in place of the
//! bytes; the image itself is never touched.

/// What an edit took out, for the person ("latitude", "longitude", …).
pub(crate) type Removed = Vec<&'static str>;

/// Tag 0x8825 in the first directory: where the GPS directory is.
const GPS_POINTER: u16 = 0x8825;

#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

struct Tiff<'a> {
    bytes: &'a mut [u8],
    order: Order,
}

impl Tiff<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let b = self.bytes.get(at..at + 2)?;
        Some(match self.order {
            Order::Little => u16::from_le_bytes([b[0], b[1]]),
            Order::Big => u16::from_be_bytes([b[0], b[1]]),
        })
    }
    fn u32(&self, at: usize) -> Option<u32> {
        let b = self.bytes.get(at..at + 4)?;
        let a = [b[0], b[1], b[2], b[3]];
        Some(match self.order {
            Order::Little => u32::from_le_bytes(a),
            Order::Big => u32::from_be_bytes(a),
        })
    }
    fn set_u16(&mut self, at: usize, v: u16) {
        let b = match self.order {
            Order::Little => v.to_le_bytes(),
            Order::Big => v.to_be_bytes(),
        };
        self.bytes[at..at + 2].copy_from_slice(&b);
    }
    fn zero(&mut self, from: usize, len: usize) -> Option<()> {
        self.bytes.get_mut(from..from.checked_add(len)?)?.fill(0);
        Some(())
    }
}

/// Bytes per value of a TIFF field type.
fn type_size(t: u16) -> Option<usize> {
    Some(match t {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => return None,
    })
}

fn gps_tag_name(tag: u16) -> &'static str {
    match tag {
        0x0000 => "GPS version",
        0x0001 | 0x0002 => "latitude",
        0x0003 | 0x0004 => "longitude",
        0x0005 | 0x0006 => "altitude",
        0x0007 | 0x001D => "GPS time",
        0x000B => "GPS precision",
        0x000C..=0x000F => "speed and direction",
        0x0010 | 0x0011 => "image direction",
        0x0012 => "map datum",
        0x0013..=0x001A => "destination",
        0x001B => "positioning method",
        0x001C => "area name",
        _ => "GPS data",
    }
}

/// Take the GPS directory out of a TIFF structure (an Exif block without its `Exif\0\0` prefix):
/// the pointer to it leaves the first directory, and the directory and every value it points to
/// are overwritten with zeros. `Ok(None)`: there was none. `Err(())`: the structure cannot be
/// read, and the caller drops the whole block rather than send what it cannot check.
pub(crate) fn remove_gps(bytes: &mut [u8]) -> Result<Option<Removed>, ()> {
    let order = match bytes.get(0..2) {
        Some(b"II") => Order::Little,
        Some(b"MM") => Order::Big,
        _ => return Err(()),
    };
    let mut t = Tiff { bytes, order };
    if t.u16(2) != Some(42) {
        return Err(());
    }
    let ifd0 = t.u32(4).ok_or(())? as usize;
    let count = t.u16(ifd0).ok_or(())? as usize;
    let entries = ifd0 + 2;
    // The whole first directory, its next-directory offset included, must be there.
    t.bytes.get(entries..entries + 12 * count + 4).ok_or(())?;
    let Some(at) = (0..count).find(|i| t.u16(entries + 12 * i) == Some(GPS_POINTER)) else {
        return Ok(None);
    };
    let gps = t.u32(entries + 12 * at + 8).ok_or(())? as usize;
    let removed = clear_directory(&mut t, gps).ok_or(())?;
    // The pointer entry leaves: later entries and the next-directory offset move up one slot.
    let from = entries + 12 * (at + 1);
    let end = entries + 12 * count + 4;
    t.bytes.copy_within(from..end, from - 12);
    t.zero(end - 12, 12).ok_or(())?;
    t.set_u16(ifd0, (count - 1) as u16);
    Ok(Some(removed))
}

/// Zero a directory and the values its entries point to; the names of what it held.
fn clear_directory(t: &mut Tiff, at: usize) -> Option<Removed> {
    let n = t.u16(at)? as usize;
    t.bytes.get(at..at + 2 + 12 * n + 4)?;
    let mut removed: Removed = Vec::new();
    for i in 0..n {
        let e = at + 2 + 12 * i;
        let (tag, kind, count) = (t.u16(e)?, t.u16(e + 2)?, t.u32(e + 4)? as usize);
        let name = gps_tag_name(tag);
        if !removed.contains(&name) {
            removed.push(name);
        }
        let size = type_size(kind).and_then(|s| s.checked_mul(count));
        if let Some(size) = size.filter(|s| *s > 4) {
            let value = t.u32(e + 8)? as usize;
            // A value outside the block is not in these bytes: nothing to clear.
            let _ = t.zero(value, size);
        }
    }
    t.zero(at, 2 + 12 * n + 4)?;
    Some(removed)
}

/// Take the `exif:GPS…` properties out of an XMP packet, as attributes or as elements.
/// `Ok(None)`: there were none. `Err(())`: there are some but the packet cannot be edited safely
/// (the caller drops it whole). The packet stays well-formed XML.
pub(crate) fn remove_xmp_gps(xmp: &str) -> Result<Option<String>, ()> {
    if !xmp.contains(NEEDLE) {
        return Ok(None);
    }
    without_gps(xmp).map(Some).ok_or(())
}

const NEEDLE: &str = "exif:GPS";

fn without_gps(xmp: &str) -> Option<String> {
    let mut out = String::with_capacity(xmp.len());
    let mut rest = xmp;
    while let Some(i) = rest.find(NEEDLE) {
        let before = &rest[..i];
        let after = &rest[i..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        if let Some(kept) = before.strip_suffix('<') {
            // An element: <exif:GPSLatitude>…</exif:GPSLatitude>, or self-closing.
            let close = format!("</{name}>");
            let open_end = after.find('>')?;
            let end = if after[..open_end].ends_with('/') {
                open_end + 1
            } else {
                after.find(&close)? + close.len()
            };
            out.push_str(kept);
            rest = &after[end..];
        } else if before.ends_with(|c: char| c.is_whitespace()) {
            // An attribute: exif:GPSLatitude="48,51.4N".
            let value = &after[name_len..];
            let eq = value.trim_start();
            let eq = eq.strip_prefix('=')?.trim_start();
            let quote = eq.chars().next().filter(|q| *q == '"' || *q == '\'')?;
            let end_rel = eq[1..].find(quote)? + 2;
            let consumed = after.len() - eq.len() + end_rel;
            out.push_str(before.trim_end_matches(|c: char| c.is_whitespace()));
            rest = &after[consumed..];
        } else {
            // Part of something else (a namespace declaration, text): keep it.
            out.push_str(&rest[..i + NEEDLE.len()]);
            rest = &rest[i + NEEDLE.len()..];
        }
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A little-endian TIFF with IFD0 = [Make, GPS pointer, Orientation] and a GPS directory of
    /// latitude (ref + 3 rationals), longitude (ref + 3 rationals) and altitude.
    pub(crate) fn exif_with_gps() -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"II\x2a\x00");
        b.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: 3 entries.
        let gps_at: u32 = 8 + 2 + 3 * 12 + 4 + 8; // after IFD0 and the "Canon\0\0\0" value
        b.extend_from_slice(&3u16.to_le_bytes());
        entry(&mut b, 0x010F, 2, 6, 8 + 2 + 36 + 4); // Make → "Canon\0" stored after IFD0
        entry(&mut b, GPS_POINTER, 4, 1, gps_at);
        entry(&mut b, 0x0112, 3, 1, 1); // Orientation
        b.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
        b.extend_from_slice(b"Canon\0\0\0");
        assert_eq!(b.len() as u32, gps_at);
        let values_at = gps_at + 2 + 5 * 12 + 4;
        b.extend_from_slice(&5u16.to_le_bytes());
        entry(&mut b, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
        entry(&mut b, 0x0002, 5, 3, values_at);
        entry(&mut b, 0x0003, 2, 2, u32::from_le_bytes(*b"E\0\0\0"));
        entry(&mut b, 0x0004, 5, 3, values_at + 24);
        entry(&mut b, 0x0006, 5, 1, values_at + 48);
        b.extend_from_slice(&0u32.to_le_bytes());
        for (n, d) in [(48u32, 1u32), (51, 1), (2939, 100), (2, 1), (21, 1), (715, 100), (35, 1)] {
            b.extend_from_slice(&n.to_le_bytes());
            b.extend_from_slice(&d.to_le_bytes());
        }
        b
    }

    fn entry(b: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&kind.to_le_bytes());
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&value.to_le_bytes());
    }

    #[test]
    fn the_gps_directory_goes_and_the_rest_stays() {
        let mut b = exif_with_gps();
        let len = b.len();
        let removed = remove_gps(&mut b).unwrap().unwrap();
        assert_eq!(removed, vec!["latitude", "longitude", "altitude"]);
        assert_eq!(b.len(), len, "edited in place");
        // IFD0 now holds Make and Orientation, in order, and still ends with "no next IFD".
        assert_eq!(u16::from_le_bytes([b[8], b[9]]), 2);
        assert_eq!(u16::from_le_bytes([b[10], b[11]]), 0x010F);
        assert_eq!(u16::from_le_bytes([b[22], b[23]]), 0x0112);
        assert_eq!(&b[34..38], &[0, 0, 0, 0]);
        assert_eq!(&b[50..55], b"Canon", "other values are untouched");
        // No coordinate is left anywhere: 48/1, 51/1, 29.39 … are all zeros now.
        assert!(!b.windows(4).any(|w| w == 2939u32.to_le_bytes()));
        assert!(!b.windows(4).any(|w| w == 715u32.to_le_bytes()));
        assert!(!b.windows(2).any(|w| w == b"N\0"));
        // A second pass finds nothing.
        assert_eq!(remove_gps(&mut b), Ok(None));
    }

    #[test]
    fn a_block_that_cannot_be_read_is_an_error_not_a_guess() {
        let mut b = exif_with_gps();
        b.truncate(30);
        assert_eq!(remove_gps(&mut b), Err(()));
        assert_eq!(remove_gps(&mut b"not a tiff".to_vec()), Err(()));
    }

    #[test]
    fn xmp_loses_its_gps_properties_in_both_spellings() {
        let xmp = r#"<x:xmpmeta><rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.4N" exif:GPSLongitude='2,21.7E' exif:ExposureTime="1/60"><exif:GPSAltitude>35/1</exif:GPSAltitude><exif:GPSMapDatum/><dc:title>Paris</dc:title></rdf:Description></x:xmpmeta>"#;
        let out = remove_xmp_gps(xmp).unwrap().unwrap();
        assert!(!out.contains("GPS"), "{out}");
        assert!(
            out.contains(r#"exif:ExposureTime="1/60""#)
                && out.contains("<dc:title>Paris</dc:title>")
        );
        assert!(out.contains(r#"xmlns:exif="http://ns.adobe.com/exif/1.0/""#));
        assert_eq!(remove_xmp_gps("<x:xmpmeta/>"), Ok(None));
        assert_eq!(remove_xmp_gps("<x:xmpmeta><exif:GPSLatitude>48"), Err(()));
    }
}
