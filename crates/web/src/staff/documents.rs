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
    let limit = st.services.upload_limit(&v.header.client_id).await?;
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

/// Reads the multipart upload: the text fields, and the file up to
/// `limit + 1` bytes (more is not read: "too large").
async fn read_upload(
    mut mp: axum::extract::Multipart,
    limit: usize,
) -> Result<(Vec<(String, String)>, Option<Vec<u8>>, bool), ()> {
    let mut fields = Vec::new();
    let mut file = None;
    let mut too_large = false;
    while let Some(mut field) = mp.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "bestand" {
            let mut buf = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| ())? {
                if buf.len() + chunk.len() > limit {
                    too_large = true;
                    break;
                }
                buf.extend_from_slice(&chunk);
            }
            if too_large {
                // Stop reading: the rest of the body is not needed.
                break;
            }
            file = Some(buf);
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| ())? {
                if text.len() + chunk.len() > 10_000 {
                    return Err(());
                }
                text.extend_from_slice(&chunk);
            }
            fields.push((name, String::from_utf8_lossy(&text).into_owned()));
        }
    }
    Ok((fields, file, too_large))
}

pub async fn document_upload(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    mp: axum::extract::Multipart,
) -> Result<Response, WebError> {
    // The session comes first (the extractor): nobody streams a file
    // without one.
    let client_id = ClientId::parse(&client).ok_or(WebError::NotFound)?;
    let limit = usize::try_from(st.services.upload_limit(&client_id).await?).unwrap_or(0);
    let tr = tr_of(&who.info);
    let (pairs, file, too_large) = read_upload(mp, limit)
        .await
        .map_err(|()| WebError::BadInput(tr.t("staff-upload-unreadable")))?;
    let v = who
        .open_form(&st, &client, DossierPart::Documents, field(&pairs, "csrf"))
        .await?;
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
    let bytes = if too_large {
        errors.push(tr.a("staff-upload-too-large", "limit", human_size(limit as i64)));
        None
    } else {
        match file {
            Some(b) if !b.is_empty() => {
                if inzage_service::care::sniff_content_type(&b).is_none() {
                    errors.push(tr.t("staff-upload-type-refused"));
                    None
                } else {
                    Some(b)
                }
            }
            _ => {
                errors.push(tr.t("staff-upload-no-file"));
                None
            }
        }
    };
    let (Some(title), Some(doc_type), Some(doc_date), Some(visible_to_client), Some(bytes), true) = (
        title,
        doc_type,
        date,
        form.visible,
        bytes,
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
                bytes,
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
