#!/bin/sh
# The infomsg fuzz corpora (pidcap info's parser messages) under this build's sanitizers (see replay.sh).
exec sh "$(dirname "$0")/replay.sh" infomsg
