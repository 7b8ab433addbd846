#!/bin/sh
# pidcap info agrees with Wireshark's capinfos on every file of the public corpus.
here=$(cd "$(dirname "$0")" && pwd)
public=${PIDCAP_PUBLIC:-${SRCDIR:?}/../shared/testdata/public}
if ! command -v capinfos >/dev/null 2>&1; then
	echo "1..0 # SKIP capinfos is not installed (apt-get install wireshark-common)"
	exit 0
fi
if [ ! -d "$public" ]; then
	echo "1..0 # SKIP no public corpus at $public (set PIDCAP_PUBLIC)"
	exit 0
fi
exec python3 "$here/capinfos_compare.py" "${PIDCAP:?}" "$public"
