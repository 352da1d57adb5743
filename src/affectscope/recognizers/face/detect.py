"""Finding faces of any size in large frames: a tiled scan, then tracking by region of interest.

MediaPipe's face detector (BlazeFace short-range) sees the whole image at 128×128 pixels, so it only finds faces
that fill more than about 13 % of the image's longer side: a 100-pixel face in a 1280×720 interview frame is
invisible to it. :class:`FaceFinder` therefore

* **scans** the image with overlapping square tiles at a few sizes (the smallest about 7× ``min_face_size``,
  each level twice the previous, then the whole image), each tile overlapping its neighbours by a third so that
  every face small enough for a level lies wholly inside one of its tiles; duplicates across tiles are merged,
  keeping the copy farthest from its tile's border;
* in videos, **tracks** each face found in the previous analysed frame by running the landmarker on a square
  region twice the face's size around it (where the face is large and easy), and re-scans the tiles only
  every ``scan_every`` seconds to pick up people who came in (every quarter of that, plus the whole frame on
  every frame, while no face is in view) — so the cost per frame is about one landmarker call per visible
  face, not one per tile.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from affectscope.recognizers.face.landmarks import FaceMesh, FaceMesher

__all__ = ["FaceFinder", "scan_tiles"]

_MIN_FRACTION = 0.13  # smallest face the detector finds, as a fraction of the image's longer side (measured)


def scan_tiles(width: int, height: int, *, min_face: int) -> list[tuple[int, int, int]]:
    """Return the scan tiles ``(x, y, side)`` for an image: levels of overlapping squares, then the whole image.

    Parameters
    ----------
    width, height : int
        Image size in pixels.
    min_face : int
        Smallest face to find, in pixels.

    Returns
    -------
    list of (x, y, side)
        ``side == max(width, height)`` marks the whole image.

    Examples
    --------
    >>> len(scan_tiles(256, 256, min_face=48))  # small image: the whole image is enough
    1
    >>> len(scan_tiles(1280, 720, min_face=48))  # 15 tiles of 369 px, 3 of 720 px, the whole frame
    19
    """
    longest, shortest = max(width, height), min(width, height)
    tiles: list[tuple[int, int, int]] = []
    sides = []
    side = max(round(min_face / _MIN_FRACTION), 96)
    while side < shortest and side < longest / 1.5:
        sides.append(side)
        side *= 2
    if min_face < _MIN_FRACTION * longest and longest > 1.3 * shortest:
        sides.append(shortest)  # squares along the long side of a wide (or tall) image
    for side in sides:
        stride = max(side * 2 // 3, 1)
        nx = math.ceil(max(width - side, 0) / stride) + 1
        ny = math.ceil(max(height - side, 0) / stride) + 1
        xs = np.linspace(0, width - side, nx).round().astype(int)
        ys = np.linspace(0, height - side, ny).round().astype(int)
        tiles += [(int(x), int(y), side) for y in ys for x in xs]
    tiles.append((0, 0, longest))
    return tiles


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _shift(face: FaceMesh, dx: int, dy: int) -> FaceMesh:
    pts = face.landmarks.copy()
    pts[:, 0] += dx
    pts[:, 1] += dy
    x, y, w, h = face.box
    return replace(face, landmarks=pts, box=(x + dx, y + dy, w, h))


class FaceFinder:
    """Find faces in images or successive video frames (tiled scan + region-of-interest tracking).

    Parameters
    ----------
    mesher : FaceMesher
        An image-mode landmarker.
    min_face : int
        Smallest face to look for, in pixels.
    max_faces : int
        Most faces returned (largest first).
    scan_every : float
        Video: seconds between full scans (tracked faces are followed on every frame).

    Examples
    --------
    >>> from affectscope.models import get_bundle
    >>> import numpy as np
    >>> with FaceMesher(get_bundle("face-cnn-fer").file("landmarker")) as m:
    ...     FaceFinder(m, min_face=48).find(np.zeros((720, 1280, 3), np.uint8))
    []
    """

    def __init__(self, mesher: FaceMesher, *, min_face: int = 48, max_faces: int = 5, scan_every: float = 2.0) -> None:
        self.mesher = mesher
        self.min_face = min_face
        self.max_faces = max_faces
        self.scan_every = scan_every
        self._tracked: list[FaceMesh] = []
        self._last_scan: float | None = None

    def _run(self, rgb: np.ndarray, x: int, y: int, side: int) -> list[tuple[FaceMesh, float]]:
        """Landmarker on one square region; faces in image coordinates with their margin to the region's border."""
        h, w = rgb.shape[:2]
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + side, w), min(y + side, h)
        if x1 - x0 < 16 or y1 - y0 < 16:
            return []
        crop = rgb[y0:y1, x0:x1]
        out = []
        for f in self.mesher.detect(crop):
            bx, by, bw, bh = f.box
            margin = min(bx, by, (x1 - x0) - (bx + bw), (y1 - y0) - (by + bh))
            inner = x0 == 0 and y0 == 0 and x1 == w and y1 == h
            out.append((_shift(f, x0, y0), math.inf if inner else margin))
        return out

    def find(self, rgb: np.ndarray, *, time: float | None = None) -> list[FaceMesh]:
        """Return the faces of an RGB image (``time`` in seconds for video frames, in order).

        Parameters
        ----------
        rgb : ndarray of shape (height, width, 3)
            uint8 RGB image or frame.
        time : float, optional
            Frame time; without it every call is a full scan (still images).

        Returns
        -------
        list of FaceMesh
            Largest first, at most ``max_faces``.
        """
        h, w = rgb.shape[:2]
        found: list[tuple[FaceMesh, float]] = []
        for f in self._tracked:
            bx, by, bw, bh = f.box
            side = round(2.0 * max(bw, bh))
            cx, cy = bx + bw / 2, by + bh / 2
            found += self._run(rgb, round(cx - side / 2), round(cy - side / 2), side)
        every = self.scan_every if self._tracked else self.scan_every / 4
        scan = time is None or self._last_scan is None or time - self._last_scan >= every - 1e-6
        if scan:
            self._last_scan = time
            canvas = rgb
            if found:  # blank the faces already followed: the scan then looks only for new ones, and cheaply
                canvas = rgb.copy()
                for f, _ in found:
                    bx, by, bw, bh = f.box
                    canvas[max(int(by - 0.1 * bh), 0) : int(by + 1.1 * bh) + 1,
                           max(int(bx - 0.1 * bw), 0) : int(bx + 1.1 * bw) + 1] = 128  # fmt: skip
            for x, y, side in scan_tiles(w, h, min_face=self.min_face):
                found += self._run(canvas, x, y, side)
        elif not self._tracked:
            found += self._run(rgb, 0, 0, max(w, h))
        faces = _merge(found)
        faces = [f for f in faces if max(f.box[2], f.box[3]) >= self.min_face][: self.max_faces]
        self._tracked = faces if time is not None else []
        return faces


def _merge(found: list[tuple[FaceMesh, float]]) -> list[FaceMesh]:
    """One copy per face: among overlapping detections keep the one farthest from its region's border."""
    kept: list[tuple[FaceMesh, float]] = []
    for face, margin in sorted(found, key=lambda fm: -fm[1]):
        if all(_iou(face.box, k.box) < 0.4 for k, _ in kept):
            kept.append((face, margin))
    faces = [f for f, _ in kept]
    faces.sort(key=lambda f: -f.box[2] * f.box[3])
    return faces
