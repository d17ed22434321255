"""Attaché web chat: settings → assistant → ui → launch (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import logging

from assistant.config import Settings, apply_offline_env


def main() -> None:
    apply_offline_env()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from assistant.answer import Assistant
    from assistant.ui import CSS, build_ui

    settings = Settings()
    assistant = Assistant.from_settings(settings)
    added = assistant.ensure_seeded()
    if added:
        logging.info("ingested %d seed article(s) from %s", added, settings.seeds_dir)
    build_ui(assistant).launch(server_name=settings.host, server_port=settings.port, share=False, css=CSS)


if __name__ == "__main__":
    main()
