#!/usr/bin/env python3
"""Helpers of bench/run.sh: free ports, CPU ticks from /proc, parsing of wrk, h2load and curl
output, JVM heap readings, and the Markdown report. Standard library only.

    bench.py freeport [N]                         N free TCP ports on 127.0.0.1
    bench.py ticks PID...                         utime+stime (clock ticks) of the PIDs and all
                                                  their descendants, summed
    bench.py registered STATUS_JSON HOSTNAME      registered tunnel connections in /status
    bench.py heap PID                             force a full GC, print heap/metaspace/RSS JSON
    bench.py wrk OUT                              wrk --latency output -> JSON
    bench.py h2load OUT LOGFILE                   h2load output and --log-file -> JSON
    bench.py round TOOL OUT [LOGFILE]             one run of bench/compare.sh, from wrk's or
                                                  h2load's output: "REQUESTS REQ/S P50_US P99_US",
                                                  nothing when a status was not 2xx
    bench.py record FILE KEY=VALUE... [JSON...]   append one JSON line to FILE
    bench.py readme RESULTS.jsonl README.md       put that report into README.md's results section
    bench.py report RESULTS.jsonl [META.json]     the Markdown report (the run's meta data is the
                                                  last line of RESULTS.jsonl written by run.sh)
"""

import json
import os
import re
import socket
import statistics
import subprocess
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- processes and ports


def freeport(count=1):
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    # comm may contain spaces and parentheses: the fields start after the last ')'.
    fields = data[data.rindex(")") + 2:].split()
    ppid = int(fields[1])
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ppid, ticks


def process_tree_ticks(roots):
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stats[int(entry)] = _stat(entry)
            except (OSError, ValueError):
                pass
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    seen = set()
    stack = [int(p) for p in roots]
    total = 0
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += stats[pid][1]
        stack.extend(children.get(pid, []))
    return total


def system_busy_ticks():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already in user)
    return sum(fields[i] for i in (0, 1, 2, 5, 6, 7) if i < len(fields))


def measure(pids, out_path, timeout, command):
    """Runs a load tool, its output to out_path; returns the CPU seconds spent meanwhile by the
    processes on the path, by the tool itself, and by everything else on the machine."""
    import resource
    import time
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    path0, sys0, wall0 = process_tree_ticks(pids), system_busy_ticks(), time.monotonic()
    timed_out = False
    with open(out_path, "w") as out:
        try:
            subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
    path1, sys1, wall1 = process_tree_ticks(pids), system_busy_ticks(), time.monotonic()
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    tool = (after_children.ru_utime - before_children.ru_utime) + (after_children.ru_stime - before_children.ru_stime)
    path = (path1 - path0) / CLK_TCK
    busy = (sys1 - sys0) / CLK_TCK
    result = {"cpu_s": path, "loadgen_cpu_s": round(tool, 3), "other_cpu_s": round(max(0.0, busy - path - tool), 3),
              "wall_s": round(wall1 - wall0, 3)}
    if timed_out:
        result["timed_out"] = True
    return result


def registered(status_file, hostname):
    try:
        with open(status_file) as f:
            status = json.load(f)
    except (OSError, ValueError):
        return 0
    pool = status.get("hostnames", {}).get(hostname, {})
    return sum(1 for c in pool.get("connections", []) if c.get("state") == "registered")


def heap(pid):
    """Full GC, then the heap used (live set), metaspace used and RSS, in KiB."""
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)
    out = subprocess.run(["jstat", "-gc", str(pid)], check=True, capture_output=True,
                         text=True, timeout=60).stdout.split("\n")
    names, values = out[0].split(), out[1].split()
    gc = dict(zip(names, values))
    used = sum(float(gc[k]) for k in ("S0U", "S1U", "EU", "OU"))
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return {"heap_kib": round(used), "meta_kib": round(float(gc["MU"]) + float(gc.get("CCSU", 0))),
            "rss_kib": rss}


# ---------------------------------------------------------------- parsing load tools

