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

/// How long the form's first field (the CSRF token) may take to arrive:
/// before it, nobody is known to have the right to send anything.
pub(crate) const FIRST_FIELD: std::time::Duration = std::time::Duration::from_secs(30);

/// What came first in an upload.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum First {
    Csrf(String),
    /// Another field, or none: the token must come first.
    NotCsrf,
    /// Unreadable, or not complete within [`FIRST_FIELD`].
    Unreadable,
}

/// Reads the form's first field, which must be the CSRF token, within
/// [`FIRST_FIELD`] (a client that drips it byte by byte is cut off).
pub(crate) async fn csrf_first(mp: &mut axum::extract::Multipart) -> First {
    let read = async {
        match mp.next_field().await {
            Ok(Some(mut f)) if f.name() == Some("csrf") => match text_field(&mut f).await {
                Ok(t) => First::Csrf(t),
                Err(()) => First::Unreadable,
            },
            Ok(_) => First::NotCsrf,
            Err(_) => First::Unreadable,
        }
    };
    tokio::time::timeout(FIRST_FIELD, read)
        .await
        .unwrap_or(First::Unreadable)
}

/// The rest of the multipart upload, after the CSRF field: the text
/// fields, and the file streamed into a temporary file up to `limit`
/// bytes (more is not read: "too large").
/// Why an upload's body was not read: the body itself (the client's
/// side: 400), or storing it (ours: a full disk is 507, else 500).
enum Unread {
    Body,
    Store(ServiceError),
}

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
    Unread,
> {
    let mut fields = Vec::new();
    let mut file = None;
    let mut too_large = false;
    while let Some(mut field) = mp.next_field().await.map_err(|_| Unread::Body)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "bestand" {
            let mut up = st
                .services
                .begin_upload(limit)
                .await
                .map_err(Unread::Store)?;
            while let Some(chunk) = field.chunk().await.map_err(|_| Unread::Body)? {
                if !up.write(&chunk).await.map_err(Unread::Store)? {
                    too_large = true;
                    break;
                }
            }
            if too_large {
                // Stop reading: the rest of the body is not needed (the
                // temporary file goes with `up`).
                break;
            }
            file = Some(up.finish().await.map_err(Unread::Store)?);
        } else {
            fields.push((
                name,
                text_field(&mut field).await.map_err(|()| Unread::Body)?,
            ));
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
    let csrf = match csrf_first(&mut mp).await {
        First::Csrf(t) => t,
        // The token must come first: nothing else is read without it.
        First::NotCsrf => return Err(WebError::CsrfFailed),
        First::Unreadable => return Err(unreadable()),
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
        Err(Unread::Body) if gate.exceeded() => (vec![], None, true),
        Err(Unread::Body) => return Err(unreadable()),
        Err(Unread::Store(e)) => return Err(e.into()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, Bytes};
    use axum::extract::FromRequest;
    use futures_util::StreamExt;

    /// An upload that sends `head` at once, then one byte of `drip` every
    /// 20 seconds (never silent for the body's idle time).
    fn dripping(head: &'static str, drip: &'static str) -> axum::extract::Request {
        let chunks = std::iter::once((Bytes::from_static(head.as_bytes()), false)).chain(
            drip.as_bytes()
                .chunks(1)
                .map(|c| (Bytes::copy_from_slice(c), true)),
        );
        let stream = futures_util::stream::iter(chunks).then(|(b, wait)| async move {
            if wait {
                tokio::time::sleep(std::time::Duration::from_secs(20)).await;
            }
            Ok::<_, std::io::Error>(b)
        });
        let (body, _gate) = crate::gated_body::gated(Body::from_stream(stream));
        axum::http::Request::builder()
            .method("POST")
            .header("content-type", "multipart/form-data; boundary=b")
            .body(body)
            .expect("request")
    }

    // Tokio's paused clock: virtual time, no real waiting.
    #[tokio::test(start_paused = true)]
    async fn the_token_must_come_first_and_in_time() {
        let form = "--b\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--b--\r\n";
        let read = |req| async move {
            let mut mp = axum::extract::Multipart::from_request(req, &())
                .await
                .expect("multipart");
            csrf_first(&mut mp).await
        };
        assert_eq!(read(dripping(form, "")).await, First::Csrf("abc".into()));
        let other = "--b\r\ncontent-disposition: form-data; name=\"titel\"\r\n\r\nx\r\n--b--\r\n";
        assert_eq!(read(dripping(other, "")).await, First::NotCsrf);
        // The token dripped in a byte per 20 s: cut off after 30 s.
        let start = tokio::time::Instant::now();
        let head = "--b\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\n";
        assert_eq!(
            read(dripping(head, "abcdefghij\r\n--b--\r\n")).await,
            First::Unreadable
        );
        assert_eq!(tokio::time::Instant::now() - start, FIRST_FIELD);
    }
}
