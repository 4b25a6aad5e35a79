"""EBS volumes and snapshots in the EC2 model: their lifecycles, the rules AWS enforces, and their error codes."""

from __future__ import annotations

import pytest

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2 import model as m
from azlab.cluster.ec2.model import Ec2Model, Host, RunInstancesSpec
from azlab.common.errors import AzlabError
from azlab.cluster.state import Store

AZS = ("lab-1a", "lab-1b", "lab-1c")


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "state.db")
    hosts = [Host("lab-1a/node-0", "lab-1a", True, "docker"), Host("lab-1b/node-0", "lab-1b", True, "docker"),
             Host("lab-1c/node-0", "lab-1c", True, "process")]

    def make() -> Ec2Model:
        return Ec2Model(store, AZS, lambda: hosts, lambda az: f"10.{11 + AZS.index(az)}", "10.200.0")

    return make(), make, hosts


def refused(code: str, call, *args, **kwargs) -> AzlabError:
    with pytest.raises(AzlabError) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value.message
    return error.value


def available(model: Ec2Model, az: str = "lab-1a", **kwargs) -> m.Volume:
    volume = model.create_volume(az, **{"size_gib": 1, **kwargs})
    assert volume.state == "creating"
    model.volume_created(volume.volume_id, True)
    return volume


def running(model: Ec2Model, az: str = "lab-1a", image: str = catalog.LAB_DOCKER) -> m.Instance:
    [instance] = model.run_instances(RunInstancesSpec(image, "t1.micro", az=az))
    model.mark_running(instance.instance_id)
    return instance


def test_volume_types_set_their_iops_as_ebs_does():
    assert catalog.volume_iops("standard", 10) == (100, 100)
    assert catalog.volume_iops("gp2", 10) == (100, 3000)         # the floor, bursting to 3,000
    assert catalog.volume_iops("gp2", 500) == (1500, 3000)
    assert catalog.volume_iops("gp2", 2000) == (6000, 6000)      # above 3,000 baseline there is no burst
    assert catalog.volume_iops("io1", 100, 4000) == (4000, 4000)
    assert catalog.burst_seconds(100, 3000) == pytest.approx(5_400_000 / 2900)  # a full bucket: about 31 minutes


def test_create_attach_detach_delete_follow_the_volume_and_attachment_lifecycles(world):
    model, make, _ = world
    volume = available(model, volume_type="gp2", size_gib=10, tags={"Name": "data"})
    assert (volume.state, volume.iops, volume.burst_iops) == ("available", 100, 3000)
    instance = running(model)
    model.attach_volume(volume.volume_id, instance.instance_id, "/dev/xvdf")
    assert (volume.state, volume.attach_state, volume.instance_id) == ("in-use", "attaching", instance.instance_id)
    assert model.attached_volumes(instance.instance_id) == []  # not yet in the instance
    model.volume_attached(volume.volume_id)
    assert model.attached_volumes(instance.instance_id) == [volume]
    assert make().volumes[volume.volume_id] == volume  # every step is stored
    model.detach_volume(volume.volume_id)
    assert volume.attach_state == "detaching"
    model.volume_detached(volume.volume_id)
    assert (volume.state, volume.attach_state, volume.instance_id, volume.device) == ("available", "", "", "")
    model.delete_volume(volume.volume_id)
    assert volume.state == "deleting"
    model.volume_deleted(volume.volume_id)
    refused("InvalidVolume.NotFound", model.volume, volume.volume_id)
    assert volume.volume_id not in make().volumes


def test_a_volume_attaches_only_within_its_own_az(world):
    model, *_ = world
    volume = available(model, "lab-1a")
    elsewhere = running(model, "lab-1b")
    error = refused("InvalidVolume.ZoneMismatch", model.attach_volume, volume.volume_id, elsewhere.instance_id, "/dev/xvdf")
    assert "lab-1a" in error.message and "lab-1b" in error.message
    assert (volume.state, volume.instance_id) == ("available", "")  # nothing changed


