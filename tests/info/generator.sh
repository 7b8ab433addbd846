#!/bin/sh
# pidcap info reports the block counts and sequences of pcapng-test-generator.
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/generator_compare.py" "${PIDCAP:?}" "${SRCDIR:?}/testdata/pcapng-test-generator"
