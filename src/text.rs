//! Text normalisation shared by indexing and querying, so both sides agree on what a word is.
//!
//! A word is a run of letters or digits after compatibility decomposition with combining marks
//! removed and case folded: "VERNĀ" and "Vernā" both become "verna", "ﬁle" becomes "file".
//! A number is one word however its thousands are written ("100,000", "100 000", "100k").
//! Words are then lightly stemmed (plural endings only) so "graphs" meets "graph".

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Words too common to tell items apart; dropped from items and queries alike. A `match`
/// rather than a table lookup: this runs for every word the indexer reads.
pub fn is_stopword(word: &str) -> bool {
    matches!(
        word,
        "a" | "about"
            | "an"
            | "and"
            | "any"
            | "are"
            | "as"
            | "at"
            | "be"
            | "by"
            | "can"
            | "do"
            | "does"
            | "find"
            | "for"
            | "from"
            | "how"
            | "i"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "me"
            | "my"
            | "of"
            | "on"
            | "or"
            | "our"
            | "please"
            | "show"
            | "some"
            | "tell"
            | "that"
            | "the"
            | "their"
            | "there"
            | "this"
            | "to"
            | "was"
            | "we"
            | "what"
            | "when"
            | "where"
            | "which"
            | "who"
            | "why"
            | "with"
            | "you"
            | "your"
    ) || is_other_stopword(word)
}

/// The commonest function words of the other languages members write in (German, French,
/// Spanish, Portuguese; folded, so "für" is "fur"): the catalog carries their text, and in
/// every translation they would match every item. None of them is a word of the English catalog
/// text (Japanese particles are hiragana, which `searchable` drops).
pub fn is_other_stopword(word: &str) -> bool {
    matches!(
        word,
        // German
        "der" | "die" | "das" | "den" | "dem" | "des" | "ein" | "eine" | "einer" | "eines" | "einem"
            | "einen" | "und" | "oder" | "ist" | "sind" | "war" | "wie" | "wer" | "wo" | "warum"
            | "mit" | "von" | "zu" | "zum" | "zur" | "im" | "am" | "auf" | "aus" | "bei" | "fur"
            | "uber" | "nach" | "vor" | "nicht" | "auch" | "noch" | "nur" | "sich" | "sie" | "er"
            | "ich" | "wir" | "ihr" | "es" | "hat" | "haben" | "wird" | "werden" | "kann" | "gibt"
            | "gibts" | "dass" | "als" | "wenn" | "sehr" | "eigentlich" | "diese" | "dieser"
            | "dieses" | "welche" | "welcher" | "welches"
            // French
            | "le" | "la" | "les" | "un" | "une" | "du" | "et" | "ou" | "est" | "sont" | "au"
            | "aux" | "dans" | "sur" | "pour" | "par" | "avec" | "sans" | "que" | "qui" | "quoi"
            | "quel" | "quelle" | "quels" | "quelles" | "comment" | "pourquoi" | "ce" | "cette"
            | "ces" | "son" | "sa" | "leur" | "leurs" | "il" | "elle" | "ils" | "nous"
            | "vous" | "je" | "tu" | "ne" | "pas" | "tres" | "qu"
            // Spanish
            | "el" | "los" | "las" | "una" | "unos" | "unas" | "del" | "de" | "en" | "por" | "para"
            | "con" | "sin" | "quien" | "como" | "cual" | "cuales" | "donde" | "cuando" | "porque"
            | "sobre" | "su" | "sus" | "se" | "lo" | "al" | "mas" | "muy" | "hay" | "esta" | "este"
            | "esto" | "estos" | "esa" | "ese"
            // Portuguese
            | "um" | "uma" | "do" | "da" | "dos" | "em" | "na" | "nos" | "nas" | "com"
            | "sem" | "quem" | "qual" | "onde" | "quando" | "seu" | "sua" | "seus" | "suas" | "ao"
            | "mais" | "muito" | "ha" | "isso" | "pra"
    )
}

