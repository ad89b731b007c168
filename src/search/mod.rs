//! Search over the catalog: forgiving of typos, unfinished words, word order and synonyms, and
//! willing to say "nothing" when nothing fits. See ARCHITECTURE.md for how ranking works.
//!
//! The index is built once per catalog; a query allocates only small per-query lists (score
//! buffers are pooled), does no I/O and never panics on any input.

mod index;
mod intent;
mod query;
mod shared;
pub use crate::text;
mod typo;

use crate::catalog::{Catalog, Item, Kind};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use index::Index;
use std::sync::Mutex;

pub use query::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};
pub use shared::{when_changed, SharedEngine};

/// A result needs this share of the query's weight matched (typos and completions count for
/// less than exact words), so off-topic queries that graze one word return nothing.
const MIN_COVERAGE: f32 = 0.5 - COVERAGE_SLACK;
/// Coverage sums f32 weights: a query whose words all matched may add up to 0.9999998.
const COVERAGE_SLACK: f32 = 1e-4;
const FULL_COVERAGE: f32 = 1.0 - COVERAGE_SLACK;
/// ... and this much evidence (the sum of idf × BM25F over the words matched: one rare word in a
/// title or tag is about 4–6, in a long summary under 2), unless its title or alias reads like
/// the query, or every word matched with at least `MIN_STRENGTH` evidence per unit of weight.
const MIN_EVIDENCE: f32 = 2.5;
const MIN_STRENGTH: f32 = 1.1;
/// A hit that matches only part of the query needs this share of it matched in a name-like
/// field (title, alias, people, services, tags, kind): "season" in a summary is not enough for
/// "next season of stranger things".
const MIN_NAMED: f32 = 0.2;
/// ... unless it matches this much of the query in prose.
const MIN_PROSE_COVERAGE: f32 = 0.6;
const TITLE_LIKE: f32 = 0.8;
/// How much a title or alias that contains the query as a subsequence lifts an item.
const TITLE_BONUS: f32 = 0.3;
/// How much an item named by the query (its focus, see `Candidate`) is lifted above items that
/// only mention the query's words: among 100 000 items, hundreds carry any common word in a title.
const FOCUS_BONUS: f32 = 1.0;
const SPECIFIC: f32 = 0.6;
const MIN_FOCUS: f32 = 0.3;
const STAND_OUT: f32 = 1.25;
/// Candidates re-ranked with the subsequence scorer.
const RERANK: usize = 32;
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

/// A document that matched something, before the re-rank.
#[derive(Clone, Copy)]
struct Candidate {
    score: f32,
    /// Share of the query's weight matched, each slot at its match quality.
    coverage: f32,
    /// Sum of the slots' scores.
    evidence: f32,
    /// Share of the query's weight matched in name-like fields.
    named: f32,
    /// Share of the query's weight that makes up large parts of the item's names (see
    /// `Index::postings`): 1.0 when the query is one of its tags or aliases word for word.
    focus: f32,
    /// Weight of the query's words matched as typed (or as synonyms), not guessed.
    typed: f32,
    strongest: f32,
    doc: u32,
}

/// Per-document accumulators, reused across queries.
#[derive(Default)]
struct Scratch {
    slot_best: Vec<f32>,
    slot_quality: Vec<f32>,
    /// Quality of the slot's best match in a name-like field (0 if only in summaries).
    slot_named: Vec<f32>,
    slot_focus: Vec<f32>,
    total: Vec<f32>,
    coverage: Vec<f32>,
    /// Like `coverage`, counting only matches in name-like fields.
    named: Vec<f32>,
    focus: Vec<f32>,
    typed: Vec<f32>,
    /// Best quality of any slot: 1.0 once some word matched as typed (or as a synonym).
    strongest: Vec<f32>,
    in_slot: Vec<u32>,
    in_query: Vec<u32>,
}

