"""Security groups rendered as nftables rules; where this host has netns and nftables, nft itself checks them."""

from __future__ import annotations

import os
import subprocess

import pytest

from azlab.common.network import NetnsNetwork
from azlab.nodes.ec2 import firewall

RULES = {
    "ingress": [
        {"protocol": "tcp", "from_port": 8080, "to_port": 8080, "sources": ["0.0.0.0/0"]},
        {"protocol": "udp", "from_port": 5000, "to_port": 5100, "sources": ["10.11.1.1", "10.11.1.2"]},
        {"protocol": "icmp", "from_port": 8, "to_port": -1, "sources": ["10.10.0.0/16"]},
        {"protocol": "-1", "from_port": -1, "to_port": -1, "sources": ["10.12.1.7"]},
    ],
    "egress": [{"protocol": "-1", "from_port": -1, "to_port": -1, "sources": ["0.0.0.0/0"]}],
}


def test_inbound_is_denied_but_for_the_rules_and_replies():
    text = firewall.ruleset(RULES)
    assert "chain input { type filter hook input priority 0; policy drop;" in text
    assert "ct state established,related accept" in text  # stateful: replies pass
    assert "ip saddr { 0.0.0.0/0 } tcp dport 8080 accept" in text
    assert "ip saddr { 10.11.1.1, 10.11.1.2 } udp dport 5000-5100 accept" in text
    assert "ip saddr { 10.10.0.0/16 } icmp type 8 accept" in text
    assert "ip saddr { 10.12.1.7 } accept" in text
    assert "ip daddr { 0.0.0.0/0 } accept" in text


def test_no_rules_deny_everything_but_loopback():
    text = firewall.ruleset({})
    assert "accept" in text and "dport" not in text and "saddr" not in text


@pytest.mark.skipif(NetnsNetwork.available() is not None, reason=str(NetnsNetwork.available()))
def test_nft_accepts_the_ruleset_in_a_namespace():
    ns = f"azlab-fwtest-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        for rules in (RULES, {}, RULES):  # applied again over itself: the table is replaced, never doubled
            done = subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=firewall.ruleset(rules),
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        listed = subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "table", "inet", firewall.TABLE],
                                capture_output=True, text=True, check=True).stdout
        assert listed.count("dport 8080") == 1
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=True)
