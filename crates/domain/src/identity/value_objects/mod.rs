mod email;
mod password;
mod token_hash;

pub use email::Email;
pub use password::{PASSWORD_SPECIALS, Password};
pub use token_hash::TokenHash;
