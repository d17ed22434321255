"""The exception tree. Third-party errors are translated at the boundary with ``raise ... from``.

AttacheError
├── ConfigError          settings that cannot work (unknown backend, missing extra)
│   └── UsersFileError   the users file (ATTACHE_USERS_FILE) cannot be read, parsed or written
├── EmbeddingError       the embedder could not load or run
│   └── EmbeddingEndpointError  a remote /v1/embeddings endpoint failed (``reason``: the typed BackendError)
├── StoreError           Chroma could not be opened, read or written
│   └── EmbedderMismatch the collection was built with another embedder
├── IngestError          one input could not be turned into articles (carries the path)
│   └── FetchError       a URL was refused or could not be fetched (``transient``: worth trying later)
├── BackendError         the answer backend failed (LLM endpoint and friends)
└── HistoryError         the saved-conversations database could not be opened, read or written
    └── ConversationNotFound  no such conversation for this user (absent, or another user's)
"""

from __future__ import annotations


class AttacheError(Exception):
    """Base of every error Attaché raises on purpose."""


class ConfigError(AttacheError):
    """The settings cannot work as given."""


class UsersFileError(ConfigError):
    """The users file (``ATTACHE_USERS_FILE``) cannot be read, parsed or written, or a user in it is malformed."""


class EmbeddingError(AttacheError):
    """The embedding model could not be loaded or run."""


class EmbeddingEndpointError(EmbeddingError):
    """A remote embeddings endpoint failed; ``reason`` says how (timeout, auth, unavailable, bad response...)."""

    def __init__(self, message: str, reason: BackendError) -> None:
        super().__init__(message)
        self.reason = reason


class StoreError(AttacheError):
    """The vector store could not be opened, read or written."""


class EmbedderMismatch(StoreError):
    """The collection was built with a different embedder than the one configured."""


class StoreBusy(StoreError):
    """Another process holds the store's one-writer lock (an ingest, or the web app)."""


class IngestError(AttacheError):
    """One input could not be ingested; ``path`` names it and the message says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class FetchError(IngestError):
    """A URL was refused (scheme, private address, robots.txt) or could not be fetched (status, timeout, size).

    ``transient`` marks what may work later (timeouts, 429, 5xx, connection errors): a watched feed's item
    that failed so is tried again next cycle.
    """

    def __init__(self, url: str, reason: str, transient: bool = False) -> None:
        super().__init__(url, reason)
        self.transient = transient


class BackendError(AttacheError):
    """The answering backend failed."""


class BackendUnavailable(BackendError):
    """The endpoint cannot be reached (connection refused, DNS, local server failed to start)."""


class BackendTimeout(BackendError):
    """The endpoint did not answer within the configured timeout."""


class BackendAuthError(BackendError):
    """The endpoint rejected the credentials (401/403)."""


class BackendRateLimited(BackendError):
    """The endpoint kept answering 429; ``retry_after`` is its hint in seconds, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BackendServerError(BackendError):
    """The endpoint kept failing with 5xx."""


class BackendResponseError(BackendError):
    """The endpoint's answer could not be used (malformed JSON, stream cut off)."""


class HistoryError(AttacheError):
    """The saved-conversations database could not be opened, read or written."""


class ConversationNotFound(HistoryError):
    """No conversation with this id belongs to this user; another user's reads the same as an absent one."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation {conversation_id!r} for this user")
        self.conversation_id = conversation_id
