//! The e-mails and SMS messages, in the account's language. The words are
//! in the Fluent files of `inzage-i18n` (section "E-mail en sms"), Dutch at
//! B1 level (short sentences, "je"); this module only puts lines together.
use inzage_i18n::{Lang, Sector, Tr};

/// Whom a message speaks to: their language, and their organisation's
/// sector (its words: begeleider or behandelaar, issue 14).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Voice<'a> {
    pub lang: &'a str,
    pub sector: Sector,
}

fn tr(v: Voice<'_>) -> Tr {
    Tr::new(Lang::parse(v.lang).unwrap_or(Lang::Nl)).with_sector(v.sector)
}

/// (subject, body) of the invitation.
/// The invitation; `contact`: to a contact person, about the client's
/// dossier (the client is not named in an e-mail).
pub(crate) fn invite(
    lang: Voice<'_>,
    link: &str,
    until: &str,
    email: &str,
    contact: bool,
) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-invite-subject"),
        format!(
            "{}\n\n{}\n\n{}\n{link}\n\n{}\n{}\n\n{}\n",
            t.t("mail-hello"),
            t.t(if contact {
                "mail-invite-intro-contact"
            } else {
                "mail-invite-intro"
            }),
            t.t("mail-invite-click"),
            t.a("mail-invite-valid", "until", until),
            t.a("mail-invite-username", "email", email),
            t.t("mail-invite-unexpected"),
        ),
    )
}

pub(crate) fn reset(lang: Voice<'_>, link: &str) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-reset-subject"),
        format!(
            "{}\n\n{}\n{}\n{link}\n\n{}\n{}\n",
            t.t("mail-hello"),
            t.t("mail-reset-intro"),
            t.t("mail-reset-click"),
            t.t("mail-reset-valid"),
            t.t("mail-reset-unexpected"),
        ),
    )
}

/// To an address without an account that asked for a new password.
pub(crate) fn not_registered(lang: Voice<'_>) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-not-registered-subject"),
        format!(
            "{}\n\n{}\n\n{}\n\n{}\n",
            t.t("mail-hello"),
            t.t("mail-not-registered-intro"),
            t.t("mail-not-registered-what"),
            t.t("mail-not-registered-unexpected"),
        ),
    )
}

pub(crate) fn password_changed(lang: Voice<'_>) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-password-changed-subject"),
        format!(
            "{}\n\n{}\n{}\n",
            t.t("mail-hello"),
            t.t("mail-password-changed-intro"),
            t.t("mail-password-changed-unexpected"),
        ),
    )
}

/// A sign-in at the organisation's identity provider was linked to the
/// account (by a functional admin, or at the first sign-in through it).
pub(crate) fn oidc_linked(lang: Voice<'_>, issuer: &str) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-oidc-linked-subject"),
        format!(
            "{}\n\n{}\n{issuer}\n\n{}\n",
            t.t("mail-hello"),
            t.t("mail-oidc-linked-intro"),
            t.t("mail-oidc-linked-unexpected"),
        ),
    )
}

/// "Something new" (ADR 0021): never what, never whose. `own`: the
/// client's own dossier; else a dossier the contact person may read (the
/// client is not named).
pub(crate) fn news_mail(
    lang: Voice<'_>,
    own: bool,
    portal: &str,
    unsubscribe: &str,
) -> (String, String) {
    let t = tr(lang);
    let (subject, line) = if own {
        ("notify-news-subject-own", "notify-news-own")
    } else {
        ("notify-news-subject-other", "notify-news-other")
    };
    (
        t.t(subject),
        format!(
            "{}\n\n{}\n{}\n{portal}\n\n{}\n{}\n{unsubscribe}\n",
            t.t("mail-hello"),
            t.t(line),
            t.t("notify-look"),
            t.t("notify-why"),
            t.t("notify-stop"),
        ),
    )
}

pub(crate) fn news_sms(lang: Voice<'_>, own: bool) -> String {
    tr(lang).t(if own {
        "notify-news-sms-own"
    } else {
        "notify-news-sms-other"
    })
}

/// The reminder the day before: the time, nothing else.
pub(crate) fn reminder_mail(
    lang: Voice<'_>,
    own: bool,
    time: &str,
    portal: &str,
    unsubscribe: &str,
) -> (String, String) {
    let t = tr(lang);
    (
        t.t("notify-reminder-subject"),
        format!(
            "{}\n\n{}\n{}\n{portal}\n\n{}\n{}\n{unsubscribe}\n",
            t.t("mail-hello"),
            reminder_sms(lang, own, time),
            t.t("notify-look"),
            t.t("notify-why"),
            t.t("notify-stop"),
        ),
    )
}

pub(crate) fn reminder_sms(lang: Voice<'_>, own: bool, time: &str) -> String {
    tr(lang).a(
        if own {
            "notify-reminder-own"
        } else {
            "notify-reminder-other"
        },
        "time",
        time,
    )
}

