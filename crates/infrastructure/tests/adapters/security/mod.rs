//! Security adapters and the local mailbox, no emulator needed.

mod jwt;
mod mailbox;
mod opaque;
mod password;
