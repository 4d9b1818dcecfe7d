//! Reading an uploaded file into panels: our own export (JSON) or a Loop Habit Tracker export
//! (a zip of CSV files), every field checked through the domain's constructors. A refusal names
//! the file, the line and the problem.

use crate::export_file::{ExportFile, FORMAT, VERSION};
use chrono::NaiveDate;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::import::{ImportedEntry, ImportedPanel, When};
use ninepanels_domain::panel::{PanelDescription, PanelTitle};
use ninepanels_domain::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

/// The most a zip may unpack to, all files together: a small upload cannot become gigabytes
/// in memory.
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;

/// The most habits a Loop export may list (`only` then picks at most nine of them).
const MAX_HABITS: usize = 1000;

fn refused(what: impl std::fmt::Display) -> Error {
    Error::invalid(format!("{what}; nothing was imported"))
}

/// The panels of an uploaded file named `name`.
pub fn read(name: &str, bytes: &[u8]) -> Result<Vec<ImportedPanel>> {
    if bytes.starts_with(b"PK\x03\x04") {
        return read_loop(name, bytes);
    }
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return read_export(name, bytes);
    }
    Err(refused(format!(
        "{name}: neither a Nine Panels export (JSON) nor a Loop Habit Tracker export (zip)"
    )))
}

fn read_export(name: &str, bytes: &[u8]) -> Result<Vec<ImportedPanel>> {
    let file: ExportFile =
        serde_json::from_slice(bytes).map_err(|e| refused(format!("{name}: {e}")))?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(refused(format!(
            "{name}: a {} export of version {}, where this server reads {FORMAT} version {VERSION}",
            file.format, file.version
        )));
    }
    file.panels
        .into_iter()
        .enumerate()
        .map(|(i, panel)| {
            let at = |e: Error| refused(format!("{name}, panel {}: {}", i + 1, e.detail));
            let entries = panel
                .entries
                .iter()
                .map(|e| {
                    let mark = Mark::tapped(e.is_complete, e.is_skip).map_err(at)?;
                    Ok(ImportedEntry {
                        when: When::At(e.timestamp),
                        mark,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(ImportedPanel {
                title: PanelTitle::parse(&panel.title).map_err(at)?,
                description: match &panel.description {
                    Some(text) => PanelDescription::parse(text).map_err(at)?,
                    None => None,
                },
                created_at: Some(panel.created_at),
                entries,
            })
        })
        .collect()
}

/// The zip's files, unpacked as text within one budget for all of them.
struct Unpacker<'a> {
    name: &'a str,
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    left: u64,
}

impl Unpacker<'_> {
    fn unpack(&mut self, path: &str) -> Result<String> {
        let mut text = String::new();
        self.archive
            .by_name(path)
            .map_err(|e| refused(format!("{path}: {e}")))?
            .take(self.left + 1)
            .read_to_string(&mut text)
            .map_err(|e| refused(format!("{path}: cannot be read as text: {e}")))?;
        let read = text.len() as u64;
        if read > self.left {
            return Err(refused(format!(
                "{}: unpacks to more than {} MB",
                self.name,
                MAX_UNPACKED_BYTES / (1024 * 1024)
            )));
        }
        self.left -= read;
        Ok(text)
    }
}

/// A Loop checkmark value: a day's mark, or `None` for a day Loop knows nothing of.
fn loop_mark(value: &str) -> Option<Option<Mark>> {
    match value.trim() {
        "YES_MANUAL" | "YES_AUTO" | "2" | "1" => Some(Some(Mark::Done)),
        "NO" | "0" => Some(Some(Mark::NotDone)),
        "SKIP" | "3" => Some(Some(Mark::Rest)),
        "UNKNOWN" | "-1" | "" => Some(None),
        _ => None,
    }
}

fn read_loop(name: &str, bytes: &[u8]) -> Result<Vec<ImportedPanel>> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| refused(format!("{name}: not a zip that can be read ({e})")))?;
    let paths: Vec<String> = archive.file_names().map(str::to_owned).collect();
    let mut files = Unpacker {
        name,
        archive,
        left: MAX_UNPACKED_BYTES,
    };
    if !paths.iter().any(|p| p == "Habits.csv") {
        return Err(refused(format!(
            "{name}: a Loop Habit Tracker export holds Habits.csv, and this zip has none"
        )));
    }
    let habits = files.unpack("Habits.csv")?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(habits.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| refused(format!("Habits.csv, line 1: {e}")))?
        .clone();
    let column = |wanted: &str| headers.iter().position(|h| h.trim() == wanted);
    let (Some(position), Some(title)) = (column("Position"), column("Name")) else {
        return Err(refused(
            "Habits.csv, line 1: the header has no Position or no Name column",
        ));
    };
    let description = column("Description").or_else(|| column("Question"));
    // Each habit folder's `Checkmarks.csv` (the folder is `<position> <name>`), found by every
    // prefix of its path that ends at a space, the first in the zip winning: one pass over the
    // zip's names, not one per habit.
    let mut checkmarks_at: HashMap<&str, &str> = HashMap::new();
    for path in paths
        .iter()
        .filter(|p| p.ends_with("/Checkmarks.csv") && p.matches('/').count() == 1)
    {
        for (space, _) in path.match_indices(' ') {
            checkmarks_at.entry(&path[..=space]).or_insert(path);
        }
    }
    let mut panels = Vec::new();
    let mut read = HashSet::new();
    for row in reader.records() {
        let row = row.map_err(|e| refused(format!("Habits.csv: {e}")))?;
        let line = row.position().map_or(0, |p| p.line());
        if panels.len() == MAX_HABITS {
            return Err(refused(format!(
                "Habits.csv, line {line}: more than {MAX_HABITS} habits"
            )));
        }
        let at = |e: Error| refused(format!("Habits.csv, line {line}: {}", e.detail));
        let field = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or_default();
        let habit_title = PanelTitle::parse(field(Some(title))).map_err(at)?;
        let habit_description = PanelDescription::parse(field(description)).map_err(at)?;
        let folder = format!("{} ", field(Some(position)).trim());
        let entries = match checkmarks_at.get(folder.as_str()).copied() {
            Some(path) if !read.insert(path) => {
                return Err(refused(format!(
                    "Habits.csv, line {line}: a second habit at position {}",
                    folder.trim()
                )));
            }
            Some(path) => read_checkmarks(path, &files.unpack(path)?)?,
            None => Vec::new(),
        };
        panels.push(ImportedPanel {
            title: habit_title,
            description: habit_description,
            created_at: None,
            entries,
        });
    }
    Ok(panels)
}

