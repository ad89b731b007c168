//! The second opinion, where the decision is unsure: a sentence model (`crate::semantic`) reads
//! what the query and the leading story *mean*, whatever words they share, and how near the query
//! lies to labelled messages (`examples.rs`): members' words for that story, and chat no story
//! answers.
//!
//! It reads a query the decision answers with p under `weights::SECOND_UNTIL` (not sure by its
//! words), or leaves unanswered while its likeliest candidate still has some chance
//! (`weights::FALLBACK_FROM`): 14 % of the labelled queries. For a story the labelled messages
//! ask for, a logistic model (`weights::SECOND_WEIGHTS`) over the decision's log-odds, the
//! cosine of the query with the story, its lead over the story nearest after it, two products of
//! these, and the mean cosine with the three nearest off-topic messages and with the three
//! nearest asking for the story (and their difference) keeps or withdraws the answer, or answers
//! the silent candidate, at the decision's own threshold. For a story none asks for (a catalog of
//! one's own) an older model over the first five inputs (`weights::FALLBACK_WEIGHTS`) only ever
//! answers a silent candidate. Both are fitted by `tools/fit_decision.rs` on the bundled readings.
//! With each fitted set left out in turn (and its messages, and the query's own words wherever
//! they recur, left out of the labelled ones), of the 359 readings it reads the decision alone
//! answers 116 right first, 12 wrong and 35 off-topic; with the second opinion 143, 6 and 16
//! (26 sets, 2026-12-08; weights.rs). Lexical evidence stays in charge: a story the ranking never found is
//! never answered, and a high cosine alone answers nothing (the near-topic questions are close to
//! every story).
//!
//! Each story's vector (its title, aliases, summary, tags, services, people and roles) is
//! computed once per catalog in the background, a fifth of a second per story on one core,
//! spread over the machine's cores; until they are ready, and in catalogs above `MAX_ITEMS`, the
//! decision answers alone. The labelled messages' vectors are shipped (`examples.bin`, 1.2 MB;
//! 3.7 MB once read). A query's vector costs 20–90 ms, growing with its length (`cargo bench
//! --bench fallback`): autocomplete never asks for one.

use super::decide::logistic;
use super::examples::{Examples, Neighbours};
use super::weights;
use crate::catalog::Item;
use crate::semantic::SentenceModel;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

/// Catalogs above this many items keep the fallback off: their story vectors would take minutes
/// of a core at start-up (0.2 s a story), and among thousands of items the lexical model's
/// crowd rule, not meaning, is what keeps chance matches out.
pub const MAX_ITEMS: usize = 1_000;

/// The text a story's vector is read from: its names and prose, in English.
fn story_text(item: &Item) -> String {
    let mut parts: Vec<&str> = vec![&item.title];
    parts.extend(item.aliases.iter().map(String::as_str));
    parts.push(&item.summary);
    parts.extend(item.tags.iter().map(String::as_str));
    parts.extend(item.services.iter().map(String::as_str));
    for p in &item.people {
        parts.push(&p.name);
        parts.extend(p.role.as_deref());
    }
    parts.retain(|p| !p.is_empty());
    parts.join(". ")
}

/// The sentence model and the catalog's story vectors, computed in the background.
pub struct Fallback {
    model: Arc<SentenceModel>,
    stories: Arc<OnceLock<Vec<Vec<f32>>>>,
    /// The labelled messages (`examples.rs`), read once per process.
    examples: &'static Examples,
    worker: Mutex<Option<JoinHandle<()>>>,
    /// The last query read and its vector: a command whose filters found nothing searches the
    /// same words again without them (`commands::without_filters`), and need not read them twice.
    last: Mutex<Option<(String, Arc<Vec<f32>>)>>,
}

/// What the sentence model makes of a query and one story.
#[derive(Debug, Clone, Copy)]
pub struct Meaning {
    /// Cosine of the query's vector with the story's.
    pub cosine: f32,
    /// That cosine less the best cosine of any other story: negative when another story is
    /// nearer in meaning.
    pub lead: f32,
}

