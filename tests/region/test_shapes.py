"""Regions of other shapes than the default: AZ count, names and nodes per AZ from flags and a config file."""

import pytest

from .conftest import Lab, tear_down, wait_until

pytestmark = pytest.mark.region


def test_a_config_file_gives_two_azs_of_two_nodes_each(tmp_path):
    config = tmp_path / "region.toml"
    config.write_text('region = "lab-7"\nazs = 2\nnodes_per_az = 2\nisolation = "loopback"\n')
    lab = Lab(tmp_path / "home", "loopback")
    try:
        up = lab.json("up", "--config", str(config))
        assert up["AvailabilityZones"] == ["lab-7a", "lab-7b"]
        zones = lab.zones()
        assert sorted(zones) == ["lab-7a", "lab-7b"]
        for name, zone in zones.items():
            assert zone["State"] == "available"
            assert [n["NodeName"] for n in zone["Nodes"]] == [f"{name}/node-0", f"{name}/node-1"]
            assert all(n["State"] == "alive" for n in zone["Nodes"])
        assert len({n["Address"] for z in zones.values() for n in z["Nodes"]}) == 4

        lab.json("chaos", "kill-node", "lab-7b/node-1")
        assert lab.json("chaos", "describe-faults")["Faults"][0]["NodeName"] == "lab-7b/node-1"
        wait_until(lambda: lab.zones()["lab-7b"]["State"] == "impaired", 30, "lab-7b impaired: one of two nodes down")
        assert [n["State"] for n in lab.zones()["lab-7b"]["Nodes"]] == ["alive", "down"]
        lab.json("chaos", "restore-az", "lab-7b")
        assert lab.zones()["lab-7b"]["State"] == "available"

        other = lab.azlab("up", "--azs", "4", "--isolation", "loopback")
        assert other.returncode == 254 and "already up with other settings" in other.stderr
        second = Lab(tmp_path / "second-home", "loopback").azlab("up", "--isolation", "loopback")
        assert second.returncode == 254 and f"AZLAB_HOME={lab.home}" in second.stderr
    finally:
        tear_down(lab)


def test_az_count_outside_two_to_six_is_refused_before_anything_starts(tmp_path):
    lab = Lab(tmp_path / "home", "loopback")
    done = lab.azlab("up", "--azs", "7")
    assert done.returncode == 2 and "invalid choice" in done.stderr
    assert lab.tagged() == []
