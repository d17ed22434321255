"""``ConversationStore``: saved conversations in ``ATTACHE_HOME/conversations.sqlite3`` (standard ``sqlite3``).

Every method takes the user and checks ownership in its SQL: another user's conversation reads as absent
(``get`` returns None; ``rename``, ``delete`` and ``append_turn`` raise :class:`ConversationNotFound`), so an id
alone opens nothing. A turn is written in its own transaction when its answer is finished: a process killed
between turns loses at most the answer being written.

The file runs in WAL mode (readers never wait for the writer) with a busy timeout, and each write takes the
write lock up front (``BEGIN IMMEDIATE``), so two threads or two processes can append to the same conversation
without losing a turn. Each call opens its own connection: a store object is safe to share between threads.

The schema is versioned from the start: ``schema_migrations`` records each applied step of :data:`MIGRATIONS`
(and ``PRAGMA user_version`` mirrors the latest); opening a file, absent or empty included, applies what is
missing.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from assistant.core.errors import ConversationNotFound, HistoryError
from assistant.core.types import Answer, Filters
from assistant.history.records import (
    ConversationRecord,
    StoredTurn,
    answer_from_json,
    answer_to_json,
    filters_from_json,
    filters_to_json,
    title_of,
)

FILE_NAME = "conversations.sqlite3"
LOCAL_USER = "local"
BUSY_TIMEOUT_S = 30.0

# version → its SQL; append a step to change the schema, never edit one that has shipped
MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            backend TEXT NOT NULL DEFAULT '',
            n_turns INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX conversations_by_user ON conversations (user, updated_at DESC);
        CREATE TABLE turns (
            conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            question TEXT NOT NULL,
            query TEXT NOT NULL,
            answer_text TEXT NOT NULL,
            answer_json TEXT NOT NULL,
            filters_json TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (conversation_id, position)
        );
    """,
}
SCHEMA_VERSION = max(MIGRATIONS)
_COLUMNS = "id, user, title, created_at, updated_at, backend, n_turns"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, its own % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _record(row: sqlite3.Row, turns: tuple[StoredTurn, ...] = ()) -> ConversationRecord:
    return ConversationRecord(
        row["id"],
        row["user"],
        row["title"],
        row["created_at"],
        row["updated_at"],
        row["backend"],
        row["n_turns"],
        turns,
    )


class ConversationStore:
    """Saved conversations, private to their user."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot open the conversation history {self.path}: {exc}") from exc

    @classmethod
    def at_home(cls, home: Path) -> ConversationStore:
        """The store of an ``ATTACHE_HOME``."""
        return cls(Path(home) / FILE_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys=ON")
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding the write lock from its start (no upgrade deadlock between writers)."""
        try:
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot write the conversation history {self.path}: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._connect() as db:
                yield db
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot read the conversation history {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
            done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
            for version in sorted(set(MIGRATIONS) - done):
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _now()))
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def schema_version(self) -> int:
        with self._read() as db:
            return int(db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])

    # -- writes ---------------------------------------------------------------------------------

    def create(self, user: str, title: str = "", backend: str = "") -> ConversationRecord:
        """A new, empty conversation of ``user`` with a random, unguessable id."""
        now = _now()
        record = ConversationRecord(uuid.uuid4().hex, user, title_of(title) if title else "", now, now, backend)
        with self._write() as db:
            db.execute(
                f"INSERT INTO conversations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 0)",
                (record.id, user, record.title, now, now, backend),
            )
        return record

    def append_turn(
        self, user: str, conversation_id: str, answer: Answer, filters: Filters | None = None
    ) -> StoredTurn:
        """Save one finished answer as the conversation's next turn (its first question becomes the title)."""
        now = _now()
        with self._write() as db:
            if not self._owned(db, user, conversation_id):
                raise ConversationNotFound(conversation_id)
            position = (
                1
                + db.execute(
                    "SELECT COALESCE(MAX(position), 0) FROM turns WHERE conversation_id = ?", (conversation_id,)
                ).fetchone()[0]
            )
            db.execute(
                "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    position,
                    answer.question,
                    answer.query or answer.question,
                    answer.text,
                    json.dumps(answer_to_json(answer), ensure_ascii=False),
                    json.dumps(filters_to_json(filters)) if filters_to_json(filters) else None,
                    now,
                ),
            )
            db.execute(
                "UPDATE conversations SET updated_at = ?, n_turns = n_turns + 1, backend = ?, "
                "title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
                (now, answer.backend, title_of(answer.question), conversation_id),
            )
        return StoredTurn(position, answer, filters, now)

    def rename(self, user: str, conversation_id: str, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            raise ValueError("a conversation's title cannot be empty")
        with self._write() as db:
            found = db.execute(
                "UPDATE conversations SET title = ? WHERE id = ? AND user = ?", (title, conversation_id, user)
            )
            if found.rowcount != 1:
                raise ConversationNotFound(conversation_id)

    def delete(self, user: str, conversation_id: str) -> None:
        """Forget the conversation and its turns."""
        with self._write() as db:
            if not self._owned(db, user, conversation_id):
                raise ConversationNotFound(conversation_id)
            db.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    @staticmethod
    def _owned(db: sqlite3.Connection, user: str, conversation_id: str) -> bool:
        row = db.execute("SELECT 1 FROM conversations WHERE id = ? AND user = ?", (conversation_id, user))
        return row.fetchone() is not None

    # -- reads ----------------------------------------------------------------------------------

    def get(self, user: str, conversation_id: str) -> ConversationRecord | None:
        """The conversation with its turns, or None when ``user`` has none with this id."""
        with self._read() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM conversations WHERE id = ? AND user = ?", (conversation_id, user)
            ).fetchone()
            if row is None:
                return None
            rows = db.execute(
                "SELECT position, answer_json, filters_json, created_at FROM turns WHERE conversation_id = ? "
                "ORDER BY position",
                (conversation_id,),
            ).fetchall()
        turns = tuple(
            StoredTurn(
                r["position"],
                answer_from_json(json.loads(r["answer_json"])),
                filters_from_json(json.loads(r["filters_json"])) if r["filters_json"] else None,
                r["created_at"],
            )
            for r in rows
        )
        return _record(row, turns)

    def list(self, user: str, search: str = "", limit: int = 200) -> list[ConversationRecord]:
        """``user``'s conversations, most recently updated first (without turns); ``search`` matches titles and
        questions, case-insensitively for ASCII letters."""
        where, params = "user = ?", [user]
        if search.strip():
            pattern = _like(" ".join(search.split()))
            where += (
                " AND (title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = id"
                " AND t.question LIKE ? ESCAPE '\\'))"
            )
            params += [pattern, pattern]
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM conversations WHERE {where} ORDER BY updated_at DESC, rowid DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [_record(row) for row in rows]

    def latest(self, user: str) -> ConversationRecord | None:
        """``user``'s most recently updated conversation that has a turn, with its turns."""
        for record in self.list(user, limit=20):
            if record.n_turns:
                return self.get(user, record.id)
        return None
