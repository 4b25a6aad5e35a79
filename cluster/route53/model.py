"""Route53's state and rules: hosted zones, record sets, change batches, health checks.

Pure: no Ray, no sockets. The service tells it which zone-data version each
AZ's DNS server serves (so changes go PENDING -> INSYNC) and what the checkers
report (so health follows the majority of the living checkers); it hands the
service one snapshot of everything the DNS servers need. Every change is
written to the store before the method returns.

A change batch is validated as a whole on a copy of the zone and only then
committed: any bad change rejects the batch and nothing changes, as Route53 does.

Geolocation has no GeoIP database behind it: the lab's location table is data.
Each AZ's network is a place (DEFAULT_AZ_LOCATIONS: lab-1a's clients are in
Washington, US; lab-1b's in Germany; ...), and PutClientLocation adds or
overrides entries (a CIDR and its continent, country, subdivision), kept in
the store and pushed with the zones; the most specific CIDR holding a client
places it.

Limitations against Route53: a delegation (NS below the apex) is a simple
record set (no routing policy); EnableSNI is not a field (SNI is sent whenever
FullyQualifiedDomainName is set); CLOUDWATCH_METRIC and RECOVERY_CONTROL
health checks, DNSSEC and zone transfers are absent (UnsupportedOperation);
subdivision codes are checked for form, not against ISO 3166-2.
"""

from __future__ import annotations

import copy
import ipaddress
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from azlab.common.errors import AzlabError, UnsupportedOperation
from azlab.cluster.state import Store
from azlab.route53.v1.nameserver_pb2 import NameServerSettings
from azlab.route53.v1.route53_pb2 import AliasTarget, GeoLocation

SERVICE = "route53"
PENDING, INSYNC = "PENDING", "INSYNC"
RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV")
ACTIONS = ("CREATE", "DELETE", "UPSERT")
FAILOVER_ROLES = ("PRIMARY", "SECONDARY")
HEALTH_CHECK_TYPES = ("TCP", "HTTP", "HTTP_STR_MATCH", "HTTPS", "HTTPS_STR_MATCH", "CALCULATED")
UNSUPPORTED_HEALTH_CHECK_TYPES = ("CLOUDWATCH_METRIC", "RECOVERY_CONTROL")
MAX_CHILD_HEALTH_CHECKS = 256
CONTINENTS = ("AF", "AN", "AS", "EU", "NA", "OC", "SA")
# ISO 3166-1 alpha-2, as Route53's ListGeoLocations names countries; "*" is the default location.
COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())
GEO_KEYS = ("continent_code", "country_code", "subdivision_code")
# Where each AZ's clients are, by AZ index (1-based): the lab's stand-in for a GeoIP database.
DEFAULT_AZ_LOCATIONS = (
    {"continent_code": "NA", "country_code": "US", "subdivision_code": "WA"},
    {"continent_code": "EU", "country_code": "DE"},
    {"continent_code": "AS", "country_code": "JP"},
    {"continent_code": "SA", "country_code": "BR"},
    {"continent_code": "OC", "country_code": "AU"},
    {"continent_code": "AF", "country_code": "ZA"},
)
MAX_WEIGHT = 255
MAX_TTL = 2**31 - 1
MAX_CHANGES = 1000
MAX_MULTIVALUE_SETS = 8  # Route53 answers with up to eight healthy multivalue records
SOA_TTL, NS_TTL = 900, 172800
SOA_TIMERS = "1 7200 900 1209600 86400"  # Route53's defaults: serial, refresh, retry, expire, negative TTL
DEFAULT_INTERVAL_S, DEFAULT_FAILURE_THRESHOLD = 1, 3
NAME_SERVERS_DOMAIN = "route53.lab."


class NoSuchHostedZone(AzlabError):
    code = "NoSuchHostedZone"
    status = "NOT_FOUND"


class NoSuchChange(AzlabError):
    code = "NoSuchChange"
    status = "NOT_FOUND"


