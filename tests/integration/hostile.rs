//! Hostile and broken input: each test builds the input an attacker (or an accident) would, and checks what a user
//! would notice: an output never replaces a link, a device or an input; CSV, Markdown and terminal output carry
//! text from the inputs as text; a ledger listed twice is refused; TOML inputs are bounded and regular; temporary
//! files go away on signals; a replaced file keeps its mode; the lock is per inventory and compute honours it.

use std::path::{Path, PathBuf};

use crate::certificates::{HEADER, inventory_text};
use crate::util::{INVENTORY, Run, ghg_in, root};

const LEDGER: &str = "entity,period,activity,quantity,unit,region,note\nsite,2024,diesel,10,t,CN,\n";

/// A folder with the test inventory and a one-row ledger.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), INVENTORY).expect("inventory");
    std::fs::write(dir.path().join("ledger.csv"), LEDGER).expect("ledger");
    dir
}

fn run(dir: &Path, args: &[&str]) -> Run {
    ghg_in(dir, args)
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).expect("read")
}

/// Files whose name ends in `.tmp` (left-over temporary files of atomic writes).
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tmp"))
        .collect()
}

#[cfg(unix)]
#[test]
fn an_output_through_a_link_replaces_the_target_and_keeps_the_link() {
    let dir = folder();
    let d = dir.path();
    std::fs::create_dir(d.join("reports")).expect("mkdir");
    std::fs::write(d.join("reports/figures.csv"), "old\n").expect("write");
    std::os::unix::fs::symlink("reports/figures.csv", d.join("latest.csv")).expect("symlink");
    std::os::unix::fs::symlink("reports/lines.csv", d.join("lines.csv")).expect("dangling symlink");
    let r = run(d, &["compute", "inventory.toml", "--format", "csv", "-o", "latest.csv", "--lines", "lines.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::symlink_metadata(d.join("latest.csv")).expect("meta").file_type().is_symlink());
    assert!(std::fs::symlink_metadata(d.join("lines.csv")).expect("meta").file_type().is_symlink());
    assert!(read(d.join("reports/figures.csv")).starts_with("figure,value,unit,display\n"));
    // 10 t diesel: one line per gas and figure, the header first.
    assert!(read(d.join("reports/lines.csv")).starts_with("figure,source,"));
    assert!(temporaries(d).is_empty() && temporaries(&d.join("reports")).is_empty());
}

#[cfg(unix)]
#[test]
fn an_output_into_a_fifo_streams_and_a_folder_is_refused() {
    let dir = folder();
    let d = dir.path();
    let fifo = d.join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read fifo"))
    };
    let r = run(d, &["compute", "inventory.toml", "--format", "csv", "-o", "pipe"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got = reader.join().expect("reader");
    assert!(got.starts_with("figure,value,unit,display\n"), "{got}");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).expect("meta").file_type().is_fifo(), "still a FIFO");
    // /dev/null stays a device (writing it is harmless; replacing it, as root, was not).
    let r = run(d, &["compute", "inventory.toml", "--format", "json", "-o", "/dev/null"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::metadata("/dev/null").expect("meta").file_type().is_char_device());
    std::fs::create_dir(d.join("out")).expect("mkdir");
    let r = run(d, &["compute", "inventory.toml", "-o", "out"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: out: cannot write: this is a folder, not a regular file (name a regular file to write)\n"
    );
}

#[cfg(unix)]
#[test]
fn an_output_over_an_input_of_the_run_is_refused() {
    let dir = folder();
    let d = dir.path();
    let cases: &[(&[&str], &str)] = &[
        (
            &["compute", "inventory.toml", "--lines", "ledger.csv"],
            "error: ledger.csv: --lines ledger.csv would overwrite the ledger ledger.csv read by this run (write the output to another file)\n",
        ),
        (
            &["compute", "inventory.toml", "-o", "inventory.toml"],
            "error: inventory.toml: --output inventory.toml would overwrite the inventory inventory.toml read by this run (write the output to another file)\n",
        ),
        (
            &["compute", "inventory.toml", "-o", "./sub/../ghg.lock"],
            "error: ./sub/../ghg.lock: --output ./sub/../ghg.lock would overwrite the lock ghg.lock read by this run (write the output to another file)\n",
        ),
        (
            &["compute", "inventory.toml", "-o", "same.csv", "--lines", "same.csv"],
            "error: same.csv: --lines same.csv would overwrite the output of --output (write the output to another file)\n",
        ),
    ];
    std::fs::create_dir(d.join("sub")).expect("mkdir");
    for (args, want) in cases {
        let r = run(d, args);
        assert_eq!((r.code, r.stderr.as_str()), (2, *want), "{args:?}");
    }
    // Through a link to the ledger: the ledger is untouched.
    std::os::unix::fs::symlink("ledger.csv", d.join("alias.csv")).expect("symlink");
    let r = run(d, &["compute", "inventory.toml", "--format", "csv", "-o", "alias.csv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("would overwrite the ledger ledger.csv"), "{}", r.stderr);
    assert_eq!(read(d.join("ledger.csv")), LEDGER);
    assert_eq!(read(d.join("inventory.toml")), INVENTORY);
    // reconcile -o over the reported figures, scenario -o over the scenario file.
    let rec = tempfile::tempdir().expect("tempdir");
    copy_dir(&root().join("tests/data/reconcile"), rec.path());
    let before = read(rec.path().join("basic/reported.toml"));
    let r =
        run(rec.path(), &["reconcile", "basic/inventory.toml", "--format", "markdown", "-o", "basic/reported.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("would overwrite the reported figures"), "{}", r.stderr);
    assert_eq!(read(rec.path().join("basic/reported.toml")), before);
    // A file in a factor folder would be loaded as a factor file by the next run.
    let r = run(rec.path(), &["reconcile", "basic/inventory.toml", "-o", "factors/new.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("would overwrite a file in a factor folder"), "{}", r.stderr);
    std::fs::write(d.join("s.toml"), "name = \"s\"\n").expect("scenario");
    let r = run(d, &["scenario", "inventory.toml", "s.toml", "--format", "markdown", "-o", "s.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("would overwrite the scenario s.toml"), "{}", r.stderr);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("dir").filter_map(|e| e.ok()) {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// A certificate ledger whose instrument is a formula and a forged row.
fn hostile_certificates(dir: &Path, instrument: &str) {
    std::fs::write(dir.join("inventory.toml"), inventory_text("")).expect("inventory");
    let rows = format!(
        "{HEADER}plant-a,2024,electricity,1000,MWh,CN,,,,,\nplant-a,2024,certificate,100,MWh,CN,,\"{instrument}\",2024,,\n"
    );
    std::fs::write(dir.join("ledger.csv"), rows).expect("ledger");
}

#[test]
fn compute_csv_neither_starts_formulas_nor_forges_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    hostile_certificates(d, "GEC,=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\ntotal.market,0,tCO2e,0");
    let r = run(d, &["compute", "inventory.toml", "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut rd = csv::ReaderBuilder::new().has_headers(true).from_reader(r.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(|x| x.expect("valid CSV")).collect();
    assert!(rows.iter().all(|x| x.len() == 4), "every row has the four columns");
    for x in &rows {
        for cell in x.iter() {
            assert!(!cell.starts_with(['=', '@', '+']), "a formula cell: {cell:?}");
        }
    }
    let totals: Vec<&str> = rows.iter().filter(|x| &x[0] == "total.market").map(|x| &x[1]).collect();
    // 1000 MWh - 100 covered = 900 MWh x 0.5 tCO2/MWh = 450 tCO2e: one row, the real one.
    assert_eq!(totals, ["450"], "{}", r.stdout);
    let coverage: Vec<&str> = rows.iter().map(|x| &x[0]).filter(|id| id.contains("HYPERLINK")).collect();
    assert_eq!(coverage, ["coverage.CN.GEC,=HYPERLINK(\"http://evil\",\"x\")\ntotal.market,0,tCO2e,0"]);
}

/// Whether `c` occurs in `md` without a backslash before it (Markdown would read it as markup).
fn unescaped(md: &str, c: char) -> bool {
    let mut prev = ' ';
    md.chars().any(|x| {
        let hit = x == c && prev != '\\';
        prev = x;
        hit
    })
}

#[test]
fn markdown_carries_text_from_the_inputs_as_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    hostile_certificates(d, "<script>alert(1)</script>");
    let inv = read(d.join("inventory.toml")).replace(
        "organisation = \"Test Co\"",
        "organisation = \"Evil | [x](javascript:alert(1))\\n# owned <img src=x>\"",
    );
    std::fs::write(d.join("inventory.toml"), inv).expect("inventory");
    for args in [
        &["compute", "inventory.toml", "--format", "markdown"][..],
        &["scenario", "inventory.toml", "--add-certificates", "10", "--format", "markdown"][..],
    ] {
        let r = run(d, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let md = &r.stdout;
        assert!(!unescaped(md, '<'), "raw HTML in {args:?}:\n{md}");
        assert!(!md.replace("\\]", "").contains("]("), "a link in {args:?}:\n{md}");
        assert!(!md.contains("\n# owned"), "a forged heading in {args:?}:\n{md}");
        assert!(md.contains("Evil \\| [x\\](javascript:alert(1)) \\# owned \\<img src=x\\>"), "{args:?}:\n{md}");
    }
    let r = run(d, &["compute", "inventory.toml", "--format", "markdown"]);
    assert!(
        r.stdout.contains("| CN | 1,000.00 | 100.00 | 10.00 % | \\<script\\>alert(1)\\</script\\> 100.00 |"),
        "{}",
        r.stdout
    );
    // The working paper: a reported figure's locator and the report's source.
    let rec = tempfile::tempdir().expect("tempdir");
    copy_dir(&root().join("tests/data/reconcile"), rec.path());
    let rep = read(rec.path().join("basic/reported.toml"))
        .replace("locator = \"table 1, scope 1\"", "locator = \"<script>x</script> | pwned\\n| row |\"")
        .replace("source = \"Reconcile Test Co report 2024 (invented)\"", "source = \"[click](javascript:alert(1))\"");
    std::fs::write(rec.path().join("basic/reported.toml"), rep).expect("reported");
    let r = run(rec.path(), &["reconcile", "basic/inventory.toml", "--format", "markdown"]);
    assert!(r.code <= 1, "{}", r.stderr);
    // (The paper's own markup, `<br>` and `scope1.<activity>`, stays.)
    assert!(!r.stdout.replace("\\<", "").contains("<script"), "{}", r.stdout);
    assert!(!r.stdout.replace("\\]", "").contains("]("), "{}", r.stdout);
    assert!(r.stdout.contains("| \\<script\\>x\\</script\\> \\| pwned \\| row \\| |\n"), "{}", r.stdout);
    assert!(r.stdout.contains("  - source: [click\\](javascript:alert(1))\n"), "{}", r.stdout);
}

#[test]
fn control_characters_reach_no_terminal() {
    let dir = folder();
    let d = dir.path();
    let ledger =
        "entity,period,activity,quantity,unit,region,note\n\"site\u{1b}]0;owned\u{7}\u{1b}[2J\",2024,diesel,10,t,CN,\n";
    std::fs::write(d.join("ledger.csv"), ledger).expect("ledger");
    let r = run(d, &["explain", "inventory.toml", "scope1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains(['\u{1b}', '\u{7}']), "{:?}", r.stdout);
    assert!(r.stdout.contains("site\\x1b]0;owned\\x07\\x1b[2J 2024 diesel"), "{}", r.stdout);
    // A rejected row quotes the field in its message: on stderr, escaped too.
    let ledger = "entity,period,activity,quantity,unit,region,note\nsite,2024,diesel,10,\"t\u{1b}[31m\",CN,\n";
    std::fs::write(d.join("ledger.csv"), ledger).expect("ledger");
    let r = run(d, &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    assert!(r.stderr.contains("t\\x1b[31m"), "{}", r.stderr);
    let r = run(d, &["compute", "inventory.toml", "--lenient"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}') && r.stdout.contains("t\\x1b[31m"), "{:?}", r.stdout);
}

#[cfg(unix)]
#[test]
fn a_ledger_listed_twice_is_refused_and_a_copy_is_warned_about() {
    let dir = folder();
    let d = dir.path();
    std::os::unix::fs::symlink("ledger.csv", d.join("link.csv")).expect("symlink");
    let twice = INVENTORY.replace(
        "activity_files = [\"ledger.csv\"]",
        "activity_files = [\n  \"ledger.csv\",\n  \"./ledger.csv\",\n  \"link.csv\",\n]",
    );
    std::fs::write(d.join("inventory.toml"), twice).expect("inventory");
    let r = run(d, &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: inventory.toml:5:3: ledger \"./ledger.csv\" is the same file as \"ledger.csv\" (listed at 4:3): its rows would be counted twice (list each ledger once)\n\
         error: inventory.toml:6:3: ledger \"link.csv\" is the same file as \"ledger.csv\" (listed at 4:3): its rows would be counted twice (list each ledger once)\n\
         2 problems found\n"
    );
    // A copy is another file: counted, with a warning (10 t diesel twice: 20 t).
    std::fs::copy(d.join("ledger.csv"), d.join("copy.csv")).expect("copy");
    let copy =
        INVENTORY.replace("activity_files = [\"ledger.csv\"]", "activity_files = [\"ledger.csv\", \"copy.csv\"]");
    std::fs::write(d.join("inventory.toml"), copy).expect("inventory");
    let r = run(d, &["compute", "inventory.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("activity.diesel"), "{}", r.stdout);
    assert!(r.stdout.contains("[identical-ledgers] copy.csv: copy.csv has the same content (SHA-256 "), "{}", r.stdout);
    assert!(r.stdout.contains("as ledger.csv: if it is a copy, every row is counted twice"), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn toml_inputs_are_bounded_and_regular() {
    let dir = folder();
    let d = dir.path();
    // reported = "/dev/zero" used to read until memory ran out.
    let inv = INVENTORY.replace("year = 2024\n", "year = 2024\nreported = \"/dev/zero\"\n");
    std::fs::write(d.join("inventory.toml"), inv).expect("inventory");
    let r = run(d, &["reconcile", "inventory.toml"]);
    assert_eq!(
        r.stderr,
        "error: inventory.toml:3:12: /dev/zero is a device, not a regular file (name a regular file; copy what a pipe or device gives into one first)\n"
    );
    assert_eq!(r.code, 2);
    // A FIFO as a ledger would block forever.
    std::fs::write(d.join("inventory.toml"), INVENTORY).expect("inventory");
    std::fs::remove_file(d.join("ledger.csv")).expect("rm");
    let c = std::ffi::CString::new(d.join("ledger.csv").to_str().expect("utf-8")).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    let r = run(d, &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: inventory.toml:3:19: ledger.csv is a FIFO (named pipe), not a regular file (name a regular file; copy what a pipe or device gives into one first)\n"
    );
    std::fs::remove_file(d.join("ledger.csv")).expect("rm");
    std::fs::write(d.join("ledger.csv"), LEDGER).expect("ledger");
    // A scenario file larger than the limit is refused before it is read (a sparse file: no disk used).
    let big = std::fs::File::create(d.join("big.toml")).expect("create");
    big.set_len((16 << 20) + 1).expect("set_len");
    let r = run(d, &["scenario", "inventory.toml", "big.toml"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: big.toml: file is larger than 16 MiB, the limit for a TOML input (name the right file: inventories, reported figures, scenarios and factor files are small)\n"
    );
}

#[cfg(unix)]
#[test]
fn a_replaced_output_keeps_its_mode_and_a_write_failure_says_cannot_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder();
    let d = dir.path();
    std::fs::write(d.join("private.json"), "{}").expect("write");
    std::fs::set_permissions(d.join("private.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let r = run(d, &["compute", "inventory.toml", "--format", "json", "-o", "private.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read(d.join("private.json")).contains("\"figures\""));
    assert_eq!(std::fs::metadata(d.join("private.json")).expect("meta").permissions().mode() & 0o777, 0o600);
    // /dev/full takes no byte: the error says so (it used to say "cannot read").
    if Path::new("/dev/full").exists() {
        let r = run(d, &["compute", "inventory.toml", "-o", "/dev/full"]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.starts_with("error: /dev/full: cannot write: "), "{}", r.stderr);
        let r = run(d, &["compute", "inventory.toml", "--format", "json", "-o", "/dev/full"]);
        assert!(r.stderr.starts_with("error: /dev/full: cannot write: "), "{}", r.stderr);
    }
}

#[cfg(unix)]
#[test]
fn temporary_files_go_away_on_sigint_sigterm_and_sighup() {
    let dir = folder();
    let d = dir.path();
    // Enough rows for the run to be caught while it streams its lines.
    let mut ledger = String::from("entity,period,activity,quantity,unit,region,note\n");
    for i in 0..400_000 {
        ledger.push_str(&format!("site-{},2024-{:02},diesel,{}.5,t,CN,\n", i % 7, 1 + i % 12, 1 + i % 1000));
    }
    std::fs::write(d.join("ledger.csv"), ledger).expect("ledger");
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ghg"))
            .args(["compute", "inventory.toml", "--lines", "lines.csv", "-q"])
            .current_dir(d)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let start = std::time::Instant::now();
        while temporaries(d).is_empty() && start.elapsed() < std::time::Duration::from_secs(30) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(!temporaries(d).is_empty(), "the run made its temporary file");
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, sig) };
        let status = child.wait().expect("wait");
        use std::os::unix::process::ExitStatusExt;
        // Caught while writing (the ledger takes seconds), ended by the signal, nothing left behind.
        assert_eq!(status.signal(), Some(sig), "{status:?}");
        assert!(temporaries(d).is_empty(), "signal {sig}: left {:?}", temporaries(d));
        assert!(!d.join("lines.csv").exists(), "signal {sig}: nothing half-written appears");
    }
}

#[test]
fn compute_refuses_a_changed_lock_and_check_says_not_locked() {
    let dir = folder();
    let d = dir.path();
    let r = run(d, &["check", "inventory.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.ends_with(
            "; not locked (to record the SHA-256 of every input, so that a later change is caught: ghg check inventory.toml --update-lock)\n"
        ),
        "{}",
        r.stdout
    );
    let r = run(d, &["check", "inventory.toml", "--update-lock"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(d.join("ledger.csv"), LEDGER.replace(",10,", ",11,")).expect("ledger");
    for fmt in ["table", "json", "csv"] {
        let r = run(d, &["compute", "inventory.toml", "--format", fmt, "-o", "out"]);
        assert_eq!(r.code, 2, "{fmt}");
        assert!(
            r.stderr.starts_with("error: ghg.lock:11: ledger.csv (ledger) changed since it was locked"),
            "{}",
            r.stderr
        );
        assert!(!d.join("out").exists(), "nothing written from changed inputs");
    }
    let r = run(d, &["compute", "inventory.toml", "--lines", "lines.csv"]);
    assert_eq!(r.code, 2);
    assert!(!d.join("lines.csv").exists() && temporaries(d).is_empty());
}

#[test]
fn two_inventories_in_one_folder_have_their_own_locks() {
    let dir = folder();
    let d = dir.path();
    std::fs::write(d.join("other.csv"), LEDGER.replace(",10,", ",20,")).expect("ledger");
    std::fs::write(d.join("b.toml"), INVENTORY.replace("\"ledger.csv\"", "\"other.csv\"")).expect("inventory");
    let r = run(d, &["check", "inventory.toml", "--update-lock"]);
    assert!(r.stdout.contains("wrote ghg.lock ("), "{}", r.stdout);
    // b.toml is not locked by inventory.toml's lock...
    let r = run(d, &["check", "b.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("; not locked ("), "{}", r.stdout);
    // ...and gets its own, leaving the first one as it was.
    let first = read(d.join("ghg.lock"));
    let r = run(d, &["check", "b.toml", "--update-lock"]);
    assert!(r.stdout.contains("wrote b.ghg.lock ("), "{}", r.stdout);
    assert_eq!(read(d.join("ghg.lock")), first);
    assert!(read(d.join("b.ghg.lock")).contains("path = \"other.csv\""));
    // A change of b's ledger stops b, not inventory.toml.
    std::fs::write(d.join("other.csv"), LEDGER.replace(",10,", ",21,")).expect("ledger");
    let r = run(d, &["check", "b.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: b.ghg.lock:"), "{}", r.stderr);
    let r = run(d, &["check", "inventory.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ghg.lock matches"), "{}", r.stdout);
}

#[test]
fn scenario_writes_every_format_to_its_output_file() {
    let dir = folder();
    let d = dir.path();
    for fmt in ["csv", "markdown", "table", "json"] {
        let out = format!("s.{fmt}");
        let r = run(d, &["scenario", "inventory.toml", "--add-certificates", "10", "--format", fmt, "-o", &out]);
        assert_eq!(r.code, 0, "{fmt}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{fmt}: nothing on stdout");
        let text = read(d.join(&out));
        assert!(text.contains("scope2.market"), "{fmt}: {text}");
    }
    assert!(read(d.join("s.csv")).starts_with("figure,unit,baseline,scenario,delta,change_1\n"));
}

#[test]
fn a_lock_holds_any_file_name() {
    let dir = folder();
    let d = dir.path();
    let name = "we\"ird\\ \u{1b}name.csv";
    std::fs::rename(d.join("ledger.csv"), d.join(name)).expect("rename");
    let inv = INVENTORY.replace("\"ledger.csv\"", "\"we\\\"ird\\\\ \\u001bname.csv\"");
    std::fs::write(d.join("inventory.toml"), inv).expect("inventory");
    let r = run(d, &["check", "inventory.toml", "--update-lock"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(d, &["check", "inventory.toml"]);
    assert_eq!(r.code, 0, "the lock it wrote reads back: {}", r.stderr);
    assert!(r.stdout.contains("ghg.lock matches (4 files)"), "{}", r.stdout);
    std::fs::write(d.join(name), LEDGER.replace(",10,", ",12,")).expect("ledger");
    let r = run(d, &["check", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: ghg.lock:11: we\"ird\\ \\x1bname.csv (ledger) changed"), "{}", r.stderr);
}

/// A folder whose inventory lists a ledger and a copy of it (10 t diesel, 100 MWh electricity in 2024 priced with
/// the 2022 grid factors, as the inventory allows), with reported figures for `reconcile`.
fn copied_ledger() -> tempfile::TempDir {
    let dir = folder();
    let d = dir.path();
    let ledger = format!("{LEDGER}site,2024,electricity,100,MWh,CN,\n");
    std::fs::write(d.join("ledger.csv"), &ledger).expect("ledger");
    std::fs::write(d.join("copy.csv"), &ledger).expect("copy");
    let inv = INVENTORY.replace(
        "activity_files = [\"ledger.csv\"]",
        "activity_files = [\"ledger.csv\", \"copy.csv\"]\nreported = \"reported.toml\"",
    );
    std::fs::write(d.join("inventory.toml"), inv).expect("inventory");
    // Twice 10 t of diesel, as a report that counted the copy would print it.
    std::fs::write(d.join("reported.toml"), "[[figure]]\nid = \"activity.diesel\"\nprinted = \"20 吨\"\n")
        .expect("reported");
    dir
}

const IDENTICAL: &str = "[identical-ledgers] copy.csv: copy.csv has the same content (SHA-256 ";
const GRID_FALLBACK: &str = "fallback: year grid for electricity: mee-grid@2022:grid.national used for year 2024 (valid for 2022) (2 rows, first ledger.csv:3)\n";

/// How many times the identical-ledgers warning is in a JSON value's `warnings` (at any depth).
fn json_identical(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(m) => {
            let own = m.get("code").is_some_and(|c| c == "identical-ledgers") as usize;
            own + m.values().map(json_identical).sum::<usize>()
        }
        serde_json::Value::Array(a) => a.iter().map(json_identical).sum(),
        _ => 0,
    }
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

#[test]
fn identical_ledgers_are_stated_by_every_command_in_every_format() {
    let dir = copied_ledger();
    let d = dir.path();
    // Where the output shows warnings, it states it there and stderr stays quiet about it; elsewhere stderr does.
    let in_stdout = |args: &[&str]| {
        let r = run(d, args);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout.matches(IDENTICAL).count(), 1, "{args:?}: {}", r.stdout);
        assert!(!r.stderr.contains("identical-ledgers"), "{args:?}: {}", r.stderr);
    };
    in_stdout(&["compute", "inventory.toml"]);
    in_stdout(&["compute", "inventory.toml", "--format", "markdown"]);
    in_stdout(&["reconcile", "inventory.toml"]);
    in_stdout(&["reconcile", "inventory.toml", "--format", "markdown"]);
    let on_stderr = |args: &[&str]| {
        let r = run(d, args);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.matches(&format!("warning: {IDENTICAL}")).count(), 1, "{args:?}: {}", r.stderr);
        r
    };
    let r = on_stderr(&["check", "inventory.toml"]);
    assert!(r.stdout.contains("1 warning(s)"), "{}", r.stdout);
    on_stderr(&["explain", "inventory.toml", "scope1"]);
    on_stderr(&["compute", "inventory.toml", "--format", "csv"]);
    // A scenario table shows the scenario's own warnings; the baseline's (this one) go to stderr.
    on_stderr(&["scenario", "inventory.toml", "--scale", "diesel=0.5"]);
    on_stderr(&["scenario", "inventory.toml", "--sweep", "scale.diesel=0..1:0.5"]);
    for args in [
        &["compute", "inventory.toml", "--format", "json"][..],
        &["explain", "inventory.toml", "scope1", "--format", "json"],
        &["reconcile", "inventory.toml", "--format", "json"],
    ] {
        let r = run(d, args);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
        assert_eq!(json_identical(&json(&r.stdout)["warnings"]), 1, "{args:?}: {}", r.stdout);
        assert_eq!(r.stderr, "", "{args:?}");
    }
    // The scenario's JSON has the warnings of its result (the same ledgers, so the same warning).
    let r = run(d, &["scenario", "inventory.toml", "--scale", "diesel=0.5", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(json_identical(&json(&r.stdout)["warnings"]) >= 1, "{}", r.stdout);
}

#[test]
fn behind_an_output_file_every_warning_and_fallback_reaches_stderr_once() {
    let dir = copied_ledger();
    let d = dir.path();
    let once = |args: &[&str]| {
        let r = run(d, args);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(r.stderr.matches(&format!("warning: {IDENTICAL}")).count(), 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.matches(GRID_FALLBACK).count(), 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.matches("fallback: year residual for electricity").count(), 1, "{args:?}: {}", r.stderr);
    };
    for fmt in ["table", "csv", "json", "markdown", "html", "xlsx"] {
        once(&["compute", "inventory.toml", "--format", fmt, "-o", &format!("out.{fmt}")]);
    }
    once(&["compute", "inventory.toml", "--lines", "lines.csv", "-o", "out.txt"]);
    for fmt in ["table", "csv", "json", "markdown", "html", "xlsx"] {
        // Baseline and scenario share the warning and the fallbacks: told once.
        once(&["scenario", "inventory.toml", "--scale", "diesel=0.5", "--format", fmt, "-o", &format!("s.{fmt}")]);
    }
    once(&["scenario", "inventory.toml", "--sweep", "scale.diesel=0..1:0.5", "-o", "sweep.txt"]);
    for fmt in ["table", "json", "markdown", "html", "xlsx"] {
        once(&["reconcile", "inventory.toml", "--format", fmt, "-o", &format!("r.{fmt}")]);
    }
}

#[test]
fn explain_and_scenario_honour_the_lock() {
    let dir = folder();
    let d = dir.path();
    assert_eq!(run(d, &["check", "inventory.toml", "--update-lock"]).code, 0);
    for args in [
        &["explain", "inventory.toml", "scope1"][..],
        &["scenario", "inventory.toml", "--scale", "diesel=0.5"],
        &["scenario", "inventory.toml", "--sweep", "scale.diesel=0..1:0.5"],
    ] {
        let r = run(d, args);
        assert_eq!(r.code, 0, "{args:?} with the lock matching: {}", r.stderr);
    }
    std::fs::write(d.join("ledger.csv"), LEDGER.replace(",10,", ",12,")).expect("ledger");
    for args in [
        &["explain", "inventory.toml", "scope1"][..],
        &["explain", "inventory.toml", "scope1", "--format", "json"],
        &["scenario", "inventory.toml", "--scale", "diesel=0.5"],
        &["scenario", "inventory.toml", "--scale", "diesel=0.5", "--format", "xlsx", "-o", "s.xlsx"],
        &["scenario", "inventory.toml", "--sweep", "scale.diesel=0..1:0.5"],
        &["scenario", "inventory.toml", "--target", "scope1<=1", "--lever", "scale.diesel"],
    ] {
        let r = run(d, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("error: ghg.lock:11: ledger.csv (ledger) changed since it was locked"),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "{args:?}: nothing is printed from changed inputs");
    }
    assert!(!d.join("s.xlsx").exists());
}
