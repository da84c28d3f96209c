//! Scale and robustness: identical results for any thread count and split; a closed pipe ends quietly;
//! failed runs leave no half-written file; ghg.lock; declared GBK; spreadsheet-safe CSV; rows counted everywhere.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{INVENTORY, Run, ghg_in};

/// A deterministic ledger of `n` rows with everything a real export has: a byte-order mark, quoted notes holding
/// commas and newlines, thousands separators, CRLF line ends, blank and whitespace-only lines, Chinese units and
/// region names, certificates, and (with `bad`) a few rows that must be rejected.
fn ledger(n: usize, bad: bool) -> String {
    let mut s = String::from("\u{feff}entity,period,activity,quantity,unit,region,note\n");
    let mut x: u64 = 42;
    let mut next = |m: u64| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    for i in 0..n {
        let e = format!("site-{:02}", i * 17 / n.max(1));
        let month = 1 + next(12);
        let q = 1 + next(9_999_999);
        let (a, u, r) = match next(9) {
            0 => ("gasoline", "吨", "CN"),
            1 => ("diesel", "t", "浙江"),
            2 => ("natural_gas", "万立方米", "CN"),
            3 => ("electricity", "kWh", "浙江"),
            4 => ("electricity", "兆瓦时", "CN-JS"),
            5 => ("electricity", "MWh", "CN"),
            6 => ("onsite_pv", "MWh", "CN"),
            7 if i % 50 == 0 => ("certificate", "MWh", "CN"),
            _ => ("electricity", "度", "华东"),
        };
        let quantity = if q % 7 == 0 && q >= 100_000 {
            // thousands separators, quoted
            let whole = q / 100;
            format!("\"{},{:03}.{:02}\"", whole / 1000, whole % 1000, q % 100)
        } else {
            format!("{}.{:02}", q / 100, q % 100)
        };
        let note = match next(10) {
            0 => "\"meter 3, main building\"".to_string(),
            1 => "\"two\nlines\"".to_string(),
            2 => "\"said \"\"estimated\"\"\"".to_string(),
            3 => "=estimated".to_string(),
            _ => String::new(),
        };
        let end = if next(5) == 0 { "\r\n" } else { "\n" };
        s.push_str(&format!("{e},2024-{month:02},{a},{quantity},{u},{r},{note}{end}"));
        match next(40) {
            0 => s.push('\n'),
            1 => s.push_str("   \n"),
            2 => s.push_str("\r\n"),
            _ => {}
        }
        if bad && i % 97 == 13 {
            match (i / 97) % 4 {
                0 => s.push_str("site-x,2023-05,diesel,1,t,CN,\n"),
                1 => s.push_str("site-x,2024-05,diesel,1,tonnez,CN,\n"),
                2 => s.push_str("site-x,2024-05,diesel,\"1\"2,t,CN,\n"),
                _ => s.push_str("site-x,2024-05,electricity,1,MWh,IN,\n"),
            }
        }
    }
    s
}

fn setup(dir: &Path, ledger_text: &str) {
    std::fs::write(dir.join("inventory.toml"), INVENTORY).expect("write inventory");
    std::fs::write(dir.join("ledger.csv"), ledger_text).expect("write ledger");
}

fn ok(r: &Run) -> &str {
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    &r.stdout
}

