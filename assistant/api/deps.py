"""What the routes depend on: the signed-in caller (:mod:`assistant.api.auth`) and the assistant the app serves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.answering.assistant import Assistant
from assistant.api.auth import Caller, caller


def served(request: Request) -> Assistant:
    """The assistant :func:`assistant.api.app.build_api` was given."""
    assistant: Assistant = request.app.state.assistant
    return assistant


Who = Annotated[Caller, Depends(caller)]
Served = Annotated[Assistant, Depends(served)]
