"""The HTTP API: ``/api/…`` (answers with their citations, the library, saved conversations, the analyst's views)
and an OpenAI-compatible ``/v1/chat/completions``, served by the web app's process or ``attache serve --api-only``.

:func:`assistant.api.app.build_api` makes the FastAPI app; :mod:`assistant.api.schemas` is the JSON contract (the
only place core types become JSON), :mod:`assistant.api.auth` says who is calling, :mod:`assistant.api.errors`
turns every failure into ``{"error": {"code", "message"}}`` with a stable code.
"""
