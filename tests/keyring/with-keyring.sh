#!/usr/bin/env bash
# Run a command with a real, private, unlocked Secret Service: gnome-keyring in its own D-Bus
# session, its keyrings under tests/.state/keyring (never the user's own).
#   tests/keyring/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${WPCONNECT_IN_KEYRING_SESSION:-}" ]; then
    export WPCONNECT_IN_KEYRING_SESSION=1
    exec dbus-run-session -- "$here/with-keyring.sh" "$@"
fi
export XDG_DATA_HOME=${WPCONNECT_KEYRING_HOME:-$here/../.state/keyring}
mkdir -p "$XDG_DATA_HOME"
# --unlock reads the login keyring's password from stdin (creating the keyring the first time).
# Its output (and anything the daemon prints later) goes to a file, never to the command's stdout.
printf '%s' "wpconnect-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >"$XDG_DATA_HOME/daemon.env" 2>&1
set -a
. <(grep '^GNOME_KEYRING_CONTROL=' "$XDG_DATA_HOME/daemon.env")
set +a
# Tells the tests a real Secret Service is there.
export WPCONNECT_TEST_KEYRING=1
exec "$@"
