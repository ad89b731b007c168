//! The sentence model's tokenizer: BERT's uncased WordPiece, as the model was trained with it
//! (the `tokenizers` library's `BertNormalizer`, `BertPreTokenizer` and `WordPiece` with the
//! model's `vocab.txt`). Written here rather than taken from the `tokenizers` crate, which
//! brings a regex engine, a C library (oniguruma) and dozens of crates for the three small
//! steps one uncased BERT vocabulary needs; `tests` checks it against that library's own output.

use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Token ids of the special tokens, looked up in the vocabulary.
#[derive(Debug, Clone, Copy)]
struct Special {
    cls: u32,
    sep: u32,
    unk: u32,
}

pub struct WordPiece {
    ids: HashMap<String, u32>,
    special: Special,
}

/// Words longer than this (in characters) are one unknown token, as in BERT.
const MAX_WORD_CHARS: usize = 100;

impl WordPiece {
    /// The vocabulary, one token per line, its line number its id.
    pub fn from_vocab(vocab: &str) -> Result<WordPiece, String> {
        let ids: HashMap<String, u32> =
            vocab.lines().enumerate().map(|(i, t)| (t.to_string(), i as u32)).collect();
        let get = |t: &str| ids.get(t).copied().ok_or_else(|| format!("the vocabulary has no {t} token"));
        let special = Special { cls: get("[CLS]")?, sep: get("[SEP]")?, unk: get("[UNK]")? };
        Ok(WordPiece { ids, special })
    }

    /// One past the largest token id: the rows a model's word table needs.
    pub fn vocabulary(&self) -> usize {
        self.ids.values().max().map_or(0, |&id| id as usize + 1)
    }

    /// `[CLS]`, the text's tokens (at most `max_len - 2` of them), `[SEP]`.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut out = vec![self.special.cls];
        let normalized = normalize(text);
        'words: for word in pre_tokenize(&normalized) {
            for id in self.word_pieces(word) {
                if out.len() + 1 >= max_len {
                    break 'words;
                }
                out.push(id);
            }
        }
        out.push(self.special.sep);
        out
    }

    /// Greedy longest-match-first pieces of one word; the whole word is unknown if any part is.
    fn word_pieces(&self, word: &str) -> Vec<u32> {
        if word.chars().count() > MAX_WORD_CHARS {
            return vec![self.special.unk];
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        let mut candidate = String::new();
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while end > start {
                candidate.clear();
                if start > 0 {
                    candidate.push_str("##");
                }
                candidate.push_str(&word[start..end]);
                if let Some(&id) = self.ids.get(candidate.as_str()) {
                    found = Some(id);
                    break;
                }
                end = word[..end].char_indices().next_back().map_or(start, |(i, _)| i);
            }
            match found {
                Some(id) => pieces.push(id),
                None => return vec![self.special.unk],
            }
            start = end;
        }
        pieces
    }
}

