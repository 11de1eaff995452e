//! The HTML of the consent page and of its refusals.

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

use crate::Profile;

/// The form posts back to the authorize path itself.
pub(crate) const FORM_ACTION: &str = "/_sandbox/schwab/v1/oauth/authorize";

pub(crate) fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto}}\
         label,select,button{{display:block;margin:.5rem 0}}</style></head>\n\
         <body>\n{body}\n</body></html>\n"
    )
}

pub(crate) fn consent(client_id: &str, redirect_uri: &str, state: &str) -> Response {
    let options: String = Profile::ALL
        .iter()
        .map(|p| {
            let selected = if *p == Profile::Investor {
                " selected"
            } else {
                ""
            };
            format!("<option value=\"{p}\"{selected}>{p}</option>")
        })
        .collect();
    let body = format!(
        "<h1>Sandbox Schwab — authorize Dashtam</h1>\n\
         <p>This is the sandbox brokerage, not Charles Schwab. Choose the data the \
         connection will see, then allow.</p>\n\
         <form method=\"post\" action=\"{FORM_ACTION}\">\n\
         <input type=\"hidden\" name=\"client_id\" value=\"{}\">\n\
         <input type=\"hidden\" name=\"redirect_uri\" value=\"{}\">\n\
         <input type=\"hidden\" name=\"state\" value=\"{}\">\n\
         <label for=\"profile\">Profile</label>\n\
         <select id=\"profile\" name=\"profile\">{options}</select>\n\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>",
        escape(client_id),
        escape(redirect_uri),
        escape(state)
    );
    Html(page("Sandbox Schwab — authorize Dashtam", &body)).into_response()
}

pub(crate) fn refused(message: &str) -> Response {
    let body = format!(
        "<h1>Sandbox Schwab — request refused</h1>\n<p>{}</p>",
        escape(message)
    );
    (
        StatusCode::BAD_REQUEST,
        Html(page("Sandbox Schwab — request refused", &body)),
    )
        .into_response()
}
