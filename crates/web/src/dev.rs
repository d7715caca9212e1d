//! `/dev/outbox`: the outbox folder in the browser, for development with
//! the demo data (invitation links and SMS codes). Mounted only when the
//! operator started `serve --dev-outbox` and no real transport is set.
use askama::Template;
use axum::http::header::CACHE_CONTROL;
use axum::response::{Html, IntoResponse, Response};

struct Message {
    name: String,
    text: String,
}

#[derive(Template)]
#[template(path = "dev_outbox.html")]
struct OutboxPage {
    t: crate::i18n::Tr,
    messages: Vec<Message>,
}

/// Quoted-printable soft breaks and `=XX` escapes, enough to read links.
fn unqp(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let mut bytes = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                bytes.push(v);
                i += 3;
                continue;
            }
        }
        bytes.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

pub async fn outbox(dir: std::path::PathBuf) -> Response {
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    names.reverse();
    let messages = names
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml" || e == "txt"))
        .take(50)
        .map(|p| Message {
            name: p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            text: unqp(&std::fs::read_to_string(p).unwrap_or_default()),
        })
        .collect();
    let page = OutboxPage {
        t: crate::i18n::Tr::new(crate::i18n::Lang::Nl),
        messages,
    };
    match page.render() {
        Ok(html) => ([(CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(_) => crate::error::WebError::internal("dev outbox").into_response(),
    }
}