#[test]
fn identical_results_for_any_thread_count_and_any_split() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path(), &ledger(3000, true));
    let args = ["compute", "inventory.toml", "--format", "json", "--no-lines", "--lenient"];
    let one = ghg_in(dir.path(), &[&args[..], &["--threads", "1"]].concat());
    let reference = ok(&one).to_string();
    let v: serde_json::Value = serde_json::from_str(&reference).expect("json");
    let rows = &v["provenance"]["rows"];
    assert!(rows["rejected"].as_u64().is_some_and(|r| r > 20), "{rows}");
    assert_eq!(rows["read"].as_u64(), Some(3000 + rows["rejected"].as_u64().unwrap_or(0)));
    // Many small parts: splits land inside quoted notes, after CRLF, before blank lines.
    for threads in ["2", "3", "7"] {
        for chunk in ["1500", "4096", "20000"] {
            let r = ghg_in(dir.path(), &[&args[..], &["--threads", threads, "--chunk-bytes", chunk]].concat());
            assert_eq!(ok(&r), reference, "--threads {threads} --chunk-bytes {chunk}");
        }
    }
    // The paths that build lines (kept in the JSON, or streamed to a file) give the same figures.
    let with_lines: serde_json::Value =
        serde_json::from_str(ok(&ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "json", "--lenient"])))
            .expect("json");
    for key in ["figures", "by_entity", "provenance", "fallbacks", "warnings", "rejected"] {
        assert_eq!(with_lines[key], v[key], "{key}");
    }
    let streamed: serde_json::Value = serde_json::from_str(ok(&ghg_in(
        dir.path(),
        &["compute", "inventory.toml", "--format", "json", "--lenient", "--lines", "lines.jsonl"],
    )))
    .expect("json");
    assert_eq!(streamed["figures"], v["figures"]);
    // Streamed lines are not also kept: the JSON beside a lines file holds none (at 10^6 rows it held 1.7 GB).
    assert_eq!(streamed["lines"], serde_json::json!([]));
    assert!(with_lines["lines"].as_array().is_some_and(|l| !l.is_empty()));
    // Every figure is the sum of its lines: the streamed scope2.location lines add up to the figure exactly.
    let text = std::fs::read_to_string(dir.path().join("lines.jsonl")).expect("lines");
    let mut sum = ghg::calc::Exact::ZERO;
    let mut n = 0;
    for l in text.lines() {
        let l: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
        if l["figure"] == "scope2.location" {
            sum.add(l["value"].as_str().and_then(|x| x.parse().ok()).expect("value"));
            n += 1;
        }
    }
    assert!(n > 1000);
    let fig: rust_decimal::Decimal =
        v["figures"]["scope2.location"]["value"].as_str().and_then(|x| x.parse().ok()).expect("figure");
    assert_eq!(sum.to_decimal(), Some(fig));
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path(), &ledger(2000, false));
    // The JSON with every line is megabytes: far more than a pipe holds, so the writer meets the closed pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ghg"))
        .args(["compute", "inventory.toml", "--format", "json"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    {
        let stdout = child.stdout.take().expect("stdout");
        let mut r = std::io::BufReader::new(stdout);
        r.read_line(&mut first).expect("first line");
        // `| head -1`: read one line, then close the pipe.
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(first, "{\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "nothing on stderr");
}

#[test]
fn a_failed_run_leaves_no_half_written_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path(), &ledger(500, true));
    std::fs::write(dir.path().join("lines.csv"), "old\n").expect("write");
    // Strict by default: rejected rows stop the run, after lines were already being written.
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--lines", "lines.csv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("lines.csv")).expect("read"), "old\n");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(names, ["inventory.toml", "ledger.csv", "lines.csv"], "no temporary file left");
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--lenient", "--lines", "lines.csv"]);
    ok(&r);
    let text = std::fs::read_to_string(dir.path().join("lines.csv")).expect("read");
    assert!(
        text.starts_with("figure,source,entity,period,activity,region,gas,quantity,unit,factors,value,value_unit\n")
    );
}

