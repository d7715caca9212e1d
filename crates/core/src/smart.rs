//! SMART on FHIR scopes for systems (Backend Services, issue 17), parsed
//! once into [`SmartScope`]: `system/Patient.rs`, `system/*.cruds`, and
//! the older `system/Patient.read` / `.write` / `.*`. Which dossier parts
//! a FHIR resource type touches is the glossary's FHIR column
//! ([`parts_of`]); the policy decides with both (`policy::decide`,
//! `policy::decide_fhir_interaction`).
use crate::model::DossierPart;
use crate::policy::Access;
use serde::{Deserialize, Serialize};

/// The resource types the FHIR API serves (the capability statement lists
/// exactly these). `*` in a scope means all of them.
pub const RESOURCE_TYPES: &[&str] = &[
    "Patient",
    "EpisodeOfCare",
    "CarePlan",
    "Goal",
    "DocumentReference",
    "Binary",
    "Appointment",
    "RelatedPerson",
    "Consent",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "AuditEvent",
    "Communication",
];

/// The dossier parts a resource of this type holds (the glossary's FHIR
/// column). Practitioner, PractitionerRole and Organization hold no
/// dossier content (the organisation's own staff and itself).
pub fn parts_of(resource_type: &str) -> &'static [DossierPart] {
    use DossierPart::*;
    match resource_type {
        // The client's own e-mail and mobile (Patient.telecom) are the
        // identifiers of the portal account, filed under Network (ADR 0013).
        "Patient" => &[Profile, Network],
        "EpisodeOfCare" => &[Episodes],
        "CarePlan" | "Goal" => &[ClientPlan],
        "DocumentReference" => &[Reports, Documents],
        "Binary" => &[Documents],
        "Appointment" => &[Appointments],
        "RelatedPerson" | "Consent" => &[Network],
        "AuditEvent" => &[AuditTrail],
        "Communication" => &[Questions],
        _ => &[],
    }
}

/// One FHIR interaction, as SMART v2 scopes name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interaction {
    /// c: create.
    Create,
    /// r: read, vread, history of one resource.
    Read,
    /// u: update (and conditional update).
    Update,
    /// d: delete (not offered: the dossier is never deleted by a system).
    Delete,
    /// s: search.
    Search,
}

impl Interaction {
    fn letter(self) -> char {
        match self {
            Interaction::Create => 'c',
            Interaction::Read => 'r',
            Interaction::Update => 'u',
            Interaction::Delete => 'd',
            Interaction::Search => 's',
        }
    }
    /// Reading or writing, for the dossier rules.
    pub fn access(self) -> Access {
        match self {
            Interaction::Read | Interaction::Search => Access::Read,
            Interaction::Create | Interaction::Update | Interaction::Delete => Access::Write,
        }
    }
}

/// A granted `system/` scope: a resource type (or every type) and the
/// interactions it allows.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SmartScope {
    /// `None`: every type (`system/*.…`).
    resource_type: Option<String>,
    /// Letters of `cruds`, in that order.
    interactions: String,
}

/// Why a scope string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeError {
    /// Not `system/<Type>.<permissions>`.
    Shape,
    /// A resource type the API does not serve.
    UnknownType,
    /// Permissions that are not a `cruds` subset in that order, nor
    /// `read`, `write`, `*`.
    Permissions,
}

impl SmartScope {
    /// Parses one scope. Accepts SMART v2 (`system/Patient.rs`) and v1
    /// (`system/Patient.read`, `.write`, `.*`); `patient/` and `user/`
    /// scopes are for apps that act for a person and are refused here.
    pub fn parse(s: &str) -> Result<Self, ScopeError> {
        let rest = s.strip_prefix("system/").ok_or(ScopeError::Shape)?;
        let (ty, perms) = rest.split_once('.').ok_or(ScopeError::Shape)?;
        let resource_type = match ty {
            "*" => None,
            t if RESOURCE_TYPES.contains(&t) => Some(t.to_owned()),
            _ => return Err(ScopeError::UnknownType),
        };
        let interactions = match perms {
            "read" => "rs".to_owned(),
            "write" => "cud".to_owned(),
            "*" => "cruds".to_owned(),
            p if !p.is_empty() && is_ordered_subset(p, "cruds") => p.to_owned(),
            _ => return Err(ScopeError::Permissions),
        };
        Ok(Self {
            resource_type,
            interactions,
        })
    }

    /// Parses a space-separated list; an empty list is refused.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, ScopeError> {
        let list = s
            .split_ascii_whitespace()
            .map(Self::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if list.is_empty() {
            return Err(ScopeError::Shape);
        }
        Ok(list)
    }

