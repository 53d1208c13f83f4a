"""Lanes as horizontal bands, from ELK's first, free layout of a plane (certflow/bpmn_layout.py).

The first layout has every column sorted by lane but elements at any height. Here every element keeps
its column and its place in the column's order and is moved to a height in its lane's band: lanes
stacked in order, a lane's elements of one column one under the other on rows, pushed down where the
lines between two elements of a column need more room than the rows leave. Each line's course through a
column moves with the elements around it (a monotone map per column), so the second ELK run sees the
same order and routes the lines between the same elements.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import defaultdict
from itertools import groupby
from math import inf
from typing import Any

Box = tuple[int, int, int, int]
Point = tuple[int, int]
ROW, LANE_PAD, LINE_GAP = 100, 25, 12  # a lane's row, space at a band's edges, room per line between elements


def columns(laid_out: dict[str, Any]) -> dict[str, int]:
    """Each node's layer: nodes whose horizontal extents overlap share one."""
    column: dict[str, int] = {}
    index, right = -1, float("-inf")
    for n in sorted(laid_out["children"], key=lambda n: (n["x"], n["id"])):
        if n["x"] >= right:
            index += 1
            right = n["x"] + n["width"]
        else:
            right = max(right, n["x"] + n["width"])
        column[n["id"]] = index
    return column


def _extent(n: dict[str, Any]) -> tuple[float, float]:
    """A node's vertical reach below its top: the node, its label, its ports and their labels."""
    bottom = n["height"]
    for label in n.get("labels", []):
        bottom = max(bottom, label["y"] + label["height"])
    for port in n.get("ports", []):
        bottom = max(bottom, port["y"] + port["height"])
        for label in port.get("labels", []):
            bottom = max(bottom, port["y"] + label["y"] + label["height"])
    return 0.0, bottom


def _runs(laid_out: dict[str, Any]) -> dict[str, list[tuple[float, float, float]]]:
    """Each edge's horizontal segments (x from, x to, y), in the edge's order."""
    runs: dict[str, list[tuple[float, float, float]]] = {}
    for edge in laid_out["edges"]:
        points = [(p["x"], p["y"]) for s in edge["sections"]
                  for p in [s["startPoint"], *s.get("bendPoints", []), s["endPoint"]]]
        runs[edge["id"]] = [(a[0], b[0], a[1]) for a, b in itertools.pairwise(points) if a[1] == b[1] and a[0] != b[0]]
    return runs


def banded(laid_out: dict[str, Any], lane_of: dict[str, str], order: list[str],
           extra: dict[str, int]) -> tuple[dict[str, Box], dict[str, list[Point]]]:
    """Hints for the second run: every node's box in its lane's band, and every edge's bend points where
    it passes a column."""
    nodes = {n["id"]: n for n in laid_out["children"]}
    column = columns(laid_out)
    stacks: dict[int, list[str]] = defaultdict(list)
    for node_id in sorted(nodes, key=lambda i: (nodes[i]["y"], i)):
        stacks[column[node_id]].append(node_id)
    centre = {c: sum(nodes[i]["x"] + nodes[i]["width"] / 2 for i in ids) / len(ids) for c, ids in stacks.items()}
    runs = _runs(laid_out)
    lines = {c: sorted(y for edge in runs.values() for x0, x1, y in edge if min(x0, x1) < x < max(x0, x1))
             for c, x in centre.items()}
    new_y: dict[str, float] = {}
    top = 0.0
    for lane in order:
        bottom = top + LANE_PAD
        for c, ids in sorted(stacks.items()):
            row = 0
            for k, node_id in enumerate(ids):
                if lane_of[node_id] != lane:
                    continue
                n = nodes[node_id]
                y = top + LANE_PAD + row * ROW + (ROW - n["height"]) / 2
                row += 1
                if k:  # below the element above it in its column, with room for the lines between them
                    above = nodes[ids[k - 1]]
                    low, high = above["y"] + _extent(above)[1], n["y"]
                    between = [v for v in lines[c] if low < v < high]
                    room = (len(between) + 1) * LINE_GAP + LANE_PAD
                    y = max(y, new_y[ids[k - 1]] + _extent(above)[1] + room)
                new_y[node_id] = y
                bottom = max(bottom, y + _extent(n)[1] + LANE_PAD)
        top = bottom + extra.get(lane, 0) * ROW
    hints = {i: (round(n["x"]), round(new_y[i]), round(n["width"]), round(n["height"])) for i, n in nodes.items()}
    return hints, _courses(runs, centre, stacks, nodes, new_y)


def _courses(runs: dict[str, list[tuple[float, float, float]]], centre: dict[int, float],
             stacks: dict[int, list[str]], nodes: dict[str, Any], new_y: dict[str, float]) -> dict[str, list[Point]]:
    """Where each line crosses each column it passes: between the same two nodes as in the first run, in
    the same order as the other lines there, and as level as it can stay (at its height in the column
    before, where that lies between those nodes; else moved with them). In the line's own direction (a
    line back, right to left, lists them from the right)."""
    level: dict[str, float] = {}
    points: dict[str, list[Point]] = defaultdict(list)
    for c, x in sorted(centre.items(), key=lambda item: item[1]):
        spans = [(nodes[i]["y"], new_y[i], new_y[i] + _extent(nodes[i])[1]) for i in stacks[c]]
        tops = [old for old, _, _ in spans]
        passing = sorted((y, edge_id) for edge_id, edge_runs in runs.items()
                         for y in [next((y for x0, x1, y in edge_runs if min(x0, x1) < x < max(x0, x1)), None)]
                         if y is not None)
        for gap, group in groupby(passing, key=lambda item: bisect_right(tops, item[0])):
            lines = list(group)
            low = spans[gap - 1][2] + LINE_GAP if gap else -inf
            high = spans[gap][1] - LINE_GAP if gap < len(spans) else inf
            ys: list[float] = []
            for y, edge_id in lines:
                want = min(max(level.get(edge_id, _mapped(y, stacks[c], nodes, new_y)), low), high)
                ys.append(max(want, ys[-1] + LINE_GAP) if ys else want)
            for k in range(len(ys) - 1, -1, -1):
                ys[k] = min(ys[k], high if k == len(ys) - 1 else ys[k + 1] - LINE_GAP)
            for (_, edge_id), y in zip(lines, ys, strict=True):
                level[edge_id] = y
                points[edge_id].append((round(x), round(y)))
    backwards = {edge_id for edge_id, edge_runs in runs.items() if sum(x0 - x1 for x0, x1, _ in edge_runs) > 0}
    return {edge_id: points[edge_id][::-1] if edge_id in backwards else points[edge_id] for edge_id in runs}


def _mapped(y: float, ids: list[str], nodes: dict[str, Any], new_y: dict[str, float]) -> float:
    """Where height ``y`` of a column goes when its nodes move: with the node whose span holds it, else
    in proportion between the nodes around it, else with the nearest node."""
    spans = [(nodes[i]["y"], nodes[i]["y"] + _extent(nodes[i])[1], new_y[i]) for i in ids]
    tops = [s[0] for s in spans]
    k = bisect_right(tops, y) - 1
    if k >= 0 and y <= spans[k][1]:
        return spans[k][2] + (y - spans[k][0])
    if k < 0:
        return spans[0][2] + (y - spans[0][0])
    if k == len(spans) - 1:
        return spans[k][2] + (y - spans[k][0])
    (t0, b0, n0), (t1, _, n1) = spans[k], spans[k + 1]
    nb0 = n0 + (b0 - t0)
    return nb0 + (y - b0) / (t1 - b0) * (n1 - nb0)
