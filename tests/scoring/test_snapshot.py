"""The fitted state on disk: a matcher from a snapshot recommends exactly what a fresh fit does; a
change of data, model or code version is a different snapshot; a damaged one is rebuilt, not trusted."""

import json
import logging
import shutil

import numpy as np
import pandas as pd
import pytest

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.io.profiles import load_profiles
from matchmaker.scoring import snapshot
from matchmaker.scoring.explain import explain_pair
from matchmaker.scoring.matcher import Matcher, shared_encoder
from matchmaker.scoring.snapshot import encoder_identity, fit_cached


@pytest.fixture(scope="module")
def demo():
    return load_profiles(config.DEMO_PROFILES)


@pytest.fixture
def fits(monkeypatch):
    """How many real fits happened."""
    count = {"fits": 0}
    original = Matcher.fit

    def counting(self, *args, **kwargs):
        count["fits"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Matcher, "fit", counting)
    return count


def matcher(cache, model=config.DOMAIN_MODEL_NAME) -> Matcher:
    return Matcher(model=model, cache_dir=str(cache))


def test_a_matcher_from_a_snapshot_recommends_exactly_what_a_fresh_fit_does(tmp_path, demo, fits):
    fresh = fit_cached(matcher(tmp_path), demo)
    assert fits["fits"] == 1 and len(list((tmp_path / "fitted").glob("*.npz"))) == 1
    restored = fit_cached(matcher(tmp_path), demo)
    assert fits["fits"] == 1  # read, not fitted
    pd.testing.assert_frame_equal(fresh.recommend_all(k=10), restored.recommend_all(k=10), check_exact=True)
    first = fresh.fitted_.ids[0]
    pd.testing.assert_frame_equal(fresh.recommend(first, k=5), restored.recommend(first, k=5), check_exact=True)
    pairs = fresh.fitted_.ids[:5], fresh.fitted_.ids[-5:]
    pd.testing.assert_frame_equal(fresh.score_pairs(*pairs), restored.score_pairs(*pairs), check_exact=True)
    # an explanation quotes the same sentences, found in the embedding cache: no model is loaded for it
    partner = fresh.recommend(first, k=1)[V.TARGET_ID][0]
    quoted = explain_pair(fresh, first, partner).closest_statements
    shared_encoder.cache_clear()  # as in a new process: the fit's loaded model is gone
    assert explain_pair(restored, first, partner).closest_statements == quoted != []
    assert restored.encoder_.misses == 0 and "model" not in vars(restored.encoder_.encoder)
    for name, value in vars(fresh.fitted_.features).items():
        other = getattr(restored.fitted_.features, name)
        if name == "crowding":  # computed after a fit or a restore, for the weights in use: never stored
            assert value is None and other is None
            continue
        assert (value != other).nnz == 0 if name == "concepts" else np.array_equal(value, other), name
        assert (value.dtype == other.dtype) and (value.shape == other.shape), name


def test_changed_data_is_fitted_again(tmp_path, demo, fits):
    fit_cached(matcher(tmp_path), demo)
    table = demo.table.copy()
    table.loc[3, "text"] = table.loc[3, "text"] + " Neu: Wasserstoff-Elektrolyse."
    changed = fit_cached(matcher(tmp_path), table)
    assert fits["fits"] == 2
    assert changed.fitted_.profiles.loc[3, "text"].endswith("Elektrolyse.")
    fit_cached(matcher(tmp_path), demo)  # both snapshots kept: the original is read again
    assert fits["fits"] == 2


def test_another_model_or_changed_model_files_are_fitted_again(tmp_path, demo, fits):
    model = tmp_path / "model"
    shutil.copytree(config.DOMAIN_MODEL_DIR, model)
    fit_cached(matcher(tmp_path / "cache", str(model)), demo)
    fit_cached(matcher(tmp_path / "cache", config.DOMAIN_MODEL_NAME), demo)  # same files, another model name
    assert fits["fits"] == 2
    (model / "NOTES.txt").write_text("retrained", encoding="utf-8")  # any change of the folder is a new identity
    fit_cached(matcher(tmp_path / "cache", str(model)), demo)
    assert fits["fits"] == 3


def test_another_code_version_or_setting_is_fitted_again(tmp_path, demo, fits, monkeypatch):
    fit_cached(matcher(tmp_path), demo)
    fit_cached(Matcher(model=config.DOMAIN_MODEL_NAME, cache_dir=str(tmp_path), z_cap=3.0), demo)
    assert fits["fits"] == 2
    monkeypatch.setattr(snapshot, "code_version", lambda: "0.0.0/1/another")
    fit_cached(matcher(tmp_path), demo)
    assert fits["fits"] == 3
    monkeypatch.setattr(snapshot, "FORMAT_VERSION", snapshot.FORMAT_VERSION + 1)
    fit_cached(matcher(tmp_path), demo)
    assert fits["fits"] == 4


@pytest.mark.parametrize("damage", ["truncated", "flipped", "no arrays", "bad metadata", "other key"])
def test_a_damaged_snapshot_is_rebuilt_not_trusted(tmp_path, demo, fits, caplog, damage):
    fresh = fit_cached(matcher(tmp_path), demo)
    [arrays] = (tmp_path / "fitted").glob("*.npz")
    meta = arrays.with_suffix(".json")
    if damage == "truncated":
        arrays.write_bytes(arrays.read_bytes()[: arrays.stat().st_size // 2])
    elif damage == "flipped":  # one bit inside the text vectors: the zip would still open
        content = bytearray(arrays.read_bytes())
        content[len(content) // 3] ^= 0x01
        arrays.write_bytes(bytes(content))
    elif damage == "no arrays":
        arrays.unlink()
    elif damage == "bad metadata":
        meta.write_text("{ not json", encoding="utf-8")
    else:
        document = json.loads(meta.read_text(encoding="utf-8"))
        document["key"]["data"] = "0" * 64
        meta.write_text(json.dumps(document), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="matchmaker.scoring.snapshot"):
        rebuilt = fit_cached(matcher(tmp_path), demo)
    assert fits["fits"] == 2 and "unusable" in caplog.text
    pd.testing.assert_frame_equal(fresh.recommend_all(k=5), rebuilt.recommend_all(k=5), check_exact=True)
    fit_cached(matcher(tmp_path), demo)  # the rebuilt snapshot is good again
    assert fits["fits"] == 2


def test_a_snapshot_for_other_companies_is_not_used(tmp_path, demo, fits):
    """Even under the right key, arrays that do not belong to the table are refused."""
    fit_cached(matcher(tmp_path), demo)
    key = snapshot.snapshot_key(demo.table, encoder_identity(config.DOMAIN_MODEL_NAME), 4.0)
    other = demo.table.iloc[::-1].reset_index(drop=True)
    assert snapshot.load_snapshot(key, tmp_path / "fitted", other) is None


def test_the_model_identity_is_the_loaded_encoders(domain_encoder):
    assert encoder_identity(config.DOMAIN_MODEL_NAME) == domain_encoder.identity
    assert encoder_identity("no-such-model") is None


def test_the_default_models_identity_is_the_loaded_encoders(use_encoder, domain_encoder):
    from matchmaker.embeddings.encoders import load_encoder

    assert encoder_identity(config.DEFAULT_MODEL) == load_encoder(config.DEFAULT_MODEL).identity


def test_without_a_cache_folder_it_is_a_plain_fit(demo, fits):
    assert fit_cached(Matcher(model=config.DOMAIN_MODEL_NAME), demo).fitted_ is not None
    assert fits["fits"] == 1
