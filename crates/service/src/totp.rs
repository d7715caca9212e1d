//! RFC 6238 codes (SHA-1, 6 digits, 30 s), accepted one step either side.
use chrono::{DateTime, Utc};
use totp_rs::{Algorithm, Secret, TOTP};

fn totp(secret_b32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
    Some(TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes))
}

/// The time step (unix time / 30) whose code equals `code`, if any, among
/// the current step and one either side.
pub(crate) fn matching_step(secret_b32: &str, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let t = totp(secret_b32)?;
    let now_s = now.timestamp();
    for delta in [0i64, -1, 1] {
        let at = now_s + delta * 30;
        if at < 0 {
            continue;
        }
        if t.generate(at as u64) == code {
            return Some(at / 30);
        }
    }
    None
}

/// The code for `at` (tests, and the demo's printout).
pub fn code_at(secret_b32: &str, at: DateTime<Utc>) -> Option<String> {
    Some(totp(secret_b32)?.generate(at.timestamp().max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn a_code_lives_one_step_either_side_and_no_longer() {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let at = Utc
            .with_ymd_and_hms(2026, 12, 1, 10, 0, 0)
            .single()
            .expect("time");
        let code = code_at(secret, at).expect("code");
        let step = at.timestamp() / 30;
        assert_eq!(matching_step(secret, &code, at), Some(step));
        // 30 s later (the next step) it is still taken, as that step...
        assert_eq!(
            matching_step(secret, &code, at + Duration::seconds(30)),
            Some(step)
        );
        // ...and 30 s early too (a phone's clock a little ahead).
        assert_eq!(
            matching_step(secret, &code, at - Duration::seconds(30)),
            Some(step)
        );
        // Two steps away it is refused: a code lives 60 to 90 seconds.
        assert_eq!(
            matching_step(secret, &code, at + Duration::seconds(60)),
            None
        );
        assert_eq!(
            matching_step(secret, &code, at - Duration::seconds(60)),
            None
        );
        assert_eq!(matching_step("not base32!", &code, at), None);
    }
}
