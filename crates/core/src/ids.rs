//! Typed identifiers. Ids are random UUIDs in text form, so a guessed id says
//! nothing about another record; they are typed so that a report id can never
//! be passed where a client id is expected.
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id read from storage or minted by the service layer.
            pub fn from_raw(raw: impl Into<String>) -> Self {
                Self(raw.into())
            }
            /// Parses an id from untrusted input (a URL segment, a CLI flag):
            /// only the canonical lower-case UUID form is accepted.
            pub fn parse(input: &str) -> Option<Self> {
                let s = input.trim();
                if is_uuid(s) { Some(Self(s.to_ascii_lowercase())) } else { None }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

id_type!(
    OrganisationId,
    LocationId,
    TeamId,
    StaffId,
    ClientId,
    EpisodeId,
    PlanVersionId,
    PlanSectionId,
    ReportId,
    ReportSeriesId,
    DocumentId,
    AppointmentId,
    ContactPersonId,
    AccessGrantId,
    JobId,
    RequestId,
    QuestionId,
);

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_uuids() {
        assert!(ClientId::parse("0b0c6f5e-8a0e-4c1e-9d7b-1f0f3c2b9a11").is_some());
        assert_eq!(
            ClientId::parse("0B0C6F5E-8A0E-4C1E-9D7B-1F0F3C2B9A11").map(|c| c.as_str().to_owned()),
            Some("0b0c6f5e-8a0e-4c1e-9d7b-1f0f3c2b9a11".to_owned())
        );
        assert!(ClientId::parse("1").is_none());
        assert!(ClientId::parse("../../etc/passwd").is_none());
        assert!(ClientId::parse("0b0c6f5e-8a0e-4c1e-9d7b-1f0f3c2b9a1g").is_none());
    }
}
