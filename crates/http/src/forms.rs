//! Body extractors whose refusals are 422s naming the field and the problem: `Form<T>` for
//! `application/x-www-form-urlencoded` and `JsonBody<T>` for JSON, each into a type that both
//! parses and documents the body.

use crate::envelope::TOO_LARGE_SENTENCE;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use ninepanels_domain::text::refuse_nul;
use ninepanels_domain::{Error, ErrorKind};
use serde::de::DeserializeOwned;

fn content_type(request: &Request) -> String {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

async fn body_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError(Error::new(ErrorKind::TooLarge, TOO_LARGE_SENTENCE))
            } else {
                ApiError(
                    Error::invalid("body: could not be read").with_context(rejection.body_text()),
                )
            }
        })
}

/// The fields of a urlencoded form, in order.
#[derive(Debug, Clone)]
pub struct FormFields(Vec<(String, String)>);

/// One percent-encoded part of a form (`+` is a space), decoded; `Err` when it is not UTF-8.
fn decode(part: &[u8]) -> Result<String, std::str::Utf8Error> {
    let spaced: Vec<u8> = part
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&spaced)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
}

impl FormFields {
    /// The fields of `body`; a value that is not UTF-8 once decoded (never replaced by U+FFFD
    /// and stored) or that holds a NUL, which no field may, is a 422 naming the field.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        body.split(|&b| b == b'&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let mut halves = pair.splitn(2, |&b| b == b'=');
                let raw_name = halves.next().unwrap_or_default();
                let raw_value = halves.next().unwrap_or_default();
                let name = decode(raw_name)
                    .map_err(|_| Error::invalid("body: a field name is not valid UTF-8"))?;
                let value = decode(raw_value)
                    .map_err(|_| Error::invalid(format!("{name}: not valid UTF-8")))?;
                refuse_nul(&name, &value)?;
                Ok((name, value))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The field's value; absent fields are None.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's value, or a 422 "name: field required".
    pub fn required(&self, name: &str) -> Result<&str, Error> {
        self.optional(name)
            .ok_or_else(|| Error::invalid(format!("{name}: field required")))
    }
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !content_type(&request).starts_with("application/x-www-form-urlencoded") {
            return Err(ApiError(Error::invalid(
                "body: must be a form (Content-Type: application/x-www-form-urlencoded)",
            )));
        }
        let bytes = body_bytes(request, state).await?;
        Ok(Self::parse(&bytes)?)
    }
}

/// A JSON body deserialised into `T`.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

/// A urlencoded form deserialised into `T`. Every field is checked first as [`FormFields`]
/// checks it; a field given twice counts once (the first, as browsers and the old server read
/// it); a missing one is "name: field required".
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

impl FormFields {
    /// The fields as `T`, with the same field-naming messages as JSON bodies.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let mut seen = std::collections::HashSet::new();
        let firsts = self.0.iter().filter(|(name, _)| seen.insert(name.as_str()));
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(firsts)
            .finish();
        let fields =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
        serde_path_to_error::deserialize(fields).map_err(|e| Error::invalid(describe(&e)))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let fields = FormFields::from_request(request, state).await?;
        Ok(Self(fields.deserialize()?))
    }
}

/// "field: problem" from a serde error at a path.
fn describe<E: std::fmt::Display>(err: &serde_path_to_error::Error<E>) -> String {
    let inner = err.inner().to_string();
    let message = inner
        .find(" at line ")
        .map_or(inner.as_str(), |at| &inner[..at])
        .to_owned();
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return format!("{field}: field required");
    }
    let path = err.path().to_string();
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    {
        return format!("{field}: unknown field");
    }
    if path == "." || path == "?" || path.is_empty() {
        format!("body: {message}")
    } else {
        format!("{path}: {message}")
    }
}

/// Deserialises an already-parsed JSON value, with the same field-naming messages.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::invalid(describe(&e)))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !content_type(&request).starts_with("application/json") {
            return Err(ApiError(Error::invalid(
                "body: must be JSON (Content-Type: application/json)",
            )));
        }
        let bytes = body_bytes(request, state).await?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError(Error::invalid("body: a JSON object is required")));
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut de)
            .map(JsonBody)
            .map_err(|e| ApiError(Error::invalid(describe(&e))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only the parse errors matter here")]
    struct Change {
        name: Option<String>,
        is_complete: bool,
    }

    fn error_of(json: &str) -> String {
        let mut de = serde_json::Deserializer::from_str(json);
        describe(&serde_path_to_error::deserialize::<_, Change>(&mut de).unwrap_err())
    }

    #[test]
    fn messages_name_the_field() {
        assert_eq!(error_of(r#"{"name": "x"}"#), "is_complete: field required");
        assert_eq!(
            error_of(r#"{"is_complete": "yes"}"#),
            "is_complete: invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!(
            error_of(r#"{"is_complete": true, "colour": 1}"#),
            "colour: unknown field"
        );
        let malformed = error_of("{,}");
        assert!(malformed.starts_with("body: "), "{malformed}");
    }

    #[test]
    fn forms_decode_and_report_missing_fields() {
        let form = FormFields::parse(b"username=ada%40example.org&password=p+w&&flag").unwrap();
        assert_eq!(form.required("username").unwrap(), "ada@example.org");
        assert_eq!(form.optional("flag"), Some(""));
        assert_eq!(form.optional("password"), Some("p w"));
        assert_eq!(
            form.required("email").unwrap_err().detail,
            "email: field required"
        );
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct SignIn {
        username: String,
        password: String,
        scope: Option<String>,
    }

    #[test]
    fn typed_forms_take_the_first_of_a_repeated_field_and_name_a_missing_one() {
        let form = FormFields::parse(b"username=a%26b&password=p+w&username=other").unwrap();
        let parsed: SignIn = form.deserialize().unwrap();
        let expected = SignIn {
            username: "a&b".into(),
            password: "p w".into(),
            scope: None,
        };
        assert_eq!(parsed, expected);
        let missing = FormFields::parse(b"username=ada&scope=").unwrap();
        let refused = missing.deserialize::<SignIn>().unwrap_err();
        assert_eq!(refused.detail, "password: field required");
    }

    #[test]
    fn forms_that_are_not_utf8_are_refused_naming_the_field() {
        assert_eq!(
            FormFields::parse(b"title=caf%E9").unwrap_err().detail,
            "title: not valid UTF-8"
        );
        assert_eq!(
            FormFields::parse(b"title=caf\xe9").unwrap_err().detail,
            "title: not valid UTF-8"
        );
        assert!(FormFields::parse(b"ti%FFtle=x").is_err());
        assert_eq!(
            FormFields::parse(b"q=a%00b").unwrap_err().detail,
            "q: must not contain NUL characters"
        );
        let replacement = FormFields::parse(b"title=%EF%BF%BD").unwrap();
        assert_eq!(replacement.optional("title"), Some("\u{fffd}"));
    }
}
