//! Identity: accounts, sessions, tokens, email verification, password resets, and the
//! admin's security rotations and role management.

pub mod email_verifications;
pub mod password_resets;
pub mod roles;
pub mod security_rotations;
pub mod sessions;
pub mod tokens;
pub mod users;
