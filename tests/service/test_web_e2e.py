"""End to end in a real browser: Debian's headless Chromium driven by Playwright against `affectscope serve`.

Uploads a generated talking-face video, waits for the timeline, and checks the lanes, the fused summary, the
rationale, the segment table and that clicking the timeline seeks the video; then pastes a text. Screenshots go
to build/test-artifacts/. Skipped when Playwright or Chromium is missing (`make test` installs Debian's chromium
when it can).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

playwright = pytest.importorskip("playwright.sync_api")
pytest.importorskip("av")
pytest.importorskip("mediapipe")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
# Flags for a closed network (no background connections), as root, without a GPU.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.enable_socket,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path_factory.mktemp("served")
    env = {**os.environ, "AFFECTSCOPE_THREADS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "affectscope.cli", "serve", "--port", str(port), "--data-dir", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    import httpx

    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the service did not start: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


# Every page records Content-Security-Policy violations; each test asserts there were none.
WATCH_CSP = "window.__csp = []; document.addEventListener('securitypolicyviolation', e => "
WATCH_CSP += "window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"


def _no_csp_violations(page) -> None:
    assert page.evaluate("window.__csp") == []


@pytest.fixture(scope="module")
def talking_video(tmp_path_factory, astronaut, speech_fixture):
    import soundfile as sf

    from affectscope.media.video import write_test_video

    y, sr = sf.read(speech_fixture("loud_fast_en"), dtype="float32")
    n = int(np.ceil(len(y) / sr * 10))
    path = tmp_path_factory.mktemp("video") / "talk.mp4"
    return write_test_video(path, [astronaut] * n, fps=10, audio=y, sampling_rate=sr)


def test_upload_a_video_and_read_the_timeline(server, browser, talking_video):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.add_init_script(WATCH_CSP)
    page.goto(server)
    page.uncheck("#transcript")  # faster; the voice lane needs no words
    page.set_input_files("#file", str(talking_video))
    page.wait_for_selector("#results:not([hidden])", timeout=180_000)
    lanes = json.loads(page.eval_on_selector("#timeline", "e => e.dataset.lanes"))
    assert lanes == ["face · face1", "voice", "fused"]
    assert page.eval_on_selector("#timeline", "e => e.querySelectorAll('.bars path').length") >= 3
    assert page.eval_on_selector("#summary", "e => e.dataset.label") == "joy"
    assert page.inner_text("#rationale").startswith("Cues: face smile")
    assert page.locator("#segments tbody tr").count() >= 3
    assert page.get_attribute("#progress", "value") == "1"
    # clicking the timeline seeks the video (the page's plotly_click handler)
    page.wait_for_function("document.getElementById('video').readyState >= 1")
    page.evaluate("document.getElementById('timeline').emit('plotly_click', {points: [{base: 2.5}]})")
    assert page.eval_on_selector("#video", "v => v.currentTime") == pytest.approx(2.5, abs=0.2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_video.png"), full_page=True)
    assert (ARTIFACTS / "web_video.png").stat().st_size > 10_000
    _no_csp_violations(page)
    page.close()


def test_paste_a_text_and_see_words_and_errors(server, browser):
    page = browser.new_page()
    page.add_init_script(WATCH_CSP)
    page.goto(server)
    page.click("#analyze")
    assert "Paste a text first" in page.inner_text("#status")
    page.fill("#text", "I am thrilled about the news. But I am scared of the interview.")
    page.check("#open")
    page.click("#analyze")
    page.wait_for_selector("#results:not([hidden])", timeout=60_000)
    assert json.loads(page.eval_on_selector("#timeline", "e => e.dataset.lanes")) == ["words"]
    assert not page.is_visible("#video")
    assert "in words:" in page.inner_text("#summary")
    labels = page.locator("#segments tbody tr td:nth-child(3)").all_inner_texts()
    assert labels == ["joy", "fear"]
    page.screenshot(path=str(ARTIFACTS / "web_text.png"), full_page=True)
    _no_csp_violations(page)
    page.close()


def test_another_site_cannot_post_to_the_service(server, browser):
    """CSRF: a page from another origin sends a form upload (a 'simple' request, no preflight): refused."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    class Evil(BaseHTTPRequestHandler):  # the attacker's site: a blank page on another port
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>elsewhere</title>")

        def log_message(self, *args):
            pass

    evil = ThreadingHTTPServer(("127.0.0.1", 0), Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    before = httpx.get(f"{server}/healthz").json()["jobs"]
    page = browser.new_page()
    answers = []  # the service answers; Cross-Origin-Resource-Policy then keeps the answer from the other page
    page.on("requestfailed", lambda r: answers.append(r.failure) if "/v1/analyses" in r.url else None)
    page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
    sent = page.evaluate(
        """async (url) => {
            const form = new FormData();
            form.append("file", new Blob(["I am so happy today."], {type: "text/plain"}), "a.txt");
            const text = {method: "POST", mode: "no-cors", body: '{"text": "hi"}',
                          headers: {"Content-Type": "text/plain"}};
            for (const init of [{method: "POST", mode: "no-cors", body: form}, text]) {
                try { await fetch(url + "/v1/analyses", init); } catch (e) { /* the answer is blocked as well */ }
            }
            return true;
        }""",
        server,
    )
    assert sent
    assert len(answers) == 2
    assert all("BLOCKED_BY_RESPONSE" in a for a in answers)
    assert httpx.get(f"{server}/healthz").json()["jobs"] == before  # nothing was queued
    page.close()
    evil.shutdown()


def test_upload_a_wearable_export(server, browser, tmp_path):
    """A zipped E4 export read as a wearable recording: one lane, the stress block on the timeline."""
    pytest.importorskip("neurokit2")
    import zipfile

    from physio_signals import write_stress_session

    session = write_stress_session(tmp_path / "e4")
    archive = tmp_path / "e4_export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in session.iterdir():
            z.write(f, f.name)
    page = browser.new_page(viewport={"width": 1200, "height": 1200})
    page.goto(server)
    page.select_option("#modality", "physio")
    page.set_input_files("#file", str(archive))
    page.wait_for_selector("#results:not([hidden])", timeout=120_000)
    assert json.loads(page.eval_on_selector("#timeline", "e => e.dataset.lanes")) == ["wearable"]
    assert not page.is_visible("#video")  # no player for a recording without a picture
    labels = page.locator("#segments tbody tr td:nth-child(3)").all_inner_texts()
    assert labels[0] == "neutral"
    assert "stress" in labels
    assert "SCR/min" in page.inner_text("#segments tbody")
    assert page.locator("#segments tbody tr td:nth-child(1)").first.inner_text().endswith(" s")  # seconds
    page.screenshot(path=str(ARTIFACTS / "web_wearable.png"), full_page=True)
    page.close()
