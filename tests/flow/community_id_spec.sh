#!/bin/sh
# The Community ID spec's baseline (testdata/community-id-spec, from
# github.com/corelight/community-id-spec, BSD-3): analysing the spec's trace
# gives exactly the baseline's set of IDs in flows, SCTP with its ports.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs sqlite3
spec=$S/testdata/community-id-spec
"$P" analyze -q --no-progress -o "$T/c.db" "$spec/pcaps/combined.pcap.gz" >/dev/null 2>&1
python3 -c '
import json, sys
for i in sorted({r["communityid"] for r in json.load(open(sys.argv[1]))}): print(i)
' "$spec/baseline/baseline_deflt.json" >"$T/want"
q "$T/c.db" "SELECT DISTINCT community_id FROM flows WHERE community_id IS NOT NULL ORDER BY 1" |
	LC_ALL=C sort >"$T/got"
LC_ALL=C sort -o "$T/want" "$T/want"
check "the baseline has 14 distinct IDs" eq "$(wc -l <"$T/want")" 14
check "every baseline ID is in flows, and no other ID" diff "$T/want" "$T/got"
check "SCTP flows keep proto 'sctp' and their ports" \
	eq "$(q "$T/c.db" "SELECT count(*) > 0, sum(orig_p = 0 OR resp_p = 0) FROM flows WHERE proto = 'sctp'")" "1|0"
check "no SCTP flow is called unknown_transport" \
	eq "$(q "$T/c.db" "SELECT count(*) FROM flows WHERE proto = 'unknown_transport' AND orig_p = 7")" 0
tap_end
