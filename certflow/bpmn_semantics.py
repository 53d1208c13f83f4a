"""The executable part of the BPMN 2.0 XML (certflow/bpmn.py adds the diagram): the processes with their
subprocesses, the conditions on every branch, timers as expressions over variables the code computes,
the messages and signals, the operations the send tasks implement and the job types of the service
tasks, the performers of the user tasks, and a multi-instance task where one runs per item.

SpiffWorkflow parses what this writes as executable processes, and bpmnlint's rules with certflow's own
(web/bpmnlint-plugin-certflow) find nothing in it (tests/workflows/test_bpmn.py); the token game plays the
journeys' traces on it (certflow/token_game.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from xml.etree import ElementTree as ET

from workflows.model import Element, ProcessModel
from workflows.model_elements import SIGNALS

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CERTFLOW = "https://certflow.invalid/bpmn"

TAGS = {
    "start": "startEvent", "end": "endEvent", "user": "userTask", "service": "serviceTask", "send": "sendTask",
    "call": "callActivity", "xor": "exclusiveGateway", "and": "parallelGateway", "timer": "intermediateCatchEvent",
    "message": "intermediateCatchEvent", "event": "intermediateThrowEvent", "boundary": "boundaryEvent",
    "sub": "subProcess", "eventsub": "subProcess",
}


def _tag(name: str) -> str:
    return f"{{{BPMN}}}{name}"


def write_process(defs: ET.Element, model: ProcessModel) -> None:
    """Into ``defs``: the messages, signals and interface, the collaboration, and the process."""
    _declarations(defs, model)
    collab = ET.SubElement(defs, _tag("collaboration"), {"id": f"{model.id}_collaboration"})
    ET.SubElement(collab, _tag("participant"), {"id": f"{model.id}_participant", "name": model.name,
                                                "processRef": model.id})
    process = ET.SubElement(defs, _tag("process"), {"id": model.id, "name": model.name, "isExecutable": "true"})
    ET.SubElement(process, _tag("documentation")).text = model.documentation
    for variable in dict.fromkeys(e.each for e in model.elements if e.each):
        ET.SubElement(process, _tag("property"), {"id": variable, "name": variable})
    lane_set = ET.SubElement(process, _tag("laneSet"), {"id": f"{model.id}_lanes"})
    for lane, name in model.lanes:
        node = ET.SubElement(lane_set, _tag("lane"), {"id": f"lane_{lane}", "name": name})
        for e in model.inside(None):
            if e.lane == lane:
                ET.SubElement(node, _tag("flowNodeRef")).text = e.id
    _fill(process, model, None)


def planes(model: ProcessModel) -> list[tuple[ProcessModel, str]]:
    """The pages of the diagram: the process (shown as its collaboration, with lanes), then each
    subprocess's content on its own page; each as a model of what is drawn on it, for the layout."""
    pages = [(_plane(model, None, model.id, model.name), f"{model.id}_collaboration")]
    for frame in model.containers:
        pages.append((_plane(model, frame.id, f"{frame.id}_content", frame.name), frame.id))
    return pages


def _plane(model: ProcessModel, parent: str | None, id: str, name: str) -> ProcessModel:
    elements = list(model.inside(parent))
    ids = {e.id for e in elements}
    used = {e.lane for e in elements}
    return ProcessModel(id, model.file, name, "", lanes=[lane for lane in model.lanes if lane[0] in used],
                        elements=elements, flows=[f for f in model.flows if f.source in ids])


def _fill(container: ET.Element, model: ProcessModel, parent: str | None) -> None:
    """The elements and flows drawn in ``parent`` (None: the process), subprocesses with their content."""
    incoming: dict[str, list[str]] = defaultdict(list)
    outgoing: dict[str, list[str]] = defaultdict(list)
    for f in model.flows:
        outgoing[f.source].append(f.id)
        incoming[f.target].append(f.id)
    defaults = {f.source: f.id for f in model.flows if f.default}
    for e in model.inside(parent):
        node = _node(container, e, incoming[e.id], outgoing[e.id], defaults.get(e.id))
        if e.kind in ("sub", "eventsub"):
            _fill(node, model, e.id)
    for f in model.flows:
        if model.element(f.source).parent != parent:
            continue
        attrs = {"id": f.id, "sourceRef": f.source, "targetRef": f.target}
        if f.name:
            attrs["name"] = f.name
        flow = ET.SubElement(container, _tag("sequenceFlow"), attrs)
        if f.condition:
            ET.SubElement(flow, _tag("conditionExpression"), {f"{{{XSI}}}type": "bpmn:tFormalExpression"}).text = \
                f.condition


def messages_of(model: ProcessModel) -> list[str]:
    """The messages the model's events and send tasks refer to."""
    names = [e.message for e in model.elements if e.message and e.kind != "send"]
    return list(dict.fromkeys(names + [sent_by(e) for e in model.elements if e.kind == "send"]))


def operation_of(e: Element) -> str:
    """The activity a service or send task runs: its ``operation``, else for a send task the notice
    activity (activities ``send_notice``), for a service task the activity of its own name."""
    return e.operation or ("send_notice" if e.kind == "send" else e.id)


def sent_by(e: Element) -> str:
    """The message a send task sends: the notice of its own name."""
    return e.message or e.id


