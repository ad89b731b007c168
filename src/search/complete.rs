//! Autocomplete: the choices offered while a member types, one keystroke at a time.
//!
//! A search answers a finished question and may stay silent; autocomplete offers, and an empty
//! list reads as a broken bot. So it reads the typed text two ways and merges them:
//! - as names being typed: fuzzy-matcher's subsequence scorer over every item's title (in English
//!   and, with `SearchOptions::names_in`, the member's language only), aliases and people (so
//!   "t", "the c", "the crw", "fix th" all find what they begin), with names that
//!   hold the typed text as a run of whole words and a word's beginning ("fix th" in "fix this
//!   podcast") first;
//! - as a query: the search's own ranking (every candidate, answered or not), which understands
//!   words in any order, synonyms, typos and chat questions.
//!
//! Names the typed text begins a run of lead; the rest are ordered by the better of the two
//! readings, so the best match for the whole typed text leads whichever reading found it.

use super::{query, text, Engine, Ranking, SearchOptions};
use crate::catalog::Item;
use fuzzy_matcher::FuzzyMatcher;

/// Catalogs up to this size have every name read against each keystroke (a few microseconds per
/// name); larger ones only the names of the items the search found, so a keystroke stays well
/// under a millisecond at 100 000 items. Raising it trades keystroke time for choices on
/// prefixes no word of the index completes (a lone letter, a stopword).
const FULL_SCAN_ITEMS: usize = 512;
/// A name matched as a subsequence, not a run, counts at this share of its ratio against the
/// search's relative score: below a search answer (1.0), above the search's weak candidates.
const SUBSEQUENCE_SHARE: f32 = 0.9;
/// A search candidate the decision would not answer counts at this share of its relative score.
const UNANSWERED_SHARE: f32 = 0.8;
/// An alias, a person or a translated title counts at this share of its subsequence ratio, so a
/// title (what the list shows) leads among names the typed letters fit equally: "n" fits "Nils
/// Pommerien" as well as "Netflix on AWS". At 1.0, a letter or two rank aliases and people among
/// titles by id; much lower, and typing a speaker's whole name loses to a title that merely
/// holds its letters.
const OTHER_NAME_SHARE: f32 = 0.9;

#[derive(Debug, Clone, Copy, Default)]
struct Choice {
    /// Some name holds the typed text as a run starting at a word's beginning.
    begins: bool,
    /// Best subsequence ratio of a name, in [0, 1].
    name: f32,
    /// The search's score as a share of its best, lowered for candidates it would not answer.
    search: f32,
}

impl Choice {
    fn value(&self) -> f32 {
        if self.begins {
            // Among names the text begins, fuzzy-matcher's order: the search's guesses at an
            // unfinished word ("how net" → every "netflix") would only reshuffle equal names.
            self.name
        } else {
            (SUBSEQUENCE_SHARE * self.name).max(self.search)
        }
    }
}

impl Engine {
    /// Up to `options.limit` items for the text typed so far, best first. Empty only when no
    /// name holds the typed letters in order and the search finds nothing.
    pub fn complete(&self, typed: &str, options: &SearchOptions) -> Vec<&Item> {
        // Nothing fits the whole text: what fits the words before the last does ("is there a
        // talk abo" offers what "is there a talk" finds), down to the first word.
        let mut text = typed.trim_end();
        loop {
            let found = self.complete_whole(text, options);
            match text.rfind(char::is_whitespace) {
                Some(cut) if found.is_empty() => text = text[..cut].trim_end(),
                _ => return found,
            }
        }
    }

    fn complete_whole(&self, typed: &str, options: &SearchOptions) -> Vec<&Item> {
        let limit = options.limit.max(1);
        let folded = text::folded(query::truncate_for_rerank(typed));
        if folded.is_empty() {
            return Vec::new();
        }
        let mut choices: Vec<(u32, Choice)> = Vec::new();
        if let Some(Ranking { parsed, ranked, .. }) = self.rank(typed, options, limit) {
            let best = ranked.iter().map(|r| r.score).fold(0.0f32, f32::max).max(f32::EPSILON);
            let unseen = self.index.unseen_idf();
            for (r, v) in ranked.iter().zip(super::decide::verdicts(&parsed, &ranked, unseen)) {
                let answered = v.answer;
                let share = if answered { 1.0 } else { UNANSWERED_SHARE };
                let search = share * r.score / best;
                choices.push((r.candidate.doc, Choice { search, ..Choice::default() }));
            }
        }
        let perfect = self.matcher.fuzzy_match(&folded, &folded).unwrap_or(0).max(1) as f32;
        let read = |doc: u32, choice: &mut Choice| {
            let n = &self.names[doc as usize];
            for (i, name) in n.folded.iter().chain(&n.people).enumerate() {
                // A title in another language than the member's is not what the list shows
                // them; the search's reading still finds it by its words.
                // (People follow the names and have no language: `get` is `None` for them.)
                let language = n.languages.get(i).and_then(Option::as_deref);
                if language.is_some_and(|l| options.names_in.is_some_and(|m| m != l)) {
                    continue;
                }
                // The letters in order are what fuzzy-matcher needs to match at all, and a scan
                // for them costs a fraction of its scoring: most names of a catalog in six
                // languages fail it.
                if !query::is_subsequence(&folded, name) {
                    continue;
                }
                if let Some(m) = self.matcher.fuzzy_match(name, &folded) {
                    let share = if i == 0 { 1.0 } else { OTHER_NAME_SHARE };
                    choice.name = choice.name.max(share * (m as f32 / perfect).clamp(0.0, 1.0));
                    choice.begins |= begins_run(name, &folded);
                }
            }
        };
        for (doc, choice) in &mut choices {
            read(*doc, choice);
        }
        if self.items.len() <= FULL_SCAN_ITEMS {
            let allowed = |doc: usize| {
                (options.kinds.is_empty() || options.kinds.contains(&self.kinds[doc]))
                    && options.year.is_none_or(|y| self.years[doc] == Some(y))
            };
            for doc in 0..self.items.len() {
                if !allowed(doc) || choices.iter().any(|(d, _)| *d as usize == doc) {
                    continue;
                }
                let mut choice = Choice::default();
                read(doc as u32, &mut choice);
                if choice.name > 0.0 {
                    choices.push((doc as u32, choice));
                }
            }
        }
        choices.retain(|(_, c)| c.value() > 0.0);
        choices.sort_by(|a, b| {
            b.1.begins.cmp(&a.1.begins).then(b.1.value().total_cmp(&a.1.value())).then(a.0.cmp(&b.0))
        });
        choices.truncate(limit);
        choices.into_iter().map(|(doc, _)| &self.items[doc as usize]).collect()
    }
}

/// Whether `typed` occurs in `name` starting at the beginning of one of its words (both folded,
/// words separated by single spaces): "fix th" in "fix this podcast", "the c" in "the crown".
fn begins_run(name: &str, typed: &str) -> bool {
    name.match_indices(typed).any(|(i, _)| i == 0 || name.as_bytes()[i - 1] == b' ')
}

#[cfg(test)]
mod tests {
    use super::begins_run;

    #[test]
    fn runs_begin_at_words() {
        assert!(begins_run("fix this podcast", "fix th"));
        assert!(begins_run("the crown in the cloud", "crown in"));
        assert!(!begins_run("the crown in the cloud", "rown"));
        assert!(!begins_run("the crown", "the crw"));
    }
}
