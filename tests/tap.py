"""TAP output shared by the test scripts: a Tap that numbers checks as they
are made (plan at the end), report() for a list of (name, problems) made
first (plan at the start), and free_port() for servers a test starts on
loopback."""
import socket


class Tap:
    def __init__(self, max_diag=30):
        self.n = 0
        self.failed = 0
        self.max_diag = max_diag

    def check(self, name, ok, diag=()):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name))
        if not ok:
            self.failed += 1
            for d in list(diag)[:self.max_diag]:
                print("# " + str(d))

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why))

    def finish(self):
        """Prints the plan; returns the exit status."""
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def report(results, max_diag):
    """Prints the plan, then each (name, problems): ok when there are none,
    else not ok with the first max_diag of them. Returns the exit status."""
    print("1..%d" % len(results))
    failed = 0
    for i, (name, bad) in enumerate(results, 1):
        if bad:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for b in bad[:max_diag]:
                print("# " + b)
        else:
            print("ok %d - %s" % (i, name))
    return 1 if failed else 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
