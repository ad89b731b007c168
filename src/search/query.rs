//! Turns a query into slots: one per thing the user asked for, each with the index terms that
//! may stand for it and how much each is worth (1.0 for the word itself, less for a guess).

use super::index::{group_term, Index};
use super::text::{words, Word};
use super::typo::{distance, max_edits};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

/// Longer queries are cut here, not rejected: the first words carry the intent.
pub const MAX_QUERY_CHARS: usize = 256;
pub const MAX_QUERY_WORDS: usize = 12;

const SYNONYM: f32 = 1.0;
const ONE_TYPO: f32 = 0.75;
const TWO_TYPOS: f32 = 0.6;
const ABBREVIATION: f32 = 0.55;
/// Completions of a prefix considered per word, the most common first.
const MAX_COMPLETIONS: usize = 16;
const MAX_ABBREVIATIONS: usize = 3;

#[derive(Debug, Clone)]
pub struct Slot {
    /// How much matching this slot matters: the idf of what the user typed.
    pub weight: f32,
    /// (term, quality): any one of them satisfies the slot.
    pub alternatives: Vec<(u32, f32)>,
}

/// Quality of a completion: closer to 1 the more of the word was typed.
fn completion_quality(typed: usize, full: usize) -> f32 {
    0.55 + 0.35 * typed as f32 / full.max(1) as f32
}

pub fn truncate(query: &str) -> &str {
    match query.char_indices().nth(MAX_QUERY_CHARS) {
        Some((i, _)) => &query[..i],
        None => query,
    }
}

pub fn parse(index: &Index, matcher: &SkimMatcherV2, query: &str) -> Vec<Slot> {
    let mut ws: Vec<Word> = words(truncate(query));
    ws.truncate(MAX_QUERY_WORDS);
    let stems: Vec<&str> = ws.iter().map(|w| w.stem()).collect();

    // Multi-word synonym phrases ("simple email service") become one slot each, longest first.
    let mut covered = vec![false; ws.len()];
    let mut slots = Vec::new();
    let mut single_word_groups: Vec<Vec<u32>> = vec![Vec::new(); ws.len()];
    for (start, len, group) in index.synonyms.matches(&stems) {
        let Some(term) = index.lookup(&group_term(group)) else {
            continue;
        };
        if len == 1 {
            single_word_groups[start].push(term);
        } else if !covered[start..start + len].iter().any(|&c| c) {
            covered[start..start + len].iter_mut().for_each(|c| *c = true);
            slots.push(Slot { weight: index.idf(term), alternatives: vec![(term, SYNONYM)] });
        }
    }

    let last = ws.len().saturating_sub(1);
    for (i, w) in ws.iter().enumerate() {
        if covered[i] {
            continue;
        }
        let mut alternatives: Vec<(u32, f32)> = Vec::new();
        let exact = index.lookup(w.stem());
        if let Some(t) = exact {
            alternatives.push((t, 1.0));
        }
        alternatives.extend(single_word_groups[i].iter().map(|&t| (t, SYNONYM)));
        let typed = w.raw.chars().count();
        // The last word may be unfinished (autocomplete, half-remembered names).
        if (i == last && typed >= 2) || (exact.is_none() && typed >= 3) {
            completions(index, &w.raw, exact, &mut alternatives);
        }
        if exact.is_none() && !w.stem().chars().any(|c| c.is_numeric()) {
            typos(index, w.stem(), &mut alternatives);
        }
        if alternatives.is_empty() && typed >= 3 {
            abbreviations(index, matcher, &w.raw, &mut alternatives);
        }
        let weight = exact.map_or(index.unseen_idf(), |t| index.idf(t));
        slots.push(Slot { weight, alternatives });
    }
    slots
}

fn completions(index: &Index, prefix: &str, exact: Option<u32>, out: &mut Vec<(u32, f32)>) {
    let mut found: Vec<u32> = index.prefixed(prefix).filter(|&t| Some(t) != exact).collect();
    if found.len() > MAX_COMPLETIONS {
        found.select_nth_unstable_by_key(MAX_COMPLETIONS - 1, |&t| (std::cmp::Reverse(index.doc_freq(t)), t));
        found.truncate(MAX_COMPLETIONS);
    }
    let typed = prefix.chars().count();
    out.extend(found.into_iter().map(|t| (t, completion_quality(typed, index.term(t).chars().count()))));
}

fn typos(index: &Index, stem: &str, out: &mut Vec<(u32, f32)>) {
    let query: Vec<char> = stem.chars().collect();
    let limit = max_edits(query.len());
    if limit == 0 {
        return;
    }
    let mut candidates = Vec::new();
    index.typos.candidates(&query, &mut candidates);
    let mut word = Vec::new();
    for t in candidates {
        word.clear();
        word.extend(index.term(t).chars());
        if let Some(d) = distance(&query, &word, limit) {
            if d > 0 && !out.iter().any(|&(o, _)| o == t) {
                out.push((t, if d == 1 { ONE_TYPO } else { TWO_TYPOS }));
            }
        }
    }
}

/// Last resort for a word nothing else matched: read it as an abbreviation of a word with the
/// same first letter ("mtflw" → "metaflow"), scored by fuzzy-matcher's subsequence scorer.
fn abbreviations(index: &Index, matcher: &SkimMatcherV2, typed: &str, out: &mut Vec<(u32, f32)>) {
    let Some(first) = typed.chars().next() else {
        return;
    };
    let n = typed.chars().count();
    let Some(perfect) = matcher.fuzzy_match(typed, typed).filter(|&s| s > 0) else {
        return;
    };
    let mut buf = [0u8; 4];
    let mut scored: Vec<(i64, u32)> = index
        .prefixed(first.encode_utf8(&mut buf))
        .filter_map(|t| {
            let term = index.term(t);
            let len = term.chars().count();
            if len <= n || len > 3 * n {
                return None;
            }
            let s = matcher.fuzzy_match(term, typed)?;
            // Require a strong subsequence match: most of the typed letters in runs.
            (s * 10 >= perfect * 6).then_some((s, t))
        })
        .collect();
    scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.extend(scored.into_iter().take(MAX_ABBREVIATIONS).map(|(_, t)| (t, ABBREVIATION)));
}

/// The query as the subsequence scorer sees it: bounded so one long query costs little.
pub fn truncate_for_rerank(query: &str) -> &str {
    match query.char_indices().nth(64) {
        Some((i, _)) => &query[..i],
        None => query,
    }
}
