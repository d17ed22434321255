"""``python -m assistant users …``: add, list, remove users of the web app, set their roles, make API tokens.

The file is ``--file`` or ``ATTACHE_USERS_FILE``. A password is asked twice without echo (``getpass``), or read
from the first line of standard input with ``--password-stdin`` (for scripts); it is never an argument, which
other users of the machine could see in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from assistant.accounts.users import ROLES, UsersFile
from assistant.core.errors import ConfigError
from assistant.core.settings import WebSettings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser("users", help="the web app's users and roles (ATTACHE_USERS_FILE)")
    users.add_argument("--file", type=Path, help="the users file (default: $ATTACHE_USERS_FILE)")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="reader", help="reader asks; editor also changes the library")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    actions.add_parser("list", help="every user and role")
    remove = actions.add_parser("remove", help="remove a user (their saved conversations stay in the database)")
    remove.add_argument("name")
    token = actions.add_parser("token", help="make an API token for a user's scripts (shown once), or --revoke them")
    token.add_argument("name")
    token.add_argument("--revoke", action="store_true", help="forget every token of the user")
    role = actions.add_parser("set-role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)


def users_file(given: Path | None) -> UsersFile:
    path = given or WebSettings().users_file
    if path is None:
        raise ConfigError("no users file: set ATTACHE_USERS_FILE or pass --file PATH")
    return UsersFile(path.expanduser())


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise ValueError("the two passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    """One ``users`` action; errors are raised for the caller to print."""
    users = users_file(args.file)
    if args.action == "add":
        user = users.add(args.name, read_password(args.password_stdin), args.role)
        print(f"added {user.name} ({user.role}) to {users.path}")
    elif args.action == "remove":
        users.remove(args.name)
        print(f"removed {args.name} from {users.path}")
    elif args.action == "token" and args.revoke:
        print(f"revoked {users.revoke_tokens(args.name)} token(s) of {args.name}")
    elif args.action == "token":
        print(users.new_token(args.name))
        print(f"(an API token for {args.name}; it is not shown again: keep it safe)", file=sys.stderr)
    elif args.action == "set-role":
        user = users.set_role(args.name, args.role)
        print(f"{user.name} is now {user.role}")
    else:
        listed = users.users()
        for user in listed:
            print(f"{user.name}\t{user.role}")
        if not listed:
            print(f"No users in {users.path}.")
    return 0
