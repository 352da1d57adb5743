"""Face tracks: the same person keeps the same id from frame to frame.

:class:`FaceTracker` links each frame's faces to existing tracks by box overlap (IoU) and appearance (cosine
similarity of a small normalised thumbnail of the aligned face), greedily, best pair first. A face that moved
fast (little overlap) still joins its track when it looks the same and is near; a track unseen for ``max_gap``
seconds is closed, and a face that reappears later is re-identified with a closed track when its appearance
matches closely (``reid_similarity``), so a person who looks away or is briefly occluded keeps their id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from affectscope.errors import ConfigError

__all__ = ["FaceTracker", "appearance"]


def appearance(crop: np.ndarray, *, side: int = 12) -> np.ndarray:
    """Return a zero-mean, unit-norm ``side × side`` thumbnail of an aligned face crop (the appearance vector).

    Examples
    --------
    >>> v = appearance(np.arange(48 * 48, dtype=np.uint8).reshape(48, 48))
    >>> v.shape, round(float(np.linalg.norm(v)), 6)
    ((144,), 1.0)
    """
    c = np.asarray(crop, dtype=np.float32)
    k = c.shape[0] // side
    thumb = c[: k * side, : k * side].reshape(side, k, side, k).mean((1, 3)).ravel()
    thumb = thumb - thumb.mean()
    n = float(np.linalg.norm(thumb))
    return thumb / n if n > 0 else thumb


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ax0, ay0, aw, ah = a
    bx0, by0, bw, bh = b
    iw = max(0.0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    ih = max(0.0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


@dataclass
class _Track:
    id: str
    box: tuple[float, float, float, float]
    look: np.ndarray
    last: float
    hits: int = 1


class FaceTracker:
    """Assign stable track ids (``"face1"``, ``"face2"``, ...) to faces frame by frame.

    Parameters
    ----------
    max_gap : float
        Seconds a track may go unseen and still continue by position.
    min_iou : float
        Overlap that links a face to a track on its own.
    min_similarity : float
        Appearance similarity that links a near face with little overlap.
    reid_similarity : float
        Appearance similarity that re-identifies a face with a closed track.

    Examples
    --------
    >>> t = FaceTracker()
    >>> look = appearance(np.random.default_rng(0).integers(0, 255, (48, 48)))
    >>> t.update(0.0, [(10, 10, 50, 50)], [look]), t.update(0.2, [(14, 10, 50, 50)], [look])
    (['face1'], ['face1'])
    """

    def __init__(
        self,
        *,
        max_gap: float = 1.0,
        min_iou: float = 0.3,
        min_similarity: float = 0.6,
        reid_similarity: float = 0.85,
    ) -> None:
        if max_gap <= 0 or not 0 < min_iou <= 1 or not -1 <= min_similarity <= 1 or not -1 <= reid_similarity <= 1:
            raise ConfigError("FaceTracker needs max_gap > 0, 0 < min_iou <= 1 and similarities in [-1, 1].")
        self.max_gap = max_gap
        self.min_iou = min_iou
        self.min_similarity = min_similarity
        self.reid_similarity = reid_similarity
        self._active: list[_Track] = []
        self._closed: list[_Track] = []
        self._next = 1

    def update(self, time: float, boxes: list[tuple[float, float, float, float]], looks: list[np.ndarray]) -> list[str]:
        """Link this frame's faces to tracks and return their ids (in the order of ``boxes``).

        Parameters
        ----------
        time : float
            Frame time in seconds (non-decreasing).
        boxes : list of (x, y, width, height)
            Face boxes in pixels.
        looks : list of ndarray
            Appearance vectors (:func:`appearance`), one per box.

        Returns
        -------
        list of str
        """
        for tr in [t for t in self._active if time - t.last > self.max_gap]:
            self._active.remove(tr)
            self._closed.append(tr)
        pairs = []
        for i, tr in enumerate(self._active):
            size = max(tr.box[2], tr.box[3])
            cx, cy = tr.box[0] + tr.box[2] / 2, tr.box[1] + tr.box[3] / 2
            for j, (box, look) in enumerate(zip(boxes, looks, strict=True)):
                iou = _iou(tr.box, box)
                sim = float(tr.look @ look)
                dist = np.hypot(box[0] + box[2] / 2 - cx, box[1] + box[3] / 2 - cy) / max(size, 1.0)
                if iou >= self.min_iou or (dist < 1.0 and sim >= self.min_similarity):
                    pairs.append((iou + 0.5 * sim, i, j))
        ids: list[str | None] = [None] * len(boxes)
        used: set[str] = set()
        for _, i, j in sorted(pairs, reverse=True):
            if self._active[i].id in used or ids[j] is not None:
                continue
            used.add(self._active[i].id)
            ids[j] = self._extend(self._active[i], time, boxes[j], looks[j])
        for j, tid in enumerate(ids):
            if tid is None:
                spare = [t for t in self._active if t.id not in used]
                ids[j] = self._start_or_resume(time, boxes[j], looks[j], spare)
                used.add(str(ids[j]))
        return [str(t) for t in ids]

    def _extend(self, tr: _Track, time: float, box: tuple[float, float, float, float], look: np.ndarray) -> str:
        tr.box, tr.last, tr.hits = tuple(map(float, box)), time, tr.hits + 1  # type: ignore[assignment]
        mixed = 0.8 * tr.look + 0.2 * look  # slow update: expressions change, identity does not
        tr.look = mixed / max(float(np.linalg.norm(mixed)), 1e-9)
        return tr.id

    def _start_or_resume(
        self, time: float, box: tuple[float, float, float, float], look: np.ndarray, spare: list[_Track]
    ) -> str:
        # re-identify: a closed track, or an active one not seen in this frame (the face jumped: a cut, a fast move)
        best = max([*spare, *self._closed], key=lambda t: float(t.look @ look), default=None)
        if best is not None and float(best.look @ look) >= self.reid_similarity:
            if best in self._closed:
                self._closed.remove(best)
                self._active.append(best)
            return self._extend(best, time, box, look)
        tr = _Track(f"face{self._next}", tuple(map(float, box)), look, time)  # type: ignore[arg-type]
        self._next += 1
        self._active.append(tr)
        return tr.id
