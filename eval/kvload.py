#!/usr/bin/python3
# kvload.py - make eval's load generator for Redis and Memcached over TLS
# (memtier_benchmark, the paper's, is not in Debian). Standard clients:
# Debian's python3-redis and python3-pymemcache.
#
#   kvload.py redis|memcached HOST PORT --conns N --size BYTES --secs S
#             [--requests R] [--tls13] [--wrong-key]
#
# N processes, each with one TLS connection (server certificate not
# verified: test traffic), loop until S seconds have passed (or, with
# --requests, until each connection has made its R / N requests, S then
# being the limit): SET key k to a value derived from (connection, k,
# round), then GET k and compare the reply with that value byte for byte.
# Every failed comparison, missing value, refused SET or client error
# counts as bad. --wrong-key GETs a key never SET (the self-check: every
# GET must then count as bad).
# Prints one line:  reqs N bytes B secs S bad X
# (N = SETs + GETs answered, B = value bytes sent by SETs plus value bytes
# received by GETs, S = the load's wall time on this host).
import argparse
import multiprocessing
import random
import socket
import ssl
import sys
import time

KEYS = 16	# keys per connection, reused round after round
MAX_ERRORS = 3	# consecutive client errors before a connection gives up


def tls_context(tls13):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if tls13:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def value_of(conn, key, rnd, size):
    """The value SET for key in round rnd: a deterministic function of them."""
    return random.Random("%d/%d/%d/%d" % (conn, key, rnd, size)).randbytes(size)


class RedisKV:
    def __init__(self, host, port, ctx, timeout):
        import redis

        class TLSConnection(redis.connection.Connection):
            """redis-py's plain connection wrapped in our TLS context
            (its SSLConnection cannot set a minimum TLS version)."""

            def _connect(self):
                return ctx.wrap_socket(super()._connect(), server_hostname=host)

        pool = redis.ConnectionPool(connection_class=TLSConnection, host=host, port=port,
                                    socket_timeout=timeout, socket_connect_timeout=timeout,
                                    max_connections=1)
        self.r = redis.Redis(connection_pool=pool)

    def set(self, key, value):
        return self.r.set(key, value) is True

    def get(self, key):
        return self.r.get(key)

    def close(self):
        self.r.connection_pool.disconnect()


class MemcachedKV:
    def __init__(self, host, port, ctx, timeout):
        from pymemcache.client.base import Client
        self.c = Client((host, port), tls_context=ctx, connect_timeout=timeout,
                        timeout=timeout, default_noreply=False)

    def set(self, key, value):
        return self.c.set(key, value, noreply=False) is True

    def get(self, key):
        return self.c.get(key)

    def close(self):
        self.c.close()


def connect(a):
    cls = RedisKV if a.server == "redis" else MemcachedKV
    return cls(a.host, a.port, tls_context(a.tls13), a.timeout)


def worker(a, conn, deadline, budget, out):
    """One connection's SET/GET loop until the deadline (monotonic s) or,
    if budget is not None, until it has made budget requests (SET + GET);
    puts (reqs, bytes, bad) on out."""
    reqs = nbytes = bad = errors = 0
    kv = None
    k = rnd = 0
    while (time.monotonic() < deadline and errors < MAX_ERRORS and
           (budget is None or reqs < budget)):
        key = "bfkv-%d-%d" % (conn, k)
        value = value_of(conn, k, rnd, a.size)
        try:
            if kv is None:
                kv = connect(a)
            ok = kv.set(key, value)
            reqs += 1
            nbytes += a.size
            if not ok:
                bad += 1
            got = kv.get(key + "-never-set" if a.wrong_key else key)
            reqs += 1
            nbytes += len(got) if got is not None else 0
            if got != value:
                bad += 1
            errors = 0
        except Exception as e:	# any client error is a bad request
            print("kvload: connection %d: %s: %s" % (conn, type(e).__name__, e), file=sys.stderr)
            bad += 1
            errors += 1
            if kv is not None:
                try:
                    kv.close()
                except Exception:
                    pass
                kv = None
        k += 1
        if k == KEYS:
            k = 0
            rnd += 1
    if kv is not None:
        kv.close()
    if budget is not None and reqs < budget:
        print("kvload: connection %d: stopped after %d of its %d requests" % (conn, reqs, budget),
              file=sys.stderr)
    out.put((reqs, nbytes, bad))


def main():
    p = argparse.ArgumentParser(description="SET/GET load over TLS, every reply checked")
    p.add_argument("server", choices=["redis", "memcached"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--conns", type=int, default=4)
    p.add_argument("--size", type=int, default=4096)
    p.add_argument("--secs", type=float, default=5.0,
                   help="the load's length; with --requests, its limit")
    p.add_argument("--requests", type=int, default=None,
                   help="a fixed count of requests (SET + GET), a multiple of 2 x --conns")
    p.add_argument("--timeout", type=float, default=30.0, help="per socket operation")
    p.add_argument("--tls13", action="store_true", help="TLS 1.3 only")
    p.add_argument("--wrong-key", action="store_true", help="self-check: GET keys never SET")
    a = p.parse_args()
    if a.requests is not None and (a.requests <= 0 or a.requests % (2 * a.conns)):
        p.error("--requests must be a positive multiple of 2 x --conns")
    budget = None if a.requests is None else a.requests // a.conns

    out = multiprocessing.Queue()
    t0 = time.monotonic()
    deadline = t0 + a.secs
    procs = [multiprocessing.Process(target=worker, args=(a, i, deadline, budget, out))
             for i in range(a.conns)]
    for pr in procs:
        pr.start()
    reqs = nbytes = bad = 0
    # a worker ends at most one request (bounded by --timeout) past the deadline
    limit = deadline + 3 * a.timeout
    got = 0
    while got < a.conns:
        try:
            r, b, x = out.get(timeout=max(0.1, limit - time.monotonic()))
        except Exception:
            break
        reqs, nbytes, bad, got = reqs + r, nbytes + b, bad + x, got + 1
    secs = time.monotonic() - t0
    for pr in procs:
        pr.join(timeout=1)
        if pr.is_alive():
            pr.kill()
    bad += a.conns - got	# a connection that never reported
    print("reqs %d bytes %d secs %.3f bad %d" % (reqs, nbytes, secs, bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
