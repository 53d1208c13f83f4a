"""The diagram of one BPMN plane, laid out by ELK (elkjs, run by Node from web/layout.mjs): element bounds,
lane bands, the waypoints of every sequence flow and the bounds of every label.

ELK's layered algorithm sees the flows left to right; lanes are not a notion of it, so it runs twice.
The lanes are first put in the order that keeps flows between them shortest. The first run gives each
element its column (layer) and, with the nodes given lane by lane and ELK told to keep that order in
every column, an order within its column that is sorted by lane; loops back are the depth-first ones
from the start. certflow/bpmn_bands.py then moves every element into its lane's band and every line's
course through a column with it, and the second run keeps the columns, the order and the heights
(ELK's interactive strategies) and routes every flow orthogonally. Flow names are placed at their
line's start and moved along it where they would lie on something (certflow/bpmn_labels.py). A boundary
event is a port on the bottom border of its task, so its flow leaves from it.

``layout(plane)`` is one plane; ``layouts(planes)`` several with the same two Node processes (a file's
planes).
"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise, permutations
from pathlib import Path
from typing import Any, Protocol

from certflow import bpmn_fans as fan
from certflow.bpmn_bands import LANE_PAD, ROW, banded
from certflow.bpmn_labels import place

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "web" / "layout.mjs"

Box = tuple[int, int, int, int]  # x, y, width, height
Point = tuple[int, int]

SIZES = {"task": (120, 70), "event": (36, 36), "gateway": (50, 50), "call": (120, 70)}
LANE_HEADER, MARGIN = 30, 40  # a lane's name column, the diagram's margin
LABEL_WIDTH, LINE_HEIGHT, FONT = 90, 14, 11  # bpmn-js wraps an external label at its bounds' width
EDGE_LABELS = "TAIL"  # a flow's name where it leaves (moved along it where that is taken: bpmn_labels)
EVENTS = ("start", "end", "timer", "message", "event", "boundary")


class PlaneLike(Protocol):
    """What the layout reads of a plane (workflows/model.py's ProcessModel is one): ``lanes`` as (id, name);
    elements with ``id``, ``kind``, ``name``, ``lane`` (one of the lanes, or none) and, for a boundary
    event, ``attached``; flows with ``id``, ``source``, ``target``, ``name``."""
    lanes: list[tuple[str, str]]

    @property
    def elements(self) -> list[Any]: ...

    @property
    def flows(self) -> list[Any]: ...


@dataclass
class Diagram:
    bounds: dict[str, Box]  # every element, boundary events on their task's border
    bands: dict[str, tuple[int, int]]  # lane → (y, height), top to bottom
    waypoints: dict[str, list[Point]]  # flow → its orthogonal line
    labels: dict[str, Box]  # flow or event/gateway → its label's bounds
    width: int  # the right edge of the drawing
    height: int  # its bottom edge (the last lane's, where there are lanes)


def shape_kind(kind: str) -> str:
    if kind in EVENTS:
        return "event"
    if kind in ("xor", "and"):
        return "gateway"
    return "call" if kind == "call" else "task"


def text_size(text: str, width: int = LABEL_WIDTH) -> tuple[int, int]:
    """An external label's box as bpmn-js draws it (11 px Arial, wrapped at ``width``): wide characters
    about a font size, others about 0.6 of it; words wrap at spaces, wide characters anywhere."""
    def advance(ch: str) -> float:
        return FONT * (1.05 if unicodedata.east_asian_width(ch) in "WF" else 0.62)

    lines, line, widest = 1, 0.0, 0.0
    for word in _words(text):
        w = sum(advance(ch) for ch in word)
        if line and line + w > width - 4:
            lines, line = lines + 1, 0.0
            word = word.lstrip()
            w = sum(advance(ch) for ch in word)
        line += w
        widest = max(widest, line)
    return min(width, int(widest) + 6), lines * LINE_HEIGHT + 4


def _words(text: str) -> list[str]:
    words: list[str] = []
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        if wide or ch == " " or not words or unicodedata.east_asian_width(words[-1][-1]) in "WF":
            words.append(ch)
        else:
            words[-1] += ch
    return words


def lane_order(plane: PlaneLike) -> list[str]:
    """The lanes top to bottom so that flows cross as few lane borders as they can (the model's order
    where two orders are as good)."""
    lane_of = lanes_of(plane)
    lanes = [lane for lane, _ in plane.lanes] + ([""] if "" in lane_of.values() else [])
    pairs = [(lane_of[f.source], lane_of[f.target]) for f in plane.flows if lane_of[f.source] != lane_of[f.target]]
    if len(lanes) > 8:  # 8! orders at most; beyond, the model's order
        return lanes

    def cost(order: Iterable[str]) -> int:
        at = {lane: i for i, lane in enumerate(order)}
        return sum(abs(at[a] - at[b]) for a, b in pairs)

    return list(min(permutations(lanes), key=cost))


def lanes_of(plane: PlaneLike) -> dict[str, str]:
    """Each element's lane; "" for an element in none (a plane without lanes: a subprocess's)."""
    lanes = {lane for lane, _ in plane.lanes}
    return {e.id: e.lane if e.lane in lanes else "" for e in plane.elements}


def _graph(plane: PlaneLike, order: list[str], hints: dict[str, Box] | None = None,
           bends: dict[str, list[Point]] | None = None, first: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ELK graph of a plane: elements as nodes (event and gateway names as labels below), boundary
    events as ports on the bottom of their task, flows as edges with their names as labels at their
    start. The nodes go lane by lane in ``order`` and ELK keeps that order within each column, so every
    column is sorted by lane. With ``hints`` and ``bends`` (the first run moved into lanes) the
    columns, order and heights follow them."""
    rank = {lane: i for i, lane in enumerate(order)}
    lane_of = lanes_of(plane)
    boundary = {e.id: e for e in plane.elements if e.kind == "boundary"}
    hosts = {e.attached for e in boundary.values()}
    tipped = {e.id for e in plane.elements if e.kind != "boundary"
              and (shape_kind(e.kind) in ("event", "gateway") or e.id in hosts)}
    fanning = fans(plane)
    at = {p["id"]: p["y"] for n in (first or {}).get("children", []) for p in n.get("ports", [])}
    children = []
    for e in sorted((e for e in plane.elements if e.kind != "boundary"), key=lambda e: rank[lane_of[e.id]]):
        node = _node(e, e.id in tipped, [b for b in boundary.values() if b.attached == e.id],
                     [(f"{f.id}__out", text_size(f.name)[1]) for f in fanning.get(e.id, [])], at)
        if hints:
            node["x"], node["y"] = hints[e.id][0], hints[e.id][1]
        children.append(node)
    edges = []
    for f in plane.flows:
        out = f"{f.id}__out" if f.source in fanning else f"{f.source}__out" if f.source in tipped else f.source
        out = f.source if f.source in boundary else out
        edge: dict[str, Any] = {"id": f.id, "sources": [out],
                                "targets": [f"{f.target}__in" if f.target in tipped else f.target]}
        if f.name:
            edge["labels"] = [_label(f.id, f.name) | {"layoutOptions": {"elk.edgeLabels.placement": EDGE_LABELS}}]
        if hints and bends is not None:
            edge["sections"] = [{"id": f"{f.id}_s", "startPoint": _centre(hints, boundary, f.source),
                                 "endPoint": _centre(hints, boundary, f.target),
                                 "bendPoints": [{"x": x, "y": y} for x, y in bends.get(f.id, [])]}]
        edges.append(edge)
    options = {
        "elk.algorithm": "layered", "elk.direction": "RIGHT", "elk.edgeRouting": "ORTHOGONAL",
        "elk.randomSeed": "1", "elk.separateConnectedComponents": "false",
        "elk.spacing.nodeNode": "30", "elk.layered.spacing.nodeNodeBetweenLayers": "40",
        "elk.spacing.edgeNode": "15", "elk.layered.spacing.edgeNodeBetweenLayers": "15",
        "elk.spacing.edgeEdge": "10", "elk.layered.spacing.edgeEdgeBetweenLayers": "10",
        "elk.spacing.edgeLabel": "4", "elk.spacing.labelNode": "4", "elk.spacing.labelLabel": "4",
        "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES", "elk.layered.thoroughness": "30",
    }
    if hints:
        options.update({"elk.layered.cycleBreaking.strategy": "INTERACTIVE",
                        "elk.layered.layering.strategy": "INTERACTIVE",
                        "elk.layered.crossingMinimization.strategy": "INTERACTIVE",
                        "elk.layered.nodePlacement.strategy": "INTERACTIVE"})
    else:
        options.update({"elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
                        "elk.layered.cycleBreaking.strategy": "DEPTH_FIRST",
                        "elk.layered.crossingMinimization.forceNodeModelOrder": "true"})
    return {"id": "plane", "layoutOptions": options, "children": children, "edges": edges}


