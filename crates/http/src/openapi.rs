//! The OpenAPI document: built from the same `routes!` as the router (so no route goes
//! undocumented), plus the error body and the bearer security scheme with the `/token` password
//! flow.

use crate::envelope::{TIMEOUT_SENTENCE, TOO_LARGE_SENTENCE};
use utoipa::openapi::security::{Flow, OAuth2, Password, Scopes, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

/// `data` of every error response: the same sentence as `error_message`.
#[derive(Debug, ToSchema)]
#[schema(as = ErrorDetail)]
pub struct ErrorDoc {
    #[schema(example = "Could not validate credentials")]
    pub detail: String,
}

/// The envelope of every error: `error_message` and `data.detail` carry the same sentence, and
/// `meta` is null.
#[derive(Debug, ToSchema)]
pub struct ErrorEnvelope {
    pub data: ErrorDoc,
    #[schema(example = 401)]
    pub status_code: u16,
    #[schema(example = true)]
    pub is_error: bool,
    #[schema(example = "Could not validate credentials")]
    pub error_message: String,
}

struct BearerFromToken;

impl Modify for BearerFromToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::OAuth2(OAuth2::new([Flow::Password(Password::new(
                "/token",
                Scopes::new(),
            ))])),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Nine Panels API",
        description = "Version 5 of the Nine Panels HTTP API. Every response but the documentation is wrapped in {data, status_code, is_error, error_message, meta}.",
        license(name = "MIT")
    ),
    modifiers(&BearerFromToken),
    components(schemas(
        ErrorDoc,
        ErrorEnvelope,
        crate::routes::auth::TokenForm,
        crate::routes::users::SignUpForm,
        crate::routes::auth::ResetRequestForm,
        crate::routes::auth::ResetForm,
        crate::routes::panels::NewPanelForm,
    ))
)]
#[derive(Debug)]
pub struct ApiDoc;

/// What a request meets when its storage fails (503), on every route that reaches the database.
pub const UNAVAILABLE_SENTENCE: &str = "The database is unreachable, or its storage is full or failing; nothing was changed, try again shortly";

/// Adds the answers many routes share, so no handler repeats them: 408 when a request runs past
/// the timeout; 413 on each route that takes a body; 401 on each that needs a token; 403 on the
/// admin routes; 404 on each that names a panel; 503 on each that reaches the database (all but
/// the `meta` routes, and `/readyz` states its own).
pub fn add_shared_responses(openapi: &mut utoipa::openapi::OpenApi) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            let tagged = |tag: &str| {
                operation
                    .tags
                    .as_ref()
                    .is_some_and(|tags| tags.iter().any(|t| t == tag))
            };
            let (meta, admin) = (tagged("meta"), tagged("admin"));
            let secured = operation.security.is_some();
            let has_body = operation.request_body.is_some();
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, sentence: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(sentence));
            };
            add("408", TIMEOUT_SENTENCE);
            if has_body {
                add("413", TOO_LARGE_SENTENCE);
            }
            if secured {
                add("401", crate::extract::BAD_CREDENTIALS);
            }
            if admin {
                add("403", crate::extract::ADMINS_ONLY);
            }
            if path.contains("{panel_id}") {
                add("404", ninepanels_domain::panel::PANEL_NOT_FOUND);
            }
            if !meta {
                add("503", UNAVAILABLE_SENTENCE);
            }
        }
    }
}

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorEnvelope"))),
            )
            .build(),
    )
}
