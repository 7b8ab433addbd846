#!/bin/sh
# Every example query of schema/README.md runs on a real database.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 (the command-line shell) is not installed"
	exit 0
fi
"$P" analyze -q -o "$T/q.db" "$S/testdata/zeek/wikipedia.pcap" || { echo "1..0 # analyze failed"; exit 1; }
# Queries are the SQL blocks of the README, separated by blank lines.
sed -n '/^```sql$/,/^```$/p' "$S/schema/README.md" | sed '/^```/d' >"$T/all.sql"
python3 - "$T/all.sql" "$T/q" <<'PY'
import sys
parts = [p.strip() for p in open(sys.argv[1]).read().split("\n\n") if p.strip()]
for i, p in enumerate(parts):
    open("%s%02d.sql" % (sys.argv[2], i), "w").write(p + "\n")
PY
n=0 failed=0
for f in "$T"/q[0-9]*.sql; do
	n=$((n + 1))
	title=$(head -1 "$f" | sed 's/^-- //')
	if sqlite3 -bail "$T/q.db" <"$f" >"$T/out" 2>"$T/err" && [ ! -s "$T/err" ]; then
		echo "ok $n - $title ($(wc -l <"$T/out") rows)"
	else
		echo "not ok $n - $title"; sed 's/^/#   /' "$T/err"; failed=$((failed + 1))
	fi
done
[ "$n" -ge 7 ] || { echo "not ok $((n + 1)) - expected at least 7 example queries, found $n"; failed=$((failed + 1)); n=$((n + 1)); }
echo "1..$n"
[ "$failed" -eq 0 ]