impl Fallback {
    /// Starts computing the story vectors of `items` in the background.
    pub fn start(model: Arc<SentenceModel>, items: &[Item]) -> Fallback {
        let texts: Vec<String> = items.iter().map(story_text).collect();
        let stories = Arc::new(OnceLock::new());
        let (m, s) = (model.clone(), stories.clone());
        let worker = std::thread::Builder::new()
            .name("story-vectors".into())
            .spawn(move || {
                let started = std::time::Instant::now();
                // Every core: the answers wait on these, and nothing else runs long at start.
                let _ = s.set(crate::parallel::map(&texts, true, |t| m.embed(t)));
                tracing::info!(
                    stories = texts.len(),
                    seconds = started.elapsed().as_secs_f32(),
                    "story vectors ready: the sentence model now backs unsure answers"
                );
            })
            .ok();
        if worker.is_none() {
            tracing::warn!("could not start the story vectors' thread: answering lexically");
        }
        Fallback {
            model,
            stories,
            examples: Examples::bundled(),
            worker: Mutex::new(worker),
            last: Mutex::new(None),
        }
    }

    /// Blocks until the story vectors are ready (the command line and the fit, which answer one
    /// query and go).
    pub fn wait(&self) {
        if let Some(worker) = self.worker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = worker.join();
        }
    }

    /// The query's vector, read once for the same words asked twice in a row.
    pub fn query_vector(&self, query: &str) -> Arc<Vec<f32>> {
        let last = || self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((text, v)) = last().as_ref() {
            if text == query {
                return v.clone();
            }
        }
        // Read outside the lock: other queries go on meanwhile.
        let v = Arc::new(self.model.embed(query));
        *last() = Some((query.to_string(), v.clone()));
        v
    }

    /// The meaning of `query` beside story `doc` (whose id is `id`), or `None` while the story
    /// vectors are not ready.
    pub fn reading(&self, query: &str, doc: u32, id: &str) -> Option<Reading> {
        let q = self.query_vector(query);
        let meaning = self.meaning_of(&q, doc)?;
        Some(Reading { meaning, neighbours: self.examples.neighbours(&q, id) })
    }

    /// The cosine of vector `q` with story `doc`, and its lead over every other story.
    pub fn meaning_of(&self, q: &[f32], doc: u32) -> Option<Meaning> {
        let stories = self.stories.get()?;
        let dot = |s: &Vec<f32>| s.iter().zip(q.iter()).map(|(a, b)| a * b).sum::<f32>();
        let cosine = dot(stories.get(doc as usize)?);
        let rival = stories
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != doc as usize)
            .map(|(_, s)| dot(s))
            .fold(f32::NEG_INFINITY, f32::max);
        Some(Meaning { cosine, lead: if rival.is_finite() { cosine - rival } else { cosine } })
    }
}

/// What the sentence model makes of a query and its candidate.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    pub meaning: Meaning,
    /// The labelled messages nearest the query, when some ask for the candidate.
    pub neighbours: Option<Neighbours>,
}

/// The second model's inputs: the first model's log-odds `p`, the cosine, the lead, and the
/// products a linear model cannot form (a cosine means more behind a likelier candidate, and a
/// lead more at a higher cosine).
pub fn features(p: f32, m: Meaning) -> [f32; 5] {
    let p = p.clamp(1e-4, 1.0 - 1e-4);
    let log_odds = (p / (1.0 - p)).ln();
    [log_odds, m.cosine, m.lead, log_odds * m.cosine, m.cosine * m.lead]
}

/// ... and with the labelled messages' neighbours: how near the query is to chat, to other
/// members' words for the candidate, and the difference.
pub fn features_with(p: f32, m: Meaning, n: Neighbours) -> [f32; 8] {
    let [a, b, c, d, e] = features(p, m);
    [a, b, c, d, e, n.off_topic, n.story, n.story - n.off_topic]
}

/// The second model's probability that the candidate is what was asked for: with neighbours,
/// the model that reads them (and may overrule an answer of the decision); without, the one that
/// reads meaning alone (and only ever answers).
pub fn probability(p: f32, r: Reading) -> f32 {
    match r.neighbours {
        Some(n) => logistic(weights::SECOND_BIAS, &weights::SECOND_WEIGHTS, &features_with(p, r.meaning, n)),
        None => logistic(weights::FALLBACK_BIAS, &weights::FALLBACK_WEIGHTS, &features(p, r.meaning)),
    }
}
