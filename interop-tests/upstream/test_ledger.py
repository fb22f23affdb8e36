#!/usr/bin/env python3
"""ledger.py's rules, checked on made-up runs before CI trusts it with the real ones (ci.sh): a changed outcome, a
test the ledger lacks and a listed test that did not run each fail; a race-dependent "pass|skip" line accepts either
outcome and only those; --update keeps such a line as written."""
import os, subprocess, sys, tempfile

LEDGER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ledger.py')


def run(ledger_text, results_text, update=0, partial=0):
    with tempfile.TemporaryDirectory() as tmp:
        ledger, results, log = (os.path.join(tmp, n) for n in ('ledger.txt', 'results.txt', 'log'))
        open(ledger, 'w').write(ledger_text)
        open(results, 'w').write(results_text)
        open(log, 'w').write('')
        p = subprocess.run([sys.executable, LEDGER, '--results', results, '--ledger', ledger, '--update', str(update),
                            '--partial', str(partial), '--log', log], capture_output=True, text=True)
        return p.returncode, p.stdout, open(ledger).read()


def check(name, got, want):
    if got != want:
        sys.exit(f'test_ledger.py: {name}: got {got!r}, want {want!r}')


base = 'a pass\nb fail  # why\nr pass|skip  # a race\n'
check('all as listed', run(base, 'PASS a\nFAIL b\nSKIP r (lost)\n')[0], 0)
check('the other outcome of a race line', run(base, 'PASS a\nFAIL b\nPASS r\n')[0], 0)
check('an outcome a race line does not list', run(base, 'PASS a\nFAIL b\nFAIL r\n')[0], 1)
check('a lost pass', run(base, 'FAIL a\nFAIL b\nPASS r\n')[0], 1)
check('a new pass', run(base, 'PASS a\nPASS b\nPASS r\n')[0], 1)
check('a test the ledger lacks', run(base, 'PASS a\nFAIL b\nPASS r\nPASS c\n')[0], 1)
check('a listed test that did not run', run(base, 'PASS a\nPASS r\n')[0], 1)
check('a partial run', run(base, 'PASS a\n', partial=1)[0], 0)
check('a malformed outcome', run('a maybe\n', 'PASS a\n')[0] != 0, True)
rc, _, rewritten = run(base, 'PASS a\nFAIL b\nSKIP r (lost)\n', update=1)
check('update keeps a race line', 'r pass|skip  # a race' in rewritten.splitlines(), True)
print('test_ledger.py: ledger.py keeps its rules')
