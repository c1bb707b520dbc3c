#!/usr/bin/env python3
"""pty_run.py OUTDIR ANSWER... -- CMD...: runs CMD with stdin and stderr on a pseudo-
terminal (stdout stays a pipe, as when a user pipes the result), answering each menu
prompt (a line ending in ": ") with the next ANSWER; "EOF" closes the input instead.
Writes OUTDIR/stdout, OUTDIR/terminal (what the terminal showed) and OUTDIR/rc."""
import os, select, subprocess, sys, time

outdir = sys.argv[1]
sep = sys.argv.index("--")
answers, cmd = sys.argv[2:sep], sys.argv[sep + 1:]
master, slave = os.openpty()
proc = subprocess.Popen(cmd, stdin=slave, stderr=slave, stdout=subprocess.PIPE, close_fds=True)
os.close(slave)
shown, pending = b"", b""
deadline = time.time() + 20
while time.time() < deadline:
    r, _, _ = select.select([master], [], [], 0.2)
    if r:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        shown += data
        pending += data
        if pending.rstrip(b" ").endswith(b":") and pending.endswith(b": "):
            pending = b""
            if answers:
                a = answers.pop(0)
                os.write(master, b"\x04" if a == "EOF" else a.encode() + b"\n")
    elif proc.poll() is not None:
        break
out = proc.stdout.read()
rc = proc.wait(timeout=5)
open(os.path.join(outdir, "stdout"), "wb").write(out)
open(os.path.join(outdir, "terminal"), "wb").write(shown.replace(b"\r\n", b"\n"))
open(os.path.join(outdir, "rc"), "w").write(str(rc))