/// The afschrift is ready: where and until when, nothing of the dossier.
pub(crate) fn afschrift_ready(lang: Voice<'_>, until: &str, base_url: &str) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-afschrift-ready-subject"),
        format!(
            "{}\n\n{}\n{}\n{}/dossier/afschrift\n",
            t.t("mail-hello"),
            t.a("mail-afschrift-ready-intro", "until", until),
            t.t("notify-look"),
            base_url.trim_end_matches('/'),
        ),
    )
}

/// A right app code was used a second time.
pub(crate) fn code_reused(lang: Voice<'_>) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-code-reused-subject"),
        format!(
            "{}\n\n{}\n{}\n",
            t.t("mail-hello"),
            t.t("mail-code-reused-intro"),
            t.t("mail-code-reused-unexpected"),
        ),
    )
}

pub(crate) fn lockout(
    lang: Voice<'_>,
    until: &str,
    tries: i64,
    servicedesk_email: Option<&str>,
    servicedesk_phone: Option<&str>,
) -> (String, String) {
    let t = tr(lang);
    let help = match (servicedesk_email, servicedesk_phone) {
        (Some(e), Some(p)) => format!(
            "\n{}\n",
            t.a2("mail-help-mail-or-call", "email", e, "phone", p)
        ),
        (Some(e), None) => format!("\n{}\n", t.a("mail-help-mail", "email", e)),
        _ => String::new(),
    };
    (
        t.t("mail-lockout-subject"),
        format!(
            "{}\n\n{}\n{}\n{}\n\n{}\n{help}",
            t.t("mail-hello"),
            t.a("mail-lockout-intro", "count", tries),
            t.a("mail-lockout-until", "until", until),
            t.t("mail-lockout-after"),
            t.t("mail-lockout-unexpected"),
        ),
    )
}

pub(crate) fn sms_code(lang: Voice<'_>, code: &str) -> String {
    tr(lang).a("sms-code", "code", code)
}

/// The note to the old address when an account's e-mail address or mobile
/// number changed. It does not name the new details.
pub(crate) fn identifiers_changed(lang: Voice<'_>) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-identifiers-changed-subject"),
        format!(
            "{}\n\n{}\n{}\n",
            t.t("mail-hello"),
            t.t("mail-identifiers-changed-intro"),
            t.t("mail-identifiers-changed-unexpected"),
        ),
    )
}

/// The same note as an SMS to the old number.
pub(crate) fn identifiers_changed_sms(lang: Voice<'_>) -> String {
    tr(lang).t("sms-identifiers-changed")
}

/// A code that proves the holder reads the new e-mail address.
pub(crate) fn confirm_code_mail(lang: Voice<'_>, code: &str, minutes: i64) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-confirm-code-subject"),
        format!(
            "{}\n\n{}\n\n{}\n\n{}\n",
            t.t("mail-hello"),
            t.a("mail-confirm-code-intro", "code", code),
            t.a("mail-confirm-code-valid", "minutes", minutes),
            t.t("mail-confirm-code-unexpected"),
        ),
    )
}

/// A code that proves the holder has the new mobile number.
pub(crate) fn confirm_code_sms(lang: Voice<'_>, code: &str, minutes: i64) -> String {
    tr(lang).a2("sms-confirm-code", "code", code, "minutes", minutes)
}

/// Staff asked to change the holder's details: the holder confirms,
/// signed in, through the link (sent to the old address).
pub(crate) fn staff_change_request(
    lang: Voice<'_>,
    organisation: &str,
    new_email: Option<&str>,
    new_mobile: Option<&str>,
    link: &str,
    until: &str,
) -> (String, String) {
    let t = tr(lang);
    let mut what = String::new();
    if let Some(e) = new_email {
        what.push_str(&t.a("mail-change-request-email", "email", e));
        what.push('\n');
    }
    if let Some(m) = new_mobile {
        what.push_str(&t.a("mail-change-request-mobile", "mobile", m));
        what.push('\n');
    }
    (
        t.t("mail-change-request-subject"),
        format!(
            "{}\n\n{}\n{what}\n{}\n{link}\n\n{}\n{}\n",
            t.t("mail-hello"),
            t.a("mail-change-request-intro", "organisation", organisation),
            t.t("mail-change-request-click"),
            t.a("mail-change-request-valid", "until", until),
            t.t("mail-change-request-unexpected"),
        ),
    )
}

/// A care organisation asks the holder of an existing account to become
/// someone's contact person. The client is not named here: the holder sees
/// who it is after signing in.
pub(crate) fn link_pending(lang: Voice<'_>, base_url: &str) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-link-subject"),
        format!(
            "{}\n\n{}\n{}\n{}/inloggen\n\n{}\n",
            t.t("mail-hello"),
            t.t("mail-link-intro"),
            t.t("mail-link-sign-in"),
            base_url.trim_end_matches('/'),
            t.t("mail-link-unexpected"),
        ),
    )
}

