"""Build the open emotion vocabulary (``src/affectscope/labels/data/open_vocabulary.json``, issue 7).

Words are organised in tiers after Parrott's (2001) emotion tree: primary emotion → secondary group → word. The
tree's six primaries are love, joy, surprise, anger, sadness and fear. Parrott's tree has no neutral or cognitive
states, so affectscope adds them:

* a ``neutral`` primary, with ``calm`` and ``indifference`` groups;
* ``curiosity`` and ``confusion`` groups under surprise;
* ``gratitude`` under joy;
* admiration, approval, disapproval, awe, trust, anticipation and stress in the closest existing groups.

The additions cover all 28 GoEmotions labels, so GoEmotions can be scored as an open-vocabulary benchmark. Each
addition is marked ``"source": "affectscope"``.

A rating whose valence sign contradicts the word's primary emotion (12 rare words, e.g. *euphoria*, *gaiety*)
is replaced by the median valence of its group; the words are listed in the file.

VAD coordinates. Published word norms with a permissive licence are not available offline here: Warriner et
al. is CC BY-NC-ND, and NRC VAD is research-only. So every word is rated by our own text model's VAD head
(``text-minilm-goemotions``, trained on EmoBank). The rating is the mean over two carrier sentences, "I feel
{word}." and "A feeling of {word}.".

Those ratings are mapped linearly, per dimension, onto the scale of the label VAD points
(``vad_coordinates.json``: Warriner ratings rescaled to [-1, 1]). The map is fitted on the 32 words present in
both. It is stored too, so that the text model's sentence-level VAD can be put on the same scale when matching.
The script prints the agreement with those anchor words (Pearson r).

    python training/labels/open_vocabulary.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "src" / "affectscope" / "labels" / "data" / "open_vocabulary.json"
DIMS = ("valence", "arousal", "dominance")
TEMPLATES = ("I feel {}.", "A feeling of {}.")

# primary -> secondary group -> words (Parrott 2001, Table 1); "+" marks affectscope additions.
TREE: dict[str, dict[str, list[str]]] = {
    "love": {
        "affection": [
            "adoration",
            "affection",
            "love",
            "fondness",
            "liking",
            "attraction",
            "caring",
            "tenderness",
            "compassion",
            "sentimentality",
            "+admiration",
        ],
        "lust": ["arousal", "desire", "lust", "passion", "infatuation"],
        "longing": ["longing"],
    },
    "joy": {
        "cheerfulness": [
            "amusement",
            "bliss",
            "cheerfulness",
            "gaiety",
            "glee",
            "jolliness",
            "joviality",
            "joy",
            "delight",
            "enjoyment",
            "gladness",
            "happiness",
            "jubilation",
            "elation",
            "satisfaction",
            "ecstasy",
            "euphoria",
        ],
        "zest": ["enthusiasm", "zeal", "zest", "excitement", "thrill", "exhilaration"],
        "contentment": ["contentment", "pleasure", "+approval"],
        "pride": ["pride", "triumph"],
        "optimism": ["eagerness", "hope", "optimism", "+trust", "+anticipation"],
        "enthrallment": ["enthrallment", "rapture"],
        "relief": ["relief"],
        "+gratitude": ["+gratitude", "+thankfulness", "+appreciation"],
    },
    "surprise": {
        "surprise": ["amazement", "surprise", "astonishment", "+awe", "+realization"],
        "+curiosity": ["+curiosity", "+interest", "+fascination"],
        "+confusion": ["+confusion", "+bewilderment"],
    },
    "anger": {
        "irritation": [
            "aggravation",
            "irritation",
            "agitation",
            "annoyance",
            "grouchiness",
            "grumpiness",
            "+disapproval",
        ],
        "exasperation": ["exasperation", "frustration"],
        "rage": [
            "anger",
            "rage",
            "outrage",
            "fury",
            "wrath",
            "hostility",
            "ferocity",
            "bitterness",
            "hate",
            "loathing",
            "scorn",
            "spite",
            "vengefulness",
            "dislike",
            "resentment",
        ],
        "disgust": ["disgust", "revulsion", "contempt"],
        "envy": ["envy", "jealousy"],
        "torment": ["torment"],
    },
    "sadness": {
        "suffering": ["agony", "suffering", "hurt", "anguish"],
        "sadness": [
            "depression",
            "despair",
            "hopelessness",
            "gloom",
            "glumness",
            "sadness",
            "unhappiness",
            "grief",
            "sorrow",
            "woe",
            "misery",
            "melancholy",
            "+pessimism",
        ],
        "disappointment": ["dismay", "disappointment", "displeasure"],
        "shame": ["guilt", "shame", "regret", "remorse"],
        "neglect": [
            "alienation",
            "isolation",
            "neglect",
            "loneliness",
            "rejection",
            "homesickness",
            "defeat",
            "dejection",
            "insecurity",
            "embarrassment",
            "humiliation",
            "insult",
        ],
        "sympathy": ["pity", "sympathy"],
    },
    "fear": {
        "horror": ["alarm", "shock", "fear", "fright", "horror", "terror", "panic", "hysteria", "mortification"],
        "nervousness": [
            "anxiety",
            "nervousness",
            "tenseness",
            "uneasiness",
            "apprehension",
            "worry",
            "distress",
            "dread",
            "+stress",
        ],
    },
    "+neutral": {
        "+calm": ["+neutral", "+calm", "+serenity", "+peacefulness", "+relaxation"],
        "+indifference": ["+indifference", "+boredom", "+apathy"],
    },
}
# The Ekman-7 label each primary (or secondary group) belongs to.
EKMAN = {
    "love": "joy",
    "joy": "joy",
    "surprise": "surprise",
    "anger": "anger",
    "sadness": "sadness",
    "fear": "fear",
    "neutral": "neutral",
}
POLARITY = {"love": 1, "joy": 1, "anger": -1, "sadness": -1, "fear": -1}  # valence sign of each primary
EKMAN_GROUP = {"disgust": "disgust"}  # Parrott files disgust under anger; Ekman keeps it apart


def _plain(name: str) -> tuple[str, bool]:
    return name.lstrip("+"), name.startswith("+")


def main() -> None:
    from scipy.stats import pearsonr

    from affectscope.recognizers.text import TextRecognizer

    entries: dict[str, dict] = {}
    for p_raw, groups in TREE.items():
        primary, p_add = _plain(p_raw)
        for g_raw, words in groups.items():
            group, g_add = _plain(g_raw)
            for w_raw in words:
                word, w_add = _plain(w_raw)
                if word in entries:
                    raise SystemExit(f"{word!r} appears twice")
                entries[word] = {
                    "primary": primary,
                    "secondary": group,
                    "ekman7": EKMAN_GROUP.get(group, EKMAN[primary]),
                    "source": "affectscope" if (p_add or g_add or w_add) else "parrott2001",
                }
    words = list(entries)
    rec = TextRecognizer(evidence=False, num_threads=2)
    raw = np.mean([rec.predict([t.format(w) for w in words])["vad"] for t in TEMPLATES], axis=0)
    anchors = json.loads((OUT.parent / "vad_coordinates.json").read_text(encoding="utf-8"))["coordinates"]
    ref = {v["word"]: v for v in anchors.values() if v.get("source") == "warriner2013"}
    shared = [w for w in words if w in ref]
    idx = [words.index(w) for w in shared]
    fit, agreement = {}, {}
    for j, dim in enumerate(DIMS):
        target = np.array([ref[w][dim] for w in shared])
        slope, intercept = np.polyfit(raw[idx, j], target, 1)
        fit[dim] = {"slope": round(float(slope), 4), "intercept": round(float(intercept), 4)}
        agreement[dim] = round(float(pearsonr(raw[idx, j], target)[0]), 3)
    for i, w in enumerate(words):
        for j, dim in enumerate(DIMS):
            v = fit[dim]["slope"] * raw[i, j] + fit[dim]["intercept"]
            entries[w][dim] = round(float(np.clip(v, -1, 1)), 4)
    for dim in DIMS:
        entries["neutral"][dim] = 0.0  # the origin by definition, as in vad_coordinates.json
    # Rare words confuse the model (e.g. "euphoria" rated negative). A valence whose sign contradicts the word's
    # primary emotion is replaced by the median valence of its group's words whose sign agrees.
    fixed = []
    for w, e in entries.items():
        sign = POLARITY.get(e["primary"])
        if sign is None or sign * e["valence"] >= 0:
            continue
        peers = [x["valence"] for x in entries.values() if x["secondary"] == e["secondary"] and sign * x["valence"] > 0]
        if not peers:
            peers = [x["valence"] for x in entries.values() if x["primary"] == e["primary"] and sign * x["valence"] > 0]
        e["valence"] = round(float(np.median(peers)), 4)
        e["valence_note"] = "group median: the model's rating had the sign opposite to its primary emotion"
        fixed.append(w)
    doc = {
        "name": "open",
        "description": "Open emotion vocabulary: Parrott's (2001) tree of primary, secondary and tertiary emotion "
        "words plus affectscope additions (neutral/cognitive states, all GoEmotions labels), each with a VAD point.",
        "levels": ["primary", "secondary", "word"],
        "sources": {
            "parrott2001": "Parrott, W. G. (2001). Emotions in Social Psychology: Essential Readings. Psychology "
            "Press (the emotion tree, Table 1; a list of common English words).",
            "affectscope": "Additions by affectscope (Apache-2.0): neutral and cognitive states, GoEmotions labels.",
        },
        "vad": {
            "method": "mean VAD of text-minilm-goemotions over the carrier sentences "
            + " / ".join(repr(t) for t in TEMPLATES)
            + ", mapped linearly per dimension onto the label VAD scale (vad_coordinates.json) using the "
            f"{len(shared)} words present in both",
            "text_head_to_label_scale": fit,
            "agreement_with_anchor_words_pearson_r": agreement,
            "valence_sign_fixed": fixed,
            "command": "python training/labels/open_vocabulary.py",
        },
        "words": entries,
    }
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{len(words)} words ({sum(e['source'] == 'affectscope' for e in entries.values())} added), "
        f"{len({e['secondary'] for e in entries.values()})} groups; agreement with {len(shared)} anchors: "
        f"{agreement}; valence sign fixed for {len(fixed)}: {fixed}; wrote {OUT}"
    )


if __name__ == "__main__":
    main()
