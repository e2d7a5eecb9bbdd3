"""Floods an edge from one address and shows whether others are still served.

usage: python3 scripts/flood.py warp-edge/target/warp-edge.jar [FD_LIMIT]
Starts the edge jar with the given file-descriptor limit (default 2048) on 127.0.0.1, then:
 row 4: one address (127.0.0.1) opens 3,000 connections to the public port and holds them; a
        second address (127.0.0.2) then asks for a page: answered (503: no agent) or refused?
 row 5: 3,000 plain TCP connects to the tunnel port from 127.0.0.1 (no TLS); the edge's open
        descriptors, whether a TLS handshake from 127.0.0.2 is served meanwhile, and how long
        the edge holds the flood.
"""
import os, resource, socket, ssl, subprocess, sys, tempfile, time

jar = sys.argv[1]
fd_limit = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 20000), hard))

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

public, tunnel, api, prov = free_port(), free_port(), free_port(), free_port()
data = tempfile.mkdtemp()
log = open(os.path.join(data, "edge.log"), "w")
edge = subprocess.Popen(["bash", "-c", f"ulimit -n {fd_limit}; exec java -Xmx256m -jar {jar} --edge.data-dir={data} "
        f"--edge.bind-address=127.0.0.1 --edge.public.port={public} --edge.tunnel.port={tunnel} "
        f"--edge.api.port={api} --edge.provisioning.port={prov}"], stdout=log, stderr=subprocess.STDOUT)

def fds():
    return len(os.listdir(f"/proc/{edge.pid}/fd"))

def wait_port(port):
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close(); return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("edge did not start")

def connect(port, source):
    s = socket.socket(); s.bind((source, 0)); s.settimeout(5); s.connect(("127.0.0.1", port)); return s

def alive(s):
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        s.setblocking(True)

def settle():
    """Waits until the edge's descriptors stop changing: it accepted (or refused) the whole backlog."""
    last, since = -1, time.monotonic()
    while time.monotonic() - since < 1.5:
        now = fds()
        if now != last:
            last, since = now, time.monotonic()
        time.sleep(0.25)

def http_get(source):
    start = time.monotonic()
    try:
        s = connect(public, source)
        s.sendall(b"GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
        head = s.recv(64)
        s.close()
        return (head.split(b"\r\n")[0].decode() or "closed"), time.monotonic() - start
    except OSError as ex:
        return f"refused ({ex.__class__.__name__})", time.monotonic() - start

try:
    wait_port(public); wait_port(tunnel); time.sleep(1)
    base = fds()
    print(f"edge fd limit {fd_limit}, descriptors open at start {base}")
    # Row 4
    flood, failed = [], 0
    for i in range(3000):
        try:
            flood.append(connect(public, "127.0.0.1"))
        except OSError:
            failed += 1
    settle()
    held = sum(1 for s in flood if alive(s))
    print(f"row 4: 127.0.0.1 opened {len(flood)} connections ({failed} failed), the edge holds {held}; edge descriptors {fds()}")
    status, took = http_get("127.0.0.2")
    print(f"row 4: 127.0.0.2 during the flood: {status} in {took * 1000:.0f} ms")
    for s in flood:
        s.close()
    time.sleep(2)
    # Row 5
    flood, failed = [], 0
    started = time.monotonic()
    for i in range(3000):
        try:
            flood.append(connect(tunnel, "127.0.0.1"))
        except OSError:
            failed += 1
    time.sleep(1)
    held = sum(1 for s in flood if alive(s))
    print(f"row 5: 3000 plain TCP connects to the tunnel port from 127.0.0.1 ({failed} failed): the edge holds {held}, edge descriptors {fds()}")
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    try:
        s = connect(tunnel, "127.0.0.2")
        t = ctx.wrap_socket(s, server_hostname="localhost")
        print(f"row 5: TLS handshake from 127.0.0.2 during the flood: served ({t.version()}, ALPN {t.selected_alpn_protocol()})")
        t.close()
    except OSError as ex:
        print(f"row 5: TLS handshake from 127.0.0.2 during the flood: failed ({ex})")
    status, took = http_get("127.0.0.2")
    print(f"row 5: a visitor during the flood: {status}")
    while time.monotonic() - started < 30 and sum(1 for s in flood if alive(s)) > 0:
        time.sleep(0.25)
    print(f"row 5: the flood's connections were all closed by the edge after {time.monotonic() - started:.1f} s; edge descriptors {fds()}")
    for s in flood:
        s.close()
finally:
    edge.terminate(); edge.wait(30)
    log.close()
    errors = [l for l in open(os.path.join(data, "edge.log")) if "Too many open files" in l]
    print(f"edge log: {len(errors)} line(s) with 'Too many open files'")
