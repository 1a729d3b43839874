"""Synthetic rows in every empty table between migrations, so later migrations meet data as in production.

An empty database hides failures real data causes: a NOT NULL column added without a default
applies cleanly to an empty table and fails on a live one. After each migration, one PL/pgSQL
block inserts two rows (else one) into every empty table, filling only the columns that must be
filled (NOT NULL, no default, not identity or generated) from the column's type, foreign keys
from a row of the referenced table (several passes, so parents are seeded before children), and
enum columns from their first label. Nullable columns stay NULL, as they often are in production.
What could not be seeded (a CHECK it cannot satisfy, a type it cannot invent) is reported by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gates.migrations.database import Server

_SEED = r"""
SET client_min_messages = warning;
DO $gates_seed$
DECLARE
  t record; c record; cols text; vals text; expr text; empty boolean; reason text; pending int; rows int;
BEGIN
  FOR pass IN 1..3 LOOP
    pending := 0;
    FOR t IN SELECT n.nspname, k.relname, k.oid FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace
             WHERE k.relkind IN ('r', 'p') AND NOT k.relispartition
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
             ORDER BY 1, 2 LOOP
      EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %I.%I)', t.nspname, t.relname) INTO empty;
      CONTINUE WHEN NOT empty;
      cols := ''; vals := ''; reason := NULL;
      FOR c IN SELECT a.attname, a.atttypid, a.atttypmod, format_type(a.atttypid, a.atttypmod) AS typ,
                      ty.typtype, ty.typcategory,
                      (SELECT format('(SELECT %I FROM %I.%I LIMIT 1)', fa.attname, fn.nspname, fc.relname)
                         FROM pg_constraint fk JOIN pg_class fc ON fc.oid = fk.confrelid
                         JOIN pg_namespace fn ON fn.oid = fc.relnamespace
                         JOIN pg_attribute fa ON fa.attrelid = fk.confrelid AND fa.attnum = fk.confkey[1]
                        WHERE fk.conrelid = t.oid AND fk.contype = 'f' AND fk.conkey[1] = a.attnum
                        LIMIT 1) AS fk
                 FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
                WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
                  AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = ''
                ORDER BY a.attnum LOOP
        expr := CASE
          WHEN c.fk IS NOT NULL THEN c.fk
          WHEN c.typtype = 'e' THEN format(
            '(SELECT enumlabel FROM pg_enum WHERE enumtypid = %s ORDER BY enumsortorder LIMIT 1)', c.atttypid)
          WHEN c.typ IN ('json', 'jsonb') THEN '''{}'''
          WHEN c.typ = 'uuid' THEN 'gen_random_uuid()'
          WHEN c.typ = 'bytea' THEN '''\x00'''
          WHEN c.typcategory = 'N' THEN 'g.i'
          WHEN c.typcategory = 'S' THEN format('left(''s'' || g.i, %s)',
            CASE WHEN c.atttypmod > 4 THEN c.atttypmod - 4 ELSE 64 END)
          WHEN c.typcategory = 'B' THEN 'true'
          WHEN c.typcategory = 'D' THEN 'now()'
          WHEN c.typcategory = 'T' THEN '''1 day'''
          WHEN c.typcategory = 'A' THEN '''{}'''
          WHEN c.typcategory = 'I' THEN '''127.0.0.1'''
          ELSE NULL END;
        IF expr IS NULL THEN
          reason := format('no synthetic value for column %s of type %s', c.attname, c.typ);
          EXIT;
        END IF;
        cols := cols || CASE WHEN cols = '' THEN '' ELSE ', ' END || quote_ident(c.attname);
        vals := vals || CASE WHEN vals = '' THEN '' ELSE ', ' END || format('(%s)::%s', expr, c.typ);
      END LOOP;
      IF reason IS NOT NULL THEN
        IF pass = 1 THEN RAISE WARNING 'gates-seed-failed %.%: %', t.nspname, t.relname, reason; END IF;
        CONTINUE;
      END IF;
      FOR attempt IN 1..2 LOOP
        rows := 3 - attempt;
        BEGIN
          IF cols = '' THEN
            EXECUTE format('INSERT INTO %I.%I SELECT FROM generate_series(1, %s) AS g(i)',
                           t.nspname, t.relname, rows);
          ELSE
            EXECUTE format('INSERT INTO %I.%I (%s) SELECT %s FROM generate_series(1, %s) AS g(i)',
                           t.nspname, t.relname, cols, vals, rows);
          END IF;
          RAISE WARNING 'gates-seeded %.%', t.nspname, t.relname;
          EXIT;
        EXCEPTION WHEN others THEN
          IF attempt = 2 THEN
            pending := pending + 1;
            IF pass = 3 THEN
              RAISE WARNING 'gates-seed-failed %.%: %', t.nspname, t.relname, SQLERRM;
            END IF;
          END IF;
        END;
      END LOOP;
    END LOOP;
    EXIT WHEN pending = 0;
  END LOOP;
END $gates_seed$;
"""

_SEEDED = re.compile(r"gates-seeded (\S+)")
_FAILED = re.compile(r"gates-seed-failed (\S+?): (.*)$", re.M)


@dataclass(frozen=True)
class Seeded:
    tables: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()  # (table, why)
    error: str = ""  # the seeding block itself could not run


SEED_SQL = _SEED  # run after a migration in the same psql session (gates.migrations.apply's `after`)


def seed(server: Server, database: str, timeout: float = 120) -> Seeded:
    done = server.query(_SEED, database, timeout=timeout)
    if not done.ok:
        return Seeded(error=done.stderr.strip()[-300:] or done.describe())
    return parse(done.stderr)


def parse(notices: str) -> Seeded:
    """What the seeding block reported through its warnings."""
    failed = tuple((m.group(1), m.group(2).strip()) for m in _FAILED.finditer(notices))
    return Seeded(tuple(_SEEDED.findall(notices)), failed)
