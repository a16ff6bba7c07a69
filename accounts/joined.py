"""One row of several joined tables, read by SQL written out once, turned into the model
instances the ORM would have built for `select_related` (each through `Model.from_db` and the
fields' own converters, so they are ordinary loaded rows).

For the reads every API request makes (the token with its user, workspace and freelancer; a
money action's milestone with its engagement): building such a query with the ORM — resolving
the lookups, the joins, the select list — cost more CPU than PostgreSQL spends answering it.

    TOKEN = Joined(("t", ApiToken), ("u", User),
                   sql="SELECT {columns} FROM api_apitoken t JOIN accounts_user u ON u.id = t.user_id WHERE …")
    token, user = TOKEN.one([key_hash])  # a part is None where a LEFT JOIN found no row
"""

from functools import cached_property

from django.db import connections

from . import prepared


class Joined:
    """A read of `parts` (pairs of a table alias and a model, in the select list's order):
    `sql` names their columns `{columns}` (it may select more after them), and one row of it
    turns back into one instance per part. Without `sql`: `columns` and `build` for a
    statement of the caller's (an UPDATE's RETURNING)."""

    def __init__(self, *parts, sql=None, using="default"):
        self.parts = parts
        self.template = sql
        self.using = using

    @cached_property
    def _layout(self):
        connection = connections[self.using]
        layout = []
        for alias, model in self.parts:
            fields = model._meta.concrete_fields
            converters = []
            for n, field in enumerate(fields):
                column = field.get_col(alias)
                found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                if found:
                    converters.append((n, column, found))
            attnames = [f.attname for f in fields]
            layout.append((alias, model, attnames, [f.column for f in fields], converters,
                           attnames.index(model._meta.pk.attname)))
        return layout

    @cached_property
    def columns(self):
        """The select list: every concrete column of each part, qualified by its alias."""
        quote = connections[self.using].ops.quote_name
        return ", ".join(f"{alias}.{quote(column)}" for alias, _, _, names, _, _ in self._layout for column in names)

    def build(self, row):
        """One instance per part from `row` (None where the part's primary key is NULL), then
        the row's values after the parts' columns as they came."""
        connection = connections[self.using]
        built, start = [], 0
        for _, model, attnames, _, converters, pk in self._layout:
            values = list(row[start:start + len(attnames)])
            start += len(attnames)
            if values[pk] is None:
                built.append(None)
                continue
            for n, column, found in converters:
                for convert in found:
                    values[n] = convert(values[n], column, connection)
            built.append(model.from_db(self.using, attnames, values))
        return [*built, *row[start:]]

    @cached_property
    def sql(self):
        return self.template.format(columns=self.columns)

    def all(self, params):
        """Every row the read answers with `params`, built (prepared like `one`)."""
        with prepared.cursor(self.using) as cursor:
            cursor.execute(self.sql, params)
            return [self.build(row) for row in cursor.fetchall()]

    def one(self, params):
        """The first row the read answers with `params`, built, or None when it answers none.
        PostgreSQL plans it once per connection (accounts.prepared)."""
        with prepared.cursor(self.using) as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        return None if row is None else self.build(row)
