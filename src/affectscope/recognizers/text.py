"""Text emotion recognition: GoEmotions-28, Ekman-7 and valence/arousal/dominance from one forward pass.

The default model (``text-minilm-goemotions``) is all-MiniLM-L6-v2 fine-tuned by us on GoEmotions and
EmoBank, exported to int8 ONNX; see its ``MODEL_CARD.md``. Inference needs only ``onnxruntime`` and
``tokenizers``.

Examples
--------
>>> rec = TextRecognizer()
>>> r = rec.process_text("I am furious. What a lovely surprise!")
>>> list(r.frame["label"])
['anger', 'surprise']
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd

from affectscope._cancel import check_cancelled
from affectscope.errors import InputError, ModelError
from affectscope.explain import row_rationales
from affectscope.media.language import (
    UNDETERMINED,
    dominant_language,
    identify_language,
    language_note,
    preload_language_model,
)
from affectscope.media.text import TextSegment, iter_segments, validate_options
from affectscope.recognizers.base import Recognizer, onnx_session
from affectscope.result import INDEX_NAMES, Result

__all__ = ["TextRecognizer"]

_VAD = ("valence", "arousal", "dominance")


class TextRecognizer(Recognizer):
    """Recognise emotion in text, sentence by sentence.

    Parameters
    ----------
    model : str or path-like, optional
        Registry name or bundle folder (default: the default text model).
    batch_size : int
        Sentences per forward pass (default 64).
    num_threads : int, optional
        CPU threads for ONNX Runtime (default: all cores).
    segment : {"sentence", "line"}
        How documents are split into rows.
    max_chars : int
        Longest segment in characters; longer sentences are cut at white space.
    encoding : str
        Encoding of files and bytes (default UTF-8).
    evidence : bool
        Fill the ``evidence`` column with the words that drove each row's label, by occlusion
        (:func:`affectscope.explain.word_evidence`; costs one extra pass per word, so ``False`` is several times
        faster on long corpora — the column then says that evidence was not computed).

    Examples
    --------
    >>> rec = TextRecognizer(batch_size=8)
    >>> p = rec.predict(["I am so sad.", "I am so happy!"])
    >>> bool(p["vad"][1, 0] > p["vad"][0, 0])
    True
    """

    modality = "text"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        batch_size: int = 64,
        num_threads: int | None = None,
        segment: str = "sentence",
        max_chars: int = 512,
        encoding: str = "utf-8",
        evidence: bool = True,
    ) -> None:
        super().__init__(model, batch_size=batch_size, num_threads=num_threads)
        validate_options(segment=segment, max_chars=max_chars, encoding=encoding)
        preload_language_model()  # the language identifier unpacks while the model below loads
        self.evidence = bool(evidence)
        self.segment = segment
        self.max_chars = max_chars
        self.encoding = encoding
        from tokenizers import Tokenizer

        tokenizer_file = self.bundle.file("tokenizer")
        try:
            self.tokenizer_ = Tokenizer.from_file(str(tokenizer_file))
        except Exception as exc:  # tokenizers raises a bare Exception on a corrupt file
            raise ModelError(f"Could not load the tokenizer of model '{self.bundle.name}': {exc}") from exc
        self.tokenizer_.no_padding()
        self.tokenizer_.enable_truncation(max_length=int(self.bundle.extra.get("max_tokens", 128)))
        self.session_ = onnx_session(self.bundle.file("onnx"), num_threads=num_threads)
        self.heads_ = self.bundle.heads
        self.labels_ = {h["space"]: list(h["labels"]) for h in self.heads_.values() if "labels" in h}
        self.thresholds_ = {s: np.asarray(t, dtype=np.float32) for s, t in self.bundle.extra["thresholds"].items()}
        for space, cal in self.calibrators_.items():  # thresholds move with the (monotone) calibration
            if space in self.thresholds_:
                self.thresholds_[space] = cal.transform(self.thresholds_[space][None])[0]
        self.primary_ = self.bundle.extra["primary_space"]
        self.multi_ = self.bundle.extra["multi_label_space"]

    # --- preprocess → forward → postprocess -------------------------------------------------------------------
    def preprocess(self, items: Sequence[str]) -> dict[str, np.ndarray]:
        """Tokenise a batch of texts and pad it to its longest member.

        Parameters
        ----------
        items : sequence of str
            Texts, one model input each.

        Returns
        -------
        dict
            ``input_ids`` and ``attention_mask``, int64 arrays of shape (batch, tokens).

        Examples
        --------
        >>> TextRecognizer().preprocess(["hi", "hello there"])["input_ids"].shape
        (2, 4)
        """
        enc = self.tokenizer_.encode_batch(list(items))
        n = max(len(e.ids) for e in enc)
        ids = np.zeros((len(enc), n), dtype=np.int64)
        mask = np.zeros((len(enc), n), dtype=np.int64)
        for i, e in enumerate(enc):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        return {"input_ids": ids, "attention_mask": mask}

    def forward(self, inputs: dict[str, np.ndarray], *, extra: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
        """Run the ONNX model; returns one array per head output name (plus the ``extra`` graph outputs).

        Examples
        --------
        >>> rec = TextRecognizer()
        >>> sorted(rec.forward(rec.preprocess(["ok"])))
        ['ekman', 'goemotions', 'vad']
        """
        names = [h["output"] for h in self.heads_.values()] + list(extra)
        try:
            outs = self.session_.run(names, inputs)
        except Exception as exc:
            raise ModelError(f"Model '{self.bundle.name}' failed on a batch: {exc}") from exc
        return dict(zip(names, outs, strict=True))

    def postprocess(self, outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Map head outputs to label-space keys: ``{space: (n, labels) probabilities, "vad": (n, 3)}``.

        Examples
        --------
        >>> rec = TextRecognizer()
        >>> out = rec.postprocess(rec.forward(rec.preprocess(["ok"])))
        >>> out["goemotions28"].shape, out["vad"].shape
        ((1, 28), (1, 3))
        """
        out = {h["space"]: outputs[h["output"]].astype(np.float32) for h in self.heads_.values()}
        for space, cal in self.calibrators_.items():
            out[space] = cal.transform(out[space])
        return out

    def predict(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Return raw scores for a list of texts (each text is one model input, truncated to the token limit).

        Texts are sorted by length before batching to minimise padding; outputs are in input order.

        Parameters
        ----------
        texts : sequence of str
            Texts, one model input each.

        Returns
        -------
        dict
            ``{"goemotions28": (n, 28), "ekman7": (n, 7), "vad": (n, 3)}``.

        Examples
        --------
        >>> TextRecognizer().predict(["Thank you so much!"])["goemotions28"].shape
        (1, 28)
        """
        texts = list(texts)
        result: dict[str, np.ndarray] = {}
        for sel, out, _ in self._batches(texts):
            for k, v in self.postprocess(out).items():
                if k not in result:
                    result[k] = np.empty((len(texts), v.shape[1]), dtype=np.float32)
                result[k][sel] = v
        return result

    def _batches(
        self, texts: list[str], *, extra: tuple[str, ...] = ()
    ) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]]:
        """Run the model on ``texts`` in length-sorted batches; yield ``(positions, outputs, attention_mask)``.

        ``extra`` names further graph outputs to fetch (the conversation model reads ``"hidden"``, the token
        states after the fourth encoder layer).
        """
        if not texts:
            raise InputError("predict() needs at least one text.")
        if not all(isinstance(t, str) for t in texts):
            raise InputError("predict() takes a sequence of str.")
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        order = np.argsort(lengths, kind="stable")
        for b in range(0, len(order), self.batch_size):
            check_cancelled()
            sel = order[b : b + self.batch_size]
            inputs = self.preprocess([texts[i] for i in sel])
            yield sel, self.forward(inputs, extra=extra), inputs["attention_mask"]

    def decide(self, probs: np.ndarray, *, space: str | None = None) -> list[list[str]]:
        """Multi-label decisions: labels whose probability reaches their tuned threshold (else the top label).

        Parameters
        ----------
        probs : ndarray of shape (n, labels)
            Probabilities, columns in the order of the space's labels.
        space : str, optional
            Label space of ``probs`` (default: the model's multi-label space, GoEmotions-28).

        Returns
        -------
        list of list of str
            Labels per row, most probable first.

        Examples
        --------
        >>> rec = TextRecognizer()
        >>> rec.decide(rec.predict(["Thank you so much!"])["goemotions28"])[0][0]
        'gratitude'
        """
        space = space or self.multi_
        labels, th = self.labels_[space], self.thresholds_[space]
        out = []
        for row in np.asarray(probs):
            on = np.flatnonzero(row >= th)
            on = on[np.argsort(-row[on])] if on.size else np.array([int(np.argmax(row))])
            out.append([labels[i] for i in on])
        return out

    # --- process_* ------------------------------------------------------------------------------------------
    def _frame(self, segments: Iterable[TextSegment]) -> pd.DataFrame:
        parts = []
        it = iter(segments)
        while chunk := list(islice(it, self.batch_size * 16)):
            parts.append(self._rows(chunk))
        return self._frame_or_empty(parts)

    def _rows(self, segs: list[TextSegment]) -> pd.DataFrame:
        pred = self.predict([s.text for s in segs])
        primary = pred[self.primary_]
        cols: dict[str, Any] = {
            "modality": "text",
            "track": "main",
            "text": [s.text for s in segs],
            "label": [self.labels_[self.primary_][i] for i in primary.argmax(1)],
            "labels": [",".join(x) for x in self.decide(pred[self.multi_])],
            "confidence": primary.max(1),
        }
        for space in (self.primary_, self.multi_):
            for j, lab in enumerate(self.labels_[space]):
                cols[f"{space}:{lab}"] = pred[space][:, j]
        for j, dim in enumerate(_VAD):
            cols[dim] = pred["vad"][:, j]
        if self.evidence:
            from affectscope.explain import word_evidence

            cols["evidence"] = [e.describe() for e in word_evidence(self, [s.text for s in segs])]
        else:
            cols["evidence"] = "not computed (evidence=False)"
        index = pd.MultiIndex.from_arrays(
            [[s.source for s in segs], [s.start for s in segs], [s.end for s in segs]], names=INDEX_NAMES
        )
        frame = pd.DataFrame(cols, index=index)
        frame["rationale"] = row_rationales(frame)
        # The model reads English: every row names its language, and a row in another language says so.
        languages = [identify_language(s.text)[0] for s in segs]
        frame["language"] = languages
        frame["note"] = [language_note(code, modality="text") for code in languages]
        return frame

    def summarize(self, frame: pd.DataFrame) -> dict[str, Any]:
        """Summarise segment rows: character-weighted mean scores, fused label, VAD and a rationale.

        ``label`` is the arg-max of the character-weighted mean Ekman-7 probabilities (``scores``: independent
        multi-label probabilities, which need not sum to 1; ``distribution``: the same rescaled to sum to 1, as
        fusion reads text); ``labels`` lists the
        GoEmotions labels decided in at least one segment, ordered by ``label_shares`` (the share of the
        characters of the input whose segment carries the label). ``language`` is the language of most of
        the characters (ISO 639-1, ``"und"`` when no segment's language could be told; then the joined text
        is identified); when it is not English, ``note`` says that the scores may be unreliable.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows produced by this recognizer.

        Returns
        -------
        dict

        Examples
        --------
        >>> rec = TextRecognizer()
        >>> rec.summarize(rec.process_text("Thank you so much!").frame)["labels"][0]
        'gratitude'
        """
        if frame.empty:
            return {"modality": "text", "model": self.bundle.name, "n_segments": 0, "label": None}
        start = frame.index.get_level_values("start").to_numpy()
        end = frame.index.get_level_values("end").to_numpy()
        w = np.maximum(end - start, 1).astype(np.float64)
        w /= w.sum()
        scores = {}
        for space in (self.primary_, self.multi_):
            cols = [f"{space}:{lab}" for lab in self.labels_[space]]
            scores[space] = dict(
                zip(self.labels_[space], (frame[cols].to_numpy().T @ w).round(4).tolist(), strict=True)
            )
        primary = scores[self.primary_]
        label = max(primary, key=primary.get)
        # The multi-label scores are independent sigmoids (they need not sum to 1): a single-label distribution
        # over the same labels, as fusion reads text rows, for users who need one that sums to 1.
        total = sum(primary.values()) or 1.0
        distribution = {k: round(v / total, 4) for k, v in primary.items()}
        # GoEmotions labels decided in any segment, by the share of characters they cover.
        share: dict[str, float] = {}
        for decided, wi in zip(frame["labels"], w, strict=True):
            for lab in decided.split(","):
                share[lab] = share.get(lab, 0.0) + float(wi)
        share = {k: round(v, 4) for k, v in sorted(share.items(), key=lambda kv: -kv[1])}
        vad = {d: round(float(frame[d].to_numpy() @ w), 4) for d in _VAD}
        out = {
            "modality": "text",
            "model": self.bundle.name,
            "n_segments": len(frame),
            "n_sources": int(frame.index.get_level_values("source").nunique()),
            "label": label,
            "labels": list(share),
            "label_shares": share,
            "confidence": round(primary[label], 4),
            **vad,
            "scores": scores,
            "distribution": distribution,
            "rationale": _rationale(frame, label, self.primary_),
            "language": _summary_language(frame, w),
        }
        note = language_note(out["language"], modality="text")
        if note:
            out["note"] = note
        return out

    def process_text(self, text: Any, *, source: str | None = None) -> Result:
        """Analyse a text (``str``, bytes, file object or dict) sentence by sentence.

        Parameters
        ----------
        text : str, bytes, file object or dict
            The text itself (a ``str`` is never taken as a path; use :meth:`process_file`).
        source : str, optional
            Name of the input in the result index (default ``"text"``).

        Returns
        -------
        Result

        Examples
        --------
        >>> r = TextRecognizer().process_text("I can't believe you did this again.")
        >>> r.frame.index[0] == ("text", 0, 35)
        True
        """
        frame = self._frame(self._segments(text, source=source))
        return Result(frame, self.summarize(frame))

    def process_file(
        self, file: str | os.PathLike[str], *, start: float | None = None, end: float | None = None
    ) -> Result:
        """Analyse a text file, streamed sentence by sentence.

        Parameters
        ----------
        file : path-like
            A text file (UTF-8 unless ``encoding`` was given).
        start, end : int, optional
            Keep only segments inside these character offsets.

        Returns
        -------
        Result

        Examples
        --------
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
        >>> _ = f.write_text("Great news today! But I miss you.", encoding="utf-8")
        >>> len(TextRecognizer().process_file(f))
        2
        """
        from pathlib import Path

        segs: Iterator[TextSegment] = self._segments(Path(file))
        if start is not None or end is not None:
            lo, hi = self._span(start, end, floor=0)
            segs = (s for s in segs if s.start >= lo and s.end <= hi)
        frame = self._frame(segs)
        if frame.empty:
            raise InputError(f"No text in {file} between characters {start} and {end}.")
        return Result(frame, self.summarize(frame))

    def _segments(self, obj: Any, *, source: str | None = None) -> Iterator[TextSegment]:
        return iter_segments(obj, source=source, segment=self.segment, encoding=self.encoding, max_chars=self.max_chars)

    def _frame_or_empty(self, frames: list[pd.DataFrame]) -> pd.DataFrame:
        if len(frames) == 1:
            return frames[0]
        if frames:
            return pd.concat(frames)
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))

    def _combine(self, frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, Any]]:
        frame = self._frame_or_empty(frames)
        return frame, self.summarize(frame)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Ray Data / batch-engine entry: add score columns to a batch that has a ``text`` column.

        Each text is one model input (no sentence splitting), so rows map one to one.

        Parameters
        ----------
        batch : dict
            Column name → sequence; must hold ``"text"``.

        Returns
        -------
        dict
            The input columns plus ``label``, ``labels``, ``confidence``, ``<space>:<label>`` and VAD columns.

        Examples
        --------
        >>> out = TextRecognizer()({"text": ["I am terrified.", "Thanks!"]})
        >>> list(out["label"])
        ['fear', 'joy']
        """
        if "text" not in batch:
            raise InputError(f"The batch needs a 'text' column; it has {sorted(batch)}.")
        texts = [str(t) for t in batch["text"]]
        out = dict(batch)
        frame = self._rows([TextSegment("batch", 0, len(t), t) for t in texts]).reset_index(drop=True)
        for col in frame.columns.drop(["modality", "track", "text"]):
            out[col] = frame[col].to_numpy()
        return out


def _summary_language(frame: pd.DataFrame, weights: np.ndarray) -> str:
    """Language of most of the characters; when no row's language is known, that of the joined text."""
    if "language" not in frame.columns:  # rows made before rows had a language
        codes = [identify_language(t)[0] for t in frame["text"]]
    else:
        codes = list(frame["language"])
    code = dominant_language(codes, weights)
    if code == UNDETERMINED:  # short lines, each too short to tell: together they may be enough
        code = identify_language(" ".join(str(t) for t in frame["text"])[:2000])[0]
    return code


def _rationale(frame: pd.DataFrame, label: str, space: str) -> str:
    col = f"{space}:{label}"
    n_lean = int((frame["label"] == label).sum())
    top = frame[col].idxmax()
    snippet = frame.loc[top, "text"]
    snippet = snippet if len(snippet) <= 80 else snippet[:77] + "..."
    cues = ""
    if "evidence" in frame.columns and frame.loc[top, "label"] == label and frame.loc[top, "evidence"]:
        cues = f"; cued by {frame.loc[top, 'evidence']}"
    return (
        f"{label} leads (mean p={frame[col].mean():.2f}); {n_lean} of {len(frame)} segment(s) lean {label}; "
        f'strongest: "{snippet}" (chars {top[1]}-{top[2]}){cues}.'
    )
