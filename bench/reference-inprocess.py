#!/usr/bin/env python3
"""In-process timing of the public Python reference server's handler (../shared/baseline), for
`npm run bench`: loads refserver.py exactly as it runs (its in-memory S3 and Secrets Manager
stand-ins, its event shape) with the HTTP server's serve_forever() made a no-op, then calls
key_server.server_handler(event, None) on each document, timing each call on its own.

usage: reference-inprocess.py REFSERVER_PY REFERENCE_SRC_DIR MS_PER_ROUND ROUNDS BODY[:VERSION] ...
Prints one JSON line: {"<body path>": {"status": ..., "answerBytes": ..., "samplesUs": [...] }, ...}
"""
import base64, http.server, json, runpy, sys, time

refserver, src, round_ms, rounds = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
specs = [a.rsplit(":", 1) if ":" in a else [a, ""] for a in sys.argv[5:]]


class NoServer:
    def __init__(self, *args, **kwargs):
        pass

    def serve_forever(self):
        pass


http.server.ThreadingHTTPServer = NoServer
sys.argv = [refserver, src, "0"]
key_server = runpy.run_path(refserver)["key_server"]

events = {}
for path, version in specs:
    with open(path, "rb") as f:
        body = f.read()
    # What refserver.py's do_POST hands the handler (header names lower-cased).
    headers = {"content-type": "application/xml", "content-length": str(len(body))}
    if version:
        headers["x-speke-version"] = version
    events[path] = {"body": base64.b64encode(body).decode(), "isBase64Encoded": True, "headers": headers}

result = {}
for path, event in events.items():
    answer = key_server.server_handler(event, None)
    result[path] = {"status": answer["statusCode"], "answerBytes": len(answer["body"].encode()), "samplesUs": []}
    warm_until = time.perf_counter() + round_ms / 1000
    while time.perf_counter() < warm_until:
        key_server.server_handler(event, None)

# Interleaved rounds, as the TypeScript side samples, so background load hits every document alike.
clock = time.perf_counter
for _ in range(rounds):
    for path, event in events.items():
        samples = result[path]["samplesUs"]
        until = clock() + round_ms / 1000
        n = 0
        while clock() < until or n < 10:
            t0 = clock()
            key_server.server_handler(event, None)
            samples.append((clock() - t0) * 1e6)
            n += 1

sys.stdout.write(json.dumps(result) + "\n")
