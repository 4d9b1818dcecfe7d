//! An import, planned in full before anything is written: the habits taken (`only`), panels
//! matched by title or made, days the account already has left alone (merge), creation days
//! moved back to the earliest imported day, and nine panels at most.

use super::YourData;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use ninepanels_domain::days::{day_spans, day_start, local_date};
use ninepanels_domain::entry::{DaySpan, Mark};
use ninepanels_domain::events::{DataImported, MustDeliver};
use ninepanels_domain::import::{
    ImportMode, ImportPlan, ImportReport, ImportedPanel, PanelToCreate, PanelToExtend, When,
};
use ninepanels_domain::panel::{MAX_PANELS, Panel};
use ninepanels_domain::user::{TimeZone, User};
use ninepanels_domain::{Error, Result};
use std::collections::{BTreeMap, HashSet};

/// A panel's imported entries by local day, oldest day first.
type ByDay = BTreeMap<NaiveDate, Vec<(DateTime<Utc>, Mark)>>;

/// The first day an import may hold.
const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();

/// The panel's entries by local day. A Loop day is stamped at local noon, or now when today's
/// noon is still to come (a later stamp would outrank the taps made before it). Nothing may lie
/// after now, or before 1970.
fn by_day(panel: &ImportedPanel, zone: TimeZone, now: DateTime<Utc>) -> Result<ByDay> {
    let refuse = |what: String| {
        Error::invalid(format!(
            "file: \"{}\" has {what}; nothing was imported",
            panel.title.as_str()
        ))
    };
    let mut days = ByDay::new();
    for entry in &panel.entries {
        let (at, day) = match entry.when {
            When::At(at) if at > now => return Err(refuse(format!("an entry after now ({at})"))),
            When::At(at) => (at, local_date(at, zone)),
            When::Day(day) => (
                (day_start(day, zone) + noon_offset(day, zone)).min(now),
                day,
            ),
        };
        if day < FIRST_DAY {
            return Err(refuse(format!("a day before 1970 ({day})")));
        }
        if day > local_date(now, zone) {
            return Err(refuse(format!("a day after today ({day})")));
        }
        days.entry(day).or_default().push((at, entry.mark));
    }
    Ok(days)
}

/// From a day's first instant to its noon (a day that starts late keeps noon local).
fn noon_offset(day: NaiveDate, zone: TimeZone) -> Duration {
    use chrono::TimeZone as _;
    let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default();
    match zone.tz().from_local_datetime(&noon).earliest() {
        Some(at) => at.with_timezone(&Utc) - day_start(day, zone),
        None => Duration::hours(12),
    }
}

fn flatten(days: ByDay) -> Vec<(DateTime<Utc>, Mark)> {
    days.into_values().flatten().collect()
}

fn key(title: &str) -> String {
    title.to_lowercase()
}

/// The habits `only` names, each of which must be in the file; all of them without it.
fn taken(panels: Vec<ImportedPanel>, only: Option<&[String]>) -> Result<Vec<ImportedPanel>> {
    let Some(only) = only else {
        return Ok(panels);
    };
    let in_file: HashSet<String> = panels.iter().map(|p| key(p.title.as_str())).collect();
    if let Some(missing) = only.iter().find(|name| !in_file.contains(&key(name))) {
        return Err(Error::invalid(format!(
            "only: the file has no habit named \"{missing}\"; nothing was imported"
        )));
    }
    let wanted: HashSet<String> = only.iter().map(|name| key(name)).collect();
    Ok(panels
        .into_iter()
        .filter(|p| wanted.contains(&key(p.title.as_str())))
        .collect())
}