    /// Whether this scope allows `interaction` on `resource_type`.
    pub fn allows(&self, resource_type: &str, interaction: Interaction) -> bool {
        self.resource_type
            .as_deref()
            .is_none_or(|t| t == resource_type)
            && self.interactions.contains(interaction.letter())
    }

    /// Whether this scope reaches dossier `part` with `access` through any
    /// resource type it names.
    pub fn covers(&self, part: DossierPart, access: Access) -> bool {
        let letters: &[char] = match access {
            Access::Read => &['r', 's'],
            Access::Write => &['c', 'u'],
        };
        if !letters.iter().any(|l| self.interactions.contains(*l)) {
            return false;
        }
        match &self.resource_type {
            None => true,
            Some(t) => parts_of(t).contains(&part),
        }
    }

    /// The part of `wanted` this grant allows: the scopes a token gets are
    /// those asked for, narrowed to those registered.
    pub fn narrowed_by(&self, granted: &[SmartScope]) -> Option<SmartScope> {
        let mut letters = String::new();
        let mut ty = None;
        for g in granted {
            let type_ok = match (&g.resource_type, &self.resource_type) {
                (None, _) => true,
                (Some(a), Some(b)) => a == b,
                (Some(_), None) => false,
            };
            if type_ok {
                for c in self.interactions.chars() {
                    if g.interactions.contains(c) && !letters.contains(c) {
                        letters.push(c);
                    }
                }
                ty = self.resource_type.clone();
            }
        }
        if letters.is_empty() {
            return None;
        }
        let interactions: String = "cruds".chars().filter(|c| letters.contains(*c)).collect();
        Some(SmartScope {
            resource_type: ty,
            interactions,
        })
    }
}

fn is_ordered_subset(p: &str, of: &str) -> bool {
    let mut rest = of.chars();
    p.chars().all(|c| rest.by_ref().any(|o| o == c))
}

impl std::fmt::Display for SmartScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "system/{}.{}",
            self.resource_type.as_deref().unwrap_or("*"),
            self.interactions
        )
    }
}

/// Scopes as one space-separated string (stored, and the token answer).
pub fn join(scopes: &[SmartScope]) -> String {
    scopes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_in_both_syntaxes_and_refuse_the_rest() {
        let s = SmartScope::parse("system/Patient.rs").unwrap();
        assert!(s.allows("Patient", Interaction::Read));
        assert!(s.allows("Patient", Interaction::Search));
        assert!(!s.allows("Patient", Interaction::Update));
        assert!(!s.allows("Appointment", Interaction::Read));
        assert_eq!(
            SmartScope::parse("system/Patient.read").unwrap(),
            SmartScope::parse("system/Patient.rs").unwrap()
        );
        assert_eq!(
            SmartScope::parse("system/*.write").unwrap().to_string(),
            "system/*.cud"
        );
        for bad in [
            "patient/Patient.rs",
            "user/*.read",
            "system/Patient",
            "system/Patient.sr",
            "system/Patient.x",
            "system/Patient.",
            "system/Medication.rs",
            "",
        ] {
            assert!(SmartScope::parse(bad).is_err(), "{bad}");
        }
        assert!(SmartScope::parse_list("  ").is_err());
    }

    #[test]
    fn a_scope_covers_the_parts_its_type_holds() {
        let docs = SmartScope::parse("system/DocumentReference.cruds").unwrap();
        assert!(docs.covers(DossierPart::Reports, Access::Write));
        assert!(docs.covers(DossierPart::Documents, Access::Read));
        assert!(!docs.covers(DossierPart::Profile, Access::Read));
        let read = SmartScope::parse("system/Patient.r").unwrap();
        assert!(!read.covers(DossierPart::Profile, Access::Write));
        let all = SmartScope::parse("system/*.rs").unwrap();
        assert!(all.covers(DossierPart::AuditTrail, Access::Read));
        assert!(!all.covers(DossierPart::AuditTrail, Access::Write));
    }

    #[test]
    fn asked_scopes_are_narrowed_to_the_registered_ones() {
        let granted = SmartScope::parse_list("system/Patient.rs system/*.r").unwrap();
        let asked = SmartScope::parse("system/Patient.cruds").unwrap();
        assert_eq!(
            asked.narrowed_by(&granted).unwrap().to_string(),
            "system/Patient.rs"
        );
        let asked = SmartScope::parse("system/Appointment.cu").unwrap();
        assert_eq!(asked.narrowed_by(&granted), None);
        let asked = SmartScope::parse("system/*.rs").unwrap();
        assert_eq!(
            asked.narrowed_by(&granted).unwrap().to_string(),
            "system/*.r"
        );
    }
}
