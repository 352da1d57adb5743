"""Physiological signals (issue 10, part 2 — groundwork): window features of wearable recordings."""
