//! Writing Loop Habit Tracker's CSV layout in a zip: `Habits.csv`, one folder per panel with its
//! `Checkmarks.csv` (a row per day from creation to today, newest first), and the aggregate
//! `Checkmarks.csv`. Files carry a fixed time, so one account always gives the same bytes.

use chrono::{Days, NaiveDate};
use ninepanels_app::your_data::PanelDays;
use ninepanels_domain::entry::Mark;
use std::collections::BTreeMap;
use std::io::Write;

fn value(mark: Mark) -> &'static str {
    match mark {
        Mark::Done => "YES_MANUAL",
        Mark::NotDone => "NO",
        Mark::Rest => "SKIP",
    }
}

fn csv_text(rows: impl IntoIterator<Item = Vec<String>>) -> std::io::Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(&row)?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A folder name for a panel: its position (from 001) and title, without path separators.
fn folder(position: usize, title: &str) -> String {
    let safe: String = title
        .chars()
        .map(|c| if matches!(c, '/' | '\\') { '_' } else { c })
        .collect();
    format!("{:03} {safe}", position + 1)
}

/// Each panel's day, newest first, as (date, mark).
fn dated(panel: &PanelDays) -> impl DoubleEndedIterator<Item = (NaiveDate, Mark)> + '_ {
    panel
        .marks
        .iter()
        .enumerate()
        .map(|(i, mark)| (panel.first + Days::new(i as u64), *mark))
}

/// The zip of `panels`.
pub fn write(panels: &[PanelDays]) -> std::io::Result<Vec<u8>> {
    let options =
        zip::write::SimpleFileOptions::default().last_modified_time(zip::DateTime::default());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut put = |path: String, text: String| -> std::io::Result<()> {
        zip.start_file(path, options)?;
        zip.write_all(text.as_bytes())
    };
    let header = [
        "Position",
        "Name",
        "Question",
        "Description",
        "NumRepetitions",
        "Interval",
        "Color",
    ];
    let habits = std::iter::once(header.map(str::to_owned).to_vec()).chain(
        panels.iter().enumerate().map(|(i, p)| {
            vec![
                format!("{:03}", i + 1),
                p.panel.title.clone(),
                String::new(),
                p.panel.description.clone().unwrap_or_default(),
                "1".to_owned(),
                "1".to_owned(),
                "#37474F".to_owned(),
            ]
        }),
    );
    put("Habits.csv".to_owned(), csv_text(habits)?)?;
    let mut by_date: BTreeMap<NaiveDate, Vec<&'static str>> = BTreeMap::new();
    for (i, panel) in panels.iter().enumerate() {
        let header = ["Date", "Value", "Notes"].map(str::to_owned).to_vec();
        let rows = dated(panel)
            .rev()
            .map(|(date, mark)| vec![date.to_string(), value(mark).to_owned(), String::new()]);
        let path = format!("{}/Checkmarks.csv", folder(i, &panel.panel.title));
        put(path, csv_text(std::iter::once(header).chain(rows))?)?;
        for (date, mark) in dated(panel) {
            by_date
                .entry(date)
                .or_insert_with(|| vec![""; panels.len()])[i] = value(mark);
        }
    }
    let header = std::iter::once("Date".to_owned())
        .chain(panels.iter().map(|p| p.panel.title.clone()))
        .collect();
    let rows = by_date.into_iter().rev().map(|(date, values)| {
        std::iter::once(date.to_string())
            .chain(values.into_iter().map(str::to_owned))
            .collect()
    });
    put(
        "Checkmarks.csv".to_owned(),
        csv_text(std::iter::once(header).chain(rows))?,
    )?;
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ninepanels_domain::panel::Panel;

    fn panel(id: i32, title: &str, first: NaiveDate, marks: Vec<Mark>) -> PanelDays {
        PanelDays {
            panel: Panel {
                id,
                created_at: first.and_hms_opt(9, 0, 0).unwrap().and_utc(),
                title: title.to_owned(),
                description: None,
                position: id - 1,
                user_id: 1,
            },
            first,
            marks,
        }
    }

    #[test]
    fn the_layout_is_loops_and_reads_back() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
        let panels = [
            panel(
                1,
                "Read, a lot",
                day(13),
                vec![Mark::Done, Mark::Rest, Mark::NotDone],
            ),
            panel(2, "A/B", day(15), vec![Mark::Done]),
        ];
        let bytes = write(&panels).unwrap();
        assert_eq!(
            bytes,
            write(&panels).unwrap(),
            "the same account, the same bytes"
        );
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |path: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(path).unwrap(), &mut text).unwrap();
            text
        };
        assert!(read("Habits.csv").contains("001,\"Read, a lot\",,,1,1,#37474F\n"));
        assert_eq!(
            read("001 Read, a lot/Checkmarks.csv"),
            "Date,Value,Notes\n2026-06-15,NO,\n2026-06-14,SKIP,\n2026-06-13,YES_MANUAL,\n"
        );
        assert_eq!(
            read("002 A_B/Checkmarks.csv"),
            "Date,Value,Notes\n2026-06-15,YES_MANUAL,\n"
        );
        assert_eq!(
            read("Checkmarks.csv"),
            "Date,\"Read, a lot\",A/B\n2026-06-15,NO,YES_MANUAL\n2026-06-14,SKIP,\n2026-06-13,YES_MANUAL,\n"
        );
    }
}