/// `Date,Value[,Notes]` rows (a header line is allowed), one day each.
fn read_checkmarks(path: &str, text: &str) -> Result<Vec<ImportedEntry>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut entries = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| refused(format!("{path}: {e}")))?;
        let line = row.position().map_or(0, |p| p.line());
        let (date, value) = (
            row.get(0).unwrap_or_default(),
            row.get(1).unwrap_or_default(),
        );
        if line == 1 && date.trim() == "Date" {
            continue;
        }
        let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
            refused(format!(
                "{path}, line {line}: \"{date}\" is not a date as YYYY-MM-DD"
            ))
        })?;
        let mark = loop_mark(value).ok_or_else(|| {
            refused(format!(
                "{path}, line {line}: \"{value}\" is not YES_MANUAL, YES_AUTO, NO, SKIP or UNKNOWN"
            ))
        })?;
        if let Some(mark) = mark {
            entries.push(ImportedEntry {
                when: When::Day(day),
                mark,
            });
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_values_old_and_new_read_as_marks() {
        for (value, mark) in [
            ("YES_MANUAL", Some(Mark::Done)),
            ("YES_AUTO", Some(Mark::Done)),
            ("2", Some(Mark::Done)),
            ("1", Some(Mark::Done)),
            ("NO", Some(Mark::NotDone)),
            ("0", Some(Mark::NotDone)),
            ("SKIP", Some(Mark::Rest)),
            ("3", Some(Mark::Rest)),
            ("UNKNOWN", None),
        ] {
            assert_eq!(loop_mark(value), Some(mark), "{value}");
        }
        assert_eq!(loop_mark("MAYBE"), None);
    }

    #[test]
    fn checkmarks_name_the_file_and_line_of_a_bad_row() {
        let text = "Date,Value,Notes\n2026-01-01,YES_MANUAL,\n2026-13-01,NO,\n";
        let error = read_checkmarks("001 Read/Checkmarks.csv", text).unwrap_err();
        assert_eq!(
            error.detail,
            "001 Read/Checkmarks.csv, line 3: \"2026-13-01\" is not a date as YYYY-MM-DD; nothing was imported"
        );
        let days =
            read_checkmarks("x", "2026-01-01,2\n2026-01-02,3\n2026-01-03,UNKNOWN\n").unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].mark, Mark::Rest);
    }

    #[test]
    fn anything_else_is_refused_by_name() {
        let error = read("notes.txt", b"hello").unwrap_err();
        assert!(
            error.detail.starts_with("notes.txt: neither"),
            "{}",
            error.detail
        );
    }
}
