//! Clients' requests for staff (issue 15): the queue of open requests the
//! member can answer, a client's requests on their own tab, and one
//! request with its answer form. The service decides who answers what
//! (`inzage_service::requests`).
use super::{staff_ctx, StaffFrame, StaffSession};
use crate::auth::{page, redirect};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::portal::private;
use crate::portal::requests::{about_key, request_line, RequestLine};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use inzage_core::ids::RequestId;
use inzage_core::model::DossierPart;
use inzage_core::types::{constant_eq, display_date, display_datetime, Text};
use inzage_service::requests::{Answer, RequestStatus, ANSWER_MAX_CHARS};
use inzage_service::ServiceError;
use serde::Deserialize;

pub struct QueueRow {
    pub id: String,
    pub client_id: String,
    pub client_name: String,
    pub client_number: String,
    /// `correction`, `addition` or `network`.
    pub kind: &'static str,
    pub about_key: &'static str,
    pub asked: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "staff/request_queue.html")]
struct QueuePage {
    t: Tr,
    csrf: String,
    rows: Vec<QueueRow>,
}

/// `GET /verzoeken`: the open requests this member answers, oldest due first.
pub async fn queue(State(st): State<AppState>, who: StaffSession) -> Result<Response, WebError> {
    let (ctx, _) = staff_ctx(&who.info, who.src.clone())?;
    let lines = st.services.request_queue(&ctx).await?.into_inner();
    Ok(private(page(QueuePage {
        t: crate::portal::tr_of(&who.info),
        csrf: who.info.csrf_token.clone(),
        rows: lines
            .iter()
            .map(|l| QueueRow {
                id: l.id.to_string(),
                client_id: l.client_id.to_string(),
                client_name: l.client_name.clone(),
                client_number: l.client_number.clone(),
                kind: l.kind.code(),
                about_key: about_key(&l.about_kind),
                asked: display_datetime(l.asked_at),
                due: display_date(l.due_on),
                overdue: l.overdue,
            })
            .collect(),
    })))
}

pub struct ClientRequestRow {
    pub id: String,
    pub line: RequestLine,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "staff/requests.html")]
struct ClientRequestsPage {
    t: Tr,
    f: StaffFrame,
    rows: Vec<ClientRequestRow>,
}

/// `GET /clienten/{client}/verzoeken`: every request of this client.
pub async fn client_requests(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Requests).await?;
    let items = st
        .services
        .client_requests(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    Ok(private(page(ClientRequestsPage {
        t: v.tr,
        f: v.f,
        rows: items
            .iter()
            .map(|r| ClientRequestRow {
                id: r.id.to_string(),
                line: request_line(r),
                overdue: r.overdue,
            })
            .collect(),
    })))
}

#[derive(Template)]
#[template(path = "staff/request.html")]
struct RequestPage {
    t: Tr,
    f: StaffFrame,
    id: String,
    r: RequestLine,
    overdue: bool,
    /// The viewer answers this request now: the form.
    can_answer: bool,
    /// Open, but for someone with another role.
    not_yours: bool,
    answer: String,
    errors: Vec<String>,
    notice: Option<&'static str>,
    max: usize,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    melding: Option<String>,
}

async fn request_page_with(
    st: &AppState,
    v: super::StaffView,
    id: &str,
    answer: String,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<RequestPage, WebError> {
    let id = RequestId::parse(id).ok_or(WebError::NotFound)?;
    let r = st
        .services
        .dossier_request(&v.ctx, &v.header.client_id, &id)
        .await?
        .into_inner();
    let open = r.status == RequestStatus::Open;
    let may = v.header.may_write(r.part());
    Ok(RequestPage {
        t: v.tr,
        id: id.to_string(),
        overdue: r.overdue,
        can_answer: open && may,
        not_yours: open && !may,
        r: request_line(&r),
        f: v.f,
        answer,
        errors,
        notice,
        max: ANSWER_MAX_CHARS,
    })
}

/// `GET /clienten/{client}/verzoeken/{id}`.
pub async fn request_page(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Requests).await?;
    let notice = super::notice_key(q.melding.as_deref());
    Ok(private(page(
        request_page_with(&st, v, &id, String::new(), vec![], notice).await?,
    )))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    /// `verbeterd`, `niet-verbeteren` or `gelezen`.
    #[serde(default)]
    besluit: String,
    #[serde(default)]
    antwoord: String,
}

/// `POST /clienten/{client}/verzoeken/{id}`: the answer.
pub async fn answer(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    if !constant_eq(&who.info.csrf_token, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let v = who.open(&st, &client, DossierPart::Requests).await?;
    let request = RequestId::parse(&id).ok_or(WebError::NotFound)?;
    let text: String = f.antwoord.chars().take(ANSWER_MAX_CHARS * 2).collect();
    let tr = v.tr;
    let reason_error = || tr.a("staff-request-reason-error", "max", ANSWER_MAX_CHARS);
    let decision = match f.besluit.as_str() {
        "verbeterd" => match text.trim() {
            "" => Ok(Answer::Accept(None)),
            t => Text::parse("answer", t, ANSWER_MAX_CHARS)
                .map(|t| Answer::Accept(Some(t)))
                .map_err(|_| reason_error()),
        },
        "niet-verbeteren" => Text::parse("answer", &text, ANSWER_MAX_CHARS)
            .map(Answer::Decline)
            .map_err(|_| reason_error()),
        "gelezen" => Ok(Answer::Read),
        _ => return Err(WebError::BadInput(tr.t("request-bad-answer"))),
    };
    let base = format!("/clienten/{}/verzoeken/{request}", v.f.client_id);
    let decision = match decision {
        Ok(d) => d,
        Err(msg) => {
            let p = request_page_with(&st, v, &id, text, vec![msg], None).await?;
            return Ok(crate::portal::invalid(page(p)));
        }
    };
    match st
        .services
        .answer_request(&v.ctx, &v.header.client_id, &request, decision)
        .await
    {
        Ok(()) => Ok(redirect(&format!("{base}?melding=opgeslagen"), vec![])),
        Err(ServiceError::Stale) => Ok(redirect(&format!("{base}?melding=gewijzigd"), vec![])),
        Err(ServiceError::Invalid(_)) => Err(WebError::BadInput(tr.t("request-bad-answer"))),
        Err(e) => Err(e.into()),
    }
}
