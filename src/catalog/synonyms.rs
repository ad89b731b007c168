//! `synonyms.toml`: groups of interchangeable search terms, general domain vocabulary, and the
//! everyday words members use for words of the catalog.

use super::parse::{self, MAX_WORD};
use super::problem::{Problem, Source};

pub const SYNONYMS_FILE: &str = "synonyms.toml";

/// What a synonyms file holds.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// `[[group]] terms = [...]`: interchangeable terms.
    pub groups: Vec<Vec<String>>,
    /// `[[related]] word = "outage", members = ["crash", "went down"]`: words members use for a
    /// word of the catalog, near in meaning but not the same (see `search::query::RELATED`).
    pub related: Vec<(String, Vec<String>)>,
}

/// Reads `[[group]] terms = [...]` tables (each group needs at least two distinct terms) and
/// `[[related]] word = "…", members = [...]` tables.
pub fn parse(src: &Source<'_>, problems: &mut Vec<Problem>) -> Vocabulary {
    let Some(root) = parse::document(src, problems) else {
        return Vocabulary::default();
    };
    let mut groups = Vec::new();
    let mut related = Vec::new();
    for (key, value) in root.get_ref() {
        if key.get_ref() == "related" {
            related.extend(parse_related(src, value, problems));
            continue;
        }
        if key.get_ref() != "group" {
            problems.push(src.problem(
                key.span(),
                format!(
                    "unknown field `{}` (a synonyms file holds only [[group]] and [[related]] tables)",
                    key.get_ref()
                ),
            ));
            continue;
        }
        let Some(array) = value.get_ref().as_array() else {
            problems.push(src.problem(value.span(), "`group` must be an array of tables: write [[group]]"));
            continue;
        };
        for entry in array {
            let Some(table) = entry.get_ref().as_table() else {
                problems.push(src.problem(entry.span(), "each `group` must be a table"));
                continue;
            };
            let mut terms = None;
            for (k, v) in table {
                if k.get_ref() != "terms" {
                    problems.push(src.problem(
                        k.span(),
                        format!("unknown field `{}` in group (expected `terms`)", k.get_ref()),
                    ));
                    continue;
                }
                let Some(list) = v.get_ref().as_array() else {
                    problems.push(src.problem(v.span(), "`terms` must be an array of strings"));
                    continue;
                };
                let mut out: Vec<String> = Vec::new();
                for t in list {
                    match t.get_ref().as_str() {
                        Some(s) if s.trim().is_empty() || s.chars().count() > MAX_WORD => problems.push(
                            src.problem(t.span(), format!("a term must be 1 to {MAX_WORD} characters")),
                        ),
                        Some(s) => out.push(s.trim().to_string()),
                        None => problems.push(src.problem(t.span(), "`terms` entries must be strings")),
                    }
                }
                if out.len() < 2 {
                    problems.push(src.problem(v.span(), "a group needs at least two terms"));
                }
                terms = Some(out);
            }
            match terms {
                Some(t) => groups.push(t),
                None => problems.push(src.problem(entry.span(), "group is missing required field `terms`")),
            }
        }
    }
    Vocabulary { groups, related }
}

/// `[[related]]` tables: (word, members).
fn parse_related(
    src: &Source<'_>,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    problems: &mut Vec<Problem>,
) -> Vec<(String, Vec<String>)> {
    let Some(array) = value.get_ref().as_array() else {
        problems.push(src.problem(value.span(), "`related` must be an array of tables: write [[related]]"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in array {
        let Some(table) = entry.get_ref().as_table() else {
            problems.push(src.problem(entry.span(), "each `related` must be a table"));
            continue;
        };
        let (mut word, mut members) = (None, None);
        for (k, v) in table {
            let term =
                |t: &toml::Spanned<toml::de::DeValue<'_>>, problems: &mut Vec<Problem>| match t
                    .get_ref()
                    .as_str()
                {
                    Some(s) if !s.trim().is_empty() && s.chars().count() <= MAX_WORD => {
                        Some(s.trim().to_string())
                    }
                    _ => {
                        problems.push(src.problem(
                            t.span(),
                            format!("a term must be a string of 1 to {MAX_WORD} characters"),
                        ));
                        None
                    }
                };
            match &**k.get_ref() {
                "word" => word = term(v, problems),
                "members" => match v.get_ref().as_array() {
                    Some(list) if !list.is_empty() => {
                        members = Some(list.iter().filter_map(|t| term(t, problems)).collect::<Vec<_>>())
                    }
                    _ => {
                        problems.push(src.problem(v.span(), "`members` must be a non-empty array of strings"))
                    }
                },
                other => problems.push(src.problem(
                    k.span(),
                    format!("unknown field `{other}` in related (expected `word` and `members`)"),
                )),
            }
        }
        match (word, members) {
            (Some(w), Some(m)) => out.push((w, m)),
            _ => problems.push(src.problem(entry.span(), "related needs both `word` and `members`")),
        }
    }
    out
}
