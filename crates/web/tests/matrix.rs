//! The authorization and CSRF matrices, generated from the router
//! (issue 13). Every route that takes an id has a row here with the answer
//! each kind of principal gets; a route without a row fails the test, so a
//! new route cannot escape it. Every state-changing route is sent without,
//! and with a wrong, CSRF token, and must refuse with nothing written.
use axum::http::StatusCode;
use inzage_web::route_list;
use std::collections::BTreeMap;

mod common;
use common::world::*;
use common::{hidden, Browser, Page};

/// Who asks, in the matrix's column order.
const PRINCIPALS: [(&str, &str); 11] = [
    ("anonymous", ""),
    ("the client", "aisha@example.nl"),
    ("another client", "bram@example.nl"),
    ("contact person with the tile", "vera@example.nl"),
    ("contact person without the tile", "wim@example.nl"),
    ("staff of the team", "anna@zorg.nl"),
    ("staff of another team", "bob@zorg.nl"),
    ("staff of another organisation", "olga@ander.nl"),
    ("secretariat", "kees@zorg.nl"),
    ("functional admin", "ria@zorg.nl"),
    ("privacy officer", "pieter@zorg.nl"),
];

/// The answers: a status code, or where a redirect goes ("login" for the
/// sign-in page, "kiezen" for the contact person's choice, "303" for
/// anywhere else). Rows run in this order (writes change what follows).
/// The path's ids are those of Aisha's dossier (team A, organisation Zorg).
#[rustfmt::skip]
const MATRIX: &[(&str, &str, [&str; 11])] = &[
    //                                                                 anonymous client    other     cp+tile   cp-tile   team      o.team    o.org     secr.     admin     privacy
    ("GET",  "/dossier/clientplan/{plan}",                            ["login",  "200",    "404",    "404",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/dossier/clientplan/{plan}/{section}",                  ["login",  "200",    "404",    "404",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/dossier/rapportages/{id}",                             ["login",  "200",    "404",    "200",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/dossier/afspraken/{id}/agenda.ics",                    ["login",  "200",    "404",    "404",    "200",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/dossier/documenten/{id}",                              ["login",  "200",    "404",    "404",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/dossier/documenten/{id}/download",                     ["login",  "200",    "404",    "404",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/beheer/medewerkers/{id}",                              ["login",  "404",    "404",    "404",    "404",    "403",    "403",    "403",    "403",    "200",    "403"]),
    ("POST", "/beheer/medewerkers/{id}",                              ["login",  "404",    "404",    "404",    "404",    "403",    "403",    "403",    "403",    "303",    "403"]),
    ("POST", "/beheer/goedkeuringen/{id}",                            ["login",  "404",    "404",    "404",    "404",    "403",    "403",    "403",    "403",    "303",    "403"]),
    ("GET",  "/clienten/{client}",                                    ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "200",    "403",    "403"]),
    ("GET",  "/clienten/{client}/rapportages",                        ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/rapportages",                        ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/rapportages/nieuw",                  ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/rapportages/{id}",                   ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/rapportages/{id}/opslaan",           ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/rapportages/{id}/definitief",        ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/rapportages/{id}/corrigeren",        ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/gegevens",                           ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "200",    "403",    "403"]),
    ("POST", "/clienten/{client}/gegevens",                           ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("POST", "/clienten/{client}/zorgperiode",                        ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("GET",  "/clienten/{client}/afspraken",                          ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "200",    "403",    "403"]),
    ("POST", "/clienten/{client}/afspraken",                          ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("GET",  "/clienten/{client}/afspraken/{id}",                     ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "200",    "403",    "403"]),
    ("POST", "/clienten/{client}/afspraken/{id}",                     ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("GET",  "/clienten/{client}/verzoeken",                          ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "200",    "403",    "403"]),
    ("GET",  "/clienten/{client}/verzoeken/{id}",                     ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "200",    "403",    "403"]),
    ("POST", "/clienten/{client}/verzoeken/{id}",                     ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    // Aisha has a mentor (Vera): her network is managed with the team, so
    // she may not stop access herself (403); Bram's own rule holds, but
    // Vera is not his (404).
    ("GET",  "/dossier/netwerk/{id}/stoppen",                         ["login",  "403",    "404",    "403",    "403",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("POST", "/dossier/netwerk/{id}/stoppen",                         ["login",  "403",    "404",    "403",    "403",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/dossier/afschrift/{id}",                               ["login",  "200",    "404",    "404",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/dossier/afschrift/{id}/fhir",                          ["login",  "200",    "404",    "404",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/dossier/vragen/{id}",                                  ["login",  "200",    "404",    "404",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("POST", "/dossier/vragen/{id}",                                  ["login",  "303",    "404",    "404",    "404",    "303",    "303",    "303",    "303",    "303",    "303"]),
    ("GET",  "/clienten/{client}/vragen",                             ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/vragen/{id}",                        ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/vragen/{id}",                        ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/documenten",                         ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/documenten",                         ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/documenten/{id}",                    ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/documenten/{id}/verwijderen",        ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/clientplan",                         ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/clientplan",                         ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/clientplan/{plan}",                  ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/clientplan/{plan}",                  ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/clientplan/{plan}/{section}",        ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "403",    "403",    "403"]),
    ("POST", "/clienten/{client}/clientplan/{plan}/{section}",        ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "403",    "403",    "403"]),
    ("GET",  "/clienten/{client}/netwerk",                            ["login",  "404",    "404",    "404",    "404",    "200",    "403",    "404",    "200",    "403",    "403"]),
    ("POST", "/clienten/{client}/netwerk/uitnodigen",                 ["login",  "404",    "404",    "404",    "404",    "400",    "403",    "404",    "400",    "403",    "403"]),
    ("POST", "/clienten/{client}/netwerk/pauze",                      ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("POST", "/clienten/{client}/netwerk/gegevens",                   ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("POST", "/clienten/{client}/netwerk/vertegenwoordiger",          ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("POST", "/clienten/{client}/netwerk/portaal",                    ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("POST", "/clienten/{client}/netwerk/contactpersonen",            ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("POST", "/clienten/{client}/netwerk/toegang/{grant}/wijzigen",   ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("POST", "/clienten/{client}/netwerk/toegang/{grant}/intrekken",  ["login",  "404",    "404",    "404",    "404",    "303",    "403",    "404",    "303",    "403",    "403"]),
    ("POST", "/uitnodigingen/{id}",                                   ["login",  "404",    "404",    "kiezen", "404",    "404",    "404",    "404",    "404",    "404",    "404"]),
    // Nobody has a passkey in this world: every holder's answer is the
    // same 404 (the service tests remove a passkey of one's own; the
    // query names the account, so another's id is unknown too).
    ("POST", "/mijn-account/passkey/{id}/verwijderen",                ["login",  "404",    "404",    "404",    "404",    "404",    "404",    "404",    "404",    "404",    "404"]),
    // Dora's dossier, past its retention term: the functional admin
    // destroys it (the privacy officer, after her, finds nothing).
    ("GET",  "/beheer/bewaartermijn/{id}",                            ["login",  "404",    "404",    "404",    "404",    "403",    "403",    "403",    "403",    "200",    "403"]),
    ("POST", "/beheer/bewaartermijn/{id}",                            ["login",  "404",    "404",    "404",    "404",    "403",    "403",    "403",    "403",    "303",    "404"]),
    ("GET",  "/organisatie/{id}/logo",                                ["404",    "404",    "404",    "404",    "404",    "404",    "404",    "404",    "404",    "404",    "404"]),
    ("GET",  "/static/{*file}",                                       ["200",    "200",    "200",    "200",    "200",    "200",    "200",    "200",    "200",    "200",    "200"]),
    // FHIR takes a system's bearer token only (its own tests cover the
    // systems): a person's session cookie is no token.
    ("GET",  "/fhir/{type}",                                          ["401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401"]),
    ("POST", "/fhir/{type}",                                          ["401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401"]),
    ("PUT",  "/fhir/{type}",                                          ["401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401"]),
    ("GET",  "/fhir/{type}/{id}",                                     ["401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401"]),
    ("PUT",  "/fhir/{type}/{id}",                                     ["401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401"]),
    ("GET",  "/fhir/{type}/{id}/_history",                            ["401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401"]),
    ("GET",  "/fhir/{type}/{id}/_history/{vid}",                      ["401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401",    "401"]),
];

/// The concrete path of a route for the matrix.
fn concrete(path: &str, w: &World, it: &Items) -> String {
    let id = match path {
        p if p.starts_with("/dossier/clientplan/")
            || p.starts_with("/clienten/{client}/clientplan/{plan}") =>
        {
            None
        }
        p if p.starts_with("/dossier/rapportages/") => Some(it.report.as_str()),
        p if p.starts_with("/dossier/afspraken/") => Some(it.appointment.as_str()),
        p if p.starts_with("/dossier/documenten/") => Some(it.document.as_str()),
        "/clienten/{client}/rapportages/{id}"
        | "/clienten/{client}/rapportages/{id}/corrigeren" => Some(it.report.as_str()),
        "/clienten/{client}/rapportages/{id}/opslaan"
        | "/clienten/{client}/rapportages/{id}/definitief" => Some(it.draft_report.as_str()),
        "/clienten/{client}/afspraken/{id}" => Some(it.appointment.as_str()),
        "/clienten/{client}/documenten/{id}" => Some(it.document.as_str()),
        "/clienten/{client}/documenten/{id}/verwijderen" => Some(it.document_to_remove.as_str()),
        "/beheer/medewerkers/{id}" => Some(it.staff_member.as_str()),
        "/beheer/goedkeuringen/{id}" => Some(it.staff_request.as_str()),
        "/uitnodigingen/{id}" => Some(it.link.as_str()),
        "/mijn-account/passkey/{id}/verwijderen" => Some("geen-passkey"),
        "/clienten/{client}/verzoeken/{id}" => Some(it.dossier_request.as_str()),
        "/clienten/{client}/vragen/{id}" | "/dossier/vragen/{id}" => Some(it.question.as_str()),
        "/dossier/netwerk/{id}/stoppen" => Some(w.vera.as_str()),
        "/dossier/afschrift/{id}" | "/dossier/afschrift/{id}/fhir" => Some(it.afschrift.as_str()),
        "/organisatie/{id}/logo" => Some(w.zorg.as_str()),
        "/beheer/bewaartermijn/{id}" => Some(it.due_client.as_str()),
        p if p.starts_with("/fhir/{type}/") => Some(w.aisha.as_str()),
        _ => None,
    };
    let mut p = path.replace("{client}", w.aisha.as_str());
    if let Some(id) = id {
        p = p.replace("{id}", id);
    }
    // Staff change the draft plan; the portal reads the final one.
    let (plan, section) = if p.starts_with("/clienten/") {
        (it.draft_plan.as_str(), it.draft_section.as_str())
    } else {
        (it.plan.as_str(), it.section.as_str())
    };
    p.replace("{plan}", plan)
        .replace("{section}", section)
        .replace("{grant}", &it.revoked_grant)
        .replace("{*file}", "inzage.css")
        .replace("{vid}", "1")
        .replace("{type}", "Patient")
}

/// A valid form for each state-changing route (so the answer shows the
/// decision, not a parse error), without the CSRF token.
async fn form(path: &str, w: &World, it: &Items) -> Vec<(&'static str, String)> {
    let today = inzage_core::types::display_date(w.clock.now_for_test().date_naive());
    let rev = |sql: String| {
        let db = &w.db;
        async move { db.scalar(&sql).await.to_string() }
    };
    let f = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    match path {
        "/clienten/{client}/rapportages" | "/clienten/{client}/rapportages/{id}/corrigeren" => {
            f(&[
                ("category", "Dagrapportage"),
                ("body", "Geschreven in de matrix."),
                ("zichtbaar", "nee"),
            ])
        }
        "/clienten/{client}/rapportages/{id}/opslaan" => {
            let r = rev(format!(
                "SELECT revision FROM report WHERE id = '{}'",
                it.draft_report
            ))
            .await;
            let mut v = f(&[
                ("category", "Dagrapportage"),
                ("body", "Nog een concept."),
                ("zichtbaar", "nee"),
            ]);
            v.push(("revision", r));
            v
        }
        "/clienten/{client}/rapportages/{id}/definitief" => {
            vec![(
                "revision",
                rev(format!(
                    "SELECT revision FROM report WHERE id = '{}'",
                    it.draft_report
                ))
                .await,
            )]
        }
        "/clienten/{client}/zorgperiode" => vec![("actie", "start".into()), ("datum", today)],
        "/clienten/{client}/afspraken" => vec![
            ("datum", today),
            ("tijd", "14:00".into()),
            ("minuten", "30".into()),
            ("behandelaar", w.anna.to_string()),
            ("plaats", "Kantoor".into()),
            ("omschrijving", "Gesprek".into()),
        ],
        "/clienten/{client}/afspraken/{id}" => vec![
            ("actie", "opslaan".into()),
            ("datum", today),
            ("tijd", "15:00".into()),
            ("minuten", "30".into()),
            ("behandelaar", w.anna.to_string()),
            ("plaats", "Kantoor".into()),
            ("omschrijving", "Gesprek".into()),
            (
                "revision",
                rev(format!(
                    "SELECT revision FROM appointment WHERE id = '{}'",
                    it.appointment
                ))
                .await,
            ),
        ],
        "/clienten/{client}/documenten/{id}/verwijderen" => f(&[("reden", "Dubbel.")]),
        "/clienten/{client}/clientplan" => vec![("datum", today)],
        "/clienten/{client}/clientplan/{plan}" => f(&[("actie", "domein"), ("domein", "Werk")]),
        "/clienten/{client}/clientplan/{plan}/{section}" => vec![
            ("domein", "Wonen".into()),
            ("doelen", "Zelf koken".into()),
            ("afspraken", "Elke dinsdag".into()),
            (
                "revision",
                rev(format!(
                    "SELECT revision FROM plan_section WHERE id = '{}'",
                    it.draft_section
                ))
                .await,
            ),
        ],
        "/clienten/{client}/netwerk/uitnodigen" | "/clienten/{client}/netwerk/pauze" => {
            f(&[("contactpersoon", "")])
        }
        "/clienten/{client}/gegevens" => {
            let mut v = f(&[
                ("clientnummer", "C-1"),
                ("voornaam", "Aisha"),
                ("achternaam", "Client"),
                ("geboortedatum", "01-01-1990"),
                ("straat", "Matrixstraat"),
                ("email", "aisha@example.nl"),
                ("mobiel", "0612345601"),
                ("start", ""),
            ]);
            v.push(("team", w.team_a.to_string()));
            v.push((
                "versie",
                rev(format!(
                    "SELECT version FROM client WHERE id = '{}'",
                    w.aisha
                ))
                .await,
            ));
            v
        }
        "/clienten/{client}/netwerk/gegevens" => f(&[
            ("contactpersoon", ""),
            ("email", "aisha@example.nl"),
            ("mobiel", "0612345601"),
        ]),
        "/clienten/{client}/netwerk/portaal" => f(&[("stop", "nee")]),
        "/clienten/{client}/netwerk/toegang/{grant}/wijzigen" => {
            f(&[("deel", "reports"), ("toestemming", "ja"), ("tot", "")])
        }
        "/clienten/{client}/netwerk/contactpersonen" => f(&[
            ("voornaam", "Matrix"),
            ("achternaam", "Test"),
            ("relatie", "family"),
            ("deel", "reports"),
            ("toestemming", "ja"),
        ]),
        "/beheer/medewerkers/{id}" => vec![
            ("actie", "opslaan".into()),
            ("rol", "primary_caregiver".into()),
            ("team", w.team_a.to_string()),
            ("actief", "ja".into()),
        ],
        "/beheer/goedkeuringen/{id}" => f(&[("actie", "afwijzen")]),
        "/beheer/bewaartermijn/{id}" => {
            f(&[("nummer", "C-9"), ("reden", "Matrix: termijn voorbij")])
        }
        // A real write: a new location (the settings and staff forms are
        // in the fingerprint too).
        "/beheer" => f(&[("actie", "locatie"), ("naam", "Matrix locatie")]),
        "/uitnodigingen/{id}" => f(&[("actie", "nee")]),
        "/clienten/{client}/verzoeken/{id}" => f(&[("besluit", "gelezen")]),
        "/dossier/verzoeken" => f(&[
            ("soort", "aanvulling"),
            ("over", "gegevens"),
            ("tekst", "Matrix"),
        ]),
        "/dossier/vragen" | "/dossier/vragen/{id}" => f(&[("tekst", "Matrix")]),
        "/clienten/{client}/vragen/{id}" => f(&[("actie", "antwoord"), ("tekst", "Matrix")]),
        "/mijn-account/berichten" => f(&[("nieuws", "ja"), ("herinnering", "ja"), ("email", "ja")]),
        "/clienten/{client}/netwerk/vertegenwoordiger" => vec![
            ("contactpersoon", w.vera.to_string()),
            ("vertegenwoordiger", "ja".into()),
            ("reden", "Matrix".into()),
        ],
        _ => vec![],
    }
}

/// A one-page PDF upload as multipart, the CSRF token first.
fn upload_body(csrf: &str) -> String {
    let field = |n: &str, v: &str| {
        format!("--M\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n")
    };
    format!(
        "{}{}{}{}{}--M\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"a.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--M--\r\n",
        field("csrf", csrf),
        field("titel", "Matrix"),
        field("soort", "Brief"),
        field("datum", "01-11-2026"),
        field("zichtbaar", "ja"),
    )
}

/// The interfaces that take a bearer token only (no cookies, no CSRF).
fn bearer_only(p: &str) -> bool {
    p.starts_with("/api/") || p.starts_with("/fhir/") || p.starts_with("/oauth/")
}

async fn send(
    b: &mut Browser,
    method: &str,
    path: &str,
    template: &str,
    body: Vec<(&str, String)>,
    csrf: &str,
) -> Page {
    if method == "GET" {
        return b.get(path).await;
    }
    if method != "POST" {
        // PUT (FHIR): with the browser's cookies, as a page could send it.
        let req = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("cookie", b.cookie_header())
            .header("content-type", "application/fhir+json")
            .body(axum::body::Body::from("{}"))
            .expect("req");
        return b.send(req).await;
    }
    if template == "/clienten/{client}/documenten" {
        let req = axum::http::Request::post(path)
            .header("cookie", b.cookie_header())
            .header("content-type", "multipart/form-data; boundary=M")
            .body(axum::body::Body::from(upload_body(csrf)))
            .expect("req");
        return b.send(req).await;
    }
    let mut pairs: Vec<(&str, &str)> = vec![("csrf", csrf)];
    pairs.extend(body.iter().map(|(k, v)| (*k, v.as_str())));
    b.post(path, &pairs).await
}

/// The answer as the matrix writes it.
fn answer(p: &Page) -> String {
    match (p.status, p.location.as_deref()) {
        (StatusCode::SEE_OTHER, Some(l)) if l.starts_with("/inloggen") => "login".into(),
        (StatusCode::SEE_OTHER, Some(l)) if l.starts_with("/kiezen") => "kiezen".into(),
        (s, _) => s.as_u16().to_string(),
    }
}

/// Signs everyone in; the anonymous column gets a browser without a session.
async fn sessions(w: &World) -> Vec<(Browser, String)> {
    let mut out = Vec::new();
    for (_, email) in PRINCIPALS {
        let mut b = if email.is_empty() {
            w.browser()
        } else {
            w.signed_in(email).await
        };
        let csrf = if email.is_empty() {
            "0".repeat(64)
        } else {
            hidden(&b.get("/mijn-account").await.body, "csrf")
        };
        // A contact person opens Aisha's dossier (Vera has another waiting).
        if b.get("/").await.location.as_deref() == Some("/kiezen") {
            let page = b.get("/kiezen").await.body;
            let dossier = hidden(&page, "dossier");
            b.post("/kiezen", &[("csrf", &csrf), ("dossier", &dossier)])
                .await;
        }
        out.push((b, csrf));
    }
    out
}

/// What no refused answer may show of Aisha's dossier.
const MARKERS: &[&str] = &[
    "Aisha",
    "Goede dag",
    "Zelf koken",
    "Elke dinsdag",
    "aisha@example.nl",
    "0612345601",
];

#[tokio::test]
async fn every_route_with_an_id_answers_each_principal_as_the_table_says() {
    let routes: Vec<(String, &str)> = route_list()
        .into_iter()
        .filter(|(_, p)| p.contains('{'))
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    let missing: Vec<String> = routes
        .iter()
        .filter(|(m, p)| !MATRIX.iter().any(|(mm, pp, _)| mm == m && pp == p))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    let stale: Vec<String> = MATRIX
        .iter()
        .filter(|(m, p, _)| !routes.iter().any(|(mm, pp)| mm == m && pp == p))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    let (w, it) = matrix_world().await;
    let mut who = sessions(&w).await;
    let mut observed = String::new();
    let mut wrong = Vec::new();
    for (method, template, expect) in MATRIX {
        if stale.iter().any(|s| s == &format!("{method} {template}")) {
            continue;
        }
        let path = concrete(template, &w, &it);
        let mut row = Vec::new();
        for (i, (b, csrf)) in who.iter_mut().enumerate() {
            let body = form(template, &w, &it).await;
            let p = send(b, method, &path, template, body, csrf).await;
            let got = answer(&p);
            if got != expect[i] {
                wrong.push(format!(
                    "{method} {template} as {}: expected {}, got {got}",
                    PRINCIPALS[i].0, expect[i]
                ));
            }
            let refused = matches!(got.as_str(), "login" | "403" | "404");
            if refused {
                for m in MARKERS {
                    assert!(
                        !p.body.contains(m),
                        "{method} {template} as {} refused, but shows {m:?}",
                        PRINCIPALS[i].0
                    );
                }
            }
            row.push(format!("{:?}", got));
        }
        observed.push_str(&format!(
            "    ({method:?}, {template:?}, [{}]),\n",
            row.join(", ")
        ));
    }
    assert!(
        missing.is_empty() && stale.is_empty() && wrong.is_empty(),
        "routes without a row in the matrix: {missing:#?}\nrows without a route: {stale:#?}\n\
         answers that differ: {wrong:#?}\nobserved:\n{observed}"
    );
}

/// The rows of the tables a forged request could change.
async fn fingerprint(w: &World) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    for (name, sql) in [
        ("reports", "SELECT COUNT(*) FROM report"),
        ("report revisions", "SELECT CAST(COALESCE(SUM(revision), 0) AS BIGINT) FROM report"),
        ("appointments", "SELECT COUNT(*) FROM appointment"),
        ("appointment revisions", "SELECT CAST(COALESCE(SUM(revision), 0) AS BIGINT) FROM appointment"),
        ("documents", "SELECT COUNT(*) FROM document WHERE deleted_at IS NULL"),
        ("plans", "SELECT COUNT(*) FROM plan_version"),
        ("sections", "SELECT CAST(COUNT(*) + COALESCE(SUM(revision), 0) AS BIGINT) FROM plan_section"),
        ("episodes", "SELECT COUNT(*) FROM episode"),
        ("contact persons", "SELECT COUNT(*) FROM contact_person"),
        ("grants", "SELECT COUNT(*) FROM access_grant WHERE revoked_at IS NULL"),
        ("accounts", "SELECT COUNT(*) FROM account"),
        ("passwords", "SELECT COUNT(*) FROM account WHERE password_hash IS NOT NULL"),
        ("apps", "SELECT COUNT(*) FROM account WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL"),
        ("languages", "SELECT COUNT(*) FROM account WHERE language = 'en'"),
        ("tours", "SELECT COUNT(*) FROM account WHERE tour_done = 1"),
        ("representatives", "SELECT COUNT(*) FROM contact_person WHERE represents_client = 1"),
        ("afschriften", "SELECT COUNT(*) FROM afschrift"),
        ("notifications", "SELECT CAST(COALESCE(SUM(notify_news + notify_reminders + notify_by_email + notify_by_sms), 0) AS BIGINT) FROM account"),
        ("tokens", "SELECT COUNT(*) FROM account_token"),
        ("clients", "SELECT COUNT(*) FROM client"),
        ("destructions", "SELECT COUNT(*) FROM dossier_destruction"),
        ("messages", "SELECT COUNT(*) FROM message"),
        ("jobs", "SELECT COUNT(*) FROM job"),
        ("links", "SELECT COUNT(*) FROM account_link WHERE decided_at IS NULL"),
        ("identifier changes", "SELECT COUNT(*) FROM identifier_change"),
        ("staff requests", "SELECT COUNT(*) FROM staff_change_request WHERE decided_at IS NULL"),
        ("roles", "SELECT COUNT(*) FROM staff_role"),
        ("client requests", "SELECT COUNT(*) FROM dossier_request"),
        ("questions", "SELECT COUNT(*) FROM team_question"),
        ("question messages", "SELECT COUNT(*) FROM team_question_message"),
        ("closed questions", "SELECT COUNT(*) FROM team_question WHERE status <> 'open'"),
        ("answered requests", "SELECT COUNT(*) FROM dossier_request WHERE status <> 'open'"),
        ("teams", "SELECT COUNT(*) FROM team_membership"),
        ("locations", "SELECT COUNT(*) FROM location"),
        ("organisation teams", "SELECT COUNT(*) FROM team"),
        ("staff members", "SELECT COUNT(*) FROM staff_member"),
        ("active staff", "SELECT COUNT(*) FROM staff_member WHERE active = 1"),
        ("role kinds", "SELECT COUNT(*) FROM staff_role WHERE role IN ('primary_caregiver', 'privacy_officer', 'functional_admin')"),
        (
            "organisation settings",
            "SELECT CAST(COALESCE(SUM(idle_timeout_minutes + lockout_threshold + lockout_pause_minutes \
             + grace_days_after_discharge + min_client_age + finalise_after_hours + upload_limit_bytes \
             + staff_sms_allowed + auto_invite), 0) AS BIGINT) FROM organisation",
        ),
        ("stopped portals", "SELECT COUNT(*) FROM client WHERE portal_stopped = 1"),
        ("open sessions", "SELECT COUNT(*) FROM auth_session WHERE ended_at IS NULL"),
        ("chosen dossiers", "SELECT COUNT(*) FROM auth_session WHERE active_contact_person_id IS NOT NULL"),
    ] {
        out.insert(name, w.db.scalar(sql).await);
    }
    out
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_missing_or_wrong_csrf_token() {
    let (w, it) = matrix_world().await;
    let routes: Vec<(String, &str)> = route_list()
        .into_iter()
        .filter(|(m, _)| m != "GET")
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    // Every (method, path): one path may take POST and PUT (FHIR).
    let posts: Vec<(&str, &str)> = routes.iter().map(|(m, p)| (m.as_str(), *p)).collect();
    assert!(posts.len() > 40, "{}", posts.len());
    // Each route is tried as someone who could use it.
    let who_for = |p: &str| -> &'static str {
        if p.starts_with("/clienten/") {
            "anna@zorg.nl"
        } else if p.starts_with("/beheer") {
            "ria@zorg.nl"
        } else if p == "/kiezen" || p.starts_with("/uitnodigingen/") {
            "vera@example.nl"
        } else if p.starts_with("/inloggen") || p.starts_with("/wachtwoord-") || bearer_only(p) {
            ""
        } else {
            "aisha@example.nl"
        }
    };
    let mut refused_pages = Vec::new();
    for (method, path) in posts {
        let email = who_for(path);
        for token in [None, Some("f".repeat(64))] {
            let mut b = if email.is_empty() {
                w.browser()
            } else {
                w.signed_in(email).await
            };
            if email.is_empty() && !bearer_only(path) {
                // Before sign-in the form's token is a cookie's double.
                let csrf = hidden(&b.get("/inloggen").await.body, "csrf");
                if path == "/inloggen/code"
                    || path == "/inloggen/sms"
                    || path == "/inloggen/passkey"
                {
                    // The second step belongs to a half-signed-in session.
                    b.post(
                        "/inloggen",
                        &[
                            ("csrf", &csrf),
                            ("email", "aisha@example.nl"),
                            ("password", PASSWORD),
                        ],
                    )
                    .await;
                }
            }
            let before = fingerprint(&w).await;
            let concrete_path = concrete(path, &w, &it);
            let p = if bearer_only(path) {
                // The JSON API, FHIR and its token endpoint read no cookies:
                // a request a browser could be made to send (cookies, a
                // form body) is refused.
                // FHIR gets a well-formed resource: the refusal must be
                // the missing token's, not the body's.
                let (ct, body) = if path.starts_with("/fhir/") {
                    ("application/fhir+json", r#"{"resourceType":"Patient"}"#)
                } else {
                    ("application/x-www-form-urlencoded", "email=x&password=y")
                };
                let req = axum::http::Request::builder()
                    .method(method)
                    .uri(&concrete_path)
                    .header("cookie", b.cookie_header())
                    .header("content-type", ct)
                    .body(axum::body::Body::from(body))
                    .expect("req");
                b.send(req).await
            } else if path == "/clienten/{client}/documenten" || path == "/beheer/logo" {
                // Multipart forms: the token is the first field.
                let body = match &token {
                    None => upload_body("").replacen(
                        "--M\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\r\n",
                        "",
                        1,
                    ),
                    Some(t) => upload_body(t),
                };
                let req = axum::http::Request::post(&concrete_path)
                    .header("cookie", b.cookie_header())
                    .header("content-type", "multipart/form-data; boundary=M")
                    .body(axum::body::Body::from(body))
                    .expect("req");
                b.send(req).await
            } else {
                let body = form(path, &w, &it).await;
                let mut pairs: Vec<(&str, &str)> =
                    body.iter().map(|(k, v)| (*k, v.as_str())).collect();
                if path.starts_with("/inloggen") || path.starts_with("/wachtwoord-") {
                    pairs.extend([
                        ("email", "aisha@example.nl"),
                        ("password", PASSWORD),
                        ("code", "123456"),
                    ]);
                }
                if let Some(t) = &token {
                    pairs.push(("csrf", t));
                }
                b.post(&concrete_path, &pairs).await
            };
            let after = fingerprint(&w).await;
            let kind = if token.is_none() {
                "without a token"
            } else {
                "with a wrong token"
            };
            let api = bearer_only(path);
            let expected = if path.starts_with("/fhir/") {
                // No token, no entry: exactly 401.
                p.status == StatusCode::UNAUTHORIZED
            } else if api {
                [
                    StatusCode::UNAUTHORIZED,
                    StatusCode::BAD_REQUEST,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ]
                .contains(&p.status)
            } else {
                p.status == StatusCode::FORBIDDEN
            };
            assert!(expected, "{method} {path} {kind}: {} {}", p.status, p.body);
            let changed: Vec<_> = before
                .iter()
                .filter(|(k, v)| after.get(*k) != Some(v))
                .map(|(k, _)| *k)
                .collect();
            assert!(
                changed.is_empty(),
                "{method} {path} {kind} changed {changed:?}"
            );
            if !api {
                refused_pages.push(path);
            }
        }
    }
    // Two tries per page route (the API's routes are counted apart).
    assert_eq!(refused_pages.len() % 2, 0);
    assert!(refused_pages.len() > 70, "{}", refused_pages.len());
}
