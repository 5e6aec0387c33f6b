"""The commands' progress: a bar on a terminal, one line per phase anywhere else."""

import io

from keyprojects.core.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_each_phase_is_one_line_when_it_ends():
    out = io.StringIO()
    p = Progress(out, enabled=True)
    for done in (0, 500, 1000, 1200):
        p("解析", done, 1200)
    assert out.getvalue() == ""  # nothing while the phase runs (no carriage returns in a log)
    p("校验", 0, 1200)
    p("校验", 1200, 1200)
    p.close()
    lines = out.getvalue().splitlines()
    assert [line.split("，")[0] for line in lines] == ["解析：1,200/1,200 行", "校验：1,200/1,200 行"]
    assert all(line.endswith(" 秒") for line in lines)
    p.close()  # closing twice writes nothing more
    assert len(out.getvalue().splitlines()) == 2


def test_on_a_terminal_a_bar_per_phase():
    out = Terminal()
    p = Progress(out, enabled=True, unit="项")
    p("重建事实表", 0, 10)
    p("重建事实表", 10, 10)
    p.close()
    text = out.getvalue()
    assert "重建事实表" in text and "/10" in text and "项/s" in text and "\r" in text  # drawn at most every 0.3 s
    assert "秒\n" not in text  # the bar, not the log line


def test_disabled_writes_nothing():
    out = Terminal()
    p = Progress(out, enabled=False)
    p("写入", 1, 2)
    p.close()
    assert out.getvalue() == ""
