//! Outgoing e-mail and SMS. A message is queued in the database in the
//! same transaction as the event that causes it, with a `deliver_message`
//! job; the job hands it to the configured transport and then erases the
//! body (it may hold a link or a code). Transports: the outbox folder
//! (development default: one `.eml` or `.txt` file per message), SMTP
//! (lettre) and an HTTP SMS gateway.
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::new_id;
use chrono::{DateTime, Utc};
use inzage_core::types::ts;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// A message ready for a transport.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub id: String,
    pub channel: Channel,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// The holder's organisation's logo, shown at the top of an e-mail
    /// (issue 14). Without one the e-mail is plain text only.
    pub logo: Option<MailLogo>,
    /// A notification's one-click unsubscribe address (RFC 8058).
    pub list_unsubscribe: Option<String>,
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl lettre::message::header::Header for ListUnsubscribe {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the
/// mail program's own button unsubscribes with one POST.
#[derive(Clone)]
struct ListUnsubscribePost;

impl lettre::message::header::Header for ListUnsubscribePost {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

/// An organisation's logo for the HTML part of an e-mail.
#[derive(Clone, Debug)]
pub struct MailLogo {
    /// `image/png` or `image/jpeg` (checked by content at upload).
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// The organisation's display name: the image's text alternative.
    pub organisation: String,
    /// The holder's language (`nl` or `en`), for the HTML's `lang`.
    pub lang: String,
}

/// Where messages go.
pub trait Transport: Send + Sync + 'static {
    /// A short name for the message table ("outbox", "smtp", "sms-gateway").
    fn name(&self, channel: Channel) -> &'static str;
    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> crate::BoxFut<'a, Result<()>>;
}

/// The From address for e-mail.
#[derive(Clone, Debug)]
pub struct Sender {
    pub from: String,
}

impl Default for Sender {
    fn default() -> Self {
        Self {
            from: "Inzage <noreply@inzage.invalid>".into(),
        }
    }
}

/// Builds the RFC 5322 bytes of an e-mail.
pub fn format_email(sender: &Sender, msg: &Outgoing) -> Result<Vec<u8>> {
    Ok(lettre_message(sender, msg)?.formatted())
}

/// Development default: every message becomes a file in a folder.
pub struct Outbox {
    pub dir: PathBuf,
    pub sender: Sender,
}

impl Outbox {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            sender: Sender::default(),
        }
    }
}

impl Transport for Outbox {
    fn name(&self, _channel: Channel) -> &'static str {
        "outbox"
    }
    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> crate::BoxFut<'a, Result<()>> {
        Box::pin(async move {
            std::fs::create_dir_all(&self.dir)
                .map_err(|e| ServiceError::Internal(format!("outbox: {e}")))?;
            let stamp = msg.created_at.format("%Y%m%dT%H%M%S");
            let (name, bytes) = match msg.channel {
                Channel::Email => (
                    format!("{stamp}-{}.eml", msg.id),
                    format_email(&self.sender, msg)?,
                ),
                Channel::Sms => (
                    format!("{stamp}-{}.txt", msg.id),
                    format!("To: {}\n\n{}\n", msg.recipient, msg.body).into_bytes(),
                ),
            };
            let tmp = self.dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, &bytes)
                .map_err(|e| ServiceError::Internal(format!("outbox: {e}")))?;
            std::fs::rename(&tmp, self.dir.join(name))
                .map_err(|e| ServiceError::Internal(format!("outbox: {e}")))?;
            Ok(())
        })
    }
}

pub(crate) struct NewMessage<'a> {
    pub channel: Channel,
    pub recipient: &'a str,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    pub purpose: &'a str,
    pub account_id: Option<&'a str>,
}

/// Queues a message and its delivery job inside `tx`.
pub(crate) async fn queue(tx: &mut Tx, now: DateTime<Utc>, m: NewMessage<'_>) -> Result<String> {
    queue_with(tx, now, m, None).await
}

/// [`queue`], for an e-mail with a one-click unsubscribe address (RFC
/// 8058): it goes into the `List-Unsubscribe` header and is erased with
/// the body after delivery.
pub(crate) async fn queue_with(
    tx: &mut Tx,
    now: DateTime<Utc>,
    m: NewMessage<'_>,
    list_unsubscribe: Option<&str>,
) -> Result<String> {
    let id = new_id();
    // Every e-mail ends with the name of the holder's organisation (its
    // display name), so the recipient sees who writes (issue 14).
    let signed;
    let body = match (m.channel, m.account_id) {
        (Channel::Email, Some(account)) => {
            let r = crate::sql::query(
                "SELECT COALESCE(o.display_name, o.name) AS n FROM account a \
                 JOIN organisation o ON o.id = a.organisation_id WHERE a.id = $1",
            )
            .bind(account)
            .fetch_optional(&mut **tx)
            .await?;
            match r {
                Some(r) => {
                    signed = format!("{}\n-- \n{}\n", m.body.trim_end(), crate::row::s(&r, "n")?);
                    signed.as_str()
                }
                None => m.body,
            }
        }
        _ => m.body,
    };
    crate::sql::query(
        "INSERT INTO message (id, channel, recipient, subject, body, purpose, account_id, status, created_at, \
         list_unsubscribe) VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9)",
    )
    .bind(&id)
    .bind(m.channel.code())
    .bind(m.recipient)
    .bind(m.subject)
    .bind(body)
    .bind(m.purpose)
    .bind(m.account_id)
    .bind(ts(now))
    .bind(list_unsubscribe)
    .execute(&mut **tx)
    .await?;
    crate::jobs::enqueue(tx, crate::jobs::DELIVER_MESSAGE, &id, now, now).await?;
    Ok(id)
}

