"""Long lists shown a page at a time (the drill-down, Your actions, the plan page, the audit
log). Each list decides for itself what a page past the end shows."""

from __future__ import annotations


def page_count(rows: int, size: int) -> int:
    """The pages `rows` rows take at `size` a page; an empty list still has its one page."""
    return max((rows + size - 1) // size, 1)


def first_row(page: int, size: int) -> int:
    """The offset of page `page`'s first row (pages count from 1)."""
    return (page - 1) * size
