#!/bin/sh
# Regenerate the synthetic speech fixtures of the speech tests (no recording of a person is used).
# Needs espeak-ng (Debian: apt-get install espeak-ng) and the project venv (soundfile, soxr).
set -e
cd "$(dirname "$0")"
espeak-ng -v en-us -s 185 -p 85 -a 200 -w /tmp/aff_loud.wav "I can not believe you did this again! This is the last time I trust you!"
espeak-ng -v en-us -s 110 -p 20 -a 40 -w /tmp/aff_quiet.wav "Everything is fine. We can talk about it tomorrow, slowly and quietly."
# German, for the language note (tests/test_language.py)
espeak-ng -v de -s 150 -w /tmp/aff_de.wav "Ich bin so wütend auf dich. Du hast mich schon wieder angelogen."
python3 - <<'PY'
import soundfile as sf, soxr
for src, dst in (
    ("/tmp/aff_loud.wav", "loud_fast_en.flac"),
    ("/tmp/aff_quiet.wav", "quiet_slow_en.flac"),
    ("/tmp/aff_de.wav", "angry_de.flac"),
):
    y, sr = sf.read(src, dtype="float32")
    sf.write(dst, soxr.resample(y, sr, 16000), 16000, subtype="PCM_16")
PY
