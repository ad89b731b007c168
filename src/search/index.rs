//! The inverted index, built once when a catalog is loaded; queries only read it.
//!
//! Each item is split into weighted fields (title, aliases, people, services, tags, kind, summary).
//! For every (word, item) the index stores one precomputed BM25F score, which combines how often
//! and in which fields the word occurs, normalised by field length, so a query does no per-field
//! work. Words are stemmed; synonym groups and joined word pairs ("auto scaling" → "autoscaling")
//! are indexed as extra terms so those matches are plain lookups too.

use super::intent::{is_filler, Figure};
use super::text::{words, Stems, Word};
use super::typo::{soundex, TypoIndex};
use crate::catalog::{Item, Kind};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Alias,
    People,
    /// What the people do ("Director, Messaging & Contact Engineering"): members ask for "the
    /// head of messaging engineering" as often as for her name.
    Role,
    Service,
    Tag,
    Kind,
    Summary,
    /// The title in another language (`Item::locales`): a name, like an alias.
    LocalTitle,
    /// Words a member of another language searches with: topics, like tags.
    LocalKeyword,
    /// The summary in another language: prose.
    LocalSummary,
}

const FIELDS: usize = 11;

impl Field {
    /// How much a match in this field counts; names and topics weigh more than prose.
    fn weight(self) -> f32 {
        match self {
            Field::Title => 4.0,
            Field::Alias => 3.5,
            Field::People => 3.0,
            // Below names and tags (a role is shared: many directors of engineering), above
            // prose (it says what the item's speaker is, not what a sentence mentions).
            Field::Role => 2.0,
            Field::Service => 3.0,
            Field::Tag => 3.5,
            Field::Kind => 1.5,
            Field::Summary | Field::LocalSummary => 1.0,
            // As an alias and a tag: the same names and topics in another language.
            Field::LocalTitle => 3.5,
            Field::LocalKeyword => 3.5,
        }
    }

    /// BM25's length normalisation: strong for prose, weak for short name-like fields.
    fn length_norm(self) -> f32 {
        match self {
            Field::Summary | Field::LocalSummary => 0.75,
            Field::Title | Field::Role => 0.5,
            Field::Kind => 0.0,
            _ => 0.3,
        }
    }

    /// Name-like fields also index adjacent words joined, so "route53" meets "Route 53",
    /// "autoscaling" meets "Auto Scaling", and two query words that stand together in a name
    /// ("brendan gregg") count for more than the same words scattered through a title. Not titles and prose: their pairs would be most of
    /// the vocabulary and almost never typed.
    fn joins_pairs(self) -> bool {
        matches!(self, Field::Alias | Field::People | Field::Service | Field::Tag | Field::LocalKeyword)
    }

    /// Whether one entry of this field (a title, an alias, a tag, a person, a service) is a name
    /// for the item: a word that is a large part of such an entry is what the item is about,
    /// not a passing mention (see `Index::postings`).
    fn names_item(self) -> bool {
        !matches!(self, Field::Kind | Field::Summary | Field::Role | Field::LocalSummary)
    }
}

const K1: f32 = 3.0;
/// Set in a posting's doc number when the term occurs in a name-like field (anything but the
/// summary): a catalog holds far fewer than 2³¹ items.
const NAMED: u32 = 1 << 31;
const MAX_JOINED_LEN: usize = 24;
/// English endings of a word's forms (see `Index::forms_of`), as the index holds them (stemmed:
/// no plural "s"); after a final "e" is dropped, the endings that replace it.
const ENDINGS: [&str; 6] = ["ed", "ing", "er", "ly", "ment", "ation"];
const AFTER_E: [&str; 6] = ["e", "ed", "ing", "er", "ion", "ation"];

/// Synonym groups as phrases of stems, keyed by their first stem.
#[derive(Debug, Default)]
pub struct Synonyms {
    phrases: FxHashMap<String, Vec<(Vec<String>, u32)>>,
}

