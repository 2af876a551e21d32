"""Requests per day as text: a one-line sparkline and a bar per day, for `keys usage`."""

from __future__ import annotations

from collections.abc import Sequence

from ticos_tui.core.models import UsageDay

_TICKS = "▁▂▃▄▅▆▇█"
_EIGHTHS = " ▏▎▍▌▋▊▉"


def sparkline(values: Sequence[int]) -> str:
    """One character per value, `▁` for zero up to `█` for the largest."""
    top = max(values, default=0)
    if top <= 0:
        return _TICKS[0] * len(values)
    return "".join(_TICKS[0 if v <= 0 else max(1, round(v / top * 7))] for v in values)


def _bar(value: int, top: int, width: int) -> str:
    if value <= 0 or top <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def bar_chart(days: Sequence[UsageDay], *, width: int = 40) -> list[str]:
    """One line per day: the date, a bar scaled to the busiest day, and the count."""
    top = max((d.requests for d in days), default=0)
    lines = []
    for day in days:
        bar = _bar(day.requests, top, width)
        lines.append(f"{day.date.isoformat()}  {bar.ljust(width)}  {day.requests:>{len(str(top))}}")
    return lines
