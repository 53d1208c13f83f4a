"""Does the code do what the diagrams say? Two checks against the models of ``workflows/model.py``
(the token game of certflow/token_game.py is the third: an engine plays each trace).

- ``check_trace``: a run's trace (the element ids it recorded, in order, query ``elements``) is a path
  of its model. Each recorded element must be reachable from where the run could be: its start (or,
  for a run that continued as new, also the model's resume points) or an element it recorded before,
  through elements the code does not record (merging gateways, subprocess frames, signals). Parallel
  branches interleave in a trace, which is why "an element recorded before" and not "the element just
  before". Reachable means along sequence flows, and also: into a subprocess's start, out of its ends
  to what follows it, from a task or subprocess to the events on its boundary, from a throw of a signal
  to what catches it, and from a scope to the message starts of its event subprocesses.
- ``code_task_ids``: the user tasks the workflow code can open, read from its source (the kind given
  to ``board.ask`` and any ``element_id=``/``more=`` naming the element); every one must be a user
  task of a model, and every user task of a model must be one of them.
"""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from pathlib import Path

from workflows.model import ProcessModel


def successors(model: ProcessModel) -> dict[str, list[str]]:
    """Where a token can go next from each element, flows and the structure of (event) subprocesses."""
    outgoing: dict[str, list[str]] = defaultdict(list)
    for f in model.flows:
        outgoing[f.source].append(f.target)
    catchers: dict[str, list[str]] = defaultdict(list)
    for e in model.elements:
        if e.signal and e.kind in ("start", "boundary"):
            catchers[e.signal].append(e.id)
    for e in model.elements:
        if e.kind == "boundary":  # entered from its task or subprocess, while it is open
            outgoing[e.attached or ""].append(e.id)
        if e.kind == "sub":
            outgoing[e.id] += [s.id for s in model.inside(e.id) if s.kind == "start"]
        if e.kind == "end" and e.parent:  # out of a subprocess, to what follows it
            frame = model.element(e.parent)
            if frame.kind == "sub":
                outgoing[e.id] += outgoing_of(model, frame.id)
        if e.kind == "start" and e.message and e.parent:  # an event subprocess's message, while its scope runs
            scope = model.element(e.parent).parent
            for origin in [scope] if scope else [s.id for s in model.inside(None) if s.kind == "start"]:
                outgoing[origin].append(e.id)
        if e.signal and e.kind in ("event", "end"):
            outgoing[e.id] += catchers[e.signal]
    return outgoing


def outgoing_of(model: ProcessModel, element: str) -> list[str]:
    return [f.target for f in model.flows if f.source == element]


def check_trace(model: ProcessModel, trace: list[str]) -> list[str]:
    """The problems with ``trace`` (element ids, in the order recorded); empty when it is a path."""
    marked: dict[str, set[str]] = defaultdict(set)  # the code's id → the elements that record it
    for e in model.elements:
        if e.recorded:
            marked[e.code_id].add(e.id)
    problems = [f"{element} is not an element of {model.file}.bpmn" for element in trace if element not in marked]
    if problems:
        return problems
    silent = {e.id for e in model.elements if not e.recorded}
    outgoing = successors(model)

    def reaches(origins: set[str]) -> set[str]:
        """Recorded elements reachable from ``origins`` through silent ones."""
        found: set[str] = set()
        seen = set(origins)
        queue = deque(origins)
        while queue:
            node = queue.popleft()
            for nxt in outgoing[node]:
                if nxt in silent:
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
                else:
                    found.add(nxt)
        return found

    starts = {e.id for e in model.elements if e.kind == "start" and e.parent is None}
    origins = set(starts)
    if trace and not marked[trace[0]] & starts:
        origins |= set(model.resumes)  # a run that continued as new may stand here when it starts
    for i, element in enumerate(trace):
        here = marked[element] & (reaches(origins) | origins)
        if not here:
            before = " → ".join(trace[max(0, i - 3):i]) or "the start"
            problems.append(f"{element} cannot follow {before} in {model.file}.bpmn")
        origins |= here or marked[element]
    return problems


def code_task_ids(*sources: Path) -> set[str]:
    """The element ids of the user tasks ``sources`` can open."""
    found: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr not in ("ask", "_decide") or not node.args:
                continue
            first = node.args[0]
            named = {k.arg: k.value for k in node.keywords}
            element = named.get("element_id")
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                found.add(element.value)
            elif isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
            more = named.get("more")
            if isinstance(more, ast.Constant) and isinstance(more.value, str):
                found.add(more.value)
    return found
