"""Users and roles: scrypt password hashes, the users file and its command, ``Accounts`` as the web app asks it."""

from __future__ import annotations

import hmac
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from assistant.accounts.passwords import hash_password, parse_hash, verify_password
from assistant.accounts.users import Accounts, UsersFile, read_users
from assistant.cli import main
from assistant.core.errors import UsersFileError

PASSWORD = "correct horse battery"

# -- hashing ----------------------------------------------------------------------------------


def test_a_hash_round_trips_and_refuses_a_wrong_password() -> None:
    stored = hash_password(PASSWORD)
    scheme, n, r, p, _salt, _digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(parse_hash(stored).salt) == 16 and len(parse_hash(stored).digest) == 32
    assert PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert not verify_password("", stored)


def test_each_hash_has_its_own_salt() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and parse_hash(first).salt != parse_hash(second).salt
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # what passwords.verify_password calls
    stored = hash_password(PASSWORD)
    assert verify_password(PASSWORD, stored) and not verify_password("nope-nope", stored)
    assert len(calls) == 2 and all(len(a) == len(b) == 32 for a, b in calls)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-text-password",
        "bcrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaA==",
        "scrypt$16384$8$1$c2FsdHNhbHRzYWx0",  # a part missing
        "scrypt$x$8$1$c2FsdHNhbHRzYWx0$" + "A" * 44,
        "scrypt$16384$8$1$not base64!$" + "A" * 44,
        "scrypt$1000$8$1$c2FsdHNhbHRzYWx0$" + "A" * 44,  # n not a power of two
        "scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0$" + "A" * 44,  # n = 2**30: a gigabyte per check
        "scrypt$16384$8$1$c2FsdA==$" + "A" * 44,  # a 4-byte salt
        "scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaA==",  # a 4-byte hash
    ],
)
def test_a_malformed_stored_hash_is_refused(stored: str) -> None:
    with pytest.raises(UsersFileError):
        verify_password(PASSWORD, stored)


def test_an_empty_password_is_not_hashed() -> None:
    with pytest.raises(ValueError):
        hash_password("")


# -- the users file ---------------------------------------------------------------------------


def test_add_list_set_role_remove(tmp_path: Path) -> None:
    users = UsersFile(tmp_path / "conf" / "users.json")
    assert users.users() == []  # no file yet: no users
    users.add("rui", PASSWORD, "reader")
    users.add("ana", PASSWORD + "2", "editor")
    assert [(u.name, u.role) for u in users.users()] == [("ana", "editor"), ("rui", "reader")]
    data = json.loads(users.path.read_text())
    assert data["version"] == 1 and data["users"]["rui"]["role"] == "reader"
    assert verify_password(PASSWORD, data["users"]["rui"]["password"]) and PASSWORD not in users.path.read_text()
    users.set_role("rui", "editor")
    assert [u.role for u in users.users()] == ["editor", "editor"]
    users.remove("ana")
    assert [u.name for u in users.users()] == ["rui"]
    with pytest.raises(ValueError, match="exists already"):
        users.add("rui", PASSWORD, "reader")
    with pytest.raises(ValueError, match="no user"):
        users.remove("ana")
    with pytest.raises(ValueError, match="no user"):
        users.set_role("ana", "reader")
    with pytest.raises(ValueError, match="unknown role"):
        users.set_role("rui", "admin")
    for bad in ("", "a b", "x:y", "local", "-dash"):
        with pytest.raises(ValueError):
            users.add(bad, PASSWORD, "reader")
    with pytest.raises(ValueError, match="at least 8"):
        users.add("short", "1234567", "reader")


