//! The export file: a header line, one record per line (parents before children), and an end
//! line that carries the count of each table and a SHA-256 of every line before it, so that a
//! file cut short, emptied or edited is refused before anything is written. Both directions
//! stream: a line at a time, whatever the size of the file.

use super::{Counts, Record};
use ninepanels_domain::panel::PanelTitle;
use ninepanels_domain::user::{Email, TimeZone};
use ninepanels_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Lines, Write};
use std::iter::Enumerate;

/// The first line of every export.
pub const HEADER: &str = r#"{"format":"ninepanels-export","version":1}"#;

/// The `format` of the end line.
const END_FORMAT: &str = "ninepanels-export-end";

/// How the end line begins (a record begins with `{"table":`, whatever its text holds).
const END_LINE_START: &str = r#"{"format":"ninepanels-export-end""#;

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
struct Lines256(Sha256);

impl Lines256 {
    fn add(&mut self, line: &str) {
        self.0.update(line.as_bytes());
        self.0.update(b"\n");
    }

    fn hex(&self) -> String {
        hex::encode(self.0.clone().finalize())
    }
}

/// Writes an export a record at a time: the header when made, the end line at `finish`.
pub struct Writer<W: Write> {
    out: W,
    digest: Lines256,
    counts: Counts,
}

impl<W: Write> std::fmt::Debug for Writer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("counts", &self.counts)
            .finish()
    }
}

fn writing(e: std::io::Error) -> Error {
    Error::internal(format!("writing the export: {e}"))
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Result<Self> {
        let mut writer = Self {
            out,
            digest: Lines256::default(),
            counts: Counts::default(),
        };
        writer.line(HEADER)?;
        Ok(writer)
    }

    fn line(&mut self, line: &str) -> Result<()> {
        self.digest.add(line);
        writeln!(self.out, "{line}").map_err(writing)
    }

    pub fn record(&mut self, record: &Record) -> Result<()> {
        let line = serde_json::to_string(record)
            .map_err(|e| Error::internal(format!("serialising a row: {e}")))?;
        self.line(&line)?;
        self.counts.add(record);
        Ok(())
    }

    /// Writes the end line and flushes; answers the rows written per table.
    pub fn finish(mut self) -> Result<Counts> {
        let end = EndLine {
            format: END_FORMAT.to_owned(),
            counts: self.counts,
            sha256: self.digest.hex(),
        };
        let line = serde_json::to_string(&end).map_err(|e| Error::internal(e.to_string()))?;
        writeln!(self.out, "{line}").map_err(writing)?;
        self.out.flush().map_err(writing)?;
        Ok(self.counts)
    }
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

/// Reads an export a record at a time, refusing it at the first bad line (named by its
/// number): a line that is not a record, a field a person could not have entered, a child
/// before its parents' table, or, as its last item, an end line that does not match what came
/// before it (a file cut short, or changed). After an error it yields nothing more.
pub struct Reader<R: BufRead> {
    lines: Enumerate<Lines<R>>,
    rule: EndLineRule,
    digest: Lines256,
    counts: Counts,
    end: Option<(usize, EndLine)>,
    table: usize,
    done: bool,
}

impl<R: BufRead> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("counts", &self.counts)
            .finish()
    }
}

impl<R: BufRead> Reader<R> {
    /// Reads the header line.
    pub fn new(input: R, rule: EndLineRule) -> Result<Self> {
        let mut lines = input.lines().enumerate();
        let mut digest = Lines256::default();
        match lines.next() {
            Some((_, Ok(first))) if first.trim() == HEADER => digest.add(&first),
            _ => {
                return Err(at_line(
                    1,
                    format!("not a Nine Panels export (expected {HEADER})"),
                ));
            }
        }
        Ok(Self {
            lines,
            rule,
            digest,
            counts: Counts::default(),
            end: None,
            table: 0,
            done: false,
        })
    }

    fn line(&mut self, number: usize, line: &str) -> Result<Option<Record>> {
        if let Some((end_at, _)) = &self.end {
            return Err(at_line(
                number,
                format!("comes after the end line (line {end_at})"),
            ));
        }
        if line.trim_start().starts_with(END_LINE_START) {
            let parsed = serde_json::from_str(line).map_err(|e| at_line(number, e))?;
            self.end = Some((number, parsed));
            return Ok(None);
        }
        let record: Record = serde_json::from_str(line).map_err(|e| at_line(number, e))?;
        check_fields(&record).map_err(|e| at_line(number, e.detail))?;
        let (table, _) = record.key();
        if table < self.table {
            return Err(at_line(
                number,
                format!(
                    "a {} row after {} rows: rows come parents first, table by table, as an \
                     export writes them",
                    super::TABLES[table],
                    super::TABLES[self.table]
                ),
            ));
        }
        self.table = table;
        self.digest.add(line);
        self.counts.add(&record);
        Ok(Some(record))
    }

