"""BPMN 2.0 XML, with its diagram (BPMNDI), from the process models in ``workflows/model.py``.

The models are the one description of each process; ``bpmn/*.bpmn`` are written from them (``certflow
bpmn``) and a test checks that the files are what the models give, so a diagram cannot drift from the
description the workflows are checked against (tests/workflows/test_bpmn.py).

Layout: one lane per role, by ELK (certflow/bpmn_layout.py): columns by the flow, each element in its
lane's band, orthogonal lines, labels placed clear of shapes and of each other
(tests/workflows/test_bpmn_geometry.py).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

from certflow.bpmn_layout import MARGIN, Box, Diagram, layout
from workflows.model import MODELS, ProcessModel

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CERTFLOW = "https://certflow.invalid/bpmn"
for prefix, uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("certflow", CERTFLOW)):
    ET.register_namespace(prefix, uri)

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"


TAGS = {
    "start": "startEvent", "end": "endEvent", "user": "userTask", "service": "serviceTask", "send": "sendTask",
    "call": "callActivity", "xor": "exclusiveGateway", "and": "parallelGateway", "timer": "intermediateCatchEvent",
    "message": "intermediateCatchEvent", "event": "intermediateThrowEvent", "boundary": "boundaryEvent",
}


def to_xml(model: ProcessModel) -> str:
    defs = ET.Element(f"{{{BPMN}}}definitions", {
        "id": f"{model.id}_definitions", "targetNamespace": CERTFLOW, "exporter": "certflow", "exporterVersion": "1"})
    collab = ET.SubElement(defs, f"{{{BPMN}}}collaboration", {"id": f"{model.id}_collaboration"})
    ET.SubElement(collab, f"{{{BPMN}}}participant", {"id": f"{model.id}_participant", "name": model.name,
                                                      "processRef": model.id})
    process = ET.SubElement(defs, f"{{{BPMN}}}process", {"id": model.id, "name": model.name, "isExecutable": "false"})
    doc = ET.SubElement(process, f"{{{BPMN}}}documentation")
    doc.text = model.documentation
    lane_set = ET.SubElement(process, f"{{{BPMN}}}laneSet", {"id": f"{model.id}_lanes"})
    for lane, name in model.lanes:
        node = ET.SubElement(lane_set, f"{{{BPMN}}}lane", {"id": f"lane_{lane}", "name": name})
        for e in model.elements:
            if e.lane == lane:
                ET.SubElement(node, f"{{{BPMN}}}flowNodeRef").text = e.id
    incoming: dict[str, list[str]] = defaultdict(list)
    outgoing: dict[str, list[str]] = defaultdict(list)
    for f in model.flows:
        outgoing[f.source].append(f.id)
        incoming[f.target].append(f.id)
    for e in model.elements:
        attrs = {"id": e.id, "name": e.name}
        if e.kind == "call":
            attrs["calledElement"] = e.called or ""
        if e.kind == "boundary":
            attrs.update(attachedToRef=e.attached or "", cancelActivity="true" if e.interrupting else "false")
        node = ET.SubElement(process, f"{{{BPMN}}}{TAGS[e.kind]}", attrs)
        text = " ".join(part for part in (e.rule and f"[{e.rule}]", e.role and f"role: {e.role}.",
                                           e.due and f"due: {e.due}.", e.note) if part)
        if text:
            ET.SubElement(node, f"{{{BPMN}}}documentation").text = text
        if e.rule or e.role or e.due:
            ext = ET.SubElement(node, f"{{{BPMN}}}extensionElements")
            props = {k: v for k, v in (("rule", e.rule), ("role", e.role), ("due", e.due)) if v}
            ET.SubElement(ext, f"{{{CERTFLOW}}}step", props)
        for flow in incoming[e.id]:
            ET.SubElement(node, f"{{{BPMN}}}incoming").text = flow
        for flow in outgoing[e.id]:
            ET.SubElement(node, f"{{{BPMN}}}outgoing").text = flow
        if e.kind in ("timer", "boundary"):
            timer = ET.SubElement(node, f"{{{BPMN}}}timerEventDefinition", {"id": f"{e.id}_timer"})
            ET.SubElement(timer, f"{{{BPMN}}}timeDuration", {f"{{{XSI}}}type": "bpmn:tFormalExpression"}).text = \
                e.due or "see documentation"
        elif e.kind == "message" or (e.kind in ("start", "end") and e.message):
            ET.SubElement(node, f"{{{BPMN}}}messageEventDefinition", {"id": f"{e.id}_message"})
    for f in model.flows:
        attrs = {"id": f.id, "sourceRef": f.source, "targetRef": f.target}
        if f.name:
            attrs["name"] = f.name
        ET.SubElement(process, f"{{{BPMN}}}sequenceFlow", attrs)

    _draw(defs, model, layout(model))
    ET.indent(defs)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(defs, encoding="unicode") + "\n"


def _draw(defs: ET.Element, model: ProcessModel, diagram: Diagram) -> None:
    """The plane of a process (BPMNDI): the pool, its lanes, every element and flow, their labels."""
    width = diagram.width
    plane = ET.SubElement(ET.SubElement(defs, f"{{{BPMNDI}}}BPMNDiagram", {"id": f"{model.id}_diagram"}),
                          f"{{{BPMNDI}}}BPMNPlane", {"id": f"{model.id}_plane",
                                                      "bpmnElement": f"{model.id}_collaboration"})
    top = min(y for y, _ in diagram.bands.values())
    total = sum(h for _, h in diagram.bands.values())
    _shape(plane, f"{model.id}_participant", (MARGIN - 30, top, width - MARGIN + 30, total), horizontal=True)
    for lane, (y, h) in diagram.bands.items():
        _shape(plane, f"lane_{lane}", (MARGIN, y, width - MARGIN, h), horizontal=True)
    for e in model.elements:
        _shape(plane, e.id, diagram.bounds[e.id], marker=e.kind == "xor", label=diagram.labels.get(e.id))
    for f in model.flows:
        edge = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", {"id": f"{f.id}_di", "bpmnElement": f.id})
        for x, y in diagram.waypoints[f.id]:
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": str(x), "y": str(y)})
        if f.id in diagram.labels:
            _bounds(ET.SubElement(edge, f"{{{BPMNDI}}}BPMNLabel"), diagram.labels[f.id])


def _shape(plane: ET.Element, element: str, box: Box, *, horizontal: bool = False, marker: bool = False,
           label: Box | None = None) -> None:
    attrs = {"id": f"{element}_di", "bpmnElement": element}
    if horizontal:
        attrs["isHorizontal"] = "true"
    if marker:
        attrs["isMarkerVisible"] = "true"
    shape = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", attrs)
    _bounds(shape, box)
    if label is not None:
        _bounds(ET.SubElement(shape, f"{{{BPMNDI}}}BPMNLabel"), label)


def _bounds(parent: ET.Element, box: Box) -> None:
    x, y, w, h = box
    ET.SubElement(parent, f"{{{DC}}}Bounds", {"x": str(x), "y": str(y), "width": str(w), "height": str(h)})


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