class NoSuchHealthCheck(AzlabError):
    code = "NoSuchHealthCheck"
    status = "NOT_FOUND"


class InvalidInput(AzlabError):
    code = "InvalidInput"
    status = "INVALID_ARGUMENT"


class InvalidDomainName(AzlabError):
    code = "InvalidDomainName"
    status = "INVALID_ARGUMENT"


class InvalidChangeBatch(AzlabError):
    code = "InvalidChangeBatch"
    status = "INVALID_ARGUMENT"


class HostedZoneNotEmpty(AzlabError):
    code = "HostedZoneNotEmpty"
    status = "FAILED_PRECONDITION"


class HostedZoneAlreadyExists(AzlabError):
    code = "HostedZoneAlreadyExists"
    status = "ALREADY_EXISTS"


class ConflictingDomainExists(AzlabError):
    code = "ConflictingDomainExists"
    status = "ALREADY_EXISTS"


class HealthCheckAlreadyExists(AzlabError):
    code = "HealthCheckAlreadyExists"
    status = "ALREADY_EXISTS"


class HealthCheckInUse(AzlabError):
    code = "HealthCheckInUse"
    status = "FAILED_PRECONDITION"


class NoSuchClientLocation(AzlabError):
    code = "NoSuchClientLocation"
    status = "NOT_FOUND"


def absolute_name(text: str, error: type[AzlabError] = InvalidDomainName) -> str:
    """`text` as a lower-case absolute name ("www.example.lab."), or `error`."""
    if not text or not text.strip():
        raise error("a domain name is required")
    try:
        name = dns.name.from_text(text.strip())
    except dns.exception.DNSException as e:
        raise error(f"{text!r} is not a valid domain name: {e}") from None
    if name == dns.name.root:
        raise error("the root domain cannot be used here")
    return name.to_text().lower()


def in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def valid_geo_location(geo: dict, error: type[AzlabError] = InvalidInput, for_record: bool = True) -> dict:
    """A GeoLocation with its empty fields dropped, codes upper-cased; `error` when Route53 would refuse it.

    A record's names one place (a continent, or a country [and subdivision], or "*");
    a client location names every level it knows.
    """
    geo = {k: str(v).strip().upper() for k, v in (geo or {}).items() if k in GEO_KEYS and v}
    continent, country, subdivision = (geo.get(k, "") for k in GEO_KEYS)
    if not geo:
        raise error("GeoLocation needs a ContinentCode or a CountryCode")
    if country == "*":
        if not for_record or continent or subdivision:
            raise error("CountryCode '*' (the default location) stands alone")
        return geo
    if for_record and continent and country:
        raise error("GeoLocation takes a ContinentCode or a CountryCode, not both")
    if continent and continent not in CONTINENTS:
        raise error(f"ContinentCode must be one of {', '.join(CONTINENTS)}, not {continent!r}")
    if country and country not in COUNTRIES:
        raise error(f"CountryCode {country!r} is not an ISO 3166-1 alpha-2 code")
    if subdivision and not country:
        raise error("SubdivisionCode needs a CountryCode")
    if subdivision and not re.fullmatch(r"[A-Z0-9]{1,3}", subdivision):
        raise error(f"SubdivisionCode {subdivision!r} is not a subdivision code")
    return geo


@dataclass
class RecordSet:
    name: str
    type: str
    ttl: int | None = None
    values: list[str] = field(default_factory=list)
    set_identifier: str = ""
    weight: int | None = None
    region: str = ""  # latency: the AZ whose clients it serves
    failover: str = ""
    multi_value_answer: bool = False
    health_check_id: str = ""
    alias: dict | None = None  # {"hosted_zone_id", "dns_name", "evaluate_target_health"}
    geo_location: dict | None = None  # {"continent_code" | "country_code" [, "subdivision_code"]}

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.type, self.set_identifier)

    @property
    def policy(self) -> str:
        if self.weight is not None:
            return "weighted"
        if self.failover:
            return "failover"
        if self.multi_value_answer:
            return "multivalue"
        if self.region:
            return "latency"
        if self.geo_location:
            return "geolocation"
        return "simple"


