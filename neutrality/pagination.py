"""Page requests and results, shared by every list endpoint and service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    number: int = 1  # 1-based
    size: int = 50

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


#: Every row on one page: for the command line and the demo, which print or use them all.
EVERYTHING = Page(1, 2**62)


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: Sequence[T]
    total: int
    page: Page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page.size))


def paginate_list(items: Sequence[T], page: Page) -> PageResult[T]:
    """Page through a list already in memory (short lists: subjects, periods, members)."""
    return PageResult(items[page.offset : page.offset + page.size], len(items), page)
