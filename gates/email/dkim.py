"""DKIM (RFC 6376) key records at <selector>._domainkey.<domain>, CNAMEs followed.

With no selector configured, the selectors common ESPs use are tried and the ones found reported.
Keys are decoded and parsed with `cryptography`: an empty p= is a revoked key, RSA below 1024 bits
is an error (RFC 8301), below 2048 a warning; k=ed25519 (RFC 8463) keys are 32 raw bytes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from gates.common.dns import Lookup, Outcome, Resolver
from gates.email.result import Result, quoted
from gates.email.tags import parse_tags

COMMON_SELECTORS = (
    "google", "selector1", "selector2", "s1", "s2", "k1", "k2", "k3", "mandrill", "resend", "pm",
    "amazonses", "default", "dkim", "mail", "smtp", "sig1", "mxvault", "zendesk1", "fm1", "protonmail",
    "mailjet", "scph0922",
)
RSA_MIN_BITS = 1024
RSA_GOOD_BITS = 2048
RSA_MAX_BITS = 4096  # RFC 8301 3.2: verifiers must handle 1024-4096 bits; beyond, some give up


@dataclass(frozen=True)
class DkimSummary:
    valid_selectors: tuple[str, ...]


def check_dkim(resolver: Resolver, domain: str, selectors: Sequence[str]) -> tuple[Result, DkimSummary]:
    result = Result("dkim", domain)
    probing = not selectors
    names = list(selectors) or list(COMMON_SELECTORS)
    if probing and _nothing_below(result, resolver, domain):
        names = []
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(names)))) as pool:
        lookups = list(pool.map(lambda s: resolver.txt(f"{s}._domainkey.{domain}"), names))
    valid: list[str] = []
    for selector, lookup in zip(names, lookups, strict=True):
        if _selector(result, domain, selector, lookup, probing):
            valid.append(selector)
    found = [s for s, lookup in zip(names, lookups, strict=True) if lookup.found]
    if probing and valid and result.failures:
        # A probe of a selector nobody named that failed does not put in doubt the valid key found.
        result.lines.append(f"({len(result.failures)} probe(s) could not be looked up; a valid key was found)")
        result.failures.clear()
    result.properties.update(selectors_valid=len(valid), selectors_found=len(found), selectors_tried=len(names))
    if probing:
        if names:
            result.lines.insert(0, f"no selector configured; tried {len(names)} common ESP selectors: "
                                   f"found {', '.join(found) or 'none'}")
        if not found and not result.failures:
            result.warn("no-selector", f"no DKIM key found at _domainkey.{domain} or any of {len(COMMON_SELECTORS)} "
                        f"common selectors ({', '.join(COMMON_SELECTORS[:6])}, ...)",
                        evidence=f"<selector>._domainkey.{domain} TXT",
                        fix="Pass the selector your provider gave you: --dkim-selector NAME "
                            "(or dkim_selectors in [email]); it is in the DKIM-Signature s= tag of a sent message.")
    return result, DkimSummary(tuple(valid))


def _nothing_below(result: Result, resolver: Resolver, domain: str) -> bool:
    """True when _domainkey.<domain> does not exist, so no selector can exist below it (RFC 8020).

    One query instead of one per common selector. NODATA (the usual answer when keys exist: an
    empty non-terminal) and failures fall through to probing.
    """
    lookup = resolver.txt(f"_domainkey.{domain}")
    if lookup.outcome is Outcome.NXDOMAIN:
        result.lines.append(f"no selector configured; _domainkey.{domain} does not exist (NXDOMAIN), so no "
                            "selector can exist below it (RFC 8020)")
        return True
    return False


def _selector(result: Result, domain: str, selector: str, lookup: Lookup, probing: bool) -> bool:
    name = f"{selector}._domainkey.{domain}"
    if result.failed(lookup):
        return False
    via = f" (via CNAME {' -> '.join(lookup.cnames)})" if lookup.cnames else ""
    if lookup.void:
        if lookup.cnames:
            what = ("which does not exist: signatures with this selector fail, and whoever registers that name "
                    "can sign as you") if lookup.outcome is Outcome.NXDOMAIN else (
                    "which has no TXT record (no key): signatures with this selector fail")
            result.error("cname-dangling", f"{name} is a CNAME to {lookup.cnames[-1]}, {what}",
                         evidence=f"{name} CNAME {lookup.cnames[0]}",
                         fix="Point the CNAME at the key your provider publishes now, or delete it.")
        elif not probing:
            result.error("missing", f"no DKIM key at {name} ({lookup.outcome.value})",
                         evidence=f"{name} TXT: {lookup.outcome.value}",
                         fix=f"Publish the TXT (or CNAME) record your provider gives for selector {selector!r}.")
        return False
    keys = [r for r in lookup.records if "p=" in r or r.lstrip().lower().startswith("v=dkim1")]
    if not keys:
        result.error("not-a-key", f"{name} has TXT records but none is a DKIM key", fix="Publish v=DKIM1; k=...; p=...",
                     evidence="; ".join(quoted(name, r) for r in lookup.records))
        return False
    if len(keys) > 1:
        result.error("multiple-records", f"{name} publishes {len(keys)} key records; verifiers may pick either",
                     evidence="; ".join(quoted(name, r) for r in keys), fix="Keep exactly one key per selector.")
        return False
    result.lines.append(f'{selector}: "{_short(keys[0])}"{via}')
    return _key(result, name, keys[0], probing)


def _short(record: str) -> str:
    return record if len(record) <= 100 else record[:60] + "..." + record[-20:]


def _key(result: Result, name: str, record: str, probing: bool) -> bool:
    evidence = quoted(name, _short(record))
    tags, problems = parse_tags(record)
    for problem in problems:
        result.error("syntax", f"{name}: {problem}", evidence=evidence, fix="Publish the record exactly as "
                     "your provider gives it: tag=value pairs separated by semicolons.")
    if "v" in tags and tags["v"] != "DKIM1":
        result.error("version", f"{name}: v={tags['v']} (must be DKIM1)", evidence=evidence, fix="Use v=DKIM1.")
    if "v" in tags and next(iter(tags)) != "v":
        result.error("version", f"{name}: v= must be the first tag", evidence=evidence, fix="Put v=DKIM1 first.")
    hashes = [h.strip().lower() for h in tags.get("h", "").split(":") if h.strip()]
    if hashes and "sha256" not in hashes:
        result.error("sha1", f"{name}: h={tags['h']} allows only SHA-1, which verifiers must reject (RFC 8301)",
                     evidence=evidence, fix="Remove the h= tag or set h=sha256.")
    services = [v.strip().lower() for v in tags.get("s", "*").split(":")]
    if not {"*", "email"} & set(services):
        result.error("service", f"{name}: s={tags['s']} excludes email, so verifiers ignore the key for mail",
                     evidence=evidence, fix="Remove s= or set s=email.")
    flags = [f.strip().lower() for f in tags.get("t", "").split(":")]
    if "y" in flags:
        result.warn("testing", f"{name}: t=y marks the key as testing: verifiers may treat signatures as unsigned",
                    evidence=evidence, fix="Remove t=y once signing works.")
    if "p" not in tags:
        result.error("no-key", f"{name}: the p= tag is missing", evidence=evidence, fix="Publish the public key in p=.")
        return False
    if not tags["p"]:
        # An empty p= is how RFC 6376 3.6.1 says to retire a key: at a selector found by probing it is
        # most likely an old one; at a configured selector it means every signature fails.
        (result.info if probing else result.error)(
            "revoked", f"{name}: p= is empty, so the key is revoked and signatures with it fail", evidence,
            "Remove the selector from your signer, or publish its current key.")
        return False
    return _public_key(result, name, tags.get("k", "rsa").lower(), tags["p"], evidence) and not problems


def _public_key(result: Result, name: str, kind: str, data: str, evidence: str) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        result.error("bad-key", f"{name}: p= is not valid base64", evidence=evidence,
                     fix="Copy the key again from your provider; it was cut or altered.")
        return False
    if kind == "ed25519":
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            result.error("bad-key", f"{name}: k=ed25519 but p= is not a 32-byte Ed25519 key", evidence=evidence,
                         fix="Publish the raw 32-byte public key, base64-encoded (RFC 8463).")
            return False
        result.lines.append("  ed25519 key (RFC 8463); sign with RSA too: many verifiers do not support it yet")
        return True
    if kind != "rsa":
        result.error("key-type", f"{name}: k={kind} is not rsa or ed25519", evidence=evidence, fix="Use k=rsa.")
        return False
    from cryptography.exceptions import UnsupportedAlgorithm

    key: object
    try:
        key = load_der_public_key(raw)
    except UnsupportedAlgorithm:
        key = None  # well-formed, for an algorithm that is not RSA
    except (ValueError, TypeError):
        key = _pkcs1(raw)
    if not isinstance(key, rsa.RSAPublicKey):
        result.error("bad-key", f"{name}: p= is not an RSA public key", evidence=evidence,
                     fix="Copy the key again from your provider; it was cut or altered.")
        return False
    bits = key.key_size
    result.lines.append(f"  RSA {bits}-bit key")
    if bits < RSA_MIN_BITS:
        result.error("weak-key", f"{name}: RSA key is {bits} bits; verifiers reject keys under {RSA_MIN_BITS} "
                     "(RFC 8301)", evidence=evidence, fix=f"Rotate to a {RSA_GOOD_BITS}-bit key.")
        return False
    if bits > RSA_MAX_BITS:
        result.warn("long-key", f"{name}: RSA key is {bits} bits; verifiers are only required to handle up to "
                    f"{RSA_MAX_BITS} (RFC 8301), so some will fail your signatures", evidence=evidence,
                    fix=f"Rotate to a {RSA_GOOD_BITS}-bit key.")
    if bits < RSA_GOOD_BITS:
        result.warn("short-key", f"{name}: RSA key is {bits} bits; {RSA_GOOD_BITS} is the norm", evidence=evidence,
                    fix=f"Rotate to a {RSA_GOOD_BITS}-bit key.")
    return True


def _pkcs1(raw: bytes) -> object:
    """Some keys are published as a bare PKCS#1 RSAPublicKey instead of SubjectPublicKeyInfo."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    header = bytes.fromhex("300d06092a864886f70d0101010500")  # AlgorithmIdentifier rsaEncryption
    bit_string = b"\x03" + _der_length(len(raw) + 1) + b"\x00" + raw
    body = header + bit_string
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        return load_der_public_key(b"\x30" + _der_length(len(body)) + body)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(encoded)]) + encoded
