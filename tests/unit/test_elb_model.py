"""ELB's model: pure, no region, no sockets; and Route53 answering an alias to a load balancer's name."""

from __future__ import annotations

import dns.message
import dns.rdatatype
import pytest

from azlab.cluster.elb.certificates import MalformedCertificate
from azlab.cluster.elb.model import (
    IN_SERVICE,
    OUT_OF_SERVICE,
    CertificateInUse,
    CertificateNotFound,
    DuplicateCertificateName,
    DuplicateListener,
    DuplicateLoadBalancerName,
    DuplicatePolicyName,
    ElbModel,
    InvalidConfigurationRequest,
    InvalidInstance,
    Listener,
    ListenerNotFound,
    LoadBalancerNotFound,
    Placement,
    PolicyNotFound,
    ValidationError,
)
from azlab.common.errors import UnsupportedOperation
from azlab.elb.v1.lbnode_pb2 import Stickiness
from azlab.cluster.route53.model import RecordSet, Route53Model
from azlab.cluster.state import Store
from azlab.nodes.route53.answer import Answerer

AZS = ["lab-1a", "lab-1b", "lab-1c"]
HTTP = Listener("HTTP", 80, "HTTP", 8080)
PLACES = {"i-1": Placement("127.10.1.1", "lab-1a", "running"), "i-2": Placement("127.11.1.1", "lab-1b", "running"),
          "i-3": Placement("127.12.1.1", "lab-1c", "running"), "i-off": Placement("", "lab-1a", "stopped"),
          "i-dead": Placement("", "lab-1a", "terminated")}


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "state.db")


@pytest.fixture
def model(store):
    return ElbModel(store, AZS, "lab-1")


@pytest.fixture
def web(model):
    lb = model.create_load_balancer("web", [HTTP], AZS)
    model.register_instances("web", ["i-1", "i-2", "i-3"], PLACES)
    return lb


def test_create_names_the_lb_in_the_regions_elb_zone_and_survives_a_restart(model, store, web):
    assert model.fqdn(web) == f"web-{web.id}.lab-1.elb.lab."
    assert web.health_check == {"target": "TCP:8080", "interval": 30, "timeout": 5, "unhealthy_threshold": 2,
                                "healthy_threshold": 10}
    again = ElbModel(store, AZS, "lab-1").load_balancer("web")
    assert again.instances == ["i-1", "i-2", "i-3"] and again.listeners == [HTTP] and again.id == web.id
    internal = model.create_load_balancer("inner", [HTTP], ["lab-1a"], "internal")
    assert model.fqdn(internal).startswith("internal-inner-") and internal.node_index != web.node_index


def test_create_is_idempotent_and_refuses_a_different_lb_of_the_same_name(model, web):
    assert model.create_load_balancer("web", [HTTP], list(reversed(AZS))) is web
    with pytest.raises(DuplicateLoadBalancerName):
        model.create_load_balancer("web", [HTTP], ["lab-1a"])


@pytest.mark.parametrize("name, listeners, azs, error", [
    ("-bad", [HTTP], AZS, ValidationError),
    ("x" * 33, [HTTP], AZS, ValidationError),
    ("ok", [], AZS, ValidationError),
    ("ok", [HTTP], [], ValidationError),
    ("ok", [HTTP], ["lab-9z"], ValidationError),
    ("ok", [Listener("UDP", 80, "", 80)], AZS, ValidationError),
    ("ok", [Listener("HTTP", 80, "TCP", 80)], AZS, ValidationError),
    ("ok", [Listener("HTTP", 0, "HTTP", 80)], AZS, ValidationError),
    ("ok", [HTTP, Listener("TCP", 80, "TCP", 9000)], AZS, DuplicateListener),
    ("ok", [Listener("HTTPS", 443, "HTTP", 80, "arn:cert")], AZS, CertificateNotFound),
    ("ok", [Listener("HTTPS", 443, "HTTPS", 80, "arn:cert")], AZS, UnsupportedOperation),
    ("ok", [Listener("HTTP", 80, "HTTP", 80, "arn:cert")], AZS, ValidationError),
])
def test_bad_creates_change_nothing(model, name, listeners, azs, error):
    with pytest.raises(error):
        model.create_load_balancer(name, listeners, azs)
    assert model.load_balancers == {}


def test_lookups_and_delete(model, web):
    with pytest.raises(LoadBalancerNotFound):
        model.describe_load_balancers(["nope"])
    assert model.delete_load_balancer("web") is web
    assert model.delete_load_balancer("web") is None  # idempotent, as AWS
    assert model.describe_load_balancers() == []


