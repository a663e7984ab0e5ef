"""The commands of introductions between agencies: ``introduce`` a company to another agency's,
list the ``introductions``, ``answer`` a proposal, record its ``progress``, show the ``contacts``."""

from __future__ import annotations

import sys

from matchmaker import config as C
from matchmaker.i18n import t

from .options import actor_option, positive_int
from .session import open_platform


def introductions_store(engine):
    """The introductions of ``engine``, with e-mail notifications where the environment names an SMTP host."""
    from matchmaker.store.introductions import Introductions
    from matchmaker.store.notify import Notifier, SmtpSettings

    e = C.Environment.read()
    settings = SmtpSettings(e.smtp_host, e.smtp_port, e.smtp_sender, e.smtp_user, e.smtp_password, e.smtp_starttls)
    return Introductions(engine, Notifier(settings if e.smtp_host else None))


def add_introduce(commands) -> None:
    parser = commands.add_parser("introduce", help="propose introducing your company to another agency's company")
    parser.add_argument("source_id", help="your agency's company")
    parser.add_argument("target_id", help="the other agency's company")
    parser.add_argument("--message", default=None, help="default: the bilingual template")
    parser.add_argument("--score", type=float, default=None)
    actor_option(parser)


def introduce(args) -> int:
    from matchmaker.store.accounts import Accounts
    from matchmaker.store.introductions import language_of, message_template
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    message = args.message
    if message is None:
        registry, accounts = Registry(engine), Accounts(engine)
        source, target = registry.company(args.source_id), registry.company(args.target_id)
        languages = tuple(language_of(accounts.agency(c.agency).country or c.country) for c in (source, target))
        message = message_template(source.name, target.name, languages)
    record = introductions_store(engine).propose(actor, args.source_id, args.target_id, message, score=args.score)
    print(f"introduction {record.id} proposed to agency {record.to_agency}: {record.source_id} -> {record.target_id}")
    return 0


def add_introductions(commands) -> None:
    parser = commands.add_parser("introductions", help="introductions of your agency (all in the local mode)")
    parser.add_argument("--direction", choices=("incoming", "outgoing", "all"), default="all")
    actor_option(parser)


def introductions(args) -> int:
    engine, actor = open_platform(args)
    store = introductions_store(engine)
    records = store.list(actor, args.direction)
    if actor.agency:
        count = store.open_count(actor.agency)
        print(
            f"{t('platform.introduction.open_proposals', 'en', count=count)} for agency {actor.agency}", file=sys.stderr
        )
    for i in records:
        print(
            f"{i.id}\t{i.status}\t{i.from_agency} -> {i.to_agency}\t{i.source_id} -> {i.target_id}\t{i.proposed_at:%Y-%m-%d}"
        )
    return 0


def add_answer(commands) -> None:
    parser = commands.add_parser("answer", help="accept or decline a proposed introduction")
    parser.add_argument("introduction_id", type=positive_int)
    choice = parser.add_mutually_exclusive_group(required=True)
    choice.add_argument("--accept", action="store_true")
    choice.add_argument("--decline", action="store_true")
    parser.add_argument("--note", default="")
    actor_option(parser)


def answer(args) -> int:
    engine, actor = open_platform(args)
    record = introductions_store(engine).answer(actor, args.introduction_id, accept=args.accept, note=args.note)
    print(f"introduction {record.id} {record.status}")
    return 0


def add_progress(commands) -> None:
    parser = commands.add_parser("progress", help="record the next step of an accepted introduction")
    parser.add_argument("introduction_id", type=positive_int)
    parser.add_argument("step", choices=("contacted", "met", "agreement"))
    parser.add_argument("--note", default="")
    actor_option(parser)


def progress(args) -> int:
    engine, actor = open_platform(args)
    record = introductions_store(engine).progress(actor, args.introduction_id, args.step, note=args.note)
    print(f"introduction {record.id}: {record.status}")
    return 0


def add_contacts(commands) -> None:
    parser = commands.add_parser("contacts", help="the contacts of an introduction's companies, where visible")
    parser.add_argument("introduction_id", type=positive_int)
    actor_option(parser)


def contacts(args) -> int:
    from matchmaker.store.permissions import PermissionDeniedError
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    record = introductions_store(engine).get(actor, args.introduction_id)
    registry = Registry(engine)
    for company_id in (record.source_id, record.target_id):
        try:
            contact = registry.contact(actor, company_id)
            print(f"{company_id}\t{contact.name or '-'}\t{contact.email or '-'}")
        except PermissionDeniedError as exc:
            print(f"{company_id}\t(not shown: {exc})")
    return 0
