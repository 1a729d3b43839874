"""The migrations gate against squawk (`pip install squawk-cli`) on 100 generated migrations.

Generates 100 migrations of realistic DDL (new tables with foreign keys and indexes, added columns,
backfills, and a known share of risky operations), then measures, alternating runs:

  - the gate's whole dry run (start a throwaway PostgreSQL, apply every migration, lint, stop);
  - the gate's lint alone (pglast split + rules), in-process and as a fresh `python` process;
  - squawk on the same files (a fresh process each time, as a CI step runs it);

and prints wall-time medians, the lint ratio, and rule findings side by side (squawk's rule ids
mapped to the gate's; squawk's style rules, which the gate does not have, are listed apart).

    python benchmarks/migrations.py [--runs 5] [--count 100]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# squawk rule -> the gate's rule (None: a style rule the gate does not have, by design)
SQUAWK_TO_GATE: dict[str, str | None] = {
    "ban-drop-table": "drop-table", "ban-drop-column": "drop-column", "renaming-column": "rename-column",
    "renaming-table": "rename-table", "changing-column-type": "alter-column-type",
    "adding-required-field": "add-not-null-column", "adding-not-nullable-field": "set-not-null",
    "adding-field-with-default": "add-column-volatile-default",
    "adding-serial-primary-key-field": "unique-constraint",
    "require-concurrent-index-creation": "create-index-not-concurrently",
    "require-concurrent-index-deletion": "drop-index-not-concurrently",
    "constraint-missing-not-valid": "foreign-key-not-valid|check-not-valid",
    "adding-foreign-key-constraint": "foreign-key-not-valid", "disallowed-unique-constraint": "unique-constraint",
    "ban-concurrent-index-creation-in-transaction": "concurrently-in-transaction",
    "require-lock-timeout": "lock-timeout-missing", "ban-truncate-cascade": "truncate",
    "ban-drop-database": "drop-database", "ban-alter-domain-with-add-constraint": "check-not-valid",
    "adding-primary-key-constraint": "unique-constraint",
    "require-concurrent-reindex": "reindex-not-concurrently", "ban-set-schema": "rename-table",
    "ban-drop-schema": "drop-table",
    "prefer-robust-stmts": None, "prefer-identity": None, "prefer-bigint-over-int": None,
    "prefer-bigint-over-smallint": None, "prefer-text-field": None, "prefer-timestamptz": None,
    "require-statement-timeout": None, "ban-char-field": None,
}


def generate(folder: Path, count: int) -> None:
    """`count` migrations: mostly safe growth, with every kind of risky change at a fixed rate."""
    folder.mkdir(parents=True)
    for n in range(1, count + 1):
        t, prev = f"t{n:03d}", f"t{n - 1:03d}"
        lines = [f"-- migration {n}"]
        if n % 10 != 0:
            lines += [
                f"CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,"
                f" parent_id bigint{f' REFERENCES {prev} (id)' if n > 1 and (n - 1) % 10 != 0 else ''},"
                " created_at timestamptz NOT NULL DEFAULT now(), payload jsonb);",
                f"CREATE INDEX {t}_name ON {t} (name);",
                f"INSERT INTO {t} (name) SELECT 'row ' || g FROM generate_series(1, 20) g;",
            ]
        if n > 1 and (n - 1) % 10 != 0:
            risky = n % 9
            lines.append("SET lock_timeout = '5s';" if n % 4 == 0 else "")
            lines.append({
                0: f"ALTER TABLE {prev} DROP COLUMN payload;",
                1: f"CREATE INDEX {prev}_created ON {prev} (created_at);",
                2: f"ALTER TABLE {prev} ADD COLUMN note text;",
                3: f"ALTER TABLE {prev} ADD COLUMN flag boolean NOT NULL DEFAULT false;",
                4: f"ALTER TABLE {prev} ALTER COLUMN name SET NOT NULL;",
                5: f"ALTER TABLE {prev} ADD CONSTRAINT {prev}_name_len CHECK (length(name) < 500);",
                6: f"ALTER TABLE {prev} RENAME COLUMN payload TO data;",
                7: f"UPDATE {prev} SET name = upper(name) WHERE id < 10;",
                8: f"ALTER TABLE {prev} ADD COLUMN token uuid DEFAULT gen_random_uuid();",
            }[risky])
        (folder / f"{n:04d}_step.sql").write_text("\n".join(line for line in lines if line) + "\n")


def timed(function: object) -> float:
    started = time.perf_counter()
    function()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    squawk = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    if not Path(squawk).exists():
        sys.exit("squawk not found: pip install squawk-cli")
    work = Path(tempfile.mkdtemp(prefix="gates-bench-migrations-"))
    try:
        measure(args.runs, args.count, work, squawk)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(runs: int, count: int, work: Path, squawk: str) -> None:
    from gates.config import Config
    from gates.context import GateContext
    from gates.migrations import options_from_config, run
    from gates.migrations.discover import SqlSource
    from gates.migrations.rules import lint
    from gates.migrations.statements import split
    from gates.report import Status

    folder = work / "migrations"
    generate(folder, count)
    files = sorted(folder.glob("*.sql"))
    options = options_from_config({"path": "migrations"}, GateContext(work, Config(None, work)))

    def gate_lint() -> list[tuple[str, str]]:
        found = []
        for path in files:
            for hit in lint(split(SqlSource(path, path.read_text())), False):
                found.append((path.name, hit.rule.id))
        return found

    lint_code = ("import sys; from pathlib import Path; from gates.migrations.discover import SqlSource;"
                 "from gates.migrations.rules import lint; from gates.migrations.statements import split\n"
                 "for p in sorted(Path(sys.argv[1]).glob('*.sql')): lint(split(SqlSource(p, p.read_text())), False)")
    samples: dict[str, list[float]] = {"gate dry run (start PostgreSQL + apply + lint)": [],
                                       "gate lint, in-process": [], "gate lint, fresh python process": [],
                                       "squawk (fresh process)": []}
    report = run(options)
    for _ in range(runs):
        samples["gate dry run (start PostgreSQL + apply + lint)"].append(timed(lambda: run(options)))
        samples["gate lint, in-process"].append(timed(gate_lint))
        samples["gate lint, fresh python process"].append(timed(lambda: subprocess.run(
            [sys.executable, "-c", lint_code, str(folder)], cwd=ROOT, check=True)))
        samples["squawk (fresh process)"].append(timed(lambda: subprocess.run(
            [squawk, "--reporter", "json", *map(str, files)], capture_output=True, check=False)))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"{count} migrations, {runs} runs each; server: {report.metrics.get('server')}")
    print(f"gate dry run: {report.counts()[Status.FAILED]} migrations blocked,"
          f" {report.metrics.get('statements')} statements, exit {report.exit_code}")
    for name, value in medians.items():
        print(f"  {name:<48} median {value * 1000:8.1f} ms")
    squawk_ms = medians["squawk (fresh process)"]
    print(f"  lint ratio gate/squawk: in-process {medians['gate lint, in-process'] / squawk_ms:.2f}x,"
          f" fresh process {medians['gate lint, fresh python process'] / squawk_ms:.2f}x (target <= 2x)")
    print(f"  whole dry run target < 10 s: {'met' if medians[next(iter(medians))] < 10 else 'NOT met'}")
    compare(gate_lint(), squawk, files)


def compare(ours: list[tuple[str, str]], squawk: str, files: list[Path]) -> None:
    done = subprocess.run([squawk, "--reporter", "json", *map(str, files)], capture_output=True, text=True,
                          check=False)
    theirs = json.loads(done.stdout or "[]")
    ours_by_file = {(name, rule) for name, rule in ours}
    gate_counts = Counter(rule for _, rule in ours)
    squawk_counts: Counter[str] = Counter()
    style: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    for item in theirs:
        rule, name = item["rule_name"], Path(item["file"]).name
        mapped = SQUAWK_TO_GATE.get(rule, "?")
        if mapped is None:
            style[rule] += 1
            continue
        squawk_counts[rule] += 1
        if not any((name, r) in ours_by_file for r in mapped.split("|")):
            why = ("table created earlier in the same migration" if _new_table(files, name, item["line"])
                   else f"{name}:{item['line'] + 1}")
            missed[f"{rule} -> {mapped} ({why})"] += 1
    print("\nfindings side by side (squawk rule -> gate rule: squawk count / gate count)")
    for rule, count in sorted(squawk_counts.items()):
        mapped = SQUAWK_TO_GATE.get(rule) or "?"
        gate_count = sum(gate_counts[r] for r in mapped.split("|"))
        print(f"  {rule:<40} -> {mapped:<40} {count:4d} / {gate_count:4d}")
    only_gate = sorted(set(gate_counts) - {r for m in SQUAWK_TO_GATE.values() if m for r in m.split("|")})
    print(f"  gate-only rules: {', '.join(f'{r} ({gate_counts[r]})' for r in only_gate) or 'none'}")
    print(f"  squawk style rules the gate does not have: {', '.join(f'{r} ({n})' for r, n in style.items())}")
    if missed:
        print("  squawk findings the gate did not report in the same file (by design when the table is new:"
              " it has no rows and no traffic yet, so nothing waits on its lock):")
        for key, count in missed.most_common():
            print(f"    {key}: {count}")
    else:
        print("  every squawk safety finding (by file and rule) is reported by the gate too")


def _new_table(files: list[Path], name: str, line: int) -> bool:
    """Whether squawk's statement (0-based line) works on a table its own migration created before it."""
    from gates.migrations.discover import SqlSource
    from gates.migrations.statements import split

    path = next(p for p in files if p.name == name)
    created: set[str] = set()
    for statement in split(SqlSource(path, path.read_text())):
        node = statement.node
        table = str(node.relation.relname).lower() if node is not None and node.relation is not None else ""
        if statement.line - 1 >= line:
            return bool(table) and table in created
        if node is not None and node.kind == "CreateStmt":
            created.add(table)
    return False


if __name__ == "__main__":
    main()
