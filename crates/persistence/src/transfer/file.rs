//! The export file: a header line, one record per line, and an end line that carries the count
//! of each table and a SHA-256 of every line before it, so that a file cut short, emptied or
//! edited is refused before anything is written.

use super::{Counts, Record};
use ninepanels_domain::panel::PanelTitle;
use ninepanels_domain::user::{Email, TimeZone};
use ninepanels_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};

/// The first line of every export.
pub const HEADER: &str = r#"{"format":"ninepanels-export","version":1}"#;

/// The `format` of the end line.
const END_FORMAT: &str = "ninepanels-export-end";

/// The last line of an export.
#[derive(Debug, Serialize, Deserialize)]
struct EndLine {
    format: String,
    counts: Counts,
    sha256: String,
}

/// Whether a file must end with the end line. Exports made before it existed have none; they
/// are read only when the operator says so (`--no-trailer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndLineRule {
    Required,
    Optional,
}

/// The digest of the lines written or read so far, each with its newline.
#[derive(Default)]
struct Lines(Sha256);

impl Lines {
    fn add(&mut self, line: &str) {
        self.0.update(line.as_bytes());
        self.0.update(b"\n");
    }

    fn hex(&self) -> String {
        hex::encode(self.0.clone().finalize())
    }
}

/// Writes the header, one line per record and the end line.
pub fn write(records: &[Record], out: &mut impl Write) -> Result<Counts> {
    let io = |e: std::io::Error| Error::internal(format!("writing the export: {e}"));
    let mut digest = Lines::default();
    let mut put = |line: &str, out: &mut dyn Write| {
        digest.add(line);
        writeln!(out, "{line}").map_err(io)
    };
    put(HEADER, out)?;
    for record in records {
        let line = serde_json::to_string(record)
            .map_err(|e| Error::internal(format!("serialising a row: {e}")))?;
        put(&line, out)?;
    }
    let end = EndLine {
        format: END_FORMAT.to_owned(),
        counts: Counts::of(records),
        sha256: digest.hex(),
    };
    let line = serde_json::to_string(&end).map_err(|e| Error::internal(e.to_string()))?;
    writeln!(out, "{line}").map_err(io)?;
    out.flush().map_err(io)?;
    Ok(end.counts)
}

/// Checks the contents of a record through the domain's constructors.
fn check_fields(record: &Record) -> Result<()> {
    match record {
        Record::Users(u) => {
            Email::parse(u.email.as_deref().unwrap_or_default())?;
            if let Some(zone) = &u.time_zone {
                TimeZone::parse(zone)?;
            }
        }
        Record::Panels(p) => {
            PanelTitle::parse(p.title.as_deref().unwrap_or_default())?;
        }
        _ => {}
    }
    Ok(())
}

fn at_line(number: usize, problem: impl std::fmt::Display) -> Error {
    Error::invalid(format!("line {number}: {problem}; nothing was imported"))
}

/// Reads an export whole, refusing it at the first bad line (named by its number): a line
/// that is not a record, a field a person could not have entered, or an end line that does
/// not match what came before it (a file cut short, or changed).
pub fn parse(input: impl BufRead, rule: EndLineRule) -> Result<Vec<Record>> {
    let mut lines = input.lines().enumerate().map(|(i, line)| (i + 1, line));
    let mut digest = Lines::default();
    match lines.next() {
        Some((_, Ok(first))) if first.trim() == HEADER => digest.add(&first),
        _ => {
            return Err(at_line(
                1,
                format!("not a Nine Panels export (expected {HEADER})"),
            ));
        }
    }
    let mut records = Vec::new();
    let mut end: Option<(usize, EndLine)> = None;
    for (number, line) in lines {
        let line = line.map_err(|e| at_line(number, format!("cannot be read: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        if let Some((end_at, _)) = &end {
            return Err(at_line(
                number,
                format!("comes after the end line (line {end_at})"),
            ));
        }
        if line.contains(END_FORMAT) {
            let parsed = serde_json::from_str(&line).map_err(|e| at_line(number, e))?;
            end = Some((number, parsed));
            continue;
        }
        let record = serde_json::from_str(&line).map_err(|e| at_line(number, e))?;
        check_fields(&record).map_err(|e| at_line(number, e.detail))?;
        digest.add(&line);
        records.push(record);
    }
    match end {
        Some((number, end)) => {
            let counts = Counts::of(&records);
            if end.counts != counts {
                return Err(at_line(
                    number,
                    format!(
                        "the end line counts {} but the file holds {counts}: it is incomplete",
                        end.counts
                    ),
                ));
            }
            if end.sha256 != digest.hex() {
                return Err(at_line(
                    number,
                    "the checksum does not match the lines before it: the file was changed",
                ));
            }
        }
        None if rule == EndLineRule::Required => {
            return Err(Error::invalid(
                "the file has no end line: it was cut short, or is an export from before end \
                 lines (import such an older export you trust with --no-trailer); nothing was imported",
            ));
        }
        None => {}
    }
    Ok(records)
}
