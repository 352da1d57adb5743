import subprocess
import sys

import pytest


def test_import_is_light_and_has_no_side_effects():
    code = (
        "import sys, affectscope; "
        "heavy = [m for m in ('pandas', 'onnxruntime', 'tokenizers', 'numpy', 'torch') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert out.stderr == ""


def test_public_names_resolve():
    import affectscope

    for name in affectscope.__all__:
        assert getattr(affectscope, name) is not None
    with pytest.raises(AttributeError, match="nope"):
        affectscope.nope  # noqa: B018
