"""What leaves the system for people: spreadsheet tables of shortlist items (:mod:`.tables`) and
the printable bilingual dossier (:mod:`.dossier`, templates in ``templates/``)."""
