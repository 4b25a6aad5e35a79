"""An AZ's Route53 checker against real TLS servers on loopback: HTTPS, HTTPS_STR_MATCH, SNI."""

from __future__ import annotations

import asyncio

import pytest

from azlab.nodes.route53.server import Checker
from azlab.route53.v1.nameserver_pb2 import NameServerSettings
from tests.sites import serve


@pytest.fixture
def site(tmp_path):
    with serve(tmp_path) as site:
        yield site


def probe(**spec) -> tuple[bool, str]:
    spec = {"type": "HTTPS", "ip_address": "127.0.0.1", "resource_path": "/health", "fully_qualified_domain_name": "",
            "search_string": "", "request_interval": 1, "failure_threshold": 1, **spec}
    return asyncio.run(Checker(NameServerSettings.HealthCheck(**spec), "127.0.0.1").probe())


def test_https_checks_pass_without_verifying_the_certificate(site):
    assert probe(port=site.port) == (True, "Success: HTTP status code 200")
    assert site.server_names == [None]  # no FullyQualifiedDomainName: no SNI


def test_https_checks_send_the_fully_qualified_domain_name_as_sni(site):
    ok, _ = probe(port=site.port, fully_qualified_domain_name="www.example.lab")
    assert ok and site.server_names == ["www.example.lab"]


def test_https_string_match_looks_in_the_body(site):
    assert probe(port=site.port, type="HTTPS_STR_MATCH", search_string="status: ok")[0]
    ok, detail = probe(port=site.port, type="HTTPS_STR_MATCH", search_string="status: fine")
    assert not ok and "search string" in detail


def test_an_https_check_of_a_plain_http_port_fails():
    with serve() as plain:
        ok, detail = probe(port=plain.port)
    assert not ok and detail.startswith("Failure")
