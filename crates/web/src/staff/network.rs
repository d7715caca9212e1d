//! Netwerk en portaal: portal status, invitations, pauses, contact
//! details, stop/restart, contact persons and their grants.
use super::*;
use inzage_service::accounts::identifiers::DetailsChange;
// ---------- Netwerk en portaal ----------

pub struct StatusView {
    pub key: &'static str,
    pub when: Option<String>,
    pub paused_until: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    /// An invitation can be sent (again): no password set yet.
    pub can_invite: bool,
    /// The account is in use: its holder confirms changes of its details.
    pub in_use: bool,
    /// A change of its details waits for the holder (asked at).
    pub change_waiting: Option<String>,
}

fn status_view(s: &AccessStatus) -> StatusView {
    let (key, when) = match &s.state {
        AccountState::NotInvited => ("staff-access-not-invited", None),
        AccountState::Invited { at } => ("staff-access-invited", at.map(display_datetime)),
        AccountState::Active { last_login } => (
            if last_login.is_some() {
                "staff-access-active"
            } else {
                "staff-access-active-never"
            },
            last_login.map(display_datetime),
        ),
    };
    StatusView {
        key,
        when,
        paused_until: s.paused_until.map(display_datetime),
        email: s.email.clone(),
        mobile: s.mobile.clone(),
        can_invite: !matches!(s.state, AccountState::Active { .. }),
        in_use: matches!(s.state, AccountState::Active { .. }),
        change_waiting: s.change_waiting.map(display_datetime),
    }
}

pub struct GrantRow {
    pub id: String,
    pub part_keys: Vec<&'static str>,
    /// The part codes, for the change form's checkboxes.
    pub part_codes: Vec<&'static str>,
    pub from: String,
    pub until: Option<String>,
    pub revoked: Option<String>,
    pub consent: String,
    pub consent_at: String,
    pub active: bool,
}

pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub relation_key: &'static str,
    pub status: StatusView,
    pub grants: Vec<GrantRow>,
    /// Marked as legal representative: "by … on …: reason".
    pub represents: Option<(String, String, String)>,
    /// A mentor, curator or legal representative: can be marked so.
    pub may_represent: bool,
}

/// The add-contact-person form as typed.
#[derive(Default)]
pub struct ContactForm {
    pub given: String,
    pub prefix: String,
    pub family: String,
    pub relation: String,
    pub email: String,
    pub mobile: String,
    pub parts: Vec<&'static str>,
    pub until: String,
    pub consent: bool,
}

pub struct PartChoice {
    pub code: &'static str,
    pub key: &'static str,
}

pub struct RelationChoice {
    pub code: &'static str,
    pub key: &'static str,
}

#[derive(Template)]
#[template(path = "staff/network.html")]
struct NetworkPage {
    t: Tr,
    f: StaffFrame,
    client: StatusView,
    portal_stopped: bool,
    contacts: Vec<ContactRow>,
    can_write: bool,
    form: ContactForm,
    part_choices: Vec<PartChoice>,
    relations: Vec<RelationChoice>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn network_notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "uitgenodigd" => Some("staff-notice-invited"),
        "toegevoegd" => Some("staff-notice-contact-added"),
        "ingetrokken" => Some("staff-notice-revoked"),
        "gestopt" => Some("staff-notice-portal-stopped"),
        "aangezet" => Some("staff-notice-portal-restarted"),
        "gewijzigd" => Some("staff-notice-network-stale"),
        "pauze-voorbij" => Some("staff-notice-pause-ended"),
        "toegang-gewijzigd" => Some("staff-notice-grant-changed"),
        "gegevens" => Some("staff-notice-details-changed"),
        "bevestiging" => Some("staff-notice-details-asked"),
        "vertegenwoordiger" => Some("staff-represents-saved"),
        _ => None,
    }
}

