#!/bin/sh
# Terminal safety and standard input: a file name and a database name that
# carry escape sequences reach neither stdout nor stderr raw (the summary,
# the error lines, -v); `pidcap analyze -` reads standard input (a pipe),
# hashing what it passes on to the parser.
set -u
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs sqlite3
P=${PIDCAP:?}
cd "$T" || exit 1
esc=$(printf '\033')
bad="x${esc}[2Jy${esc}]0;owned$(printf '\007').pcap"
cp "$S/testdata/malformed/pcap_cut_mid_record.pcap" "$bad"
db="d${esc}[31m.db"
"$P" analyze -v --no-progress -o "$db" "$bad" >run.out 2>run.err
check "a hostile file name is analysed (exit 1: it is cut short)" eq "$?" 1
check "... no escape byte on stdout (the summary names the database)" sh -c "! grep -q \"$esc\" run.out"
check "... none on stderr" sh -c "! grep -q \"$esc\" run.err"
check "... the names are shown escaped" sh -c 'grep -qF "x\\x1b[2Jy" run.err && grep -qF "d\\x1b[31m.db" run.out'
cat "$S/testdata/zeek/wikipedia.pcap" | "$P" analyze -q --no-progress -o stdin.db -
check "'-' reads standard input" eq "$?" 0
check "... every packet, hashed as the file is" eq \
	"$(q stdin.db "SELECT path, packets, sha256 FROM captures")" \
	"-|136|$(sha256sum <"$S/testdata/zeek/wikipedia.pcap" | cut -d' ' -f1)"
cat "$S/testdata/zeek/wikipedia.pcap" | "$P" analyze -q --no-progress -o stdin.db -
check "the same bytes again on standard input are already present" \
	eq "$(q stdin.db "SELECT count(*) FROM captures")" 1
tap_end
