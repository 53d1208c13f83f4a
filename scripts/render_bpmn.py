"""Render bpmn/*.bpmn to PNG as bpmn-js draws them, to look at: headless Chromium (Debian's `chromium`)
opens a page that loads the bpmn-js viewer from web/node_modules and the diagram, and takes a screenshot
of the whole diagram. Also prints each diagram's size and how many times its edges cross.

    PYTHONPATH=$PWD .venv/bin/python scripts/render_bpmn.py [--out DIR] [bpmn/x.bpmn ...]
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import tempfile
from itertools import combinations, pairwise
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
VIEWER = ROOT / "web/node_modules/bpmn-js/dist/bpmn-viewer.production.min.js"
NS = {"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI", "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
PAGE = """<!doctype html><html><head><meta charset="utf-8"><script src="{viewer}"></script>
<style>html,body{{margin:0;background:#fff}} #canvas{{width:{w}px;height:{h}px}}</style></head>
<body><div id="canvas"></div><script>
const viewer = new BpmnJS({{container: '#canvas'}});
viewer.importXML({xml}).then(() => {{
  const canvas = viewer.get('canvas');
  canvas.viewbox({{x: {x}, y: {y}, width: {w}, height: {h}}});
}}).catch(e => document.body.innerText = String(e));
</script></body></html>"""


def extent(document: etree._ElementTree) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for b in document.iterfind(".//dc:Bounds", NS):
        x, y, w, h = (float(b.get(k)) for k in ("x", "y", "width", "height"))
        xs += [x, x + w]
        ys += [y, y + h]
    for p in document.iterfind(".//di:waypoint", NS):
        xs.append(float(p.get("x")))
        ys.append(float(p.get("y")))
    return min(xs), min(ys), max(xs), max(ys)


def crossings(document: etree._ElementTree) -> int:
    """Pairs of segments of different edges that cross (touching ends and shared sources do not count)."""
    edges = []
    for edge in document.iterfind(".//bpmndi:BPMNEdge", NS):
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iterfind("di:waypoint", NS)]
        edges.append(list(pairwise(points)))
    count = 0
    for a, b in combinations(edges, 2):
        count += sum(1 for s in a for t in b if _cross(s, t))
    return count


def _cross(s, t) -> bool:
    (ax, ay), (bx, by) = s
    (cx, cy), (dx, dy) = t

    def orient(px, py, qx, qy, rx, ry):
        v = (qx - px) * (ry - py) - (qy - py) * (rx - px)
        return (v > 1e-9) - (v < -1e-9)

    o1, o2 = orient(ax, ay, bx, by, cx, cy), orient(ax, ay, bx, by, dx, dy)
    o3, o4 = orient(cx, cy, dx, dy, ax, ay), orient(cx, cy, dx, dy, bx, by)
    return o1 * o2 < 0 and o3 * o4 < 0


def render(path: Path, out: Path, region: tuple[int, int, int, int] | None = None) -> Path:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Debian's chromium is needed (scripts/system-packages.sh)")
    document = etree.parse(str(path))
    x0, y0, x1, y1 = extent(document)
    x, y, w, h = int(x0) - 20, int(y0) - 20, int(x1 - x0) + 40, int(y1 - y0) + 40
    png = out / f"{path.stem}.png"
    if region:  # a part, to look at closely
        x, y, w, h = region
        png = out / f"{path.stem}-{x}-{y}.png"
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(PAGE.format(viewer=VIEWER.as_uri(), xml=json.dumps(path.read_text(encoding="utf-8")),
                                    x=x, y=y, w=w, h=h), encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--no-first-run", "--disable-background-networking", "--allow-file-access-from-files",
                        f"--user-data-dir={tmp}/profile", "--virtual-time-budget=10000",
                        f"--window-size={w},{h}", f"--screenshot={png}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(f"{html.escape(path.name)}: {w - 40}x{h - 40} px, {crossings(document)} crossings → {png}")
    return png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--region", help="only the part x,y,width,height of the diagram")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bpmn-png")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.files or sorted((ROOT / "bpmn").glob("*.bpmn")):
        render(path, args.out, tuple(int(v) for v in args.region.split(",")) if args.region else None)


if __name__ == "__main__":
    main()