    fn end_line(&self) -> Result<()> {
        match &self.end {
            Some((number, end)) => {
                if end.counts != self.counts {
                    return Err(at_line(
                        *number,
                        format!(
                            "the end line counts {} but the file holds {}: it is incomplete",
                            end.counts, self.counts
                        ),
                    ));
                }
                if end.sha256 != self.digest.hex() {
                    return Err(at_line(
                        *number,
                        "the checksum does not match the lines before it: the file was changed",
                    ));
                }
                Ok(())
            }
            None if self.rule == EndLineRule::Required => Err(Error::invalid(
                "the file has no end line: it was cut short, or is an export from before end \
                 lines (import such an older export you trust with --no-trailer); nothing was \
                 imported",
            )),
            None => Ok(()),
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        while let Some((index, line)) = self.lines.next() {
            let number = index + 1;
            let outcome = match line {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => self.line(number, &line),
                Err(e) => Err(at_line(number, format!("cannot be read: {e}"))),
            };
            match outcome {
                Ok(None) => continue,
                Ok(Some(record)) => return Some(Ok(record)),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        self.done = true;
        self.end_line().err().map(Err)
    }
}

/// Reads a whole export into memory (see [`Reader`]).
pub fn parse(input: impl BufRead, rule: EndLineRule) -> Result<Vec<Record>> {
    Reader::new(input, rule)?.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{panels, users};

    fn user(id: i32) -> Record {
        Record::Users(users::Model {
            id,
            email: Some(format!("u{id}@example.org")),
            name: Some("U".to_owned()),
            hashed_password: Some("x".to_owned()),
            is_admin: Some(false),
            last_login: None,
            last_activity: None,
            time_zone: Some("UTC".to_owned()),
            tokens_valid_after: None,
        })
    }

    fn panel(id: i32) -> Record {
        Record::Panels(panels::Model {
            id,
            created_at: None,
            title: Some("Read".to_owned()),
            description: None,
            position: Some(0),
            user_id: Some(1),
        })
    }

    fn written(records: &[Record]) -> String {
        let mut out = Vec::new();
        let mut writer = Writer::new(&mut out).unwrap();
        for record in records {
            writer.record(record).unwrap();
        }
        writer.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn what_is_written_reads_back() {
        let records = vec![user(1), user(2), panel(1)];
        let text = written(&records);
        assert_eq!(text.lines().count(), 5);
        assert_eq!(
            parse(text.as_bytes(), EndLineRule::Required).unwrap(),
            records
        );
    }

    #[test]
    fn a_parent_after_its_children_is_refused_at_its_line() {
        let text = written(&[user(1), panel(1)]);
        let mut lines: Vec<&str> = text.lines().collect();
        lines.swap(1, 2);
        let error = parse(lines.join("\n").as_bytes(), EndLineRule::Optional).unwrap_err();
        assert!(
            error
                .detail
                .starts_with("line 3: a users row after panels rows"),
            "{}",
            error.detail
        );
    }

    #[test]
    fn a_reader_stops_after_its_first_error() {
        let text = format!(
            "{HEADER}\nnot json\n{}\n",
            serde_json::to_string(&user(1)).unwrap()
        );
        let mut reader = Reader::new(text.as_bytes(), EndLineRule::Optional).unwrap();
        assert!(reader.next().unwrap().is_err());
        assert!(reader.next().is_none());
    }

    #[test]
    fn an_entry_from_before_rest_days_is_not_one() {
        let line = r#"{"table":"entries","row":{"id":1,"is_complete":true,"timestamp":"2026-01-01T08:00:00","panel_id":1}}"#;
        let Record::Entries(entry) = serde_json::from_str(line).unwrap() else {
            panic!("not an entry");
        };
        assert_eq!((entry.is_complete, entry.is_skip), (Some(true), false));
    }

    #[test]
    fn a_name_that_reads_like_the_end_line_is_only_a_name() {
        let Record::Panels(mut panel) = panel(1) else {
            unreachable!()
        };
        panel.title = Some("ninepanels-export-end".to_owned());
        let records = vec![user(1), Record::Panels(panel)];
        let text = written(&records);
        assert_eq!(
            parse(text.as_bytes(), EndLineRule::Required).unwrap(),
            records
        );
    }
}
