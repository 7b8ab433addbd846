#!/bin/sh
# pidcap's flows against Zeek's conn.log baselines (testdata/zeek, BSD-3).
here=$(cd "$(dirname "$0")" && pwd)
data=${SRCDIR:?}/testdata/zeek
if [ ! -d "$data/Baseline" ]; then
	echo "1..0 # SKIP no Zeek traces and baselines at $data"
	exit 0
fi
exec python3 "$here/zeek_compare.py" "${BUILDDIR:?}/tests/flow/conn_log" "$data" "$data/Baseline"
