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


def test_parameter_group_changes_take_aws_cli_shorthand(capsys, monkeypatch):
    from azlab.cluster.rds.cli import _group_parameters

    [work_mem, max_connections] = _group_parameters([
        "ParameterName=work_mem,ParameterValue=8MB,ApplyMethod=immediate",
        "ParameterName=max_connections,ParameterValue=50"])
    assert (work_mem.parameter_name, work_mem.parameter_value, work_mem.apply_method) == ("work_mem", "8MB", "immediate")
    assert max_connections.apply_method == "pending-reboot"  # aws-cli's default for a static parameter
    [libraries] = _group_parameters(["ParameterName=shared_preload_libraries,ParameterValue='pg_stat_statements,auto_explain'"])
    assert libraries.parameter_value == "pg_stat_statements,auto_explain"  # quoted, as aws-cli wants a value with a comma
    monkeypatch.setenv("AZLAB_ENDPOINT", "127.0.0.1:1")  # never reached: the input is refused first
    code = main(["rds", "modify-db-parameter-group", "--db-parameter-group-name", "g", "--parameters", "work_mem=8MB"])
    err = capsys.readouterr().err
    assert code == 254 and "(InvalidParameterValue)" in err and err.count("\n") == 1
    restore = build_parser().parse_args(["rds", "restore-db-instance-to-point-in-time", "--source-db-instance-identifier",
                                         "shop", "--target-db-instance-identifier", "shop3", "--restore-time",
                                         "2026-11-27T08:15:00Z"])
    assert restore.restore_time == "2026-11-27T08:15:00Z" and restore.use_latest_restorable_time is False
