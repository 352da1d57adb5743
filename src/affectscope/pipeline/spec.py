"""What to analyse and how: :class:`AnalysisSpec`, validated once, the same for every entry point.

The CLI's options, :func:`affectscope.analyze`'s keywords, a batch folder's ``_batch.json``, the service's form
fields and the evaluation harness all become one :class:`AnalysisSpec`. It holds plain JSON values only, so it
can be written next to results (batch), stored with a job (service) and compared (a resumed batch must use the
same spec).

Examples
--------
>>> spec = AnalysisSpec(modality="music", fps="2")
>>> spec.fps, spec.to_dict()["modality"]
(2.0, 'music')
>>> AnalysisSpec.from_dict(spec.to_dict()) == spec
True
>>> AnalysisSpec(fps=0)
Traceback (most recent call last):
...
affectscope.errors.ConfigError: The 'fps' parameter of analyze must be a float in (0, 60]. Got 0 instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from affectscope.errors import ConfigError

__all__ = ["MODALITIES", "MODEL_ROLES", "AnalysisSpec"]

#: What an input may be read as; ``"auto"`` detects it from the input's content (:mod:`affectscope.pipeline.detect`).
MODALITIES = ("auto", "text", "conversation", "speech", "face", "video", "music", "physio", "eeg")
#: Other names accepted for a modality (the input kinds of earlier versions).
_ALIASES = {"dialogue": "conversation", "audio": "speech", "voice": "speech", "image": "face"}
#: The models a spec may name per role (``models={"face": "face-cnn-fer"}``); a video uses face, speech, text, fusion.
MODEL_ROLES = ("text", "conversation", "speech", "face", "music", "physio", "eeg", "fusion")
BASELINES = ("auto", "always", "never")
FACE_CROPS = ("auto", "always", "never")
PROFILES = ("default", "commercial")

_FUNC = "analyze"


def _choice(value: Any, name: str, choices: tuple[str, ...], *, func: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(
            f"The '{name}' parameter of {func} must be one of {list(choices)}. Got {repr(value)[:40]} instead."
        )
    return value


def _flag(value: Any, name: str, *, func: str, optional: bool = False) -> bool | None:
    """Return a boolean; also from the strings of forms and environment ('true', '0', ...)."""
    if value is None and optional:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
        return value.lower() in ("true", "1", "yes", "on")
    raise ConfigError(f"The '{name}' parameter of {func} must be true or false. Got {repr(value)[:40]} instead.")


def _name(value: Any, name: str, *, func: str, optional: bool = True) -> str | None:
    import os

    if value is None and optional:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value.strip() or len(value) > 4096 or "\x00" in value:
        raise ConfigError(f"The '{name}' parameter of {func} must be a name or a path. Got {repr(value)[:40]} instead.")
    return value


@dataclass(frozen=True, kw_only=True)
class AnalysisSpec:
    """A validated, JSON-serialisable description of one analysis: what the input is and every option.

    Every field has the default of ``affectscope analyze``; each is checked when the spec is made, with the
    standard message (``The 'fps' parameter of analyze must be a float in (0, 60]. Got 0 instead.``). Options
    that do not apply to the input (``fps`` for a text) are ignored, except where a combination is clearly a
    mistake (``face_crop`` on a video, ``start`` on an image), which the router refuses.

    Parameters
    ----------
    modality : {"auto", "text", "conversation", "speech", "face", "video", "music", "physio", "eeg"}
        What the input is read as; ``"auto"`` detects it from the content (an audio file is a voice unless
        ``"music"``). ``"dialogue"``, ``"audio"`` and ``"image"`` are accepted as aliases.
    model : str, optional
        Registry name or bundle folder for the input's modality (for ``conversation=True`` over audio/video,
        the conversation model).
    models : dict, optional
        Models per role (:data:`MODEL_ROLES`), e.g. ``{"face": "face-cnn-fer", "speech": "..."}``; for videos and
        batches, whose inputs use several.
    profile : {"default", "commercial"}, optional
        Which models may be loaded; ``$AFFECTSCOPE_PROFILE`` (else ``"default"``) when omitted.
    conversation, streaming : bool
        Read a dialogue, or the transcript of audio/video, turn by turn in context; with only earlier turns.
    segment, encoding, batch_size : str, str, int
        Text: ``"sentence"`` or ``"line"`` rows, the files' encoding, sentences per forward pass.
    num_threads : int, optional
        CPU threads of the models (default: all cores).
    transcript, language, baseline : bool, str, str
        Audio/video: transcribe speech; its language (ISO 639-1 or ``"auto"``); judge the voice against the
        recording's own baseline (``auto``, ``always``, ``never``).
    fps, max_faces, min_face_size, face_crop : float, int, int, str
        Video frames per second; faces per frame; the smallest face (pixels); images read as face crops
        (``auto``, ``always``, ``never``).
    start, end : float, optional
        Audio/video/music/physio: the part to analyse, in seconds.
    subtitles : str, optional
        Video: a ``.srt``/``.vtt`` file (default: one next to the video).
    evidence : bool, optional
        Cite the words behind each label (text: on by default; conversations: off by default).
    window : float or "utterance"
        Video: fusion windows.
    uncertain_below : float, optional
        Flag rows and the summary whose confidence is below this.
    labels : {"open"}, optional
        Add the closest words of the open emotion vocabulary.

    Examples
    --------
    >>> AnalysisSpec(modality="image").modality
    'face'
    >>> AnalysisSpec(models={"face": "face-cnn-fer"}).model_for("face")
    'face-cnn-fer'
    >>> AnalysisSpec.from_dict({"fsp": 2})
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: Unknown analysis option 'fsp'. Accepted: modality, model, models, ...
    """

    modality: str = "auto"
    model: str | None = None
    models: Mapping[str, str] = field(default_factory=dict)
    profile: str | None = None
    conversation: bool = False
    streaming: bool = False
    segment: str = "sentence"
    encoding: str = "utf-8"
    batch_size: int = 64
    num_threads: int | None = None
    transcript: bool = True
    language: str | None = None
    baseline: str = "auto"
    fps: float = 5.0
    max_faces: int = 5
    min_face_size: int = 48
    face_crop: str = "auto"
    start: float | None = None
    end: float | None = None
    subtitles: str | None = None
    evidence: bool | None = None
    window: float | str = "utterance"
    uncertain_below: float | None = None
    labels: str | None = None

    def __post_init__(self) -> None:
        from affectscope.api import check_analyze_options

        f = _FUNC
        put = object.__setattr__
        modality = self.modality
        if isinstance(modality, str):
            modality = _ALIASES.get(modality, modality)
        put(self, "modality", _choice(modality, "modality", MODALITIES, func=f))
        put(self, "model", _name(self.model, "model", func=f))
        if not isinstance(self.models, Mapping):
            raise ConfigError(
                f"The 'models' parameter of {f} must map roles ({', '.join(MODEL_ROLES)}) to model names. "
                f"Got {repr(self.models)[:40]} instead."
            )
        models = {}
        for role, name in self.models.items():
            role = _ALIASES.get(role, role) if isinstance(role, str) else role
            _choice(role, "models", MODEL_ROLES, func=f)
            models[role] = _name(name, f"models[{role!r}]", func=f, optional=False)
        put(self, "models", dict(sorted(models.items())))
        if self.profile is not None:
            put(self, "profile", _choice(self.profile, "profile", PROFILES, func=f))
        for name in ("conversation", "streaming", "transcript"):
            put(self, name, _flag(getattr(self, name), name, func=f))
        put(self, "evidence", _flag(self.evidence, "evidence", func=f, optional=True))
        if self.streaming and not (self.conversation or self.modality == "conversation"):
            raise ConfigError("The 'streaming' parameter of analyze applies to conversations (conversation=True).")
        put(self, "baseline", _choice(self.baseline, "baseline", BASELINES, func=f))
        put(self, "face_crop", _choice(self.face_crop, "face_crop", FACE_CROPS, func=f))
        if self.language is not None:
            lang = self.language
            if not isinstance(lang, str) or not (lang == "auto" or (lang.isalpha() and 2 <= len(lang) <= 3)):
                raise ConfigError(
                    f"The 'language' parameter of {f} must be an ISO 639-1 code such as 'en' or 'de', or 'auto'. "
                    f"Got {repr(lang)[:40]} instead."
                )
            put(self, "language", lang.lower())
        if self.labels is not None and self.labels != "open":
            raise ConfigError(
                f"The 'labels' parameter of {f} must be 'open' or None. Got {repr(self.labels)[:40]} instead."
            )
        put(self, "subtitles", _name(self.subtitles, "subtitles", func=f))
        checked = check_analyze_options(
            func=f,
            fps=self.fps,
            window=self.window,
            max_faces=self.max_faces,
            min_face_size=self.min_face_size,
            batch_size=self.batch_size,
            num_threads=self.num_threads,
            uncertain_below=self.uncertain_below,
            start=self.start,
            end=self.end,
            segment=self.segment,
            encoding=self.encoding,
        )
        for name, value in checked.items():
            put(self, name, value)

    # --- models -----------------------------------------------------------------------------------------------
    def model_for(self, role: str) -> str | None:
        """Return the model named for ``role`` (:data:`MODEL_ROLES`): ``models[role]``, else None.

        ``model`` is not consulted here: the router applies it to the input's own modality.

        Examples
        --------
        >>> AnalysisSpec(models={"speech": "x"}).model_for("speech"), AnalysisSpec().model_for("text")
        ('x', None)
        """
        return self.models.get(role)

    # --- JSON ---------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the spec as a dict of JSON values (every field, defaults included).

        Examples
        --------
        >>> AnalysisSpec().to_dict()["window"]
        'utterance'
        """
        return {
            f.name: (dict(v) if isinstance(v := getattr(self, f.name), Mapping) else v)
            for f in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, func: str = "analyze") -> AnalysisSpec:
        """Make a spec from a dict (JSON, a form, keywords); unknown keys are a :class:`ConfigError`.

        Parameters
        ----------
        data : mapping
            Field names to values; fields left out keep their defaults.
        func : str
            The caller, for the message.

        Returns
        -------
        AnalysisSpec

        Examples
        --------
        >>> AnalysisSpec.from_dict({"modality": "speech", "transcript": "false"}).transcript
        False
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"An analysis spec must be a JSON object of options. Got {type(data).__name__} instead.")
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in data if k not in names]
        if unknown:
            raise ConfigError(
                f"Unknown analysis option {str(unknown[0])[:40]!r}"
                + (f" for {func}" if func != "analyze" else "")
                + f". Accepted: {', '.join(names)}."
            )
        return cls(**dict(data))

    def replace(self, **changes: Any) -> AnalysisSpec:
        """Return a copy with some fields changed (validated again).

        Examples
        --------
        >>> AnalysisSpec().replace(fps=2).fps
        2.0
        """
        return dataclasses.replace(self, **changes)

    def evidence_for(self, kind: str) -> bool:
        """Whether to cite evidence for ``kind``: the option, else on for text and off for conversations.

        Examples
        --------
        >>> AnalysisSpec().evidence_for("text"), AnalysisSpec().evidence_for("conversation")
        (True, False)
        """
        if self.evidence is not None:
            return self.evidence
        return kind != "conversation"