/// Appends the folded form of `ch` to `out`, or returns false if it is not part of a word.
fn push_folded(ch: char, out: &mut String) -> bool {
    if ch.is_ascii() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
            return true;
        }
        return false;
    }
    let mut any = false;
    decompose_compatible(ch, |c| {
        if is_combining_mark(c) {
            return;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            any = true;
        }
    });
    any
}

/// What may stand between the groups of a number's thousands: "100,000", "100.000" (German,
/// Portuguese), "100 000" (French and Spanish, often with a no-break or thin space), "100'000".
const THOUSANDS_SEPARATORS: [char; 7] = [',', '.', ' ', '\'', '\u{a0}', '\u{2009}', '\u{202f}'];

/// The end of the run of ASCII digits starting at byte `from`.
fn digits_end(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..].iter().take_while(|b| b.is_ascii_digit()).count()
}

/// `text` with every number written as one word of digits: its thousands separators dropped
/// ("100,000", "100.000" and "100 000" are all "100000") and a "k" after it read as thousands
/// ("100k"). Members write a figure however they like, and each translation of the catalog
/// writes it with its own separator; split at the separator, "000" would be a word that matches
/// every figure. A group joins only when it has exactly three digits and the number before it
/// began with one to three, so years in a list ("2017, 2018") stay apart.
fn join_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    // text[..copied] is already in `out` (when anything was rewritten).
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // An ASCII digit is always a char boundary, so slicing at `i` is safe.
        let starts =
            bytes[i].is_ascii_digit() && !text[..i].chars().next_back().is_some_and(char::is_alphanumeric);
        if !starts {
            i += 1;
            continue;
        }
        let first_end = digits_end(bytes, i);
        let mut end = first_end;
        if first_end - i <= 3 {
            while let Some(sep) = text[end..].chars().next().filter(|c| THOUSANDS_SEPARATORS.contains(c)) {
                let start = end + sep.len_utf8();
                let group_end = digits_end(bytes, start);
                let alone = !text[group_end..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() && c != 'k' && c != 'K');
                if group_end - start != 3 || !alone {
                    break;
                }
                end = group_end;
            }
        }
        let thousands = matches!(bytes.get(end), Some(b'k' | b'K'))
            && !text[end + 1..].chars().next().is_some_and(char::is_alphanumeric);
        if end > first_end || thousands {
            out.push_str(&text[copied..i]);
            // The number's digits without its separators.
            out.extend(text[i..end].chars().filter(char::is_ascii_digit));
            if thousands {
                out.push_str("000");
                end += 1;
            }
            copied = end;
        }
        i = end.max(i + 1);
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Calls `f` with each word of `text`, folded but not stemmed and with stopwords kept, in order.
/// Numbers are one word however their thousands are written (see `join_numbers`).
pub fn for_each_raw_word(text: &str, mut f: impl FnMut(&str)) {
    let text = &*join_numbers(text);
    if text.is_ascii() {
        // Most catalog text: words are already slices of it, after lowercasing.
        let mut current = String::new();
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
            if word.bytes().any(|b| b.is_ascii_uppercase()) {
                current.clear();
                current.push_str(word);
                current.make_ascii_lowercase();
                f(&current);
            } else {
                f(word);
            }
        }
        return;
    }
    let mut current = String::new();
    let mut script = Script::Other;
    for ch in text.chars() {
        // Combining marks sit inside words ("e\u{301}"): skip them without splitting.
        if !ch.is_ascii() && is_combining_mark(ch) {
            continue;
        }
        // Japanese has no spaces: a change between kanji, katakana and hiragana is where one
        // word ends ("ネットフリックスのセキュリティ" → ネットフリックス, の, セキュリティ).
        let next = Script::of(ch);
        if next != script && (next.is_cjk() || script.is_cjk()) && !current.is_empty() {
            f(&current);
            current.clear();
        }
        script = next;
        if !push_folded(ch, &mut current) && !current.is_empty() {
            f(&current);
            current.clear();
        }
    }
    if !current.is_empty() {
        f(&current);
    }
}

