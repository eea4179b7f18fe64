"""The child scripts the benchmark runs with ``python -c``: floor, launcher and profile."""

# The floor: read the input's CRD files (archive members in memory) and parse each with
# libyaml's safe loader, keeping nothing. A whole-line template action (`{{- if … }}`, as
# around cloudnative-pg's CRDs) is blanked first, or that file would not parse at all.
FLOOR_SCRIPT = r"""
import io, json, re, sys, tarfile
import yaml

yaml.add_constructor(
    "tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node),
    Loader=yaml.CSafeLoader,
)
ACTION_LINE = re.compile(r"^[ \t]*\{\{.*\}\}[ \t]*$", re.MULTILINE)

def parse(data):
    text = data.decode("utf-8-sig")
    if "{{" in text:
        text = ACTION_LINE.sub("", text)
    for _ in yaml.load_all(text, Loader=yaml.CSafeLoader):
        pass

def member(archive, chain):
    data = archive.extractfile(chain[0]).read()
    if len(chain) == 1:
        return data
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as inner:
        return member(inner, chain[1:])

with open(sys.argv[1], encoding="utf-8") as handle:
    spec = json.load(handle)
for item in spec:
    if "file" in item:
        with open(item["file"], "rb") as handle:
            parse(handle.read())
    else:
        with tarfile.open(item["archive"], mode="r:*") as archive:
            for chain in item["members"]:
                parse(member(archive, chain))
"""

# Every measured process is started by this small launcher, itself started before the
# benchmark holds any data: on Linux a child's ru_maxrss includes the memory of the process it
# was forked from, so children forked from the (large) benchmark process would all report at
# least its size. The launcher reads one JSON request per line, runs it, waits with wait4
# (ru_maxrss and CPU time of the child and the descendants it reaped) and, while it runs,
# samples the proportional set size (PSS) summed over the child's process tree whenever it has
# descendants (crdoc reads big inputs in a process pool: ru_maxrss is the largest single
# process, not their sum).
LAUNCHER_SCRIPT = r"""
import json, os, subprocess, sys, threading, time

def tree(root):
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            parents.setdefault(int(stat.rsplit(b")", 1)[1].split()[1]), []).append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, ()))
    return found

def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def sample(pid, stop, peak):
    while not stop.wait(0.1):
        try:
            pids = tree(pid)
        except OSError:
            continue
        if len(pids) > 1:
            peak[0] = max(peak[0], sum(pss_kb(p) for p in pids))

for line in sys.stdin:
    req = json.loads(line)
    out = open(req["stdout"] or os.devnull, "wb")
    err = open(req["stderr"], "wb")
    stop, peak = threading.Event(), [0]
    start = time.perf_counter()
    proc = subprocess.Popen(req["argv"], stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                            cwd=req["cwd"])
    sampler = threading.Thread(target=sample, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    out.close()
    err.close()
    print(json.dumps({"wall": wall, "rss_kb": usage.ru_maxrss, "tree_kb": peak[0],
                      "cpu": usage.ru_utime + usage.ru_stime, "rc": proc.returncode}),
          flush=True)
"""

# cProfile of `crdoc inspect`. crdoc reads big inputs in forked worker processes
# (crdoc.loading.loader._read_one), which a profile of the main process does not see: the
# worker-side function is wrapped so that each worker profiles its own calls into
# PREFIX.worker<pid>; the main process goes to PREFIX.main. Where crdoc has no such function,
# only the main process is profiled (and the report says so).
PROFILE_SCRIPT = r"""
import cProfile, os, sys
prefix = sys.argv[1]
main_pid = os.getpid()
main_profile = cProfile.Profile()
from crdoc.loading import loader
original = getattr(loader, "_read_one", None)
if original is not None:
    workers = {}
    def _read_one(*args, **kwargs):
        if os.getpid() == main_pid:
            return original(*args, **kwargs)
        profile = workers.get(os.getpid())
        if profile is None:
            main_profile.disable()  # the copy a forked worker inherits
            profile = workers[os.getpid()] = cProfile.Profile()
        profile.enable()
        try:
            return original(*args, **kwargs)
        finally:
            profile.disable()
            profile.dump_stats(f"{prefix}.worker{os.getpid()}")
    _read_one.__module__, _read_one.__qualname__ = original.__module__, original.__qualname__
    loader._read_one = _read_one
    print("workers profiled", file=sys.stderr)
from crdoc.cli import cli
main_profile.enable()
try:
    cli.main(args=sys.argv[2:], prog_name="crdoc", standalone_mode=False)
finally:
    main_profile.disable()
    main_profile.dump_stats(prefix + ".main")
"""
