"""BPMN 2.0 XML, with its diagram (BPMNDI), from the process models in ``workflows/model.py``.

The models are the one description of each process; ``bpmn/*.bpmn`` are written from them (``certflow
bpmn``) and a test checks that the files are what the models give, so a diagram cannot drift from the
description the workflows are checked against (tests/workflows/test_bpmn.py).

Layout: one lane per role; elements in columns by their distance from the start (loops back do not
count), stacked within their lane; sequence flows as orthogonal lines. Plain, and it opens in bpmn-js
and the Camunda Modeler without overlaps.
"""

from __future__ import annotations

from collections import defaultdict, deque
from pathlib import Path
from xml.etree import ElementTree as ET

from certflow.bpmn_semantics import BPMN, CERTFLOW, planes, write_process
from workflows.model import MODELS, Element, ProcessModel

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
for prefix, uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("certflow", CERTFLOW)):
    ET.register_namespace(prefix, uri)

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"

SIZES = {"task": (120, 70), "event": (36, 36), "gateway": (50, 50), "call": (120, 70)}
COLUMN, ROW, LANE_HEADER, MARGIN = 170, 100, 30, 40

def _shape_kind(e: Element) -> str:
    if e.kind in ("start", "end", "timer", "message", "event", "boundary"):
        return "event"
    if e.kind in ("xor", "and"):
        return "gateway"
    return "call" if e.kind == "call" else "task"


def _columns(model: ProcessModel) -> dict[str, int]:
    """Longest distance from a start over forward flows (a flow back to an element already on the path
    is a loop and does not push its target right)."""
    outgoing: dict[str, list[str]] = defaultdict(list)
    for f in model.flows:
        outgoing[f.source].append(f.target)
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}

    def visit(node: str) -> None:  # iterative DFS marking back edges
        stack = [(node, iter(outgoing[node]))]
        state[node] = 1
        while stack:
            current, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    back.add((current, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(outgoing[child])))
                    break
            else:
                state[current] = 2
                stack.pop()

    for e in model.elements:
        if e.kind == "start" and e.id not in state:
            visit(e.id)
    for e in model.elements:
        if e.id not in state:
            visit(e.id)
    indegree: dict[str, int] = defaultdict(int)
    for f in model.flows:
        if (f.source, f.target) not in back:
            indegree[f.target] += 1
    column = {e.id: 0 for e in model.elements}
    # A boundary event sits on its task: it starts where the task is (its task is its way in).
    for e in model.elements:
        if e.kind == "boundary":
            outgoing[e.attached].append(e.id)
            indegree[e.id] += 1
    queue = deque(e.id for e in model.elements if indegree[e.id] == 0)
    while queue:
        node = queue.popleft()
        for child in outgoing[node]:
            if (node, child) in back:
                continue
            column[child] = max(column[child], column[node] + (0 if model.element(child).kind == "boundary" else 1))
            indegree[child] -= 1
            if indegree[child] == 0:
                queue.append(child)
    return column


