//! Adapters: the only crate that knows about AWS, argon2, JWT and friends.
//!
//! - [`dynamodb`]: repositories over the single table
//! - [`messaging`]: event publishers (EventBridge, SQS)
//! - [`secrets`]: Secrets Manager, read lazily and cached
//! - [`security`]: argon2id, JWT (HS256), opaque tokens, device detection, the
//!   AES-256-GCM credential cipher
//! - [`email`]: SES and the local mailbox
//! - [`uploads`]: the S3 uploads bucket of large imports
//! - [`memory`]: in-memory twins of every port, same semantics
//! - [`providers`]: the Schwab and Alpaca clients over one HTTP layer
//! - [`imports`]: the statement-file parser (OFX/QFX 1.x and 2.x, Chase and generic CSV)

pub mod dynamodb;
pub mod email;
pub mod imports;
pub mod memory;
pub mod messaging;
pub mod providers;
pub mod secrets;
pub mod security;
pub mod uploads;