async fn network_page(
    st: &AppState,
    v: StaffView,
    form: ContactForm,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<NetworkPage, WebError> {
    let access = st
        .services
        .portal_access(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let contacts = access
        .contacts
        .iter()
        .map(|c| ContactRow {
            id: c.id.to_string(),
            name: c.full_name.clone(),
            relation_key: relation_key(c.relation),
            status: status_view(&c.access),
            may_represent: inzage_service::portal_access::REPRESENTING_RELATIONS
                .contains(&c.relation),
            represents: c.represents.as_ref().map(|r| {
                (
                    r.set_by.clone(),
                    display_datetime(r.set_at),
                    r.reason.clone(),
                )
            }),
            grants: c
                .grants
                .iter()
                .map(|g| GrantRow {
                    id: g.id.to_string(),
                    part_keys: g.parts.iter().map(|p| tile_of(*p).0).collect(),
                    part_codes: g.parts.iter().map(|p| p.code()).collect(),
                    from: display_date(local_date(g.valid_from)),
                    until: g
                        .valid_until
                        .map(|u| display_date(local_date(u - chrono::Duration::seconds(1)))),
                    revoked: g.revoked_at.map(display_datetime),
                    consent: g.consent_by.clone(),
                    consent_at: display_datetime(g.consent_at),
                    active: g.active,
                })
                .collect(),
        })
        .collect();
    Ok(NetworkPage {
        client: status_view(&access.client),
        portal_stopped: access.portal_stopped,
        contacts,
        can_write: v.header.may_write(DossierPart::Network),
        form,
        part_choices: CLIENT_PARTS
            .iter()
            .map(|p| PartChoice {
                code: p.code(),
                key: tile_of(*p).0,
            })
            .collect(),
        relations: Relation::ALL
            .iter()
            .map(|r| RelationChoice {
                code: r.code(),
                key: relation_key(*r),
            })
            .collect(),
        errors,
        notice,
        t: v.tr,
        f: v.f,
    })
}

pub async fn network(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Network).await?;
    let notice = network_notice(q.melding.as_deref());
    let p = network_page(&st, v, ContactForm::default(), vec![], notice).await?;
    Ok(private(page(p)))
}

fn to_network(v: &StaffView, melding: &str) -> Response {
    redirect(
        &format!("/clienten/{}/netwerk?melding={melding}", v.f.client_id),
        vec![],
    )
}

/// Invites the client, or one contact person (`contactpersoon`).
pub async fn network_invite(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Network, field(&pairs, "csrf"))
        .await?;
    let target = match field(&pairs, "contactpersoon") {
        "" => InviteTarget::Client(v.header.client_id.clone()),
        cp => InviteTarget::ContactPerson(ContactPersonId::parse(cp).ok_or(WebError::NotFound)?),
    };
    if let InviteTarget::ContactPerson(cp) = &target {
        // Only this client's contact persons, from this client's page.
        if !st
            .services
            .portal_access(&v.ctx, &v.header.client_id)
            .await?
            .into_inner()
            .contacts
            .iter()
            .any(|c| &c.id == cp)
        {
            return Err(WebError::NotFound);
        }
    }
    match st.services.invite(&v.ctx, target).await {
        Ok(_) => Ok(to_network(&v, "uitgenodigd")),
        Err(ServiceError::Conflict(_)) | Err(ServiceError::Invalid(_)) => {
            let e = vec![v.tr.t("staff-invite-impossible")];
            let p = network_page(&st, v, ContactForm::default(), e, None).await?;
            Ok(invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Stops (`stop=ja`) or restarts (`stop=nee`) the client's own access.
pub async fn network_portal(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Network, field(&pairs, "csrf"))
        .await?;
    let stop = match field(&pairs, "stop") {
        "ja" => true,
        "nee" => false,
        _ => return Err(WebError::BadInput(v.tr.t("staff-bad-choice"))),
    };
    match st
        .services
        .set_portal_stopped(&v.ctx, &v.header.client_id, stop)
        .await
    {
        Ok(()) => Ok(to_network(&v, if stop { "gestopt" } else { "aangezet" })),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(e) => Err(e.into()),
    }
}

/// Marks a contact person as the client's legal representative
/// (`vertegenwoordiger=ja`, with `reden`) or clears the mark (ADR 0022).
pub async fn network_representative(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Network, field(&pairs, "csrf"))
        .await?;
    let cp = ContactPersonId::parse(field(&pairs, "contactpersoon")).ok_or(WebError::NotFound)?;
    let on = field(&pairs, "vertegenwoordiger") == "ja";
    let reason: String = field(&pairs, "reden").chars().take(1000).collect();
    match st
        .services
        .set_representative(&v.ctx, &v.header.client_id, &cp, on, &reason)
        .await
    {
        Ok(()) => Ok(to_network(&v, "vertegenwoordiger")),
        Err(ServiceError::Invalid(e)) => {
            let e = vec![v.tr.t(if e.field == "represents_relation" {
                "staff-represents-relation"
            } else {
                "staff-represents-reason-needed"
            })];
            let p = network_page(&st, v, ContactForm::default(), e, None).await?;
            Ok(invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Revokes one grant of a contact person.
pub async fn network_revoke(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, grant)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Network, field(&pairs, "csrf"))
        .await?;
    let grant = AccessGrantId::parse(&grant).ok_or(WebError::NotFound)?;
    match st.services.revoke_grant(&v.ctx, &grant).await {
        Ok(()) => Ok(to_network(&v, "ingetrokken")),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(e) => Err(e.into()),
    }
}

/// A grant's last day as typed (`dd-mm-jjjj`, empty: none): from today up
/// to ten years ahead, ending at the next local midnight. `Err` holds the
/// message in the viewer's language.
fn parse_until(
    tr: Tr,
    now: chrono::DateTime<chrono::Utc>,
    typed: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    match parse_filter_date(typed) {
        Ok(None) => Ok(None),
        Ok(Some(d))
            if d >= local_date(now) && d <= local_date(now) + chrono::Duration::days(3660) =>
        {
            Ok(Some(local_midnight_utc(d + chrono::Duration::days(1))))
        }
        Ok(Some(_)) => Err(tr.t("staff-contact-until-range")),
        Err(()) => Err(tr.t("bad-date")),
    }
}

/// Changes a contact person's tiles and end date in place, with the
/// client's consent recorded anew (`deel` repeated, `tot`, `toestemming`).
pub async fn network_grant_change(
    State(st): State<AppState>,
    who: StaffSession,
    Path((client, grant)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Network, field(&pairs, "csrf"))
        .await?;
    let grant = AccessGrantId::parse(&grant).ok_or(WebError::NotFound)?;
    let tr = v.tr;
    let parts: Vec<DossierPart> = CLIENT_PARTS
        .iter()
        .copied()
        .filter(|p| pairs.iter().any(|(k, val)| k == "deel" && val == p.code()))
        .collect();
    if parts.is_empty() {
        return Err(WebError::BadInput(tr.t("staff-contact-parts-error")));
    }
    if field(&pairs, "toestemming") != "ja" {
        return Err(WebError::BadInput(tr.t("staff-contact-consent-error")));
    }
    let now = st.services.now();
    let until = parse_until(tr, now, field(&pairs, "tot")).map_err(WebError::BadInput)?;
    let change = NewGrant {
        parts,
        valid_from: now,
        valid_until: until,
        consent_recorded_by: v.me.clone(),
    };
    match st.services.change_grant(&v.ctx, &grant, change).await {
        Ok(_) => Ok(to_network(&v, "toegang-gewijzigd")),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(ServiceError::Invalid(_)) => Err(WebError::BadInput(tr.t("staff-contact-parts-error"))),
        Err(e) => Err(e.into()),
    }
}

/// Adds a contact person with the client's consent and the tiles chosen.
pub async fn network_add(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Network, field(&pairs, "csrf"))
        .await?;
    let cut = |s: &str| s.chars().take(200).collect::<String>();
    let form = ContactForm {
        given: cut(field(&pairs, "voornaam")),
        prefix: cut(field(&pairs, "tussenvoegsel")),
        family: cut(field(&pairs, "achternaam")),
        relation: cut(field(&pairs, "relatie")),
        email: cut(field(&pairs, "email")),
        mobile: cut(field(&pairs, "mobiel")),
        parts: CLIENT_PARTS
            .iter()
            .filter(|p| pairs.iter().any(|(k, val)| k == "deel" && val == p.code()))
            .map(|p| p.code())
            .collect(),
        until: cut(field(&pairs, "tot")),
        consent: field(&pairs, "toestemming") == "ja",
    };
    let tr = v.tr;
    let mut errors = Vec::new();
    let mut need = |r: Result<Label, FieldError>, key: &'static str| {
        r.map_err(|_| errors.push(tr.t(key))).ok()
    };
    let given = need(
        Label::parse("given_name", &form.given),
        "staff-contact-given-error",
    );
    let family = need(
        Label::parse("family_name", &form.family),
        "staff-contact-family-error",
    );
    let prefix = Label::parse_opt("name_prefix", Some(&form.prefix))
        .map_err(|_| errors.push(tr.t("staff-contact-prefix-error")))
        .ok()
        .flatten();
    let relation = Relation::from_code(&form.relation);
    if relation.is_none() {
        errors.push(tr.t("staff-contact-relation-error"));
    }
    let (email, mobile) = parse_contact(tr, &form.email, &form.mobile, &mut errors);
    let parts: Vec<DossierPart> = CLIENT_PARTS
        .iter()
        .copied()
        .filter(|p| form.parts.contains(&p.code()))
        .collect();
    if parts.is_empty() {
        errors.push(tr.t("staff-contact-parts-error"));
    }
    let now = st.services.now();
    let until = parse_until(tr, now, &form.until)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if !form.consent {
        errors.push(tr.t("staff-contact-consent-error"));
    }
    let (Some(given_name), Some(family_name), Some(relation), true) =
        (given, family, relation, errors.is_empty())
    else {
        let p = network_page(&st, v, form, errors, None).await?;
        return Ok(invalid(page(p)));
    };
    let person = NewContactPerson {
        given_name,
        name_prefix: prefix,
        family_name,
        relation,
        email,
        mobile,
    };
    let grant = NewGrant {
        parts,
        valid_from: now,
        valid_until: until,
        consent_recorded_by: v.me.clone(),
    };
    match st
        .services
        .add_contact_person(&v.ctx, &v.header.client_id, person, grant)
        .await
    {
        Ok(_) => Ok(to_network(&v, "toegevoegd")),
        Err(ServiceError::Invalid(_)) => {
            let e = vec![tr.t("staff-contact-parts-error")];
            let p = network_page(&st, v, form, e, None).await?;
            Ok(invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The contact person a network form is about (`contactpersoon`), if any.
fn who_of(pairs: &[(String, String)]) -> Result<Option<ContactPersonId>, WebError> {
    match field(pairs, "contactpersoon") {
        "" => Ok(None),
        cp => ContactPersonId::parse(cp)
            .map(Some)
            .ok_or(WebError::NotFound),
    }
}

/// Ends a sign-in pause early.
pub async fn network_pause(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Network, field(&pairs, "csrf"))
        .await?;
    let who = who_of(&pairs)?;
    match st
        .services
        .end_pause(&v.ctx, &v.header.client_id, who.as_ref())
        .await
    {
        Ok(()) => Ok(to_network(&v, "pauze-voorbij")),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(e) => Err(e.into()),
    }
}

/// Changes an e-mail address and mobile number. An account in use changes
/// only when its holder confirms (ADR 0013); the old address and number
/// hear of every change.
pub async fn network_details(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Network, field(&pairs, "csrf"))
        .await?;
    let who = who_of(&pairs)?;
    let tr = v.tr;
    let mut errors = Vec::new();
    let email = match field(&pairs, "email").trim() {
        "" => None,
        e => Email::parse(e)
            .map_err(|_| errors.push(tr.t("staff-contact-email-error")))
            .ok(),
    };
    let mobile = match field(&pairs, "mobiel").trim() {
        "" => None,
        m => MobileNumber::parse(m)
            .map_err(|_| errors.push(tr.t("staff-contact-mobile-error")))
            .ok(),
    };
    if !errors.is_empty() {
        let p = network_page(&st, v, ContactForm::default(), errors, None).await?;
        return Ok(invalid(page(p)));
    }
    match st
        .services
        .change_contact_details(&v.ctx, &v.header.client_id, who.as_ref(), email, mobile)
        .await
    {
        Ok(DetailsChange::Changed) => Ok(to_network(&v, "gegevens")),
        Ok(DetailsChange::AwaitingHolder) => Ok(to_network(&v, "bevestiging")),
        Err(ServiceError::Stale) => Ok(to_network(&v, "gewijzigd")),
        Err(ServiceError::Invalid(_)) | Err(ServiceError::Conflict(_)) => {
            let e = vec![tr.t("staff-details-refused")];
            let p = network_page(&st, v, ContactForm::default(), e, None).await?;
            Ok(invalid(page(p)))
        }
        Err(e) => Err(e.into()),
    }
}
