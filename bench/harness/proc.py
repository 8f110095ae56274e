"""A child process whose output lines are timestamped as they arrive and whose rusage is taken at exit."""

import json
import os
import signal
import threading
import time


SAMPLE_EVERY_S = 0.02


def _vm_hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


class Proc:
    """Spawn `argv` now. stdout lines are kept with their arrival time (seconds since the spawn);
    stderr is kept as text; at exit, wait4() gives the status and the child's CPU time (user+sys s).

    Peak memory is the child's VmHWM, sampled every 20 ms while it runs (`peak_rss_kb`; growth in its
    last 20 ms can be missed). Not wait4's ru_maxrss: Linux folds this Python process's own memory at
    the fork into it, which would add ~20 MB to every figure."""

    def __init__(self, argv, env=None):
        self.argv = [str(a) for a in argv]
        self._cond = threading.Condition()
        self.lines = []  # [(seconds since spawn, text)]
        self._stderr = []
        self.returncode = None
        self.cpu_s = None
        self.peak_rss_kb = None
        self.maxrss_kb = None  # wait4's figure, kept for reference
        self.wall_s = None
        # The readers wait on the pipes before the child exists, so that a line is timed when it is
        # written, not when a freshly started thread gets to it (that alone cost ~2 ms). posix_spawn
        # (vfork + exec) rather than subprocess for the same reason.
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        readers = [threading.Thread(target=self._read_stdout, args=(out_r,), daemon=True),
                   threading.Thread(target=self._read_stderr, args=(err_r,), daemon=True)]
        for t in readers:
            t.start()
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)]
        self.t_spawn = time.monotonic()
        try:
            self.pid = os.posix_spawnp(self.argv[0], self.argv, os.environ if env is None else env,
                                       file_actions=actions)
        finally:
            os.close(out_w)
            os.close(err_w)
        self._threads = readers + [threading.Thread(target=self._wait, daemon=True)]
        self._threads[-1].start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _read_stdout(self, fd):
        pending = b""
        while True:
            chunk = os.read(fd, 65536)
            now = time.monotonic() - self.t_spawn
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            if complete:
                with self._cond:
                    for raw in complete:
                        self.lines.append((now, raw.decode("utf-8", "replace").rstrip("\r")))
                    self._cond.notify_all()
        with self._cond:
            if pending:
                self.lines.append((time.monotonic() - self.t_spawn, pending.decode("utf-8", "replace")))
            self._cond.notify_all()
        os.close(fd)

    def _read_stderr(self, fd):
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            with self._cond:
                self._stderr.append(chunk)
        os.close(fd)

    def _sample(self):
        while self.returncode is None:
            hwm = _vm_hwm_kb(self.pid)
            if hwm is not None and self.returncode is None:
                with self._cond:
                    self.peak_rss_kb = max(self.peak_rss_kb or 0, hwm)
            time.sleep(SAMPLE_EVERY_S)

    def _wait(self):
        _, status, usage = os.wait4(self.pid, 0)
        ended = time.monotonic()
        code = os.waitstatus_to_exitcode(status)
        with self._cond:
            self.wall_s = ended - self.t_spawn
            self.cpu_s = usage.ru_utime + usage.ru_stime
            self.maxrss_kb = usage.ru_maxrss
            self.returncode = code
            self._cond.notify_all()

    def wait_line(self, predicate, timeout):
        """The first (time, line) satisfying `predicate`, waiting up to `timeout` s; None if the process
        ended or the time ran out first."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for entry in self.lines[seen:]:
                    if predicate(entry[1]):
                        return entry
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.returncode is not None:
                    return None
                self._cond.wait(min(left, 0.5))

    def wait(self, timeout):
        """True once the process has exited (and its output has been read), False on timeout."""
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return self.returncode is not None and not any(t.is_alive() for t in self._threads)

    def stop(self, grace=5.0):
        """SIGTERM, then SIGKILL after `grace` s; returns once it has exited."""
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not self.wait(grace):
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.wait(grace)

    @property
    def stderr_text(self):
        with self._cond:
            return b"".join(self._stderr).decode("utf-8", "replace")

    def json_lines(self, prefix=""):
        """Every stdout line that is (after `prefix`, searched for in the line) a JSON object, with its time."""
        out = []
        with self._cond:
            lines = list(self.lines)
        for t, line in lines:
            text = line
            if prefix:
                at = line.find(prefix)
                if at < 0:
                    continue
                text = line[at + len(prefix):]
            text = text.strip()
            if not text.startswith("{"):
                continue
            try:
                value = json.loads(text)
            except ValueError:
                continue
            if isinstance(value, dict):
                out.append((t, value))
        return out

    def describe_failure(self):
        """A short account of how the process ended, for an error row."""
        tail = self.stderr_text.strip().splitlines()[-3:]
        if not tail:
            with self._cond:
                tail = [line for _, line in self.lines[-3:]]
        return "exit %s%s" % (self.returncode, (": " + " | ".join(tail)) if tail else "")
