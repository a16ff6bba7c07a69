"""Indexes that exist only on PostgreSQL: the search box's GIN indexes, on each searchable
model's full-text document and on names' trigrams. On any other database (SQLite, the local
run) they are not created — search reads with `icontains` there — so a model may declare them in
its Meta and every migration, table rebuilds included, stays valid on both."""

from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F


class PostgresGinIndex(models.Index):
    """A GIN index on PostgreSQL; nothing elsewhere. A plain `Index` underneath, so it needs no
    `django.contrib.postgres` in INSTALLED_APPS."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using=" USING gin", **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)


def search_document(fields):
    """The words of these text fields as one English document: what a search matches, and, for
    its index to serve it, exactly what the model's document index holds."""
    return SearchVector(*fields, config="english")


def document_index(fields, *, name):
    return PostgresGinIndex(search_document(fields), name=name)


def newest_document_index(fields, *, name):
    """The workspace, the key and the document in one GIN index (the `btree_gin` extension gives
    GIN the integer classes): a workspace's matches among its newest keys in one index scan, with
    no join to the row that holds the workspace and no heap read of older matches. The workspace
    is compared as a bigint: btree_gin has no cross-type operators, so `= 2` (an integer) is not
    answered by the index but `= 2::bigint` is."""
    return PostgresGinIndex(F("workspace"), F("id"), search_document(fields), name=name)


def trigram_index(field, *, name):
    """pg_trgm's GIN index on a name: answers `word <% name` (a misspelt word of the name)."""
    return PostgresGinIndex(fields=[field], opclasses=["gin_trgm_ops"], name=name)
