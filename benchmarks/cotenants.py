"""How much of the machine other jobs took while a measured run ran: these machines are shared, and the
load average (a decaying mean, read before or after) says little about the seconds that were measured.

    with CoTenants() as share:
        subprocess.run(...)          # the measured child; it must have ended (and been waited for) inside
    print(share.describe())          # e.g. "other jobs used 0.9 of 2 cores during the run"

Busy time comes from /proc/stat (all CPUs), ours from RUSAGE_CHILDREN (the child and every process it
waited for, e.g. worker pools); the difference is everybody else's. Linux only; elsewhere it says so.
"""

from __future__ import annotations

import os
import resource
import time
from types import TracebackType


def _machine_busy_seconds() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(x) for x in fh.readline().split()[1:9]]
    except OSError:
        return None
    idle = fields[3] + fields[4]          # idle + iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CoTenants:
    def __enter__(self) -> CoTenants:
        self._busy, self._ours, self._t = _machine_busy_seconds(), _children_cpu_seconds(), time.perf_counter()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        busy = _machine_busy_seconds()
        self.wall = time.perf_counter() - self._t
        self.ours = _children_cpu_seconds() - self._ours
        self.others: float | None = None
        if busy is not None and self._busy is not None and self.wall > 0:
            self.others = max(0.0, (busy - self._busy) - self.ours) / self.wall   # in cores

    def describe(self) -> str:
        if self.others is None:
            return "other jobs' share unknown (no /proc/stat)"
        return f"other jobs used {self.others:.2f} of {os.cpu_count()} cores during the run"