def fans(plane: PlaneLike) -> dict[str, list[Any]]:
    """The gateways drawn as fans (certflow/bpmn_fans.py), with their ways out: those with several, named."""
    out: dict[str, list[Any]] = defaultdict(list)
    for f in plane.flows:
        out[f.source].append(f)
    return {e.id: out[e.id] for e in plane.elements
            if shape_kind(e.kind) == "gateway" and len(out[e.id]) > 1 and any(f.name for f in out[e.id])}


def _node(e: Any, tipped: bool, boundary: list[Any], fanning: list[tuple[str, int]],
          at: dict[str, float]) -> dict[str, Any]:
    """An element as an ELK node. Flows go in at the left tip of an event or gateway and out at the
    right one, as BPMN draws them (and at the middle of the sides of a task with boundary events, which
    sit on its bottom border as ports); a gateway's named ways out each leave from their own point so
    that each line can carry its name, in the first run's order once there was one (``at``)."""
    w, h = SIZES[shape_kind(e.kind)]
    if fanning:
        h = fan.height([name for _, name in fanning], h)
    node: dict[str, Any] = {"id": e.id, "width": w, "height": h, "layoutOptions": {
        "elk.nodeLabels.placement": "OUTSIDE V_BOTTOM H_CENTER", "elk.portLabels.placement": "OUTSIDE"}}
    if e.name and shape_kind(e.kind) in ("event", "gateway"):
        node["labels"] = [_label(e.id, e.name)]
    if not tipped:
        return node
    ports = [_port(f"{e.id}__in", "WEST", 0, h / 2)]
    constraint = "FIXED_POS"
    if fanning and not at:
        ports += [_port(port_id, "EAST", w, h / 2) for port_id, _ in fanning]
        constraint = "FIXED_SIDE"
    elif fanning:  # in the first run's order, each with room for its name
        ordered = sorted(fanning, key=lambda port: (at[port[0]], port[0]))
        heights = fan.port_heights([name for _, name in ordered], SIZES["gateway"][1])
        ports += [_port(port_id, "EAST", w, y) for (port_id, _), y in zip(ordered, heights, strict=True)]
    else:
        ports.append(_port(f"{e.id}__out", "EAST", w, h / 2))
    size = SIZES["event"][0]
    for i, b in enumerate(boundary):  # on the bottom border, from the right
        port = _port(b.id, "SOUTH", w - (i + 1) * (size + 8), h - size / 2) | {"width": size, "height": size}
        port["layoutOptions"]["elk.port.borderOffset"] = -size / 2
        if b.name:
            port["labels"] = [_label(b.id, b.name)]
        ports.append(port)
    node["ports"] = ports
    node["layoutOptions"]["elk.portConstraints"] = constraint
    return node


