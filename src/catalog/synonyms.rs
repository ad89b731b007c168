//! `synonyms.toml`: groups of interchangeable search terms, general domain vocabulary.

use super::parse::{self, MAX_WORD};
use super::problem::{Problem, Source};

pub const SYNONYMS_FILE: &str = "synonyms.toml";

/// Reads `[[group]] terms = [...]` tables; each group needs at least two distinct terms.
pub fn parse(src: &Source<'_>, problems: &mut Vec<Problem>) -> Vec<Vec<String>> {
    let Some(root) = parse::document(src, problems) else {
        return Vec::new();
    };
    let mut groups = Vec::new();
    for (key, value) in root.get_ref() {
        if key.get_ref() != "group" {
            problems.push(src.problem(
                key.span(),
                format!("unknown field `{}` (a synonyms file holds only [[group]] tables)", key.get_ref()),
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
    groups
}
