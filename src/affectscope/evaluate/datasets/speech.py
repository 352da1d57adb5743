"""Adapters for speech corpora: RAVDESS, TESS, EmoDB, SAVEE, CREMA-D, ESD, URDU (labels from file and folder names).

Items are audio file paths (``.wav``, ``.flac``, ``.mp3``, ``.ogg``); groups are speakers, so splits are
speaker-independent. None of these corpora has an official split: ``split="all"`` takes every file, and a
comma-separated list of speaker ids (``"19,20,21,22,23,24"`` for RAVDESS actors 19-24) takes those speakers only.
Labels are scored in ``ekman7`` (RAVDESS ``calm`` merged into ``neutral``); RAVDESS can also be scored in all
eight of its classes with ``labels="ekman7_calm"``.

CREMA-D also reads the side files of its release when they sit at the root: ``votes.csv`` (the official
``tabulatedVotes.csv``; the voice-only crowd ratings become :attr:`EvalData.votes`) and ``demographics.csv``
(sex, age band and race of each actor become :attr:`EvalData.demographics`). URDU carries each speaker's sex
in the file name (``demographics = {"sex": ...}``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from affectscope.errors import InputError
from affectscope.evaluate.datasets.base import EvalData, _check_labels, _read_text, _space_labels

__all__ = [
    "CREMAD_VOTE_LABELS",
    "load_cremad",
    "load_emodb",
    "load_esd",
    "load_ravdess",
    "load_savee",
    "load_tess",
    "load_urdu",
]

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")

RAVDESS_TO_EKMAN: dict[str, str | None] = {
    "01": "neutral",
    "02": "neutral",  # calm: ours, the usual 7-class merge (Ekman has no calm)
    "03": "joy",
    "04": "sadness",
    "05": "anger",
    "06": "fear",
    "07": "disgust",
    "08": "surprise",
}
RAVDESS_TO_EKMAN_CALM: dict[str, str | None] = {**RAVDESS_TO_EKMAN, "02": "calm"}  # all 8 classes
TESS_TO_EKMAN: dict[str, str | None] = {
    "angry": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "joy",
    "neutral": "neutral",
    "ps": "surprise",  # pleasant surprise
    "sad": "sadness",
}
EMODB_TO_EKMAN: dict[str, str | None] = {
    "W": "anger",  # Wut
    "L": None,  # Langeweile (boredom): no Ekman counterpart, files are left out
    "E": "disgust",  # Ekel
    "A": "fear",  # Angst
    "F": "joy",  # Freude
    "T": "sadness",  # Trauer
    "N": "neutral",
}
SAVEE_TO_EKMAN: dict[str, str | None] = {
    "a": "anger",
    "d": "disgust",
    "f": "fear",
    "h": "joy",
    "n": "neutral",
    "sa": "sadness",
    "su": "surprise",
}
CREMAD_TO_EKMAN: dict[str, str | None] = {
    "ANG": "anger",
    "DIS": "disgust",
    "FEA": "fear",
    "HAP": "joy",
    "NEU": "neutral",
    "SAD": "sadness",
}
CREMAD_VOTE_COLUMNS = ("A", "D", "F", "H", "N", "S")  # votes.csv: raters choosing each emotion
CREMAD_VOTE_LABELS = ["anger", "disgust", "fear", "joy", "neutral", "sadness"]  # the same, in ekman7 names
CREMAD_NAME = re.compile(r"(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{1,2})")
CREMAD_PATTERN = "<ActorID>_<SEN>_<EMO>_<LVL> (e.g. 1001_DFA_ANG_XX.flac)"
ESD_TO_EKMAN: dict[str, str | None] = {
    "Angry": "anger",
    "Happy": "joy",
    "Neutral": "neutral",
    "Sad": "sadness",
    "Surprise": "surprise",
}
# labels of the <speaker>.txt files: English names (English speakers), Chinese names (Chinese speakers 0001-0010)
ESD_TXT_LABELS = {k.lower(): k for k in ESD_TO_EKMAN} | {
    "surprised": "Surprise",
    "中立": "Neutral",
    "生气": "Angry",
    "快乐": "Happy",
    "伤心": "Sad",
    "惊喜": "Surprise",
}
ESD_SUBSETS = ("train", "evaluation", "test")  # the authors' release nests files one level deeper in these
ESD_PATTERN = "<speaker>/<Angry|Happy|Neutral|Sad|Surprise>/<speaker>_<nnnnnn>.flac (e.g. 0011/Angry/0011_000351.flac)"
URDU_TO_EKMAN: dict[str, str | None] = {
    "Angry": "anger",
    "Happy": "joy",
    "Neutral": "neutral",
    "Sad": "sadness",
}
URDU_NAME = re.compile(r"(S([MF])\d+)_(F\d+)_([AHNS])(\d+)")
URDU_PATTERN = "<Angry|Happy|Neutral|Sad>/S<M|F><n>_F<k>_<A|H|N|S><nnn>.flac (e.g. Angry/SM1_F1_A001.flac)"


def _audio_files(root: Path, dataset: str) -> list[Path]:
    if not root.is_dir():
        raise InputError(f"{dataset}: {root} is not a folder.")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
    if not files:
        raise InputError(f"{root} does not look like {dataset}: no audio files ({', '.join(AUDIO_SUFFIXES)}).")
    return files


def _speakers(split: str, dataset: str) -> set[str] | None:
    if split == "all":
        return None
    if re.fullmatch(r"[\w-]+(,[\w-]+)*", split) and split not in ("train", "dev", "test"):
        return set(split.split(","))
    raise InputError(
        f"{dataset} has no official split; use 'all' or a comma-separated list of speaker ids. Got {split!r}."
    )


def _build(
    dataset: str,
    split: str,
    labels: str | None,
    parsed: list[tuple[Path, str, str]],
    mapping: dict[str, str | None],
    *,
    space: str = "ekman7",
) -> EvalData:
    """Turn ``(file, speaker, dataset label)`` triples into EvalData, keeping the chosen speakers."""
    _check_labels(labels, (space,), dataset)
    wanted = _speakers(split, dataset)
    ek = _space_labels(space)
    if wanted is not None:
        present = {s for _, s, _ in parsed}
        missing = sorted(wanted - present)
        if missing:
            raise InputError(f"{dataset}: speakers {missing} not found; present: {sorted(present)}.")
    items, y, groups = [], [], []
    for f, speaker, label in parsed:
        if label not in mapping:
            raise InputError(f"{f}: unknown {dataset} emotion code {label!r}; expected {sorted(mapping)}.")
        if mapping[label] is None or (wanted is not None and speaker not in wanted):
            continue
        items.append(str(f))
        y.append(ek.index(mapping[label]))
        groups.append(speaker)
    return EvalData(
        dataset,
        split,
        "speech",
        "single_label",
        space,
        ek,
        items,
        np.array(y, dtype=int),
        np.array(groups),
        dict(mapping),
    )


def load_ravdess(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read RAVDESS ``Actor_XX`` folders; file names ``MM-VV-EE-II-SS-RR-AA`` (7 two-digit codes).

    Only audio-only speech files are kept (modality 03, vocal channel 01); EE is the emotion, AA the actor.
    """
    parsed = []
    for f in _audio_files(path, "ravdess"):
        parts = f.stem.split("-")
        if len(parts) != 7 or not all(p.isdigit() and len(p) == 2 for p in parts):
            raise InputError(
                f"{f.name} is not a RAVDESS file name (expected 7 two-digit codes, e.g. 03-01-05-01-02-01-12)."
            )
        if parts[0] == "03" and parts[1] == "01":
            parsed.append((f, parts[6], parts[2]))
    space = _check_labels(labels, ("ekman7", "ekman7_calm"), "ravdess")
    mapping = RAVDESS_TO_EKMAN if space == "ekman7" else RAVDESS_TO_EKMAN_CALM
    return _build("ravdess", split, labels, parsed, mapping, space=space)


