"""Evaluation harness: dataset adapters (published formats), metrics, and ``evaluate``."""

from affectscope.evaluate.harness import evaluate, score

__all__ = ["evaluate", "score"]
