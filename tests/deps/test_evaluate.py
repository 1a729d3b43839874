"""OSV range evaluation: boundaries, event order, pre-releases, local versions, epochs, semver."""

from __future__ import annotations

import pytest

from gates.deps.model import NPM, PYPI, Affected, Event, Range
from gates.deps.osv.cvss import base_score_v3, rating
from gates.deps.osv.evaluate import Stats, fix_versions, is_affected, smallest_fix
from gates.deps.osv.versions import canonical, parse_semver


def affected(*ranges: list[tuple[str, str]], versions: tuple[str, ...] = (), kind: str = "ECOSYSTEM",
             ecosystem: str = PYPI) -> Affected:
    return Affected(ecosystem, "pkg", tuple(Range(kind, tuple(Event(k, v) for k, v in r)) for r in ranges), versions)


def check(version: str, entry: Affected) -> bool:
    return is_affected(version, entry, Stats())


def test_introduced_zero_is_minus_infinity_and_fixed_is_exclusive() -> None:
    entry = affected([("introduced", "0"), ("fixed", "2.0")])
    assert check("0.0.1", entry)
    assert check("1.9.9", entry)
    assert not check("2.0", entry)
    assert not check("2.0.0", entry)  # PEP 440: 2.0 == 2.0.0


def test_introduced_is_inclusive() -> None:
    entry = affected([("introduced", "1.2"), ("fixed", "1.4")])
    assert not check("1.1.9", entry)
    assert check("1.2", entry)
    assert check("1.3.99", entry)


def test_last_affected_is_inclusive() -> None:
    entry = affected([("introduced", "3.0"), ("last_affected", "3.2")])
    assert check("3.2", entry)
    assert check("3.0", entry)
    assert not check("3.2.1", entry)
    assert not check("2.9", entry)


def test_events_out_of_order_are_sorted_before_the_walk() -> None:
    # Walked as written, 2.1 would end "not affected" after the late fixed 1.5.
    entry = affected([("introduced", "2.0"), ("fixed", "2.5"), ("introduced", "1.0"), ("fixed", "1.5")])
    assert check("2.1", entry)
    assert check("1.0", entry)
    assert not check("1.7", entry)
    assert not check("2.5", entry)


def test_multiple_ranges_any_match() -> None:
    entry = affected([("introduced", "1.0"), ("fixed", "1.1")], [("introduced", "2.0"), ("fixed", "2.1")])
    assert check("1.0.5", entry) and check("2.0.5", entry)
    assert not check("1.5", entry)


def test_pre_releases_local_versions_and_epochs() -> None:
    entry = affected([("introduced", "0"), ("fixed", "2.0.0")])
    assert check("2.0.0rc1", entry)  # a pre-release of the fix is still before it
    assert check("1.9+ubuntu1", entry)
    assert not check("2.0.0+local", entry)
    assert not check("1!1.0", entry)  # epoch 1 sorts after every epoch-0 version


def test_versions_list_matches_even_outside_ranges() -> None:
    entry = affected([("introduced", "5.0"), ("fixed", "6.0")], versions=(canonical("0.5", PYPI),))
    assert check("0.5", entry)
    assert check("0.5.0", entry)
    assert not check("0.6", entry)


def test_git_ranges_are_ignored() -> None:
    entry = affected([("introduced", "0"), ("fixed", "abc123")], kind="GIT")
    assert not check("0.1", entry)


def test_limit_bounds_the_range() -> None:
    entry = affected([("introduced", "0"), ("limit", "3.0")])
    assert check("2.9", entry)
    assert not check("3.0", entry)


def test_invalid_bound_is_skipped_and_counted() -> None:
    stats = Stats()
    entry = affected([("introduced", "0"), ("fixed", "not a version!")], [("introduced", "0"), ("fixed", "2.0")])
    # The unorderable `fixed` is skipped, so its range stays open: reported, never a crash.
    assert is_affected("3.0", entry, stats)
    assert stats.invalid_versions == 1
    assert stats.invalid_examples == ["not a version!"]


def test_unparseable_installed_version_is_not_a_crash() -> None:
    assert not check("not-a-version", affected([("introduced", "0"), ("fixed", "2.0")]))


def test_fix_versions_and_smallest_fix() -> None:
    entries = [affected([("introduced", "0"), ("fixed", "1.5")], [("introduced", "2.0"), ("fixed", "2.5")])]
    assert fix_versions(entries) == ["1.5", "2.5"]
    assert smallest_fix("1.2", entries, Stats()) == "1.5"
    assert smallest_fix("2.1", entries, Stats()) == "2.5"


def test_semver_ordering_for_npm() -> None:
    entry = affected([("introduced", "0"), ("fixed", "4.17.12")], ecosystem=NPM)
    assert check("4.17.11", entry)
    assert check("4.17.12-beta.1", entry)
    assert not check("4.17.12", entry)
    assert not check("4.17.12+build.5", entry)
    assert not check("4.100.0", entry)  # numeric, not lexical
    one, two = parse_semver("1.0.0-alpha.1"), parse_semver("1.0.0-alpha.beta")
    assert one is not None and two is not None and one < two
    assert parse_semver("1.0") is None


@pytest.mark.parametrize(
    ("vector", "score", "grade"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "high"),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1, "medium"),
        ("CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 2.0, "low"),
    ],
)
def test_cvss_v3_base_scores(vector: str, score: float, grade: str) -> None:
    assert base_score_v3(vector) == score
    assert rating(score) == grade


def test_cvss_rejects_incomplete_vectors() -> None:
    assert base_score_v3("CVSS:3.1/AV:N") is None
    assert base_score_v3("AV:N/AC:L/Au:N/C:P/I:P/A:P") is None


def test_semver_range_on_pypi_uses_semver_bounds() -> None:
    entry = affected([("introduced", "1.0.0-rc.1"), ("fixed", "1.2.0")], kind="SEMVER")
    assert check("1.0.0", entry)
    assert check("1.1.9", entry)
    assert not check("1.2.0", entry)
    assert check("1.1", entry)  # not semver: PEP 440 ordering against the same bounds


def test_at_equal_bounds_a_range_closes_before_it_reopens() -> None:
    # PYSEC-2023-72's shape: adjacent ranges written out of order; 3.1.1 closes one and opens the next.
    adjacent = affected([("introduced", "0"), ("fixed", "3.1.1"), ("introduced", "3.2.0"), ("fixed", "3.2.2"),
                         ("introduced", "3.1.1"), ("fixed", "3.2.0")])
    assert check("3.1.1", adjacent)
    assert check("3.2.1", adjacent)  # walking the events as written would miss this one
    assert not check("3.2.2", adjacent)
    # The degenerate "introduced X, fixed X" is read as reopened at X: over-reporting, never a miss.
    assert check("1.0", affected([("introduced", "1.0"), ("fixed", "1.0")]))