@dataclass
class HostedZone:
    id: str
    name: str
    caller_reference: str
    comment: str = ""
    private_zone: bool = False
    records: list[RecordSet] = field(default_factory=list)

    @classmethod
    def from_doc(cls, doc: dict) -> HostedZone:
        return cls(**{**doc, "records": [RecordSet(**r) for r in doc["records"]]})

    def find(self, key: tuple[str, str, str]) -> RecordSet | None:
        return next((r for r in self.records if r.key == key), None)


@dataclass
class Change:
    id: str
    status: str
    submitted_at: float
    version: int  # the zone-data version that carries it
    comment: str = ""


@dataclass
class HealthCheck:
    id: str
    caller_reference: str
    type: str
    ip_address: str
    port: int
    resource_path: str = "/"
    fully_qualified_domain_name: str = ""
    search_string: str = ""
    request_interval: int = DEFAULT_INTERVAL_S
    failure_threshold: int = DEFAULT_FAILURE_THRESHOLD
    version: int = 1
    child_health_checks: list[str] = field(default_factory=list)  # CALCULATED
    health_threshold: int = 0  # CALCULATED: how many children must be healthy
    inverted: bool = False


@dataclass(frozen=True)
class Vote:
    """One checker's latest verdict on one health check."""

    az: str
    address: str
    healthy: bool
    detail: str
    checked_at: float


