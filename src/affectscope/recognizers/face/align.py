"""Face alignment: warp a detected face into the frame the expression model was trained on.

The expression model learned from FER2013's 48×48 grey crops. Rather than guessing a box padding, we measured
where MediaPipe's landmarks fall on FER2013 training images (``training/face/landmark_template.py``) and store
the mean positions of a few expression-stable points (eye corners, nose, cheek edges) in the bundle. At run time
a least-squares similarity transform (rotation, uniform scale, shift; Umeyama 1991) maps a face's landmarks
onto that template, and the face is resampled bilinearly into a 48×48 grey crop — upright, centred and scaled
as the training faces were.

Images that already are such crops (FER2013, CK+48, RAF-DB's aligned 100×100 faces) are not warped:
:func:`crop_input` only turns them grey and resizes them to the model input, as ``affectscope eval`` reads them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["align_face", "crop_input", "similarity", "to_grey"]


def to_grey(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma, as Pillow's ``convert("L")`` (the conversion the FER2013 training images went through).

    Examples
    --------
    >>> round(float(to_grey(np.array([[[255, 0, 0]]], np.uint8))[0, 0]), 3)
    76.245
    """
    return rgb[..., 0] * np.float32(0.299) + rgb[..., 1] * np.float32(0.587) + rgb[..., 2] * np.float32(0.114)


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity transform (2×3 matrix) taking points ``src`` (n, 2) onto ``dst`` (n, 2).

    Examples
    --------
    >>> src = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> similarity(src, 2 * src + 3).round(6).tolist()
    [[2.0, 0.0, 3.0], [0.0, 2.0, 3.0]]
    """
    src, dst = np.asarray(src, float), np.asarray(dst, float)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    cov = d.T @ s / len(src)
    u, sig, vt = np.linalg.svd(cov)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1
    rot = u @ sign @ vt
    scale = float(np.trace(np.diag(sig) @ sign)) / max(float((s**2).sum() / len(src)), 1e-12)
    m = np.empty((2, 3))
    m[:, :2] = scale * rot
    m[:, 2] = mu_d - scale * rot @ mu_s
    return m


def align_face(grey: np.ndarray, points: np.ndarray, template: np.ndarray, *, size: int = 48) -> np.ndarray:
    """Warp a face so that its ``points`` land on ``template``; return a ``size × size`` uint8 crop.

    Parameters
    ----------
    grey : ndarray of shape (height, width)
        Grey image (float or uint8).
    points : ndarray of shape (k, 2)
        The face's landmarks (pixels of ``grey``) matching ``template``.
    template : ndarray of shape (k, 2)
        Target positions in the crop (pixels of the ``size × size`` output).
    size : int
        Output side.

    Returns
    -------
    ndarray of shape (size, size), uint8
        Pixels outside the image repeat the border.

    Examples
    --------
    >>> img = np.tile(np.arange(100, dtype=np.float32), (100, 1))
    >>> pts = np.array([[20.0, 20.0], [80.0, 20.0], [50.0, 80.0]])
    >>> crop = align_face(img, pts, pts * 0.48, size=48)
    >>> crop.shape, int(crop[24, 0]), int(crop[24, 47])
    ((48, 48), 0, 98)
    """
    m = similarity(template, points)  # output pixel → source pixel
    v, u = np.mgrid[0:size, 0:size].astype(np.float64)
    x = m[0, 0] * u + m[0, 1] * v + m[0, 2]
    y = m[1, 0] * u + m[1, 1] * v + m[1, 2]
    h, w = grey.shape
    x = np.clip(x, 0, w - 1)
    y = np.clip(y, 0, h - 1)
    x0 = np.minimum(np.floor(x).astype(int), w - 2) if w > 1 else np.zeros_like(x, int)
    y0 = np.minimum(np.floor(y).astype(int), h - 2) if h > 1 else np.zeros_like(y, int)
    fx, fy = x - x0, y - y0
    g = np.asarray(grey, dtype=np.float32)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    top = g[y0, x0] * (1 - fx) + g[y0, x1] * fx
    bottom = g[y1, x0] * (1 - fx) + g[y1, x1] * fx
    return np.clip(np.round(top * (1 - fy) + bottom * fy), 0, 255).astype(np.uint8)


def crop_input(rgb: np.ndarray, *, size: int = 48) -> np.ndarray:
    """Read a whole image as an already aligned face crop: Pillow grey, resized bilinearly to ``size × size``.

    This is how FER2013-style crops reach the model in ``affectscope eval`` and, for small images without a
    detectable face, in :meth:`~affectscope.recognizers.face.FaceRecognizer.process_image` (``face_crop``).

    Parameters
    ----------
    rgb : ndarray of shape (height, width, 3)
        uint8 RGB image.
    size : int
        Output side.

    Returns
    -------
    ndarray of shape (size, size), uint8

    Examples
    --------
    >>> crop_input(np.full((100, 80, 3), 200, np.uint8)).shape
    (48, 48)
    """
    from PIL import Image

    grey = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)).convert("L")
    return np.asarray(grey.resize((size, size), Image.BILINEAR))
