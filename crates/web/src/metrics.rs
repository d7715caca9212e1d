//! `/metrics` in Prometheus' text format (issue 16): requests and their
//! latency per route *template* (never a path with an id), the job queue,
//! the outbox, the audit writer and the database pool. No personal data.
//!
//! Who may read it: a request with `Authorization: Bearer <metrics_token>`
//! (setting; compared in constant time), or one from this machine
//! (loopback) that did not come through a proxy (no forwarding header).
//! Anyone else gets 404, as if it did not exist.
use crate::AppState;
use axum::extract::{MatchedPath, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const METHODS: [&str; 3] = ["GET", "POST", "OTHER"];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

#[derive(Default)]
struct Series {
    /// Per status class.
    count: [AtomicU64; 5],
    /// Per bucket (not cumulative), the last one for +Inf.
    buckets: [AtomicU64; 13],
    sum_us: AtomicU64,
}

/// Counters for every route of the router, made once; a request only
/// adds to atomics (no lock on the request path).
pub struct HttpMetrics {
    routes: HashMap<&'static str, [Series; 3]>,
    unmatched: [Series; 3],
}

impl HttpMetrics {
    pub fn new(paths: impl Iterator<Item = &'static str>) -> Self {
        let mut routes = HashMap::new();
        for p in paths {
            routes.entry(p).or_insert_with(Default::default);
        }
        Self {
            routes,
            unmatched: Default::default(),
        }
    }

    fn record(&self, route: Option<&str>, method: &Method, status: StatusCode, took: Duration) {
        let series = route
            .and_then(|r| self.routes.get(r))
            .unwrap_or(&self.unmatched);
        let m = match *method {
            Method::GET | Method::HEAD => 0,
            Method::POST => 1,
            _ => 2,
        };
        let s = &series[m];
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        s.count[class].fetch_add(1, Relaxed);
        let secs = took.as_secs_f64();
        let b = BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(BUCKETS.len());
        s.buckets[b].fetch_add(1, Relaxed);
        s.sum_us
            .fetch_add(u64::try_from(took.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }

    fn render(&self, out: &mut String) {
        let mut rows: Vec<(&str, &[Series; 3])> =
            self.routes.iter().map(|(k, v)| (*k, v)).collect();
        rows.sort_by_key(|(k, _)| *k);
        rows.push(("unmatched", &self.unmatched));
        out.push_str("# HELP inzage_http_requests_total Requests answered, by route template, method and status class.\n");
        out.push_str("# TYPE inzage_http_requests_total counter\n");
        for (route, series) in &rows {
            for (m, s) in series.iter().enumerate() {
                for (c, n) in s.count.iter().enumerate() {
                    let n = n.load(Relaxed);
                    if n > 0 {
                        let _ = writeln!(
                            out,
                            "inzage_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {n}",
                            METHODS[m],
                            escape(route),
                            CLASSES[c]
                        );
                    }
                }
            }
        }
        out.push_str("# HELP inzage_http_request_duration_seconds Time from request to response head, by route template and method.\n");
        out.push_str("# TYPE inzage_http_request_duration_seconds histogram\n");
        for (route, series) in &rows {
            for (m, s) in series.iter().enumerate() {
                let total: u64 = s.buckets.iter().map(|b| b.load(Relaxed)).sum();
                if total == 0 {
                    continue;
                }
                let labels = format!("method=\"{}\",route=\"{}\"", METHODS[m], escape(route));
                let mut cumulative = 0;
                for (i, le) in BUCKETS.iter().enumerate() {
                    cumulative += s.buckets[i].load(Relaxed);
                    let _ = writeln!(
                        out,
                        "inzage_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(
                    out,
                    "inzage_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {total}"
                );
                let _ = writeln!(
                    out,
                    "inzage_http_request_duration_seconds_sum{{{labels}}} {}",
                    s.sum_us.load(Relaxed) as f64 / 1e6
                );
                let _ = writeln!(
                    out,
                    "inzage_http_request_duration_seconds_count{{{labels}}} {total}"
                );
            }
        }
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware: counts every answer under its route template.
pub async fn layer(
    State(m): State<Arc<HttpMetrics>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let res = next.run(req).await;
    m.record(route.as_deref(), &method, res.status(), started.elapsed());
    res
}

/// May this request read `/metrics`?
fn allowed(st: &AppState, headers: &HeaderMap, peer: Option<std::net::IpAddr>) -> bool {
    if let Some(token) = st.metrics_token.as_deref() {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !token.is_empty() && constant_time_eq(given.as_bytes(), token.as_bytes()) {
            return true;
        }
    }
    let forwarded = headers.contains_key("forwarded")
        || headers.contains_key("x-forwarded-for")
        || headers.contains_key("x-real-ip");
    peer.is_some_and(|p| p.to_canonical().is_loopback()) && !forwarded
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /metrics`
pub async fn metrics(
    State(st): State<AppState>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if !allowed(&st, &headers, peer) {
        return crate::error::WebError::NotFound.into_response();
    }
    let mut out = String::with_capacity(16 * 1024);
    st.http_metrics.render(&mut out);
    // Within 2 s, so a scrape shows `inzage_database_up 0` rather than
    // timing out while the pool retries a stopped server.
    match tokio::time::timeout(Duration::from_secs(2), st.services.ops_snapshot()).await {
        Ok(Ok(o)) => render_ops(&o, &mut out),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "metrics: the database could not be read");
            out.push_str("# TYPE inzage_database_up gauge\ninzage_database_up 0\n");
        }
        Err(_) => {
            tracing::warn!("metrics: the database did not answer within 2 s");
            out.push_str("# TYPE inzage_database_up gauge\ninzage_database_up 0\n");
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

fn render_ops(o: &inzage_service::ops::OpsSnapshot, out: &mut String) {
    let gauge = |out: &mut String, name: &str, help: &str, value: String| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    };
    gauge(
        out,
        "inzage_database_up",
        "1 when the database answered this scrape.",
        "1".into(),
    );
    out.push_str(
        "# HELP inzage_jobs Jobs in the durable queue, by status.\n# TYPE inzage_jobs gauge\n",
    );
    for status in ["queued", "running", "done", "failed"] {
        let n = o
            .jobs
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "inzage_jobs{{status=\"{status}\"}} {n}");
    }
    gauge(
        out,
        "inzage_jobs_oldest_due_seconds",
        "How long the oldest due job has waited (0: none due).",
        o.oldest_due_job_seconds.to_string(),
    );
    out.push_str("# HELP inzage_messages Outgoing e-mail and SMS, by channel and status.\n# TYPE inzage_messages gauge\n");
    for (channel, status, n) in &o.messages {
        let _ = writeln!(
            out,
            "inzage_messages{{channel=\"{}\",status=\"{}\"}} {n}",
            escape(channel),
            escape(status)
        );
    }
    gauge(
        out,
        "inzage_messages_oldest_queued_seconds",
        "How long the oldest message waiting to be sent has waited (0: none).",
        o.oldest_queued_message_seconds.to_string(),
    );
    let counter = |out: &mut String, name: &str, help: &str, value: u64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
        );
    };
    counter(
        out,
        "inzage_audit_read_events_queued_total",
        "Read events handed to the audit writer.",
        o.audit_events_queued,
    );
    counter(
        out,
        "inzage_audit_read_events_written_total",
        "Read events the audit writer committed.",
        o.audit_events_written,
    );
    counter(
        out,
        "inzage_audit_read_events_failed_total",
        "Read events whose batch failed (the read was refused).",
        o.audit_events_failed,
    );
    gauge(
        out,
        "inzage_audit_writer_pending",
        "Read events waiting for the audit writer.",
        o.audit_events_queued
            .saturating_sub(o.audit_events_written + o.audit_events_failed)
            .to_string(),
    );
    gauge(
        out,
        "inzage_audit_writer_lag_seconds",
        "How long the oldest event of the writer's last batch waited for its commit.",
        o.audit_writer_lag_seconds.to_string(),
    );
    gauge(
        out,
        "inzage_db_connections_in_use",
        "Database connections in use.",
        o.db_connections_in_use.to_string(),
    );
    gauge(
        out,
        "inzage_db_connections_max",
        "Database connections allowed.",
        o.db_connections_max.to_string(),
    );
    let _ = writeln!(
        out,
        "# HELP inzage_info The build and the database engine.\n# TYPE inzage_info gauge\ninzage_info{{version=\"{}\",backend=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        o.backend
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_counts_under_its_template_and_bucket() {
        let m = HttpMetrics::new(["/dossier/rapportages/{id}"].into_iter());
        m.record(
            Some("/dossier/rapportages/{id}"),
            &Method::GET,
            StatusCode::OK,
            Duration::from_millis(3),
        );
        m.record(
            None,
            &Method::POST,
            StatusCode::NOT_FOUND,
            Duration::from_secs(9),
        );
        let mut out = String::new();
        m.render(&mut out);
        assert!(out.contains(
            "inzage_http_requests_total{method=\"GET\",route=\"/dossier/rapportages/{id}\",status=\"2xx\"} 1"
        ));
        assert!(out.contains("route=\"/dossier/rapportages/{id}\",le=\"0.0025\"} 0"));
        assert!(out.contains("route=\"/dossier/rapportages/{id}\",le=\"0.005\"} 1"));
        assert!(out.contains("inzage_http_request_duration_seconds_bucket{method=\"POST\",route=\"unmatched\",le=\"+Inf\"} 1"));
        assert!(out.contains("inzage_http_request_duration_seconds_bucket{method=\"POST\",route=\"unmatched\",le=\"5\"} 0"));
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
    }
}
