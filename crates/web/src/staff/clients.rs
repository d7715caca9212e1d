//! Cliënt registreren en gegevens wijzigen (issue 14): the secretariat's
//! registration form, likely duplicates before saving, the edit form of a
//! client's registration and its version history on the Gegevens tab.
//! The rules and the versions live in `inzage_service::clients`.
use super::*;
use inzage_core::ids::{ClientId, TeamId};
use inzage_core::types::{parse_date, BirthDate, ClientNumber};
use inzage_service::accounts::identifiers::DetailsChange;
use inzage_service::admin::NewClient;
use inzage_service::clients::{Duplicate, Registration, RegistrationOptions};

/// The registration form as typed (kept when it is refused).
#[derive(Default, Clone)]
pub struct ClientForm {
    pub number: String,
    pub given: String,
    pub prefix: String,
    pub family: String,
    pub birth: String,
    pub street: String,
    pub house: String,
    pub postal: String,
    pub city: String,
    pub email: String,
    pub mobile: String,
    pub team: String,
    pub caregiver: String,
    pub start: String,
    pub version: i64,
}

impl ClientForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let cut = |n: &str| field(pairs, n).chars().take(200).collect::<String>();
        Self {
            number: cut("clientnummer"),
            given: cut("voornaam"),
            prefix: cut("tussenvoegsel"),
            family: cut("achternaam"),
            birth: cut("geboortedatum"),
            street: cut("straat"),
            house: cut("huisnummer"),
            postal: cut("postcode"),
            city: cut("woonplaats"),
            email: cut("email"),
            mobile: cut("mobiel"),
            team: cut("team"),
            caregiver: cut("begeleider"),
            start: cut("start"),
            version: field(pairs, "versie").parse().unwrap_or(0),
        }
    }

    fn of_record(r: &inzage_service::clients::ClientRecord) -> Self {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            number: r.client_number.clone(),
            given: r.given_name.clone(),
            prefix: o(&r.name_prefix),
            family: r.family_name.clone(),
            birth: display_date(r.birth_date),
            street: o(&r.street),
            house: o(&r.house_number),
            postal: o(&r.postal_code),
            city: o(&r.city),
            email: o(&r.email),
            mobile: o(&r.mobile),
            team: r
                .team_id
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            caregiver: r
                .primary_caregiver_id
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            start: r.episode_start.map(display_date).unwrap_or_default(),
            version: r.version,
        }
    }

    /// The typed values as a registration, or the messages that say what
    /// to fix (in the viewer's language, one per field).
    fn parse(&self, tr: Tr, today: chrono::NaiveDate) -> Result<NewClient, Vec<String>> {
        let mut errors = Vec::new();
        let mut need = |r: Result<Label, FieldError>, key: &'static str| {
            r.map_err(|_| errors.push(tr.t(key))).ok()
        };
        let given = need(
            Label::parse("given_name", &self.given),
            "staff-client-given-error",
        );
        let family = need(
            Label::parse("family_name", &self.family),
            "staff-client-family-error",
        );
        let mut optional = |name: &'static str, v: &str, key: &'static str| {
            Label::parse_opt(name, Some(v))
                .map_err(|_| errors.push(tr.t(key)))
                .ok()
                .flatten()
        };
        let prefix = optional("name_prefix", &self.prefix, "staff-client-prefix-error");
        let street = optional("street", &self.street, "staff-client-address-error");
        let house = optional("house_number", &self.house, "staff-client-address-error");
        let postal = optional("postal_code", &self.postal, "staff-client-address-error");
        let city = optional("city", &self.city, "staff-client-address-error");
        let number = ClientNumber::parse(&self.number)
            .map_err(|_| errors.push(tr.t("staff-client-number-error")))
            .ok();
        let birth = BirthDate::parse(&self.birth, today)
            .map_err(|_| errors.push(tr.t("staff-client-birth-error")))
            .ok();
        let (email, mobile) = parse_contact(tr, &self.email, &self.mobile, &mut errors);
        let team = TeamId::parse(self.team.trim());
        if team.is_none() {
            errors.push(tr.t("staff-client-team-error"));
        }
        let caregiver = match self.caregiver.trim() {
            "" => None,
            c => {
                let id = StaffId::parse(c);
                if id.is_none() {
                    errors.push(tr.t("staff-client-caregiver-error"));
                }
                id
            }
        };
        // Dropped duplicates: the address fields share one message.
        errors.dedup();
        match (given, family, number, birth, errors.is_empty()) {
            (Some(given_name), Some(family_name), Some(client_number), Some(birth_date), true) => {
                Ok(NewClient {
                    client_number,
                    given_name,
                    name_prefix: prefix,
                    family_name,
                    birth_date,
                    street,
                    house_number: house,
                    postal_code: postal,
                    city,
                    email,
                    mobile,
                    team_id: team,
                    primary_caregiver_id: caregiver,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A likely duplicate as the form lists it.
pub struct DuplicateLine {
    pub id: String,
    /// Empty for a client outside the member's teams (only the team shows).
    pub name: String,
    pub client_number: String,
    pub birth_date: String,
    pub team: String,
    pub same_number: bool,
    pub link: bool,
}

fn duplicate_lines(d: Vec<Duplicate>) -> Vec<DuplicateLine> {
    d.into_iter()
        .map(|d| DuplicateLine {
            id: d.id.to_string(),
            name: d.name.unwrap_or_default(),
            client_number: d.client_number.unwrap_or_default(),
            birth_date: d.birth_date.map(display_date).unwrap_or_default(),
            team: d.team_name.unwrap_or_default(),
            same_number: d.same_number,
            link: d.in_my_teams,
        })
        .collect()
}

/// The message for a field the service refused.
fn refused_key(e: &ServiceError) -> Option<&'static str> {
    match e {
        ServiceError::Taken(_) => Some("staff-client-number-taken"),
        ServiceError::Invalid(f) => Some(match f.field {
            "primary_caregiver" => "staff-client-caregiver-error",
            "episode_start" => "staff-client-start-error",
            "team_ids" => "staff-client-team-error",
            "email" => "staff-client-contact-in-use-error",
            _ => "staff-form-not-saved",
        }),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "staff/client_new.html")]
struct NewClientPage {
    t: Tr,
    csrf: String,
    form: ClientForm,
    options: RegistrationOptions,
    errors: Vec<String>,
    duplicates: Vec<DuplicateLine>,
    /// A duplicate has the same number: confirming cannot help.
    blocked: bool,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct RegisteredQuery {
    melding: Option<String>,
}

/// `GET /clienten/nieuw`: the registration form.
pub async fn client_new(
    State(st): State<AppState>,
    who: StaffSession,
    Query(q): Query<RegisteredQuery>,
) -> Result<Response, WebError> {
    let (ctx, _) = staff_ctx(&who.info, who.src.clone())?;
    let options = st.services.registration_options(&ctx).await?;
    let form = ClientForm {
        start: display_date(local_date(st.services.now())),
        team: match options.teams.as_slice() {
            [only] => only.id.to_string(),
            _ => String::new(),
        },
        ..ClientForm::default()
    };
    Ok(private(page(NewClientPage {
        t: tr_of(&who.info),
        csrf: who.info.csrf_token.clone(),
        form,
        options,
        errors: vec![],
        duplicates: vec![],
        blocked: false,
        notice: (q.melding.as_deref() == Some("geregistreerd"))
            .then_some("staff-notice-client-registered"),
    })))
}

/// `POST /clienten/nieuw`: registers, or shows what to fix or the likely
/// duplicates (saved only after "this is another person").
pub async fn client_register(
    State(st): State<AppState>,
    who: StaffSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    if !constant_eq(&who.info.csrf_token, field(&pairs, "csrf")) {
        return Err(WebError::CsrfFailed);
    }
    let (ctx, _) = staff_ctx(&who.info, who.src.clone())?;
    let tr = tr_of(&who.info);
    let options = st.services.registration_options(&ctx).await?;
    let form = ClientForm::from_pairs(&pairs);
    let today = local_date(st.services.now());
    let show = |form: ClientForm, errors: Vec<String>, duplicates: Vec<DuplicateLine>| {
        let blocked = duplicates.iter().any(|d| d.same_number);
        invalid(page(NewClientPage {
            t: tr,
            csrf: who.info.csrf_token.clone(),
            form,
            options: options.clone(),
            errors,
            duplicates,
            blocked,
            notice: None,
        }))
    };
    let start = parse_date("episode_start", &form.start).ok();
    let new = match (form.parse(tr, today), start) {
        (Ok(new), Some(start)) => (new, start),
        (Ok(_), None) => return Ok(show(form, vec![tr.t("staff-client-start-error")], vec![])),
        (Err(mut e), start) => {
            if start.is_none() {
                e.push(tr.t("staff-client-start-error"));
            }
            return Ok(show(form, e, vec![]));
        }
    };
    let confirmed = field(&pairs, "geen_dubbel") == "ja";
    match st
        .services
        .register_client(&ctx, new.0, new.1, confirmed)
        .await
    {
        Ok(Registration::Created(id)) => {
            // Staff of the client's team land on the new page; anyone who
            // may not read it (a functional admin) stays on the form.
            let to = match st.services.staff_client_header(&ctx, &id).await {
                Ok(_) => format!("/clienten/{id}?melding=geregistreerd"),
                Err(_) => "/clienten/nieuw?melding=geregistreerd".to_owned(),
            };
            Ok(redirect(&to, vec![]))
        }
        Ok(Registration::LikelyDuplicates(d)) => {
            Ok(show(form, vec![], duplicate_lines(d.into_inner())))
        }
        Err(e) => match refused_key(&e) {
            Some(key) => Ok(show(form, vec![tr.t(key)], vec![])),
            None => Err(e.into()),
        },
    }
}

// ---------- Gegevens wijzigen ----------

#[derive(Template)]
#[template(path = "staff/client_edit.html")]
struct EditClientPage {
    t: Tr,
    f: StaffFrame,
    form: ClientForm,
    options: RegistrationOptions,
    errors: Vec<String>,
    /// Someone else saved meanwhile: their version is what the form shows
    /// now; what this member typed is listed to copy from.
    stale: Option<ClientForm>,
}

async fn edit_page(
    st: &AppState,
    v: StaffView,
    typed: Option<ClientForm>,
    errors: Vec<String>,
    stale: bool,
) -> Result<Response, WebError> {
    let record = st
        .services
        .client_record(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let mut options = st.services.registration_options(&v.ctx).await?;
    // The current team stays choosable even when the member may not move
    // clients into it (it is where the client is).
    if let Some(team) = &record.team_id {
        if !options.teams.iter().any(|t| &t.id == team) {
            options.teams.push(inzage_service::clients::TeamOption {
                id: team.clone(),
                name: v.tr.t("staff-client-current-team"),
                location_name: String::new(),
            });
        }
    }
    let current = ClientForm::of_record(&record);
    let (form, stale) = match (typed, stale) {
        (Some(t), true) => (current, Some(t)),
        (Some(t), false) => (t, None),
        (None, _) => (current, None),
    };
    let status = if errors.is_empty() && stale.is_none() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    let mut r = private(page(EditClientPage {
        t: v.tr,
        f: v.f,
        form,
        options,
        errors,
        stale,
    }));
    *r.status_mut() = status;
    Ok(r)
}

/// `GET /clienten/{client}/gegevens`: the edit form of the registration.
pub async fn client_edit(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
) -> Result<Response, WebError> {
    let v = who.open(&st, &client, DossierPart::Profile).await?;
    if !v.header.may_write(DossierPart::Profile) {
        return Err(WebError::Forbidden);
    }
    edit_page(&st, v, None, vec![], false).await
}

/// `POST /clienten/{client}/gegevens`: saves the edit as a new version.
pub async fn client_save(
    State(st): State<AppState>,
    who: StaffSession,
    Path(client): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = who
        .open_form(&st, &client, DossierPart::Profile, field(&pairs, "csrf"))
        .await?;
    let tr = v.tr;
    let form = ClientForm::from_pairs(&pairs);
    let today = local_date(st.services.now());
    let edit = match form.parse(tr, today) {
        Ok(e) => e,
        Err(errors) => return edit_page(&st, v, Some(form), errors, false).await,
    };
    let start = match form.start.trim() {
        "" => None,
        s => match parse_date("episode_start", s) {
            Ok(d) => Some(d),
            Err(_) => {
                let e = vec![tr.t("staff-client-start-error")];
                return edit_page(&st, v, Some(form), e, false).await;
            }
        },
    };
    let id: ClientId = v.header.client_id.clone();
    match st
        .services
        .update_client(&v.ctx, &id, edit, start, form.version)
        .await
    {
        Ok(u) => {
            let m = match (u.changed.is_empty(), u.contact) {
                (_, Some(DetailsChange::AwaitingHolder)) => "bevestiging",
                (true, _) => "ongewijzigd",
                (false, _) => "gewijzigd-opgeslagen",
            };
            Ok(redirect(&format!("/clienten/{id}?melding={m}"), vec![]))
        }
        Err(ServiceError::Stale) => {
            let e = vec![tr.t("staff-client-stale")];
            edit_page(&st, v, Some(form), e, true).await
        }
        Err(e) => match refused_key(&e) {
            Some(key) => edit_page(&st, v, Some(form), vec![tr.t(key)], false).await,
            None => Err(e.into()),
        },
    }
}
