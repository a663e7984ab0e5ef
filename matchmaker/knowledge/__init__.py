"""What the product knows about the domain, loaded from the shipped tables: NACE Rev. 2 with the
GB/T 4754 crosswalk, value-chain and cooperation compatibilities, focus areas, member cities
(:mod:`.taxonomy`) and the trilingual glossary of industrial concepts (:mod:`.concepts`)."""
