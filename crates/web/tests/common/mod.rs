//! A small cookie-keeping "browser" over the router, shared by the HTTP
//! test binaries.
#![allow(dead_code)]
pub mod world;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use tower::ServiceExt;

pub struct Browser {
    pub app: axum::Router,
    pub jar: BTreeMap<String, String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Browser {
    pub async fn send(&mut self, req: Request<Body>) -> Page {
        let res = self.app.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let set_cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        for c in &set_cookies {
            let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').expect("cookie");
            if attrs.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_owned(), v.to_owned());
            }
        }
        let body =
            String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes())
                .into_owned();
        Page {
            status,
            location,
            set_cookies,
            headers,
            body,
        }
    }
    pub fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
    pub async fn get(&mut self, path: &str) -> Page {
        let req = Request::get(path)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .expect("req");
        self.send(req).await
    }
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("req");
        self.send(req).await
    }
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn hidden(body: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    let i = body
        .find(&pat)
        .unwrap_or_else(|| panic!("no hidden {name} in {body}"))
        + pat.len();
    body[i..].chars().take_while(|c| *c != '"').collect()
}

/// Signs in through the pages (password, SMS code from the outbox folder)
/// and returns where the browser is sent after.
pub async fn sign_in(
    browser: &mut Browser,
    svc: &inzage_service::Services,
    outbox: &std::path::Path,
    email: &str,
    password: &str,
) -> Option<String> {
    let p = browser.get("/inloggen").await;
    let csrf = hidden(&p.body, "csrf");
    let before = outbox_files(outbox).len();
    let p = browser
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The SMS code is sent with the password step (no extra tap).
    let to = p.location.clone().expect("to code");
    assert!(to.contains("verstuurd=1"), "{to}");
    let p = browser.get(&to).await;
    assert!(p.body.contains("Stuur een nieuwe code"), "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    let code = latest_sms_code(svc, outbox).await;
    assert!(outbox_files(outbox).len() > before, "an SMS was written");
    let p = browser
        .post(
            "/inloggen/code",
            &[("csrf", &csrf), ("code", &code), ("method", "sms")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    p.location
}

/// Runs the queued jobs (message delivery) and reads the code of the
/// newest SMS in the outbox folder.
pub async fn latest_sms_code(svc: &inzage_service::Services, outbox: &std::path::Path) -> String {
    inzage_service::jobs::Runner::new(svc.clone(), "t")
        .run_until_idle()
        .await
        .expect("jobs");
    let sms = outbox_files(outbox)
        .iter()
        .rev()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .next()
        .expect("sms");
    let i = sms.find("code is ").expect("code") + 8;
    sms[i..i + 6].to_owned()
}

fn outbox_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Every message in the outbox folder, oldest first, with quoted-printable
/// soft breaks and `=3D` undone (so links can be read from e-mails).
pub fn outbox_texts(dir: &std::path::Path) -> Vec<String> {
    outbox_files(dir)
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=")
        })
        .collect()
}
