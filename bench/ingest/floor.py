"""bench/ingest/floor.py: the cheapest `POST /posts` this stack can serve, under the
same open-loop load as bench/ingest, for a floor beside the posts API's figures.

    .venv/bin/python -m bench.ingest.floor --rate 1000 --duration 20

The server is FastAPI on uvicorn with the API's worker count and pool size; its route
takes the JSON body as a dict (no model, no token, no rate limit, no outbox, no Kafka)
and inserts it in one statement. Whatever the posts API costs above this is ours;
what this costs is the machine's and the frameworks'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiohttp
import asyncpg
import uvicorn
from fastapi import FastAPI

from bench.common import (
    RESULTS_DIR,
    drop_bench_state,
    post_for_id,
    start_service,
    wait_ready,
)
from bench.ingest.run import POST, add_load_arguments, http_load
from ops.infra import LocalInfra
from shared.runtime.settings import Settings

PORT = 18102


@asynccontextmanager
async def _pool(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(
        Settings().postgres_dsn,
        min_size=1,
        max_size=int(os.environ["FLOOR_POOL_MAX"]),
        server_settings={"search_path": os.environ["FLOOR_SCHEMA"]},
    )
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=_pool)


@app.post("/posts", status_code=201)
async def create_post(body: dict) -> dict:
    post_id = await app.state.pool.fetchval(
        "INSERT INTO floor_posts (body) VALUES ($1) RETURNING id", json.dumps(body)
    )
    return {"id": str(post_id)}


@app.get("/readyz")
async def readyz() -> dict:
    return {"status": "ok"}


async def run(args: argparse.Namespace) -> dict:
    settings = Settings()
    await LocalInfra(settings).up()
    tag = f"floor{int(time.time())}"
    conn = await asyncpg.connect(settings.postgres_dsn)
    await conn.execute(f'CREATE SCHEMA "{tag}"')
    await conn.execute(
        f'CREATE TABLE "{tag}".floor_posts (id bigserial PRIMARY KEY, body jsonb NOT NULL,'
        " created_at timestamptz NOT NULL DEFAULT now())"
    )
    await conn.close()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{PORT}"
    server = start_service(
        "bench.ingest.floor",
        {"FLOOR_SCHEMA": tag, "FLOOR_POOL_MAX": str(args.concurrency)},
        RESULTS_DIR / f"ingest-{tag}.log",
        ["--serve", "--workers", str(args.workers)],
    )
    try:
        await asyncio.to_thread(wait_ready, url)
        connector = aiohttp.TCPConnector(limit=args.connections)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def send(i: int) -> str:
                return await post_for_id(session, f"{url}/posts", POST)

            _, load = await http_load(args, send, {"server": server.pid})
    finally:
        server.terminate()
        server.wait(30)
        await drop_bench_state(settings, tag, [tag])
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "target_rate_per_s": args.rate,
        "server_workers": args.workers,
        **load,
    }
    (RESULTS_DIR / f"ingest-{tag}.json").write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_load_arguments(parser, duration_s=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        uvicorn.run("bench.ingest.floor:app", host="127.0.0.1", port=PORT,
                    workers=args.workers, log_level="warning", access_log=False)  # fmt: skip
    else:
        print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
