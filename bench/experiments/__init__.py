"""Finished one-off experiments; each module's docstring says what it measured, its page in results/ what it showed."""
