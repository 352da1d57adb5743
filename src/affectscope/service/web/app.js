// affectscope web page: upload or paste, poll the analysis, draw the timeline (plotly, served locally).
"use strict";

const COLORS = {
  anger: "#d62728", disgust: "#8c564b", fear: "#9467bd", joy: "#f2b701", sadness: "#1f77b4",
  surprise: "#17becf", neutral: "#9e9e9e", calm: "#2ca02c", stress: "#e6550d",
  q1_happy: "#f2b701", q2_angry: "#d62728", q3_sad: "#1f77b4", q4_calm: "#2ca02c",
};
const $ = (id) => document.getElementById(id);
let lastFile = null;

function headers() {
  const key = $("apikey").value;
  return key ? { "X-API-Key": key } : {};
}

function setStatus(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

async function start(body) {
  $("work").hidden = false;
  $("results").hidden = true;
  $("progress").value = 0;
  setStatus("uploading…");
  let res;
  try {
    res = await fetch("/v1/analyses", { method: "POST", body, headers: body instanceof FormData ? headers() : { ...headers(), "Content-Type": "application/json" } });
  } catch (e) {
    setStatus("could not reach the service: " + e, true);
    return;
  }
  const data = await res.json();
  if (res.status === 401) { $("keylabel").hidden = false; }
  if (res.status !== 202) { setStatus(`${data.error}: ${data.message}`, true); return; }
  poll(data.id);
}

async function poll(id) {
  const res = await fetch(`/v1/analyses/${id}`, { headers: headers() });
  const job = await res.json();
  if (res.status !== 200) { setStatus(`${job.error}: ${job.message}`, true); return; }
  $("progress").value = job.progress;
  setStatus(`${job.status}${job.stage && job.stage !== job.status ? " — " + job.stage : ""}`);
  if (job.status === "done") { show(job); return; }
  if (job.status === "failed") { setStatus(`${job.error.error}: ${job.error.message}`, true); return; }
  setTimeout(() => poll(id), 400);
}

function lane(seg) {
  const names = { speech: "voice", text: "words", face: "face", fusion: "fused", conversation: "dialogue", physio: "wearable" };
  const m = names[seg.modality] || seg.modality;
  return seg.track && !["main", "fused", "text", "wearer"].includes(seg.track) ? `${m} · ${seg.track}` : m;
}

function show(job) {
  const result = job.result;
  const s = result.summary;
  const segs = result.segments;
  $("results").hidden = false;
  const conf = s.confidence == null ? "" : ` (confidence ${Number(s.confidence).toFixed(2)})`;
  const words = s.open_words ? ` — in words: ${s.open_words.join(", ")}` : "";
  const flag = s.incongruent ? `<span class="flag">⚠ the modalities disagree (incongruence ${s.incongruence.toFixed(2)})</span>` : "";
  $("summary").innerHTML = "";
  const strong = document.createElement("strong");
  strong.textContent = s.label ? s.label : (s.note || "nothing found");
  $("summary").append("Overall: ", strong, conf + words);
  $("summary").insertAdjacentHTML("beforeend", flag);
  $("summary").dataset.label = s.label || "";
  $("rationale").textContent = s.rationale || "";
  $("csv").href = `/v1/analyses/${job.id}/timeline.csv`;
  const timed = ["audio", "video", "music", "physio"].includes(job.kind);
  const video = $("video");
  if (job.kind === "video" && lastFile) {
    video.src = URL.createObjectURL(lastFile);
    video.hidden = false;
    $("hint").textContent = "Click the timeline to jump the video there.";
  } else {
    video.hidden = true;
    $("hint").textContent = timed ? "" : "Text positions are characters.";
  }
  drawTimeline(segs, timed || job.kind === "video");
  const body = $("segments").querySelector("tbody");
  body.innerHTML = "";
  for (const seg of segs.slice(0, 500)) {
    const tr = document.createElement("tr");
    const where = timed ? `${seg.start.toFixed(1)}–${seg.end.toFixed(1)} s` : `${seg.start}–${seg.end}`;
    for (const v of [where, lane(seg), seg.label, Number(seg.confidence).toFixed(2), seg.evidence || seg.text || ""]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    body.append(tr);
  }
}

function drawTimeline(segs, seconds) {
  const lanes = [...new Set(segs.map(lane))];
  const byLabel = {};
  for (const seg of segs) {
    const width = Math.max(seg.end - seg.start, seconds ? 0.2 : 1);
    const t = (byLabel[seg.label] ||= { x: [], base: [], y: [], text: [] });
    t.x.push(width); t.base.push(seg.start); t.y.push(lane(seg));
    t.text.push(`${seg.label} ${Number(seg.confidence).toFixed(2)}${seg.evidence ? "<br>" + seg.evidence : ""}`);
  }
  const traces = Object.entries(byLabel).map(([label, t]) => ({
    type: "bar", orientation: "h", name: label, x: t.x, base: t.base, y: t.y, hovertext: t.text,
    hoverinfo: "text", marker: { color: COLORS[label] || "#555" },
  }));
  const layout = {
    barmode: "overlay", height: 120 + 40 * lanes.length, margin: { l: 110, r: 20, t: 10, b: 40 },
    xaxis: { title: seconds ? "seconds" : "characters" }, yaxis: { categoryarray: lanes.reverse(), type: "category" },
    legend: { orientation: "h" },
  };
  Plotly.newPlot("timeline", traces, layout, { displaylogo: false, responsive: true });
  $("timeline").dataset.lanes = JSON.stringify(lanes.slice().reverse());
  $("timeline").on("plotly_click", (ev) => {
    const p = ev.points[0];
    const video = $("video");
    if (!video.hidden) { video.currentTime = p.base; }
  });
}

function upload(file) {
  lastFile = file;
  const form = new FormData();
  form.append("file", file);
  form.append("evidence", $("evidence").checked);
  form.append("transcript", $("transcript").checked);
  form.append("fps", $("fps").value);
  if ($("open").checked) form.append("labels", "open");
  if ($("modality").value) form.append("modality", $("modality").value);
  start(form);
}

const drop = $("drop");
drop.addEventListener("click", () => $("file").click());
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file").click(); });
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault(); drop.classList.remove("over");
  if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
});
$("file").addEventListener("change", () => { if ($("file").files.length) upload($("file").files[0]); });
$("analyze").addEventListener("click", () => {
  const text = $("text").value;
  if (!text.trim()) { setStatus("Paste a text first.", true); $("work").hidden = false; return; }
  lastFile = null;
  start(JSON.stringify({ text, evidence: $("evidence").checked, labels: $("open").checked ? "open" : null }));
});
