"""Child processes that cannot outlive the process that started them.

Each server `certflow up` starts runs in a process group of its own (so that Ctrl-C at the terminal
reaches only ``certflow up``, which then stops them in order). A process group alone does not tie a
child's life to its parent's: after a ``kill -9`` of ``certflow up`` they would run on as orphans. On
Linux the kernel's parent-death signal closes that gap: ``prctl(PR_SET_PDEATHSIG)``, set in the child
between fork and exec, has the kernel send the child a signal when the thread that started it ends,
however it ends.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(sig: signal.Signals = signal.SIGTERM) -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen`` that has the child receive ``sig`` when this process
    ends; ``None`` where the kernel has no such signal (then only the orderly stop applies).

    The kernel sends the signal when the *thread* that forked ends, not the process: so it is set only
    for children started from the main thread (as `certflow up` starts them), never from a worker thread
    (``asyncio.to_thread``) that may end while the child should go on. Everything the child runs is
    looked up here, in the parent, so that the child only makes the one system call before exec."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()
    signal_number = int(sig)

    def in_child() -> None:
        if prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0) != 0:
            os._exit(126)
        if os.getppid() != parent:  # the parent died between fork and prctl: no signal will come
            os._exit(1)

    return in_child
