//! The privacy officer's audit viewer: search the organisation's NEN 7513
//! log by client number, staff member, period and action; denied attempts
//! stand out; the same result as CSV. The service decides who may search
//! (privacy officers only) and records every search (a CSV as an export).
use crate::auth::{page, signed_in, Source};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::portal::{here, parse_filter_date, private, role_key, tr_of};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use inzage_core::model::{AuditAction, Principal};
use inzage_core::types::{display_datetime, local_date, local_midnight_utc};
use inzage_service::{AuditQuery, AuditView, Ctx};
use serde::Deserialize;

/// Lines shown on the page; the CSV holds up to the service's maximum.
const PAGE_LIMIT: i64 = 500;
const CSV_LIMIT: i64 = 10_000;

#[derive(Deserialize, Default)]
pub struct AuditParams {
    client: Option<String>,
    medewerker: Option<String>,
    van: Option<String>,
    tot: Option<String>,
    actie: Option<String>,
    geweigerd: Option<String>,
}

/// The query string of the same search, for the CSV link.
fn query_string(p: &AuditParams) -> String {
    let pairs = [
        ("client", &p.client),
        ("medewerker", &p.medewerker),
        ("van", &p.van),
        ("tot", &p.tot),
        ("actie", &p.actie),
        ("geweigerd", &p.geweigerd),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", crate::auth::urlencode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn action_key(code: &str) -> String {
    format!("audit-action-{}", code.replace('_', "-"))
}

/// Parses the filters; a bad date or action is a message, not a 500.
fn parse(tr: Tr, p: &AuditParams, now: DateTime<Utc>) -> Result<AuditQuery, WebError> {
    let date = |s: &Option<String>| {
        parse_filter_date(s.as_deref().unwrap_or(""))
            .map_err(|()| WebError::BadInput(tr.t("bad-date")))
    };
    let from = date(&p.van)?;
    let until = date(&p.tot)?;
    if let (Some(f), Some(u)) = (from, until) {
        if f > u {
            return Err(WebError::BadInput(tr.t("bad-period-order")));
        }
    }
    let action = match p.actie.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(a) => Some(
            AuditAction::from_code(a)
                .ok_or_else(|| WebError::BadInput(tr.t("staff-bad-choice")))?
                .code()
                .to_owned(),
        ),
    };
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(254).collect::<String>())
    };
    // Without dates: the last 7 days.
    let from = match (from, until) {
        (None, None) => Some(local_date(now) - Duration::days(6)),
        _ => from,
    };
    Ok(AuditQuery {
        client_number: text(&p.client),
        staff_email: text(&p.medewerker),
        from: from.map(local_midnight_utc),
        until: until.map(|d| local_midnight_utc(d + Duration::days(1))),
        action,
        denied_only: p.geweigerd.as_deref() == Some("1"),
        ..AuditQuery::default()
    })
}

pub struct AuditRow {
    pub when: String,
    pub who: String,
    pub role_key: &'static str,
    pub role_code: String,
    pub client: String,
    pub what: String,
    pub action_key: String,
    pub denied: bool,
    pub reason: String,
    /// The client's network address (NEN 7513: from where).
    pub source: String,
}

