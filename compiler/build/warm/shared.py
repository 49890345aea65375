"""The warm worker as one of a larger build's workers, an ordinary pool beside it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.build.warm.client import WarmExecutor


class Shared(Executor):
    """Jobs go to the warm worker while it has at most one waiting behind the one it
    renders, else to the pool; the Runner keeps only a few jobs in flight (longest
    first), so the warm worker takes its share of the long ones too."""

    def __init__(self, warm: WarmExecutor, pool: Executor) -> None:
        self.warm = warm
        self.pool = pool
        self.in_warm = 0
        self.lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self.lock:
            to_warm = self.in_warm < 2
            if to_warm:
                self.in_warm += 1
        if not to_warm:
            return self.pool.submit(fn, *args, **kwargs)
        future = self.warm.submit(fn, *args, **kwargs)
        future.add_done_callback(self._left_warm)
        return future

    def head_start(self, fmt: str, recipe: object, ropts: object,
                   seconds: float = 0.0) -> Future[bytes]:
        """A recipe goes to the warm worker (see WarmExecutor.head_start)."""
        with self.lock:
            self.in_warm += 1
        future = self.warm.head_start(fmt, recipe, ropts, seconds)
        future.add_done_callback(self._left_warm)
        return future

    def _left_warm(self, _: Future[Any]) -> None:
        with self.lock:
            self.in_warm -= 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            self.warm.shutdown(wait=wait, cancel_futures=cancel_futures)
        finally:
            self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)
