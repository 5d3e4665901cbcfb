"""Ed25519 keys of the identity assertion.

The gateway signs with a private key; services verify with the matching public
key(s). In production both come from the environment
(``GATEWAY_ASSERTION_PRIVATE_KEY`` on the gateway, ``GATEWAY_ASSERTION_PUBLIC_KEY``
everywhere else; the latter may hold several PEM blocks during a rotation). A
service that calls another signs with its own key the same way
(``SERVICE_ASSERTION_PRIVATE_KEY``; its callees hold the public half as
``SERVICE_ASSERTION_PUBLIC_KEY_<NAME>``). For development, each key pair is
generated once into the shared ``var/`` directory so that every process on one
machine agrees without configuration.
"""

import hashlib
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DEV_KEY_FILENAME = "gateway-assertion-ed25519.pem"
SERVICE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.S)


def key_id(public_key: Ed25519PublicKey) -> str:
    """Stable short identifier of a public key, carried as the JWT ``kid``."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_private_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(private_pem: str) -> str:
    key = load_private_key(private_pem)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@lru_cache(maxsize=8)
def load_private_key(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the identity assertion key must be an Ed25519 private key")
    return key


@lru_cache(maxsize=8)
def load_public_keys(pem_text: str) -> dict[str, Ed25519PublicKey]:
    """All Ed25519 public keys in ``pem_text`` by key id (private PEMs give their public half)."""
    keys: dict[str, Ed25519PublicKey] = {}
    for match in _PEM_BLOCK.finditer(pem_text):
        block = match.group(0)
        if "PRIVATE" in match.group(1):
            public = load_private_key(block).public_key()
        else:
            public = serialization.load_pem_public_key(block.encode())
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError("identity assertion public keys must be Ed25519 keys")
        keys[key_id(public)] = public
    if not keys:
        raise ValueError("no PEM key found")
    return keys


def dev_service_key_filename(service: str) -> str:
    """File name, in ``var/``, of the development key pair of the service named ``service``."""
    if not SERVICE_NAME_PATTERN.match(service):
        raise ValueError(f"not a service name: {service!r}")
    return f"service-assertion-{service}-ed25519.pem"


@lru_cache(maxsize=16)
def dev_private_pem(var_dir: Path, filename: str = DEV_KEY_FILENAME) -> str:
    """A development key pair of this machine (the gateway's by default), created on first use.

    Several processes may start at once: the file is written under a temporary
    name and linked into place, so exactly one key wins and all read it.
    """
    return create_once(Path(var_dir) / filename, generate_private_pem)


def create_once(path: Path, make_pem: Callable[[], str]) -> str:
    """The PEM at ``path``, written by ``make_pem()`` if there is none yet.

    Written under a temporary name (mode 0600) and linked into place, so when
    several processes race exactly one key wins and all of them read it.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(make_pem())
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text()
