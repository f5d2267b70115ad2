"""Runs a command, prints `SECONDS PEAK_RSS_MB` on stderr's last line (wall time, child's maxrss)."""
import resource
import subprocess
import sys
import time

t0 = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{dt:.2f} {rss:.1f}")
sys.exit(r.returncode)