fn row(v: &AuditView) -> AuditRow {
    let r = &v.record;
    let when = DateTime::parse_from_rfc3339(&r.occurred_at)
        .map(|t| display_datetime(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| r.occurred_at.clone());
    AuditRow {
        when,
        who: v
            .actor_name
            .clone()
            .unwrap_or_else(|| format!("{}:{}", r.actor_kind, r.actor_id)),
        role_key: role_key(&r.actor_role),
        role_code: r.actor_role.clone(),
        client: v.client_number.clone().unwrap_or_default(),
        what: r.data_kind.clone(),
        action_key: action_key(&r.action),
        denied: r.outcome == "denied",
        reason: r.reason.clone().unwrap_or_default(),
        source: r.source_addr.clone().unwrap_or_default(),
    }
}

pub struct ActionChoice {
    pub code: &'static str,
    pub key: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    csrf: String,
    client: String,
    staff: String,
    from: String,
    until: String,
    action: String,
    denied_only: bool,
    actions: Vec<ActionChoice>,
    rows: Vec<AuditRow>,
    limited: bool,
    limit: i64,
    csv: String,
}

async fn search(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    src: Option<String>,
    p: &AuditParams,
    limit: i64,
    export: bool,
) -> Result<Result<(Tr, String, Vec<AuditView>), Response>, WebError> {
    let (_, info) = match signed_in(st, headers, &here(uri)).await? {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    let tr = tr_of(&info);
    let principal = match &info.principal {
        Some(p @ Principal::Staff { .. }) => p.clone(),
        _ => return Err(WebError::NotFound),
    };
    let mut ctx = Ctx::new(principal).with_facts(&info.facts);
    ctx.source_addr = src;
    let q = AuditQuery {
        limit,
        export,
        ..parse(tr, p, st.services.now())?
    };
    let lines = st.services.audit_viewer(&ctx, q).await?.into_inner();
    Ok(Ok((tr, info.csrf_token, lines)))
}

pub async fn audit_page(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Query(p): Query<AuditParams>,
) -> Result<Response, WebError> {
    let (tr, csrf, lines) = match search(&st, &headers, &uri, src, &p, PAGE_LIMIT, false).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let qs = query_string(&p);
    Ok(private(page(AuditPage {
        t: tr,
        csrf,
        client: p.client.clone().unwrap_or_default(),
        staff: p.medewerker.clone().unwrap_or_default(),
        from: p.van.clone().unwrap_or_default(),
        until: p.tot.clone().unwrap_or_default(),
        action: p.actie.clone().unwrap_or_default(),
        denied_only: p.geweigerd.as_deref() == Some("1"),
        actions: AuditAction::ALL
            .iter()
            .map(|a| ActionChoice {
                code: a.code(),
                key: action_key(a.code()),
            })
            .collect(),
        limited: lines.len() as i64 >= PAGE_LIMIT,
        limit: PAGE_LIMIT,
        rows: lines.iter().map(row).collect(),
        csv: if qs.is_empty() {
            "/audit.csv".into()
        } else {
            format!("/audit.csv?{qs}")
        },
    })))
}

/// One CSV field: quoted, quotes doubled, and a leading `=`, `+`, `-`, `@`
/// (or tab/CR) neutralised so a spreadsheet never runs it as a formula.
fn csv_field(s: &str) -> String {
    let mut v = String::with_capacity(s.len() + 3);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.push('\'');
    }
    v.push_str(s);
    format!("\"{}\"", v.replace('"', "\"\""))
}

pub fn csv(lines: &[AuditView]) -> String {
    let mut out = String::from(
        "seq,occurred_at,actor_kind,actor_id,actor_name,actor_role,on_behalf_of,client_number,client_id,data_kind,data_id,action,outcome,reason,source_addr,hash\r\n",
    );
    for v in lines {
        let r = &v.record;
        let fields = [
            r.seq.to_string(),
            r.occurred_at.clone(),
            r.actor_kind.clone(),
            r.actor_id.clone(),
            v.actor_name.clone().unwrap_or_default(),
            r.actor_role.clone(),
            r.on_behalf_of.clone().unwrap_or_default(),
            v.client_number.clone().unwrap_or_default(),
            r.client_id.clone().unwrap_or_default(),
            r.data_kind.clone(),
            r.data_id.clone().unwrap_or_default(),
            r.action.clone(),
            r.outcome.clone(),
            r.reason.clone().unwrap_or_default(),
            r.source_addr.clone().unwrap_or_default(),
            r.hash.clone(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

pub async fn audit_csv(
    State(st): State<AppState>,
    Source(src): Source,
    headers: HeaderMap,
    uri: Uri,
    Query(p): Query<AuditParams>,
) -> Result<Response, WebError> {
    let (_, _, lines) = match search(&st, &headers, &uri, src, &p, CSV_LIMIT, true).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let name = format!(
        "auditlog-{}.csv",
        local_date(st.services.now()).format("%Y-%m-%d")
    );
    Ok(private(
        (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            csv(&lines),
        )
            .into_response(),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(super::csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(
            super::csv_field("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(super::csv_field("@SUM"), "\"'@SUM\"");
        assert_eq!(super::csv_field("gewoon"), "\"gewoon\"");
    }
}

#[cfg(test)]
mod properties {
    use super::csv_field;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// Issue 16 item 6: any value is one quoted field that a
        /// spreadsheet never reads as a formula, and reads back as itself
        /// (with a leading quote where it would have been one).
        #[test]
        fn one_field_never_a_formula(s in prop_oneof![".{0,60}", "[=+@\t\r\"-][-=+@\",\n a-z]{0,20}"]) {
            let f = csv_field(&s);
            prop_assert!(f.starts_with('"') && f.ends_with('"') && f.len() >= 2);
            let inner = &f[1..f.len() - 1];
            prop_assert!(!inner.replace("\"\"", "").contains('"'), "every quote doubled");
            let value = inner.replace("\"\"", "\"");
            prop_assert!(!value.starts_with(['=', '+', '-', '@', '\t', '\r']));
            let expected = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{s}")
            } else {
                s.clone()
            };
            prop_assert_eq!(value, expected);
        }
    }
}
