"""Generate the malformed-input corpus: files that a careless user or an attacker hands to ``affectscope``.

Each case is a folder of input files (written here, nothing is committed) plus the command line to run and what
must happen: a refused input exits 2 with one line on stderr, quickly and in bounded memory; a few valid controls
exit 0, so that a harness that refuses everything cannot pass. Bombs declare or unpack to gigabytes but are
written with a streaming compressor, so the corpus stays a few MB on disk and is generated in seconds.

Usage::

    python tests/malformed/make_corpus.py OUT_DIR        # writes OUT_DIR/<case>/... and OUT_DIR/cases.json
    python tests/malformed/make_corpus.py --list         # the case names, by area

``tests/test_malformed_inputs.py`` generates the corpus into a temporary folder and runs every case through the
real CLI (``python -m affectscope.cli``) with a time and memory budget.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REFUSAL_SECONDS = 5.0  # every refused input: refused within this time ...
REFUSAL_MB = 500.0  # ... and under this peak RSS
CONTROL_SECONDS = 60.0  # valid inputs load models: a generous budget, to catch hangs only
E4_START = 1644227574.0


@dataclass(frozen=True)
class Case:
    """One generated case.

    Attributes
    ----------
    name, area : str
        Unique name (also the folder of its files) and the part of affectscope it exercises.
    args : list of str
        Arguments after ``affectscope`` (absolute paths into the corpus).
    expect : int
        Exit code: 2 for a refused input, 0 for a valid control (or an input the reader partly recovers).
    budget_s, budget_mb : float
        Time and peak-RSS budget (``budget_mb`` None: unbounded, for controls that load models).
    stderr_lines : int or None
        Exact number of non-empty stderr lines (1 for refusals; None: not checked).
    stdin : str or None
        File fed as standard input (default: an empty stdin).
    forbid : list of str
        Substrings that must appear in neither stdout nor stderr (escape sequences from the input).
    note : str
        Why the expectation is what it is.
    """

    name: str
    area: str
    args: list[str]
    expect: int = 2
    budget_s: float = REFUSAL_SECONDS
    budget_mb: float | None = REFUSAL_MB
    stderr_lines: int | None = 1
    stdin: str | None = None
    forbid: list[str] = field(default_factory=list)
    note: str = ""


# -- byte builders ---------------------------------------------------------------------------------------------


def _tone(seconds: float = 1.0, rate: int = 16_000, hz: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def _wav_bytes(data: np.ndarray, rate: int = 16_000, subtype: str = "PCM_16", fmt: str = "WAV") -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, data, rate, subtype=subtype, format=fmt)
    return buf.getvalue()


def _wav_header(
    *, fmt: int = 1, channels: int = 1, rate: int = 16_000, bits: int = 16, data: bytes = b"", block: int | None = None
) -> bytes:
    """A RIFF/WAVE file with exactly the given ``fmt `` fields (to write what no encoder would)."""
    block = block if block is not None else max(1, channels * math.ceil(bits / 8))
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk + b"data" + struct.pack("<I", len(data))
    return b"RIFF" + struct.pack("<I", len(body) + len(data)) + body + data


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header(width: int, height: int, idat: bytes, *, color: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _png_bomb(side: int) -> bytes:
    """A grayscale PNG of side × side black pixels whose pixel data really unpacks to side² bytes (streamed)."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + pixels
    out = [comp.compress(row) for _ in range(side)]
    out.append(comp.flush())
    return _png_header(side, side, b"".join(out))


def _image_bytes(fmt: str, size: int = 64) -> bytes:
    from PIL import Image

    y, x = np.mgrid[:size, :size]
    arr = np.stack([x * 4 % 256, y * 4 % 256, (x + y) * 2 % 256], axis=-1).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


def _video(path: Path, *, frames: int = 20, fps: int = 10, size: int = 64, fmt: str | None = None, **opts: str) -> Path:
    """A small moving-gradient video (MPEG-4 part 2: fast, in every FFmpeg build)."""
    import av

    with av.open(str(path), mode="w", format=fmt, options=opts) as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        y, x = np.mgrid[:size, :size]
        for i in range(frames):
            arr = np.stack([(x + 3 * i) % 256, (y + 5 * i) % 256, np.full_like(x, 128)], axis=-1).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _gzip_stream(head: bytes, unit: bytes, total: int) -> bytes:
    """gzip of ``head`` then ``unit`` repeated up to ``total`` bytes, compressed in chunks (bounded memory)."""
    buf = io.BytesIO()
    block = unit * max(1, (1 << 20) // len(unit))
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as g:
        g.write(head)
        written = 0
        while written < total:
            g.write(block)
            written += len(block)
    return buf.getvalue()


def _zip_member_stream(path: Path, name: str, head: bytes, unit: bytes, total: int) -> Path:
    """A zip whose single deflated member ``name`` unpacks to ``total`` bytes (written in chunks)."""
    block = unit * max(1, (1 << 20) // len(unit))
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
        z.open(name, "w", force_zip64=True) as member,
    ):
        member.write(head)
        written = 0
        while written < total:
            member.write(block)
            written += len(block)
    return path


def _zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _patch_zip(
    data: bytes, *, flags: int | None = None, method: int | None = None, crc: int | None = None, payload: bytes = b""
) -> bytes:
    """Rewrite fields of the first member of a zip in its local header and central directory entry.

    ``payload`` overwrites the start of the member's stored (compressed) bytes.
    """
    out = bytearray(data)
    local = out.index(b"PK\x03\x04")
    central = out.index(b"PK\x01\x02")
    for base, flag_at in ((local, 6), (central, 8)):
        if flags is not None:
            struct.pack_into("<H", out, base + flag_at, struct.unpack_from("<H", out, base + flag_at)[0] | flags)
        if method is not None:
            struct.pack_into("<H", out, base + flag_at + 2, method)
        if crc is not None:
            struct.pack_into("<I", out, base + flag_at + 6, crc)
    if payload:
        nlen, elen = struct.unpack_from("<HH", out, local + 26)
        start = local + 30 + nlen + elen
        out[start : start + len(payload)] = payload
    return bytes(out)


def _e4_text(rate: float, samples: np.ndarray) -> bytes:
    lines = [f"{E4_START:.6f}", f"{rate:.6f}", *(f"{v:.6f}" for v in samples)]
    return ("\n".join(lines) + "\n").encode()


def _physio_csv(seconds: float = 720, rate: float = 4.0, columns: dict[str, Any] | None = None) -> bytes:
    """A timestamped wearable CSV (default: 12 minutes of EDA at 4 Hz with a few responses)."""
    t = np.arange(int(seconds * rate)) / rate
    cols = columns if columns is not None else {"eda": 2.0 + 0.3 * np.sin(t / 30) + 0.2 * (np.sin(t / 7) > 0.95)}
    table = {"timestamp": E4_START + t, **{k: (v(t) if callable(v) else v) for k, v in cols.items()}}
    head = ",".join(table)
    rows = zip(*(np.broadcast_to(np.asarray(v, dtype=float), t.shape) for v in table.values()), strict=True)
    return (head + "\n" + "\n".join(",".join(f"{x:.6f}" for x in r) for r in rows) + "\n").encode()


def _edf(labels: list[str], rate: int, records: int, *, records_written: int | None = None) -> bytes:
    """An EDF file (16-bit) with one ``rate`` Hz signal per label and 1-s records; optionally cut after some."""
    ns = len(labels)
    n_written = records if records_written is None else records_written

    def field_(value: object, width: int) -> bytes:
        return str(value).encode("ascii").ljust(width)[:width]

    head = b"".join(
        [
            field_(0, 8),
            field_("X X X X", 80),
            field_("Startdate 01-JAN-2022 X X X", 80),
            field_("01.01.22", 8),
            field_("10.00.00", 8),
            field_(256 * (ns + 1), 8),
            field_("", 44),
            field_(records, 8),
            field_(1, 8),
            field_(ns, 4),
        ]
    )
    per_signal = [
        [field_(lb, 16) for lb in labels],
        [field_("", 80)] * ns,
        [field_("uS", 8)] * ns,
        [field_(0, 8)] * ns,
        [field_(40, 8)] * ns,
        [field_(-32768, 8)] * ns,
        [field_(32767, 8)] * ns,
        [field_("", 80)] * ns,
        [field_(rate, 8)] * ns,
        [field_("", 32)] * ns,
    ]
    head += b"".join(b"".join(col) for col in per_signal)
    t = np.arange(records * rate)
    sig = (1000 * np.sin(t / 20)).astype("<i2")
    data = b"".join(sig[r * rate : (r + 1) * rate].tobytes() * ns for r in range(n_written))
    return head + data


# -- the registry ----------------------------------------------------------------------------------------------


class Ctx:
    """What a case builder gets: its own folder, and shared valid inputs (written once per corpus)."""

    def __init__(self, root: Path, name: str) -> None:
        self.root, self.dir = root, root / name
        self.dir.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, data: bytes | str) -> str:
        p = self.dir / name
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(p)

    def path(self, name: str) -> str:
        return str(self.dir / name)

    def shared(self, name: str) -> str:
        """A valid input shared by many cases: wav, flac, png, mp4, dialogue.csv, physio.csv, e4 (folder)."""
        d = self.root / "_shared"
        d.mkdir(exist_ok=True)
        p = d / name
        if p.exists():
            return str(p)
        if name == "tone.wav":
            p.write_bytes(_wav_bytes(_tone(1.0)))
        elif name == "tone.flac":
            p.write_bytes(_wav_bytes(_tone(1.0), fmt="FLAC"))
        elif name == "tone.mp3":
            p.write_bytes(_wav_bytes(_tone(2.0), subtype="MPEG_LAYER_III", fmt="MP3"))
        elif name == "tone.ogg":
            p.write_bytes(_wav_bytes(_tone(2.0), subtype="VORBIS", fmt="OGG"))
        elif name == "picture.png":
            p.write_bytes(_image_bytes("PNG"))
        elif name == "picture.jpg":
            p.write_bytes(_image_bytes("JPEG"))
        elif name == "clip.mp4":
            _video(p)
        elif name == "clip_faststart.mp4":
            _video(p, frames=40, movflags="faststart")
        elif name == "clip.mkv":
            _video(p, frames=40, fmt="matroska")
        elif name == "dialogue.csv":
            p.write_text("speaker,text\nAnn,I got the job!\nBob,That's wonderful news.\n", encoding="utf-8")
        elif name == "physio.csv":
            p.write_bytes(_physio_csv())
        elif name == "recording.edf":
            p.write_bytes(_edf(["EDA"], 4, 720))
        else:  # pragma: no cover
            raise KeyError(name)
        return str(p)


