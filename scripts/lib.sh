# Shared by scripts/app.sh and scripts/test.sh: install what is missing on Debian/Ubuntu.
# Source it; it defines functions only (and `repo`).
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Each line says how long the script has run, so a slow step shows in CI's output.
say() { printf '\033[1mwpconnect [%dm%02ds]:\033[0m %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }
die() { say "error: $*"; exit 1; }
# Free space beside the checkout and the build folder's size: a full disk shows up as a linker
# dying of SIGBUS, so the log says how much room there was.
disk_note() {
    local built="none yet"
    [ -d "$repo/target" ] && built=$(du -sh "$repo/target" 2>/dev/null | cut -f1)
    say "disk: $(df -h --output=avail "$repo" | tail -1 | tr -d ' ') free; target/ is $built"
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
# need_apt PKG...: install the Debian packages that are not installed yet (no recommends, and no
# services started by their post-install scripts: the tests run their own daemons).
need_apt() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "missing ${missing[*]}, and this is not a Debian/Ubuntu system: install them by hand"
    say "installing ${missing[*]}"
    local policy=/usr/sbin/policy-rc.d made=0
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee $policy >/dev/null && as_root chmod +x $policy && made=1
    fi
    if [ $apt_updated -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || { [ $made -eq 1 ] && as_root rm -f $policy; die "apt-get could not install ${missing[*]}"; }
    [ $made -eq 1 ] && as_root rm -f $policy
    return 0
}

# What building the workspace and the desktop app needs (Tauri 2 on Linux: WebKitGTK 4.1).
need_build_deps() {
    need_apt ca-certificates curl build-essential pkg-config python3 libwebkit2gtk-4.1-dev
    need_rust
    need_node
}

# What the GUI tests need: a virtual display, WebKitGTK's WebDriver, and tauri-driver.
need_gui_test_deps() {
    need_apt xvfb xauth webkit2gtk-driver
    if ! command -v tauri-driver >/dev/null; then
        say "installing tauri-driver (cargo install)"
        cargo install tauri-driver@^2 --locked --quiet
    fi
}

# What the keyring tests need: a real Secret Service (gnome-keyring) on a private D-Bus session.
need_keyring_test_deps() {
    need_apt dbus-daemon dbus-bin gnome-keyring libsecret-tools
}

# What the upload tests need: exiftool, the independent judge of what location data a photo holds.
need_media_test_deps() {
    need_apt libimage-exiftool-perl
}

need_rust() {
    if ! command -v cargo >/dev/null; then
        [ -x "$HOME/.cargo/bin/cargo" ] || {
            say "installing Rust (rustup, stable toolchain)"
            curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
        }
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    local v min
    v=$(rustc --version | awk '{print $2}')
    min=$(min_rust)
    [ "$(printf '%s\n%s.0\n' "$v" "$min" | sort -V | head -1)" = "$min.0" ] \
        || die "Rust $v is too old: WP Connect needs $min or later (rustup update stable)"
}

# The minimum Rust, as the workspace's Cargo.toml states it (the one place it is written).
min_rust() { sed -n 's/^rust-version = "\(.*\)"$/\1/p' "$repo/Cargo.toml"; }

# Fails when the stated minimum Rust is not the true one: the highest `rust-version` among the
# packages Cargo.lock holds (a toolchain below it passes need_rust, then fails in cargo).
check_min_rust() {
    local stated
    stated=$(min_rust)
    cargo metadata --locked --format-version 1 | python3 -c '
import json, sys
stated = sys.argv[1]
key = lambda v: tuple(int(x) for x in v.split("."))
ps = [(p["rust_version"], p["name"], p["version"]) for p in json.load(sys.stdin)["packages"]
      if p.get("rust_version")]
top = max(key(v) for v, _, _ in ps)
need = [f"{n} {v}" for r, n, v in ps if key(r) == top]
who = ", ".join(need[:4])
true_min = ".".join(map(str, top))
if key(stated) != top:
    sys.exit(f"Cargo.toml says rust-version {stated}, but the true minimum is {true_min} "
             f"(needed by {who}): set it there, and in README.md")
print(f"minimum Rust {stated}: the highest any dependency needs ({need[0]} and {len(need)-1} more)")
' "$stated"
    grep -q "Rust $stated+" "$repo/README.md" || die "README.md does not say Rust $stated+"
}

# What the compile checks for Windows and macOS need (run on Linux; nothing is linked): the Rust
# targets, MinGW's C compiler and resource compiler for Windows (build scripts compile C and the
# app's icon), and Zig's C compiler, from PyPI, driven by cargo-zigbuild for macOS (Apple's SDK is
# not needed to type-check).
cross_targets="x86_64-pc-windows-gnu aarch64-apple-darwin"
need_cross_deps() {
    need_rust
    need_apt gcc-mingw-w64-x86-64-win32 binutils-mingw-w64-x86-64 python3-venv
    command -v rustup >/dev/null \
        || die "the Windows and macOS compile checks need rustup (to add those Rust targets): install Rust with rustup"
    local t have
    have=$(rustup target list --installed 2>/dev/null || true)
    for t in $cross_targets; do
        grep -qx "$t" <<<"$have" || { say "adding the Rust target $t"; rustup target add "$t"; }
    done
    local venv=$repo/tests/.state/zig
    if [ ! -x "$venv/bin/python3" ] || ! "$venv/bin/python3" -m ziglang version >/dev/null 2>&1; then
        say "installing Zig's C compiler (PyPI: ziglang) into tests/.state/zig"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check 'ziglang==0.15.2'
    fi
    export PATH="$venv/bin:$PATH"
    if ! command -v cargo-zigbuild >/dev/null; then
        say "installing cargo-zigbuild (cargo install)"
        cargo install cargo-zigbuild@^0.24 --locked --quiet
    fi
}

# Type-check and lint the core, the CLI and the desktop shell for each of $cross_targets (the
# Linux one is the workspace's own clippy run). macOS goes through cargo-zigbuild (Zig compiles
# the C that build scripts carry, for the Apple target); Windows through MinGW.
cross_check() {
    local t
    for t in $cross_targets; do
        say "  clippy for $t"
        case $t in
            *-apple-*) cargo-zigbuild clippy --locked --target "$t" -p wpconnect-core -p wpconnect-cli -p wpconnect-desktop -- -D warnings ;;
            *) cargo clippy --locked --target "$t" -p wpconnect-core -p wpconnect-cli -p wpconnect-desktop -- -D warnings ;;
        esac
    done
}

