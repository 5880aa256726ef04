"""The command line every benchmark has: its options, one run, its figures as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable


def main(
    doc: str | None,
    options: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], Awaitable[dict]],
    hidden: tuple[str, ...] = (),
) -> None:
    """Parse ``options``, run once, print the result (without the ``hidden`` keys, long
    lists kept in the results file)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    options(parser)
    result = asyncio.run(run(parser.parse_args()))
    print(json.dumps({k: v for k, v in result.items() if k not in hidden}, indent=2))
