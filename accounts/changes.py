"""Change marks: for each workspace, a value that moves with every committed write to a row of
that workspace, so a page computed from its rows can be kept until the mark moves (kept.py).

On PostgreSQL, every table of the project's models whose rows belong to a workspace (a column of
their own, or a chain of foreign keys: a milestone through its engagement, a ledger entry
through its transaction) carries three statement-level triggers (insert, update, delete). Each
finds the workspaces its statement touched (from the statement's transition tables, one join
per link of the chain) and gives the writing backend's row of each in `accounts_workspacechange`
a fresh value of a sequence, in the same transaction as the write:
the mark and the rows it stands for commit, or roll back, together. Raw SQL, bulk inserts and
COPY are seen as much as the ORM's saves.

Each backend (a PostgreSQL connection runs one transaction at a time) writes its own row of a
workspace, so no two transactions ever write the same row: nobody waits on a mark. A workspace's
mark is the set of its rows' values, read as one hash with the membership on every owner request
(accounts.middleware). A sequence value is never handed out twice, even by a transaction that
rolled back, so every committed write brings a value no earlier set held: a mark never comes
back. Rows of backends that have gone are folded into one row with a fresh value (prune_marks,
hourly), which moves the mark once.

The triggers are derived from the models (`tracked_tables`) and put in place after every
`migrate` (accounts.apps), skipped when already as derived: a new model with a way to its
workspace is tracked without anyone remembering to. SQLite (the embedded default) has no marks:
pages there are always computed afresh.
"""

import hashlib
from collections import deque
from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models import CharField, Value
from django.db.models.expressions import RawSQL

TABLE = "accounts_workspacechange"
SEQUENCE = "accounts_workspacechange_mark"
MARK_FUNCTION = "accounts_mark_workspaces"
PREFIX = "accounts_mark__"  # the trigger functions' and triggers' names
PROJECT_APPS = ("accounts", "notifications", "freelancers", "engagements", "payments", "portal", "api",
                "outsourcing")
# Chains of foreign keys longer than this are not followed (the longest in use is 3).
MAX_LINKS = 4


def mark_sql(workspace_column):
    """SQL of the workspace's mark (NULL: none yet, nothing is kept), `workspace_column` naming
    the workspace id in the enclosing query."""
    # Names from the models and this module only, never from input.
    return (f'(SELECT md5(string_agg(c.mark::text, \',\' ORDER BY c.mark)) FROM "{TABLE}" c '  # noqa: S608
            f"WHERE c.workspace_id = {workspace_column})")


def with_mark(memberships):
    """The memberships queryset with each workspace's mark beside it (`change_mark`; None where
    there are no marks), read in the same statement."""
    if connections[memberships.db].vendor != "postgresql":
        return memberships.annotate(change_mark=Value(None, output_field=CharField()))
    column = f'"{memberships.model._meta.db_table}"."workspace_id"'
    return memberships.annotate(change_mark=RawSQL(mark_sql(column), [], output_field=CharField()))  # noqa: S611


def workspace_path(model):
    """The shortest chain of foreign keys from `model` to accounts.Workspace (fields, in order;
    [] for the workspace itself) whose links cannot be empty, else the shortest with links that
    can (a row with an empty link belongs to no workspace); None if there is none."""
    workspace = apps.get_model("accounts", "Workspace")
    if model is workspace:
        return []
    return _shortest(model, workspace, nullable=False) or _shortest(model, workspace, nullable=True)


def _shortest(model, workspace, *, nullable):
    queue, seen = deque([(model, [])]), {model}
    while queue:
        current, path = queue.popleft()
        if len(path) >= MAX_LINKS:
            continue
        links = [f for f in current._meta.concrete_fields
                 if (f.many_to_one or f.one_to_one) and (nullable or not f.null)]
        for field in sorted(links, key=lambda f: (f.null, f.name)):
            target = field.related_model
            if target is workspace:
                return [*path, field]
            if target not in seen and target._meta.app_label in PROJECT_APPS:
                seen.add(target)
                queue.append((target, [*path, field]))
    return None


