#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-config.py DOTCONFIG FRAGMENT...

Fails naming every option requested by the fragments that did not survive
into the final .config (merge_config.sh -m + olddefconfig drop what has
unmet dependencies or does not exist).  Prints one line per problem.
"""
import re
import sys

SET = re.compile(r'^(CONFIG_\w+)=(.*)$')
UNSET = re.compile(r'^# (CONFIG_\w+) is not set$')


def parse(path, fragment=False):
    entries = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = SET.match(line)
            if m:
                entries[m.group(1)] = 'n' if m.group(2) == 'n' else m.group(2)
                continue
            m = UNSET.match(line)
            if m:
                entries[m.group(1)] = 'n'
    return entries


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    final = parse(sys.argv[1])
    wanted = {}
    origin = {}
    for frag in sys.argv[2:]:
        for k, v in parse(frag).items():
            wanted[k] = v          # later fragments win, as in merge_config.sh
            origin[k] = frag
    bad = 0
    for k, v in wanted.items():
        got = final.get(k)
        if v == 'n':
            if got not in (None, 'n'):
                print(f'{k} requested off in {origin[k]} but is {got}')
                bad += 1
            continue
        if got == v:
            continue
        if got is None:
            why = 'absent from .config (unknown symbol or unmet dependency)'
        elif got == 'n':
            why = 'is not set (unmet dependency?)'
        else:
            why = f'is {got}'
        print(f'{k}={v} requested in {origin[k]} but {why}')
        bad += 1
    if bad:
        print(f'{bad} requested option(s) did not survive into {sys.argv[1]}')
        sys.exit(1)
    print(f'all {len(wanted)} requested options present in {sys.argv[1]}')


if __name__ == '__main__':
    main()
