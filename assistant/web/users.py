"""Who is asking, and may they change the library: the one place the web app decides.

Conversations are private to their user (:mod:`assistant.history.store` checks it in every call). With a login
(``ATTACHE_USERS_FILE`` or ``ATTACHE_AUTH``), Gradio has signed the person in and ``request.username`` names them;
without one there is one local user. Roles come from :class:`assistant.accounts.users.Accounts`: a ``reader``
asks, an ``editor`` also changes the library. Every handler that changes the library asks
:func:`library_refusal` first, whatever the page shows: a reader's request that bypasses the hidden controls is
refused on the server.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.accounts.users import EDITOR, Accounts, Role
from assistant.history.store import LOCAL_USER
from assistant.web.render import md_text

NO_LOGIN = Accounts()


def current_user(request: gr.Request | Any | None) -> str:
    """The signed-in user's name, or ``"local"`` when the app has no login."""
    name = getattr(request, "username", None) if request is not None else None
    return str(name) if name else LOCAL_USER


def current_role(request: gr.Request | Any | None, accounts: Accounts) -> Role | None:
    """The role of whoever sent ``request``; None for someone who is not (or no longer) a user."""
    name = getattr(request, "username", None) if request is not None else None
    if accounts.login_required and not name:
        return None  # a login is on, yet nobody signed in: nothing to grant
    return accounts.role(current_user(request))


def library_refusal(request: gr.Request | Any | None, accounts: Accounts) -> str | None:
    """None when ``request``'s user may add or delete articles and feeds, else the sentence refusing it."""
    role = current_role(request, accounts)
    if role == EDITOR:
        return None
    who = f"{current_user(request)} ({role})" if role else current_user(request)
    return f"Only an editor may change the library; you are signed in as {who}. Nothing was changed."


def role_note(request: gr.Request | Any | None, accounts: Accounts) -> str:
    """The line atop the Library tab: who is signed in and what they may do (empty without a login)."""
    if not accounts.login_required:
        return ""
    role = current_role(request, accounts)
    name = md_text(current_user(request))
    if role == EDITOR:
        return f"Signed in as **{name}** (editor): you may add and delete articles and feeds."
    return (
        f"Signed in as **{name}** ({role or 'no role'}): you can read the library; "
        "an editor adds and deletes articles and feeds."
    )
