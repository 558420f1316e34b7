"""HTTP load driver for :mod:`bench.bench_submit`, run as its own process.

    python -m bench.submit_driver < job.json > result.json

The job names a port on 127.0.0.1, a concurrency, a time cap and a list of prepared
requests ``{"method", "path", "headers", "body"}``. That many threads each keep one
HTTP/1.1 connection open (keep-alive) and take the next request from the list until
it is empty or the time cap has passed. Per request the result holds the status, the
latency in seconds (send → whole body read), ``Location`` and ``Set-Cookie``, and the
first group of each regular expression in ``extract`` found in the body (used to read
the CSRF and submission tokens off the review pages). Requests not sent before the
time cap are ``null``. ``wall_s`` runs from the first send to the last answer.

It is a separate process so that the client's own work (and its GIL) does not sit in
the process that starts the server and counts the rows afterwards.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time


def drive(port: int, requests: list[dict], *, concurrency: int, time_cap_s: float,
          extract: dict[str, str] | None = None) -> dict:
    patterns = {name: re.compile(pattern) for name, pattern in (extract or {}).items()}
    results: list[dict | None] = [None] * len(requests)
    position = iter(range(len(requests)))
    lock = threading.Lock()
    clock: dict[str, float] = {}

    def start_clock() -> None:
        clock["start"] = time.perf_counter()
        clock["deadline"] = clock["start"] + time_cap_s

    start = threading.Barrier(concurrency, action=start_clock)

    def next_index() -> int | None:
        with lock:
            return next(position, None)

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        while time.perf_counter() < clock["deadline"] and (index := next_index()) is not None:
            request = requests[index]
            sent = time.perf_counter()
            try:
                connection.request(request["method"], request["path"],
                                   body=request.get("body"), headers=request.get("headers", {}))
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                done = time.perf_counter()
                connection.close()  # the next request reconnects
                results[index] = {"status": 0, "latency_s": done - sent, "done": done,
                                  "error": repr(exc)}
                continue
            done = time.perf_counter()
            latency = done - sent
            text = body.decode("utf-8", "replace") if patterns else ""
            found = {name: (match.group(1) if (match := pattern.search(text)) else None)
                     for name, pattern in patterns.items()}
            results[index] = {"status": response.status, "latency_s": latency, "done": done,
                              "location": response.getheader("Location", ""),
                              "set_cookie": response.getheader("Set-Cookie", ""), **found}
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = [r.pop("done") for r in results if r is not None]
    wall = max(finished, default=clock["start"]) - clock["start"]
    return {"wall_s": wall, "sent": len(finished), "results": results}


def main() -> int:
    job = json.load(sys.stdin)
    result = drive(job["port"], job["requests"], concurrency=job["concurrency"],
                   time_cap_s=job["time_cap_s"], extract=job.get("extract"))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
