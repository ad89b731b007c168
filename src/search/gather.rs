//! Phases 1 and 2 of a search, *gather* and *score*: every item the query's slots reach is read
//! from the postings (no scan of the catalog) and summed up as one `Candidate`.

use super::index::Index;
use super::intent::{asks_now, figure_asked, is_elsewhere, is_filler, Figure};
use super::query::{self, Slot};
use super::text::raw_words;
use fuzzy_matcher::skim::SkimMatcherV2;

/// Coverage sums f32 weights: a query whose words all matched may add up to 0.9999998.
pub const COVERAGE_SLACK: f32 = 1e-4;
pub const FULL_COVERAGE: f32 = 1.0 - COVERAGE_SLACK;
/// A candidate that matches less than this share of the query's weight is not worth keeping as
/// more than a suggestion: "chocolate cake" grazing one typo of "case". The decision model reads
/// coverage too; this line only keeps the re-rank's list short. Lower it and the re-rank sees
/// more partial matches (at 100 000 items, thousands); raise it and fewer answers are listed.
pub const MIN_COVERAGE: f32 = 0.5 - COVERAGE_SLACK;
/// ... and below this share a candidate is not even a suggestion ("did you mean").
pub const MIN_SUGGESTED_COVERAGE: f32 = MIN_COVERAGE / 2.0;
/// How much an item named by the query (its focus, see `Candidate`) is lifted above items that
/// only mention the query's words: among 100 000 items, hundreds carry any common word in a
/// title. At 0 the curated item named by a tag loses to synthetic titles at scale; much above 1
/// a tag outranks a title that says the whole query.
const FOCUS_BONUS: f32 = 1.0;

/// A query read into slots, with what the phases need to know about it as a whole.
pub struct Parsed {
    pub slots: Vec<Slot>,
    /// Sum of the weights of the slots that count: coverage is a share of this.
    pub total_weight: f32,
    /// Every known word asks for a kind ("anything to listen to while i drive?"): a request to
    /// browse that kind, where the words no item holds ("drive") are context, not a topic.
    pub browsing: bool,
    /// Slots that count: the query's length in things asked for.
    pub asked: usize,
    /// Share of the query's weight in words that nothing in the catalog matches, not even as a
    /// guess: what the query asks that no item can answer.
    pub unknown: f32,
    /// The figure a fact question asks for ("how many…", "when did…"), if any.
    pub figure: Option<Figure>,
    /// The message holds chat filler ("anyone", "haha", "thx"): it is talk, not a list of words.
    pub chatty: bool,
    /// The message asks about something no story holds: another company, a show's actors, a bill,
    /// a job (`intent::is_elsewhere`, a word of which the catalog holds no form).
    pub elsewhere: bool,
    /// The message asks about the present or the future ("right now", "next season"), which an
    /// archive of stories cannot answer (`intent::asks_now`).
    pub now: bool,
}

impl Parsed {
    /// `None` when nothing in the query can match anything (empty, only filler or stopwords).
    pub fn new(index: &Index, matcher: &SkimMatcherV2, query: &str) -> Option<Parsed> {
        let slots = query::parse(index, matcher, query);
        let raw = raw_words(query::truncate(query));
        let figure = figure_asked(&raw);
        let chatty = raw.iter().any(|w| is_filler(w));
        let elsewhere = raw.iter().any(|w| is_elsewhere(w) && index.forms_of(w).is_empty());
        let now = asks_now(&raw);
        let browsing = slots.iter().filter(|s| s.counts && !s.alternatives.is_empty()).all(|s| s.asks_kind);
        let counted = |s: &&Slot| s.counts && !(browsing && s.alternatives.is_empty());
        let total_weight: f32 = slots.iter().filter(counted).map(|s| s.weight).sum();
        let asked = slots.iter().filter(counted).count();
        let unknown_weight: f32 =
            slots.iter().filter(counted).filter(|s| s.alternatives.is_empty()).map(|s| s.weight).sum();
        (!slots.is_empty() && total_weight > 0.0).then(|| Parsed {
            unknown: unknown_weight / total_weight,
            slots,
            total_weight,
            browsing,
            asked,
            figure,
            chatty,
            elsewhere,
            now,
        })
    }
}

/// An item that matched something, scored before the re-rank.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub doc: u32,
    /// `evidence`, scaled by coverage and lifted by focus: the order before the re-rank.
    pub score: f32,
    /// Share of the query's weight matched, each slot at its match quality.
    pub coverage: f32,
    /// Sum over slots of the best `quality × slot weight × BM25F`.
    pub evidence: f32,
    /// Share of the query's weight matched in name-like fields (not only in the summary).
    pub named: f32,
    /// Of the weight matched, the share that makes up large parts of the item's names (see
    /// `Index::postings`): 1.0 when the query is one of its tags or aliases word for word.
    pub focus: f32,
    /// Weight of the query's words matched as typed (or as synonyms), not guessed.
    pub typed: f32,
    /// Best quality of any slot: 1.0 once some word matched as typed (or as a synonym).
    pub strongest: f32,
    /// Weight of the rarest word matched as typed (or as a synonym).
    pub rarest: f32,
}

impl Candidate {
    /// 2 for a candidate that matches every word of the query as typed, 1 for one that matches
    /// at least `MIN_COVERAGE` of it, 0 below that.
    pub fn tier(&self) -> u8 {
        tier(self.coverage)
    }