impl Synonyms {
    pub fn new(groups: &[Vec<String>]) -> Synonyms {
        let mut phrases: FxHashMap<String, Vec<(Vec<String>, u32)>> = FxHashMap::default();
        for (g, terms) in groups.iter().enumerate() {
            for term in terms {
                let stems: Vec<String> = words(term).iter().map(|w| w.stem().to_string()).collect();
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

/// The term every item of `kind` carries, whatever its text says; like a group term it cannot be
/// typed, so only a word that asks for the kind ("listen", "watch") reaches it.
pub fn kind_term(kind: Kind) -> String {
    format!("\u{2}{}", kind.as_str())
}

#[derive(Debug, Default)]
pub struct Index {
    /// Every indexed term, sorted; a term's id is its position.
    terms: Vec<Box<str>>,
    /// Postings of term t: `docs[offsets[t]..offsets[t+1]]`, with their BM25F scores.
    offsets: Vec<u32>,
    docs: Vec<u32>,
    scores: Vec<f32>,
    /// Per posting: the largest share of one of the doc's name entries (title, an alias, a tag, a
    /// person, a service) that the term makes up, as `share_byte`; 0 when only in prose.
    shares: Vec<u8>,
    idf: Vec<f32>,
    /// Per term, how many items hold it in a name-like field: completions of an unfinished word
    /// are taken from the words items are named by before the words only prose holds.
    named_df: Vec<u32>,
    pub typos: TypoIndex,
    pub synonyms: Synonyms,
    /// Members' words for words of the catalog (`Catalog::related`) as phrases of stems; the
    /// "group" of a match is the index in `related_terms`.
    pub related: Synonyms,
    /// The passages of each item (see `Index::passages`): the sorted terms of passage `p` are
    /// `passage_terms[passage_ends[p - 1]..passage_ends[p]]`, and doc `d`'s passages are
    /// `doc_passages[d]..doc_passages[d + 1]`. Flat, so 100 000 items cost no allocation each.
    passage_terms: Vec<u32>,
    passage_ends: Vec<u32>,
    doc_passages: Vec<u32>,
    /// Per passage, the figures its sentence states (`STATES_NUMBER`, `STATES_YEAR`).
    passage_figures: Vec<u8>,
    /// Per entry of `related`, the terms of the catalog word members mean, in the forms the
    /// catalog holds it.
    pub related_terms: Vec<Vec<u32>>,
    /// Per word of a person's name, the other words of that name (of every person it is part
    /// of) with their Soundex codes: a first name beside the surname may be spelt the way it
    /// sounds ("stefan kowalski").
    name_parts: HashMap<u32, Vec<(u32, [u8; 4])>>,
    /// The Soundex codes of the words of people's names: most words sound like none of them,
    /// and need not look at their neighbours.
    name_sounds: HashSet<[u8; 4]>,
    doc_count: usize,
}

/// Per-item fields as lists of texts; the kind field also carries the year.
fn fields<'a>(item: &'a Item, year: &'a str) -> impl Iterator<Item = (Field, &'a str)> {
    std::iter::once((Field::Title, item.title.as_str()))
        .chain(item.aliases.iter().map(|a| (Field::Alias, a.as_str())))
        .chain(item.people.iter().map(|p| (Field::People, p.name.as_str())))
        .chain(item.people.iter().filter_map(|p| p.role.as_deref()).map(|r| (Field::Role, r)))
        .chain(item.services.iter().map(|s| (Field::Service, s.as_str())))
        .chain(item.tags.iter().map(|t| (Field::Tag, t.as_str())))
        .chain([
            (Field::Kind, item.kind.search_words()),
            (Field::Kind, year),
            (Field::Summary, &item.summary),
        ])
        .chain(item.locales.values().flat_map(|l| {
            l.title
                .iter()
                .map(|t| (Field::LocalTitle, t.as_str()))
                .chain(l.keywords.iter().map(|k| (Field::LocalKeyword, k.as_str())))
                .chain(l.summary.iter().map(|s| (Field::LocalSummary, s.as_str())))
        }))
}

/// The terms one field text contributes: its stems, joined pairs, synonym groups.
/// `emit(term, is_word, words)`: only plain words are reachable by typo matching; joined pairs
/// and synonym groups are matched exactly (they would multiply the typo table many times over).
/// `words` is how many of the text's words the term stands for.
fn field_terms(field: Field, ws: &Stems, synonyms: &Synonyms, mut emit: impl FnMut(&str, bool, usize)) {
    for w in ws.iter() {
        emit(w, true, 1);
    }
    if field.joins_pairs() {
        for i in 1..ws.len() {
            let joined = format!("{}{}", ws.get(i - 1), ws.get(i));
            if joined.len() <= MAX_JOINED_LEN {
                emit(&joined, false, 2);
            }
        }
    }
    if !synonyms.phrases.is_empty() {
        let stems: Vec<&str> = ws.iter().collect();
        for (_, len, g) in synonyms.matches(&stems) {
            emit(&group_term(g), false, len);
        }
    }
}

/// The sentences of a prose text: split at `!?;` and line ends, Japanese stops, and a full stop
/// followed by a space (not inside "2.5" or "re:Invent.com").
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let ends = matches!(c, '!' | '?' | ';' | '\n' | '。' | '！' | '？')
                || (c == '.' && chars.peek().is_none_or(|(_, n)| n.is_whitespace()));
            if ends {
                let (sentence, after) = rest.split_at(i + c.len_utf8());
                rest = after;
                return Some(sentence);
            }
        }
        Some(std::mem::take(&mut rest))
    })
}

