#!/bin/sh
# pidcap record output files under rotation, signals and a full disk, with a
# real recorder on lo (filter "tcp port P") while a python3 http.server
# serves generated files to repeated curl downloads and short requests:
#   -C 1        several files; after SIGTERM each one is published, read by
#               capinfos and tcpdump, has an ISB, and is self-contained:
#               `pidcap analyze` of that file alone finds the process record
#               (name and command line) of every packet that carries option 8;
#               the files' packets add up to the recorder's "written" count
#   -G 1        a 3.5 s workload gives at least 3 such files
#   -C 1 -W 2   at most 2 files remain, the newest
#   SIGHUP      starts a second file (with -C 100, so size never does)
#   full tmpfs  the recorder stops by itself with exit 1 and "disk full",
#               and the file it leaves is published and reads as complete
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip_all "needs root (capture on lo, eBPF, tmpfs mount)"
PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "/usr/bin/python3 is not installed"
for tool in curl sqlite3 capinfos tcpdump mount umount; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool is not installed"
done
. "$S/tests/tap.sh"

skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

cleanup() {
	[ -n "${rec:-}" ] && kill -9 "$rec" 2>/dev/null
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null
	[ -n "${mnt:-}" ] && umount "$mnt" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$T" || exit 1

# ---------------------------------------------------------------- workload
mkdir www
head -c 4000000 /dev/urandom >www/big.bin
head -c 65536 /dev/urandom >www/small.bin
token=rotate-$$-$(date +%s%N)
echo "$token" >www/token

# A port of our own: the server must answer with our token (another one on
# the port, or a bind failure, means try the next).
srv=
for try in 0 1 2 3 4 5 6 7; do
	PORT=$((47000 + ($$ + try * 131) % 2000))
	"$PY" -m http.server "$PORT" --bind 127.0.0.1 --directory www >/dev/null 2>&1 &
	srv=$!
	for _ in $(seq 50); do
		[ "$(curl -s "http://127.0.0.1:$PORT/token")" = "$token" ] && break 2
		kill -0 "$srv" 2>/dev/null || break
		sleep 0.1
	done
	kill "$srv" 2>/dev/null
	srv=
done
[ -n "$srv" ] || skip_all "no free port for the HTTP server"
URL=http://127.0.0.1:$PORT

get() { curl -s -o /dev/null "$URL/$1"; }
# N downloads of the 4 MB file, a short request after each
downloads() {
	for _ in $(seq "$1"); do
		get big.bin
		get "?short"
	done
}
# small downloads and short requests for $1 seconds
steady() {
	end=$(($(date +%s%N) + $1 * 1000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		get small.bin
		get "?short"
		sleep 0.05
	done
}

# ---------------------------------------------------------------- recorder
# record DIR NAME ARGS...: starts the recorder into DIR/NAME, stderr in
# DIR.err, and waits until it records (its signal handlers are in place).
record() {
	d=$1 name=$2
	shift 2
	mkdir -p "$d"
	"$P" record -i lo -w "$d/$name" "$@" tcp port "$PORT" >"$d.out" 2>"$d.err" &
	rec=$!
	for _ in $(seq 100); do
		grep -q "recording on" "$d.err" 2>/dev/null && return 0
		kill -0 "$rec" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$rec" 2>/dev/null
	wait "$rec"
	rec=
	return 1
}
# stop SIG: signals the recorder, waits, leaves its exit status in $rc
stop() {
	sleep 0.2   # past the reorder window, so every packet is in by now
	kill "-$1" "$rec"
	wait "$rec"
	rc=$?
	rec=
}
# the "written" count of the recorder's summary line
written() { sed -n 's/.* packets captured, \([0-9]*\) written .*/\1/p' "$1.err"; }
# files of a set, oldest first (names carry the sequence number)
files() { ls "$1" | grep '\.pcapng$' | sort; }
nfiles() { files "$1" | wc -l; }
# where the checks keep what they make of a set's files (not in the set's
# directory: the full tmpfs has no room)
aux() { mkdir -p "$1.aux" && echo "$1.aux"; }
info_field() { sed -n "s/^$2: *\\([0-9]*\\).*/\\1/p" "$1"; }

# ---------------------------------------------------------------- checks of a set of files
no_part() {
	! ls "$1" | grep '\.part$' >&2
}

# capinfos and tcpdump -r read each file without error and agree on its count
all_read() {
	for f in $(files "$1"); do
		p=$1/$f a=$(aux "$1")/$f
		c=$(capinfos -c -M "$p" 2>"$a.capinfos.err" | awk '/Number of packets/ {print $NF}') &&
			[ -n "$c" ] && ! grep . "$a.capinfos.err" >&2 ||
			{ echo "capinfos fails on $f" >&2; return 1; }
		tcpdump -n -r "$p" >"$a.tcpdump" 2>"$a.tcpdump.err" ||
			{ echo "tcpdump -r fails on $f" >&2; cat "$a.tcpdump.err" >&2; return 1; }
		if grep -v "^reading from file" "$a.tcpdump.err" | grep . >&2; then
			echo "tcpdump -r complains about $f" >&2
			return 1
		fi
		[ "$(wc -l <"$a.tcpdump")" -eq "$c" ] ||
			{ echo "$f: tcpdump reads $(wc -l <"$a.tcpdump"), capinfos counts $c" >&2; return 1; }
	done
}

# pidcap info: complete, and (unless $2 = no-isb) an ISB in its Blocks line
all_complete() {
	for f in $(files "$1"); do
		p=$1/$f a=$(aux "$1")/$f
		"$P" info "$p" >"$a.info" 2>&1 || { echo "pidcap info fails on $f" >&2; cat "$a.info" >&2; return 1; }
		grep -q "^Status: *complete$" "$a.info" || { echo "$f:" >&2; grep Status "$a.info" >&2; return 1; }
		[ "${2:-}" = no-isb ] && continue
		grep -q "^Blocks:.* ISB [1-9]" "$a.info" ||
			{ echo "$f has no ISB:" >&2; grep "^Blocks" "$a.info" >&2; return 1; }
	done
}

# the files' packets add up to the recorder's written count
counts_add_up() {
	sum=0
	for f in $(files "$1"); do
		sum=$((sum + $(capinfos -c -M "$1/$f" | awk '/Number of packets/ {print $NF}')))
	done
	w=$(written "$1")
	[ -n "$w" ] || { echo "no summary line:" >&2; cat "$1.err" >&2; return 1; }
	eq "$sum" "$w"
}

# Each file analysed alone: every packet with option 8 belongs to a process
# described by a record of that file (no bare 'epb-pid' row) with a name and
# a command line, and there are such packets in every file.
self_contained() {
	for f in $(files "$1"); do
		p=$1/$f a=$(aux "$1")/$f
		db=$a.db
		rm -f "$db"
		"$P" analyze -q -o "$db" "$p" >/dev/null 2>"$db.err" ||
			{ echo "pidcap analyze fails on $f:" >&2; cat "$db.err" >&2; return 1; }
		[ -s "$a.info" ] || "$P" info "$p" >"$a.info" 2>&1
		opt8=$(info_field "$a.info" "Process ids")
		opt8=${opt8:-0}
		[ "$opt8" -gt 0 ] || { echo "$f: no packet carries option 8" >&2; return 1; }
		bare=$(q "$db" "SELECT group_concat(source || ' ' || pid, ', ') FROM processes
			WHERE source IN ('epb-pid', 'socket-record')")
		[ -z "$bare" ] || { echo "$f: packets of processes it does not describe: $bare" >&2; return 1; }
		got=$(q "$db" "SELECT attributed_packets - reattributed_packets FROM captures")
		[ "$got" = "$opt8" ] ||
			{ echo "$f: $got packets attributed by option 8, pidcap info counts $opt8" >&2; return 1; }
		recs=$(q "$db" "SELECT coalesce(sum(packets), 0) FROM processes
			WHERE source = 'pcapng-process-block'")
		[ "$recs" -ge "$opt8" ] ||
			{ echo "$f: $recs packets on process records, $opt8 with option 8" >&2; return 1; }
		anon=$(q "$db" "SELECT group_concat(pid, ', ') FROM processes
			WHERE coalesce(name, '') = '' OR coalesce(cmdline, '') = ''")
		[ -z "$anon" ] || { echo "$f: processes without name or command line: $anon" >&2; return 1; }
	done
}

# files named as dumpcap names ring files, numbered from $2 up
dumpcap_names() {
	i=$(($2 - 1))
	for f in $(files "$1"); do
		i=$((i + 1))
		echo "$f" | grep -qx "r_$(printf %05d "$i")_[0-9]\{14\}\.pcapng" ||
			{ echo "file $i is $f" >&2; return 1; }
	done
}
# the packets of each file lie within one period (pidcap info's Duration)
short_files() {
	for f in $(files "$1"); do
		sec=$(sed -n 's/^Duration: *\([0-9]*\)\..*/\1/p' "$(aux "$1")/$f.info")
		[ "$sec" = 0 ] || { echo "$f:" >&2; grep "^Duration" "$(aux "$1")/$f.info" >&2; return 1; }
	done
}
at_least() { [ "$(nfiles "$1")" -ge "$2" ] || { echo "$(nfiles "$1") files:" >&2; ls "$1" >&2; return 1; }; }
valid() { no_part "$1" && all_read "$1" && all_complete "$1" "${2:-}"; }
started() { check "$1: the recorder starts" sh -c 'cat "$0" >&2; false' "$2.err"; }

# ---------------------------------------------------------------- 1. -C 1
if record size r.pcapng -C 1; then
	downloads 4
	stop TERM
	check "-C 1: SIGTERM, exit 0" eq "$rc" 0
	check "-C 1: several files (>= 4 for 16 MB)" at_least size 4
	check "-C 1: named r_NNNNN_YYYYmmddHHMMSS.pcapng, numbered from 1" dumpcap_names size 1
	check "-C 1: no file exceeds 1 MB" sh -c '! find "$0" -name "*.pcapng" -size +1000000c | grep . >&2' size
	check "-C 1: every file published (no .part)" no_part size
	check "-C 1: capinfos and tcpdump -r read every file" all_read size
	check "-C 1: every file complete with an ISB (pidcap info)" all_complete size
	check "-C 1: the files' packets add up to the recorder's written count" counts_add_up size
	check "-C 1: each file alone attributes its option-8 packets to its own process records" \
		self_contained size
	check "-C 1: the curl downloads are there with their command line" sh -c \
		'grep -h "curl .*cmdline: curl -s -o /dev/null $0/big.bin\$" size.aux/*.info | grep -q .' "$URL"
else
	started "-C 1" size
fi

# ---------------------------------------------------------------- 2. -G 1
if record time r.pcapng -G 1; then
	steady 3500
	stop TERM
	check "-G 1: SIGTERM, exit 0" eq "$rc" 0
	check "-G 1: at least 3 files in 3.5 s" at_least time 3
	check "-G 1: every file published, read by capinfos, tcpdump, complete with an ISB" valid time
	check "-G 1: the files' packets add up to the written count" counts_add_up time
	check "-G 1: each file is self-contained" self_contained time
	check "-G 1: no file spans 1 s or more" short_files time
else
	started "-G 1" time
fi

# ---------------------------------------------------------------- 3. -C 1 -W 2
if record ring r.pcapng -C 1 -W 2; then
	downloads 2
	stop TERM
	check "-C 1 -W 2: SIGTERM, exit 0" eq "$rc" 0
	made=$(sed -n 's/.* \([0-9]*\) files, .*/\1/p' ring.err)
	made=${made:-0}
	check "-C 1 -W 2: more than 2 files were made (summary: $made)" test "$made" -gt 2
	check "-C 1 -W 2: at most 2 files remain" sh -c '[ "$(ls "$0" | grep -c "\.pcapng")" -le 2 ] || { ls "$0" >&2; exit 1; }' ring
	check "-C 1 -W 2: they are the newest" dumpcap_names ring $((made - 1))
	check "-C 1 -W 2: both published, read, complete with an ISB" valid ring
	check "-C 1 -W 2: both self-contained" self_contained ring
else
	started "-C 1 -W 2" ring
fi

# ---------------------------------------------------------------- 4. SIGHUP
if record hup r.pcapng -C 100; then
	downloads 1
	sleep 0.2
	kill -HUP "$rec"
	for _ in $(seq 50); do
		[ "$(ls hup | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
	check "SIGHUP: the first file is published, a second one begun" sh -c \
		'ls "$0" | grep -qx "r_00001_[0-9]*\.pcapng" && ls "$0" | grep -qx "r_00002_[0-9]*\.pcapng\.part" ||
		 { ls "$0" >&2; exit 1; }' hup
	downloads 1
	stop TERM
	check "SIGHUP: SIGTERM, exit 0" eq "$rc" 0
	check "SIGHUP: 2 files" eq "$(nfiles hup)" 2
	check "SIGHUP: both published, read, complete with an ISB" valid hup
	check "SIGHUP: the files' packets add up to the written count" counts_add_up hup
	check "SIGHUP: both self-contained" self_contained hup
else
	started "SIGHUP" hup
fi

# ---------------------------------------------------------------- 5. full disk
mkdir full
mount -t tmpfs -o size=600k tmpfs full 2>mount.err && mnt=$T/full
if [ -z "${mnt:-}" ]; then
	skip "full tmpfs" "cannot mount a tmpfs: $(cat mount.err)"
elif record full f.pcapng; then
	downloads 3 &
	load=$!
	for _ in $(seq 100); do
		kill -0 "$rec" 2>/dev/null || break
		sleep 0.1
	done
	wait "$load"
	if kill -0 "$rec" 2>/dev/null; then
		check "full disk: the recorder stops by itself" sh -c 'cat "$0" >&2; false' full.err
		stop TERM
	else
		wait "$rec"
		rc=$?
		rec=
		check "full disk: the recorder stops by itself with exit 1" eq "$rc" 1
	fi
	check "full disk: it says so" sh -c \
		'grep "disk full" "$0" | grep -q "No space left on device" || { cat "$0" >&2; exit 1; }' full.err
	check "full disk: the file is published (no .part)" sh -c \
		'[ "$(ls "$0")" = f.pcapng ] || { ls -l "$0" >&2; exit 1; }' full
	check "full disk: capinfos and tcpdump -r read it" all_read full
	check "full disk: pidcap info says complete (cut back to whole blocks)" all_complete full no-isb
	kept=$(info_field full.aux/f.pcapng.info Packets)
	check "full disk: it kept packets ($kept), no more than the $(written full) written" \
		sh -c '[ "$0" -gt 0 ] && [ "$0" -le "$1" ]' "${kept:-0}" "$(written full)"
	check "full disk: what it kept is self-contained" self_contained full
else
	started "full disk" full
fi
if [ -n "${mnt:-}" ]; then
	umount "$mnt" && mnt=
fi
tap_end
