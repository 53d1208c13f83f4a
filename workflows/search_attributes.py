"""The search attributes of a certification (Temporal UI and the operators' lists)."""

from temporalio.common import SearchAttributeKey

CERT_NUMBER = SearchAttributeKey.for_keyword("CertificateNumber")
CERT_STATUS = SearchAttributeKey.for_keyword("CertStatus")
STAR_LEVEL = SearchAttributeKey.for_keyword("StarLevel")
ORGANIZATION = SearchAttributeKey.for_text("OrganizationName")
NEXT_DUE = SearchAttributeKey.for_datetime("NextDue")
