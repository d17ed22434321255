"""Who is asking: the one place the web app decides which user a request belongs to.

Conversations are private to their user (:mod:`assistant.history.store` checks it in every call). With
``ATTACHE_AUTH`` on, Gradio has signed the person in and ``request.username`` names them; without a login there
is one local user. Per-user sign-in (``ATTACHE_USERS_FILE``) plugs in here.
"""

from __future__ import annotations

import gradio as gr

from assistant.history.store import LOCAL_USER


def current_user(request: gr.Request | None) -> str:
    """The signed-in user's name, or ``"local"`` when the app has no login."""
    name = getattr(request, "username", None) if request is not None else None
    return str(name) if name else LOCAL_USER
