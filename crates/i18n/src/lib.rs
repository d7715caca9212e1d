//! Every text Inzage shows or sends comes from the Fluent files in
//! `crates/i18n/ftl/` (one per language, compiled into the binary): the
//! pages (templates get a [`Tr`] and ask it for keys) and the e-mails and
//! SMS messages. A key missing in a language falls back to Dutch. Tests
//! check that both files hold the same keys and parse cleanly; the web
//! crate checks that every key a template, handler or service uses exists.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used)]
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;

/// The languages of the UI. Dutch is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// Parses a language code; anything else is `None` (the caller shows a
    /// friendly message).
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The organisation's sector, which selects its words (issue 14):
/// disability care says "begeleider" and "cliëntplan", mental health (GGZ)
/// "behandelaar" and "behandelplan". Every message receives it as the
/// argument `$sector` (`care` or `mental_health`); the Fluent files select
/// on it where the words differ, so both sectors share one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sector {
    #[default]
    Care,
    MentalHealth,
}

impl Sector {
    pub const ALL: [Sector; 2] = [Sector::Care, Sector::MentalHealth];

    pub fn code(self) -> &'static str {
        match self {
            Sector::Care => "care",
            Sector::MentalHealth => "mental_health",
        }
    }

    pub fn parse(code: &str) -> Option<Sector> {
        match code {
            "care" => Some(Sector::Care),
            "mental_health" => Some(Sector::MentalHealth),
            _ => None,
        }
    }
}

pub const NL_FTL: &str = include_str!("../ftl/nl.ftl");
pub const EN_FTL: &str = include_str!("../ftl/en.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: &str, source: &str) -> Bundle {
    let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks: the text goes into HTML and e-mail.
    b.set_use_isolating(false);
    let res = match FluentResource::try_new(source.to_owned()) {
        Ok(r) => r,
        // A syntax error keeps the good entries; the key test fails on it.
        Err((r, errors)) => {
            tracing::error!(lang, errors = errors.len(), "translation file has errors");
            r
        }
    };
    if b.add_resource(res).is_err() {
        tracing::error!(lang, "translation file has duplicate keys");
    }
    b
}

static NL: LazyLock<Bundle> = LazyLock::new(|| bundle("nl", NL_FTL));
static EN: LazyLock<Bundle> = LazyLock::new(|| bundle("en", EN_FTL));

/// A translator for one language; cheap to copy into every template.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub lang: Lang,
    pub sector: Sector,
}

/// One argument value for a message.
#[derive(Clone, Debug)]
pub enum Arg {
    Str(String),
    Num(i64),
}

/// A value that can fill a message argument. Implemented through any
/// number of references, since templates pass `&&String` and the like.
pub trait ArgValue {
    fn arg(&self) -> Arg;
}

impl ArgValue for str {
    fn arg(&self) -> Arg {
        Arg::Str(self.to_owned())
    }
}
impl ArgValue for String {
    fn arg(&self) -> Arg {
        Arg::Str(self.clone())
    }
}
impl ArgValue for i64 {
    fn arg(&self) -> Arg {
        Arg::Num(*self)
    }
}
impl ArgValue for usize {
    fn arg(&self) -> Arg {
        Arg::Num(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl<T: ArgValue + ?Sized> ArgValue for &T {
    fn arg(&self) -> Arg {
        (**self).arg()
    }
}

/// A message to show later (notices and errors chosen by a handler):
/// a key and its arguments, translated when the page is rendered.
#[derive(Clone, Debug)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Self {
        Self { key, args: vec![] }
    }
    pub fn arg(mut self, name: &'static str, value: impl ArgValue) -> Self {
        self.args.push((name, value.arg()));
        self
    }
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self {
            lang,
            sector: Sector::Care,
        }
    }

    /// The same language in `sector`'s words.
    pub fn with_sector(self, sector: Sector) -> Self {
        Self { sector, ..self }
    }

    /// Arguments for a message: always `$sector`.
    fn args(&self) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        args.set("sector", FluentValue::from(self.sector.code()));
        args
    }

    fn bundle(&self, lang: Lang) -> &'static Bundle {
        match lang {
            Lang::Nl => &NL,
            Lang::En => &EN,
        }
    }

    fn format(&self, key: &str, args: &FluentArgs) -> String {
        let args = Some(args);
        for lang in [self.lang, Lang::Nl] {
            let b = self.bundle(lang);
            if let Some(pattern) = b.get_message(key).and_then(|m| m.value()) {
                let mut errors = vec![];
                return b.format_pattern(pattern, args, &mut errors).into_owned();
            }
        }
        tracing::warn!(key, "missing translation");
        key.to_owned()
    }

    /// The text for `key`.
    pub fn t(&self, key: &str) -> String {
        self.format(key, &self.args())
    }

    /// The text for `key` with one argument.
    pub fn a(&self, key: &str, name: &str, value: impl ArgValue) -> String {
        let mut args = self.args();
        args.set(name.to_owned(), value_of(value.arg()));
        self.format(key, &args)
    }

    /// The text for `key` with two arguments.
    pub fn a2(
        &self,
        key: &str,
        n1: &str,
        v1: impl ArgValue,
        n2: &str,
        v2: impl ArgValue,
    ) -> String {
        let mut args = self.args();
        args.set(n1.to_owned(), value_of(v1.arg()));
        args.set(n2.to_owned(), value_of(v2.arg()));
        self.format(key, &args)
    }

    /// The text for `key` with three arguments.
    #[allow(clippy::too_many_arguments)]
    pub fn a3(
        &self,
        key: &str,
        n1: &str,
        v1: impl ArgValue,
        n2: &str,
        v2: impl ArgValue,
        n3: &str,
        v3: impl ArgValue,
    ) -> String {
        let mut args = self.args();
        args.set(n1.to_owned(), value_of(v1.arg()));
        args.set(n2.to_owned(), value_of(v2.arg()));
        args.set(n3.to_owned(), value_of(v3.arg()));
        self.format(key, &args)
    }

    /// A stored message.
    pub fn m(&self, m: &Msg) -> String {
        if m.args.is_empty() {
            return self.t(m.key);
        }
        let mut args = self.args();
        for (n, v) in &m.args {
            args.set(n.to_string(), value_of(v.clone()));
        }
        self.format(m.key, &args)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

fn value_of(a: Arg) -> FluentValue<'static> {
    match a {
        Arg::Str(s) => FluentValue::from(s),
        Arg::Num(n) => FluentValue::from(n),
    }
}

