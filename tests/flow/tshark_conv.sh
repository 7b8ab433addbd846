#!/bin/sh
# Per-5-tuple packets and frame bytes of pidcap's flows against tshark's
# conversation tables on the nDPI captures of the public corpus.
here=$(cd "$(dirname "$0")" && pwd)
public=${PIDCAP_PUBLIC:-${SRCDIR:?}/../shared/testdata/public}
if ! command -v tshark >/dev/null 2>&1; then
	echo "1..0 # SKIP tshark is not installed (apt-get install tshark)"
	exit 0
fi
if [ ! -d "$public/ndpi/pcap" ]; then
	echo "1..0 # SKIP no nDPI captures at $public/ndpi/pcap (set PIDCAP_PUBLIC)"
	exit 0
fi
exec python3 "$here/tshark_conv.py" "${BUILDDIR:?}/tests/flow/conn_log" "$public"/ndpi/pcap/*
