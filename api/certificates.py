"""Certificates for the body's staff: the list with its filters, one certificate with its timeline and
what is due next, and the actions of its life (R-9.4, R-9.6, R-10.3.4, R-11).

Lists come from the register; one certificate adds its process's live answer (DESIGN.md "Data and
truth"). An action is the ``act`` Update of the certificate's process, which refuses what the
certificate's state or the scheme forbids; what the API can tell without asking the process (who may
ask, whether the certificate exists and has not ended, whether the body is complete) it answers first.

No ``from __future__ import annotations`` here: each action's route is made in a loop, and FastAPI
reads the body model from the endpoint's real annotations.
"""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from temporalio.client import Client

from api.applications import TimelineEntry
from api.auth import db, temporal
from api.paging import DEFAULT_PAGE, Limit, Offset
from api.permissions import CERTIFICATE_ACTIONS, Action, permitted
from api.problems import Problem
from api.processes import live_state, send_update
from schemas.actions import ACT_UPDATE, ACTION_MODELS, ActionReceipt, ActionRequest
from schemas.base import Day
from schemas.certificate_versions import CertificateVersion
from schemas.certificates import CertStatus, StarLevel
from schemas.tasking import Actor
from schemas.text import Line
from store.certificate_search import CertificatePage, CertificateRow, get_certificate_row, search_certificates
from store.certificate_versions import versions_of
from store.certificates import certificate_sites
from store.documents import latest_document
from store.events import events_for, events_of_certification
from store.organizations import get_site
from workflows.contracts import STATUS_QUERY, DueDate, LifeStatus, ProcessStatus

router = APIRouter(prefix="/api/v1/certificates", tags=["certificates"])

ENDED_RULES = {CertStatus.WITHDRAWN: "R-9.6.7", CertStatus.EXPIRED: "R-9.6.8"}
ENDED_WORDS = {
    CertStatus.WITHDRAWN: "is withdrawn: that is final, and its number is never used again",
    CertStatus.EXPIRED: "has expired: further certification is a new initial application",
}


class CertificateList(CertificatePage):
    limit: int
    offset: int


class SiteView(BaseModel):
    name: str
    sub_number: str
    removed_on: date | None = Field(None, description="taken out of the scope (R-9.6.6)")


class CertificateView(BaseModel):
    """The register's record, the process's live answer when it runs (``life``), what is due next
    (live when the process answers, else the register's last copy) and the certificate's timeline."""

    certificate: CertificateRow
    sites: list[SiteView]
    running: bool
    process_state: str = Field(description="Temporal's execution state: RUNNING, COMPLETED, TERMINATED, ...")
    life: LifeStatus | None
    next_due: list[DueDate]
    note: str | None = None
    timeline: list[TimelineEntry]
    versions: list[CertificateVersion] = Field(
        default_factory=list, description="what the certificate said from each day on, oldest first (never changed)")


CertificateSort = Literal["number", "-number", "issued", "-issued", "valid_to", "-valid_to", "next_due", "-next_due"]


@router.get("", response_model=CertificateList, summary="certificates, filtered; soonest due first with due_before")
async def certificates(
    request: Request, response: Response,
    actor: Actor = Depends(permitted(Action.LIST_CERTIFICATES)), pool: asyncpg.Pool = Depends(db),
    status: CertStatus | None = Query(None, description="the public status (R-9.6.8)"),
    organization: Line | None = Query(None, description="part of the organization's name, or its id"),
    star_level: StarLevel | None = None,
    due_before: Day | None = Query(None, description="something due (a surveillance, a suspension's end, the "
                                                      "invitation to recertify, the expiry) before this day"),
    limit: Limit = DEFAULT_PAGE, offset: Offset = 0,
    after: Line | None = Query(None, max_length=400, description="the next page's cursor, from the previous answer's "
                                                               "Link header (rel=next); then offset is not used"),
    sort: CertificateSort | None = Query(None, description="by number (the default), issue day, expiry (valid_to) "
                                                          "or what is due next (the default with due_before); a "
                                                          "leading - reverses"),
) -> CertificateList:
    """The register's certificates, filtered by status, organization, star level or what is due before a
    day (soonest due first), a page at a time with the total. When there is more, the ``Link`` header
    names the next page (``rel="next"``): it starts after this page's last row, so certificates issued or
    changed meanwhile neither repeat nor skip a row (``offset`` still works, without that promise)."""
    page = await search_certificates(pool, status=status, organization=organization, star_level=star_level,
                                     due_before=due_before, limit=limit, offset=offset, after=after,
                                     sort=sort)
    if page.next_cursor is not None:
        following = request.url.remove_query_params("offset").include_query_params(after=page.next_cursor)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return CertificateList(total=page.total, items=page.items, limit=limit, offset=offset)


async def _certificate_or_404(pool: asyncpg.Pool, number: str) -> CertificateRow:
    row = await get_certificate_row(pool, number.strip().upper())
    if row is None:
        raise Problem(404, f"No certificate {number} is in the register.")
    return row


