#!/usr/bin/env python3
"""Container log wrappers from REAL container tools (TAP).

The project's real-MTA logs (testdata/mta/out: Postfix's syslog, Exim's
main log) are printed by a container of Debian's podman, from an image
imported from a folder holding only a static busybox and the two logs,
so that what wraps the lines is the tools' own output:
  - `podman logs` and `podman logs -t` (Docker's RFC 3339 timestamp);
  - docker-compose (Debian's docker-compose 1.29, talking to podman's
    Docker-compatible API on a unix socket of the test's own) `up`
    (coloured "service_1  | " prefixes and its progress lines),
    `logs --no-color`, `logs --no-color -t` (prefix, then timestamp), one
    service per MTA and both in one stream.
Each must give the events of the logs themselves (source, line and
event_id say where an event was read, so they differ by design), every
line read as the MTA's, none unparsed. podman keeps its images and
containers under the test's temporary folder (--root, --runroot, vfs
storage), runs without network, and is stopped at the end.

Skipped (77) when podman, runc, docker-compose or a static busybox is
missing, or when podman cannot start a container on this machine.

Usage: containers.py MXTRIAGE TESTDATA   (TAP)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter

from tap import Tap

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
BUSYBOX = "/bin/busybox"
# A machine of hybrid cgroups (v1 controllers beside v2), where crun
# refuses to run: runc, cgroupfs, the host's cgroup namespace and an empty
# /sys/fs/cgroup in the container; no ulimits set (setrlimit is refused).
CONF = """[containers]
default_ulimits = []
cgroupns = "host"
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
"""
COMPOSE = """version: "3"
services:
  postfix:
    image: localhost/mxtriage-lab:1
    command: ["/bin/busybox", "cat", "/postfix.log"]
    network_mode: none
    tmpfs: ["/sys/fs/cgroup"]
  exim:
    image: localhost/mxtriage-lab:1
    command: ["/bin/busybox", "cat", "/exim.log"]
    network_mode: none
    tmpfs: ["/sys/fs/cgroup"]
"""


def static_busybox():
    if not os.path.exists(BUSYBOX):
        return False
    r = subprocess.run(["ldd", BUSYBOX], capture_output=True, text=True)
    return "not a dynamic executable" in r.stdout + r.stderr


def events(binary, path):
    """The events of path, without where they were read, as a Counter of
    JSON strings; and the report's line counts."""
    p = subprocess.run([binary, "events", "--year", "2026", path],
                       capture_output=True, env=ENV)
    out = Counter()
    for line in p.stdout.decode().splitlines():
        e = json.loads(line)
        for k in ("source", "line", "event_id"):
            e.pop(k, None)
        out[json.dumps(e, sort_keys=True)] += 1
    r = subprocess.run([binary, "-f", "json", "--year", "2026", path],
                       capture_output=True, env=ENV)
    lines = json.loads(r.stdout)["header"]["lines"] if r.returncode == 0 else {}
    return p.returncode, out, lines


class Podman:
    def __init__(self, tmp):
        self.tmp = tmp
        self.conf = os.path.join(tmp, "containers.conf")
        with open(self.conf, "w") as f:
            f.write(CONF)
        self.env = dict(ENV, CONTAINERS_CONF=self.conf, HOME=tmp,
                        XDG_RUNTIME_DIR=os.path.join(tmp, "xdg"))
        os.makedirs(self.env["XDG_RUNTIME_DIR"], exist_ok=True)
        self.base = ["podman", "--root", os.path.join(tmp, "root"),
                     "--runroot", os.path.join(tmp, "runroot"),
                     "--storage-driver", "vfs", "--tmpdir",
                     os.path.join(tmp, "libpod")]

    def run(self, *args, **kw):
        return subprocess.run(self.base + list(args), capture_output=True,
                              env=self.env, timeout=300, **kw)