_UNITS = {"us": 1.0, "ms": 1000.0, "s": 1_000_000.0, "m": 60_000_000.0, "h": 3_600_000_000.0}
_SIZES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _micros(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(path):
    text = open(path).read()
    result = {"tool": "wrk"}
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)([KMGT]?B) read", text)
    if not m:
        raise ValueError("no summary line in wrk output")
    result["requests"] = int(m.group(1))
    result["seconds"] = _micros(m.group(2) + m.group(3)) / 1e6
    result["bytes"] = float(m.group(4)) * _SIZES[m.group(5)]
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    result["rps"] = float(m.group(1))
    result["mbps"] = result["bytes"] / result["seconds"] / 1e6
    for pct, key in (("50", "p50_us"), ("99", "p99_us")):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        result[key] = _micros(m.group(1)) if m else None
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    result["non2xx"] = int(m.group(1)) if m else 0
    errors += result["non2xx"]
    result["errors"] = errors
    return result


def _percentile(sorted_values, pct):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(pct / 100.0 * len(sorted_values) + 0.5)) - 1))
    return float(sorted_values[index])


def parse_h2load(path, log_path, sample_us=None, late_us=None):
    text = open(path).read()
    result = {"tool": "h2load"}
    m = re.search(r"finished in ([\d.]+)(us|ms|s|m), ([\d.]+) req/s", text)
    if not m:
        raise ValueError("no 'finished in' line in h2load output")
    result["seconds"] = _micros(m.group(1) + m.group(2)) / 1e6
    result["rps"] = float(m.group(3))
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                  r"(\d+) errored, (\d+) timeout", text)
    total, started, done, succeeded, failed, errored, timeout = (int(x) for x in m.groups())
    m = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
    s2, s3, s4, s5 = (int(x) for x in m.groups())
    m = re.search(r"traffic: \S+ \((\d+)\) total", text)
    result["bytes"] = int(m.group(1))
    result["mbps"] = result["bytes"] / result["seconds"] / 1e6
    result["requests"] = done
    result["submitted"] = total
    result["ok"] = s2
    result["non2xx"] = s3 + s4 + s5
    result["errors"] = failed + errored + timeout + s3 + s4 + s5 + (total - done)
    durations = []
    in_flight = 0
    late = 0
    try:
        with open(log_path) as f:
            for line in f:
                parts = line.split("\t")
                if len(parts) >= 3:
                    start, duration = int(parts[0]), int(parts[2])
                    durations.append(duration)
                    if late_us is not None and duration > late_us:
                        late += 1
                    if sample_us is not None and start <= sample_us <= start + duration:
                        in_flight += 1
    except OSError:
        pass
    if sample_us is not None:
        result["in_flight_at_sample"] = in_flight
    if late_us is not None:
        result["late"] = late
    if durations:
        result["max_us"] = float(durations[-1])
    durations.sort()
    result["p50_us"] = _percentile(durations, 50)
    result["p99_us"] = _percentile(durations, 99)
    return result


# ---------------------------------------------------------------- report

WORKLOADS = [
    ("get1", "Small GET, HTTP/1.1, 1 connection",
     "`wrk -t1 -c1 --latency`, `GET /small` (5-byte body)"),
    ("get64", "Small GET, HTTP/1.1, 64 connections",
     "`wrk -t2 -c64 --latency`, `GET /small`"),
    ("h2", "Small GET, HTTP/2, 1 connection x 100 streams",
     "`h2load -c1 -m100` (h2c prior knowledge), `GET /small`; p50/p99 from `--log-file`"),
    ("post", "1 KiB POST, HTTP/1.1, 64 connections",
     "`wrk -t2 -c64 --latency` with a 1024-byte body, `POST /small` (body consumed, 2-byte answer)"),
    ("chunked64", "1 KiB chunked POST, HTTP/1.1, 64 connections",
     "`wrk -t2 -c64 --latency` with `Transfer-Encoding: chunked` (two 512-byte chunks, no `Content-Length`), "
     "`POST /small` (body consumed, 2-byte answer)"),
    ("peer64", "Small GET through a peer node, HTTP/1.1, 64 connections",
     "`wrk -t2 -c64 --latency`, `GET /small`. **warp** here is two edge nodes of one cluster on a local "
     "Redis: the app's tunnel on node B only, the load on node A's public port, so every request is "
     "forwarded A → B over the peer connection; its CPU counts the app, both nodes and Redis. The app "
     "is restarted for this workload (its tunnel on node B) and **direct** is measured on it; nginx and "
     "ssh -R have no peer node and are not run"),
    ("download", "1 GiB download",
     "`curl -o /dev/null`, `GET /bytes?size=1073741824`, one request"),
    ("upload", "1 GiB upload",
     "`curl -T <file> -X POST`, `POST /sink` (counts and releases the bytes), one request"),
]
TARGETS = ["direct", "nginx", "ssh", "warp"]
TARGET_NAMES = {"direct": "direct", "nginx": "nginx", "ssh": "ssh -R", "warp": "warp"}


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _fmt(value, digits=0):
    if value is None:
        return "n/a"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _ratio(value, base):
    if value is None or not base:
        return ""
    return f" (x{value / base:.2f})"


