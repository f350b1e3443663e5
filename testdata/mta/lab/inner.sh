#!/bin/bash
# Runs inside the lab's private namespaces (mount, net, uts, pid): started by
# ../generate through unshare, as PID 1 of the new pid namespace. When this
# script exits, the kernel ends every process left in the namespace, so the
# lab stops exactly what it started.
#
# Usage: inner.sh LAB_DIR SCRATCH EXIM_ROOT [SCENARIOS.json]
# (the scenario set; LAB_DIR/scenarios.json when not given)
set -euo pipefail
LAB=$1 S=$2 X=$3
SCEN=${4:-$LAB/scenarios.json}
OUT=$S/out
log() { printf '[lab %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$SCEN" "$1"; }

mkdir -p "$OUT"/{postfix,exim,transcripts,proof,dns,state} "$S"/{rsyslog,etc,exim/spool,pfspool,pflib,pfetc}

# --- 1. network: only a private loopback ---------------------------------
hostname mta-lab
ip link set lo up
{
  echo "# network namespace of the lab, recorded at start ($(date -u +%FT%TZ))"
  echo "## ip -d link"; ip -d link
  echo "## ip addr"; ip addr
  echo "## ip route show table all"; ip route show table all
  echo "## ip -6 route show table all"; ip -6 route show table all
  echo "## ip route get for a non-loopback destination (a routing table lookup, no packet is sent)"
  ip route get 192.0.2.1 2>&1 || true
  ip route get 10.0.0.1 2>&1 || true
} > "$OUT/proof/network-start.txt"
links=$(ip -o link | awk -F': ' '{print $2}' | sort | tr '\n' ' ')
if [ "$links" != "lo " ]; then
  log "FATAL: the lab's net namespace has links other than lo: $links"; exit 1
fi
if ip route get 192.0.2.1 >/dev/null 2>&1; then
  log "FATAL: a non-loopback destination is routable inside the lab"; exit 1
fi
echo "CHECK PASSED: interfaces = { $links}; non-loopback destinations are unreachable" >> "$OUT/proof/network-start.txt"

# --- 2. private /dev (for /dev/log), resolv.conf, hosts -------------------
mount -t tmpfs -o mode=755,size=1m labdev /dev
mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5; mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9; mknod -m 666 /dev/tty c 5 0
ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
mkdir /dev/shm && mount -t tmpfs -o mode=1777,size=16m labshm /dev/shm
# /etc itself becomes a private overlay (writes land in $S/etc-upper, never on
# the host), so the lab can add Exim's TRUSTED_CONFIG_LIST file: Debian's Exim
# keeps root privilege for "-C FILE" only when FILE is listed there (otherwise
# every re-exec logs "exim user lost privilege for using -C option").
mkdir -p "$S/etc-upper" "$S/etc-work"
mount -t overlay labetc -o lowerdir=/etc,upperdir="$S/etc-upper",workdir="$S/etc-work" /etc
mkdir -p /etc/exim4
echo "$S/exim.conf" > /etc/exim4/trusted_configs
chmod 644 /etc/exim4/trusted_configs
echo "nameserver $(jget addresses.dns)" > "$S/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n' > "$S/etc/hosts"
printf 'hosts: files dns\n' > "$S/etc/nsswitch.conf"
for f in resolv.conf hosts nsswitch.conf; do
  [ -e "/etc/$f" ] || { log "FATAL: /etc/$f missing"; exit 1; }
  mount --bind "$S/etc/$f" "/etc/$f"
done

# --- 3. rsyslog ------------------------------------------------------------
sed "s#@S@#$S#g" "$LAB/rsyslog.conf" > "$S/rsyslog.conf"
rsyslogd -f "$S/rsyslog.conf" -i "$S/rsyslog.pid"
for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
[ -S /dev/log ] || { log "FATAL: rsyslog did not create /dev/log"; exit 1; }

# --- 4. DNS: dnsmasq with no upstream, plus the SERVFAIL/REFUSED stub ------
python3 "$LAB/dns.py" conf "$SCEN" "$S/dnsmasq-queries.log" > "$S/dnsmasq.conf"
cp "$S/dnsmasq.conf" "$OUT/dns/dnsmasq.conf"
python3 "$LAB/dns.py" stub "$SCEN" "$S/stub.ready" & STUB=$!
dnsmasq -k -u root -C "$S/dnsmasq.conf" & DNSMASQ=$!
for _ in $(seq 50); do [ -e "$S/stub.ready" ] && break; sleep 0.1; done
sleep 0.5
python3 - "$SCEN" <<'EOF' >> "$OUT/proof/network-start.txt"
import json, socket, sys
d = next(d for d in json.load(open(sys.argv[1]))["domains"] if d.get("ip"))
first = d["hosts"][0]["name"] if d.get("hosts") else "mx.%s" % d["domain"]
for n in (first, "mx-pf.lab.test"):
    print("resolve %s -> %s" % (n, socket.gethostbyname(n)))
for n in ("nxdomain.test", "www.example.com"):
    try:
        print("resolve %s -> %s (UNEXPECTED)" % (n, socket.gethostbyname(n)))
    except OSError as e:
        print("resolve %s -> error %s (expected: the lab resolver knows only .test)" % (n, e))
EOF

# --- 5. peers --------------------------------------------------------------
T0=$(( $(date +%s) + 25 ))
echo "$T0" > "$S/t0"
python3 "$LAB/peers.py" "$SCEN" "$T0" "$OUT/transcripts/peers.jsonl" "$S/peers.ready" & PEERS=$!
for _ in $(seq 100); do [ -e "$S/peers.ready" ] && break; sleep 0.1; done
[ -e "$S/peers.ready" ] || { log "FATAL: peers did not start"; exit 1; }

# --- 6. Exim ---------------------------------------------------------------
sed -e "s#@S@#$S#g" -e "s#@X@#$X#g" "$LAB/exim/exim.conf" > "$S/exim.conf"
chown -R Debian-exim:Debian-exim "$S/exim/spool" "$OUT/exim"
"$X/usr/sbin/exim4" -C "$S/exim.conf" -bdf -q"$(jget timing.exim.queue_run_interval)"s & EXIM=$!

# --- 7. Postfix (own /etc/postfix, spool and data dirs; chroot off) --------
cp -a /etc/postfix/. "$S/pfetc/"
cp /usr/share/postfix/master.cf.dist "$S/pfetc/master.cf"
cp "$LAB/postfix/main.cf" "$LAB/postfix/local_users" "$LAB/postfix/tls_policy" "$S/pfetc/"
mount --bind "$S/pfetc" /etc/postfix
mount --bind "$S/pfspool" /var/spool/postfix
mount --bind "$S/pflib" /var/lib/postfix
chown postfix:postfix /var/lib/postfix
postconf -F '*/*/chroot = n'
postfix check 2>&1 | sed 's/^/[postfix check] /' >&2 || true
postfix start

# --- 8. socket sampler: every address in use must be loopback ---------------
(
  while :; do
    { echo "## $(date -u +%FT%TZ)"; ss -Htanu; } >> "$S/ss-samples.txt"
    sleep 10
  done
) & SAMPLER=$!

sleep 2
ss -Hltnu > "$OUT/proof/listeners.txt"
log "services up; T0 in $(( T0 - $(date +%s) ))s; injecting"

# --- 9. traffic ------------------------------------------------------------
python3 "$LAB/inject.py" "$SCEN" "$T0" "$OUT" "$X" "$S/exim.conf"

# --- 10. stop, in order ----------------------------------------------------
log "stopping"
postqueue -p > "$OUT/state/postfix-queue-at-end.txt" 2>&1 || true
"$X/usr/sbin/exim4" -C "$S/exim.conf" -bp > "$OUT/state/exim-queue-at-end.txt" 2>&1 || true
postfix stop || true
kill "$EXIM" 2>/dev/null || true
sleep 3
kill "$SAMPLER" "$PEERS" "$DNSMASQ" "$STUB" 2>/dev/null || true
kill "$(cat "$S/rsyslog.pid")" 2>/dev/null || true
sleep 1
{ echo "## $(date -u +%FT%TZ) (end)"; ss -Htanu; } >> "$S/ss-samples.txt"
python3 - "$S/ss-samples.txt" "$OUT/proof/sockets.txt" <<'EOF'
import re, sys
samples = lines = bad = 0
addrs = set()
for ln in open(sys.argv[1]):
    if ln.startswith("## "):
        samples += 1
        continue
    f = ln.split()
    if len(f) < 6:
        continue
    lines += 1
    for a in (f[4], f[5]):
        host = a.rsplit(":", 1)[0].strip("[]")
        addrs.add(host)
        if not (host.startswith("127.") or host in ("*", "0.0.0.0", "::1", "::", "%lo")):
            bad += 1
with open(sys.argv[2], "w") as o:
    o.write("# every TCP/UDP socket seen by 'ss -tanu' inside the lab, sampled every 10 s\n")
    o.write("samples: %d\nsocket lines: %d\n" % (samples, lines))
    o.write("distinct addresses: %s\n" % " ".join(sorted(addrs)))
    o.write("non-loopback: %d\n" % bad)
    o.write("CHECK %s\n" % ("PASSED" if bad == 0 else "FAILED"))
sys.exit(1 if bad else 0)
EOF
python3 "$LAB/dnssum.py" "$S/dnsmasq-queries.log" "$OUT/proof/dns.txt"
{
  echo "# network namespace of the lab, recorded at the end ($(date -u +%FT%TZ))"
  ip -d link; ip -s link; ip route show table all
} > "$OUT/proof/network-end.txt"
cp -a /etc/postfix/main.cf "$OUT/state/postfix-main.cf.used"
postconf -n > "$OUT/state/postconf-n.txt"
cp "$S/exim.conf" "$OUT/state/exim.conf.used"
log "done"
