"""The hybrid score: profiles -> features (:mod:`.featurise`), pure components in [0, 1]
(:mod:`.components`), weights (:mod:`.weights`), the estimator (:mod:`.matcher`) with its read-only
fitted view (:mod:`.fitted`), exact top-k (:mod:`.ranking`), explanations (:mod:`.explain`) and
scored shortlist items (:mod:`.items`)."""
