//! The inverted index, built once when a catalog is loaded; queries only read it.
//!
//! Each item is split into weighted fields (title, aliases, people, services, tags, kind, summary).
//! For every (word, item) the index stores one precomputed BM25F score, which combines how often
//! and in which fields the word occurs, normalised by field length, so a query does no per-field
//! work. Words are stemmed; synonym groups and joined word pairs ("auto scaling" → "autoscaling")
//! are indexed as extra terms so those matches are plain lookups too.

use super::text::{words, Word};
use super::typo::TypoIndex;
use crate::catalog::Item;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Alias,
    People,
    Service,
    Tag,
    Kind,
    Summary,
}

const FIELDS: usize = 7;

impl Field {
    /// How much a match in this field counts; names and topics weigh more than prose.
    fn weight(self) -> f32 {
        match self {
            Field::Title => 4.0,
            Field::Alias => 3.5,
            Field::People => 3.0,
            Field::Service => 3.0,
            Field::Tag => 2.5,
            Field::Kind => 1.5,
            Field::Summary => 1.0,
        }
    }

    /// BM25's length normalisation: strong for prose, weak for short name-like fields.
    fn length_norm(self) -> f32 {
        match self {
            Field::Summary => 0.75,
            Field::Title => 0.5,
            Field::Kind => 0.0,
            _ => 0.3,
        }
    }

    /// Short fields also index adjacent words joined, so "route53" meets "Route 53".
    fn joins_pairs(self) -> bool {
        !matches!(self, Field::Summary | Field::Kind)
    }
}

const K1: f32 = 1.2;
const MAX_JOINED_LEN: usize = 24;

/// Synonym groups as phrases of stems, keyed by their first stem.
#[derive(Debug, Default)]
pub struct Synonyms {
    phrases: HashMap<String, Vec<(Vec<String>, u32)>>,
}

impl Synonyms {
    pub fn new(groups: &[Vec<String>]) -> Synonyms {
        let mut phrases: HashMap<String, Vec<(Vec<String>, u32)>> = HashMap::new();
        for (g, terms) in groups.iter().enumerate() {
            for term in terms {
                let stems: Vec<String> = words(term).into_iter().map(|w| w.stem).collect();
                if let Some(first) = stems.first() {
                    phrases.entry(first.clone()).or_default().push((stems, g as u32));
                }
            }
        }
        for list in phrases.values_mut() {
            // Longest phrase first, so a query takes the most specific reading.
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
            list.dedup();
        }
        Synonyms { phrases }
    }

    /// Every (start, length, group) where a group's phrase occurs in `stems`.
    pub fn matches<'a>(&'a self, stems: &'a [&'a str]) -> impl Iterator<Item = (usize, usize, u32)> + 'a {
        (0..stems.len()).flat_map(move |i| {
            self.phrases
                .get(stems[i])
                .into_iter()
                .flatten()
                .filter(move |(p, _)| stems[i..].starts_with_str(p))
                .map(move |(p, g)| (i, p.len(), *g))
        })
    }
}

trait StartsWithStr {
    fn starts_with_str(&self, p: &[String]) -> bool;
}

impl StartsWithStr for [&str] {
    fn starts_with_str(&self, p: &[String]) -> bool {
        self.len() >= p.len() && self.iter().zip(p).all(|(a, b)| *a == b)
    }
}

/// The term that stands for synonym group `g`; its first character sorts before any word and
/// cannot be typed, so it is never reached by prefix or typo matching.
pub fn group_term(g: u32) -> String {
    format!("\u{1}{g}")
}

#[derive(Debug, Default)]
pub struct Index {
    /// Every indexed term, sorted; a term's id is its position.
    terms: Vec<Box<str>>,
    /// Postings of term t: `docs[offsets[t]..offsets[t+1]]`, with their BM25F scores.
    offsets: Vec<u32>,
    docs: Vec<u32>,
    scores: Vec<f32>,
    idf: Vec<f32>,
    pub typos: TypoIndex,
    pub synonyms: Synonyms,
    doc_count: usize,
}

/// Per-item fields as lists of texts.
fn fields(item: &Item) -> Vec<(Field, String)> {
    let mut out = vec![(Field::Title, item.title.clone())];
    out.extend(item.aliases.iter().map(|a| (Field::Alias, a.clone())));
    out.extend(item.people.iter().map(|p| (Field::People, p.name.clone())));
    out.extend(item.services.iter().map(|s| (Field::Service, s.clone())));
    out.extend(item.tags.iter().map(|t| (Field::Tag, t.clone())));
    let mut kind = item.kind.search_words().to_string();
    if let Some(y) = item.year {
        kind.push_str(&format!(" {y}"));
    }
    out.push((Field::Kind, kind));
    out.push((Field::Summary, item.summary.clone()));
    out
}

/// The terms one field text contributes: its stems, joined pairs, synonym groups.
fn field_terms(field: Field, ws: &[Word], synonyms: &Synonyms, mut emit: impl FnMut(&str)) {
    for w in ws {
        emit(&w.stem);
    }
    if field.joins_pairs() {
        for pair in ws.windows(2) {
            let joined = format!("{}{}", pair[0].stem, pair[1].stem);
            if joined.len() <= MAX_JOINED_LEN {
                emit(&joined);
            }
        }
    }
    let stems: Vec<&str> = ws.iter().map(|w| w.stem.as_str()).collect();
    for (_, _, g) in synonyms.matches(&stems) {
        emit(&group_term(g));
    }
}

