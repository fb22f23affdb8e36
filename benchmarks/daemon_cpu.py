"""Where a daemon benchmark's wall time goes (daemon-compare.sh): the same stock client command against each daemon,
the two daemons alternating run by run (so that neither always follows the other: page cache, dirty pages, inode
tables), and per run
  - wall time of the client command,
  - the client's own CPU (user + system of it and the processes it waited for: wait4's rusage; stock's client forks
    its receiver or generator, whose time the parent collects),
  - the daemon's CPU: utime + stime + cutime + cstime of the daemon process (/proc/PID/stat) after the run less before
    it. A forked connection (stock's daemon forks one per client, and its receiver forks a generator) is counted once
    its parent has reaped it; the script waits for that. Ticks of 10 ms.
The lower bound is the client's own CPU over stock's wall time: a daemon that cost nothing could not bring the ratio
below it (unless the client's two processes overlap on two cores, which the column shows as CPU over wall).
Usage: python3 daemon_cpu.py RUNS OUT.md NAME=PID=URL NAME=PID=URL SCENARIO=PREPARE=COMMAND...
  (COMMAND and PREPARE are shell lines; @URL@ in them is the daemon's module URL)"""
import os, statistics, subprocess, sys, time

TICK = os.sysconf("SC_CLK_TCK")


def daemon_cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    # fields 14-17 of proc(5), counted from 1 with pid and comm: utime stime cutime cstime
    return sum(int(x) for x in f[11:15]) / TICK


def children(pid):
    n = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                    n += 1
            except OSError:
                pass
    return n


def settle(pid, base_children):
    # Until the connection's processes are reaped (stock) and the daemon's CPU stops moving (ours serves in threads).
    last, still = daemon_cpu(pid), 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = daemon_cpu(pid)
        if children(pid) <= base_children and now == last:
            still += 1
            if still >= 3:
                break
        else:
            still = 0
        last = now
    return last


def run_once(pid, url, prepare, command):
    subprocess.run(prepare.replace("@URL@", url), shell=True, check=True)
    base = children(pid)
    before = settle(pid, base)
    start = time.monotonic()
    child = subprocess.Popen(command.replace("@URL@", url), shell=True, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    if status != 0:
        sys.exit(f"failed ({status}): {command.replace('@URL@', url)}")
    after = settle(pid, base)
    return wall, usage.ru_utime + usage.ru_stime, after - before


def fmt(values):
    return f"{statistics.mean(values) * 1000:,.0f} ± {statistics.pstdev(values) * 1000:,.0f}"


def main():
    runs, out = int(sys.argv[1]), sys.argv[2]
    daemons = [tuple(a.split("=", 2)) for a in sys.argv[3:5]]
    scenarios = [tuple(a.split("=", 2)) for a in sys.argv[5:]]
    rows = []
    for name, prepare, command in scenarios:
        got = {d[0]: [] for d in daemons}
        for r in range(runs + 1):  # the first round warms up and is not kept
            order = daemons if r % 2 == 0 else daemons[::-1]
            for dname, pid, url in order:
                m = run_once(int(pid), url, prepare, command)
                if r:
                    got[dname].append(m)
        stock_wall = statistics.mean(w for w, _, _ in got[daemons[0][0]])
        stock_client = statistics.mean(c for _, c, _ in got[daemons[0][0]])
        for dname, _, _ in daemons:
            walls = [w for w, _, _ in got[dname]]
            client = [c for _, c, _ in got[dname]]
            daemon = [d for _, _, d in got[dname]]
            rows.append(f"| {name} | {dname} | {fmt(walls)} | {fmt(client)} | {fmt(daemon)} | "
                        f"{statistics.mean(walls) / stock_wall:.2f} |")
        rows.append(f"| {name} | lower bound: stock client's CPU / stock's wall | | | | {stock_client / stock_wall:.2f} |")
    with open(out, "w") as h:
        h.write(f"Load average at the end: {os.getloadavg()[0]:.1f}. Mean ± σ of {runs} runs each, alternating.\n\n")
        h.write("| scenario | daemon | wall (ms) | stock client's CPU (ms) | daemon's CPU (ms) | wall / stock's |\n")
        h.write("| --- | --- | ---: | ---: | ---: | ---: |\n")
        h.write("\n".join(rows) + "\n")


main()
