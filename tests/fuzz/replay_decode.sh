#!/bin/sh
# The decoder's fuzz corpora under this build's sanitizers (see replay.sh).
exec sh "$(dirname "$0")/replay.sh" decode
