//! Files written atomically: to a temporary file beside the target, renamed over it only when complete, so an
//! interrupted or failed run never leaves a half-written report, lines file or lock behind (the old file, if any,
//! stays as it was).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Location};

/// A file being written; it appears at its path only on [`AtomicFile::commit`]. Dropped without a commit, the
/// temporary file is removed.
pub struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    w: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Start writing `path` (through `.<name>.<pid>.tmp` in the same folder, so the rename stays on one disk).
    pub fn create(path: &Path) -> Result<AtomicFile, Error> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let f = File::create(&tmp).map_err(|e| {
            Error::new(ErrorKind::Io, format!("cannot create {}: {e}", tmp.display()))
                .with_source(e)
                .at(Location::file(path))
                .hint("check that the folder exists and is writable")
        })?;
        Ok(AtomicFile { tmp, path: path.to_path_buf(), w: Some(BufWriter::with_capacity(1 << 16, f)) })
    }

    /// Flush, sync and rename into place.
    pub fn commit(mut self) -> Result<(), Error> {
        let werr = |e: std::io::Error| Error::io_write(&self.path, e);
        if let Some(w) = self.w.take() {
            let f = w.into_inner().map_err(|e| werr(e.into_error()))?;
            f.sync_all().map_err(werr)?;
        }
        std::fs::rename(&self.tmp, &self.path).map_err(werr)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.w.as_mut() {
            Some(w) => w.write(buf),
            None => Err(std::io::Error::other("file already committed")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.w.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.w.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Write `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes).map_err(|e| Error::io_write(path, e))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("out.csv");
        std::fs::write(&p, "old\n").expect("write");
        {
            let mut f = AtomicFile::create(&p).expect("create");
            f.write_all(b"half of a new fi").expect("write");
            // dropped without commit: an interrupted run
        }
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "old\n");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1, "no temporary file left behind");
        write(&p, b"new\n").expect("write");
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "new\n");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }
}
