"""In-memory conversation turns under odd values: only AffectscopeError escapes (issue 18 item 12)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affectscope.conversation.turns import as_turns
from affectscope.errors import AffectscopeError, InputError

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(
        st.one_of(
            st.tuples(_VALUES, _VALUES),
            st.tuples(_VALUES, _VALUES, _VALUES, _VALUES),
            st.dictionaries(st.sampled_from(["speaker", "text", "start", "end", "dialogue_id"]), _VALUES, max_size=5),
            _VALUES,
        ),
        max_size=6,
    )
)
def test_fuzz_as_turns(items):
    try:
        turns, _ = as_turns(items)
    except AffectscopeError:
        return
    for t in turns:
        assert t.speaker
        assert t.text
        assert math.isnan(t.start) or (math.isfinite(t.start) and t.start >= 0)


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        (("A", "hi", 10**400, None), "must be a number of seconds"),
        (("A", "hi", float("inf"), None), "finite seconds"),
        (("A", "hi", -1, 2), "finite seconds"),
        (("A", "I am \ud800 happy"), "lone surrogate"),
    ],
)
def test_odd_turn_values_are_input_errors(turn, message):
    with pytest.raises(InputError, match=message):
        as_turns([turn])
