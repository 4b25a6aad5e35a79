"""Key pairs as EC2 makes them: the private key handed out once, fingerprints computed AWS's way."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from azlab.cluster.ec2.errors import InvalidKeyFormat, InvalidParameterValue

KEY_TYPES = ("rsa", "ed25519")


def create(key_type: str) -> tuple[str, str, str]:
    """A new key: (private key material, OpenSSH public key, fingerprint)."""
    if key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
        # AWS: SHA-1 of the DER-encoded PKCS#8 private key, for keys it created
        pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        fingerprint = _colons(hashlib.sha1(pkcs8).hexdigest())
    elif key_type == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
        fingerprint = None
    else:
        raise InvalidParameterValue(f"KeyType must be one of {', '.join(KEY_TYPES)}, not {key_type!r}")
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return private.decode(), public, fingerprint or _sha256(public)


def imported(material: bytes) -> tuple[str, str, str]:
    """(key type, OpenSSH public key, fingerprint) of an imported public key."""
    try:
        key = serialization.load_ssh_public_key(material.strip())
    except (ValueError, TypeError, IndexError) as e:
        raise InvalidKeyFormat(f"the public key is not in OpenSSH format: {e}") from None
    public = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    if isinstance(key, rsa.RSAPublicKey):
        # AWS: MD5 of the DER-encoded public key, for imported RSA keys
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return "rsa", public, _colons(hashlib.md5(der).hexdigest())
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519", public, _sha256(public)
    raise InvalidKeyFormat("only RSA and ED25519 keys can be imported")


def _colons(hexdigest: str) -> str:
    return ":".join(hexdigest[i:i + 2] for i in range(0, len(hexdigest), 2))


def _sha256(openssh_public: str) -> str:
    blob = base64.b64decode(openssh_public.split()[1])
    return base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
