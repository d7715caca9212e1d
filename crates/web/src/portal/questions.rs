//! "Vraag aan je team" in the portal (issue 15): ask the team a short
//! question, read the answers, reply while it is open. Every page says it
//! is not for emergencies, with the organisation's number and 112. The
//! rules and the audit are the service's (`inzage_service::questions`).
use super::{invalid, private, Frame, Opened};
use crate::auth::{page, redirect};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use inzage_core::ids::QuestionId;
use inzage_core::types::{constant_eq, display_datetime};
use inzage_service::questions::{Question, QUESTION_MAX_CHARS};
use inzage_service::ServiceError;
use serde::Deserialize;

pub struct MessageLine {
    pub from_team: bool,
    pub author: String,
    pub when: String,
    pub paragraphs: Vec<String>,
}

pub struct QuestionLine {
    pub id: String,
    pub asker: String,
    pub by_contact_person: bool,
    pub when: String,
    pub open: bool,
    pub done_by: String,
    pub done_when: String,
    pub messages: Vec<MessageLine>,
    pub answers: usize,
}

fn paragraphs(text: &str) -> Vec<String> {
    text.split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn question_line(q: &Question) -> QuestionLine {
    QuestionLine {
        id: q.id.to_string(),
        asker: q.asker_name.clone(),
        by_contact_person: q.by_contact_person,
        when: display_datetime(q.asked_at),
        open: q.open,
        done_by: q.done_by_name.clone().unwrap_or_default(),
        done_when: q.done_at.map(display_datetime).unwrap_or_default(),
        answers: q.messages.iter().filter(|m| m.from_team).count(),
        messages: q
            .messages
            .iter()
            .map(|m| MessageLine {
                from_team: m.from_team,
                author: m.author_name.clone(),
                when: display_datetime(m.at),
                paragraphs: paragraphs(&m.body),
            })
            .collect(),
    }
}

/// The message for a refused question or reply, in the viewer's words.
pub fn refusal(tr: Tr, e: &inzage_core::types::FieldError) -> String {
    if e.message.contains("too many") {
        tr.t("question-too-many")
    } else if e.message.contains("direction") {
        tr.t("request-bad-characters")
    } else {
        tr.a("question-error", "max", QUESTION_MAX_CHARS)
    }
}

#[derive(Template)]
#[template(path = "portal/questions.html")]
struct ListPage {
    t: Tr,
    f: Frame,
    items: Vec<QuestionLine>,
    text: String,
    error: Option<String>,
    sent: bool,
    max: usize,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    melding: Option<String>,
}

async fn list_page(
    st: &AppState,
    v: &super::Viewer,
    text: String,
    error: Option<String>,
    sent: bool,
) -> Result<ListPage, WebError> {
    let items = st
        .services
        .team_questions(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    Ok(ListPage {
        t: v.tr,
        f: v.frame.clone(),
        items: items.iter().map(question_line).collect(),
        text,
        error,
        sent,
        max: QUESTION_MAX_CHARS,
    })
}

/// `GET /dossier/vragen`.
pub async fn list(
    State(st): State<AppState>,
    Opened(v): Opened,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let sent = q.melding.as_deref() == Some("verstuurd");
    Ok(private(page(
        list_page(&st, &v, String::new(), None, sent).await?,
    )))
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    tekst: String,
}

/// `POST /dossier/vragen`: a new question. A refused text comes back.
pub async fn ask(
    State(st): State<AppState>,
    Opened(v): Opened,
    Form(f): Form<TextForm>,
) -> Result<Response, WebError> {
    if !constant_eq(&v.frame.csrf, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let text: String = f.tekst.chars().take(QUESTION_MAX_CHARS * 2).collect();
    match st
        .services
        .ask_team(&v.ctx, &v.header.client_id, &text)
        .await
    {
        Ok(_) => Ok(redirect("/dossier/vragen?melding=verstuurd", vec![])),
        Err(ServiceError::Invalid(e)) => {
            let msg = refusal(v.tr, &e);
            Ok(invalid(page(
                list_page(&st, &v, text, Some(msg), false).await?,
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal/question.html")]
struct QuestionPage {
    t: Tr,
    f: Frame,
    q: QuestionLine,
    /// The viewer asked it (and may reply while it is open).
    mine: bool,
    text: String,
    error: Option<String>,
    notice: bool,
    max: usize,
}

async fn question_page(
    st: &AppState,
    v: &super::Viewer,
    id: &str,
    text: String,
    error: Option<String>,
    notice: bool,
) -> Result<QuestionPage, WebError> {
    let id = QuestionId::parse(id).ok_or(WebError::NotFound)?;
    let q = st
        .services
        .team_question(&v.ctx, &v.header.client_id, &id)
        .await?
        .into_inner();
    // The client replies in their own questions; a contact person sees only theirs.
    let mine = q.by_contact_person != v.frame.viewer_is_client;
    Ok(QuestionPage {
        t: v.tr,
        f: v.frame.clone(),
        q: question_line(&q),
        mine,
        text,
        error,
        notice,
        max: QUESTION_MAX_CHARS,
    })
}

/// `GET /dossier/vragen/{id}`.
pub async fn question(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let notice = q.melding.as_deref() == Some("verstuurd");
    Ok(private(page(
        question_page(&st, &v, &id, String::new(), None, notice).await?,
    )))
}

/// `POST /dossier/vragen/{id}`: a reply in the viewer's own open question.
pub async fn reply(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
    Form(f): Form<TextForm>,
) -> Result<Response, WebError> {
    if !constant_eq(&v.frame.csrf, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let qid = QuestionId::parse(&id).ok_or(WebError::NotFound)?;
    let text: String = f.tekst.chars().take(QUESTION_MAX_CHARS * 2).collect();
    match st
        .services
        .add_to_question(&v.ctx, &v.header.client_id, &qid, &text)
        .await
    {
        Ok(()) => Ok(redirect(
            &format!("/dossier/vragen/{qid}?melding=verstuurd"),
            vec![],
        )),
        Err(ServiceError::Stale) => Ok(redirect(&format!("/dossier/vragen/{qid}"), vec![])),
        Err(ServiceError::Invalid(e)) => {
            let msg = refusal(v.tr, &e);
            Ok(invalid(page(
                question_page(&st, &v, &id, text, Some(msg), false).await?,
            )))
        }
        Err(e) => Err(e.into()),
    }
}
