"""The BPMN models (workflows/model.py, bpmn/*.bpmn) against the schema and against the code: the files
are what the models give, valid BPMN 2.0 with a diagram for every element and flow; the user tasks are
exactly the tasks the workflows open; and the trace check (certflow/conformance.py) tells a path from
what is not one. Every journey's own traces are checked when it ends (tests/workflows/conftest.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

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
    # Every element but a start has a way in, every element but an end a way out.
    targets, sources = {f.target for f in model.flows}, {f.source for f in model.flows}
    assert {e.id for e in model.elements if e.kind not in ("start", "boundary")} <= targets
    assert all(model.element(e.attached).kind == "user" for e in model.elements if e.kind == "boundary")
    assert {e.id for e in model.elements if e.kind != "end"} <= sources
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


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.file)
def test_bpmnlint_finds_nothing_with_the_checked_in_config(model):
    """bpmnlint (web/package.json, pinned) with .bpmnlintrc: the recommended rules."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([str(root / "web/node_modules/.bin/bpmnlint"), f"bpmn/{model.file}.bpmn"], cwd=root,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr
