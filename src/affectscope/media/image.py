"""Image input normalisation (groundwork for faces): any supported input → an upright RGB uint8 array.

One normaliser, :func:`load_image`, accepts every supported form of image input, applies the EXIF orientation
(phone photos are often stored sideways), and converts every mode — grey, grey + alpha, palette, RGBA, CMYK,
16-bit and 32-bit grey — to 8-bit RGB. Transparent pixels are composited onto white. Before any pixel is
decoded the image's declared size is checked against ``max_pixels`` and ``max_side``, so a decompression bomb
(a tiny file declaring a gigantic canvas) is refused without allocating it. Decoding uses Pillow
(``pip install 'affectscope[face]'``).

Accepted inputs
---------------
* ``pathlib.Path`` / ``str`` path / ``os.PathLike`` to an image file (JPEG, PNG, WebP, BMP, TIFF, GIF, ...);
* ``bytes`` or a binary file object holding an encoded image;
* a NumPy array of shape ``(h, w)``, ``(h, w, 1)``, ``(h, w, 3)`` or ``(h, w, 4)``: uint8, uint16, or floats in
  [0, 1];
* a ``PIL.Image.Image``;
* a dict ``{"array": ...}`` or ``{"path": ...}``.

Examples
--------
>>> import numpy as np
>>> img = load_image(np.zeros((4, 6), dtype=np.uint8))
>>> img.pixels.shape, img.pixels.dtype, img.source
((4, 6, 3), dtype('uint8'), 'array')
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from affectscope.errors import ConfigError, DependencyError, InputError
from affectscope.media._files import DECODER_ERRORS, existing_file

__all__ = ["ACCEPTED_IMAGE_INPUTS", "IMAGE_SUFFIXES", "MAX_PIXELS", "MAX_SIDE", "Image", "load_image"]

#: File suffixes read as still images by ``affectscope analyze``.
IMAGE_SUFFIXES = frozenset([".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"])

ACCEPTED_IMAGE_INPUTS = (
    "a path to an image file (jpg, png, webp, bmp, tiff, gif, ...), bytes or a binary file object holding one, "
    "a NumPy array (h, w[, 1|3|4]) of uint8, uint16 or floats in [0, 1], a PIL image, or a dict with 'array' or "
    "'path'"
)
#: Largest accepted image, in pixels (about a 100-megapixel photo); ``load_image(max_pixels=...)`` changes it.
MAX_PIXELS = 100_000_000
#: Longest accepted side, in pixels.
MAX_SIDE = 30_000
# What Pillow's decoders raise on bad bytes (besides its own errors): turned into InputError.
_FOREIGN = DECODER_ERRORS


@dataclass(frozen=True)
class Image:
    """An upright 8-bit RGB image.

    Attributes
    ----------
    pixels : ndarray of shape (height, width, 3)
        uint8 RGB.
    source : str
        Name of the input (file path, or ``"array"`` / ``"bytes"`` / ``"image"``).
    """

    pixels: np.ndarray
    source: str

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])


def _pil() -> Any:
    try:
        import PIL.Image
        import PIL.ImageOps
    except ImportError as exc:
        raise DependencyError("Reading images needs Pillow: pip install 'affectscope[face]'.") from exc
    return PIL


def _check_size(width: int, height: int, name: str, max_pixels: int, max_side: int) -> None:
    if width <= 0 or height <= 0:
        raise InputError(f"{name} has no pixels ({width}×{height}).")
    if width * height > max_pixels or max(width, height) > max_side:
        raise InputError(
            f"{name} is {width}×{height} pixels; the limit is {max_pixels:,} pixels and {max_side:,} per side "
            "(a guard against decompression bombs). Downscale it, or pass max_pixels=/max_side= to allow more."
        )


def _array_to_rgb(a: np.ndarray, name: str) -> np.ndarray:
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)):
        raise InputError(
            f"{name}: expected an array of shape (h, w), (h, w, 1), (h, w, 3) or (h, w, 4); got {a.shape}."
        )
    if a.dtype == np.uint8:
        pass
    elif a.dtype == np.uint16:
        a = (a.astype(np.uint32) * 255 // 65535).astype(np.uint8)
    elif np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
            raise InputError(f"{name}: float pixels must be finite and in [0, 1].")
        a = np.round(a * 255).astype(np.uint8)
    else:
        raise InputError(f"{name}: expected uint8, uint16 or float pixels; got dtype {a.dtype}.")
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    elif a.shape[2] == 4:  # composite onto white
        alpha = a[:, :, 3:4].astype(np.float32) / 255
        a = np.round(a[:, :, :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
    return np.ascontiguousarray(a)


def _pil_to_rgb(im: Any, name: str) -> np.ndarray:
    pil = _pil()
    im = pil.ImageOps.exif_transpose(im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(im, dtype=np.float64)
        hi = 65535.0 if im.mode.startswith("I;16") else max(float(a.max()), 1.0)
        return _array_to_rgb(np.clip(a / hi, 0, 1), name)
    if im.mode == "P":
        im = im.convert("RGBA")
    if im.mode in ("LA", "RGBA", "PA"):
        im = im.convert("RGBA")
        return _array_to_rgb(np.asarray(im), name)
    return np.ascontiguousarray(np.asarray(im.convert("RGB")))


def load_image(obj: Any, *, source: str | None = None, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE) -> Image:
    """Read any supported image input as an upright RGB uint8 :class:`Image`.

    Parameters
    ----------
    obj : path, bytes, file object, ndarray, PIL image or dict
        The input; see the module docstring.
    source : str, optional
        Name used in results.
    max_pixels, max_side : int
        Refuse larger images (checked from the header, before decoding).

    Returns
    -------
    Image

    Raises
    ------
    InputError
        Missing, empty, undecodable, truncated, too large or malformed input.

    Examples
    --------
    >>> import io, numpy as np
    >>> from PIL import Image as PILImage
    >>> buf = io.BytesIO()
    >>> PILImage.fromarray(np.full((2, 3), 128, dtype=np.uint8)).save(buf, format="PNG")
    >>> load_image(buf.getvalue()).size
    (3, 2)
    """
    if not isinstance(max_pixels, int) or max_pixels < 1 or not isinstance(max_side, int) or max_side < 1:
        raise ConfigError(f"'max_pixels' and 'max_side' must be positive ints. Got {max_pixels!r}, {max_side!r}.")
    if isinstance(obj, dict):
        if "array" in obj:
            return load_image(
                obj["array"], source=source or obj.get("source"), max_pixels=max_pixels, max_side=max_side
            )
        if "path" in obj:
            return load_image(
                Path(obj["path"]), source=source or obj.get("source"), max_pixels=max_pixels, max_side=max_side
            )
        raise InputError(f"An image dict needs 'array' or 'path'; got keys {sorted(obj)}.")
    if isinstance(obj, np.ndarray):
        name = source or "array"
        if obj.size == 0:
            raise InputError(f"{name}: the array is empty (shape {obj.shape}).")
        if obj.ndim >= 2:
            _check_size(obj.shape[1], obj.shape[0], name, max_pixels, max_side)
        return Image(_array_to_rgb(obj, name), name)
    pil = _pil()
    if isinstance(obj, pil.Image.Image):
        name = source or "image"
        _check_size(obj.width, obj.height, name, max_pixels, max_side)
        return Image(_pil_to_rgb(obj, name), name)
    if isinstance(obj, str | os.PathLike):
        path = existing_file(obj, accepted=ACCEPTED_IMAGE_INPUTS, allow_empty=False)
        name, fh = source or str(path), path
    elif isinstance(obj, bytes | bytearray | memoryview):
        name, fh = source or "bytes", io.BytesIO(bytes(obj))
    elif hasattr(obj, "read"):
        name, fh = source or str(getattr(obj, "name", "stream")), obj
    else:
        raise InputError(f"Unsupported image input of type {type(obj).__name__}. Expected {ACCEPTED_IMAGE_INPUTS}.")
    try:
        with warnings.catch_warnings():  # the declared size is checked below, against our own limits; a damaged
            warnings.simplefilter("ignore")  # EXIF block is ignored rather than printed (UserWarning)
            im = pil.Image.open(fh)
    except pil.Image.DecompressionBombError as exc:
        raise InputError(f"{name} declares too many pixels ({exc}).") from None
    except _FOREIGN as exc:
        raise InputError(
            f"{name} could not be decoded as an image ({exc}). Expected {ACCEPTED_IMAGE_INPUTS}."
        ) from None
    with im:
        try:
            width, height = int(im.width), int(im.height)
        except _FOREIGN as exc:
            raise InputError(f"{name} could not be decoded as an image ({exc}).") from None
        _check_size(width, height, name, max_pixels, max_side)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                im.load()
                return Image(_pil_to_rgb(im, name), name)
        except InputError:
            raise
        except (pil.Image.DecompressionBombError, *_FOREIGN) as exc:
            raise InputError(f"{name} is corrupt or truncated: {exc}") from None
