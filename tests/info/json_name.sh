#!/bin/sh
# `pidcap info --json` keeps a file name that is not UTF-8 recoverable: its
# bytes in "file_hex" (lowercase hex), absent for a UTF-8 name; also for a
# file that cannot be opened.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs python3
cd "$T" || exit 1
bad=$(printf 'n\377\376.pcapng')
cp "$S/testdata/malformed/pcapng_every_option.pcapng" "$bad"
cp "$S/testdata/malformed/pcapng_every_option.pcapng" "$(printf 'caf\303\251.pcapng')"
"$P" info --json --no-progress "$bad" "$(printf 'caf\303\251.pcapng')" "$(printf 'gone\377')" \
	>out.json 2>err
check "exit 2 (the third file does not exist)" eq "$?" 2
# prints nothing when each object agrees with the file name's bytes
agree() {
	python3 - out.json <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
want = [b"n\xff\xfe.pcapng", "caf\u00e9.pcapng".encode(), b"gone\xff"]
for o, name in zip(d, want):
    try:
        name.decode("utf-8")
        if "file_hex" in o:
            sys.exit("%r: file_hex for a UTF-8 name" % o["file"])
        if o["file"] != name.decode():
            sys.exit("%r: file is not the name" % o["file"])
    except UnicodeDecodeError:
        if bytes.fromhex(o.get("file_hex", "")) != name:
            sys.exit("%r: file_hex %r does not give back %r" % (o["file"], o.get("file_hex"), name))
if len(d) != 3:
    sys.exit("want 3 objects, got %d" % len(d))
PY
}
check "file_hex gives back a non-UTF-8 name's bytes, and only then" agree
tap_end