def _cpu_per(row, unit):
    if row.get("cpu_s") is None or not row.get(unit):
        return None
    return row["cpu_s"] / row[unit]


def aggregate(rows):
    """Per (workload, target): medians over the repetitions that did not fail."""
    groups = {}
    for row in rows:
        groups.setdefault((row["workload"], row["target"]), []).append(row)
    result = {}
    for key, group in groups.items():
        good = [r for r in group if not r.get("failed")]
        agg = {"reps": len(group), "good": len(good),
               "failures": sorted({r["failed"] for r in group if r.get("failed")}),
               "errors": sum(r.get("errors", 0) or 0 for r in good)}
        for field in ("rps", "p50_us", "p99_us", "mbps", "seconds", "heap_during_kib",
                      "heap_after_kib", "edge_heap_during_kib", "ok", "submitted", "requests",
                      "in_flight_at_sample", "late", "max_us"):
            agg[field] = _median([r.get(field) for r in good])
        agg["cpu_10k"] = _median([_cpu_per(r, "requests") * 10_000 if _cpu_per(r, "requests") is not None
                                  else None for r in good])
        agg["cpu_gib"] = _median([r["cpu_s"] / (r["bytes"] / 2**30) if r.get("cpu_s") is not None
                                  and r.get("bytes") else None for r in good])
        agg["noise_pct"] = _median([r["other_cpu_s"] / r["wall_s"] * 100 if r.get("wall_s") and
                                    r.get("other_cpu_s") is not None else None for r in good])
        agg["all_ok"] = all((r.get("ok") == r.get("submitted")) for r in good) if good else False
        result[key] = agg
    return result


def _failure_cell(agg):
    return "FAILED: " + "; ".join(agg["failures"]) if agg["failures"] else "not run"


