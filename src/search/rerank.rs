//! Phase 3 of a search, *re-rank*: the best candidates are read against the item's names with
//! fuzzy-matcher's subsequence scorer (how much a title or alias reads like the query), put in
//! their final order, and each is set against its rivals for the decision.

use super::gather::Candidate;
use super::text;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

/// Candidates re-ranked with the subsequence scorer. Also the line for a *crowd*: when more
/// candidates than this match as much of the query as an item, chance matches exist (see
/// `decide`). Smaller is faster per query but cuts real answers behind crowds of partial matches
/// at 100 000 items; larger costs one subsequence match per extra candidate.
pub const RERANK: usize = 32;
/// How much a title or alias that reads like the query lifts an item: up to 30 % for a query that
/// is all of a name. At 0 the title matters only through BM25; much larger and a short query
/// that is a word of a long title outranks the item whose tags say it.
const TITLE_BONUS: f32 = 0.3;
/// How much a sentence that states the figure a fact question asks for ("how many members" →
/// "260 million members") lifts its item, by the share of the query that sentence matches. At
/// 0 a word in a name ("a member of the performance team") outranks the sentence with the
/// number. Chosen by the fit's figures with each set left out in turn (tools/fit_decision.rs,
/// 2026-12-06): 0.5, 1 and 2 put the right story first 0.940, 0.943 and 0.942 with 0.943, 0.941
/// and 0.950 of off-topic queries silent; the ranking alone puts it first 0.969, 0.971, 0.971.
pub const FIGURE_BONUS: f32 = 2.0;

/// Names of one item as the re-rank and autocomplete read them.
pub struct Names {
    /// Folded title, aliases (and titles in other languages), for the subsequence scorer.
    pub folded: Vec<String>,
    /// The same names as their search words, to recognise a query that is exactly a name.
    pub keys: Vec<String>,
    /// The language of each of `folded`: `None` for the English title and aliases, the locale
    /// key for a translated title.
    pub languages: Vec<Option<String>>,
    /// Folded names of the item's people: autocomplete offers an item as its speaker's name is
    /// typed.
    pub people: Vec<String>,
}

impl Names {
    pub fn of(item: &crate::catalog::Item) -> Names {
        let english = std::iter::once(&item.title).chain(&item.aliases).map(|n| (n, None));
        let local = item.locales.iter().filter_map(|(k, l)| Some((l.title.as_ref()?, Some(k.clone()))));
        let names: Vec<(&String, Option<String>)> = english.chain(local).collect();
        Names {
            folded: names.iter().map(|(n, _)| text::folded(n)).collect(),
            keys: names.iter().map(|(n, _)| super::name_key(n)).collect(),
            people: item.people.iter().map(|p| text::folded(&p.name)).collect(),
            languages: names.into_iter().map(|(_, l)| l).collect(),
        }
    }
}

/// A candidate in its final place, with what the decision reads.
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    pub candidate: Candidate,
    /// The final score: the candidate's, lifted by how much of a name the query is.
    pub score: f32,
    /// How well a title or alias reads like the query, in [0, 1].
    pub likeness: f32,
    /// The query is, word for word, one of its names.
    pub exact_name: bool,
    /// The best score among the other candidates that match at least as much of the query.
    pub rival: f32,
    /// More candidates than `RERANK` match at least as much of the query.
    pub crowded: bool,
    /// The largest share of the query one passage of the item matches (`gather::together`).
    pub together: f32,
    /// The largest share of the query one sentence of the item matches that states the figure
    /// the query asks for (0 when it asks none; see `FIGURE_BONUS`).
    pub figure: f32,
}

