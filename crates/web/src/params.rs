//! Query strings read as name/value pairs: a name sent twice is refused
//! (ASVS 5.1.1, HTTP parameter pollution), not silently the first or the
//! last. Forms are read into fixed structs, which refuse a repeated field
//! themselves.
use crate::error::WebError;
use axum::http::StatusCode;
use std::collections::HashMap;

/// The pairs as a map, or 400 when a name comes twice.
pub(crate) fn unique(pairs: Vec<(String, String)>) -> Result<HashMap<String, String>, WebError> {
    let mut map = HashMap::with_capacity(pairs.len());
    for (k, v) in pairs {
        if map.insert(k, v).is_some() {
            return Err(WebError::Unreadable(StatusCode::BAD_REQUEST));
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_twice_is_refused() {
        let p = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            unique(p(&[("van", "1"), ("tot", "2")]))
                .map(|m| m.len())
                .ok(),
            Some(2)
        );
        assert!(unique(p(&[("van", "1"), ("van", "2")])).is_err());
        assert!(unique(Vec::new()).map(|m| m.is_empty()).unwrap_or(false));
    }
}

#[cfg(test)]
mod properties {
    use super::unique;
    use proptest::prelude::*;

    proptest! {
        /// Issue 16 item 6: refused exactly when a name comes twice.
        #[test]
        fn refused_exactly_when_a_name_repeats(pairs in proptest::collection::vec(("[a-c]{1,2}", ".{0,5}"), 0..8)) {
            let mut names: Vec<&String> = pairs.iter().map(|(k, _)| k).collect();
            names.sort();
            let repeats = names.windows(2).any(|w| w[0] == w[1]);
            let got = unique(pairs.clone());
            prop_assert_eq!(got.is_err(), repeats);
            if let Ok(map) = got {
                for (k, v) in &pairs {
                    prop_assert_eq!(map.get(k), Some(v));
                }
            }
        }
    }
}
