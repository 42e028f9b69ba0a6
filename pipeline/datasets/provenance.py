"""Where the documentation comes from and under which licence, as its upstream repositories state it.

The pages are Open Telekom Cloud's API documentation, published on GitHub in three places
(the corpus' ``SOURCES.tsv`` names the repository and commit of every page in ``raw_docs``):
``opentelekomcloud/docs`` (the HTML/markdown pages), the ``opentelekomcloud-docs/<service>``
repositories (RST, one per service) and ``opentelekomcloud-docs-swiss/<service>`` (the Swiss
region's copies). Each states the Apache License 2.0: the ``LICENSE`` file at the root of the
``opentelekomcloud-docs`` repositories (e.g. virtual-private-cloud, elastic-cloud-server,
nat-gateway, vpc-endpoint), the classifier ``License :: OSI Approved :: Apache Software License``
in their ``setup.cfg``, and the header of ``doc/source/conf.py`` in ``opentelekomcloud/docs``
(which carries no LICENSE file of its own). A dataset derived from them is published under the
same licence.
"""

from __future__ import annotations

from typing import Any

#: The upstream repositories, as Frictionless ``sources`` entries.
SOURCES: tuple[dict[str, Any], ...] = (
    {"title": "Open Telekom Cloud documentation (HTML and markdown pages): opentelekomcloud/docs",
     "path": "https://github.com/opentelekomcloud/docs"},
    {"title": "Open Telekom Cloud service documentation (RST): the opentelekomcloud-docs repositories",
     "path": "https://github.com/opentelekomcloud-docs"},
    {"title": "Open Telekom Cloud Swiss region documentation (RST): the opentelekomcloud-docs-swiss repositories",
     "path": "https://github.com/opentelekomcloud-docs-swiss"},
)

#: The licence the upstream repositories state, as a Frictionless ``licenses`` entry.
LICENSES: tuple[dict[str, Any], ...] = (
    {"name": "Apache-2.0", "title": "Apache License 2.0", "path": "https://www.apache.org/licenses/LICENSE-2.0"},
)

#: Where the licence is stated, for the data dictionary.
LICENSE_EVIDENCE = ("the LICENSE file of the opentelekomcloud-docs repositories, the Apache classifier of "
                    "their setup.cfg, and the licence header of doc/source/conf.py in opentelekomcloud/docs")
