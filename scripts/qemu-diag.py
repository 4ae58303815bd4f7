#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qemu-diag.py: why did a test guest stop?  Used by guest-run.sh.

qemu-diag.py watch SOCKET DIR
    QMP client for a QEMU started with '-qmp unix:SOCKET,server=on,wait=off
    -no-shutdown' (and '-action panic=pause').  Logs every QMP event to
    DIR/qemu-events.log.  When the guest stops (SHUTDOWN: a reset request
    under -no-reboot, a poweroff, a triple fault; GUEST_PANICKED; an internal
    error), the paused CPUs still hold the state they stopped in: it writes
    'info registers -a' to DIR/qemu-regs.txt and quits QEMU.  On SIGUSR1 it
    writes the registers of the running guest to DIR/qemu-regs-hang.txt (a
    hung boot) and goes on.  Exits when QEMU closes the socket.

qemu-diag.py summarize DIR CONSOLE SYSTEM_MAP QEMU_EXIT [LINES]
    Prints '# ' lines for a TAP stream: the reset reason from the QMP events,
    the -d cpu_reset,guest_errors log (DIR/qemu-debug.log: 'Triple fault')
    and the console ('Kernel panic'), each CPU's instruction pointer with its
    symbol, guest errors QEMU logged, and the last LINES (20) console lines.
    Also writes DIR/qemu-debug.kept with the lines of the debug log that are
    not register dumps.
