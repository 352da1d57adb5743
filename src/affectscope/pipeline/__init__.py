"""One analysis pipeline behind every entry point: a spec, content detection and a router.

* :class:`AnalysisSpec` — what to analyse and how, validated once, JSON-serialisable;
* :func:`detect` — what an input is, from its content;
* :func:`run` — (input, spec) → :class:`~affectscope.Result` through a :class:`RecognizerCache`.

Examples
--------
>>> from affectscope.pipeline import AnalysisSpec, run
>>> run("I can't stop smiling today.", AnalysisSpec(evidence=False)).summary["label"]
'joy'
"""

from affectscope.pipeline.detect import Detection, detect
from affectscope.pipeline.router import RecognizerCache, build_recognizer, default_cache, describe, route, run
from affectscope.pipeline.spec import MODALITIES, MODEL_ROLES, AnalysisSpec

__all__ = [
    "MODALITIES",
    "MODEL_ROLES",
    "AnalysisSpec",
    "Detection",
    "RecognizerCache",
    "build_recognizer",
    "default_cache",
    "describe",
    "detect",
    "route",
    "run",
]
