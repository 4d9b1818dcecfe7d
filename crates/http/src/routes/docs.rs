//! `/redoc` and its script, served by this server so the page works with no internet (the
//! stock page loads Redoc from a CDN and fonts from Google). `/docs` (Swagger UI) and
//! `/openapi.json` come from utoipa-swagger-ui, whose assets are vendored from crates.io.

use axum::http::header;
use axum::response::{Html, IntoResponse};

const REDOC_JS: &[u8] = include_bytes!("../../assets/redoc/redoc.standalone.js");

const REDOC_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Nine Panels API</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <div id="redoc"></div>
    <script src="/redoc/redoc.standalone.js"></script>
    <script>
      Redoc.init("/openapi.json", { disableSearch: false, hideDownloadButton: false }, document.getElementById("redoc"));
    </script>
  </body>
</html>
"#;

pub async fn get_redoc() -> Html<&'static str> {
    Html(REDOC_PAGE)
}

pub async fn get_redoc_script() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        REDOC_JS,
    )
}
