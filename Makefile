# Two entry points for a fresh machine (Python 3.11, venv, pip):
#   make demo   install affectscope and analyse the bundled example text
#   make test   install the dev extras and run the test suite and the linter
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= ../shared/data

.PHONY: demo test browser install install-dev lint train-text export-text bench-text train-speech bench-speech train-face bench-face train-conversation bench-conversation train-fusion bench-fusion bench-batch train-music train-physio clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

demo: install
	$(BIN)/affectscope analyze src/affectscope/examples/notes.txt
	@echo "affectscope is installed in $(VENV), not on your PATH: run 'source $(VENV)/bin/activate' to use 'affectscope ...' in this shell, or call $(BIN)/affectscope directly."

test: install-dev browser
	$(BIN)/python -m pytest
	$(BIN)/ruff check src tests benchmarks training
	$(BIN)/ruff format --check src tests benchmarks training

# The web page's end-to-end test drives Debian's Chromium (skipped, with a reason, when it cannot be installed).
browser:
	@command -v chromium >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1))) || \
		echo "note: chromium not installed; the browser test will be skipped"

lint: install-dev
	$(BIN)/ruff check src tests benchmarks training

# Reproduce the shipped text model from $(DATA) (CPU: about 1 hour on 2 cores). Needs torch==2.13.0.
train-text: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/python training/text_minilm/train.py --data $(DATA) --out build/text_minilm --epochs 4 --lr 1e-4

export-text:
	$(BIN)/python training/text_minilm/export.py --data $(DATA) --ckpt build/text_minilm/best.pt \
		--out src/affectscope/models/text_minilm_goemotions

bench-text: install-dev
	$(BIN)/python benchmarks/text_accuracy.py --data $(DATA) --threads 2
	$(BIN)/python benchmarks/text_speed.py --data $(DATA) --batch-size 64 --threads 2

# Reproduce the shipped speech-emotion head from $(DATA) (CPU: about 15 minutes on 2 cores).
train-speech: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[speech,eval]'
	$(BIN)/python training/speech/extract_features.py --data $(DATA) --out build/speech_features
	$(BIN)/python training/speech/extract_features.py --data $(DATA) --out build/speech_features --corpus ravdess --speed 0.9
	$(BIN)/python training/speech/extract_features.py --data $(DATA) --out build/speech_features --corpus ravdess --speed 1.1
	$(BIN)/python training/speech/train.py --features build/speech_features --out src/affectscope/models/speech_whisper_ser

bench-speech: install-dev
	$(BIN)/python benchmarks/speech_speed.py --data $(DATA) --minutes 5 60 --threads 2

# Reproduce the shipped face model from $(DATA): two CNNs, ~55 min each on 2 cores (bfloat16). Needs torch==2.13.0.
train-face: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[train,video]'
	$(BIN)/python training/face/split.py --data $(DATA)/face/fer2013_train
	$(BIN)/python training/face/landmark_template.py --limit 2000
	$(BIN)/python training/face/train.py --epochs 40 --lr 3e-3 --width 32 --seed 13 --out build/face_w32e40
	$(BIN)/python training/face/train.py --epochs 40 --lr 3e-3 --width 32 --seed 7 --out build/face_w32e40_s7
	$(BIN)/python training/face/export.py --checkpoint build/face_w32e40/last.pt build/face_w32e40_s7/last.pt

# Held-out accuracy (ours, product path) and speed/memory of the video pipeline.
bench-face: install-dev
	$(BIN)/affectscope eval --dataset fer2013 --path $(DATA)/face/fer2013_train --split build/face_split.json:val
	$(BIN)/python benchmarks/video_speed.py --data $(DATA) --minutes 1 10 --threads 2

# Reproduce the shipped conversation model from $(DATA) (CPU: about 30 min for the model, 30 min for the
# no-context ablation, on 2 cores). Needs torch==2.13.0.
train-conversation: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[train,eval]'
	$(BIN)/python training/conversation/train.py --data $(DATA) --out build/conversation
	$(BIN)/python training/conversation/train.py --data $(DATA) --out build/conversation_nocontext --past 0 --future 0
	$(BIN)/python training/conversation/export.py --ckpt build/conversation/last.pt \
		--baseline build/conversation_nocontext/last.pt

# Dev figures (offline and streaming) and latency / memory of the conversation recognizer.
# Fusion: the composite set needs the speech features (make train-speech) and the face split (make train-face).
train-fusion: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[video,eval]'
	$(BIN)/python training/fusion/composite.py --data $(DATA) --out build/fusion/composite.npz
	$(BIN)/python training/fusion/train.py --composite build/fusion/composite.npz

bench-fusion: install-dev
	$(BIN)/python benchmarks/fusion.py --composite build/fusion/composite.npz
	$(BIN)/affectscope eval --dataset goemotions --path $(DATA)/text/goemotions --split dev --labels open
	$(BIN)/python benchmarks/text_evidence.py --data $(DATA)

# Batch: 1 vs 2 workers, Ray vs local, memory per worker; kill -9 and resume on a 500-input mixed corpus.
bench-batch: install-dev
	$(BIN)/python benchmarks/batch_speed.py --data $(DATA) --texts 400 --audio 120 --ray
	$(BIN)/python benchmarks/batch_resume.py --data $(DATA) --trials 3

# Music (4Q, artist-grouped CV, a few minutes) and wearable stress (Stress-Predict: features a few minutes, the
# nested leave-one-subject-out CV about 12 minutes on 2 cores).
train-music: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[music,speech,eval]'
	$(BIN)/python training/music/extract_features.py --data $(DATA) --whisper
	$(BIN)/python training/music/train.py --features build/music_features.npz

train-physio: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[physio,eval]'
	$(BIN)/python training/physio/extract_features.py --data $(DATA)
	$(BIN)/python training/physio/cv.py
	$(BIN)/python training/physio/train.py
	$(BIN)/python benchmarks/physio_product_loso.py --data $(DATA)

bench-conversation: install-dev
	$(BIN)/affectscope eval --dataset meld --path $(DATA)/conversation/meld --split dev
	$(BIN)/affectscope eval --dataset meld --path $(DATA)/conversation/meld --split dev --streaming
	$(BIN)/python benchmarks/conversation_speed.py --data $(DATA) --turns 1000 10000 --threads 2

clean:
	rm -rf build .pytest_cache .ruff_cache
