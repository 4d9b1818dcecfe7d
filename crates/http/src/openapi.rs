//! The OpenAPI document: built from the same `routes!` as the router (so no route goes
//! undocumented), plus the shapes only the documentation needs: form bodies, the error body and
//! the bearer security scheme with the `/token` password flow.

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

/// `POST /token` form.
#[derive(Debug, ToSchema)]
pub struct TokenForm {
    /// The email.
    #[schema(example = "ada@example.org", format = "email")]
    pub username: String,
    #[schema(example = "correct horse battery", format = Password)]
    pub password: String,
}

/// `POST /v5/users` form.
#[derive(Debug, ToSchema)]
pub struct SignUpForm {
    #[schema(example = "ada@example.org", format = "email", max_length = 254)]
    pub email: String,
    #[schema(example = "Ada", min_length = 1, max_length = 100)]
    pub name: String,
    /// At least 8 characters.
    #[schema(example = "correct horse battery", format = Password, min_length = 8)]
    pub password: String,
    /// IANA name; the server's default when omitted.
    #[schema(example = "Europe/London")]
    pub time_zone: Option<String>,
}

/// `POST /v5/auth/request_password_reset` form.
#[derive(Debug, ToSchema)]
pub struct ResetRequestForm {
    #[schema(example = "ada@example.org", format = "email", max_length = 254)]
    pub email: String,
}

/// `POST /v5/auth/password_reset` form.
#[derive(Debug, ToSchema)]
pub struct ResetForm {
    #[schema(example = "a new horse battery", format = Password, min_length = 8)]
    pub new_password: String,
    #[schema(example = "ada@example.org", format = "email", max_length = 254)]
    pub email: String,
    /// From the link in the reset mail.
    #[schema(example = "q3V0b2tlbi1mcm9tLXRoZS1tYWlsLWxpbmstMzJieXRlcw")]
    pub password_reset_token: String,
}

/// `POST /v5/panels` form.
#[derive(Debug, ToSchema)]
pub struct NewPanelForm {
    /// 1-100 characters after trimming.
    #[schema(example = "Move", min_length = 1, max_length = 100)]
    pub title: String,
    /// Up to 2,000 characters; empty means none.
    #[schema(example = "A walk, a run or a swim", max_length = 2000)]
    pub description: Option<String>,
    /// 0 is first; omitted or past the end means at the end.
    #[schema(example = 0, minimum = 0)]
    pub position: Option<i64>,
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
    components(schemas(ErrorDoc, ErrorEnvelope, TokenForm, SignUpForm, ResetRequestForm, ResetForm, NewPanelForm))
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