Builder = Callable[[Ctx], "list[str] | dict[str, Any]"]
_SPECS: dict[str, tuple[str, Builder]] = {}


def _add(name: str, area: str, build: Builder) -> None:
    assert name not in _SPECS, name
    _SPECS[name] = (area, build)


def _control(args: list[str], note: str, **extra: Any) -> dict[str, Any]:
    return {"args": args, "expect": 0, "budget_s": CONTROL_SECONDS, "budget_mb": None, "stderr_lines": None} | {
        "note": note,
        **extra,
    }


def case_names() -> dict[str, str]:
    """Every case name → its area (no file is written)."""
    return {n: area for n, (area, _) in _SPECS.items()}


# Misleading messages the issue names (item 11): these words must not appear in the refusal of these cases
_NOT_FOUND = "File not found"
_MISLEADING: dict[str, list[str]] = {
    **{
        f"path_{n}": [_NOT_FOUND]
        for n in (
            "directory",
            "directory_named_wav",
            "directory_named_png",
            "dev_zero",
            "dev_zero_as_txt",
            "dev_zero_as_wav",
            "dev_zero_as_png",
            "dev_zero_as_mp4",
            "fifo_txt",
            "fifo_wav",
            "fifo_png",
            "fifo_physio_zip",
        )
    },
    "audio_empty_flac": ["sampling rate"],
    "audio_empty_wav": ["sampling rate"],
    "music_empty_flac": ["sampling rate"],
    "audio_start_past_the_end": ["audio is empty"],
    "audio_start_1e9": ["audio is empty"],
}


