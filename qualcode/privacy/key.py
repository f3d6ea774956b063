"""The key file: what each pseudonym stands for, encrypted with a passphrase, kept apart.

Written beside (never inside) a pseudonymised copy, so that the researcher, and only someone
with the passphrase, can turn a pseudonymised quote back into the original words. The file is
JSON: a format mark, the key id (also stored in the copy, to tell which key belongs to which
copy), the key derivation's parameters and salt, and a Fernet token (AES-128 in CBC mode with
an HMAC-SHA256, from the ``cryptography`` package) holding the mapping. The encryption key is
derived from the passphrase with scrypt (n=2**15, r=8, p=1) and a random 16-byte salt.

**Without the passphrase the key cannot be opened, by anyone: a lost passphrase or a lost key
file makes reversal impossible.** That is the point of pseudonymising; keep both safe, apart
from the copies you share.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import ConflictError, InputError, MissingDependencyError

FORMAT = "qualcode-pseudonym-key"
VERSION = 1
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MIN_PASSPHRASE = 8
PASSPHRASE_VARIABLE = "QUALCODE_KEY_PASSPHRASE"


@dataclass
class KeyContents:
    key_id: str
    copy: str  # the name of the pseudonymised copy it was written for
    entries: list[dict]  # text, type, pseudonym of every replaced plan line
    surfaces: dict[str, dict[str, int]]  # a text in the copy -> the originals it replaced, counted


def new_key_id() -> str:
    return secrets.token_hex(16)


def _fernet(passphrase: str, salt: bytes, params: dict):
    try:
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
    except ImportError as exc:
        raise MissingDependencyError(
            "the key file needs the cryptography package; install it with: pip install cryptography"
        ) from exc
    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8"))))


def check_passphrase(passphrase: str | None) -> str:
    if not passphrase or len(passphrase) < MIN_PASSPHRASE:
        raise InputError(
            f"the passphrase must be at least {MIN_PASSPHRASE} characters; type one at the prompt "
            f"or set {PASSPHRASE_VARIABLE}"
        )
    return passphrase


def write_key(path: str | Path, contents: KeyContents, passphrase: str) -> Path:
    """Encrypt ``contents`` into a new key file at ``path`` (an existing file is refused: it
    may be the only key of another copy)."""
    path = Path(path)
    check_passphrase(passphrase)
    if path.exists():
        raise ConflictError(f"{path} already exists; a key is never overwritten, choose a new name")
    salt = os.urandom(16)
    plain = json.dumps(
        {"copy": contents.copy, "entries": contents.entries, "surfaces": contents.surfaces},
        ensure_ascii=False,
    ).encode("utf-8")
    token = _fernet(passphrase, salt, SCRYPT).encrypt(plain)
    envelope = {
        "format": FORMAT, "version": VERSION, "key_id": contents.key_id,
        "kdf": {"name": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode("ascii")},
        "token": token.decode("ascii"),
    }  # fmt: skip
    path.write_text(json.dumps(envelope, indent=1) + "\n", encoding="utf-8")
    return path


def read_key(path: str | Path, passphrase: str) -> KeyContents:
    """Open a key file with its passphrase (a wrong one, or a damaged file: a clear error)."""
    path = Path(path)
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the key file: {exc.strerror}", str(path)) from exc
    except ValueError as exc:
        raise InputError("this is not a qualcode key file (not JSON)", str(path)) from exc
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise InputError("this is not a qualcode key file", str(path))
    if envelope.get("version") != VERSION:
        raise InputError(
            f"key file version {envelope.get('version')} is not known to this qualcode", str(path)
        )
    kdf = envelope.get("kdf") or {}
    try:
        fernet = _fernet(passphrase or "", base64.b64decode(kdf["salt"]), kdf)
        from cryptography.fernet import InvalidToken

        try:
            plain = fernet.decrypt(envelope["token"].encode("ascii"))
        except InvalidToken as exc:
            raise ValueError("not opened") from exc
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(
            "the passphrase does not open this key (a wrong passphrase, or a damaged file); "
            "without the right passphrase the pseudonyms cannot be reversed",
            str(path),
        ) from exc
    data = json.loads(plain.decode("utf-8"))
    return KeyContents(envelope["key_id"], data["copy"], data["entries"], data["surfaces"])


def contents_for(key_id: str, copy: str, entries, surfaces) -> KeyContents:
    """The key's contents from the applied plan lines and the ``(new, original) -> count``
    replacements made."""
    by_new: dict[str, dict[str, int]] = defaultdict(dict)
    for (new, original), count in surfaces.items():
        by_new[new][original] = by_new[new].get(original, 0) + count
    rows = [{"text": e.text, "type": e.type, "pseudonym": e.pseudonym} for e in entries]
    return KeyContents(key_id, copy, rows, dict(by_new))


def reverse(text: str, contents: KeyContents) -> tuple[str, list[str]]:
    """``text`` (a quote from the pseudonymised copy) with every pseudonym turned back into
    the original it most often replaced; and notes on pseudonyms that stood for several."""
    originals = {new: max(found, key=lambda o: (found[o], o)) for new, found in contents.surfaces.items()}
    for row in contents.entries:
        originals.setdefault(row["pseudonym"], row["text"])
    notes = []
    if not originals:
        return text, notes
    body = "|".join(re.escape(n) for n in sorted(originals, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])")

    def back(match: re.Match) -> str:
        new = match.group(0)
        found = contents.surfaces.get(new, {})
        if len(found) > 1:
            notes.append(f"{new} stood for {', '.join(sorted(found))}; shown as {originals[new]}")
        return originals[new]

    return pattern.sub(back, text), list(dict.fromkeys(notes))