def layout(model: ProcessModel) -> tuple[dict[str, tuple[int, int, int, int]], dict[str, tuple[int, int]]]:
    """Element bounds (x, y, w, h) and lane bands (y, height)."""
    column = _columns(model)
    rows_in: dict[tuple[str, int], int] = defaultdict(int)
    row_of: dict[str, int] = {}
    for e in model.elements:
        if e.kind == "boundary":
            continue  # drawn on its task's border
        row_of[e.id] = rows_in[(e.lane, column[e.id])]
        rows_in[(e.lane, column[e.id])] += 1
    lane_rows = {lane: max([rows_in[(lane, c)] for (ln, c) in rows_in if ln == lane] or [1]) for lane, _ in model.lanes}
    bands: dict[str, tuple[int, int]] = {}
    y = MARGIN
    for lane, _ in model.lanes:
        height = lane_rows[lane] * ROW + 20
        bands[lane] = (y, height)
        y += height
    bounds = {}
    for e in sorted(model.elements, key=lambda e: e.kind == "boundary"):  # hosts first
        w, h = SIZES[_shape_kind(e)]
        if e.kind == "boundary":  # on the bottom border of its task, to the right
            hx, hy, hw, hh = bounds[e.attached]
            bounds[e.id] = (hx + hw - w - 8, hy + hh - h // 2, w, h)
            continue
        cx = MARGIN + LANE_HEADER + 40 + column[e.id] * COLUMN + 60
        cy = bands[e.lane][0] + 10 + row_of[e.id] * ROW + ROW // 2
        bounds[e.id] = (cx - w // 2, cy - h // 2, w, h)
    return bounds, bands


def to_xml(model: ProcessModel) -> str:
    defs = ET.Element(f"{{{BPMN}}}definitions", {
        "id": f"{model.id}_definitions", "targetNamespace": CERTFLOW, "exporter": "certflow", "exporterVersion": "1"})
    write_process(defs, model)  # the semantics (certflow/bpmn_semantics.py)
    for plane_model, shown in planes(model):
        _diagram(defs, plane_model, shown, lanes=shown == f"{model.id}_collaboration")
    ET.indent(defs)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(defs, encoding="unicode") + "\n"


def _diagram(defs: ET.Element, model: ProcessModel, shown: str, *, lanes: bool) -> None:
    """One page of the diagram: the process with its participant and lanes, or one subprocess's content."""
    bounds, bands = layout(model)
    width = max(x + w for x, _, w, _ in bounds.values()) + MARGIN
    diagram = ET.SubElement(defs, f"{{{BPMNDI}}}BPMNDiagram", {"id": f"{model.id}_diagram", "name": model.name})
    plane = ET.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", {"id": f"{model.id}_plane", "bpmnElement": shown})
    if lanes:
        total = sum(h for _, h in bands.values())
        _shape(plane, f"{model.id}_participant", (MARGIN - 30, MARGIN, width - MARGIN + 30, total), horizontal=True)
        for lane, (y, h) in bands.items():
            _shape(plane, f"lane_{lane}", (MARGIN, y, width - MARGIN, h), horizontal=True)
    for e in model.elements:
        _shape(plane, e.id, bounds[e.id], marker=e.kind == "xor", expanded=False if e.kind in ("sub", "eventsub")
               else None)
    for f in model.flows:
        edge = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", {"id": f"{f.id}_di", "bpmnElement": f.id})
        for x, y in _waypoints(bounds[f.source], bounds[f.target]):
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": str(x), "y": str(y)})


def _shape(plane: ET.Element, element: str, box: tuple[int, int, int, int], *, horizontal: bool = False,
           marker: bool = False, expanded: bool | None = None) -> None:
    attrs = {"id": f"{element}_di", "bpmnElement": element}
    if expanded is not None:  # a subprocess drawn collapsed, its content on its own page
        attrs["isExpanded"] = "true" if expanded else "false"
    if horizontal:
        attrs["isHorizontal"] = "true"
    if marker:
        attrs["isMarkerVisible"] = "true"
    shape = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", attrs)
    x, y, w, h = box
    ET.SubElement(shape, f"{{{DC}}}Bounds", {"x": str(x), "y": str(y), "width": str(w), "height": str(h)})


def _waypoints(source: tuple[int, int, int, int], target: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    start = (sx + sw, sy + sh // 2)
    if tx > sx:  # forward: right side to left side, with an elbow half-way
        end = (tx, ty + th // 2)
        if start[1] == end[1] and tx - (sx + sw) > COLUMN:  # skips columns: over what lies between
            above = min(sy, ty) - 12
            return [(sx + sw // 2, sy), (sx + sw // 2, above), (tx + tw // 2, above), (tx + tw // 2, ty)]
        if start[1] == end[1]:
            return [start, end]
        mid = (start[0] + end[0]) // 2
        return [start, (mid, start[1]), (mid, end[1]), end]
    # back (a loop): out of the bottom, along below both, into the bottom of the target
    bottom = max(sy + sh, ty + th) + 15
    return [(sx + sw // 2, sy + sh), (sx + sw // 2, bottom), (tx + tw // 2, bottom), (tx + tw // 2, ty + th)]


def write_all(directory: Path = BPMN_DIR) -> list[Path]:
    directory.mkdir(exist_ok=True)
    written = []
    for model in MODELS:
        path = directory / f"{model.file}.bpmn"
        path.write_text(to_xml(model), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all():
        print(written_path)
