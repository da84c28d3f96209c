//! Spanned TOML reading: every value keeps its byte span, so every problem can name file:line:column,
//! and a file's problems are collected together rather than stopping at the first.

use std::ops::Range;
use std::path::Path;

use rust_decimal::Decimal;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Diagnostics, Error, ErrorKind, Location, line_col};

/// The largest TOML input read (inventory, reported figures, scenario, factor file): 16 MiB, hundreds of times
/// the size of a real one. A larger file (or `/dev/zero`) is refused before it is read into memory.
pub const MAX_TOML_BYTES: u64 = 16 << 20;

/// Read a TOML input: a regular file of at most [`MAX_TOML_BYTES`]. A FIFO, device or folder is refused (reading
/// a FIFO could block forever, a device could never end).
pub fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let m = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    if !m.is_file() {
        return Err(not_regular(path, &m));
    }
    let too_big = || {
        Error::new(
            ErrorKind::Io,
            format!("file is larger than {} MiB, the limit for a TOML input", MAX_TOML_BYTES >> 20),
        )
        .at(Location::file(path))
        .hint("name the right file: inventories, reported figures, scenarios and factor files are small")
    };
    if m.len() > MAX_TOML_BYTES {
        return Err(too_big());
    }
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut bytes = Vec::with_capacity(m.len() as usize);
    // The limit holds even when the file grows while it is read.
    f.take(MAX_TOML_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Error::io(path, &e))?;
    if bytes.len() as u64 > MAX_TOML_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// The error for an input that is not a regular file (a FIFO, a device, a folder, a socket).
pub fn not_regular(path: &Path, m: &std::fs::Metadata) -> Error {
    let t = m.file_type();
    let mut what = if t.is_dir() { "a folder" } else { "a special file" };
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            what = "a FIFO (named pipe)";
        } else if t.is_char_device() || t.is_block_device() {
            what = "a device";
        } else if t.is_socket() {
            what = "a socket";
        }
    }
    Error::new(ErrorKind::Io, format!("{} is {what}, not a regular file", path.display()))
        .at(Location::file(path))
        .hint("name a regular file; copy what a pipe or device gives into one first")
}

/// A source file: its name and its text.
#[derive(Debug, Clone, Copy)]
pub struct Src<'a> {
    /// The file name as the user gave it.
    pub file: &'a Path,
    /// The whole text.
    pub text: &'a str,
}

impl<'a> Src<'a> {
    /// The location of a byte span.
    pub fn loc(&self, span: &Range<usize>) -> Location {
        let (line, col) = line_col(self.text, span.start);
        Location::at(self.file, line, Some(col))
    }
    /// Parse the text as a TOML document, or report the syntax error with its location.
    pub fn parse(&self) -> Result<Spanned<DeTable<'a>>, Diagnostics> {
        if self.text.trim().is_empty() {
            return Err(Error::new(ErrorKind::Empty, "file is empty")
                .at(Location::file(self.file))
                .hint("see factors/README.md or examples/ for the expected content")
                .into());
        }
        DeTable::parse(self.text).map_err(|e| {
            let loc = match e.span() {
                Some(s) => self.loc(&s),
                None => Location::file(self.file),
            };
            let msg = e.message().trim().replace('\n', " ");
            Error::new(ErrorKind::TomlSyntax, format!("invalid TOML: {msg}")).at(loc).into()
        })
    }
}

/// Reads one TOML table, remembering which keys were asked for so that unknown keys can be reported.
pub struct TableReader<'s, 't, 'i> {
    src: Src<'s>,
    table: &'t DeTable<'i>,
    span: Range<usize>,
    ctx: String,
    asked: Vec<&'static str>,
}

