//! Files written atomically: to a temporary file beside the target, renamed over it only when complete, so an
//! interrupted or failed run never leaves a half-written report, lines file or lock behind (the old file, if any,
//! stays as it was).
//!
//! A symbolic link is written through: the file it points to is replaced, the link stays. A replaced file keeps
//! its permissions (a report kept at mode 600 stays private). A character device or a FIFO (`/dev/null`,
//! `/dev/stdout`, a named pipe) is written to directly, without a temporary file: renaming over it would replace
//! the device with a regular file. Any other kind of file (a folder, a block device, a socket) is refused.
//! Temporary files are removed on every failure, and on SIGINT, SIGTERM and SIGHUP once
//! [`remove_temporaries_on_signals`] is installed.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Location};

/// A file being written; it appears at its path only on [`AtomicFile::commit`]. Dropped without a commit, the
/// temporary file is removed.
pub struct AtomicFile {
    /// The temporary file; `None` when writing straight into a device or FIFO.
    tmp: Option<PathBuf>,
    /// The path the user named (for messages).
    path: PathBuf,
    /// The regular file that is replaced (the target of a symbolic link, or `path`).
    target: PathBuf,
    /// Permissions to give the new file (those of the file it replaces).
    keep: Option<std::fs::Permissions>,
    w: Option<BufWriter<File>>,
    /// Slot in the signal clean-up registry.
    slot: Option<usize>,
}

/// Follow symbolic links from `path` to the file they finally name (which may not exist yet).
fn follow_links(path: &Path) -> Result<PathBuf, Error> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(|e| Error::io_write(path, &e))?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::new(ErrorKind::Io, "cannot write: too many levels of symbolic links")
        .at(Location::file(path))
        .hint("point the link at a file"))
}

#[cfg(unix)]
fn streamable(t: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    t.is_char_device() || t.is_fifo()
}

#[cfg(not(unix))]
fn streamable(_: &std::fs::FileType) -> bool {
    false
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a folder" } else { "a special file" }
}

impl AtomicFile {
    /// Start writing `path` (through `.<name>.<pid>.tmp` in the folder of the file finally written, so the rename
    /// stays on one disk).
    pub fn create(path: &Path) -> Result<AtomicFile, Error> {
        // What the path names once links are followed (`/dev/stdout` names a pipe or a terminal through /proc).
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(m) if streamable(&m.file_type()) => {
                let f = OpenOptions::new().write(true).open(path).map_err(|e| Error::io_write(path, &e))?;
                return Ok(AtomicFile {
                    tmp: None,
                    path: path.to_path_buf(),
                    target: path.to_path_buf(),
                    keep: None,
                    w: Some(BufWriter::with_capacity(1 << 16, f)),
                    slot: None,
                });
            }
            Ok(m) => {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("cannot write: this is {}, not a regular file", kind_of(&m.file_type())),
                )
                .at(Location::file(path))
                .hint("name a regular file to write"));
            }
            Err(_) => {}
        }
        let target = match std::fs::canonicalize(path) {
            Ok(t) => t,
            Err(_) => follow_links(path)?,
        };
        let keep = std::fs::metadata(&target).ok().filter(|m| m.is_file()).map(|m| m.permissions());
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
        let mut n = 0u32;
        let (tmp, f, slot) = loop {
            let suffix = if n == 0 { String::new() } else { format!(".{n}") };
            let tmp = target.with_file_name(format!(".{name}.{}{suffix}.tmp", std::process::id()));
            // Registered before it exists, so a signal right after it is made still removes it.
            let slot = registry::add(&tmp);
            // create_new: never follow a link or reuse a file planted at the temporary name.
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(f) => break (tmp, f, slot),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => {
                    if let Some(i) = slot {
                        registry::remove(i);
                    }
                    n += 1
                }
                Err(e) => {
                    if let Some(i) = slot {
                        registry::remove(i);
                    }
                    return Err(Error::new(ErrorKind::Io, format!("cannot create {}: {e}", tmp.display()))
                        .with_source(e)
                        .at(Location::file(path))
                        .hint("check that the folder exists and is writable"));
                }
            }
        };
        Ok(AtomicFile {
            tmp: Some(tmp),
            path: path.to_path_buf(),
            target,
            keep,
            w: Some(BufWriter::with_capacity(1 << 16, f)),
            slot,
        })
    }

    /// Flush, sync and rename into place (or, for a device, flush).
    pub fn commit(mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let werr = |e: std::io::Error| Error::io_write(&path, e);
        let Some(w) = self.w.take() else { return Ok(()) };
        let f = w.into_inner().map_err(|e| werr(e.into_error()))?;
        let Some(tmp) = self.tmp.clone() else { return Ok(()) };
        let r = (|| {
            if let Some(p) = self.keep.take() {
                f.set_permissions(p)?;
            }
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, &self.target)
        })();
        match r {
            Ok(()) => {
                self.tmp = None;
                Ok(())
            }
            // Drop removes the temporary file.
            Err(e) => Err(werr(e)),
        }
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
        drop(self.w.take());
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(&tmp);
        }
        if let Some(s) = self.slot.take() {
            registry::remove(s);
        }
    }
}

