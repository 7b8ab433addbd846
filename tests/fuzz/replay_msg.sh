#!/bin/sh
# The msg fuzz corpora under this build's sanitizers (see replay.sh).
exec sh "$(dirname "$0")/replay.sh" msg
