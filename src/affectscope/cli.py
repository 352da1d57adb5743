"""The ``affectscope`` command line (Typer).

Exit codes: 0 success; 1 some inputs of a batch (or of an ``analyze`` of several files) failed (the others were
processed and written);
2 bad input, option or model (nothing was produced). Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from affectscope.errors import AffectscopeError, ConfigError, InputError
from affectscope.render import _CONTROL, _safe, _visible, render

app = typer.Typer(
    name="affectscope",
    help="Read human emotion from text, speech, faces and video, music and body signals, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_TEXT_SUFFIXES = {".txt", ".text", ".md", ".log", ".csv", ".tsv", ".json", ".jsonl"}


class Format(StrEnum):
    """Output formats of ``analyze``."""

    table = "table"
    json = "json"
    csv = "csv"


class ModelsFormat(StrEnum):
    """Output formats of ``models``."""

    table = "table"
    json = "json"


def _err(msg: str) -> None:
    from rich.console import Console

    # _safe: messages hold brackets that are not markup (pip install 'affectscope[service]') and may quote input
    # text or file names (control characters); one line always.
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]error:[/] {_safe(msg)}", markup=True)


@contextmanager
def _exit_on_error() -> Iterator[None]:
    """Turn affectscope and OS errors into one line on stderr and exit code 2 (no traceback)."""
    try:
        yield
    except AffectscopeError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    except OSError as exc:
        _err(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        raise typer.Exit(2) from None


def _looks_like_path(arg: str) -> bool:
    return not any(c.isspace() for c in arg) and (os.sep in arg or Path(arg).suffix.lower() in _TEXT_SUFFIXES)


@app.command()
def analyze(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Text to analyse, a text file, image, audio or video file(s), several files, or '-' for stdin.",
            show_default=False,
        ),
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format on stdout.")] = Format.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the result to .json, .csv or .parquet.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name (see `affectscope models`) or bundle folder.")] = None,
    segment: Annotated[str, typer.Option(help="Split text into 'sentence' or 'line' rows.")] = "sentence",
    encoding: Annotated[str, typer.Option(help="Encoding of input files.")] = "utf-8",
    text: Annotated[bool, typer.Option("--text", help="Treat the argument as text even if it names a file.")] = False,
    batch_size: Annotated[int, typer.Option(help="Sentences per forward pass.")] = 64,
    threads: Annotated[
        int | None, typer.Option(help="CPU threads of the models (default: all cores).", show_default=False)
    ] = None,
    transcript: Annotated[
        bool, typer.Option("--transcript/--no-transcript", help="Audio: transcribe speech and analyse its words.")
    ] = True,
    language: Annotated[
        str | None,
        typer.Option(help="Audio: spoken language (ISO 639-1; 'auto' to detect). Default English (Whisper tiny.en)."),
    ] = None,
    baseline: Annotated[
        str, typer.Option(help="Audio: judge voice against the recording's own baseline: auto, always or never.")
    ] = "auto",
    fps: Annotated[float, typer.Option(help="Video: frames analysed per second.")] = 5.0,
    max_faces: Annotated[int, typer.Option(help="Image/video: most faces analysed per frame.")] = 5,
    min_face_size: Annotated[int, typer.Option(help="Image/video: smallest face looked for (pixels).")] = 48,
    face_crop: Annotated[
        str,
        typer.Option(
            help="Images: read a small image (sides 24-128 px) with no detected face as one aligned face crop "
            "(auto), every image as one (always), or only detect (never)."
        ),
    ] = "auto",
    start: Annotated[float | None, typer.Option(help="Audio/video: start of the part to analyse (s).")] = None,
    end: Annotated[float | None, typer.Option(help="Audio/video: end of the part to analyse (s).")] = None,
    subtitles: Annotated[
        Path | None, typer.Option(help="Video: .srt/.vtt subtitles (default: one next to the video, if any).")
    ] = None,
    conversation: Annotated[
        bool,
        typer.Option(
            "--conversation",
            help="Read a dialogue (.csv/.tsv/.jsonl/.json with speaker,text or a 'Speaker: text' .txt), or the "
            "transcript of audio/video, turn by turn in context.",
        ),
    ] = False,
    streaming: Annotated[
        bool, typer.Option("--streaming", help="Conversation: use only earlier turns as context (live chats).")
    ] = False,
    evidence: Annotated[
        bool | None,
        typer.Option(
            "--evidence/--no-evidence",
            help="Text and subtitles: cite the words behind each label (on by default; --no-evidence is faster). "
            "Conversations: also name the turn that most supports each label (off by default; slower).",
        ),
    ] = None,
    window: Annotated[
        str,
        typer.Option(help="Video: fusion windows, 'utterance' (voice segments) or seconds, e.g. 2."),
    ] = "utterance",
    uncertain_below: Annotated[
        float | None,
        typer.Option(help="Flag rows and the summary whose (calibrated) confidence is below this, e.g. 0.6."),
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option(
            help="'open': also name each row and the summary with the 3 closest words of a 160-word emotion "
            "vocabulary (Parrott's tiers; column open_words)."
        ),
    ] = None,
    modality: Annotated[
        str,
        typer.Option(
            help="What the input is: auto (detected from its content), text, conversation, speech, face, video, "
            "music (a song's quadrant, valence, arousal), physio (stress from an E4 folder/zip, timestamped CSV or "
            "EDF/BDF) or eeg (a model you trained: --model DIR)."
        ),
    ] = "auto",
    profile: Annotated[
        str | None,
        typer.Option(
            help="default or commercial (only models whose training data permit commercial use).", show_default=False
        ),
    ] = None,
) -> None:
    """Analyse the emotion of text, dialogues, speech, faces in images, videos, songs or wearable recordings."""
    with _exit_on_error():
        from affectscope.pipeline import AnalysisSpec, describe, route

        if output is not None:  # a bad output path fails now, not after the analysis
            from affectscope.result import OUTPUT_FORMATS

            if output.suffix.lower() not in OUTPUT_FORMATS:
                raise ConfigError(
                    f"The output file must end in one of {list(OUTPUT_FORMATS)}. Got {output.name!r} instead."
                )
            if output.is_dir() or not output.parent.is_dir():
                raise InputError(f"Cannot write {output}: it is a folder, or the folder it names does not exist.")
        if labels is not None and labels != "open":
            raise InputError(f"analyze --labels takes 'open'; got {labels!r}.")
        if streaming and not conversation:
            raise InputError("--streaming applies to --conversation.")
        if text and modality not in ("auto", "text"):
            AnalysisSpec(modality=modality)  # an unknown modality: the standard message
            raise InputError(f"--text reads the argument as text; it does not combine with --modality {modality}.")
        spec = AnalysisSpec(
            modality="text" if text else modality,
            model=model,
            profile=profile,
            conversation=conversation,
            streaming=streaming,
            segment=segment,
            encoding=encoding,
            batch_size=batch_size,
            num_threads=threads,
            transcript=transcript,
            language=language,
            baseline=baseline,
            fps=fps,
            max_faces=max_faces,
            min_face_size=min_face_size,
            face_crop=face_crop,
            start=start,
            end=end,
            subtitles=None if subtitles is None else str(subtitles),
            evidence=evidence,
            window=window,
            uncertain_below=uncertain_below,
            labels=labels,
        )
        obj = _cli_input(inputs, spec, text=text)
        with _media_progress(obj) as progress:
            result, kind, detections = route(obj, spec, source="stdin" if inputs == ["-"] else None, progress=progress)
        for det in detections:
            if det.by_content:
                typer.echo(_CONTROL.sub(_visible, describe(det)), err=True)
        from affectscope.media.language import language_warning

        if warning := language_warning(result):
            typer.echo(_CONTROL.sub(_visible, warning), err=True)
        if len(inputs) > 1 and result.failures and len(result.failures) == len(inputs):
            for f in result.failures:
                _err(f"{f['source']}: {f['message']}")
            raise typer.Exit(2)
        if output is not None:
            result.to_file(output)
        if fmt is Format.json:
            typer.echo(result.to_json())
        elif fmt is Format.csv or kind == "eeg":  # EEG: CSV, no table yet
            typer.echo(result.frame.reset_index().to_csv(index=False), nl=False)
        else:
            render(result, {"subtitles": "text"}.get(kind, kind))
        if result.failures:
            for f in result.failures:
                _err(f"{f['source']}: {f['message']}")
            raise typer.Exit(1)


@contextmanager
def _media_progress(obj: object) -> Iterator[object]:
    """Yield a progress callback for one video (the only long work that reports its share done), else None."""
    from affectscope.media.video import VIDEO_SUFFIXES

    if not isinstance(obj, Path) or obj.suffix.lower() not in VIDEO_SUFFIXES:
        yield None
        return
    from affectscope.progress import Progress

    with Progress(description=f"analyze {obj.name}", enabled=sys.stderr.isatty()) as p:
        yield p.callback()


def _cli_input(inputs: list[str], spec: object, *, text: bool) -> object:
    """Return what the CLI's arguments are: the text itself, stdin's bytes, one path or several."""
    if len(inputs) == 1 and inputs[0] == "-":
        return sys.stdin.buffer
    conversation = getattr(spec, "conversation", False) or getattr(spec, "modality", "") == "conversation"
    if len(inputs) == 1 and (text or not _exists(inputs[0])):
        if conversation:
            raise InputError(
                f"--conversation needs dialogue files; not found: {inputs[0]}. Accepted: .csv/.tsv with speaker and "
                "text columns, .jsonl/.json turns, or a .txt transcript with one 'Speaker: text' per line."
            )
        if not text and (_looks_like_path(inputs[0]) or getattr(spec, "modality", "auto") not in ("auto", "text")):
            raise InputError(
                f"File not found: {inputs[0]}. Pass an existing file, '-' for stdin, or use --text to analyse the "
                "argument itself."
            )
        return inputs[0]
    if conversation:
        missing = [p for p in inputs if not _exists(p)]
        if missing and len(missing) == len(inputs):
            raise InputError(
                f"--conversation needs dialogue files; not found: {', '.join(missing)}. Accepted: .csv/.tsv with "
                "speaker and text columns, .jsonl/.json turns, or a .txt transcript with one 'Speaker: text' per line."
            )
    return [Path(p) for p in inputs] if len(inputs) > 1 else Path(inputs[0])


def _exists(arg: str) -> bool:
    """Whether ``arg`` names something in the file system (a file, folder, FIFO, even a broken link)."""
    try:
        os.lstat(arg)
    except (OSError, ValueError):  # ENAMETOOLONG for a long word given as text, ValueError for a NUL
        return False
    return True


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="A folder (searched recursively), a .txt/.lst file with one path per line, or a CSV/TSV/Parquet "
            "manifest with a 'path' or 'text' column."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (re-run the same command to resume).")],
    engine: Annotated[str, typer.Option(help="local (worker processes) or ray (Ray Data; the ray extra).")] = "local",
    workers: Annotated[int | None, typer.Option(help="Parallel workers (default: CPU count).")] = None,
    modalities: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated input kinds to analyse: text, dialogue (CSV/JSON with speaker and text), speech, "
            "face, video (default: these five); music "
            "(audio as songs); or physio alone (E4 folders, wearable CSV/EDF/BDF files)."
        ),
    ] = None,
    column: Annotated[str | None, typer.Option(help="Manifest column: path (default) or text.")] = None,
    part_size: Annotated[int, typer.Option(help="Inputs per part (the unit of atomic writes and resuming).")] = 16,
    evidence: Annotated[
        bool | None,
        typer.Option(
            "--evidence/--no-evidence",
            help="Cite the words behind each label (slower); default on for texts, off for dialogues.",
            show_default=False,
        ),
    ] = None,
    transcript: Annotated[
        bool, typer.Option("--transcript/--no-transcript", help="Audio/video: transcribe speech (much slower).")
    ] = False,
    fps: Annotated[float, typer.Option(help="Video: frames analysed per second.")] = 2.0,
    threads_per_worker: Annotated[int, typer.Option(help="CPU threads of each worker's models.")] = 1,
    address: Annotated[
        str | None, typer.Option(help="Ray: address of an existing cluster (e.g. ray://head:10001 or auto).")
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(help="A model to use instead of its modality's default (see `affectscope models`); repeatable."),
    ] = None,
    language: Annotated[str | None, typer.Option(help="Audio/video: spoken language (ISO 639-1 or 'auto').")] = None,
    baseline: Annotated[str, typer.Option(help="Audio: judge voice against its own baseline: auto, always, never.")] = (
        "auto"
    ),
    max_faces: Annotated[int, typer.Option(help="Image/video: most faces analysed per frame.")] = 5,
    min_face_size: Annotated[int, typer.Option(help="Image/video: smallest face looked for (pixels).")] = 48,
    face_crop: Annotated[
        str, typer.Option(help="Images: read small faceless images as face crops: auto, always or never.")
    ] = "auto",
    segment: Annotated[str, typer.Option(help="Text: 'sentence' or 'line' rows.")] = "sentence",
    window: Annotated[str, typer.Option(help="Video: fusion windows, 'utterance' or seconds.")] = "utterance",
    uncertain_below: Annotated[
        float | None, typer.Option(help="Flag rows and summaries whose confidence is below this.")
    ] = None,
    labels: Annotated[str | None, typer.Option(help="'open': add the closest open-vocabulary words.")] = None,
    profile: Annotated[
        str | None, typer.Option(help="default or commercial (only commercially usable models).", show_default=False)
    ] = None,
) -> None:
    """Analyse a whole corpus into partitioned Parquet: rows, summary.parquet and errors.parquet (resumable).

    Exit codes: 0 every input analysed; 1 some inputs failed (they are in errors.parquet, the rest were written);
    2 the batch could not run (bad option, source or output folder).
    """
    with _exit_on_error():
        from affectscope.batch import run_batch  # it validates every option before touching the output folder

        spec = {
            "models": _models_by_role(model or []),
            "language": language,
            "baseline": baseline,
            "max_faces": max_faces,
            "min_face_size": min_face_size,
            "face_crop": face_crop,
            "segment": segment,
            "window": window,
            "uncertain_below": uncertain_below,
            "labels": labels,
            "profile": profile,
        }

        report = run_batch(
            source,
            out,
            engine=engine,
            workers=workers,
            modalities=[m.strip() for m in modalities.split(",") if m.strip()] if modalities else None,
            column=column,
            part_size=part_size,
            evidence=evidence,
            transcript=transcript,
            fps=fps,
            threads_per_worker=threads_per_worker,
            address=address,
            progress=True,
            spec=spec,
        )
        lines = [
            f"{report.total} inputs: {report.ok} analysed, {report.failed} failed"
            + (f" (see {out / 'errors.parquet'})" if report.failed else "")
            + (f", {report.skipped_done} already done before this run" if report.skipped_done else ""),
        ]
        if report.processed:
            peak = max(report.peak_rss_mb.values()) if report.peak_rss_mb else 0.0
            lines.append(
                f"this run: {report.processed} inputs in {report.seconds:.1f} s ({report.items_per_second:.1f}/s), "
                f"peak memory per worker {peak:.0f} MB"
            )
        if report.unreadable:
            lines.append(f"{len(report.unreadable)} files of other kinds were not read (e.g. {report.unreadable[0]})")
        if report.no_face:
            n = len(report.no_face)
            lines.append(
                f"{n} image{'s' if n != 1 else ''} had no face (e.g. {report.no_face[0]}; column 'note' of the summary)"
            )
        lines.append(f"rows: {out / 'parts' / '*' / 'rows.parquet'}; summary: {out / 'summary.parquet'}")
        for line in lines:
            typer.echo(_CONTROL.sub(_visible, line))  # file names may hold control characters
        if report.interrupted:
            _err(f"stopped: re-run the same command to resume ({report.ok + report.failed} of {report.total} done).")
            raise typer.Exit(130)
        if report.failed:
            raise typer.Exit(1)


def _models_by_role(names: list[str]) -> dict[str, str]:
    """Return ``{role: model}`` for ``--model`` names, each model's role being its bundle's modality."""
    from affectscope.models import get_bundle
    from affectscope.pipeline import MODEL_ROLES

    out: dict[str, str] = {}
    for name in names:
        role = get_bundle(name).modality
        if role not in MODEL_ROLES:
            raise ConfigError(f"--model {name}: a {role} model is not one a batch can use ({', '.join(MODEL_ROLES)}).")
        if role in out:
            raise ConfigError(f"--model names two {role} models ({out[role]}, {name}); give one per modality.")
        out[role] = name
    return out


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on (anything but loopback needs an API key).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Jobs, uploads and results (default: AFFECTSCOPE_DATA_DIR or ./affectscope-data)."),
    ] = None,
) -> None:
    """Start the REST API and web page (needs the service extra); settings come from AFFECTSCOPE_* variables."""
    with _exit_on_error():
        from affectscope._validation import check_int

        port = check_int(port, name="port", func="serve", low=1, high=65535)
        try:
            from affectscope.service import serve as run
            from affectscope.service.settings import load_settings
        except ImportError as exc:
            raise ConfigError(f"The service needs its extra: pip install 'affectscope[service]' ({exc}).") from None
        settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))  # a bad setting: one line, exit 2
        run(host=host, port=port, settings=settings)


@app.command()
def train(
    modality: Annotated[str, typer.Option(help="What to train: eeg (your labelled recordings).")],
    data: Annotated[Path, typer.Option(help="CSV with columns path, label, subject (one row per recording).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the model bundle.")],
    window: Annotated[float, typer.Option(help="EEG: feature window in seconds.")] = 4.0,
    rate: Annotated[float | None, typer.Option(help="EEG CSV without timestamps: the sampling rate in Hz.")] = None,
    data_licence: Annotated[
        str | None,
        typer.Option(help="The licence of your recordings, e.g. CC-BY-4.0 (recorded in the bundle; default unknown)."),
    ] = None,
    commercial: Annotated[
        bool | None,
        typer.Option(
            "--commercial/--no-commercial",
            help="Whether your recordings may be used commercially (default: unknown, which "
            "AFFECTSCOPE_PROFILE=commercial refuses like --no-commercial).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Train a classifier on your own labelled data and report subject-grouped cross-validation."""
    with _exit_on_error():
        from affectscope._validation import check_number

        if modality != "eeg":
            raise InputError(f"affectscope train supports --modality eeg; got {modality!r}.")
        window = check_number(window, name="window", func="train", low=0.5, high=3600)
        if rate is not None:
            rate = check_number(rate, name="rate", func="train", low=0, high=100_000, low_open=True)
        from affectscope.recognizers.eeg import EEGClassifier, _check_licence, read_eeg_labels, read_labelled_eeg

        _check_licence(data_licence)  # before reading any recording

        table = read_eeg_labels(data)
        data_ = read_labelled_eeg(table, base=data.parent, window=window, rate=rate)
        x, labels, subjects, names = data_.x, data_.labels, data_.subjects, data_.names
        clf = EEGClassifier(window=window)
        metrics = clf.cross_validate(x, labels, subjects)
        clf.fit(x, labels, subjects)
        clf.save(out, features=names, metrics=metrics, commercial_use=commercial, data_licence=data_licence)
        use = {True: "allowed", False: "not allowed", None: "unknown, so AFFECTSCOPE_PROFILE=commercial refuses it"}
        typer.echo(
            f"{len(table)} recordings, {metrics['windows']} windows, {metrics['subjects']} subjects: subject-grouped "
            f"CV accuracy {metrics['accuracy']:.3f}, balanced accuracy {metrics['balanced_accuracy']:.3f}. "
            f"Model written to {out} (use it with: affectscope analyze REC --modality eeg --model {out}); data "
            f"licence {data_licence.strip() if data_licence else 'unknown'}, commercial use {use[commercial]}."
        )


