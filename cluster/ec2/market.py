"""What instances cost: the spot market, reserved instances, and the bill."""

from __future__ import annotations

import math
import uuid
import zlib

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2.common import SERVICE, Region, parse_price
from azlab.cluster.ec2.common import instance_type as instance_type_named
from azlab.cluster.ec2.errors import InvalidParameterValue, InvalidReservedInstancesOfferingId
from azlab.cluster.ec2.instances import Instances

DEFAULT_SPOT_NOTICE_S = 10.0  # EC2 gives two minutes; scaled for the lab


class Market:
    def __init__(self, region: Region, instances: Instances):
        self.region = region
        self.instances = instances
        self.spot_overrides: dict[str, float] = {d["key"]: d["price"] for d in region.store.resources(SERVICE, "spot-price")}
        self.reserved: dict[str, dict] = {d["reserved_instances_id"]: d for d in region.store.resources(SERVICE, "reserved")}
        self.spot_notice_s: float = region.store.get("ec2.spot_notice_s", DEFAULT_SPOT_NOTICE_S)

    def spot_price(self, az: str, instance_type: str, now: float | None = None) -> float:
        """The market price: fixed by the lab if set, else a slow wave around 30% of on-demand, its own per (AZ, type)."""
        key = f"{az}/{instance_type}"
        if key in self.spot_overrides:
            return self.spot_overrides[key]
        now = self.region.clock() if now is None else now
        phase = zlib.crc32(key.encode()) % 1000 / 1000
        wave = 1 + 0.2 * math.sin(2 * math.pi * (now / 3600 + phase))
        return round(catalog.INSTANCE_TYPES[instance_type].price * catalog.SPOT_BASE_SHARE * wave, 4)

    def set_spot_price(self, az: str, instance_type: str, price: str, notice_s: int = 0) -> float:
        """Lab-only. "0" lets the market move again; `notice_s` sets the interruption notice region-wide."""
        self.region.az(az)
        instance_type_named(instance_type)
        value = parse_price(price, "SpotPrice", allow_zero=True)
        if notice_s < 0:
            raise InvalidParameterValue("InterruptionNoticeSeconds must be >= 0")
        key = f"{az}/{instance_type}"
        if value == 0:
            self.spot_overrides.pop(key, None)
            self.region.store.delete_resource(SERVICE, "spot-price", key)
        else:
            self.spot_overrides[key] = value
            self.region.store.put_resource(SERVICE, "spot-price", key, {"key": key, "price": value})
        if notice_s:
            self.spot_notice_s = float(notice_s)
            self.region.store.put("ec2.spot_notice_s", self.spot_notice_s)
        return self.spot_price(az, instance_type)

    def offerings(self, instance_type: str = "", az: str = "", offering_type: str = "") -> list[dict]:
        types = [instance_type_named(instance_type).name] if instance_type else sorted(catalog.INSTANCE_TYPES)
        azs = [self.region.az(az)] if az else list(self.region.azs)
        if offering_type and offering_type not in catalog.UTILIZATIONS:
            raise InvalidParameterValue(f"OfferingType must be one of {', '.join(catalog.UTILIZATIONS)}")
        kinds = [offering_type] if offering_type else list(catalog.UTILIZATIONS)
        return [_offering(t, z, k) for t in types for z in azs for k in kinds]

    def purchase_reserved(self, offering_id: str, count: int) -> dict:
        offering = next((o for o in self.offerings() if o["reserved_instances_offering_id"] == offering_id), None)
        if offering is None:
            raise InvalidReservedInstancesOfferingId(f"the offering {offering_id!r} does not exist")
        if not 1 <= count <= 100:
            raise InvalidParameterValue("InstanceCount must be 1..100")
        reserved = {**offering, "reserved_instances_id": str(uuid.uuid4()), "instance_count": count,
                    "start": self.region.clock(), "state": "active"}
        self.reserved[reserved["reserved_instances_id"]] = reserved
        self.region.store.put_resource(SERVICE, "reserved", reserved["reserved_instances_id"], reserved)
        return reserved

    def billing(self) -> tuple[list[dict], float, float]:
        """(lines, upfront, total). Every started hour of running is billed in full."""
        now = self.region.clock()
        covered = {}
        for r in self.reserved.values():
            if now < r["start"] + catalog.RESERVED_TERM_S:
                covered.setdefault((r["instance_type"], r["availability_zone"]), []).extend([r] * r["instance_count"])
        lines = []
        for i in sorted(self.instances.instances.values(), key=lambda i: (i.launch_time, i.instance_id)):
            hours = sum(math.ceil(((end or now) - start) / 3600) or 1 for start, end in i.usage)
            if not hours:
                continue
            pool = covered.get((i.instance_type, i.az), [])
            if i.market == "spot":
                option, hourly = "spot", i.spot_price_paid
            elif pool:
                option, hourly = "reserved", float(pool.pop()["usage_price"])
            else:
                option, hourly = "on-demand", catalog.INSTANCE_TYPES[i.instance_type].price
            lines.append({"instance_id": i.instance_id, "instance_type": i.instance_type, "availability_zone": i.az,
                          "purchase_option": option, "billed_hours": hours, "hourly_price": hourly,
                          "cost": round(hours * hourly, 4)})
        upfront = sum(float(r["fixed_price"]) * r["instance_count"] for r in self.reserved.values())
        return lines, upfront, round(upfront + sum(line["cost"] for line in lines), 4)


def _offering(instance_type: str, az: str, offering_type: str) -> dict:
    upfront_hours, factor = catalog.UTILIZATIONS[offering_type]
    price = catalog.INSTANCE_TYPES[instance_type].price
    return {
        "reserved_instances_offering_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"azlab/{instance_type}/{az}/{offering_type}")),
        "instance_type": instance_type, "availability_zone": az, "offering_type": offering_type,
        "duration": catalog.RESERVED_TERM_S, "fixed_price": f"{price * upfront_hours:.2f}",
        "usage_price": f"{price * factor:.4f}",
    }
