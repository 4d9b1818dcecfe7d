//! The OpenAPI document: built from the same `routes!` as the router (so no route goes
//! undocumented), plus the shapes only the documentation needs: form bodies, the error body and
//! the bearer security scheme with the `/token` password flow.

use utoipa::openapi::security::{Flow, OAuth2, Password, Scopes, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// `data` of every error response: the same sentence as `error_message`.
#[derive(Debug, ToSchema)]
#[schema(as = ErrorDetail)]
pub struct ErrorDoc {
    pub detail: String,
}

/// `POST /token` form.
#[derive(Debug, ToSchema)]
pub struct TokenForm {
    /// The email.
    pub username: String,
    pub password: String,
}

/// `POST /v5/users` form.
#[derive(Debug, ToSchema)]
pub struct SignUpForm {
    pub email: String,
    pub name: String,
    /// At least 8 characters.
    pub password: String,
    /// IANA name; the server's default when omitted.
    pub time_zone: Option<String>,
}

/// `POST /v5/auth/request_password_reset` form.
#[derive(Debug, ToSchema)]
pub struct ResetRequestForm {
    pub email: String,
}

/// `POST /v5/auth/password_reset` form.
#[derive(Debug, ToSchema)]
pub struct ResetForm {
    pub new_password: String,
    pub email: String,
    pub password_reset_token: String,
}

/// `POST /v5/panels` form.
#[derive(Debug, ToSchema)]
pub struct NewPanelForm {
    /// 1-100 characters after trimming.
    pub title: String,
    /// Up to 2,000 characters; empty means none.
    pub description: Option<String>,
    /// 0-8; omitted or past the end means at the end.
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