/// The writing systems that Japanese mixes without spaces; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Han,
    Hiragana,
    Katakana,
    Other,
}

impl Script {
    fn of(ch: char) -> Script {
        match ch {
            '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2FFFF}'
            | '\u{3005}' => Script::Han,
            '\u{3041}'..='\u{309F}' => Script::Hiragana,
            '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => Script::Katakana,
            _ => Script::Other,
        }
    }

    fn is_cjk(self) -> bool {
        self != Script::Other
    }

    /// The script of a folded word (all of one script, see `for_each_raw_word`).
    fn of_word(word: &str) -> Script {
        word.chars().next().map_or(Script::Other, Script::of)
    }
}

/// A run of kanji longer than two is split into overlapping pairs of characters ("機械学習" →
/// 機械, 械学, 学習): without a dictionary, pairs are where most Japanese (and Chinese) words
/// meet, so a query and an item that share a word share its pairs whatever surrounds it.
/// Other words are one word. Calls `f` with each piece.
fn for_each_piece(word: &str, mut f: impl FnMut(&str)) {
    if Script::of_word(word) != Script::Han || word.chars().nth(2).is_none() {
        f(word);
        return;
    }
    let starts: Vec<usize> = word.char_indices().map(|(i, _)| i).chain([word.len()]).collect();
    for pair in starts.windows(3) {
        f(&word[pair[0]..pair[2]]);
    }
}

/// The words of `text`, folded but not stemmed and with stopwords kept, in order.
pub fn raw_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_raw_word(text, |w| words.push(w.to_string()));
    words
}

/// Whether a folded word is worth indexing: not a stopword, not a lone letter (a lone kanji is a
/// word), not hiragana alone (in Japanese mostly particles and endings: の, について, ですか).
fn searchable(word: &str) -> bool {
    let mut chars = word.chars();
    let first = chars.next();
    let script = first.map_or(Script::Other, Script::of);
    !is_stopword(word)
        && script != Script::Hiragana
        && (chars.next().is_some() || first.is_some_and(char::is_numeric) || script == Script::Han)
}

/// The stems of a text's searchable words in one reusable buffer (the indexer's hot path:
/// no allocation per word).
#[derive(Debug, Default)]
pub struct Stems {
    buf: String,
    ends: Vec<usize>,
}

