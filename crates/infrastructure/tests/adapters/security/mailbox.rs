//! The local mailbox and the email templates.

use chrono::Utc;
use dashtam_domain::identity::value_objects::Email;
use dashtam_domain::platform::events::EmailKind;
use dashtam_domain::platform::ports::{EmailMessage, EmailSender};
use dashtam_infrastructure::email::{MailboxEmailSender, mailbox_name, read_mailbox, render};
use uuid::Uuid;

// ---------------------------------------------------------------- mailbox

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dashtam-mailbox-{}", Uuid::now_v7()))
}

fn message(to: &str, subject: &str) -> EmailMessage {
    EmailMessage {
        to: to.into(),
        subject: subject.into(),
        text: "text".into(),
        html: "<p>html</p>".into(),
        sent_at: Utc::now(),
    }
}

#[test]
fn mailbox_names_refuse_path_traversal() {
    assert_eq!(
        mailbox_name("  Alice.Smith+x@Example.COM ").as_deref(),
        Ok("alice.smith+x@example.com")
    );
    for probe in [
        "",
        "..",
        "../etc/passwd",
        "../a@b.co",
        "a@b.co/..",
        "a/b@c.co",
        "a\\b@c.co",
        "a@..",
        "a..b@c.co",
        "a@b..co",
        "a@b",
        "@b.co",
        "a@",
        "plain",
        "a@b@c.co",
        "a b@c.co",
        "a@b.co\0",
        ".a@b.co",
        "%2e%2e@x.co/",
        "a!#$&*=?^`{|}~@b.co",
        "o'brien@example.com",
    ] {
        // Exactly the addresses registration accepts have a mailbox, and its name is one
        // plain path component.
        match mailbox_name(probe) {
            Ok(name) => {
                assert!(Email::parse(probe).is_ok(), "{probe:?} has no account");
                assert!(
                    !name.contains(['/', '\\', '\0']) && !name.starts_with('.'),
                    "{probe:?} -> {name:?}"
                );
            }
            Err(_) => assert!(Email::parse(probe).is_err(), "{probe:?} has no mailbox"),
        }
    }
    // Addresses the old, stricter check refused.
    for accepted in ["a/b@c.co", "o'brien@example.com", "a!#$&*=?^`{|}~@b.co"] {
        assert!(mailbox_name(accepted).is_ok(), "{accepted:?}");
    }
    // Distinct addresses, distinct mailboxes.
    assert_ne!(mailbox_name("a/b@c.co"), mailbox_name("a%2fb@c.co"));
}

#[tokio::test]
async fn mailbox_round_trip_newest_first_and_traversal_refused() {
    let dir = temp_dir();
    let sender = MailboxEmailSender::new(&dir);
    sender
        .send(&message("Bob@Example.com", "first"))
        .await
        .expect("send");
    sender
        .send(&message("bob@example.com", "second"))
        .await
        .expect("send");
    sender
        .send(&message("carol@example.com", "other"))
        .await
        .expect("send");

    let inbox = read_mailbox(&dir, "BOB@example.com").await.expect("read");
    let subjects: Vec<_> = inbox.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects, ["second", "first"]);
    assert_eq!(inbox[0].to, "bob@example.com");
    assert!(
        read_mailbox(&dir, "nobody@example.com")
            .await
            .expect("read")
            .is_empty()
    );

    for bad in [
        "../bob@example.com",
        "..",
        "bob@example.com/../carol@example.com",
        "a\\b@c.co",
    ] {
        assert!(read_mailbox(&dir, bad).await.is_err(), "{bad:?}");
        assert!(sender.send(&message(bad, "x")).await.is_err(), "{bad:?}");
    }
    // Nothing escaped the mailbox folder and no temp files were left behind.
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("dir") {
        names.push(
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned(),
        );
    }
    names.sort();
    assert_eq!(names, ["bob@example.com", "carol@example.com"]);
    for entry in std::fs::read_dir(dir.join("bob@example.com")).expect("dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(name.ends_with(".json") && !name.starts_with('.'), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- templates

#[test]
fn render_links_and_escapes() {
    let token = "ab".repeat(32);
    let (subject, text, html) = render(
        EmailKind::Verification,
        "x<script>@example.com",
        Some(&token),
        "https://app.example/",
    );
    assert!(!subject.is_empty());
    let url = format!("https://app.example/verify-email?token={token}");
    assert!(text.contains(&url), "{text}");
    assert!(text.contains(&token));
    assert!(html.contains(&format!("href=\"{url}\"")), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("x&lt;script&gt;@example.com"), "{html}");

    let (_, text, html) = render(
        EmailKind::PasswordReset,
        "a@example.com",
        Some("\"><img src=x onerror=alert(1)>"),
        "https://app.example\"onmouseover=\"x",
    );
    assert!(text.contains("15 minutes"), "{text}");
    assert!(text.contains("/reset-password?token="), "{text}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("\"onmouseover"), "{html}");
    assert!(html.contains("&lt;img"), "{html}");

    let (subject, text, html) = render(
        EmailKind::PasswordChanged,
        "a&b@example.com",
        None,
        "https://app.example",
    );
    assert!(subject.to_lowercase().contains("password"));
    assert!(text.contains("wasn't you"), "{text}");
    assert!(text.contains("reset your password"), "{text}");
    assert!(!text.contains("token="));
    assert!(html.contains("a&amp;b@example.com"), "{html}");
    assert!(
        html.contains("wasn&#x27;t you") || html.contains("wasn't you"),
        "{html}"
    );
}
