"""Self-contained HTML report of an evaluation: metrics, confusion matrix and reliability diagram.

Plots are plotly figures with plotly.js embedded in the file (no CDN), so a report opens offline. Needs the
``eval`` extra (plotly).

Examples
--------
>>> import tempfile, pathlib
>>> rep = {"dataset": "toy", "split": "dev", "model": "m", "n": 2, "labels": "ekman7",
...        "metrics": {"accuracy": 0.5}, "per_class": {}, "confusion": {}, "reliability": []}
>>> out = write_report(rep, pathlib.Path(tempfile.mkdtemp()) / "r.html")
>>> "accuracy" in out.read_text(encoding="utf-8")
True
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from affectscope.errors import ConfigError, DependencyError, InputError

__all__ = ["write_report"]


def _figures(report: dict[str, Any]) -> list[Any]:
    try:
        import plotly.graph_objects as go
    except ImportError as exc:
        raise DependencyError("HTML reports need plotly: pip install 'affectscope[eval]'.") from exc
    figs = []
    conf = report.get("confusion") or {}
    first = next(iter(conf.values()), {})
    if conf and set(first) != {"tp", "fp", "fn"}:
        labels = list(conf)
        z = [[conf[t].get(p, 0) for p in labels] for t in labels]
        fig = go.Figure(go.Heatmap(z=z, x=labels, y=labels, colorscale="Blues", text=z, texttemplate="%{text}"))
        fig.update_layout(title="Confusion matrix (rows: true, columns: predicted)", yaxis_autorange="reversed")
        figs.append(fig)
    if report.get("per_class"):
        names = list(report["per_class"])
        fig = go.Figure(go.Bar(x=names, y=[report["per_class"][k]["f1"] for k in names]))
        fig.update_layout(title="F1 per class", yaxis_range=[0, 1])
        figs.append(fig)
    bins = report.get("reliability") or []
    if bins:
        fig = go.Figure()
        fig.add_bar(
            x=[(b["lo"] + b["hi"]) / 2 for b in bins],
            y=[b["accuracy"] for b in bins],
            width=[b["hi"] - b["lo"] for b in bins],
            name="observed frequency",
            customdata=[b["count"] for b in bins],
            hovertemplate="confidence %{x:.2f}: observed %{y:.2f} (n=%{customdata})",
        )
        fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration", line={"dash": "dash"})
        ece = report["metrics"].get("ece")
        title = "Reliability diagram" + (f" (ECE {ece:.3f}, 15 bins)" if ece is not None else "")
        fig.update_layout(
            title=title,
            xaxis_title="predicted probability",
            yaxis_title="observed frequency",
            xaxis_range=[0, 1],
            yaxis_range=[0, 1],
        )
        figs.append(fig)
    return figs


def write_report(report: dict[str, Any], path: str | Path) -> Path:
    """Write an evaluation report (the dict returned by :func:`affectscope.evaluate.evaluate`) as HTML.

    Parameters
    ----------
    report : dict
        Evaluation report.
    path : str or pathlib.Path
        Output ``.html`` file; its folder must exist.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"The report file must end in .html. Got {p.name!r} instead.")
    if not p.parent.is_dir():
        raise InputError(f"Cannot write {p}: the folder {p.parent} does not exist.")
    figs = _figures(report)
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(figs)]
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v:.4f}</td></tr>" for k, v in report.get("metrics", {}).items())
    title = html.escape(f"{report['dataset']} / {report['split']} — {report['model']}")
    p.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td{border:1px solid #ccc;padding:4px 10px}</style></head><body>"
        f"<h1>{title}</h1><p>n = {report['n']}; label space: {html.escape(str(report['labels']))}</p>"
        f"<table>{rows}</table>{''.join(parts)}</body></html>",
        encoding="utf-8",
    )
    return p