/// Passages as the build collects them (see `Index::passages`), flat: `docs` starts at 0 and
/// gains each doc's end.
struct Passages {
    terms: Vec<u32>,
    ends: Vec<u32>,
    docs: Vec<u32>,
    /// Per passage, the figures its own words state (`STATES_NUMBER`, `STATES_YEAR`).
    figures: Vec<u8>,
}

/// A passage states a number: a word of it begins with a digit ("260 million", "3x", "1 year").
const STATES_NUMBER: u8 = 1;
/// ... a year ("in 2012").
const STATES_YEAR: u8 = 2;

/// The figures the words of a sentence state (see `Passages::figures`).
fn figures_stated(ws: &Stems) -> u8 {
    ws.iter().fold(0, |f, w| {
        let year = w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) && matches!(&w[..2], "19" | "20");
        let number = w.bytes().next().is_some_and(|b| b.is_ascii_digit());
        f | if year {
            STATES_NUMBER | STATES_YEAR
        } else if number {
            STATES_NUMBER
        } else {
            0
        }
    })
}

impl Passages {
    fn new() -> Passages {
        Passages { terms: Vec::new(), ends: Vec::new(), docs: vec![0], figures: Vec::new() }
    }

    fn push_passage(&mut self, terms: impl Iterator<Item = u32>, figures: u8) {
        self.terms.extend(terms);
        self.ends.push(self.terms.len() as u32);
        self.figures.push(figures);
    }

    fn end_doc(&mut self) {
        self.docs.push(self.ends.len() as u32);
    }

    /// With the terms renumbered by `new_id`, each passage sorted and without repeats.
    fn renumbered(self, new_id: &[u32]) -> Passages {
        let mut out = Passages { docs: self.docs, ..Passages::new() };
        let mut passage = Vec::new();
        let mut start = 0;
        for (&end, &figures) in self.ends.iter().zip(&self.figures) {
            passage.clear();
            passage.extend(self.terms[start..end as usize].iter().map(|&t| new_id[t as usize]));
            passage.sort_unstable();
            passage.dedup();
            out.push_passage(passage.iter().copied(), figures);
            start = end as usize;
        }
        // Kept for the index's life: no spare capacity at 100 000 items.
        out.terms.shrink_to_fit();
        out.figures.shrink_to_fit();
        out
    }
}

