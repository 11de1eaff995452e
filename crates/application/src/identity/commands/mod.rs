//! Use cases that change state.

mod authenticate;
mod change_role;
mod login;
mod logout;
mod mail_token;
mod refresh_tokens;
mod register_user;
mod request_password_reset;
mod request_verification_email;
mod reset_password;
mod revoke_other_sessions;
mod revoke_session;
mod rotate_global_tokens;
mod rotate_user_tokens;
mod token_pair;
mod verify_email;

pub use authenticate::{Authenticate, AuthenticateVerified, VerifyBearer};
pub use change_role::{ChangeRole, RoleChange};
pub use login::Login;
pub use logout::Logout;
pub use refresh_tokens::RefreshTokens;
pub use register_user::RegisterUser;
pub use request_password_reset::RequestPasswordReset;
pub use request_verification_email::RequestVerificationEmail;
pub use reset_password::ResetPassword;
pub use revoke_other_sessions::RevokeOtherSessions;
pub use revoke_session::RevokeSession;
pub use rotate_global_tokens::RotateGlobalTokens;
pub use rotate_user_tokens::RotateUserTokens;
pub use verify_email::VerifyEmail;