/// `BertNormalizer` (clean text, space around CJK ideographs, strip accents, lowercase).
fn normalize(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_cjk(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    cleaned.nfd().filter(|c| !is_nonspacing_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// `BertPreTokenizer`: split at whitespace, and every punctuation character alone.
fn pre_tokenize(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_whitespace).flat_map(|chunk| {
        let mut parts = Vec::new();
        let mut begin = 0;
        for (i, c) in chunk.char_indices() {
            if is_punctuation(c) {
                if begin < i {
                    parts.push(&chunk[begin..i]);
                }
                parts.push(&chunk[i..i + c.len_utf8()]);
                begin = i + c.len_utf8();
            }
        }
        if begin < chunk.len() {
            parts.push(&chunk[begin..]);
        }
        parts
    })
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
        || matches!(c, '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// Unicode's "other" categories BERT drops (control and format characters), tab and newlines
/// aside (they are whitespace).
fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{600}'..='\u{605}'
                | '\u{61c}'
                | '\u{6dd}'
                | '\u{70f}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{e000}'..='\u{f8ff}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// The CJK ideograph blocks BERT splits character by character.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

/// Combining marks that take no space (Unicode's Mn), which stripping accents removes.
fn is_nonspacing_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c) && !is_spacing_mark(c)
}

/// The spacing combining marks (Mc) of the scripts a member may type; BERT keeps them.
fn is_spacing_mark(c: char) -> bool {
    matches!(c as u32,
        0x0903 | 0x093B | 0x093E..=0x0940 | 0x0949..=0x094C | 0x094E..=0x094F
        | 0x0982..=0x0983 | 0x09BE..=0x09C0 | 0x09C7..=0x09C8 | 0x09CB..=0x09CC | 0x09D7
        | 0x0E33 | 0x302E..=0x302F)
}

/// ASCII punctuation and symbols (as BERT counts them) and Unicode's punctuation categories.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    matches!(c as u32,
        0xA1 | 0xA7 | 0xAB | 0xB6 | 0xB7 | 0xBB | 0xBF | 0x37E | 0x387
        | 0x55A..=0x55F | 0x589..=0x58A | 0x5BE | 0x5C0 | 0x5C3 | 0x5C6 | 0x5F3..=0x5F4
        | 0x609..=0x60A | 0x60C..=0x60D | 0x61B | 0x61D..=0x61F | 0x66A..=0x66D | 0x6D4
        | 0x964..=0x965 | 0x970 | 0xE4F | 0xE5A..=0xE5B
        | 0x2010..=0x2027 | 0x2030..=0x2043 | 0x2045..=0x2051 | 0x2053..=0x205E
        | 0x207D..=0x207E | 0x208D..=0x208E | 0x2308..=0x230B | 0x2329..=0x232A
        | 0x2768..=0x2775 | 0x27C5..=0x27C6 | 0x27E6..=0x27EF | 0x2983..=0x2998
        | 0x29D8..=0x29DB | 0x29FC..=0x29FD | 0x2CF9..=0x2CFC | 0x2CFE..=0x2CFF | 0x2E00..=0x2E2E
        | 0x2E30..=0x2E4F | 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301F | 0x3030 | 0x303D
        | 0x30A0 | 0x30FB | 0xFE10..=0xFE19 | 0xFE30..=0xFE52 | 0xFE54..=0xFE61 | 0xFE63 | 0xFE68
        | 0xFE6A..=0xFE6B | 0xFF01..=0xFF03 | 0xFF05..=0xFF0A | 0xFF0C..=0xFF0F | 0xFF1A..=0xFF1B
        | 0xFF1F..=0xFF20 | 0xFF3B..=0xFF3D | 0xFF3F | 0xFF5B | 0xFF5D | 0xFF5F..=0xFF65)
}

#[cfg(test)]
mod tests {
    use super::WordPiece;

    /// A vocabulary small enough to reason about: ids are line numbers.
    fn vocab() -> WordPiece {
        let tokens = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "crown", "cloud", "##s", "un", "##bundl", "##ing",
            "!", "?", "cafe", "サ", "・", "##ク", "ク", "##ラ", "##ウ", "##ン", "中", "国", ",",
        ];
        WordPiece::from_vocab(&tokens.join("\n")).unwrap()
    }

    fn pieces(w: &WordPiece, text: &str) -> Vec<u32> {
        let ids = w.encode(text, 64);
        assert_eq!((ids[0], ids[ids.len() - 1]), (2, 3), "[CLS] … [SEP]");
        ids[1..ids.len() - 1].to_vec()
    }

    #[test]
    fn words_split_into_the_longest_pieces_the_vocabulary_holds() {
        let w = vocab();
        assert_eq!(pieces(&w, "The Crown"), [4, 5]);
        assert_eq!(pieces(&w, "clouds"), [6, 7]);
        assert_eq!(pieces(&w, "unbundling"), [8, 9, 10]);
        // One piece missing makes the whole word unknown, not a part of it.
        assert_eq!(pieces(&w, "unbundlex crown"), [1, 5]);
    }

    #[test]
    fn punctuation_accents_case_and_ideographs_are_read_as_bert_reads_them() {
        let w = vocab();
        assert_eq!(pieces(&w, "crown!?"), [5, 11, 12]);
        assert_eq!(pieces(&w, "CAFÉ,cloud"), [13, 23, 6]);
        // Ideographs stand alone even when written together; kana stay one word, and the voicing
        // mark of "ザ" goes as an accent does.
        assert_eq!(pieces(&w, "中国"), [21, 22]);
        assert_eq!(pieces(&w, "ザ・クラウン"), [14, 15, 17, 18, 19, 20]);
        // Control and format characters vanish; other whitespace separates.
        assert_eq!(pieces(&w, "cr\u{200b}own\u{3000}the\tcloud"), [5, 4, 6]);
    }

    #[test]
    fn a_long_text_keeps_its_first_tokens_and_the_end_marker() {
        let w = vocab();
        let ids = w.encode(&"crown ".repeat(100), 8);
        assert_eq!(ids, [2, 5, 5, 5, 5, 5, 5, 3]);
        assert_eq!(w.encode(&"c".repeat(101), 8), [2, 1, 3], "a word past 100 characters is unknown");
        assert_eq!(w.encode("", 8), [2, 3]);
    }
}
