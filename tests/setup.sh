#!/bin/sh
# Sets pidcap up on Debian 12 (as root): installs the Debian packages that are
# missing, generates the build system, configures and builds in ./build.
# Safe to run again: it installs, regenerates and reconfigures only what is
# missing or out of date.
#
#   sh tests/setup.sh demo    set up, then analyse the bundled capture into
#                             build/wikipedia.db and print its summary
#   sh tests/setup.sh check   set up, then run the whole test suite
#   sh tests/setup.sh         set up only
#
# BUILD_DIR (default ./build) and CONFIGURE_FLAGS select another build
# (--enable-test-hooks is always added: see configure --help).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${BUILD_DIR:-$top/build}
# The test-hook build adds tests/pidcap-test-hooks for the suite; the pidcap
# binary itself never has the hooks.
flags="--enable-test-hooks${CONFIGURE_FLAGS:+ $CONFIGURE_FLAGS}"

# Build: compiler, autotools, libraries. Tests: Wireshark's tools as oracles,
# tcpdump, python3 for the comparison scripts, clang for the fuzzers; the
# recorder's tests build network namespaces (iproute2) and run curl and iperf3.
PACKAGES="build-essential autoconf automake pkg-config libpcap-dev libbpf-dev libelf-dev
libcap-dev libsqlite3-dev libcmark-dev zlib1g-dev libseccomp-dev libssl-dev clang llvm
libclang-rt-14-dev bpftool tshark wireshark-common tcpdump python3 gzip sqlite3
iproute2 curl iperf3"

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing Debian packages:$missing" >&2
		echo "setup: run this script as root (or: sudo apt-get install$missing)" >&2
		exit 2
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	echo "setup: generating the build system (autoreconf)"
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
mkdir -p "$build"
stamp="$build/.configure-flags"
if [ ! -f "$build/Makefile" ] || [ configure -nt "$build/Makefile" ] ||
   [ "$(cat "$stamp" 2>/dev/null)" != "$flags" ]; then
	echo "setup: configuring in $build${flags:+ ($flags)}"
	(cd "$build" && "$top/configure" -q $flags)
	echo "$flags" >"$stamp"
fi
echo "setup: building"
make -C "$build" -s -j"$(nproc)"

case "${1:-}" in
demo)
	"$build/pidcap" analyze -o "$build/wikipedia.db" "$top/testdata/zeek/wikipedia.pcap"
	;;
check)
	make -C "$build" -s -j"$(nproc)" check
	;;
"") ;;
*)
	echo "usage: sh tests/setup.sh [demo|check]" >&2
	exit 2
	;;
esac
