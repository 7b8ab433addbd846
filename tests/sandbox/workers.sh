#!/bin/sh
# pidcap analyze's supervised workers: a crash injected into the worker of
# the first file (test-only hook PIDCAP_TEST_CRASH_AT_PACKET) is recorded as
# 'crashed' with the packet reached, the second file is still analysed, the
# run exits 1; running again analyses the crashed file for real. A CPU
# limit hit is recorded the same way. (The memory limit is not tested here:
# where allocations start failing depends on the build and on fallbacks,
# e.g. no writer thread, so no size gives a deterministic result.)
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
grep_q() { grep -q -- "$1" "$2" || { echo "no '$1' in $2:" >&2; cat "$2" >&2; return 1; }; }
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 (the command-line shell) is not installed"
	exit 0
fi
hooks || skip "the crash hook $HOOKS_REASON"
BIG=$S/testdata/zeek/wikipedia.pcap          # 136 packets
SMALL=$S/testdata/zeek/communityid/tcp.pcap  # fewer than 50
cd "$T" || exit 1

PIDCAP_TEST_CRASH_AT_PACKET=50 "$P" analyze --no-progress -o w.db "$BIG" "$SMALL" >w.out 2>w.err; rc=$?
check "a crashed worker makes the run exit 1" eq "$rc" 1
check "... and is reported" grep_q "wikipedia.pcap: crashed: killed by signal 6 (SIGABRT) at packet 50" w.err
check "the first file is recorded as crashed, with its packet, hash and path" eq \
	"$(q w.db "SELECT status, status_detail, packets, sha256, path FROM captures WHERE id = 1")" \
	"crashed|killed by signal 6 (SIGABRT) at packet 50|50|$(sha256sum "$BIG" | cut -d' ' -f1)|$BIG"
check "... nothing else of it is stored" eq "$(q w.db 'SELECT count(*) FROM flows WHERE capture_id = 1')" 0
check "the second file is analysed normally" eq \
	"$(q w.db "SELECT status, packets FROM captures WHERE id = 2")" "complete|$("$P" info --json "$SMALL" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["packets"])')"
check "... with its flows" test "$(q w.db 'SELECT count(*) FROM flows WHERE capture_id = 2')" -gt 0
check "the default indexes were built at the end" eq \
	"$(q w.db "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN
		('flows_process', 'processes_capture_pid', 'anomalies_capture_name')")" 3
check "the summary counts the crash" grep_q '1 file analysed, 0 partly, 0 already present, 0 failed, 1 crashed' w.out

check "running again without the crash exits 0" exit_is 0 "$P" analyze -q --no-progress -o w.db "$BIG" "$SMALL"
check "... analyses the crashed file again (one row, complete)" eq \
	"$(q w.db "SELECT count(*), min(status), max(status) FROM captures WHERE path = '$BIG'")" "1|complete|complete"
check "... and leaves the second alone" eq "$(q w.db 'SELECT count(*) FROM captures')" 2
"$P" analyze -q --no-progress -o ref.db "$SMALL" "$BIG"
check "... the flows equal a clean run's" eq \
	"$(q w.db 'SELECT count(*), sum(orig_pkts), sum(resp_bytes) FROM flows')" \
	"$(q ref.db 'SELECT count(*), sum(orig_pkts), sum(resp_bytes) FROM flows')"

PIDCAP_TEST_CRASH_AT_PACKET=5 "$P" analyze -q --no-progress --no-sandbox -o ns.db "$SMALL" 2>ns.err; rc=$?
check "without the sandbox a crash is recorded too (exit 1)" eq "$rc" 1
check "... as crashed at packet 5" eq "$(q ns.db 'SELECT status, packets, sandbox FROM captures')" "crashed|5|off"

# A CPU limit: a parser stuck in a loop at packet 20 (test hook).
PIDCAP_TEST_SPIN_AT_PACKET=20 "$P" analyze -q --no-progress --file-cpu-limit 1 -o cpu.db "$BIG" "$SMALL" \
	>cpu.out 2>cpu.err; rc=$?
check "a file over --file-cpu-limit makes the run exit 1" eq "$rc" 1
check "... recorded as crashed by the CPU limit" eq \
	"$(q cpu.db "SELECT status, status_detail FROM captures WHERE id = 1")" \
	"crashed|CPU time limit (1 s) reached at packet 20"
check "... and the next file is analysed" eq "$(q cpu.db 'SELECT status FROM captures WHERE id = 2')" complete

# A memory limit the flow table cannot live within: every flow is still
# stored (the table evicts early), the capture says 'partial' with an
# out_of_memory anomaly, exit 1. (Not under AddressSanitizer, which reserves
# far more than any such limit.)
if grep -aq __asan_init "$P"; then
	skip_check "--file-memory-limit: partial, out_of_memory, every flow kept" \
		"AddressSanitizer builds cannot run under RLIMIT_DATA"
else
	python3 "$S/tests/analyze/make_big.py" "$BIG" mem.pcap 740 0
	"$P" analyze -q --no-progress -o nolimit.db mem.pcap
	"$P" analyze -q --no-progress --file-memory-limit 4 -o mem.db mem.pcap 2>mem.err; rc=$?
	check "a file that runs out of memory makes the run exit 1" eq "$rc" 1
	check "... is stored as partial, saying why" eq \
		"$(q mem.db "SELECT status, status_detail LIKE 'out of memory: % allocations refused, % packets without a flow' FROM captures")" \
		"partial|1"
	check "... with an out_of_memory anomaly" eq "$(q mem.db "SELECT count FROM anomaly_counts WHERE name = 'out_of_memory'")" 1
	check "... and every flow of the run without a limit" \
		eq "$(q mem.db 'SELECT count(*), sum(orig_pkts + resp_pkts) FROM flows')" \
		"$(q nolimit.db 'SELECT count(*), sum(orig_pkts + resp_pkts) FROM flows')"
	check "... and says so" grep_q "stored, but not all of it was analysed: out of memory" mem.err
fi
check "bad limits are usage errors" exit_is 2 "$P" analyze --file-cpu-limit x "$SMALL"
check "... both of them" exit_is 2 "$P" analyze --file-memory-limit -1 "$SMALL"
tap_end