def test_register_and_deregister_instances(model, web):
    with pytest.raises(InvalidInstance):
        model.register_instances("web", ["i-nope"], PLACES)
    with pytest.raises(InvalidInstance):
        model.register_instances("web", ["i-dead"], PLACES)
    assert model.register_instances("web", ["i-1", "i-off"], PLACES) == ["i-1", "i-2", "i-3", "i-off"]
    with pytest.raises(InvalidInstance):
        model.deregister_instances("web", ["i-9"])
    assert model.deregister_instances("web", ["i-off"]) == ["i-1", "i-2", "i-3"]


def test_health_check_rules(model, web):
    check = model.configure_health_check("web", "HTTP:8080/health", 1, 1, 2, 2)
    assert check["target"] == "HTTP:8080/health"
    for args in (("HTTP:8080", 5, 2, 2, 2), ("TCP:8080/x", 5, 2, 2, 2), ("FTP:21", 5, 2, 2, 2),
                 ("TCP:8080", 5, 6, 2, 2), ("TCP:8080", 5, 2, 1, 2), ("TCP:8080", 5, 2, 2, 11), ("TCP:70000", 5, 2, 2, 2)):
        with pytest.raises(ValidationError):
            model.configure_health_check("web", *args)
    with pytest.raises(UnsupportedOperation):
        model.configure_health_check("web", "HTTPS:443/", 5, 2, 2, 2)
    assert model.load_balancer("web").health_check == check


def test_zones_attributes_and_listeners(model, web):
    assert model.disable_availability_zones("web", ["lab-1c"]) == ["lab-1a", "lab-1b"]
    with pytest.raises(ValidationError):
        model.disable_availability_zones("web", ["lab-1a", "lab-1b"])
    assert model.enable_availability_zones("web", ["lab-1c"]) == AZS
    attributes = model.modify_attributes("web", {"cross_zone": True, "draining_enabled": True, "draining_timeout": 5})
    assert attributes == {"cross_zone": True, "draining_enabled": True, "draining_timeout": 5, "idle_timeout": 60}
    for bad in ({"draining_timeout": 0}, {"idle_timeout": 5000}, {"nope": 1}):
        with pytest.raises(ValidationError):
            model.modify_attributes("web", bad)
    model.create_listeners("web", [Listener("TCP", 9000, "TCP", 9001)])
    with pytest.raises(DuplicateListener):
        model.create_listeners("web", [Listener("TCP", 9000, "TCP", 9999)])
    model.delete_listeners("web", [9000, 1234])
    assert [x.load_balancer_port for x in model.load_balancer("web").listeners] == [80]


def test_stickiness_policies(model, web):
    model.create_lb_cookie_policy("web", "pin", 60)
    model.create_app_cookie_policy("web", "follow", "SESSION")
    with pytest.raises(DuplicatePolicyName):
        model.create_lb_cookie_policy("web", "pin", None)
    with pytest.raises(PolicyNotFound):
        model.set_listener_policies("web", 80, ["nope"])
    with pytest.raises(ListenerNotFound):
        model.set_listener_policies("web", 81, ["pin"])
    with pytest.raises(InvalidConfigurationRequest):
        model.set_listener_policies("web", 80, ["pin", "follow"])
    model.set_listener_policies("web", 80, ["pin"])
    [listener] = model.node_config(web, "lab-1a", "127.10.2.1", PLACES).listeners
    assert listener.stickiness == Stickiness(type="lb", cookie_name="AWSELB", expiration=60)
    model.create_listeners("web", [Listener("TCP", 9000, "TCP", 9001)])
    with pytest.raises(InvalidConfigurationRequest):
        model.set_listener_policies("web", 9000, ["follow"])


def test_node_config_holds_running_targets_of_enabled_zones(model, web):
    model.register_instances("web", ["i-off"], PLACES)
    model.disable_availability_zones("web", ["lab-1c"])
    config = model.node_config(web, "lab-1a", "127.10.2.1", PLACES)
    assert [t.id for t in config.targets] == ["i-1", "i-2"]
    model.modify_attributes("web", {"cross_zone": True})
    config = model.node_config(web, "lab-1a", "127.10.2.1", PLACES)
    assert [t.id for t in config.targets] == ["i-1", "i-2", "i-3"] and config.cross_zone


