"""Text -> unit vectors in one German-Chinese-English space: encoders behind one protocol and their
on-disk cache (:mod:`.encoders`), training of the offline domain model (:mod:`.training`) and its
retrieval metrics (:mod:`.metrics`)."""
