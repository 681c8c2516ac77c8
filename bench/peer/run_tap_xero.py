#!/usr/bin/env python3
"""Runs singer's tap-xero (installed separately, see compare.py) against cxsync's simulated Xero.

tap-xero has no base-URL option: this launcher points `tap_xero.client.BASE_URL` at the
simulator, sends its token refresh (hard-wired to identity.xero.com) to the simulator's token
endpoint, and scales the `Retry-After` of a 429 from Xero seconds to the simulator's scaled
minute (cxsync does the same from its `minute_ms`), then calls tap-xero's own `main()`.
Nothing else of tap-xero is changed and none of its code is copied here.

    run_tap_xero.py --sim-base URL --minute-ms MS -- --config CONFIG --catalog CATALOG
    run_tap_xero.py --write-catalog FILE STREAM...   (a catalog selecting those streams)
"""

import argparse
import json
import sys

import requests

XERO_IDENTITY = "https://identity.xero.com"


def write_catalog(path, selected):
    """A catalog with `selected` streams, from tap-xero's own schemas and metadata
    (what `--discover` would write, without its Currencies probe)."""
    import tap_xero
    from tap_xero import streams

    entries = []
    for stream in streams.all_streams:
        if stream.tap_stream_id not in selected:
            continue
        schema = tap_xero.load_schema(stream.tap_stream_id)
        mdata = tap_xero.load_metadata(stream, schema)
        for entry in mdata:
            if entry["breadcrumb"] in ([], ()):
                entry["metadata"]["selected"] = True
        entries.append({
            "stream": stream.tap_stream_id,
            "tap_stream_id": stream.tap_stream_id,
            "key_properties": stream.pk_fields,
            "schema": schema,
            "metadata": mdata,
        })
    missing = set(selected) - {e["stream"] for e in entries}
    if missing:
        sys.exit(f"tap-xero has no stream(s) {sorted(missing)}")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"streams": entries}, f)


def patch(sim_base, minute_ms):
    import tap_xero.client

    tap_xero.client.BASE_URL = sim_base + "/api.xro/2.0"
    scale = minute_ms / 60_000

    def scale_retry_after(response):
        wait = response.headers.get("Retry-After")
        if wait is not None:
            # tap-xero sleeps floor(Retry-After) seconds; keep at least one.
            response.headers["Retry-After"] = str(max(1.0, float(wait) * scale))
        return response

    class SimSession(requests.Session):
        def request(self, method, url, *args, **kwargs):
            if url.startswith(XERO_IDENTITY):
                url = sim_base + url[len(XERO_IDENTITY):]
            return super().request(method, url, *args, **kwargs)

        # tap-xero sends requests it prepared itself, so session hooks would not run on them.
        def send(self, request, **kwargs):
            return scale_retry_after(super().send(request, **kwargs))

    tap_xero.client.requests.Session = SimSession


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim-base", help="the simulated Xero, e.g. http://127.0.0.1:40123")
    parser.add_argument("--minute-ms", type=int, default=60_000,
                        help="the simulator's minute in milliseconds")
    parser.add_argument("--write-catalog", metavar="FILE")
    parser.add_argument("rest", nargs="*", help="streams (with --write-catalog) or tap-xero's arguments after --")
    args = parser.parse_args()
    if args.write_catalog:
        write_catalog(args.write_catalog, args.rest)
        return
    if not args.sim_base:
        parser.error("--sim-base is required")
    patch(args.sim_base.rstrip("/"), args.minute_ms)
    import tap_xero

    sys.argv = ["tap-xero", *args.rest]
    tap_xero.main()


if __name__ == "__main__":
    main()