/// Builds the lettre message for an e-mail.
fn lettre_message(sender: &Sender, msg: &Outgoing) -> Result<lettre::Message> {
    use lettre::message::{header::ContentType, Mailbox, Message};
    let from: Mailbox = sender
        .from
        .parse()
        .map_err(|e| ServiceError::Config(format!("mail from address: {e}")))?;
    let to: Mailbox = msg
        .recipient
        .parse()
        .map_err(|e| ServiceError::Internal(format!("recipient: {e}")))?;
    let subject = msg.subject.clone().unwrap_or_default();
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(subject.clone())
        .date(msg.created_at.into())
        // Stable per message: a retry after a crash between sending and
        // marking it sent carries the same Message-ID, so mail systems can
        // drop the duplicate (SMTP itself is at-least-once).
        .message_id(Some(format!("<{}@inzage>", msg.id)));
    if let Some(url) = &msg.list_unsubscribe {
        builder = builder
            .header(ListUnsubscribe(url.clone()))
            .header(ListUnsubscribePost);
    }
    let built = match &msg.logo {
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(msg.body.clone()),
        Some(logo) => {
            use lettre::message::{Attachment, MultiPart, SinglePart};
            let image_type = ContentType::parse(&logo.content_type)
                .map_err(|e| ServiceError::Internal(format!("logo content type: {e}")))?;
            // multipart/alternative: the plain text first (what a text-only
            // reader shows), then the same text as HTML with the logo
            // inline (multipart/related), so no image is fetched from
            // outside and nothing tracks the reader.
            builder.multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(msg.body.clone()))
                    .multipart(
                        MultiPart::related()
                            .singlepart(SinglePart::html(email_html(&subject, &msg.body, logo)))
                            .singlepart(
                                Attachment::new_inline(LOGO_CID.to_owned())
                                    .body(logo.bytes.clone(), image_type),
                            ),
                    ),
            )
        }
    };
    built.map_err(|e| ServiceError::Internal(format!("build e-mail: {e}")))
}

/// The Content-ID of the inline logo.
const LOGO_CID: &str = "logo@inzage";

/// The HTML part of an e-mail: the logo, then the plain text's paragraphs
/// (escaped; `http(s)://` words become links; the signature separator
/// `-- ` starts a smaller footer). No styles from outside, no images but
/// the inline logo.
fn email_html(subject: &str, body: &str, logo: &MailLogo) -> String {
    let lang = if logo.lang == "en" { "en" } else { "nl" };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title></head>\
         <body style=\"font-family: sans-serif; font-size: 16px; line-height: 1.5; max-width: 40em\">\
         <p><img src=\"cid:{LOGO_CID}\" alt=\"{}\" style=\"max-height: 64px; max-width: 240px\"></p>\n",
        html_escape(subject),
        html_escape(&logo.organisation)
    );
    let (main, footer) = match body.split_once("\n-- \n") {
        Some((m, f)) => (m, Some(f)),
        None => (body, None),
    };
    for para in main.split("\n\n").filter(|p| !p.trim().is_empty()) {
        out.push_str("<p>");
        out.push_str(
            &para
                .trim()
                .lines()
                .map(linkify)
                .collect::<Vec<_>>()
                .join("<br>\n"),
        );
        out.push_str("</p>\n");
    }
    if let Some(f) = footer {
        out.push_str("<hr><p style=\"font-size: 14px\">");
        out.push_str(
            &f.trim()
                .lines()
                .map(linkify)
                .collect::<Vec<_>>()
                .join("<br>\n"),
        );
        out.push_str("</p>\n");
    }
    out.push_str("</body></html>\n");
    out
}

