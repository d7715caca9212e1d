//! A small cookie-keeping "browser" over the router, shared by the HTTP
//! test binaries.
#![allow(dead_code)]
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
