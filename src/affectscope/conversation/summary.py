"""Emotion shifts and the conversation summary (overall, per speaker, per dialogue).

An **emotion shift** is a turn whose label differs from the same speaker's previous turn in the dialogue (the
definition used in emotion-recognition-in-conversation work, where shifts are the hard cases). The summary
reports, overall, per speaker and per dialogue: the dominant emotions (share of turns), mean valence, arousal
and dominance, the valence trajectory, the number of shifts and the most emotional turn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["mark_shifts", "summarize_conversation"]

_TRAJECTORY_POINTS = 5
_TREND = 0.15  # valence change (on [-1, 1]) from first to last fifth that counts as rising / falling


def mark_shifts(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``shift`` (bool) and ``shift_from`` (the speaker's previous label, or None) to turn rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of one or more dialogues, in turn order, with ``dialogue``, ``track`` (speaker) and ``label``.

    Returns
    -------
    pandas.DataFrame
        The same rows with the two columns added.

    Examples
    --------
    >>> f = pd.DataFrame({"dialogue": "d", "track": ["A", "B", "A"], "label": ["joy", "anger", "sadness"]})
    >>> mark_shifts(f)["shift"].tolist()
    [False, False, True]
    """
    previous = frame.groupby(["dialogue", "track"], sort=False)["label"].shift(1)
    shift = previous.notna() & (previous != frame["label"])
    out = frame.copy()
    out["shift"] = shift.to_numpy()
    out["shift_from"] = previous.where(shift, None).to_numpy()
    return out


def _shares(labels: pd.Series) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in labels.value_counts(normalize=True).items()}


def _dominant(shares: dict[str, float]) -> list[str]:
    """Emotions (not neutral) on at least 10 % of turns, most frequent first; ``["neutral"]`` if none."""
    out = [k for k, v in shares.items() if k != "neutral" and v >= 0.10]
    return out or ["neutral"]


def _trajectory(valence: np.ndarray) -> tuple[list[float], str]:
    parts = [p for p in np.array_split(valence, min(_TRAJECTORY_POINTS, len(valence))) if len(p)]
    points = [round(float(p.mean()), 3) for p in parts]
    delta = points[-1] - points[0]
    trend = "rising" if delta > _TREND else "falling" if delta < -_TREND else "steady"
    return points, trend


def _group(rows: pd.DataFrame, space: str, labels: list[str]) -> dict[str, Any]:
    shares = _shares(rows["label"])
    valence = rows["valence"].to_numpy(dtype=float)
    points, trend = _trajectory(valence)
    emotional = rows["label"] != "neutral"
    peak_pos = int(np.argmax(np.where(emotional, rows["confidence"], -1.0))) if emotional.any() else None
    peak = None
    if peak_pos is not None:
        r = rows.iloc[peak_pos]
        peak = {
            "dialogue": r["dialogue"],
            "turn": int(r["turn"]),
            "speaker": r["track"],
            "label": r["label"],
            "confidence": round(float(r["confidence"]), 4),
            "text": r["text"] if len(r["text"]) <= 120 else r["text"][:117] + "...",
        }
    scores = rows[[f"{space}:{lab}" for lab in labels]].mean().to_numpy()
    return {
        "n_turns": len(rows),
        "label": labels[int(np.argmax(scores))],
        "dominant": _dominant(shares),
        "label_shares": shares,
        "valence": round(float(valence.mean()), 4),
        "arousal": round(float(rows["arousal"].mean()), 4),
        "dominance": round(float(rows["dominance"].mean()), 4),
        "valence_trajectory": points,
        "valence_trend": trend,
        "n_shifts": int(rows["shift"].sum()),
        "peak": peak,
    }


def summarize_conversation(
    frame: pd.DataFrame, *, model: str, mode: str, space: str, labels: list[str]
) -> dict[str, Any]:
    """Summarise conversation rows overall, per speaker and per dialogue.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows from :class:`~affectscope.conversation.ConversationRecognizer`.
    model, mode : str
        Model name and ``"offline"`` / ``"streaming"``, recorded in the summary.
    space : str
        Label space of the contextual probabilities (``"ekman7"``).
    labels : list of str
        Its labels.

    Returns
    -------
    dict
        ``label`` (arg-max of the mean contextual probabilities), ``confidence``, ``scores``, ``dominant``,
        ``label_shares``, VAD means, ``valence_trajectory`` (mean valence of up to five consecutive parts)
        and ``valence_trend``, ``n_shifts``, ``peak`` (the most confident non-neutral turn), ``speakers`` and
        ``dialogues`` (the same fields per group) and a ``rationale``.

    Examples
    --------
    >>> from affectscope.conversation import ConversationRecognizer
    >>> rec = ConversationRecognizer()
    >>> s = rec.process_turns([("A", "This is a disaster."), ("B", "Why, what happened?")]).summary
    >>> s["n_turns"], s["n_speakers"]
    (2, 2)
    """
    base = {"modality": "conversation", "model": model, "mode": mode}
    if frame.empty:
        return base | {"n_turns": 0, "n_dialogues": 0, "n_speakers": 0, "label": None}
    overall = _group(frame, space, labels)
    scores = frame[[f"{space}:{lab}" for lab in labels]].mean()
    speakers = {str(k): _group(g, space, labels) for k, g in frame.groupby("track", sort=False)}
    dialogues = {}
    for k, g in frame.groupby("dialogue", sort=False):
        d = _group(g, space, labels)
        d["speakers"] = list(dict.fromkeys(g["track"]))
        dialogues[str(k)] = d
    summary = base | {
        "n_turns": len(frame),
        "n_dialogues": len(dialogues),
        "n_speakers": len(speakers),
        **overall,
        "confidence": round(float(scores.max()), 4),
        "scores": {lab: round(float(scores[f"{space}:{lab}"]), 4) for lab in labels},
        "n_changed_by_context": int((frame["label"] != frame["label_without_context"]).sum()),
        "speakers": speakers,
        "dialogues": dialogues,
    }
    summary["rationale"] = _rationale(summary)
    return summary


def _rationale(s: dict[str, Any]) -> str:
    parts = [
        f"{s['label']} leads over {s['n_turns']} turn(s) by {s['n_speakers']} speaker(s)"
        f" (dominant: {', '.join(s['dominant'])})."
    ]
    for name, sp in list(s["speakers"].items())[:4]:
        parts.append(f"{name}: mostly {', '.join(sp['dominant'])}, valence {sp['valence_trend']}.")
    if s["n_shifts"]:
        parts.append(f"{s['n_shifts']} emotion shift(s).")
    if s["n_changed_by_context"]:
        parts.append(f"Context changed the reading of {s['n_changed_by_context']} turn(s).")
    if s["peak"]:
        p = s["peak"]
        parts.append(
            f'Strongest: {p["speaker"]}, turn {p["turn"]}, {p["label"]} (p={p["confidence"]:.2f}): "{p["text"]}".'
        )
    return " ".join(parts)
