"""Does the code do what the diagrams say? Two checks against the models of ``workflows/model.py``.

- ``check_trace``: a run's trace (the element ids it recorded, in order, query ``elements``) is a path
  of its model. Each recorded element must be reachable from where the run could be: its start (or,
  for a run that continued as new, the model's resume point) or an element it recorded before,
  through elements the code does not record (gateways, service and send tasks, timers, messages, call
  activities). Parallel branches interleave in a trace, which is why "an element recorded before" and
  not "the element just before".
- ``code_task_ids``: the user tasks the workflow code can open, read from its source (the kind given
  to ``board.ask`` and any ``element_id=``/``more=`` naming the element); every one must be a user
  task of a model, and every user task of a model must be one of them.
"""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from pathlib import Path

from workflows.model import ProcessModel


def check_trace(model: ProcessModel, trace: list[str]) -> list[str]:
    """The problems with ``trace`` (element ids, in the order recorded); empty when it is a path."""
    ids = {e.id for e in model.elements}
    problems = [f"{element} is not an element of {model.file}.bpmn" for element in trace if element not in ids]
    if problems:
        return problems
    silent = {e.id for e in model.elements if not e.recorded}
    outgoing: dict[str, list[str]] = defaultdict(list)
    for f in model.flows:
        outgoing[f.source].append(f.target)
    for e in model.elements:
        if e.kind == "boundary":  # entered from its task, while the task is open
            outgoing[e.attached].append(e.id)

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

    starts = {e.id for e in model.elements if e.kind == "start"}
    origins = set(starts)
    if trace and trace[0] not in reaches(origins) and trace[0] not in starts:
        origins |= set(model.resumes)  # a run that continued as new picks the process up here
    for i, element in enumerate(trace):
        if element not in reaches(origins) and element not in origins:
            before = " → ".join(trace[max(0, i - 3):i]) or "the start"
            problems.append(f"{element} cannot follow {before} in {model.file}.bpmn")
        origins.add(element)
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
