"""Write the one-host stack's keys once into a directory (the compose file's ``keys`` volume).

Services read them through ``NAME_FILE`` variables (docker/entrypoint.sh). Existing
files are kept, so a restarted stack keeps its sessions and signatures valid. For
a cluster, keys are made by the operator and referenced as Kubernetes Secrets.
"""

import secrets
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common.identity.keys import generate_private_pem, public_pem

#: Ed25519 key pairs, one per signer: the gateway's users' assertions, the monolith's calls
#: (the runner, the shop) and the gateway's own calls (the monolith's switch API, the shop).
KEY_PAIRS = ("gateway-assertion", "monolith-assertion", "gateway-service-assertion")


def rsa_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def write_keys(directory: Path) -> list[str]:
    """Create each missing key file under ``directory``; returns the names created."""
    directory.mkdir(parents=True, exist_ok=True)
    made = {}
    for name in KEY_PAIRS:
        private = directory / f"{name}.pem"
        if not private.exists():
            made[private.name] = generate_private_pem()
        made_pem = made.get(private.name) or private.read_text()
        public = directory / f"{name}.pub.pem"
        if not public.exists():
            made[public.name] = public_pem(made_pem)
    if not (directory / "oidc-rsa.pem").exists():
        made["oidc-rsa.pem"] = rsa_private_pem()
    if not (directory / "secret-key").exists():
        # URL-safe characters only: django-environ reads a value starting with "$" as the
        # name of another variable, which Django's own key alphabet can produce.
        made["secret-key"] = secrets.token_urlsafe(50)
    for filename, content in made.items():
        path = directory / filename
        path.write_text(content)
        path.chmod(0o640)
    return sorted(made)


if __name__ == "__main__":
    created = write_keys(Path(sys.argv[1] if len(sys.argv) > 1 else "/keys"))
    print(f"keys created: {', '.join(created) or 'none (all present)'}")