impl Stems {
    pub fn fill(&mut self, text: &str) {
        self.buf.clear();
        self.ends.clear();
        for_each_raw_word(text, |w| {
            if searchable(w) {
                for_each_piece(w, |p| {
                    self.buf.push_str(stem(p));
                    self.ends.push(self.buf.len());
                });
            }
        });
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The folded text as one string of words separated by single spaces (for subsequence scoring).
pub fn folded(text: &str) -> String {
    raw_words(text).join(" ")
}

/// Strips English plural endings (Harman's S-stemmer). Only plain ASCII words of 4+ letters.
/// The result is always a prefix of `word`.
pub fn stem(word: &str) -> &str {
    let b = word.as_bytes();
    if b.len() < 4 || !b.iter().all(u8::is_ascii_lowercase) {
        return word;
    }
    if word.ends_with("ies") && !word.ends_with("eies") && !word.ends_with("aies") {
        // "countries" and "country" meet at "countr" (see the -y rule below).
        return &word[..word.len() - 3];
    }
    if word.ends_with("es") && !(word.ends_with("aes") || word.ends_with("ees") || word.ends_with("oes")) {
        return &word[..word.len() - 1];
    }
    if word.ends_with('s') && !(word.ends_with("us") || word.ends_with("ss") || word.ends_with("is")) {
        return &word[..word.len() - 1];
    }
    if word.ends_with('y') && word.len() > 4 {
        // Singular of an -ies plural: "country" and "countries" meet at "countr".
        let before = b[b.len() - 2];
        if !matches!(before, b'a' | b'e' | b'i' | b'o' | b'u') {
            return &word[..word.len() - 1];
        }
    }
    word
}

/// A word as the index sees it: stemmed, with its unstemmed form for prefix matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub raw: String,
    /// The stem is always a prefix of the raw word.
    stem_len: usize,
}

impl Word {
    pub fn stem(&self) -> &str {
        &self.raw[..self.stem_len]
    }
}

/// The searchable words of `text`: folded, stopwords and lone letters dropped, stemmed.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for_each_raw_word(text, |w| {
        if searchable(w) {
            for_each_piece(w, |p| out.push(Word { stem_len: stem(p).len(), raw: p.to_string() }));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_one_word_however_its_thousands_are_written() {
        for written in ["100,000", "100.000", "100 000", "100\u{202f}000", "100k", "100K"] {
            assert_eq!(
                raw_words(&format!("over {written} servers")),
                ["over", "100000", "servers"],
                "{written:?}"
            );
        }
        assert_eq!(raw_words("1,000,000 views"), ["1000000", "views"]);
        // Years in a list, decimals, a fourth digit and words with digits stay as they are.
        assert_eq!(raw_words("2017, 2018"), ["2017", "2018"]);
        assert_eq!(raw_words("1.5 million"), ["1", "5", "million"]);
        assert_eq!(raw_words("100,0000"), ["100", "0000"]);
        assert_eq!(raw_words("ec2 g5 100kg"), ["ec2", "g5", "100kg"]);
        assert_eq!(raw_words("190 countries"), ["190", "countries"]);
        assert_eq!(raw_words("über 100.000 Server"), ["uber", "100000", "server"]);
    }

    #[test]
    fn stopwords() {
        assert!(is_stopword("the") && is_stopword("with"));
        assert!(!is_stopword("crown") && !is_stopword("") && !is_stopword("The"));
    }

    #[test]
    fn folds_case_accents_and_compatibility_forms() {
        assert_eq!(raw_words("VERNĀ Myers"), ["verna", "myers"]);
        assert_eq!(raw_words("Vernā"), raw_words("Verna\u{304}"));
        assert_eq!(raw_words("ﬁle ＡＷＳ"), ["file", "aws"]);
        assert_eq!(raw_words("re:Invent 2020 — “The Crown”"), ["re", "invent", "2020", "the", "crown"]);
    }

    #[test]
    fn stems_plurals_both_ways() {
        assert_eq!(stem("graphs"), stem("graph"));
        assert_eq!(stem("countries"), stem("country"));
        assert_eq!(stem("instances"), stem("instance"));
        assert_eq!(stem("kubernetes"), "kubernete");
        assert_eq!(stem("process"), "process");
        assert_eq!(stem("analysis"), "analysis");
        assert_eq!(stem("g5"), "g5");
    }

    #[test]
    fn words_drop_stopwords_and_lone_letters() {
        let w: Vec<String> =
            words("The Crown's 600 VFX shots").iter().map(|w| w.stem().to_string()).collect();
        assert_eq!(w, ["crown", "600", "vfx", "shot"]);
    }

    #[test]
    fn japanese_splits_at_scripts_and_pairs_kanji() {
        assert_eq!(raw_words("ネットフリックスのセキュリティ"), ["ネットフリックス", "の", "セキュリティ"]);
        let w: Vec<String> =
            words("Netflixの機械学習インフラについて").iter().map(|w| w.raw.clone()).collect();
        assert_eq!(w, ["netflix", "機械", "械学", "学習", "インフラ"]);
        // A lone kanji is a word; hiragana alone is not.
        let w: Vec<String> = words("雲 です").iter().map(|w| w.raw.clone()).collect();
        assert_eq!(w, ["雲"]);
        // Half-width katakana folds to full width, as the index sees it.
        assert_eq!(raw_words("ｾｷｭﾘﾃｨ"), raw_words("セキュリティ"));
    }

    #[test]
    fn odd_input_yields_no_words() {
        assert!(words("").is_empty());
        assert!(words(" \t\n\u{200b}\u{202e}🎬🍿").is_empty());
    }
}
