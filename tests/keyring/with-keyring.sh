#!/usr/bin/env bash
# Run a command with a real, private, unlocked Secret Service: gnome-keyring on a D-Bus session
# bus of its own, its keyrings under tests/.state/keyring (never the user's own).
#   tests/keyring/with-keyring.sh COMMAND [ARGS...]
# WPCONNECT_KEYRING_HOME picks another keyring folder (a test that locks its keyring uses one).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export XDG_DATA_HOME=${WPCONNECT_KEYRING_HOME:-$here/../.state/keyring}
mkdir -p "$XDG_DATA_HOME"

# Our own bus daemon, detached, with its output (and that of every service it activates) kept
# out of the command's stdout.
run=$(mktemp -d)
dbus-daemon --session --fork --print-address=3 --print-pid=4 3>"$run/address" 4>"$run/pid" >/dev/null 2>"$run/dbus.log"
bus_pid=$(cat "$run/pid")
cleanup() { kill "$bus_pid" 2>/dev/null || true; [ -n "${keyring_pid:-}" ] && kill "$keyring_pid" 2>/dev/null; rm -rf "$run"; }
trap cleanup EXIT
DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$run/address")
export DBUS_SESSION_BUS_ADDRESS

# --unlock reads the login keyring's password from stdin (creating the keyring the first time).
printf '%s' "wpconnect-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >"$run/keyring.env" 2>&1
keyring_pid=$(sed -n 's/^GNOME_KEYRING_PID=//p' "$run/keyring.env")
export GNOME_KEYRING_CONTROL=$(sed -n 's/^GNOME_KEYRING_CONTROL=//p' "$run/keyring.env")
# Tells the tests a real Secret Service is there.
export WPCONNECT_TEST_KEYRING=1
"$@"
