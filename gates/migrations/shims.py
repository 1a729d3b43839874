"""The Supabase shim: the roles, schemas, tables and functions a Supabase project's migrations take for granted.

Applied (and reported as "supabase shim") before a Supabase project's first migration, so
`auth.users`, `auth.uid()`, storage policies, `cron.schedule`, `net.http_post` and vault secrets
resolve on a plain PostgreSQL. Roles are cluster-wide, so they are created only when missing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gates.migrations.discover import SqlSource
from gates.migrations.statements import Statement

_ROLES = {
    "anon": "NOLOGIN NOINHERIT", "authenticated": "NOLOGIN NOINHERIT", "service_role": "NOLOGIN NOINHERIT BYPASSRLS",
    "authenticator": "LOGIN NOINHERIT", "supabase_admin": "NOLOGIN", "supabase_auth_admin": "NOLOGIN",
    "supabase_storage_admin": "NOLOGIN", "dashboard_user": "NOLOGIN", "pgsodium_keyiduser": "NOLOGIN",
}

_BODY = """
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS storage;
CREATE SCHEMA IF NOT EXISTS realtime;
CREATE SCHEMA IF NOT EXISTS vault;
CREATE SCHEMA IF NOT EXISTS graphql_public;
DO $gates$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, extensions', current_database());
END $gates$;
SET search_path = "$user", public, extensions;
GRANT USAGE ON SCHEMA public, extensions, auth, storage TO anon, authenticated, service_role;
-- preinstalled on every Supabase project; stubbed when this server lacks them
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;

CREATE TABLE auth.users (
  instance_id uuid, id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aud varchar(255), role varchar(255),
  email varchar(255), encrypted_password varchar(255), email_confirmed_at timestamptz, phone text,
  confirmed_at timestamptz, last_sign_in_at timestamptz, raw_app_meta_data jsonb DEFAULT '{}'::jsonb,
  raw_user_meta_data jsonb DEFAULT '{}'::jsonb, is_super_admin boolean, is_anonymous boolean DEFAULT false,
  created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), deleted_at timestamptz
);
CREATE TABLE auth.identities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), provider_id text, user_id uuid REFERENCES auth.users(id)
  ON DELETE CASCADE, identity_data jsonb, provider text, email text, last_sign_in_at timestamptz,
  created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now()
);
CREATE TABLE auth.sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid REFERENCES auth.users(id) ON DELETE CASCADE,
  created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), not_after timestamptz
);
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('request.jwt.claim.role', true), '')::text $$;
CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('request.jwt.claim.email', true), '')::text $$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;

