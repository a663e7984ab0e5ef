"""The alliance's members and its record: ``agency`` (add, list, hide, show), ``user`` accounts
(add, list; the password read from standard input) and the ``audit`` log."""

from __future__ import annotations

import sys
from pathlib import Path

from matchmaker import vocab as V
from matchmaker.i18n import t

from .options import actor_option, database_option, lang_option
from .session import open_platform, read_secret


def add_agency(commands) -> None:
    agency = commands.add_parser("agency", help="agencies of the alliance: add, list, hide, show")
    agency_commands = agency.add_subparsers(dest="agency_command", required=True)
    add = agency_commands.add_parser("add", help="register an agency (a city's investment-promotion office)")
    add.add_argument("key", help="short key, e.g. hamburg or foshan (a-z, 0-9, -, _)")
    add.add_argument("--name", required=True, help="the agency's name as it writes it")
    add.add_argument("--country", required=True, choices=("DE", "CN"))
    for language in ("de", "zh", "en"):
        add.add_argument(f"--name-{language}", default="", help=f"the name in {V.LANGUAGE_NAMES[language]}")
    add.add_argument("--city", default="", help="the member city")
    add.add_argument("--email", default="", help="address for e-mail notifications of introductions")
    actor_option(add)
    listing = agency_commands.add_parser("list", help="the registered agencies")
    database_option(listing)
    for verb in ("hide", "show"):
        command = agency_commands.add_parser(verb, help=f"{verb} an agency's companies in the registry (e.g. demo)")
        command.add_argument("key")
        actor_option(command)


def agency(args) -> int:
    from matchmaker.store.accounts import Accounts

    engine, actor = open_platform(args)
    accounts = Accounts(engine)
    if args.agency_command == "add":
        record = accounts.add_agency(
            actor,
            args.key,
            name=args.name,
            country=args.country,
            name_de=args.name_de,
            name_zh=args.name_zh,
            name_en=args.name_en,
            city=args.city,
            email=args.email,
        )
        print(f"agency {record.key} ({record.name}, {record.country}) registered", file=sys.stderr)
    elif args.agency_command == "list":
        agencies = accounts.agencies()
        if not agencies:
            print(
                "No agencies yet. Register one: matchmaker agency add KEY --name NAME --country DE|CN", file=sys.stderr
            )
        for a in agencies:
            names = " / ".join(n for n in (a.name_de, a.name_zh, a.name_en) if n) or "-"
            print(
                f"{a.key}\t{a.name}\t{a.country or '-'}\t{a.city or '-'}\t{names}{chr(9) + 'hidden' if a.hidden else ''}"
            )
    else:
        accounts.set_hidden(actor, args.key, args.agency_command == "hide")
        print(f"agency {args.key}: companies {'hidden' if args.agency_command == 'hide' else 'shown'}", file=sys.stderr)
    return 0


def add_user(commands) -> None:
    user = commands.add_parser("user", help="user accounts: add, list")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="create an account; the password is read from standard input")
    add.add_argument("login")
    add.add_argument("--agency", required=True)
    add.add_argument("--role", required=True, choices=("viewer", "editor", "agency-admin", "alliance-admin"))
    actor_option(add)
    actor_option(user_commands.add_parser("list", help="the accounts (login, agency, role)"))


def user(args) -> int:
    from matchmaker.store.accounts import Accounts

    engine, actor = open_platform(args)
    accounts = Accounts(engine)
    if args.user_command == "add":
        password = read_secret(f"the new password of {args.login}")
        record = accounts.add_user(actor, args.login, agency=args.agency, role=args.role, password=password)
        print(f"account {record.login} ({record.role}, agency {record.agency}) created", file=sys.stderr)
        return 0
    users = accounts.users(actor)
    if not users:
        print("No accounts yet. Create one: matchmaker user add LOGIN --agency KEY --role ROLE", file=sys.stderr)
    for u in users:
        locked = f"\tlocked until {u.locked_until:%Y-%m-%d %H:%M} UTC" if u.locked_until else ""
        print(f"{u.login}\t{u.agency}\t{u.role}\tcreated {u.created_at:%Y-%m-%d}{locked}")
    return 0


def add_audit(commands) -> None:
    parser = commands.add_parser("audit", help="the audit log (who changed what, when) as CSV; alliance admins")
    parser.add_argument("--out", type=Path, required=True)
    lang_option(parser)
    actor_option(parser)


def audit(args) -> int:
    from matchmaker.exports.tables import write_table
    from matchmaker.store.audit import audit_log

    engine, actor = open_platform(args)
    table = audit_log(engine, actor)
    path = write_table(table, args.out, sheet="Audit")
    print(t("cli.audit_written", args.lang, count=len(table), path=path), file=sys.stderr)
    return 0