#[test]
fn ghg_lock_catches_a_changed_file_until_the_change_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path(), &ledger(50, false));
    let r = ghg_in(dir.path(), &["check", "inventory.toml"]);
    assert!(!ok(&r).contains("ghg.lock"), "no lock yet: {}", r.stdout);
    let r = ghg_in(dir.path(), &["check", "inventory.toml", "--update-lock"]);
    assert!(ok(&r).contains("wrote ghg.lock ("), "{}", r.stdout);
    let lock = std::fs::read_to_string(dir.path().join("ghg.lock")).expect("lock");
    for part in ["role = \"inventory\"", "role = \"ledger\"", "path = \"ledger.csv\"", "role = \"builtin-factors\""] {
        assert!(lock.contains(part), "{part} in\n{lock}");
    }
    let r = ghg_in(dir.path(), &["check", "inventory.toml"]);
    assert!(ok(&r).contains("ghg.lock matches"), "{}", r.stdout);
    // One digit changed in the ledger.
    let text = std::fs::read_to_string(dir.path().join("ledger.csv")).expect("ledger");
    let changed = text.replacen(".0", ".9", 1);
    assert_ne!(changed, text);
    std::fs::write(dir.path().join("ledger.csv"), changed).expect("write");
    let r = ghg_in(dir.path(), &["check", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: ghg.lock:"), "{}", r.stderr);
    assert!(r.stderr.contains("ledger.csv (ledger) changed since it was locked (sha256 "), "{}", r.stderr);
    assert!(r.stderr.contains("(if the change is intended, accept it: ghg check inventory.toml --update-lock)"));
    let r = ghg_in(dir.path(), &["check", "inventory.toml", "--update-lock"]);
    ok(&r);
    ok(&ghg_in(dir.path(), &["check", "inventory.toml"]));
}

#[test]
fn reconcile_refuses_a_changed_locked_file_until_the_change_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hikvision-2024");
    for f in ["inventory.toml", "ledger.csv", "reported.toml"] {
        std::fs::copy(seed.join(f), dir.path().join(f)).expect("copy the seed example");
    }
    assert_eq!(ghg_in(dir.path(), &["reconcile", "inventory.toml"]).code, 0, "no lock: nothing to verify");
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml", "--update-lock"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lock = std::fs::read_to_string(dir.path().join("ghg.lock")).expect("reconcile --update-lock wrote the lock");
    assert!(lock.contains("role = \"reported\""), "{lock}");
    // A printed figure edited after the lock was taken.
    let reported = std::fs::read_to_string(dir.path().join("reported.toml")).expect("reported");
    std::fs::write(dir.path().join("reported.toml"), format!("{reported}\n# edited\n")).expect("write");
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.is_empty(), "no figures while a locked file changed: {}", r.stdout);
    assert!(r.stderr.contains("reported.toml (reported) changed since it was locked (sha256 "), "{}", r.stderr);
    assert!(r.stderr.contains("--update-lock"), "{}", r.stderr);
    assert_eq!(ghg_in(dir.path(), &["reconcile", "inventory.toml", "--update-lock"]).code, 0);
    assert_eq!(ghg_in(dir.path(), &["reconcile", "inventory.toml"]).code, 0);
    // --output takes every format, written atomically, nothing on stdout.
    let r = ghg_in(dir.path(), &["reconcile", "inventory.toml", "--format", "markdown", "--output", "paper.md"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let paper = std::fs::read_to_string(dir.path().join("paper.md")).expect("the working paper");
    assert!(paper.contains("scope2.market"), "{paper}");
}

#[test]
fn declared_gbk_is_decoded_and_undeclared_gbk_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let utf8 = ledger(300, false);
    setup(dir.path(), &utf8);
    let want: serde_json::Value =
        serde_json::from_str(ok(&ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "json", "--no-lines"])))
            .expect("json");
    // The same ledger as a Chinese spreadsheet would export it: GBK, no byte-order mark.
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(utf8.trim_start_matches('\u{feff}'));
    assert!(!unmappable);
    std::fs::write(dir.path().join("ledger.csv"), &gbk).expect("write");
    for enc in ["gbk", "gb18030"] {
        let got: serde_json::Value = serde_json::from_str(ok(&ghg_in(
            dir.path(),
            &["compute", "inventory.toml", "--format", "json", "--no-lines", "--encoding", enc],
        )))
        .expect("json");
        assert_eq!(got["figures"], want["figures"], "--encoding {enc}");
        assert_eq!(got["by_entity"], want["by_entity"], "--encoding {enc}");
    }
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("it looks like GBK/GB18030") && r.stderr.contains("--encoding gbk"), "{}", r.stderr);
}

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_escaped_and_numbers_stay_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(
        dir.path(),
        "entity,period,activity,quantity,unit,region,note\n\"=HYPERLINK(\"\"http://x\"\")\",2024,electricity,1,MWh,CN,\n+SUM(1),2024,electricity,2,MWh,CN,\n-a,2024,electricity,3,MWh,CN,\n@b,2024,certificate,4,MWh,CN,\n",
    );
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--lines", "lines.csv"]);
    ok(&r);
    let mut rdr = csv::Reader::from_path(dir.path().join("lines.csv")).expect("csv");
    let mut entities = Vec::new();
    let mut negative_numbers = 0;
    for rec in rdr.records() {
        let rec = rec.expect("record");
        entities.push(rec[2].to_string());
        for (i, cell) in rec.iter().enumerate() {
            let numeric = i == 7 || i == 10;
            if numeric {
                // quantity and value: plain numbers, a minus sign included (the certificate's scope2.market line)
                assert!(cell.parse::<rust_decimal::Decimal>().is_ok(), "number cell {cell:?}");
                negative_numbers += cell.starts_with('-') as usize;
            } else {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "text cell {cell:?} could run as a formula");
            }
        }
    }
    assert!(negative_numbers > 0, "the certificate line is negative and stays a number");
    for e in ["'=HYPERLINK(\"http://x\")", "'+SUM(1)", "'-a", "'@b"] {
        assert!(entities.iter().any(|x| x == e), "{e} in {entities:?}");
    }
    let r = ghg_in(dir.path(), &["compute", "inventory.toml", "--format", "csv"]);
    for line in ok(&r).lines().skip(1) {
        assert!(!line.starts_with(['=', '+', '-', '@']), "{line}");
    }
}

