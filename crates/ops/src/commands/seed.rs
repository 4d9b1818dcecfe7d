//! `seed`: demo users, each with nine panels and a realistic history, all in the past (refused
//! on MAIN).

use crate::context::{Ops, OpsError};
use chrono::{Duration, NaiveTime, Utc};
use ninepanels_domain::panel::{NewPanel, PanelTitle};
use ninepanels_domain::ports::{PanelRepository, UserRepository};
use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone, UserName};
use ninepanels_persistence::entities::entries;
use ninepanels_persistence::time::to_db;
use ninepanels_persistence::{SqlPanels, SqlUsers};
use rand::{Rng, SeedableRng};
use sea_orm::{EntityTrait, Set};

pub const DEMO_PASSWORD: &str = "demo password";
const TITLES: [&str; 9] = [
    "Move",
    "Read",
    "Meditate",
    "Sleep by eleven",
    "Call someone",
    "Cook",
    "Write",
    "Walk outside",
    "Learn",
];

pub async fn run(ops: &Ops, users: u32, days: u32) -> Result<(), OpsError> {
    ops.refuse_on_main("seed")?;
    ops.require_current_schema().await?;
    let user_repo = SqlUsers::new(ops.db.clone());
    let panel_repo = SqlPanels::new(ops.db.clone());
    let hash = PasswordHash::new(ninepanels_domain::password::hash(DEMO_PASSWORD)?);
    let now = Utc::now();
    // Panels start at midnight (UTC) of the first day; no tap is later than now.
    let first_day = (now - Duration::days(i64::from(days.max(1)) - 1)).date_naive();
    let start = first_day.and_time(NaiveTime::MIN).and_utc();
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let mut written = (0, 0, 0);
    for n in 1..=users {
        let email = Email::parse(&format!("demo{n}@example.org")).map_err(OpsError::Domain)?;
        if user_repo.find_by_email(&email).await?.is_some() {
            println!("{email} exists already; skipped");
            continue;
        }
        let user = user_repo
            .create(
                NewUser {
                    email,
                    name: UserName::parse(&format!("Demo {n}"))?,
                    password_hash: hash.clone(),
                    time_zone: TimeZone::parse("Europe/London")?,
                    is_admin: false,
                },
                Box::new(|_| Vec::new()),
            )
            .await?;
        written.0 += 1;
        for title in TITLES {
            let panel = panel_repo
                .create(
                    user.id,
                    NewPanel {
                        title: PanelTitle::parse(title)?,
                        description: None,
                        position: None,
                    },
                    start,
                )
                .await?;
            written.1 += 1;
            let habit: f64 = rng.random_range(0.35..0.95);
            let mut rows: Vec<entries::ActiveModel> = Vec::new();
            for day in 0..i64::from(days) {
                let at =
                    start + Duration::days(day) + Duration::minutes(rng.random_range(360..1380));
                if rng.random_bool(habit) && at <= now {
                    rows.push(entries::ActiveModel {
                        is_complete: Set(Some(true)),
                        timestamp: Set(Some(to_db(at))),
                        panel_id: Set(Some(panel.id)),
                        ..Default::default()
                    });
                }
            }
            written.2 += rows.len();
            for chunk in rows.chunks(1000) {
                entries::Entity::insert_many(chunk.to_vec())
                    .exec(&ops.db)
                    .await
                    .map_err(|e| OpsError::Usage(format!("writing entries: {e}")))?;
            }
        }
    }
    let summary = format!(
        "users {}, panels {}, entries {} (password: {DEMO_PASSWORD})",
        written.0, written.1, written.2
    );
    ops.log("seed", &summary).await?;
    println!("seeded: {summary}");
    Ok(())
}