impl YourData {
    /// Checks the whole import, then writes it in one transaction with its receipt.
    pub async fn import(
        &self,
        user: &User,
        panels: Vec<ImportedPanel>,
        mode: ImportMode,
        only: Option<&[String]>,
    ) -> Result<ImportReport> {
        let in_file = panels.len();
        let panels = taken(panels, only)?;
        let mut titles = HashSet::new();
        if let Some(twice) = panels
            .iter()
            .find(|p| !titles.insert(key(p.title.as_str())))
        {
            return Err(Error::invalid(format!(
                "file: two habits are named \"{}\"; take one with only; nothing was imported",
                twice.title.as_str()
            )));
        }
        let zone = self.calendar.zone(user, None)?;
        let kept = match mode {
            ImportMode::Merge => self.panels.list(user.id).await?,
            ImportMode::Replace => Vec::new(),
        };
        let matched = |p: &ImportedPanel| {
            kept.iter()
                .find(|k| key(&k.title) == key(p.title.as_str()))
                .cloned()
        };
        let made = panels.iter().filter(|p| matched(p).is_none()).count();
        if kept.len() + made > MAX_PANELS {
            let why = if only.is_none() && in_file > MAX_PANELS {
                format!("the file holds {in_file} habits")
            } else {
                format!("the import would leave you {} panels", kept.len() + made)
            };
            return Err(Error::invalid(format!(
                "{why}, and nine is the most: name the habits to take with only; nothing was \
                 imported"
            )));
        }
        let now = self.clock.now();
        let mut report = ImportReport::default();
        let mut plan = ImportPlan {
            replace: mode == ImportMode::Replace,
            create: Vec::new(),
            extend: Vec::new(),
        };
        for panel in panels {
            let mut days = by_day(&panel, zone, now)?;
            let first_day = |days: &ByDay| days.keys().next().map(|day| day_start(*day, zone));
            match matched(&panel) {
                Some(existing) => {
                    let had = self.days_with_entries(&existing, &days, zone).await?;
                    report.days_skipped_existing += had.len() as u32;
                    days.retain(|day, _| !had.contains(day));
                    report.panels_matched += 1;
                    report.days_imported += days.len() as u32;
                    plan.extend.push(PanelToExtend {
                        panel_id: existing.id,
                        created_at: first_day(&days).filter(|at| *at < existing.created_at),
                        entries: flatten(days),
                    });
                }
                None => {
                    // Our export keeps its panel's start (or its earliest entry's instant, when
                    // earlier); a Loop habit starts at its earliest day.
                    let earliest = days.values().flatten().map(|(at, _)| *at).min();
                    let created_at = match panel.created_at {
                        Some(at) => [Some(at), earliest, Some(now)].into_iter().flatten().min(),
                        None => first_day(&days),
                    }
                    .unwrap_or(now)
                    .min(now);
                    report.panels_created += 1;
                    report.days_imported += days.len() as u32;
                    plan.create.push(PanelToCreate {
                        title: panel.title,
                        description: panel.description,
                        created_at,
                        entries: flatten(days),
                    });
                }
            }
        }
        let imported = MustDeliver::from(DataImported {
            user_id: user.id,
            email: user.email.as_str().to_owned(),
            mode: mode.name().to_owned(),
            panels_created: report.panels_created,
            panels_matched: report.panels_matched,
            days_imported: report.days_imported,
            days_skipped_existing: report.days_skipped_existing,
        });
        let receipt = self.events.draft(&imported, now);
        self.panels.import(user.id, plan, vec![receipt]).await?;
        self.events.outbox_written();
        Ok(report)
    }

    /// Which of the imported days the panel already has an entry on: one index read per day.
    async fn days_with_entries(
        &self,
        panel: &Panel,
        days: &ByDay,
        zone: TimeZone,
    ) -> Result<HashSet<NaiveDate>> {
        let spans: Vec<(NaiveDate, DaySpan)> = days
            .keys()
            .filter_map(|day| day_spans(panel.id, *day, zone).next())
            .collect();
        let (dates, spans): (Vec<NaiveDate>, Vec<DaySpan>) = spans.into_iter().unzip();
        let latest = self.entries.latest_in_spans(&spans).await?;
        Ok(dates
            .into_iter()
            .zip(latest)
            .filter_map(|(day, latest)| latest.map(|_| day))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use ninepanels_domain::import::ImportedEntry;
    use ninepanels_domain::panel::PanelTitle;

    fn panel(entries: Vec<ImportedEntry>) -> ImportedPanel {
        ImportedPanel {
            title: PanelTitle::parse("Read").unwrap(),
            description: None,
            created_at: None,
            entries,
        }
    }

    fn day(d: NaiveDate) -> ImportedEntry {
        ImportedEntry {
            when: When::Day(d),
            mark: Mark::Done,
        }
    }

    #[test]
    fn loop_days_are_stamped_at_local_noon_but_never_after_now() {
        let london = TimeZone::parse("Europe/London").unwrap();
        // 08:00 in London (BST) on 15 June.
        let now = Utc.with_ymd_and_hms(2026, 6, 15, 7, 0, 0).unwrap();
        let (yesterday, today) = (
            NaiveDate::from_ymd_opt(2026, 6, 14).unwrap(),
            NaiveDate::from_ymd_opt(2026, 6, 15).unwrap(),
        );
        let days = by_day(&panel(vec![day(yesterday), day(today)]), london, now).unwrap();
        let noon = Utc.with_ymd_and_hms(2026, 6, 14, 11, 0, 0).unwrap();
        assert_eq!(days[&yesterday], [(noon, Mark::Done)]);
        assert_eq!(
            days[&today],
            [(now, Mark::Done)],
            "today's noon is still to come"
        );
        let tomorrow = NaiveDate::from_ymd_opt(2026, 6, 16).unwrap();
        let late = by_day(&panel(vec![day(tomorrow)]), london, now).unwrap_err();
        assert!(
            late.detail.contains("a day after today (2026-06-16)"),
            "{}",
            late.detail
        );
        let ancient = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        let early = by_day(&panel(vec![day(ancient)]), london, now).unwrap_err();
        assert!(
            early.detail.contains("a day before 1970"),
            "{}",
            early.detail
        );
        let future = ImportedEntry {
            when: When::At(now + Duration::minutes(1)),
            mark: Mark::Done,
        };
        let after = by_day(&panel(vec![future]), london, now).unwrap_err();
        assert!(
            after.detail.contains("an entry after now"),
            "{}",
            after.detail
        );
    }
}
