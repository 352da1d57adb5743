"""Face detection, 478 landmarks, 52 blendshapes and head pose, offline, through MediaPipe Tasks.

:class:`FaceMesher` wraps MediaPipe's Face Landmarker (BlazeFace short-range detector + face mesh + blendshape
head) loaded from the ``face_landmarker.task`` file shipped in the face model bundle — nothing is downloaded.
It runs in image mode; following faces through a video is done around it
(:class:`~affectscope.recognizers.face.detect.FaceFinder`). :data:`ACTIONS` turns the ARKit-style blendshapes
into a few named facial actions (FACS action units in words), the cues users read and explanations cite.
"""

from __future__ import annotations

import contextlib
import math
import os
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from affectscope.errors import DependencyError, InputError, ModelError

__all__ = ["ACTIONS", "FaceMesh", "FaceMesher", "actions_from_blendshapes"]

#: Facial action → (FACS action unit, blendshapes averaged). Intensities are in [0, 1].
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "smile": ("AU12 lip corner puller", ("mouthSmileLeft", "mouthSmileRight")),
    "cheek_raiser": ("AU6 cheek raiser", ("cheekSquintLeft", "cheekSquintRight")),
    "brow_lowerer": ("AU4 brow lowerer", ("browDownLeft", "browDownRight")),
    "brow_raiser": ("AU1+2 inner and outer brow raiser", ("browInnerUp", "browOuterUpLeft", "browOuterUpRight")),
    "lip_corner_depressor": ("AU15 lip corner depressor", ("mouthFrownLeft", "mouthFrownRight")),
    "nose_wrinkler": ("AU9 nose wrinkler", ("noseSneerLeft", "noseSneerRight")),
    "lip_press": ("AU24 lip pressor", ("mouthPressLeft", "mouthPressRight")),
    "lip_stretcher": ("AU20 lip stretcher", ("mouthStretchLeft", "mouthStretchRight")),
    "jaw_drop": ("AU26 jaw drop", ("jawOpen",)),
    "eye_widening": ("AU5 upper lid raiser", ("eyeWideLeft", "eyeWideRight")),
    "eye_closure": ("AU43 eyes closed", ("eyeBlinkLeft", "eyeBlinkRight")),
}


@dataclass(frozen=True)
class FaceMesh:
    """One detected face.

    Attributes
    ----------
    landmarks : ndarray of shape (478, 3)
        x, y in pixels of the analysed image; z in the same scale as x (relative depth).
    blendshapes : dict of str to float
        The 52 blendshape scores in [0, 1].
    box : tuple of float
        ``(x, y, width, height)`` in pixels: the landmarks' bounding box.
    pose : tuple of float
        Head ``(yaw, pitch, roll)`` in degrees (0, 0, 0 = facing the camera).
    """

    landmarks: np.ndarray
    blendshapes: dict[str, float]
    box: tuple[float, float, float, float]
    pose: tuple[float, float, float]


def actions_from_blendshapes(blendshapes: dict[str, float]) -> dict[str, float]:
    """Return the named facial-action intensities of :data:`ACTIONS` from blendshape scores.

    Parameters
    ----------
    blendshapes : dict of str to float
        MediaPipe blendshape name → score.

    Returns
    -------
    dict of str to float

    Examples
    --------
    >>> actions_from_blendshapes({"mouthSmileLeft": 0.9, "mouthSmileRight": 0.7})["smile"]
    0.8
    """
    out = {}
    for name, (_, keys) in ACTIONS.items():
        vals = [blendshapes.get(k, 0.0) for k in keys]
        out[name] = round(float(np.mean(vals)) if name != "brow_raiser" else float(max(vals[0], np.mean(vals[1:]))), 4)
    return out


