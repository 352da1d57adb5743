"""Peak resident memory of a child process, measured by the child itself (for the memory budgets of issue 18).

``wait4``'s ``ru_maxrss`` is not the child's own on Linux: at ``exec`` the kernel carries over the high-water mark
of the process that forked it, so a child of a 2 GB pytest process reports 2 GB whatever it did. The launcher
below runs the command inside a fresh interpreter and, at exit, writes the peak of its own address space
(``VmHWM`` of ``/proc/self/status``, fresh after ``exec``) and of the processes it reaped (``RUSAGE_CHILDREN``)
to the file named by ``AFFECTSCOPE_TEST_PEAK_FILE``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ENV = "AFFECTSCOPE_TEST_PEAK_FILE"

_LAUNCHER = f"""
import atexit, os, resource, runpy, sys
def _peak():
    kb = 0
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                kb = int(line.split()[1])
    kb = max(kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    with open(os.environ['{ENV}'], 'w') as f:
        f.write(str(kb))
atexit.register(_peak)
kind, payload = sys.argv[1], sys.argv[2]
sys.argv = [payload, *sys.argv[3:]]
if kind == '-m':
    runpy.run_module(payload, run_name='__main__', alter_sys=True)
else:
    sys.argv[0] = '-c'
    exec(compile(payload, '<string>', 'exec'), {{'__name__': '__main__'}})
"""


def command(kind: str, payload: str, *args: str) -> list[str]:
    """``python -m module args`` (kind ``-m``) or ``python -c code args`` (kind ``-c``), measured at exit."""
    return [sys.executable, "-c", _LAUNCHER, kind, payload, *args]


def read_peak_mb(path: Path) -> float | None:
    """The peak the child wrote, in MB; None when it did not get to write it (killed)."""
    try:
        return int(path.read_text()) / 1024
    except (OSError, ValueError):
        return None
