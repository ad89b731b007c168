//! A sentence model (all-MiniLM-L6-v2): text to a 384-number vector whose cosine with another
//! text's says how alike their meanings are, whatever words they share. Measured as a fallback
//! for the search's decision where the lexical model is unsure (docs/measurements.md, "the
//! sentence model as a fallback"); its weights are not bundled (90 MB): `SentenceModel::load`
//! reads them from a directory holding `model.safetensors` and `vocab.txt`.

pub mod encoder;
pub mod wordpiece;

use std::path::Path;

/// Tokens read from a text at most, `[CLS]` and `[SEP]` included: the length the model was
/// trained at (sentence-transformers' `max_seq_length`).
const MAX_TOKENS: usize = 256;

pub struct SentenceModel {
    tokenizer: wordpiece::WordPiece,
    encoder: encoder::Encoder,
}

impl SentenceModel {
    pub fn load(dir: &Path) -> Result<SentenceModel, String> {
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let vocab =
            String::from_utf8(read("vocab.txt")?).map_err(|_| "vocab.txt is not UTF-8".to_string())?;
        let tokenizer = wordpiece::WordPiece::from_vocab(&vocab)?;
        let encoder = encoder::Encoder::from_file(&dir.join("model.safetensors"))?;
        // Files of two different models: a token id past the word table would be read out of
        // bounds at the first query.
        if tokenizer.vocabulary() > encoder.vocabulary() {
            return Err(format!(
                "vocab.txt has {} tokens, model.safetensors words for {}: not one model's files",
                tokenizer.vocabulary(),
                encoder.vocabulary()
            ));
        }
        Ok(SentenceModel { tokenizer, encoder })
    }

    /// The model's token ids for `text`.
    pub fn tokens(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, MAX_TOKENS.min(self.encoder.max_tokens))
    }

    /// The unit vector of `text`'s meaning.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.encoder.embed(&self.tokens(text))
    }
}
