pub mod roles;
pub mod security_rotations;
pub mod sessions;
pub mod users;
