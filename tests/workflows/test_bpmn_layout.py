"""The layout (certflow/bpmn_layout.py) on planes made for the purpose: a plane with lanes and one without
(a subprocess's), laid out together with one Node process pair, each read back with the geometry checks
of test_bpmn_geometry."""

from __future__ import annotations

import itertools

from certflow.bpmn_layout import Diagram, layouts, text_size
from tests.workflows.test_bpmn_geometry import Plane, labels_on_things, overlapping_lanes, segment_through
from workflows.model import ProcessModel


def _plane(lanes: list[tuple[str, str]]) -> ProcessModel:
    """A review with a deadline, a decision with a loop back and three named ways out."""
    lane = lanes[0][0] if lanes else ""
    other = lanes[-1][0] if lanes else ""
    m = ProcessModel("p", "p", "p", "", lanes=lanes)
    m.add("start", "begin", "开始", other)
    m.add("user", "review", "评审", lane)
    m.add("boundary", "late", "3个工作日已过", lane, attached="review")
    m.add("end", "told", "告知主管", lane)
    m.add("xor", "outcome", "结论", lane)
    m.add("user", "more", "补充信息", other)
    m.add("end", "accepted", "受理", other)
    m.add("end", "rejected", "不予受理", other)
    m.chain("begin", "review", "outcome")
    m.flow("late", "told")
    m.flow("outcome", "accepted", "accept")
    m.flow("outcome", "rejected", "reject")
    m.flow("outcome", "more", "more information")
    m.flow("more", "review")
    return m.with_merges()


def _checked(model: ProcessModel, diagram: Diagram) -> Plane:
    shapes = {k: (float(x), float(y), float(w), float(h)) for k, (x, y, w, h) in diagram.bounds.items()}
    lanes = {k: (40.0, float(y), float(diagram.width - 40), float(h)) for k, (y, h) in diagram.bands.items()}
    plane = Plane("made", shapes=shapes, labels={k: tuple(map(float, b)) for k, b in diagram.labels.items()},
                  lanes=lanes,
                  edges={k: [(float(x), float(y)) for x, y in line] for k, line in diagram.waypoints.items()})
    hosts = {e.id: e.attached for e in model.elements if e.kind == "boundary"}
    for f in model.flows:
        own = {f.source, f.target, hosts.get(f.source), hosts.get(f.target)}
        line = plane.edges[f.id]
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in itertools.pairwise(line)), f"{f.id} is orthogonal"
        assert not [e for e, box in shapes.items() if e not in own
                    and any(segment_through(a, b, box) for a, b in itertools.pairwise(line))], f.id
    assert labels_on_things(plane) == []
    assert overlapping_lanes(plane) == []
    return plane


def test_planes_with_and_without_lanes():
    with_lanes = _plane([("reviewer", "评审员"), ("certflow", "certflow")])
    without = _plane([])
    laned, bare = layouts([with_lanes, without])
    _checked(with_lanes, laned)
    _checked(without, bare)
    assert list(laned.bands) == ["reviewer", "certflow"] and bare.bands == {}
    for e in with_lanes.elements:  # each element within its lane's band
        y, h = laned.bands[e.lane]
        assert y <= laned.bounds[e.id][1] and laned.bounds[e.id][1] + laned.bounds[e.id][3] <= y + h, e.id
    # Left to right along the flow; the boundary event on its task's bottom border.
    for d in (laned, bare):
        assert d.bounds["begin"][0] < d.bounds["review"][0] < d.bounds["outcome"][0] < d.bounds["accepted"][0]
        rx, ry, rw, rh = d.bounds["review"]
        lx, ly, lw, lh = d.bounds["late"]
        assert rx <= lx and lx + lw <= rx + rw and ly + lh / 2 == ry + rh
        assert set(d.labels) >= {"flow_outcome__accepted", "outcome", "late"}
        assert d.height >= max(y + h for _, y, _, h in d.bounds.values())
        # The decision is a fan: every way out leaves its right tip, its name near the tip, by its own line.
        gx, gy, gw, gh = d.bounds["outcome"]
        assert (gw, gh) == (50, 50)
        for f in (f for f in with_lanes.flows if f.source == "outcome"):
            line = d.waypoints[f.id]
            assert line[0] == (gx + gw, gy + gh // 2), f.id
            lx, ly, lw, lh = d.labels[f.id]
            assert gx + gw <= lx <= gx + gw + 60, f.id
            beside = [a for a, b in itertools.pairwise(line) if a[1] == b[1] and min(a[0], b[0]) - 6 <= lx
                      and (ly + lh <= a[1] <= ly + lh + 6 or ly - 6 <= a[1] <= ly)]
            assert beside, f"{f.id}: its name is just above or below its own line"


def test_label_sizes_follow_the_text():
    assert text_size("accept")[1] == text_size("reject")[1]  # one line
    assert text_size("证书有效期（每个周期一次运行）")[1] > text_size("证书")[1]  # wraps at 90 px
    assert text_size("证书有效期（每个周期一次运行）")[0] <= 90
