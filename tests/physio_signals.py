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
