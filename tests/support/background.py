"""Fill a test cache in the background, at the lowest CPU priority, while other tests run.

A cold cache's slowest entries include the free-threaded CPythons, which only tests late in
the run need; in a cold run their builds held those tests up for 153 s and 98 s. The tests
before them leave a third of the CPUs idle on average (vmstat over a cold run: 33% idle),
waiting on qemu, wine, Bazel and the network. Started when collection is done, the builds
take that idle time instead.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

__all__ = ["start_niced"]

_LOG = logging.getLogger(__name__)


def start_niced(name: str, work: Callable[[], object]) -> threading.Thread:
    """Run ``work`` in a daemon thread at nice 19.

    On Linux the nice value belongs to the thread, and the processes it starts inherit it,
    so the builds yield to the tests. A failure is only logged: the fixture that needs the
    result runs the same lock-guarded build itself (waiting for this one if it still runs)
    and reports any failure there, in the test that needs it. A session that ends first (a
    failure with ``-x``, Ctrl-C) leaves the build's processes to finish or fail on their own;
    the next session removes their temporary directory under the lock.
    """

    def run() -> None:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        try:
            work()
        except Exception:  # reported again by the fixture that needs it
            _LOG.warning("background build %s failed", name, exc_info=True)

    thread = threading.Thread(target=run, name=f"prebuild-{name}", daemon=True)
    thread.start()
    return thread
