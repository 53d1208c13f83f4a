"""BPMN 2.0 XML, with its diagram (BPMNDI), from the process models in ``workflows/model.py``.

The models are the one description of each process; ``bpmn/*.bpmn`` are written from them (``certflow
bpmn``) and a test checks that the files are what the models give, so a diagram cannot drift from the
description the workflows are checked against (tests/workflows/test_bpmn.py).

The process itself (executable: conditions, timers, messages, performers) is written by
certflow/bpmn_semantics.py; this module draws it. One page per plane: the process with its pool and one
lane per role, then each subprocess's content on a page of its own (collapsed in its parent). Layout by
ELK (certflow/bpmn_layout.py): columns by the flow, each element in its lane's band, orthogonal lines,
labels placed clear of shapes and of each other (tests/workflows/test_bpmn_geometry.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

from certflow.bpmn_layout import MARGIN, Box, Diagram, layouts
from certflow.bpmn_semantics import BPMN, CERTFLOW, planes, write_process
from workflows.model import MODELS, ProcessModel

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
for prefix, uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("certflow", CERTFLOW)):
    ET.register_namespace(prefix, uri)

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"


def to_xml(model: ProcessModel, *, diagrams: bool = True) -> str:
    """The model as BPMN 2.0 XML; ``diagrams=False`` leaves out the drawing (BPMNDI), which an engine
    does not read and whose layout (ELK, certflow/bpmn_layout.py) takes seconds."""
    defs = ET.Element(f"{{{BPMN}}}definitions", {
        "id": f"{model.id}_definitions", "targetNamespace": CERTFLOW, "exporter": "certflow", "exporterVersion": "1"})
    write_process(defs, model)  # the semantics (certflow/bpmn_semantics.py)
    if diagrams:
        _draw_pages(defs, model)
    ET.indent(defs)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(defs, encoding="unicode") + "\n"


def _draw_pages(defs: ET.Element, model: ProcessModel) -> None:
    pages = planes(model)
    collaboration = f"{model.id}_collaboration"
    # A subprocess's page has no pool: its elements are laid out without lanes.
    drawn = [plane if shown == collaboration else replace(plane, lanes=[]) for plane, shown in pages]
    for plane, (_, shown), diagram in zip(drawn, pages, layouts(drawn), strict=True):
        _draw(defs, plane, shown, diagram, pool=shown == collaboration)


def _draw(defs: ET.Element, plane_model: ProcessModel, shown: str, diagram: Diagram, *, pool: bool) -> None:
    """One page (BPMNDI plane): with ``pool``, the process's pool and its lanes; every element and flow
    of the page, their labels; a subprocess collapsed, its content on its own page."""
    page = ET.SubElement(defs, f"{{{BPMNDI}}}BPMNDiagram", {"id": f"{plane_model.id}_diagram",
                                                             "name": plane_model.name})
    plane = ET.SubElement(page, f"{{{BPMNDI}}}BPMNPlane", {"id": f"{plane_model.id}_plane", "bpmnElement": shown})
    if pool and diagram.bands:
        width = diagram.width
        top = min(y for y, _ in diagram.bands.values())
        total = sum(h for _, h in diagram.bands.values())
        _shape(plane, f"{plane_model.id}_participant", (MARGIN - 30, top, width - MARGIN + 30, total),
               horizontal=True)
        for lane, (y, h) in diagram.bands.items():
            _shape(plane, f"lane_{lane}", (MARGIN, y, width - MARGIN, h), horizontal=True)
    for e in plane_model.elements:
        _shape(plane, e.id, diagram.bounds[e.id], marker=e.kind == "xor", label=diagram.labels.get(e.id),
               expanded=False if e.kind in ("sub", "eventsub") else None)
    for f in plane_model.flows:
        edge = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", {"id": f"{f.id}_di", "bpmnElement": f.id})
        for x, y in diagram.waypoints[f.id]:
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": str(x), "y": str(y)})
        if f.id in diagram.labels:
            _bounds(ET.SubElement(edge, f"{{{BPMNDI}}}BPMNLabel"), diagram.labels[f.id])


def _shape(plane: ET.Element, element: str, box: Box, *, horizontal: bool = False, marker: bool = False,
           label: Box | None = None, expanded: bool | None = None) -> None:
    attrs = {"id": f"{element}_di", "bpmnElement": element}
    if expanded is not None:  # a subprocess drawn collapsed, its content on its own page
        attrs["isExpanded"] = "true" if expanded else "false"
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
