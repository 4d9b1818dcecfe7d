//! Measures every routed request: records its `RouteTimed` on the bus (gathered in-process,
//! written in batches by the worker: never blocks the request nor wakes the worker) and
//! records it for Prometheus by its route template. A request that failed unexpectedly (500)
//! also raises `ErrorRaised`, named by its route template, which alerts the admins.

use crate::error::LoggedError;
use crate::prometheus::{InFlight, record_request};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use ninepanels_domain::ErrorKind;
use ninepanels_domain::events::{ErrorRaised, RouteTimed};
use std::time::Instant;

/// `GET` and `/v5/panels/{panel_id}/entries` (or `/v5/panels/12/entries`) →
/// `GET_/v5/panels/x/entries`: a route's parameters and digit segments become `x`, so that
/// whatever a client puts in an id, a route keeps one name (and one row of statistics).
pub fn method_path(method: &str, path: &str) -> String {
    let normalised: Vec<&str> = path
        .split('/')
        .map(|segment| {
            let digits = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
            let parameter = segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}');
            if digits || parameter { "x" } else { segment }
        })
        .collect();
    format!("{method}_{}", normalised.join("/"))
}

/// The method as the timings and metrics name it: one of HTTP's own, or `_OTHER`, so that a
/// client inventing methods cannot add a route or a series with each.
fn method_name(method: &Method) -> String {
    let known = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::CONNECT,
        Method::OPTIONS,
        Method::TRACE,
        Method::PATCH,
    ];
    if known.contains(method) {
        method.as_str().to_owned()
    } else {
        "_OTHER".to_owned()
    }
}

pub async fn time_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = method_name(request.method());
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |m| m.as_str().to_owned(),
    );
    let in_flight = InFlight::start();
    let started_at = state.clock.now();
    let started = Instant::now();
    let response = next.run(request).await;
    let took = started.elapsed();
    drop(in_flight);
    record_request(&method, &route, response.status().as_u16(), took);
    if let Some(LoggedError(err)) = response.extensions().get::<LoggedError>()
        && err.kind == ErrorKind::Internal
    {
        state
            .events
            .emit(ErrorRaised {
                source: format!("route {method} {route}"),
                reason: err.context_msg.clone(),
            })
            .await;
    }
    let diff_ms = took.as_secs_f64() * 1000.0;
    let method_path = method_path(&method, &route);
    let normalised_path = method_path[method.len() + 1..].to_owned();
    state.events.route_timed(RouteTimed {
        method,
        path: normalised_path,
        method_path,
        started_at,
        diff_ms,
    });
    response
}

#[cfg(test)]
mod tests {
    use super::{Method, method_name, method_path};

    #[test]
    fn made_up_methods_are_named_other() {
        assert_eq!(method_name(&Method::PATCH), "PATCH");
        let made_up = Method::from_bytes(b"FOOBAR").unwrap();
        assert_eq!(method_name(&made_up), "_OTHER");
    }

    #[test]
    fn digit_segments_become_x() {
        assert_eq!(
            method_path("GET", "/v5/panels/12/entries"),
            "GET_/v5/panels/x/entries"
        );
        assert_eq!(method_path("POST", "/token"), "POST_/token");
        assert_eq!(
            method_path("GET", "/v5/metrics/panels/7/streaks"),
            "GET_/v5/metrics/panels/x/streaks"
        );
        assert_eq!(method_path("GET", "/v5/panels/abc"), "GET_/v5/panels/abc");
    }

    #[test]
    fn route_parameters_become_x() {
        assert_eq!(
            method_path("GET", "/v5/panels/{panel_id}/entries"),
            "GET_/v5/panels/x/entries"
        );
        assert_eq!(
            method_path("DELETE", "/v5/panels/{panel_id}"),
            "DELETE_/v5/panels/x"
        );
        assert_eq!(method_path("GET", "/v5/panels"), "GET_/v5/panels");
    }
}
