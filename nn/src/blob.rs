//! A tiny named-section container for checkpoints: networks, optimiser
//! state, JSON metadata and raw `f32` arrays (replay buffers) side by side in
//! one file, without a serialisation crate that would turn a 2M-transition
//! buffer into text.
//!
//! Layout: magic `TRLSBLB2`, then per section `u32` name length, name,
//! `u64` payload length, payload, then a trailer: `TRLSEND!`, the `u64`
//! length of everything before the trailer and its CRC-32 (all
//! little-endian). Why the trailer: a write is atomic (temporary file and
//! rename), but a disk can still return damaged or short files (a copy cut
//! short, a bad sector, a file system that lost its tail after a power cut);
//! a checkpoint that fails its length or checksum is reported, never loaded
//! into a silently wrong state. Files from before the trailer (`TRLSBLB1`)
//! still load.

use std::collections::BTreeMap;

use crate::NnError;

const MAGIC: &[u8; 8] = b"TRLSBLB2";
/// The first format, without a trailer.
const MAGIC_V1: &[u8; 8] = b"TRLSBLB1";
const TRAILER: &[u8; 8] = b"TRLSEND!";
/// Trailer magic, body length, CRC-32.
const TRAILER_LEN: usize = 8 + 8 + 4;

#[derive(Default, Debug, Clone, PartialEq)]
/// Named byte sections in one file: a checkpoint's student, teacher and counters side by side.
pub struct Blob {
    sections: BTreeMap<String, Vec<u8>>,
}

impl Blob {
    /// An empty blob.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `bytes` as section `name` (replacing it).
    pub fn put(&mut self, name: &str, bytes: Vec<u8>) -> &mut Self {
        self.sections.insert(name.to_owned(), bytes);
        self
    }

    /// Stores `value` as JSON in section `name`.
    pub fn put_json<T: serde::Serialize>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<&mut Self, NnError> {
        let bytes =
            serde_json::to_vec(value).map_err(|e| NnError(format!("section `{name}`: {e}")))?;
        Ok(self.put(name, bytes))
    }

    /// Stores floats (little-endian) in section `name`.
    pub fn put_f32s(&mut self, name: &str, values: &[f32]) -> &mut Self {
        self.put(name, values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    /// Section `name`; an error names a missing one.
    pub fn get(&self, name: &str) -> Result<&[u8], NnError> {
        self.sections
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| NnError(format!("checkpoint has no section `{name}`")))
    }

    /// Is there a section `name`?
    pub fn has(&self, name: &str) -> bool {
        self.sections.contains_key(name)
    }

    /// Section `name` parsed from JSON.
    pub fn get_json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, NnError> {
        serde_json::from_slice(self.get(name)?)
            .map_err(|e| NnError(format!("section `{name}`: {e}")))
    }

    /// Fails unless section `name` holds `expected` (a learner's config: a
    /// checkpoint is only loaded into a learner built with the same settings).
    pub fn expect_json<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
        &self,
        name: &str,
        expected: &T,
    ) -> Result<(), NnError> {
        let found: T = self.get_json(name)?;
        if &found != expected {
            return Err(NnError(format!(
                "checkpoint `{name}` differs from this learner's: {found:?}"
            )));
        }
        Ok(())
    }

