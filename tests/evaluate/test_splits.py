import numpy as np
import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.evaluate.splits import grouped_kfold, leave_groups_out


@pytest.mark.parametrize("shuffle", [False, True])
def test_no_group_is_on_both_sides_and_every_item_is_tested_once(shuffle):
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 12, 300)
    seen = np.zeros(300, dtype=int)
    for train, test in grouped_kfold(groups, n_splits=4, shuffle=shuffle, seed=3):
        assert not set(groups[train]) & set(groups[test])
        seen[test] += 1
    assert (seen == 1).all()


def test_grouped_kfold_errors():
    with pytest.raises(InputError, match="at least 5 groups"):
        list(grouped_kfold(["a", "b"], n_splits=5))
    with pytest.raises(ConfigError, match="'n_splits'"):
        list(grouped_kfold(["a", "b"], n_splits=1))


def test_leave_groups_out():
    train, test = leave_groups_out(["a1", "a2", "a1", "a3"], ["a1"])
    assert test.tolist() == [0, 2]
    assert train.tolist() == [1, 3]
    with pytest.raises(InputError, match="do not occur"):
        leave_groups_out(["a1"], ["a9"])
