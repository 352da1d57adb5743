"""Stress from wearables: P(stress) per 60-s window, judged against the wearer's own recording.

The recognizer is :class:`~affectscope.recognizers.physio.recognizer.PhysioRecognizer`;
its parts: window features (:mod:`.features`), the exported head (:mod:`.head`), context over windows
(:mod:`.sequence`).

Examples
--------
>>> from affectscope.recognizers.physio import PhysioRecognizer
>>> PhysioRecognizer.modality
'physio'
"""

from affectscope.recognizers.physio.recognizer import PhysioRecognizer

__all__ = ["PhysioRecognizer"]
