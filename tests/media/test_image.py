"""Image normaliser: every accepted input form, EXIF orientation, modes, size guards and clear errors."""

import io

import numpy as np
import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.media.image import load_image

PIL = pytest.importorskip("PIL.Image")


def gradient(h=20, w=30):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 8, y * 12, np.full_like(x, 200)], axis=2).astype(np.uint8)


def encode(im, fmt="PNG", **kw):
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_paths_bytes_files_arrays_and_pil_agree(tmp_path):
    rgb = gradient()
    p = tmp_path / "g.png"
    PIL.fromarray(rgb).save(p)
    for obj in (
        p,
        str(p),
        p.read_bytes(),
        io.BytesIO(p.read_bytes()),
        rgb,
        PIL.fromarray(rgb),
        {"path": str(p)},
        {"array": rgb},
    ):
        img = load_image(obj)
        np.testing.assert_array_equal(img.pixels, rgb)
        assert img.size == (30, 20)
    assert load_image(p).source == str(p)
    assert load_image(rgb, source="frame").source == "frame"


def test_exif_orientation_is_applied():
    rgb = gradient()
    exif = PIL.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    img = load_image(encode(PIL.fromarray(rgb), "JPEG", exif=exif, quality=95))
    assert img.size == (20, 30)  # width and height swap


@pytest.mark.parametrize(
    ("mode", "make"),
    [
        ("L", lambda: PIL.fromarray(np.full((5, 5), 77, np.uint8))),
        ("I;16", lambda: PIL.fromarray(np.full((5, 5), 65535, np.uint16))),
        ("RGBA", lambda: PIL.fromarray(np.zeros((5, 5, 4), np.uint8))),  # fully transparent -> white
        ("P", lambda: PIL.fromarray(gradient(5, 5)).convert("P")),
        ("CMYK", lambda: PIL.fromarray(gradient(5, 5)).convert("CMYK")),
    ],
)
def test_modes_become_rgb(mode, make):
    im = make()
    assert im.mode == mode
    img = load_image(im)
    assert img.pixels.shape == (5, 5, 3)
    assert img.pixels.dtype == np.uint8
    if mode == "RGBA":
        assert (img.pixels == 255).all()
    if mode == "I;16":
        assert (img.pixels == 255).all()
    if mode == "L":
        assert (img.pixels == 77).all()


def test_array_forms():
    assert load_image(np.ones((3, 4), np.float32)).pixels.max() == 255
    assert load_image(np.zeros((3, 4, 1), np.uint16)).pixels.shape == (3, 4, 3)
    with pytest.raises(InputError, match=r"in \[0, 1\]"):
        load_image(np.full((3, 4), 2.0))
    with pytest.raises(InputError, match="shape"):
        load_image(np.zeros((3, 4, 2), np.uint8))
    with pytest.raises(InputError, match="dtype"):
        load_image(np.zeros((3, 4), np.int64))
    with pytest.raises(InputError, match="empty"):
        load_image(np.zeros((0, 4), np.uint8))


def test_decompression_bomb_is_refused_before_decoding():
    big = encode(PIL.new("L", (6000, 6000)))  # compresses to a few kB
    with pytest.raises(InputError, match="the limit is 1,000,000 pixels"):
        load_image(big, max_pixels=1_000_000)
    with pytest.raises(InputError, match="per side"):
        load_image(big, max_side=5000)
    assert load_image(big).size == (6000, 6000)


def test_bad_inputs(tmp_path):
    with pytest.raises(InputError, match="File not found"):
        load_image(tmp_path / "nope.jpg")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"is empty \(0 bytes\)"):
        load_image(empty)
    with pytest.raises(InputError, match="could not be decoded as an image"):
        load_image(b"definitely not an image")
    data = encode(PIL.fromarray(gradient(200, 200)), "JPEG")
    with pytest.raises(InputError, match="corrupt or truncated"):
        load_image(data[: len(data) // 2])
    with pytest.raises(InputError, match="Unsupported image input of type int"):
        load_image(3)
    with pytest.raises(InputError, match="needs 'array' or 'path'"):
        load_image({"pixels": 1})
    with pytest.raises(ConfigError, match="positive ints"):
        load_image(gradient(), max_pixels=0)
