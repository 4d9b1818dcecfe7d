//! The OpenAPI document as clients see it: any change to the contract shows in review as a
//! change to `tests/snapshots/openapi__document.snap` (accept one with `cargo insta review`, or
//! `INSTA_UPDATE=always cargo test -p ninepanels-http --test openapi`).

#[test]
fn document() {
    let document = serde_json::to_value(ninepanels_http::router::openapi_document())
        .expect("the document serialises");
    insta::assert_json_snapshot!(document);
}
