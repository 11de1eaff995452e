//! A local mailbox: each message a JSON file, so a developer can read verification and
//! reset emails (through the dev-only route or the files themselves).
//!
//! Layout: `<dir>/<recipient>/<written-at>-<uuid>.json`, where `<written-at>` is the
//! RFC 3339 UTC time with nanoseconds and `-` in place of `:` (portable file names; the
//! names sort in delivery order).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::Utc;
use dashtam_domain::{
    identity::value_objects::Email,
    platform::ports::{EmailError, EmailMessage, EmailSender},
};
use uuid::Uuid;

/// The mailbox folder name for `to`: the address as registration normalises it, with
/// every character a file name should not hold (a path separator, a leading dot, `%`,
/// anything beyond `[a-z0-9@._+-]`) percent-encoded, so any address registration
/// accepts has its own folder and none can leave `dir` (the value may come from a query
/// string). Refuses what is not an email address.
pub fn mailbox_name(to: &str) -> Result<String, String> {
    let address = Email::parse(to).map_err(|e| format!("not a mailbox address: {}", e.message))?;
    let mut name = String::with_capacity(address.as_str().len());
    for (i, c) in address.as_str().chars().enumerate() {
        if c.is_ascii_alphanumeric() || "@_+-".contains(c) || (c == '.' && i > 0) {
            name.push(c);
        } else {
            let mut utf8 = [0; 4];
            for byte in c.encode_utf8(&mut utf8).bytes() {
                name.push_str(&format!("%{byte:02x}"));
            }
        }
    }
    Ok(name)
}

/// [`EmailSender`] that writes each message to the mailbox folder of its recipient,
/// atomically (a hidden temp file renamed into place).
#[derive(Debug, Clone)]
pub struct MailboxEmailSender {
    dir: PathBuf,
}

impl MailboxEmailSender {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }
}

#[async_trait]
impl EmailSender for MailboxEmailSender {
    async fn send(&self, message: &EmailMessage) -> Result<(), EmailError> {
        let folder = self
            .dir
            .join(mailbox_name(&message.to).map_err(EmailError)?);
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| EmailError(format!("creating {}: {e}", folder.display())))?;
        let stamp = Utc::now().format("%Y-%m-%dT%H-%M-%S%.9fZ").to_string();
        let id = Uuid::now_v7();
        let name = format!("{stamp}-{id}.json");
        let temp = folder.join(format!(".{name}.tmp"));
        let json = serde_json::to_vec_pretty(message).map_err(|e| EmailError(e.to_string()))?;
        tokio::fs::write(&temp, json)
            .await
            .map_err(|e| EmailError(format!("writing {}: {e}", temp.display())))?;
        let path = folder.join(&name);
        if let Err(e) = tokio::fs::rename(&temp, &path).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(EmailError(format!("renaming into {}: {e}", path.display())));
        }
        tracing::info!(path = %path.display(), "email written to the local mailbox");
        Ok(())
    }
}

/// The messages in `to`'s mailbox under `dir`, newest first; empty if there are none.
/// `to` is checked like [`mailbox_name`], so it is safe to take from a request.
pub async fn read_mailbox(dir: impl AsRef<Path>, to: &str) -> Result<Vec<EmailMessage>, String> {
    let folder = dir.as_ref().join(mailbox_name(to)?);
    let mut entries = match tokio::fs::read_dir(&folder).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("reading {}: {e}", folder.display())),
    };
    let mut names = Vec::new();
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(|e| format!("reading {}: {e}", folder.display()))?
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && name.ends_with(".json") {
            names.push(name);
        }
    }
    // Names start with the time of writing: reverse order is newest first.
    names.sort_unstable_by(|a, b| b.cmp(a));
    let mut messages = Vec::with_capacity(names.len());
    for name in names {
        let path = folder.join(&name);
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            // Removed between listing and reading (someone cleaned the mailbox).
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("reading {}: {e}", path.display())),
        };
        let message = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{} is not an email message: {e}", path.display()))?;
        messages.push(message);
    }
    Ok(messages)
}
