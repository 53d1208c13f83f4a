"""Flow labels where they can be read: ELK puts a flow's name at its start (certflow/bpmn_layout.py); where
names of flows leaving one gateway would lie on each other or on a shape, a name moves along its own
line, beside it, to the first place nearest the start that is free of shapes, of other labels and, if
there is such a place, of other lines."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

Box = tuple[int, int, int, int]
Point = tuple[int, int]
GAPS, STEP = (3, 14), 8  # from the line (close, then a little further); along it


def overlaps(a: Box, b: Box, margin: int = 1) -> bool:
    return (a[0] - margin < b[0] + b[2] and b[0] - margin < a[0] + a[2]
            and a[1] - margin < b[1] + b[3] and b[1] - margin < a[1] + a[3])


def crosses(p: Point, q: Point, box: Box) -> bool:
    """Whether segment p–q (horizontal or vertical) runs through the box's inside."""
    x, y, w, h = box
    if p[1] == q[1]:
        return y < p[1] < y + h and min(p[0], q[0]) < x + w and max(p[0], q[0]) > x
    return x < p[0] < x + w and min(p[1], q[1]) < y + h and max(p[1], q[1]) > y


def shared(p: Point, q: Point, others: list[tuple[Point, Point]]) -> bool:
    """Whether another line runs along part of segment p–q (lines that leave one gateway together)."""
    for a, b in others:
        if p[1] == q[1] == a[1] == b[1] and min(p[0], q[0]) < max(a[0], b[0]) and min(a[0], b[0]) < max(p[0], q[0]):
            return True
        if p[0] == q[0] == a[0] == b[0] and min(p[1], q[1]) < max(a[1], b[1]) and min(a[1], b[1]) < max(p[1], q[1]):
            return True
    return False


def _along(line: list[Point], size: tuple[int, int], gap: int) -> Iterator[tuple[Box, tuple[Point, Point]]]:
    """Places beside a line, from its start to its end: above and below a horizontal segment, right and
    left of a vertical one (each with its segment)."""
    w, h = size
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        segment = ((x0, y0), (x1, y1))
        if y0 == y1:
            sign = 1 if x1 >= x0 else -1
            for t in range(0, max(abs(x1 - x0) - w, 0) + 1, STEP):
                x = x0 + sign * t if sign > 0 else x0 - t - w
                yield (x, y0 - h - gap, w, h), segment
                yield (x, y0 + gap, w, h), segment
        else:
            sign = 1 if y1 >= y0 else -1
            for t in range(0, max(abs(y1 - y0) - h, 0) + 1, STEP):
                y = y0 + t if sign > 0 else y0 - t - h
                yield (x0 + gap, y, w, h), segment
                yield (x0 - w - gap, y, w, h), segment


def place(labels: dict[str, Box], waypoints: dict[str, list[Point]], shapes: list[Box],
          fixed: list[Box]) -> dict[str, Box]:
    """Every flow label (``labels``, by flow, where ELK put it) at a free place by its line; ``fixed``
    are the labels that do not move (event and gateway names)."""
    placed: dict[str, Box] = {}
    segments = {flow: list(itertools.pairwise(line)) for flow, line in waypoints.items()}

    def free(box: Box, flow: str, segment: tuple[Point, Point] | None, strict: bool) -> bool:
        if any(overlaps(box, other) for other in [*shapes, *fixed, *placed.values()]):
            return False
        if not strict:
            return True
        others = [s for f, segs in segments.items() if f != flow for s in segs]
        own = [s for s in segments[flow] if s != segment]
        return not any(crosses(p, q, box) for p, q in [*others, *own]) \
            and (segment is None or not shared(*segment, others))

    for flow, elk_box in labels.items():
        size = (elk_box[2], elk_box[3])
        candidates: list[tuple[Box, tuple[Point, Point] | None]] = [
            (elk_box, None), *(c for gap in GAPS for c in _along(waypoints[flow], size, gap))]
        choice = next((b for b, s in candidates if free(b, flow, s, True)), None) \
            or next((b for b, s in candidates[: len(candidates) // 2 + 1] if free(b, flow, s, False)), None)
        placed[flow] = choice or elk_box
    return placed
