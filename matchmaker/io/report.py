"""Validation findings: every problem of a profiles file, collected at once, rendered in the
user's language. Findings carry message keys and parameters, not finished sentences, so the same
report reads in German, Chinese or English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from matchmaker.i18n import t
from matchmaker.vocab import COUNTRIES, Language

Severity = Literal["error", "warning", "info"]
_ORDER = {"error": 0, "warning": 1, "info": 2}
# Characters that would act on a terminal or a page instead of showing: line breaks and tabs (a
# carriage return overwrites the line shown), other C0 and C1 controls (escape sequences), and the
# bidirectional overrides that reorder the text around them.
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# findings whose ``country`` and ``other`` name a country for the reader (by name, not by code)
COUNTRIES_BY_NAME = {"one_country"}


def shown(value: object) -> object:
    """A value quoted in a message as it can be read: ``"Köln\\rOK"`` for ``"Köln\rOK"``, the
    escape of each character in :data:`_UNSHOWN`; anything else as it is."""
    if isinstance(value, str) and _UNSHOWN.search(value):
        return _UNSHOWN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)
    return value


@dataclass(frozen=True)
class Issue:
    """One finding. ``rows`` are spreadsheet row numbers (the header is row 1 in a plain file)."""

    severity: Severity
    code: str
    rows: tuple[int, ...] = ()
    column: str | None = None
    params: dict[str, object] = field(default_factory=dict)
    # how a row is named where sheets were joined ('China!5'); the report's, shared by its issues
    row_labels: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    def message(self, language: Language = "en") -> str:
        params = {"rows": self.rows_text(), **{k: self._shown(k, v, language) for k, v in self.params.items()}}
        return t(f"validate.{self.code}", language, column=shown(self.column), **params)

    def _shown(self, key: str, value: object, language: Language) -> object:
        if self.code in COUNTRIES_BY_NAME and key in ("country", "other") and value in COUNTRIES:
            return t(f"ui.country_{value}", language)
        return shown(value)

    def rows_text(self) -> str:
        """``"2, 4, 5"``; the first 12 rows and an ellipsis for more."""
        return ", ".join(self.row_labels.get(r, str(r)) for r in self.rows[:12]) + (" …" if len(self.rows) > 12 else "")

    def where(self, language: Language = "en") -> str:
        if not self.rows:
            return t("validate.where_file", language)
        if len(self.rows) == 1:
            return t("validate.where_row", language, row=self.rows_text())
        return t("validate.where_rows", language, rows=self.rows_text())

    def render(self, language: Language = "en") -> str:
        severity = t(f"severity.{self.severity}", language)
        column = f" [{shown(self.column)}]" if self.column else ""
        return f"{severity} · {self.where(language)}{column}: {self.message(language)}"


@dataclass
class ValidationReport:
    """All findings for one file plus the counts a summary needs."""

    source: str
    rows: int = 0
    countries: dict[str, int] = field(default_factory=dict)
    # the names of rows of joined sheets ('China!5'), filled by the reader (see ``Issue.rows_text``)
    row_labels: dict[int, str] = field(default_factory=dict, repr=False)
    _issues: list[Issue] = field(default_factory=list, repr=False)
    _positions: dict[tuple, int] = field(default_factory=dict, repr=False)
    _pending: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def add(
        self,
        severity: Severity,
        code: str,
        rows: tuple[int, ...] | list[int] = (),
        column: str | None = None,
        **params: object,
    ) -> None:
        """Record a finding. The same finding on several rows (same code, column and values)
        becomes one issue listing all its rows, so a report stays readable; adding a row to it costs
        the same however many rows it has."""
        key = (severity, code, column, tuple(sorted((k, str(v)) for k, v in params.items())))
        if rows and key in self._positions:
            self._pending.setdefault(self._positions[key], []).extend(rows)
            return
        if rows:
            self._positions[key] = len(self._issues)
        self._issues.append(Issue(severity, code, tuple(rows), column, params, self.row_labels))

    @property
    def issues(self) -> list[Issue]:
        """Every finding, in the order first found."""
        for position, more in self._pending.items():
            issue = self._issues[position]
            self._issues[position] = Issue(
                issue.severity, issue.code, issue.rows + tuple(more), issue.column, issue.params, self.row_labels
            )
        self._pending.clear()
        return self._issues

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def usable(self) -> bool:
        return not self.errors

    def codes(self) -> set[str]:
        return {issue.code for issue in self.issues}

    def sorted_issues(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: (_ORDER[i.severity], i.rows[:1] or (0,), i.code))

    def summary(self, language: Language = "en") -> str:
        key = "validate.summary_ok" if self.usable else "validate.summary_bad"
        return t(
            key,
            language,
            path=self.source,
            companies=t("validate.count_companies", language, count=self.rows),
            de=self.countries.get("DE", 0),
            cn=self.countries.get("CN", 0),
            errors=t("validate.count_errors", language, count=len(self.errors)),
            warnings=t("validate.count_warnings", language, count=len(self.warnings)),
        )

    def render(self, language: Language = "en") -> str:
        lines = [self.summary(language)]
        lines += [f"  {issue.render(language)}" for issue in self.sorted_issues()]
        return "\n".join(lines)
