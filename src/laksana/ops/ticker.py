"""A loop that does something every N seconds until it is stopped (Ctrl-C or SIGTERM), for the
commands that queue the task worker's periodic work where there is no cron (``laksana sla
enqueue-every``, ``laksana monitor enqueue-every``)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from types import FrameType


def every(seconds: float, tick: Callable[[], None], *, times: int = 0) -> int:
    """Call ``tick`` now and then every ``seconds`` seconds until SIGTERM or Ctrl-C (or after
    ``times`` calls, when given). Returns how many times it was called."""
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = signal.signal(signal.SIGTERM, stop)
    count = 0
    try:
        while not stopping:
            tick()
            count += 1
            if times and count >= times:
                break
            deadline = time.monotonic() + seconds
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, deadline - time.monotonic()))
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return count


# Periodic tasks of domain modules (the maintenance sweep), queued with the SLA sweep by
# ``laksana sla enqueue-every`` without the cases app knowing them: name -> a function that
# queues the task.
_PERIODIC: dict[str, Callable[[], object]] = {}


def register_periodic(name: str, enqueue: Callable[[], object]) -> None:
    """Register (or replace, by ``name``) a module's periodic task: ``enqueue`` queues it."""
    _PERIODIC[name] = enqueue


def enqueue_periodic() -> list[str]:
    """Queue every registered periodic task; returns their names."""
    for enqueue in _PERIODIC.values():
        enqueue()
    return list(_PERIODIC)
