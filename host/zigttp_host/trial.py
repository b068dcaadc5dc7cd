"""Which requests a handler tries on the caller's own thread first (Handler.handle_inline).

A trial that has to stop — the handler made a host call, or ran past the
trial budget — costs its partial run plus a new instance, so the policy
remembers where that happened: a route (method and path) whose trial made a
host call or used up its fuel goes straight to the worker threads from then
on, and after every stop the next few requests skip the trial, a number that
doubles with each stop. A handler whose every request calls a module thus
settles into running on the threads alone, as if there were no trials, while
quick, self-contained routes keep running inline. A trial stopped by the wall
clock alone (the thread was descheduled, say) only backs off.
"""

from __future__ import annotations

# A trial's fuel: what the guest burns in this many milliseconds of pure
# computation at the calibrated rate.
TRIAL_FUEL_MS = 1.0
# A trial's wall-clock deadline: fuel bounds its CPU time, this bounds the rest
# (bulk memory copies cost one unit of fuel however large).
TRIAL_DEADLINE_MS = 10.0
MAX_REMEMBERED_ROUTES = 1024
FIRST_BACKOFF = 8
MAX_BACKOFF = 1 << 16


class TrialPolicy:
    """Per handler; consulted and updated by the one thread that runs trials."""

    def __init__(self) -> None:
        self._stopped_routes: set[str] = set()
        self._skip = 0
        self._backoff = FIRST_BACKOFF
        self.trials = 0
        self.stops = 0

    def should_try(self, route: str) -> bool:
        if self._skip:
            self._skip -= 1
            return False
        return route not in self._stopped_routes

    def started(self) -> None:
        self.trials += 1

    def stopped(self, route: str, *, remember: bool) -> None:
        self.stops += 1
        if remember and len(self._stopped_routes) < MAX_REMEMBERED_ROUTES:
            self._stopped_routes.add(route)
        self._skip = self._backoff
        self._backoff = min(self._backoff * 2, MAX_BACKOFF)


def route_of(method: str, url: str) -> str:
    path, _, _ = url.partition("?")
    return f"{method} {path}"
