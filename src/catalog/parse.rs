//! Turns the text of a content file into items, collecting every problem with its position.
//!
//! The file is parsed into a span-preserving TOML tree and walked by hand (rather than through
//! serde) so one pass can report all problems — several unknown fields, a bad URL and a missing
//! title — instead of stopping at the first.

use super::model::{Item, Kind, Link, LinkRole, LocalText, Person, LOCALES};
use super::problem::{Problem, Source};
use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub const MAX_TITLE: usize = 256;
pub const MAX_SUMMARY: usize = 4096;
pub const MAX_URL: usize = 512;
pub const MAX_LABEL: usize = 80;
pub const MAX_NAME: usize = 256;
pub const MAX_WORD: usize = 100;
/// A title longer than this is cut where it is shown as an autocomplete choice or a menu option
/// (Discord allows 100 characters there): allowed, but `check` warns about it.
pub const CUT_TITLE: usize = 100;
pub const YEARS: std::ops::RangeInclusive<i64> = 1990..=2100;

const ITEM_FIELDS: &[&str] =
    &["id", "title", "kind", "year", "summary", "people", "services", "tags", "aliases", "links", "locales"];
const LOCAL_FIELDS: &[&str] = &["title", "summary", "keywords"];

/// What a content file's reader collects: problems refuse the catalog; warnings are things an
/// editor should fix that still leave every reply valid (a translation lacking a field falls
/// back to English; a long title is cut where Discord allows fewer characters).
pub struct Findings<'p> {
    pub problems: &'p mut Vec<Problem>,
    pub warnings: &'p mut Vec<Problem>,
}

/// An item's id as read from a file, with where it stands (for duplicate-id messages), and the
/// item itself when it has no problems. An item with problems still claims its id, so a later
/// item repeating it is reported too.
pub struct Located {
    pub id: String,
    pub id_problem_anchor: Problem,
    pub item: Option<Item>,
}

/// Parses a TOML document, reporting syntax errors. `None` when the file is not valid TOML.
pub fn document<'i>(src: &Source<'i>, problems: &mut Vec<Problem>) -> Option<Spanned<DeTable<'i>>> {
    let (root, errors) = DeTable::parse_recoverable(src.text);
    if errors.is_empty() {
        return Some(root);
    }
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
        problems.push(src.problem(span, format!("invalid TOML: {message}")));
    }
    None
}

/// Reads every `[[item]]` of an item file.
pub fn items(src: &Source<'_>, found: Findings<'_>) -> Vec<Located> {
    let Findings { problems, warnings } = found;
    let Some(root) = document(src, problems) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in root.get_ref() {
        if key.get_ref() != "item" {
            problems.push(src.problem(
                key.span(),
                format!("unknown field `{}` (an item file holds only [[item]] tables)", key.get_ref()),
            ));
            continue;
        }
        let Some(array) = value.get_ref().as_array() else {
            problems.push(src.problem(value.span(), "`item` must be an array of tables: write [[item]]"));
            continue;
        };
        for entry in array {
            match entry.get_ref().as_table() {
                Some(table) => {
                    if let Some(item) = read_item(src, entry.span(), table, problems, warnings) {
                        out.push(item);
                    }
                }
                None => problems.push(src.problem(entry.span(), "each `item` must be a table")),
            }
        }
    }
    out
}

/// A typed view of one TOML value that records a problem when the type is wrong.
struct Field<'a, 'i> {
    src: &'a Source<'a>,
    name: &'a str,
    value: &'a Spanned<DeValue<'i>>,
}

impl<'a, 'i> Field<'a, 'i> {
    fn wrong_type(&self, expected: &str, problems: &mut Vec<Problem>) {
        problems.push(self.src.problem(
            self.value.span(),
            format!("`{}` must be {expected}, found {}", self.name, self.value.get_ref().type_str()),
        ));
    }

