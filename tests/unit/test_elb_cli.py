"""`azlab elb ...` parses aws-cli's shapes (and the issue's shorter ones) before any region is asked."""

import pytest

from azlab.cluster.cli import build_parser, main
from azlab.cluster.elb.cli import health_check, instances, listeners


def test_listeners_and_instances_take_aws_cli_shorthand():
    [http, tls] = listeners(["Protocol=HTTP,LoadBalancerPort=80,InstancePort=8080",
                             "Protocol=HTTPS,LoadBalancerPort=443,InstanceProtocol=HTTP,InstancePort=8080,SSLCertificateId=arn:x"])
    assert (http.protocol, http.load_balancer_port, http.instance_port) == ("HTTP", 80, 8080)
    assert (tls.instance_protocol, tls.ssl_certificate_id) == ("HTTP", "arn:x")
    assert [i.instance_id for i in instances(["i-1", "InstanceId=i-2"])] == ["i-1", "i-2"]
    [spaced] = listeners(["Protocol = TCP, LoadBalancerPort = 5432 ,InstancePort=5432"])  # the shared parser's whitespace
    assert (spaced.protocol, spaced.load_balancer_port, spaced.instance_port) == ("TCP", 5432, 5432)


def test_health_check_from_options_or_aws_cli_shorthand():
    parser = build_parser()
    short = parser.parse_args(["elb", "configure-health-check", "--name", "web", "--target", "HTTP:8080/health",
                               "--interval", "1", "--healthy-threshold", "2", "--unhealthy-threshold", "2"])
    check = health_check(short)
    assert (check.target, check.interval, check.timeout, check.healthy_threshold) == ("HTTP:8080/health", 1, 1, 2)
    aws = parser.parse_args(["elb", "configure-health-check", "--load-balancer-name", "web", "--health-check",
                             "Target=TCP:80,Interval=30,Timeout=5,UnhealthyThreshold=2,HealthyThreshold=10"])
    assert health_check(aws).timeout == 5 and aws.name == "web"


@pytest.mark.parametrize("args", [
    ["create-load-balancer", "--name", "web", "--listeners", "Protocol=HTTP,Port=80", "--availability-zones", "lab-1a"],
    ["create-load-balancer", "--name", "web", "--listeners", "Protocol=HTTP,LoadBalancerPort=x", "--availability-zones", "a"],
    ["configure-health-check", "--name", "web", "--interval", "5"],
    ["register-instances-with-load-balancer", "--name", "web", "--instances", "Instance=i-1"],
    ["configure-health-check", "--name", "web", "--health-check", "Target=HTTP:80/,Interval=[5"],
    ["configure-health-check", "--name", "web", "--health-check", "Target=HTTP:80/,Target=TCP:80"],
])
def test_bad_input_is_one_line_with_a_code(args, capsys, monkeypatch):
    monkeypatch.setenv("AZLAB_ENDPOINT", "127.0.0.1:1")  # never reached: the input is refused first
    code = main(["elb", *args])
    err = capsys.readouterr().err
    assert code == 254 and "(ValidationError)" in err and err.count("\n") == 1
