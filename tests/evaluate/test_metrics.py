import numpy as np
import pytest
from scipy.stats import pearsonr
from sklearn import metrics as skm

from affectscope.errors import InputError
from affectscope.evaluate import metrics as m

rng = np.random.default_rng(0)


@pytest.mark.parametrize("seed", range(5))
def test_classification_metrics_match_scikit_learn(seed):
    r = np.random.default_rng(seed)
    y, p = r.integers(0, 5, 200), r.integers(0, 5, 200)
    assert m.accuracy(y, p) == pytest.approx(skm.accuracy_score(y, p))
    assert m.macro_f1(y, p) == pytest.approx(skm.f1_score(y, p, average="macro"))
    assert m.weighted_f1(y, p) == pytest.approx(skm.f1_score(y, p, average="weighted"))
    assert m.uar(y, p) == pytest.approx(skm.balanced_accuracy_score(y, p))
    ym, pm = r.integers(0, 2, (100, 6)), r.integers(0, 2, (100, 6))
    assert m.micro_f1(ym, pm) == pytest.approx(skm.f1_score(ym, pm, average="micro"))
    assert m.macro_f1(ym, pm) == pytest.approx(skm.f1_score(ym, pm, average="macro"))


def test_pearson_matches_scipy_and_ccc_by_hand():
    x, y = rng.normal(size=50), rng.normal(size=50)
    assert m.pearson(x, y) == pytest.approx(pearsonr(x, y)[0])
    # CCC by hand: x = [0, 2], y = [1, 1 + 2] -> var 1 each, cov 1, mean diff 1 -> 2/(1+1+1)
    assert m.ccc([0.0, 2.0], [1.0, 3.0]) == pytest.approx(2 / 3)
    assert m.ccc(x, x) == pytest.approx(1.0)
    assert m.ccc(x, 2 * x) < m.pearson(x, 2 * x)  # CCC penalises scale, Pearson does not


def test_ece_by_hand():
    # bin of 0.9-confidence items: 2 of 4 right -> gap 0.4; bin of 0.6: 1 of 1 right -> gap 0.4; weights 4/5, 1/5
    probs = np.array([[0.9, 0.1]] * 4 + [[0.6, 0.4]])
    y = [0, 0, 1, 1, 0]
    assert m.ece(probs, y) == pytest.approx(0.8 * 0.4 + 0.2 * 0.4)
    assert m.ece(np.array([[1.0, 0.0], [0.0, 1.0]]), [0, 1]) == pytest.approx(0.0)
    assert m.multilabel_ece(np.array([[0.8, 0.2]]), np.array([[1, 0]])) == pytest.approx(0.2)


def test_js_divergence_bounds():
    p = rng.dirichlet(np.ones(4), size=20)
    assert m.js_divergence(p, p) == pytest.approx(0.0, abs=1e-9)
    assert m.js_divergence(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])) == pytest.approx(1.0)


def test_bad_inputs():
    with pytest.raises(InputError, match="differ in length"):
        m.accuracy([1, 2], [1])
    with pytest.raises(InputError, match="at least one"):
        m.macro_f1([], [])
    with pytest.raises(InputError, match="non-constant"):
        m.pearson([1, 1, 1], [1, 2, 3])
