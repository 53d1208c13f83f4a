"""An application for certification as it arrives (R-9.1.1).

Fields are optional in the model so that an incomplete application can be answered with one list of
everything missing (:meth:`ApplicationSubmission.missing`), not one error at a time.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.base import Day
from schemas.text import Email, Line, Text

# the materials listed by the scheme ("including but not limited to": others may be added).
REQUIRED_MATERIALS: dict[str, str] = {
    "business_licence": "营业执照 business licence",
    "service_licence": "业务经营许可证 service licence (or a statement that none is required)",
    "service_description": "服务说明 service description",
    "applicable_laws": "适用法律法规清单 list of applicable laws and regulations",
    "organization_profile": "组织简介 organization profile",
    "organization_chart": "组织机构图 organization chart",
    "facilities_and_funding": "设施和资金说明 facilities and funding",
    "existing_certificates": "已获认证证书 existing certificates (or a statement that there are none)",
    "service_document_list": "服务文件清单 list of service documents",
}


class Contact(BaseModel):
    name: Line | None = None
    phone: Line | None = None
    email: Email | None = None


class OrganizationData(BaseModel):
    name: Line | None = None
    credit_code: Line | None = Field(None, description="统一社会信用代码, 18 characters")
    registered_address: Text | None = None
    postcode: Line | None = None
    legal_status_proof: Line | None = Field(None, description="reference of the legal status proof")
    contact: Contact = Field(default_factory=Contact)


class SiteData(BaseModel):
    name: Line
    address: Text = ""
    postcode: Line = ""
    headcount: int = Field(description="effective headcount at the site (Appendix A)")


class Licence(BaseModel):
    name: Line
    number: Line
    valid_to: Day | None = None


class InformationForm(BaseModel):
    resources: Text | None = None
    processes: Text | None = None
    risk_management: Text | None = None


class ApplicationSubmission(BaseModel):
    organization: OrganizationData = Field(default_factory=OrganizationData)
    sites: list[SiteData] = Field(default_factory=list)
    scope: Text | None = Field(None, description="the service to be certified (certified service category)")
    service_documents_in_operation_since: Day | None = None
    licences: list[Licence] = Field(default_factory=list, description="administrative licences where required")
    information_form: InformationForm = Field(default_factory=InformationForm)
    materials: list[Line] = Field(default_factory=list,
                                  description=f"keys of the materials supplied: {', '.join(REQUIRED_MATERIALS)}")

    def missing(self) -> list[str]:
        """Everything R-9.1.1 asks for that is not here, in words an applicant understands."""
        gaps: list[str] = []
        org = self.organization
        for field, words in (("name", "organization name"), ("credit_code", "unified social credit code"),
                             ("registered_address", "registered address"), ("postcode", "postcode"),
                             ("legal_status_proof", "legal status proof")):
            if not (getattr(org, field) or "").strip():
                gaps.append(f"organization.{field}: {words}")
        if not any((getattr(org.contact, f) or "").strip() for f in ("phone", "email")):
            gaps.append("organization.contact: a phone number or an e-mail address")
        if not self.sites:
            gaps.append("sites: at least one site with its headcount")
        for i, site in enumerate(self.sites):
            if site.headcount <= 0:
                gaps.append(f"sites[{i}].headcount: a positive effective headcount")
        names = [s.name for s in self.sites]
        if len(set(names)) != len(names):
            gaps.append("sites: each site needs a distinct name")
        if not (self.scope or "").strip():
            gaps.append("scope: the service to be certified")
        if self.service_documents_in_operation_since is None:
            gaps.append("service_documents_in_operation_since: since when the service documents are in operation")
        form = self.information_form
        for field in ("resources", "processes", "risk_management"):
            if not (getattr(form, field) or "").strip():
                gaps.append(f"information_form.{field}")
        for key, words in REQUIRED_MATERIALS.items():
            if key not in self.materials:
                gaps.append(f"materials.{key}: {words}")
        return gaps

    @property
    def total_headcount(self) -> int:
        """Appendix A is read on the effective headcount of the whole scope: the sites together."""
        return sum(site.headcount for site in self.sites)
