#!/usr/bin/env bash
# Install what is missing (Debian/Ubuntu), build and launch the WP Connect desktop app.
#   scripts/app.sh           launch the app
#   scripts/app.sh --demo    also start a local demo WordPress and print its address and logins
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo"

demo=0
for a in "$@"; do
    case $a in
        --demo) demo=1 ;;
        -h|--help) sed -n 2,4p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $a (try --help)" ;;
    esac
done

need_build_deps
build_ui

if [ $demo -eq 1 ]; then
    tests/wordpress/wp-env.sh start >/dev/null
    load_env tests/.state/wordpress/env
    say "demo WordPress at $WPCONNECT_TEST_WP_URL (stop it with: tests/wordpress/wp-env.sh stop)"
    say "  sign in as $WPCONNECT_TEST_WP_AUTHOR_USER / $WPCONNECT_TEST_WP_AUTHOR_PASSWORD (or admin: $WPCONNECT_TEST_WP_ADMIN_USER / $WPCONNECT_TEST_WP_ADMIN_PASSWORD)"
fi

say "building and starting the desktop app"
cargo run --locked -p wpconnect-desktop --features tauri/custom-protocol
