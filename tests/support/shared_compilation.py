"""What every app the suite makes can share, so that making one per test stays cheap.

Each test gets a fresh app, and a fresh app compiles its templates, its URL rules and its
SQL statements again: before these were shared, that was about half of a typical test's
time. The caches hold only what is derived from source (a template's text, a rule's
pattern, a statement's structure), never state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.util import LRUCache
from werkzeug.routing.rules import Rule


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per test process, kept in memory for every app.

    Jinja checks each template's source against the checksum stored with its code, so a
    template edited during a run is compiled afresh.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def share_url_builders() -> None:
    """Werkzeug writes and compiles two small Python functions for every URL rule of every
    app (about 470 per app here). The functions depend only on the rule's pattern and
    defaults, and are bound to each rule afterwards, so one compiled function serves every
    app's copy of the rule."""
    compile_builder: Callable[..., Any] = Rule._compile_builder
    builders: dict[tuple[Any, ...], Any] = {}

    def shared(self: Rule, append_unknown: bool = True) -> Any:
        defaults = tuple(
            sorted((name, repr(value)) for name, value in (self.defaults or {}).items())
        )
        key = (self.rule, tuple(self._trace), defaults, append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared  # type: ignore[method-assign]


# Each backend's statements compiled once per test process: SQLAlchemy keys a compiled
# statement by its dialect object, and each new app's engine makes a dialect of its own.
_SHARED_DIALECTS: dict[str, Dialect] = {}
_SHARED_STATEMENTS: dict[str, LRUCache[Any, Any]] = {}
SHARED_STATEMENT_CACHE_SIZE = 5000  # the suite's distinct statements, with room to spare


def share_sql_compilation(engine: Engine) -> None:
    """Let this engine reuse the SQL that every earlier engine of its backend compiled.

    A fresh app's engine compiles each statement again the first time it runs it (about a
    third of a typical test's statements, and a quarter of its time). The compiled SQL
    depends only on the statement and the dialect, and every engine of one backend in a run
    talks to the same server through an identically configured dialect, so the first
    engine's dialect (already initialised against that server) and one statement cache
    serve them all.
    """
    backend = engine.url.drivername
    dialect = _SHARED_DIALECTS.setdefault(backend, engine.dialect)
    engine.dialect = dialect
    engine.pool._dialect = dialect  # rollbacks and pings on check-in use the same one
    statements = _SHARED_STATEMENTS.setdefault(backend, LRUCache(SHARED_STATEMENT_CACHE_SIZE))
    engine.update_execution_options(compiled_cache=statements)
