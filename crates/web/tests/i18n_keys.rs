//! Every translation key used by a template, a web handler or a service
//! (e-mails, SMS) exists in the Dutch file (and so, by the i18n crate's
//! own test, in every language).
use inzage_i18n::{keys, used_keys, NL_FTL};

#[test]
fn every_key_used_in_templates_and_code_exists() {
    let nl = keys(NL_FTL);
    let root = env!("CARGO_MANIFEST_DIR");
    let mut stack: Vec<std::path::PathBuf> = [
        format!("{root}/templates"),
        format!("{root}/src"),
        format!("{root}/../service/src"),
    ]
    .into_iter()
    .map(Into::into)
    .collect();
    let (mut files, mut used, mut missing) = (0, 0, vec![]);
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).expect("read");
            for key in used_keys(&text) {
                used += 1;
                if !nl.contains(&key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
    }
    assert!(files > 40 && used > 300, "{files} files, {used} keys used");
    assert!(
        missing.is_empty(),
        "keys without a translation: {missing:?}"
    );
}

/// The tour's keys are made from the tile keys (`tour-{tile}` for the
/// client, `tour-contact-{tile}` for a contact person): each exists.
#[test]
fn every_tile_has_a_tour_step_for_clients_and_contact_persons() {
    let nl = keys(NL_FTL);
    let tiles = [
        "tile-profile",
        "tile-client-plan",
        "tile-reports",
        "tile-appointments",
        "tile-documents",
        "tile-questions",
        "tile-network",
        "tile-audit-trail",
    ];
    for tile in tiles {
        for prefix in ["tour-", "tour-contact-"] {
            let key = format!("{prefix}{tile}");
            assert!(nl.contains(&key), "{key}");
        }
    }
    assert!(nl.contains(&"tour-contact-welcome-text".to_owned()));
}
