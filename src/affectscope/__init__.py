"""affectscope: read human emotion from text (and, soon, speech, faces, video, music and body signals).

Importing the package is cheap: heavy modules (pandas, onnxruntime, tokenizers) load on first use.

Examples
--------
>>> import affectscope
>>> affectscope.analyze("What a lovely surprise!").summary["label"] in {"joy", "surprise"}
True
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AffectscopeError",
    "ConversationRecognizer",
    "Result",
    "TextRecognizer",
    "__version__",
    "analyze",
    "analyze_conversation",
    "get_bundle",
    "list_models",
]

_LAZY = {
    "analyze": "affectscope.api",
    "analyze_conversation": "affectscope.api",
    "ConversationRecognizer": "affectscope.conversation",
    "Result": "affectscope.result",
    "TextRecognizer": "affectscope.recognizers.text",
    "AffectscopeError": "affectscope.errors",
    "get_bundle": "affectscope.models",
    "list_models": "affectscope.models",
}

if TYPE_CHECKING:  # pragma: no cover
    from affectscope.api import analyze, analyze_conversation
    from affectscope.conversation import ConversationRecognizer
    from affectscope.errors import AffectscopeError
    from affectscope.models import get_bundle, list_models
    from affectscope.recognizers.text import TextRecognizer
    from affectscope.result import Result


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'affectscope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
