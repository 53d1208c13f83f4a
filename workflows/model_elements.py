"""What the process models (workflows/model.py) are made of: elements, sequence flows, and a process
that holds them, its subprocesses' content included (an element's ``parent`` is the subprocess it is
drawn in; None for the process itself)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise

# What the element kinds are in BPMN: events that start, end, wait (timer, message) or say something
# happened (event: an intermediate throw, with a signal when other parts of the process react to it).
KINDS = ("start", "end", "user", "service", "send", "call", "xor", "and", "timer", "message", "event", "boundary",
         "sub", "eventsub")

# The signals by which one part of a certificate's life acts on the others (their BPMN names).
SIGNALS = {"suspend": "暂停", "reinstate": "恢复", "withdraw": "撤销"}


@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # one of KINDS
    name: str
    lane: str
    rule: str | None = None
    role: str | None = None
    due: str | None = None
    note: str | None = None
    called: str | None = None  # a call activity's process
    attached: str | None = None  # a boundary event's task or subprocess
    interrupting: bool = False  # a boundary event, or an event subprocess's start, that ends what it is on
    message: str | None = None  # the message a start, catch or end event or a send task refers to
    timer: str | None = None  # a timer's ISO 8601 date, as an expression over a variable the code sets
    signal: str | None = None  # the signal a throw or end event broadcasts, or a start or boundary event waits for
    terminate: bool = False  # an end that ends everything in its (sub)process
    operation: str | None = None  # the activity a service or send task runs (its implementation)
    each: str | None = None  # a multi-instance task: one instance per item of this collection variable
    parent: str | None = None  # the subprocess (sub or eventsub) the element is in
    silent: bool = False  # the code does not record passing it (a subprocess's frame, a signal, a merge)
    marks: str | None = None  # the id the code records for it, where another element already has its own id

    @property
    def recorded(self) -> bool:
        """The workflows record every element they pass (query ``elements``) but the merging gateways,
        which only say that flows meet (``ProcessModel.with_merges``), and the silent ones."""
        return not self.silent and not self.id.endswith("_merge")

    @property
    def code_id(self) -> str:
        """The element id the code records when it passes this element."""
        return self.marks or self.id


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    # A diverging gateway's flow: the condition over process variables that takes it, and variable values
    # that make it true (the decision a run took there, for the token game of certflow/token_game.py).
    condition: str | None = None
    decision: tuple[tuple[str, object], ...] = ()
    default: bool = False  # the gateway's default: taken when no condition holds


@dataclass
class ProcessModel:
    id: str
    file: str
    name: str
    documentation: str
    lanes: list[tuple[str, str]]
    # Where a run that continued as new may stand when it starts, besides its start events.
    resumes: tuple[str, ...] = ()
    elements: list[Element] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)

    def add(self, kind: str, id: str, name: str, lane: str, **attrs) -> str:
        assert kind in KINDS, kind
        self.elements.append(Element(id=id, kind=kind, name=name, lane=lane, **attrs))
        return id

    def flow(self, source: str, target: str, name: str = "", when: dict[str, object] | None = None, *,
             default: bool = False) -> None:
        """A sequence flow; ``when`` the variable values that take it out of a diverging gateway (a
        conjunction of equalities, booleans as themselves)."""
        self.flows.append(Flow(id=f"flow_{source}__{target}", source=source, target=target, name=name,
                               condition=condition_of(when) if when else None,
                               decision=tuple(when.items()) if when else (), default=default))

    def chain(self, *ids: str) -> None:
        for source, target in pairwise(ids):
            self.flow(source, target)

    def element(self, id: str) -> Element:
        return next(e for e in self.elements if e.id == id)

    def inside(self, parent: str | None) -> Iterator[Element]:
        """The elements drawn directly in ``parent`` (None: the process itself)."""
        return (e for e in self.elements if e.parent == parent)

    @property
    def containers(self) -> list[Element]:
        """The subprocesses, each drawn on its own page (plane)."""
        return [e for e in self.elements if e.kind in ("sub", "eventsub")]

    def with_merges(self) -> ProcessModel:
        """Where flows meet, an exclusive gateway merges them (``{id}_merge``), as BPMN style asks (bpmnlint
        fake-join, no-gateway-join-fork): before a task or event with several ways in, and before a
        gateway that would both join and split."""
        incoming: dict[str, list[Flow]] = {}
        outgoing: dict[str, int] = {}
        for f in self.flows:
            incoming.setdefault(f.target, []).append(f)
            outgoing[f.source] = outgoing.get(f.source, 0) + 1
        for e in list(self.elements):
            ways_in = incoming.get(e.id, [])
            gateway = e.kind in ("xor", "and")
            if len(ways_in) < 2 or (gateway and outgoing.get(e.id, 0) < 2):
                continue
            merge = self.add("xor", f"{e.id}_merge", "", e.lane, parent=e.parent)
            self.flows = [replace(f, id=f"flow_{f.source}__{merge}", target=merge) if f in ways_in else f
                          for f in self.flows]
            self.flow(merge, e.id)
        return self

    @property
    def user_tasks(self) -> set[str]:
        """The task kinds the model's user tasks stand for."""
        return {e.code_id for e in self.elements if e.kind == "user"}


def condition_of(when: dict[str, object]) -> str:
    parts = []
    for variable, value in when.items():
        if value is True:
            parts.append(variable)
        elif value is False:
            parts.append(f"not {variable}")
        elif isinstance(value, tuple):
            parts.append(f"{variable} in {value!r}")
        else:
            parts.append(f"{variable} == {value!r}")
    return " and ".join(parts)
