"""SPF record syntax (RFC 7208 section 12): split a record into terms and say what is wrong with each.

Parsing never raises: every problem becomes a `SyntaxProblem` naming the term, so a malformed record
is a clear finding, not a traceback.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")  # each costs one of the 10 lookups
QUALIFIERS = "+-~?"
_MODIFIER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*\Z")
_MODIFIER_START = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*=")
_MECHANISM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_MACRO = re.compile(r"%\{([A-Za-z])([0-9]*)(r?)([.\-+,/_=]*)\}", re.IGNORECASE)
# RFC 7208 toplabel: alphanumerics with a letter somewhere, or with a hyphen inside; never all digits,
# so a:10.0.0.10 is an IP address written where a domain belongs, not a name.
_TOPLABEL = re.compile(r"(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]+\Z|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]\Z")
_PREFIX = re.compile(r"0|[1-9][0-9]{0,2}\Z")  # RFC 7208 ip4-cidr-length / ip6-cidr-length: no leading zeros
MACRO_LETTERS = set("slodiphv")
EXP_ONLY_LETTERS = set("crt")


@dataclass(frozen=True)
class Term:
    text: str  # as written
    kind: str  # "mechanism" | "modifier"
    name: str  # lower-case mechanism or modifier name
    qualifier: str = "+"
    value: str = ""  # domain-spec, network or modifier value ("" when absent)
    cidr4: int | None = None
    cidr6: int | None = None

    @property
    def has_macros(self) -> bool:
        return "%" in self.value

    @property
    def costs_lookup(self) -> bool:
        return (self.kind == "mechanism" and self.name in LOOKUP_MECHANISMS) or (
            self.kind == "modifier" and self.name == "redirect"
        )


@dataclass(frozen=True)
class SyntaxProblem:
    term: str
    message: str


@dataclass(frozen=True)
class Parsed:
    record: str
    terms: tuple[Term, ...]
    problems: tuple[SyntaxProblem, ...]

    def modifier(self, name: str) -> Term | None:
        return next((t for t in self.terms if t.kind == "modifier" and t.name == name), None)

    @property
    def all_term(self) -> Term | None:
        return next((t for t in self.terms if t.kind == "mechanism" and t.name == "all"), None)


def is_spf(text: str) -> bool:
    """RFC 7208 4.5: a record whose version section is exactly v=spf1 (then a space or the end)."""
    lowered = text.lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def parse(record: str) -> Parsed:
    terms: list[Term] = []
    problems: list[SyntaxProblem] = []
    if not record.isascii():
        problems.append(SyntaxProblem(record, "the record contains non-ASCII characters"))
    if "\t" in record or "\n" in record:
        problems.append(SyntaxProblem(record, "terms must be separated by spaces, not tabs or newlines"))
    parts = record.split()
    for text in parts[1:]:
        term, problem = _parse_term(text)
        if term is not None:
            terms.append(term)
        if problem is not None:
            problems.append(SyntaxProblem(text, problem))
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if t.kind == "modifier" and t.name == name) > 1:
            problems.append(SyntaxProblem(name + "=", f"the {name} modifier appears more than once"))
    return Parsed(record, tuple(terms), tuple(problems))


def _parse_term(text: str) -> tuple[Term | None, str | None]:
    if _MODIFIER_START.match(text):
        return _parse_modifier(text)
    qualifier, body = ("+", text) if text[0] not in QUALIFIERS else (text[0], text[1:])
    match = _MECHANISM_NAME.match(body)
    if match is None:
        return None, "not a mechanism or modifier"
    name = match.group(0).lower()
    if name not in MECHANISMS:
        return None, f"unknown mechanism {name!r}"
    return _parse_mechanism(text, qualifier, name, body[match.end():])


def _parse_modifier(text: str) -> tuple[Term | None, str | None]:
    name, _, value = text.partition("=")
    if not _MODIFIER_NAME.match(name):
        return None, f"invalid modifier name {name!r}"
    lowered = name.lower()
    term = Term(text, "modifier", lowered, value=value)
    if lowered in ("redirect", "exp"):
        if not value:
            return term, f"{lowered}= needs a domain"
        return term, check_domain_spec(value, allow_exp_letters=False)
    return term, check_macro_string(value, allow_exp_letters=False)


def _parse_mechanism(text: str, qualifier: str, name: str, rest: str) -> tuple[Term | None, str | None]:
    if name == "all":
        return (Term(text, "mechanism", name, qualifier), None if not rest else "all takes no argument")
    if name in ("ip4", "ip6"):
        return _parse_ip(text, qualifier, name, rest)
    value, cidr_text = rest, ""
    if name in ("a", "mx"):
        slash = _cidr_start(rest)
        if slash >= 0:
            value, cidr_text = rest[:slash], rest[slash:]
    if value and not value.startswith(":"):
        return None, f"unknown mechanism {text.lstrip(QUALIFIERS)!r}"
    domain = value[1:]
    if name in ("include", "exists") and not domain:
        return None, f"{name} needs a domain, as in {name}:_spf.example.com"
    if value and not domain:
        return None, f"{name}: is followed by nothing; write {name} alone or {name}:domain"
    cidr4, cidr6, problem = _dual_cidr(cidr_text) if cidr_text else (None, None, None)
    term = Term(text, "mechanism", name, qualifier, domain, cidr4, cidr6)
    if problem:
        return term, problem
    return term, check_domain_spec(domain, allow_exp_letters=False) if domain else None


def _parse_ip(text: str, qualifier: str, name: str, rest: str) -> tuple[Term | None, str | None]:
    if not rest.startswith(":") or len(rest) == 1:
        return None, f"{name} needs a network, as in {name}:{'192.0.2.0/24' if name == 'ip4' else '2001:db8::/32'}"
    network = rest[1:]
    try:
        parsed = ipaddress.ip_network(network, strict=False)
    except ValueError:
        return None, f"{network!r} is not a valid {'IPv4' if name == 'ip4' else 'IPv6'} network"
    if (name == "ip4") != (parsed.version == 4):
        return None, f"{network!r} is not an {'IPv4' if name == 'ip4' else 'IPv6'} network"
    if "/" in network and not _PREFIX.fullmatch(network.split("/", 1)[1]):
        return None, f"{network!r}: the prefix length must be a number without leading zeros"
    prefix = parsed.prefixlen
    return Term(text, "mechanism", name, qualifier, network,
                prefix if name == "ip4" else None, prefix if name == "ip6" else None), None


def _cidr_start(rest: str) -> int:
    """Where the dual-cidr of a/mx begins: the first '/' outside a macro (%{ir/} uses '/' as a delimiter)."""
    depth = 0
    for index, char in enumerate(rest):
        if char == "{" and rest[index - 1:index] == "%":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == "/" and not depth:
            return index
    return -1


def _dual_cidr(text: str) -> tuple[int | None, int | None, str | None]:
    """`/24`, `//64` or `/24//64` after a or mx."""
    four, _, six = text.partition("//")
    cidr4 = cidr6 = None
    if four:
        digits = four[1:]
        if not digits.isdigit() or int(digits) > 32 or (len(digits) > 1 and digits[0] == "0"):
            return None, None, f"invalid IPv4 prefix length {four!r} (0-32)"
        cidr4 = int(digits)
    if "//" in text:
        if not six.isdigit() or int(six) > 128 or (len(six) > 1 and six[0] == "0"):
            return None, None, f"invalid IPv6 prefix length '//{six}' (0-128)"
        cidr6 = int(six)
    return cidr4, cidr6, None


def check_macro_string(value: str, allow_exp_letters: bool) -> str | None:
    """RFC 7208 section 7.1: %{x...}, %%, %_ and %- are the only uses of '%'."""
    index = 0
    while index < len(value):
        char = value[index]
        if char == "%":
            following = value[index + 1:index + 2]
            if following in ("%", "_", "-"):
                index += 2
                continue
            match = _MACRO.match(value, index)
            if match is None:
                return f"invalid macro at {value[index:index + 8]!r}: use %{{letter}}, %%, %_ or %-"
            letter = match.group(1).lower()
            if letter in EXP_ONLY_LETTERS and not allow_exp_letters:
                return f"macro %{{{match.group(1)}}} is only allowed in an exp= explanation"
            if letter not in MACRO_LETTERS | EXP_ONLY_LETTERS:
                return f"unknown macro letter {match.group(1)!r} in {match.group(0)!r}"
            if match.group(2) and int(match.group(2)) == 0:
                return f"{match.group(0)!r}: the number of labels to keep must be at least 1"
            index = match.end()
            continue
        if not 0x21 <= ord(char) <= 0x7E:
            return f"character {char!r} is not allowed in {value!r}"
        index += 1
    return None


def check_domain_spec(value: str, allow_exp_letters: bool) -> str | None:
    """A macro-string that ends in a macro or in a top label (letters somewhere: not an IP address)."""
    problem = check_macro_string(value, allow_exp_letters)
    if problem:
        return problem
    if value.endswith("}"):
        return None
    labels = (value[:-1] if value.endswith(".") else value).split(".")  # one trailing dot allowed
    if len(labels) < 2 or not _TOPLABEL.match(labels[-1]):
        return f"{value!r} is not a domain name (it needs a top-level label such as .com)"
    if any(len(label) > 63 or not label for label in labels if "%" not in label):
        return f"{value!r} has an empty or over-long label"
    return None
