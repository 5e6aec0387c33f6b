"""A progress bar for long commands: the ``progress(phase, done, total)`` protocol the importer
(``dataio.services.import_file``) and the month close (``dispatch.services.period_close``)
report through, drawn as one tqdm bar per phase on a stream (stderr)."""

from __future__ import annotations

from typing import Any


class Progress:
    """One tqdm bar per phase (读取文件 → 解析 → 校验 → 写入 → 刷新汇总; 核对清单 → 重建事实表 → 汇总并冻结 → 保存快照) on ``stream``."""

    def __init__(self, stream: Any, enabled: bool, unit: str = "行"):
        self.stream = stream
        self.enabled = enabled
        self.unit = unit
        self.bar: Any = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total, desc=phase, unit=self.unit, file=self.stream, leave=False, dynamic_ncols=True, mininterval=0.3)
        if self.bar is not None:
            self.bar.total = total
            done = min(done, total)
            if done >= self.bar.n:
                self.bar.update(done - self.bar.n)  # drawn at most every ``mininterval`` (not per call)
            else:
                self.bar.n = done
                self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
