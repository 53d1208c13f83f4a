"""The body's configuration of the scheme: every **Decision** of RULES.md in one model.

The scheme's own numbers (3 working days, 12 months, 6 months, 80 %, ...) stay in the rule modules;
what is ours to choose is here, with RULES.md's reading as the default. The settings expose it as
``CERTFLOW_SCHEME__<PART>__<FIELD>`` (e.g. ``CERTFLOW_SCHEME__LIFECYCLE__SURVEILLANCE_INTERVAL_MONTHS=6``),
and ``certflow config`` prints what is in force. Workflows receive it as input, so a running
certification keeps the configuration it started under until it is handed a new one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from rules.audit_time import AuditTimePolicy
from rules.lifecycle import LifecyclePolicy
from rules.numbering import NumberingPolicy
from rules.rating import RatingPolicy


class SchemePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    audit_time: AuditTimePolicy = Field(default_factory=AuditTimePolicy)
    lifecycle: LifecyclePolicy = Field(default_factory=LifecyclePolicy)
    rating: RatingPolicy = Field(default_factory=RatingPolicy)
    numbering: NumberingPolicy = Field(default_factory=NumberingPolicy)