#[test]
fn every_output_states_rows_read_used_and_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(
        dir.path(),
        "entity,period,activity,quantity,unit,region,note\na,2024,electricity,5,MWh,CN,\na,2024,electricity,x,MWh,CN,\n",
    );
    let lenient = ["--lenient"];
    let table = ghg_in(dir.path(), &[&["compute", "inventory.toml"][..], &lenient].concat());
    assert!(ok(&table).contains("rows: 2 read, 1 used, 1 rejected"), "{}", table.stdout);
    assert!(table.stdout.contains("ledger.csv:3:"), "the reason, located: {}", table.stdout);
    let md = ghg_in(dir.path(), &[&["compute", "inventory.toml", "--format", "markdown"][..], &lenient].concat());
    assert!(ok(&md).contains("rows: 2 read, 1 used, 1 rejected"), "{}", md.stdout);
    let csv = ghg_in(dir.path(), &[&["compute", "inventory.toml", "--format", "csv"][..], &lenient].concat());
    assert!(ok(&csv).ends_with("rows.read,2,rows,\nrows.used,1,rows,\nrows.rejected,1,rows,\n"), "{}", csv.stdout);
    assert!(csv.stderr.contains("rejected: ledger.csv:3:"), "{}", csv.stderr);
    let json = ghg_in(dir.path(), &[&["compute", "inventory.toml", "--format", "json"][..], &lenient].concat());
    let v: serde_json::Value = serde_json::from_str(ok(&json)).expect("json");
    assert_eq!(v["provenance"]["rows"], serde_json::json!({"read": 2, "used": 1, "rejected": 1}));
    assert_eq!(v["rejected"][0]["location"], "ledger.csv:3:20");
    let check = ghg_in(dir.path(), &[&["check", "inventory.toml"][..], &lenient].concat());
    assert!(ok(&check).contains("rows: 2 read, 1 used, 1 rejected"), "{}", check.stdout);
    let explain = ghg_in(dir.path(), &[&["explain", "inventory.toml", "scope2.location"][..], &lenient].concat());
    assert!(ok(&explain).contains("rows: 2 read, 1 used, 1 rejected"), "{}", explain.stdout);
    // Strict (the default): no figures at all.
    let strict = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(strict.code, 2);
    assert_eq!(strict.stdout, "");
}

/// A ledger with more rejected rows than are listed keeps every count and says how many it left out.
#[test]
fn a_flood_of_rejected_rows_is_counted_not_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = String::from("entity,period,activity,quantity,unit,region,note\n");
    for _ in 0..3000 {
        s.push_str("a,2023,electricity,5,MWh,CN,\n");
    }
    setup(dir.path(), &s);
    let r = ghg_in(dir.path(), &["compute", "inventory.toml"]);
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 52, "50 shown, a count, a total line: {}", r.stderr);
    assert_eq!(
        lines[50],
        "error: ledger.csv: 3000 rows were rejected in all; the first 1000 are listed (fix the first problems and run again; rows with the same problem usually share one cause)"
    );
    assert_eq!(lines[51], "1001 problems found");
    let _ = std::io::stderr().flush();
}
