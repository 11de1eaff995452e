//! Shared kernel used by every layer: nothing here knows about HTTP, AWS or storage.

pub mod clock;
pub mod error_code;
pub mod ids;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error_code::ErrorCode;
pub use ids::new_id;
pub use secrecy::{ExposeSecret, SecretString};