def test_instance_health_follows_most_lb_nodes(model, web):
    model.register_instances("web", ["i-off"], PLACES)
    states = {h.instance_id: h for h in model.instance_health("web", [], PLACES)}
    assert states["i-1"].description == "Instance registration is still in progress."
    assert states["i-off"].state == OUT_OF_SERVICE and "stopped" in states["i-off"].description
    seen = {"state": IN_SERVICE, "description": "N/A"}
    failing = {"state": OUT_OF_SERVICE, "description": "Health check failed with code: 503"}
    model.record_observations("web", {"lab-1a": {"i-1": seen, "i-2": failing}, "lab-1b": {"i-1": seen, "i-2": failing},
                                      "lab-1c": {"i-1": failing, "i-2": failing}})
    states = {h.instance_id: h for h in model.instance_health("web", ["i-1", "i-2"], PLACES)}
    assert states["i-1"].state == IN_SERVICE
    assert states["i-2"].state == OUT_OF_SERVICE and states["i-2"].description.endswith("503")
    assert model.healthy_host_counts("web", PLACES) == {"lab-1a": (1, 1), "lab-1b": (0, 1), "lab-1c": (0, 1)}
    with pytest.raises(InvalidInstance):
        model.instance_health("web", ["i-9"], PLACES)


def test_counters_add_up(model, web):
    model.add_counters("web", {"request_count": 3, "http_code_backend_2xx": 3})
    model.add_counters("web", {"request_count": 2, "http_code_elb_5xx": 2})
    assert model.load_balancer("web").counters == {"request_count": 5, "http_code_backend_2xx": 3, "http_code_elb_5xx": 2}


def test_route53_alias_to_a_load_balancer_answers_its_nodes_at_a_zone_apex(store, model, web):
    route53 = Route53Model(store, AZS)
    elb_zone, _ = route53.create_hosted_zone(model.zone_name, "elb")
    name = model.fqdn(web)
    route53.change_resource_record_sets(elb_zone.id, [{"action": "UPSERT", "record": RecordSet(
        name, "A", 1, ["127.10.2.1", "127.11.2.1"])}])
    user, _ = route53.create_hosted_zone("shop.lab", "shop")
    alias = {"hosted_zone_id": elb_zone.id, "dns_name": name, "evaluate_target_health": True}
    route53.change_resource_record_sets(user.id, [{"action": "CREATE", "record": RecordSet("shop.lab", "A", alias=alias)},
                                                  {"action": "CREATE", "record": RecordSet("www.shop.lab", "A", alias=alias)}])
    answerer = Answerer(route53.snapshot({"lab-1a": "127.10.0.0/16"}))
    for asked in ("shop.lab", "www.shop.lab"):
        wire, _ = answerer.respond(dns.message.make_query(asked, "A").to_wire(), "127.10.0.9")
        answer = dns.message.from_wire(wire)
        assert sorted(r.to_text() for rrset in answer.answer if rrset.rdtype == dns.rdatatype.A for r in rrset) == [
            "127.10.2.1", "127.11.2.1"]
    with pytest.raises(UnsupportedOperation):  # a zone not served here is still no target
        route53.change_resource_record_sets(user.id, [{"action": "CREATE", "record": RecordSet(
            "x.shop.lab", "A", alias={"hosted_zone_id": "ZNOPE", "dns_name": name, "evaluate_target_health": False})}])


def test_certificates_issued_by_the_labs_ca_or_uploaded_serve_tls_listeners(model, web):
    issued = model.issue_certificate("site", [model.fqdn(web).rstrip("."), "shop.lab"])
    assert issued["arn"] == "arn:aws:iam::000000000000:server-certificate/site" and "BEGIN CERTIFICATE" in issued["chain"]
    with pytest.raises(DuplicateCertificateName):
        model.issue_certificate("site", ["shop.lab"])
    other = model.issue_certificate("other", ["x.lab"])
    with pytest.raises(MalformedCertificate):  # a key that is not the certificate's
        model.upload_server_certificate("mixed", issued["body"], other["private_key"])
    with pytest.raises(MalformedCertificate):
        model.upload_server_certificate("junk", "not a pem", "neither")
    copy = model.upload_server_certificate("copy", issued["body"], issued["private_key"], issued["chain"])
    model.create_listeners("web", [Listener("HTTPS", 443, "HTTP", 8080, copy["arn"]), Listener("SSL", 8443, "TCP", 8081, copy["arn"])])
    tls = [x for x in model.node_config(web, "lab-1a", "127.10.2.1", PLACES).listeners if x.HasField("certificate")]
    assert [x.protocol for x in tls] == ["HTTPS", "SSL"] and tls[0].certificate.body == issued["body"]
    with pytest.raises(CertificateInUse):
        model.delete_server_certificate("copy")
    model.delete_server_certificate("other")
    with pytest.raises(CertificateNotFound):
        model.delete_server_certificate("other")
