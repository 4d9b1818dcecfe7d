//! `ninepanels check`: the configuration, the database, its migrations and the mailer, each
//! reported on a line of its own with a tick or the reason it fails; exit status 1 on any failure.

use ninepanels_domain::config::Config;
use std::process::ExitCode;

/// One line of the report.
fn report(ok: bool, what: &str, detail: &str) -> bool {
    println!("{} {what}: {detail}", if ok { "✓" } else { "✗" });
    ok
}

pub async fn run() -> ExitCode {
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        report(false, "configuration", &format!("cannot read .env: {e}"));
        return ExitCode::FAILURE;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            report(false, "configuration", &e.to_string());
            return ExitCode::FAILURE;
        }
    };
    report(
        true,
        "configuration",
        &format!("the {} environment", config.env),
    );
    for warning in &config.warnings {
        println!("! {warning}");
    }
    let database = check_database(&config).await;
    let mail = match ninepanels_events::mailers::check(&config.mail).await {
        Ok(reached) => report(true, "mailer", &reached),
        Err(e) => report(false, "mailer", e.reason()),
    };
    if database && mail {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The database answers, and every migration this server knows is applied (read only: nothing
/// is created or changed).
async fn check_database(config: &Config) -> bool {
    let url = config.database.url.redacted();
    let db = match ninepanels_persistence::connect(&config.database).await {
        Ok(db) => db,
        Err(e) => return report(false, "database", e.reason()),
    };
    if let Err(e) = db.ping().await {
        return report(false, "database", &format!("{url}: {e}"));
    }
    report(true, "database", &format!("{url} answers"));
    let ok = match ninepanels_persistence::migration_status(&db).await {
        Err(e) => report(false, "migrations", e.reason()),
        Ok(status) => {
            let known = status.known.len();
            let pending = status.pending();
            if !status.unknown.is_empty() {
                report(
                    false,
                    "migrations",
                    &format!(
                        "the database has {} migrations this server does not know ({}): it was migrated by a newer server; run that version",
                        status.unknown.len(),
                        status.unknown.join(", ")
                    ),
                )
            } else if pending == 0 {
                report(true, "migrations", &format!("all {known} applied"))
            } else {
                report(
                    false,
                    "migrations",
                    &format!(
                        "{pending} of {known} not applied: run `ninepanels-ops migrate up` (the \
                         server applies them itself outside MAIN and STAGING)"
                    ),
                )
            }
        }
    };
    db.close().await.ok();
    ok
}
