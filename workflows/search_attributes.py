"""The search attributes of a certification and its audits (the Temporal UI and the operators' lists;
registered by `certflow temporal setup`, names and types in certflow/settings.py SEARCH_ATTRIBUTES).

A process is found from its start by its application, the organization's name or credit code, and by a
part of the name: the dev server's Text search does not split Chinese words, so ``OrganizationTerms``
holds the name's runs of two to four characters (``OrganizationTerms = '呼叫'`` finds 示例呼叫中心).
"""

from __future__ import annotations

from uuid import UUID

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from workflows.patching import patched

CERT_NUMBER = SearchAttributeKey.for_keyword("CertificateNumber")
CERT_STATUS = SearchAttributeKey.for_keyword("CertStatus")
STAR_LEVEL = SearchAttributeKey.for_keyword("StarLevel")
ORGANIZATION = SearchAttributeKey.for_text("OrganizationName")
NEXT_DUE = SearchAttributeKey.for_datetime("NextDue")
APPLICATION_ID = SearchAttributeKey.for_keyword("ApplicationId")
CREDIT_CODE = SearchAttributeKey.for_keyword("CreditCode")
ORGANIZATION_TERMS = SearchAttributeKey.for_keyword_list("OrganizationTerms")

MAX_TERMS = 100  # a long name's terms stop here (Temporal bounds an attribute's size)


def name_terms(name: str) -> list[str]:
    """The runs of two to four characters of ``name`` (spaces dropped), first seen first, and the whole."""
    text = "".join(name.split())
    terms = dict.fromkeys(text[i:i + n] for n in (2, 3, 4) for i in range(len(text) - n + 1))
    return [text, *[t for t in terms if t != text]][:MAX_TERMS] if text else []


def about(application_id: UUID, organization: str, credit_code: str | None,
          certificate_number: str | None = None) -> TypedSearchAttributes:
    """What a process is about, set when it starts: the certification by the API, an audit by its
    certification."""
    pairs: list[SearchAttributePair] = [
        SearchAttributePair(APPLICATION_ID, str(application_id)),
        SearchAttributePair(ORGANIZATION, organization),
        SearchAttributePair(ORGANIZATION_TERMS, name_terms(organization)),
    ]
    if credit_code:
        pairs.append(SearchAttributePair(CREDIT_CODE, credit_code))
    if certificate_number:
        pairs.append(SearchAttributePair(CERT_NUMBER, certificate_number))
    return TypedSearchAttributes(pairs)


AUDIT_WORDS = {"initial": "初次认证审查", "surveillance": "监督审查", "recertification": "再认证审查",
               "special": "特殊审查"}


def audit_start(kind: str, application_id: UUID, organization: str, credit_code: str | None,
                certificate_number: str | None, old_summary: str) -> dict:
    """The search attributes and the summary an audit starts with. Runs begun before the "audit-search-
    attributes" marker started their audits with the English summary alone, and replay that."""

    if not patched("audit-search-attributes"):
        return {"static_summary": old_summary}
    number = f"（{certificate_number}）" if certificate_number else ""
    return {"static_summary": f"{AUDIT_WORDS.get(kind, kind)}：{organization}{number}",
            "search_attributes": about(application_id, organization, credit_code, certificate_number)}