/// What kind of TOML value this is, for messages ("a string", "an array", ...).
pub fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'s, 't, 'i> TableReader<'s, 't, 'i> {
    /// Start reading `table` (found at `span`), named `ctx` in messages (e.g. `[set]`, `[[factor]] 3`).
    pub fn new(src: Src<'s>, table: &'t DeTable<'i>, span: Range<usize>, ctx: impl Into<String>) -> Self {
        TableReader { src, table, span, ctx: ctx.into(), asked: Vec::new() }
    }
    /// The source this table belongs to.
    pub fn src(&self) -> Src<'s> {
        self.src
    }
    /// The location of the table itself.
    pub fn loc(&self) -> Location {
        self.src.loc(&self.span)
    }
    /// The name of the table in messages.
    pub fn ctx(&self) -> &str {
        &self.ctx
    }
    fn get(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        if !self.asked.contains(&key) {
            self.asked.push(key);
        }
        self.table.get(key)
    }
    /// Mark a key as known without reading it.
    pub fn allow(&mut self, key: &'static str) {
        let _ = self.get(key);
    }
    /// Whether the key is present.
    pub fn has(&self, key: &str) -> bool {
        self.table.get(key).is_some()
    }
    fn missing(&self, key: &str, d: &mut Diagnostics) {
        d.push(
            Error::new(ErrorKind::MissingKey, format!("{} lacks required key '{key}'", self.ctx))
                .at(self.loc())
                .hint(format!("add {key} = ... to {}", self.ctx)),
        );
    }
    fn wrong(&self, key: &str, v: &Spanned<DeValue<'_>>, want: &str, d: &mut Diagnostics) {
        d.push(
            Error::new(
                ErrorKind::BadValue,
                format!("'{key}' in {} must be {want}, found {}", self.ctx, type_name(v.get_ref())),
            )
            .at(self.src.loc(&v.span())),
        );
    }
    /// An optional string value and its location.
    pub fn str_opt(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<(String, Location)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), self.src.loc(&v.span()))),
            _ => {
                self.wrong(key, v, "a string", d);
                None
            }
        }
    }
    /// A required string value and its location.
    pub fn str_req(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<(String, Location)> {
        if !self.has(key) {
            self.allow(key);
            self.missing(key, d);
            return None;
        }
        self.str_opt(key, d)
    }
    /// An optional decimal, which must be written as a string so that no digit passes through a float.
    pub fn decimal_opt(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<(Decimal, Location)> {
        let v = self.get(key)?;
        let loc = self.src.loc(&v.span());
        match v.get_ref() {
            DeValue::String(s) => match crate::number::parse(s) {
                Ok(x) => Some((x, loc)),
                Err(why) => {
                    d.push(
                        Error::new(
                            if why.is_range() { ErrorKind::Overflow } else { ErrorKind::BadNumber },
                            format!("'{key}' in {} is not a decimal number: \"{s}\": {why}", self.ctx),
                        )
                        .at(loc)
                        .hint("write digits with an optional sign and decimal point, e.g. \"0.5366\""),
                    );
                    None
                }
            },
            DeValue::Float(f) => {
                d.push(
                    Error::new(
                        ErrorKind::BadValue,
                        format!("'{key}' in {} is a TOML float ({}); decimals must be strings", self.ctx, f.as_str()),
                    )
                    .at(loc)
                    .hint(format!(
                        "write {key} = \"{}\" so no digit is lost through binary floating point",
                        f.as_str()
                    )),
                );
                None
            }
            DeValue::Integer(i) => {
                d.push(
                    Error::new(
                        ErrorKind::BadValue,
                        format!("'{key}' in {} is a TOML integer ({}); decimals must be strings", self.ctx, i.as_str()),
                    )
                    .at(loc)
                    .hint(format!("write {key} = \"{}\"", i.as_str())),
                );
                None
            }
            _ => {
                self.wrong(key, v, "a decimal string such as \"0.5366\"", d);
                None
            }
        }
    }
    /// A required decimal string.
    pub fn decimal_req(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<(Decimal, Location)> {
        if !self.has(key) {
            self.allow(key);
            self.missing(key, d);
            return None;
        }
        self.decimal_opt(key, d)
    }
    /// An optional integer.
    pub fn int_opt(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<(i64, Location)> {
        let v = self.get(key)?;
        let loc = self.src.loc(&v.span());
        match v.get_ref() {
            DeValue::Integer(i) => match i.as_str().replace('_', "").parse::<i64>() {
                Ok(x) => Some((x, loc)),
                Err(_) => {
                    self.wrong(key, v, "a decimal integer", d);
                    None
                }
            },
            _ => {
                self.wrong(key, v, "an integer", d);
                None
            }
        }
    }
    /// An optional boolean.
    pub fn bool_opt(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<bool> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong(key, v, "true or false", d);
                None
            }
        }
    }
    /// An optional array of strings (each with its location).
    pub fn str_array_opt(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<Vec<(String, Location)>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Array(a) => {
                let mut out = Vec::new();
                for item in a.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => out.push((s.to_string(), self.src.loc(&item.span()))),
                        _ => self.wrong(key, item, "a list of strings", d),
                    }
                }
                Some(out)
            }
            _ => {
                self.wrong(key, v, "a list of strings", d);
                None
            }
        }
    }
    /// The raw value of a key, for callers that accept several forms.
    pub fn raw(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.get(key)
    }
    /// An optional sub-table.
    pub fn table_opt(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<TableReader<'s, 't, 'i>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Table(t) => {
                // Inside an array of tables the path has no TOML spelling: `ncv of [[factor]] #2`.
                let ctx = if self.ctx.starts_with("[[") || self.ctx.contains(" of [[") {
                    format!("{key} of {}", self.ctx)
                } else {
                    format!("[{}{key}]", self.prefix())
                };
                Some(TableReader::new(self.src, t, v.span(), ctx))
            }
            _ => {
                self.wrong(key, v, "a table", d);
                None
            }
        }
    }
    fn prefix(&self) -> String {
        let c = self.ctx.trim_start_matches('[').trim_end_matches(']');
        if c.is_empty() || c == "top level" { String::new() } else { format!("{c}.") }
    }
    /// An optional array of tables (`[[key]]`), each reader named `[[key]] #n`.
    pub fn tables_opt(&mut self, key: &'static str, d: &mut Diagnostics) -> Vec<TableReader<'s, 't, 'i>> {
        let Some(v) = self.get(key) else { return Vec::new() };
        match v.get_ref() {
            DeValue::Array(a) => {
                let mut out = Vec::new();
                for (n, item) in a.iter().enumerate() {
                    match item.get_ref() {
                        DeValue::Table(t) => {
                            out.push(TableReader::new(self.src, t, item.span(), format!("[[{key}]] #{}", n + 1)))
                        }
                        _ => self.wrong(key, item, "a table", d),
                    }
                }
                out
            }
            _ => {
                self.wrong(key, v, "an array of tables ([[...]])", d);
                Vec::new()
            }
        }
    }
    /// Every key with its value, for free-form maps (e.g. `[factors.pick]`). Marks all keys as known.
    pub fn entries(&mut self) -> Vec<(String, Location, &'t Spanned<DeValue<'i>>)> {
        self.table.iter().map(|(k, v)| (k.get_ref().to_string(), self.src.loc(&k.span()), v)).collect()
    }
    /// Every entry whose value must be a string (free-form string maps).
    pub fn string_entries(&mut self, d: &mut Diagnostics) -> Vec<(String, String, Location)> {
        let mut out = Vec::new();
        for (k, loc, v) in self.entries() {
            match v.get_ref() {
                DeValue::String(s) => out.push((k, s.to_string(), loc)),
                _ => self.wrong(&k, v, "a string", d),
            }
        }
        out
    }
    /// Report every key that was not asked for. Call after reading all known keys.
    pub fn finish(self, d: &mut Diagnostics) {
        for (k, _) in self.table.iter() {
            let name = k.get_ref();
            if !self.asked.iter().any(|a| *a == name.as_ref()) {
                let mut known: Vec<&str> = self.asked.clone();
                known.sort_unstable();
                d.push(
                    Error::new(ErrorKind::UnknownKey, format!("unknown key '{name}' in {}", self.ctx))
                        .at(self.src.loc(&k.span()))
                        .hint(format!("known keys: {}", known.join(", "))),
                );
            }
        }
    }
}

/// Parse a decimal as written in a factor or inventory file, by the one grammar of [`crate::number`].
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    crate::number::parse(s).ok()
}
