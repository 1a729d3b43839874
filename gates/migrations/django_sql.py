"""Django: the project's migrations as SQL (`sqlmigrate`, forwards and backwards) on the scratch database.

Django needs its settings to load and a live PostgreSQL connection to render SQL. The gate runs a
small driver in a subprocess (the project root on the path, `DJANGO_SETTINGS_MODULE` from
manage.py, `[migrations] env` for whatever the settings read) that points `DATABASES["default"]`
at the gate's own scratch database before Django starts, walks the full migration plan, and prints
each migration's `sqlmigrate` output and its `--backwards` output (or why it is irreversible).
Migrations of the project's own apps become checked migrations; those of Django and third-party
apps are applied first as dependencies. Python operations (`RunPython`) are not executed: their SQL
is only a comment.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from gates.common.process import run_process
from gates.migrations.discover import Migration, MigrationSet, SqlSource

PYTHON = sys.executable

_SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")

_DRIVER = r"""
import io, json, os, sys
sys.path.insert(0, os.getcwd())
try:
    import django
    from django.conf import settings
except ImportError as exc:
    sys.stderr.write(f"gates-no-django: {exc}")
    sys.exit(4)
env = os.environ
settings.DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": env["GATES_DB_NAME"], "USER": env["GATES_DB_USER"],
    "PASSWORD": env.get("GATES_DB_PASSWORD", ""), "HOST": env["GATES_DB_HOST"], "PORT": env.get("GATES_DB_PORT", ""),
}}
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

loader = MigrationLoader(connection, replace_migrations=True)
plan, seen = [], set()
for leaf in sorted(loader.graph.leaf_nodes()):
    for key in loader.graph.forwards_plan(leaf):
        if key not in seen:
            seen.add(key)
            plan.append(key)
out = []
for app, name in plan:
    migration = loader.graph.nodes[(app, name)]
    module = sys.modules.get(type(migration).__module__)
    path = getattr(module, "__file__", "") or ""
    up = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=up, no_color=True)
    down, why = io.StringIO(), ""
    try:
        call_command("sqlmigrate", app, name, backwards=True, stdout=down, no_color=True)
    except Exception as exc:
        why = f"{type(exc).__name__}: {exc}"
    out.append({"app": app, "name": name, "path": path, "up": up.getvalue(), "down": down.getvalue(), "why": why})
print("GATES-JSON" + json.dumps(out))
"""


def manage_py(folder: Path, root: Path) -> Path | None:
    for directory in (folder, *folder.parents):
        if (directory / "manage.py").is_file():
            return directory / "manage.py"
        if directory == root:
            break
    return None


def read_django(found: MigrationSet, root: Path, url: str, password: str, env: dict[str, str],
                timeout: float = 300) -> tuple[MigrationSet, tuple[Migration, ...]]:
    """The project's migrations (checked) and its dependencies' (applied first), or a set saying why not."""
    manage = manage_py(found.root, root)
    if manage is None:
        return _not_run(found, "no manage.py above the migrations folder"), ()
    match = _SETTINGS.search(manage.read_text(encoding="utf-8", errors="replace"))
    settings = env.get("DJANGO_SETTINGS_MODULE") or (match.group(1) if match else "")
    if not settings:
        return _not_run(found, "DJANGO_SETTINGS_MODULE is not in manage.py: set it in [migrations] env"), ()
    project = manage.parent
    done = run_process([PYTHON, "-c", _DRIVER], cwd=project, timeout=timeout, raw_output=True, secrets=(password,),
                       env={**env, "DJANGO_SETTINGS_MODULE": settings, **_connection_env(url, password)})
    if done.returncode == 4 and "gates-no-django" in done.stderr:
        return _not_run(found, "Django is not installed in the Python that runs gates"), ()
    marker = done.stdout.rfind("GATES-JSON")
    if not done.ok or marker < 0:
        last = (done.stderr.strip().splitlines() or [done.describe()])[-1]
        return _not_run(found, f"the project's Django settings or migrations did not load: {last[:300]}"), ()
    checked: list[Migration] = []
    dependencies: list[Migration] = []
    for item in json.loads(done.stdout[marker + len("GATES-JSON"):]):
        path = Path(item["path"]) if item["path"] else project / item["app"] / "migrations" / f"{item['name']}.py"
        # sqlmigrate wraps an atomic migration in BEGIN/COMMIT; `atomic = False` runs without a transaction
        atomic = any(line.strip().upper() == "BEGIN;" for line in item["up"].splitlines())
        up = SqlSource(path, _without_transaction(item["up"]), generated=True, wrap="always" if atomic else "never")
        down_text = _without_transaction(item["down"])
        down = SqlSource(path, down_text, generated=True) if down_text.strip() and not item["why"] else None
        migration = Migration(f"{item['app']}/{item['name']}", up, down)
        (checked if _inside(path, project) else dependencies).append(migration)
    note = ("Django migrations as SQL (sqlmigrate, forwards and --backwards) with DATABASES pointed at the"
            " scratch database; RunPython operations are not executed")
    return MigrationSet("django", project, tuple(checked), note=note, files=len(checked)), tuple(dependencies)


def _not_run(found: MigrationSet, why: str) -> MigrationSet:
    return MigrationSet("django", found.root, runnable=False, files=found.files, note=why)


def _connection_env(url: str, password: str) -> dict[str, str]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or ""])[0]
    return {"GATES_DB_NAME": unquote(parts.path.lstrip("/")), "GATES_DB_USER": unquote(parts.username or "postgres"),
            "GATES_DB_PASSWORD": password, "GATES_DB_HOST": host,
            "GATES_DB_PORT": str(parts.port or query.get("port", [""])[0])}


def _without_transaction(sql: str) -> str:
    kept = [line for line in sql.splitlines() if line.strip().upper() not in ("BEGIN;", "COMMIT;")]
    return "\n".join(kept) + "\n"


def _inside(path: Path, project: Path) -> bool:
    try:
        path.resolve().relative_to(project.resolve())
    except ValueError:
        return False
    return "site-packages" not in path.parts and ".venv" not in path.parts