    fn string(&self, problems: &mut Vec<Problem>) -> Option<String> {
        match self.value.get_ref().as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong_type("a string", problems);
                None
            }
        }
    }

    fn strings(&self, problems: &mut Vec<Problem>) -> Option<Vec<String>> {
        let Some(array) = self.value.get_ref().as_array() else {
            self.wrong_type("an array of strings", problems);
            return None;
        };
        let mut out = Vec::new();
        for v in array {
            match v.get_ref().as_str() {
                Some(s) if s.trim().is_empty() => {
                    problems.push(self.src.problem(v.span(), format!("`{}` has an empty entry", self.name)))
                }
                Some(s) if s.chars().count() > MAX_WORD => problems.push(self.src.problem(
                    v.span(),
                    format!("`{}` entry is longer than {MAX_WORD} characters", self.name),
                )),
                Some(s) => out.push(s.trim().to_string()),
                None => problems.push(self.src.problem(
                    v.span(),
                    format!("`{}` entries must be strings, found {}", self.name, v.get_ref().type_str()),
                )),
            }
        }
        Some(out)
    }

    fn tables(&self, problems: &mut Vec<Problem>) -> Vec<(std::ops::Range<usize>, &'a DeTable<'i>)> {
        let Some(array) = self.value.get_ref().as_array() else {
            self.wrong_type("an array of tables", problems);
            return Vec::new();
        };
        let mut out = Vec::new();
        for v in array {
            match v.get_ref().as_table() {
                Some(t) => out.push((v.span(), t)),
                None => problems.push(self.src.problem(
                    v.span(),
                    format!("`{}` entries must be tables, found {}", self.name, v.get_ref().type_str()),
                )),
            }
        }
        out
    }
}

/// Reads a sub-table such as a link or a person: exactly the given fields, strings only.
fn read_record(
    src: &Source<'_>,
    what: &str,
    span: std::ops::Range<usize>,
    table: &DeTable<'_>,
    fields: &[(&str, bool)],
    problems: &mut Vec<Problem>,
) -> Vec<Option<String>> {
    let mut values = vec![None; fields.len()];
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        match fields.iter().position(|(f, _)| *f == name) {
            Some(i) => values[i] = Field { src, name: fields[i].0, value }.string(problems),
            None => {
                let known: Vec<String> = fields.iter().map(|(f, _)| format!("`{f}`")).collect();
                let expected = match known.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                    _ => known.concat(),
                };
                problems.push(
                    src.problem(
                        key.span(),
                        format!("unknown field `{name}` in {what} (expected {expected})"),
                    ),
                )
            }
        }
    }
    for ((name, required), value) in fields.iter().zip(&values) {
        if *required && value.is_none() && !table.iter().any(|(k, _)| k.get_ref() == name) {
            problems.push(src.problem(span.clone(), format!("{what} is missing required field `{name}`")));
        }
    }
    values
}