def report(results_path, meta_path=None):
    rows = [json.loads(line) for line in open(results_path) if line.strip()]
    metas = [r["meta"] for r in rows if "meta" in r]
    rows = [r for r in rows if "meta" not in r]
    meta = json.load(open(meta_path)) if meta_path else (metas[-1] if metas else {})
    agg = aggregate([r for r in rows if r.get("workload") not in ("idle",)])
    out = []
    w = out.append
    w(f"# Warp benchmark, {meta['date']}")
    w("")
    w("| | |")
    w("|---|---|")
    for key, label in (("command", "command"), ("date", "date (UTC)"), ("nproc", "cores (nproc)"),
                       ("cpu", "CPU"), ("memory", "memory"), ("kernel", "kernel"), ("jdk", "JDK"),
                       ("jvm_flags", "JVM flags (app and edge)"), ("tools", "load tools and proxies"),
                       ("commit", "commit"), ("reps", "repetitions (median reported)"),
                       ("duration", "duration of each timed run")):
        value = meta.get(key, "")
        if key in ("command", "jvm_flags"):
            value = f"`{value}`"
        w(f"| {label} | {value} |")
    w("")
    w("Targets: **direct** = the app's own port on loopback (the limit); **nginx** = one nginx "
      "reverse-proxy hop in front of that port (HTTP/1.1 keep-alive upstream; HTTP/2 workload on an "
      "h2c listener); **ssh -R** = an OpenSSH reverse tunnel through a throwaway sshd on loopback "
      "(OpenSSH defaults); **warp** = the edge's public port, through the tunnel (TLS 1.3, HTTP/2) into "
      "the starter in the app.")
    w("")
    w("CPU is utime+stime from `/proc/<pid>/stat` of every process on the path (app; + nginx master "
      "and workers; + sshd and its session processes and the ssh client; + edge), read before and "
      "after each run. The load generator is not counted: on a small machine it shares the CPU, and "
      "CPU per request is the fair measure. `(xN)` is the ratio to direct measured in the same run. "
      "MB/s are 10^6 bytes/s as read by the client (headers included for small requests). "
      "*noise* is the CPU that processes neither on the path nor the load generator used during the "
      "timed runs, in % of one core (median): anything far above 0% means another workload shared "
      "the machine and the row's figures, latency above all, are skewed.")
    w("")
    size_label = meta.get("transfer_label", "1 GiB")
    for workload, title, how in WORKLOADS:
        title = title.replace("1 GiB", size_label)
        how = how.replace("1073741824", str(meta.get("transfer_bytes", 1073741824)))
        present = [t for t in TARGETS if (workload, t) in agg]
        if not present:
            continue
        base = agg.get((workload, "direct"), {})
        transfer = workload in ("download", "upload")
        w(f"## {title}")
        w("")
        w(how + ".")
        w("")
        if transfer:
            w("| target | MB/s | seconds | CPU s per GiB | errors | noise |")
            w("|---|---|---|---|---|---|")
        else:
            w("| target | req/s | p50 µs | p99 µs | MB/s | CPU s / 10k req | errors | noise |")
            w("|---|---|---|---|---|---|---|---|")
        for target in present:
            a = agg[(workload, target)]
            name = TARGET_NAMES[target]
            if not a["good"]:
                cells = 4 if transfer else 6
                w(f"| {name} | {_failure_cell(a)} |" + " |" * cells)
                continue
            errors = str(a["errors"])
            if a["failures"]:
                errors += f"; {a['reps'] - a['good']} failed run(s): " + "; ".join(a["failures"])
            noise = "n/a" if a["noise_pct"] is None else f"{a['noise_pct']:.0f}%"
            if transfer:
                w(f"| {name} | {_fmt(a['mbps'])}{_ratio(a['mbps'], base.get('mbps'))} "
                  f"| {_fmt(a['seconds'], 2)} "
                  f"| {_fmt(a['cpu_gib'], 2)}{_ratio(a['cpu_gib'], base.get('cpu_gib'))} | {errors} | {noise} |")
            else:
                def delta(field):
                    if a[field] is None or base.get(field) is None or target == "direct":
                        return ""
                    return f", {a[field] - base[field]:+,.0f}"
                p50 = f"{_fmt(a['p50_us'])}{_ratio(a['p50_us'], base.get('p50_us'))[:-1]}{delta('p50_us')})" \
                    if base.get("p50_us") and target != "direct" else _fmt(a["p50_us"])
                p99 = f"{_fmt(a['p99_us'])}{_ratio(a['p99_us'], base.get('p99_us'))[:-1]}{delta('p99_us')})" \
                    if base.get("p99_us") and target != "direct" else _fmt(a["p99_us"])
                w(f"| {name} | {_fmt(a['rps'])}{_ratio(a['rps'], base.get('rps'))} | {p50} | {p99} "
                  f"| {_fmt(a['mbps'], 2)}{_ratio(a['mbps'], base.get('mbps'))} "
                  f"| {_fmt(a['cpu_10k'], 2)}{_ratio(a['cpu_10k'], base.get('cpu_10k'))} | {errors} | {noise} |")
        w("")

    # Long-poll.
    lp = {t: agg[("longpoll", t)] for t in TARGETS if ("longpoll", t) in agg}
    if lp:
        w(f"## {meta.get('longpoll_title', 'Concurrent long-polls')}")
        w("")
        w(meta.get("longpoll_how", "") + ".")
        w("")
        w("| target | completed (2xx / sent) | p50 ms | p99 ms | max ms | late (> 1.5x delay) | in flight at heap sample "
          "| app heap then, MiB | app heap after, MiB | edge heap then, MiB | CPU s / 10k req |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        base = lp.get("direct", {})
        for target, a in lp.items():
            name = TARGET_NAMES[target]
            if not a["good"]:
                w(f"| {name} | {_failure_cell(a)} | | | | | | | | | |")
                continue
            def mib(v):
                return "n/a" if v is None else f"{v / 1024:,.1f}"
            completed = f"{_fmt(a['ok'])} / {_fmt(a['submitted'])}" + ("" if a["all_ok"] else " (not all, some rep)")
            if a["failures"]:
                completed += f"; {a['reps'] - a['good']} failed run(s): " + "; ".join(a["failures"])
            w(f"| {name} | {completed} | {_fmt(a['p50_us'] / 1000 if a['p50_us'] else None, 1)} "
              f"| {_fmt(a['p99_us'] / 1000 if a['p99_us'] else None, 1)} "
              f"| {_fmt(a['max_us'] / 1000 if a['max_us'] else None, 1)} | {_fmt(a['late'])} "
              f"| {_fmt(a['in_flight_at_sample'])} "
              f"| {mib(a['heap_during_kib'])}{_ratio(a['heap_during_kib'], base.get('heap_during_kib'))} "
              f"| {mib(a['heap_after_kib'])} | {mib(a['edge_heap_during_kib'])} "
              f"| {_fmt(a['cpu_10k'], 2)}{_ratio(a['cpu_10k'], base.get('cpu_10k'))} |")
        w("")

    # Idle.
    idle = [r for r in rows if r.get("workload") == "idle"]
    if idle:
        w("## Idle: memory of the app with and without the starter")
        w("")
        w(meta.get("idle_how", "") + ".")
        w("")
        variants = [("no-starter", "no starter on the class path"),
                    ("disabled", "starter, `warp.enabled=false`"),
                    ("tunnel", "starter, tunnel open (`warp.connections=4`, all registered)")]
        med = {}
        for key, _ in variants:
            good = [r for r in idle if r["target"] == key and not r.get("failed")]
            med[key] = {f: _median([r.get(f) for r in good]) for f in ("heap_kib", "meta_kib", "rss_kib")}
            med[key]["failures"] = sorted({r["failed"] for r in idle if r["target"] == key and r.get("failed")})
            med[key]["good"] = len(good)
        base = med.get("no-starter", {})
        w("| app | heap used after full GC, MiB | metaspace used, MiB | RSS, MiB | heap vs no starter, MiB "
          "| RSS vs no starter, MiB |")
        w("|---|---|---|---|---|---|")
        for key, label in variants:
            m = med[key]
            if not m["good"]:
                w(f"| {label} | FAILED: {'; '.join(m['failures']) or 'not run'} | | | | |")
                continue
            def mib(v):
                return "n/a" if v is None else f"{v / 1024:,.1f}"
            def diff(f):
                if key == "no-starter" or m[f] is None or base.get(f) is None:
                    return "-"
                return f"{(m[f] - base[f]) / 1024:+,.1f}"
            w(f"| {label} | {mib(m['heap_kib'])} | {mib(m['meta_kib'])} | {mib(m['rss_kib'])} "
              f"| {diff('heap_kib')} | {diff('rss_kib')} |")
        w("")

    # Targets of issue #7.
    w("## Targets (issue #7)")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")

    def get(workload, target, field):
        a = agg.get((workload, target))
        return a.get(field) if a and a["good"] else None

    def check(label, measured, ok):
        verdict = "n/a" if ok is None else ("met" if ok else "**not met**")
        w(f"| {label} | {measured} | {verdict} |")

    def cmp(a, b, op):
        if a is None or b is None:
            return None
        return op(a, b)

    wr, nr, sr = get("get64", "warp", "rps"), get("get64", "nginx", "rps"), get("get64", "ssh", "rps")
    check("64 conn small GET: req/s >= nginx", f"warp {_fmt(wr)}, nginx {_fmt(nr)}", cmp(wr, nr, lambda a, b: a >= b))
    wc, nc = get("get64", "warp", "cpu_10k"), get("get64", "nginx", "cpu_10k")
    check("64 conn small GET: CPU/request <= nginx", f"warp {_fmt(wc, 2)}, nginx {_fmt(nc, 2)} CPU s/10k",
          cmp(wc, nc, lambda a, b: a <= b))
    check("64 conn small GET: req/s >= 2x ssh -R", f"warp {_fmt(wr)}, ssh -R {_fmt(sr)}" +
          (f" (x{wr / sr:.2f})" if wr and sr else ""), cmp(wr, sr, lambda a, b: a >= 2 * b))
    wp, dp = get("get1", "warp", "p50_us"), get("get1", "direct", "p50_us")
    check("1 conn p50 <= direct + 50 µs", f"warp {_fmt(wp)} µs, direct {_fmt(dp)} µs" +
          (f" ({wp - dp:+,.0f} µs)" if wp is not None and dp is not None else ""),
          cmp(wp, dp, lambda a, b: a <= b + 50))
    wp, dp = get("get64", "warp", "p99_us"), get("get64", "direct", "p99_us")
    check("64 conn p99 <= direct + 1 ms", f"warp {_fmt(wp)} µs, direct {_fmt(dp)} µs" +
          (f" ({wp - dp:+,.0f} µs)" if wp is not None and dp is not None else ""),
          cmp(wp, dp, lambda a, b: a <= b + 1000))
    for workload in ("download", "upload"):
        wm, sm = get(workload, "warp", "mbps"), get(workload, "ssh", "mbps")
        size = meta.get("transfer_label", "1 GiB")
        check(f"{size} {workload} >= 1 GB/s", f"warp {_fmt(wm)} MB/s", cmp(wm, 1000, lambda a, b: a >= b))
        check(f"{size} {workload} >= 1.5x ssh -R", f"warp {_fmt(wm)}, ssh -R {_fmt(sm)} MB/s" +
              (f" (x{wm / sm:.2f})" if wm and sm else ""), cmp(wm, sm, lambda a, b: a >= 1.5 * b))
    if idle:
        t, n = med.get("tunnel", {}), med.get("no-starter", {})
        if t.get("heap_kib") is not None and n.get("heap_kib") is not None:
            d = (t["heap_kib"] - n["heap_kib"]) / 1024
            check("idle starter overhead <= 16 MiB heap (4 connections)", f"{d:+.1f} MiB heap vs no starter",
                  d <= 16)
        else:
            check("idle starter overhead <= 16 MiB heap (4 connections)", "not measured", None)
    a = lp.get("warp") if lp else None
    if a and a["good"]:
        late = ""
        if a.get("late"):
            late = (f"; {_fmt(a['late'])} of them waited for another to finish first "
                    f"(max {a['max_us'] / 1e6:.1f} s, delay {meta.get('longpoll_ms', 0) / 1000:g} s)")
        check(f"{meta.get('longpoll_count', '10,000')} concurrent long-polls over one tunnel connection complete",
              (f"{_fmt(a['ok'])} / {_fmt(a['submitted'])} 2xx in every run" if a["all_ok"]
               else f"{_fmt(a['ok'])} / {_fmt(a['submitted'])} 2xx (median); not all completed in some run") + late,
              a["all_ok"] and not a["failures"])
        base = lp.get("direct", {})
        check("long-polls: app heap bounded",
              f"app heap with {_fmt(a['in_flight_at_sample'])} in flight {a['heap_during_kib'] / 1024:.1f} MiB "
              f"(direct: {base['heap_during_kib'] / 1024:.1f} MiB), after {a['heap_after_kib'] / 1024:.1f} MiB"
              if a.get("heap_during_kib") is not None and base.get("heap_during_kib") is not None
              and a.get("heap_after_kib") is not None else "not measured", None)
    else:
        check("concurrent long-polls over one tunnel connection complete", "failed or not run",
              False if a else None)
    w("")
    notes = list(meta.get("notes") or [])
    timed = [r for r in rows if r.get("wall_s") and r.get("other_cpu_s") is not None and not r.get("failed")]
    if timed:
        shares = sorted((r["other_cpu_s"] / r["wall_s"] * 100, r["workload"], r["target"], r.get("rep")) for r in timed)
        worst = shares[-1]
        notes.append(f"Noise: CPU used during the timed runs by processes neither on the path nor the load "
                     f"generator: median {statistics.median(s[0] for s in shares):.0f}% of one core, highest "
                     f"{worst[0]:.0f}% ({worst[1]} / {TARGET_NAMES.get(worst[2], worst[2])}, repetition {worst[3]}). "
                     f"The load generator itself used a median {statistics.median(r['loadgen_cpu_s'] / r['wall_s'] * 100 for r in timed):.0f}% of one core.")
    failures = meta.get("failures") or []
    if notes:
        w("## Notes")
        w("")
        for note in notes:
            w(f"- {note}")
        w("")
    if failures:
        w("## Failures")
        w("")
        for f in failures:
            w(f"- {f}")
        w("")
    return "\n".join(out)


# ---------------------------------------------------------------- main


def _parse_value(text):
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "freeport":
        print(" ".join(str(p) for p in freeport(int(argv[2]) if len(argv) > 2 else 1)))
    elif command == "ticks":
        print(process_tree_ticks(argv[2:]))
    elif command == "clktck":
        print(CLK_TCK)
    elif command == "measure":
        # measure PIDS OUT TIMEOUT -- COMMAND...
        pids, out_path, timeout = argv[2].split(), argv[3], float(argv[4])
        command_args = argv[argv.index("--") + 1:]
        print(json.dumps(measure(pids, out_path, timeout, command_args)))
    elif command == "registered":
        print(registered(argv[2], argv[3]))
    elif command == "heap":
        print(json.dumps(heap(argv[2])))
    elif command == "wrk":
        print(json.dumps(parse_wrk(argv[2])))
    elif command == "h2load":
        print(json.dumps(parse_h2load(argv[2], argv[3], int(argv[4]) if len(argv) > 4 else None,
                                      int(argv[5]) if len(argv) > 5 else None)))
    elif command == "round":
        try:
            r = parse_wrk(argv[3]) if argv[2] == "wrk" else parse_h2load(argv[3], argv[4])
        except (OSError, ValueError, AttributeError):
            return 0
        if r["non2xx"] == 0 and r["requests"] > 0:
            print(r["requests"], r["rps"], r["p50_us"] or 0, r["p99_us"] or 0)
    elif command == "record":
        row = {}
        for arg in argv[3:]:
            if arg.startswith("{"):
                row.update(json.loads(arg))
            else:
                key, _, value = arg.partition("=")
                row[key] = _parse_value(value)
        if "cpu_ticks" in row:
            row["cpu_s"] = row.pop("cpu_ticks") / CLK_TCK
        with open(argv[2], "a") as f:
            f.write(json.dumps(row) + "\n")
    elif command == "summary":
        r = json.loads(argv[2])
        if len(argv) > 3:
            r.update(json.loads(argv[3]))
        if "heap_kib" in r:
            print(f"heap {r['heap_kib'] / 1024:.1f} MiB, metaspace {r['meta_kib'] / 1024:.1f} MiB, "
                  f"RSS {r['rss_kib'] / 1024:.1f} MiB")
        elif "heap_during_kib" in r:
            during = r["heap_during_kib"]
            print(f"{r['ok']}/{r['submitted']} 2xx in {r['seconds']:.1f} s, p50 {(r['p50_us'] or 0) / 1000:.0f} ms, "
                  f"p99 {(r['p99_us'] or 0) / 1000:.0f} ms, max {(r.get('max_us') or 0) / 1000:.0f} ms, "
                  f"{r.get('late', '?')} late, app heap with {r.get('in_flight_at_sample', '?')} in flight "
                  + (f"{during / 1024:.1f} MiB" if during is not None else "n/a"))
        else:
            print(f"{r['rps']:,.0f} req/s, p50 {r['p50_us'] or 0:,.0f} µs, p99 {r['p99_us'] or 0:,.0f} µs, "
                  f"{r['mbps']:,.2f} MB/s, errors {r['errors']}")
    elif command == "readme":
        # readme RESULTS.jsonl README.md: the report, headings two levels down, between the markers
        start, end = "<!-- bench-results:start -->", "<!-- bench-results:end -->"
        text = open(argv[3]).read()
        if start not in text or end not in text:
            print(f"{argv[3]} has no {start} ... {end} section", file=sys.stderr)
            return 1
        body = "\n".join("##" + line if line.startswith("#") else line
                         for line in report(argv[2]).splitlines())
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        with open(argv[3], "w") as f:
            f.write(f"{head}{start}\n{body}\n{end}{tail}")
    elif command == "report":
        print(report(argv[2], argv[3] if len(argv) > 3 else None))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
