"""bench/ingest/floor.py: the cheapest `POST /posts` this stack can serve, under the
same open-loop load as bench/ingest, for a floor beside the posts API's figures.

    .venv/bin/python -m bench.ingest.floor --rate 300 --duration 20

The server is FastAPI on uvicorn with the API's worker count and pool size; its route
takes the JSON body as a dict (no model, no token, no rate limit, no outbox, no Kafka)
and inserts it in one statement. Whatever the posts API costs above this is ours;
what this costs is the machine's and the frameworks'.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from contextlib import asynccontextmanager

import aiohttp
import asyncpg
import uvicorn
from fastapi import FastAPI

from bench.harness import cli
from bench.harness.http import POST, add_load_options, http_load, post_for_id
from bench.harness.session import BenchRun, wait_ready
from bench.harness.stats import new_histogram, record_since, summary_ms
from shared.runtime.settings import Settings

PORT = 18102
FLOOR_TABLE = (
    "floor_posts (id bigserial PRIMARY KEY, body jsonb NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now())"
)


@asynccontextmanager
async def _pool(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(
        Settings().postgres_dsn, min_size=1, max_size=int(os.environ["FLOOR_POOL_MAX"]),
        server_settings={"search_path": os.environ["FLOOR_SCHEMA"]},
    )  # fmt: skip
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=_pool)


@app.post("/posts", status_code=201)
async def create_post(body: dict) -> dict:
    sql = "INSERT INTO floor_posts (body) VALUES ($1) RETURNING id"
    return {"id": str(await app.state.pool.fetchval(sql, json.dumps(body)))}


@app.get("/readyz")
async def readyz() -> dict:
    return {"status": "ok"}


async def bare_inserts(dsn: str, schema: str, seconds: float, concurrency: int) -> dict:
    """A bare asyncpg loop inserting one row per transaction: the database's own price."""
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency,
                                     server_settings={"search_path": schema})  # fmt: skip
    await pool.execute("CREATE TABLE bare (id bigserial PRIMARY KEY, title text, body text,"
                       " created_at timestamptz DEFAULT now())")  # fmt: skip
    started, latency, done = time.perf_counter(), new_histogram(), []
    deadline = started + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("INSERT INTO bare (title, body) VALUES ($1, $2)",
                                   POST["title"], POST["body"])  # fmt: skip
            record_since(latency, began)
            done.append(1)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return {"rows_per_s": round(len(done) / elapsed), **summary_ms(latency)}


async def run(args) -> dict:
    async with BenchRun("floor") as bench:
        schema = await bench.schema()
        await bench.schema_table(schema, FLOOR_TABLE)
        env = {"FLOOR_SCHEMA": schema, "FLOOR_POOL_MAX": str(args.concurrency)}
        server = bench.start("bench.ingest.floor", env, "server",
                             ["--serve", "--workers", str(args.workers)])  # fmt: skip
        url = f"http://127.0.0.1:{PORT}"
        await asyncio.to_thread(wait_ready, url)
        connector = aiohttp.TCPConnector(limit=args.connections)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def send(i: int) -> str:
                return await post_for_id(session, f"{url}/posts", POST)

            _, load = await http_load(args, send, {"server": server.pid})
        return bench.save({"target_rate_per_s": args.rate, "server_workers": args.workers, **load})


if __name__ == "__main__":
    if "--serve" in sys.argv:
        workers = int(sys.argv[sys.argv.index("--workers") + 1])
        uvicorn.run("bench.ingest.floor:app", host="127.0.0.1", port=PORT, workers=workers,
                    log_level="warning", access_log=False)  # fmt: skip
    else:
        cli.main(__doc__, lambda parser: add_load_options(parser, duration_s=20), run)
