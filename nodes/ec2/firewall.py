"""Security groups as nftables rules in the instance's own network namespace.

Stateful like EC2's: replies to allowed traffic pass both ways; inbound is
denied unless a rule allows it, outbound likewise (a new group allows all
outbound). Loopback traffic inside the instance, its metadata service among
it, is always allowed. Stdlib only: the instance's init imports it.
"""

from __future__ import annotations

TABLE = "azlab_security_groups"


def ruleset(firewall: dict[str, list[dict]]) -> str:
    """The nft script replacing the table: `firewall` is {"ingress": [...], "egress": [...]}, each rule
    {protocol, from_port, to_port, sources} with CIDRs or addresses as sources."""
    lines = [
        f"table inet {TABLE} {{}}",  # so that the delete below always finds one
        f"delete table inet {TABLE}",
        f"table inet {TABLE} {{",
        "  chain input { type filter hook input priority 0; policy drop;",
        "    ct state established,related accept",
        '    iifname "lo" accept',
        *(f"    {r}" for rule in firewall.get("ingress", []) for r in _rules(rule, "saddr")),
        "  }",
        "  chain output { type filter hook output priority 0; policy drop;",
        "    ct state established,related accept",
        '    oifname "lo" accept',
        *(f"    {r}" for rule in firewall.get("egress", []) for r in _rules(rule, "daddr")),
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _rules(rule: dict, direction: str) -> list[str]:
    sources = ", ".join(rule["sources"])
    peer = f"ip {direction} {{ {sources} }}"
    protocol = rule["protocol"]
    if protocol == "-1":
        return [f"{peer} accept"]
    if protocol == "icmp":
        match = "icmp type " + str(rule["from_port"]) if rule["from_port"] != -1 else "ip protocol icmp"
        return [f"{peer} {match} accept"]
    low, high = rule["from_port"], rule["to_port"]
    ports = str(low) if low == high else f"{low}-{high}"
    return [f"{peer} {protocol} dport {ports} accept"]
