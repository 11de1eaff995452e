//! Email adapters: SES v2, a local mailbox (JSON files a person can read in local mode),
//! a fan-out over several senders, and the message templates.

mod fanout;
mod mailbox;
mod render;
mod ses;

pub use fanout::FanoutEmailSender;
pub use mailbox::{MailboxEmailSender, mailbox_name, read_mailbox};
pub use render::{html_escape, render};
pub use ses::SesEmailSender;
