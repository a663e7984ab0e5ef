"""The commands of the embedding models: ``embed`` texts with one, ``train-model`` the offline static
model from data/glossary."""

from __future__ import annotations

import sys
from pathlib import Path

from matchmaker import config as C
from matchmaker.i18n import t

from .options import lang_option, limit_options, limits, positive_int


def add_embed(commands) -> None:
    parser = commands.add_parser(
        "embed", help="one text per line in, an L2-normalised float32 .npy out (an empty line: a row of zeros)"
    )
    parser.add_argument("texts", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", default=None)
    limit_options(parser, "the text file (--max-rows: its lines)", only=("--max-file-mb", "--max-rows"))
    lang_option(parser)


def embed(args) -> int:
    """Line i of the file (ended by CR LF, LF or CR only, in any encoding a profiles file may have) is
    row i of the matrix."""
    import numpy as np

    from matchmaker.embeddings.encoders import load_encoder
    from matchmaker.io.files import writing
    from matchmaker.io.texts import read_text_lines

    lines = read_text_lines(args.texts, limits(args))
    encoder = load_encoder(args.model or C.Environment.read().model)
    vectors = encoder.encode(lines, show_progress=len(lines) > 1000)
    with writing(args.out, "the vectors file") as out:
        np.save(out, vectors.astype(np.float32))
    rows, dimension = vectors.shape
    print(
        t("cli.embedded", args.lang, rows=rows, dimension=dimension, model=encoder.name, path=args.out), file=sys.stderr
    )
    empty = [number for number, line in enumerate(lines, start=1) if not line.strip()]
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (", …" if len(empty) > 10 else "")
        print(t("cli.empty_lines", args.lang, count=len(empty), lines=shown), file=sys.stderr)
    return 0


def add_train(commands) -> None:
    parser = commands.add_parser("train-model", help="train an offline static model from data/glossary")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="model folder to write (default: models/isa-domain-static, or isa-student-static with the teacher "
        "use-multilingual, in the user's data folder; in a source checkout pass data/models/<that folder> "
        "to refresh the shipped model)",
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--epochs", type=positive_int, default=None)
    parser.add_argument(
        "--teacher",
        default="minilm-en",
        help="minilm-en: the English teacher of isa-domain (default); use-multilingual: the general "
        "multilingual model, the teacher of isa-student (its vectors kept in the embedding cache)",
    )
    parser.add_argument(
        "--targets",
        default=None,
        help="what each language side is pulled to: the teacher's vector of the English side (english, the "
        "default for minilm-en), the mean of the three sides' (mean), or "
        "of its own text (each, the default for use-multilingual)",
    )


def train(args) -> int:
    from matchmaker.embeddings.training import TrainingSettings, train_domain_model

    student = args.teacher == "use-multilingual"
    settings = TrainingSettings(teacher=args.teacher, targets=args.targets or ("each" if student else "english"))
    if args.seed is not None:
        settings.seed = args.seed
    if args.epochs is not None:
        settings.epochs = args.epochs
    folder = C.STUDENT_MODEL_DIR if student else C.DOMAIN_MODEL_DIR
    args.out = args.out or C.user_data_dir() / "models" / folder.name
    cache = None if args.teacher == "minilm-en" else C.Environment.read().cache_dir / "embeddings.sqlite"
    report = train_domain_model(out_dir=args.out, settings=settings, teacher_cache=cache)
    print(f"trained in {report.seconds} s on {report.train_items} items; model in {args.out}")
    for name, values in report.metrics.items():
        print(
            f"  held-out {name}: accuracy@1 {values['accuracy_at_1']:.3f}, MRR {values['mrr']:.3f} "
            f"({values['queries']} queries among {values['candidates']})"
        )
    return 0
