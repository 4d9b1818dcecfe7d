//! The dispatch table: which handlers run for which event.

use crate::event::{Emitted, Event};
use crate::handlers::{
    HandlerContext, handle_audit, handle_password_reset_requested, handle_route_timed,
    handle_user_active, handle_user_created, handle_user_logged_in,
};
use ninepanels_domain::Result;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;
pub type Handler = fn(Arc<HandlerContext>, Emitted) -> HandlerFuture;

/// The named handlers of an event; they run concurrently.
pub fn handlers_for(event: &Event) -> &'static [(&'static str, Handler)] {
    match event {
        Event::UserCreated { .. } => &[
            ("handle_user_created", handle_user_created),
            ("handle_audit", handle_audit),
        ],
        Event::UserLoggedIn { .. } => &[("handle_user_logged_in", handle_user_logged_in)],
        Event::UserActive { .. } => &[("handle_user_active", handle_user_active)],
        Event::RouteTimed { .. } => &[("handle_route_timed", handle_route_timed)],
        Event::PasswordResetRequested { .. } => &[
            (
                "handle_password_reset_requested",
                handle_password_reset_requested,
            ),
            ("handle_audit", handle_audit),
        ],
        Event::UserLoggedOut { .. }
        | Event::UserUpdated { .. }
        | Event::UserDeleted { .. }
        | Event::PasswordResetCompleted { .. }
        | Event::PanelCreated { .. }
        | Event::PanelUpdated { .. }
        | Event::PanelDeleted { .. }
        | Event::EntryRecorded { .. }
        | Event::HistoryCleared { .. } => &[("handle_audit", handle_audit)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use ninepanels_domain::config::Secret;

    fn names(event: &Event) -> Vec<&'static str> {
        handlers_for(event).iter().map(|(name, _)| *name).collect()
    }

    #[test]
    fn every_variant_routes_to_its_handlers() {
        let u = 1;
        let p = 2;
        let cases: Vec<(Event, Vec<&str>)> = vec![
            (
                Event::UserCreated {
                    user_id: u,
                    email: "a@b.co".into(),
                    name: "A".into(),
                },
                vec!["handle_user_created", "handle_audit"],
            ),
            (
                Event::UserLoggedIn { user_id: u },
                vec!["handle_user_logged_in"],
            ),
            (Event::UserActive { user_id: u }, vec!["handle_user_active"]),
            (
                Event::PasswordResetRequested {
                    user_id: u,
                    email: "a@b.co".into(),
                    reset_link: crate::seal::Sealer::new(&Secret::new("k")).seal("http://x"),
                    expires_at: Utc::now(),
                },
                vec!["handle_password_reset_requested", "handle_audit"],
            ),
            (Event::UserLoggedOut { user_id: u }, vec!["handle_audit"]),
            (Event::UserUpdated { user_id: u }, vec!["handle_audit"]),
            (Event::UserDeleted { user_id: u }, vec!["handle_audit"]),
            (
                Event::PasswordResetCompleted { user_id: u },
                vec!["handle_audit"],
            ),
            (
                Event::PanelCreated {
                    user_id: u,
                    panel_id: p,
                },
                vec!["handle_audit"],
            ),
            (
                Event::PanelUpdated {
                    user_id: u,
                    panel_id: p,
                },
                vec!["handle_audit"],
            ),
            (
                Event::PanelDeleted {
                    user_id: u,
                    panel_id: p,
                },
                vec!["handle_audit"],
            ),
            (
                Event::EntryRecorded {
                    user_id: u,
                    panel_id: p,
                    entry_id: 3,
                    is_complete: true,
                },
                vec!["handle_audit"],
            ),
            (
                Event::HistoryCleared {
                    user_id: u,
                    panel_id: p,
                },
                vec!["handle_audit"],
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(names(&event), expected, "{}", event.name());
        }
    }

    #[test]
    fn the_reset_link_never_prints() {
        let event = Event::PasswordResetRequested {
            user_id: 1,
            email: "a@b.co".into(),
            reset_link: crate::seal::Sealer::new(&Secret::new("k"))
                .seal("http://x/password_reset?password_reset_token=abc"),
            expires_at: Utc::now(),
        };
        assert!(!format!("{event:?}").contains("abc"));
    }
}