def _pose(matrix: np.ndarray) -> tuple[float, float, float]:
    """Yaw, pitch, roll in degrees from MediaPipe's 4×4 facial transformation matrix."""
    r = np.asarray(matrix, dtype=float)[:3, :3]
    r = r / np.linalg.norm(r, axis=0, keepdims=True)
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -r[2, 0]))))
    pitch = math.degrees(math.atan2(r[2, 1], r[2, 2]))
    roll = math.degrees(math.atan2(r[1, 0], r[0, 0]))
    return round(yaw, 1), round(pitch, 1), round(roll, 1)


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence the C++ (absl/glog, TFLite) start-up chatter MediaPipe writes straight to file descriptor 2."""
    try:
        fd = os.dup(2)
    except OSError:  # pragma: no cover - no stderr
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(fd, 2)
        os.close(fd)


class FaceMesher:
    """MediaPipe Face Landmarker on RGB arrays: faces with landmarks, blendshapes, box and pose.

    Parameters
    ----------
    task_file : path-like
        ``face_landmarker.task`` (shipped in the face bundle).
    max_faces : int
        Most faces returned per image.
    min_confidence : float
        Detection and presence threshold in (0, 1).

    Examples
    --------
    >>> from affectscope.models import get_bundle
    >>> import numpy as np
    >>> with FaceMesher(get_bundle("face-cnn-fer").file("landmarker")) as mesher:
    ...     mesher.detect(np.zeros((64, 64, 3), np.uint8))
    []
    """

    def __init__(
        self,
        task_file: str | os.PathLike[str],
        *,
        max_faces: int = 5,
        min_confidence: float = 0.5,
    ) -> None:
        try:
            import mediapipe as mp
            from mediapipe.tasks.python import BaseOptions, vision
        except ImportError as exc:
            raise DependencyError("Face analysis needs MediaPipe: pip install 'affectscope[face]'.") from exc
        self._mp = mp
        opts = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(Path(task_file))),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=max_faces,
            min_face_detection_confidence=min_confidence,
            min_face_presence_confidence=min_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        try:
            with _quiet_stderr():
                self._landmarker: Any = vision.FaceLandmarker.create_from_options(opts)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"Could not load the face landmarker {task_file}: {exc}") from exc
        # closed on close(), on garbage collection, or at interpreter exit before MediaPipe's modules are torn down
        self._finalizer = weakref.finalize(self, _close_quietly, self._landmarker)

    def detect(self, rgb: np.ndarray) -> list[FaceMesh]:
        """Detect faces in one RGB uint8 image.

        Parameters
        ----------
        rgb : ndarray of shape (height, width, 3)
            uint8 RGB.

        Returns
        -------
        list of FaceMesh
            Largest face first.
        """
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise InputError(f"Expected an RGB uint8 array (h, w, 3); got {rgb.dtype} {rgb.shape}.")
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        res = self._landmarker.detect(image)
        h, w = rgb.shape[:2]
        faces = []
        for k, marks in enumerate(res.face_landmarks):
            pts = np.array([[p.x * w, p.y * h, p.z * w] for p in marks], dtype=np.float32)
            x0, y0 = pts[:, :2].min(0)
            x1, y1 = pts[:, :2].max(0)
            shapes = {c.category_name: float(c.score) for c in res.face_blendshapes[k]} if res.face_blendshapes else {}
            pose = _pose(res.facial_transformation_matrixes[k]) if res.facial_transformation_matrixes else (0, 0, 0)
            box = (float(x0), float(y0), float(x1 - x0), float(y1 - y0))
            faces.append(FaceMesh(pts, shapes, box, pose))
        faces.sort(key=lambda f: -f.box[2] * f.box[3])
        return faces

    def close(self) -> None:
        """Release the MediaPipe graph (also done on ``with`` exit and garbage collection)."""
        self._finalizer()

    def __enter__(self) -> FaceMesher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _close_quietly(landmarker: Any) -> None:
    try:
        landmarker.close()
    except Exception:  # at interpreter exit MediaPipe's executor is already gone: the OS frees the graph
        landmarker._handle = None  # stops MediaPipe's own __del__ from retrying and printing a traceback
