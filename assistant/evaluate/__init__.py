"""Evaluation: question set → run through the real ``Assistant`` → metrics → report / compare."""
