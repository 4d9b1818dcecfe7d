//! Request middleware: the request id and its log line, and the envelope for errors raised
//! outside handlers (unknown paths, wrong methods, oversized bodies).

pub mod envelope;
pub mod request_id;
pub mod timing;
