//! "Vraag aan je team" for staff (issue 15): the questions of one client
//! (open first), one question with its thread, an answer, "Afgehandeld".
//! The count of open questions shows on Mijn cliënten. The rules and the
//! audit are the service's (`inzage_service::questions`).
use super::{StaffFrame, StaffSession};
use crate::auth::{page, redirect};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::portal::private;
use crate::portal::questions::{question_line, refusal, QuestionLine};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use inzage_core::ids::QuestionId;
use inzage_core::model::DossierPart;
use inzage_core::types::constant_eq;
use inzage_service::questions::QUESTION_MAX_CHARS;
use inzage_service::ServiceError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "staff/questions.html")]
struct ListPage {
    t: Tr,
    f: StaffFrame,
    items: Vec<QuestionLine>,
}

/// `GET /clienten/{client}/vragen`.
pub async fn questions(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Questions).await?;
    let items = st
        .services
        .team_questions(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    Ok(private(page(ListPage {
        t: v.tr,
        f: v.f,
        items: items.iter().map(question_line).collect(),
    })))
}

#[derive(Template)]
#[template(path = "staff/question.html")]
struct QuestionPage {
    t: Tr,
    f: StaffFrame,
    q: QuestionLine,
    can_answer: bool,
    text: String,
    errors: Vec<String>,
    notice: Option<&'static str>,
    max: usize,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    melding: Option<String>,
}

async fn question_page(
    st: &AppState,
    v: super::StaffView,
    id: &str,
    text: String,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<QuestionPage, WebError> {
    let id = QuestionId::parse(id).ok_or(WebError::NotFound)?;
    let q = st
        .services
        .team_question(&v.ctx, &v.header.client_id, &id)
        .await?
        .into_inner();
    Ok(QuestionPage {
        can_answer: q.open && v.header.may_write(DossierPart::Questions),
        q: question_line(&q),
        t: v.tr,
        f: v.f,
        text,
        errors,
        notice,
        max: QUESTION_MAX_CHARS,
    })
}

/// `GET /clienten/{client}/vragen/{id}`.
pub async fn question(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Questions).await?;
    let notice = super::notice_key(q.melding.as_deref());
    Ok(private(page(
        question_page(&st, v, &id, String::new(), vec![], notice).await?,
    )))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    /// `antwoord` (with `tekst`) or `klaar`.
    #[serde(default)]
    actie: String,
    #[serde(default)]
    tekst: String,
}

/// `POST /clienten/{client}/vragen/{id}`: an answer, or "Afgehandeld".
pub async fn answer(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    if !constant_eq(&who.info.csrf_token, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let v = who.open(&st, &client, DossierPart::Questions).await?;
    let qid = QuestionId::parse(&id).ok_or(WebError::NotFound)?;
    let base = format!("/clienten/{}/vragen/{qid}", v.f.client_id);
    let text: String = f.tekst.chars().take(QUESTION_MAX_CHARS * 2).collect();
    let done = match f.actie.as_str() {
        "antwoord" => {
            st.services
                .add_to_question(&v.ctx, &v.header.client_id, &qid, &text)
                .await
        }
        "klaar" => {
            st.services
                .close_question(&v.ctx, &v.header.client_id, &qid)
                .await
        }
        _ => return Err(WebError::BadInput(v.tr.t("request-bad-answer"))),
    };
    match done {
        Ok(()) => Ok(redirect(&format!("{base}?melding=opgeslagen"), vec![])),
        Err(ServiceError::Stale) => Ok(redirect(&format!("{base}?melding=gewijzigd"), vec![])),
        Err(ServiceError::Invalid(e)) => {
            let msg = refusal(v.tr, &e);
            let p = question_page(&st, v, &id, text, vec![msg], None).await?;
            Ok(crate::portal::invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}