/// The candidates worth deciding on, best first: an exact name first, then those that match
/// every word of the query, then by score, ties by document (so by id). `figure_stated`: the
/// share of the query one sentence of the item matches that states the figure the query asks
/// for (0 when it asks none; see `FIGURE_BONUS`).
pub fn rerank(
    matcher: &SkimMatcherV2,
    names: &[Names],
    query: &str,
    mut candidates: Vec<Candidate>,
    limit: usize,
    figure_stated: impl Fn(&Candidate) -> f32,
) -> Vec<Ranked> {
    // Only candidates that can still be a hit or a suggestion go on, and the re-rank sees
    // those that match all of the query before those that match part of it, so an item that
    // matches every word is never cut behind partial matches with higher raw scores (with
    // 100 000 items, dozens of those fill any short list).
    candidates.retain(|c| c.tier() >= 1 || c.may_suggest());
    let by_tier = |a: &Candidate, b: &Candidate| {
        b.tier().cmp(&a.tier()).then(b.score.total_cmp(&a.score)).then(a.doc.cmp(&b.doc))
    };
    // How many candidates match at least as much of the query as each tier.
    let mut peers = [0usize; 3];
    for c in &candidates {
        peers[..=usize::from(c.tier())].iter_mut().for_each(|p| *p += 1);
    }
    let keep = RERANK.max(limit);
    if candidates.len() > keep {
        candidates.select_nth_unstable_by(keep - 1, by_tier);
        candidates.truncate(keep);
    }
    let folded_query = text::folded(super::query::truncate_for_rerank(query));
    let perfect = matcher.fuzzy_match(&folded_query, &folded_query).unwrap_or(0).max(1);
    let query_key = super::name_key(super::query::truncate(query));
    let query_chars = folded_query.chars().count() as f32;
    let mut ranked: Vec<Ranked> = candidates
        .iter()
        .map(|&c| {
            let n = &names[c.doc as usize];
            let exact_name = !query_key.is_empty() && n.keys.contains(&query_key);
            // How well a name reads like the query: subsequence score, favouring names the
            // query covers more of ("netflix" is more the overview's name than a long title's).
            // The lift in rank is by how much of the name the query is: a word that merely
            // occurs in a long title (as it does in many titles of a large catalog) lifts little.
            let (likeness, share) = n
                .folded
                .iter()
                .filter_map(|name| {
                    let m = matcher.fuzzy_match(name, &folded_query)?;
                    let ratio = (m as f32 / perfect as f32).clamp(0.0, 1.0);
                    let covered = (query_chars / name.chars().count().max(1) as f32).min(1.0);
                    Some((ratio * (0.7 + 0.3 * covered), ratio * covered))
                })
                .fold((0.0f32, 0.0f32), |a, b| (a.0.max(b.0), a.1.max(b.1)));
            let figure = figure_stated(&c);
            Ranked {
                candidate: c,
                score: c.score * (1.0 + TITLE_BONUS * share) * (1.0 + FIGURE_BONUS * figure),
                figure,
                likeness,
                exact_name,
                rival: 0.0,
                crowded: peers[usize::from(c.tier())] > RERANK,
                together: 0.0,
            }
        })
        .collect();
    // Per tier, the two best (score, doc) among candidates matching at least that much.
    let mut leaders = [[(f32::NEG_INFINITY, u32::MAX); 2]; 3];
    for r in &ranked {
        for lead in &mut leaders[..=usize::from(r.candidate.tier())] {
            if r.score > lead[0].0 {
                lead[1] = lead[0];
                lead[0] = (r.score, r.candidate.doc);
            } else if r.score > lead[1].0 {
                lead[1] = (r.score, r.candidate.doc);
            }
        }
    }
    for r in &mut ranked {
        let lead = leaders[usize::from(r.candidate.tier())];
        let rival = if lead[0].1 == r.candidate.doc { lead[1].0 } else { lead[0].0 };
        r.rival = rival.max(0.0);
    }
    ranked.sort_by(|a, b| {
        (b.exact_name, b.candidate.tier())
            .cmp(&(a.exact_name, a.candidate.tier()))
            .then(b.score.total_cmp(&a.score))
            .then(a.candidate.doc.cmp(&b.candidate.doc))
    });
    ranked
}
