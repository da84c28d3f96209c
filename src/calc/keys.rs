//! Caches keyed by the raw text of ledger fields: a fast hash for them, and a table of keys packed into integers.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::tally::RawKey;

/// A fast, non-cryptographic hash for the caches (keys come from the user's own files).
#[derive(Default, Clone, Copy)]
pub(super) struct Fx(u64);

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ *b as u64).wrapping_mul(K);
        }
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Raw key texts (packed, see [`crate::ledger::rows::pack16`]) -> what they resolve to: open addressing, one multiply per
/// word, no memcmp. Keys are the user's own text; the table grows at half full.
pub(super) struct KeyTable {
    slots: Vec<Option<([u128; 3], RawKey)>>,
    len: usize,
}

impl KeyTable {
    pub(super) fn new() -> KeyTable {
        KeyTable { slots: vec![None; 64], len: 0 }
    }
    #[inline]
    fn hash(k: &[u128; 3]) -> usize {
        let w = |x: u128, m: u64| ((x as u64) ^ ((x >> 64) as u64).rotate_left(29)).wrapping_mul(m);
        let h = w(k[0], 0x9E37_79B9_7F4A_7C15) ^ w(k[1], 0xC2B2_AE3D_27D4_EB4F) ^ w(k[2], 0x1656_67B1_9E37_79F9);
        (h ^ (h >> 29)) as usize
    }
    #[inline]
    pub(super) fn get(&self, k: &[u128; 3]) -> Option<RawKey> {
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(k) & mask;
        loop {
            match &self.slots[i] {
                None => return None,
                Some((kk, v)) if kk[0] == k[0] && kk[1] == k[1] && kk[2] == k[2] => return Some(*v),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }
    pub(super) fn insert(&mut self, k: [u128; 3], v: RawKey) {
        if (self.len + 1) * 2 > self.slots.len() {
            let n = self.slots.len() * 2;
            let old = std::mem::replace(&mut self.slots, vec![None; n]);
            self.len = 0;
            for (k, v) in old.into_iter().flatten() {
                self.insert(k, v);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(&k) & mask;
        while let Some((kk, _)) = &self.slots[i] {
            if *kk == k {
                self.slots[i] = Some((k, v));
                return;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = Some((k, v));
        self.len += 1;
    }
}