# What checking the packages needs: RPM's tools to read and unpack the .rpm.
need_package_test_deps() {
    need_apt rpm rpm2cpio
}

# Unpack the packages `tauri bundle` made into tests/.state/{deb,rpm}, with their metadata
# (DEBIAN/control; rpm-info.txt with the RPM's header, requirements and file list), for the tests.
unpack_packages() {
    local deb rpm
    deb=$(ls "$repo"/target/release/bundle/deb/*.deb)
    rpm=$(ls "$repo"/target/release/bundle/rpm/*.rpm)
    rm -rf "$repo/tests/.state/deb" "$repo/tests/.state/rpm"
    dpkg-deb -x "$deb" "$repo/tests/.state/deb"
    dpkg-deb -e "$deb" "$repo/tests/.state/deb/DEBIAN"
    mkdir -p "$repo/tests/.state/rpm"
    # rpm2archive, not rpm2cpio: Debian's rpm2cpio exits 1 on these packages though it writes
    # the whole archive.
    rpm2archive - <"$rpm" | tar -xz -C "$repo/tests/.state/rpm"
    {
        rpm -qip "$rpm"
        echo "== requires"
        rpm -qp --requires "$rpm"
        echo "== files"
        rpm -qlp "$rpm"
    } >"$repo/tests/.state/rpm/rpm-info.txt" 2>&1
}

# rustfmt and clippy, for the test command's style and lint gates (a minimal rustup profile has
# neither; a distribution's cargo takes them from its packages).
need_lint_tools() {
    need_rust
    cargo fmt --version >/dev/null 2>&1 || {
        if command -v rustup >/dev/null; then rustup component add rustfmt; else need_apt rustfmt; fi
    }
    cargo clippy --version >/dev/null 2>&1 || {
        if command -v rustup >/dev/null; then rustup component add clippy; else need_apt rust-clippy; fi
    }
}

need_node() {
    command -v node >/dev/null || need_apt nodejs npm
    local v
    v=$(node --version | tr -d v)
    [ "$(printf '%s\n20.19.0\n' "$v" | sort -V | head -1)" = "20.19.0" ] \
        || die "Node.js $v is too old: the front end's tools (Vite 7) need 20.19 or later"
    command -v npm >/dev/null || need_apt npm
    # The front end's packages, exactly as package-lock.json pins them.
    if [ ! -d "$repo/node_modules/.bin" ] || [ "$repo/package-lock.json" -nt "$repo/node_modules/.package-lock.json" ]; then
        say "installing the front end's npm packages"
        (cd "$repo" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

build_ui() {
    say "building the front end (ui/)"
    (cd "$repo" && npm run --silent build -w ui >/dev/null)
}

# load_env FILE: export KEY=VALUE lines written by the WordPress harness (values may hold spaces).
load_env() {
    local k v
    while IFS='=' read -r k v; do
        [ -n "$k" ] && export "$k=$v"
    done <"$1"
}
