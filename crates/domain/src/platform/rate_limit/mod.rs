//! Rate limiting: the policies of the API contract and the pure bucket arithmetic.
//!
//! The bucket is a token bucket expressed as GCRA (generic cell rate algorithm): one
//! number per bucket, the *theoretical arrival time* (TAT). That single number is what
//! makes an atomic update in a key-value store possible (see the DynamoDB adapter).

mod gcra;
mod policy;

pub use gcra::{Decision, Limit, LimitError, Take};
pub use policy::{BucketKey, Limits, Policy, Scope};
