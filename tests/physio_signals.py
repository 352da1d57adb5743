"""Synthetic wearable signals shared by the physio tests: E4 files, EDA with SCRs at known times, pulse, and a
20-minute session with a 6-minute stress block (calm 0-8 min, stress 8-14 min, calm after)."""

from __future__ import annotations

import gzip

import numpy as np

START = 1644227574.0


def e4_file(folder, name, rate, samples, *, gz=False):
    axes = np.atleast_2d(samples[0]).shape[1] if np.ndim(samples) > 1 else 1
    head = ", ".join([f"{START:.6f}"] * axes) + "\n" + ", ".join([f"{rate:.6f}"] * axes) + "\n"
    body = head + "\n".join(", ".join(f"{v:.6f}" for v in np.atleast_1d(row)) for row in samples)
    path = folder / (f"{name}.csv.gz" if gz else f"{name}.csv")
    path.write_bytes(gzip.compress(body.encode()) if gz else body.encode())


def eda_with_scrs(seconds=600, rate=4.0, scr_times=(100, 130, 160, 400, 410, 420, 430, 440)):
    """A slowly drifting tonic level with skin-conductance responses (fast rise, slow recovery) at known times."""
    t = np.arange(int(seconds * rate)) / rate
    y = 2.0 + 0.001 * t
    for s in scr_times:
        d = t - s
        d = np.clip(d, 0, None)  # zero before the response
        y += 0.4 * (1 - np.exp(-d / 1.0)) * np.exp(-d / 6.0)
    return y


def bvp(seconds=600, rate=64.0, bpm=72.0):
    t = np.arange(int(seconds * rate)) / rate
    return np.sin(2 * np.pi * bpm / 60 * t) + 0.3 * np.sin(4 * np.pi * bpm / 60 * t)


def write_stress_session(folder):
    """E4 files (EDA, HR, BVP, TEMP, ACC) of a 20-minute session whose seconds 480-840 are stressed."""
    folder.mkdir(parents=True, exist_ok=True)
    minutes = 20
    calm_scrs = [45, 200, 330, 900, 1050]
    stress_scrs = list(range(490, 840, 9))
    eda_t = np.arange(minutes * 60 * 4) / 4
    tonic = 2.0 + 1.5 * np.clip((eda_t - 480) / 60, 0, 1) * (eda_t < 840) + 0.3 * (eda_t >= 840)
    eda = eda_with_scrs(minutes * 60, 4.0, calm_scrs + stress_scrs) - 2.0 - 0.001 * eda_t + tonic
    hr = np.where((np.arange(minutes * 60) >= 480) & (np.arange(minutes * 60) < 840), 96.0, 70.0)
    t64 = np.arange(minutes * 60 * 64) / 64
    rate = np.interp(t64, np.arange(minutes * 60), hr) / 60
    pulse = np.sin(2 * np.pi * np.cumsum(rate) / 64)
    temp = np.where((np.arange(minutes * 240) >= 1920) & (np.arange(minutes * 240) < 3360), 32.4, 33.0)
    e4_file(folder, "EDA", 4, eda)
    e4_file(folder, "HR", 1, hr)
    e4_file(folder, "BVP", 64, pulse)
    e4_file(folder, "TEMP", 4, temp)
    # movement the same throughout (a wrist device always records it; it must not be what marks the block)
    still = np.c_[np.zeros((minutes * 60 * 32, 2)), np.full(minutes * 60 * 32, 64.0)]
    e4_file(folder, "ACC", 32, still + np.random.default_rng(1).normal(0, 1.0, still.shape))
    return folder


# --- hostile inputs, built in little memory and time --------------------------------------------------------------


def repeated_deflate(head, block, repeats):
    """Raw deflate data of ``head + block * repeats`` (and its CRC-32 and size) without compressing it all: after a
    full flush the compressor starts afresh, so every copy of ``block`` compresses to the same bytes."""
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    one = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    data = first + one * repeats + c.flush()
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    return data, crc & 0xFFFFFFFF, len(head) + len(block) * repeats


def gzip_bomb(head, block, repeats):
    """A valid gzip stream of ``head + block * repeats`` (1 GiB of '0.5' lines compress to ~1 MB)."""
    import struct

    data, crc, size = repeated_deflate(head, block, repeats)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + data + struct.pack("<II", crc, size & 0xFFFFFFFF)


def raw_zip(members):
    """A zip built by hand: ``members`` are dicts with ``name``, ``data`` (already compressed), ``crc``,
    ``size`` (declared uncompressed size), optional ``method`` (8) and ``flags`` (0). Lets a test declare what
    :mod:`zipfile` would not write: lying sizes, encryption flags, Deflate64."""
    import struct

    local, central = b"", b""
    for m in members:
        name = m["name"].encode()
        method, flags = m.get("method", 8), m.get("flags", 0)
        fields = (20, flags, method, 0, 0x21, m["crc"], len(m["data"]), m["size"], len(name))
        offset = len(local)
        local += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + name + m["data"]
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + name
    n = len(members)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(central), len(local), 0)
    return local + central + end


def edf_header(signals, records, duration=1.0, *, bdf=False):
    """The header of an EDF (or BDF) file: ``signals`` are (label, samples per record) pairs."""
    ns = len(signals)

    def f(value, width):
        return str(value).ljust(width)[:width].encode("ascii")

    head = (b"\xffBIOSEMI" if bdf else f(0, 8)) + f("X X X X", 80) + f("Startdate X X X X", 80)
    head += f("01.01.22", 8) + f("10.00.00", 8) + f(256 * (ns + 1), 8) + f("24BIT" if bdf else "", 44)
    head += f(records, 8) + f(duration, 8) + f(ns, 4)
    cols = [
        [f(label, 16) for label, _ in signals],
        [f("", 80)] * ns,
        [f("uS", 8)] * ns,
        [f(-100, 8)] * ns,
        [f(100, 8)] * ns,
        [f(-8388608 if bdf else -32768, 8)] * ns,
        [f(8388607 if bdf else 32767, 8)] * ns,
        [f("", 80)] * ns,
        [f(spr, 8) for _, spr in signals],
        [f("", 32)] * ns,
    ]
    return head + b"".join(b"".join(c) for c in cols)
