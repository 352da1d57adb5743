import pytest


@pytest.fixture
def touch():
    """Create empty files (fixtures named and placed as a corpus publishes them)."""

    def make(root, *names):
        for n in names:
            p = root / n
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(b"")

    return make


@pytest.fixture
def labels_of():
    return lambda d: [d.labels[i] for i in d.y]
