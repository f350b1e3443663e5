#!/usr/bin/env python3
"""Golden CLI tests: one folder per case under testdata/golden/.

A case folder holds:
  args        the arguments, one per line ('#' lines are comments)
  stdin       optional: fed to standard input
  env         optional: KEY=VALUE lines added to the fixed environment
  stdout, stderr, status   the expected results (status: the exit code)
  same-stdout-as           optional: name of another case whose stdout
                           must be byte-identical to this one's
                           (events: the members named on the following
                           lines, e.g. source, are left out of each JSON
                           line before comparing)
  same-json-as             optional: name of another case whose stdout is
                           the same JSON document, apart from the members
                           named on the following lines (dotted paths,
                           e.g. header.inputs: the names of the inputs;
                           NAME[] goes into each element of an array,
                           groups[].trace);
                           such a case has no stdout file of its own
  twice                    optional: run the case a second time; the
                           outputs must be byte-identical (determinism)
  want.NAME                optional: the file NAME the run must leave in
                           the case folder (removed after the check)
  stdout-to                optional: where standard output goes instead of
                           a pipe: a path (/dev/full) or the word 'closed'
                           (the descriptor is closed); stdout is then empty
  rlimit-fsize             optional: RLIMIT_FSIZE in bytes, with SIGXFSZ
                           ignored, so that writing a file fails with EFBIG
                           as on a full disk
  unchanged                optional: names of files in the case folder (one
                           a line) that the run must leave byte for byte
                           as they were (they are restored after a failure)

Every case also checks that the run leaves no other file behind in the
case folder (a temporary file of -o, say) than its want.NAME files.

mxtriage runs with the case folder as working directory, LC_ALL=C, TZ=UTC,
MXTRIAGE_HOSTNAME=golden.test and nothing else from the caller's environment. A mismatch prints a unified
diff. UPDATE_GOLDEN=1 rewrites the expected files instead: review the
result like code before committing it.

Usage: golden.py MXTRIAGE GOLDEN_DIR [CASE...]   (TAP output)
"""
import difflib
import json
import os
import resource
import signal
import subprocess
import sys


def lines_without(data, members):
    """JSON lines (events) without the members named: what stays must be
    byte-identical; a line that is not JSON stays as it is."""
    out = []
    for line in data.split(b"\n"):
        try:
            o = json.loads(line)
        except ValueError:
            out.append(line)
            continue
        for m in members:
            o.pop(m, None)
        out.append(json.dumps(o, separators=(",", ":"), ensure_ascii=False).encode())
    return b"\n".join(out)


def run_case(binary, case_dir):
    with open(os.path.join(case_dir, "args")) as f:
        args = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    # MXTRIAGE_HOSTNAME: the host events give lines that name none
    # (else this machine's name, which would differ from one to the next)
    env = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin",
           "MXTRIAGE_HOSTNAME": "golden.test"}
    env_file = os.path.join(case_dir, "env")
    if os.path.exists(env_file):
        with open(env_file) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    env[k] = v
    stdin_path = os.path.join(case_dir, "stdin")
    stdin = open(stdin_path, "rb") if os.path.exists(stdin_path) else subprocess.DEVNULL
    stdout = subprocess.PIPE
    stdout_to = read_word(case_dir, "stdout-to")
    if stdout_to not in (None, "closed"):
        stdout = open(stdout_to, "wb")
    fsize = read_word(case_dir, "rlimit-fsize")

    def child_setup():
        if stdout_to == "closed":
            os.close(1)
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (int(fsize), int(fsize)))

    try:
        p = subprocess.run([binary] + args, cwd=case_dir, env=env, stdin=stdin,
                           stdout=stdout, stderr=subprocess.PIPE, timeout=120,
                           preexec_fn=child_setup)
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
        if stdout is not subprocess.PIPE:
            stdout.close()
    # the program name in messages is whatever path ran it
    stderr = p.stderr.replace(binary.encode() + b":", b"mxtriage:")
    return p.stdout or b"", stderr, ("%d\n" % p.returncode).encode()


def read_word(case_dir, name):
    path = os.path.join(case_dir, name)
    if not os.path.exists(path):
        return None
    return open(path).read().strip()


def snapshot(case_dir):
    """The files of the case folder and, for those listed in 'unchanged',
    their bytes."""
    keep = read_word(case_dir, "unchanged")
    names = keep.split() if keep else []
    return (set(os.listdir(case_dir)),
            {n: open(os.path.join(case_dir, n), "rb").read() for n in names})


