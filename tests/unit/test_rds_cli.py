"""`azlab rds ...` parses aws-cli's shapes before any region is asked."""

import pytest

from azlab.cluster.cli import build_parser, main
from azlab.cluster.rds.cli import _parameter_sets, _parameters


def test_parameters_take_aws_cli_json():
    [number, text, null] = _parameters(
        '[{"name": "id", "value": {"longValue": 7}}, {"name": "v", "value": {"stringValue": "x"}},'
        ' {"name": "n", "value": {"isNull": true}}]')
    assert (number.name, number.value.long_value) == ("id", 7)
    assert text.value.string_value == "x" and null.value.is_null
    assert [len(s.parameters) for s in _parameter_sets('[[{"name": "a", "value": {"longValue": 1}}], []]')] == [1, 0]


@pytest.mark.parametrize("text", ['{"name": "x"}', "[{", '[{"name": "x", "value": {"noSuchValue": 1}}]'])
def test_bad_parameters_are_one_line_with_a_code(text, capsys, monkeypatch):
    monkeypatch.setenv("AZLAB_ENDPOINT", "127.0.0.1:1")  # never reached: the input is refused first
    code = main(["rds", "execute-statement", "--db-instance-identifier", "orders", "--sql", "SELECT 1",
                 "--parameters", text])
    err = capsys.readouterr().err
    assert code == 254 and "(InvalidParameterValue)" in err and err.count("\n") == 1


def test_boolean_options_come_in_aws_cli_pairs():
    parser = build_parser()
    assert parser.parse_args(["rds", "create-db-instance", "--multi-az"]).multi_az is True
    assert parser.parse_args(["rds", "create-db-instance", "--no-multi-az"]).multi_az is False
    assert parser.parse_args(["rds", "reboot-db-instance", "--force-failover"]).force_failover is True
