"""What a run decided, read from its trace, as the process variables of its BPMN model: for the token game
(certflow/token_game.py), which gives them to SpiffWorkflow.

At a gateway the trace passed, the run took the flow towards what it recorded next from there. The code
passes the element after a gateway in the same step (the same moment, give or take the activities it
runs on the way, ``SAME_STEP``): the flow that leads there, the
nearest first, is the decision. Where the code recorded nothing more at that moment, it went on to wait
(a timer), and the decision is the flow that leads to one. The variables of that flow's condition
(``Flow.decision``) are the run's. Timers get the moment the trace passed them, or never.
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import UTC, timedelta

from certflow.conformance import successors
from schemas.tasking import ElementVisit
from workflows.model_elements import Element, Flow, ProcessModel

NEVER = "9999-12-31T00:00:00+00:00"
SAME_STEP = timedelta(minutes=1)  # what the code records this close after a gateway it did in the same step
AUDIT_CONCLUDED = "audit_concluded_at"  # when the called audit the engine is in ends (the code's audit did)


class TraceDecisions:
    def __init__(self, model: ProcessModel, trace: list[ElementVisit]) -> None:
        self.model, self.trace = model, trace
        self.by_mark: dict[str, list[Element]] = defaultdict(list)
        for e in model.elements:
            self.by_mark[e.code_id].append(e)
        # Where a token goes next; into a subprocess only through its start (not past it, nor to its boundary).
        self.graph: dict[str, list[str]] = defaultdict(list, {
            node: [t for t in targets if model.element(t).parent == node] if model.element(node).kind == "sub"
            else targets for node, targets in successors(model).items()})
        self.recorded = {e.id for e in model.elements if e.recorded}
        self.at: dict[int, dict[str, object]] = {}  # trace position of a gateway → the variables it decided
        for i, visit in enumerate(trace):
            gateway = self.element(visit.element_id)
            flows = [f for f in model.flows if f.source == gateway.id and f.decision]
            if gateway.kind == "xor" and flows:
                taken = self._taken(i, flows)
                self.at[i] = {k: (v[0] if isinstance(v, tuple) else v) for k, v in taken.decision}

    def element(self, mark: str) -> Element:
        """The model's element for an id the code records (the first, where several mark it)."""
        return self.by_mark[mark][0]

    def next_recorded(self, start: str) -> dict[str, int]:
        """The recorded elements first reached from ``start`` (itself, when recorded), by the code's id,
        with how many steps away."""
        if start in self.recorded:
            return {self.model.element(start).code_id: 0}
        found: dict[str, int] = {}
        seen, queue = {start}, deque([(start, 0)])
        while queue:
            node, steps = queue.popleft()
            for nxt in self.graph[node]:
                if nxt in self.recorded:
                    found.setdefault(self.model.element(nxt).code_id, steps + 1)
                elif nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, steps + 1))
        return found

    def _taken(self, i: int, flows: list[Flow]) -> Flow:
        ahead = {f.id: self.next_recorded(f.target) for f in flows}
        moment = self.trace[i].entered_at
        now = [j for j in range(i + 1, len(self.trace)) if self.trace[j].entered_at - moment <= SAME_STEP]

        def first(f: Flow, positions: list[int]) -> tuple[int, int]:
            return min(((j, ahead[f.id][self.trace[j].element_id]) for j in positions
                        if self.trace[j].element_id in ahead[f.id]), default=(len(self.trace), 0))

        if any(first(f, now)[0] < len(self.trace) for f in flows):
            return min(flows, key=lambda f: first(f, now))
        waits = [f for f in flows if ahead[f.id] and all(self.element(m).timer for m in ahead[f.id])]
        later = list(range(i + 1, len(self.trace)))
        return min(waits or flows, key=lambda f: first(f, later))

    def variables(self, cursor: int) -> dict[str, object]:
        """The variables as the code had them after trace position ``cursor``: each gateway's next decision
        (else its last), each timer's next moment."""
        found: dict[str, object] = {variable: None for f in self.model.flows for variable, _ in f.decision}
        by_gateway: dict[str, list[int]] = defaultdict(list)
        for i in self.at:
            by_gateway[self.trace[i].element_id].append(i)
        for occurrences in by_gateway.values():
            later = [i for i in occurrences if i > cursor]
            chosen = later[0] if later else max([i for i in occurrences if i <= cursor], default=None)
            if chosen is not None:
                found.update(self.at[chosen])
        called = next((v.left_at for v in self.trace[cursor + 1:] if self.element(v.element_id).kind == "call"), None)
        found[AUDIT_CONCLUDED] = called.astimezone(UTC).isoformat() if called else NEVER
        for e in self.model.elements:
            if e.timer:
                when = next((v.entered_at for v in self.trace[cursor + 1:] if v.element_id == e.code_id), None)
                found[e.timer] = when.astimezone(UTC).isoformat() if when else NEVER
        return found

    def went_on(self, k: int, until: int | None = None) -> bool:
        """Did the code record, after trace position ``k`` (and before ``until``), an element that comes
        next from there (past a gateway: and on from that)?"""
        element = self.element(self.trace[k].element_id)
        following: set[str] = set()
        for nxt in self.graph[element.id]:
            following |= set(self.next_recorded(nxt))
        for j in range(k + 1, len(self.trace) if until is None else until):
            if self.trace[j].element_id in following:
                return j not in self.at or self.went_on(j, until)
        return False
