//! The member's language: which UI text a reply is written in.
//!
//! Every string Marquee shows that is not catalog content — command and option descriptions,
//! field names, button prefixes, menu placeholders, errors, help, highlight replies, the date of
//! a highlight — lives in one TOML file per language under `src/locale/`, compiled in. English
//! (`en.toml`) is the reference: every other file has exactly its keys, with the same
//! `{placeholders}` (tests enforce both, and Discord's length limits). Catalog text comes in a
//! language when the content has it: an item's `[item.locales.<code>]` title and summary
//! (`catalog_locale` names the code), and its link labels (`[label]` here, found by their
//! English wording). Names, people's roles and a label not listed stay as written.
//!
//! Discord sends the member's client language with every interaction (`locale`, e.g. `de`,
//! `pt-BR`, `es-419`) and the server's (`guild_locale`). [`Lang::from_discord`] maps it: an exact
//! match, else the language part (`es-419` → Spanish, `pt-PT` → Portuguese), else English.

pub mod written;

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

/// A language Marquee speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    En,
    De,
    Fr,
    Es,
    PtBr,
    Ja,
}

/// The strings of each language, in the order of `Lang::ALL`.
const FILES: [&str; 6] = [
    include_str!("en.toml"),
    include_str!("de.toml"),
    include_str!("fr.toml"),
    include_str!("es.toml"),
    include_str!("pt-BR.toml"),
    include_str!("ja.toml"),
];

impl Lang {
    pub const ALL: [Lang; 6] = [Lang::En, Lang::De, Lang::Fr, Lang::Es, Lang::PtBr, Lang::Ja];

    /// The name of the language's file (without `.toml`), also accepted by `--locale`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::PtBr => "pt-BR",
            Lang::Ja => "ja",
        }
    }

    /// The Discord locales whose command descriptions are registered in this language. English
    /// is the default text Discord shows every other locale (`en-US`, `en-GB`, …), so it has none.
    pub fn discord_locales(self) -> &'static [&'static str] {
        match self {
            Lang::En => &[],
            Lang::De => &["de"],
            Lang::Fr => &["fr"],
            // Latin American Spanish has no file of its own: it reads the Spanish one.
            Lang::Es => &["es-ES", "es-419"],
            Lang::PtBr => &["pt-BR"],
            Lang::Ja => &["ja"],
        }
    }

    /// The catalog locale (`[item.locales.<code>]`) whose title and summary a member reading
    /// this language sees; `None` for English, the catalog's own language.
    pub fn catalog_locale(self) -> Option<&'static str> {
        self.discord_locales().first().copied()
    }

    /// A catalog link label ("Watch the video") in this language: the `[label]` entry whose
    /// English text is `english`. `None` for a label not listed.
    pub fn link_label(self, english: &str) -> Option<&'static str> {
        let tables = tables();
        let (key, _) = tables[Lang::En as usize]
            .iter()
            .find(|(k, v)| k.starts_with("label.") && v.as_str() == english)?;
        tables[self as usize].get(key).or_else(|| tables[Lang::En as usize].get(key)).map(String::as_str)
    }

    /// The language for a Discord locale: an exact match, else its language part
    /// (`es-419` → Spanish), else English (`en-US`, `en-GB`, anything unknown or absent).
    pub fn from_discord(locale: Option<&str>) -> Lang {
        let Some(locale) = locale.map(str::trim) else { return Lang::En };
        let base = |code: &str| code.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(locale) || l.discord_locales().contains(&locale))
            .or_else(|| Lang::ALL.into_iter().find(|l| base(l.code()) == base(locale)))
            .unwrap_or(Lang::En)
    }

    /// The text of `key`; English when this language lacks it (the tests make sure none does),
    /// the key itself when English lacks it too, so a slip shows rather than breaks a reply.
    pub fn text(self, key: &str) -> &str {
        let tables = tables();
        tables[self as usize].get(key).or_else(|| tables[Lang::En as usize].get(key)).map_or_else(
            || {
                tracing::error!(key, "no text for this key in any language");
                key
            },
            String::as_str,
        )
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        fill(self.text(key), args)
    }

    /// A date as this language writes it in full: "Friday 27 November 2026",
    /// "Freitag, 27. November 2026", "2026年11月27日（金曜日）".
    pub fn long_date(self, date: chrono::NaiveDate) -> String {
        use chrono::Datelike as _;
        const WEEKDAYS: [&str; 7] = [
            "weekday.mon",
            "weekday.tue",
            "weekday.wed",
            "weekday.thu",
            "weekday.fri",
            "weekday.sat",
            "weekday.sun",
        ];
        const MONTHS: [&str; 12] = [
            "month.jan",
            "month.feb",
            "month.mar",
            "month.apr",
            "month.may",
            "month.jun",
            "month.jul",
            "month.aug",
            "month.sep",
            "month.oct",
            "month.nov",
            "month.dec",
        ];
        let weekday = self.text(WEEKDAYS[date.weekday().num_days_from_monday() as usize]);
        let month = self.text(MONTHS[date.month0() as usize]);
        self.fill(
            "date.long",
            &[("weekday", &weekday), ("day", &date.day()), ("month", &month), ("year", &date.year())],
        )
    }
}

