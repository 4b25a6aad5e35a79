"""azlab.ec2.v1.Ec2: wire <-> model, no decisions."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2 import model as m
from azlab.cluster.servicers import timestamp
from azlab.ec2.v1 import ec2_pb2, ec2_pb2_grpc

if TYPE_CHECKING:
    from azlab.cluster.ec2.service import Ec2Service



def _filters(filters) -> dict[str, list[str]]:
    return {f.name: list(f.values) for f in filters}


def _tags(specifications, resource_type: str) -> dict[str, str]:
    if any(spec.resource_type not in ("", resource_type) for spec in specifications):
        raise m.InvalidParameterValue(f"TagSpecifications: only the resource type {resource_type!r} is supported here")
    return {t.key: t.value for spec in specifications for t in spec.tags}


def _state(name: str) -> ec2_pb2.InstanceState:
    return ec2_pb2.InstanceState(code=m.STATE_CODES[name], name=name)


def _price(value: float) -> str:
    return f"{value:.4f}"


class Ec2Servicer(ec2_pb2_grpc.Ec2Servicer):
    def __init__(self, service: Ec2Service):
        self.service = service
        self.model = service.model

    # instances
    def _instance(self, i: m.Instance) -> ec2_pb2.Instance:
        image = self.model.images.get(i.image_id, {})
        backend = self.service.backend_of(i)
        devices = [ec2_pb2.InstanceBlockDevice(device_name=v.device, volume_id=v.volume_id, status=v.attach_state,
                                               attach_time=timestamp(v.attach_time),
                                               delete_on_termination=v.delete_on_termination)
                   for v in self.model.attached_volumes(i.instance_id, every=True)]
        return ec2_pb2.Instance(
            instance_id=i.instance_id, image_id=i.image_id, instance_type=i.instance_type, state=_state(i.state),
            state_transition_reason=i.state_reason,
            placement=ec2_pb2.Placement(availability_zone=i.az, tenancy=i.tenancy, host_id=i.host),
            private_ip_address=i.private_ip, public_ip_address=self.model.public_ip(i), key_name=i.key_name,
            security_groups=[ec2_pb2.GroupIdentifier(group_id=g, group_name=self.model.groups[g].group_name)
                             for g in i.security_group_ids if g in self.model.groups],
            tags=[ec2_pb2.Tag(key=k, value=v) for k, v in sorted(i.tags.items())],
            launch_time=timestamp(i.launch_time), instance_lifecycle=i.market,
            spot_max_price=_price(i.spot_max_price) if i.market == "spot" else "",
            architecture=image.get("architecture", ""), virtualization_type=image.get("virtualization_type", ""),
            ami_launch_index=i.ami_launch_index, subnet_id=m.subnet_of(i.az),
            resource_limits=ec2_pb2.ResourceLimits(
                vcpus=i.vcpus, memory_mib=i.memory_mib, enforced=bool(i.limits.get("enforced")),
                detail=i.limits.get("detail", "")),
            security_groups_enforced=bool(backend and backend.supports_security_groups), backend=i.backend,
            metadata_endpoint=backend.metadata_endpoint(self.service.spec(i)) if backend else "",
            root_device_type=image.get("root_device_type", "instance-store"),
            root_device_name=image.get("root_device_name", ""), block_device_mappings=devices,
        )

    def _reservations(self, instances: list[m.Instance]) -> list[ec2_pb2.Reservation]:
        ordered = sorted(instances, key=lambda i: (i.reservation_id, i.ami_launch_index))
        return [
            ec2_pb2.Reservation(reservation_id=rid, owner_id=catalog.OWNER_ID, instances=[self._instance(i) for i in group])
            for rid, group in groupby(ordered, key=lambda i: i.reservation_id)
        ]

    async def RunInstances(self, request, context):
        tags = _tags(request.tag_specifications, "instance")
        spot = request.instance_market_options
        launched = self.model.run_instances(m.RunInstancesSpec(
            image_id=request.image_id, instance_type=request.instance_type, min_count=request.min_count,
            max_count=request.max_count, az=request.placement.availability_zone, subnet_id=request.subnet_id,
            tenancy=request.placement.tenancy, key_name=request.key_name,
            security_group_ids=tuple(request.security_group_ids), user_data=request.user_data, tags=tags,
            market=spot.market_type, spot_max_price=spot.spot_options.max_price, client_token=request.client_token,
        ))
        self.service.kick()
        [reservation] = self._reservations(launched)
        return reservation

    async def DescribeInstances(self, request, context):
        found, token = self.model.describe_instances(request.instance_ids, _filters(request.filters),
                                                     request.max_results, request.next_token)
        return ec2_pb2.DescribeInstancesResponse(reservations=self._reservations(found), next_token=token)

    async def DescribeInstanceStatus(self, request, context):
        found, _ = self.model.describe_instances(request.instance_ids)
        statuses = []
        for i in found:
            if i.state != m.RUNNING and not request.include_all_instances:
                continue
            system, own = self.model.status(i)
            statuses.append(ec2_pb2.InstanceStatus(
                instance_id=i.instance_id, availability_zone=i.az, instance_state=_state(i.state),
                system_status=_summary(system), instance_status=_summary(own)))
        return ec2_pb2.DescribeInstanceStatusResponse(instance_statuses=statuses)

    def _changes(self, changes: list[tuple[m.Instance, str]]) -> ec2_pb2.InstanceStateChangesResponse:
        self.service.kick()
        return ec2_pb2.InstanceStateChangesResponse(instances=[
            ec2_pb2.InstanceStateChange(instance_id=i.instance_id, previous_state=_state(before), current_state=_state(i.state))
            for i, before in changes
        ])

    async def StartInstances(self, request, context):
        return self._changes(self.model.start_instances(request.instance_ids))

    async def StopInstances(self, request, context):
        return self._changes(self.model.stop_instances(request.instance_ids))

    async def TerminateInstances(self, request, context):
        return self._changes(self.model.terminate_instances(request.instance_ids))

    async def RebootInstances(self, request, context):
        self.model.reboot_instances(request.instance_ids)
        self.service.kick()
        return ec2_pb2.RebootInstancesResponse()

    async def GetConsoleOutput(self, request, context):
        output = await self.service.console_output(request.instance_id)
        return ec2_pb2.GetConsoleOutputResponse(instance_id=request.instance_id, output=output,
                                                timestamp=timestamp(self.model.clock()))

    async def DescribeInstanceTypes(self, request, context):
        names = list(request.instance_types) or sorted(catalog.INSTANCE_TYPES)
        return ec2_pb2.DescribeInstanceTypesResponse(instance_types=[
            ec2_pb2.InstanceTypeInfo(instance_type=t.name, family=t.family, vcpus=t.vcpus, memory_mib=t.memory_mib,
                                     gpus=t.gpus, on_demand_price=_price(t.price))
            for t in (self.model.instance_type(n) for n in names)
        ])

    # images
    async def RegisterImage(self, request, context):
        image = self.model.register_image(
            request.name, request.description, request.architecture, request.virtualization_type, request.kernel_id,
            request.ramdisk_id, request.root_device_name, request.image_location)
        return ec2_pb2.ImageIdResponse(image_id=image["image_id"])

    async def CreateImage(self, request, context):
        image = await self.service.create_image(request.instance_id, request.name, request.description)
        return ec2_pb2.ImageIdResponse(image_id=image["image_id"])

    async def DescribeImages(self, request, context):
        return ec2_pb2.DescribeImagesResponse(images=[
            ec2_pb2.Image(
                image_id=i["image_id"], name=i["name"], description=i["description"], state=i.get("state", "available"),
                architecture=i["architecture"], virtualization_type=i["virtualization_type"], kernel_id=i["kernel_id"],
                ramdisk_id=i["ramdisk_id"], root_device_name=i["root_device_name"], image_location=i["image_location"],
                backends=i["backends"], source_instance_id=i["source_instance_id"], owner_id=catalog.OWNER_ID,
                creation_date=timestamp(i["creation_date"]), root_device_type=i.get("root_device_type", "instance-store"))
            for i in self.model.describe_images(request.image_ids, _filters(request.filters))
        ])

    async def DeregisterImage(self, request, context):
        self.model.deregister_image(request.image_id)
        return ec2_pb2.DeregisterImageResponse()

    # EBS volumes and snapshots
    @staticmethod
    def _attachment(v: m.Volume, instance_id: str = "", device: str = "", state: str = "") -> ec2_pb2.VolumeAttachment:
        return ec2_pb2.VolumeAttachment(
            volume_id=v.volume_id, instance_id=instance_id or v.instance_id, device=device or v.device,
            state=state or v.attach_state or "detached", attach_time=timestamp(v.attach_time),
            delete_on_termination=v.delete_on_termination)

    def _volume(self, v: m.Volume) -> ec2_pb2.Volume:
        return ec2_pb2.Volume(
            volume_id=v.volume_id, size=v.size_gib, snapshot_id=v.snapshot_id, availability_zone=v.az, state=v.state,
            create_time=timestamp(v.create_time), attachments=[self._attachment(v)] if v.instance_id else [],
            volume_type=v.volume_type, iops=v.iops, burst_iops=v.burst_iops,
            tags=[ec2_pb2.Tag(key=k, value=val) for k, val in sorted(v.tags.items())], status=self.model.volume_status(v))

    @staticmethod
    def _snapshot(snap: dict) -> ec2_pb2.Snapshot:
        return ec2_pb2.Snapshot(
            snapshot_id=snap["snapshot_id"], volume_id=snap["volume_id"], volume_size=snap["volume_size"],
            state=snap["state"], progress=snap["progress"], start_time=timestamp(snap["start_time"]),
            description=snap["description"], owner_id=catalog.OWNER_ID,
            tags=[ec2_pb2.Tag(key=k, value=v) for k, v in sorted(snap["tags"].items())])

    async def CreateVolume(self, request, context):
        volume = self.model.create_volume(
            request.availability_zone, request.size, request.volume_type, request.iops, request.snapshot_id,
            _tags(request.tag_specifications, "volume"))
        self.service.kick()
        return self._volume(volume)

    async def DeleteVolume(self, request, context):
        self.model.delete_volume(request.volume_id)
        self.service.kick()
        return ec2_pb2.DeleteVolumeResponse()

    async def AttachVolume(self, request, context):
        volume = self.model.attach_volume(request.volume_id, request.instance_id, request.device)
        self.service.kick()
        return self._attachment(volume)

    async def DetachVolume(self, request, context):
        volume = self.model.volume(request.volume_id)
        instance_id, device = volume.instance_id, volume.device  # the answer names what it is detached from
        self.model.detach_volume(request.volume_id, request.instance_id, request.device, request.force)
        self.service.kick()
        return self._attachment(volume, instance_id, device, volume.attach_state or "detached")

    async def DescribeVolumes(self, request, context):
        found = self.model.describe_volumes(request.volume_ids, _filters(request.filters))
        return ec2_pb2.DescribeVolumesResponse(volumes=[self._volume(v) for v in found])

    async def CreateSnapshot(self, request, context):
        snapshot = self.model.create_snapshot(request.volume_id, request.description,
                                              _tags(request.tag_specifications, "snapshot"))
        self.service.kick()
        return self._snapshot(snapshot)

    async def DeleteSnapshot(self, request, context):
        self.service.delete_snapshot(request.snapshot_id)
        return ec2_pb2.DeleteSnapshotResponse()

    async def DescribeSnapshots(self, request, context):
        found = self.model.describe_snapshots(request.snapshot_ids, _filters(request.filters))
        return ec2_pb2.DescribeSnapshotsResponse(snapshots=[self._snapshot(s) for s in found])

    # key pairs
    @staticmethod
    def _key_pair(k: dict) -> ec2_pb2.KeyPairInfo:
        return ec2_pb2.KeyPairInfo(key_pair_id=k["key_pair_id"], key_name=k["key_name"], key_fingerprint=k["key_fingerprint"],
                                   key_type=k["key_type"], public_key=k["public_key"], create_time=timestamp(k["create_time"]))

    async def CreateKeyPair(self, request, context):
        pair, private = self.model.create_key_pair(request.key_name, request.key_type)
        return ec2_pb2.CreateKeyPairResponse(key_pair_id=pair["key_pair_id"], key_name=pair["key_name"],
                                             key_fingerprint=pair["key_fingerprint"], key_material=private)

    async def ImportKeyPair(self, request, context):
        return self._key_pair(self.model.import_key_pair(request.key_name, request.public_key_material))

    async def DescribeKeyPairs(self, request, context):
        return ec2_pb2.DescribeKeyPairsResponse(key_pairs=[self._key_pair(k) for k in self.model.describe_key_pairs(request.key_names)])

    async def DeleteKeyPair(self, request, context):
        self.model.delete_key_pair(request.key_name)
        return ec2_pb2.DeleteKeyPairResponse()

    # security groups
    def _group(self, g: m.SecurityGroup) -> ec2_pb2.SecurityGroup:
        return ec2_pb2.SecurityGroup(
            group_id=g.group_id, group_name=g.group_name, description=g.description, vpc_id="vpc-lab",
            ip_permissions=_permissions(g.ingress), ip_permissions_egress=_permissions(g.egress),
            enforced=self.service.backend.supports_security_groups)

    async def CreateSecurityGroup(self, request, context):
        return ec2_pb2.CreateSecurityGroupResponse(
            group_id=self.model.create_security_group(request.group_name, request.description).group_id)

    async def DescribeSecurityGroups(self, request, context):
        groups = self.model.describe_security_groups(request.group_ids, request.group_names)
        return ec2_pb2.DescribeSecurityGroupsResponse(security_groups=[self._group(g) for g in groups])

    async def DeleteSecurityGroup(self, request, context):
        self.model.delete_security_group(request.group_id)
        return ec2_pb2.DeleteSecurityGroupResponse()

    def _rules(self, request, egress: bool, authorize: bool) -> ec2_pb2.SecurityGroupRulesResponse:
        permissions = [
            {"ip_protocol": p.ip_protocol, "from_port": p.from_port, "to_port": p.to_port,
             "cidrs": [r.cidr_ip for r in p.ip_ranges], "group_ids": [g.group_id for g in p.user_id_group_pairs]}
            for p in request.ip_permissions
        ]
        self.model.change_rules(request.group_id, permissions, egress, authorize)
        self.service.kick()
        return ec2_pb2.SecurityGroupRulesResponse(**{"return": True})

    async def AuthorizeSecurityGroupIngress(self, request, context):
        return self._rules(request, egress=False, authorize=True)

    async def AuthorizeSecurityGroupEgress(self, request, context):
        return self._rules(request, egress=True, authorize=True)

    async def RevokeSecurityGroupIngress(self, request, context):
        return self._rules(request, egress=False, authorize=False)

    async def RevokeSecurityGroupEgress(self, request, context):
        return self._rules(request, egress=True, authorize=False)

    # Elastic IPs
    def _address(self, a: dict) -> ec2_pb2.Address:
        instance = self.model.instances.get(a["instance_id"])
        return ec2_pb2.Address(
            public_ip=a["public_ip"], allocation_id=a["allocation_id"], association_id=a["association_id"],
            instance_id=a["instance_id"], private_ip_address=instance.private_ip if instance else "", domain="vpc",
            enforced=self.service.backend.supports_addresses)

    async def AllocateAddress(self, request, context):
        a = self.model.allocate_address(request.domain)
        return ec2_pb2.AllocateAddressResponse(public_ip=a["public_ip"], allocation_id=a["allocation_id"], domain="vpc")

    async def AssociateAddress(self, request, context):
        a = self.model.associate_address(request.allocation_id, request.instance_id, request.allow_reassociation)
        self.service.kick()
        return ec2_pb2.AssociateAddressResponse(association_id=a["association_id"])

    async def DisassociateAddress(self, request, context):
        self.model.disassociate_address(request.association_id)
        self.service.kick()
        return ec2_pb2.DisassociateAddressResponse()

    async def ReleaseAddress(self, request, context):
        self.model.release_address(request.allocation_id)
        return ec2_pb2.ReleaseAddressResponse()

    async def DescribeAddresses(self, request, context):
        found = [self.model.address(a) for a in request.allocation_ids] or list(self.model.addresses.values())
        return ec2_pb2.DescribeAddressesResponse(addresses=[self._address(a) for a in found])

    # purchase options and billing
    def _spot(self, az: str, instance_type: str) -> ec2_pb2.SpotPrice:
        return ec2_pb2.SpotPrice(availability_zone=az, instance_type=instance_type,
                                 spot_price=_price(self.model.spot_price(az, instance_type)), timestamp=timestamp(self.model.clock()))

    async def DescribeSpotPriceHistory(self, request, context):
        types = [self.model.instance_type(t).name for t in request.instance_types] or sorted(catalog.INSTANCE_TYPES)
        azs = [self.model.az(request.availability_zone)] if request.availability_zone else list(self.model.azs)
        return ec2_pb2.DescribeSpotPriceHistoryResponse(spot_price_history=[self._spot(z, t) for z in azs for t in types])

    async def SetSpotPrice(self, request, context):
        self.model.set_spot_price(request.availability_zone, request.instance_type, request.spot_price,
                                  request.interruption_notice_seconds)
        self.service.kick()
        return ec2_pb2.SetSpotPriceResponse(spot_price=self._spot(request.availability_zone, request.instance_type))

    async def DescribeReservedInstancesOfferings(self, request, context):
        offerings = self.model.offerings(request.instance_type, request.availability_zone, request.offering_type)
        return ec2_pb2.DescribeReservedInstancesOfferingsResponse(
            reserved_instances_offerings=[ec2_pb2.ReservedInstancesOffering(**o) for o in offerings])

    async def PurchaseReservedInstancesOffering(self, request, context):
        reserved = self.model.purchase_reserved(request.reserved_instances_offering_id, request.instance_count)
        return ec2_pb2.PurchaseReservedInstancesOfferingResponse(reserved_instances_id=reserved["reserved_instances_id"])

    async def DescribeReservedInstances(self, request, context):
        return ec2_pb2.DescribeReservedInstancesResponse(reserved_instances=[
            ec2_pb2.ReservedInstances(
                reserved_instances_id=r["reserved_instances_id"], instance_type=r["instance_type"],
                availability_zone=r["availability_zone"], offering_type=r["offering_type"],
                instance_count=r["instance_count"], fixed_price=r["fixed_price"], usage_price=r["usage_price"],
                start=timestamp(r["start"]), state=r["state"])
            for r in self.model.reserved.values()
        ])

    async def GetBilling(self, request, context):
        lines, upfront, total = self.model.billing()
        return ec2_pb2.GetBillingResponse(
            lines=[ec2_pb2.BillingLine(**{**line, "hourly_price": _price(line["hourly_price"]), "cost": _price(line["cost"])})
                   for line in lines],
            upfront=f"{upfront:.2f}", total=_price(total))


def _summary(status: str) -> ec2_pb2.InstanceStatusSummary:
    detail = {"ok": "passed", "impaired": "failed"}.get(status)
    return ec2_pb2.InstanceStatusSummary(
        status=status, details=[ec2_pb2.InstanceStatusDetail(name="reachability", status=detail)] if detail else [])


def _permissions(rules: list[m.Rule]) -> list[ec2_pb2.IpPermission]:
    permissions = []
    for (protocol, low, high), group in groupby(sorted(rules, key=lambda r: r.key()), key=lambda r: r.key()[:3]):
        group = list(group)
        permissions.append(ec2_pb2.IpPermission(
            ip_protocol=protocol, from_port=low, to_port=high,
            ip_ranges=[ec2_pb2.IpRange(cidr_ip=r.cidr, description=r.description) for r in group if r.cidr],
            user_id_group_pairs=[ec2_pb2.UserIdGroupPair(group_id=r.group_id) for r in group if r.group_id]))
    return permissions

