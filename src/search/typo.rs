//! Typo tolerance: finds vocabulary words within a small edit distance of a query word without
//! scanning the vocabulary (symmetric deletion, as in SymSpell).
//!
//! Two words within distance d share a string obtained by deleting at most d characters from
//! each. At build time every word's deletion variants are hashed into a sorted table; at query
//! time the query word's variants are looked up there and each candidate is verified with the
//! true (optimal string alignment) distance, so hash collisions cost time, never correctness.

/// Query words longer than this get no typo matching. Symmetric deletion hashes every string
/// made by deleting up to two characters, about L²/2 of them for a word of L characters: 31 000
/// lookups (tens of milliseconds) for a 250-letter word, under 600 at this bound. Nobody
/// misspells a word longer than this and expects it found.
pub const MAX_TYPO_CHARS: usize = 32;

/// Edits allowed for a query word of `len` characters: none for short words (too many
/// accidental neighbours), one for ordinary words, two for long ones.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Deletions to index for a vocabulary word: enough to meet any query word it may match.
fn index_edits(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=6 => 1,
        _ => 2,
    }
}

/// The American Soundex code of a word ("stephen", "steven" and "stefan" are all S315): how a
/// name sounds, for first names spelt many ways further apart than a typo. `None` for a word
/// that does not start with a Latin letter.
pub fn soundex(word: &str) -> Option<[u8; 4]> {
    let code = |c: char| match c {
        'b' | 'f' | 'p' | 'v' => b'1',
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => b'2',
        'd' | 't' => b'3',
        'l' => b'4',
        'm' | 'n' => b'5',
        'r' => b'6',
        // Vowels part two equal codes; "h" and "w" do not.
        'h' | 'w' => 0,
        _ => b'0',
    };
    let mut letters = word.chars().filter(char::is_ascii_alphabetic).map(|c| c.to_ascii_lowercase());
    let first = letters.next()?;
    let mut out = [first.to_ascii_uppercase() as u8, b'0', b'0', b'0'];
    let mut last = code(first);
    let mut n = 1;
    for c in letters {
        let d = code(c);
        if d == 0 {
            continue;
        }
        if d != b'0' && d != last {
            out[n] = d;
            n += 1;
            if n == 4 {
                break;
            }
        }
        last = d;
    }
    Some(out)
}

