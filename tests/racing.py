"""Firing requests at once, for the concurrency tests on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from neutrality.errors import Conflict


def race(requests: Sequence[tuple[Any, ...]], attempt: Callable[..., str], *, timeout: float = 120) -> list[str]:
    """Each request in a thread of its own, all released together by a barrier so they really
    contend; the outcome of each, in order: what ``attempt(*request)`` returns, "conflict" when it
    raises the intended :class:`Conflict`, or the repr of any other error (which a test's
    assertion then shows)."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = [""] * len(requests)

    def run(index: int, request: tuple[Any, ...]) -> None:
        barrier.wait()
        try:
            outcomes[index] = attempt(*request)
        except Conflict:
            outcomes[index] = "conflict"
        except Exception as exc:  # reported through the outcomes
            outcomes[index] = repr(exc)

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
