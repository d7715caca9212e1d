//! Documenten: upload (typed by content, size-limited), open, remove.
use super::*;
// ---------- Documenten ----------

pub struct StaffDocumentLine {
    pub id: String,
    pub title: String,
    pub doc_type: String,
    pub date: String,
    pub kind_key: &'static str,
    pub size: String,
    pub hidden: bool,
}

/// The upload form as typed (the file itself is never kept).
#[derive(Default)]
pub struct UploadForm {
    pub title: String,
    pub doc_type: String,
    pub date: String,
    pub visible: Option<bool>,
}

#[derive(Template)]
#[template(path = "staff/documents.html")]
struct DocumentsPage {
    t: Tr,
    f: StaffFrame,
    documents: Vec<StaffDocumentLine>,
    can_write: bool,
    limit: String,
    form: UploadForm,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

async fn documents_page(
    st: &AppState,
    v: StaffView,
    form: UploadForm,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<DocumentsPage, WebError> {
    let list = st
        .services
        .list_documents(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let limit = if v.header.may_write(DossierPart::Documents) {
        st.services
            .upload_limit(&v.ctx, &v.header.client_id)
            .await?
    } else {
        0
    };
    Ok(DocumentsPage {
        documents: list
            .iter()
            .map(|d| StaffDocumentLine {
                id: d.id.to_string(),
                title: d.title.clone(),
                doc_type: d.doc_type.clone(),
                date: display_date(d.doc_date),
                kind_key: kind_key(&d.content_type),
                size: human_size(d.size_bytes),
                hidden: !d.visible_to_client,
            })
            .collect(),
        can_write: v.header.may_write(DossierPart::Documents),
        limit: human_size(limit),
        form,
        errors,
        notice,
        t: v.tr,
        f: v.f,
    })
}

pub async fn documents(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Documents).await?;
    let notice = match q.melding.as_deref() {
        Some("opgeslagen") => Some("staff-notice-document-uploaded"),
        Some("verwijderd") => Some("staff-notice-document-removed"),
        Some("gewijzigd") => Some("staff-notice-network-stale"),
        _ => None,
    };
    let p = documents_page(&st, v, UploadForm::default(), vec![], notice).await?;
    Ok(private(page(p)))
}

/// The most the upload route reads, whatever the organisation's limit (the
/// settings allow at most 1 GiB); the real limit is checked while reading.
pub const UPLOAD_BODY_MAX: usize = 1024 * 1024 * 1024 + 1024 * 1024;

/// A text field of the upload form, read whole (at most 10,000 bytes).
async fn text_field(field: &mut axum::extract::multipart::Field<'_>) -> Result<String, ()> {
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| ())? {
        if text.len() + chunk.len() > 10_000 {
            return Err(());
        }
        text.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// The rest of the multipart upload, after the CSRF field: the text
/// fields, and the file streamed into a temporary file up to `limit`
/// bytes (more is not read: "too large").
async fn read_upload(
    st: &AppState,
    mp: &mut axum::extract::Multipart,
    limit: i64,
) -> Result<
    (
        Vec<(String, String)>,
        Option<inzage_service::blobs::Received>,
        bool,
    ),
    (),
> {
    let mut fields = Vec::new();
    let mut file = None;
    let mut too_large = false;
    while let Some(mut field) = mp.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "bestand" {
            let mut up = st.services.begin_upload(limit).await.map_err(|_| ())?;
            while let Some(chunk) = field.chunk().await.map_err(|_| ())? {
                if !up.write(&chunk).await.map_err(|_| ())? {
                    too_large = true;
                    break;
                }
            }
            if too_large {
                // Stop reading: the rest of the body is not needed (the
                // temporary file goes with `up`).
                break;
            }
            file = Some(up.finish().await.map_err(|_| ())?);
        } else {
            fields.push((name, text_field(&mut field).await?));
        }
    }
    Ok((fields, file, too_large))
}

/// Uploads a document. Before the body is read: the session (the
/// extractor), then the CSRF token (the form's first field), then the
/// member's right to add documents; only then is the file streamed, into a
/// temporary file, with the organisation's limit enforced as it comes in.
pub async fn document_upload(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, WebError> {
    let tr = tr_of(&who.info);
    let unreadable = || WebError::BadInput(tr.t("staff-upload-unreadable"));
    // The body stays behind a gate (its first field only) until the checks
    // below passed; the multipart parser would otherwise read ahead.
    let (parts, body) = req.into_parts();
    let (body, gate) = crate::gated_body::gated(body);
    let mut mp = <axum::extract::Multipart as axum::extract::FromRequest<AppState>>::from_request(
        axum::extract::Request::from_parts(parts, body),
        &st,
    )
    .await
    .map_err(|_| unreadable())?;
    let csrf = match mp.next_field().await {
        Ok(Some(mut f)) if f.name() == Some("csrf") => {
            text_field(&mut f).await.map_err(|()| unreadable())?
        }
        // The token must come first: nothing else is read without it.
        Ok(_) => return Err(WebError::CsrfFailed),
        Err(_) => return Err(unreadable()),
    };
    let v = who
        .open_form(&st, &client, DossierPart::Documents, &csrf)
        .await?;
    if !v.header.may_write(DossierPart::Documents) {
        return Err(WebError::Forbidden);
    }
    let limit = st
        .services
        .upload_limit(&v.ctx, &v.header.client_id)
        .await?;
    // The file and the form's other fields, with room for the multipart
    // framing; more is not read.
    gate.open(usize::try_from(limit).unwrap_or(0) + 64 * 1024);
    let (pairs, file, too_large) = match read_upload(&st, &mut mp, limit).await {
        Ok(read) => read,
        Err(()) if gate.exceeded() => (vec![], None, true),
        Err(()) => return Err(unreadable()),
    };
    let cut = |n: &str| field(&pairs, n).chars().take(200).collect::<String>();
    let form = UploadForm {
        title: cut("titel"),
        doc_type: cut("soort"),
        date: cut("datum"),
        visible: match field(&pairs, "zichtbaar") {
            "ja" => Some(true),
            "nee" => Some(false),
            _ => None,
        },
    };
    let mut errors = Vec::new();
    let title = Label::parse("title", &form.title)
        .map_err(|_| errors.push(tr.t("staff-upload-title-error")))
        .ok();
    let doc_type = Label::parse("doc_type", &form.doc_type)
        .map_err(|_| errors.push(tr.t("staff-upload-type-error")))
        .ok();
    let date = match parse_filter_date(&form.date) {
        Ok(Some(d)) => Some(d),
        _ => {
            errors.push(tr.t("bad-date"));
            None
        }
    };
    if form.visible.is_none() {
        errors.push(tr.t("staff-upload-visible-error"));
    }
    let content = if too_large {
        errors.push(tr.a("staff-upload-too-large", "limit", human_size(limit)));
        None
    } else {
        match file {
            Some(f) if f.size > 0 => {
                if inzage_service::care::sniff_content_type(&f.head).is_none() {
                    errors.push(tr.t("staff-upload-type-refused"));
                    None
                } else {
                    Some(f)
                }
            }
            _ => {
                errors.push(tr.t("staff-upload-no-file"));
                None
            }
        }
    };
    let (Some(title), Some(doc_type), Some(doc_date), Some(visible_to_client), Some(content), true) = (
        title,
        doc_type,
        date,
        form.visible,
        content,
        errors.is_empty(),
    ) else {
        return Ok(invalid(page(
            documents_page(&st, v, form, errors, None).await?,
        )));
    };
    match st
        .services
        .upload_document(
            &v.ctx,
            &v.header.client_id,
            inzage_service::care::NewDocument {
                title,
                doc_type,
                doc_date,
                visible_to_client,
                content,
            },
        )
        .await
    {
        Ok(_) => Ok(redirect(
            &format!("/clienten/{}/documenten?melding=opgeslagen", v.f.client_id),
            vec![],
        )),
        Err(ServiceError::Invalid(_)) => {
            let e = vec![tr.t("staff-upload-type-refused")];
            Ok(invalid(page(documents_page(&st, v, form, e, None).await?)))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn document_view(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Documents).await?;
    document_response(&st, &v.ctx, &v.header.client_id, &id, false).await
}

/// Removes a document (soft delete) with a reason.
pub async fn document_remove(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Documents, field(&pairs, "csrf"))
        .await?;
    let id = DocumentId::parse(&id).ok_or(WebError::NotFound)?;
    let Ok(reason) = Text::parse("reason", field(&pairs, "reden"), 500) else {
        return Err(WebError::BadInput(v.tr.t("staff-remove-reason-error")));
    };
    let list = format!("/clienten/{}/documenten", v.f.client_id);
    // Only this client's documents, from this client's page.
    let mine = st
        .services
        .list_documents(&v.ctx, &v.header.client_id)
        .await?
        .into_inner()
        .iter()
        .any(|d| d.id == id);
    if !mine {
        return Err(WebError::NotFound);
    }
    match st.services.remove_document(&v.ctx, &id, reason).await {
        Ok(()) => Ok(redirect(&format!("{list}?melding=verwijderd"), vec![])),
        Err(ServiceError::Stale) => Ok(redirect(&format!("{list}?melding=gewijzigd"), vec![])),
        Err(e) => Err(e.into()),
    }
}