    /// Section `name` as floats.
    pub fn get_f32s(&self, name: &str) -> Result<Vec<f32>, NnError> {
        let b = self.get(name)?;
        if b.len() % 4 != 0 {
            return Err(NnError(format!(
                "section `{name}`: {} bytes is not a whole number of f32",
                b.len()
            )));
        }
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        for (name, data) in &self.sections {
            out.extend_from_slice(&(name.len() as u32).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&(data.len() as u64).to_le_bytes());
            out.extend_from_slice(data);
        }
        let (len, crc) = (out.len() as u64, crc32fast::hash(&out));
        out.extend_from_slice(TRAILER);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses what [`Blob::to_bytes`] wrote. Foreign, truncated or damaged
    /// bytes are an error that says which; never a panic, whatever the bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NnError> {
        let bad = |what: String| NnError(format!("corrupt checkpoint: {what}"));
        let body = match bytes.get(..8) {
            Some(m) if m == MAGIC => {
                let Some(cut) = bytes.len().checked_sub(TRAILER_LEN).filter(|&c| c >= 8) else {
                    return Err(bad(format!("truncated to {} bytes", bytes.len())));
                };
                let (body, trailer) = bytes.split_at(cut);
                let len = u64::from_le_bytes(trailer[8..16].try_into().expect("8 bytes"));
                let crc = u32::from_le_bytes(trailer[16..20].try_into().expect("4 bytes"));
                if &trailer[..8] != TRAILER || len != body.len() as u64 {
                    return Err(bad(format!(
                        "truncated or extended ({} bytes; its end marker is missing or names another length)",
                        bytes.len()
                    )));
                }
                if crc32fast::hash(body) != crc {
                    return Err(bad("checksum mismatch: the file was damaged after it was written".into()));
                }
                &body[8..]
            }
            Some(m) if m == MAGIC_V1 => &bytes[8..],
            _ => return Err(bad("not a trellis checkpoint (no TRLSBLB header)".into())),
        };
        let mut pos = 0usize;
        let take = |pos: &mut usize, n: u64| -> Result<&[u8], NnError> {
            let end = usize::try_from(n)
                .ok()
                .and_then(|n| pos.checked_add(n))
                .filter(|&e| e <= body.len())
                .ok_or_else(|| bad(format!("a section runs past the end of the file at byte {pos}")))?;
            let s = &body[*pos..end];
            *pos = end;
            Ok(s)
        };
        let mut sections = BTreeMap::new();
        while pos < body.len() {
            let name_len = u32::from_le_bytes(take(&mut pos, 4)?.try_into().expect("4 bytes"));
            let name = String::from_utf8(take(&mut pos, name_len as u64)?.to_vec())
                .map_err(|_| bad("a section name is not UTF-8".into()))?;
            let data_len = u64::from_le_bytes(take(&mut pos, 8)?.try_into().expect("8 bytes"));
            sections.insert(name, take(&mut pos, data_len)?.to_vec());
        }
        Ok(Self { sections })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let mut b = Blob::new();
        b.put("a", vec![1, 2, 3]).put_f32s("x", &[1.5, -2.0]);
        b.put_json("meta", &serde_json::json!({"k": 1})).unwrap();
        let bytes = b.to_bytes();
        let back = Blob::from_bytes(&bytes).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.get_f32s("x").unwrap(), vec![1.5, -2.0]);
        assert!(Blob::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Blob::from_bytes(b"nonsense").is_err());
        // Every single-byte change and every truncation is caught.
        for i in 0..bytes.len() {
            let mut d = bytes.clone();
            d[i] ^= 0x40;
            assert!(Blob::from_bytes(&d).is_err(), "byte {i} flipped went unnoticed");
            assert!(Blob::from_bytes(&bytes[..i]).is_err(), "cut at {i} went unnoticed");
        }
        let mut d = bytes.clone();
        d[20] ^= 1;
        let e = Blob::from_bytes(&d).unwrap_err().to_string();
        assert!(e.contains("checksum mismatch"), "{e}");
        assert!(
            back.get("missing")
                .unwrap_err()
                .to_string()
                .contains("missing")
        );
    }

    /// Files written before the trailer existed still load.
    #[test]
    fn reads_the_first_format() {
        let mut b = Blob::new();
        b.put("a", vec![7; 5]);
        let v2 = b.to_bytes();
        let mut v1 = MAGIC_V1.to_vec();
        v1.extend_from_slice(&v2[8..v2.len() - TRAILER_LEN]);
        assert_eq!(Blob::from_bytes(&v1).unwrap(), b);
    }

    proptest::proptest! {
        /// Arbitrary bytes, with or without a valid header, never panic.
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), head in 0usize..3) {
            let mut bytes = [&MAGIC[..], &MAGIC_V1[..], &b""[..]][head].to_vec();
            bytes.extend_from_slice(&tail);
            let _ = Blob::from_bytes(&bytes);
        }
    }
}