def test_attach_and_delete_rules_and_their_codes(world):
    model, *_ = world
    volume = available(model)
    instance = running(model)
    other = running(model)
    refused("InvalidVolume.NotFound", model.attach_volume, "vol-0000000000000dead", instance.instance_id, "/dev/xvdf")
    refused("InvalidVolumeID.Malformed", model.attach_volume, "volume-1", instance.instance_id, "/dev/xvdf")
    refused("InvalidInstanceID.NotFound", model.attach_volume, volume.volume_id, "i-0000000000000dead", "/dev/xvdf")
    refused("InvalidParameterValue", model.attach_volume, volume.volume_id, instance.instance_id, "xvdf")
    refused("MissingParameter", model.attach_volume, volume.volume_id, instance.instance_id, "")
    model.attach_volume(volume.volume_id, instance.instance_id, "/dev/xvdf")
    refused("VolumeInUse", model.attach_volume, volume.volume_id, other.instance_id, "/dev/xvdg")
    refused("VolumeInUse", model.delete_volume, volume.volume_id)
    second = available(model)
    refused("InvalidParameterValue", model.attach_volume, second.volume_id, instance.instance_id, "/dev/xvdf")  # taken
    refused("IncorrectState", model.detach_volume, second.volume_id)  # attached to nothing
    refused("IncorrectState", model.detach_volume, volume.volume_id, other.instance_id)  # not to that one
    creating = model.create_volume("lab-1a", size_gib=1)
    refused("IncorrectState", model.attach_volume, creating.volume_id, instance.instance_id, "/dev/xvdg")
    refused("IncorrectState", model.create_snapshot, creating.volume_id)
    process = running(model, "lab-1c", catalog.LAB_MINIMAL)
    refused("UnsupportedOperation", model.attach_volume, available(model, "lab-1c").volume_id, process.instance_id, "/dev/xvdf")
    model.terminate_instances([other.instance_id])
    model.mark_terminated(other.instance_id)
    refused("IncorrectInstanceState", model.attach_volume, second.volume_id, other.instance_id, "/dev/xvdf")


@pytest.mark.parametrize("kwargs, code", [
    ({}, "MissingParameter"),                                              # no size, no snapshot
    ({"size_gib": 0, "volume_type": "gp3"}, "InvalidParameterValue"),
    ({"size_gib": 2000}, "InvalidParameterValue"),                          # magnetic: up to 1 TiB
    ({"size_gib": 10, "volume_type": "io1"}, "MissingParameter"),           # io1 needs its IOPS
    ({"size_gib": 10, "volume_type": "io1", "iops": 501}, "InvalidParameterValue"),  # at most 50 per GiB
    ({"size_gib": 10, "volume_type": "gp2", "iops": 300}, "InvalidParameterValue"),  # provisioned on io1 only
    ({"size_gib": 1, "snapshot_id": "snap-0000000000000dead"}, "InvalidSnapshot.NotFound"),
    ({"size_gib": 1, "snapshot_id": "nope"}, "InvalidSnapshotID.Malformed"),
])
def test_bad_volumes_are_refused_and_nothing_is_recorded(world, kwargs, code):
    model, *_ = world
    refused(code, model.create_volume, "lab-1a", **kwargs)
    assert model.volumes == {}
    refused("InvalidParameterValue", model.create_volume, "lab-1z", size_gib=1)


def test_snapshots_copy_a_volume_and_make_new_volumes_no_smaller(world):
    model, make, _ = world
    volume = available(model, size_gib=4, volume_type="io1", iops=200)
    snapshot = model.create_snapshot(volume.volume_id, "nightly")
    assert (snapshot["state"], snapshot["volume_size"], snapshot["availability_zone"]) == ("pending", 4, "lab-1a")
    refused("IncorrectState", model.create_volume, "lab-1b", snapshot_id=snapshot["snapshot_id"])  # not completed
    refused("IncorrectState", model.delete_snapshot, snapshot["snapshot_id"])
    model.snapshot_copied(snapshot["snapshot_id"], True)
    assert make().snapshots[snapshot["snapshot_id"]]["state"] == "completed"
    copy = model.create_volume("lab-1b", snapshot_id=snapshot["snapshot_id"])  # any AZ of the region
    assert (copy.size_gib, copy.snapshot_id, copy.volume_type) == (4, snapshot["snapshot_id"], "standard")
    refused("InvalidParameterValue", model.create_volume, "lab-1b", size_gib=2, snapshot_id=snapshot["snapshot_id"])
    assert [s["snapshot_id"] for s in model.describe_snapshots(filters={"volume-id": [volume.volume_id]})] == [
        snapshot["snapshot_id"]]
    model.delete_snapshot(snapshot["snapshot_id"])
    refused("InvalidSnapshot.NotFound", model.describe_snapshots, [snapshot["snapshot_id"]])


