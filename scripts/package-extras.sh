#!/usr/bin/env bash
# Run by `tauri bundle` on Linux before packaging (tauri.linux.conf.json): what the .deb and .rpm
# carry beside the app: the `wpconnect` command line, its manual pages and shell completions, all
# made from the CLI's own clap definition, under target/release/package-extras/.
# The CLI is built here (release) unless WPCONNECT_CLI names one already built (the test command
# builds it with the app, in one cargo run).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
cli=${WPCONNECT_CLI:-}
if [ -z "$cli" ]; then
    cargo build --release --locked -p wpconnect-cli
    cli=target/release/wpconnect
fi
out=target/release/package-extras
rm -rf "$out"
mkdir -p "$out/man1" "$out/completions"
cp "$cli" "$out/wpconnect"
"$cli" man --dir "$out/man1"
gzip -9n "$out"/man1/*.1
"$cli" completions bash >"$out/completions/wpconnect"
"$cli" completions zsh >"$out/completions/_wpconnect"
"$cli" completions fish >"$out/completions/wpconnect.fish"
