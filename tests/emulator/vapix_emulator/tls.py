"""A CA and one server certificate covering every device address (HTTPS option).

The server certificate is made at every start (the device addresses may change); the CA is kept in a
folder when asked (``--ca-dir``, or ``--state-dir``), so a client configured with its ``ca.pem``
keeps trusting a restarted emulator."""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import ssl
from typing import List, Optional, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vapix emulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


CA_FILE = "ca.pem"
CA_KEY_FILE = "ca.key"
CA_LIFETIME = _dt.timedelta(days=3650)  # a kept CA outlives any rehearsal
SERVER_LIFETIME = _dt.timedelta(days=365)


def _write_key(path: str, key: ec.EllipticCurvePrivateKey) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _new_ca(directory: str) -> Tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    now = _dt.datetime.now(_dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("vapix emulator test CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(hours=1)).not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    # The key first, the certificate last: a CA folder with ca.pem always has its key.
    _write_key(os.path.join(directory, CA_KEY_FILE), ca_key)
    with open(os.path.join(directory, CA_FILE), "wb") as stream:
        stream.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    return ca_cert, ca_key


def load_or_make_ca(directory: str) -> Tuple[x509.Certificate, ec.EllipticCurvePrivateKey, bool]:
    """The CA kept in ``directory`` (``ca.pem`` + ``ca.key``), made there when absent or expired.
    Returns (certificate, key, made). ValueError names an unreadable file."""
    ca_path, key_path = os.path.join(directory, CA_FILE), os.path.join(directory, CA_KEY_FILE)
    if os.path.exists(ca_path) and os.path.exists(key_path):
        try:
            with open(ca_path, "rb") as stream:
                ca_cert = x509.load_pem_x509_certificate(stream.read())
            with open(key_path, "rb") as stream:
                ca_key = serialization.load_pem_private_key(stream.read(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            raise ValueError("the CA in {0} is unreadable ({1}); move {2} and {3} away to make a new one".format(
                directory, exc, CA_FILE, CA_KEY_FILE)) from None
        if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
            raise ValueError("{0} is not an EC private key; move it away to make a new CA".format(key_path))
        if ca_cert.not_valid_after_utc > _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(days=1):
            return ca_cert, ca_key, False
    ca_cert, ca_key = _new_ca(directory)
    return ca_cert, ca_key, True


def make_certificates(directory: str, hosts: List[str], ca_dir: Optional[str] = None) -> Tuple[str, str, str]:
    """Write ``server.pem`` and ``server.key`` (SANs: every host and localhost) into ``directory``,
    signed by the CA of ``ca_dir`` (kept across starts; default: a new CA in ``directory``).
    Returns (CA file, certificate, key) paths."""
    ca_dir = ca_dir or directory
    ca_cert, ca_key, _made = load_or_make_ca(ca_dir)
    now = _dt.datetime.now(_dt.timezone.utc)
    server_key = ec.generate_private_key(ec.SECP256R1())
    names: List[x509.GeneralName] = [x509.DNSName("localhost")]
    names += [x509.IPAddress(ipaddress.ip_address(host)) for host in hosts]
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0] if hosts else "localhost")).issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(hours=1)).not_valid_after(min(now + SERVER_LIFETIME, ca_cert.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path = os.path.join(directory, "server.pem")
    key_path = os.path.join(directory, "server.key")
    with open(cert_path, "wb") as stream:
        stream.write(server_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key_path, server_key)
    return os.path.join(ca_dir, CA_FILE), cert_path, key_path


def server_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context
