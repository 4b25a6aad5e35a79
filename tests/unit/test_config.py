import pytest

from azlab.cluster.config import RegionConfig
from azlab.common.errors import InvalidParameterValue


def test_azs_given_as_a_count_are_named_after_their_region_with_aws_style_zone_ids():
    config = RegionConfig.from_dict({"region": "eu-9", "azs": 4})
    assert config.azs == ("eu-9a", "eu-9b", "eu-9c", "eu-9d")
    assert [config.zone_id(az) for az in config.azs] == ["eu9-az1", "eu9-az2", "eu9-az3", "eu9-az4"]
    unset = RegionConfig.from_dict({})  # whatever the defaults are, they make a region of the same shape
    assert unset.azs == tuple(f"{unset.region}{letter}" for letter in "abcdef"[:len(unset.azs)])


def test_az_count_and_region_name_come_from_the_file(tmp_path):
    path = tmp_path / "region.toml"
    path.write_text('region = "lab-2"\nazs = 5\nisolation = "loopback"\nheartbeat_threshold_s = 3.0\n')
    config = RegionConfig.load(path)
    assert config.azs == ("lab-2a", "lab-2b", "lab-2c", "lab-2d", "lab-2e")
    assert config.heartbeat_threshold_s == 3.0


def test_flags_override_the_file(tmp_path):
    path = tmp_path / "region.toml"
    path.write_text('azs = ["east", "west"]\nisolation = "netns"\n')
    assert RegionConfig.load(path, isolation="loopback").isolation == "loopback"
    assert RegionConfig.load(path).azs == ("east", "west")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"azs": 1}, "2 to 6 AZs"),
        ({"azs": 7}, "2 to 6 AZs"),
        ({"azs": ["a1", "a1"]}, "unique"),
        ({"region": "Lab_1"}, "invalid region name"),
        ({"isolation": "vlan"}, "isolation must be"),
        ({"heartbeat_interval_s": 2.0, "heartbeat_threshold_s": 1.0}, "heartbeat"),
        ({"colour": "blue"}, "unknown config keys"),
    ],
)
def test_bad_config_is_refused_with_a_reason(data, message):
    with pytest.raises(InvalidParameterValue, match=message):
        RegionConfig.from_dict(data)


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("azs = [")
    with pytest.raises(InvalidParameterValue, match="cannot read config"):
        RegionConfig.load(path)


def test_a_free_port_is_never_one_already_chosen():
    from azlab.cluster.runtime import free_port

    # every port of the range but the last is taken, wherever the search starts
    assert free_port("127.0.0.1", 20000, 21001, taken=frozenset(range(20000, 21000))) == 21000


def test_each_host_runs_the_backend_of_its_own_setting_else_its_azs_else_the_regions(tmp_path):
    path = tmp_path / "region.toml"
    path.write_text('backend = "docker"\n[backends]\n"lab-1b" = "libvirt"\n"lab-1b/node-1" = "process"\n')
    config = RegionConfig.load(path, isolation="loopback", nodes_per_az=2)
    assert [config.backend_of(h) for h in ("lab-1a/node-0", "lab-1b/node-0", "lab-1b/node-1")] == [
        "docker", "libvirt", "process"]
    assert RegionConfig.from_dict(config.to_dict()) == config  # as the store keeps it
    assert RegionConfig.load(path, isolation="loopback", backend="process").backend_of("lab-1c/node-0") == "process"
    for data, message in (({"backend": "xen"}, "backend must be one of"),
                          ({"backends": {"lab-1z": "docker"}}, "no AZ or host")):
        with pytest.raises(InvalidParameterValue, match=message):
            RegionConfig.from_dict(data)
