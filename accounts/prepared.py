"""A cursor whose statements PostgreSQL plans once per connection, for the few reads written out
once per process that every API request or money action makes (accounts.joined).

Django's psycopg cursors bind parameters on the client: each statement reaches PostgreSQL as
new text, parsed and planned every time. For a read joining four tables by key, planning is
most of what the server spends (EXPLAIN ANALYZE on the release's reads: 0.25-0.45 ms planning,
0.04-0.06 ms executing). This cursor binds on the server instead and asks psycopg to prepare
each statement the first time a connection runs it (the connection's `prepare_threshold` is set
so that psycopg prepares only what is asked: outsourcing/database_settings.py), so later runs
are only executed. It is wrapped by Django like any other cursor (health check, the query
log and `execute_wrapper`s, error mapping) and shares the connection's transaction.

Statements given to it name their columns (no `SELECT *`): a prepared plan whose result columns
changed under it (a migration adding a column) fails instead of being planned again. Behind a
connection pooler in transaction mode, prepared statements need one that keeps them per client
(PgBouncer ≥ 1.21 with `max_prepared_statements`). Elsewhere than on PostgreSQL it is Django's
own cursor.
"""

import psycopg
from django.db import connections

_TIMESTAMPTZ_OID = psycopg.postgres.types["timestamptz"].oid


class _Preparing(psycopg.Cursor):
    """psycopg's server-side binding cursor, preparing every statement it is given."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


def cursor(using="default"):
    """A Django cursor (use it in a `with`) whose statements are prepared on first use."""
    connection = connections[using]
    wrapped = connection.cursor()
    if connection.vendor != "postgresql":
        return wrapped
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    server_side = _Preparing(connection.connection)
    # As Django's own cursors: timestamps read in the connection's time zone where it changed.
    loader = connection.connection.adapters.get_loader(_TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, server_side)
    client_side, wrapped.cursor = wrapped.cursor, server_side
    client_side.close()
    return wrapped
