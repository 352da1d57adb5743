"""Speech emotion recognition: voice segments, voice emotion, prosody and what was said.

The recognizer is :class:`~affectscope.recognizers.speech.recognizer.SpeechRecognizer`;
its parts: prosody (:mod:`.prosody`), Whisper transcription and encoder states (:mod:`.whisper`).

Examples
--------
>>> from affectscope.recognizers.speech import SpeechRecognizer
>>> SpeechRecognizer.modality
'speech'
"""

from affectscope.recognizers.speech.recognizer import SpeechRecognizer

__all__ = ["SpeechRecognizer"]
