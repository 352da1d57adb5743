"""Music emotion: Russell quadrant, valence and arousal per window and for the whole track.

The recognizer is :class:`~affectscope.recognizers.music.recognizer.MusicRecognizer`;
its parts: musical features (:mod:`.features`).

Examples
--------
>>> from affectscope.recognizers.music import MusicRecognizer
>>> MusicRecognizer.modality
'music'
"""

from affectscope.recognizers.music.recognizer import MOODS, MusicRecognizer

__all__ = ["MOODS", "MusicRecognizer"]