/// A share in [0, 1] as one byte: how much of a name entry a term is.
fn share_byte(words: usize, of: usize) -> u8 {
    ((words.min(of) as f32 / of.max(1) as f32) * 255.0).round() as u8
}

impl Index {
    pub fn build(items: &[Item], synonym_groups: &[Vec<String>], related: &[(String, Vec<String>)]) -> Index {
        let synonyms = Synonyms::new(synonym_groups);
        let mut ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut names: Vec<String> = Vec::new();
        // Whether a term occurs as a word of its own (see `field_terms`).
        let mut is_word: Vec<bool> = Vec::new();
        // (term, doc, field, count, share), one per term occurring in a field of a doc; share is
        // the largest part of one name entry of that field the term makes up (`share_byte`).
        let mut entries: Vec<(u32, u32, u8, u16, u8)> = Vec::new();
        let mut lengths: Vec<[u16; FIELDS]> = Vec::with_capacity(items.len());
        let mut occurrences: Vec<(u32, u8, u8)> = Vec::new();
        let mut ws = Stems::default();
        let mut sentences_at = Vec::new();
        let mut raw_passages = Passages::new();

        for (doc, item) in items.iter().enumerate() {
            let mut len = [0u16; FIELDS];
            occurrences.clear();
            let year = item.year.map(|y| y.to_string()).unwrap_or_default();
            let mut intern =
                |occurrences: &mut Vec<(u32, u8, u8)>, term: &str, word: bool, field: Field, share: u8| {
                    let id = match ids.get(term) {
                        Some(&id) => id,
                        None => {
                            let id = names.len() as u32;
                            ids.insert(term.to_string(), id);
                            names.push(term.to_string());
                            is_word.push(false);
                            id
                        }
                    };
                    is_word[id as usize] |= word;
                    occurrences.push((id, field as u8, share));
                };
            // Where each passage's occurrences lie: names and kind words gather over all their
            // fields, each sentence of prose is its own.
            let (mut names_at, mut shared_at) = (Vec::new(), Vec::new());
            sentences_at.clear();
            for (field, text) in fields(item, &year) {
                let prose = matches!(field, Field::Summary | Field::LocalSummary);
                let pieces: Box<dyn Iterator<Item = &str>> =
                    if prose { Box::new(sentences(text)) } else { Box::new(std::iter::once(text)) };
                for piece in pieces {
                    ws.fill(piece);
                    len[field as usize] = len[field as usize].saturating_add(ws.len() as u16);
                    let of = ws.len();
                    let start = occurrences.len();
                    field_terms(field, &ws, &synonyms, |term, word, words| {
                        let share = if field.names_item() { share_byte(words, of) } else { 0 };
                        intern(&mut occurrences, term, word, field, share)
                    });
                    let range = start..occurrences.len();
                    match field {
                        _ if prose => sentences_at.push((range, figures_stated(&ws))),
                        Field::Kind => shared_at.push(range),
                        _ => names_at.push(range),
                    }
                }
            }
            let start = occurrences.len();
            intern(&mut occurrences, &kind_term(item.kind), false, Field::Kind, 0);
            shared_at.push(start..occurrences.len());
            let shared = shared_at.iter().flat_map(|r| &occurrences[r.clone()]).map(|o| o.0);
            let names = names_at.iter().flat_map(|r| &occurrences[r.clone()]).map(|o| o.0);
            raw_passages.push_passage(names.chain(shared.clone()), 0);
            for (r, figures) in &sentences_at {
                if !r.is_empty() {
                    raw_passages.push_passage(
                        occurrences[r.clone()].iter().map(|o| o.0).chain(shared.clone()),
                        *figures,
                    );
                }
            }
            raw_passages.end_doc();
            occurrences.sort_unstable();
            for run in occurrences.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
                let share = run.iter().map(|o| o.2).max().unwrap_or(0);
                entries.push((
                    run[0].0,
                    doc as u32,
                    run[0].1,
                    run.len().min(u16::MAX as usize) as u16,
                    share,
                ));
            }
            lengths.push(len);
        }