CREATE TABLE storage.buckets (
  id text PRIMARY KEY, name text NOT NULL UNIQUE, owner uuid, public boolean DEFAULT false,
  file_size_limit bigint, allowed_mime_types text[], created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now()
);
CREATE TABLE storage.objects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), bucket_id text REFERENCES storage.buckets(id), name text,
  owner uuid, owner_id text, metadata jsonb, path_tokens text[], version text,
  created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), last_accessed_at timestamptz
);
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS
  $$ SELECT (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$;
CREATE FUNCTION storage.filename(name text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $$;
CREATE FUNCTION storage.extension(name text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT reverse(split_part(reverse(name), '.', 1)) $$;

CREATE TABLE vault.secrets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text UNIQUE, description text DEFAULT '',
  secret text NOT NULL, key_id uuid, nonce bytea, created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now()
);
CREATE VIEW vault.decrypted_secrets AS SELECT *, secret AS decrypted_secret FROM vault.secrets;
CREATE FUNCTION vault.create_secret(new_secret text, new_name text DEFAULT NULL, new_description text DEFAULT '',
  new_key_id uuid DEFAULT NULL) RETURNS uuid LANGUAGE sql AS
  $$ INSERT INTO vault.secrets (secret, name, description) VALUES (new_secret, new_name, new_description)
     RETURNING id $$;

DO $gates$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime') THEN
    CREATE PUBLICATION supabase_realtime;
  END IF;
END $gates$;
"""


_NET = """
CREATE SCHEMA IF NOT EXISTS net;
CREATE OR REPLACE FUNCTION net.http_post(url text, body jsonb DEFAULT '{}'::jsonb, params jsonb DEFAULT '{}'::jsonb,
  headers jsonb DEFAULT '{}'::jsonb, timeout_milliseconds integer DEFAULT 5000) RETURNS bigint
  LANGUAGE sql AS $$ SELECT 1::bigint $$;
CREATE OR REPLACE FUNCTION net.http_get(url text, params jsonb DEFAULT '{}'::jsonb, headers jsonb DEFAULT '{}'::jsonb,
  timeout_milliseconds integer DEFAULT 5000) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint $$;
"""

_CRON = """
CREATE SCHEMA IF NOT EXISTS cron;
CREATE TABLE IF NOT EXISTS cron.job (jobid bigserial PRIMARY KEY, jobname text UNIQUE, schedule text, command text);
CREATE OR REPLACE FUNCTION cron.schedule(job_name text, schedule text, command text) RETURNS bigint LANGUAGE sql AS
  $$ INSERT INTO cron.job (jobname, schedule, command) VALUES (job_name, schedule, command)
     ON CONFLICT (jobname) DO UPDATE SET schedule = excluded.schedule RETURNING jobid $$;
CREATE OR REPLACE FUNCTION cron.schedule(schedule text, command text) RETURNS bigint LANGUAGE sql AS
  $$ INSERT INTO cron.job (schedule, command) VALUES (schedule, command) RETURNING jobid $$;
CREATE OR REPLACE FUNCTION cron.unschedule(job_name text) RETURNS boolean LANGUAGE sql AS
  $$ WITH gone AS (DELETE FROM cron.job WHERE jobname = job_name RETURNING 1) SELECT count(*) > 0 FROM gone $$;
CREATE OR REPLACE FUNCTION cron.unschedule(job_id bigint) RETURNS boolean LANGUAGE sql AS
  $$ WITH gone AS (DELETE FROM cron.job WHERE jobid = job_id RETURNING 1) SELECT count(*) > 0 FROM gone $$;
"""

# Extensions a server may lack, as stubs carrying the objects migrations commonly reference ({s}: schema).
_STUBS = {
    "uuid-ossp": """CREATE SCHEMA IF NOT EXISTS {s};
CREATE OR REPLACE FUNCTION {s}.uuid_generate_v4() RETURNS uuid LANGUAGE sql VOLATILE AS $$ SELECT gen_random_uuid() $$;
CREATE OR REPLACE FUNCTION {s}.uuid_generate_v1() RETURNS uuid LANGUAGE sql VOLATILE AS $$ SELECT gen_random_uuid() $$;
CREATE OR REPLACE FUNCTION {s}.uuid_generate_v1mc() RETURNS uuid LANGUAGE sql VOLATILE
  AS $$ SELECT gen_random_uuid() $$;
CREATE OR REPLACE FUNCTION {s}.uuid_nil() RETURNS uuid LANGUAGE sql IMMUTABLE
  AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;""",
    "pgcrypto": """CREATE SCHEMA IF NOT EXISTS {s};
CREATE OR REPLACE FUNCTION {s}.gen_salt(text) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT md5(random()::text) $$;
CREATE OR REPLACE FUNCTION {s}.crypt(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT md5($1 || $2) $$;
CREATE OR REPLACE FUNCTION {s}.digest(text, text) RETURNS bytea LANGUAGE sql IMMUTABLE
  AS $$ SELECT sha256(convert_to($1, 'UTF8')) $$;
CREATE OR REPLACE FUNCTION {s}.gen_random_bytes(integer) RETURNS bytea LANGUAGE sql VOLATILE
  AS $$ SELECT decode(repeat(md5(random()::text), $1), 'hex') $$;""",
    "citext": "CREATE SCHEMA IF NOT EXISTS {s};\nCREATE DOMAIN {s}.citext AS text",
    "http": """CREATE SCHEMA IF NOT EXISTS {s};
CREATE OR REPLACE FUNCTION {s}.http_get(url text) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{{}}'::jsonb $$;
CREATE OR REPLACE FUNCTION {s}.http_post(url text, content text, content_type text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT '{{}}'::jsonb $$;""",
    "pg_net": _NET.replace("{", "{{").replace("}", "}}"),
    "pg_cron": _CRON.replace("{", "{{").replace("}", "}}"),
}


def extension_stub(name: str, schema: str) -> str:
    """SQL standing in for an extension the server lacks (a no-op when we know nothing of it)."""
    template = _STUBS.get(name)
    if template is None:
        return f"SELECT 'gates: extension {name} stubbed as a no-op'"
    return template.format(s=f'"{schema}"')


def supabase_shim() -> SqlSource:
    roles = "\n".join(
        f"DO $gates$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} {attributes}; END IF; END $gates$;"
        for name, attributes in _ROLES.items()
    )
    return SqlSource(Path("<supabase shim>"), roles + "\n" + _BODY + _NET + _CRON)


def stub_extensions(statements: list[Statement], available: frozenset[str]) -> tuple[list[Statement], list[str]]:
    """Replace CREATE EXTENSION of extensions the server lacks by stubs; name what was stubbed."""
    result, stubbed = [], []
    for statement in statements:
        node = statement.node
        if node is not None and node.kind == "CreateExtensionStmt" and node.extname not in available:
            schema = next((str(getattr(o.arg, "sval", "public")) for o in node.options or ()
                           if getattr(o, "defname", "") == "schema"), "public")
            stubbed.append(node.extname)
            statement = replace(statement, text=extension_stub(node.extname, schema))
        result.append(statement)
    return result, stubbed
