"""The interface every recognizer implements, whatever the modality.

Each recognizer follows audinterface's ``Process`` shape (``process_file``, ``process_files``,
``process_folder`` and a modality-specific ``process_<signal>``, all returning a :class:`~affectscope.Result`)
and the transformers pipelines' split into ``preprocess → forward → postprocess``. It is also a Ray Data
callable class: heavy setup happens in ``__init__`` and ``__call__(batch)`` maps a batch (dict of columns) to
a batch, so local and distributed code paths are one.
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from affectscope.errors import AffectscopeError, ConfigError, DependencyError, InputError, ModelError
from affectscope.models import ModelBundle, resolve_model

if TYPE_CHECKING:  # pragma: no cover
    from affectscope.result import Result

__all__ = ["Recognizer", "onnx_session"]


def onnx_session(path: Path, *, num_threads: int | None) -> Any:
    """Open an ONNX Runtime CPU session with a fixed thread count (shared ``forward`` set-up).

    Parameters
    ----------
    path : pathlib.Path
        ONNX file.
    num_threads : int or None
        Intra-op threads; ``None`` lets ONNX Runtime use every core.

    Returns
    -------
    onnxruntime.InferenceSession
    """
    try:
        import onnxruntime as ort
    except ImportError as exc:  # pragma: no cover - a base dependency
        raise DependencyError("onnxruntime is required: pip install onnxruntime") from exc
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = num_threads or 0
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for corrupt files
        raise ModelError(f"Could not load the ONNX model {path}: {exc}") from exc


class Recognizer(ABC):
    """Base class of all recognizers.

    Parameters
    ----------
    model : str or path-like, optional
        Registry name or bundle folder; the modality's default model when omitted.
    batch_size : int
        Items per forward pass.
    num_threads : int, optional
        CPU threads for inference (all cores when omitted).
    """

    modality: ClassVar[str]

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        batch_size: int = 64,
        num_threads: int | None = None,
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ConfigError(
                f"The 'batch_size' parameter of {type(self).__name__} must be an int >= 1. Got {batch_size!r} instead."
            )
        if num_threads is not None and (not isinstance(num_threads, int) or num_threads < 1):
            raise ConfigError(
                f"The 'num_threads' parameter of {type(self).__name__} must be an int >= 1 or None. "
                f"Got {num_threads!r} instead."
            )
        self.bundle: ModelBundle = resolve_model(self.modality, model)
        if self.bundle.modality != self.modality:
            raise ConfigError(
                f"Model '{self.bundle.name}' is a {self.bundle.modality} model; {type(self).__name__} needs a "
                f"{self.modality} model: one of {_names(self.modality)}."
            )
        self.batch_size = batch_size
        self.num_threads = num_threads
        self.calibrators_ = _calibrators(self.bundle)

    # --- the three stages -------------------------------------------------------------------------------------
    @abstractmethod
    def preprocess(self, items: Sequence[Any]) -> dict[str, np.ndarray]:
        """Turn a batch of normalised items into model inputs."""

    @abstractmethod
    def forward(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the model on prepared inputs and return raw head outputs."""

    @abstractmethod
    def postprocess(self, outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Turn raw outputs into per-item columns (probabilities, VAD, decisions)."""

    # --- the uniform process_* interface ----------------------------------------------------------------------
    @abstractmethod
    def process_file(
        self, file: str | os.PathLike[str], *, start: float | None = None, end: float | None = None
    ) -> Result:
        """Process one file (optionally only ``[start, end)``) and return a Result."""

    def process_files(self, files: Iterable[str | os.PathLike[str]]) -> Result:
        """Process many files; a file that fails is recorded in ``Result.failures`` and the rest go on.

        Parameters
        ----------
        files : iterable of path-like
            Files to process.

        Returns
        -------
        Result
            All segments of all files that succeeded; ``failures`` lists the others.
        """
        from affectscope.result import Result

        frames, failures = [], []
        for f in files:
            try:
                frames.append(self.process_file(f).frame)
            except AffectscopeError as exc:
                failures.append({"source": str(f), "error": type(exc).__name__, "message": str(exc)})
        return Result(*self._combine(frames), failures=failures)

    def process_folder(self, root: str | os.PathLike[str], *, pattern: str = "*", recursive: bool = False) -> Result:
        """Process every file in a folder matching ``pattern`` (sorted), like :meth:`process_files`.

        Parameters
        ----------
        root : path-like
            Folder.
        pattern : str
            Glob pattern, e.g. ``"*.txt"``.
        recursive : bool
            Search sub-folders too.

        Returns
        -------
        Result
        """
        folder = Path(root)
        if not folder.is_dir():
            raise InputError(f"{folder} is not a folder.")
        files = sorted(p for p in (folder.rglob(pattern) if recursive else folder.glob(pattern)) if p.is_file())
        if not files:
            raise InputError(f"No files matching {pattern!r} in {folder}.")
        return self.process_files(files)

    def _summarize_paths(self, batch: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        """Batch-engine helper: add the summary fields ``keys`` (plus ``error``) of every file in ``batch["path"]``.

        A file that fails gets ``None`` fields and its error message; the batch goes on.
        """
        if "path" not in batch:
            raise InputError(f"The batch needs a 'path' column; it has {sorted(batch)}.")
        out: dict[str, list[Any]] = {k: [] for k in (*keys, "error")}
        for p in batch["path"]:
            try:
                s = self.process_file(p).summary
                row = {k: s.get(k) for k in keys} | {"error": None}
            except AffectscopeError as exc:
                row = dict.fromkeys(keys) | {"error": str(exc)}
            for k, v in row.items():
                out[k].append(v)
        return {**batch, **out}

    @staticmethod
    def _span(start: float | None, end: float | None, *, floor: float = -math.inf) -> tuple[float, float]:
        """Validate a ``process_file`` span; return ``(lo, hi)`` with open ends filled (``floor`` / infinity)."""
        lo = floor if start is None else start
        hi = math.inf if end is None else end
        if hi <= lo:
            raise ConfigError(f"'end' must be greater than 'start'. Got start={start}, end={end}.")
        return lo, hi

    @abstractmethod
    def _combine(self, frames: list) -> tuple[Any, dict[str, Any]]:
        """Concatenate per-file frames and summarise them: return ``(frame, summary)``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.bundle.name!r}, batch_size={self.batch_size})"


def _calibrators(bundle: ModelBundle) -> dict[str, Any]:
    """Fitted confidence calibrators stored in ``bundle.json`` under ``calibration`` (label space → dict)."""
    stored = bundle.extra.get("calibration") or {}
    if not stored:
        return {}
    from affectscope.calibration import TemperatureScaling

    try:
        return {space: TemperatureScaling.from_dict(d) for space, d in stored.items()}
    except ConfigError as exc:
        raise ModelError(f"Model '{bundle.name}' has an invalid 'calibration' entry: {exc}") from exc


def _names(modality: str) -> list[str]:
    from affectscope.models import list_models

    return list_models(modality=modality)