        // Each term is in `names` now; the map to find them by text is done with.
        drop(ids);
        // Renumber terms in sorted order so prefix lookups are binary searches.
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        let mut new_id = vec![0u32; names.len()];
        for (pos, &old) in order.iter().enumerate() {
            new_id[old as usize] = pos as u32;
        }
        // Counting sort by new term id; stable, so docs stay ascending within a term.
        let mut starts = vec![0usize; names.len() + 1];
        for e in &entries {
            starts[new_id[e.0 as usize] as usize + 1] += 1;
        }
        for t in 0..names.len() {
            starts[t + 1] += starts[t];
        }
        let mut sorted = vec![(0u32, 0u32, 0u8, 0u16, 0u8); entries.len()];
        for e in entries {
            let t = new_id[e.0 as usize];
            sorted[starts[t as usize]] = (t, e.1, e.2, e.3, e.4);
            starts[t as usize] += 1;
        }
        let entries = sorted;

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
            Field::Role,
            Field::Service,
            Field::Tag,
            Field::Kind,
            Field::Summary,
            Field::LocalTitle,
            Field::LocalKeyword,
            Field::LocalSummary,
        ];

        // Moved, not copied: at 100 000 items the vocabulary is tens of megabytes.
        let terms: Vec<Box<str>> =
            order.iter().map(|&old| std::mem::take(&mut names[old as usize]).into_boxed_str()).collect();
        drop(names);
        let mut offsets = Vec::with_capacity(terms.len() + 1);
        let mut docs = Vec::new();
        let mut scores = Vec::new();
        let mut shares = Vec::new();
        offsets.push(0u32);
        let mut named_df = vec![0u32; terms.len()];
        let mut next = 0usize;
        for term in 0..terms.len() as u32 {
            while next < entries.len() && entries[next].0 == term {
                let doc = entries[next].1;
                let mut weighted = 0f32;
                let mut named = false;
                let mut share = 0u8;
                while next < entries.len() && entries[next].0 == term && entries[next].1 == doc {
                    let (_, _, f, tf, s) = entries[next];
                    share = share.max(s);
                    let field = all_fields[f as usize];
                    named |= !matches!(field, Field::Summary | Field::LocalSummary);
                    let b = field.length_norm();
                    let norm =
                        1.0 - b + b * f32::from(lengths[doc as usize][f as usize]) / average[f as usize];
                    weighted += field.weight() * f32::from(tf) / norm.max(0.1);
                    next += 1;
                }
                named_df[term as usize] += u32::from(named);
                docs.push(if named { doc | NAMED } else { doc });
                scores.push(weighted * (K1 + 1.0) / (weighted + K1));
                shares.push(share);
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
            order
                .iter()
                .enumerate()
                .filter(|&(new, &old)| is_word[old as usize] && terms[new].chars().all(char::is_alphabetic))
                .map(|(new, _)| (new as u32, &*terms[new])),
        );
        let passages = raw_passages.renumbered(&new_id);
        let mut index = Index {
            terms,
            offsets,
            docs,
            scores,
            shares,
            idf,
            named_df,
            typos,
            synonyms,
            passage_terms: passages.terms,
            passage_ends: passages.ends,
            doc_passages: passages.docs,
            passage_figures: passages.figures,
            related: Synonyms::default(),
            related_terms: Vec::new(),
            name_parts: HashMap::new(),
            name_sounds: HashSet::new(),
            doc_count: items.len(),
        };
        // Only words some item holds: a member's word for a word no item has finds nothing.
        let mut groups = Vec::new();
        for (word, members) in related {
            let terms = index.forms_of(word);
            // A query is read without chat filler, so a phrase with some ("went down") could
            // never match as written: it is left out rather than read as its other words.
            let members: Vec<String> =
                members.iter().filter(|m| !words(m).iter().any(|w| is_filler(&w.raw))).cloned().collect();
            if !terms.is_empty() && !members.is_empty() {
                groups.push(members);
                index.related_terms.push(terms);
            }
        }
        index.related = Synonyms::new(&groups);
        for person in items.iter().flat_map(|item| &item.people) {
            let parts: Vec<(u32, [u8; 4])> = words(&person.name)
                .iter()
                .filter_map(|w| index.lookup(w.stem()))
                .filter_map(|t| Some((t, soundex(&index.terms[t as usize])?)))
                .collect();
            for &(part, sound) in &parts {
                index.name_sounds.insert(sound);
                let others = index.name_parts.entry(part).or_default();
                for &other in &parts {
                    if other.0 != part && !others.contains(&other) {
                        others.push(other);
                    }
                }
            }
        }
        index
    }

    /// Whether a word of some person's name has this Soundex code.
    pub fn sounds_like_a_name(&self, sound: [u8; 4]) -> bool {
        self.name_sounds.contains(&sound)
    }

    /// The other words of the names `part` is a word of, with their Soundex codes ("kowalski" →
    /// "stephen", S315).
    pub fn other_name_parts(&self, part: u32) -> &[(u32, [u8; 4])] {
        self.name_parts.get(&part).map_or(&[], Vec::as_slice)
    }

    /// The terms that are forms of a dictionary word in the catalog's text ("migrate" →
    /// migrated, migrating, migration): the word's stem, and the word (less a final "e") with an
    /// English ending. A compound ("self-service") is its words joined, as names index it. Empty
    /// when the catalog holds no form of it.
    pub fn forms_of(&self, word: &str) -> Vec<u32> {
        let ws: Vec<Word> = words(word);
        let joined: String = ws.iter().map(|w| w.stem()).collect();
        let mut out: Vec<u32> = self.lookup(&joined).into_iter().collect();
        if let [w] = ws.as_slice() {
            let raw = w.raw.as_str();
            let (root, endings) = match raw.strip_suffix('e') {
                Some(root) => (root, &AFTER_E[..]),
                None => (raw, &ENDINGS[..]),
            };
            for ending in endings {
                out.extend(self.lookup(&format!("{root}{ending}")));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The passages of doc `d`, each its sorted terms: the item's names (title, aliases,
    /// people, roles, services, tags, translated titles and keywords) as one, and each sentence
    /// of a summary as another; its kind and year belong to every passage. Words that stand
    /// together in one sentence say more than the same words scattered over a summary.
    pub fn passages(&self, d: u32) -> impl Iterator<Item = &[u32]> + '_ {
        let range = self.doc_passages[d as usize] as usize..self.doc_passages[d as usize + 1] as usize;
        range.map(|p| {
            let start = if p == 0 { 0 } else { self.passage_ends[p - 1] as usize };
            &self.passage_terms[start..self.passage_ends[p] as usize]
        })
    }

    /// The passages of doc `d` (see `passages`) whose sentence states the figure a question
    /// asks for: a number, or a year. The item's names and its own year never do; "when" is
    /// answered by what its text says happened then.
    pub fn passages_stating(&self, d: u32, figure: Figure) -> impl Iterator<Item = &[u32]> + '_ {
        let wanted = match figure {
            Figure::Number => STATES_NUMBER,
            Figure::Year => STATES_YEAR,
        };
        let first = self.doc_passages[d as usize] as usize;
        self.passages(d)
            .enumerate()
            .filter(move |(i, _)| self.passage_figures[first + i] & wanted != 0)
            .map(|(_, p)| p)
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

    /// How many items hold `term` in a name-like field (not only in prose).
    pub fn named_doc_freq(&self, term: u32) -> u32 {
        self.named_df[term as usize]
    }

    pub fn idf(&self, term: u32) -> f32 {
        self.idf[term as usize]
    }

    /// The idf of a term held by `df` of the items.
    pub fn idf_of(&self, df: u32) -> f32 {
        let (n, df) = (self.doc_count as f32, df as f32);
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    pub fn doc_count(&self) -> u32 {
        self.doc_count as u32
    }

    /// The weight of a word no item contains: that of the rarest word an item can have, so
    /// one unknown word (a misspelt name) weighs as much as one known rare word, not more.
    pub fn unseen_idf(&self) -> f32 {
        let n = self.doc_count as f32;
        (1.0 + (n - 0.5) / 1.5).ln()
    }

    /// Per doc holding `term`: (doc, BM25F score, whether the term is in one of the doc's
    /// name-like fields rather than only in its summary, the largest share in [0, 1] of one of
    /// the doc's name entries the term makes up). "dns" is all of the tag "dns" (1.0) but a
    /// sixth of a six-word title: an item named by the query, rather than one that mentions its
    /// words, which BM25 alone cannot tell apart once thousands of items share the words.
    pub fn postings(&self, term: u32) -> impl Iterator<Item = (u32, f32, bool, f32)> + '_ {
        let range = self.offsets[term as usize] as usize..self.offsets[term as usize + 1] as usize;
        self.docs[range.clone()]
            .iter()
            .zip(self.scores[range.clone()].iter())
            .zip(self.shares[range].iter())
            .map(|((&d, &s), &share)| (d & !NAMED, s, d & NAMED != 0, f32::from(share) / 255.0))
    }
}

type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The hash rustc uses for its own tables: much faster than SipHash on short words, and the
/// keys here come from the catalog, not from users.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 =
                (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Kind, Person};

    fn item(summary: &str) -> Item {
        Item {
            id: "x".into(),
            title: "Chaos at scale".into(),
            kind: Kind::Talk,
            year: Some(2020),
            summary: summary.into(),
            people: vec![Person { name: "Ada Lovelace".into(), role: Some("Director, Engines".into()) }],
            services: vec![],
            tags: vec!["resilience".into()],
            aliases: vec![],
            links: vec![],
            locales: Default::default(),
        }
    }

    /// Whether the passage holds `word` as the index stems it.
    fn holds(index: &Index, passage: &[u32], word: &str) -> bool {
        let stem = words(word)[0].stem().to_string();
        passage.iter().any(|&t| index.term(t) == stem)
    }

    /// Names are one passage, each sentence of prose another (a full stop inside "2.5" is not
    /// an end), and the kind and year belong to every passage.
    #[test]
    fn an_item_is_read_as_its_names_and_its_sentences() {
        let index = Index::build(
            &[item("Engineers break servers on purpose. Latency fell 2.5 times! Monkeys; everywhere")],
            &[],
            &[],
        );
        let p: Vec<&[u32]> = index.passages(0).collect();
        assert_eq!(p.len(), 5);
        for w in ["chaos", "scale", "ada", "lovelace", "director", "engines", "resilience"] {
            assert!(holds(&index, p[0], w), "{w} is in the names");
        }
        assert!(holds(&index, p[1], "servers") && !holds(&index, p[1], "latency"));
        assert!(holds(&index, p[2], "latency") && holds(&index, p[2], "times"));
        assert!(holds(&index, p[3], "monkeys") && !holds(&index, p[3], "everywhere"));
        assert!(holds(&index, p[4], "everywhere"));
        for passage in &p {
            assert!(holds(&index, passage, "talk") && holds(&index, passage, "2020"));
        }
    }

    /// A dictionary word finds the forms the catalog holds it in, and nothing that merely begins
    /// like it.
    #[test]
    fn forms_of_a_word_are_its_english_forms_only() {
        let index = Index::build(
            &[item("Migrating and migration. Contention, content, contents. Scaled, scaling.")],
            &[],
            &[],
        );
        let forms = |w: &str| -> Vec<&str> { index.forms_of(w).iter().map(|&t| index.term(t)).collect() };
        assert_eq!(forms("migrate"), ["migrating", "migration"]);
        assert_eq!(forms("content"), ["content"]);
        assert_eq!(forms("scale"), ["scale", "scaled", "scaling"]);
        assert!(forms("teleport").is_empty());
    }

    /// A query whose words one sentence holds is all together; the same words from two
    /// sentences are apart, however strongly each matches.
    #[test]
    fn together_is_the_share_one_passage_matches() {
        let index = Index::build(&[item("Engineers break servers on purpose. Latency fell.")], &[], &[]);
        let matcher = fuzzy_matcher::skim::SkimMatcherV2::default();
        let together = |q: &str| {
            let parsed = super::super::gather::Parsed::new(&index, &matcher, q).unwrap();
            super::super::gather::together(&parsed, index.passages(0))
        };
        assert!((together("break servers") - 1.0).abs() < 1e-4);
        assert!((together("servers latency") - 0.5).abs() < 1e-4, "{}", together("servers latency"));
        // The names are one passage, and the kind belongs to every one.
        assert!((together("chaos ada talk") - 1.0).abs() < 1e-4);
    }

    /// A member's word for a catalog word reaches it, below the word itself; a phrase is a slot
    /// of its own; without the entry the word reaches nothing.
    #[test]
    fn a_members_word_reaches_the_catalog_word() {
        let related = [("outage".to_string(), vec!["crash".into(), "power cut".into(), "went down".into()])];
        let items = [item("The outage that moved everything.")];
        let with = Index::build(&items, &[], &related);
        let without = Index::build(&items, &[], &[]);
        let matcher = fuzzy_matcher::skim::SkimMatcherV2::default();
        let outage = with.lookup("outage").unwrap();
        let reaches = |index: &Index, q: &str| {
            super::super::query::parse(index, &matcher, q)
                .iter()
                .flat_map(|s| s.alternatives.clone())
                .find(|&(t, _)| index.term(t) == "outage")
                .map(|(_, quality)| quality)
        };
        assert_eq!(reaches(&with, "crash"), Some(super::super::query::RELATED));
        assert_eq!(reaches(&with, "the day of the power cut"), Some(super::super::query::RELATED));
        // Chat filler is not read in a query, so a phrase of it is not read either.
        assert_eq!(reaches(&with, "it went down"), None);
        assert_eq!(reaches(&with, "outage"), Some(1.0));
        assert_eq!(reaches(&without, "crash"), None);
        // A word members use for two catalog words points to each half as surely.
        let both = [related[0].clone(), ("moved".to_string(), vec!["crash".into()])];
        let ambiguous = Index::build(&items, &[], &both);
        assert_eq!(reaches(&ambiguous, "crash"), Some(super::super::query::RELATED / 2.0));
        assert_eq!(with.related_terms, vec![vec![outage]]);
    }

    /// A member's phrase made of words the catalog holds ("moved studio" for "outage" here)
    /// still asks for those words, and the catalog word it stands for only adds evidence; a
    /// phrase with a word the catalog lacks ("moved north") stands for the catalog word.
    #[test]
    fn a_members_phrase_of_catalog_words_keeps_them() {
        let related = [("outage".to_string(), vec!["moved studio".into(), "moved north".into()])];
        let index = Index::build(&[item("The outage that moved the studio.")], &[], &related);
        let matcher = fuzzy_matcher::skim::SkimMatcherV2::default();
        // Per slot: whether it counts, and the terms that satisfy it.
        let slots = |q: &str| -> Vec<(bool, Vec<&str>)> {
            super::super::query::parse(&index, &matcher, q)
                .into_iter()
                .map(|s| (s.counts, s.alternatives.iter().map(|&(t, _)| index.term(t)).collect()))
                .collect()
        };
        let held = slots("moved studio");
        assert!(held.iter().any(|(counts, terms)| *counts && terms.contains(&"moved")), "{held:?}");
        assert!(held.iter().any(|(counts, terms)| *counts && terms.contains(&"studio")), "{held:?}");
        assert!(held.iter().any(|(counts, terms)| !*counts && terms == &["outage"]), "{held:?}");
        let lacking = slots("moved north");
        assert_eq!(lacking, vec![(true, vec!["outage"])]);
    }
}
