"""The conversation recognizer: the emotion of every turn, read in the context of the turns around it.

One pass of the shared text encoder (the default text model, ``text-minilm-goemotions``) gives each turn its
context-free text scores and its token states after encoder layer 4; the conversation bundle then runs

1. ``utterance`` — its own fine-tuned copies of encoder layers 5-6 over those states, pooled and joined with the
   text scores into one vector per turn;
2. ``context`` — a speaker-aware transformer over the turns of a dialogue: each turn attends to up to ``past``
   preceding and (offline) ``future`` following turns, with a learned bias for "same speaker as me" versus
   "someone else" at each distance (emotional inertia versus contagion).

Long dialogues are processed block by block with a sliding context, so memory does not grow with the length of
a conversation; the results equal those of one pass over the whole dialogue. :class:`ConversationStream`
analyses a live chat one turn at a time with past context only.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby, islice
from typing import Any

import numpy as np
import pandas as pd

from affectscope._cancel import check_cancelled
from affectscope.conversation.summary import mark_shifts, summarize_conversation
from affectscope.conversation.turns import as_turns, turns_from_result
from affectscope.errors import ConfigError, InputError, ModelError
from affectscope.explain import row_rationales
from affectscope.media.dialogue import DialogueReader, Turn
from affectscope.media.text import fold_punctuation
from affectscope.recognizers.base import Recognizer, onnx_session
from affectscope.recognizers.text import TextRecognizer
from affectscope.result import INDEX_NAMES, Result

__all__ = ["MODES", "ConversationRecognizer", "ConversationStream"]

MODES = ("offline", "streaming")
_VAD = ("valence", "arousal", "dominance")


class ConversationRecognizer(Recognizer):
    """Recognise the emotion of each turn of a conversation, in context, per speaker.

    Parameters
    ----------
    model : str or path-like, optional
        Registry name or bundle folder of a conversation model (default: ``conversation-minilm-context``).
    mode : {"offline", "streaming"}
        ``"offline"`` reads each turn with the turns before *and after* it (a finished transcript);
        ``"streaming"`` with the turns before it only (what a live chat allows).
    batch_size : int
        Turns per text-encoder pass.
    num_threads : int, optional
        CPU threads for ONNX Runtime (default: all cores).
    block : int
        Turns analysed together inside one dialogue (memory is bounded by ``block`` + context, whatever the
        length of the dialogue).
    encoding : str
        Encoding of dialogue files.
    evidence : bool
        Make the ``evidence`` column name the other turn whose removal lowers the turn's label most (occlusion of
        context turns; about ten extra passes of the small context model per turn). Otherwise it says how the turn
        reads alone and whether the context changed that.

    Examples
    --------
    >>> rec = ConversationRecognizer()
    >>> r = rec.process_turns([("Ann", "I got the job!"), ("Bob", "No way! Congratulations!")])
    >>> list(r.frame["track"])
    ['Ann', 'Bob']
    >>> r.frame["label"].iloc[0]
    'joy'
    """

    modality = "conversation"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        mode: str = "offline",
        batch_size: int = 64,
        num_threads: int | None = None,
        block: int = 256,
        encoding: str = "utf-8",
        evidence: bool = False,
    ) -> None:
        super().__init__(model, batch_size=batch_size, num_threads=num_threads)
        self.evidence = bool(evidence)
        if mode not in MODES:
            raise ConfigError(
                f"The 'mode' parameter of ConversationRecognizer must be one of {list(MODES)}. Got {mode!r} instead."
            )
        if not isinstance(block, int) or isinstance(block, bool) or block < 1:
            raise ConfigError(f"The 'block' parameter of ConversationRecognizer must be an int >= 1. Got {block!r}.")
        self.mode = mode
        self.block = block
        self.encoding = encoding
        extra = self.bundle.extra
        try:
            self.past_ = int(extra["past"])
            self.future_ = int(extra["future"]) if mode == "offline" else 0
            # Each context layer widens what a turn depends on by past/future turns: a block of turns must carry
            # layers x past turns before it and layers x future after it to match one pass over the dialogue.
            layers = int(extra["context_layers"])
            self.dim_ = int(extra["dim"])
            self.text_outputs_ = list(extra["text_outputs"])
            text_model = extra["text_model"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"Model '{self.bundle.name}' has an incomplete bundle.json: {exc!r}.") from exc
        self.reach_past_, self.reach_future_ = layers * self.past_, layers * self.future_
        self.text_ = TextRecognizer(text_model, batch_size=batch_size, num_threads=num_threads)
        self.utterance_session_ = onnx_session(self.bundle.file("utterance"), num_threads=num_threads)
        self.context_session_ = onnx_session(self.bundle.file("context"), num_threads=num_threads)
        self.heads_ = self.bundle.heads
        self.labels_ = {h["space"]: list(h["labels"]) for h in self.heads_.values()}
        self.primary_ = extra.get("primary_space", "ekman7")

    # --- preprocess → forward → postprocess -------------------------------------------------------------------
    def preprocess(self, items: Sequence[Any]) -> dict[str, np.ndarray]:
        """Encode a window of turns: utterance vectors, speaker codes and the text model's own scores.

        Parameters
        ----------
        items : sequence of Turn or (speaker, text)
            Consecutive turns of one dialogue.

        Returns
        -------
        dict
            ``utterances`` (n, dim), ``speakers`` (n,) int64 and the text model's ``text:<space>`` scores.

        Examples
        --------
        >>> rec = ConversationRecognizer()
        >>> rec.preprocess([("A", "hi"), ("B", "hello"), ("A", "bye")])["speakers"].tolist()
        [0, 1, 0]
        """
        turns, _ = as_turns(items)
        if not turns:
            raise InputError("preprocess() needs at least one non-empty turn.")
        codes: dict[str, int] = {}
        speakers = np.array([codes.setdefault(t.speaker, len(codes)) for t in turns], dtype=np.int64)
        return {"speakers": speakers, **self._encode([t.text for t in turns])}

    def _encode(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Shared encoder pass → utterance vectors plus the text model's context-free scores."""
        utts = np.empty((len(texts), self.dim_), dtype=np.float32)
        text: dict[str, np.ndarray] = {}
        texts = [fold_punctuation(t) or "." for t in texts]
        for sel, out, mask in self.text_._batches(texts, extra=("hidden",)):
            scores = np.concatenate([out[name] for name in self.text_outputs_], axis=1).astype(np.float32)
            try:
                (vec,) = self.utterance_session_.run(
                    ["utterance"], {"hidden": out["hidden"], "attention_mask": mask, "text_scores": scores}
                )
            except Exception as exc:
                raise ModelError(f"Model '{self.bundle.name}' failed on a batch of utterances: {exc}") from exc
            utts[sel] = vec
            for space, v in self.text_.postprocess(out).items():
                text.setdefault(f"text:{space}", np.empty((len(texts), v.shape[1]), np.float32))[sel] = v
        return {"utterances": utts, **text}

    def forward(self, inputs: dict[str, np.ndarray], *, future: int | None = None) -> dict[str, np.ndarray]:
        """Run the context model over a window of encoded turns; returns one probability array per head.

        Examples
        --------
        >>> rec = ConversationRecognizer()
        >>> out = rec.forward(rec.preprocess([("A", "I hate this."), ("B", "Calm down.")]))
        >>> out["ekman7"].shape
        (2, 7)
        """
        future = self.future_ if future is None else future
        names = [h["output"] for h in self.heads_.values()]
        feed = {
            "utterances": inputs["utterances"][None].astype(np.float32),
            "speakers": inputs["speakers"][None].astype(np.int64),
            "future": np.array(future, dtype=np.int64),
        }
        try:
            outs = self.context_session_.run(names, feed)
        except Exception as exc:
            raise ModelError(f"Model '{self.bundle.name}' failed on a dialogue window: {exc}") from exc
        return {name: o[0] for name, o in zip(names, outs, strict=True)}

    def postprocess(self, outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Map head outputs to label-space keys (``{"ekman7": (n, 7), "emorynlp7": ..., "iemocap6": ...}``).

        Examples
        --------
        >>> rec = ConversationRecognizer()
        >>> sorted(rec.postprocess(rec.forward(rec.preprocess([("A", "ok")]))))
        ['ekman7', 'emorynlp7', 'iemocap6']
        """
        out = {h["space"]: outputs[h["output"]].astype(np.float32) for h in self.heads_.values()}
        for space, cal in self.calibrators_.items():
            out[space] = cal.transform(out[space])
        return out

    def predict(self, turns: Sequence[Any]) -> dict[str, np.ndarray]:
        """Context-aware probabilities for the turns of one dialogue (any length; processed block by block).

        Parameters
        ----------
        turns : sequence of Turn, (speaker, text) tuples or dicts
            The dialogue, in order.

        Returns
        -------
        dict
            Per label space of the model, ``(n, labels)`` probabilities; plus the text model's context-free
            scores under ``text:<space>``.

        Examples
        --------
        >>> p = ConversationRecognizer().predict([("A", "You lied to me!"), ("B", "I'm so sorry.")])
        >>> p["ekman7"].shape, p["text:goemotions28"].shape
        ((2, 7), (2, 28))
        """
        turns_, _ = as_turns(turns)
        if not turns_:
            raise InputError("predict() needs at least one non-empty turn.")
        parts = list(self._windows(iter(turns_)))
        return {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}

    # --- the sliding window -----------------------------------------------------------------------------------
    def _windows(self, turns: Iterator[Turn]) -> Iterator[tuple[list[Turn], dict[str, np.ndarray]]]:
        """Yield ``(turns, outputs)`` for consecutive blocks of one dialogue, each read with its full context."""
        past, future = self.reach_past_, self.reach_future_
        codes: dict[str, int] = {}
        context: deque[tuple[np.ndarray, int, Turn]] = deque(maxlen=past)
        pending: list[Turn] = []
        pending_enc: dict[str, np.ndarray] = {}
        exhausted = False
        while not exhausted:
            check_cancelled()
            chunk = list(islice(turns, self.block))
            exhausted = len(chunk) < self.block
            if chunk:
                enc = self._encode([t.text for t in chunk])
                enc["speakers"] = np.array([codes.setdefault(t.speaker, len(codes)) for t in chunk], np.int64)
                pending.extend(chunk)
                pending_enc = {k: np.concatenate([pending_enc[k], v]) if pending_enc else v for k, v in enc.items()}
            n_final = len(pending) if exhausted else len(pending) - future
            if n_final <= 0:
                continue
            n_ctx = len(context)
            ctx_u = np.array([c[0] for c in context], np.float32).reshape(n_ctx, self.dim_)
            ctx_s = np.array([c[1] for c in context], np.int64)
            window = {
                "utterances": np.concatenate([ctx_u, pending_enc["utterances"]]),
                "speakers": np.concatenate([ctx_s, pending_enc["speakers"]]),
            }
            probs = self.postprocess(self.forward(window))
            out = {k: v[n_ctx : n_ctx + n_final] for k, v in probs.items()}
            out |= {k: v[:n_final] for k, v in pending_enc.items() if k.startswith("text:")}
            if self.evidence:
                turns_w = [c[2] for c in context] + pending
                out["evidence"] = self._context_evidence(window, probs, turns_w, range(n_ctx, n_ctx + n_final))
            yield pending[:n_final], out
            for u, s, t in zip(
                pending_enc["utterances"][:n_final], pending_enc["speakers"][:n_final], pending[:n_final], strict=True
            ):
                context.append((u, int(s), t))
            pending = pending[n_final:]
            pending_enc = {k: v[n_final:] for k, v in pending_enc.items()}

    def _context_evidence(
        self, window: dict[str, np.ndarray], probs: dict[str, np.ndarray], turns: list[Turn], targets: range
    ) -> list[str]:
        """For each target turn, the other turn (within its attention window) whose removal lowers its label most."""
        primary = probs[self.primary_]
        out = []
        n = len(turns)
        for i in targets:
            k = int(primary[i].argmax())
            best, best_j = 0.0, -1
            for j in range(max(0, i - self.past_), min(n, i + self.future_ + 1)):
                if j == i:
                    continue
                keep = np.arange(n) != j
                reduced = {"utterances": window["utterances"][keep], "speakers": window["speakers"][keep]}
                p = self.postprocess(self.forward(reduced))[self.primary_][i - (j < i), k]
                if primary[i, k] - p > best:
                    best, best_j = float(primary[i, k] - p), j
            if best_j < 0:
                out.append("no other turn supports it; read alone")
                continue
            t = turns[best_j]
            text = t.text if len(t.text) <= 60 else t.text[:57] + "..."
            out.append(f'{t.speaker}, turn {t.index}: "{text}" ({best:+.2f})')
        return out

    # --- rows -------------------------------------------------------------------------------------------------
    def _rows(self, turns: list[Turn], out: dict[str, np.ndarray], source: str) -> pd.DataFrame:
        labels = self.labels_[self.primary_]
        probs = out[self.primary_]
        text_primary = out[f"text:{self.text_.primary_}"]
        text_labels = self.text_.labels_[self.text_.primary_]
        timed = [not (math.isnan(t.start) or math.isnan(t.end)) for t in turns]
        cols: dict[str, Any] = {
            "modality": "conversation",
            "track": [t.speaker for t in turns],
            "text": [t.text for t in turns],
            "dialogue": [t.dialogue_id for t in turns],
            "turn": np.array([t.index for t in turns], dtype=np.int64),
            "label": [labels[i] for i in probs.argmax(1)],
            "labels": [",".join(x) for x in self.text_.decide(out[f"text:{self.text_.multi_}"])],
            "confidence": probs.max(1),
            "label_without_context": [text_labels[i] for i in text_primary.argmax(1)],
        }
        for j, lab in enumerate(labels):
            cols[f"{self.primary_}:{lab}"] = probs[:, j]
        multi = self.text_.multi_
        for j, lab in enumerate(self.text_.labels_[multi]):
            cols[f"{multi}:{lab}"] = out[f"text:{multi}"][:, j]
        for j, dim in enumerate(_VAD):
            cols[dim] = out["text:vad"][:, j]
        if "evidence" in out:
            cols["evidence"] = out["evidence"]
        else:  # the cheap cue: how the turn reads alone, and whether its context changed that
            alone = text_primary.max(1)
            cols["evidence"] = [
                f"alone it reads {a} ({p:.2f})" + ("; context agrees" if a == lab else f"; context makes it {lab}")
                for a, p, lab in zip(cols["label_without_context"], alone, cols["label"], strict=True)
            ]
        start = [t.start if ok else float(t.index) for t, ok in zip(turns, timed, strict=True)]
        end = [t.end if ok else float(t.index + 1) for t, ok in zip(turns, timed, strict=True)]
        sources = [source if t.dialogue_id == "dialogue" else f"{source}#{t.dialogue_id}" for t in turns]
        index = pd.MultiIndex.from_arrays([sources, start, end], names=INDEX_NAMES)
        frame = pd.DataFrame(cols, index=index)
        frame["rationale"] = row_rationales(frame)
        return frame

    def _frame(self, turns: Iterable[Turn], source: str) -> pd.DataFrame:
        parts = []
        for _, dialogue in groupby(turns, key=lambda t: t.dialogue_id):
            rows = [self._rows(ts, out, source) for ts, out in self._windows(dialogue)]
            parts.append(mark_shifts(pd.concat(rows) if len(rows) > 1 else rows[0]))
        if not parts:
            return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))
        return pd.concat(parts) if len(parts) > 1 else parts[0]

    def summarize(self, frame: pd.DataFrame) -> dict[str, Any]:
        """Summarise turn rows: overall, per speaker and per dialogue (see :func:`summarize_conversation`).

        Examples
        --------
        >>> rec = ConversationRecognizer()
        >>> s = rec.summarize(rec.process_turns([("A", "I love it!"), ("B", "Me too!")]).frame)
        >>> sorted(s["speakers"])
        ['A', 'B']
        """
        return summarize_conversation(
            frame, model=self.bundle.name, mode=self.mode, space=self.primary_, labels=self.labels_[self.primary_]
        )

    # --- process_* ------------------------------------------------------------------------------------------
    def process_turns(self, turns: Any, *, source: str = "dialogue") -> Result:
        """Analyse a conversation held in memory.

        Parameters
        ----------
        turns : sequence or DataFrame
            ``(speaker, text)`` tuples, dicts, :class:`~affectscope.media.dialogue.Turn` objects or a DataFrame
            with ``speaker`` and ``text`` columns (optional ``start``, ``end``, ``dialogue_id``).
        source : str
            Name of the input in the result index.

        Returns
        -------
        Result
            One row per non-empty turn; ``summary["skipped_turns"]`` counts empty turns.

        Examples
        --------
        >>> r = ConversationRecognizer().process_turns([("A", "hi"), ("B", "")])
        >>> len(r), r.summary["skipped_turns"]
        (1, 1)
        """
        valid, skipped = as_turns(turns)
        if not valid:
            raise InputError(f"The conversation has no non-empty turn ({skipped} empty turn(s) skipped).")
        frame = self._frame(_by_dialogue(lambda: iter(valid)), source)
        return Result(frame, self.summarize(frame) | {"skipped_turns": skipped})

    def process_file(
        self,
        file: str | os.PathLike[str],
        *,
        start: float | None = None,
        end: float | None = None,
        fmt: str | None = None,
    ) -> Result:
        """Analyse a dialogue file (CSV/TSV, JSONL, JSON or a ``Speaker: text`` transcript), streamed.

        Parameters
        ----------
        file : path-like
            The conversation; see :class:`~affectscope.media.dialogue.DialogueReader` for the formats.
        start, end : float, optional
            Keep only rows inside this span (seconds when the file has times, else turn numbers); turns
            outside it still serve as context.
        fmt : str, optional
            Format, when the suffix does not tell.

        Returns
        -------
        Result

        Examples
        --------
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "chat.txt"
        >>> _ = f.write_text("Ann: We lost the case." + chr(10) + "Bob: Oh no, I'm so sorry." + chr(10))
        >>> ConversationRecognizer().process_file(f).frame["track"].tolist()
        ['Ann', 'Bob']
        """
        reader = DialogueReader(file, fmt=fmt, encoding=self.encoding)
        frame = self._frame(_by_dialogue(lambda: iter(reader)), str(file))
        if frame.empty:
            raise InputError(f"{file} holds no non-empty turn ({reader.skipped} empty turn(s) skipped).")
        if start is not None or end is not None:
            lo, hi = self._span(start, end)
            s = frame.index.get_level_values("start")
            e = frame.index.get_level_values("end")
            frame = frame[(s >= lo) & (e <= hi)]
            if frame.empty:
                raise InputError(f"No turn of {file} lies between {start} and {end}.")
        return Result(frame, self.summarize(frame) | {"skipped_turns": reader.skipped})

    def process_result(self, result: Result) -> Result:
        """Analyse the transcript of a speech or video result as a conversation.

        Parameters
        ----------
        result : Result
            From :class:`~affectscope.SpeechRecognizer` or :class:`~affectscope.VideoRecognizer` (with
            transcripts or subtitles).

        Returns
        -------
        Result
            Conversation rows, indexed by the result's source and segment times.

        Examples
        --------
        >>> import pandas as pd
        >>> from affectscope.result import INDEX_NAMES
        >>> idx = pd.MultiIndex.from_tuples([("a.wav", 0.0, 2.0), ("a.wav", 2.5, 4.0)], names=INDEX_NAMES)
        >>> speech = Result(pd.DataFrame({"modality": "speech", "track": "main",
        ...     "text": ["I passed!", "That's great."]}, index=idx), {})
        >>> ConversationRecognizer().process_result(speech).frame["track"].unique().tolist()
        ['speaker']
        """
        turns = turns_from_result(result)
        source = str(result.frame.index.get_level_values("source")[0])
        frame = self._frame(
            [Turn("dialogue", t.index, t.speaker, t.text, t.start, t.end, t.line) for t in turns], source
        )
        return Result(frame, self.summarize(frame) | {"skipped_turns": 0})

    def stream(self) -> ConversationStream:
        """Start a live conversation analysed one turn at a time with past context only.

        Examples
        --------
        >>> live = ConversationRecognizer().stream()
        >>> live.add("Ann", "I got the job!")["label"]
        'joy'
        """
        return ConversationStream(self)

    def _combine(self, frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, Any]]:
        frame = pd.concat(frames) if frames else self._frame([], "")
        return frame, self.summarize(frame)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Batch-engine entry: summarise every dialogue file of ``batch["path"]``.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
        >>> _ = f.write_text("A: Thank you so much!" + chr(10))
        >>> ConversationRecognizer()({"path": [f]})["label"]
        ['joy']
        """
        return self._summarize_paths(batch, ("label", "confidence", "n_turns", "n_speakers", "n_shifts"))


class ConversationStream:
    """A live conversation: :meth:`add` one turn at a time, read with the turns before it only.

    Memory stays bounded: the stream keeps the encoded context window, not the conversation.
    Use :meth:`ConversationRecognizer.stream` to create one.

    Parameters
    ----------
    recognizer : ConversationRecognizer
        The recognizer whose models the stream uses.
    source : str
        Name of the conversation in returned rows.

    Examples
    --------
    >>> live = ConversationRecognizer().stream()
    >>> _ = live.add("Ann", "My dog died this morning.")
    >>> row = live.add("Bob", "Oh no. I'm so sorry.")
    >>> row["label"], row["turn"]
    ('sadness', 1)
    """

    def __init__(self, recognizer: ConversationRecognizer, *, source: str = "stream") -> None:
        self.recognizer = recognizer
        self.source = source
        self._codes: dict[str, int] = {}
        self._context: deque[tuple[np.ndarray, int]] = deque(maxlen=recognizer.reach_past_ + 1)
        self._last_label: dict[str, str] = {}
        self.n_turns = 0

    def add(self, speaker: str, text: str, *, start: float | None = None, end: float | None = None) -> dict[str, Any]:
        """Analyse the next turn; return its row (the columns of :class:`ConversationRecognizer` rows).

        Parameters
        ----------
        speaker : str
            Who spoke.
        text : str
            What was said (must not be empty).
        start, end : float, optional
            Times in seconds.

        Returns
        -------
        dict
            The row, with ``source``, ``start`` and ``end`` keys added.

        Raises
        ------
        InputError
            Empty speaker or text.
        """
        turns, _ = as_turns([(speaker, text, start, end)])
        if not turns:
            raise InputError("A streamed turn needs non-empty text.")
        turn = Turn("dialogue", self.n_turns, turns[0].speaker, turns[0].text, turns[0].start, turns[0].end)
        rec = self.recognizer
        enc = rec._encode([turn.text])
        code = self._codes.setdefault(turn.speaker, len(self._codes))
        self._context.append((enc["utterances"][0], code))
        window = {
            "utterances": np.stack([c[0] for c in self._context]),
            "speakers": np.array([c[1] for c in self._context], np.int64),
        }
        probs = rec.postprocess(rec.forward(window, future=0))
        out = {k: v[-1:] for k, v in probs.items()} | {k: v for k, v in enc.items() if k.startswith("text:")}
        row = rec._rows([turn], out, self.source)
        previous = self._last_label.get(turn.speaker)
        label = row["label"].iloc[0]
        row["shift"] = previous is not None and previous != label
        row["shift_from"] = previous if previous is not None and previous != label else None
        self._last_label[turn.speaker] = label
        self.n_turns += 1
        (source, s, e), values = next(iter(row.to_dict("index").items()))
        return {"source": source, "start": s, "end": e, **values}


def _by_dialogue(make_turns: Any) -> Iterator[Turn]:
    """Yield turns with each dialogue's turns together, in order of first appearance.

    ``make_turns()`` returns a fresh iterator. A first pass reads only the dialogue ids; when every dialogue is one
    contiguous run (the usual case) the second pass streams, so memory stays bounded. Interleaved dialogues
    (e.g. several chat channels logged by time) are grouped in memory.
    """
    order: dict[str, None] = {}
    previous, contiguous = None, True
    for t in make_turns():
        if t.dialogue_id != previous:
            if t.dialogue_id in order:
                contiguous = False
                break
            order[t.dialogue_id] = None
            previous = t.dialogue_id
    if contiguous:
        yield from make_turns()
        return
    groups: dict[str, list[Turn]] = {}
    for t in make_turns():
        groups.setdefault(t.dialogue_id, []).append(t)
    for turns in groups.values():
        yield from turns