"""
import bisect
import json
import os
import re
import select
import signal
import socket
import sys
import time

CONNECT_S = 60          # QEMU creates the socket at start-up
STOPPED = ('shutdown', 'guest-panicked', 'internal-error', 'io-error')


class Qmp:
    def __init__(self, path):
        deadline = time.time() + CONNECT_S
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b''
        self.events = []
        self.read(10)                   # greeting
        self.cmd('qmp_capabilities')

    def read(self, timeout):
        """One JSON message, or None after timeout; EOFError at EOF."""
        end = time.time() + timeout
        while b'\n' not in self.buf:
            left = end - time.time()
            if left <= 0:
                return None
            try:
                r, _, _ = select.select([self.sock], [], [], left)
            except InterruptedError:
                return None
            if not r:
                return None
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line.decode(errors='replace'))

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            m = self.read(30)
            if m is None:
                raise TimeoutError(name)
            if 'event' in m:
                self.events.append(m)
                continue
            return m

    def hmp(self, line):
        r = self.cmd('human-monitor-command', **{'command-line': line})
        return r.get('return', json.dumps(r)).replace('\r', '')


def watch(path, outdir):
    hang = []
    signal.signal(signal.SIGUSR1, lambda s, f: hang.append(1))
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
    try:
        q = Qmp(path)
    except Exception as e:          # noqa: BLE001 - report any failure
        print('qemu-diag: no QMP connection to %s: %s' % (path, e),
              file=sys.stderr)
        return 1
    evlog = open(os.path.join(outdir, 'qemu-events.log'), 'a')

    def regs(name, why):
        with open(os.path.join(outdir, name), 'w') as f:
            f.write('# %s\n' % why)
            f.write(q.hmp('info registers -a'))

    last_poll = 0
    try:
        while True:
            if hang:
                hang.clear()
                regs('qemu-regs-hang.txt', 'running guest, host asked')
            m = q.events.pop(0) if q.events else q.read(0.5)
            if m is None and time.time() - last_poll >= 2:
                # events from before the connection are lost: look
                last_poll = time.time()
                st = q.cmd('query-status').get('return', {})
                if st.get('status') in STOPPED:
                    m = {'event': 'STATUS', 'data': st}
            if m is None or 'event' not in m:
                continue
            evlog.write(json.dumps(m) + '\n')
            evlog.flush()
            ev = m['event']
            stop = ev in ('SHUTDOWN', 'GUEST_PANICKED', 'STATUS')
            if ev == 'STOP':
                st = q.cmd('query-status').get('return', {})
                stop = st.get('status') in STOPPED
            if stop and not (ev == 'SHUTDOWN' and
                             not m.get('data', {}).get('guest', True)):
                regs('qemu-regs.txt', json.dumps(m))
                q.cmd('quit')
    except (EOFError, ConnectionError, TimeoutError):
        return 0
    finally:
        evlog.close()


def load_map(path):
    syms = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) >= 3 and p[1] in 'tTwW':
                    syms.append((int(p[0], 16), p[2]))
    except OSError:
        pass
    syms.sort()
    return syms


def symbolize(syms, addr):
    i = bisect.bisect_right(syms, (addr, '\xff')) - 1
    if i < 0 or addr - syms[i][0] > 0x100000:
        return None
    return '%s+0x%x' % (syms[i][1], addr - syms[i][0])


def cpu_lines(text, syms):
    """One line per CPU from 'info registers -a' output (x86 or s390)."""
    out = []
    for block in re.split(r'\n(?=CPU#\d+)', text):
        m = re.match(r'\s*(CPU#\d+)', block)
        if not m:
            continue
        fields = []
        for reg in ('RIP', 'EIP', 'PC', 'RSP', 'CR2', 'CPL', 'HLT'):
            r = re.search(r'\b%s=(\S+)' % reg, block)
            if r:
                fields.append('%s=%s' % (reg, r.group(1)))
                if reg in ('RIP', 'PC'):
                    s = symbolize(syms, int(r.group(1), 16))
                    if s:
                        fields[-1] += ' (%s)' % s
        r = re.search(r'PSW=mask (\S+) addr (\S+)', block)
        if r:
            s = symbolize(syms, int(r.group(2), 16))
            fields.append('PSW=%s %s%s' % (r.group(1), r.group(2),
                                           ' (%s)' % s if s else ''))
        out.append('%s %s' % (m.group(1), ' '.join(fields)))
    return out


REG_DUMP = re.compile(r'^(CPU Reset \(CPU \d+\)|\S.{0,6}=|XMM|YMM|ZMM|FPR|'
                      r'PSW=|[RF]\d+=|[ ]+\S+=)')


def summarize(outdir, console, sysmap, qexit, nlines):
    say = []
    events = []
    try:
        with open(os.path.join(outdir, 'qemu-events.log')) as f:
            events = [json.loads(x) for x in f if x.strip()]
    except (OSError, ValueError):
        pass
    kept = []
    raw = os.path.join(outdir, 'qemu-debug.log')
    try:
        with open(raw, errors='replace') as f:
            for line in f:
                if not REG_DUMP.match(line):
                    kept.append(line.rstrip('\n'))
        with open(os.path.join(outdir, 'qemu-debug.kept'), 'w') as f:
            f.write('\n'.join(kept[-1000:]) + ('\n' if kept else ''))
    except OSError:
        pass
    try:
        with open(console, errors='replace') as f:
            con = [x.rstrip('\n').rstrip('\r') for x in f]
    except OSError:
        con = []

    triple = any('Triple fault' in x for x in kept)
    panic = next((x for x in con if 'Kernel panic - not syncing' in x), None)
    guest_ev = [e for e in events
                if e['event'] == 'GUEST_PANICKED' or
                (e['event'] == 'SHUTDOWN' and e['data'].get('guest'))]
    if triple:
        why = 'triple fault (QEMU -d cpu_reset logged "Triple fault"; ' \
              'the registers below are the CPUs\' state at the fault)'
    elif any(e['event'] == 'GUEST_PANICKED' for e in guest_ev):
        e = next(e for e in guest_ev if e['event'] == 'GUEST_PANICKED')
        why = 'guest panic reported to QEMU (%s)' % json.dumps(e['data'])
    elif guest_ev:
        reason = guest_ev[0]['data'].get('reason')
        if reason == 'guest-reset' and panic:
            why = 'guest reset after a kernel panic (panic=-1 reboots)'
        elif reason == 'guest-reset':
            why = 'guest-requested reset (not a triple fault, no ' \
                  '"Kernel panic" on the console)'
        elif reason == 'guest-shutdown':
            why = 'guest powered off'
        else:
            why = 'QEMU shutdown, reason %s' % reason
    elif qexit in ('124', '137'):
        why = 'no reset: QEMU killed at the timeout (guest hung or too slow)'
    elif any(e['event'] == 'SHUTDOWN' and
             e['data'].get('reason') == 'host-signal' for e in events):
        why = 'no reset: QEMU killed by the host (a deadline)'
    elif events:
        why = 'QEMU stopped without a guest event (%s)' % \
              ', '.join(e['event'] for e in events)
    else:
        why = 'unknown: no QMP event recorded (QEMU exit %s)' % qexit
    say.append('reset reason: %s' % why)
    if panic:
        say.append('console: %s' % panic.strip())
    syms = load_map(sysmap)
    for name, what in (('qemu-regs.txt', 'stopped'),
                       ('qemu-regs-hang.txt', 'hung')):
        try:
            with open(os.path.join(outdir, name)) as f:
                for line in cpu_lines(f.read(), syms):
                    say.append('%s: %s' % (what, line))
        except OSError:
            pass
    errs = [x for x in kept if 'Triple fault' not in x and x.strip()]
    if errs:
        say.append('QEMU guest_errors log: %d line(s), last: %s' %
                   (len(errs), errs[-1][:160]))
    say.append('last %d console lines:' % nlines)
    say += ['| ' + x[:200] for x in con[-nlines:]]
    for line in say:
        print('# ' + line)
    return 0


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == 'watch':
        return watch(sys.argv[2], sys.argv[3])
    if len(sys.argv) >= 6 and sys.argv[1] == 'summarize':
        n = int(sys.argv[6]) if len(sys.argv) > 6 else 20
        return summarize(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], n)
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main())
