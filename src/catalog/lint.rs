//! Warnings about how catalog text reads — slips an editor should look at, which do not stop
//! the catalog from loading: quote marks that do not pair up, and a summary that says the same
//! sentence twice (a page's description and its caption, joined).

use super::Item;
use std::collections::HashSet;
use std::fmt;

/// One warning: the item, the field and what reads wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub id: String,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.id, self.field, self.message)
    }
}

/// Every warning about `items`' English text, in catalog order.
pub fn warnings(items: &[Item]) -> Vec<Warning> {
    let mut out = Vec::new();
    for item in items {
        let mut texts: Vec<(String, &str)> =
            vec![("title".into(), &item.title), ("summary".into(), &item.summary)];
        for (i, person) in item.people.iter().enumerate() {
            texts.push((format!("people[{i}].name"), &person.name));
            if let Some(role) = &person.role {
                texts.push((format!("people[{i}].role"), role));
            }
        }
        for (i, link) in item.links.iter().enumerate() {
            texts.push((format!("links[{i}].label"), &link.label));
        }
        for (field, text) in texts {
            if let Some(message) = unbalanced_quotes(text) {
                out.push(Warning { id: item.id.clone(), field, message });
            }
        }
        for message in repeated_sentences(&item.summary) {
            out.push(Warning { id: item.id.clone(), field: "summary".into(), message });
        }
    }
    out
}

/// The first quote mark that does not pair up in `text`: `“` closed by `”`, `"` by `"`.
/// (`‘ ’` are left alone: `’` is also the apostrophe.)
pub fn unbalanced_quotes(text: &str) -> Option<String> {
    let mut open: Vec<(char, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        match c {
            '“' => open.push((c, at)),
            '”' => match open.pop() {
                Some(('“', _)) => {}
                Some(('"', start)) => return Some(mismatch(text, '"', '”', start)),
                _ => return Some(format!("a closing ” that never opened: {}", around(text, at))),
            },
            '"' => match open.last() {
                Some(('"', _)) => {
                    open.pop();
                }
                Some(('“', start)) if closes(text, at) => return Some(mismatch(text, '“', '"', *start)),
                _ => open.push((c, at)),
            },
            _ => {}
        }
    }
    open.first().map(|(c, at)| format!("an opening {c} that never closes: {}", around(text, *at)))
}

/// Whether the `"` at byte `at` closes a quotation (ends a word) rather than opening one.
fn closes(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + 1..].chars().next();
    before.is_some_and(|c| !c.is_whitespace()) && after.is_none_or(|c| !c.is_alphanumeric())
}

fn mismatch(text: &str, opened: char, closed: char, at: usize) -> String {
    format!("quote marks that do not match ({opened}…{closed}): {}", around(text, at))
}

/// A few words of `text` from byte `at`, to find the place.
fn around(text: &str, at: usize) -> String {
    let start = text[..at].char_indices().rev().nth(12).map_or(0, |(i, _)| i);
    let shown: String = text[start..].chars().take(40).collect();
    format!("“…{}…”", shown.trim())
}

/// A sentence's words, lowercased, letters and digits only.
fn words(sentence: &str) -> HashSet<String> {
    sentence.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// `text` cut into sentences: after `.`, `!` or `?` (and any closing quote) before a space.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let ends = matches!(c, '.' | '!' | '?')
            && chars[i + 1..]
                .iter()
                .find(|(_, n)| !matches!(n, '"' | '”' | '’' | ')'))
                .is_none_or(|(_, n)| n.is_whitespace());
        if ends {
            let end = at + c.len_utf8();
            out.push(text[start..end].trim());
            start = end;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// Sentences shorter than this many distinct words are not compared: short ones repeat by chance.
const MIN_WORDS: usize = 8;
/// Share of the shorter sentence's words the longer one holds for them to say the same thing.
const SAME: f64 = 0.85;

/// Each later sentence of `summary` that says what an earlier one said.
pub fn repeated_sentences(summary: &str) -> Vec<String> {
    let sentences = sentences(summary);
    let sets: Vec<HashSet<String>> = sentences.iter().map(|s| words(s)).collect();
    let mut out = Vec::new();
    for later in 1..sentences.len() {
        for earlier in 0..later {
            let (a, b) = (&sets[earlier], &sets[later]);
            let shorter = a.len().min(b.len());
            if shorter < MIN_WORDS {
                continue;
            }
            let shared = a.intersection(b).count();
            if shared as f64 >= SAME * shorter as f64 {
                out.push(format!(
                    "sentence {} says again what sentence {} said: “{}”",
                    later + 1,
                    earlier + 1,
                    sentences[later].chars().take(60).collect::<String>()
                ));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_marks_must_pair_up() {
        for fine in
            ["“The Crown”", "\"The Crown\"", "Producing \"The Crown\" in The Cloud", "Netflix’s", "none"]
        {
            assert_eq!(unbalanced_quotes(fine), None, "{fine}");
        }
        for slip in [
            "\"The Crown” in-house",
            "“The Crown\" in The Cloud",
            "workstations.”",
            "“never closed",
            "a \" b",
        ] {
            assert!(unbalanced_quotes(slip).is_some(), "{slip}");
        }
    }

    #[test]
    fn a_caption_that_repeats_the_description_is_found() {
        let joined =
            "Netflix made 600 shots. By adopting a cloud-based workflow on AWS, Netflix’s in-house VFX \
                      team of 10 artists was able to complete more than 600 VFX shots in just 8 months.\n\n\
                      By adopting a cloud-based workflow on AWS, the in-house VFX team was able to complete \
                      more than 600 VFX shots, working remotely, in just 8 months.";
        let found = repeated_sentences(joined);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("sentence 3 says again what sentence 2 said"), "{found:?}");
        assert!(repeated_sentences("Netflix streams video. It uses AWS for nearly everything it runs.")
            .is_empty());
    }
}
