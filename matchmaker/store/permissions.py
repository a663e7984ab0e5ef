"""Who may do what: the one set of permission checks of the store, the CLI and the dashboard.

Pure functions over plain values, no database: :func:`can` answers, :func:`require` raises
:class:`PermissionDeniedError` with a message that says what is missing. The store calls them before
every read or write; the CLI and the dashboard call the same functions to decide what to offer.

Roles, each including the one before: ``viewer`` reads; ``editor`` writes its agency's companies,
shortlists and introductions; ``agency-admin`` also erases its agency's companies and creates its
agency's accounts; ``alliance-admin`` also creates agencies and accounts of any agency, hides the demo
agency, erases any company and reads the audit log.

Rules that no role lifts:
- an agency changes only its own companies (``company.write``);
- a shortlist is read by its agency and by agencies it is shared with, and changed by its owner
  or its agency's admin;
- a contact is shown only where the company's ``contact_consent`` is true, and only to the owning
  agency or an agency whose introduction the owner accepted.

The single-user local mode (:meth:`Actor.local`, no sign-in) may do everything except see contacts
without consent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

# the two errors live with the others in errors.py; re-exported here, beside the checks that raise them
from matchmaker.errors import AuthenticationError as AuthenticationError
from matchmaker.errors import PermissionDeniedError as PermissionDeniedError

Role = Literal["viewer", "editor", "agency-admin", "alliance-admin"]
RANK: dict[str, int] = {role: rank for rank, role in enumerate(get_args(Role))}

Action = Literal[
    "registry.read",
    "company.write",
    "company.erase",
    "contact.read",
    "shortlist.create",
    "shortlist.read",
    "shortlist.write",
    "introduction.read",
    "introduction.propose",
    "introduction.answer",
    "introduction.progress",
    "agency.create",
    "agency.hide",
    "user.create",
    "user.list",
    "audit.read",
]
ACTIONS: tuple[str, ...] = get_args(Action)
# each action as a refusal says it: the verb, and its object when the caller names none
_PHRASES: dict[str, tuple[str, str]] = {
    "registry.read": ("read", "the registry"),
    "company.write": ("change", "companies"),
    "company.erase": ("erase", "companies"),
    "contact.read": ("read", "contacts"),
    "shortlist.create": ("create", "shortlists"),
    "shortlist.read": ("read", "shortlists"),
    "shortlist.write": ("change", "shortlists"),
    "introduction.read": ("read", "introductions"),
    "introduction.propose": ("propose an introduction", ""),
    "introduction.answer": ("answer", "introductions"),
    "introduction.progress": ("record the progress of", "introductions"),
    "agency.create": ("create", "agencies"),
    "agency.hide": ("hide", "agencies"),
    "user.create": ("create", "accounts"),
    "user.list": ("list", "accounts"),
    "audit.read": ("read", "the audit log"),
}
LOCAL_LOGIN = "(local)"


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (``login``, ``agency`` key, ``role``), or the local mode."""

    login: str
    agency: str | None
    role: Role
    local: bool = False

    @classmethod
    def local_mode(cls) -> Actor:
        """The single-user local mode: no sign-in, every right (contacts still need consent)."""
        return cls(LOCAL_LOGIN, None, "alliance-admin", local=True)

    def label(self) -> str:
        return "local mode (no sign-in)" if self.local else f"{self.login} ({self.role}, {self.agency})"


@dataclass(frozen=True)
class Resource:
    """What an action is about, as far as permissions care.

    ``agency``: the owning agency (None: a shortlist of the local mode); ``owner``: the owning user
    of a shortlist; ``shared_with``: agencies that may read it too (a shared shortlist; the other
    agency of an introduction); ``contact_consent`` and ``introduced_to`` (agencies whose
    introduction the owner accepted) for contacts; ``role`` for an account to be created."""

    agency: str | None = None
    owner: str | None = None
    shared_with: frozenset[str] = field(default_factory=frozenset)
    contact_consent: bool = False
    introduced_to: frozenset[str] = field(default_factory=frozenset)
    role: str | None = None


def _at_least(actor: Actor, role: Role) -> bool:
    return RANK[actor.role] >= RANK[role]


def why_not(actor: Actor, action: str, resource: Resource | None = None) -> str | None:
    """None when ``actor`` may do ``action`` on ``resource``; else the reason, in a sentence."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}. Valid actions: {', '.join(ACTIONS)}.")
    r = resource or Resource()
    own = actor.agency is not None and r.agency == actor.agency
    if action == "contact.read":
        if not r.contact_consent:
            return "the company has not consented to showing its contact (contact_consent is not true)"
        if actor.local or own or (actor.agency is not None and actor.agency in r.introduced_to):
            return None
        return "contacts are shown only to the owning agency and, once it accepted an introduction, to the other agency"
    if actor.local:
        return None
    write = action not in ("registry.read", "shortlist.read", "introduction.read", "user.list", "audit.read")
    if write and not _at_least(actor, "editor"):
        return f"the role '{actor.role}' only reads; ask an agency admin for the role 'editor'"
    if action in ("registry.read", "shortlist.create"):
        return None
    if action == "company.write" or action == "introduction.propose" or action == "introduction.answer":
        return None if own else f"the company belongs to agency '{r.agency}'; an agency changes only its own companies"
    if action == "company.erase":
        if _at_least(actor, "alliance-admin") or (own and _at_least(actor, "agency-admin")):
            return None
        return "erasing a company needs the role 'agency-admin' of its agency (or 'alliance-admin')"
    if action == "shortlist.read":
        if r.agency is None:
            return None if _at_least(actor, "alliance-admin") else "it is a shortlist of the local mode"
        return None if own or actor.agency in r.shared_with else f"the shortlist belongs to agency '{r.agency}'"
    if action == "shortlist.write":
        if r.agency is None:
            return None if _at_least(actor, "alliance-admin") else "it is a shortlist of the local mode"
        if own and (r.owner == actor.login or _at_least(actor, "agency-admin")):
            return None
        return "only the shortlist's owner (or an admin of its agency) may change it"
    if action in ("introduction.read", "introduction.progress"):
        return None if own or actor.agency in r.shared_with else "the introduction is between two other agencies"
    if action == "user.create":
        if _at_least(actor, "alliance-admin"):
            return None
        if own and _at_least(actor, "agency-admin") and r.role != "alliance-admin":
            return None
        return "creating accounts needs 'agency-admin' (own agency, not 'alliance-admin') or 'alliance-admin'"
    if action == "user.list":
        return None if _at_least(actor, "agency-admin") else "listing accounts needs the role 'agency-admin'"
    # agency.create, agency.hide, audit.read
    return None if _at_least(actor, "alliance-admin") else "it needs the role 'alliance-admin'"


def can(actor: Actor, action: Action, resource: Resource | None = None) -> bool:
    """Whether ``actor`` may do ``action`` on ``resource`` (see the module docstring)."""
    return why_not(actor, action, resource) is None


def require(actor: Actor, action: Action, resource: Resource | None = None, what: str = "") -> None:
    """Raise :class:`PermissionDeniedError` unless :func:`can`; ``what`` names the record."""
    reason = why_not(actor, action, resource)
    if reason is not None:
        verb, default = _PHRASES[action]
        target = what or default
        raise PermissionDeniedError(f"{actor.label()} may not {verb}{' ' + target if target else ''}: {reason}.")
