"""The Python baselines of the import parse benchmark (tools/import-bench).

    python baseline.py ofx FILE   # ofxtools: OFXTree().parse + convert, as its docs show
    python baseline.py csv FILE   # the csv module: every row into a dict (DictReader)

Prints one JSON line: seconds (the parse only, the file already read), peak RSS of the
process in KiB (ru_maxrss), the RSS before the parse, and the rows read.
"""

import csv
import io
import json
import resource
import sys
import time


def rss_now_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        data = f.read()
    if mode == "ofx":
        from ofxtools.Parser import OFXTree

        before = rss_now_kib()
        start = time.perf_counter()
        tree = OFXTree()
        tree.parse(io.BytesIO(data))
        ofx = tree.convert()
        rows = sum(len(s.transactions) for s in ofx.statements)
    else:
        before = rss_now_kib()
        start = time.perf_counter()
        text = data.decode("utf-8-sig")
        rows = len(list(csv.DictReader(io.StringIO(text, newline=""))))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_rss_kib": peak, "rss_before_kib": before, "rows": rows}))


if __name__ == "__main__":
    main()
