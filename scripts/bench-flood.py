#!/usr/bin/env python3
"""A sign-in flood for scripts/bench (P3): failed logins at a steady rate
from many loopback addresses (127.0.0.2 and up; Linux answers the whole of
127.0.0.0/8), through the JSON API's step one, which runs the same service
as the sign-in page (account lookup, Argon2id or the dummy hash, throttles).

    bench-flood.py BASE_URL PER_MINUTE SECONDS [ADDRESSES]

Prints one line of JSON: attempts made, answers per status, the rate reached.
Standard library only.
"""
import http.client
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit


def main():
    base, per_minute, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    addresses = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    u = urlsplit(base)
    statuses = Counter()
    lock = threading.Lock()

    def attempt(k):
        src = f"127.0.{(k // 250) % 250}.{2 + k % 250}" if addresses > 250 else f"127.0.0.{2 + k % addresses}"
        body = json.dumps({"email": f"flood.{k}@example.invalid", "password": f"wrong-{k}-password"})
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30, source_address=(src, 0))
            c.request("POST", "/api/v1/auth/login", body=body, headers={"Content-Type": "application/json"})
            status = c.getresponse().status
            c.close()
        except OSError as e:
            status = type(e).__name__
        with lock:
            statuses[str(status)] += 1

    interval = 60.0 / per_minute
    start = time.monotonic()
    k = 0
    with ThreadPoolExecutor(max_workers=64) as pool:
        while True:
            due = start + k * interval
            now = time.monotonic()
            if due - start >= seconds:
                break
            if due > now:
                time.sleep(due - now)
            pool.submit(attempt, k)
            k += 1
    took = time.monotonic() - start
    print(json.dumps({"attempts": k, "seconds": round(took, 1), "per_minute": round(k / took * 60),
                      "statuses": dict(statuses)}))


if __name__ == "__main__":
    main()