fn hash(chars: &[char]) -> u64 {
    // FNV-1a: stable across runs and platforms, fast on short strings.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in chars {
        for b in (c as u32).to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Hashes of `word` and of every string made by deleting up to `depth` characters from it.
fn variants(word: &[char], depth: usize, out: &mut Vec<u64>) {
    out.push(hash(word));
    if depth == 0 || word.len() <= 1 {
        return;
    }
    let mut shorter = Vec::with_capacity(word.len() - 1);
    for i in 0..word.len() {
        // Deleting either of two equal neighbours gives the same string: skip the repeat.
        if i > 0 && word[i] == word[i - 1] {
            continue;
        }
        shorter.clear();
        shorter.extend_from_slice(&word[..i]);
        shorter.extend_from_slice(&word[i + 1..]);
        variants(&shorter, depth - 1, out);
    }
}

#[derive(Debug, Default)]
pub struct TypoIndex {
    /// (variant hash, word id), sorted.
    table: Vec<(u64, u32)>,
    /// Characters in the longest indexed word: a query word longer by more than the edits it is
    /// allowed cannot be within reach of any word, so it is not looked up at all.
    longest: usize,
}

impl TypoIndex {
    /// `words` yields (word id, word) for every word that may be reached by a typo.
    pub fn build<'a>(words: impl Iterator<Item = (u32, &'a str)>) -> TypoIndex {
        let mut table = Vec::new();
        let mut hashes = Vec::new();
        let mut chars = Vec::new();
        let mut longest = 0;
        for (id, word) in words {
            chars.clear();
            chars.extend(word.chars());
            longest = longest.max(chars.len());
            hashes.clear();
            variants(&chars, index_edits(chars.len()), &mut hashes);
            hashes.sort_unstable();
            hashes.dedup();
            table.extend(hashes.iter().map(|&h| (h, id)));
        }
        table.sort_unstable();
        table.dedup();
        TypoIndex { table, longest }
    }

    /// The deletion variants of `query` to look up: none when no indexed word can be within
    /// reach, or the word is longer than `MAX_TYPO_CHARS`. Sorted, without repeats.
    fn lookups(&self, query: &[char]) -> Vec<u64> {
        let edits = max_edits(query.len());
        let mut hashes = Vec::new();
        if query.len() > MAX_TYPO_CHARS || query.len() > self.longest + edits {
            return hashes;
        }
        variants(query, edits, &mut hashes);
        hashes.sort_unstable();
        hashes.dedup();
        hashes
    }

    /// Ids of words that may be within `max_edits(query.len())` of `query`; unverified.
    pub fn candidates(&self, query: &[char], out: &mut Vec<u32>) {
        for h in self.lookups(query) {
            let start = self.table.partition_point(|&(k, _)| k < h);
            out.extend(self.table[start..].iter().take_while(|&&(k, _)| k == h).map(|&(_, id)| id));
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent transposition), or `None`
/// once it must exceed `limit`.
pub fn distance(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let n = b.len();
    let mut prev2 = vec![0usize; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[n]).filter(|&d| d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soundex_hears_first_names_spelt_the_ways_they_sound() {
        for name in ["stephen", "steven", "stefan", "Stevan"] {
            assert_eq!(soundex(name), Some(*b"S315"), "{name}");
        }
        // The textbook cases: "h" and "w" join equal codes, vowels part them.
        assert_eq!(soundex("ashcraft"), Some(*b"A261"));
        assert_eq!(soundex("tymczak"), Some(*b"T522"));
        assert_eq!(soundex("pfister"), Some(*b"P236"));
        assert_eq!(soundex("lee"), Some(*b"L000"));
        assert_ne!(soundex("stephen"), soundex("steve"));
        assert_eq!(soundex("42"), None);
    }

    fn c(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn distances() {
        assert_eq!(distance(&c("crown"), &c("cruwn"), 2), Some(1));
        assert_eq!(distance(&c("metaflow"), &c("metaflwo"), 2), Some(1));
        assert_eq!(distance(&c("spinnaker"), &c("spinaker"), 2), Some(1));
        assert_eq!(distance(&c("migration"), &c("migrating"), 2), Some(2));
        assert_eq!(distance(&c("abc"), &c("xyz"), 2), None);
        assert_eq!(distance(&c(""), &c("ab"), 2), Some(2));
    }

    #[test]
    fn lookups_per_query_word_are_bounded() {
        let long = "a".repeat(MAX_TYPO_CHARS + 20);
        let index = TypoIndex::build([(0, long.as_str()), (1, "spinnaker")].into_iter());
        // A word at the bound: at most 1 + L + L(L-1)/2 variants.
        let at_bound: Vec<char> = ('a'..='z').cycle().take(MAX_TYPO_CHARS).collect();
        let bound = 1 + MAX_TYPO_CHARS + MAX_TYPO_CHARS * (MAX_TYPO_CHARS - 1) / 2;
        assert!(!index.lookups(&at_bound).is_empty());
        assert!(index.lookups(&at_bound).len() <= bound);
        // Past it, or past any indexed word's reach: nothing, however long.
        for len in [MAX_TYPO_CHARS + 1, 250, 10_000] {
            let word: Vec<char> = "spinnaker".chars().cycle().take(len).collect();
            assert!(index.lookups(&word).is_empty(), "{len}");
        }
        let short = TypoIndex::build([(0, "crown")].into_iter());
        assert!(short.lookups(&c("crownjewels")).is_empty());
        assert!(!short.lookups(&c("crownn")).is_empty());
    }

    #[test]
    fn finds_every_word_within_the_allowed_distance() {
        let vocab = ["crown", "cybersecurity", "kubernete", "spinnaker", "metaflow", "cloud", "clout"];
        let index = TypoIndex::build(vocab.iter().enumerate().map(|(i, w)| (i as u32, *w)));
        for (query, want) in [
            ("cruwn", "crown"),
            ("cybersecurty", "cybersecurity"),
            ("kubernet", "kubernete"),
            ("spinaker", "spinnaker"),
            ("metaflwo", "metaflow"),
            ("mteaflow", "metaflow"),
            ("metafolw", "metaflow"),
            ("cybrsecurty", "cybersecurity"),
            ("spinnakr", "spinnaker"),
        ] {
            let mut out = Vec::new();
            index.candidates(&c(query), &mut out);
            let found: Vec<&str> = out
                .iter()
                .map(|&i| vocab[i as usize])
                .filter(|w| distance(&c(query), &c(w), max_edits(query.len())).is_some())
                .collect();
            assert!(found.contains(&want), "{query} -> {found:?}");
        }
    }
}
