"""Dataset adapters: read a benchmark folder exactly as the dataset is published.

Each adapter turns a folder (or file) plus a split name into :class:`EvalData`: the items to feed a model, the
targets in one of affectscope's label spaces, and how the dataset's own labels were mapped (documented in the
table of each adapter and in ``docs/evaluation.md``). A folder that does not look like the dataset, a split the
dataset does not have, or a label the adapter does not know is an :class:`~affectscope.errors.InputError` naming
what was expected.

Text adapters so far: ``goemotions``, ``carer``, ``isear``, ``semeval2018-ec``, ``emobank``; conversation
transcripts ``meld``, ``emorynlp``, ``iemocap`` (scored per utterance); speech ``ravdess``, ``tess``,
``emodb``, ``savee``, ``crema-d`` (with its crowd votes and demographics when there), ``esd``, ``urdu``
(scored with the speech recognizer); faces ``fer2013``, ``ckplus``; music ``music-4q``; wearable physiology
``stress-predict``; your own EEG recordings ``eeg`` (a labels table). Every modality is scored with its
recognizer.

Examples
--------
>>> sorted(ADAPTERS)  # doctest: +NORMALIZE_WHITESPACE
['carer', 'ckplus', 'crema-d', 'csv', 'eeg', 'emobank', 'emodb', 'emorynlp', 'esd', 'fer2013', 'goemotions',
 'iemocap', 'isear', 'meld', 'music-4q', 'ravdess', 'savee', 'semeval2018-ec', 'stress-predict', 'tess', 'urdu']
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from affectscope.errors import ConfigError, InputError
from affectscope.evaluate.datasets.base import SPLITS, EvalData
from affectscope.evaluate.datasets.conversation import load_emorynlp, load_iemocap, load_meld
from affectscope.evaluate.datasets.eeg import EEG_ADAPTERS
from affectscope.evaluate.datasets.media import MEDIA_ADAPTERS
from affectscope.evaluate.datasets.physio import PHYSIO_ADAPTERS
from affectscope.evaluate.datasets.speech import SPEECH_ADAPTERS
from affectscope.evaluate.datasets.text import (
    load_carer,
    load_csv,
    load_emobank,
    load_goemotions,
    load_isear,
    load_semeval,
)

__all__ = ["ADAPTERS", "SPLITS", "EvalData", "load_dataset"]

ADAPTERS: dict[str, Callable[..., EvalData]] = {
    "goemotions": load_goemotions,
    "carer": load_carer,
    "isear": load_isear,
    "semeval2018-ec": load_semeval,
    "emobank": load_emobank,
    "meld": load_meld,
    "emorynlp": load_emorynlp,
    "iemocap": load_iemocap,
    "csv": load_csv,
    **SPEECH_ADAPTERS,
    **MEDIA_ADAPTERS,
    **PHYSIO_ADAPTERS,
    **EEG_ADAPTERS,
}


def load_dataset(
    name: str, path: str | Path, *, split: str = "test", labels: str | None = None, **options: Any
) -> EvalData:
    """Read a dataset split through its adapter.

    Parameters
    ----------
    name : str
        Adapter name (see :data:`ADAPTERS`).
    path : str or path-like
        The dataset folder (or file, for single-file datasets) as published.
    split : {"train", "dev", "test", "all"}
        Which split.
    labels : str, optional
        Label space to score in (adapter default when omitted).
    **options
        Adapter options (``csv``: ``text_column``, ``label_column``, ``split_column``).

    Returns
    -------
    EvalData

    Examples
    --------
    >>> load_dataset("sst", ".")
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'dataset' parameter must be one of ['carer', 'ckplus', 'crema-d', 'csv', 'eeg', 'emobank', 'emodb', 'emorynlp', 'esd', 'fer2013', 'goemotions', 'iemocap', 'isear', 'meld', 'music-4q', 'ravdess', 'savee', 'semeval2018-ec', 'stress-predict', 'tess', 'urdu']. Got 'sst' instead.
    """  # noqa: E501
    if name not in ADAPTERS:
        raise ConfigError(f"The 'dataset' parameter must be one of {sorted(ADAPTERS)}. Got {name!r} instead.")
    listed = name == "fer2013" and ".json:" in split  # a file list (e.g. a deduplicated held-out part)
    grouped = {**SPEECH_ADAPTERS, **PHYSIO_ADAPTERS, **EEG_ADAPTERS}  # splits by speaker or subject ids
    if split not in SPLITS and name not in grouped and not listed:
        raise ConfigError(f"The 'split' parameter must be one of {list(SPLITS)}. Got {split!r} instead.")
    data = ADAPTERS[name](Path(path), split, labels, **options)
    if len(data) == 0:
        raise InputError(f"{name}: split {split!r} in {path} holds no items.")
    return data