@app.command("eval")
def eval_(
    dataset: Annotated[
        str,
        typer.Option(
            help="Dataset adapter, e.g. goemotions, meld, ravdess, crema-d, esd, urdu, fer2013, music-4q, "
            "stress-predict, eeg."
        ),
    ],
    path: Annotated[Path, typer.Option(help="The dataset folder (or file) as published.")],
    split: Annotated[str, typer.Option(help="train, dev, test or all.")] = "test",
    model: Annotated[str | None, typer.Option(help="Model name or bundle folder (default: the modality's).")] = None,
    labels: Annotated[
        str | None,
        typer.Option(
            help="Label space to score in, e.g. ekman7 (dataset default); 'open' scores open-vocabulary words "
            "(wheel-grouped set precision/recall)."
        ),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option(
            help="With --labels open: a text file of comma-separated emotion words, one line per item in the "
            "dataset's order (e.g. an LLM's answers), scored instead of a model."
        ),
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the report as JSON to this file, or '-' for stdout.")
    ] = None,
    report_out: Annotated[
        Path | None, typer.Option("--report", help="Also write an HTML report (plots work offline).")
    ] = None,
    text_column: Annotated[str, typer.Option(help="csv dataset: the text column.")] = "text",
    label_column: Annotated[str, typer.Option(help="csv dataset: the label column.")] = "label",
    split_column: Annotated[str | None, typer.Option(help="csv dataset: the split column, if any.")] = None,
    speaker_norm: Annotated[
        bool,
        typer.Option(
            "--speaker-norm",
            help="Speech/face sets: adapt to each speaker with that speaker's own unlabelled recordings.",
        ),
    ] = False,
    streaming: Annotated[
        bool,
        typer.Option("--streaming", help="Conversation sets: read each turn with earlier turns only (live mode)."),
    ] = False,
) -> None:
    """Evaluate a model on a benchmark dataset in its published format (metrics, per-class, confusion)."""
    with _exit_on_error():
        from affectscope.evaluate import evaluate

        options = {}
        if dataset == "csv":
            options = {"text_column": text_column, "label_column": label_column, "split_column": split_column}
        if streaming:
            options["mode"] = "streaming"
        if predictions is not None:
            options["predictions"] = predictions
        report = evaluate(
            dataset,
            path,
            split=split,
            model=model,
            labels=labels,
            speaker_norm=speaker_norm,
            progress=True,
            **options,
        )
        if report_out is not None:
            from affectscope.evaluate.report import write_report

            write_report(report, report_out)
        if json_out == "-":
            typer.echo(json.dumps(report, indent=2))
            return
        if json_out is not None:
            Path(json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        from rich.console import Console
        from rich.table import Table

        table = Table(title=_safe(f"{report['dataset']} / {report['split']} (n={report['n']}, {report['labels']})"))
        table.add_column("metric")
        table.add_column("value", justify="right")
        for k, v in report["metrics"].items():
            table.add_row(k, f"{v:.4f}")
        Console().print(table)
        if report.get("unknown_words"):
            Console().print(
                f"[yellow]words outside the vocabulary (counted wrong): {_safe(report['unknown_words'])}[/]"
            )
        Console().print(
            f"[dim]model: {report['model']}" + (f", mode: {report['mode']}" if "mode" in report else "") + "[/]"
        )


@app.command()
def models(
    name: Annotated[
        str | None, typer.Argument(help="Show this model (a registry name or a bundle folder) in full.")
    ] = None,
    fmt: Annotated[ModelsFormat, typer.Option("--format", "-f", help="Output format.")] = ModelsFormat.table,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    modality: Annotated[str | None, typer.Option(help="Only models of this modality.")] = None,
) -> None:
    """List the model registry, one line per model: name, modality, label spaces, size, data licences, commercial use.

    ``affectscope models NAME`` shows one model in full (task, licence, training data, metrics, model card).
    """
    from affectscope.models import get_bundle, list_models

    with _exit_on_error():
        bundles = [get_bundle(name)] if name is not None else [get_bundle(n) for n in list_models(modality=modality)]
    if fmt is ModelsFormat.json or as_json:
        dicts = [b.to_dict() for b in bundles]
        typer.echo(json.dumps(dicts[0] if name is not None else dicts, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.width = min(console.width, 120)
    yes_no = {True: "yes", False: "no", None: "unknown"}
    if name is None:
        wide = console.width >= 110  # below that, label spaces give way (they are in `models NAME` and --json)
        table = Table(box=None, padding=(0, 2, 0, 0), pad_edge=False, show_edge=False, header_style="bold")
        for col in ("name", "modality"):
            table.add_column(col, no_wrap=True)
        if wide:
            table.add_column("label spaces", overflow="fold")
        table.add_column("size", justify="right", no_wrap=True)
        table.add_column("commercial", no_wrap=True)
        table.add_column("data licences", overflow="fold")
        for b in bundles:
            spaces = [_safe(", ".join(h["space"] for h in b.heads.values()))] if wide else []
            table.add_row(
                _safe(b.name),
                _safe(b.modality),
                *spaces,
                f"{b.size_bytes / 1e6:.1f} MB",
                yes_no[b.commercial_use],
                _safe(", ".join(dict.fromkeys(b.data_licences)) or "-"),
            )
        console.print(table)
        console.print(
            "[dim]commercial: yes only when every training set permits commercial use. One model in full: "
            "affectscope models NAME[/]"
        )
        return
    b = bundles[0]
    table = Table(title=f"[bold]{_safe(b.name)}[/]", show_header=False, title_justify="left", expand=True)
    table.add_column("field", style="dim", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_row("modality", _safe(b.modality))
    table.add_row("task", _safe(b.task))
    table.add_row("label spaces", _safe(", ".join(h["space"] for h in b.heads.values())))
    table.add_row("licence", _safe(b.licence))
    table.add_row(
        "training data",
        _safe("; ".join(f"{d.get('name')} [{d.get('licence')}]" for d in b.training_data) or "-"),
    )
    table.add_row("data licences", _safe(", ".join(b.data_licences) or "-"))
    table.add_row("commercial use", yes_no[b.commercial_use])
    table.add_row("size", f"{b.size_bytes / 1e6:.1f} MB")
    for k, m in b.metrics.items():
        table.add_row(_safe(k), _safe(f"{m.get('value')}  ({m.get('dataset')}, {m.get('split')})"))
    table.add_row("model card", _safe(b.card))
    console.print(table)


def main() -> None:
    """Entry point of the ``affectscope`` console script: usage errors are one line on stderr too (exit 2)."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # Typer's (vendored click) usage errors: bad option values, missing arguments
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:  # no arguments: the help, as before
            typer.echo(ctx.get_help())
            sys.exit(2)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        where = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        _err(f"{message}{where}")
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except (typer.Abort, KeyboardInterrupt):
        _err("interrupted")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # python -m affectscope.cli
    main()