def _port(port_id: str, side: str, x: float, y: float) -> dict[str, Any]:
    return {"id": port_id, "x": x, "y": y, "width": 0, "height": 0, "layoutOptions": {"elk.port.side": side}}


def _label(owner: str, text: str) -> dict[str, Any]:
    w, h = text_size(text)
    return {"id": f"{owner}__label", "text": text, "width": w, "height": h}


def _centre(hints: dict[str, Box], boundary: dict[str, Any], element: str) -> dict[str, float]:
    x, y, w, h = hints[boundary[element].attached if element in boundary else element]
    return {"x": x + w / 2, "y": y + h / 2}


def run_elk(graphs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ELK on every graph, in one Node process."""
    result = subprocess.run(["node", str(SCRIPT)], input=json.dumps(graphs), capture_output=True, text=True,
                            timeout=120, cwd=SCRIPT.parent)
    if result.returncode:
        raise RuntimeError(f"ELK failed (elkjs comes with `make install`): {result.stderr[-2000:]}")
    laid_out: list[dict[str, Any]] = json.loads(result.stdout)
    return laid_out


def layouts(planes: Sequence[PlaneLike]) -> list[Diagram]:
    """The diagrams of several planes (one file's), with two Node processes for all (more only where
    ELK pushed an element of a lane into the next: then that lane gets a row more)."""
    orders = [lane_order(p) for p in planes]
    first = run_elk([_graph(p, o) for p, o in zip(planes, orders, strict=True)])
    extra: list[dict[str, int]] = [{} for _ in planes]
    diagrams: list[Diagram | None] = [None] * len(planes)
    for _ in range(4):
        todo = [i for i, d in enumerate(diagrams) if d is None]
        graphs = []
        for i in todo:
            hints, bends = banded(first[i], lanes_of(planes[i]), orders[i], extra[i])
            graphs.append(_graph(planes[i], orders[i], hints, bends, first[i]))
        for i, laid_out in zip(todo, run_elk(graphs), strict=True):
            diagram, clashes = _diagram(planes[i], laid_out, orders[i], graphs[todo.index(i)])
            diagrams[i] = diagram
            for lane in clashes:
                extra[i][lane] = extra[i].get(lane, 0) + 1
        if all(diagrams):
            return [d for d in diagrams if d is not None]
    raise RuntimeError("lanes still overlap after four tries")


def layout(plane: PlaneLike) -> Diagram:
    return layouts([plane])[0]


def _diagram(plane: PlaneLike, laid_out: dict[str, Any], order: list[str],
             given: dict[str, Any]) -> tuple[Diagram | None, list[str]]:
    """The laid-out graph as a diagram: moved to the margins, lanes banded around their elements (and the
    first and last around every line). None, and the lanes that reach into the next, where bands would
    overlap."""
    bounds, waypoints, labels = _read(plane, laid_out, given)
    flows = {f.id for f in plane.flows}
    fixed = [b for k, b in labels.items() if k not in flows]
    labels.update(place({k: b for k, b in labels.items() if k in flows}, waypoints, list(bounds.values()), fixed))
    members: dict[str, list[Box]] = defaultdict(list)
    lane_of = lanes_of(plane)
    for e in plane.elements:
        members[lane_of[e.id]].append(bounds[e.id])
        if e.id in labels:
            members[lane_of[e.id]].append(labels[e.id])
    extent = {lane: (min(b[1] for b in boxes), max(b[1] + b[3] for b in boxes)) for lane, boxes in members.items()}
    lanes = [lane for lane in order if lane in extent]  # "" (no lane) only ever alone
    clashes = [a for a, b in pairwise(lanes) if extent[a][1] + 2 * LINE_HEIGHT > extent[b][0]]
    if clashes:
        return None, clashes
    points = [p for line in waypoints.values() for p in line] + [(b[0], b[1] + b[3]) for b in labels.values()]
    top = min([extent[lanes[0]][0]] + [p[1] for p in points] + [b[1] for b in labels.values()]) - LANE_PAD
    bottom = max([extent[lanes[-1]][1]] + [p[1] for p in points]) + LANE_PAD
    left = min([b[0] for b in bounds.values()] + [p[0] for p in points] + [b[0] for b in labels.values()])
    dx, dy = MARGIN + LANE_HEADER + LANE_PAD - left, MARGIN - top
    cuts = [top] + [(extent[a][1] + extent[b][0]) // 2 for a, b in pairwise(lanes)] + [bottom]
    bands = {lane: (cuts[i] + dy, cuts[i + 1] - cuts[i]) for i, lane in enumerate(lanes) if lane}
    for lane in order:  # a lane without elements: a thin band at the bottom
        if lane and lane not in bands:
            y = max([y + h for y, h in bands.values()] or [bottom + dy])
            bands[lane] = (y, ROW)

    def move(b: Box) -> Box:
        return (b[0] + dx, b[1] + dy, b[2], b[3])

    moved = {k: move(b) for k, b in bounds.items()}
    lines = {k: [(x + dx, y + dy) for x, y in line] for k, line in waypoints.items()}
    width = max([b[0] + b[2] for b in moved.values()] + [x for line in lines.values() for x, _ in line]
                + [b[0] + b[2] + dx for b in labels.values()]) + LANE_PAD
    return Diagram(moved, bands, lines, {k: move(b) for k, b in labels.items()}, width, bottom + dy), []


def _read(plane: PlaneLike, laid_out: dict[str, Any],
          given: dict[str, Any]) -> tuple[dict[str, Box], dict[str, list[Point]], dict[str, Box]]:
    """Bounds, lines and labels out of ELK's answer (node labels and ports are relative to their node).
    ELK leaves the bend points it was given on a line it draws straight: those are not read."""
    hinted = {e["id"]: e["sections"][0]["bendPoints"] for e in given["edges"] if e.get("sections")}
    bounds: dict[str, Box] = {}
    labels: dict[str, Box] = {}
    for n in laid_out["children"]:
        x, y = n["x"], n["y"]
        bounds[n["id"]] = _box(x, y, n["width"], n["height"])
        for label in n.get("labels", []):
            labels[n["id"]] = _box(x + label["x"], y + label["y"], label["width"], label["height"])
        for port in n.get("ports", []):
            if port["id"].endswith(("__in", "__out")):
                continue
            px, py = x + port["x"], y + port["y"]
            bounds[port["id"]] = _box(px, py, port["width"], port["height"])
            for label in port.get("labels", []):
                labels[port["id"]] = _box(px + label["x"], py + label["y"], label["width"], label["height"])
    waypoints: dict[str, list[Point]] = {}
    for edge in laid_out["edges"]:
        line: list[Point] = []
        for section in edge["sections"]:
            bends = section.get("bendPoints", [])
            if bends and bends == hinted.get(edge["id"]):
                bends = []
            for p in [section["startPoint"], *bends, section["endPoint"]]:
                point = (round(p["x"]), round(p["y"]))
                if not line or line[-1] != point:
                    line.append(point)
        waypoints[edge["id"]] = line
        for label in edge.get("labels", []):
            labels[edge["id"]] = _box(label["x"], label["y"], label["width"], label["height"])
    kinds = {e.id: shape_kind(e.kind) for e in plane.elements}
    flows = {f.id: f for f in plane.flows}
    fanned = fans(plane)
    for gateway in fanned:
        bounds[gateway] = fan.diamond(bounds[gateway], SIZES["gateway"][1])
        if gateway in labels:
            labels[gateway] = fan.tucked(labels[gateway], bounds[gateway])
    for flow_id, line in waypoints.items():
        f = flows[flow_id]
        if f.source in fanned:
            line[:] = fan.comb(line, bounds[f.source])
        line[0] = _onto_outline(line[0], line[1], bounds[f.source], kinds[f.source])
        line[-1] = _onto_outline(line[-1], line[-2], bounds[f.target], kinds[f.target])
    return bounds, waypoints, labels


def _box(x: float, y: float, w: float, h: float) -> Box:
    return round(x), round(y), round(w), round(h)


def _onto_outline(end: Point, toward: Point, box: Box, kind: str) -> Point:
    """A line's end on a circle's or a diamond's outline instead of its bounding box (along its first
    segment, which ELK draws straight out of the box)."""
    if kind not in ("event", "gateway"):
        return end
    x, y, w, h = box
    cx, cy, r = x + w / 2, y + h / 2, w / 2
    if end[1] == toward[1]:  # horizontal: move along x
        off = abs(end[1] - cy)
        if off >= r:
            return end
        reach = r - off if kind == "gateway" else (r * r - off * off) ** 0.5
        return (round(cx + reach if end[0] >= cx else cx - reach), end[1])
    if end[0] == toward[0]:
        off = abs(end[0] - cx)
        if off >= r:
            return end
        reach = r - off if kind == "gateway" else (r * r - off * off) ** 0.5
        return (end[0], round(cy + reach if end[1] >= cy else cy - reach))
    return end
