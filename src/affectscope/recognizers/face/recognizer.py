"""Facial expression per detected face, in photos and over time in videos.

Pipeline (``preprocess → forward → postprocess`` as every recognizer):

1. :class:`~affectscope.recognizers.face.landmarks.FaceMesher` (MediaPipe Face Landmarker, shipped in the bundle)
   finds faces, 478 landmarks, 52 blendshapes and head pose; :class:`~affectscope.recognizers.face.detect.FaceFinder`
   runs it on overlapping tiles so small faces in large frames are found too, and follows faces from frame to
   frame;
2. :func:`~affectscope.recognizers.face.align.align_face` warps each face into the 48×48 grey frame of the
   training images (a similarity transform onto landmark positions measured on FER2013);
3. the expression CNN (ONNX, trained by us on FER2013) scores the face and its mirror image; the mean of the
   two softmaxes gives Ekman-7 probabilities, and their expected valence/arousal/dominance;
4. blendshapes become named facial actions (smile, brow lowerer, ...) — evidence users can check.

Small images in which no face is detected — face crops such as FER2013's 48×48 images, on which the detector's
smallest face size rules a face out — are read as **one aligned face** covering the image (``face_crop="auto"``,
rows flagged ``crop``; see :data:`CROP_MAX_SIDE` and ``docs/faces.md``).

In videos, frames are decoded as a stream at the analysis rate (:func:`~affectscope.media.video.iter_frames`)
and :class:`~affectscope.recognizers.face.tracking.FaceTracker` gives each person a stable ``track`` id.

Examples
--------
>>> from skimage import data
>>> r = FaceRecognizer(num_threads=1).process_image(data.astronaut(), source="astronaut")
>>> len(r), r.frame["label"].iloc[0], r.frame["track"].iloc[0]
(1, 'joy', 'face1')
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from affectscope._cancel import check_cancelled
from affectscope._validation import check_int, check_number, check_span
from affectscope.errors import ConfigError, InputError
from affectscope.explain import face_evidence
from affectscope.recognizers.base import Recognizer, onnx_session
from affectscope.recognizers.face.align import align_face, crop_input, to_grey
from affectscope.recognizers.face.detect import FaceFinder
from affectscope.recognizers.face.landmarks import ACTIONS, FaceMesh, FaceMesher, actions_from_blendshapes
from affectscope.recognizers.face.tracking import FaceTracker, appearance
from affectscope.result import INDEX_NAMES, Result

__all__ = ["ACTION_COLUMNS", "CROP_MAX_SIDE", "FACE_CROP_MODES", "FaceRecognizer", "looks_like_crop"]
_VAD = ("valence", "arousal", "dominance")
_BOX = ("box_x", "box_y", "box_w", "box_h")
_POSE = ("yaw", "pitch", "roll")
ACTION_COLUMNS = tuple(f"action:{a}" for a in ACTIONS)
#: How a still image may be read as one aligned face crop (``FaceRecognizer(face_crop=...)``).
FACE_CROP_MODES = ("auto", "always", "never")
#: ``face_crop="auto"``: images whose sides are all in [CROP_MIN_SIDE, CROP_MAX_SIDE] pixels (and at most
#: :data:`CROP_MAX_ASPECT` times longer than wide) are read as a face crop when no face is detected in them. 128
#: covers FER2013 and CK+48 (48 px) and RAF-DB's aligned faces (100 px); larger photos keep detection only.
CROP_MAX_SIDE = 128
CROP_MIN_SIDE = 24
CROP_MAX_ASPECT = 1.5
_CROP_MIN_CONTRAST = 2.0  # grey standard deviation: a flat image is no face
_CROP_FILL = 0.5  # a landmarked face counts as the crop's face when its box spans half the image's shorter side
NO_ACTIONS = "face crop: no landmarks found, facial actions and head pose not available"


def looks_like_crop(pixels: np.ndarray) -> bool:
    """Whether ``face_crop="auto"`` may read an image as one aligned face crop (size, shape and contrast).

    Parameters
    ----------
    pixels : ndarray of shape (height, width[, 3])
        The image.

    Returns
    -------
    bool
        True for images with both sides in [24, 128] pixels, at most 1.5 times longer than wide, and not flat.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> looks_like_crop(rng.integers(0, 255, (48, 48, 3), dtype=np.uint8))
    True
    >>> looks_like_crop(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)), looks_like_crop(np.zeros((48, 48)))
    (False, False)
    """
    h, w = pixels.shape[:2]
    if not (min(h, w) >= CROP_MIN_SIDE and max(h, w) <= CROP_MAX_SIDE and max(h, w) <= CROP_MAX_ASPECT * min(h, w)):
        return False
    return float(np.asarray(pixels, dtype=np.float32).std()) >= _CROP_MIN_CONTRAST


class FaceRecognizer(Recognizer):
    """Recognise facial expressions: one row per detected face (per analysed frame in videos).

    Parameters
    ----------
    model : str or path-like, optional
        Registry name or bundle folder (default ``face-cnn-fer``).
    max_faces : int
        Most faces analysed per image or frame (largest first), in [1, 100].
    min_face_size : int
        Smallest face looked for, in pixels, in [8, 4096] (the larger side of its landmark box); the expression
        model was trained on 48-pixel faces, and smaller ones carry little expression. Smaller values scan more
        tiles.
    min_confidence : float
        Face detection threshold in (0, 1).
    fps : float
        Video analysis rate (frames per second), in (0, 60].
    scan_every : float
        Video: seconds between full-frame scans for new faces (known faces are followed on every frame).
    batch_size : int
        Faces per forward pass of the expression model.
    num_threads : int, optional
        CPU threads of the expression model (all cores when omitted).
    face_crop : {"auto", "always", "never"}
        Still images only (videos always detect): ``"auto"`` reads a small image (see :func:`looks_like_crop`) in
        which no face is detected as one aligned face crop covering the image (FER2013 / CK+ style), its row
        flagged ``crop=True``; ``"always"`` reads every image so, without detection; ``"never"`` only detects.

    Examples
    --------
    >>> import numpy as np
    >>> r = FaceRecognizer(num_threads=1).process_image(np.full((64, 64, 3), 200, np.uint8))
    >>> len(r), r.summary["note"]
    (0, 'no face detected')
    >>> from PIL import Image
    >>> from skimage import data
    >>> crop = Image.fromarray(data.astronaut()[60:184, 164:288]).convert("L").resize((48, 48))  # FER2013-style
    >>> r = FaceRecognizer(num_threads=1).process_image(crop)  # too small for detection: read as a face crop
    >>> len(r), bool(r.frame["crop"].iloc[0]), r.frame["label"].iloc[0], float(r.frame["box_w"].iloc[0])
    (1, True, 'joy', 48.0)
    >>> len(FaceRecognizer(num_threads=1, face_crop="never").process_image(crop))
    0
    """

    modality = "face"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        max_faces: int = 5,
        min_face_size: int = 48,
        min_confidence: float = 0.5,
        fps: float = 5.0,
        scan_every: float = 2.0,
        batch_size: int = 64,
        num_threads: int | None = None,
        face_crop: str = "auto",
    ) -> None:
        if not isinstance(face_crop, str) or face_crop not in FACE_CROP_MODES:
            raise ConfigError(
                f"The 'face_crop' parameter of FaceRecognizer must be one of {list(FACE_CROP_MODES)}. "
                f"Got {repr(face_crop)[:40]} instead."
            )
        super().__init__(model, batch_size=batch_size, num_threads=num_threads)
        max_faces = check_int(max_faces, name="max_faces", func="FaceRecognizer", low=1, high=100)
        min_face_size = check_int(min_face_size, name="min_face_size", func="FaceRecognizer", low=8, high=4096)
        min_confidence = check_number(
            min_confidence, name="min_confidence", func="FaceRecognizer", low=0, high=1, low_open=True, high_open=True
        )
        fps = check_number(fps, name="fps", func="FaceRecognizer", low=0, high=60, low_open=True)
        scan_every = check_number(scan_every, name="scan_every", func="FaceRecognizer", low=0, high=3600)
        self.max_faces = max_faces
        self.min_face_size = min_face_size
        self.min_confidence = float(min_confidence)
        self.fps = float(fps)
        self.scan_every = float(scan_every)
        self.face_crop = face_crop
        head = self.bundle.heads["emotion"]
        self.space_: str = head["space"]
        self.labels_: list[str] = list(head["labels"])
        align = self.bundle.extra["align"]
        self._indices = np.asarray(align["indices"], dtype=int)
        self._template = np.asarray(align["template"], dtype=np.float64)
        self._size = int(align["size"])
        self._session = onnx_session(self.bundle.file("onnx"), num_threads=num_threads)
        from affectscope.labels.vad import coordinate_matrix

        self._vad_matrix = coordinate_matrix(self.space_)
        self._image_mesher: FaceMesher | None = None

    # --- the three stages -------------------------------------------------------------------------------------
    def preprocess(self, items: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        """Scale aligned 48×48 grey crops (uint8) to the model input ``(n, 1, 48, 48)`` in [-1, 1].

        Parameters
        ----------
        items : sequence of ndarray (48, 48)
            Aligned grey face crops.

        Returns
        -------
        dict
            ``{"faces": ndarray}``.
        """
        x = np.asarray(items, dtype=np.float32)
        if x.ndim != 3 or x.shape[1:] != (self._size, self._size):
            raise InputError(f"Expected face crops of shape (n, {self._size}, {self._size}); got {x.shape}.")
        return {"faces": (x / 127.5 - 1.0)[:, None]}

    def forward(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the expression CNN on the faces and their mirror images; return both logits.

        Parameters
        ----------
        inputs : dict
            Output of :meth:`preprocess`.

        Returns
        -------
        dict
            ``{"logits": (n, 7), "logits_mirror": (n, 7)}``.
        """
        x = inputs["faces"]
        out, mirror = [], []
        for i in range(0, len(x), self.batch_size):
            xb = x[i : i + self.batch_size]
            both = np.concatenate([xb, xb[..., ::-1]])
            logits = self._session.run(["logits"], {"faces": np.ascontiguousarray(both)})[0]
            out.append(logits[: len(xb)])
            mirror.append(logits[len(xb) :])
        empty = np.zeros((0, len(self.labels_)), np.float32)
        return {
            "logits": np.concatenate(out) if out else empty,
            "logits_mirror": np.concatenate(mirror) if mirror else empty,
        }

    def postprocess(self, outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Average the two softmaxes; add expected valence/arousal/dominance.

        Parameters
        ----------
        outputs : dict
            Output of :meth:`forward`.

        Returns
        -------
        dict
            ``{"ekman7": (n, 7) probabilities, "vad": (n, 3)}``.
        """

        def softmax(z: np.ndarray) -> np.ndarray:
            e = np.exp(z - z.max(1, keepdims=True))
            return e / e.sum(1, keepdims=True)

        p = (softmax(outputs["logits"].astype(np.float64)) + softmax(outputs["logits_mirror"].astype(np.float64))) / 2
        if self.space_ in self.calibrators_:
            p = self.calibrators_[self.space_].transform(p).astype(np.float64)
        return {self.space_: p, "vad": p @ self._vad_matrix}

    def predict_crops(self, crops: Sequence[np.ndarray] | np.ndarray) -> dict[str, np.ndarray]:
        """Score face crops that are already aligned 48×48 grey images (e.g. FER2013 images).

        Parameters
        ----------
        crops : array-like of shape (n, 48, 48)
            uint8 grey faces.

        Returns
        -------
        dict
            ``{"ekman7": (n, 7), "vad": (n, 3)}``.

        Examples
        --------
        >>> import numpy as np
        >>> FaceRecognizer(num_threads=1).predict_crops(np.zeros((2, 48, 48), np.uint8))["ekman7"].shape
        (2, 7)
        """
        return self.postprocess(self.forward(self.preprocess(crops)))

    # --- detection ----------------------------------------------------------------------------------------------
    def _mesher(self) -> FaceMesher:
        if self._image_mesher is None:
            self._image_mesher = FaceMesher(
                self.bundle.file("landmarker"), max_faces=self.max_faces, min_confidence=self.min_confidence
            )
        return self._image_mesher

    def _finder(self, *, video: bool) -> FaceFinder:
        every = self.scan_every if video else 0.0
        return FaceFinder(self._mesher(), min_face=self.min_face_size, max_faces=self.max_faces, scan_every=every)

    def _crop_face(self, rgb: np.ndarray, *, auto: bool) -> tuple[bool, FaceMesh | None]:
        """Read the whole image as one face crop: ``(read, landmarks)``.

        The landmarker runs once more on the image, without the smallest-face limit, only to give the crop its
        facial actions and head pose: its largest face counts when it spans half the image's shorter side. In
        ``auto`` mode, an image where it finds only smaller faces is not a face crop (``read`` False): it holds
        a face smaller than ``min_face_size``.
        """
        h, w = rgb.shape[:2]
        faces = self._mesher().detect(np.ascontiguousarray(rgb))
        big = [f for f in faces if max(f.box[2], f.box[3]) >= _CROP_FILL * min(h, w)]
        if auto and faces and not big:
            return False, None
        return True, (big[0] if big else None)

    def _faces(self, rgb: np.ndarray, finder: FaceFinder, time: float | None) -> tuple[list[FaceMesh], np.ndarray]:
        faces = finder.find(rgb, time=time)
        if not faces:
            return [], np.zeros((0, self._size, self._size), np.uint8)
        crops = []
        h, w = rgb.shape[:2]
        for f in faces:  # grey only around the face (a whole 720p frame would cost more than the model)
            x, y, bw, bh = f.box
            pad = max(bw, bh)
            x0, y0 = max(int(x - pad), 0), max(int(y - pad), 0)
            x1, y1 = min(int(x + bw + pad) + 1, w), min(int(y + bh + pad) + 1, h)
            pts = f.landmarks[self._indices, :2] - np.array([x0, y0], np.float32)
            crops.append(align_face(to_grey(rgb[y0:y1, x0:x1]), pts, self._template))
        return faces, np.stack(crops)

    # --- rows -----------------------------------------------------------------------------------------------------
    def _records(
        self,
        times: list[tuple[float, float]],
        faces: Sequence[FaceMesh | None],
        tracks: list[str],
        crops: np.ndarray,
        *,
        box: tuple[float, float, float, float] | None = None,
    ) -> list[dict[str, Any]]:
        """One row (a dict, index fields ``start``/``end`` included) per face.

        ``box`` marks face-crop rows (one image read as one face): the box is the whole image, and a face without
        landmarks (``None``) gets NaN actions and pose.
        """
        if not len(faces):
            return []
        pred = self.predict_crops(crops)
        p = pred[self.space_]
        rows = []
        for k, f in enumerate(faces):
            top = self.labels_[int(p[k].argmax())]
            row: dict[str, Any] = {
                "start": round(times[k][0], 3),
                "end": round(times[k][1], 3),
                "modality": "face",
                "track": tracks[k],
                "crop": box is not None,
                "label": top,
                "labels": top,
                "confidence": float(p[k].max()),
            }
            row.update({f"{self.space_}:{lab}": float(p[k, j]) for j, lab in enumerate(self.labels_)})
            row.update({dim: float(pred["vad"][k, j]) for j, dim in enumerate(_VAD)})
            row.update({key: round(float((f.box if box is None else box)[j]), 1) for j, key in enumerate(_BOX)})
            if f is None:
                row.update(dict.fromkeys(_POSE, np.nan))
                row.update(dict.fromkeys(ACTION_COLUMNS, np.nan))
                row["evidence"] = NO_ACTIONS
            else:
                row.update({key: f.pose[j] for j, key in enumerate(_POSE)})
                actions = actions_from_blendshapes(f.blendshapes)
                row.update({f"action:{a}": v for a, v in actions.items()})
                row["evidence"] = face_evidence(top, actions)
            rows.append(row)
        return rows

    def _frame(self, source: str, records: list[dict[str, Any]]) -> pd.DataFrame:
        if not records:
            return self._empty_frame()
        frame = pd.DataFrame.from_records(records)
        frame.insert(0, "source", source)
        return frame.set_index(list(INDEX_NAMES))

    def _empty_frame(self) -> pd.DataFrame:
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))

    # --- process_* ----------------------------------------------------------------------------------------------
    def process_image(self, image: Any, *, source: str | None = None) -> Result:
        """Analyse every face in one still image.

        Parameters
        ----------
        image : path, bytes, file object, ndarray, PIL image or dict
            Anything :func:`affectscope.media.image.load_image` accepts.
        source : str, optional
            Name used in the result index.

        Returns
        -------
        Result
            One row per face (start = end = 0); ``summary`` with the dominant expression. With ``face_crop``
            (``"auto"``: a small image without a detected face; ``"always"``) the whole image is one face crop:
            one row with ``crop=True`` and the image as its box, and the summary says so in ``note``.
        """
        from affectscope.media.image import load_image

        img = load_image(image, source=source)
        px = img.pixels
        faces: list[FaceMesh] = []
        records: list[dict[str, Any]] = []
        if self.face_crop != "always":
            faces, crops = self._faces(px, self._finder(video=False), None)
            tracks = [f"face{i + 1}" for i in range(len(faces))]
            records = self._records([(0.0, 0.0)] * len(faces), faces, tracks, crops)
        if not faces and (self.face_crop == "always" or (self.face_crop == "auto" and looks_like_crop(px))):
            read, mesh = self._crop_face(px, auto=self.face_crop == "auto")
            if read:
                h, w = px.shape[:2]
                crop = crop_input(px, size=self._size)[None]
                records = self._records([(0.0, 0.0)], [mesh], ["face1"], crop, box=(0.0, 0.0, float(w), float(h)))
        frame = self._frame(img.source, records)
        return Result(frame, self.summarize(frame))

    def process_video(
        self,
        file: str | os.PathLike[str],
        *,
        start: float | None = None,
        end: float | None = None,
        progress: Any = None,
    ) -> Result:
        """Analyse the faces of a video at ``fps`` frames per second, with a stable track id per person.

        Parameters
        ----------
        file : path-like
            Video file.
        start, end : float, optional
            Analyse only ``[start, end)`` seconds.
        progress : callable, optional
            Called with the share of the span analysed so far (0–1), about once a second of video.

        Returns
        -------
        Result
            One row per face per analysed frame (``start`` = frame time, ``end`` = next analysis time);
            ``summary`` with per-track figures.
        """
        from affectscope.media.video import iter_frames

        check_span(start, end, func="FaceRecognizer.process_video")
        source = str(file)
        step = 1.0 / self.fps
        tracker = FaceTracker(max_gap=max(1.0, 2.5 * step))
        records: list[dict[str, Any]] = []
        n_frames, t_last = 0, 0.0
        finder = self._finder(video=True)
        lo, hi = start or 0.0, end
        if progress is not None and hi is None:
            from affectscope.media.video import probe_video

            hi = probe_video(file).duration or None
        frames = iter_frames(file, fps=self.fps, start=start, end=end)
        for fr in frames:
            check_cancelled()
            n_frames += 1
            t_last = fr.time
            if progress is not None and hi and n_frames % max(1, round(self.fps)) == 0:
                progress(min(1.0, max(0.0, (fr.time - lo) / max(hi - lo, 1e-9))))
            faces, crops = self._faces(fr.pixels, finder, fr.time)
            if not faces:
                continue
            ids = tracker.update(fr.time, [f.box for f in faces], [appearance(c) for c in crops])
            until = fr.time + step if end is None else min(fr.time + step, float(end))
            records += self._records([(fr.time, until)] * len(faces), faces, ids, crops)
        if n_frames == 0:
            raise InputError(f"{source}: no video frames in the requested span (start={start}, end={end}).")
        frame = self._frame(source, records)
        summary = self.summarize(frame)
        summary.update(n_frames=n_frames, fps=self.fps, analysed=[round(start or 0.0, 3), round(t_last + step, 3)])
        if frames.damage:
            summary["damage"] = frames.damage
            summary["note"] = f"{frames.damage}; the frames before the damage were analysed"
        return Result(frame, summary)

    def process_file(
        self, file: str | os.PathLike[str], *, start: float | None = None, end: float | None = None
    ) -> Result:
        """Analyse an image file, or the faces of a video file (by suffix).

        Parameters
        ----------
        file : path-like
            Image (jpg, png, webp, ...) or video (mp4, mov, mkv, ...).
        start, end : float, optional
            Video only: analyse ``[start, end)`` seconds.

        Returns
        -------
        Result
        """
        from affectscope.media.video import VIDEO_SUFFIXES

        if Path(file).suffix.lower() in VIDEO_SUFFIXES:
            return self.process_video(file, start=start, end=end)
        if start is not None or end is not None:
            raise ConfigError(f"'start'/'end' apply to videos only; {file} is read as an image.")
        return self.process_image(Path(file))

    # --- summaries ----------------------------------------------------------------------------------------------
    def summarize(self, frame: pd.DataFrame) -> dict[str, Any]:
        """Summarise face rows: mean expression scores overall and per track, action peaks, a rationale.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows produced by this recognizer.

        Returns
        -------
        dict
        """
        if frame.empty:
            empty = {"n_faces": 0, "label": None, "note": "no face detected"}
            return {"modality": "face", "model": self.bundle.name, **empty}
        out = {"modality": "face", "model": self.bundle.name, **_face_summary(frame, self.space_, self.labels_)}
        out["n_sources"] = int(frame.index.get_level_values("source").nunique())
        out["tracks"] = {
            str(t): _face_summary(g, self.space_, self.labels_) for t, g in frame.groupby("track", sort=False)
        }
        out["rationale"] = _rationale(frame, out["label"], self.space_)
        if "crop" in frame.columns and frame["crop"].any():
            n = int(frame["crop"].sum())
            out["n_crops"] = n
            out["note"] = (
                "no face detected: the image was read as one aligned face crop"
                if n == len(frame) and self.face_crop == "auto"
                else f"{n} image(s) read as one aligned face crop"
            )
            if frame.loc[frame["crop"], ACTION_COLUMNS[0]].isna().all():
                out["note"] += "; facial actions not available (no landmarks found)"
        return out

    def _combine(self, frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, Any]]:
        frame = pd.concat(frames) if frames else self._empty_frame()
        return frame, self.summarize(frame)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Ray Data / batch-engine entry: summarise every image or video of a batch with a ``path`` column.

        Adds ``label``, ``confidence``, ``valence``, ``arousal``, ``n_faces`` and ``error`` columns; a failing
        file gets its error message and the batch goes on.
        """
        return self._summarize_paths(batch, ("label", "confidence", "valence", "arousal", "n_faces"))

    def close(self) -> None:
        """Release the face landmarker (also done when the recognizer is garbage-collected)."""
        if self._image_mesher is not None:
            self._image_mesher.close()
            self._image_mesher = None


def _face_summary(frame: pd.DataFrame, space: str, labels: Iterable[str]) -> dict[str, Any]:
    labels = list(labels)
    p = frame[[f"{space}:{lab}" for lab in labels]].to_numpy().mean(0)
    scores = dict(zip(labels, p.round(4).tolist(), strict=True))
    label = max(scores, key=scores.get)
    shares = frame["label"].value_counts(normalize=True).round(4).to_dict()
    starts = frame.index.get_level_values("start")
    out: dict[str, Any] = {
        "n_faces": len(frame),
        "label": label,
        "label_shares": shares,
        "confidence": scores[label],
        **{d: round(float(frame[d].mean()), 4) for d in _VAD},
        "scores": {space: scores},
        "first": round(float(starts.min()), 3),
        "last": round(float(starts.max()), 3),
    }
    peaks: dict[str, Any] = {}
    means: dict[str, Any] = {}
    for col in ACTION_COLUMNS:  # face crops without landmarks have NaN actions: left out, None if all are
        v = frame[col].to_numpy(dtype=np.float64)
        name = col.split(":", 1)[1]
        if np.isnan(v).all():
            peaks[name], means[name] = {"max": None, "at": None}, None
            continue
        i = int(np.nanargmax(v))
        peaks[name] = {"max": round(float(v[i]), 3), "at": round(float(starts[i]), 3)}
        means[name] = round(float(np.nanmean(v)), 3)
    out["actions"] = {"mean": means, "peak": peaks}
    return out


def _rationale(frame: pd.DataFrame, label: str, space: str) -> str:
    """One sentence naming the dominant expression, its strongest moment and the facial actions seen there."""
    col = frame[f"{space}:{label}"]
    i = int(np.argmax(col.to_numpy()))
    row = frame.iloc[i]
    _, s, _ = frame.index[i]
    acts = sorted(
        ((float(row[c]), c.split(":", 1)[1].replace("_", " ")) for c in ACTION_COLUMNS if not np.isnan(row[c])),
        reverse=True,
    )
    cues = [f"{name} {v:.2f}" for v, name in acts[:3] if v >= 0.2]
    share = float((frame["label"] == label).mean())
    where = f" at {s:.1f} s" if frame.index.get_level_values("start").nunique() > 1 else ""
    return (
        f"Face: {label} in {share:.0%} of {len(frame)} face observations; strongest{where} "
        f"({row['track']}, p={float(col.iloc[i]):.2f})" + (f" with {', '.join(cues)}." if cues else ".")
    )
