//! The model's closed vocabularies. Each has one English code name (stored
//! in the database) and one Dutch UI label; see docs/glossary.md.
use crate::ids::{ClientId, ContactPersonId, StaffId};
use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $code:literal, $nl:literal;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The code stored in the database and used on the CLI.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            /// The Dutch label shown in the UI.
            pub fn label_nl(self) -> &'static str {
                match self { $($name::$variant => $nl),* }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum!(
    /// Staff roles (a staff member can hold several).
    Role {
        Caregiver => "caregiver", "begeleider";
        PrimaryCaregiver => "primary_caregiver", "persoonlijk begeleider";
        Practitioner => "practitioner", "behandelaar";
        Secretariat => "secretariat", "secretariaat";
        FunctionalAdmin => "functional_admin", "functioneel beheerder";
        PrivacyOfficer => "privacy_officer", "privacy officer";
    }
);

impl Role {
    /// Roles that give care-related access to the dossiers of the member's teams.
    pub fn is_care_role(self) -> bool {
        matches!(
            self,
            Role::Caregiver | Role::PrimaryCaregiver | Role::Practitioner
        )
    }
}

code_enum!(
    /// What kind of person an account belongs to.
    AccountKind {
        Client => "client", "cliënt";
        ContactPerson => "contact_person", "contactpersoon";
        Staff => "staff", "medewerker";
    }
);

code_enum!(
    /// The parts of a dossier, one per portal tile. Access grants name these.
    DossierPart {
        Profile => "profile", "Mijn gegevens";
        ClientPlan => "client_plan", "Cliëntplan";
        Reports => "reports", "Rapportages";
        Appointments => "appointments", "Afspraken";
        Documents => "documents", "Documenten";
        Network => "network", "Mijn netwerk";
        AuditTrail => "audit_trail", "Wie keek mee";
        Episodes => "episodes", "Zorgperiodes";
        // The client's own requests about their dossier: a correction of
        // a factual error, or their own statement added beside an item
        // (WGBO 7:454, AVG 16; issue 15). Not a tile, and never granted to
        // a contact person.
        Requests => "requests", "Verzoeken";
        // Questions to the team and their answers (issue 15): a tile, and
        // a part a contact person can be granted (to ask themselves).
        Questions => "questions", "Vraag aan je team";
    }
);

code_enum!(
    /// Draft (concept) or final (definitief), for reports and plan versions.
    DocStatus {
        Draft => "draft", "concept";
        Final => "final", "definitief";
    }
);

code_enum!(
    AppointmentStatus {
        Planned => "planned", "gepland";
        Cancelled => "cancelled", "geannuleerd";
    }
);

code_enum!(
    /// How a contact person relates to the client.
    Relation {
        Mentor => "mentor", "mentor";
        LegalRepresentative => "legal_representative", "wettelijk vertegenwoordiger";
        Curator => "curator", "curator";
        Administrator => "administrator", "bewindvoerder";
        Family => "family", "familie";
        Partner => "partner", "partner";
        Other => "other", "anders";
    }
);

code_enum!(
    /// What was done, as recorded in the audit trail.
    AuditAction {
        Read => "read", "bekeken";
        List => "list", "lijst bekeken";
        Create => "create", "aangemaakt";
        Update => "update", "gewijzigd";
        Finalise => "finalise", "definitief gemaakt";
        Delete => "delete", "verwijderd";
        Export => "export", "geëxporteerd";
        Grant => "grant", "toegang gegeven";
        Revoke => "revoke", "toegang ingetrokken";
        Invite => "invite", "uitgenodigd";
        Login => "login", "ingelogd";
        Logout => "logout", "uitgelogd";
        CodeSent => "code_sent", "code verstuurd";
        SecondFactor => "second_factor", "tweede stap";
        Lockout => "lockout", "inloggen gepauzeerd";
        PasswordSet => "password_set", "wachtwoord ingesteld";
        PasswordResetRequested => "password_reset_requested", "wachtwoord opgevraagd";
        SessionStart => "session_start", "ingelogd (sessie gestart)";
        SessionEnd => "session_end", "sessie beëindigd";
        // A notification without content was sent (ADR 0021).
        Notify => "notify", "bericht gestuurd";
    }
);

code_enum!(
    AuditOutcome {
        Allowed => "allowed", "toegestaan";
        Denied => "denied", "geweigerd";
    }
);

/// Who is acting. Made only by the sign-in layer (web) or by trusted
/// entry points (CLI, jobs); every service call takes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    Client {
        client_id: ClientId,
    },
    ContactPerson {
        contact_person_id: ContactPersonId,
    },
    Staff {
        staff_id: StaffId,
    },
    /// The program itself: a background job or an operator command.
    System {
        component: String,
    },
    /// A signed-in person acting on their own account (password, sessions),
    /// not on a dossier.
    Account {
        account_id: String,
    },
    /// Nobody is signed in (a login attempt, a password request).
    Anonymous,
    /// A registered system (the organisation's ECD) calling the FHIR API
    /// with a SMART Backend Services token: its client id and the scopes
    /// the token carries (issue 17).
    Integration {
        fhir_client_id: String,
        scopes: Vec<crate::smart::SmartScope>,
    },
}

impl Principal {
    pub fn system(component: &str) -> Self {
        Principal::System {
            component: component.to_owned(),
        }
    }
    /// (kind, id) as written to the audit trail.
    pub fn audit_actor(&self) -> (&'static str, String) {
        match self {
            Principal::Client { client_id } => ("client", client_id.to_string()),
            Principal::ContactPerson { contact_person_id } => {
                ("contact_person", contact_person_id.to_string())
            }
            Principal::Staff { staff_id } => ("staff", staff_id.to_string()),
            Principal::System { component } => ("system", component.clone()),
            Principal::Account { account_id } => ("account", account_id.clone()),
            Principal::Anonymous => ("anonymous", "-".to_owned()),
            Principal::Integration { fhir_client_id, .. } => {
                ("integration", fhir_client_id.clone())
            }
        }
    }
}
