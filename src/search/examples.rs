//! Labelled messages the second opinion compares a query with (`fallback.rs`): the queries of the
//! fitted sets (tools/fit_decision.rs `SETS`), each with the stories it asks for (none for an
//! off-topic message), and its sentence-model vector. A message nearer to messages no story
//! answers than to messages asking for the candidate is likelier chat; one near other members'
//! words for that story is likelier asking for it, whatever words it shares with the story.
//!
//! `examples.bin` is written by the fit with the vectors of all-MiniLM-L6-v2 (the model the
//! fallback loads): rebuilding it needs the model, reading it does not. The sets the fit never
//! reads (the holdouts) are not among them. Its layout, little-endian: `MQEX`, version, vector
//! length, count; then per message its text (u16 length, UTF-8), its story ids (u8 count, each a
//! u8 length and UTF-8), the vector's scale (f32) and the vector as i8 steps of that scale (a
//! quarter of f32's size; cosines move by under 0.01).

/// Neighbours averaged for each reading: one near message can be chance, three agree.
pub const NEIGHBOURS: usize = 3;

const MAGIC: &[u8; 4] = b"MQEX";
const VERSION: u32 = 1;

/// One labelled message.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    /// The stories it asks for; empty when no story answers it.
    pub stories: Vec<String>,
    pub vector: Vec<f32>,
}

/// What the labelled messages nearest a query say of one candidate.
#[derive(Debug, Clone, Copy)]
pub struct Neighbours {
    /// Mean cosine of the query with its `NEIGHBOURS` nearest off-topic messages.
    pub off_topic: f32,
    /// ... with its nearest messages asking for the candidate.
    pub story: f32,
}

/// The labelled messages, with what sets them apart for the fit.
#[derive(Debug, Default)]
pub struct Examples {
    examples: Vec<Example>,
    /// Per message, a tag the fit leaves out by (the set it came from); 0 as read from a file.
    tags: Vec<usize>,
}

impl Examples {
    pub fn new(examples: Vec<(Example, usize)>) -> Examples {
        let (examples, tags) = examples.into_iter().unzip();
        Examples { examples, tags }
    }

