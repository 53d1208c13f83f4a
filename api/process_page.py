"""The process page: a process's BPMN diagram (bpmn-js, from web/, pinned) with the elements it is in,
the ones it passed and the overdue ones marked, a list of them in plain words, its incidents (a step
that failed for good, with the error and how to retry it), and a link to the process in the Temporal
UI. The page holds no data of its own: it reads GET /api/v1/processes/{id}
with the staff token given after ``#token=`` (kept in the tab's sessionStorage, never sent in a URL
the server sees) and the model from /bpmn/{file}.bpmn.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.problems import Problem
from certflow.bpmn import BPMN_DIR

router = APIRouter(tags=["pages"])

BPMN_JS_DIR = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "bpmn-js" / "dist"
MODEL_FILES = {"certification", "audit"}


def model_file_of(workflow_id: str) -> str:
    return "audit" if workflow_id.startswith("audit-") else "certification"


@router.get("/bpmn/{name}.bpmn", summary="a process model (BPMN 2.0 XML with its diagram)", response_class=Response,
            responses={200: {"content": {"application/xml": {}}}})
async def model(name: str) -> Response:
    """A process model: the BPMN 2.0 XML with its diagram, as in bpmn/ (the pictures the workflows follow)."""
    if name not in MODEL_FILES:
        raise Problem(404, f"There is no process model {name}; there are {', '.join(sorted(MODEL_FILES))}.")
    return Response((BPMN_DIR / f"{name}.bpmn").read_bytes(), media_type="application/xml")


@router.get("/processes/{workflow_id}", response_class=HTMLResponse, summary="a process's page: its diagram, live")
async def page(workflow_id: str, request: Request) -> HTMLResponse:
    """A process's page: its diagram drawn by bpmn-js with the elements it is in now, live from the API.
    The inline blocks bear the response's CSP nonce (api/security_headers.py); none when served
    without that middleware, and then no policy holds them back either."""
    data = json.dumps({"workflowId": workflow_id, "model": f"/bpmn/{model_file_of(workflow_id)}.bpmn"})
    nonce = getattr(request.state, "csp_nonce", "")
    return HTMLResponse(PAGE.replace("__DATA__", data.replace("</", "<\\/")).replace("__NONCE__", nonce))


PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>certflow — 过程</title>
<link rel="stylesheet" href="/static/bpmn-js/assets/diagram-js.css">
<link rel="stylesheet" href="/static/bpmn-js/assets/bpmn-js.css">
<style nonce="__NONCE__">
  body { font-family: sans-serif; margin: 0; }
  header { padding: 8px 16px; background: #f4f4f4; border-bottom: 1px solid #ddd; }
  #canvas { height: 70vh; border-bottom: 1px solid #ddd; }
  main { padding: 8px 16px; }
  .cf-done:not(.djs-connection) .djs-visual > :nth-child(1) { fill: #e3f2e1 !important; }
  .cf-active:not(.djs-connection) .djs-visual > :nth-child(1) { fill: #fff3c4 !important; stroke: #e0a800 !important;
    stroke-width: 4px !important; }
  .cf-overdue:not(.djs-connection) .djs-visual > :nth-child(1) { fill: #fde2e1 !important; stroke: #c62828 !important;
    stroke-width: 4px !important; }
  .cf-waiting:not(.djs-connection) .djs-visual > :nth-child(1) { fill: #e3eefc !important; stroke: #1565c0 !important;
    stroke-width: 3px !important; }
  .cf-incident:not(.djs-connection) .djs-visual > :nth-child(1) { fill: #fde2e1 !important; stroke: #b71c1c !important;
    stroke-width: 6px !important; stroke-dasharray: 6 3; }
  .overdue, .incident { color: #c62828; }
  #incidents-title[hidden] { display: none; }
  #errors:empty { display: none; }
  #errors { color: #c62828; }
</style>
</head>
<body>
<header><strong id="title">certflow</strong> <span id="certificate"></span> <small id="process"></small>
  <span id="state"></span> <a id="temporal" hidden>Temporal UI</a></header>
<div id="canvas"></div>
<main>
  <p id="status">loading…</p>
  <h3 id="incidents-title" hidden>故障 (incidents)</h3><ul id="incidents"></ul>
  <h3>现在 (now)</h3><ul id="active"></ul>
  <h3>已完成 (done)</h3><ul id="completed"></ul>
  <pre id="errors"></pre>
</main>
<script nonce="__NONCE__">
  // Anything the page or bpmn-js reports as an error is listed on the page (and the tests read it).
  (function () {
    const report = (text) => { document.getElementById("errors").textContent += text + "\\n"; };
    const original = console.error.bind(console);
    console.error = (...parts) => { report(parts.map(String).join(" ")); original(...parts); };
    const source = (e) => e.target && (e.target.src || e.target.href);
    window.addEventListener("error", (e) => report(e.message || ("could not load " + source(e))), true);
    window.addEventListener("unhandledrejection", (e) => report(String(e.reason)));
    document.addEventListener("securitypolicyviolation", (e) => report(
      "refused by the page's security policy: " + e.violatedDirective + " " + e.blockedURI));
  })();
</script>
<script nonce="__NONCE__" src="/static/bpmn-js/bpmn-navigated-viewer.production.min.js"></script>
<script nonce="__NONCE__">
const DATA = __DATA__;
const errors = document.getElementById("errors");
const statusLine = document.getElementById("status");

function token() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    sessionStorage.setItem("certflowToken", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);
  }
  return sessionStorage.getItem("certflowToken");
}

function item(list, text, cls, id) {
  const li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  if (id) li.title = id;  // the element's id, for operators
  document.getElementById(list).appendChild(li);
}

function when(iso) { return iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" }) : ""; }

async function show() {
  document.getElementById("title").textContent = DATA.workflowId;
  document.getElementById("process").textContent = "";
  const auth = token();
  if (!auth) {
    statusLine.textContent = "Sign in: open this page with #token=<your staff token> after its address.";
    return;
  }
  const [modelResponse, viewResponse] = await Promise.all([
    fetch(DATA.model), fetch("/api/v1/processes/" + encodeURIComponent(DATA.workflowId),
                             { headers: { Authorization: "Bearer " + auth } })]);
  if (!viewResponse.ok) {
    const problem = await viewResponse.json().catch(() => ({}));
    statusLine.textContent = problem.detail || ("The process could not be read (" + viewResponse.status + ").");
    return;
  }
  const view = await viewResponse.json();
  const viewer = new BpmnJS({ container: "#canvas" });
  await viewer.importXML(await modelResponse.text());
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  canvas.zoom("fit-viewport");
  const mark = (id, cls) => { if (registry.get(id)) canvas.addMarker(id, cls); };
  // Elements by their names in the model (a Chinese name a person reads), the id kept as a tooltip.
  const nameOf = (id) => {
    const el = registry.get(id);
    return (el && el.businessObject && el.businessObject.name) || id;
  };
  if (view.organization) {
    document.getElementById("title").textContent = view.organization;
    const number = view.certificate_number;
    document.getElementById("certificate").textContent = number ? "证书 " + number : "";
    document.getElementById("process").textContent = DATA.workflowId;
  }
  view.completed.forEach((v) => {
    mark(v.element_id, "cf-done");
    item("completed", nameOf(v.element_id) + " — " + when(v.entered_at) + " → " + when(v.left_at), "", v.element_id);
  });
  view.active.forEach((v) => {
    const late = view.overdue.includes(v.element_id);
    mark(v.element_id, late ? "cf-overdue" : "cf-active");
    const due = v.due_on ? "，期限 " + v.due_on : "";
    const text = nameOf(v.element_id) + " — 自 " + when(v.entered_at) + due + (late ? "（已逾期 overdue）" : "");
    item("active", text, late ? "overdue" : "", v.element_id);
  });
  (view.waiting || []).forEach((t) => {
    mark(t.element_id, "cf-waiting");
    const where = "（" + nameOf(t.element_id) + "，" + t.rule_id + "）";
    item("active", "⏱ " + t.words + " — " + t.on + where, "waiting", t.element_id);
  });
  // The subprocess the process is in now is the page shown first (a collapsed one has a page of its own).
  const here = [...view.active.map((v) => v.element_id), ...(view.waiting || []).map((t) => t.element_id)]
    .map((id) => registry.get(id)).find(Boolean);
  if (here) {
    let root = here;
    while (root.parent) root = root.parent;
    if (root !== canvas.getRootElement()) { canvas.setRootElement(root); canvas.zoom("fit-viewport"); }
  }
  (view.incidents || []).forEach((i) => {
    const open = i.state !== "resolved";
    if (open && i.element_id) mark(i.element_id, "cf-incident");
    const action = i.id ? "POST /api/v1/incidents/" + i.id + "/retry" : "see /api/v1/incidents";
    const retry = i.state === "open" ? " — fix the cause, then " + action : "";
    const elsewhere = i.workflow_id !== DATA.workflowId ? i.workflow_id + ": " : "";
    const where = i.element_id ? " at " + nameOf(i.element_id) : "";
    const rule = i.rule_id ? " (" + i.rule_id + ")" : "";
    item("incidents", i.state + ": " + elsewhere + i.step + where + " — " + (i.error_type || "") + ": " + i.error
         + rule + " — " + i.reason + ", " + when(i.raised_at) + retry, open ? "incident" : "");
  });
  document.getElementById("incidents-title").hidden = !(view.incidents || []).length;
  document.getElementById("state").textContent = view.process_state + " (" + view.source + ")";
  if (view.temporal_ui) { const a = document.getElementById("temporal"); a.href = view.temporal_ui; a.hidden = false; }
  statusLine.textContent = "ready";
  document.body.dataset.ready = "true";
}
show().catch((e) => { errors.textContent += String(e) + "\\n"; statusLine.textContent = "failed"; });
</script>
</body>
</html>
"""
