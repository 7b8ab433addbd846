#!/bin/sh
# The sockrec fuzz corpora under this build's sanitizers (see replay.sh).
exec sh "$(dirname "$0")/replay.sh" sockrec