def tracked_tables():
    """{table: chain of foreign keys to the workspace} for every project model that has one."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in PROJECT_APPS or meta.proxy or not meta.managed or meta.db_table == TABLE:
            continue
        path = workspace_path(model)
        if path is not None and not getattr(model, "marked_by", None):
            tables[meta.db_table] = path
    return dict(sorted(tables.items()))


def followers():
    """{table: the watched table it is only ever written with}: a model that says `marked_by`
    (payments' running totals, upserted row by row beside the ledger entries they sum) has no
    trigger; the rows it follows move the mark in the same transaction."""
    return dict(sorted((m._meta.db_table, m.marked_by) for m in apps.get_models() if getattr(m, "marked_by", None)))


def people_links():
    """[(table, column of the person, column of the workspace)] of the project's models that tie
    a person (their field `user`) directly to a workspace: a membership, a freelancer profile, a
    token. A person's name or email shows on kept pages of the workspaces they belong to (anyone
    who acts in a workspace belongs to it as a member or as a freelancer)."""
    user, workspace = apps.get_model(settings.AUTH_USER_MODEL), apps.get_model("accounts", "Workspace")
    links = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]
        people = [f for f in fields if f.related_model is user and f.name == "user"]
        places = [f for f in fields if f.related_model is workspace and not f.null]
        if model._meta.app_label in PROJECT_APPS and people and places:
            links += [(model._meta.db_table, person.column, places[0].column) for person in people]
    return sorted(links)


def watched_tables():
    """{table: SQL of the workspaces of its changed rows, given the transition table's name}."""
    watched = {table: partial(_workspaces_of, path=path) for table, path in tracked_tables().items()}
    watched[apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table] = _people_workspaces
    return watched


def _people_workspaces(rows):
    return " UNION ".join(f'SELECT l."{place}" FROM {rows} r JOIN "{table}" l ON l."{person}" = r.id'  # noqa: S608
                          for table, person, place in people_links())


def _workspaces_of(rows, path):
    """SELECT of the workspace ids of the transition table `rows`, following `path`."""
    if not path:
        return f"SELECT r.id FROM {rows} r"  # noqa: S608 (names from the models, never from input)
    joins, alias = [], "r"
    for i, field in enumerate(path[:-1]):
        table = field.related_model._meta.db_table
        joins.append(f'JOIN "{table}" p{i} ON p{i}."{field.target_field.column}" = {alias}."{field.column}"')
        alias = f"p{i}"
    return f'SELECT {alias}."{path[-1].column}" FROM {rows} r {" ".join(joins)}'  # noqa: S608


def _trigger_ddl(table, workspaces_of):
    name = PREFIX + hashlib.sha256(table.encode()).hexdigest()[:12]
    new, old = workspaces_of("changed"), workspaces_of("changed_before")
    body = "BEGIN PERFORM {mark}(ARRAY({select})); RETURN NULL; END"
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        + body.format(mark=MARK_FUNCTION, select=new) + " $$",
        f"CREATE OR REPLACE FUNCTION {name}_u() RETURNS trigger LANGUAGE plpgsql AS $$ "
        + body.format(mark=MARK_FUNCTION, select=f"{new} UNION {old}") + " $$",
        f'DROP TRIGGER IF EXISTS {name}_i ON "{table}"',
        f'DROP TRIGGER IF EXISTS {name}_u ON "{table}"',
        f'DROP TRIGGER IF EXISTS {name}_d ON "{table}"',
        f'CREATE TRIGGER {name}_i AFTER INSERT ON "{table}" REFERENCING NEW TABLE AS changed '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        f'CREATE TRIGGER {name}_u AFTER UPDATE ON "{table}" REFERENCING OLD TABLE AS changed_before '
        f"NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {name}_u()",
        f'CREATE TRIGGER {name}_d AFTER DELETE ON "{table}" REFERENCING OLD TABLE AS changed '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


# Every statement that wrote a workspace's rows gives the backend's row of that workspace a fresh
# value of the sequence (not once per transaction: a transaction may read its own page between two
# writes, as a test's one long transaction does; a row's update is a few microseconds).
MARK_FUNCTION_DDL = f"""
CREATE OR REPLACE FUNCTION {MARK_FUNCTION}(workspaces bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "{TABLE}" (workspace_id, backend, mark)
  SELECT w, pg_backend_pid(), nextval('{SEQUENCE}') FROM (SELECT DISTINCT w FROM unnest(workspaces) w) ws
  WHERE w IS NOT NULL
  ON CONFLICT (workspace_id, backend) DO UPDATE SET mark = excluded.mark
$$"""  # noqa: S608


def install_statements(existing=None):
    """Every statement that puts the marks in place, as derived from today's models (of the
    tables in `existing`, when given), and a first mark for every workspace there is."""
    statements = [f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}", MARK_FUNCTION_DDL]
    watched = watched_tables()
    needs = {table: {f.related_model._meta.db_table for f in path} for table, path in tracked_tables().items()}
    needs |= dict.fromkeys(set(watched) - set(needs), {table for table, _, _ in people_links()})
    for table, workspaces_of in watched.items():
        if existing is None or table in existing and needs[table] <= existing:
            statements += _trigger_ddl(table, workspaces_of)
    for table in followers():
        if existing is None or table in existing:
            name = PREFIX + hashlib.sha256(table.encode()).hexdigest()[:12]
            statements += [f'DROP TRIGGER IF EXISTS {name}_{event} ON "{table}"' for event in "iud"]
    statements.append(f'INSERT INTO "{TABLE}" (workspace_id, backend, mark) SELECT id, 0, nextval(\'{SEQUENCE}\') '  # noqa: S608
                      'FROM "accounts_workspace" ON CONFLICT (workspace_id, backend) DO NOTHING')
    return statements


def install(using="default", **kwargs):
    """Put the triggers in place (a post_migrate receiver), unless they already are as derived:
    the statements' hash is kept as the mark function's comment."""
    connection = connections[using]
    existing = set(connection.introspection.table_names()) if connection.vendor == "postgresql" else set()
    if TABLE not in existing:
        return False
    statements = install_statements(existing)
    digest = hashlib.sha256("\n".join(statements).encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(to_regprocedure(%s), 'pg_proc')", [f"{MARK_FUNCTION}(bigint[])"])
        if cursor.fetchone()[0] == digest:
            return False
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(f"COMMENT ON FUNCTION {MARK_FUNCTION}(bigint[]) IS '{digest}'")
    return True


def prune_marks(using="default"):
    """Fold the rows of backends that have gone into one row per workspace with a fresh value
    (the mark moves once, and never back to an earlier set). Returns how many rows went."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH gone AS (
              DELETE FROM "{TABLE}" WHERE backend <> 0
                AND backend NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
              RETURNING workspace_id),
            folded AS (
              INSERT INTO "{TABLE}" (workspace_id, backend, mark)
              SELECT workspace_id, 0, nextval('{SEQUENCE}') FROM (SELECT DISTINCT workspace_id FROM gone) g
              ON CONFLICT (workspace_id, backend) DO UPDATE SET mark = excluded.mark)
            SELECT count(*) FROM gone""")  # noqa: S608
        return cursor.fetchone()[0]