def role_of(e: Element) -> str:
    """A user task's performer: the role the code gives it (``auditor (leader)`` is the auditor role)."""
    found = re.match(r"[a-z_]+", e.role or "")
    return found.group(0) if found else ""


def _declarations(defs: ET.Element, model: ProcessModel) -> None:
    """The messages and signals, and the interface whose operations the send tasks implement (a service
    task names its activity as a Zeebe-style ``taskDefinition``: the job type a worker takes)."""
    for name in messages_of(model):
        ET.SubElement(defs, _tag("message"), {"id": f"message_{name}", "name": name})
    for key in dict.fromkeys(e.signal for e in model.elements if e.signal):
        ET.SubElement(defs, _tag("signal"), {"id": f"signal_{key}", "name": SIGNALS[key]})
    senders = [e for e in model.elements if e.kind == "send"]
    if senders:  # one operation per notice: the notice activity with that notice as its input
        interface = ET.SubElement(defs, _tag("interface"), {"id": f"{model.id}_activities",
                                                            "name": "certflow activities"})
        for e in senders:
            node = ET.SubElement(interface, _tag("operation"), {"id": f"operation_{e.id}", "name": operation_of(e)})
            ET.SubElement(node, _tag("inMessageRef")).text = f"message_{sent_by(e)}"


def _attributes(e: Element, default: str | None) -> dict[str, str]:
    attrs = {"id": e.id, "name": e.name}
    if e.kind == "call":
        attrs["calledElement"] = e.called or ""
    if e.kind == "boundary":
        attrs.update(attachedToRef=e.attached or "", cancelActivity="true" if e.interrupting else "false")
    if e.kind == "start" and e.parent and (e.signal or e.message):  # an event subprocess's start
        attrs["isInterrupting"] = "true" if e.interrupting else "false"
    if e.kind == "eventsub":
        attrs["triggeredByEvent"] = "true"
    if e.kind == "send":
        attrs.update(implementation="##WebService", operationRef=f"operation_{e.id}",
                     messageRef=f"message_{sent_by(e)}")
    if default:
        attrs["default"] = default
    return attrs


def _node(container: ET.Element, e: Element, incoming: list[str], outgoing: list[str],
          default: str | None) -> ET.Element:
    node = ET.SubElement(container, _tag(TAGS[e.kind]), _attributes(e, default))
    text = " ".join(part for part in (e.rule and f"[{e.rule}]", e.role and f"role: {e.role}.",
                                       e.due and f"due: {e.due}.", e.note) if part)
    if text:
        ET.SubElement(node, _tag("documentation")).text = text
    _extensions(node, e)
    for flow in incoming:
        ET.SubElement(node, _tag("incoming")).text = flow
    for flow in outgoing:
        ET.SubElement(node, _tag("outgoing")).text = flow
    if e.kind == "user":
        owner = ET.SubElement(node, _tag("potentialOwner"), {"id": f"{e.id}_owner", "name": role_of(e)})
        expression = ET.SubElement(owner, _tag("resourceAssignmentExpression"), {"id": f"{e.id}_owner_role"})
        ET.SubElement(expression, _tag("formalExpression")).text = role_of(e)
    if e.each:
        loop = ET.SubElement(node, _tag("multiInstanceLoopCharacteristics"), {"isSequential": "false"})
        ET.SubElement(loop, _tag("loopDataInputRef")).text = e.each
        ET.SubElement(loop, _tag("inputDataItem"), {"id": f"{e.id}_item", "name": f"{e.id}_item"})
    _event_definition(node, e)
    return node


def _extensions(node: ET.Element, e: Element) -> None:
    if not (e.rule or e.role or e.due or e.marks or e.kind in ("service", "send", "user")):
        return
    ext = ET.SubElement(node, _tag("extensionElements"))
    props = {k: v for k, v in (("rule", e.rule), ("role", e.role), ("due", e.due), ("records", e.marks)) if v}
    if props:
        ET.SubElement(ext, f"{{{CERTFLOW}}}step", props)
    if e.kind in ("service", "send"):  # as Zeebe's taskDefinition: the job type a worker takes
        ET.SubElement(ext, f"{{{CERTFLOW}}}taskDefinition", {"type": operation_of(e)})
    if e.kind == "user":  # as Zeebe's assignmentDefinition: the candidate group
        ET.SubElement(ext, f"{{{CERTFLOW}}}assignmentDefinition", {"candidateGroups": role_of(e)})


def _event_definition(node: ET.Element, e: Element) -> None:
    if e.timer:
        timer = ET.SubElement(node, _tag("timerEventDefinition"), {"id": f"{e.id}_timer"})
        ET.SubElement(timer, _tag("timeDate"), {f"{{{XSI}}}type": "bpmn:tFormalExpression"}).text = e.timer
    elif e.signal:
        ET.SubElement(node, _tag("signalEventDefinition"), {"id": f"{e.id}_signal", "signalRef": f"signal_{e.signal}"})
    elif e.message and e.kind != "send":
        ET.SubElement(node, _tag("messageEventDefinition"), {"id": f"{e.id}_message",
                                                             "messageRef": f"message_{e.message}"})
    elif e.terminate:
        ET.SubElement(node, _tag("terminateEventDefinition"), {"id": f"{e.id}_terminate"})
