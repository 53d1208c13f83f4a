"""The diagrams of bpmn/*.bpmn can be read (certflow/bpmn_layout.py lays them out): in every plane of every
file, no line passes through a shape other than the two it joins (a boundary event is part of its task),
no label lies on another label or on a shape, every shape lies in the band of its lane, and lanes do not
overlap. Checked on the files as written, so it holds for whatever writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations, pairwise
from pathlib import Path

import pytest
from lxml import etree

from certflow.bpmn import BPMN_DIR

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
FILES = sorted(BPMN_DIR.glob("*.bpmn"))
Box = tuple[float, float, float, float]
INSET = 2.0  # a line along a shape's border, or a label touching one, is not on it


@dataclass
class Plane:
    name: str
    shapes: dict[str, Box] = field(default_factory=dict)  # flow nodes
    lanes: dict[str, Box] = field(default_factory=dict)
    labels: dict[str, Box] = field(default_factory=dict)  # of a shape or an edge, by its element
    edges: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def _bounds(node) -> Box:
    b = node.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def planes_of(path: Path) -> list[Plane]:
    document = etree.parse(str(path))
    lane_ids = {lane.get("id") for lane in document.iterfind(".//bpmn:lane", NS)}
    pools = {p.get("id") for p in document.iterfind(".//bpmn:participant", NS)}
    planes = []
    for node in document.iterfind(".//bpmndi:BPMNPlane", NS):
        plane = Plane(f"{path.name}#{node.get('bpmnElement')}")
        for shape in node.iterfind("bpmndi:BPMNShape", NS):
            element = shape.get("bpmnElement")
            if element in pools:
                continue
            (plane.lanes if element in lane_ids else plane.shapes)[element] = _bounds(shape)
            label = shape.find("bpmndi:BPMNLabel", NS)
            if label is not None and label.find("dc:Bounds", NS) is not None:
                plane.labels[element] = _bounds(label)
        for edge in node.iterfind("bpmndi:BPMNEdge", NS):
            element = edge.get("bpmnElement")
            plane.edges[element] = [(float(p.get("x")), float(p.get("y"))) for p in edge.iterfind("di:waypoint", NS)]
            label = edge.find("bpmndi:BPMNLabel", NS)
            if label is not None and label.find("dc:Bounds", NS) is not None:
                plane.labels[element] = _bounds(label)
        planes.append(plane)
    return planes


def semantics(path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, str], dict[str, list[str]]]:
    """Each flow's (source, target), each boundary event's task, each lane's elements."""
    document = etree.parse(str(path))
    flows = {f.get("id"): (f.get("sourceRef"), f.get("targetRef"))
             for f in document.iterfind(".//bpmn:sequenceFlow", NS)}
    hosts = {b.get("id"): b.get("attachedToRef") for b in document.iterfind(".//bpmn:boundaryEvent", NS)}
    lanes = {lane.get("id"): [ref.text for ref in lane.iterfind("bpmn:flowNodeRef", NS)]
             for lane in document.iterfind(".//bpmn:lane", NS)}
    return flows, hosts, lanes


def _overlap(a: Box, b: Box, inset: float = INSET) -> bool:
    return (a[0] + inset < b[0] + b[2] - inset and b[0] + inset < a[0] + a[2] - inset
            and a[1] + inset < b[1] + b[3] - inset and b[1] + inset < a[1] + a[3] - inset)


def segment_through(p: tuple[float, float], q: tuple[float, float], box: Box) -> bool:
    """Whether the segment p–q enters the inside of the box (shrunk by INSET), by clipping it."""
    x0, y0, x1, y1 = box[0] + INSET, box[1] + INSET, box[0] + box[2] - INSET, box[1] + box[3] - INSET
    lo, hi = 0.0, 1.0
    for d, start, low, high in ((q[0] - p[0], p[0], x0, x1), (q[1] - p[1], p[1], y0, y1)):
        if d == 0:
            if not low < start < high:
                return False
            continue
        t0, t1 = sorted(((low - start) / d, (high - start) / d))
        lo, hi = max(lo, t0), min(hi, t1)
    return lo < hi


def lines_through_shapes(path: Path, plane: Plane) -> list[str]:
    flows, hosts, _ = semantics(path)

    def family(element: str) -> set[str]:  # a task and its boundary events are one shape
        host = hosts.get(element, element)
        return {host} | {b for b, h in hosts.items() if h == host}

    found = []
    for flow, points in plane.edges.items():
        source, target = flows[flow]
        own = family(source) | family(target)
        for element, box in plane.shapes.items():
            if element not in own and any(segment_through(p, q, box) for p, q in pairwise(points)):
                found.append(f"{flow} through {element}")
    return found


def labels_on_things(plane: Plane) -> list[str]:
    found = [f"label of {a} on label of {b}" for (a, x), (b, y) in combinations(plane.labels.items(), 2)
             if _overlap(x, y)]
    found += [f"label of {a} on {b}" for a, x in plane.labels.items() for b, y in plane.shapes.items()
              if _overlap(x, y)]
    return found


def shapes_outside_lanes(path: Path, plane: Plane) -> list[str]:
    _, _, members = semantics(path)
    found = []
    for lane, elements in members.items():
        if lane not in plane.lanes:
            continue
        lx, ly, lw, lh = plane.lanes[lane]
        for element in elements:
            if element in plane.shapes:
                x, y, w, h = plane.shapes[element]
                if not (lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh):
                    found.append(f"{element} outside {lane}")
    return found


def overlapping_lanes(plane: Plane) -> list[str]:
    return [f"{a} on {b}" for (a, x), (b, y) in combinations(plane.lanes.items(), 2) if _overlap(x, y, 0)]


PLANES = [(path, plane) for path in FILES for plane in planes_of(path)]


@pytest.mark.parametrize(("path", "plane"), PLANES, ids=[plane.name for _, plane in PLANES])
def test_no_line_passes_through_a_shape_it_does_not_join(path, plane):
    assert lines_through_shapes(path, plane) == []


@pytest.mark.parametrize(("path", "plane"), PLANES, ids=[plane.name for _, plane in PLANES])
def test_no_label_lies_on_another_label_or_a_shape(path, plane):
    assert plane.labels, "flows and events are labelled in the file (BPMNLabel bounds)"
    assert labels_on_things(plane) == []


@pytest.mark.parametrize(("path", "plane"), PLANES, ids=[plane.name for _, plane in PLANES])
def test_every_shape_lies_in_its_lane_and_lanes_do_not_overlap(path, plane):
    assert shapes_outside_lanes(path, plane) == []
    assert overlapping_lanes(plane) == []


def test_the_checks_find_what_they_look_for():
    """Each check on a plane made to break it."""
    plane = Plane("made", shapes={"a": (0, 0, 100, 80), "b": (300, 0, 100, 80), "c": (150, 0, 100, 80)},
                  lanes={"l1": (0, 0, 500, 100), "l2": (0, 90, 500, 100)},
                  labels={"f": (160, 70, 40, 20), "g": (170, 75, 40, 20)},
                  edges={"f": [(100, 40), (300, 40)]})
    assert segment_through((100, 40), (300, 40), plane.shapes["c"])
    assert not segment_through((100, 90), (300, 90), plane.shapes["c"])  # below it
    assert not segment_through((100, 80), (300, 80), plane.shapes["c"])  # along its border
    assert labels_on_things(plane) == ["label of f on label of g", "label of f on c", "label of g on c"]
    assert overlapping_lanes(plane) == ["l1 on l2"]
