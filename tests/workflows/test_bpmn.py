"""The BPMN models (workflows/model.py, bpmn/*.bpmn) against the schema and against the code: the files
are what the models give, valid BPMN 2.0 with a diagram for every element and flow; the user tasks are
exactly the tasks the workflows open; and the trace check (certflow/conformance.py) tells a path from
what is not one. Every journey's own traces are checked when it ends (tests/workflows/conftest.py)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator

from certflow.bpmn import BPMN_DIR, to_xml
from certflow.conformance import check_trace, code_task_ids
from workflows.model import MODEL_OF, MODELS

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
CERTIFICATION, AUDIT = MODEL_OF["CertificationWorkflow"], MODEL_OF["AuditWorkflow"]
# The code of the two models' workflows: the certification, its audits, and the parts of the life.
LIFE_AND_CERTIFICATION = ("certification", "initial", "audit", "life", "life_audits", "surveillance", "suspension",
                          "changes", "recertification", "special_audit", "notifications", "staff_actions")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.file)
def test_the_files_are_what_the_models_give(model):
    written = (BPMN_DIR / f"{model.file}.bpmn").read_text(encoding="utf-8")
    assert written == to_xml(model), f"bpmn/{model.file}.bpmn is stale: run `certflow bpmn` and commit it"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.file)
def test_valid_bpmn_2_0_with_a_shape_for_every_element_and_an_edge_for_every_flow(model):
    document = etree.parse(str(BPMN_DIR / f"{model.file}.bpmn"))
    BpmnValidator().validate(document)  # the BPMN 2.0 XSD (raises on the first error)
    shapes = {s.get("bpmnElement") for s in document.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in document.iterfind(".//bpmndi:BPMNEdge", NS)}
    assert {e.id for e in model.elements} <= shapes
    assert {f.id for f in model.flows} == edges
    ids = [e.id for e in model.elements]
    assert len(ids) == len(set(ids)), "element ids are unique"
    known = set(ids)
    assert all(f.source in known and f.target in known for f in model.flows)
    # Every element but a start (or an event subprocess) has a way in, every element but an end a way out;
    # a flow stays in its (sub)process; a subprocess starts at its one start event.
    targets, sources = {f.target for f in model.flows}, {f.source for f in model.flows}
    assert {e.id for e in model.elements if e.kind not in ("start", "boundary", "eventsub")} <= targets
    assert all(model.element(e.attached).kind in ("user", "sub") for e in model.elements if e.kind == "boundary")
    assert {e.id for e in model.elements if e.kind not in ("end", "eventsub")} <= sources
    assert all(model.element(f.source).parent == model.element(f.target).parent for f in model.flows)
    for frame in model.containers:
        starts = [e for e in model.inside(frame.id) if e.kind == "start"]
        assert len(starts) == 1 and bool(starts[0].signal or starts[0].message) == (frame.kind == "eventsub")
    # Every user task says which rule it serves and who does it.
    assert all(e.rule and e.role for e in model.elements if e.kind == "user")


def test_the_user_tasks_are_exactly_the_tasks_the_workflows_open():
    in_code = code_task_ids(*(WORKFLOWS / f"{name}.py" for name in LIFE_AND_CERTIFICATION))
    in_models = CERTIFICATION.user_tasks | AUDIT.user_tasks
    assert in_code - in_models == set(), "tasks the code opens that no diagram shows"
    assert in_models - in_code == set(), "tasks a diagram shows that the code never opens"


def test_a_path_passes_and_what_is_not_a_path_is_named():
    grant = ["application_submitted", "record_application", "application_review", "review_conclusion", "contract",
             "programme", "initial_audit", "materials_review", "materials_accepted", "certification_decision",
             "decision_outcome", "more_information", "certification_decision", "decision_outcome",
             "grant_certificate", "granted", "certificate_life"]
    assert check_trace(CERTIFICATION, grant) == []
    # The life's branches interleave: a notification's triage between two surveillance steps is a path.
    life = ["certificate_life", "surveillance_preparation", "surveillance_changes", "act_received", "action",
            "notification_triage", "surveillance_programme", "surveillance_review", "triage_outcome",
            "special_programme", "surveillance_audit", "special_audit", "surveillance_decision",
            "surveillance_outcome", "special_decision", "special_outcome", "withdrawn"]
    assert check_trace(CERTIFICATION, life) == []  # a run that continued as new starts in the life
    skipped = check_trace(CERTIFICATION, [*grant[:4], "programme"])  # no contract
    assert skipped == ["programme cannot follow record_application → application_review → review_conclusion "
                       "in certification.bpmn"]
    assert check_trace(CERTIFICATION, [*grant[:3], "fax_the_regulator"]) == [
        "fax_the_regulator is not an element of certification.bpmn"]
    unmarked = check_trace(CERTIFICATION, grant[:2] + grant[3:])  # the review's gateway without the review
    assert unmarked == ["review_conclusion cannot follow application_submitted → record_application "
                        "in certification.bpmn"]
    audit = ["audit_started", "record_audit", "stage1_needed", "stage1", "stage1_ready", "stage1_not_ready", "stage1",
             "stage1_ready", "visits_and_plan", "onsite_plan", "plan_to_auditee", "mystery_shopper_report",
             "visits_and_plan_done", "onsite_audit", "record_onsite_results", "open_nonconformities",
             "audit_report", "conclude_audit", "report_to_auditee", "concluded"]
    assert check_trace(AUDIT, audit) == []
    assert check_trace(AUDIT, ["audit_started", "record_audit", "onsite_audit"]) != []  # no audit starts on site


ROOT = Path(__file__).resolve().parents[2]


def bpmnlint(path: Path) -> subprocess.CompletedProcess:
    """bpmnlint (web/package.json, pinned) with the checked-in .bpmnlintrc: every rule of bpmnlint but the
    sizes (the layout's), and certflow's own (web/bpmnlint-plugin-certflow, found through NODE_PATH)."""
    return subprocess.run([str(ROOT / "web/node_modules/.bin/bpmnlint"), str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "NODE_PATH": str(ROOT / "web")})


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.file)
def test_bpmnlint_finds_nothing_with_the_strict_config(model):
    result = bpmnlint(BPMN_DIR / f"{model.file}.bpmn")
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_bpmnlint_names_what_an_engine_could_not_run(tmp_path):
    """The strict rules find each thing issue 14 found: a process not executable, a branch without a
    condition, a timer in prose, a message event without its message, a user task without a performer, a
    service task without an implementation, an English flow label."""
    xml = to_xml(CERTIFICATION)
    for before, after in (('isExecutable="true"', 'isExecutable="false"'),
                          ("review_conclusion == 'reject'</bpmn:conditionExpression>", "</bpmn:conditionExpression>"),
                          (">expires_at</bpmn:timeDate>", ">the day after valid_to</bpmn:timeDate>"),
                          ('messageRef="message_act"', ""),
                          ('targetRef="application_rejected" name="不予受理"',
                           'targetRef="application_rejected" name="reject"')):
        assert before in xml, before
        xml = xml.replace(before, after, 1)
    xml = re.sub(r"<bpmn:potentialOwner id=\"contract_owner\".*?</bpmn:potentialOwner>", "", xml, flags=re.S)
    xml = re.sub(r'(<bpmn:serviceTask id="grant_certificate".*?)<certflow:taskDefinition [^>]*/>', r"\1", xml,
                 flags=re.S)
    broken = tmp_path / "certification.bpmn"
    broken.write_text(xml, encoding="utf-8")
    found = bpmnlint(broken).stdout
    for element, rule in (("certification", "executable-process"),
                          ("flow_review_conclusion__application_rejected", "gateway-conditions"),
                          ("expiry_timer", "timer-expressions"), ("act_received_message", "message-references"),
                          ("contract", "task-performers"), ("grant_certificate", "task-implementations"),
                          ("flow_review_conclusion__application_rejected", "chinese-flow-labels")):
        assert re.search(rf"^\s*{element}\s.*certflow/{rule}\s*$", found, flags=re.M), (element, rule, found)


def test_spiffworkflow_parses_both_models_as_executable_processes():
    """An independent engine's parser, with its schema validator, takes both files as executable processes:
    every branch has its condition, every timer its expression, the call activities their process."""
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_files([str(BPMN_DIR / f"{m.file}.bpmn") for m in MODELS])
    assert sorted(parser.get_process_ids()) == sorted(m.id for m in MODELS)
    certification = parser.get_spec(CERTIFICATION.id)
    assert set(parser.get_subprocess_specs(CERTIFICATION.id)) == {AUDIT.id} | {e.id for e in CERTIFICATION.containers}
    specs = set(certification.task_specs)
    for frame in CERTIFICATION.containers:
        specs |= set(parser.get_subprocess_specs(CERTIFICATION.id)[frame.id].task_specs)
    assert {e.id for e in CERTIFICATION.elements} <= specs
    shopper = parser.get_spec(AUDIT.id).task_specs["mystery_shopper_report"]
    assert shopper.data_input.bpmn_id == "planned_visits"  # one report per planned visit


def test_the_certificates_life_has_the_semantics_of_the_code_R_9_6():
    """Issue 14's life: the cycle a subprocess whose branches end it (expiry and renewal terminate it, R-9.6.8,
    R-9.3); a withdrawal from anywhere interrupts it (R-9.6.7); staff actions and R-11 notifications, and a
    suspension, run beside it as event subprocesses; a reinstatement cancels the suspension with its end
    timer (R-9.6.3); surveillance, suspension and recertification are subprocesses on their own pages."""
    element = CERTIFICATION.element
    assert element("certificate_life").kind == "sub"
    assert element("expired").terminate and element("renewed").terminate
    assert element("expired").parent == element("renewed").parent == "certificate_life"
    withdrawal = element("withdrawal_ordered")
    assert (withdrawal.attached, withdrawal.interrupting, withdrawal.signal) == ("certificate_life", True, "withdraw")
    assert element("withdrawn").terminate and element("withdrawn").parent is None
    staff, suspension = element("staff_action"), element("suspension_period")
    assert staff.kind == suspension.kind == "eventsub"
    assert not element("act_received").interrupting and element("act_received").message == "act"
    assert not element("suspended").interrupting and element("suspended").signal == "suspend"
    reinstated = element("reinstated")
    assert (reinstated.attached, reinstated.interrupting, reinstated.signal) == ("suspension", True, "reinstate")
    assert {"suspension_end", "suspension_outcome"} <= {e.id for e in CERTIFICATION.inside("suspension")}
    for frame in ("surveillance", "suspension", "recertification"):
        assert element(frame).kind == "sub"
    document = etree.parse(str(BPMN_DIR / "certification.bpmn"))
    for frame in CERTIFICATION.containers:  # each subprocess's content on its own page (plane)
        plane = document.find(f".//bpmndi:BPMNPlane[@bpmnElement='{frame.id}']", NS)
        assert plane is not None, frame.id
        drawn = {s.get("bpmnElement") for s in plane.iterfind("bpmndi:BPMNShape", NS)}
        assert drawn == {e.id for e in CERTIFICATION.inside(frame.id)}, frame.id
        shape = document.find(f".//bpmndi:BPMNShape[@bpmnElement='{frame.id}']", NS)
        assert shape is not None and shape.get("isExpanded") == "false"
