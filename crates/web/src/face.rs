//! The organisation's own face on every page (issue 14): its display name
//! and logo in the header, its servicedesk and help link in the footer,
//! its words (sector) before sign-in. One statement per page request
//! (`Services::servicedesk`) finds the organisation of whoever looks: the
//! session's, else the one the request's host name maps to
//! (`host_organisations`), else the installation's default. The base
//! template reads it through the functions below, so no page has to carry
//! it in its own struct.
use crate::AppState;
use axum::extract::State;
use axum::http::header::HOST;
use axum::response::Response;
use inzage_service::admin::Servicedesk;
use std::sync::Arc;

tokio::task_local! {
    static FACE: Arc<Servicedesk>;
}

/// The face of this request (`None` outside a page request).
pub(crate) fn current() -> Option<Arc<Servicedesk>> {
    FACE.try_with(Arc::clone).ok()
}

/// The name in the header: the organisation's display name, else "Inzage".
pub fn header_name() -> String {
    current()
        .map(|f| f.organisation_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Inzage".into())
}

/// The logo's address, or empty when the organisation has none.
pub fn logo_src() -> String {
    match current() {
        Some(f) if f.has_logo => f
            .organisation_id
            .as_deref()
            .map(|id| format!("/organisatie/{id}/logo"))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The servicedesk's e-mail address, phone number and help link (empty
/// when not set), for the footer.
pub fn servicedesk_email() -> String {
    current().and_then(|f| f.email.clone()).unwrap_or_default()
}
pub fn servicedesk_phone() -> String {
    current().and_then(|f| f.phone.clone()).unwrap_or_default()
}
/// The phone number for a `tel:` link: digits and a leading +.
pub fn servicedesk_tel() -> String {
    servicedesk_phone()
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}
pub fn help_url() -> String {
    current()
        .and_then(|f| f.help_url.clone())
        .unwrap_or_default()
}

/// The organisation's idle timeout in minutes (15 when unknown).
pub fn idle_minutes() -> i64 {
    current().map_or(15, |f| f.idle_timeout_minutes.max(1))
}

/// Days the organisation gives itself to answer a client's request
/// (issue 15; 28 when unknown).
pub fn request_days() -> i64 {
    current().map_or(28, |f| f.request_due_days.max(1))
}

/// The organisation's number for urgent matters, if set (issue 15).
pub fn emergency_phone() -> String {
    current()
        .and_then(|f| f.emergency_phone.clone())
        .unwrap_or_default()
}

/// [`emergency_phone`] for a `tel:` link: digits and a leading +.
pub fn emergency_tel() -> String {
    // "+31 (0)20 …": the (0) is not dialled after a country code.
    let number = emergency_phone();
    let number = if number.trim_start().starts_with('+') {
        number.replace("(0)", "")
    } else {
        number
    };
    number
        .trim()
        .chars()
        .enumerate()
        .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
        .map(|(_, c)| c)
        .collect()
}

/// When the idle warning shows: two minutes before the end (at least one
/// minute after the last page load).
pub fn warn_after_minutes() -> i64 {
    (idle_minutes() - 2).max(1)
}

/// The sector of the organisation of whoever looks.
pub(crate) fn sector() -> crate::i18n::Sector {
    current().map(|f| f.sector).unwrap_or_default()
}

/// Host name → organisation (id or registered name), from configuration.
#[derive(Clone, Debug, Default)]
pub struct HostOrganisations(Vec<(String, String)>);

impl HostOrganisations {
    /// Parses `host=organisation, host2=organisation2`; host names are
    /// matched without port and case.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((host, org)) = item.split_once('=') else {
                return Err(format!(
                    "host_organisations: \"{item}\" is not host=organisation"
                ));
            };
            let (host, org) = (host.trim().to_ascii_lowercase(), org.trim().to_owned());
            if host.is_empty() || org.is_empty() {
                return Err(format!(
                    "host_organisations: \"{item}\" is not host=organisation"
                ));
            }
            out.push((host, org));
        }
        Ok(Self(out))
    }

    fn of(&self, host: &str) -> Option<&str> {
        let host = host.rsplit_once(':').map_or(host, |(h, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        self.0
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(host))
            .map(|(_, o)| o.as_str())
    }
}

/// Middleware: finds the face of the request's organisation and runs the
/// rest of the request with it. Static files and the health check skip it.
pub(crate) async fn layer(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    if path.starts_with("/static/") || path == "/healthz" || path.ends_with("/logo") {
        return next.run(req).await;
    }
    let session = crate::auth::cookie(req.headers(), st.cookies.session()).map(str::to_owned);
    let host_org = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| st.hosts.of(h))
        .map(str::to_owned);
    let face = st
        .services
        .servicedesk(session.as_deref(), host_org.as_deref())
        .await
        .unwrap_or_default();
    FACE.scope(Arc::new(face), next.run(req)).await
}

#[cfg(test)]
mod tests {
    use super::HostOrganisations;

    #[test]
    fn host_names_map_without_port_or_case() {
        let h =
            HostOrganisations::parse("portaal.zorg.nl = Zorg, mijn.ggz.nl=GGZ Oost").expect("ok");
        assert_eq!(h.of("Portaal.Zorg.nl:443"), Some("Zorg"));
        assert_eq!(h.of("mijn.ggz.nl"), Some("GGZ Oost"));
        assert_eq!(h.of("elders.nl"), None);
        assert!(HostOrganisations::parse("zonder-is-teken").is_err());
        assert!(HostOrganisations::parse("a=").is_err());
        assert!(HostOrganisations::parse("")
            .expect("empty")
            .of("x")
            .is_none());
    }
}
