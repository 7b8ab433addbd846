#!/bin/sh
# The procfs fuzz corpora under this build's sanitizers (see replay.sh).
exec sh "$(dirname "$0")/replay.sh" procfs