/// Write `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes).map_err(|e| Error::io_write(path, &e))?;
    f.commit()
}

/// Remove the temporary files of unfinished atomic writes when the process is ended by SIGINT, SIGTERM or SIGHUP
/// (then end as the signal asks). For programs, not libraries: it installs process-wide signal handlers.
pub fn remove_temporaries_on_signals() {
    registry::install();
}

/// Temporary paths to remove from a signal handler: a fixed table of C strings, read without locks or allocation.
mod registry {
    use std::path::Path;
    use std::sync::atomic::{AtomicPtr, Ordering};

    const SLOTS: usize = 64;
    #[allow(clippy::declare_interior_mutable_const)]
    const EMPTY: AtomicPtr<std::ffi::c_char> = AtomicPtr::new(std::ptr::null_mut());
    static PATHS: [AtomicPtr<std::ffi::c_char>; SLOTS] = [EMPTY; SLOTS];

    /// Register `p`; `None` when the table is full (the file is then only removed by the usual paths).
    pub fn add(p: &Path) -> Option<usize> {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
            let raw = c.into_raw();
            for (i, slot) in PATHS.iter().enumerate() {
                if slot.compare_exchange(std::ptr::null_mut(), raw, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                    return Some(i);
                }
            }
            // SAFETY: `raw` came from `CString::into_raw` above and was stored nowhere.
            drop(unsafe { std::ffi::CString::from_raw(raw) });
            None
        }
        #[cfg(not(unix))]
        {
            let _ = p;
            None
        }
    }

    /// Forget slot `i`. The string is leaked on purpose: a signal handler on another thread may be reading it.
    pub fn remove(i: usize) {
        if let Some(slot) = PATHS.get(i) {
            slot.store(std::ptr::null_mut(), Ordering::SeqCst);
        }
    }

    #[cfg(unix)]
    extern "C" fn on_signal(sig: libc::c_int) {
        for slot in &PATHS {
            let p = slot.load(Ordering::SeqCst);
            if !p.is_null() {
                // SAFETY: a registered pointer is a NUL-terminated string that is never freed; unlink is
                // async-signal-safe.
                unsafe { libc::unlink(p) };
            }
        }
        // SAFETY: signal and raise are async-signal-safe; the default action then ends the process as the signal
        // asks (exit status 128 + sig for the shell).
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }

    pub fn install() {
        #[cfg(unix)]
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: the handler only calls async-signal-safe functions and reads atomics.
            unsafe {
                let prev = libc::signal(sig, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t);
                // A signal the parent set to be ignored (nohup) stays ignored.
                if prev == libc::SIG_IGN {
                    libc::signal(sig, libc::SIG_IGN);
                }
            }
        }
    }
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

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_a_mode_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "old\n").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).expect("symlink");
        write(&link, b"new\n").expect("write");
        assert!(std::fs::symlink_metadata(&link).expect("meta").file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "new\n");
        assert_eq!(std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777, 0o600);
        // A dangling link creates its target.
        let dangling = dir.path().join("dangling.txt");
        std::os::unix::fs::symlink("made.txt", &dangling).expect("symlink");
        write(&dangling, b"x\n").expect("write");
        assert_eq!(std::fs::read_to_string(dir.path().join("made.txt")).expect("read"), "x\n");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 4, "no temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_to_and_a_folder_refused() {
        write(Path::new("/dev/null"), b"nothing\n").expect("a device is written to");
        assert!(std::fs::metadata("/dev/null").map(|m| !m.is_file()).unwrap_or(false));
        let dir = tempfile::tempdir().expect("tempdir");
        let e = write(dir.path(), b"x").expect_err("a folder");
        assert!(e.to_string().contains("this is a folder"), "{e}");
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The target becomes a folder after the temporary file is made: the rename fails.
        let p = dir.path().join("out");
        let mut f = AtomicFile::create(&p).expect("create");
        f.write_all(b"x").expect("write");
        std::fs::create_dir(&p).expect("mkdir");
        std::fs::write(p.join("inside"), "keeps the folder non-empty").expect("write");
        let e = f.commit().expect_err("rename over a non-empty folder");
        assert!(e.to_string().contains("cannot write"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1, "only the folder is left");
    }
}
