import pytest

from affectscope import errors


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.InputError, ValueError),
        (errors.ConfigError, ValueError),
        (errors.ModelError, RuntimeError),
        (errors.DependencyError, ImportError),
        (errors.NotFittedError, AttributeError),
    ],
)
def test_every_error_is_an_affectscope_error_and_a_builtin(cls, builtin):
    assert issubclass(cls, errors.AffectscopeError)
    assert issubclass(cls, builtin)
