"""The ground floor: boundary types, the exception tree, settings and text helpers. Imports nothing of ours."""
