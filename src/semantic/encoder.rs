//! The sentence model's forward pass: a 6-layer BERT encoder (all-MiniLM-L6-v2: 384 wide, 12
//! heads, 1 536 in the feed-forward), mean-pooled over the tokens and normalised. Plain loops
//! over f32 rather than a tensor library: the shapes are fixed and small, and the libraries
//! that would run them (candle, ort) bring a hundred crates or a C++ runtime to a bot that
//! needs one matrix product.

use safetensors::tensor::Metadata;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

const WIDTH: usize = 384;
const HEADS: usize = 12;
const LAYERS: usize = 6;
const FEED_FORWARD: usize = 4 * WIDTH;
/// BERT's layer normalisation epsilon.
const EPS: f32 = 1e-12;

/// A linear layer: `weight` is `outputs × inputs`, row by row (PyTorch's layout), so each
/// output is a dot product of two contiguous rows; `bias` has one value per output.
struct Linear {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

struct Norm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

pub struct Encoder {
    words: Vec<f32>,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    /// Positions the model has embeddings for.
    pub max_tokens: usize,
}

impl Encoder {
    /// The weights from a `model.safetensors` file of all-MiniLM-L6-v2 (f32); a tensor missing,
    /// of another type or of another shape (another model) is an error naming it. The tensors
    /// are read one by one, so loading holds the weights once, not the file beside them.
    pub fn from_file(path: &Path) -> Result<Encoder, String> {
        let mut t = Tensors::open(path)?;
        let mut layers = Vec::with_capacity(LAYERS);
        for l in 0..LAYERS {
            let p = format!("encoder.layer.{l}");
            layers.push(Layer {
                query: t.linear(&format!("{p}.attention.self.query"), WIDTH, WIDTH)?,
                key: t.linear(&format!("{p}.attention.self.key"), WIDTH, WIDTH)?,
                value: t.linear(&format!("{p}.attention.self.value"), WIDTH, WIDTH)?,
                attention_out: t.linear(&format!("{p}.attention.output.dense"), WIDTH, WIDTH)?,
                attention_norm: t.norm(&format!("{p}.attention.output.LayerNorm"))?,
                intermediate: t.linear(&format!("{p}.intermediate.dense"), WIDTH, FEED_FORWARD)?,
                output: t.linear(&format!("{p}.output.dense"), FEED_FORWARD, WIDTH)?,
                output_norm: t.norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        // `None`: the embedding tables' row counts are the vocabulary's and the positions'.
        let positions = t.read("embeddings.position_embeddings.weight", &[None, Some(WIDTH)])?;
        Ok(Encoder {
            words: t.read("embeddings.word_embeddings.weight", &[None, Some(WIDTH)])?,
            max_tokens: positions.len() / WIDTH,
            positions,
            token_type: t.read("embeddings.token_type_embeddings.weight", &[None, Some(WIDTH)])?,
            embedding_norm: t.norm("embeddings.LayerNorm")?,
            layers,
        })
    }

    /// Tokens the word table has a row for: a tokenizer's ids must stay below this.
    pub fn vocabulary(&self) -> usize {
        self.words.len() / WIDTH
    }

    /// The normalised mean of the last layer's token states.
    pub fn embed(&self, ids: &[u32]) -> Vec<f32> {
        let n = ids.len().min(self.max_tokens);
        let mut x = vec![0.0f32; n * WIDTH];
        for (t, &id) in ids[..n].iter().enumerate() {
            let row = &mut x[t * WIDTH..(t + 1) * WIDTH];
            let word = &self.words[id as usize * WIDTH..(id as usize + 1) * WIDTH];
            let position = &self.positions[t * WIDTH..(t + 1) * WIDTH];
            for k in 0..WIDTH {
                row[k] = word[k] + position[k] + self.token_type[k];
            }
            layer_norm(row, &self.embedding_norm);
        }
        for layer in &self.layers {
            x = layer.forward(&x, n);
        }
        let mut pooled = vec![0.0f32; WIDTH];
        for row in x.chunks_exact(WIDTH) {
            for (p, v) in pooled.iter_mut().zip(row) {
                *p += v;
            }
        }
        let norm = pooled.iter().map(|v| v * v).sum::<f32>().sqrt().max(f32::EPSILON);
        pooled.iter_mut().for_each(|v| *v /= norm);
        pooled
    }
}

impl Layer {
    fn forward(&self, x: &[f32], n: usize) -> Vec<f32> {
        let (q, k, v) = (self.query.apply(x, n), self.key.apply(x, n), self.value.apply(x, n));
        let head = WIDTH / HEADS;
        let scale = 1.0 / (head as f32).sqrt();
        let mut context = vec![0.0f32; n * WIDTH];
        let mut weights = vec![0.0f32; n];
        for h in 0..HEADS {
            let at = h * head;
            for i in 0..n {
                let qi = &q[i * WIDTH + at..i * WIDTH + at + head];
                for (j, w) in weights.iter_mut().enumerate() {
                    *w = dot(qi, &k[j * WIDTH + at..j * WIDTH + at + head]) * scale;
                }
                softmax(&mut weights);
                let out = &mut context[i * WIDTH + at..i * WIDTH + at + head];
                for (j, w) in weights.iter().enumerate() {
                    for (o, vv) in out.iter_mut().zip(&v[j * WIDTH + at..j * WIDTH + at + head]) {
                        *o += w * vv;
                    }
                }
            }
        }
        let mut h1 = self.attention_out.apply(&context, n);
        for (a, b) in h1.iter_mut().zip(x) {
            *a += b;
        }
        h1.chunks_exact_mut(WIDTH).for_each(|row| layer_norm(row, &self.attention_norm));
        let mut inner = self.intermediate.apply(&h1, n);
        inner.iter_mut().for_each(|v| *v = gelu(*v));
        let mut h2 = self.output.apply(&inner, n);
        for (a, b) in h2.iter_mut().zip(&h1) {
            *a += b;
        }
        h2.chunks_exact_mut(WIDTH).for_each(|row| layer_norm(row, &self.output_norm));
        h2
    }
}

impl Linear {
    /// `x` (`n × inputs`) times the weights, plus the bias: `n × outputs`.
    fn apply(&self, x: &[f32], n: usize) -> Vec<f32> {
        let outputs = self.bias.len();
        let inputs = self.weight.len() / outputs;
        let mut y = Vec::with_capacity(n * outputs);
        for row in x.chunks_exact(inputs).take(n) {
            for (w, b) in self.weight.chunks_exact(inputs).zip(&self.bias) {
                y.push(dot(row, w) + b);
            }
        }
        y
    }
}

/// A dot product in eight lanes, which the compiler turns into vector instructions.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

fn softmax(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    v.iter_mut().for_each(|x| *x /= sum);
}

fn layer_norm(row: &mut [f32], norm: &Norm) {
    let mean = row.iter().sum::<f32>() / row.len() as f32;
    let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / row.len() as f32;
    let inv = 1.0 / (var + EPS).sqrt();
    for ((v, g), b) in row.iter_mut().zip(&norm.gain).zip(&norm.bias) {
        *v = (*v - mean) * inv * g + b;
    }
}

/// BERT's exact GELU.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + libm::erff(x / std::f32::consts::SQRT_2))
}

/// A safetensors file read tensor by tensor: its header parsed and checked by the `safetensors`
/// crate (whose own reader wants the whole file in memory, or mapped), each tensor's bytes read
/// from the file when asked for.
struct Tensors {
    file: File,
    path: String,
    /// "bert." when the names carry the model class's prefix (as some exports do).
    prefix: &'static str,
    /// Where the tensors' data begins in the file.
    data: u64,
    header: Metadata,
}

impl Tensors {
    fn open(path: &Path) -> Result<Tensors, String> {
        let shown = path.display().to_string();
        let bad = |why: String| format!("{shown}: not a safetensors file: {why}");
        let mut file = File::open(path).map_err(|e| format!("{shown}: {e}"))?;
        let size = file.metadata().map_err(|e| format!("{shown}: {e}"))?.len();
        let mut n = [0u8; 8];
        file.read_exact(&mut n).map_err(|e| bad(e.to_string()))?;
        let n = u64::from_le_bytes(n);
        // The format's own bound on a header (100 MB); a longer one is not a header.
        if n > 100_000_000 || 8 + n > size {
            return Err(bad(format!("a header of {n} bytes in a file of {size}")));
        }
        let mut header = vec![0u8; n as usize];
        file.read_exact(&mut header).map_err(|e| bad(e.to_string()))?;
        let header: Metadata = serde_json::from_slice(&header).map_err(|e| bad(e.to_string()))?;
        if 8 + n + header.data_len() as u64 != size {
            return Err(bad(format!(
                "its header describes {} bytes of tensors, the file holds {}",
                header.data_len(),
                size - 8 - n
            )));
        }
        let prefix = if header.offset_keys().iter().any(|k| k.starts_with("bert.")) { "bert." } else { "" };
        Ok(Tensors { file, path: shown, prefix, data: 8 + n, header })
    }

    fn linear(&mut self, name: &str, inputs: usize, outputs: usize) -> Result<Linear, String> {
        Ok(Linear {
            weight: self.read(&format!("{name}.weight"), &[Some(outputs), Some(inputs)])?,
            bias: self.read(&format!("{name}.bias"), &[Some(outputs)])?,
        })
    }

    fn norm(&mut self, name: &str) -> Result<Norm, String> {
        Ok(Norm {
            gain: self.read(&format!("{name}.weight"), &[Some(WIDTH)])?,
            bias: self.read(&format!("{name}.bias"), &[Some(WIDTH)])?,
        })
    }

    /// The f32 tensor `name` (without the prefix), which must have `shape` (`None`: any length
    /// in that dimension): the last dimension, which every use relies on, always given.
    fn read(&mut self, name: &str, shape: &[Option<usize>]) -> Result<Vec<f32>, String> {
        let full = format!("{}{name}", self.prefix);
        let info = self.header.info(&full).ok_or_else(|| format!("{}: no tensor {full}", self.path))?;
        if info.dtype != safetensors::Dtype::F32 {
            return Err(format!("{name}: {:?}, not f32", info.dtype));
        }
        let fits = info.shape.len() == shape.len()
            && info.shape.iter().zip(shape).all(|(d, s)| s.is_none_or(|s| *d == s));
        let (start, end) = info.data_offsets;
        if !fits || end - start != 4 * info.shape.iter().product::<usize>() {
            return Err(format!("{name}: shape {:?}, not that of all-MiniLM-L6-v2", info.shape));
        }
        self.file
            .seek(SeekFrom::Start(self.data + start as u64))
            .map_err(|e| format!("{}: {e}", self.path))?;
        let mut out = Vec::with_capacity((end - start) / 4);
        // A chunk at a time: the weights are held once, as f32, not also as bytes.
        let mut chunk = vec![0u8; 1 << 16];
        let mut left = end - start;
        while left > 0 {
            let take = left.min(chunk.len());
            self.file.read_exact(&mut chunk[..take]).map_err(|e| format!("{}: {name}: {e}", self.path))?;
            out.extend(chunk[..take].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
            left -= take;
        }
        Ok(out)
    }
}
