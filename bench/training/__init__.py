"""Training code for shipped artifacts: the answerability model (assistant/answering/extractive/answerability.json)."""
