"""`azlab elasticache ...` reads aws-cli's shorthand before any region is asked."""

import pytest

from azlab.cluster.cli import build_parser


def modify(*values: str):
    return build_parser().parse_args(["elasticache", "modify-cache-parameter-group", "--cache-parameter-group-name", "g",
                                      "--parameter-name-values", *values])


def test_parameter_changes_take_aws_cli_shorthand():
    [policy, events] = modify("ParameterName=maxmemory-policy,ParameterValue=allkeys-lru",
                              "ParameterValue='Ex,g', ParameterName=notify-keyspace-events").parameter_name_values
    assert (policy.parameter_name, policy.parameter_value) == ("maxmemory-policy", "allkeys-lru")
    assert (events.parameter_name, events.parameter_value) == ("notify-keyspace-events", "Ex,g")  # quoted: it holds a comma


@pytest.mark.parametrize("value", ["ParameterName=maxmemory-policy", "maxmemory-policy=allkeys-lru",
                                   "ParameterName=notify-keyspace-events,ParameterValue=Ex,g"])
def test_bad_parameter_changes_are_usage_errors(value, capsys):
    with pytest.raises(SystemExit) as exit:
        modify(value)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and f"--parameter-name-values: {value!r}" in err and "ParameterName=NAME" in err  # usage
