"""The dashboard's work is bounded (issue #16, class 6): an upload is read within the server's upload
limit and the reader's other limits, and fitted matchers are kept for a few uploads, not for ever."""

from __future__ import annotations

import pandas as pd
from helpers import company

from matchmaker.io.limits import MAX_FILE_BYTES
from matchmaker.ui import resources

ROWS = [company("DE1", "DE", "Köln", "Wir bauen Getriebe."), company("CN1", "CN", "佛山", "公司生产减速器。")]


def test_an_upload_above_the_limit_is_refused_before_it_is_read():
    limits = resources.upload_limits()
    assert limits.max_bytes <= MAX_FILE_BYTES and limits.max_seconds == resources.UPLOAD_SECONDS
    content = pd.DataFrame(ROWS).to_csv(index=False).encode() + b"\n" * limits.max_bytes
    report = resources.validate_upload("companies.csv", content).report
    assert report.codes() == {"file_too_large"}
    assert f"{limits.max_bytes / 2**20:g} MB" in report.render("en") and "Split" in report.render("en")


def test_an_upload_is_read_from_memory_with_its_own_name():
    profiles = resources.validate_upload("Firmen Mai.csv", pd.DataFrame(ROWS).to_csv(index=False).encode())
    assert profiles.report.usable and profiles.report.source == "Firmen Mai.csv" and len(profiles) == 2


def test_the_cache_of_fitted_matchers_keeps_only_the_latest_uploads(tmp_path):
    resources.fitted_matcher.clear()
    uploads = [
        (f"u{i}.csv", pd.DataFrame([{**r, "name": f"{r['name']} {i}"} for r in ROWS]).to_csv(index=False).encode())
        for i in range(resources.MATCHER_CACHE_ENTRIES + 1)
    ]
    fitted = [resources.fitted_matcher(name, content, "isa-domain", str(tmp_path)) for name, content in uploads]
    newest = uploads[-1]
    assert resources.fitted_matcher(*newest, "isa-domain", str(tmp_path)) is fitted[-1]  # kept
    assert resources.fitted_matcher(*uploads[0], "isa-domain", str(tmp_path)) is not fitted[0]  # evicted
    resources.fitted_matcher.clear()
