//! Identity use cases: registration, verification, sessions, tokens, password
//! resets, roles, token rotation.

pub mod commands;
pub mod queries;
