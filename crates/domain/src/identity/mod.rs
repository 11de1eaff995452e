//! Identity: users, sessions, refresh and one-time tokens, email verification,
//! password resets, roles and permissions, token versions.

pub mod entities;
pub mod ports;
pub mod value_objects;