/// An invitation could not use this address: it belongs to the holder's
/// account of another kind.
pub(crate) fn address_taken(lang: Voice<'_>) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-address-taken-subject"),
        format!(
            "{}\n\n{}\n{}\n\n{}\n",
            t.t("mail-hello"),
            t.t("mail-address-taken-intro"),
            t.t("mail-address-taken-what"),
            t.t("mail-link-unexpected"),
        ),
    )
}

/// The holder linked or removed an authenticator app.
pub(crate) fn app_changed(lang: Voice<'_>, linked: bool) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-app-changed-subject"),
        format!(
            "{}\n\n{}\n{}\n",
            t.t("mail-hello"),
            t.t(if linked {
                "mail-app-linked-intro"
            } else {
                "mail-app-removed-intro"
            }),
            t.t("mail-password-changed-unexpected"),
        ),
    )
}

/// The e-mail that tells the holder a copy of one of their passkeys may
/// be in use (its signature counter did not move on).
pub(crate) fn passkey_copied(lang: Voice<'_>) -> (String, String) {
    let t = tr(lang);
    (
        t.t("mail-passkey-copied-subject"),
        format!(
            "{}\n\n{}\n{}\n",
            t.t("mail-hello"),
            t.t("mail-passkey-copied-intro"),
            t.t("mail-passkey-copied-unexpected"),
        ),
    )
}

/// The e-mail that tells the holder a passkey was added or removed: its
/// name, and whether it signs in without the password.
pub(crate) fn passkey_changed(
    lang: Voice<'_>,
    added: bool,
    name: &str,
    alone: bool,
) -> (String, String) {
    let t = tr(lang);
    let what = if added {
        t.a("mail-passkey-added-intro", "name", name)
    } else {
        t.a("mail-passkey-removed-intro", "name", name)
    };
    let alone = if added && alone {
        format!("{}\n", t.t("mail-passkey-alone"))
    } else {
        String::new()
    };
    (
        t.t("mail-passkey-changed-subject"),
        format!(
            "{}\n\n{what}\n{alone}{}\n",
            t.t("mail-hello"),
            t.t("mail-password-changed-unexpected"),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lang: &str) -> Voice<'_> {
        Voice {
            lang,
            sector: Sector::Care,
        }
    }

    #[test]
    fn a_mental_health_organisation_writes_its_own_words() {
        let ggz = Voice {
            lang: "nl",
            sector: Sector::MentalHealth,
        };
        let (_, b) = identifiers_changed(ggz);
        assert!(
            b.contains("behandelaar") && !b.contains("begeleider"),
            "{b}"
        );
        let (_, b) = identifiers_changed(v("nl"));
        assert!(b.contains("begeleider"), "{b}");
    }

    #[test]
    fn messages_come_in_both_languages_with_their_values() {
        let (s, b) = invite(v("nl"), "https://x/l", "23-11-2026 10:00", "a@b.nl", false);
        assert_eq!(s, "Je uitnodiging voor Inzage");
        assert!(b.starts_with("Hallo,\n\nJe kunt nu je eigen dossier bekijken in Inzage.\n\n"));
        assert!(b.contains("\nhttps://x/l\n") && b.contains("geldig tot 23-11-2026 10:00."));
        let (_, b) = invite(v("nl"), "https://x/l", "23-11-2026 10:00", "a@b.nl", true);
        assert!(
            b.contains("contactpersoon van een cliënt") && !b.contains("je eigen dossier"),
            "{b}"
        );
        let (s, b) = invite(v("en"), "https://x/l", "23-11-2026 10:00", "a@b.nl", false);
        assert_eq!(s, "Your invitation to Inzage");
        assert!(b.contains("Your user name is your e-mail address: a@b.nl"));
        assert_eq!(
            sms_code(v("nl"), "123456"),
            "Je Inzage-code is 123456. Deze code is 10 minuten geldig. Deel deze code met niemand."
        );
        assert!(sms_code(v("xx"), "123456").starts_with("Je Inzage-code is 123456."));
        let (_, b) = lockout(v("nl"), "12:00", 5, Some("s@d.nl"), Some("085"));
        assert!(b.contains("Er is 5 keer verkeerd ingelogd"), "{b}");
        assert!(
            b.ends_with("\nHulp nodig? Mail naar s@d.nl of bel 085.\n"),
            "{b}"
        );
        let (s, _) = reset(v("en"), "l");
        assert_eq!(s, "Set a new password");
        assert_eq!(password_changed(v("nl")).0, "Je wachtwoord is veranderd");
    }
}