def load_tess(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read TESS folders ``<SPEAKER>_<emotion>`` (e.g. ``OAF_angry``, ``YAF_pleasant_surprised``)."""
    parsed = []
    for f in _audio_files(path, "tess"):
        speaker, _, emotion = f.parent.name.partition("_")
        emotion = emotion.lower()
        if emotion.startswith("pleasant_surprise"):
            emotion = "ps"
        if not speaker or not emotion:
            raise InputError(f"{f}: TESS files live in folders named <SPEAKER>_<emotion>, e.g. OAF_angry.")
        parsed.append((f, speaker, emotion))
    return _build("tess", split, labels, parsed, TESS_TO_EKMAN)


def load_emodb(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read EmoDB ``.wav`` files named like ``03a01Fa.wav`` (speaker = first 2 characters, emotion = 6th).

    Boredom (``L``) has no Ekman-7 counterpart: those files are left out (see ``mapping``).
    """
    parsed = []
    for f in _audio_files(path, "emodb"):
        if not re.fullmatch(r"\d\d[a-z]\d\d[A-Z][a-z]", f.stem):
            raise InputError(f"{f.name} is not an EmoDB file name (e.g. 03a01Fa.wav).")
        parsed.append((f, f.stem[:2], f.stem[5]))
    return _build("emodb", split, labels, parsed, EMODB_TO_EKMAN)


def load_savee(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read SAVEE files named ``<SPEAKER>_<code><nn>`` (DC, JE, JK, KL; codes a d f h n sa su)."""
    parsed = []
    for f in _audio_files(path, "savee"):
        m = re.fullmatch(r"([A-Z]{2})_([a-z]{1,2})(\d\d)", f.stem)
        if not m:
            raise InputError(f"{f.name} is not a SAVEE file name (e.g. DC_a01.wav, JK_sa12.wav).")
        parsed.append((f, m.group(1), m.group(2)))
    return _build("savee", split, labels, parsed, SAVEE_TO_EKMAN)


def load_cremad(path: Path, split: str, labels: str | None = None) -> EvalData:
    r"""Read CREMA-D files named ``<ActorID>_<SEN>_<EMO>_<LVL>``, with its crowd votes and demographics when there.

    Files may lie flat (the official ``AudioWAV/``) or in actor folders (``<root>/<ActorID>/<name>.flac``;
    a folder named for another actor is an error). Speaker = actor.

    When ``<root>/votes.csv`` (the official ``tabulatedVotes.csv``) is there, its voice-only rows (first
    column starting with ``1``) give each clip's crowd distribution: the A, D, F, H, N, S counts normalised,
    in :attr:`EvalData.votes` (columns :data:`CREMAD_VOTE_LABELS`; NaN rows for clips without voice-only
    votes). When ``<root>/demographics.csv`` (``ActorID,Age,Sex,Race,Ethnicity``) is there,
    :attr:`EvalData.demographics` holds each clip's ``sex``, ``age`` band (``20-29`` ... ``50-59``, ``60+``),
    ``race`` and ``ethnicity`` (``"unknown"`` for actors it does not list).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "1001").mkdir()
    >>> _ = (root / "1001" / "1001_DFA_ANG_XX.flac").write_bytes(b"")
    >>> _ = (root / "votes.csv").write_text('"","A","D","F","H","N","S","fileName"\n'
    ...                                     '"100001",3,0,0,0,1,0,"1001_DFA_ANG_XX"\n')
    >>> load_cremad(root, "all").votes.tolist()
    [[0.75, 0.0, 0.0, 0.0, 0.25, 0.0]]
    """
    parsed = []
    for f in _audio_files(path, "crema-d"):
        m = CREMAD_NAME.fullmatch(f.stem)
        if not m:
            raise InputError(f"{f} is not a CREMA-D file name; expected {CREMAD_PATTERN}.")
        actor = m.group(1)
        if f.parent != path and re.fullmatch(r"\d{4}", f.parent.name) and f.parent.name != actor:
            raise InputError(f"{f} lies in the folder of actor {f.parent.name}; expected <ActorID>/{CREMAD_PATTERN}.")
        parsed.append((f, actor, m.group(3)))
    data = _build("crema-d", split, labels, parsed, CREMAD_TO_EKMAN)
    stems = [Path(i).stem for i in data.items]
    if (path / "votes.csv").is_file():
        data.votes = _cremad_votes(path / "votes.csv", stems)
        data.votes_labels = list(CREMAD_VOTE_LABELS)
        data.notes["clips_without_votes"] = int(np.isnan(data.votes[:, 0]).sum())
    if (path / "demographics.csv").is_file():
        actors = _cremad_demographics(path / "demographics.csv")
        unknown = {"sex": "unknown", "age": "unknown", "race": "unknown", "ethnicity": "unknown"}
        rows = [actors.get(str(a), unknown) for a in data.groups]
        data.demographics = {k: np.array([r[k] for r in rows]) for k in unknown}
        data.notes["actors_without_demographics"] = sorted({str(a) for a in data.groups} - set(actors))
    return data


def _csv_rows(path: Path, needed: tuple[str, ...], what: str) -> tuple[list[str], Any]:
    """Open a CSV side file: its header (checked for ``needed`` columns) and a reader over the rest."""
    reader = csv.reader(io.StringIO(_read_text(path, fallback="cp1252")))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(f"{path} lacks the columns {missing} of {what}; its header is {header[:12]}.")
    return header, reader


def _cremad_votes(path: Path, stems: list[str]) -> np.ndarray:
    """Crowd distribution over A, D, F, H, N, S of each clip from the voice-only rows of ``votes.csv``."""
    header, reader = _csv_rows(path, (*CREMAD_VOTE_COLUMNS, "fileName"), "CREMA-D's tabulatedVotes.csv")
    cols = [header.index(c) for c in CREMAD_VOTE_COLUMNS]
    name_col = header.index("fileName")
    found: dict[str, list[float]] = {}
    for row in reader:
        if not row or not row[0].strip().startswith("1"):  # 1 = voice only, 2 = face only, 3 = audio-visual
            continue
        try:
            name = row[name_col].strip()
            counts = [float(row[c]) for c in cols]
        except (IndexError, ValueError):
            raise InputError(
                f"{path} line {reader.line_num}: expected counts in columns {list(CREMAD_VOTE_COLUMNS)} and a "
                f"fileName; got {row[:8]}."
            ) from None
        if name in found:
            raise InputError(f"{path}: clip {name} has two voice-only rows (the second on line {reader.line_num}).")
        found[name] = counts
    out = np.full((len(stems), len(CREMAD_VOTE_COLUMNS)), np.nan)
    for i, stem in enumerate(stems):
        counts = found.get(stem)
        if counts is not None and sum(counts) > 0:
            out[i] = np.asarray(counts) / sum(counts)
    return out


def _age_band(age: str, path: Path) -> str:
    if age.strip() in ("", "NA", "NaN"):
        return "unknown"
    try:
        years = int(float(age))
    except ValueError:
        raise InputError(f"{path}: age {age!r} is not a number of years.") from None
    if years < 20:
        return "<20"
    if years >= 60:
        return "60+"
    lo = years // 10 * 10
    return f"{lo}-{lo + 9}"


def _cremad_demographics(path: Path) -> dict[str, dict[str, str]]:
    """``ActorID -> {"sex", "age" (band), "race", "ethnicity"}`` from CREMA-D's ``demographics.csv``."""
    header, reader = _csv_rows(path, ("ActorID", "Age", "Sex", "Race"), "CREMA-D's VideoDemographics.csv")
    col = {c: header.index(c) for c in ("ActorID", "Age", "Sex", "Race", "Ethnicity") if c in header}
    out = {}
    for row in reader:
        if not row:
            continue
        if len(row) < len(header):
            raise InputError(f"{path} line {reader.line_num}: expected {len(header)} fields; got {row}.")
        value = {c: row[i].strip() or "unknown" for c, i in col.items()}
        out[value["ActorID"]] = {
            "sex": value["Sex"],
            "age": _age_band(row[col["Age"]], path),
            "race": value["Race"],
            "ethnicity": value.get("Ethnicity", "unknown"),
        }
    return out


def _with_attributes(data: EvalData, attributes: dict[str, dict[str, str]]) -> EvalData:
    """Attach per-file attributes (``{file: {"sex": ...}}``) as :attr:`EvalData.demographics`, aligned with items."""
    keys = sorted({k for a in attributes.values() for k in a})
    if keys:
        data.demographics = {k: np.array([attributes[i].get(k, "unknown") for i in data.items]) for k in keys}
    return data


def _read_esd_txt(path: Path) -> dict[str, str]:
    """``utterance id -> emotion`` (ESD folder name) from ``<speaker>.txt``; lines that do not parse are skipped."""
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")  # the Chinese speakers' files
    out = {}
    for line in text.splitlines():
        fields = [x.strip() for x in line.split("\t")]
        if len(fields) >= 3 and fields[0]:
            out[fields[0]] = ESD_TXT_LABELS.get(fields[-1].lower(), fields[-1])
    return out


def load_esd(path: Path, split: str, labels: str | None = None) -> EvalData:
    r"""Read ESD: ``<speaker>/<Emotion>/<speaker>_<nnnnnn>.flac`` with the optional ``<speaker>/<speaker>.txt``.

    The label comes from the emotion folder (Angry, Happy, Neutral, Sad, Surprise); speaker = the folder above
    it (``path`` itself may be one speaker's folder). The authors' ``train/``, ``evaluation/``, ``test/``
    subfolders inside an emotion folder are read too. ``<speaker>.txt`` (``<utterance id>\t<text>\t<Emotion>``,
    English or Chinese emotion names) is only checked: where its label disagrees with the folder the folder is
    trusted and the file counted in ``notes["txt_label_disagreements"]``. English (0011-0020) and Chinese
    (0001-0010) speakers are read alike.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "0011" / "Sad").mkdir(parents=True)
    >>> _ = (root / "0011" / "Sad" / "0011_001051.flac").write_bytes(b"")
    >>> _ = (root / "0011" / "0011.txt").write_text("0011_001051\tA text.\tAngry\n", encoding="utf-8")
    >>> d = load_esd(root, "all")
    >>> [d.labels[i] for i in d.y], d.notes["txt_label_disagreements"]
    (['sadness'], 1)
    """
    emotions = {k.lower(): k for k in ESD_TO_EKMAN}
    parsed, speaker_dirs = [], {}
    for f in _audio_files(path, "esd"):
        folder = f.parent
        if folder.name.lower() in ESD_SUBSETS:
            folder = folder.parent
        if folder.name.lower() not in emotions:
            raise InputError(f"{f} is not where ESD keeps its files; expected {ESD_PATTERN}.")
        speaker_dir = folder.parent
        m = re.fullmatch(r"([^_]+)_(\d{6})", f.stem)
        if not m or m.group(1) != speaker_dir.name:
            raise InputError(
                f"{f} is not an ESD file name of speaker folder {speaker_dir.name!r}; expected {ESD_PATTERN}."
            )
        parsed.append((f, speaker_dir.name, emotions[folder.name.lower()]))
        speaker_dirs[speaker_dir.name] = speaker_dir
    data = _build("esd", split, labels, parsed, ESD_TO_EKMAN)
    txt: dict[str, dict[str, str]] = {}
    for speaker, d in speaker_dirs.items():
        if (d / f"{speaker}.txt").is_file():
            txt[speaker] = _read_esd_txt(d / f"{speaker}.txt")
    disagree, missing = [], 0
    label_of = {str(f): lab for f, _, lab in parsed}
    for item, speaker in zip(data.items, data.groups, strict=True):
        if speaker not in txt:
            continue
        said = txt[speaker].get(Path(item).stem)
        if said is None:
            missing += 1
        elif said != label_of[item]:
            disagree.append(Path(item).name)
    data.notes.update(
        speakers_with_txt=sorted(txt),
        txt_label_disagreements=len(disagree),
        txt_label_disagreement_examples=disagree[:10],
        files_missing_from_txt=missing,
    )
    return data


def load_urdu(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read the URDU corpus (natural speech, 4 classes): ``<Emotion>/S<M|F><n>_F<k>_<A|H|N|S><nnn>.flac``.

    The label comes from the folder (Angry, Happy, Neutral, Sad; a file whose letter disagrees is counted in
    ``notes["name_label_disagreements"]``); speaker = the first part of the name (``SM1``) and its second letter
    the speaker's sex (``demographics["sex"]``: ``Male`` / ``Female``). Scored in ``ekman7``: macro metrics
    average over the 4 classes present, and predictions of the other Ekman classes count as misses.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "Happy").mkdir()
    >>> _ = (root / "Happy" / "SF3_F12_H007.flac").write_bytes(b"")
    >>> d = load_urdu(root, "all")
    >>> [d.labels[i] for i in d.y], d.groups.tolist(), d.demographics["sex"].tolist()
    (['joy'], ['SF3'], ['Female'])
    """
    emotions = {k.lower(): k for k in URDU_TO_EKMAN}
    letters = {k[0]: k for k in URDU_TO_EKMAN}
    parsed, attributes, disagree = [], {}, []
    for f in _audio_files(path, "urdu"):
        m = URDU_NAME.fullmatch(f.stem)
        if not m:
            raise InputError(f"{f} is not a URDU file name; expected {URDU_PATTERN}.")
        if f.parent.name.lower() not in emotions:
            raise InputError(f"{f} is not in an emotion folder; expected {URDU_PATTERN}.")
        emotion = emotions[f.parent.name.lower()]
        if letters[m.group(4)] != emotion:
            disagree.append(f.name)
        parsed.append((f, m.group(1), emotion))
        attributes[str(f)] = {"sex": {"M": "Male", "F": "Female"}[m.group(2)]}
    data = _with_attributes(_build("urdu", split, labels, parsed, URDU_TO_EKMAN), attributes)
    data.notes.update(name_label_disagreements=len(disagree), name_label_disagreement_examples=disagree[:10])
    return data


SPEECH_ADAPTERS: dict[str, Callable[..., EvalData]] = {
    "ravdess": load_ravdess,
    "tess": load_tess,
    "emodb": load_emodb,
    "savee": load_savee,
    "crema-d": load_cremad,
    "esd": load_esd,
    "urdu": load_urdu,
}
