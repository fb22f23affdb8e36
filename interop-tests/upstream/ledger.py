#!/usr/bin/env python3
"""Compares one runtests.py run with its expect ledger (run-upstream.sh calls it).

A ledger line is "<test> <pass|fail|skip|xfail>  # why" (the form runtests.py --expect-result reads too); lines
starting with '#' are comments. A test whose outcome depends on a race it sets up itself (filter-leak: "race did not
produce ...", a skip when it loses) may list the outcomes it can have, "pass|skip", and its why must say so: CI runs
these ledgers, and a lost race is not a changed outcome. The run fails (exit 1) when a test's outcome differs from its line, when a test ran
that the ledger does not list, or, on a full run, when a listed test did not run. --update 1 rewrites the ledger
from the run, keeping the why of every line whose outcome did not change and marking the others "# TODO: why".
"""
import argparse
import re
import sys

OUTCOMES = {'PASS': 'pass', 'FAIL': 'fail', 'ERROR': 'fail', 'SKIP': 'skip', 'XFAIL': 'xfail'}


def read_results(path):
    results = {}
    for line in open(path):
        m = re.match(r'^(PASS|FAIL|SKIP|XFAIL|ERROR)\s+(\S+)(?:\s+\((.*)\))?', line)
        if m:
            results[m.group(2)] = (OUTCOMES[m.group(1)], m.group(3) or '')
    return results


def read_ledger(path):
    ledger = {}
    try:
        lines = open(path).read().splitlines()
    except FileNotFoundError:
        return ledger
    for n, raw in enumerate(lines, 1):
        body, _, why = raw.partition('#')
        fields = body.split()
        if not fields:
            continue
        if len(fields) != 2 or not all(o in OUTCOMES.values() for o in fields[1].split('|')):
            sys.exit(f'{path}:{n}: expected "<test> <pass|fail|skip|xfail>[|<another>]  # why", got: {raw}')
        ledger[fields[0]] = (fields[1], why.strip())
    return ledger


def failure_logs(log_path, names):
    """The per-test log blocks runtests.py prints for a failing test."""
    text = open(log_path, errors='replace').read()
    out = []
    for name in names:
        m = re.search(rf'^----- {re.escape(name)} log follows$.*?^----- {re.escape(name)} (?:rsyncd\.)?log ends$',
                      text, re.S | re.M)
        if m:
            out.append(m.group(0))
    return out


def first_error(log_path, name):
    """A failing test's first refusal or error line from the program under test, as the ledger's first why."""
    blocks = failure_logs(log_path, [name])
    if not blocks:
        return ''
    lines = blocks[0].splitlines()
    for pattern in (r'mrsync: .*not supported yet.*', r'mrsync: .*', r'rsync: .*', r'.*(?:Error|error|FAIL|failed).*'):
        for line in lines:
            m = re.search(pattern, line)
            if m:
                return m.group(0).strip()[:160].replace('#', '')
    return ''


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--results', required=True)
    p.add_argument('--ledger', required=True)
    p.add_argument('--update', type=int, default=0)
    p.add_argument('--partial', type=int, default=0)
    p.add_argument('--log', required=True)
    a = p.parse_args()

    results = read_results(a.results)
    ledger = read_ledger(a.ledger)
    changed = []
    for name, (outcome, reason) in sorted(results.items()):
        expected = ledger.get(name)
        if expected is None:
            changed.append(f'{name}: {outcome}, not in the ledger')
        elif outcome not in expected[0].split('|'):
            changed.append(f'{name}: {outcome}, ledger says {expected[0]} ({expected[1] or "no reason given"})')
    if not a.partial:
        for name in sorted(set(ledger) - set(results)):
            changed.append(f'{name}: did not run, ledger says {ledger[name][0]}')

    passed = sum(1 for o, _ in results.values() if o == 'pass')
    counts = {o: sum(1 for x, _ in results.values() if x == o) for o in ('pass', 'fail', 'skip', 'xfail')}
    summary = (f'{passed} of {len(results)} pass ({counts["fail"]} fail, {counts["skip"]} skip, '
               f'{counts["xfail"]} xfail)')

    if a.update:
        if a.partial:
            sys.exit('run-upstream.sh: --update-ledger needs a full run (no test names)')
        lines = []
        try:
            lines = [l for l in open(a.ledger).read().splitlines() if l.startswith('#')]
        except FileNotFoundError:
            pass
        head = [l for l in lines if not l.startswith('# result:')]
        out = head + [f'# result: {summary}']
        for name, (outcome, reason) in sorted(results.items()):
            old = ledger.get(name)
            if old is not None and '|' in old[0] and outcome in old[0].split('|'):
                outcome, why = old  # a race-dependent line stays as written
            elif outcome == 'pass':
                why = ''
            elif old is not None and old[0] == outcome and old[1]:
                why = old[1]
            elif outcome == 'skip' and reason:
                why = f'skipped: {reason}'
            else:
                why = first_error(a.log, name) or 'TODO: why'
            out.append(f'{name} {outcome}' + (f'  # {why}' if why else ''))
        open(a.ledger, 'w').write('\n'.join(out) + '\n')
        print(f'run-upstream.sh: {summary}; ledger {a.ledger} rewritten ({len(changed)} lines changed)')
        for c in changed:
            print(f'  {c}')
        return 0

    print(f'run-upstream.sh: {summary}')
    if not changed:
        print(f'run-upstream.sh: every outcome matches {a.ledger}')
        return 0
    print(f'run-upstream.sh: {len(changed)} outcome(s) differ from {a.ledger}:')
    for c in changed:
        print(f'  {c}')
    newly_failing = [c.split(':')[0] for c in changed if ': fail' in c]
    for block in failure_logs(a.log, newly_failing):
        print(block)
    return 1


if __name__ == '__main__':
    sys.exit(main())