def generate(root: str | os.PathLike[str], names: list[str] | None = None) -> list[Case]:
    """Write the corpus under ``root`` (one folder per case) and ``root/cases.json``; return the cases."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, (area, build) in _SPECS.items():
        if names is not None and name not in names:
            continue
        got = build(Ctx(root, name))
        spec = {"args": got} if isinstance(got, list) else dict(got)
        spec["args"] = [str(a) for a in spec["args"]]
        spec["forbid"] = [*spec.get("forbid", []), *_MISLEADING.get(name, [])]
        cases.append(Case(name=name, area=area, **spec))
    (root / "cases.json").write_text(json.dumps([asdict(c) for c in cases], indent=1), encoding="utf-8")
    return cases


# -- text --------------------------------------------------------------------------------------------------------

_TEXT_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "0 bytes"),
    "whitespace_only": (b"   \n\t\n  \r\n", "no words"),
    "punctuation_only": (b"... !!! ??? ---\n", "no words"),
    "carriage_returns_only": (b"\r" * 5000, "no words"),
    "utf8_bom_only": (b"\xef\xbb\xbf", "no words"),
    "zero_width_only": ("\u200b\u200c\ufeff\u2060".encode() * 100, "no words"),
    "nul_bytes": (b"\x00" * 4096, "binary, no text"),
    "nul_between_words": (b"I\x00am\x00so\x00happy\x00" * 50, "NUL bytes in text: a binary file, not text"),
    "invalid_utf8": (b"I am so happy \xff\xfe caf\xe9 \x80\x81", "not UTF-8"),
    "latin1_default_encoding": ("Je suis très content, café crème.".encode("latin-1"), "latin-1 read as UTF-8"),
    "overlong_utf8": (b"happy \xc0\xaf \xe0\x80\xaf", "overlong encodings are invalid UTF-8"),
    "surrogate_utf8": (b"happy \xed\xa0\x80 day", "an encoded surrogate is invalid UTF-8"),
    "random_bytes": (np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes(), "binary"),
    "gzip_as_text": (gzip.compress(b"I am happy. " * 100, mtime=0), "a compressed file named .txt"),
}
for _n, (_data, _why) in _TEXT_FILES.items():
    _add(
        f"text_{_n}",
        "text",
        lambda c, data=_data, why=_why: {"args": ["analyze", c.write("in.txt", data)], "note": why},
    )

_ENC_CASES: dict[str, tuple[bytes, str, str]] = {
    "utf16_without_bom": ("I am so happy today.".encode("utf-16-le"), "utf-16", "UTF-16 without BOM (UnicodeError)"),
    "utf16_odd_length": (b"\xff\xfeI\x00 \x00a\x00m\x00!", "utf-16", "a truncated UTF-16 code unit"),
    "utf16_on_utf8_file": (b"Plain ASCII text, no BOM.\n", "utf-16", "UTF-8 bytes read as UTF-16"),
    "utf32_garbage": (b"\x00\x00\xfe\xff" + b"\xff" * 37, "utf-32", "invalid UTF-32 code points"),
    "unknown_encoding": (b"I am happy.", "klingon", "no such codec"),
    "empty_encoding": (b"I am happy.", "", "an empty codec name"),
    "rot13_text_transform": (b"I am happy.", "rot13", "a str-to-str codec, not a text encoding"),
    "bz2_binary_transform": (b"I am happy.", "bz2_codec", "a bytes-to-bytes codec, not a text encoding"),
    "ascii_on_utf8": ("I am so happy — really.".encode(), "ascii", "non-ASCII bytes with --encoding ascii"),
}
for _n, (_data, _enc, _why) in _ENC_CASES.items():
    _add(
        f"text_{_n}",
        "text",
        lambda c, data=_data, enc=_enc, why=_why: {
            "args": ["analyze", c.write("in.txt", data), "--encoding", enc],
            "note": why,
        },
    )


def _sparse_text(c: Ctx) -> dict[str, Any]:
    p = Path(c.path("big.txt"))
    with open(p, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB of NUL bytes, sparse: no disk used
    return {"args": ["analyze", str(p)], "note": "a 50 MB single 'line' of NUL bytes must be refused early"}


_add("text_sparse_50mb_nul_line", "text", _sparse_text)
_add("text_stdin_empty", "text", lambda c: {"args": ["analyze", "-"], "stdin": c.write("stdin", b"")})
_add(
    "text_stdin_invalid_utf8",
    "text",
    lambda c: {"args": ["analyze", "-"], "stdin": c.write("stdin", b"so happy \xff\xfe\xfd")},
)
_add(
    "text_stdin_dev_zero",
    "text",
    lambda c: {"args": ["analyze", "-"], "stdin": "/dev/zero", "note": "an endless stream of NUL bytes on stdin"},
)
_add("text_arg_whitespace", "text", lambda c: ["analyze", "--text", "   \t  "])
_add("text_segment_bogus", "text", lambda c: ["analyze", "--text", "I am happy.", "--segment", "word"])
_add("text_mixed_with_image", "text", lambda c: ["analyze", c.write("a.txt", "I am happy."), c.shared("picture.png")])
_add(
    "text_ansi_escapes_table",
    "text",
    lambda c: _control(
        ["analyze", c.write("in.txt", "I am so happy \x1b]0;pwned\x07 today!\x1b[2J\x1b[31m Great news.\x1b[0m\n")],
        "valid text holding OSC/CSI sequences: analysed, and --format table must not replay them to the terminal",
        forbid=["\x1b"],
    ),
)
_add(
    "text_ansi_escapes_arg",
    "text",
    lambda c: _control(
        ["analyze", "--text", "What a day \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x1b[?1049h", "-f", "table"],
        "escape sequences in an argument, table output",
        forbid=["\x1b"],
    ),
)
_add("text_control_valid", "text", lambda c: _control(["analyze", "--text", "I am so happy today!"], "valid text"))
_add(
    "text_control_file",
    "text",
    lambda c: _control(["analyze", c.write("ok.txt", "What a wonderful surprise. I love it.\n")], "valid file"),
)
_add(
    "text_control_utf16_bom",
    "text",
    lambda c: _control(
        ["analyze", c.write("ok16.txt", "I am so happy today.".encode("utf-16")), "--encoding", "utf-16"],
        "UTF-16 with its BOM is valid",
    ),
)

# -- dialogue ------------------------------------------------------------------------------------------------------

_DIALOGUES: dict[str, tuple[str, bytes, str]] = {
    "csv_field_over_131072": (
        "d.csv",
        b"speaker,text\nAnn," + b"a" * 140_000 + b"\nBob,ok\n",
        "a field over the csv module's 131,072-char limit (_csv.Error)",
    ),
    "csv_unclosed_quote": (
        "d.csv",
        b'speaker,text\nAnn,"I got the job!\nBob,That is wonderful.\nCid,Congrats!\n',
        "an unclosed quote would merge turns and lose speakers: refuse with file and line",
    ),
    "csv_missing_columns": ("d.csv", b"name,message\nAnn,hi\nBob,hello\n", "no speaker/text columns"),
    "csv_missing_speaker_value": ("d.csv", b"speaker,text\n,I got the job!\nBob,Nice.\n", "a turn without speaker"),
    "csv_empty": ("d.csv", b"", "0 bytes"),
    "csv_header_only": ("d.csv", b"speaker,text\n", "no turns"),
    "csv_invalid_utf8": ("d.csv", b"speaker,text\nAnn,caf\xe9 \xff\n", "not UTF-8"),
    "csv_nul_byte": ("d.csv", b"speaker,text\nAnn,hi\x00there\nBob,ok\n", "a NUL byte in a CSV line"),
    "csv_start_after_end": ("d.csv", b"speaker,text,start,end\nAnn,hi,5,1\nBob,ok,6,7\n", "end before start"),
    "csv_start_inf": ("d.csv", b"speaker,text,start,end\nAnn,hi,inf,1\nBob,ok,6,7\n", "infinite time"),
    "csv_start_negative": ("d.csv", b"speaker,text,start,end\nAnn,hi,-5,1\n", "negative time"),
    "tsv_binary": ("d.tsv", np.random.default_rng(2).integers(0, 256, 2048, dtype=np.uint8).tobytes(), "binary"),
    "json_nested_lists": ("d.json", b"[" * 100_000 + b"]" * 100_000, "100k nested lists (RecursionError)"),
    "json_nested_objects": ("d.json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "50k nested objects"),
    "json_scalar": ("d.json", b"42", "not a list of turns"),
    "json_list_of_numbers": ("d.json", b"[1, 2, 3]", "turns must be objects"),
    "json_empty": ("d.json", b"", "0 bytes"),
    "json_truncated": ("d.json", b'[{"speaker": "Ann", "text": "I got the j', "cut off"),
    "json_nan_start": ("d.json", b'[{"speaker": "Ann", "text": "hi", "start": NaN, "end": 1}]', "NaN time"),
    "json_turns_not_list": ("d.json", b'{"turns": "Ann: hi"}', "'turns' must be a list"),
    "json_speaker_object": ("d.json", b'[{"speaker": {"x": 1}, "text": "hi"}]', "a speaker that is not a string"),
    "jsonl_garbage": ("d.jsonl", b'{"speaker": "Ann", "text": "hi"}\nthis is not json\n', "a non-JSON line"),
    "jsonl_array_line": ("d.jsonl", b'[1, 2]\n{"speaker": "Bob", "text": "ok"}\n', "a line that is not an object"),
    "jsonl_nested_line": ("d.jsonl", b"[" * 50_000 + b"]" * 50_000 + b"\n", "a deeply nested line"),
    "jsonl_blank_lines": ("d.jsonl", b"\n\n   \n\n", "no turns"),
    "txt_no_speakers": ("d.txt", b"hello there\nno speaker on this line\n", "no 'Speaker: text' line"),
    "txt_empty": ("d.txt", b"", "0 bytes"),
    "unsupported_suffix": ("d.xml", b"<chat><t who='Ann'>hi</t></chat>", "not a dialogue format"),
}
for _n, (_fname, _data, _why) in _DIALOGUES.items():
    _add(
        f"dialogue_{_n}",
        "dialogue",
        lambda c, f=_fname, data=_data, why=_why: {
            "args": ["analyze", "--conversation", c.write(f, data)],
            "note": why,
        },
    )
_add("dialogue_missing_file", "dialogue", lambda c: ["analyze", "--conversation", c.path("nope.csv")])
_add("dialogue_image", "dialogue", lambda c: ["analyze", "--conversation", c.shared("picture.png")])
_add(
    "dialogue_utf16_on_utf8",
    "dialogue",
    lambda c: ["analyze", "--conversation", c.write("d.csv", b"speaker,text\nAnn,hi\n"), "--encoding", "utf-16"],
)
_add(
    "dialogue_control_csv",
    "dialogue",
    lambda c: _control(["analyze", "--conversation", c.shared("dialogue.csv")], "a valid two-turn dialogue"),
)

# -- subtitles (with a valid video) -------------------------------------------------------------------------------

_SUBS: dict[str, tuple[str, bytes]] = {
    "garbage_bytes": ("s.srt", np.random.default_rng(3).integers(0, 256, 1024, dtype=np.uint8).tobytes()),
    "empty": ("s.srt", b""),
    "bad_timing": ("s.srt", b"1\n00:00:99,000 --> 00:00:01,000\nHello\n"),
    "end_before_start": ("s.srt", b"1\n00:00:05,000 --> 00:00:01,000\nHello there\n"),
    "huge_timestamp": ("s.srt", b"1\n99999999:00:00,000 --> 99999999:00:01,000\nHello\n"),
    "invalid_utf8": ("s.srt", b"1\n00:00:00,000 --> 00:00:01,000\ncaf\xe9 \xff\xfe\n"),
    "wrong_suffix": ("s.txt", b"1\n00:00:00,000 --> 00:00:01,000\nHello\n"),
}
for _n, (_fname, _data) in _SUBS.items():
    _add(
        f"subtitles_{_n}",
        "subtitles",
        lambda c, f=_fname, data=_data: [
            "analyze",
            c.shared("clip.mp4"),
            "--no-transcript",
            "--subtitles",
            c.write(f, data),
        ],
    )
_add(
    "subtitles_vtt_without_header_accepted",
    "subtitles",
    lambda c: _control(
        [
            "analyze",
            c.shared("clip.mp4"),
            "--no-transcript",
            "--subtitles",
            c.write("s.vtt", b"00:00:01.000 --> 00:00:02.000\nHello\n"),
        ],
        "a .vtt without its WEBVTT line is read leniently (as most players do): exit 0",
    ),
)
_add(
    "subtitles_missing_file",
    "subtitles",
    lambda c: ["analyze", c.shared("clip.mp4"), "--no-transcript", "--subtitles", c.path("none.srt")],
)
_add(
    "subtitles_dev_zero",
    "subtitles",
    lambda c: ["analyze", c.shared("clip.mp4"), "--no-transcript", "--subtitles", "/dev/zero"],
)
_add(
    "subtitles_directory",
    "subtitles",
    lambda c: ["analyze", c.shared("clip.mp4"), "--no-transcript", "--subtitles", str(c.dir)],
)

# -- images ----------------------------------------------------------------------------------------------------------


def _truncated(c: Ctx, shared: str, name: str, frac: float) -> str:
    data = Path(c.shared(shared)).read_bytes()
    return c.write(name, data[: int(len(data) * frac)])


_RANDOM = np.random.default_rng(4).integers(0, 256, 8192, dtype=np.uint8).tobytes()
_IMAGES: dict[str, tuple[str, Callable[[Ctx], bytes | str]]] = {
    "empty_png": ("x.png", lambda c: b""),
    "random_png": ("x.png", lambda c: _RANDOM),
    "random_jpg": ("x.jpg", lambda c: _RANDOM),
    "random_webp": ("x.webp", lambda c: _RANDOM),
    "random_tiff": ("x.tiff", lambda c: b"II*\x00" + _RANDOM),
    "text_as_jpg": ("x.jpg", lambda c: "This is a text file, not a photo.\n"),
    "png_magic_only": ("x.png", lambda c: b"\x89PNG\r\n\x1a\n"),
    "png_bomb_100k_declared": ("x.png", lambda c: _png_header(100_000, 100_000, zlib.compress(b"\x00" * 1024))),
    "png_bomb_20k_real": ("x.png", lambda c: _png_bomb(20_000)),
    "png_zero_size": ("x.png", lambda c: _png_header(0, 0, zlib.compress(b""))),
    "png_bad_crc": (
        "x.png",
        lambda c: (lambda d: d[:29] + b"\x00\x00\x00\x00" + d[33:])(_png_header(8, 8, zlib.compress(b"\x00" * 72))),
    ),
    "png_bad_idat": ("x.png", lambda c: _png_header(64, 64, b"\x78\x9c" + b"\xff" * 200)),
    "gif_huge_screen": (
        "x.gif",
        lambda c: (
            b"GIF89a"
            + struct.pack("<HH", 65535, 65535)
            + b"\x00\x00\x00"
            + b",\x00\x00\x00\x00"
            + struct.pack("<HH", 65535, 65535)
            + b"\x00\x02\x02\x44\x01\x00;"
        ),
    ),
    "bmp_huge_header": (
        "x.bmp",
        lambda c: (
            b"BM"
            + struct.pack("<IHHI", 70, 0, 0, 54)
            + struct.pack("<IiiHHIIiiII", 40, 50_000, 50_000, 1, 24, 0, 0, 0, 0, 0, 0)
            + b"\x00" * 16
        ),
    ),
}
for _n, (_fname, _make) in _IMAGES.items():
    _add(f"image_{_n}", "image", lambda c, f=_fname, make=_make: ["analyze", c.write(f, make(c))])
_add("image_truncated_png", "image", lambda c: ["analyze", _truncated(c, "picture.png", "x.png", 0.5)])
_add("image_truncated_jpg", "image", lambda c: ["analyze", _truncated(c, "picture.jpg", "x.jpg", 0.4)])
_add("image_max_faces_0", "image", lambda c: ["analyze", c.shared("picture.png"), "--max-faces", "0"])
_add("image_max_faces_negative", "image", lambda c: ["analyze", c.shared("picture.png"), "--max-faces", "-1"])
_add("image_min_face_size_0", "image", lambda c: ["analyze", c.shared("picture.png"), "--min-face-size", "0"])
_add("image_with_start", "image", lambda c: ["analyze", c.shared("picture.png"), "--start", "1"])
_add(
    "image_two_random_files",
    "image",
    lambda c: {
        "args": ["analyze", c.write("a.png", _RANDOM), c.write("b.jpg", _RANDOM[::-1])],
        "stderr_lines": 2,
        "note": "every input failed: one line per input",
    },
)
_add("image_control_png", "image", lambda c: _control(["analyze", c.shared("picture.png")], "a valid image (no face)"))

# -- audio -----------------------------------------------------------------------------------------------------------


def _nan_wav(bad: float) -> Callable[[Ctx], list[str]]:
    def build(c: Ctx) -> list[str]:
        rng = np.random.default_rng(5)
        x = (0.2 * rng.standard_normal(16_000 * 2)).astype(np.float32)
        x[::100] = bad
        return ["analyze", c.write("x.wav", _wav_bytes(x, subtype="FLOAT")), "--no-transcript"]

    return build


_AUDIO: dict[str, tuple[str, Callable[[Ctx], bytes]]] = {
    "empty_flac": ("x.flac", lambda c: b""),
    "empty_wav": ("x.wav", lambda c: b""),
    "random_wav": ("x.wav", lambda c: b"RIFF" + _RANDOM),
    "random_mp3": ("x.mp3", lambda c: _RANDOM),
    "random_ogg": ("x.ogg", lambda c: b"OggS" + _RANDOM),
    "random_m4a": ("x.m4a", lambda c: _RANDOM),
    "random_aiff": ("x.aiff", lambda c: b"FORM" + _RANDOM),
    "png_named_wav": ("x.wav", lambda c: _image_bytes("PNG")),
    "wav_header_only": ("x.wav", lambda c: _wav_header(data=b"")),
    "wav_bit_depth_40": ("x.wav", lambda c: _wav_header(bits=40, data=b"\x00\x01\x02\x03\x04" * 4000)),
    "wav_bit_depth_0": ("x.wav", lambda c: _wav_header(bits=0, block=2, data=b"\x00\x01" * 8000)),
    "wav_float_16bit": ("x.wav", lambda c: _wav_header(fmt=3, bits=16, data=b"\x00\x3c" * 8000)),
    "wav_unknown_format_tag": ("x.wav", lambda c: _wav_header(fmt=0x1234, data=b"\x00\x01" * 8000)),
    "wav_rate_0": ("x.wav", lambda c: _wav_header(rate=0, data=b"\x00\x01" * 8000)),
    "wav_channels_0": ("x.wav", lambda c: _wav_header(channels=0, block=2, data=b"\x00\x01" * 8000)),
    "flac_truncated_header": ("x.flac", lambda c: Path(c.shared("tone.flac")).read_bytes()[:60]),
    "mp3_truncated_header": ("x.mp3", lambda c: Path(c.shared("tone.mp3")).read_bytes()[:40]),
    "ogg_truncated_header": ("x.ogg", lambda c: Path(c.shared("tone.ogg")).read_bytes()[:200]),
}
for _n, (_fname, _make) in _AUDIO.items():
    _add(f"audio_{_n}", "audio", lambda c, f=_fname, make=_make: ["analyze", c.write(f, make(c)), "--no-transcript"])
_add("audio_float_wav_nan", "audio", _nan_wav(float("nan")))
_add("audio_float_wav_inf", "audio", _nan_wav(float("inf")))
_SPANS: dict[str, list[str]] = {
    "start_nan": ["--start", "nan"],
    "start_inf": ["--start", "inf"],
    "start_1e9": ["--start", "1e9"],
    "start_negative": ["--start", "-1"],
    "end_before_start": ["--start", "0.8", "--end", "0.2"],
    "end_zero": ["--end", "0"],
    "end_nan": ["--end", "nan"],
    "start_past_the_end": ["--start", "5"],
}
for _n, _opts in _SPANS.items():
    _add(
        f"audio_{_n}",
        "audio",
        lambda c, opts=_opts: ["analyze", c.shared("tone.wav"), "--no-transcript", *opts],
    )
_add("audio_language_bogus", "audio", lambda c: ["analyze", c.shared("tone.wav"), "--language", "klingon"])
_add("audio_baseline_bogus", "audio", lambda c: ["analyze", c.shared("tone.wav"), "--baseline", "sometimes"])
_add(
    "audio_truncated_mp3_keeps_frames",
    "audio",
    lambda c: _control(
        ["analyze", _truncated(c, "tone.mp3", "x.mp3", 0.5), "--no-transcript"],
        "MP3 frames are independent: a file cut half-way decodes up to the cut (a tone: no speech, exit 0)",
    ),
)
_add(
    "audio_control_wav",
    "audio",
    lambda c: _control(["analyze", c.shared("tone.wav"), "--no-transcript"], "a valid 1-s tone: no speech, exit 0"),
)

# -- video -----------------------------------------------------------------------------------------------------------

_VIDEO: dict[str, tuple[str, Callable[[Ctx], bytes | str]]] = {
    "random_mp4": ("x.mp4", lambda c: _RANDOM),
    "empty_mp4": ("x.mp4", lambda c: b""),
    "text_as_mov": ("x.mov", lambda c: "not a movie\n" * 20),
    "random_webm": ("x.webm", lambda c: b"\x1a\x45\xdf\xa3" + _RANDOM),
    "random_avi": ("x.avi", lambda c: b"RIFF\x00\x10\x00\x00AVI " + _RANDOM),
    "random_mkv": ("x.mkv", lambda c: _RANDOM),
    "mp4_first_kb_only": ("x.mp4", lambda c: Path(c.shared("clip.mp4")).read_bytes()[:1024]),
}
for _n, (_fname, _make) in _VIDEO.items():
    _add(f"video_{_n}", "video", lambda c, f=_fname, make=_make: ["analyze", c.write(f, make(c)), "--no-transcript"])
_VIDEO_OPTS: dict[str, list[str]] = {
    "fps_0": ["--fps", "0"],
    "fps_negative": ["--fps", "-1"],
    "fps_nan": ["--fps", "nan"],
    "fps_1e9": ["--fps", "1e9"],
    "window_1e-300": ["--window", "1e-300"],
    "window_1e-6": ["--window", "1e-6"],
    "window_0": ["--window", "0"],
    "window_nan": ["--window", "nan"],
    "window_inf": ["--window", "inf"],
    "window_word": ["--window", "sentence"],
    "start_nan": ["--start", "nan"],
    "start_1e9": ["--start", "1e9"],
    "end_before_start": ["--start", "1", "--end", "0.5"],
    "max_faces_0": ["--max-faces", "0"],
}
for _n, _opts in _VIDEO_OPTS.items():
    _add(f"video_{_n}", "video", lambda c, opts=_opts: ["analyze", c.shared("clip.mp4"), "--no-transcript", *opts])
_add(
    "video_mp4_truncated_half_moov_at_end",
    "video",
    lambda c: {
        "args": ["analyze", _truncated(c, "clip.mp4", "x.mp4", 0.5), "--no-transcript"],
        "note": "the index (moov) is written last: cut half-way, nothing is decodable",
    },
)
_add(
    "video_truncated_faststart_keeps_frames",
    "video",
    lambda c: _control(
        ["analyze", _truncated(c, "clip_faststart.mp4", "x.mp4", 0.6), "--no-transcript", "-f", "json"],
        "moov first, cut at 60%: the reader documents that the frames before the damage are kept (exit 0)",
    ),
)
_add(
    "video_truncated_mkv_keeps_frames",
    "video",
    lambda c: _control(
        ["analyze", _truncated(c, "clip.mkv", "x.mkv", 0.6), "--no-transcript", "-f", "json"],
        "Matroska cut at 60%: the clusters before the cut decode (exit 0)",
    ),
)
_add(
    "video_control_mp4",
    "video",
    lambda c: _control(["analyze", c.shared("clip.mp4"), "--no-transcript"], "a valid 2-s clip (no face)"),
)

# -- music -----------------------------------------------------------------------------------------------------------

_add("music_on_text", "music", lambda c: ["analyze", c.write("song.txt", "la la la"), "--modality", "music"])
_add("music_on_image", "music", lambda c: ["analyze", c.shared("picture.png"), "--modality", "music"])
_add("music_start_nan", "music", lambda c: ["analyze", c.shared("tone.wav"), "--modality", "music", "--start", "nan"])
_add("music_start_1e9", "music", lambda c: ["analyze", c.shared("tone.wav"), "--modality", "music", "--start", "1e9"])
_add(
    "music_end_before_start",
    "music",
    lambda c: ["analyze", c.shared("tone.wav"), "--modality", "music", "--start", "0.5", "--end", "0.1"],
)
_add("music_random_wav", "music", lambda c: ["analyze", c.write("x.wav", b"RIFF" + _RANDOM), "--modality", "music"])
_add("music_empty_flac", "music", lambda c: ["analyze", c.write("x.flac", b""), "--modality", "music"])
_add("music_float_wav_nan", "music", lambda c: [*_nan_wav(float("nan"))(c)[:2], "--modality", "music"])

# -- physio ----------------------------------------------------------------------------------------------------------

_GiB = 1 << 30


def _issue_bomb(c: Ctx) -> dict[str, Any]:
    """The reproduction of issue 18 item 1: 5 KB zip, a .csv.gz member that unpacks to 1 GiB."""
    raw = _gzip_stream(b"1644227574.0\n4.0\n", b"0.5\n", _GiB)
    p = Path(c.path("bomb.zip"))
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("EDA.csv.gz", raw)
    return {"args": ["analyze", str(p), "--modality", "physio"], "note": "issue 18 item 1 (14 GB RSS at 130 s)"}


def _plain_bomb(c: Ctx) -> dict[str, Any]:
    p = _zip_member_stream(Path(c.path("bomb.zip")), "EDA.csv", b"1644227574.0\n4.0\n", b"0.5\n", _GiB // 2)
    return {"args": ["analyze", str(p), "--modality", "physio"], "note": "a deflated EDA.csv of 512 MiB"}


def _e4_dir(c: Ctx, files: dict[str, bytes]) -> str:
    d = c.dir / "e4"
    d.mkdir(exist_ok=True)
    for name, data in files.items():
        (d / name).write_bytes(data)
    return str(d)


_EDA_OK = _e4_text(4.0, 2 + 0.1 * np.sin(np.arange(2880) / 40))
_ZIP_OK = {"EDA.csv": _EDA_OK}

_add("physio_e4_zip_bomb_issue", "physio", _issue_bomb)
_add("physio_e4_zip_plain_deflate_bomb", "physio", _plain_bomb)
_PHYSIO_FILES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "e4_zip_encrypted": ("rec.zip", lambda: _patch_zip(_zip_bytes(_ZIP_OK), flags=0x1), "encrypted member"),
    "e4_zip_deflate64": (
        "rec.zip",
        lambda: _patch_zip(_zip_bytes(_ZIP_OK, zipfile.ZIP_STORED), method=9),
        "compression method 9 (deflate64)",
    ),
    "e4_zip_bzip2_unknown_method": (
        "rec.zip",
        lambda: _patch_zip(_zip_bytes(_ZIP_OK, zipfile.ZIP_STORED), method=99),
        "compression method 99 (AES)",
    ),
    "e4_zip_corrupt_deflate": (
        "rec.zip",
        lambda: _patch_zip(_zip_bytes(_ZIP_OK), payload=b"\xff" * 16),
        "an invalid deflate block (zlib.error)",
    ),
    "e4_zip_bad_crc": ("rec.zip", lambda: _patch_zip(_zip_bytes(_ZIP_OK), crc=0xDEADBEEF), "CRC mismatch"),
    "e4_zip_declares_3gb": (
        "rec.zip",
        lambda: _zip_declaring(3 * _GiB),
        "a member whose header says 3 GB",
    ),
    "e4_zip_random": ("rec.zip", lambda: b"PK\x03\x04" + _RANDOM, "random bytes"),
    "e4_zip_empty": ("rec.zip", lambda: b"", "0 bytes"),
    "e4_zip_truncated": ("rec.zip", lambda: _zip_bytes(_ZIP_OK)[:300], "cut off (no central directory)"),
    "e4_zip_no_e4_members": ("rec.zip", lambda: _zip_bytes({"notes.txt": b"hello"}), "no E4 signal file"),
    "e4_zip_traversal_member": (
        "rec.zip",
        lambda: _zip_bytes({"../../../../tmp/EDA.csv": _e4_text(4.0, np.ones(8))}),
        "a '../' member name (and too short a recording)",
    ),
    "e4_zip_gz_member_garbage": ("rec.zip", lambda: _zip_bytes({"EDA.csv.gz": b"\x1f\x8b" + _RANDOM}), "bad gzip"),
    "csv_all_nan_eda": (
        "rec.csv",
        lambda: _physio_csv(columns={"eda": np.nan}),
        "an all-NaN EDA column (traceback today)",
    ),
    "csv_below_16hz_with_bvp": (
        "rec.csv",
        lambda: _physio_csv(rate=4.0, columns={"eda": lambda t: 2 + 0.1 * np.sin(t), "bvp": lambda t: np.sin(t * 7)}),
        "BVP at 4 Hz cannot be band-passed (scipy ValueError today)",
    ),
    "csv_without_timestamp": ("rec.csv", lambda: b"eda,hr\n1.0,70\n1.1,71\n" * 100, "no timestamp column"),
    "csv_timestamps_decreasing": (
        "rec.csv",
        lambda: b"timestamp,eda\n" + b"".join(f"{100 - i},1.0\n".encode() for i in range(100)),
        "decreasing timestamps",
    ),
    "csv_timestamp_inf": (
        "rec.csv",
        lambda: b"timestamp,eda\n0,1\n0.25,1\ninf,1\n" + b"".join(f"{i},1\n".encode() for i in range(1, 50)),
        "an infinite timestamp",
    ),
    "csv_empty": ("rec.csv", lambda: b"", "0 bytes"),
    "csv_header_only": ("rec.csv", lambda: b"timestamp,eda\n", "no rows"),
    "csv_invalid_utf8": ("rec.csv", lambda: b"timestamp,eda\n0,\xff\xfe\n", "not UTF-8"),
    "csv_one_row": ("rec.csv", lambda: b"timestamp,eda\n0,1.0\n", "one sample"),
    "csv_too_short": ("rec.csv", lambda: _physio_csv(seconds=60), "1 minute: too short for the windows"),
    "csv_rate_1e6_hz": ("rec.csv", lambda: _physio_csv(seconds=0.01, rate=1e6), "1 MHz timestamps, 10 ms long"),
    "csv_gz_bomb": (
        "rec.csv.gz",
        lambda: _gzip_stream(b"timestamp,eda\n", b"1,0.5\n", _GiB // 4),
        "a .csv.gz that unpacks to 256 MiB of one repeated row",
    ),
    "csv_gz_bomb_one_long_line": (
        "rec.csv.gz",
        lambda: _gzip_stream(b"timestamp,eda\n0,", b"1", _GiB // 4),
        "a .csv.gz whose second line is a 256 MiB number (a line-by-line reader must bound the line)",
    ),
    "edf_random_bytes": ("rec.edf", lambda: b"0       " + _RANDOM, "random bytes"),
    "edf_empty": ("rec.edf", lambda: b"", "0 bytes"),
    "edf_truncated": ("rec.edf", lambda: _edf(["EDA"], 4, 720, records_written=10), "header says 720 records, 10 left"),
    "edf_header_cut": ("rec.edf", lambda: _edf(["EDA"], 4, 720)[:300], "cut inside the signal headers"),
    "edf_no_wearable_labels": ("rec.edf", lambda: _edf(["Fp1", "Fp2"], 4, 60), "EEG labels only"),
    "edf_bogus_record_count": (
        "rec.edf",
        lambda: _edf(["EDA"], 4, 10).replace(b"10      ", b"99999999", 1),
        "the header claims 1e8 records",
    ),
    "bdf_random_bytes": ("rec.bdf", lambda: b"\xffBIOSEMI" + _RANDOM, "random bytes"),
    "text_file": ("rec.txt", lambda: b"1644227574.0\n4.0\n0.5\n", "not a physio format"),
}


def _zip_declaring(size: int) -> bytes:
    data = _zip_bytes(_ZIP_OK)
    out = bytearray(data)
    local, central = out.index(b"PK\x03\x04"), out.index(b"PK\x01\x02")
    struct.pack_into("<I", out, local + 22, min(size, 0xFFFFFFFE))
    struct.pack_into("<I", out, central + 24, min(size, 0xFFFFFFFE))
    return bytes(out)


for _n, (_fname, _make, _why) in _PHYSIO_FILES.items():
    _add(
        f"physio_{_n}",
        "physio",
        lambda c, f=_fname, make=_make, why=_why: {
            "args": ["analyze", c.write(f, make()), "--modality", "physio"],
            "note": why,
        },
    )
_E4_FOLDERS: dict[str, tuple[dict[str, Callable[[], bytes]], str]] = {
    "e4_folder_rate_0": ({"EDA.csv": lambda: b"1644227574.0\n0\n0.5\n0.6\n"}, "rate 0"),
    "e4_folder_rate_nan": ({"EDA.csv": lambda: b"1644227574.0\nnan\n0.5\n0.6\n"}, "rate NaN"),
    "e4_folder_rate_1e12": ({"EDA.csv": lambda: _e4_text(1e12, np.ones(100))}, "a 1 THz rate"),
    "e4_folder_start_nan": ({"EDA.csv": lambda: b"nan\n4.0\n" + b"0.5\n" * 3000}, "start time NaN"),
    "e4_folder_garbage_text": ({"EDA.csv": lambda: b"hello\nworld\n"}, "not numbers"),
    "e4_folder_gz_garbage": ({"EDA.csv.gz": lambda: b"\x1f\x8b\x08\x00" + _RANDOM}, "corrupt gzip"),
    "e4_folder_gz_bomb": (
        {"EDA.csv.gz": lambda: _gzip_stream(b"1644227574.0\n4.0\n", b"0.5\n", _GiB // 4)},
        "EDA.csv.gz unpacking to 256 MiB",
    ),
    "e4_folder_gz_bomb_one_long_line": (
        {"EDA.csv.gz": lambda: _gzip_stream(b"1644227574.0\n4.0\n0.", b"5", _GiB // 4)},
        "EDA.csv.gz whose third line is a 256 MiB number",
    ),
    "e4_folder_ibi_only_garbage": ({"IBI.csv": lambda: b"1644227574.0, IBI\nx,y\n"}, "IBI only, not numbers"),
    "e4_folder_empty": ({}, "a folder without signal files"),
}
for _n, (_files, _why) in _E4_FOLDERS.items():
    _add(
        f"physio_{_n}",
        "physio",
        lambda c, files=_files, why=_why: {
            "args": ["analyze", _e4_dir(c, {k: v() for k, v in files.items()}), "--modality", "physio"],
            "note": why,
        },
    )
for _n, _opts in {
    "start_nan": ["--start", "nan"],
    "start_1e9": ["--start", "1e9"],
    "end_before_start": ["--start", "300", "--end", "100"],
}.items():
    _add(
        f"physio_{_n}",
        "physio",
        lambda c, opts=_opts: ["analyze", c.shared("physio.csv"), "--modality", "physio", *opts],
    )
_add("physio_missing_path", "physio", lambda c: ["analyze", c.path("nope.zip"), "--modality", "physio"])
_add(
    "physio_control_csv",
    "physio",
    lambda c: _control(["analyze", c.shared("physio.csv"), "--modality", "physio"], "12 minutes of EDA at 4 Hz"),
)
_add(
    "physio_control_edf",
    "physio",
    lambda c: _control(["analyze", c.shared("recording.edf"), "--modality", "physio"], "12 minutes of EDA in EDF"),
)

# -- EEG -------------------------------------------------------------------------------------------------------------


def _model_dir(c: Ctx, files: dict[str, bytes]) -> str:
    d = c.dir / "model"
    d.mkdir(exist_ok=True)
    for name, data in files.items():
        (d / name).write_bytes(data)
    return str(d)


_EEG_REC = "time,Fp1,Fp2\n" + "".join(
    f"{i / 128:.4f},{math.sin(i / 5):.3f},{math.cos(i / 7):.3f}\n" for i in range(2000)
)
_EEG: dict[str, Callable[[Ctx], list[str]]] = {
    "model_missing_dir": lambda c: ["--model", c.path("no-model")],
    "model_garbage_dir": lambda c: ["--model", _model_dir(c, {"bundle.json": _RANDOM, "head.npz": _RANDOM})],
    "model_empty_dir": lambda c: ["--model", _model_dir(c, {})],
    "model_other_modality": lambda c: [
        "--model",
        _model_dir(c, {"bundle.json": json.dumps({"modality": "physio"}).encode()}),
    ],
    "model_json_without_heads": lambda c: [
        "--model",
        _model_dir(c, {"bundle.json": json.dumps({"modality": "eeg"}).encode(), "head.npz": b""}),
    ],
    "model_nested_json": lambda c: ["--model", _model_dir(c, {"bundle.json": b"[" * 100_000})],
    "model_is_a_file": lambda c: ["--model", c.write("model.json", b"{}")],
    "no_model": lambda c: [],
}
for _n, _opts in _EEG.items():
    _add(
        f"eeg_{_n}",
        "eeg",
        lambda c, opts=_opts: ["analyze", c.write("rec.csv", _EEG_REC), "--modality", "eeg", *opts(c)],
    )

# -- options (on valid inputs) -----------------------------------------------------------------------------------------

_TEXT_OPTS: dict[str, list[str]] = {
    "batch_size_0": ["--batch-size", "0"],
    "batch_size_negative": ["--batch-size", "-3"],
    "batch_size_huge": ["--batch-size", "1000000000"],
    "uncertain_below_2": ["--uncertain-below", "2"],
    "uncertain_below_negative": ["--uncertain-below", "-0.5"],
    "uncertain_below_nan": ["--uncertain-below", "nan"],
    "modality_unknown": ["--modality", "telepathy"],
    "labels_bogus": ["--labels", "bogus"],
    "model_nosuch": ["--model", "nosuch"],
    "model_path_traversal": ["--model", "../../../../etc"],
    "streaming_without_conversation": ["--streaming"],
    "format_xml": ["--format", "xml"],
    "batch_size_not_a_number": ["--batch-size", "many"],
    "output_unsupported_suffix": ["--output", "out.xlsx"],
    "output_in_missing_folder": ["--output", "/nonexistent-folder/out.json"],
}
for _n, _opts in _TEXT_OPTS.items():
    _add(f"option_{_n}", "options", lambda c, opts=_opts: ["analyze", "--text", "I am so happy today!", *opts])
_add("option_model_garbage_dir", "options", lambda c: ["analyze", "--text", "I am happy.", "--model", str(c.dir)])
_add("option_fps_not_a_number", "options", lambda c: ["analyze", c.shared("clip.mp4"), "--fps", "fast"])
_add("option_unknown_command", "options", lambda c: ["frobnicate"])
_add("option_analyze_without_input", "options", lambda c: ["analyze"])
_add("option_unknown_flag", "options", lambda c: ["analyze", "--text", "hi", "--no-such-flag"])

# -- paths -----------------------------------------------------------------------------------------------------------


def _fifo(c: Ctx, name: str) -> str:
    p = c.path(name)
    os.mkfifo(p)
    return p


def _symlink(c: Ctx, name: str, target: str) -> str:
    p = c.path(name)
    os.symlink(target, p)
    return p


def _loop(c: Ctx, name: str) -> str:
    a, b = c.path(name), c.path("other" + Path(name).suffix)
    os.symlink(b, a)
    os.symlink(a, b)
    return a


def _subdir(c: Ctx, name: str) -> str:
    (c.dir / name).mkdir()
    return c.path(name)


_PATHS: dict[str, tuple[Callable[[Ctx], list[str]], str]] = {
    "directory": (lambda c: ["analyze", str(c.dir)], "a folder: must not say 'File not found'"),
    "directory_named_wav": (lambda c: ["analyze", _subdir(c, "x.wav")], "a folder with a media suffix"),
    "directory_named_png": (lambda c: ["analyze", _subdir(c, "x.png")], "a folder with an image suffix"),
    "directory_physio_without_signals": (
        lambda c: ["analyze", _subdir(c, "rec"), "--modality", "physio"],
        "an empty folder as an E4 export",
    ),
    "dev_zero": (lambda c: ["analyze", "/dev/zero"], "a character device: must not say 'File not found'"),
    "dev_zero_as_txt": (lambda c: ["analyze", _symlink(c, "zero.txt", "/dev/zero")], "endless NULs as text"),
    "dev_zero_as_wav": (lambda c: ["analyze", _symlink(c, "zero.wav", "/dev/zero"), "--no-transcript"], "as audio"),
    "dev_zero_as_png": (lambda c: ["analyze", _symlink(c, "zero.png", "/dev/zero")], "as an image"),
    "dev_zero_as_mp4": (lambda c: ["analyze", _symlink(c, "zero.mp4", "/dev/zero"), "--no-transcript"], "as video"),
    "dev_zero_as_physio_csv": (
        lambda c: ["analyze", _symlink(c, "zero.csv", "/dev/zero"), "--modality", "physio"],
        "as a wearable CSV",
    ),
    "dev_zero_as_dialogue": (
        lambda c: ["analyze", "--conversation", _symlink(c, "zero.csv", "/dev/zero")],
        "as a dialogue",
    ),
    "fifo_txt": (lambda c: ["analyze", _fifo(c, "pipe.txt")], "opening a FIFO without a writer blocks forever"),
    "fifo_wav": (lambda c: ["analyze", _fifo(c, "pipe.wav"), "--no-transcript"], "a FIFO as audio"),
    "fifo_png": (lambda c: ["analyze", _fifo(c, "pipe.png")], "a FIFO as an image"),
    "fifo_physio_zip": (lambda c: ["analyze", _fifo(c, "pipe.zip"), "--modality", "physio"], "a FIFO as a zip"),
    "fifo_dialogue": (lambda c: ["analyze", "--conversation", _fifo(c, "pipe.jsonl")], "a FIFO as a dialogue"),
    "symlink_loop_txt": (lambda c: ["analyze", _loop(c, "loop.txt")], "ELOOP"),
    "symlink_loop_wav": (lambda c: ["analyze", _loop(c, "loop.wav"), "--no-transcript"], "ELOOP as audio"),
    "dangling_symlink_txt": (lambda c: ["analyze", _symlink(c, "gone.txt", c.path("nothing"))], "dangling"),
    "dangling_symlink_png": (lambda c: ["analyze", _symlink(c, "gone.png", c.path("nothing"))], "dangling image"),
    "newline_in_name": (
        lambda c: ["analyze", c.write("bad\nname.txt", b"")],
        "an empty file whose name holds a newline: still one line on stderr",
    ),
    "ansi_in_name": (
        lambda c: {"args": ["analyze", c.write("\x1b[2J\x1b]0;owned\x07x.txt", b"")], "forbid": ["\x1b"]},
        "an empty file whose name clears the screen and sets the title: not replayed on stderr",
    ),
    "missing_txt": (lambda c: ["analyze", c.path("missing.txt")], "not found"),
    "missing_wav": (lambda c: ["analyze", c.path("missing.wav")], "not found"),
    "missing_mp4": (lambda c: ["analyze", c.path("missing.mp4")], "not found"),
    "name_too_long": (lambda c: ["analyze", c.path("a" * 300 + ".txt")], "ENAMETOOLONG"),
    "through_a_file": (lambda c: ["analyze", c.write("f.txt", "I am happy.") + "/x.txt"], "ENOTDIR"),
}
for _n, (_build, _why) in _PATHS.items():

    def _path_case(c: Ctx, build: Callable[[Ctx], Any] = _build, why: str = _why) -> dict[str, Any]:
        got = build(c)
        spec = {"args": got} if isinstance(got, list) else got
        return {"note": why, **spec}

    _add(f"path_{_n}", "paths", _path_case)

# -- batch -----------------------------------------------------------------------------------------------------------


def _batch(c: Ctx, source: str, *opts: str) -> list[str]:
    return ["batch", source, "-o", c.path("out"), *opts]


def _texts_dir(c: Ctx) -> str:
    d = c.dir / "in"
    d.mkdir(exist_ok=True)
    (d / "a.txt").write_text("I am so happy today!", encoding="utf-8")
    return str(d)


_BATCH: dict[str, tuple[Callable[[Ctx], list[str]], str]] = {
    "manifest_symlink_loop": (lambda c: _batch(c, _loop(c, "m.csv")), "an unreadable manifest (ELOOP)"),
    "manifest_fifo": (lambda c: _batch(c, _fifo(c, "m.csv")), "a FIFO as manifest"),
    "manifest_dev_zero": (lambda c: _batch(c, _symlink(c, "m.csv", "/dev/zero")), "/dev/zero as manifest"),
    "manifest_invalid_utf8": (lambda c: _batch(c, c.write("m.csv", b"path\n\xff\xfe.txt\n")), "not UTF-8"),
    "manifest_empty": (lambda c: _batch(c, c.write("m.csv", b"")), "0 bytes"),
    "manifest_no_column": (lambda c: _batch(c, c.write("m.csv", b"file,name\na,b\n")), "no path/text column"),
    "manifest_unclosed_quote": (
        lambda c: _batch(c, c.write("m.csv", b'text\n"I am happy\nI am sad\n')),
        "an unclosed quote",
    ),
    "manifest_duplicate_ids": (
        lambda c: _batch(c, c.write("m.csv", b"id,text\n1,happy\n1,sad\n")),
        "repeated ids",
    ),
    "manifest_random_parquet": (lambda c: _batch(c, c.write("m.parquet", b"PAR1" + _RANDOM)), "not Parquet"),
    "list_invalid_utf8": (lambda c: _batch(c, c.write("l.lst", b"a.txt\n\xff\xfe\n")), "a list file not in UTF-8"),
    "source_missing": (lambda c: _batch(c, c.path("nope")), "not found"),
    "source_is_a_zip": (lambda c: _batch(c, c.write("x.zip", _zip_bytes({"a.txt": b"hi"}))), "not a batch input"),
    "part_size_0": (lambda c: _batch(c, _texts_dir(c), "--part-size", "0"), "[1, 100000]"),
    "part_size_huge": (lambda c: _batch(c, _texts_dir(c), "--part-size", "1000000"), "[1, 100000]"),
    "workers_0": (lambda c: _batch(c, _texts_dir(c), "--workers", "0"), "[1, 256]"),
    "workers_huge": (lambda c: _batch(c, _texts_dir(c), "--workers", "100000"), "[1, 256]"),
    "threads_per_worker_0": (lambda c: _batch(c, _texts_dir(c), "--threads-per-worker", "0"), "[1, 256]"),
    "fps_nan": (lambda c: _batch(c, _texts_dir(c), "--fps", "nan"), "(0, 60]"),
    "fps_0": (lambda c: _batch(c, _texts_dir(c), "--fps", "0"), "(0, 60]"),
    "engine_bogus": (lambda c: _batch(c, _texts_dir(c), "--engine", "spark"), "local or ray"),
    "address_with_local_engine": (lambda c: _batch(c, _texts_dir(c), "--address", "auto"), "ray only"),
    "modalities_bogus": (lambda c: _batch(c, _texts_dir(c), "--modalities", "smell"), "unknown modality"),
    "modalities_speech_and_music": (
        lambda c: _batch(c, _texts_dir(c), "--modalities", "speech,music"),
        "audio is speech or music",
    ),
    "output_is_a_file": (
        lambda c: ["batch", _texts_dir(c), "-o", c.write("out", b"a file")],
        "the output folder is a file",
    ),
    "output_under_a_file": (
        lambda c: ["batch", _texts_dir(c), "-o", c.write("f", b"a file") + "/out"],
        "the output folder cannot be created",
    ),
}
for _n, (_build, _why) in _BATCH.items():
    _add(f"batch_{_n}", "batch", lambda c, build=_build, why=_why: {"args": build(c), "note": why})


def _many_empty_lines(c: Ctx) -> dict[str, Any]:
    src = c.write("l.lst", b"\n" * 200_000 + b"   \n" * 1000 + b"# a comment\n")
    return _control(_batch(c, src), "200k empty lines: nothing to do, exit 0 quickly", budget_s=10.0, budget_mb=500.0)


def _folder_with_traps(c: Ctx) -> dict[str, Any]:
    d = Path(_texts_dir(c))
    os.mkfifo(d / "pipe.txt")
    os.symlink(d / "loop2.txt", d / "loop1.txt")
    os.symlink(d / "loop1.txt", d / "loop2.txt")
    os.symlink(d, d / "self")  # a folder symlink to itself: the walk must not recurse into it
    (d / "gone.txt").symlink_to(d / "nothing")
    return _control(
        _batch(c, str(d), "--no-evidence", "--workers", "1"),
        "a folder holding a FIFO, symlink loops and a dangling link: the one text is analysed, the run ends",
    )


def _list_with_fifo(c: Ctx) -> dict[str, Any]:
    d = Path(_texts_dir(c))
    os.mkfifo(d / "pipe.txt")
    src = c.write("l.lst", f"{d / 'a.txt'}\n{d / 'pipe.txt'}\n/dev/zero\n")
    return _control(
        _batch(c, src, "--no-evidence", "--workers", "1"),
        "a list naming a FIFO: that input fails (errors.parquet), the run ends with exit 1 (some inputs failed)",
    ) | {"expect": 1}


_add("batch_list_of_empty_lines", "batch", _many_empty_lines)
_add("batch_folder_with_fifo_and_loops", "batch", _folder_with_traps)
_add("batch_list_with_fifo", "batch", _list_with_fifo)


def main(argv: list[str]) -> int:
    """Command line: ``make_corpus.py OUT_DIR`` or ``make_corpus.py --list``."""
    if argv[:1] == ["--list"]:
        for name, area in case_names().items():
            print(f"{area:10s} {name}")
        print(f"{len(_SPECS)} cases")
        return 0
    if len(argv) != 1:
        print(__doc__.split("Usage::")[1].split("``tests")[0].strip(), file=sys.stderr)
        return 2
    cases = generate(argv[0])
    size = sum(f.stat().st_blocks * 512 for f in Path(argv[0]).rglob("*") if f.is_file() and not f.is_symlink())
    print(f"{len(cases)} cases in {argv[0]} ({size / 1e6:.1f} MB on disk)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
