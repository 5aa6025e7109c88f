"""Where the time goes: cProfile of the workers, torch's profiler of one batch."""

from __future__ import annotations

import io
import pstats
from collections.abc import Sequence
from pathlib import Path

from workers.scoring.scorer import DetoxifyScorer


def profile_batch(scorer: DetoxifyScorer, texts: Sequence[str]) -> str:
    """torch's profile of scoring ``texts`` in one call: the operators by their own CPU time."""
    from torch.profiler import ProfilerActivity, profile

    scorer.score(texts)  # warm-up
    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        scorer.score(texts)
    return profiler.key_averages().table(sort_by="self_cpu_time_total", row_limit=15)


def summarise(stats_file: Path, top: int = 25) -> str:
    """The functions of a cProfile stats file that took the most time, callees included."""
    output = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=output)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    return output.getvalue()
