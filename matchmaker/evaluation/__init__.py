"""Measuring the matcher on labelled pairs: ranking metrics (:mod:`.metrics`), baselines
(:mod:`.baselines`), intervals and paired tests (:mod:`.significance`), weight tuning
(:mod:`.tuning`), diagnostics, exploration and the analysts' plots."""
