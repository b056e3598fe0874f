#!/usr/bin/env bash
# Install what is missing (Debian/Ubuntu) and run every test of WP Connect:
#   unit and integration tests of every crate (the desktop shell included), the ones against the
#   real WordPress that this script starts on 127.0.0.1 and the WordPress-dialect test server,
#   with a real Secret Service (gnome-keyring in its own D-Bus session) and the real app window
#   (WebDriver under Xvfb, the Debian package's app included), the front end's unit tests, and the
#   benchmarks, which print figures.
# Fails (non-zero) if any test fails. Talks only to loopback once the installs are done.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo"

need_build_deps
need_gui_test_deps
need_keyring_test_deps
need_media_test_deps
need_lint_tools
need_cross_deps
need_package_test_deps
build_ui

disk_note
say "the stated minimum Rust is the true one"
check_min_rust
say "style and lints (cargo fmt --check, clippy -D warnings)"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings

say "compile checks for Windows and macOS (clippy -D warnings for the core, the CLI and the app; nothing is linked)"
cross_check

say "building the desktop app with its front end embedded (for the GUI tests)"
cargo build --locked -p wpconnect-desktop --features tauri/custom-protocol
mkdir -p tests/.state/app
cp target/debug/wpconnect-desktop tests/.state/app/wpconnect-desktop
export WPCONNECT_TEST_APP=$repo/tests/.state/app/wpconnect-desktop
# The scripted browser (for $BROWSER in the CLI's and the app's sign-in tests).
cargo build --locked -p wpconnect-testsupport --bins

say "building the release app, the CLI and the empty baseline window (one build: same profile and Tauri features), and the Debian and RPM packages"
cargo build --release --locked -p wpconnect-desktop -p wpconnect-cli -p wpconnect-empty-window --features tauri/custom-protocol
rm -rf target/release/bundle/deb target/release/bundle/rpm
WPCONNECT_CLI=$repo/target/release/wpconnect npx --no-install tauri bundle --bundles deb,rpm
unpack_packages
export WPCONNECT_PACKAGE_DIR=$repo/tests/.state/deb
export WPCONNECT_RPM_DIR=$repo/tests/.state/rpm
export WPCONNECT_BENCH_APP=$repo/tests/.state/deb/usr/bin/wpconnect-desktop
export WPCONNECT_EMPTY_APP=$repo/target/release/wpconnect-empty-window

say "starting the test WordPress (tests/wordpress/wp-env.sh)"
tests/wordpress/wp-env.sh start >/dev/null
trap 'tests/wordpress/wp-env.sh stop >/dev/null 2>&1 || true' EXIT
load_env tests/.state/wordpress/env
# Tells the integration tests they run under the test command: a missing site is then a failure.
export WPCONNECT_TEST_COMMAND=1

disk_note
say "Rust tests (every crate, the desktop shell included; GUI tests in a virtual X display; a real Secret Service)"
xvfb-run -a -s "-screen 0 1280x900x24" tests/keyring/with-keyring.sh cargo test --workspace --locked --exclude wpconnect-empty-window
mkdir -p docs/screenshots
cp tests/.state/screenshots/*.png docs/screenshots/

say "front-end unit tests (vitest)"
npm run --silent test -w ui

say "benchmarks"
# One selection for the three (core and CLI together), so their dependencies build once in the
# bench profile with one set of features; each then runs on its own.
bench=(cargo bench --locked -p wpconnect-core -p wpconnect-cli)
"${bench[@]}" --bench discovery --bench signin --bench upload --no-run
"${bench[@]}" --bench discovery
tests/keyring/with-keyring.sh "${bench[@]}" --bench signin
tests/keyring/with-keyring.sh "${bench[@]}" --bench upload
xvfb-run -a -s "-screen 0 1280x900x24" tests/keyring/with-keyring.sh cargo bench --locked -p wpconnect-gui-tests --bench first_paint

disk_note
say "all tests passed"