    /// Whether it may be offered as "did you mean": it matches a fair part of the query, and
    /// rests on at least one word the user typed, not only on guesses ("cake" ~ "case").
    pub fn may_suggest(&self) -> bool {
        self.coverage >= MIN_SUGGESTED_COVERAGE && self.strongest >= 1.0
    }
}

pub fn tier(coverage: f32) -> u8 {
    if coverage >= FULL_COVERAGE {
        2
    } else if coverage >= MIN_COVERAGE {
        1
    } else {
        0
    }
}

/// Per-document accumulators, reused across queries (pooled by the engine).
#[derive(Default)]
pub struct Scratch {
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
    strongest: Vec<f32>,
    rarest: Vec<f32>,
    in_slot: Vec<u32>,
    in_query: Vec<u32>,
}

impl Scratch {
    /// Sized for a catalog of `n` items, all zero.
    pub fn sized(mut self, n: usize) -> Scratch {
        if self.total.len() != n {
            for v in [
                &mut self.slot_best,
                &mut self.slot_quality,
                &mut self.slot_named,
                &mut self.slot_focus,
                &mut self.total,
                &mut self.coverage,
                &mut self.named,
                &mut self.focus,
                &mut self.typed,
                &mut self.strongest,
                &mut self.rarest,
            ] {
                v.clear();
                v.resize(n, 0.0);
            }
        }
        self
    }

    /// Back to all zero, touching only what the last query wrote.
    pub fn reset(&mut self) {
        for &doc in &self.in_query {
            let d = doc as usize;
            self.total[d] = 0.0;
            self.coverage[d] = 0.0;
            self.named[d] = 0.0;
            self.focus[d] = 0.0;
            self.typed[d] = 0.0;
            self.strongest[d] = 0.0;
            self.rarest[d] = 0.0;
        }
        self.in_query.clear();
    }
}

/// Every item the slots reach that `allowed` admits, scored; unordered.
pub fn gather(
    index: &Index,
    parsed: &Parsed,
    s: &mut Scratch,
    allowed: impl Fn(u32) -> bool,
) -> Vec<Candidate> {
    for slot in &parsed.slots {
        // Every alternative is worth the slot's weight (the rarity of what was typed), not
        // its own: a completion or typo guess must not win by being a rarer word.
        for &(term, quality) in &slot.alternatives {
            let idf = slot.weight;
            for (doc, score, in_names, share) in index.postings(term) {
                let d = doc as usize;
                if !allowed(doc) {
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
        for &doc in &s.in_slot {
            let d = doc as usize;
            // Every slot's quality is above 0, so 0 marks a document not yet reached (a bonus
            // slot adds no coverage, so coverage cannot tell).
            if s.strongest[d] == 0.0 {
                s.in_query.push(doc);
            }
            s.total[d] += s.slot_best[d];
            if slot.counts {
                s.coverage[d] += slot.weight * s.slot_quality[d];
                s.named[d] += slot.weight * s.slot_named[d];
                s.focus[d] += slot.weight * s.slot_focus[d];
                if s.slot_quality[d] >= 1.0 {
                    s.typed[d] += slot.weight;
                    s.rarest[d] = s.rarest[d].max(slot.weight);
                }
            }
            s.strongest[d] = s.strongest[d].max(s.slot_quality[d]);
            s.slot_best[d] = 0.0;
            s.slot_quality[d] = 0.0;
            s.slot_named[d] = 0.0;
            s.slot_focus[d] = 0.0;
        }
        s.in_slot.clear();
    }
    s.in_query.iter().map(|&doc| score(s, parsed, doc)).collect()
}

/// Phase 2: one document's sums as a `Candidate`.
fn score(s: &Scratch, parsed: &Parsed, doc: u32) -> Candidate {
    let d = doc as usize;
    let coverage = s.coverage[d] / parsed.total_weight;
    // Of what matched, how much names the item.
    let focus = (s.focus[d] / s.coverage[d].max(f32::EPSILON)).min(1.0);
    Candidate {
        doc,
        score: s.total[d] * (0.5 + 0.5 * coverage) * (1.0 + FOCUS_BONUS * focus * coverage),
        coverage,
        evidence: s.total[d],
        named: s.named[d] / parsed.total_weight,
        focus,
        typed: s.typed[d],
        strongest: s.strongest[d],
        rarest: s.rarest[d],
    }
}

/// The largest share of the query's weight that one passage of an item matches (see
/// `Index::passages`), each slot at its best quality there. A question whose words one sentence
/// holds is about that sentence; the same words scattered over a summary and a title are more
/// often a coincidence.
pub fn together<'a>(parsed: &Parsed, passages: impl Iterator<Item = &'a [u32]>) -> f32 {
    let counted = |s: &&Slot| s.counts && !(parsed.browsing && s.alternatives.is_empty());
    let best = passages
        .map(|p| {
            parsed
                .slots
                .iter()
                .filter(counted)
                .map(|s| {
                    let q = s
                        .alternatives
                        .iter()
                        .filter(|(t, _)| p.binary_search(t).is_ok())
                        .map(|&(_, q)| q)
                        .fold(0.0f32, f32::max);
                    s.weight * q
                })
                .sum::<f32>()
        })
        .fold(0.0f32, f32::max);
    (best / parsed.total_weight).min(1.0)
}