/// A Discord locale worth storing (for the daily posts of a server): short, letters, digits and
/// dashes only; anything else is dropped rather than kept.
pub fn clean_locale(locale: Option<&str>) -> Option<String> {
    let locale = locale?.trim();
    let ok =
        (2..=16).contains(&locale.len()) && locale.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then(|| locale.to_string())
}

/// `template` with each `{name}` of `args` replaced; other braces are left as they are.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.find('}').map(|close| &after[..close]);
        match name.and_then(|n| args.iter().find(|(a, _)| *a == n)) {
            Some((name, value)) => {
                out.push_str(&value.to_string());
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{names}` a template uses, in order of appearance.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            out.push(&rest[..close]);
            rest = &rest[close + 1..];
        }
    }
    out
}

type Table = BTreeMap<String, String>;

fn tables() -> &'static [Table; 6] {
    static TABLES: OnceLock<[Table; 6]> = OnceLock::new();
    TABLES.get_or_init(|| {
        FILES.map(|text| parse(text).unwrap_or_else(|e| panic!("a bundled locale file is broken: {e}")))
    })
}

/// A language file as `section.key` → text. Every value must be a string (tables nest).
pub fn parse(text: &str) -> Result<Table, String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Table) -> Result<(), String> {
        for (key, value) in table {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            match value {
                toml::Value::String(s) => {
                    out.insert(path, s.clone());
                }
                toml::Value::Table(t) => walk(&path, t, out)?,
                other => return Err(format!("{path}: expected text, found {}", other.type_str())),
            }
        }
        Ok(())
    }
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Table::new();
    walk("", &table, &mut out)?;
    Ok(out)
}

/// Every key English has, for tests and tools.
pub fn keys() -> impl Iterator<Item = &'static str> {
    tables()[Lang::En as usize].keys().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::limits;

    /// The length a string may have, by the section it is in: what Discord allows where it is
    /// shown. A key in no section here fails, so a new section must say its limit.
    fn limit(key: &str) -> std::ops::RangeInclusive<usize> {
        let section = key.split('.').next().unwrap_or_default();
        match section {
            // Command and option descriptions, choice names, select-option descriptions.
            "command" | "option" | "kind" => 1..=limits::CHOICE_NAME,
            // A button prefix leaves at least half of the 80 characters to the link's own label.
            "link" => 1..=limits::BUTTON_LABEL / 2,
            // A link's own label; a role prefix ("Search: ") may precede it, and the button
            // is cut to fit like one written in the catalog.
            "label" => 1..=limits::BUTTON_LABEL,
            "menu" => 1..=limits::SELECT_PLACEHOLDER,
            "field" | "title" => 1..=limits::FIELD_NAME.min(limits::EMBED_TITLE),
            "footer" => 1..=limits::FOOTER,
            "permission" | "weekday" | "month" => 1..=64,
            // A date is all placeholders (weekday, day, month, year) and a little punctuation.
            "date" => 0..=64,
            // Message content, embed descriptions and field values: the tightest is a field.
            "reply" => 1..=limits::FIELD_VALUE,
            "help" => 1..=limits::EMBED_DESCRIPTION,
            _ => panic!("{key}: no limit known for section {section:?}"),
        }
    }

    fn table(lang: Lang) -> &'static Table {
        &tables()[lang as usize]
    }

    #[test]
    fn every_language_has_exactly_the_english_keys_and_placeholders() {
        for (lang, text) in Lang::ALL.iter().zip(FILES) {
            parse(text).unwrap_or_else(|e| panic!("{}.toml: {e}", lang.code()));
        }
        let english = table(Lang::En);
        for lang in Lang::ALL {
            let ours = table(lang);
            let missing: Vec<&String> = english.keys().filter(|k| !ours.contains_key(*k)).collect();
            let extra: Vec<&String> = ours.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{}.toml lacks {missing:?}", lang.code());
            assert!(extra.is_empty(), "{}.toml has keys English lacks: {extra:?}", lang.code());
            for (key, text) in ours {
                let mut want = placeholders(&english[key]);
                let mut have = placeholders(text);
                want.sort_unstable();
                have.sort_unstable();
                assert_eq!(have, want, "{}.toml {key}: placeholders differ from English", lang.code());
                assert_eq!(text.trim(), text, "{}.toml {key}: spaces at an end", lang.code());
            }
        }
    }

    #[test]
    fn every_string_is_within_discords_limits() {
        for lang in Lang::ALL {
            for (key, text) in table(lang) {
                // Placeholders count as empty: what they stand for is cut to fit where it goes.
                let bare = fill(
                    text,
                    &placeholders(text).iter().map(|p| (*p, &"" as &dyn Display)).collect::<Vec<_>>(),
                );
                let n = bare.trim().chars().count();
                let range = limit(key);
                assert!(range.contains(&n), "{}.toml {key}: {n} characters, allowed {range:?}", lang.code());
            }
        }
    }

    #[test]
    fn the_checks_can_fail() {
        assert!(parse("[a]\nb = 1").is_err());
        assert_eq!(placeholders("x {a} y {b}"), ["a", "b"]);
        assert!(std::panic::catch_unwind(|| limit("nosuchsection.key")).is_err());
    }

    #[test]
    fn discord_locales_map_to_a_language_or_english() {
        let cases = [
            (Some("de"), Lang::De),
            (Some("fr"), Lang::Fr),
            (Some("es-ES"), Lang::Es),
            (Some("es-419"), Lang::Es),
            (Some("pt-BR"), Lang::PtBr),
            (Some("pt-PT"), Lang::PtBr),
            (Some("ja"), Lang::Ja),
            (Some("en-US"), Lang::En),
            (Some("en-GB"), Lang::En),
            (Some("zh-CN"), Lang::En),
            (Some(""), Lang::En),
            (None, Lang::En),
        ];
        for (locale, lang) in cases {
            assert_eq!(Lang::from_discord(locale), lang, "{locale:?}");
        }
        assert_eq!(clean_locale(Some("es-419")).as_deref(), Some("es-419"));
        assert_eq!(clean_locale(Some("de\n<script>")), None);
    }

    #[test]
    fn catalog_text_follows_the_language() {
        assert_eq!(Lang::En.catalog_locale(), None);
        assert_eq!(Lang::from_discord(Some("es-419")).catalog_locale(), Some("es-ES"));
        assert_eq!(Lang::from_discord(Some("pt-PT")).catalog_locale(), Some("pt-BR"));
        for lang in Lang::ALL.into_iter().skip(1) {
            let code = lang.catalog_locale().unwrap();
            assert!(crate::catalog::LOCALES.contains(&code), "{code} is not a catalog locale");
        }
        assert_eq!(Lang::De.link_label("Watch the video"), Some("Video ansehen"));
        assert_eq!(Lang::En.link_label("Watch the video"), Some("Watch the video"));
        assert_eq!(Lang::Ja.link_label("YouTube (exact title)"), Some("YouTube（タイトル完全一致）"));
        assert_eq!(Lang::De.link_label("re:Invent 2015 (DVO203)"), None);
        assert_eq!(Lang::De.link_label("youtube_search"), None, "keys are not labels");
    }

    #[test]
    fn fill_replaces_only_named_placeholders() {
        assert_eq!(fill("{a} and {b} {c", &[("a", &1), ("b", &"two")]), "1 and two {c");
        assert_eq!(fill("{x}{x}", &[("x", &"y")]), "yy");
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(Lang::En.long_date(date), "Friday 27 November 2026");
        assert_eq!(Lang::De.long_date(date), "Freitag, 27. November 2026");
        assert_eq!(Lang::Fr.long_date(date), "vendredi 27 novembre 2026");
        assert_eq!(Lang::Es.long_date(date), "viernes, 27 de noviembre de 2026");
        assert_eq!(Lang::PtBr.long_date(date), "sexta-feira, 27 de novembro de 2026");
        assert_eq!(Lang::Ja.long_date(date), "2026年11月27日（金曜日）");
    }

    /// Every key the code asks for (`text("…")`, `fill("…"`) is in English, so no reply can
    /// show a bare key.
    #[test]
    fn every_key_the_code_uses_exists() {
        let english = table(Lang::En);
        let mut checked = 0;
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for call in ["text(\"", "fill(\""] {
                for (at, _) in source.match_indices(call) {
                    let rest = &source[at + call.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.contains('{') || !key.contains('.') {
                        continue;
                    }
                    assert!(english.contains_key(key), "{}: no text for {key:?}", path.display());
                    checked += 1;
                }
            }
        }
        assert!(checked >= 30, "only {checked} keys found in the source");
    }
}