/// Literal keys passed to `t.t(`, `t.a(`, `t.a2(`, `tr.t(`, `tr.a(`,
/// `tr.lines(` and `Msg::new(` in a source text (for the consistency tests).
pub fn used_keys(text: &str) -> Vec<String> {
    let mut out = vec![];
    for marker in [
        "t.t(\"",
        "t.a(\"",
        "t.a2(\"",
        "t.a3(\"",
        "Msg::new(\"",
        "tr.t(\"",
        "tr.a(\"",
        "tr.a2(\"",
        "tr.a3(\"",
    ] {
        let mut rest = text;
        while let Some(i) = rest.find(marker) {
            rest = &rest[i + marker.len()..];
            if let Some(end) = rest.find('"') {
                let k = &rest[..end];
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    out.push(k.to_owned());
                }
            }
        }
    }
    out
}

/// The keys defined in a Fluent source (for the consistency tests).
pub fn keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| {
            l.chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_uppercase())
        })
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_parse_cleanly() {
        let nl = keys(NL_FTL);
        let en = keys(EN_FTL);
        let missing_en: Vec<_> = nl.iter().filter(|k| !en.contains(k)).collect();
        let missing_nl: Vec<_> = en.iter().filter(|k| !nl.contains(k)).collect();
        assert!(missing_en.is_empty(), "missing in en.ftl: {missing_en:?}");
        assert!(missing_nl.is_empty(), "missing in nl.ftl: {missing_nl:?}");
        for (lang, src) in [("nl", NL_FTL), ("en", EN_FTL)] {
            assert!(
                FluentResource::try_new(src.to_owned()).is_ok(),
                "{lang}.ftl has syntax errors"
            );
        }
        let mut sorted = nl.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), nl.len(), "duplicate keys in nl.ftl");
    }

    #[test]
    fn each_sector_reads_its_own_words_in_every_message() {
        for lang in Lang::ALL {
            let care = Tr::new(lang);
            let ggz = Tr::new(lang).with_sector(Sector::MentalHealth);
            assert_ne!(care.t("tile-client-plan"), ggz.t("tile-client-plan"));
        }
        let nl = Tr::new(Lang::Nl).with_sector(Sector::MentalHealth);
        assert_eq!(nl.t("tile-client-plan"), "Behandelplan");
        assert_eq!(Tr::new(Lang::Nl).t("tile-client-plan"), "Cliëntplan");
        assert_eq!(nl.t("profile-primary-caregiver"), "Regiebehandelaar");
        // No message says the other sector's words (the role "begeleider"
        // exists in both; the sector setting's own explanation names both).
        let allowed = |k: &str| k == "role-caregiver" || k.starts_with("admin-sector");
        for (lang, src, words) in [
            (Lang::Nl, NL_FTL, ["begeleid", "cliëntplan"]),
            (Lang::En, EN_FTL, ["caregiver", "client plan"]),
        ] {
            let t = Tr::new(lang).with_sector(Sector::MentalHealth);
            for key in keys(src).iter().filter(|k| !allowed(k)) {
                let text = t.t(key).to_lowercase();
                for w in words {
                    assert!(
                        !text.contains(w),
                        "{key} ({lang:?}) says \"{w}\" in mental health: {text}"
                    );
                }
            }
        }
    }

    #[test]
    fn translation_falls_back_to_dutch_and_fills_arguments() {
        let en = Tr::new(Lang::En);
        let nl = Tr::new(Lang::Nl);
        assert_eq!(nl.t("tile-reports"), "Rapportages");
        assert_eq!(en.t("tile-reports"), "Reports");
        assert_eq!(nl.a("reports-count", "count", 1_i64), "1 rapportage");
        assert_eq!(nl.a("reports-count", "count", 3_i64), "3 rapportages");
        assert_eq!(en.a("reports-count", "count", 3_i64), "3 reports");
        assert_eq!(en.t("no-such-key-anywhere"), "no-such-key-anywhere");
    }
}
