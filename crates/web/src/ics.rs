//! One appointment as an iCalendar (RFC 5545) file, for "Zet in je agenda".
use chrono::{DateTime, Utc};
use inzage_core::model::AppointmentStatus;
use inzage_service::dossier::AppointmentView;

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar file; `with` is the translated "Met <naam>" line.
pub fn event(a: &AppointmentView, now: DateTime<Utc>, with: &str) -> String {
    let summary = if a.description.trim().is_empty() {
        with.to_owned()
    } else {
        a.description.clone()
    };
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Inzage//Afspraken//NL".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@inzage", a.id),
        format!("DTSTAMP:{}", stamp(now)),
        format!("DTSTART:{}", stamp(a.starts_at)),
        format!("DTEND:{}", stamp(a.ends_at)),
        format!("SUMMARY:{}", text(&summary)),
        format!("LOCATION:{}", text(&a.place)),
        format!("DESCRIPTION:{}", text(with)),
        format!(
            "STATUS:{}",
            match a.status {
                AppointmentStatus::Planned => "CONFIRMED",
                AppointmentStatus::Cancelled => "CANCELLED",
            }
        ),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use inzage_core::ids::AppointmentId;

    fn appt(description: &str) -> AppointmentView {
        AppointmentView {
            id: AppointmentId::from_raw("0190f1a2-0000-7000-8000-000000000001"),
            starts_at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 11, 23, 10, 15, 0).unwrap(),
            practitioner_name: "Anna Bakker".into(),
            place: "Locatie De Linde, kamer 2".into(),
            description: description.into(),
            status: AppointmentStatus::Planned,
            practitioner_id: inzage_core::ids::StaffId::from_raw("p"),
            revision: 1,
        }
    }

    #[test]
    fn event_has_utc_times_escaped_text_and_crlf_lines() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let ics = event(
            &appt("Gesprek; over je plan,\nmet koffie"),
            now,
            "Met Anna Bakker",
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("\r\nDTSTART:20261123T093000Z\r\n"));
        assert!(ics.contains("\r\nDTEND:20261123T101500Z\r\n"));
        assert!(ics.contains("SUMMARY:Gesprek\\; over je plan\\,\\nmet koffie\r\n"));
        assert!(ics.contains("LOCATION:Locatie De Linde\\, kamer 2\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_breaking_characters() {
        let long = "é".repeat(100);
        let ics = event(&appt(&long), Utc::now(), "Met Anna Bakker");
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{long}")));
    }
}

/// Issue 16 item 6: any text is one escaped value, and folding keeps
/// every line within 75 octets and unfolds to the same line.
#[cfg(test)]
mod properties {
    use super::{fold, text};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn escaped_and_folded(s in ".{0,400}") {
            let t = text(&s);
            prop_assert!(!t.contains('\n') && !t.contains('\r'));
            prop_assert!(!t.chars().any(char::is_control));
            // Every ; , and \ is escaped: unescaping gives the input back,
            // without its control characters.
            let mut back = String::new();
            let mut chars = t.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    match chars.next() {
                        Some('n') => back.push('\n'),
                        Some(e @ ('\\' | ';' | ',')) => back.push(e),
                        other => prop_assert!(false, "bad escape {other:?}"),
                    }
                } else {
                    prop_assert!(c != ';' && c != ',', "unescaped {c}");
                    back.push(c);
                }
            }
            let expected: String = s
                .chars()
                .filter(|c| *c == '\n' || !c.is_control())
                .collect();
            prop_assert_eq!(back, expected);
            let line = format!("DESCRIPTION:{t}");
            let folded = fold(&line);
            for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
                prop_assert!(l.len() <= 75, "{} octets", l.len());
            }
            prop_assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        }
    }
}
