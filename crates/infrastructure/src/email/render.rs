//! The emails Dashtam sends: subject, plain text and HTML.

use dashtam_domain::platform::events::EmailKind;

/// Minutes a password-reset link stays valid (API.md: 15 minutes).
const RESET_MINUTES: u32 = 15;
/// Hours a verification link stays valid (API.md: 24 hours).
const VERIFICATION_HOURS: u32 = 24;

/// Escapes text for HTML element content and quoted attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes everything outside RFC 3986's unreserved set (a hex token passes as is).
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn page(title: &str, paragraphs: &[String]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}</body></html>\n",
        html_escape(title)
    )
}

fn link(href: &str, label: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        html_escape(href),
        html_escape(label)
    )
}

/// `(subject, text, html)` of the email of `kind` to `to`. `token` is the one-time token
/// for Verification and PasswordReset, the device description for NewDevice, the
/// connection for the provider emails (`<provider>|<connection id>|<expires at>`, see
/// `SendEmail`; ignored for PasswordChanged); `app_url` is the
/// front end's base URL (`{app_url}/verify-email?token=…`, `{app_url}/reset-password?token=…`).
/// Everything interpolated into the HTML is escaped.
pub fn render(
    kind: EmailKind,
    to: &str,
    token: Option<&str>,
    app_url: &str,
) -> (String, String, String) {
    let base = app_url.trim_end_matches('/');
    let token = token.unwrap_or_default();
    let to_html = html_escape(to);
    match kind {
        EmailKind::Verification => {
            let subject = "Verify your Dashtam email address".to_owned();
            let url = format!("{base}/verify-email?token={}", url_encode(token));
            let text = format!(
                "Hello,\n\n\
                 Please confirm that {to} is your email address by opening this link:\n\n\
                 {url}\n\n\
                 Or enter this verification code: {token}\n\n\
                 The link expires in {VERIFICATION_HOURS} hours and works once.\n\
                 If you did not create a Dashtam account, ignore this email.\n"
            );
            let html = page(
                &subject,
                &[
                    "Hello,".to_owned(),
                    format!("Please confirm that {to_html} is your email address:"),
                    link(&url, "Verify my email address"),
                    format!(
                        "Or enter this verification code: <code>{}</code>",
                        html_escape(token)
                    ),
                    format!(
                        "The link expires in {VERIFICATION_HOURS} hours and works once. \
                         If you did not create a Dashtam account, ignore this email."
                    ),
                ],
            );
            (subject, text, html)
        }
        EmailKind::PasswordReset => {
            let subject = "Reset your Dashtam password".to_owned();
            let url = format!("{base}/reset-password?token={}", url_encode(token));
            let text = format!(
                "Hello,\n\n\
                 Someone asked to reset the password of the Dashtam account {to}.\n\
                 To choose a new password, open this link:\n\n\
                 {url}\n\n\
                 Reset code: {token}\n\n\
                 The link expires in {RESET_MINUTES} minutes and works once.\n\
                 If you did not ask for this, ignore this email: your password stays as it is.\n"
            );
            let html = page(
                &subject,
                &[
                    "Hello,".to_owned(),
                    format!(
                        "Someone asked to reset the password of the Dashtam account {to_html}."
                    ),
                    link(&url, "Choose a new password"),
                    format!("Reset code: <code>{}</code>", html_escape(token)),
                    format!(
                        "The link expires in {RESET_MINUTES} minutes and works once. \
                         If you did not ask for this, ignore this email: your password \
                         stays as it is."
                    ),
                ],
            );
            (subject, text, html)
        }
        EmailKind::PasswordChanged => {
            let subject = "Your Dashtam password was changed".to_owned();
            let url = format!("{base}/reset-password");
            let text = format!(
                "Hello,\n\n\
                 The password of the Dashtam account {to} was just changed, and every \
                 session was signed out.\n\n\
                 If this wasn't you, reset your password now: {url}\n"
            );
            let html = page(
                &subject,
                &[
                    "Hello,".to_owned(),
                    format!(
                        "The password of the Dashtam account {to_html} was just changed, \
                         and every session was signed out."
                    ),
                    format!(
                        "If this wasn't you, {}.",
                        link(&url, "reset your password now")
                    ),
                ],
            );
            (subject, text, html)
        }
        EmailKind::ProviderTokenExpiring | EmailKind::ProviderReconnect => {
            provider_email(kind, &to_html, token, base)
        }
        EmailKind::NewDevice => {
            let subject = "New sign-in to your Dashtam account".to_owned();
            let url = format!("{base}/settings/sessions");
            let text = format!(
                "Hello,

                 The Dashtam account {to} was just signed in to from a device it had not                  used before: {token}.

                 If this was you, there is nothing to do. If not, end that session and                  change your password: {url}
"
            );
            let html = page(
                &subject,
                &[
                    "Hello,".to_owned(),
                    format!(
                        "The Dashtam account {to_html} was just signed in to from a device                          it had not used before: <strong>{}</strong>.",
                        html_escape(token)
                    ),
                    format!(
                        "If this was you, there is nothing to do. If not, {}.",
                        link(&url, "end that session and change your password")
                    ),
                ],
            );
            (subject, text, html)
        }
    }
}

/// The connection emails: "reconnect before it lapses" and "it lapsed, reconnect".
fn provider_email(
    kind: EmailKind,
    to_html: &str,
    detail: &str,
    base: &str,
) -> (String, String, String) {
    let mut parts = detail.split('|');
    let provider = parts
        .next()
        .filter(|p| !p.is_empty())
        .unwrap_or("your provider");
    let connection = parts.next().unwrap_or_default();
    let expires = parts.next().unwrap_or_default();
    let url = format!("{base}/connections?reconnect={}", url_encode(connection));
    let (subject, lead) = if kind == EmailKind::ProviderTokenExpiring {
        (
            format!("Reconnect {provider} before {expires}"),
            format!(
                "Your {provider} connection stops working at {expires}: {provider} asks you \
                 to approve Dashtam again every 7 days. Reconnect before then to keep your \
                 accounts updating."
            ),
        )
    } else {
        (
            format!("Reconnect {provider} to keep your accounts updating"),
            format!(
                "{provider} no longer accepts Dashtam's access to your accounts, so they \
                 have stopped updating. Reconnect to resume."
            ),
        )
    };
    let text = format!("Hello,\n\n{lead}\n\nReconnect: {url}\n");
    let html = page(
        &subject,
        &[
            "Hello,".to_owned(),
            html_escape(&lead),
            link(&url, &format!("Reconnect {provider}")),
            format!("This email was sent to {to_html}."),
        ],
    );
    (subject, text, html)
}
