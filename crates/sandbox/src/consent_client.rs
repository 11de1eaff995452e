//! The browser side of the consent, for [`crate::Sandbox::authorize`]: plain HTTP/1.1 over a
//! TCP stream, so the crate needs no HTTP client.

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{Profile, url};

pub(crate) async fn authorize(
    base_url: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    profile: Profile,
) -> String {
    let host = base_url.trim_start_matches("http://");
    let path = "/_sandbox/schwab/v1/oauth/authorize";
    let query = format!(
        "client_id={}&redirect_uri={}&response_type=code&state={}",
        url::encode(client_id),
        url::encode(redirect_uri),
        url::encode(state)
    );
    let page = request(host, &format!("GET {path}?{query} HTTP/1.1\r\n"), "").await;
    if !page.starts_with("HTTP/1.1 200") {
        panic!("sandbox consent page refused: {page}");
    }
    let body = format!(
        "client_id={}&redirect_uri={}&state={}&profile={}&decision=allow",
        url::encode(client_id),
        url::encode(redirect_uri),
        url::encode(state),
        profile.as_str()
    );
    let head = format!(
        "POST {path} HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n",
        body.len()
    );
    let answer = request(host, &head, &body).await;
    let location = answer
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("sandbox consent gave no redirect: {answer}"));
    let query = location.split_once('?').map_or("", |(_, q)| q);
    url::query_param(query, "code")
        .unwrap_or_else(|| panic!("sandbox redirect has no code: {location}"))
}

async fn request(host: &str, head: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(host)
        .await
        .unwrap_or_else(|e| panic!("sandbox at {host} unreachable: {e}"));
    let message = format!("{head}host: {host}\r\nconnection: close\r\n\r\n{body}");
    let mut answer = Vec::new();
    let io = async {
        stream.write_all(message.as_bytes()).await?;
        stream.read_to_end(&mut answer).await
    };
    if let Err(e) = io.await {
        panic!("sandbox request failed: {e}");
    }
    String::from_utf8_lossy(&answer).into_owned()
}
