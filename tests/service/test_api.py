"""REST API: every route, its errors, limits, API key, persistence across restarts, expiry (httpx TestClient)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest


def _png(astronaut) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(astronaut).save(buf, format="PNG")
    return buf.getvalue()


def test_text_analysis_lifecycle(make_client, wait_done):
    client = make_client()
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.post("/v1/analyses", json={"text": "I am so happy to see you! But this is scary.", "labels": "open"})
    assert r.status_code == 202
    job = r.json()["id"]
    assert r.headers["location"] == f"/v1/analyses/{job}"
    d = wait_done(client, job)
    assert d["status"] == "done"
    assert d["progress"] == 1.0
    result = d["result"]
    assert [s["label"] for s in result["segments"]] == ["joy", "fear"]
    assert result["summary"]["open_words"]
    assert all(s["evidence"] and s["rationale"].startswith("Cues:") for s in result["segments"])
    csv = client.get(f"/v1/analyses/{job}/timeline.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("source,start,end,modality")
    assert len(csv.text.splitlines()) == 3
    assert client.delete(f"/v1/analyses/{job}").status_code == 204
    gone = client.get(f"/v1/analyses/{job}")
    assert gone.status_code == 404
    assert gone.json()["error"] == "NotFound"
    assert client.delete(f"/v1/analyses/{job}").status_code == 404


def test_upload_is_sniffed_stored_under_a_random_name_and_deleted_after(make_client, astronaut, tmp_path, wait_done):
    client = make_client()
    r = client.post(
        "/v1/analyses", files={"file": ("../../etc/passwd.mp4", _png(astronaut), "video/mp4")}, data={"fps": "1"}
    )
    assert r.status_code == 202, r.text
    d = wait_done(client, r.json()["id"])
    assert d["kind"] == "image"  # the content decides, not the name or the content type
    assert d["filename"] == "passwd.mp4"  # shown only; never a path
    assert d["result"]["summary"]["label"] == "joy"
    uploads = tmp_path / "data" / "uploads"
    assert list(uploads.iterdir()) == []  # media deleted once analysed


def test_keep_media_keeps_the_upload_until_delete(make_client, speech_fixture, tmp_path, wait_done):
    client = make_client(keep_media=True)
    data = Path(speech_fixture("loud_fast_en")).read_bytes()
    r = client.post("/v1/analyses", files={"file": ("x.flac", data)}, data={"transcript": "false"})
    job = r.json()["id"]
    d = wait_done(client, job)
    assert d["kind"] == "audio"
    assert d["result"]["summary"]["modality"] == "speech"
    uploads = tmp_path / "data" / "uploads"
    kept = list(uploads.iterdir())
    assert [p.suffix for p in kept] == [".flac"]
    assert kept[0].stem != "x"
    client.delete(f"/v1/analyses/{job}")
    assert list(uploads.iterdir()) == []


def test_errors_are_json_with_the_right_status(make_client, speech_fixture):
    client = make_client(max_upload_mb=0.01, max_text_chars=50, max_duration_s=1.0)
    cases = [
        (dict(files={"file": ("a.bin", b"MZ\x90\x00" + bytes(64))}), 415, "UnsupportedMediaType"),
        (dict(files={"file": ("big.txt", b"a" * 20_000)}), 413, "TooLarge"),
        (dict(files={"file": ("empty.txt", b"")}), 422, "InputError"),
        (dict(files={"file": ("a.txt", b"hello")}, data={"fps": "0"}), 422, "ValidationError"),
        (dict(files={"file": ("a.txt", b"hello")}, data={"evidence": "maybe"}), 422, "ValidationError"),
        (dict(files={"file": ("a.txt", b"hello")}, data={"labels": "plutchik"}), 422, "ValidationError"),
        (dict(data={"evidence": "true"}), 415, "UnsupportedMediaType"),  # a form without the file part
        (dict(json={"text": "x" * 51}), 413, "TooLarge"),
        (dict(json={"text": "   "}), 422, "InputError"),
        (dict(json={"text": ""}), 422, "ValidationError"),
        (dict(json={"nope": 1}), 422, "ValidationError"),
        (dict(content=b"{not json", headers={"content-type": "application/json"}), 422, "ValidationError"),
        (dict(content=b"hello", headers={"content-type": "text/plain"}), 415, "UnsupportedMediaType"),
        (dict(files={"file": ("x.flac", Path(speech_fixture("loud_fast_en")).read_bytes())}), 413, "TooLarge"),
    ]
    for kwargs, status, error in cases:
        r = client.post("/v1/analyses", **kwargs)
        assert (r.status_code, r.json()["error"]) == (status, error), (kwargs.keys(), r.text)
        assert r.json()["message"]
    long_audio = make_client(max_duration_s=1.0)
    r = long_audio.post("/v1/analyses", files={"file": ("x.flac", Path(speech_fixture("loud_fast_en")).read_bytes())})
    assert (r.status_code, r.json()["error"]) == (422, "TooLong")
    broken = long_audio.post("/v1/analyses", files={"file": ("x.wav", b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")})
    assert (broken.status_code, broken.json()["error"]) == (422, "InputError")
    assert client.get("/v1/analyses/" + "0" * 32).status_code == 404
    bad_id = client.get("/v1/analyses/../../etc")
    assert bad_id.status_code in (404, 422)
    assert client.get("/v1/analyses/xyz").json()["error"] == "ValidationError"


def test_a_failing_analysis_is_reported(make_client, wait_done):
    client = make_client()
    text = b"Fine start of a text file. " * 4 + b"\xff\xfe broken bytes later"
    r = client.post("/v1/analyses", files={"file": ("notes.txt", text)})
    d = wait_done(client, r.json()["id"])
    assert d["status"] == "failed"
    assert d["error"]["error"] == "InputError"
    assert "utf-8" in d["error"]["message"].lower()
    assert client.get(f"/v1/analyses/{d['id']}/timeline.csv").status_code == 409


def test_queue_bound_and_not_ready(make_client):
    client = make_client(run=False, queue_size=1)  # workers stopped: jobs stay queued
    first = client.post("/v1/analyses", json={"text": "hello there"})
    assert first.status_code == 202
    job = first.json()["id"]
    assert client.get(f"/v1/analyses/{job}").json()["status"] == "queued"
    nr = client.get(f"/v1/analyses/{job}/timeline.csv")
    assert (nr.status_code, nr.json()["error"]) == (409, "NotReady")
    full = client.post("/v1/analyses", json={"text": "one more"})
    assert (full.status_code, full.json()["error"]) == (429, "QueueFull")
    assert full.headers["retry-after"] == "10"


def test_api_key(make_client, wait_done):
    client = make_client(api_key="s3cret-s3cret-s3cret")
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200
    r = client.post("/v1/analyses", json={"text": "hi"})
    assert (r.status_code, r.json()["error"]) == (401, "Unauthorized")
    assert client.get("/v1/models", headers={"X-API-Key": "wrong"}).status_code == 401
    ok = client.post("/v1/analyses", json={"text": "I love it"}, headers={"X-API-Key": "s3cret-s3cret-s3cret"})
    assert ok.status_code == 202
    bearer = {"Authorization": "Bearer s3cret-s3cret-s3cret"}
    assert wait_done(client, ok.json()["id"], headers=bearer)["status"] == "done"
    names = [m["name"] for m in client.get("/v1/models", headers=bearer).json()]
    assert "text-minilm-goemotions" in names


def test_refuses_to_listen_beyond_loopback_without_a_key(tmp_path):
    from typer.testing import CliRunner

    from affectscope.cli import app
    from affectscope.errors import ConfigError
    from affectscope.service import serve
    from affectscope.service.settings import ServiceSettings

    with pytest.raises(ConfigError, match="without an API key"):
        serve(host="0.0.0.0", settings=ServiceSettings(data_dir=tmp_path))
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2
    assert "without an API key" in r.output


def test_restart_keeps_results_and_requeues_unfinished(make_client, tmp_path, wait_done):
    from affectscope.service.store import JobStore

    first = make_client()
    done = first.post("/v1/analyses", json={"text": "What a lovely day."}).json()["id"]
    wait_done(first, done)
    stopped = make_client(run=False)
    pending = stopped.post("/v1/analyses", json={"text": "I am furious."}).json()["id"]
    JobStore(tmp_path / "data" / "jobs.sqlite").update(pending, status="running", stage="analysing")  # crashed here
    again = make_client()
    assert again.get(f"/v1/analyses/{done}").json()["result"]["summary"]["label"] == "joy"
    d = wait_done(again, pending)
    assert d["status"] == "done"
    assert d["result"]["summary"]["label"] == "anger"


def test_results_and_media_expire(make_client, astronaut, tmp_path):
    client = make_client(run=False, keep_media=True)
    job = client.post("/v1/analyses", files={"file": ("a.png", _png(astronaut))}).json()["id"]
    runner = client.app.state.runner
    assert runner.purge_expired(time.time()) == 0
    assert runner.purge_expired(time.time() + 10 * 24 * 3600) == 1
    assert client.get(f"/v1/analyses/{job}").status_code == 404
    assert list((tmp_path / "data" / "uploads").iterdir()) == []


def test_openapi_and_page(make_client):
    client = make_client(run=False)
    spec = client.get("/openapi.json").json()
    assert {"/v1/analyses", "/v1/analyses/{job}", "/v1/analyses/{job}/timeline.csv", "/v1/models", "/healthz"} <= set(
        spec["paths"]
    )
    body = spec["paths"]["/v1/analyses"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(body)
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert "drop" in page.text
    assert "/static/plotly.min.js" in page.text
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200
    assert len(js.content) > 1_000_000  # bundled, no CDN
    assert "cdn" not in page.text.lower()
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/nope.js").status_code == 404


def test_upload_a_song_as_music(make_client, wait_done):
    pytest.importorskip("librosa")
    import numpy as np
    import soundfile as sf

    t = np.arange(16000 * 12) / 16000
    buf = io.BytesIO()
    sf.write(buf, (0.3 * np.sin(2 * np.pi * 440 * t)).astype("float32"), 16000, format="WAV")
    client = make_client()
    r = client.post("/v1/analyses", files={"file": ("song.wav", buf.getvalue())}, data={"modality": "music"})
    d = wait_done(client, r.json()["id"])
    assert d["kind"] == "music"
    assert d["result"]["summary"]["modality"] == "music"
    assert d["result"]["segments"][0]["evidence"]
    png = client.post("/v1/analyses", files={"file": ("a.txt", b"hello")}, data={"modality": "music"})
    assert (png.status_code, png.json()["error"]) == (422, "ValidationError")
    bad = client.post("/v1/analyses", files={"file": ("a.txt", b"hello")}, data={"modality": "smell"})
    assert bad.status_code == 422


def test_upload_a_wearable_recording(make_client, wait_done, tmp_path):
    """modality=physio: a zipped E4 export is analysed; a zip without it is refused; a CSV needs its timestamps."""
    pytest.importorskip("neurokit2")

    from physio_signals import write_stress_session

    session = write_stress_session(tmp_path / "e4")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for f in session.iterdir():
            z.write(f, f"export/{f.name}")
    client = make_client()
    r = client.post("/v1/analyses", files={"file": ("x.zip", archive.getvalue())}, data={"modality": "physio"})
    d = wait_done(client, r.json()["id"])
    assert d["kind"] == "physio"
    assert d["result"]["summary"]["modality"] == "physio"
    assert 420 <= d["result"]["summary"]["peak"]["start"] < 840  # the stress block
    assert "SCR/min" in d["result"]["segments"][0]["evidence"]
    plain = client.post("/v1/analyses", files={"file": ("x.zip", archive.getvalue())})  # detected by its content
    auto = wait_done(client, plain.json()["id"])
    assert auto["result"]["summary"]["detected"] == "a zipped Empatica E4 export"
    assert auto["result"]["summary"]["peak"] == d["result"]["summary"]["peak"]
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("notes.txt", "hello")
    refused = wait_done(client, client.post("/v1/analyses", files={"file": ("y.zip", other.getvalue())}).json()["id"])
    assert refused["status"] == "failed"
    assert "no E4 signal file" in refused["error"]["message"]
    csv = client.post("/v1/analyses", files={"file": ("a.csv", b"time,eda\n0,1\n1,2\n")}, data={"modality": "physio"})
    failed = wait_done(client, csv.json()["id"])
    assert failed["status"] == "failed"
    assert "timestamp" in failed["error"]["message"]
    img = client.post(
        "/v1/analyses", files={"file": ("a.png", b"\x89PNG\r\n\x1a\n" + bytes(64))}, data={"modality": "physio"}
    )
    assert (img.status_code, img.json()["error"]) == (422, "ValidationError")
