//! The SHA-256 of every ledger read: of the bytes as they pass (one thread), or of the whole file (beside the
//! threads that read its ranges).

use std::io::Read;
use std::path::Path;

use crate::error::Error;

/// A reader that hashes what passes through it.
pub(crate) struct HashingReader<R> {
    pub(crate) inner: R,
    pub(crate) hasher: sha2::Sha256,
}

impl<R> HashingReader<R> {
    pub(crate) fn new(inner: R) -> HashingReader<R> {
        HashingReader { inner, hasher: <sha2::Sha256 as sha2::Digest>::new() }
    }
}

impl<R: Read> HashingReader<R> {
    /// Hash whatever the reader did not need (nothing, normally), and give the lowercase hex SHA-256.
    pub(crate) fn finish(mut self) -> String {
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = self.read(&mut buf) {
            if n == 0 {
                break;
            }
        }
        hex(&sha2::Digest::finalize(self.hasher))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex SHA-256 of a whole file, read in large blocks.
pub(crate) fn hash_file(path: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, &e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}
