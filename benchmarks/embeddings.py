"""Embedding benchmark: held-out German <-> Chinese retrieval, encode throughput, load time, and
(with --real) matching quality on the real partnerships with each model.

    .venv/bin/python benchmarks/embeddings.py [--models isa-domain isa-student OTHER ...] [--real]

Retrieval uses the held-out fifth of the glossary that the static models never saw (terms among all
terms, sentences among all sentences), and the 350 general-language sentences of
data/benchmarks/general-sentences (held out from every training). Throughput encodes demo profile
descriptions, repeated to 20,000 (2,000 for the models slower than 2,000 a second).
--real adds, per model, Recall@10 and MRR on the real-partnership benchmark cross-validated by company
(the listwise weights of each fold learned on the other folds' companies; benchmarks/real_partnerships.py),
full profiles and text only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
import torch

from matchmaker import config as C
from matchmaker.embeddings.encoders import load_encoder
from matchmaker.embeddings.training import evaluate_held_out, load_corpus


def real_partnership_figures(model: str) -> dict[str, float]:
    """Recall@10 and MRR (mean of both directions) cross-validated by company, full profiles and text only."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from real_partnerships import REAL, cross_validated, fitted, text_only

    from matchmaker.evaluation.tuning import ComponentCache
    from matchmaker.io.pairs import load_pairs

    real = pd.read_csv(REAL / "companies.csv", dtype=str, keep_default_na=False)
    pairs = load_pairs(REAL / "pairs.csv")
    figures = {}
    for label, frame in (("full", real), ("text_only", text_only(real))):
        held_out = cross_validated(ComponentCache(fitted(frame, model)), pairs)
        for metric in ("recall", "mrr"):
            figures[f"real_{label}_{metric}"] = round(float(held_out[metric].mean()), 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--models",
        nargs="+",
        default=[C.DOMAIN_MODEL_NAME, C.STUDENT_MODEL_NAME, "use-multilingual", C.HYBRID_MODEL_NAME, "minilm-en"],
    )
    parser.add_argument("--profiles", type=int, default=20_000)
    parser.add_argument("--real", action="store_true", help="add the cross-validated real-partnership figures")
    args = parser.parse_args()
    torch.set_num_threads(2)
    corpus = load_corpus()
    demo = pd.read_csv(C.DEMO_PROFILES, dtype=str, keep_default_na=False)
    texts = (demo["description"].tolist() * (args.profiles // len(demo) + 1))[: args.profiles]
    general = pd.read_csv(C.DATA_DIR / "benchmarks" / "general-sentences" / "sentences.csv", dtype=str)
    import opencc
    import sentence_transformers  # noqa: F401  (import once, so load time is the model's own)

    to_traditional = opencc.OpenCC("s2t")

    rows = []
    for name in args.models:
        started = time.perf_counter()
        encoder = load_encoder(name)
        load_seconds = time.perf_counter() - started
        metrics = evaluate_held_out(lambda batch, encoder=encoder: encoder.encode(batch, batch_size=512), corpus)
        started = time.perf_counter()
        encoder.encode(texts[:500], batch_size=256)
        count = len(texts) if 500 / (time.perf_counter() - started) > 2000 else min(len(texts), 2000)
        started = time.perf_counter()
        encoder.encode(texts[:count], batch_size=256)
        rate = count / (time.perf_counter() - started)
        row = {"model": name, "load_s": round(load_seconds, 2), "profiles_per_s": round(rate)}
        for key, values in metrics.items():
            row[f"{key}_acc1"] = values["accuracy_at_1"]
            row[f"{key}_mrr"] = values["mrr"]
        german, chinese = encoder.encode(general["de"].tolist()), encoder.encode(general["zh"].tolist())
        similarity = german @ chinese.T
        row["general_de_to_zh_acc1"] = round(float((similarity.argmax(axis=1) == range(len(general))).mean()), 3)
        row["general_zh_to_de_acc1"] = round(float((similarity.argmax(axis=0) == range(len(general))).mean()), 3)
        # the same Chinese sentences in Traditional characters (OpenCC s2t), as Taiwan and Hong Kong write them
        traditional = encoder.encode(general["zh"].map(to_traditional.convert).tolist())
        similarity = german @ traditional.T
        row["traditional_de_to_zh_acc1"] = round(float((similarity.argmax(axis=1) == range(len(general))).mean()), 3)
        row["traditional_zh_to_de_acc1"] = round(float((similarity.argmax(axis=0) == range(len(general))).mean()), 3)
        if args.real:
            row |= real_partnership_figures(name)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("model").T
    print(
        f"held-out queries: terms {metrics['terms_de_to_zh']['queries']} among {metrics['terms_de_to_zh']['candidates']}, "
        f"sentences {metrics['sentences_de_to_zh']['queries']} among {metrics['sentences_de_to_zh']['candidates']}"
    )
    print(table.to_string())


if __name__ == "__main__":
    main()
