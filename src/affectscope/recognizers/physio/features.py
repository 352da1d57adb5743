"""Window features of wearable signals (neurokit2): EDA and SCRs, heart rate and HRV, temperature, movement.

Signals are cleaned and decomposed once over the whole recording, then summarised per window:

* EDA (µS): tonic level and slope, phasic spread, SCR rate (per minute) and mean SCR amplitude
  (``nk.eda_phasic`` high-pass decomposition, ``nk.eda_peaks``);
* BVP: beats found by ``nk.ppg_findpeaks`` on the cleaned signal → heart rate, RMSSD, SDNN (ms);
  without BVP the device's HR channel gives the heart rate;
* TEMP (°C): level and slope; ACC: mean and spread of the acceleration magnitude (movement).

Missing channels give NaN features (the model imputes them with the training mean). Gaps (NaN samples) in EDA
and BVP are filled by linear interpolation before cleaning; a channel without any sample, EDA below
:data:`MIN_EDA_RATE` or BVP at or below :data:`MIN_BVP_RATE` gives NaN features too (the recognizer refuses the
last two with a message first). Windows are located by binary search on each channel's sample times, so a long
recording costs O(samples + windows), not their product.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from affectscope._cancel import check_cancelled
from affectscope.media.physio import Recording

__all__ = ["FEATURE_NAMES", "MIN_BVP_RATE", "MIN_EDA_RATE", "recording_features"]

MIN_EDA_RATE = 1.0  # Hz: SCRs last seconds (E4: 4 Hz)
MIN_BVP_RATE = 16.0  # Hz, exclusive: the pulse filter passes 0.5-8 Hz, so beats need a rate above 16 Hz (E4: 64 Hz)

FEATURE_NAMES = (
    "eda_tonic_mean",
    "eda_tonic_slope",
    "eda_phasic_std",
    "scr_rate_per_min",
    "scr_amplitude",
    "hr_mean",
    "hr_std",
    "hr_slope",
    "hrv_rmssd_ms",
    "hrv_sdnn_ms",
    "resp_rate_per_min",
    "temp_mean",
    "temp_slope",
    "acc_mean",
    "acc_std",
)


def _nk() -> Any:
    try:
        import neurokit2 as nk
    except ImportError:
        from affectscope.errors import ConfigError

        raise ConfigError("Physiological analysis needs neurokit2: pip install 'affectscope[physio]'.") from None
    return nk


def _slope(t: np.ndarray, y: np.ndarray) -> float:
    ok = ~np.isnan(y)
    if ok.sum() < 3 or np.ptp(t[ok]) == 0:
        return float("nan")
    return float(np.polyfit(t[ok], y[ok], 1)[0] * 60.0)  # per minute


def _times(ch: Any, start: float) -> np.ndarray:
    return ch.start - start + np.arange(len(ch.samples)) / ch.rate


def _spans(t: np.ndarray, windows: list[tuple[float, float]]) -> list[slice]:
    """Per window ``[a, b)``, the slice of the sorted times ``t`` inside it (as ``(t >= a) & (t < b)``)."""
    edges = np.asarray(windows, dtype=np.float64).reshape(-1, 2)
    lo = np.searchsorted(t, edges[:, 0], side="left")
    hi = np.searchsorted(t, edges[:, 1], side="left")
    return [slice(int(a), int(max(a, b))) for a, b in zip(lo, hi, strict=True)]


def _filled(x: np.ndarray) -> np.ndarray | None:
    """Return ``x`` with NaN gaps linearly interpolated (ends: the nearest sample); None when nothing is left."""
    x = np.asarray(x, dtype=np.float64)
    gaps = np.isnan(x)
    if not gaps.any():
        return x
    if gaps.all():
        return None
    idx = np.arange(len(x))
    out = x.copy()
    out[gaps] = np.interp(idx[gaps], idx[~gaps], x[~gaps])
    return out


def recording_features(rec: Recording, windows: list[tuple[float, float]]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Features (windows × :data:`FEATURE_NAMES`) for windows given in seconds from ``rec.start``.

    Returns
    -------
    features : ndarray
        One row per window (NaN where a channel is missing or too short).
    evidence : list of dict
        Per window, the readable subset: tonic EDA, SCR rate, heart rate, RMSSD, temperature, movement.
    """
    nk = _nk()
    start = rec.start
    out = np.full((len(windows), len(FEATURE_NAMES)), np.nan)
    col = {n: i for i, n in enumerate(FEATURE_NAMES)}
    eda = rec.channels.get("eda")
    x = _filled(eda.samples) if eda is not None and eda.rate >= MIN_EDA_RATE else None
    if eda is not None and x is not None and len(x) > 8 * eda.rate:
        phasic = nk.eda_phasic(x, sampling_rate=eda.rate, method="highpass")
        tonic, pha = phasic["EDA_Tonic"].to_numpy(), phasic["EDA_Phasic"].to_numpy()
        _, info = nk.eda_peaks(pha, sampling_rate=eda.rate, method="neurokit", amplitude_min=0.01)
        peaks = np.asarray(info.get("SCR_Peaks", []), dtype=int)
        amps = np.asarray(info.get("SCR_Amplitude", []), dtype=float)
        t = _times(eda, start)
        pt = t[peaks] if len(peaks) else np.zeros(0)
        for i, ((a, b), m) in enumerate(zip(windows, _spans(t, windows), strict=True)):
            if m.stop - m.start < 4:
                continue
            out[i, col["eda_tonic_mean"]] = tonic[m].mean()
            out[i, col["eda_tonic_slope"]] = _slope(t[m], tonic[m])
            out[i, col["eda_phasic_std"]] = pha[m].std()
            inside = (pt >= a) & (pt < b)
            out[i, col["scr_rate_per_min"]] = inside.sum() / ((b - a) / 60.0)
            hit = amps[inside][~np.isnan(amps[inside])] if inside.any() else np.zeros(0)
            out[i, col["scr_amplitude"]] = float(hit.mean()) if len(hit) else 0.0
    beats = None
    bvp = rec.channels.get("bvp")
    pulse = _filled(bvp.samples) if bvp is not None and bvp.rate > MIN_BVP_RATE else None
    if bvp is not None and pulse is not None and len(pulse) > 10 * bvp.rate:
        clean = nk.ppg_clean(pulse, sampling_rate=bvp.rate)
        found = nk.ppg_findpeaks(clean, sampling_rate=bvp.rate)["PPG_Peaks"]
        beats = bvp.start - start + np.asarray(found) / bvp.rate
    hr = rec.channels.get("hr")
    resp = None
    if beats is not None and len(beats) > 20:
        # respiration modulates the heart rate (RSA): the dominant 0.1-0.6 Hz rhythm of the beat-to-beat rate
        ibi_all = np.diff(beats)
        ok = (ibi_all > 0.3) & (ibi_all < 2.0)
        grid = np.arange(beats[1], beats[-1], 0.25)
        resp = (grid, np.interp(grid, beats[1:][ok], 60.0 / ibi_all[ok]))
    resp_spans = _spans(resp[0], windows) if resp is not None else None
    hr_t = _times(hr, start) if hr is not None else None
    hr_spans = _spans(hr_t, windows) if hr_t is not None else None
    beat_spans = _spans(beats, windows) if beats is not None else None
    for i in range(len(windows)):
        check_cancelled()
        if resp is not None and resp_spans is not None:
            r = resp[1]
            m = resp_spans[i]
            if m.stop - m.start > 80:
                seg = r[m] - r[m].mean()
                spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
                freqs = np.fft.rfftfreq(len(seg), 0.25)
                band = (freqs >= 0.1) & (freqs <= 0.6)
                if band.any():
                    out[i, col["resp_rate_per_min"]] = 60.0 * freqs[band][np.argmax(spec[band])]
        if hr is not None and hr_t is not None and hr_spans is not None:
            m = hr_spans[i]
            if m.stop - m.start >= 3 and not np.isnan(hr.samples[m]).all():
                out[i, col["hr_mean"]] = np.nanmean(hr.samples[m])
                out[i, col["hr_std"]] = np.nanstd(hr.samples[m])
                out[i, col["hr_slope"]] = _slope(hr_t[m], hr.samples[m])
        if beats is not None and beat_spans is not None:
            bt = beats[beat_spans[i]]
            ibi = np.diff(bt)
            ibi = ibi[(ibi > 0.3) & (ibi < 2.0)]  # 30-200 bpm
            if len(ibi) >= 5:
                inst = 60.0 / ibi
                if np.isnan(out[i, col["hr_mean"]]):  # no device HR channel: the beats give it
                    out[i, col["hr_mean"]] = inst.mean()
                    out[i, col["hr_std"]] = inst.std()
                out[i, col["hrv_rmssd_ms"]] = 1000 * np.sqrt(np.mean(np.diff(ibi) ** 2))
                out[i, col["hrv_sdnn_ms"]] = 1000 * ibi.std()
    temp = rec.channels.get("temp")
    if temp is not None:
        t = _times(temp, start)
        for i, m in enumerate(_spans(t, windows)):
            if m.stop - m.start >= 3 and not np.isnan(temp.samples[m]).all():
                out[i, col["temp_mean"]] = np.nanmean(temp.samples[m])
                out[i, col["temp_slope"]] = _slope(t[m], temp.samples[m])
    acc = rec.channels.get("acc")
    if acc is not None:
        mag = np.linalg.norm(np.atleast_2d(np.asarray(acc.samples, dtype=float).T).T, axis=1)
        t = _times(acc, start)
        for i, m in enumerate(_spans(t, windows)):
            if m.stop - m.start >= 3 and not np.isnan(mag[m]).all():
                out[i, col["acc_mean"]] = np.nanmean(mag[m])
                out[i, col["acc_std"]] = np.nanstd(mag[m])
    evidence = [
        {
            "eda_tonic_us": _r(row[col["eda_tonic_mean"]], 3),
            "scr_per_min": _r(row[col["scr_rate_per_min"]], 1),
            "hr_bpm": _r(row[col["hr_mean"]], 1),
            "hrv_rmssd_ms": _r(row[col["hrv_rmssd_ms"]], 1),
            "temp_c": _r(row[col["temp_mean"]], 2),
            "movement": _r(row[col["acc_std"]], 2),
        }
        for row in out
    ]
    return out, evidence


def _r(v: float, nd: int) -> float | None:
    return None if np.isnan(v) else round(float(v), nd)
