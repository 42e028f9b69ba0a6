"""Reading the request line an operation page prints: ``DELETE /v3/{project_id}/backups/{backup_id}``.

Each shape the vendors print is a small named rule with a real page as its example. The text
given here has its markup already removed by the outline (``\\{project\\_id\\}`` and
``{*project_id*}`` are ``{project_id}`` by then); these rules cut the method, the path and the
query string apart and clean what markup is left in a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The HTTP methods an operation may print (upper case, as the pages print them).
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
_METHOD = "|".join(HTTP_METHODS)
#: ``GET /v1/x``, ``GET/{api_version}`` (no space), ``Usage: DELETE /v2/x``, ``URI format: POST /v2/x``.
_REQUEST_LINE = re.compile(
    rf"(?:(?:Usage|URI format|URI|Request line|Request URI|URL)[ \t]*+:[ \t]*+)?({_METHOD})(?:[ \t]++|(?=/))(\S.*+)")
_METHOD_ONLY = re.compile(rf"(?:(?:Method|Request method|HTTP method)[ \t]*+:[ \t]*+)?({_METHOD})")
_METHOD_LABEL = re.compile(rf"(?:Method|Request method|HTTP method)[ \t]*+:[ \t]*+({_METHOD})", re.IGNORECASE)
_PATH_LABEL = re.compile(r"(?:PATH|Path|URI|Request path)[ \t]*+:[ \t]*+(\S.*+)")
#: ``{dnat_rule_id }``: spaces inside a placeholder's braces.
_SPACED_PLACEHOLDER = re.compile(r"\{[ \t]++([^{}\s]*+)[ \t]*+\}|\{([^{}\s]*+)[ \t]++\}")
#: ``https://{Endpoint}``, ``http://vpc.example.com``: the scheme and host of a full URL.
_SCHEME_HOST = re.compile(r"https?+://[^/\s]*+", re.IGNORECASE)
#: ``{endpoint}/v1/...``: a host placeholder without a scheme.
_HOST_PLACEHOLDER = re.compile(r"\{[A-Za-z_]{0,40}(?:endpoint|host)\}(?=/)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RequestTarget:
    """What a request line names: ``path`` (from ``/``, no host), ``query`` (after ``?``, or ``None``)."""

    path: str
    query: str | None


@dataclass(frozen=True, slots=True)
class RequestLine:
    """A method and its target, and the rule that read them."""

    method: str
    target: RequestTarget
    rule: str


def request_line(text: str) -> RequestLine | None:
    """``GET /v2/zones?type={type}`` on one line (optionally after ``Usage:`` or ``URI format:``).

    Real pages: rst/domain-name-service/api-ref/source/apis/private_zone_management/querying_private_zones.rst
    (``GET /v2/zones?type={type}&limit={limit}...``); md/doc/source/nat/api-reference/querying-a-specified-api-
    version.md (``GET/\\{api\\_version\\}``, no space); rst/elastic-cloud-server/.../detaching_a_disk_from_an_ecs.rst
    (``Usage: DELETE /v2/...``).

    >>> request_line("GET /v2/zones?type={type}&limit={limit}")
    RequestLine(method='GET', target=RequestTarget(path='/v2/zones', query='type={type}&limit={limit}'), \
rule='request-line')
    """
    match = _REQUEST_LINE.fullmatch(text.strip())
    if match is None:
        return None
    target = request_target(match.group(2))
    return RequestLine(match.group(1), target, "request-line") if target else None


def method_only(text: str) -> str | None:
    """A line that is a bare method, ``GET``: the URI section names no path.

    Real page: rst/virtual-private-network/api-ref/source/api_reference_classic_vpn/api/api_version_information/
    querying_api_versions.rst (``URI`` holds ``GET``; the example request is ``GET https://{Endpoint}/``).
    """
    match = _METHOD_ONLY.fullmatch(text.strip())
    return match.group(1) if match else None


def method_label(text: str) -> str | None:
    """``Method: GET`` (a labelled method line, paired with a ``PATH:`` line by ``labelled_request``)."""
    match = _METHOD_LABEL.fullmatch(text.strip())
    return match.group(1).upper() if match else None


def path_label(text: str) -> RequestTarget | None:
    """``PATH: /v1/{project_id}/vpcs`` (a labelled path line)."""
    match = _PATH_LABEL.fullmatch(text.strip())
    return request_target(match.group(1)) if match else None


def request_target(raw: str) -> RequestTarget | None:
    """The path and query of a printed request target; ``None`` unless it is a path or a full URL.

    Markup left in the text is removed (``*`` and backticks, spaces inside ``{ }``), as is
    punctuation ending the sentence. A full URL (``https://{Endpoint}/v1/...``) loses its scheme
    and host, and a host placeholder before the path (``{endpoint}/v1/...``) is dropped, so
    every path starts with ``/``: the operation is the same whichever endpoint serves it. The
    query string is cut off at ``?`` (kept without the ``?``); an RFC 6570 query expansion
    (``{?reserve_port}``) is kept as printed.

    >>> request_target("https://{Endpoint}/v1/{*project_id*}/bandwidths?limit={limit}")
    RequestTarget(path='/v1/{project_id}/bandwidths', query='limit={limit}')
    >>> request_target("/v2/{project_id}/servers/{server_id}/os-interface/{port_id}{?reserve_port}")
    RequestTarget(path='/v2/{project_id}/servers/{server_id}/os-interface/{port_id}', query='{?reserve_port}')
    """
    text = _SPACED_PLACEHOLDER.sub(lambda m: "{" + (m.group(1) or m.group(2) or "") + "}", raw.strip())
    token = text.split(None, 1)[0] if text else ""
    token = token.replace("*", "").replace("`", "").rstrip(".,;:'\")").lstrip("'\"(")
    host = _SCHEME_HOST.match(token) or _HOST_PLACEHOLDER.match(token)
    if host:
        token = token[host.end():] or "/"
    if not token.startswith("/"):
        return None
    cut = _query_start(token)
    path, query = token[:cut], token[cut:]
    if query.startswith("?"):
        query = query[1:]
    return RequestTarget(path or "/", query or None)


def _query_start(token: str) -> int:
    """Where the query part of a target starts: its ``?``, or a ``{?`` expansion; else its end."""
    positions = [p for p in (token.find("{?"), token.find("?")) if p >= 0]
    return min(positions) if positions else len(token)
