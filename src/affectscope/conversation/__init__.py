"""Emotion recognition in conversation: every turn read in the context of the turns around it, per speaker.

* :class:`ConversationRecognizer` — dialogue files (CSV/TSV, JSONL, JSON, ``Speaker: text`` transcripts), turns in
  memory, or the transcript of a speech/video result → one row per turn with context-aware Ekman-7 probabilities,
  the text model's GoEmotions-28 labels and VAD, emotion-shift markers, and a summary per speaker and dialogue;
* :class:`ConversationStream` — a live chat, one turn at a time, past context only;
* :func:`as_turns` / :func:`turns_from_result` — turn inputs, validated.

Examples
--------
>>> from affectscope.conversation import ConversationRecognizer
>>> r = ConversationRecognizer().process_turns([("Ann", "I failed the exam."), ("Bob", "Oh no, I'm sorry.")])
>>> r.summary["n_speakers"]
2
"""

from affectscope.conversation.recognizer import MODES, ConversationRecognizer, ConversationStream
from affectscope.conversation.summary import mark_shifts, summarize_conversation
from affectscope.conversation.turns import as_turns, turns_from_result

__all__ = [
    "MODES",
    "ConversationRecognizer",
    "ConversationStream",
    "as_turns",
    "mark_shifts",
    "summarize_conversation",
    "turns_from_result",
]
