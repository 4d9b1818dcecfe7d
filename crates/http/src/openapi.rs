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
    components(schemas(ErrorDoc, TokenForm, SignUpForm, ResetRequestForm, ResetForm, NewPanelForm))
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Adds the answers the layers give on every route, which no handler states itself: 408 when
/// a request runs past the timeout, and 413 on each route that takes a body.
pub fn add_layer_responses(openapi: &mut utoipa::openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            let responses = &mut operation.responses.responses;
            responses.insert("408".into(), error_response(TIMEOUT_SENTENCE));
            if operation.request_body.is_some() {
                responses.insert("413".into(), error_response(TOO_LARGE_SENTENCE));
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
                Content::new(Some(Ref::from_schema_name("Envelope_ErrorDetail"))),
            )
            .build(),
    )
}