pub struct Engine {
    /// Sorted by id, so a document number orders like its id.
    items: Vec<Item>,
    index: Index,
    /// Folded title and aliases per item, for the subsequence re-rank.
    names: Vec<Vec<String>>,
    /// The same names as their search words, to recognise a query that is exactly a name.
    name_keys: Vec<Vec<String>>,
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
        let names = items
            .iter()
            .map(|i| std::iter::once(&i.title).chain(&i.aliases).map(|s| text::folded(s)).collect())
            .collect();
        let name_keys = items
            .iter()
            .map(|i| std::iter::once(&i.title).chain(&i.aliases).map(|s| name_key(s)).collect())
            .collect();
        let kinds = items.iter().map(|i| i.kind).collect();
        let years = items.iter().map(|i| i.year).collect();
        Engine {
            items,
            index,
            names,
            name_keys,
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

    pub fn search(&self, query: &str, options: &SearchOptions) -> Outcome<'_> {
        let limit = options.limit.max(1);
        let slots = query::parse(&self.index, &self.matcher, query);
        // A query whose only known words ask for a kind ("anything to listen to while i
        // drive?") is a request to browse that kind: any item of it answers, however many there
        // are, and the words no item holds ("drive") are context, not a topic it lacks.
        let browsing = slots.iter().filter(|s| s.counts && !s.alternatives.is_empty()).all(|s| s.asks_kind);
        let total_weight: f32 = slots
            .iter()
            .filter(|s| s.counts && !(browsing && s.alternatives.is_empty()))
            .map(|s| s.weight)
            .sum();
        if slots.is_empty() || total_weight <= 0.0 {
            return Outcome::default();
        }
        let filtered = !options.kinds.is_empty() || options.year.is_some();
        let allowed = |doc: u32| {
            (options.kinds.is_empty() || options.kinds.contains(&self.kinds[doc as usize]))
                && options.year.is_none_or(|y| self.years[doc as usize] == Some(y))
        };

        let mut s = self.take_scratch();
        for slot in &slots {
            // Every alternative is worth the slot's weight (the rarity of what was typed), not
            // its own: a completion or typo guess must not win by being a rarer word.
            for &(term, quality) in &slot.alternatives {
                let idf = slot.weight;
                for (doc, score, in_names, share) in self.index.postings(term) {
                    let d = doc as usize;
                    if filtered && !allowed(doc) {
                        continue;
                    }
                    // Quality is never 0, so 0 marks a document this slot has not reached yet.
                    if s.slot_quality[d] == 0.0 {
                        s.in_slot.push(doc);
                    }
                    s.slot_best[d] = s.slot_best[d].max(quality * idf * score);
                    s.slot_quality[d] = s.slot_quality[d].max(quality);
                    if in_names {
                        s.slot_named[d] = s.slot_named[d].max(quality);
                    }
                    s.slot_focus[d] = s.slot_focus[d].max(quality * share);
                }
            }
            let Scratch {
                slot_best,
                slot_quality,
                slot_named,
                slot_focus,
                total,
                coverage,
                named,
                focus,
                typed,
                strongest,
                in_slot,
                in_query,
                ..
            } = &mut s;
            for &doc in in_slot.iter() {
                let d = doc as usize;
                // Every slot's quality is above 0, so 0 marks a document not yet reached (a
                // bonus slot adds no coverage, so coverage cannot tell).
                if strongest[d] == 0.0 {
                    in_query.push(doc);
                }
                total[d] += slot_best[d];
                if slot.counts {
                    coverage[d] += slot.weight * slot_quality[d];
                    named[d] += slot.weight * slot_named[d];
                    focus[d] += slot.weight * slot_focus[d];
                    if slot_quality[d] >= 1.0 {
                        typed[d] += slot.weight;
                    }
                }
                strongest[d] = strongest[d].max(slot_quality[d]);
                slot_best[d] = 0.0;
                slot_quality[d] = 0.0;
                slot_named[d] = 0.0;
                slot_focus[d] = 0.0;
            }
            in_slot.clear();
        }

        let mut ranked: Vec<Candidate> = s
            .in_query
            .iter()
            .map(|&doc| {
                let d = doc as usize;
                let coverage = s.coverage[d] / total_weight;
                // Of what matched, how much names the item.
                let focus = (s.focus[d] / s.coverage[d].max(f32::EPSILON)).min(1.0);
                Candidate {
                    score: s.total[d] * (0.5 + 0.5 * coverage) * (1.0 + FOCUS_BONUS * focus * coverage),
                    coverage,
                    evidence: s.total[d],
                    named: s.named[d] / total_weight,
                    focus,
                    typed: s.typed[d],
                    strongest: s.strongest[d],
                    doc,
                }
            })
            .collect();
        self.put_scratch(s);

        // Only candidates that can still be a hit or a suggestion go on, and the re-rank sees
        // those that match all of the query before those that match part of it, so an item
        // that matches every word is never cut behind partial matches with higher raw scores
        // (with 100 000 items, dozens of those fill any short list).
        ranked.retain(|c| {
            c.coverage >= MIN_COVERAGE || (c.coverage >= MIN_COVERAGE / 2.0 && c.strongest >= 1.0)
        });
        let by_tier = |a: &Candidate, b: &Candidate| {
            tier(b.coverage).cmp(&tier(a.coverage)).then(b.score.total_cmp(&a.score)).then(a.doc.cmp(&b.doc))
        };
        // How many candidates match at least as much of the query as each tier.
        let mut peers = [0usize; 3];
        for c in &ranked {
            peers[..=usize::from(tier(c.coverage))].iter_mut().for_each(|p| *p += 1);
        }
        let keep = RERANK.max(limit);
        if ranked.len() > keep {
            ranked.select_nth_unstable_by(keep - 1, by_tier);
            ranked.truncate(keep);
        }
        let folded_query = text::folded(query::truncate_for_rerank(query));
        let perfect = self.matcher.fuzzy_match(&folded_query, &folded_query).unwrap_or(0).max(1);
        let query_key = name_key(query::truncate(query));
        let query_chars = folded_query.chars().count() as f32;
        // First the final score of every candidate, so each can be compared with the rest.
        let judged: Vec<(Candidate, f32, f32, bool)> = ranked
            .iter()
            .map(|&c| {
                let d = c.doc as usize;
                let exact_name = !query_key.is_empty() && self.name_keys[d].contains(&query_key);
                // How well a name reads like the query: subsequence score, favouring names the
                // query covers more of ("netflix" is more the overview's name than a long title's).
                // The lift in rank is by how much of the name the query is: a word that merely
                // occurs in a long title (as it does in many titles of a large catalog) lifts little.
                let (likeness, share) = self.names[d]
                    .iter()
                    .filter_map(|n| {
                        let m = self.matcher.fuzzy_match(n, &folded_query)?;
                        let ratio = (m as f32 / perfect as f32).clamp(0.0, 1.0);
                        let covered = (query_chars / n.chars().count().max(1) as f32).min(1.0);
                        Some((ratio * (0.7 + 0.3 * covered), ratio * covered))
                    })
                    .fold((0.0f32, 0.0f32), |a, b| (a.0.max(b.0), a.1.max(b.1)));
                (c, c.score * (1.0 + TITLE_BONUS * share), likeness, exact_name)
            })
            .collect();
        // Per tier, the two best (score, doc) among candidates matching at least that much.
        let mut leaders = [[(f32::NEG_INFINITY, u32::MAX); 2]; 3];
        for &(c, score, _, _) in &judged {
            for lead in &mut leaders[..=usize::from(tier(c.coverage))] {
                if score > lead[0].0 {
                    lead[1] = lead[0];
                    lead[0] = (score, c.doc);
                } else if score > lead[1].0 {
                    lead[1] = (score, c.doc);
                }
            }
        }
        let mut hits = Vec::new();
        let mut near = Vec::new();
        for &(
            Candidate { coverage, evidence, named, focus, typed, strongest, doc, .. },
            score,
            likeness,
            exact_name,
        ) in &judged
        {
            // Enough evidence: a rare word in a name-like field, or several words in prose. A
            // passing mention of one word in a long summary ("games" in the overview for "anyone
            // up for a game?") is not. Or every word matched exactly and where it counts (in
            // names, not a passing mention): on topic even if the words are common ("netflix").
            let matched_weight = coverage * total_weight;
            let strength = evidence / matched_weight.max(f32::EPSILON);
            // A partial match must rest on something in a name-like field, not only on prose.
            let enough = (evidence >= MIN_EVIDENCE && (coverage >= MIN_PROSE_COVERAGE || named >= MIN_NAMED))
                || (coverage >= FULL_COVERAGE && strength >= MIN_STRENGTH);
            // ... read against the catalog's size. Among 100 000 items that share the catalog's
            // words, a common word or two in a long title are a coincidence, not an answer: when
            // more items match as much of the query than the re-rank looks at, the matched words
            // must be rarer together than a word only one item holds (fewer than one item would
            // hold them all by chance), or name the item (focus), or the item must stand out
            // from every other that matches as much of the query.
            let crowded = peers[usize::from(tier(coverage))] > RERANK;
            let lead = leaders[usize::from(tier(coverage))];
            let rival = if lead[0].1 == doc { lead[1].0 } else { lead[0].0 };
            // Guesses (typos, completions) do not make a match specific: among 100 000 items
            // every common word has neighbours.
            let specific = typed >= SPECIFIC * self.index.unseen_idf();
            let stands_out = score >= STAND_OUT * rival;
            let confident = enough && (!crowded || specific || focus >= MIN_FOCUS || stands_out || browsing)
                || likeness >= TITLE_LIKE
                || exact_name;
            if coverage >= MIN_COVERAGE && confident {
                // A query that is exactly an item's title or alias (ignoring case, accents and
                // stopwords) puts that item first, whatever the word statistics say; then items
                // that match every word, then the rest.
                hits.push(((exact_name, tier(coverage)), score, doc));
            } else if coverage >= MIN_COVERAGE / 2.0 && strongest >= 1.0 {
                // A suggestion rests on at least one word the user typed, not only on guesses.
                near.push((score, doc));
            }
        }
        let order = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(order(&(a.1, a.2), &(b.1, b.2))));
        hits.truncate(limit);
        let mut outcome = Outcome {
            hits: hits
                .into_iter()
                .map(|(_, score, doc)| Hit { item: &self.items[doc as usize], score })
                .collect(),
            suggestions: Vec::new(),
        };
        if outcome.hits.is_empty() {
            near.sort_by(order);
            outcome.suggestions =
                near.into_iter().take(SUGGESTIONS).map(|(_, d)| &self.items[d as usize]).collect();
        }
        outcome
    }

    fn take_scratch(&self) -> Scratch {
        let n = self.items.len();
        let mut s = self.scratch.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
        if s.total.len() != n {
            for v in [
                &mut s.slot_best,
                &mut s.slot_quality,
                &mut s.slot_named,
                &mut s.slot_focus,
                &mut s.total,
                &mut s.coverage,
                &mut s.named,
                &mut s.focus,
                &mut s.typed,
                &mut s.strongest,
            ] {
                v.clear();
                v.resize(n, 0.0);
            }
        }
        s
    }

    fn put_scratch(&self, mut s: Scratch) {
        for &doc in &s.in_query {
            s.total[doc as usize] = 0.0;
            s.coverage[doc as usize] = 0.0;
            s.named[doc as usize] = 0.0;
            s.focus[doc as usize] = 0.0;
            s.typed[doc as usize] = 0.0;
            s.strongest[doc as usize] = 0.0;
        }
        s.in_query.clear();
        self.scratch.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }
}

/// 2 for an item that matches every word of the query as typed, 1 for one that matches enough
/// of it to be a hit, 0 below that.
fn tier(coverage: f32) -> u8 {
    if coverage >= FULL_COVERAGE {
        2
    } else if coverage >= MIN_COVERAGE {
        1
    } else {
        0
    }
}

/// A name or query reduced to its search words, for exact-name comparison.
fn name_key(text: &str) -> String {
    query::content_words(text).iter().map(|w| w.stem()).collect::<Vec<_>>().join(" ")
}
