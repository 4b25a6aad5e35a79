"""Key pairs: their public keys, kept by name; a private key made here is handed out once and never kept."""

from __future__ import annotations

from collections.abc import Iterable

from azlab.cluster.ec2 import keys
from azlab.cluster.ec2.common import SERVICE, Region, new_id
from azlab.cluster.ec2.errors import InvalidKeyPairDuplicate, InvalidKeyPairNotFound, InvalidParameterValue, MissingParameter


class KeyPairs:
    def __init__(self, region: Region):
        self.region = region
        self.key_pairs: dict[str, dict] = {d["key_name"]: d for d in region.store.resources(SERVICE, "key-pair")}

    def key_pair(self, name: str) -> dict:
        try:
            return self.key_pairs[name]
        except KeyError:
            raise InvalidKeyPairNotFound(f"the key pair {name!r} does not exist") from None

    def create_key_pair(self, name: str, key_type: str = "") -> tuple[dict, str]:
        """The key pair and its private key, which is not kept."""
        self._check_key_name(name)
        private, public, fingerprint = keys.create(key_type or "rsa")
        return self._add_key_pair(name, key_type or "rsa", public, fingerprint), private

    def import_key_pair(self, name: str, public_key_material: bytes) -> dict:
        self._check_key_name(name)
        if not public_key_material:
            raise MissingParameter("PublicKeyMaterial is required")
        key_type, public, fingerprint = keys.imported(public_key_material)
        return self._add_key_pair(name, key_type, public, fingerprint)

    def _check_key_name(self, name: str) -> None:
        if not name:
            raise MissingParameter("a KeyName is required")
        if len(name) > 255:
            raise InvalidParameterValue("a key name is at most 255 characters")
        if name in self.key_pairs:
            raise InvalidKeyPairDuplicate(f"the key pair {name!r} already exists")

    def _add_key_pair(self, name: str, key_type: str, public: str, fingerprint: str) -> dict:
        pair = {"key_pair_id": new_id("key"), "key_name": name, "key_type": key_type, "public_key": public,
                "key_fingerprint": fingerprint, "create_time": self.region.clock()}
        self.key_pairs[name] = pair
        self.region.store.put_resource(SERVICE, "key-pair", name, pair)
        return pair

    def describe_key_pairs(self, names: Iterable[str] = ()) -> list[dict]:
        return [self.key_pair(n) for n in dict.fromkeys(names)] or sorted(self.key_pairs.values(), key=lambda k: k["key_name"])

    def delete_key_pair(self, name: str) -> None:
        """Idempotent, as in EC2: deleting a missing key pair succeeds."""
        if not name:
            raise MissingParameter("a KeyName is required")
        if self.key_pairs.pop(name, None):
            self.region.store.delete_resource(SERVICE, "key-pair", name)