fn read_item(
    src: &Source<'_>,
    span: std::ops::Range<usize>,
    table: &DeTable<'_>,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Option<Located> {
    let before = problems.len();
    let mut id = None;
    let mut id_span = span.clone();
    let mut title = None;
    let mut kind = None;
    let mut year = None;
    let mut summary = None;
    let mut people = Vec::new();
    let mut services = Vec::new();
    let mut tags = Vec::new();
    let mut aliases = Vec::new();
    let mut links = Vec::new();
    let mut seen_links = false;
    let mut locales = BTreeMap::new();

    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let field = Field { src, name, value };
        match name {
            "id" => {
                id_span = value.span();
                id = field.string(problems);
                if let Some(id) = &id {
                    if !is_kebab_case(id) {
                        problems.push(src.problem(
                            value.span(),
                            format!("id `{id}` must be lowercase kebab-case (a-z, 0-9, single dashes)"),
                        ));
                    }
                }
            }
            "title" => {
                title = field.string(problems);
                check_text(src, &field, title.as_deref(), MAX_TITLE, problems);
            }
            "summary" => {
                summary = field.string(problems);
                check_text(src, &field, summary.as_deref(), MAX_SUMMARY, problems);
            }
            "kind" => {
                if let Some(k) = field.string(problems) {
                    match k.parse::<Kind>() {
                        Ok(k) => kind = Some(k),
                        Err(e) => problems.push(src.problem(value.span(), e)),
                    }
                }
            }
            "year" => match value.get_ref().as_integer() {
                Some(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                    Ok(y) if YEARS.contains(&y) => year = Some(y as u16),
                    _ => problems.push(src.problem(
                        value.span(),
                        format!("year {} is outside {}..={}", i.as_str(), YEARS.start(), YEARS.end()),
                    )),
                },
                None => field.wrong_type("an integer", problems),
            },
            "services" => services = field.strings(problems).unwrap_or_default(),
            "tags" => tags = field.strings(problems).unwrap_or_default(),
            "aliases" => aliases = field.strings(problems).unwrap_or_default(),
            "people" => {
                for (span, t) in field.tables(problems) {
                    let v = read_record(
                        src,
                        "person",
                        span.clone(),
                        t,
                        &[("name", true), ("role", false)],
                        problems,
                    );
                    if let Some(name) = &v[0] {
                        check_len(src, span.clone(), "person name", name, MAX_NAME, problems);
                    }
                    if let Some(role) = &v[1] {
                        check_len(src, span.clone(), "person role", role, MAX_NAME, problems);
                    }
                    if let [Some(name), role] = &v[..] {
                        people.push(Person { name: name.clone(), role: role.clone() });
                    }
                }
            }
            "links" => {
                seen_links = true;
                for (span, t) in field.tables(problems) {
                    let v = read_record(
                        src,
                        "link",
                        span.clone(),
                        t,
                        &[("label", true), ("url", true), ("role", false)],
                        problems,
                    );
                    if let Some(label) = &v[0] {
                        check_len(src, span.clone(), "link label", label, MAX_LABEL, problems);
                    }
                    if let Some(url) = &v[1] {
                        if let Err(why) = check_url(url) {
                            problems.push(src.problem(span.clone(), format!("link url {url:?} {why}")));
                        }
                    }
                    let role = match v[2].as_deref().map(str::parse::<LinkRole>) {
                        Some(Ok(role)) => Some(role),
                        Some(Err(e)) => {
                            problems.push(src.problem(span.clone(), e));
                            None
                        }
                        None => None,
                    };
                    if let [Some(label), Some(url), _] = &v[..] {
                        links.push(Link { label: label.clone(), url: url.clone(), role });
                    }
                }
            }
            "locales" => locales = read_locales(src, &field, problems, warnings),
            other => problems.push(src.problem(
                key.span(),
                format!("unknown field `{other}` in item (expected one of: {})", ITEM_FIELDS.join(", ")),
            )),
        }
    }

    let present = |f: &str| table.iter().any(|(k, _)| k.get_ref() == f);
    for required in ["id", "title", "kind", "summary"] {
        if !present(required) {
            problems.push(src.problem(span.clone(), format!("item is missing required field `{required}`")));
        }
    }
    if links.is_empty() && (!seen_links || problems.len() == before) {
        problems.push(src.problem(
            span.clone(),
            "item has no links: add at least one [[item.links]] with a label and an http(s) url",
        ));
    }
    let id = id?;
    let id_problem_anchor = src.problem(id_span, String::new());
    let item = match (problems.len() == before, title, kind, summary) {
        (true, Some(title), Some(kind), Some(summary)) => Some(Item {
            id: id.clone(),
            title,
            kind,
            year,
            summary,
            people,
            services,
            tags,
            aliases,
            links,
            locales,
        }),
        _ => None,
    };
    Some(Located { id, id_problem_anchor, item })
}