impl Index {
    pub fn build(items: &[Item], synonym_groups: &[Vec<String>]) -> Index {
        let synonyms = Synonyms::new(synonym_groups);
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        // (term, doc, field, count), one per term occurring in a field of a doc.
        let mut entries: Vec<(u32, u32, u8, u16)> = Vec::new();
        let mut lengths: Vec<[u16; FIELDS]> = Vec::with_capacity(items.len());
        let mut occurrences: Vec<(u32, u8)> = Vec::new();

        for (doc, item) in items.iter().enumerate() {
            let mut len = [0u16; FIELDS];
            occurrences.clear();
            for (field, text) in fields(item) {
                let ws = words(&text);
                len[field as usize] = len[field as usize].saturating_add(ws.len() as u16);
                field_terms(field, &ws, &synonyms, |term| {
                    let id = match ids.get(term) {
                        Some(&id) => id,
                        None => {
                            let id = names.len() as u32;
                            ids.insert(term.to_string(), id);
                            names.push(term.to_string());
                            id
                        }
                    };
                    occurrences.push((id, field as u8));
                });
            }
            occurrences.sort_unstable();
            for run in occurrences.chunk_by(|a, b| a == b) {
                entries.push((run[0].0, doc as u32, run[0].1, run.len().min(u16::MAX as usize) as u16));
            }
            lengths.push(len);
        }

        // Renumber terms in sorted order so prefix lookups are binary searches.
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        let mut new_id = vec![0u32; names.len()];
        for (pos, &old) in order.iter().enumerate() {
            new_id[old as usize] = pos as u32;
        }
        for e in &mut entries {
            e.0 = new_id[e.0 as usize];
        }
        // Stable: docs stay ascending within a term.
        entries.sort_by_key(|e| e.0);

        let mut average = [0f32; FIELDS];
        for f in 0..FIELDS {
            let (sum, n) = lengths
                .iter()
                .filter(|l| l[f] > 0)
                .fold((0f64, 0usize), |(s, n), l| (s + f64::from(l[f]), n + 1));
            average[f] = if n == 0 { 1.0 } else { (sum / n as f64) as f32 };
        }
        let all_fields = [
            Field::Title,
            Field::Alias,
            Field::People,
            Field::Service,
            Field::Tag,
            Field::Kind,
            Field::Summary,
        ];

        let terms: Vec<Box<str>> =
            order.iter().map(|&old| names[old as usize].clone().into_boxed_str()).collect();
        let mut offsets = Vec::with_capacity(terms.len() + 1);
        let mut docs = Vec::new();
        let mut scores = Vec::new();
        offsets.push(0u32);
        let mut next = 0usize;
        for term in 0..terms.len() as u32 {
            while next < entries.len() && entries[next].0 == term {
                let doc = entries[next].1;
                let mut weighted = 0f32;
                while next < entries.len() && entries[next].0 == term && entries[next].1 == doc {
                    let (_, _, f, tf) = entries[next];
                    let field = all_fields[f as usize];
                    let b = field.length_norm();
                    let norm =
                        1.0 - b + b * f32::from(lengths[doc as usize][f as usize]) / average[f as usize];
                    weighted += field.weight() * f32::from(tf) / norm.max(0.1);
                    next += 1;
                }
                docs.push(doc);
                scores.push(weighted * (K1 + 1.0) / (weighted + K1));
            }
            offsets.push(docs.len() as u32);
        }

        let n = items.len() as f32;
        let idf = (0..terms.len())
            .map(|t| {
                let df = (offsets[t + 1] - offsets[t]) as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        let typos = TypoIndex::build(
            terms
                .iter()
                .enumerate()
                .filter(|(_, t)| t.chars().all(char::is_alphabetic))
                .map(|(i, t)| (i as u32, &**t)),
        );
        Index { terms, offsets, docs, scores, idf, typos, synonyms, doc_count: items.len() }
    }

    pub fn doc_count(&self) -> usize {
        self.doc_count
    }

    pub fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    pub fn lookup(&self, term: &str) -> Option<u32> {
        self.terms.binary_search_by(|t| (**t).cmp(term)).ok().map(|i| i as u32)
    }

    /// Ids of the terms starting with `prefix`.
    pub fn prefixed(&self, prefix: &str) -> std::ops::Range<u32> {
        let start = self.terms.partition_point(|t| **t < *prefix);
        let len = self.terms[start..].partition_point(|t| t.starts_with(prefix));
        start as u32..(start + len) as u32
    }

    pub fn doc_freq(&self, term: u32) -> u32 {
        self.offsets[term as usize + 1] - self.offsets[term as usize]
    }

    pub fn idf(&self, term: u32) -> f32 {
        self.idf[term as usize]
    }

    /// The weight of a word no item contains: that of the rarest word an item can have, so
    /// one unknown word (a misspelt name) weighs as much as one known rare word, not more.
    pub fn unseen_idf(&self) -> f32 {
        let n = self.doc_count as f32;
        (1.0 + (n - 0.5) / 1.5).ln()
    }

    pub fn postings(&self, term: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
        let range = self.offsets[term as usize] as usize..self.offsets[term as usize + 1] as usize;
        self.docs[range.clone()].iter().copied().zip(self.scores[range].iter().copied())
    }

    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Approximate heap size, for the benchmark's memory figure.
    pub fn heap_bytes(&self) -> usize {
        self.terms.iter().map(|t| t.len() + 16).sum::<usize>()
            + self.offsets.capacity() * 4
            + self.docs.capacity() * 4
            + self.scores.capacity() * 4
            + self.idf.capacity() * 4
            + self.typos.heap_bytes()
    }
}
