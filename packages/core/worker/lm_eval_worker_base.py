"""Process plumbing shared by lm-eval (TypeScript) Python workers.

A worker is started by core's PythonWorker (packages/core/src/worker/python-worker.ts) as
``python <script> --in-fd 3 --out-fd 4 --parent-pid N``. The protocol runs over those two extra
file descriptors, never over stdout/stderr (fd 1 is pointed at fd 2, so that nothing user code
or a library prints can reach the channel). One JSON object per line, UTF-8:

  worker -> parent, unsolicited
    {"type":"hello","protocol":N,"python":"3.11.7","executable":"...","pid":N, ...}
    {"type":"fatal","kind":"...","error":{"type","message","traceback"}}
  parent -> worker
    {"id":N,"op":"...", ...}      {"id":N,"op":"cancel","target":M}      {"id":N,"op":"shutdown"}
  worker -> parent, replies
    {"type":"result","id":N,"ok":true,"result":...}
    {"type":"result","id":N,"ok":false,"error":{"type","message","kind","traceback"}}

Process hygiene: the worker exits when the channel closes, when its parent pid changes (polled),
or (Linux) through PR_SET_PDEATHSIG, and kills its own descendants before leaving.
"""
import argparse
import json
import os
import queue
import signal
import sys
import threading
import time
import traceback

_out_fd = None
_out_lock = threading.Lock()
_cancelled = set()
_cancel_lock = threading.Lock()
_shutting_down = threading.Event()
_label = "lm-eval worker"


def send_text(text):
    """Writes one already-encoded JSON line to the parent."""
    data = (text + "\n").encode("utf-8", "surrogatepass")
    with _out_lock:
        view = memoryview(data)
        while view:
            try:
                n = os.write(_out_fd, view)
            except (BrokenPipeError, ConnectionResetError, OSError):
                emergency_exit("protocol channel closed while writing")
                return
            view = view[n:]


def send(obj):
    send_text(json.dumps(obj, ensure_ascii=False, allow_nan=False))


def error_payload(exc, kind="error", limit=20):
    return {"type": type(exc).__name__, "message": str(exc), "kind": kind, "traceback": traceback.format_exc(limit=limit)}


# ---------------------------------------------------------------------------------------------
# process hygiene: no orphaned processes
# ---------------------------------------------------------------------------------------------
def _children_map():
    kids = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


def descendants(pid):
    kids = _children_map()
    if kids is None:
        try:
            import multiprocessing

            return [p.pid for p in multiprocessing.active_children()]
        except Exception:
            return []
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().decode("utf-8", "replace").rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return True


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except (ChildProcessError, OSError):
            return
        if pid == 0:
            return


def kill_descendants(grace=3.0):
    """SIGTERM every descendant, then SIGKILL what is left."""
    pids = descendants(os.getpid())
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.time() + grace
    while pids and time.time() < deadline:
        _reap()
        if not any(_alive(p) for p in pids):
            break
        time.sleep(0.05)
    for p in descendants(os.getpid()) + pids:
        if _alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    _reap()


def emergency_exit(reason, code=0):
    """Leave now, from any thread: kill descendants, then ``os._exit``."""
    if _shutting_down.is_set() and threading.current_thread() is not threading.main_thread():
        time.sleep(5)
    _shutting_down.set()
    try:
        sys.stderr.write(f"[{_label}] exiting: {reason}\n")
        sys.stderr.flush()
    except Exception:
        pass
    try:
        kill_descendants(grace=2.0)
    finally:
        os._exit(code)


def set_parent_death_signal():
    """Linux: have the kernel send SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def watch_parent(parent_pid):
    while not _shutting_down.is_set():
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            emergency_exit(f"parent process {parent_pid} is gone")


def is_cancelled(req_id):
    with _cancel_lock:
        return req_id in _cancelled


def _reader(in_fd, inbox, loads):
    stream = os.fdopen(in_fd, "rb", buffering=0)
    buf = b""
    try:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if not line.strip():
                    continue
                try:
                    msg = loads(line.decode("utf-8"))
                except ValueError as e:
                    send({"type": "fatal", "kind": "protocol", "error": {"type": "ValueError", "message": f"bad JSON line: {e}", "traceback": ""}})
                    continue
                if msg.get("op") == "cancel":
                    with _cancel_lock:
                        _cancelled.add(msg.get("target"))
                    continue
                inbox.put(msg)
    except OSError:
        pass
    # EOF: the parent closed the channel or died. Ask the main loop to stop; if it is busy,
    # leave anyway after a grace period.
    inbox.put(None)
    time.sleep(5.0)
    emergency_exit("protocol channel closed by the parent")


def parse_args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--in-fd", type=int, default=3)
    ap.add_argument("--out-fd", type=int, default=4)
    ap.add_argument("--parent-pid", type=int, default=None)
    args, _ = ap.parse_known_args()
    return args


def setup(args, label):
    """Parent-death watch, private channel, SIGTERM handling. Returns False when the parent is gone."""
    global _out_fd, _label
    _label = label
    # The parent's pid comes from the parent itself: if it died before this line, getppid()
    # already names the reaper, and comparing against it would never notice.
    parent_pid = args.parent_pid if args.parent_pid is not None else os.getppid()
    set_parent_death_signal()
    if os.getppid() != parent_pid:
        return False
    _out_fd = args.out_fd
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def on_term(signum, frame):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, on_term)
    threading.Thread(target=watch_parent, args=(parent_pid,), daemon=True).start()
    return True


def serve(args, handle, loads=json.loads, encode_reply=None, on_close=None, error_kind=None):
    """The request loop: ``handle(msg)`` returns the result of a request or raises (an exception
    with a ``payload`` attribute sends that error payload; otherwise ``error_kind(exc)`` names
    the kind, default "error").

    ``encode_reply(reply_dict) -> str`` may replace the default JSON encoding of replies;
    ``on_close()`` runs before the descendants are killed. Returns the process exit code.
    """
    inbox = queue.Queue()
    threading.Thread(target=_reader, args=(args.in_fd, inbox, loads), daemon=True).start()
    code = 0
    try:
        while True:
            msg = inbox.get()
            if msg is None:
                break
            req_id = msg.get("id")
            op = msg.get("op")
            try:
                reply = {"type": "result", "id": req_id, "ok": True, "result": {} if op == "shutdown" else handle(msg)}
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as e:  # noqa: BLE001 - every failure goes back to the parent
                payload = getattr(e, "payload", None) or error_payload(e, error_kind(e) if error_kind else "error")
                reply = {"type": "result", "id": req_id, "ok": False, "error": payload}
            with _cancel_lock:
                _cancelled.discard(req_id)
            try:
                text = encode_reply(reply) if encode_reply else json.dumps(reply, ensure_ascii=False)
            except BaseException as e:  # noqa: BLE001 - an unencodable result is the caller's error
                text = json.dumps({"type": "result", "id": req_id, "ok": False, "error": error_payload(e)}, ensure_ascii=False)
            send_text(text)
            if op == "shutdown":
                break
    except KeyboardInterrupt:
        code = 130
        try:
            send({"type": "fatal", "kind": "interrupted", "error": {"type": "KeyboardInterrupt", "message": "interrupted (SIGINT)", "traceback": ""}})
        except Exception:
            pass
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    finally:
        _shutting_down.set()
        if on_close is not None:
            try:
                on_close()
            except Exception:
                pass
        kill_descendants()
    sys.stderr.flush()
    return code