/// One line of plain text as HTML: escaped, with its web addresses as links.
fn linkify(line: &str) -> String {
    line.split(' ')
        .map(|w| {
            let bare = w.trim_end_matches(['.', ',', ')', ';', ':']);
            if (bare.starts_with("https://") || bare.starts_with("http://")) && bare.len() > 8 {
                let rest = &w[bare.len()..];
                let e = html_escape(bare);
                format!("<a href=\"{e}\">{e}</a>{}", html_escape(rest))
            } else {
                html_escape(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP (only for a relay on the same host or a test server).
    None,
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

/// E-mail over SMTP (lettre).
pub struct Smtp {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    sender: Sender,
}

impl Smtp {
    pub fn new(s: &SmtpSettings) -> Result<Self> {
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::{AsyncSmtpTransport, Tokio1Executor};
        let cfg = |e: lettre::transport::smtp::Error| ServiceError::Config(format!("SMTP: {e}"));
        let mut b = match s.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host).map_err(cfg)?
            }
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host).map_err(cfg)?
            }
        }
        .port(s.port)
        .timeout(Some(std::time::Duration::from_secs(30)));
        if let (Some(u), Some(p)) = (&s.username, &s.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(Self {
            transport: b.build(),
            sender: Sender {
                from: s.from.clone(),
            },
        })
    }
}

/// SMS through an HTTP gateway: `POST url` with a JSON body
/// `{"to": "+316…", "text": "…", "reference": "<message id>"}` and
/// `Authorization: Bearer <token>`; any 2xx answer counts as accepted.
pub struct SmsGateway {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl SmsGateway {
    pub fn new(url: &str, token: Option<String>) -> Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .map_err(|e| ServiceError::Config(format!("SMS gateway client: {e}")))?;
        Ok(Self {
            client,
            url: url.to_owned(),
            token,
        })
    }
}

/// An SMTP failure without the server's text, which can quote the
/// recipient's address (this error reaches the log and the message table).
fn smtp_error(e: &lettre::transport::smtp::Error) -> ServiceError {
    let kind = if e.is_permanent() {
        "permanent error"
    } else if e.is_transient() {
        "temporary error"
    } else if e.is_timeout() {
        "timeout"
    } else {
        "connection or protocol error"
    };
    let code = e.status().map(|c| format!(" ({c})")).unwrap_or_default();
    ServiceError::Unavailable(format!("SMTP: {kind}{code}"))
}

/// Routes each channel to its transport: SMTP or outbox for e-mail, the
/// gateway or outbox for SMS.
pub struct Delivery {
    pub email: Option<Smtp>,
    pub sms: Option<SmsGateway>,
    pub outbox: Outbox,
}

impl Transport for Delivery {
    fn name(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::Email if self.email.is_some() => "smtp",
            Channel::Sms if self.sms.is_some() => "sms-gateway",
            _ => "outbox",
        }
    }
    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> crate::BoxFut<'a, Result<()>> {
        Box::pin(async move {
            match (msg.channel, &self.email, &self.sms) {
                (Channel::Email, Some(smtp), _) => {
                    use lettre::AsyncTransport;
                    let m = lettre_message(&smtp.sender, msg)?;
                    smtp.transport
                        .send(m)
                        .await
                        .map(|_| ())
                        .map_err(|e| smtp_error(&e))
                }
                (Channel::Sms, _, Some(gw)) => {
                    let mut req = gw.client.post(&gw.url).json(&serde_json::json!({
                        "to": msg.recipient,
                        "text": msg.body,
                        "reference": msg.id,
                    }));
                    if let Some(t) = &gw.token {
                        req = req.bearer_auth(t);
                    }
                    let res = req.send().await.map_err(|e| {
                        ServiceError::Unavailable(format!("SMS gateway: {}", e.without_url()))
                    })?;
                    if res.status().is_success() {
                        Ok(())
                    } else {
                        Err(ServiceError::Unavailable(format!(
                            "SMS gateway answered {}",
                            res.status()
                        )))
                    }
                }
                _ => self.outbox.deliver(msg).await,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_part_escapes_the_text_and_links_only_web_addresses() {
        let logo = MailLogo {
            content_type: "image/png".into(),
            bytes: vec![],
            organisation: "Zorg & \"Co\"".into(),
            lang: "nl".into(),
        };
        let html = email_html(
            "Welkom <b>",
            "Hoi <script>x</script>,\n\nGa naar https://a.nl/x?t=1&u=2.\nmailto:x javascript:alert(1)\n-- \nZorg",
            &logo,
        );
        assert!(html.contains("<title>Welkom &lt;b&gt;</title>"), "{html}");
        assert!(html.contains("alt=\"Zorg &amp; &quot;Co&quot;\""), "{html}");
        assert!(
            html.contains("Hoi &lt;script&gt;x&lt;/script&gt;,"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://a.nl/x?t=1&amp;u=2\">https://a.nl/x?t=1&amp;u=2</a>."),
            "{html}"
        );
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("href=\"mailto"), "{html}");
        assert!(
            html.contains("<hr><p style=\"font-size: 14px\">Zorg</p>"),
            "{html}"
        );
        assert!(html.contains("<html lang=\"nl\">"));
    }
}
