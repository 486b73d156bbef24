//! A tiny named-section container for checkpoints: networks, optimiser
//! state, JSON metadata and raw `f32` arrays (replay buffers) side by side in
//! one file, without a serialisation crate that would turn a 2M-transition
//! buffer into text.
//!
//! Layout: magic `TRLSBLB1`, then per section `u32` name length, name,
//! `u64` payload length, payload (all little-endian).

use std::collections::BTreeMap;

use crate::NnError;

const MAGIC: &[u8; 8] = b"TRLSBLB1";

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
        out
    }

    /// Parses what [`Blob::to_bytes`] wrote; truncated or foreign bytes are an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NnError> {
        let bad = |what: &str| NnError(format!("corrupt checkpoint: {what}"));
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(bad("missing TRLSBLB1 header"));
        }
        let mut pos = 8;
        let mut take = |n: usize| -> Result<&[u8], NnError> {
            let s = bytes.get(pos..pos + n).ok_or_else(|| bad("truncated"))?;
            pos += n;
            Ok(s)
        };
        let mut sections = BTreeMap::new();
        loop {
            let Ok(len) = take(4) else { break };
            let name_len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
            let name =
                String::from_utf8(take(name_len)?.to_vec()).map_err(|_| bad("section name"))?;
            let data_len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes")) as usize;
            sections.insert(name, take(data_len)?.to_vec());
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
        assert!(
            back.get("missing")
                .unwrap_err()
                .to_string()
                .contains("missing")
        );
    }
}
