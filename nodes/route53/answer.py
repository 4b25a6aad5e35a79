"""How an AZ's DNS server answers: pure, from one snapshot of the zone data.

`Answerer(settings).respond(wire, client)` (settings: the
azlab.route53.v1.NameServerSettings the server was told) turns a query's bytes into the
response's bytes (or None: drop it), as an authoritative-only server does:
AA set; NXDOMAIN with the SOA in authority for names a zone does not hold,
NOERROR with the SOA for names that hold no data of that type; REFUSED for
names in no zone we serve (and for private zones asked from outside the
region); FORMERR for a packet that parses as a header but not as a query.

Names: a name the zone does not hold is answered from the wildcard at its
closest encloser (`*.<closest encloser>`, RFC 4592) when there is one, the
answer's owner being the name asked. A name at or below a delegation (NS
records below the apex) gets a referral: no AA, the NS in authority, the
addresses of in-zone name servers as glue in additional.

Routing policies choose among a name's record sets: weighted by weight,
failover to the SECONDARY while the PRIMARY's health check fails, multivalue
(up to eight healthy sets), latency by the AZ whose network holds the client,
geolocation by the client's place in the snapshot's location table (the most
specific CIDR holding it): the subdivision's set, else the country's, else
the continent's, else the default ("*"), else no answer (NOERROR, as Route53).
The client is the EDNS Client Subnet's address when the query carries one;
the ECS option comes back with a scope prefix (RFC 7871): 0 when the answer
does not depend on where the client is, else the longest prefix in the
location tables (every address in that block gets the same answer).
An unhealthy set is skipped; when every set is unhealthy all are used (for
geolocation, the most specific), as Route53 does.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from azlab.route53.v1.nameserver_pb2 import NameServerSettings
from azlab.route53.v1.route53_pb2 import GeoLocation

MAX_MULTIVALUE = 8
MAX_CNAME_CHAIN = 8
WILDCARD = b"*"
GEO_KEYS = ("continent_code", "country_code", "subdivision_code")


class Draws:
    """The random choices one answer makes, recorded so the server can cache each
    outcome and draw among them itself; `replay` makes the same choices again."""

    def __init__(self, replay: tuple[int, ...] = (), rng: random.Random | None = None):
        self.replay = replay
        self.rng = rng or random
        self.made: list[int] = []
        self.decisions: list[tuple[int, tuple[int, ...] | None]] = []  # (how many to choose from, their weights)
        self.sampled = False  # a multivalue sample: too many outcomes to cache

    def choices(self, population: list, weights: list[int] | None = None) -> list:
        step = len(self.made)
        if step < len(self.replay) and self.replay[step] < len(population):
            index = self.replay[step]
        else:
            index = self.rng.choices(range(len(population)), weights=weights)[0]
        self.made.append(index)
        self.decisions.append((len(population), tuple(weights) if weights else None))
        return [population[index]]

    def sample(self, population: list, k: int) -> list:
        self.sampled = True
        return self.rng.sample(population, k)


@dataclass
class Zone:
    name: dns.name.Name
    private: bool
    sets: dict[tuple[dns.name.Name, str], list[dict]] = field(default_factory=dict)
    names: set[dns.name.Name] = field(default_factory=set)  # every owner name and the names above it in the zone
    cuts: set[dns.name.Name] = field(default_factory=set)  # delegation points: NS below the apex

    @property
    def soa(self) -> dict:
        return self.sets[(self.name, "SOA")][0]


def _geo(geo: GeoLocation) -> dict:
    """A place as answering compares it: only the codes it names."""
    return {key: value for key in GEO_KEYS if (value := getattr(geo, key))}


def _record(r: NameServerSettings.RecordSet) -> dict:
    """A record set as answering reads it: absent fields None, as in Route53's model."""
    alias = r.alias if r.HasField("alias") else None
    return {"name": r.name, "type": r.type, "ttl": r.ttl if r.HasField("ttl") else None, "values": list(r.values),
            "set_identifier": r.set_identifier, "weight": r.weight if r.HasField("weight") else None,
            "region": r.region, "failover": r.failover, "multi_value_answer": r.multi_value_answer,
            "health_check_id": r.health_check_id,
            "alias": None if alias is None else {"hosted_zone_id": alias.hosted_zone_id, "dns_name": alias.dns_name,
                                                 "evaluate_target_health": alias.evaluate_target_health},
            "geo_location": _geo(r.geo_location) if r.HasField("geo_location") else None}


