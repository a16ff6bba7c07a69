"""The database settings, read from DATABASE_URL (SQLite under VAR_DIR when it is unset or
empty); outsourcing/settings.py puts them in place."""


def database_settings(env, var_dir):
    """{"DATABASES": …} and, on SQLite, the system checks it silences."""
    values = {}
    default = env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{var_dir / 'db.sqlite3'}")
    if default["ENGINE"] == "django.db.backends.postgresql":
        default["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        default["CONN_HEALTH_CHECKS"] = True
        # No JIT: a page's short queries (a few correlated subqueries over 1,000 rows) cross
        # jit_above_cost and spent 100-500 ms compiling what runs in 30 ms.
        default.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
        # psycopg prepares a statement only when asked (accounts.prepared asks, for the reads every
        # API request makes): Django's default (None) turns preparing off even then, and the ORM's
        # client-side-bound statements are never prepared whatever this says.
        default["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
    else:
        # SQLite: wait for a lock instead of failing at once (web, worker and beat share the file).
        # WAL lets readers run beside the one writer; with it, synchronous=NORMAL commits without
        # an fsync while holding the write lock (a commit can be lost to a power cut, never
        # corrupted). README, "Short transactions".
        default.setdefault("OPTIONS", {}).update(
            {"timeout": 20, "transaction_mode": "IMMEDIATE",
             "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
        )
        # The committed totals' covering index (INCLUDE) is PostgreSQL's; SQLite builds it without the
        # included columns, which is all the local run needs.
        values["SILENCED_SYSTEM_CHECKS"] = ["models.W040"]
    values["DATABASES"] = {"default": default}
    return values
