//! The baseline Marquee's search is compared with: plain BM25 (k1 = 1.2, b = 0.75) over one
//! bag of words per item made of every field the engine reads (title, aliases, tags, summary,
//! people's names and roles, services, kind, and the item's text in other languages), with the
//! engine's own word folding, and no silence: it always answers with its best.

use marquee::catalog::Item;
use marquee::search::text::words;
use std::collections::HashMap;

pub struct Bm25 {
    ids: Vec<String>,
    docs: Vec<HashMap<String, f64>>,
    lengths: Vec<f64>,
    df: HashMap<String, f64>,
    average: f64,
}

fn bag(item: &Item) -> Vec<String> {
    let mut text = vec![item.title.clone(), item.summary.clone(), item.kind.search_words().to_string()];
    text.extend(item.aliases.iter().cloned());
    text.extend(item.tags.iter().cloned());
    text.extend(item.services.iter().cloned());
    for p in &item.people {
        text.push(p.name.clone());
        text.extend(p.role.clone());
    }
    text.extend(local_text(item));
    text.iter().flat_map(|t| words(t)).map(|w| w.stem().to_string()).collect()
}

fn local_text(item: &Item) -> Vec<String> {
    let mut text = Vec::new();
    for l in item.locales.values() {
        text.extend(l.title.clone());
        text.extend(l.summary.clone());
        text.extend(l.keywords.iter().cloned());
    }
    text
}

impl Bm25 {
    pub fn new(items: &[Item]) -> Bm25 {
        let mut docs = Vec::new();
        let mut lengths = Vec::new();
        let mut df: HashMap<String, f64> = HashMap::new();
        for item in items {
            let words = bag(item);
            let mut tf: HashMap<String, f64> = HashMap::new();
            for w in &words {
                *tf.entry(w.clone()).or_default() += 1.0;
            }
            for w in tf.keys() {
                *df.entry(w.clone()).or_default() += 1.0;
            }
            lengths.push(words.len() as f64);
            docs.push(tf);
        }
        let average = lengths.iter().sum::<f64>() / lengths.len().max(1) as f64;
        Bm25 { ids: items.iter().map(|i| i.id.clone()).collect(), docs, lengths, df, average }
    }

    /// The ids of the `k` best items for `query` (fewer only when fewer share a word with it).
    pub fn top(&self, query: &str, k: usize) -> Vec<&str> {
        let n = self.docs.len() as f64;
        let terms: Vec<String> = words(query).iter().map(|w| w.stem().to_string()).collect();
        let mut scored: Vec<(f64, usize)> = (0..self.docs.len())
            .map(|d| {
                let s: f64 = terms
                    .iter()
                    .map(|t| {
                        let tf = self.docs[d].get(t).copied().unwrap_or(0.0);
                        let df = self.df.get(t).copied().unwrap_or(0.0);
                        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                        let norm = 1.2 * (0.25 + 0.75 * self.lengths[d] / self.average);
                        idf * tf * 2.2 / (tf + norm)
                    })
                    .sum();
                (s, d)
            })
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(k).map(|(_, d)| self.ids[d].as_str()).collect()
    }
}
