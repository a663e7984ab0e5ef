"""Tables in and out of the product's own formats: reading profile files of any encoding and layout
(:mod:`.readers`), the validation report (:mod:`.report`), normalised profiles (:mod:`.profiles`),
labelled pairs (:mod:`.pairs`), spreadsheet-safe cells (:mod:`.cells`) and synthetic profiles
(:mod:`.synthetic`)."""
