#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""summary.py FILE...

Count the leaf results of TAP / KTAP files (nested KTAP subtests included:
a result line is a parent, not counted, when the result line before it is
indented deeper).  'ok' counts as passed, 'not ok' as failed, and a '# SKIP'
or '# TODO' directive as skipped (never passed).  A missing file, or one
without any result line, counts as one failure.

Prints one line per file, the failed tests with the last comment lines
that preceded each (the test's own diagnostics, so that a CI log tail says
why), and as the last line exactly 'N passed, N failed' (', N skipped'
appended when there are any).
Exit status 1 when anything failed.
"""
import os
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok)\b\s*(.*)$')
DIRECTIVE = re.compile(r'#\s*(SKIP|TODO)\b', re.IGNORECASE)


DIAG_LINES = 12


def leaves(lines):
    """Return (status, description, diagnostics) for leaf results."""
    prev_indent = None
    pending = []
    diag = []
    for line in lines:
        m = RESULT.match(line.rstrip('\n'))
        if not m:
            text = line.strip()
            if text.startswith('#') and len(text) > 1:
                diag = (diag + [text[:200]])[-DIAG_LINES:]
            continue
        notes, diag = diag, []
        indent = len(m.group(1).expandtabs(8))
        if prev_indent is not None and prev_indent > indent:
            # this line closes a group of subtests: it is a parent
            prev_indent = indent
            continue
        prev_indent = indent
        desc = m.group(3)
        if DIRECTIVE.search(desc):
            status = 'skipped'
        elif m.group(2) == 'ok':
            status = 'passed'
        else:
            status = 'failed'
        pending.append((status, desc, notes))
    return pending


def main():
    total = {'passed': 0, 'failed': 0, 'skipped': 0}
    failures = []
    for path in sys.argv[1:]:
        suite = os.path.basename(path)
        counts = {'passed': 0, 'failed': 0, 'skipped': 0}
        if not os.path.exists(path):
            results = [('failed', 'no results: %s was not written' % path, [])]
        else:
            with open(path, errors='replace') as f:
                results = leaves(f)
            if not results:
                results = [('failed',
                            'no results: no ok/not ok line in %s' % path, [])]
        for status, desc, notes in results:
            counts[status] += 1
            if status == 'failed':
                failures.append(('%s: %s' % (suite, desc), notes))
        for k in total:
            total[k] += counts[k]
        print('%-22s %4d passed, %4d failed, %4d skipped' %
              (suite, counts['passed'], counts['failed'], counts['skipped']))
    if failures:
        print('FAILED:')
        for f, notes in failures:
            print('  ' + f)
            for n in notes:
                print('      ' + n)
    line = '%d passed, %d failed' % (total['passed'], total['failed'])
    if total['skipped']:
        line += ', %d skipped' % total['skipped']
    print(line)
    sys.exit(1 if total['failed'] else 0)


if __name__ == '__main__':
    main()