class Answerer:
    def __init__(self, settings: NameServerSettings, rng: random.Random | None = None):
        self.version = settings.version
        self.health: dict[str, bool] = dict(settings.health)
        self.rng: random.Random | Draws = rng or random.Random()
        self.networks = [(ipaddress.ip_network(cidr), az) for az, cidr in settings.az_networks.items()]
        # most specific first: the first network holding a client places it
        self.locations = sorted(((ipaddress.ip_network(e.cidr), {"cidr": e.cidr, **_geo(e.location)})
                                 for e in settings.locations), key=lambda entry: -entry[0].prefixlen)
        self.scope = {version: max([n.prefixlen for n, _ in self.networks + self.locations if n.version == version], default=0)
                      for version in (4, 6)}
        self.located = False  # whether the answer being made depended on where the client is
        self.zones: list[Zone] = []
        for z in settings.zones:
            zone = Zone(dns.name.from_text(z.name), z.private_zone)
            for record in map(_record, z.records):
                owner = dns.name.from_text(record["name"])
                # parsed once per snapshot, not once per query
                record["rdatas"] = [
                    dns.rdata.from_text(dns.rdataclass.IN, record["type"], v, origin=dns.name.root, relativize=False)
                    for v in record["values"]
                ]
                zone.sets.setdefault((owner, record["type"]), []).append(record)
                if record["type"] == "NS" and owner != zone.name:
                    zone.cuts.add(owner)
                while owner != zone.name and owner not in zone.names:
                    zone.names.add(owner)
                    owner = owner.parent()
            zone.names.add(zone.name)
            self.zones.append(zone)
        # deepest first: the most specific zone answers
        self.zones.sort(key=lambda z: -len(z.name))

    # the wire
    def respond(self, wire: bytes, client: str, tcp: bool = False, draws: Draws | None = None) -> tuple[bytes | None, bool]:
        """(response bytes or None to drop, whether the same query from the same client gets the same answer).

        With `draws`, the answer's random choices are made (and recorded) there.
        """
        if draws is not None:
            kept, self.rng = self.rng, draws
            try:
                return self.respond(wire, client, tcp)
            finally:
                self.rng = kept
        try:
            query = dns.message.from_wire(wire)
        except dns.message.ShortHeader:
            return None, False  # not even a header: nothing to answer to
        except dns.exception.DNSException:
            return self._formerr(wire), False
        if query.flags & dns.flags.QR:
            return None, False  # a response: answering it could loop two servers into each other
        if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.NOTIMP if query.opcode() != dns.opcode.QUERY else dns.rcode.FORMERR)
            return response.to_wire(), False
        response = dns.message.make_response(query)
        response.flags &= ~dns.flags.RA
        [question] = query.question
        subnet = next((o for o in query.options if isinstance(o, dns.edns.ECSOption)), None)
        source = client  # who asks: private zones answer only inside the region, whatever subnet is claimed
        if subnet is not None and subnet.srclen:  # a zero-length subnet: the client asks that its address not be used
            client = str(ipaddress.ip_network(f"{subnet.address}/{subnet.srclen}", strict=False).network_address)
        self.located = False
        deterministic = self.answer(response, question.name, question.rdtype, question.rdclass, client, source)
        if subnet is not None:
            scope = self.scope[6 if subnet.family == 2 else 4] if self.located and subnet.srclen else 0
            response.use_edns(0, options=[dns.edns.ECSOption(subnet.address, subnet.srclen, scope)])
        return response.to_wire(max_size=65535 if tcp else _max_size(query), prefer_truncation=True), deterministic

    @staticmethod
    def _formerr(wire: bytes) -> bytes | None:
        if len(wire) < 12 or wire[2] & 0x80:
            return None  # a response, or less than a header: never answer those
        header = bytearray(wire[:12])
        header[2] = 0x80 | (wire[2] & 0x79)  # QR, keep opcode and RD
        header[3] = dns.rcode.FORMERR
        header[4:12] = bytes(8)  # no sections
        return bytes(header)

    # the answer
    def answer(self, response: dns.message.Message, qname: dns.name.Name, qtype: int, qclass: int, client: str,
               source: str | None = None) -> bool:
        """Fill `response`; True when the answer depends on nothing but the query and the client.

        `client` places the asker for latency routing (its EDNS Client Subnet if it sent one);
        `source` is the packet's own address (the same when omitted).
        """
        zone = next((z for z in self.zones if qname.is_subdomain(z.name)), None)
        outsider = self.client_az(source or client) is None
        if zone is None or qclass != dns.rdataclass.IN or (zone.private and outsider):
            response.set_rcode(dns.rcode.REFUSED)
            return True
        if (cut := self._cut(zone, qname)) is not None:
            return self._referral(response, zone, cut, client)
        response.flags |= dns.flags.AA
        deterministic = True
        name = qname
        for _ in range(MAX_CNAME_CHAIN):
            rdtype = dns.rdatatype.to_text(qtype)
            owner = self._owner(zone, name)
            if owner is None:
                if name == qname:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                self._negative(response, zone)
                return deterministic
            chosen, fixed = self.select(zone, owner, rdtype, client)
            deterministic &= fixed
            if chosen:
                self._add(response, name, rdtype, chosen, zone, client)
                return deterministic
            cname, fixed = self.select(zone, owner, "CNAME", client)
            deterministic &= fixed
            if not cname or qtype == dns.rdatatype.CNAME:
                self._negative(response, zone)  # the name exists, without this type
                return deterministic
            target = self._add(response, name, "CNAME", cname, zone, client)
            if target is None or not target.is_subdomain(zone.name) or self._cut(zone, target) is not None:
                return deterministic  # out of zone or delegated: the resolver follows it
            name = target
        return deterministic

    @staticmethod
    def _owner(zone: Zone, name: dns.name.Name) -> dns.name.Name | None:
        """The owner whose record sets answer `name`: itself if the zone holds it, else the wildcard at its closest encloser."""
        if name in zone.names:
            return name
        encloser = name.parent()
        while encloser not in zone.names:  # ends at the apex, which is always there
            encloser = encloser.parent()
        wildcard = dns.name.Name((WILDCARD, *encloser.labels))
        return wildcard if wildcard in zone.names else None

    @staticmethod
    def _cut(zone: Zone, name: dns.name.Name) -> dns.name.Name | None:
        """The delegation point at or above `name` nearest the apex (what lies below it is another server's)."""
        found = None
        while zone.cuts and name != zone.name:
            if name in zone.cuts:
                found = name
            name = name.parent()
        return found

    def _referral(self, response: dns.message.Message, zone: Zone, cut: dns.name.Name, client: str) -> bool:
        """Not authoritative below a cut: the child's NS in authority, their in-zone addresses as glue."""
        [ns] = zone.sets[(cut, "NS")]
        rrset = response.find_rrset(response.authority, cut, dns.rdataclass.IN, dns.rdatatype.NS, create=True)
        deterministic = True
        for rdata in ns["rdatas"]:
            rrset.add(rdata, ns["ttl"])
            if not rdata.target.is_subdomain(zone.name):
                continue
            for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                chosen, fixed = self.select(zone, rdata.target, dns.rdatatype.to_text(rdtype), client)
                deterministic &= fixed
                glue = response.find_rrset(response.additional, rdata.target, dns.rdataclass.IN, rdtype, create=True)
                for record in chosen:
                    for address in [] if record["alias"] else record["rdatas"]:
                        glue.add(address, record["ttl"])
        response.additional = [r for r in response.additional if len(r)]
        return deterministic

    def _add(self, response, owner: dns.name.Name, rdtype: str, chosen: list[dict], zone: Zone, client: str):
        """Add the chosen sets' records (aliases resolved in the zone); returns a CNAME's target."""
        rrset = response.find_rrset(response.answer, owner, dns.rdataclass.IN, dns.rdatatype.from_text(rdtype),
                                    create=True)
        target = None
        for record in chosen:
            if record["alias"]:
                aliased = self._aliased(record, zone, rdtype, client)
                for other in aliased:
                    if not other["alias"]:
                        for rdata in other["rdatas"]:
                            rrset.add(rdata, other["ttl"])
                continue
            for rdata in record["rdatas"]:
                rrset.add(rdata, record["ttl"])
                if rdtype == "CNAME":
                    target = rdata.target
        return target

    def _values(self, record: dict, zone: Zone, client: str, rdtype: str) -> list[str]:
        if not record["alias"]:
            return record["values"]
        return [v for r in self._aliased(record, zone, rdtype, client) if not r["alias"] for v in r["values"]]

    def _aliased(self, record: dict, zone: Zone, rdtype: str, client: str) -> list[dict]:
        """The record sets an alias points at: in its own zone, or another served here (a load balancer's)."""
        target = dns.name.from_text(record["alias"]["dns_name"])
        if not target.is_subdomain(zone.name):
            zone = next((z for z in self.zones if target.is_subdomain(z.name)), None)
            if zone is None:
                return []
        return self.select(zone, target, rdtype, client)[0]

    def _negative(self, response: dns.message.Message, zone: Zone) -> None:
        soa = zone.soa
        [rdata] = soa["rdatas"]
        # RFC 2308: the negative answer's TTL is the lesser of the SOA's TTL and its minimum
        response.authority.append(dns.rrset.from_rdata(zone.name, min(soa["ttl"], rdata.minimum), rdata))

    # routing policies
    def select(self, zone: Zone, name: dns.name.Name, rdtype: str, client: str) -> tuple[list[dict], bool]:
        """The record sets that answer (name, type) for this client; and whether that choice is fixed."""
        sets = zone.sets.get((name, rdtype), [])
        if len(sets) <= 1 and not any(s["set_identifier"] for s in sets):
            return [s for s in sets if self._usable(s, zone, client)], True
        healthy = [s for s in sets if self._healthy(s, zone, client)] or sets
        if sets[0]["weight"] is not None:
            weighted = [s for s in healthy if s["weight"] > 0] or healthy
            weights = [s["weight"] for s in weighted] if any(s["weight"] for s in weighted) else None
            return [self.rng.choices(weighted, weights=weights)[0]], len(weighted) == 1
        if sets[0]["failover"]:
            by_role = {s["failover"]: s for s in sets}
            primary, secondary = by_role.get("PRIMARY"), by_role.get("SECONDARY")
            if primary and (self._healthy(primary, zone, client) or not secondary):
                return [primary], True
            return [secondary] if secondary else [], True
        if sets[0]["multi_value_answer"]:
            chosen = self.rng.sample(healthy, min(MAX_MULTIVALUE, len(healthy)))
            return chosen, len(healthy) <= MAX_MULTIVALUE
        if sets[0]["geo_location"]:
            self.located = True
            ranked = _by_place(sets, self.client_location(client))
            return ([s for s in ranked if self._healthy(s, zone, client)] or ranked)[:1], True
        if sets[0]["region"]:
            self.located = True
            az = self.client_az(client)
            local = [s for s in healthy if s["region"] == az]
            return [(local or sorted(healthy, key=lambda s: s["region"]))[0]], True
        return sets[:1], True

    def _usable(self, record: dict, zone: Zone, client: str) -> bool:
        """An alias with nothing behind it answers nothing."""
        return not record["alias"] or bool(self._values(record, zone, client, record["type"]))

    def _healthy(self, record: dict, zone: Zone, client: str) -> bool:
        if record["health_check_id"] and not self.health.get(record["health_check_id"], True):
            return False
        if record["alias"] and record["alias"].get("evaluate_target_health"):
            return bool(self._values(record, zone, client, record["type"]))
        return True

    def client_az(self, client: str) -> str | None:
        return _first_holding(self.networks, client)

    def client_location(self, client: str) -> dict | None:
        """The location table's entry for the most specific network holding `client`, if any."""
        return _first_holding(self.locations, client)


def _first_holding(table: list[tuple], client: str):
    """The value of the first (network, value) in `table` whose network holds `client`; None for none or no address."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return None
    return next((value for network, value in table if address in network), None)


def _by_place(sets: list[dict], place: dict | None) -> list[dict]:
    """The geolocation sets that cover `place`, most specific first: subdivision, country, continent, default."""
    place = place or {}
    ranked = []
    for s in sets:
        geo = s["geo_location"]
        if geo.get("country_code") == "*":
            rank = 3
        elif "subdivision_code" in geo:
            same = geo["country_code"] == place.get("country_code") and geo["subdivision_code"] == place.get("subdivision_code")
            rank = 0 if same else None
        elif "country_code" in geo:
            rank = 1 if geo["country_code"] == place.get("country_code") else None
        else:
            rank = 2 if geo.get("continent_code") == place.get("continent_code") else None
        if rank is not None:
            ranked.append((rank, s))
    return [s for _, s in sorted(ranked, key=lambda pair: pair[0])]


def _max_size(query: dns.message.Message) -> int:
    """UDP answers fit the client's EDNS buffer, else 512 (truncated with TC: the client retries over TCP)."""
    return max(512, query.payload) if query.edns >= 0 else 512
