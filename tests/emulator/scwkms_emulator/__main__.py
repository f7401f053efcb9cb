"""``python -m scwkms_emulator``: serve the emulator; the first stdout line is the base URL."""

import argparse
import json
import signal
import sys
import threading

from .auth import load_credentials
from .emulator import DEFAULT_RSA_POOL_SIZE, Emulator
from .requestlog import DEFAULT_LIMIT
from .server import EmulatorHTTPServer, start_in_thread


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scwkms_emulator", description="Local emulator of the Scaleway Key Manager v1alpha1 API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--credentials", metavar="FILE", help="YAML or JSON mapping secret key -> list of project ids (default: single-user mode)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault injection random draws")
    parser.add_argument("--faults", metavar="JSON|@FILE", help="initial fault configuration, as POST /_emulator/faults takes it")
    parser.add_argument("--fault-route", default="*", help="route (or shell pattern) the fault flags below apply to (default *)")
    parser.add_argument("--error-rate", type=float, help="answer --error-status on this fraction of requests")
    parser.add_argument("--error-status", type=int, default=503, help="status of --error-rate errors (default 503)")
    parser.add_argument("--retry-after", type=int, help="add Retry-After: N to injected errors")
    parser.add_argument("--burst-429", type=int, metavar="N", help="the first N requests get 429")
    parser.add_argument("--latency-ms", type=int, help="add this latency to every request")
    parser.add_argument("--drop-after-commit", type=float, metavar="RATE", help="handle, then close without answering, this fraction of requests")
    parser.add_argument("--commit-then-500", type=float, metavar="RATE", help="handle (commit), then answer 500, on this fraction of requests")
    parser.add_argument("--eventual-consistency", type=float, metavar="SECONDS", help="a created key is missing from GET and lists for SECONDS")
    parser.add_argument("--iam-propagation", type=float, metavar="SECONDS", help="a new token gets 403 permissions_denied for SECONDS")
    parser.add_argument("--redirect-to", metavar="URL", help="answer 307 to URL instead of handling requests")
    parser.add_argument("--malformed-body", metavar="JSON", help="answer 200 with this body (JSON, else sent as text) instead of handling")
    parser.add_argument("--trickle-byte-ms", type=int, metavar="MS", help="send each answer one byte every MS milliseconds")
    parser.add_argument("--fault-rate", type=float, default=1.0, help="rate of the five flags above (default 1)")
    parser.add_argument("--rsa-pool", type=int, default=DEFAULT_RSA_POOL_SIZE, help="pre-generated RSA keys kept per size (0 disables)")
    parser.add_argument("--request-log-limit", type=int, default=DEFAULT_LIMIT, help="entries kept by GET /_emulator/requests")
    parser.add_argument("--verbose", action="store_true", help="log each request line to stderr (never headers or bodies)")
    return parser.parse_args(argv)


def fault_configuration(args):
    """The initial faults: --faults, plus one rule per fault flag."""
    configuration = _load_json_argument(args.faults) if args.faults else {}
    rules = list(configuration.get("rules", []))
    common = {"route": args.fault_route}
    if args.error_rate:
        rules.append(dict(common, type="error", rate=args.error_rate, status=args.error_status, retry_after=args.retry_after))
    if args.burst_429:
        rules.append(dict(common, type="burst", count=args.burst_429, retry_after=args.retry_after))
    if args.latency_ms:
        rules.append(dict(common, type="latency", ms=args.latency_ms))
    if args.drop_after_commit:
        rules.append(dict(common, type="drop_after_commit", rate=args.drop_after_commit))
    if args.commit_then_500:
        rules.append(dict(common, type="commit_then_error", rate=args.commit_then_500, status=500))
    return {"seed": configuration.get("seed", args.seed), "rules": rules + _misbehaviour_rules(args, dict(common, rate=args.fault_rate))}


def _misbehaviour_rules(args, common):
    """The rules of the misbehaviour flags that take --fault-rate."""
    rules = []
    if args.eventual_consistency:
        rules.append(dict(common, type="eventual_consistency", seconds=args.eventual_consistency))
    if args.iam_propagation:
        rules.append(dict(common, type="iam_propagation", seconds=args.iam_propagation))
    if args.redirect_to:
        rules.append(dict(common, type="redirect", location=args.redirect_to))
    if args.malformed_body is not None:
        rules.append(dict(common, type="malformed", **_malformed_body(args.malformed_body)))
    if args.trickle_byte_ms:
        rules.append(dict(common, type="trickle", byte_delay_ms=args.trickle_byte_ms))
    return rules


def _malformed_body(text):
    try:
        return {"body": json.loads(text)}
    except ValueError:
        return {"body_text": text}


def _load_json_argument(value):
    if value.startswith("@"):
        with open(value[1:], encoding="utf-8") as stream:
            return json.load(stream)
    return json.loads(value)


def main(argv=None):
    args = parse_args(argv)
    emulator = Emulator(
        credentials=load_credentials(args.credentials) if args.credentials else None,
        faults=fault_configuration(args), rsa_pool_size=args.rsa_pool, request_log_limit=args.request_log_limit,
    )
    server = EmulatorHTTPServer((args.host, args.port), emulator, verbose=args.verbose)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    start_in_thread(server)
    print(server.url, flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    emulator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
