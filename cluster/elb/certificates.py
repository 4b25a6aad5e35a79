"""Server certificates for HTTPS and SSL listeners: uploaded ones (IAM's UploadServerCertificate)
checked, and ones the lab's own CA issues (ACM's role), both as PEM. Pure: no sockets."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from azlab.common.errors import AzlabError

CA_DAYS, LEAF_DAYS = 3650, 395


class MalformedCertificate(AzlabError):
    code = "MalformedCertificate"
    status = "INVALID_ARGUMENT"


def _pem_key(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def new_ca(region: str, now: datetime.datetime | None = None) -> tuple[str, str]:
    """(certificate PEM, key PEM) of a region's own CA."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "azlab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"azlab {region} CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return _pem(cert), _pem_key(key)


def issue(ca_pem: str, ca_key_pem: str, domains: list[str], now: datetime.datetime | None = None) -> tuple[str, str]:
    """(certificate PEM, key PEM) for `domains` (the first the subject), signed by the CA."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    ca = x509.load_pem_x509_certificate(ca_pem.encode())
    ca_key = serialization.load_pem_private_key(ca_key_pem.encode(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domains[0])]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in domains]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return _pem(cert), _pem_key(key)


def check(body: str, private_key: str, chain: str = "") -> datetime.datetime:
    """The certificate's expiry, once body, key and chain are shown to belong together; else MalformedCertificate."""
    try:
        cert = x509.load_pem_x509_certificate(body.encode())
        key = serialization.load_pem_private_key(private_key.encode(), None)
        chain_certs = x509.load_pem_x509_certificates(chain.encode()) if chain.strip() else []
    except (ValueError, TypeError) as e:
        raise MalformedCertificate(f"the certificate, its private key or its chain is not valid PEM: {e}") from None
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise MalformedCertificate("the private key does not match the certificate's public key")
    if chain_certs:
        issuer = chain_certs[0].public_key()
        try:
            if isinstance(issuer, rsa.RSAPublicKey):
                issuer.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
            else:
                issuer.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        except (InvalidSignature, TypeError):
            raise MalformedCertificate("the certificate chain does not sign the certificate") from None
    return cert.not_valid_after_utc
