"""The API-change checks: one registry of every kind of change ``pipeline diff`` reports about the API.

Each check has a stable id, a severity and a one-line description; README's table of checks is
checked against ``CHECKS`` by a test, both ways. The severity depends on the direction of the
change, as oasdiff's does: what a client already written against the old docs stops working
with is ``breaking`` (a new required request parameter, a removed response field), what may
break some clients is ``warning`` (a request parameter removed: a client still sending it may
be refused), what breaks none is ``info`` (a new optional parameter, a new response field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["breaking", "warning", "info"]
#: The severities, most severe first; ``--fail-on`` names one of them.
SEVERITIES: tuple[Severity, ...] = ("breaking", "warning", "info")


@dataclass(frozen=True, slots=True)
class ApiCheck:
    """One kind of API change: its stable id, its severity, what it means."""

    id: str
    severity: Severity
    description: str


def at_least(severity: Severity, threshold: Severity) -> bool:
    """True when ``severity`` is ``threshold`` or more severe (``breaking`` >= ``warning`` >= ``info``)."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(threshold)


# --- operations ----------------------------------------------------------------------------------
OPERATION_ADDED = ApiCheck("api-operation-added", "info", "an operation (method and path) is new")
OPERATION_REMOVED = ApiCheck("api-operation-removed", "breaking", "an operation is no longer documented")
OPERATION_DEPRECATED = ApiCheck("api-operation-deprecated", "warning", "an operation is now said to be deprecated")
OPERATION_REACTIVATED = ApiCheck("api-operation-reactivated", "info", "an operation is no longer said to be deprecated")

# --- request parameters (path, query, header, body) ------------------------------------------------
REQUEST_ADDED_REQUIRED = ApiCheck("request-parameter-added-required", "breaking",
                                  "a new request parameter (or body field) that is required")
REQUEST_ADDED_OPTIONAL = ApiCheck("request-parameter-added-optional", "info",
                                  "a new request parameter (or body field) that is optional or not said to be "
                                  "required")
REQUEST_REMOVED = ApiCheck("request-parameter-removed", "warning",
                           "a request parameter (or body field) is no longer documented: a client still sending it "
                           "may be refused")
REQUEST_BECAME_REQUIRED = ApiCheck("request-parameter-became-required", "breaking",
                                   "a request parameter that was optional (or not said) is now required")
REQUEST_BECAME_OPTIONAL = ApiCheck("request-parameter-became-optional", "info",
                                   "a required request parameter is now optional (or no longer said to be required)")
REQUEST_TYPE_CHANGED = ApiCheck("request-parameter-type-changed", "breaking",
                                "a request parameter's JSON type changed (string to integer, object to array)")
REQUEST_PRINTED_TYPE_CHANGED = ApiCheck("request-parameter-printed-type-changed", "info",
                                        "a request parameter's printed type changed, its JSON type did not "
                                        "(String(64) to String(128))")

# --- response fields and headers ---------------------------------------------------------------------
RESPONSE_FIELD_ADDED = ApiCheck("response-field-added", "info", "a new response field (or header)")
RESPONSE_FIELD_REMOVED = ApiCheck("response-field-removed", "breaking",
                                  "a response field (or header) is no longer documented: a client reading it breaks")
RESPONSE_FIELD_BECAME_OPTIONAL = ApiCheck("response-field-became-optional", "warning",
                                          "a response field said to be always present is now optional")
RESPONSE_FIELD_BECAME_REQUIRED = ApiCheck("response-field-became-required", "info",
                                          "a response field is now said to be always present")
RESPONSE_TYPE_CHANGED = ApiCheck("response-field-type-changed", "breaking",
                                 "a response field's JSON type changed")
RESPONSE_PRINTED_TYPE_CHANGED = ApiCheck("response-field-printed-type-changed", "info",
                                         "a response field's printed type changed, its JSON type did not")

# --- response status codes ---------------------------------------------------------------------------
STATUS_ADDED = ApiCheck("response-status-added", "info", "an operation documents a new response status code")
SUCCESS_STATUS_REMOVED = ApiCheck("response-success-status-removed", "breaking",
                                  "a 1xx-3xx status code an operation returned is no longer documented")
ERROR_STATUS_REMOVED = ApiCheck("response-error-status-removed", "warning",
                                "a 4xx/5xx status code an operation returned is no longer documented")

#: Every check, by id, in the order of README's table.
CHECKS: dict[str, ApiCheck] = {check.id: check for check in (
    OPERATION_ADDED, OPERATION_REMOVED, OPERATION_DEPRECATED, OPERATION_REACTIVATED,
    REQUEST_ADDED_REQUIRED, REQUEST_ADDED_OPTIONAL, REQUEST_REMOVED, REQUEST_BECAME_REQUIRED, REQUEST_BECAME_OPTIONAL,
    REQUEST_TYPE_CHANGED, REQUEST_PRINTED_TYPE_CHANGED,
    RESPONSE_FIELD_ADDED, RESPONSE_FIELD_REMOVED, RESPONSE_FIELD_BECAME_OPTIONAL, RESPONSE_FIELD_BECAME_REQUIRED,
    RESPONSE_TYPE_CHANGED, RESPONSE_PRINTED_TYPE_CHANGED,
    STATUS_ADDED, SUCCESS_STATUS_REMOVED, ERROR_STATUS_REMOVED,
)}