def test_a_stopped_instance_takes_and_gives_volumes_at_once_and_terminate_honours_delete_on_termination(world):
    model, *_ = world
    instance = running(model)
    model.stop_instances([instance.instance_id])
    model.mark_stopped(instance.instance_id)
    volume = available(model)
    model.attach_volume(volume.volume_id, instance.instance_id, "/dev/sdf")
    assert volume.attach_state == "attached"  # it boots with it
    model.detach_volume(volume.volume_id)
    assert volume.state == "available"
    model.attach_volume(volume.volume_id, instance.instance_id, "/dev/sdf")
    model.terminate_instances([instance.instance_id])
    model.mark_terminated(instance.instance_id)
    assert (volume.state, volume.instance_id) == ("available", "")  # a data volume outlives its instance


def test_an_ebs_root_volume_is_made_at_launch_kept_across_stop_and_deleted_on_terminate(world):
    model, *_ = world
    model.images["ami-lab-ebs"] = {**model.images[catalog.LAB_DOCKER], "image_id": "ami-lab-ebs", "name": "ebs",
                                   "root_device_type": "ebs", "image_location": "lab-hvm/disk.img"}
    instance = running(model, image="ami-lab-ebs")
    [root] = model.attached_volumes(instance.instance_id)
    assert (root.device, root.size_gib, root.image_location, root.delete_on_termination) == (
        "/dev/xvda", catalog.ROOT_VOLUME_GIB, "lab-hvm/disk.img", True)
    model.volume_created(root.volume_id, True)
    assert root.state == "in-use"
    refused("IncorrectState", model.detach_volume, root.volume_id)  # not from a running instance
    model.stop_instances([instance.instance_id])
    model.mark_stopped(instance.instance_id)
    assert model.attached_volumes(instance.instance_id) == [root]
    model.terminate_instances([instance.instance_id])
    model.mark_terminated(instance.instance_id)
    assert root.state == "deleting"


def test_a_volume_in_a_dead_az_reads_impaired_and_keeps_its_state(world):
    model, _, hosts = world
    volume = available(model, "lab-1b")
    assert model.volume_status(volume) == "ok"
    hosts[1] = Host("lab-1b/node-0", "lab-1b", False, "docker")
    assert (model.volume_status(volume), volume.state) == ("impaired", "available")


def test_describe_volumes_filters(world):
    model, *_ = world
    a, b = available(model, "lab-1a"), available(model, "lab-1b", volume_type="gp2")
    instance = running(model)
    model.attach_volume(a.volume_id, instance.instance_id, "/dev/xvdf")
    assert model.describe_volumes(filters={"availability-zone": ["lab-1b"]}) == [b]
    assert model.describe_volumes(filters={"attachment.instance-id": [instance.instance_id]}) == [a]
    assert model.describe_volumes(filters={"status": ["available"], "volume-type": ["gp2"]}) == [b]
    refused("InvalidParameterValue", model.describe_volumes, filters={"colour": ["red"]})
    refused("InvalidVolume.NotFound", model.describe_volumes, ["vol-0000000000000dead"])


def test_images_boot_only_on_hosts_whose_backend_runs_them(world):
    model, *_ = world
    error = refused("UnsupportedOperation", model.run_instances, RunInstancesSpec(catalog.LAB_DOCKER, "t1.micro", az="lab-1c"))
    assert "docker" in error.message and "process" in error.message
    [placed] = model.run_instances(RunInstancesSpec(catalog.LAB_DOCKER, "t1.micro"))  # no AZ given: one whose hosts run docker
    assert placed.az in ("lab-1a", "lab-1b") and placed.backend == "docker"
    [minimal] = model.run_instances(RunInstancesSpec(catalog.LAB_MINIMAL, "t1.micro"))
    assert (minimal.az, minimal.backend) == ("lab-1c", "process")
    refused("InvalidParameterValue", model.deregister_image, catalog.LAB_DOCKER)  # built in
