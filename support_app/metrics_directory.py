"""Where the workers of one server run keep their Prometheus metrics (``metrics``).

Kept apart from ``metrics`` because it must run before ``prometheus_client`` is
imported: the library decides at import whether to keep values in files.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Set in the ``reflex run`` process once its directory is ready; its workers inherit it.
_PREPARED = "SUPPORT_APP_METRICS_DIR_PREPARED"


def prepare_multiprocess_directory() -> None:
    """In the process that starts the server: an empty ``PROMETHEUS_MULTIPROC_DIR``
    for this run, inherited by every worker it starts.

    A directory the operator chose is emptied of the previous run's files; without
    one, a new temporary directory is made and removed when the server exits. A
    worker (it inherits the marker) leaves the directory alone.
    """
    if os.environ.get(_PREPARED):
        return
    chosen = os.environ.get(MULTIPROCESS_DIR, "").strip()
    if chosen:
        directory = Path(chosen)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink(missing_ok=True)
    else:
        directory = Path(tempfile.mkdtemp(prefix="support-app-metrics-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
    os.environ[MULTIPROCESS_DIR] = str(directory)
    os.environ[_PREPARED] = "1"


def multiprocess_directory() -> str | None:
    return os.environ.get(MULTIPROCESS_DIR) or None
