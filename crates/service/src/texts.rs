//! The words of e-mails and SMS messages: Dutch at B1 level (short
//! sentences, "je"), and English for accounts that chose English.

fn en(lang: &str) -> bool {
    lang == "en"
}

/// (subject, body) of the invitation.
pub(crate) fn invite(lang: &str, link: &str, until: &str, email: &str) -> (&'static str, String) {
    if en(lang) {
        (
            "Your invitation to Inzage",
            format!(
                "Hello,\n\nYou can now read your own file in Inzage.\n\n\
             Click this link and choose a password:\n{link}\n\n\
             The link works once and is valid until {until}.\n\
             Your user name is your e-mail address: {email}\n\n\
             Did you not expect this e-mail? Then you do not need to do anything.\n"
            ),
        )
    } else {
        (
            "Je uitnodiging voor Inzage",
            format!(
                "Hallo,\n\nJe kunt nu je eigen dossier bekijken in Inzage.\n\n\
             Klik op deze link en kies een wachtwoord:\n{link}\n\n\
             De link werkt één keer en is geldig tot {until}.\n\
             Je gebruikersnaam is je e-mailadres: {email}\n\n\
             Heb je deze e-mail niet verwacht? Dan hoef je niets te doen.\n"
            ),
        )
    }
}

pub(crate) fn reset(lang: &str, link: &str) -> (&'static str, String) {
    if en(lang) {
        (
            "Set a new password",
            format!(
                "Hello,\n\nYou asked for a new password for Inzage.\n\
             Click this link and choose a new password:\n{link}\n\n\
             The link works once and is valid for 1 hour.\n\
             Did you not ask for this? Then you do not need to do anything.\n"
            ),
        )
    } else {
        (
            "Nieuw wachtwoord instellen",
            format!(
                "Hallo,\n\nJe hebt een nieuw wachtwoord aangevraagd voor Inzage.\n\
             Klik op deze link en kies een nieuw wachtwoord:\n{link}\n\n\
             De link werkt één keer en is 1 uur geldig.\n\
             Heb jij dit niet aangevraagd? Dan hoef je niets te doen.\n"
            ),
        )
    }
}

pub(crate) fn password_changed(lang: &str) -> (&'static str, String) {
    if en(lang) {
        (
            "Your password was changed",
            "Hello,\n\nYour password for Inzage was just changed.\n\
          Did you not do this? Contact the service desk at once.\n"
                .to_owned(),
        )
    } else {
        (
            "Je wachtwoord is veranderd",
            "Hallo,\n\nJe wachtwoord voor Inzage is zojuist veranderd.\n\
          Heb jij dit niet gedaan? Neem dan meteen contact op met de servicedesk.\n"
                .to_owned(),
        )
    }
}

pub(crate) fn lockout(
    lang: &str,
    until: &str,
    servicedesk_email: Option<&str>,
    servicedesk_phone: Option<&str>,
) -> (&'static str, String) {
    if en(lang) {
        let help = match (servicedesk_email, servicedesk_phone) {
            (Some(e), Some(p)) => format!("\nNeed help? E-mail {e} or call {p}.\n"),
            (Some(e), None) => format!("\nNeed help? E-mail {e}.\n"),
            _ => String::new(),
        };
        (
            "Login is paused for a while",
            format!(
                "Hello,\n\nSomeone logged in to your account wrongly three times.\n\
             So logging in is paused until {until}.\nAfter that you can log in again.\n\n\
             Was this not you? Then ask for a new password.\n{help}"
            ),
        )
    } else {
        let help = match (servicedesk_email, servicedesk_phone) {
            (Some(e), Some(p)) => format!("\nHulp nodig? Mail naar {e} of bel {p}.\n"),
            (Some(e), None) => format!("\nHulp nodig? Mail naar {e}.\n"),
            _ => String::new(),
        };
        (
            "Inloggen is even gepauzeerd",
            format!(
                "Hallo,\n\nEr is drie keer verkeerd ingelogd op jouw account.\n\
             Daarom is inloggen gepauzeerd tot {until}.\nDaarna kun je weer inloggen.\n\n\
             Was jij dit niet? Vraag dan een nieuw wachtwoord aan.\n{help}"
            ),
        )
    }
}

pub(crate) fn sms_code(lang: &str, code: &str) -> String {
    if en(lang) {
        format!("Your Inzage code is {code}. This code is valid for 10 minutes. Do not share it with anyone.")
    } else {
        format!(
            "Je Inzage-code is {code}. Deze code is 10 minuten geldig. Deel deze code met niemand."
        )
    }
}
