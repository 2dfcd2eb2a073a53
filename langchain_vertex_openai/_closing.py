"""`with` and `async with` for objects that have a `close()`."""

from __future__ import annotations

from typing import Self


class Closing:
    """Leaving a `with` or `async with` block calls `close()` (`aclose()` awaits it)."""

    def close(self) -> None:
        """Release what the object holds."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """`close()`, for async teardown code; nothing it releases needs the loop."""
        self.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
