//! Search over the catalog: forgiving of typos, unfinished words, word order and synonyms, and
//! willing to say "nothing" when nothing fits. See ARCHITECTURE.md for how ranking works.
//!
//! The index is built once per catalog; a query allocates only small per-query lists (score
//! buffers are pooled), does no I/O and never panics on any input.

mod complete;
mod decide;
mod gather;
mod index;
mod intent;
mod query;
mod rerank;
mod shared;
pub use crate::text;
mod typo;
mod weights;

use crate::catalog::{Catalog, Item, Kind};
use fuzzy_matcher::skim::SkimMatcherV2;
use gather::{Parsed, Scratch};
use index::Index;
use rerank::{Names, Ranked};
use std::sync::Mutex;

pub use decide::FEATURES;
pub use query::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};
pub use shared::{when_changed, SharedEngine};

/// "Did you mean" entries offered when nothing is answered.
const SUGGESTIONS: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Only these kinds; empty means all.
    pub kinds: Vec<Kind>,
    pub year: Option<u16>,
    pub limit: usize,
}

impl SearchOptions {
    pub fn limit(limit: usize) -> Self {
        SearchOptions { limit, ..Default::default() }
    }
}

#[derive(Debug, Clone)]
pub struct Hit<'e> {
    pub item: &'e Item,
    pub score: f32,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome<'e> {
    /// Best first; ties broken by id.
    pub hits: Vec<Hit<'e>>,
    /// When there are no hits: the nearest misses, as "did you mean".
    pub suggestions: Vec<&'e Item>,
}

/// One ranked candidate as the decision saw it: for fitting and explaining the decision
/// (`tools/fit_decision.rs`), not for replies.
#[derive(Debug, Clone)]
pub struct Judged<'e> {
    pub item: &'e Item,
    pub features: [f32; FEATURES.len()],
    pub probability: f32,
    /// May be the answer (likely enough and clear of any crowd).
    pub answer: bool,
    /// May be offered as "did you mean".
    pub offer: bool,
    /// Clear of any crowd of chance matches (see `decide::clear_of_crowd`).
    pub clear: bool,
    /// May be offered at all (enough of the query, one word as typed), whatever the model says.
    pub suggestible: bool,
}

pub struct Engine {
    /// Sorted by id, so a document number orders like its id.
    items: Vec<Item>,
    index: Index,
    /// Per item, its names as the re-rank and autocomplete read them.
    names: Vec<Names>,
    kinds: Vec<Kind>,
    years: Vec<Option<u16>>,
    matcher: SkimMatcherV2,
    scratch: Mutex<Vec<Scratch>>,
}

impl Engine {
    pub fn new(catalog: Catalog) -> Engine {
        let Catalog { mut items, synonyms } = catalog;
        items.sort_by(|a, b| a.id.cmp(&b.id));
        let index = Index::build(&items, &synonyms);
        let names = items.iter().map(Names::of).collect();
        let kinds = items.iter().map(|i| i.kind).collect();
        let years = items.iter().map(|i| i.year).collect();
        Engine {
            items,
            index,
            names,
            kinds,
            years,
            matcher: SkimMatcherV2::default(),
            scratch: Mutex::default(),
        }
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn get(&self, id: &str) -> Option<&Item> {
        self.items.binary_search_by(|i| i.id.as_str().cmp(id)).ok().map(|i| &self.items[i])
    }

    /// The answer to `query`: gather → score → re-rank → decide (see the module docs).
    pub fn search(&self, query: &str, options: &SearchOptions) -> Outcome<'_> {
        let limit = options.limit.max(1);
        let Some((parsed, ranked)) = self.rank(query, options, limit) else {
            return Outcome::default();
        };
        let unseen = self.index.unseen_idf();
        let verdicts: Vec<decide::Verdict> =
            ranked.iter().enumerate().map(|(i, r)| decide::verdict(&parsed, r, unseen, i == 0)).collect();
        let item = |r: &Ranked| &self.items[r.candidate.doc as usize];
        match verdicts.iter().position(|v| v.answer) {
            // The answer, then as "more matches" the candidates after it that may be answered
            // or offered.
            Some(first) => Outcome {
                hits: ranked[first..]
                    .iter()
                    .zip(&verdicts[first..])
                    .enumerate()
                    .filter(|(i, (_, v))| *i == 0 || v.answer || v.offer)
                    .take(limit)
                    .map(|(_, (r, _))| Hit { item: item(r), score: r.score })
                    .collect(),
                suggestions: Vec::new(),
            },
            None => Outcome {
                hits: Vec::new(),
                suggestions: ranked
                    .iter()
                    .zip(&verdicts)
                    .filter(|(_, v)| v.offer)
                    .take(SUGGESTIONS)
                    .map(|(r, _)| item(r))
                    .collect(),
            },
        }
    }

    /// Every ranked candidate for `query` with the decision's view of it, best first.
    #[doc(hidden)]
    pub fn judge(&self, query: &str, options: &SearchOptions) -> Vec<Judged<'_>> {
        let Some((parsed, ranked)) = self.rank(query, options, options.limit.max(1)) else {
            return Vec::new();
        };
        let unseen = self.index.unseen_idf();
        ranked
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let v = decide::verdict(&parsed, r, unseen, i == 0);
                Judged {
                    item: &self.items[r.candidate.doc as usize],
                    features: v.features,
                    probability: v.probability,
                    answer: v.answer,
                    offer: v.offer,
                    clear: decide::clear_of_crowd(&parsed, r, unseen),
                    suggestible: r.candidate.may_suggest(),
                }
            })
            .collect()
    }

    /// Phases 1–3: the query read, and its candidates in their final order.
    fn rank(&self, query: &str, options: &SearchOptions, limit: usize) -> Option<(Parsed, Vec<Ranked>)> {
        let parsed = Parsed::new(&self.index, &self.matcher, query)?;
        let filtered = !options.kinds.is_empty() || options.year.is_some();
        let allowed = |doc: u32| {
            !filtered
                || ((options.kinds.is_empty() || options.kinds.contains(&self.kinds[doc as usize]))
                    && options.year.is_none_or(|y| self.years[doc as usize] == Some(y)))
        };
        let mut scratch = self.take_scratch();
        let candidates = gather::gather(&self.index, &parsed, &mut scratch, allowed);
        self.put_scratch(scratch);
        let ranked = rerank::rerank(&self.matcher, &self.names, query, candidates, limit);
        Some((parsed, ranked))
    }

    fn take_scratch(&self) -> Scratch {
        let s = self.scratch.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
        s.sized(self.items.len())
    }

    fn put_scratch(&self, mut s: Scratch) {
        s.reset();
        self.scratch.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }
}

/// A name or query reduced to its search words, for exact-name comparison.
fn name_key(text: &str) -> String {
    query::content_words(text).iter().map(|w| w.stem()).collect::<Vec<_>>().join(" ")
}