def test_writes_are_atomic_and_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = UsersFile(tmp_path / "users.json")
    users.add("ana", PASSWORD, "editor")
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600
    before = users.path.read_text()
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def failing_replace(src: Any, dst: Any) -> None:  # the process dies just before the rename
        replaced.append((str(src), str(dst)))
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk gone"):
        users.add("rui", PASSWORD, "reader")
    assert users.path.read_text() == before  # the old file is whole
    assert replaced and Path(replaced[0][0]).parent == tmp_path and replaced[0][1] == str(users.path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.json"]  # no temporary file left behind
    monkeypatch.setattr(os, "replace", real_replace)
    users.path.chmod(0o644)
    users.add("rui", PASSWORD, "reader")
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600  # a rewrite makes it private again


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not JSON (line 1"),
        ('["ana"]', "expected"),
        ('{"version": 2, "users": {}}', "version 2"),
        ('{"version": 1, "users": {"ana": "pw"}}', "user 'ana'"),
        ('{"version": 1, "users": {"ana": {"role": "admin", "password": "x"}}}', "unknown role 'admin'"),
        ('{"version": 1, "users": {"ana": {"role": "reader", "password": "hunter2"}}}', "scrypt$n$r$p$salt$hash"),
    ],
)
def test_a_bad_file_gives_a_clear_error(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "users.json"
    path.write_text(text)
    with pytest.raises(UsersFileError, match=r"users\.json") as caught:
        read_users(path)
    assert says in str(caught.value)
    with pytest.raises(UsersFileError):
        Accounts(path)  # the app stops at start rather than signing anyone in


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(UsersFileError, match="python -m assistant users add"):
        Accounts(tmp_path / "absent.json")


# -- Accounts: what the web app asks ----------------------------------------------------------


def test_sign_in_and_roles_follow_the_file(tmp_path: Path) -> None:
    users = UsersFile(tmp_path / "users.json")
    users.add("ana", PASSWORD, "editor")
    users.add("rui", PASSWORD + "!", "reader")
    accounts = Accounts(users.path, single=("boss", "boss-password"))
    assert accounts.login_required
    assert accounts.verify("ana", PASSWORD) and accounts.verify("rui", PASSWORD + "!")
    assert not accounts.verify("ana", PASSWORD + "!") and not accounts.verify("nobody", PASSWORD)
    assert accounts.verify("boss", "boss-password") and not accounts.verify("boss", PASSWORD)
    assert (accounts.role("ana"), accounts.role("rui"), accounts.role("boss")) == ("editor", "reader", "editor")
    assert accounts.role("nobody") is None and accounts.role("local") is None
    users.set_role("rui", "editor")  # changes count from the next request, without a restart
    users.remove("ana")
    assert accounts.role("rui") == "editor" and accounts.role("ana") is None
    assert not accounts.verify("ana", PASSWORD)
    users.path.write_text("{broken")  # a broken file signs nobody in and grants nothing
    assert not accounts.verify("rui", PASSWORD + "!") and accounts.role("rui") is None
    assert accounts.verify("boss", "boss-password")  # the ATTACHE_AUTH user does not depend on the file


def test_without_a_login_the_local_user_is_an_editor() -> None:
    accounts = Accounts()
    assert not accounts.login_required and accounts.role("local") == "editor"
    only = Accounts(single=("ann", "pw-pw-pw-pw"))
    assert only.login_required and only.role("ann") == "editor" and only.role("local") is None


def test_the_auth_user_may_not_also_be_in_the_file(tmp_path: Path) -> None:
    users = UsersFile(tmp_path / "users.json")
    users.add("ana", PASSWORD, "reader")
    with pytest.raises(UsersFileError, match="ATTACHE_AUTH"):
        Accounts(users.path, single=("ana", "other-password"))


# -- the command ------------------------------------------------------------------------------


def test_the_users_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "users.json"
    monkeypatch.setenv("ATTACHE_USERS_FILE", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "ana", "--role", "editor", "--password-stdin"]) == 0
    prompts = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(prompts))
    assert main(["users", "add", "rui"]) == 0  # asked twice, reader by default
    assert main(["users", "set-role", "rui", "editor"]) == 0
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "added ana (editor)" in out and "added rui (reader)" in out and "ana\teditor\nrui\teditor\n" in out
    assert main(["users", "remove", "ana"]) == 0 and [u.name for u in UsersFile(path).users()] == ["rui"]
    differ = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(differ))
    assert main(["users", "add", "eve"]) == 2
    assert "the two passwords differ" in capsys.readouterr().err
    monkeypatch.delenv("ATTACHE_USERS_FILE")
    assert main(["users", "list"]) == 2 and "ATTACHE_USERS_FILE" in capsys.readouterr().err
    assert main(["users", "--file", str(path), "list"]) == 0 and "rui\teditor" in capsys.readouterr().out


def test_api_tokens_are_kept_hashed_survive_edits_and_can_be_revoked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = UsersFile(tmp_path / "users.json")
    users.add("ana", PASSWORD, "editor")
    users.add("rui", PASSWORD, "reader")
    first, second = users.new_token("ana"), users.new_token("ana")
    assert first.startswith("att_") and first != second and len(first) > 40
    assert first not in users.path.read_text() and second not in users.path.read_text()  # only hashes are kept
    accounts = Accounts(users.path)
    assert accounts.token_user(first) == accounts.token_user(second) == "ana"
    assert accounts.token_user("att_" + "x" * 43) is None and accounts.token_user(PASSWORD) is None
    users.set_role("ana", "reader")  # a role change keeps the tokens
    assert accounts.token_user(first) == "ana" and accounts.role("ana") == "reader"
    with pytest.raises(ValueError, match="no user"):
        users.new_token("eve")
    assert main(["users", "--file", str(users.path), "token", "rui"]) == 0
    printed = capsys.readouterr().out.strip()
    assert accounts.token_user(printed) == "rui"
    assert main(["users", "--file", str(users.path), "token", "ana", "--revoke"]) == 0
    assert "revoked 2 token(s) of ana" in capsys.readouterr().out
    assert accounts.token_user(first) is None and accounts.token_user(printed) == "rui"
    users.remove("rui")
    assert accounts.token_user(printed) is None


def test_a_malformed_token_list_is_a_clear_error(tmp_path: Path) -> None:
    users = UsersFile(tmp_path / "users.json")
    users.add("ana", PASSWORD, "editor")
    data = json.loads(users.path.read_text())
    data["users"]["ana"]["tokens"] = ["plain-token"]
    users.path.write_text(json.dumps(data))
    with pytest.raises(UsersFileError, match="'tokens' must be a list of sha256"):
        read_users(users.path)