def check_left(case_dir, before):
    """Problems with what the run left in the case folder; restores the
    files it should not have touched."""
    files, kept = before
    problems = []
    for n, data in kept.items():
        path = os.path.join(case_dir, n)
        now = open(path, "rb").read() if os.path.exists(path) else None
        if now != data:
            problems.append("# the run changed %s (%s bytes, was %d)\n" % (
                n, "no file" if now is None else len(now), len(data)))
            with open(path, "wb") as f:
                f.write(data)
    made = set(os.listdir(case_dir)) - files
    wanted = {n[5:] for n in files if n.startswith("want.")}
    for n in sorted(made - wanted):
        problems.append("# the run left a file behind: %s\n" % n)
        os.remove(os.path.join(case_dir, n))
    return problems


def diff(name, got, want):
    lines = difflib.unified_diff(
        want.decode("utf-8", "replace").splitlines(True),
        got.decode("utf-8", "replace").splitlines(True),
        fromfile=name + " (expected)", tofile=name + " (got)")
    return "".join("# " + l if l.endswith("\n") else "# " + l + "\n" for l in lines)


def without(stdout, paths):
    """The JSON document in stdout, re-serialised without the members at
    the dotted paths; the text itself when it is not JSON."""
    try:
        doc = json.loads(stdout)
    except ValueError:
        return stdout
    def drop(node, keys):
        if not isinstance(node, dict):
            return
        k = keys[0]
        if len(keys) == 1:
            node.pop(k, None)
        elif k.endswith("[]"):
            for item in node.get(k[:-2], []) or []:
                drop(item, keys[1:])
        else:
            drop(node.get(k), keys[1:])

    for path in paths:
        drop(doc, path.split("."))
    return (json.dumps(doc, indent=2, sort_keys=False) + "\n").encode()


def main():
    binary = os.path.abspath(sys.argv[1])
    root = sys.argv[2]
    names = sys.argv[3:] or sorted(
        d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    update = os.environ.get("UPDATE_GOLDEN") == "1"
    results = {}
    failed = 0
    print("1..%d" % len(names))
    for i, name in enumerate(names, 1):
        case_dir = os.path.join(root, name)
        before = snapshot(case_dir)
        out = run_case(binary, case_dir)
        results[name] = out
        problems = check_left(case_dir, before)
        for fname, got in zip(("stdout", "stderr", "status"), out):
            path = os.path.join(case_dir, fname)
            if fname == "stdout" and os.path.exists(os.path.join(case_dir, "same-json-as")):
                continue  # checked against the other case's below
            if update:
                with open(path, "wb") as f:
                    f.write(got)
                continue
            want = open(path, "rb").read() if os.path.exists(path) else b""
            if got != want:
                problems.append(diff(name + "/" + fname, got, want))
        for want_name in sorted(os.listdir(case_dir)):
            if not want_name.startswith("want."):
                continue
            made = os.path.join(case_dir, want_name[5:])
            got = open(made, "rb").read() if os.path.exists(made) else b"(missing)\n"
            if os.path.exists(made):
                os.remove(made)
            if update:
                with open(os.path.join(case_dir, want_name), "wb") as f:
                    f.write(got)
            elif got != open(os.path.join(case_dir, want_name), "rb").read():
                problems.append(diff(name + "/" + want_name[5:], got,
                                     open(os.path.join(case_dir, want_name), "rb").read()))
        if os.path.exists(os.path.join(case_dir, "twice")):
            again = run_case(binary, case_dir)
            if again != out:
                problems.append("# a second run gave different output\n"
                                + diff(name + "/stdout (second run)", again[0], out[0]))
        same = os.path.join(case_dir, "same-stdout-as")
        if os.path.exists(same):
            lines = open(same).read().split("\n")
            other = lines[0].strip()
            ignore = [l.strip() for l in lines[1:] if l.strip()]
            other_out = results.get(other) or run_case(binary, os.path.join(root, other))
            mine, theirs = out[0], other_out[0]
            if ignore:
                mine, theirs = lines_without(mine, ignore), lines_without(theirs, ignore)
            if mine != theirs:
                problems.append("# stdout differs from case %s%s\n" % (other,
                                " (apart from %s)" % ", ".join(ignore) if ignore else "")
                                + diff(name + "/stdout", mine, theirs))
        same_json = os.path.join(case_dir, "same-json-as")
        if os.path.exists(same_json):
            lines = open(same_json).read().split("\n")
            other = lines[0].strip()
            ignore = [l.strip() for l in lines[1:] if l.strip()]
            other_out = results.get(other) or run_case(binary, os.path.join(root, other))
            mine, theirs = without(out[0], ignore), without(other_out[0], ignore)
            if mine != theirs:
                problems.append("# stdout is not the JSON of case %s (apart from %s)\n"
                                % (other, ", ".join(ignore))
                                + diff(name + "/stdout", mine, theirs))
        if problems:
            failed += 1
            print("not ok %d - %s" % (i, name))
            sys.stdout.write("".join(problems))
        else:
            print("ok %d - %s" % (i, name))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