class Route53Model:
    def __init__(self, store: Store, azs: list[str], clock: Callable[[], float] = time.time):
        self.store = store
        self.azs = list(azs)
        self.clock = clock
        self.zones: dict[str, HostedZone] = {d["id"]: HostedZone.from_doc(d) for d in store.resources(SERVICE, "zone")}
        self.changes: dict[str, Change] = {d["id"]: Change(**d) for d in store.resources(SERVICE, "change")}
        self.health_checks: dict[str, HealthCheck] = {
            d["id"]: HealthCheck(**d) for d in store.resources(SERVICE, "health-check")}
        self.version: int = store.get(f"{SERVICE}.version", 0)
        # the lab's location table, as users set it: CIDR -> GeoLocation
        self.client_locations: dict[str, dict] = {
            d["cidr"]: d["location"] for d in store.resources(SERVICE, "client-location")}
        # What the checkers say, by health check and checker address; not kept:
        # checkers report again within an interval of a restart.
        self.votes: dict[str, dict[str, Vote]] = {}

    # lookups
    def zone(self, zone_id: str) -> HostedZone:
        key = zone_id.removeprefix("/hostedzone/")
        if key not in self.zones:
            raise NoSuchHostedZone(f"No hosted zone found with ID: {key}")
        return self.zones[key]

    def change(self, change_id: str) -> Change:
        key = change_id.removeprefix("/change/")
        if key not in self.changes:
            raise NoSuchChange(f"A change with the specified change ID does not exist: {key}")
        return self.changes[key]

    def health_check(self, health_check_id: str) -> HealthCheck:
        if health_check_id not in self.health_checks:
            raise NoSuchHealthCheck(f"A health check with id {health_check_id or '(empty)'} does not exist.")
        return self.health_checks[health_check_id]

    def name_servers(self) -> list[str]:
        return [f"ns-{az}.{NAME_SERVERS_DOMAIN}" for az in self.azs]

    # hosted zones
    def create_hosted_zone(self, name: str, caller_reference: str, comment: str = "",
                           private_zone: bool = False) -> tuple[HostedZone, Change]:
        name = absolute_name(name)
        if not caller_reference:
            raise InvalidInput("CallerReference is required")
        if any(z.caller_reference == caller_reference for z in self.zones.values()):
            raise HostedZoneAlreadyExists(f"A hosted zone has already been created with the caller reference {caller_reference}")
        # Every AZ's server serves every zone, so two zones of one name (or one
        # inside another) would leave a query two answers.
        for other in self.zones.values():
            if in_zone(name, other.name) or in_zone(other.name, name):
                raise ConflictingDomainExists(f"{name} overlaps hosted zone {other.name} ({other.id})")
        zone = HostedZone(f"Z{secrets.token_hex(8).upper()}", name, caller_reference, comment, private_zone)
        servers = self.name_servers()
        zone.records = [
            RecordSet(name, "SOA", SOA_TTL, [f"{servers[0]} hostmaster.{NAME_SERVERS_DOMAIN} {SOA_TIMERS}"]),
            RecordSet(name, "NS", NS_TTL, servers),
        ]
        self.zones[zone.id] = zone
        return zone, self._commit(zone, "")

    def delete_hosted_zone(self, zone_id: str) -> Change:
        zone = self.zone(zone_id)
        if any(not (r.name == zone.name and r.type in ("SOA", "NS")) for r in zone.records):
            raise HostedZoneNotEmpty("The hosted zone contains resource record sets in addition to the default NS and SOA.")
        del self.zones[zone.id]
        self.store.delete_resource(SERVICE, "zone", zone.id)
        return self._commit(None, "")

    # change batches
    def change_resource_record_sets(self, zone_id: str, changes: list[dict], comment: str = "") -> Change:
        """`changes`: [{"action", "record": RecordSet}]; all or nothing."""
        zone = self.zone(zone_id)
        if not changes:
            raise InvalidInput("ChangeBatch must hold at least one change")
        if len(changes) > MAX_CHANGES:
            raise InvalidInput(f"a ChangeBatch holds at most {MAX_CHANGES} changes")
        trial = copy.deepcopy(zone)
        errors = []
        for change in changes:
            try:
                self._apply(trial, change["action"], change["record"])
            except InvalidChangeBatch as e:
                errors.append(e.message)
        if errors:
            raise InvalidChangeBatch(" ".join(f"[{e}]" for e in errors))
        self._check_sets(trial)
        self.zones[zone.id] = trial
        return self._commit(trial, comment)

    def _apply(self, zone: HostedZone, action: str, record: RecordSet) -> None:
        if action not in ACTIONS:
            raise InvalidInput(f"Action must be one of {', '.join(ACTIONS)}, not {action!r}")
        record = self._valid_record(zone, record)
        existing = zone.find(record.key)
        apex_default = record.name == zone.name and record.type in ("SOA", "NS")
        label = f"{record.name} type {record.type}" + (f" set identifier {record.set_identifier}" if record.set_identifier else "")
        if action == "CREATE":
            if apex_default:
                raise InvalidChangeBatch(f"Tried to create resource record set [name='{record.name}', type='{record.type}'] but it already exists")
            if existing:
                raise InvalidChangeBatch(f"Tried to create resource record set [name='{label}'] but it already exists")
            zone.records.append(record)
        elif action == "DELETE":
            if apex_default:
                raise InvalidChangeBatch(f"A HostedZone must contain at least one NS record and one SOA record at the apex; cannot delete {record.type}")
            if existing is None or existing != record:
                raise InvalidChangeBatch(f"Tried to delete resource record set [name='{label}'] but it was not found")
            zone.records.remove(existing)
        else:
            if existing:
                zone.records[zone.records.index(existing)] = record
            else:
                zone.records.append(record)

    def _valid_record(self, zone: HostedZone, record: RecordSet) -> RecordSet:
        record = copy.deepcopy(record)
        record.name = absolute_name(record.name, InvalidChangeBatch)
        record.type = record.type.upper()
        if record.type not in RECORD_TYPES:
            raise InvalidInput(f"Type must be one of {', '.join(RECORD_TYPES)}, not {record.type!r}")
        if not in_zone(record.name, zone.name):
            raise InvalidChangeBatch(f"RRSet with DNS name {record.name} is not permitted in zone {zone.name}")
        if record.type == "CNAME" and record.name == zone.name:
            raise InvalidChangeBatch(f"RRSet of type CNAME with DNS name {record.name} is not permitted at apex in zone {zone.name}")
        if record.type == "SOA" and record.name != zone.name:
            raise InvalidChangeBatch(f"SOA is only permitted at the apex of {zone.name}")
        if record.name.startswith("*.") and record.type == "NS":
            raise InvalidChangeBatch(f"NS records cannot be wildcards ({record.name})")
        if record.geo_location:
            record.geo_location = valid_geo_location(record.geo_location)
        policies = [bool(record.weight is not None), bool(record.failover), record.multi_value_answer, bool(record.region),
                    bool(record.geo_location)]
        if sum(policies) > 1:
            raise InvalidInput(f"{record.name}: only one of Weight, Failover, MultiValueAnswer, Region and GeoLocation may be set")
        if sum(policies) and not record.set_identifier:
            raise InvalidInput(f"{record.name}: a routing policy needs a SetIdentifier")
        if record.set_identifier and not sum(policies):
            raise InvalidInput(f"{record.name}: a SetIdentifier needs Weight, Failover, MultiValueAnswer, Region or GeoLocation")
        if record.type == "NS" and record.name != zone.name and sum(policies):
            raise InvalidInput(f"{record.name}: a delegation (NS below the apex) takes no routing policy here")
        if record.weight is not None and not 0 <= record.weight <= MAX_WEIGHT:
            raise InvalidInput(f"Weight must be 0..{MAX_WEIGHT}, not {record.weight}")
        if record.failover and record.failover not in FAILOVER_ROLES:
            raise InvalidInput(f"Failover must be PRIMARY or SECONDARY, not {record.failover!r}")
        if record.region and record.region not in self.azs:
            raise InvalidInput(f"Region must be one of this region's AZs ({', '.join(self.azs)}), not {record.region!r}")
        if record.health_check_id and record.health_check_id not in self.health_checks:
            raise InvalidChangeBatch(f"Invalid health check id {record.health_check_id}: no such health check")
        if record.alias:
            self._valid_alias(zone, record)
        else:
            if record.ttl is None:
                raise InvalidInput(f"{record.name}: TTL is required unless AliasTarget is set")
            if not 0 <= record.ttl <= MAX_TTL:
                raise InvalidInput(f"TTL must be 0..{MAX_TTL}, not {record.ttl}")
            if not record.values:
                raise InvalidInput(f"{record.name}: ResourceRecords must hold at least one value")
            record.values = [self._valid_value(record, v) for v in record.values]
            if record.type in ("CNAME", "SOA") and len(record.values) != 1:
                raise InvalidChangeBatch(f"{record.type} at {record.name} must have exactly one value")
            if record.multi_value_answer and len(record.values) != 1:
                raise InvalidChangeBatch(f"multivalue answer record {record.name} must have exactly one value")
        return record

    def _valid_alias(self, zone: HostedZone, record: RecordSet) -> None:
        alias = record.alias or {}
        if record.ttl is not None or record.values:
            raise InvalidInput(f"{record.name}: an alias record has neither TTL nor ResourceRecords")
        if record.type not in ("A", "AAAA", "CNAME", "MX", "TXT", "SRV"):
            raise InvalidChangeBatch(f"alias records of type {record.type} are not permitted")
        target_zone = alias.get("hosted_zone_id", "").removeprefix("/hostedzone/")
        # Another zone served here is a target too: a load balancer's name lives in the ELB's zone
        # (its CanonicalHostedZoneNameID); zones served elsewhere (S3, CloudFront) are not.
        target = zone if target_zone == zone.id else self.zones.get(target_zone)
        if target is None:
            raise UnsupportedOperation(f"alias targets outside the hosted zones served here ({target_zone or 'none'}) "
                                       "are not supported")
        alias["dns_name"] = absolute_name(alias.get("dns_name", ""), InvalidChangeBatch)
        alias["hosted_zone_id"] = target_zone
        if not in_zone(alias["dns_name"], target.name):
            raise InvalidChangeBatch(f"alias target {alias['dns_name']} is not in zone {target.name}")
        if alias["dns_name"] == record.name:
            raise InvalidChangeBatch(f"alias record {record.name} cannot point at itself")
        record.alias = alias

    @staticmethod
    def _valid_value(record: RecordSet, value: str) -> str:
        try:
            rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(record.type), value,
                                        origin=dns.name.root, relativize=False)
        except (dns.exception.DNSException, ValueError) as e:
            raise InvalidChangeBatch(f"Invalid Resource Record: FATAL problem: {record.type} value {value!r}: {e}") from None
        return rdata.to_text()

    @staticmethod
    def _check_sets(zone: HostedZone) -> None:
        """Rules across record sets, once the whole batch is applied."""
        by_name: dict[str, list[RecordSet]] = {}
        for r in zone.records:
            by_name.setdefault(r.name, []).append(r)
        for name, records in by_name.items():
            types = {r.type for r in records}
            if "CNAME" in types and len(types) > 1:
                raise InvalidChangeBatch(f"RRSet of type CNAME with DNS name {name} is not permitted because a conflicting RRSet of type {sorted(types - {'CNAME'})[0]} with the same DNS name already exists")
            for rtype in types:
                sets = [r for r in records if r.type == rtype]
                policies = {r.policy for r in sets}
                if len(policies) > 1:
                    raise InvalidChangeBatch(f"{name} {rtype}: record sets with different routing policies ({', '.join(sorted(policies))}) cannot share a name and type")
                if len(sets) > 1 and policies == {"simple"}:
                    raise InvalidChangeBatch(f"{name} {rtype}: only one simple record set per name and type")
                roles = [r.failover for r in sets if r.failover]
                if len(roles) != len(set(roles)):
                    raise InvalidChangeBatch(f"{name} {rtype}: at most one PRIMARY and one SECONDARY failover record set")
                places = [tuple(sorted(r.geo_location.items())) for r in sets if r.geo_location]
                if len(places) != len(set(places)):
                    raise InvalidChangeBatch(f"{name} {rtype}: two geolocation record sets for the same location")

    def _commit(self, zone: HostedZone | None, comment: str) -> Change:
        """One new zone-data version, the change that carries it, both stored."""
        if zone is not None:
            self.store.put_resource(SERVICE, "zone", zone.id, asdict(zone))
        self.version += 1
        self.store.put(f"{SERVICE}.version", self.version)
        change = Change(f"C{secrets.token_hex(8).upper()}", PENDING, self.clock(), self.version, comment)
        self.changes[change.id] = change
        self.store.put_resource(SERVICE, "change", change.id, asdict(change))
        return change

    def served(self, versions: dict[str, int]) -> list[Change]:
        """Every AZ's server now serves `versions[az]`: the changes that every AZ has become INSYNC."""
        if set(versions) != set(self.azs):
            return []
        everywhere = min(versions.values())
        done = [c for c in self.changes.values() if c.status == PENDING and c.version <= everywhere]
        for change in done:
            change.status = INSYNC
            self.store.put_resource(SERVICE, "change", change.id, asdict(change))
        return done

    # health checks
    def create_health_check(self, caller_reference: str, config: dict) -> HealthCheck:
        if not caller_reference:
            raise InvalidInput("CallerReference is required")
        if any(h.caller_reference == caller_reference for h in self.health_checks.values()):
            raise HealthCheckAlreadyExists(f"A health check with caller reference {caller_reference} already exists")
        kind = config.get("type", "")
        if kind in UNSUPPORTED_HEALTH_CHECK_TYPES:
            raise UnsupportedOperation(f"{kind} health checks are not supported ({', '.join(HEALTH_CHECK_TYPES)} are)")
        if kind not in HEALTH_CHECK_TYPES:
            raise InvalidInput(f"Type must be one of {', '.join(HEALTH_CHECK_TYPES)}, not {kind!r}")
        if kind == "CALCULATED":
            check = self._calculated(caller_reference, config)
        else:
            if config.get("child_health_checks"):
                raise InvalidInput(f"ChildHealthChecks is only for CALCULATED health checks, not {kind}")
            check = self._endpoint_check(caller_reference, kind, config)
        self.health_checks[check.id] = check
        self.store.put_resource(SERVICE, "health-check", check.id, asdict(check))
        self._bump()
        return check

    def _calculated(self, caller_reference: str, config: dict) -> HealthCheck:
        children = list(dict.fromkeys(config.get("child_health_checks") or []))
        if len(children) > MAX_CHILD_HEALTH_CHECKS:
            raise InvalidInput(f"a CALCULATED health check has at most {MAX_CHILD_HEALTH_CHECKS} ChildHealthChecks")
        for child in children:
            if self.health_check(child).type == "CALCULATED":
                raise InvalidInput(f"ChildHealthChecks cannot hold another CALCULATED health check ({child})")
        threshold = config.get("health_threshold") or 0
        if not 0 <= threshold <= MAX_CHILD_HEALTH_CHECKS:
            raise InvalidInput(f"HealthThreshold must be 0..{MAX_CHILD_HEALTH_CHECKS}, not {threshold}")
        if config.get("ip_address") or config.get("port"):
            raise InvalidInput("a CALCULATED health check has no IPAddress or Port")
        return HealthCheck(secrets.token_hex(16), caller_reference, "CALCULATED", "", 0,
                           child_health_checks=children, health_threshold=threshold, inverted=bool(config.get("inverted")))

    def _endpoint_check(self, caller_reference: str, kind: str, config: dict) -> HealthCheck:
        address = config.get("ip_address", "")
        if not re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", address) or any(int(p) > 255 for p in address.split(".")):
            raise InvalidInput(f"IPAddress must be an IPv4 address, not {address!r}")
        port = config.get("port") or {"TCP": 0, "HTTPS": 443, "HTTPS_STR_MATCH": 443}.get(kind, 80)
        if not 1 <= port <= 65535:
            raise InvalidInput(f"Port must be 1..65535, not {port}")
        interval = config.get("request_interval") or DEFAULT_INTERVAL_S
        threshold = config.get("failure_threshold") or DEFAULT_FAILURE_THRESHOLD
        if not 1 <= interval <= 30:
            raise InvalidInput(f"RequestInterval must be 1..30 seconds, not {interval}")
        if not 1 <= threshold <= 10:
            raise InvalidInput(f"FailureThreshold must be 1..10, not {threshold}")
        search = config.get("search_string", "")
        if kind.endswith("_STR_MATCH") and not search:
            raise InvalidInput(f"SearchString is required for {kind}")
        if len(search) > 255:
            raise InvalidInput("SearchString is at most 255 characters")
        path = config.get("resource_path") or "/"
        if not path.startswith("/"):
            raise InvalidInput(f"ResourcePath must start with '/', not {path!r}")
        return HealthCheck(secrets.token_hex(16), caller_reference, kind, address, port, path,
                           config.get("fully_qualified_domain_name", ""), search, interval, threshold,
                           inverted=bool(config.get("inverted")))

    def delete_health_check(self, health_check_id: str) -> None:
        self.health_check(health_check_id)
        users = [r.name for z in self.zones.values() for r in z.records if r.health_check_id == health_check_id]
        users += [h.id for h in self.health_checks.values() if health_check_id in h.child_health_checks]
        if users:
            raise HealthCheckInUse(f"Health check {health_check_id} is still referenced from {users[0]}")
        del self.health_checks[health_check_id]
        self.votes.pop(health_check_id, None)
        self.store.delete_resource(SERVICE, "health-check", health_check_id)
        self._bump()

    def _bump(self) -> None:
        self.version += 1
        self.store.put(f"{SERVICE}.version", self.version)

    def record_votes(self, votes: dict[str, list[Vote]]) -> bool:
        """The checkers' latest verdicts, by health check; True when some check's health changed."""
        before = self.health()
        self.votes = {hc: {v.address: v for v in vs} for hc, vs in votes.items() if hc in self.health_checks}
        after = self.health()
        if before != after:
            self._bump()
            return True
        return False

    def healthy(self, health_check_id: str) -> bool:
        """Most of the living checkers say healthy; with no checker heard yet, healthy (as a new check starts).

        A CALCULATED check is healthy when at least HealthThreshold of its children are;
        Inverted turns either verdict round.
        """
        check = self.health_checks[health_check_id]
        if check.type == "CALCULATED":
            verdict = sum(self.healthy(c) for c in check.child_health_checks) >= check.health_threshold
        else:
            votes = list(self.votes.get(health_check_id, {}).values())
            verdict = not votes or sum(v.healthy for v in votes) * 2 > len(votes)
        return verdict != check.inverted

    def health(self) -> dict[str, bool]:
        return {hc: self.healthy(hc) for hc in sorted(self.health_checks)}

    # the lab's location table
    def put_client_location(self, cidr: str, location: dict) -> dict:
        """Clients in `cidr` are at `location` (a GeoLocation without the default "*"); replaces an entry of that CIDR."""
        try:
            network = ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            raise InvalidInput(f"Cidr must be an IPv4 or IPv6 network, not {cidr!r}") from None
        location = valid_geo_location(location, for_record=False)
        if "country_code" in location and "continent_code" not in location:
            raise InvalidInput("a client location names its ContinentCode too (the lab has no country-to-continent table)")
        key = network.with_prefixlen
        self.client_locations[key] = location
        self.store.put_resource(SERVICE, "client-location", key, {"cidr": key, "location": location})
        self._bump()
        return {"cidr": key, "location": location}

    def delete_client_location(self, cidr: str) -> None:
        try:
            key = ipaddress.ip_network(cidr.strip(), strict=False).with_prefixlen
        except ValueError:
            raise InvalidInput(f"Cidr must be an IPv4 or IPv6 network, not {cidr!r}") from None
        if key not in self.client_locations:
            raise NoSuchClientLocation(f"No client location was set for {key}")
        del self.client_locations[key]
        self.store.delete_resource(SERVICE, "client-location", key)
        self._bump()

    def locations(self, az_networks: dict[str, str]) -> list[dict]:
        """The whole table: each AZ's network at its default place, then the users' entries (which win for the same CIDR)."""
        table = {}
        for az, cidr in az_networks.items():
            index = self.azs.index(az) if az in self.azs else len(table)
            key = ipaddress.ip_network(cidr, strict=False).with_prefixlen
            table[key] = {"cidr": key, "location": DEFAULT_AZ_LOCATIONS[index % len(DEFAULT_AZ_LOCATIONS)], "source": f"az:{az}"}
        for cidr, location in self.client_locations.items():
            table[cidr] = {"cidr": cidr, "location": location, "source": "user"}
        return sorted(table.values(), key=lambda e: e["cidr"])

    # what the DNS servers serve
    def snapshot(self, az_networks: dict[str, str]) -> NameServerSettings:
        """Everything a name server needs to answer, as it is told it (azlab.route53.v1.NameServerSettings)."""
        return NameServerSettings(
            version=self.version,
            locations=[NameServerSettings.Location(cidr=e["cidr"], location=_geo(e["location"]))
                       for e in self.locations(az_networks)],
            zones=[NameServerSettings.Zone(name=z.name, private_zone=z.private_zone, records=[_record(r) for r in z.records])
                   for z in self.zones.values()],
            health=self.health(),
            health_checks=[NameServerSettings.HealthCheck(**asdict(h)) for h in self.health_checks.values()],
            az_networks=az_networks)


def _geo(geo: dict) -> GeoLocation:
    return GeoLocation(**geo)


def _record(r: RecordSet) -> NameServerSettings.RecordSet:
    return NameServerSettings.RecordSet(
        name=r.name, type=r.type, ttl=r.ttl, values=r.values, set_identifier=r.set_identifier, weight=r.weight,
        region=r.region, failover=r.failover, multi_value_answer=r.multi_value_answer,
        health_check_id=r.health_check_id, alias=AliasTarget(**r.alias) if r.alias else None,
        geo_location=_geo(r.geo_location) if r.geo_location else None)
