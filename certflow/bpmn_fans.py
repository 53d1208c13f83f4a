"""A gateway with several named ways out, drawn as a fan (certflow/bpmn_layout.py): to ELK it is a tall
node whose ways out leave its right side one under the other, each with room above it for its name; on
the page the gateway is its usual diamond in the middle of that node, every way out leaves its right tip,
turns at once to its own height and carries its name from there:

    ◇─┬─ suspend
      ├─ reinstate
      └─ withdraw
"""

from __future__ import annotations

Box = tuple[int, int, int, int]
Point = tuple[int, int]
SPINE = 6  # from the tip to where the ways out part
MIN_SLOT, ROOM = 24, 8  # a way out's height at least; above its name


def slots(name_heights: list[int]) -> list[int]:
    return [max(MIN_SLOT, h + ROOM) for h in name_heights]


def height(name_heights: list[int], diamond: int) -> int:
    return max(diamond, sum(slots(name_heights)))


def port_heights(name_heights: list[int], diamond: int) -> list[float]:
    """Where each way out leaves the node's right side, top to bottom: low in its slot, its name above."""
    heights, at = [], (height(name_heights, diamond) - sum(slots(name_heights))) / 2
    for slot in slots(name_heights):
        heights.append(at + slot - ROOM / 2)
        at += slot
    return heights


def diamond(node: Box, size: int) -> Box:
    """The gateway's own shape, in the middle of the node ELK placed."""
    x, y, _, h = node
    return (x, round(y + (h - size) / 2), size, size)


def comb(line: list[Point], shape: Box) -> list[Point]:
    """A way out from the node's side as a line from the diamond's right tip, parting at the spine."""
    x, y, w, h = shape
    tip = (x + w, y + h // 2)
    start = line[0]
    if start[1] == tip[1]:
        return [tip, *line[1:]]
    return [tip, (tip[0] + SPINE, tip[1]), (tip[0] + SPINE, start[1]), *line[1:]]


def tucked(label: Box, shape: Box) -> Box:
    """The gateway's name under its diamond (not under the tall node), left of the spine."""
    x, y, w, h = shape
    lw, lh = label[2], label[3]
    return (min(round(x + w / 2 - lw / 2), x + w + SPINE - 3 - lw), y + h + 4, lw, lh)
