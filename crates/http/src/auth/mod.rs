//! Authentication: password hashing, access tokens, revocation, rate limits and the extractors
//! that turn a bearer token into the current user.

pub mod extract;
pub mod passwords;
pub mod rate_limit;
pub mod revocation;
pub mod tokens;
pub mod user_cache;

pub use extract::{AdminUser, ClientAddress, CurrentUser};
