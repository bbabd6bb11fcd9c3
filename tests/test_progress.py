"""The one progress helper: a bar on a terminal, nothing on a pipe or with --quiet."""

import io

from sparsesim.cli import progress as progress_module
from sparsesim.cli.progress import ProgressBar, progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal_ends_with_every_step_and_the_latest_figures():
    stream = Terminal()
    bar = ProgressBar("train", stream=stream)
    for step in range(1, 101):
        bar(step, 100, {"loss": 0.5})
    final = stream.getvalue().rstrip("\n").split("\r")[-1]
    assert final.startswith("train: 100%") and "100/100" in final and "loss=0.5" in final


def test_open_ended_bar_counts_without_a_total():
    stream = Terminal()
    bar = ProgressBar("netadapt", stream=stream, unit="iteration")
    for done in (1, 2, 3):
        bar(done, None, {"latency_us": 1.25})
    bar.close()
    assert "netadapt: 3iteration" in stream.getvalue() and "latency_us=1.25" in stream.getvalue()


def test_nothing_on_a_pipe_or_when_quiet():
    for stream, quiet in ((io.StringIO(), False), (Terminal(), True)):
        bar = ProgressBar("train", quiet=quiet, stream=stream)
        bar(1, 2, {"loss": 1.0})
        bar(2, 2, {"loss": 0.5})
        assert stream.getvalue() == ""


def test_iterating_keeps_every_item(monkeypatch):
    stream = Terminal()
    monkeypatch.setattr(progress_module.sys, "stderr", stream)
    assert list(progress(range(5), "layers")) == [0, 1, 2, 3, 4]
    assert "layers" in stream.getvalue()
    quiet = Terminal()
    monkeypatch.setattr(progress_module.sys, "stderr", quiet)
    assert list(progress("abc", "x", quiet=True)) == ["a", "b", "c"] and quiet.getvalue() == ""
