//! `user list|create-admin|promote|demote|send-reset|delete`. Resets and deletions go through
//! the same use cases as the API, so the mail and the audit record are written to the outbox in
//! the same transaction as the change.

use crate::commands::background::deliver_now;
use crate::commands::backup::recent_backup_exists;
use crate::context::{Ops, OpsError};
use ninepanels_domain::config::Environment;
use ninepanels_domain::ports::UserRepository;
use ninepanels_domain::user::{
    Email, NewUser, Password, PasswordHash, User, UserChanges, UserName,
};
use ninepanels_persistence::{SqlUsers, admin};

pub async fn list(ops: &Ops) -> Result<(), OpsError> {
    let users = admin::user_summaries(&ops.db, None).await?;
    println!(
        "{:>6}  {:<32} {:<20} {:<5} {:>6} {:>8}  last sign-in",
        "id", "email", "name", "admin", "panels", "entries"
    );
    for u in &users {
        println!(
            "{:>6}  {:<32} {:<20} {:<5} {:>6} {:>8}  {}",
            u.id,
            u.email,
            u.name.chars().take(20).collect::<String>(),
            if u.is_admin { "yes" } else { "" },
            u.panels,
            u.entries,
            u.last_login.as_deref().unwrap_or("never")
        );
    }
    println!("users: {}", users.len());
    Ok(())
}

/// The user with this email, or an operator's sentence saying there is none.
async fn find(ops: &Ops, email: &str) -> Result<User, OpsError> {
    ops.require_current_schema().await?;
    let email = Email::parse(email)?;
    SqlUsers::new(ops.db.clone())
        .find_by_email(&email)
        .await?
        .ok_or_else(|| OpsError::Usage(format!("no user has the email {email}")))
}

pub async fn create_admin(
    ops: &Ops,
    email: &str,
    name: &str,
    password: &str,
) -> Result<(), OpsError> {
    ops.require_current_schema().await?;
    let password = Password::parse(password)?;
    let user = SqlUsers::new(ops.db.clone())
        .create(
            NewUser {
                email: Email::parse(email)?,
                name: UserName::parse(name)?,
                password_hash: PasswordHash::new(ninepanels_domain::password::hash(
                    password.expose(),
                )?),
                time_zone: ops.config.auth.default_time_zone,
                is_admin: true,
            },
            Box::new(|_| Vec::new()),
        )
        .await?;
    ops.log("user create-admin", user.email.as_str()).await?;
    println!("admin created: {} (id {})", user.email, user.id);
    Ok(())
}

pub async fn set_admin(ops: &Ops, email: &str, is_admin: bool) -> Result<(), OpsError> {
    let user = find(ops, email).await?;
    SqlUsers::new(ops.db.clone())
        .update(
            user.id,
            UserChanges {
                is_admin: Some(is_admin),
                ..Default::default()
            },
        )
        .await?;
    let command = if is_admin {
        "user promote"
    } else {
        "user demote"
    };
    ops.log(command, user.email.as_str()).await?;
    println!(
        "{} is {}an admin",
        user.email,
        if is_admin { "now " } else { "no longer " }
    );
    Ok(())
}

pub async fn send_reset(ops: &Ops, email: &str) -> Result<(), OpsError> {
    let user = find(ops, email).await?;
    let started = chrono::Utc::now();
    ops.app().accounts.send_reset_link(&user).await?;
    ops.log("user send-reset", user.email.as_str()).await?;
    println!(
        "a reset link for {} is in the outbox (it works for {} minutes)",
        user.email, ops.config.auth.password_reset_expire_minutes
    );
    deliver_now(ops, started).await
}

pub async fn delete(ops: &Ops, email: &str, yes: bool) -> Result<(), OpsError> {
    let user = find(ops, email).await?;
    if ops.env() == Environment::Main && !recent_backup_exists(ops, chrono::Duration::hours(1)) {
        return Err(OpsError::Refused(format!(
            "deleting a user on MAIN needs a backup younger than one hour in {}: run \
             `ninepanels-ops backup --full` first (nothing was changed)",
            ops.backups_dir.display()
        )));
    }
    let summary = admin::user_summaries(&ops.db, Some(user.id))
        .await?
        .into_iter()
        .next();
    let (panels, entries) = summary.map_or((0, 0), |s| (s.panels, s.entries));
    let what = format!(
        "{} ({}) with {panels} panels and {entries} entries",
        user.email, user.name
    );
    ops.confirm(&format!("deleting {what}"), yes)?;
    let started = chrono::Utc::now();
    ops.app().accounts.delete_me(user.id).await?;
    ops.log("user delete", &what).await?;
    println!("deleted {what}");
    deliver_now(ops, started).await
}