@router.get("/{number}", response_model=CertificateView, summary="one certificate: sites, timeline, what is due next")
async def certificate(
    number: str, actor: Actor = Depends(permitted(Action.READ_CERTIFICATE)), pool: asyncpg.Pool = Depends(db),
    client: Client = Depends(temporal),
) -> CertificateView:
    """One certificate: the register's record, its sites (removed ones with their day), what its process
    says now (or the register's last copy when it does not answer), what is due next, its timeline and
    every version of what it said."""
    row = await _certificate_or_404(pool, number)
    live = await live_state(client, row.workflow_id, STATUS_QUERY, ProcessStatus)
    life = live.answer.life if live and live.answer else None
    if life is not None:
        next_due = life.next_due
    elif row.next_due_on is not None and row.next_due_what is not None:
        next_due = [DueDate.model_validate(  # the register keeps what is due as text: validated here
            {"what": row.next_due_what, "on": row.next_due_on, "rule_id": _DUE_RULES[row.next_due_what]})]
    else:
        next_due = []
    note = live.note if live else ("Temporal no longer holds this certificate's process; "
                                   "the register shows what it recorded.")
    sites = []
    for s in await certificate_sites(pool, row.number, include_removed=True):
        site = await get_site(pool, s.site_id)
        sites.append(SiteView(name=site.name if site else "", sub_number=s.sub_number, removed_on=s.removed_on))
    # Its own events, and the written notices its process and audits sent the organization (recorded under
    # the application, as they were before there was a certificate): the mails sent about it.
    notices = [e for e in await events_of_certification(pool, row.workflow_id) if e.kind.startswith("notice.")]
    events = sorted([*await events_for(pool, subject=row.number), *notices], key=lambda e: e.occurred_at)
    return CertificateView(
        certificate=row, sites=sites, running=bool(live and live.running),
        process_state=live.state if live else "NOT_FOUND", life=life, next_due=next_due, note=note,
        timeline=[TimelineEntry(at=e.occurred_at, actor=e.actor, kind=e.kind, rule_id=e.rule_id, data=e.data)
                  for e in events],
        versions=await versions_of(pool, row.number))


@router.get("/{number}/document", response_class=Response, summary="the certificate document (PDF, R-10.2), no token "
            "needed: what it certifies is public; its true status is on the public register (R-9.6.8)",
            responses={200: {"content": {"application/pdf": {}}}, 404: {"description": "no such certificate or "
                                                                                     "no document yet"}})
async def document(number: str, pool: asyncpg.Pool = Depends(db)) -> Response:
    """The certificate document as PDF (R-10.2), open to anyone: what it certifies is public, and its
    true status today is on the public register (R-9.6.8). Made a moment after the decision or a
    reissue: until then 404 with Retry-After."""
    wanted = number.strip().upper()
    found = await latest_document(pool, wanted)
    if found is None:
        if await get_certificate_row(pool, wanted) is None:
            raise Problem(404, f"No certificate {number} is in the register.")
        raise Problem(404, f"Certificate {wanted} has no document yet: it is made a moment after the decision "
                      "or the reissue. Please try again shortly.", headers={"Retry-After": "5"})
    stored, content = found
    return Response(content, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{wanted}{f"-{stored.revision}" if stored.revision else ""}.pdf"',
        "ETag": f'"{stored.sha256}"', "X-Certificate-Revision": str(stored.revision)})


_DUE_RULES = {"surveillance": "R-9.2.1", "suspension_end": "R-9.6.3", "recertification_invitation": "R-9.3",
              "expiry": "R-10.1"}


def _action_endpoint(name: str, model: type[BaseModel]) -> Callable[..., Awaitable[ActionReceipt]]:
    allowed = permitted(CERTIFICATE_ACTIONS[name])

    async def act(number: str, body: model, actor: Actor = Depends(allowed),  # type: ignore[valid-type]
                  pool: asyncpg.Pool = Depends(db), client: Client = Depends(temporal)) -> ActionReceipt:
        row = await _certificate_or_404(pool, number)
        if row.status in ENDED_RULES:
            raise Problem(409, f"Certificate {row.number} {ENDED_WORDS[row.status]}; it takes no more actions.",
                          title="Not possible in the certificate's present state", rule_id=ENDED_RULES[row.status])
        request = ActionRequest(actor=actor, action=body)
        return await send_update(client, row.workflow_id, ACT_UPDATE, request, ActionReceipt)

    act.__name__ = f"certificate_{name}"
    act.__doc__ = (f"{_SUMMARIES[name][0].upper()}{_SUMMARIES[name][1:]}.\n\nSent to the certificate's process, "
                   "which refuses what the certificate's present state forbids (409) or a rule of the scheme "
                   "forbids (422 with the rule id). A withdrawn or expired certificate takes no more actions (409).")
    return act


_SUMMARIES = {
    "suspend": "suspend the certificate, with the cause and the reasons (R-9.6.2, at most 6 months: R-9.6.3)",
    "reinstate": "lift the suspension: the cause is resolved (R-9.6.3)",
    "withdraw": "withdraw the certificate: final (R-9.6.7, R-10.4)",
    "reduce_scope": "take sites or part of the scope out (R-9.6.6); the certificate is reissued",
    "reissue": "reissue on a change of name, address or scope: same number and validity (R-10.3.4)",
    "special_audit": "order a special audit: a scope change (R-9.4.1) or at short notice (R-9.4.2)",
    "notification": "record what the organization reported (R-11); a programme manager triages it",
}

for _name, _model in ACTION_MODELS.items():
    router.add_api_route(f"/{{number}}/{_name}", _action_endpoint(_name, _model), methods=["POST"],
                         response_model=ActionReceipt, summary=_SUMMARIES[_name])
