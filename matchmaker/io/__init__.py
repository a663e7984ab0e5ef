"""Tables in and out of the product's own formats: reading profile files of any encoding and layout
within read limits (:mod:`.readers`, with :mod:`.delimited`, :mod:`.encodings`, :mod:`.workbook`,
:mod:`.columnar`, :mod:`.raw`, :mod:`.values`, :mod:`.limits`), what a user means by a header
(:mod:`.headers`) and a value (:mod:`.readings`), the validation report (:mod:`.report`),
normalised profiles (:mod:`.profiles`), labelled pairs (:mod:`.pairs`), one-text-per-line files
(:mod:`.texts`), spreadsheet-safe cells (:mod:`.cells`), file-system errors as ours (:mod:`.files`)
and synthetic profiles (:mod:`.synthetic`)."""
