"""Types of the API's inputs shared by the apps' operations.

An object id is a positive 64-bit integer (the tables' keys are ``BigAutoField``): a larger
or negative number in a path, a query or a body is invalid input (422 naming the field), never
a value handed to the database, which cannot hold it (SQLite refuses integers beyond 64 bits).
"""

from __future__ import annotations

from typing import Annotated

from ninja.params import functions
from pydantic import BaseModel, Field

MAX_ID = 2**63 - 1
"""The largest key a table can hold."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An object id in a body or a query schema."""

PathId = Annotated[int, functions.Path(ge=1, le=MAX_ID)]
"""An object id (or a version number) in the path."""


class Out(BaseModel):
    """The base of answers that the operations build field by field.

    A plain pydantic model: ``ninja.Schema`` runs a wrap validator that reads every value
    through its ``DjangoGetter`` (to accept ORM objects), which makes validating a case with
    its steps some thirty times slower (about 90 µs per step against 3 µs; see
    docs/performance.md). The OpenAPI document is the same."""
