"""Facial expression per detected face, in photos and over time in videos.

The recognizer is :class:`~affectscope.recognizers.face.recognizer.FaceRecognizer`;
its parts: detection (:mod:`.detect`), landmarks and blendshapes (:mod:`.landmarks`), alignment (:mod:`.align`),
tracking (:mod:`.tracking`).

Examples
--------
>>> from affectscope.recognizers.face import FaceRecognizer
>>> FaceRecognizer.modality
'face'
"""

from affectscope.recognizers.face.recognizer import (
    ACTION_COLUMNS,
    CROP_MAX_SIDE,
    FACE_CROP_MODES,
    FaceRecognizer,
    looks_like_crop,
)

__all__ = ["ACTION_COLUMNS", "CROP_MAX_SIDE", "FACE_CROP_MODES", "FaceRecognizer", "looks_like_crop"]