    /// The messages shipped with the bot (`examples.bin`), read once per process; none if the file
    /// is unreadable (then every story reads as one no message asks for, and the second opinion
    /// reads meaning alone, as a catalog of one's own does).
    pub fn bundled() -> &'static Examples {
        static BUNDLED: std::sync::OnceLock<Examples> = std::sync::OnceLock::new();
        BUNDLED.get_or_init(|| {
            Examples::from_bytes(include_bytes!("examples.bin")).unwrap_or_else(|e| {
                tracing::warn!("src/search/examples.bin: {e}: the second opinion reads no labelled messages");
                Examples::default()
            })
        })
    }

    pub fn len(&self) -> usize {
        self.examples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Example> {
        self.examples.iter()
    }

    /// The neighbours of vector `query` for candidate `id`; `None` when no message asks for `id`.
    pub fn neighbours(&self, query: &[f32], id: &str) -> Option<Neighbours> {
        self.neighbours_but(query, id, |_, _| false)
    }

    /// The same, leaving out the messages `skip` (message, tag) names: for the fit, the set left
    /// out and the query's own words wherever they recur.
    pub fn neighbours_but(
        &self,
        query: &[f32],
        id: &str,
        skip: impl Fn(&Example, usize) -> bool,
    ) -> Option<Neighbours> {
        let mut off = Vec::new();
        let mut story = Vec::new();
        for (e, &tag) in self.examples.iter().zip(&self.tags) {
            if skip(e, tag) {
                continue;
            }
            let asks = e.stories.iter().any(|s| s == id);
            if !asks && !e.stories.is_empty() {
                continue;
            }
            let cosine = e.vector.iter().zip(query).map(|(a, b)| a * b).sum::<f32>();
            if asks { &mut story } else { &mut off }.push(cosine);
        }
        let nearest = |mut v: Vec<f32>| {
            v.sort_by(|a, b| b.total_cmp(a));
            v.truncate(NEIGHBOURS);
            (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
        };
        Some(Neighbours { story: nearest(story)?, off_topic: nearest(off).unwrap_or(0.0) })
    }

    /// The file's bytes (`tools/fit_decision.rs` writes them).
    pub fn to_bytes(&self) -> Vec<u8> {
        let dim = self.examples.first().map_or(0, |e| e.vector.len());
        let mut out = MAGIC.to_vec();
        for n in [VERSION, dim as u32, self.examples.len() as u32] {
            out.extend(n.to_le_bytes());
        }
        for e in &self.examples {
            out.extend((e.text.len() as u16).to_le_bytes());
            out.extend(e.text.as_bytes());
            out.push(e.stories.len() as u8);
            for s in &e.stories {
                out.push(s.len() as u8);
                out.extend(s.as_bytes());
            }
            let scale = e.vector.iter().fold(0.0f32, |m, v| m.max(v.abs())) / 127.0;
            out.extend(scale.to_le_bytes());
            out.extend(e.vector.iter().map(|v| (v / scale.max(f32::MIN_POSITIVE)).round() as i8 as u8));
        }
        out
    }

    /// Reads the file's bytes; `Err` names what is wrong (a file the fit did not write).
    pub fn from_bytes(bytes: &[u8]) -> Result<Examples, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err("not an examples file (no MQEX header)".into());
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(format!("examples file version {version}, expected {VERSION}"));
        }
        let (dim, count) = (r.u32()? as usize, r.u32()? as usize);
        let mut examples = Vec::with_capacity(count);
        for _ in 0..count {
            let len = u16::from_le_bytes(r.take(2)?.try_into().expect("two bytes")) as usize;
            let text = r.text(len)?;
            let n = r.take(1)?[0];
            let mut stories = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let len = r.take(1)?[0] as usize;
                stories.push(r.text(len)?);
            }
            let scale = f32::from_le_bytes(r.take(4)?.try_into().expect("four bytes"));
            let vector = r.take(dim)?.iter().map(|&b| f32::from(b as i8) * scale).collect();
            examples.push((Example { text, stories, vector }, 0));
        }
        if r.at != bytes.len() {
            return Err(format!("{} bytes after the last example", bytes.len() - r.at));
        }
        Ok(Examples::new(examples))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let out =
            self.bytes.get(self.at..self.at + n).ok_or_else(|| format!("cut short at byte {}", self.at))?;
        self.at += n;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")))
    }

    fn text(&mut self, len: usize) -> Result<String, String> {
        let at = self.at;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| format!("text at byte {at} is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(text: &str, stories: &[&str], vector: [f32; 3]) -> (Example, usize) {
        let stories = stories.iter().map(|s| s.to_string()).collect();
        (Example { text: text.into(), stories, vector: vector.to_vec() }, 0)
    }

    #[test]
    fn the_file_reads_back_what_was_written_within_a_step() {
        let written = Examples::new(vec![
            example("the crown", &["the-crown-in-the-cloud"], [0.6, 0.8, 0.0]),
            example("how do i center a div", &[], [0.0, -0.28, 0.96]),
        ]);
        let read = Examples::from_bytes(&written.to_bytes()).unwrap();
        assert_eq!(read.len(), 2);
        for (a, b) in written.iter().zip(read.iter()) {
            assert_eq!((&a.text, &a.stories), (&b.text, &b.stories));
            for (x, y) in a.vector.iter().zip(&b.vector) {
                assert!((x - y).abs() <= 0.5 / 127.0, "{x} read back as {y}");
            }
        }
        assert!(Examples::from_bytes(&written.to_bytes()[..20]).unwrap_err().contains("cut short"));
        assert!(Examples::from_bytes(b"JUNKJUNK").unwrap_err().contains("MQEX"));
    }

    #[test]
    fn neighbours_are_read_per_story_and_leave_out_a_tag() {
        let mut list = vec![
            example("a", &["crown"], [1.0, 0.0, 0.0]),
            example("b", &["crown"], [0.0, 1.0, 0.0]),
            example("c", &[], [0.0, 0.0, 1.0]),
            example("d", &["ses"], [1.0, 0.0, 0.0]),
        ];
        list[0].1 = 7;
        let examples = Examples::new(list);
        let q = [0.8, 0.0, 0.6];
        let n = examples.neighbours(&q, "crown").unwrap();
        assert!((n.story - 0.4).abs() < 1e-6 && (n.off_topic - 0.6).abs() < 1e-6, "{n:?}");
        let n = examples.neighbours_but(&q, "crown", |_, tag| tag == 7).unwrap();
        assert!(n.story.abs() < 1e-6, "{n:?}");
        let n = examples.neighbours_but(&q, "crown", |e, _| e.text == "c").unwrap();
        assert!(n.off_topic == 0.0, "{n:?}");
        assert!(examples.neighbours(&q, "podcast").is_none());
    }
}
