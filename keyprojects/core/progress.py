"""Progress of long commands: the ``progress(phase, done, total)`` protocol the importer
(``dataio.services.import_file``) and the month close (``dispatch.services.period_close``)
report through.

On a terminal it is drawn as one tqdm bar per phase. Anywhere else (a cron job's log, a pipe,
a script that captures stderr) a bar is only carriage returns, so each phase is written as one
line when it ends: its name, how far it got and how long it took (``校验：15,000/15,000 行，0.4 秒``).
That is tqdm's own convention (``disable=None`` turns bars off off a terminal) with the phases
kept in the log."""

from __future__ import annotations

import time
from typing import Any


class Progress:
    """One tqdm bar per phase (读取文件 → 解析 → 校验 → 写入 → 刷新汇总; 核对清单 → 重建事实表 →
    汇总并冻结 → 保存快照) on ``stream`` when it is a terminal, else one line per phase."""

    def __init__(self, stream: Any, enabled: bool, unit: str = "行"):
        self.stream = stream
        self.enabled = enabled
        self.unit = unit
        self.bar: Any = None
        self.phase = ""
        isatty = getattr(stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        self.done = self.total = 0
        self.started = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self.phase:
            self.close()
            self.phase, self.started = phase, time.perf_counter()
            if self.terminal:
                from tqdm import tqdm

                self.bar = tqdm(total=total, desc=phase, unit=self.unit, file=self.stream, leave=False, dynamic_ncols=True, mininterval=0.3)
        self.done, self.total = min(done, total), total
        if self.bar is not None:
            self.bar.total = total
            if self.done >= self.bar.n:
                self.bar.update(self.done - self.bar.n)  # drawn at most every ``mininterval`` (not per call)
            else:
                self.bar.n = self.done
                self.bar.refresh()

    def close(self) -> None:
        """End the phase: close its bar, or write its line."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.phase and not self.terminal:
            seconds = time.perf_counter() - self.started
            self.stream.write(f"{self.phase}：{self.done:,}/{self.total:,} {self.unit}，{seconds:.1f} 秒\n")
            self.stream.flush()
        self.phase = ""