def main():
    binary, testdata = sys.argv[1], sys.argv[2]
    missing = [t for t in ("podman", "runc", "docker-compose")
               if shutil.which(t, path=ENV["PATH"]) is None]
    if not static_busybox():
        missing.append("busybox-static")
    if missing:
        print("1..0 # SKIP not installed: %s (apt-get install podman runc "
              "docker-compose busybox-static)" % " ".join(missing))
        return 0
    logs = {"postfix": os.path.join(testdata, "mta", "out", "postfix", "mail.log"),
            "exim": os.path.join(testdata, "mta", "out", "exim", "mainlog")}
    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="mxtriage-containers-")
    service = None
    pm = Podman(tmp)
    try:
        # the image: a static busybox and the two logs, nothing else
        image = os.path.join(tmp, "image.tar")
        with tarfile.open(image, "w") as t:
            t.add(BUSYBOX, "bin/busybox")
            for d in ("proc", "sys", "dev", "etc", "tmp"):
                info = tarfile.TarInfo(d)
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            for name, path in logs.items():
                t.add(path, name + ".log")
        r = pm.run("import", image, "localhost/mxtriage-lab:1")
        if r.returncode != 0:
            # installed but not working: a failure, as before f2f9474
            # (only a missing package is a skip)
            print("Bail out! podman import failed: %s"
                  % r.stderr.decode()[-300:].replace("\n", " "))
            return 1
        r = pm.run("run", "--name", "mxt-postfix", "--network", "none",
                   "--mount", "type=tmpfs,destination=/sys/fs/cgroup",
                   "localhost/mxtriage-lab:1", "/bin/busybox", "cat",
                   "/postfix.log")
        if r.returncode != 0:
            print("Bail out! podman cannot run a container here: %s"
                  % r.stderr.decode()[-300:].replace("\n", " "))
            return 1
        want = {}
        for name, path in logs.items():
            rc, ev, lines = events(binary, path)
            want[name] = (ev, lines)
        forms = {}
        for args, form in ((["logs"], "podman logs"),
                           (["logs", "-t"], "podman logs -t")):
            r = pm.run(*args, "mxt-postfix")
            forms[form] = ("postfix", r.stdout)

        # docker-compose against podman's Docker API on our own socket
        sock = os.path.join(tmp, "podman.sock")
        service = subprocess.Popen(
            pm.base + ["system", "service", "--time=0", "unix://" + sock],
            env=pm.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        proj = os.path.join(tmp, "compose")
        os.makedirs(proj)
        with open(os.path.join(proj, "docker-compose.yml"), "w") as f:
            f.write(COMPOSE)
        cenv = dict(pm.env, DOCKER_HOST="unix://" + sock,
                    COMPOSE_PROJECT_NAME="mxtlab")

        def compose(*args):
            return subprocess.run(["docker-compose"] + list(args), cwd=proj,
                                  env=cenv, capture_output=True, timeout=300)
        for name in logs:
            r = compose("up", name)
            tap.check("docker-compose up ran the %s service" % name,
                      r.returncode == 0, [r.stderr.decode()[-500:]])
            if name == "postfix":
                forms["docker-compose up"] = (name, r.stdout + r.stderr)
        for name in logs:
            for args, form in ((["--no-color"], "docker-compose logs"),
                               (["--no-color", "-t"], "docker-compose logs -t")):
                r = compose("logs", *args, name)
                forms["%s (%s)" % (form, name)] = (name, r.stdout)
        r = compose("logs", "--no-color")
        forms["docker-compose logs (both services)"] = ("both", r.stdout)
        compose("down")

        for form, (name, data) in forms.items():
            path = os.path.join(tmp, "wrapped.log")
            with open(path, "wb") as f:
                f.write(data)
            rc, got, lines = events(binary, path)
            if name == "both":
                ev = want["postfix"][0] + want["exim"][0]
                mta = {"postfix": want["postfix"][1].get("postfix", 0),
                       "exim": want["exim"][1].get("exim", 0)}
            else:
                ev = want[name][0]
                mta = {name: want[name][1].get(name, 0)}
            tap.check("%s: %d lines, the events of the log itself" %
                      (form, data.count(b"\n")),
                      rc == 0 and got == ev and sum(ev.values()) > 0,
                      [rc, "%d events, %d expected" % (sum(got.values()),
                                                       sum(ev.values())),
                       "missing: %s" % list((ev - got).elements())[:2],
                       "extra: %s" % list((got - ev).elements())[:2]])
            tap.check("%s: every line of the MTA read as its own, none unparsed"
                      % form, lines.get("unparsed") == 0 and
                      all(lines.get(k) == v for k, v in mta.items()),
                      [lines, mta])
    finally:
        if service is not None:
            os.killpg(service.pid, signal.SIGTERM)
            service.wait(timeout=60)
        pm.run("rm", "-a", "-f")
        pm.run("rmi", "-a", "-f")
        subprocess.run(["rm", "-rf", tmp])
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
