"""Readable summaries: the API calls the demo made, and the stage timings of `make test`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class StageResult:
    name: str
    exit_code: int
    seconds: float

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


def duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return "%dm%02ds" % (minutes, seconds) if minutes else "%ds" % seconds


def status_classes(requests: list[dict]) -> str:
    """'2xx: 40, 4xx: 3' from the logged requests' statuses (a dropped connection has no status)."""
    classes = Counter("%dxx" % (request["status"] // 100) if request.get("status") else "no answer" for request in requests)
    return ", ".join("%s: %d" % item for item in sorted(classes.items()))


def api_calls_lines(request_log: dict) -> list[str]:
    """The request log of the emulator as lines: total, status classes, then calls per route."""
    counts = request_log.get("counts", {})
    requests = request_log.get("requests", [])
    lines = ["API calls: %d (%s)" % (sum(counts.values()), status_classes(requests) or "none")]
    width = max((len(str(count)) for count in counts.values()), default=1)
    for route, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        lines.append("  %*d  %s" % (width, count, route))
    return lines


def demo_summary(playbook: str, exit_code: int, seconds: float, emulator_url: str, request_log: dict | None) -> str:
    outcome = "succeeded" if exit_code == 0 else "FAILED (ansible-playbook exit code %d)" % exit_code
    lines = [
        "",
        "== Demo summary ==",
        "%s %s in %s" % (playbook, outcome, duration(seconds)),
        "Key Manager emulator: %s (now stopped)" % emulator_url,
    ]
    lines += api_calls_lines(request_log) if request_log is not None else ["API calls: the emulator's request log could not be read"]
    return "\n".join(lines)


def stages_report(results: list[StageResult], pending: str) -> str:
    """The outcome and time of each stage run so far; ``pending`` names the stage still to come."""
    width = max(len(result.name) for result in results)
    lines = ["", "== make test: stages =="]
    lines += ["  %-*s  %-6s  %s" % (width, result.name, "passed" if result.passed else "FAILED", duration(result.seconds)) for result in results]
    failed = [result.name for result in results if not result.passed]
    verdict = "make test will exit non-zero: %s failed" % ", ".join(failed) if failed else "all passed so far"
    lines.append("%s; %s runs last and its summary line closes the run." % (verdict, pending))
    return "\n".join(lines)
