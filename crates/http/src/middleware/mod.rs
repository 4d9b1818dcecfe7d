//! Request middleware: the request id and its log line, the envelope for errors raised
//! outside handlers (unknown paths, wrong methods, oversized bodies), and panics as 500s.

pub mod envelope;
pub mod panics;
pub mod request_id;
pub mod timing;