/// Reads `[item.locales.<code>]` tables: known codes only, each with exactly the fields of
/// `LocalText`. A block lacking its title, summary or keywords is a warning (the reply falls
/// back to English, the search has fewer words), not a refusal.
fn read_locales(
    src: &Source<'_>,
    field: &Field<'_, '_>,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> BTreeMap<String, LocalText> {
    let mut out = BTreeMap::new();
    let Some(table) = field.value.get_ref().as_table() else {
        field.wrong_type("a table of locales such as [item.locales.de]", problems);
        return out;
    };
    for (code_key, block) in table {
        let code = code_key.get_ref().as_ref();
        if !LOCALES.contains(&code) {
            let hint = LOCALES
                .iter()
                .find(|l| l.split('-').next() == code.split(['-', '_']).next())
                .map(|l| format!(" (did you mean `{l}`?)"))
                .unwrap_or_default();
            problems.push(src.problem(
                code_key.span(),
                format!("unknown locale `{code}`{hint}: expected one of {}", LOCALES.join(", ")),
            ));
            continue;
        }
        let Some(fields) = block.get_ref().as_table() else {
            problems.push(src.problem(
                block.span(),
                format!("locale `{code}` must be a table, found {}", block.get_ref().type_str()),
            ));
            continue;
        };
        let mut text = LocalText::default();
        for (key, value) in fields {
            let name = key.get_ref().as_ref();
            let f = Field { src, name, value };
            match name {
                "title" => {
                    text.title = f.string(problems);
                    check_text(src, &f, text.title.as_deref(), MAX_TITLE, problems);
                    if let Some(title) = &text.title {
                        let n = title.chars().count();
                        if (CUT_TITLE + 1..=MAX_TITLE).contains(&n) {
                            warnings.push(src.problem(
                                value.span(),
                                format!(
                                    "`{code}` title is {n} characters: autocomplete and menus show only {CUT_TITLE}"
                                ),
                            ));
                        }
                    }
                }
                "summary" => {
                    text.summary = f.string(problems);
                    check_text(src, &f, text.summary.as_deref(), MAX_SUMMARY, problems);
                }
                "keywords" => text.keywords = f.strings(problems).unwrap_or_default(),
                other => problems.push(src.problem(
                    key.span(),
                    format!(
                        "unknown field `{other}` in locale `{code}` (expected one of: {})",
                        LOCAL_FIELDS.join(", ")
                    ),
                )),
            }
        }
        let has = |f: &str| fields.iter().any(|(k, _)| k.get_ref() == f);
        for wanted in ["title", "summary"] {
            if !has(wanted) {
                warnings.push(src.problem(
                    code_key.span(),
                    format!("locale `{code}` has no {wanted}: members reading {code} see the English one"),
                ));
            }
        }
        if text.keywords.is_empty()
            && !fields.iter().any(|(k, v)| k.get_ref() == "keywords" && v.get_ref().as_array().is_none())
        {
            warnings.push(src.problem(
                code_key.span(),
                format!("locale `{code}` has no keywords: add the words a member reading {code} would search with"),
            ));
        }
        out.insert(code.to_string(), text);
    }
    out
}

fn check_text(
    src: &Source<'_>,
    field: &Field<'_, '_>,
    text: Option<&str>,
    max: usize,
    problems: &mut Vec<Problem>,
) {
    if let Some(text) = text {
        check_len(src, field.value.span(), field.name, text, max, problems);
    }
}

fn check_len(
    src: &Source<'_>,
    span: std::ops::Range<usize>,
    what: &str,
    text: &str,
    max: usize,
    problems: &mut Vec<Problem>,
) {
    let n = text.chars().count();
    if text.trim().is_empty() {
        problems.push(src.problem(span, format!("{what} is empty")));
    } else if n > max {
        problems.push(src.problem(span, format!("{what} is {n} characters, more than {max}")));
    }
}

/// Lowercase kebab-case: `a-z`/`0-9` words joined by single dashes.
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// An absolute http(s) URL with a host, short enough for a Discord link button.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.chars().count() > MAX_URL {
        return Err(format!("is longer than {MAX_URL} characters"));
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or("is not an absolute http(s) URL")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err("has no host".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains whitespace or control characters (percent-encode them)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_ids() {
        assert!(is_kebab_case("reinvent-2020-consoleme"));
        for bad in ["", "Crown", "a--b", "-a", "a-", "a_b", "a b", "é"] {
            assert!(!is_kebab_case(bad), "{bad:?} accepted");
        }
    }

    #[test]
    fn urls() {
        assert!(check_url("https://aws.amazon.com/x?y=1").is_ok());
        assert!(check_url("HTTP://example.com").is_ok());
        for bad in
            ["ftp://x", "example.com", "https://", "https:///path", "https://a b", "javascript:alert(1)"]
        {
            assert!(check_url(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_url(&format!("https://e.com/{}", "a".repeat(600))).is_err());
    }
}
