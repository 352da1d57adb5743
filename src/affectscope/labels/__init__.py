"""Emotion label spaces, mappings between them, and valence-arousal-dominance coordinates.

Everything here is data-driven: label spaces, mappings and VAD coordinates are JSON files in
``affectscope/labels/data``, read lazily on first use. Importing this package loads neither numpy nor
pandas. See ``docs/labels.md`` for every space, mapping and source.

Examples
--------
>>> from affectscope.labels import convert, get_space, list_spaces, russell_quadrant, vad_of
>>> "goemotions28" in list_spaces()
True
>>> get_space("ekman7").labels
('anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'neutral')
>>> convert({"grief": 0.9, "remorse": 0.4}, source="goemotions28", target="ekman7")["sadness"].tolist()
[0.9]
>>> russell_quadrant(*vad_of("sadness", space="ekman7")[:2])
'q3_sad'
"""

from __future__ import annotations

from affectscope.labels.mapping import LabelMapping, convert, get_mapping, list_mappings
from affectscope.labels.spaces import LabelSpace, get_space, list_spaces
from affectscope.labels.vad import expected_vad, russell_quadrant, vad_of

__all__ = [
    "LabelMapping",
    "LabelSpace",
    "convert",
    "expected_vad",
    "get_mapping",
    "get_space",
    "list_mappings",
    "list_spaces",
    "russell_quadrant",
    "vad_of",
]
