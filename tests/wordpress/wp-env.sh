#!/usr/bin/env bash
# A real WordPress for WP Connect's tests: Debian's `wordpress` package, a private MariaDB
# (own data directory, socket only, no TCP) and PHP's built-in server on 127.0.0.1.
#
# The sites share the database server: "pretty" (/%postname%/ permalinks) and "plain" (plain
# permalinks, where only ?rest_route= works), with no plugin; and, when the real auth plugins are
# there ($WPCONNECT_WP_PLUGINS, default <repo>/../shared/wordpress-plugins, read-only: they are
# symlinked into a per-site plugin folder in the state directory, never changed), four more:
# "oauth" (WP OAuth Server + the OAuth 1.0a server), "oauthdoc" (the same, for the tests that flip
# the server's global settings), "oauthplain" (the same two on plain permalinks, where the paths
# they advertise do not route) and "wpapi" (OAuth 2 for WordPress: it claims
# authentication.oauth2 too, so it gets a site of its own). All run with WP_ENVIRONMENT_TYPE=local
# so Application Passwords work over http, as they do on a developer's local site.
#
#   tests/wordpress/wp-env.sh start    install what is missing, start (idempotent), print the env file
#   tests/wordpress/wp-env.sh stop     stop this harness's processes (by PID, nothing else)
#   tests/wordpress/wp-env.sh env      print the env file (KEY=VALUE lines) of the running sites
#   tests/wordpress/wp-env.sh status   say what runs
#   tests/wordpress/wp-env.sh admin SITE ACTION [ARGS...]
#                                      what an admin does in wp-admin, on a plugin site (admin.php
#                                      lists the actions); prints one line of JSON
#
# State lives in $WPCONNECT_WP_STATE (default tests/.state/wordpress).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${WPCONNECT_WP_STATE:-$repo/tests/.state/wordpress}
wp_root=/usr/share/wordpress
debian_hook=/etc/wordpress/config-wpconnecttest.php
plugins_src=${WPCONNECT_WP_PLUGINS:-$repo/../shared/wordpress-plugins}

# The sites with the real auth plugins, and the plugins (folder/main file) each one activates.
PLUGIN_SITES=(oauth oauthdoc oauthplain wpapi)
OAUTH_SERVER=oauth2-provider/wp-oauth-server.php
OAUTH1_SERVER=rest-api-oauth1/oauth-server.php
WPAPI_OAUTH2=wp-api-oauth2/plugin.php
site_plugins() { # name -> plugin main files
    case $1 in
        oauth|oauthdoc|oauthplain) echo "$OAUTH_SERVER $OAUTH1_SERVER" ;;
        wpapi) echo "$WPAPI_OAUTH2" ;;
    esac
}

SITE_NAME="WP Connect Test Site"
SITE_TAGLINE="Where sign-ins are proven"
SITE_TZ="Europe/Paris"
ADMIN_USER=admin
ADMIN_PASSWORD="admin-pass-Xy7!q"
ADMIN_EMAIL=admin@wpconnect.test
AUTHOR_USER=author
AUTHOR_PASSWORD="author-pass-Kd3!z"
AUTHOR_EMAIL=author@wpconnect.test
AUTHOR_DISPLAY="Ada Author"
# A known Application Password (24 characters; WordPress shows it in groups of four).
AUTHOR_APP_PASSWORD="WPcn tst0 AppP assw 0rd1 2345"
# A subscriber (may read, may not upload), with a known Application Password.
SUBSCRIBER_USER=sam
SUBSCRIBER_APP_PASSWORD="WPcn tst0 Subs crib 3rAp p123"
DB_USER=wpconnect
DB_PASSWORD=wpconnect-db-pass

log() { printf 'wp-env: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
    local pkgs=(wordpress wordpress-theme-twentytwentythree php-cli php-mysql php-gd mariadb-server) missing=()
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]} (Debian packages)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    # Keep apt from starting (or enabling) the system's MariaDB and Apache: we run our own.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null && $sudo chmod +x $policy && made_policy=1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ $made_policy -eq 1 ] && $sudo rm -f $policy
    return 0
}

# PHP with a compile cache in the state directory: WordPress is compiled once, not by every CLI
# run and every server worker (booting it uncompiled costs 0.3 s of CPU each time). The generated
# config and router are left out of it. The CLI and the server keep separate caches: PHP 8.2
# crashes (SIGSEGV) loading, with opcache.file_cache_only, a script the server cached.
opcache() { # cli|server -> php options
    mkdir -p "$state/opcache-$1"
    [ -f "$state/opcache-blacklist" ] || echo "$state/" >"$state/opcache-blacklist"
    echo "-d opcache.file_cache=$state/opcache-$1 -d opcache.blacklist_filename=$state/opcache-blacklist"
}
php_cli() {
    # shellcheck disable=SC2046 # options, one word each (the state path has no spaces)
    php -d opcache.enable_cli=1 -d opcache.file_cache_only=1 $(opcache cli) "$@"
}

free_port() {
    php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1], "\n";'
}

start_db() {
    mkdir -p "$state"
    local sock="$state/mysqld.sock"
    alive "$state/mysqld.pid" || boot_db
    # Every time, so that a state directory from before the plugin sites gets their databases too.
    local sql="CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';" site
    for site in pretty plain "${PLUGIN_SITES[@]}"; do
        sql+=" CREATE DATABASE IF NOT EXISTS wp_$site; GRANT ALL ON wp_$site.* TO '$DB_USER'@'localhost';"
    done
    mariadb --no-defaults -S "$sock" -u root -e "$sql"
}

boot_db() {
    local sock="$state/mysqld.sock"
    if [ ! -d "$state/mysql/mysql" ]; then
        log "initialising a private MariaDB in $state/mysql"
        mariadb-install-db --no-defaults --datadir="$state/mysql" --user="$(id -un)" \
            --skip-test-db --auth-root-authentication-method=socket >"$state/mysql-install.log" 2>&1 \
            || { cat "$state/mysql-install.log" >&2; die "mariadb-install-db failed"; }
    fi
    mariadbd --no-defaults --datadir="$state/mysql" --socket="$sock" --skip-networking \
        --pid-file="$state/mysqld.pid" --log-error="$state/mysqld.log" --user="$(id -un)" \
        --innodb-buffer-pool-size=32M --skip-log-bin >/dev/null 2>&1 &
    for _ in $(seq 1 150); do
        [ -S "$sock" ] && mariadb --no-defaults -S "$sock" -u root -e 'select 1' >/dev/null 2>&1 && break
        sleep 0.1
    done
    [ -S "$sock" ] || { cat "$state/mysqld.log" >&2; die "MariaDB did not start"; }
    # The PID file is written by mariadbd itself once it is up.
    for _ in $(seq 1 50); do [ -f "$state/mysqld.pid" ] && break; sleep 0.1; done
}

debian_hook() {
    # Debian's wp-config.php picks /etc/wordpress/config-$WORDPRESS_CONFIG.php; ours hands over
    # to the per-site config in the state directory named by the router.
    if [ ! -f $debian_hook ]; then
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo=sudo
        printf '<?php\n// WP Connect test harness (tests/wordpress/wp-env.sh): per-site config from the state dir.\nrequire $_SERVER["WPCONNECT_SITE_CONFIG"];\n' \
            | $sudo tee $debian_hook >/dev/null
    fi
}

# The plugins folder, absolute, if it holds every plugin the plugin sites need; else nothing.
plugins_dir() {
    local p
    for p in $OAUTH_SERVER $OAUTH1_SERVER $WPAPI_OAUTH2; do
        [ -f "$plugins_src/$p" ] || return 0
    done
    (cd "$plugins_src" && pwd)
}

plugin_version() { # main file -> the Version: of its header
    sed -n 's/^[[:space:]*#@]*Version:[[:space:]]*//p' "$1" | head -n 1 | tr -d '\r[:space:]'
}

site_config() { # name port
    local name=$1 port=$2 dir="$state/$1" plugins
    plugins=$(site_plugins "$name")
    mkdir -p "$dir"
    cat >"$dir/config.php" <<PHP
<?php
// Generated by tests/wordpress/wp-env.sh for the "$name" test site.
define('DB_NAME', 'wp_$name');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', 'localhost:$state/mysqld.sock');
define('DB_CHARSET', 'utf8mb4');
define('WP_ENVIRONMENT_TYPE', 'local');
// Tests talk only to loopback: WordPress must not call home (updates, news, browse-happy).
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);
define('WP_DEBUG', false);
define('AUTH_KEY', 'wpconnect-test-$name-1'); define('SECURE_AUTH_KEY', 'wpconnect-test-$name-2');
define('LOGGED_IN_KEY', 'wpconnect-test-$name-3'); define('NONCE_KEY', 'wpconnect-test-$name-4');
define('AUTH_SALT', 'wpconnect-test-$name-5'); define('SECURE_AUTH_SALT', 'wpconnect-test-$name-6');
define('LOGGED_IN_SALT', 'wpconnect-test-$name-7'); define('NONCE_SALT', 'wpconnect-test-$name-8');
\$table_prefix = 'wp_';
PHP
    local router_plugins=""
    if [ -n "$plugins" ]; then
        # This site's own plugin folders (Debian's wp-config.php only defaults WP_CONTENT_DIR, to
        # /var/lib/wordpress/wp-content, which every site shares; these win, being defined first).
        cat >>"$dir/config.php" <<PHP
define('WP_PLUGIN_DIR', '$dir/plugins');
define('WP_PLUGIN_URL', 'http://127.0.0.1:$port/wp-content/plugins');
define('WPMU_PLUGIN_DIR', '$dir/mu-plugins');
define('WPMU_PLUGIN_URL', 'http://127.0.0.1:$port/wp-content/mu-plugins');
PHP
        # The plugins' own files (CSS, scripts, images) are served from that folder; their PHP is
        # not run directly.
        router_plugins="if (strncmp(\$path, '/wp-content/plugins/', 20) === 0) {
    \$file = '$dir/plugins/' . substr(\$path, 20);
    \$types = ['css' => 'text/css', 'js' => 'text/javascript', 'png' => 'image/png', 'svg' => 'image/svg+xml', 'gif' => 'image/gif', 'jpg' => 'image/jpeg'];
    \$type = \$types[strtolower(pathinfo(\$file, PATHINFO_EXTENSION))] ?? null;
    if (\$type === null || !is_file(\$file)) { http_response_code(404); return true; }
    header('Content-Type: ' . \$type);
    readfile(\$file);
    return true;
}"
    fi
    # Uploads live in this site's state folder (upload_path), and are served from there.
    local router_uploads="if (strncmp(\$path, '/wp-content/uploads/', 20) === 0) {
    \$file = '$dir/uploads/' . substr(\$path, 20);
    \$types = ['jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg', 'png' => 'image/png', 'webp' => 'image/webp', 'gif' => 'image/gif'];
    \$type = \$types[strtolower(pathinfo(\$file, PATHINFO_EXTENSION))] ?? 'application/octet-stream';
    if (!is_file(\$file)) { http_response_code(404); return true; }
    header('Content-Type: ' . \$type);
    header('Content-Length: ' . filesize(\$file));
    readfile(\$file);
    return true;
}"
    cat >"$dir/router.php" <<PHP
<?php
// Router for PHP's built-in server: static files as they are, PHP files run, the rest to
// index.php (what Apache's rewrite rules do for pretty permalinks).
\$_SERVER['WORDPRESS_CONFIG'] = 'wpconnecttest';
\$_SERVER['WPCONNECT_SITE_CONFIG'] = '$dir/config.php';
\$root = '$wp_root';
\$path = rawurldecode(parse_url(\$_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (strpos(\$path, '..') !== false) { http_response_code(400); return true; }
$router_plugins
$router_uploads
\$file = \$root . \$path;
if (is_dir(\$file)) {
    if (substr(\$path, -1) !== '/') { header('Location: ' . \$path . '/'); return true; }
    if (is_file(\$file . 'index.php')) { \$file .= 'index.php'; }
}
if (is_file(\$file)) {
    if (substr(\$file, -4) !== '.php') { return false; }
    \$_SERVER['SCRIPT_NAME'] = \$_SERVER['PHP_SELF'] = substr(\$file, strlen(\$root));
    \$_SERVER['SCRIPT_FILENAME'] = \$file;
    chdir(dirname(\$file));
    require \$file;
    return true;
}
\$_SERVER['SCRIPT_NAME'] = \$_SERVER['PHP_SELF'] = '/index.php';
\$_SERVER['SCRIPT_FILENAME'] = \$root . '/index.php';
chdir(\$root);
require \$root . '/index.php';
PHP
}

# A plugin site's plugin folder (symlinks to the read-only plugins) and the harness's mu-plugin.
site_plugin_dirs() { # name
    local name=$1 dir="$state/$1" src p
    src=$(plugins_dir)
    mkdir -p "$dir/plugins" "$dir/mu-plugins" "$dir/uploads"
    for p in $(site_plugins "$name"); do
        ln -sfn "$src/${p%%/*}" "$dir/plugins/${p%%/*}"
    done
    cat >"$dir/mu-plugins/wpconnect-test-switches.php" <<'PHP'
<?php
/*
 * Plugin Name: WP Connect test switches
 * Description: Written by tests/wordpress/wp-env.sh. What a site admin would set with a code
 * snippet, switched per site through options (wp-env.sh admin SITE set-option NAME 1|0); an
 * option that is not set leaves the plugin's own default.
 */
$wpconnect_test_switch = function ($option) {
    return function ($default) use ($option) {
        $value = get_option($option, null);
        return $value === null || $value === '' ? $default : (bool) (int) $value;
    };
};
// WP OAuth Server: delete a refresh token once used (default: no, it stays valid).
add_filter('wo_unset_refresh_token_after_use', $wpconnect_test_switch('wpconnect_test_refresh_single_use'));
// WP OAuth Server: issue a new refresh token with each refresh (default: yes).
add_filter('wo_always_issue_new_refresh_token', $wpconnect_test_switch('wpconnect_test_refresh_rotate'));
PHP
}

install_site() { # name port permalinks
    local name=$1 port=$2 permalinks=$3 dir="$state/$1" plugins upload_path="$dir/uploads"
    plugins=$(site_plugins "$name")
    mkdir -p "$upload_path"
    WP_URL="http://127.0.0.1:$port" WP_HOSTPORT="127.0.0.1:$port" WP_SITE_CONFIG="$dir/config.php" \
    WP_PERMALINKS="$permalinks" WP_TITLE="$SITE_NAME" WP_TAGLINE="$SITE_TAGLINE" WP_TZ="$SITE_TZ" \
    WP_ADMIN_USER="$ADMIN_USER" WP_ADMIN_PASSWORD="$ADMIN_PASSWORD" WP_ADMIN_EMAIL="$ADMIN_EMAIL" \
    WP_AUTHOR_USER="$AUTHOR_USER" WP_AUTHOR_PASSWORD="$AUTHOR_PASSWORD" WP_AUTHOR_EMAIL="$AUTHOR_EMAIL" \
    WP_AUTHOR_DISPLAY="$AUTHOR_DISPLAY" WP_AUTHOR_APP_PASSWORD="$AUTHOR_APP_PASSWORD" \
    WP_SUBSCRIBER_USER="$SUBSCRIBER_USER" WP_SUBSCRIBER_APP_PASSWORD="$SUBSCRIBER_APP_PASSWORD" \
    WP_PLUGINS="$plugins" WP_UPLOAD_PATH="$upload_path" \
        php_cli "$here/install.php" >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; die "installing the $name site failed"; }
}

start_site() { # name permalinks
    local name=$1 permalinks=$2 dir="$state/$1"
    if alive "$dir/php.pid" && [ -f "$dir/port" ] && curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$(cat "$dir/port")/wp-login.php"; then
        return 0
    fi
    if alive "$dir/php.pid"; then kill -- "-$(cat "$dir/php.pid")" 2>/dev/null || kill "$(cat "$dir/php.pid")" 2>/dev/null || true; fi
    local port
    port=$(free_port)
    site_config "$name" "$port"
    [ -n "$(site_plugins "$name")" ] && site_plugin_dirs "$name"
    install_site "$name" "$port" "$permalinks"
    # Several workers: discovery sends its probes in parallel, as browsers do.
    # shellcheck disable=SC2046
    PHP_CLI_SERVER_WORKERS=4 setsid php -d display_errors=stderr $(opcache server) -S "127.0.0.1:$port" -t "$wp_root" "$dir/router.php" \
        >"$dir/php.log" 2>&1 </dev/null &
    echo $! >"$dir/php.pid"
    echo "$port" >"$dir/port"
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/wp-login.php" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$dir/php.log" >&2
    die "the $name site did not answer on 127.0.0.1:$port"
}

plugin_sites() { # NAME:PERMALINKS of the plugin sites, or a loud warning when the plugins are missing
    if [ -z "$(plugins_dir)" ]; then
        log "WARNING: ******************************************************************"
        log "WARNING: the real auth plugins are not in $plugins_src"
        log "WARNING: (set WPCONNECT_WP_PLUGINS): the oauth, oauthdoc, oauthplain and wpapi sites are NOT"
        log "WARNING: started, and the tests against WP OAuth Server, OAuth 1.0a and OAuth 2"
        log "WARNING: for WordPress will skip (or fail under the test command)."
        log "WARNING: ******************************************************************"
        return 0
    fi
    local site
    for site in "${PLUGIN_SITES[@]}"; do
        # oauthplain: the same plugins on plain permalinks, where their advertised paths do not route.
        if [ "$site" = oauthplain ]; then echo "$site:plain"; else echo "$site:pretty"; fi
    done
}

start_sites() { # NAME:PERMALINKS... started side by side (each one takes half a second of PHP)
    local spec pids=() failed=0 pid
    for spec in "$@"; do
        start_site "${spec%%:*}" "${spec#*:}" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    [ $failed -eq 0 ] || die "a site did not start (see above)"
}

write_env() {
    local pretty plain wp_version
    pretty=$(cat "$state/pretty/port") plain=$(cat "$state/plain/port")
    wp_version=$(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$wp_root/wp-includes/version.php")
    cat >"$state/env" <<ENV
WPCONNECT_TEST_WP_URL=http://127.0.0.1:$pretty
WPCONNECT_TEST_WP_PLAIN_URL=http://127.0.0.1:$plain
WPCONNECT_TEST_WP_NAME=$SITE_NAME
WPCONNECT_TEST_WP_TAGLINE=$SITE_TAGLINE
WPCONNECT_TEST_WP_TIMEZONE=$SITE_TZ
WPCONNECT_TEST_WP_ADMIN_USER=$ADMIN_USER
WPCONNECT_TEST_WP_ADMIN_PASSWORD=$ADMIN_PASSWORD
WPCONNECT_TEST_WP_AUTHOR_USER=$AUTHOR_USER
WPCONNECT_TEST_WP_AUTHOR_PASSWORD=$AUTHOR_PASSWORD
WPCONNECT_TEST_WP_AUTHOR_EMAIL=$AUTHOR_EMAIL
WPCONNECT_TEST_WP_AUTHOR_APP_PASSWORD=$AUTHOR_APP_PASSWORD
WPCONNECT_TEST_WP_SUBSCRIBER_USER=$SUBSCRIBER_USER
WPCONNECT_TEST_WP_SUBSCRIBER_APP_PASSWORD=$SUBSCRIBER_APP_PASSWORD
WPCONNECT_TEST_WP_VERSION=$wp_version
ENV
    # The plugin sites, only when they run (no plugins: no variables, and their tests skip).
    local src site
    src=$(plugins_dir)
    [ -n "$src" ] || return 0
    for site in "${PLUGIN_SITES[@]}"; do
        alive "$state/$site/php.pid" && [ -f "$state/$site/port" ] || return 0
    done
    cat >>"$state/env" <<ENV
WPCONNECT_TEST_WP_OAUTH_URL=http://127.0.0.1:$(cat "$state/oauth/port")
WPCONNECT_TEST_WP_OAUTHDOC_URL=http://127.0.0.1:$(cat "$state/oauthdoc/port")
WPCONNECT_TEST_WP_OAUTHPLAIN_URL=http://127.0.0.1:$(cat "$state/oauthplain/port")
WPCONNECT_TEST_WP_WPAPI_URL=http://127.0.0.1:$(cat "$state/wpapi/port")
WPCONNECT_TEST_WP_ADMIN_CMD=$here/wp-env.sh
WPCONNECT_TEST_WP_STATE=$state
WPCONNECT_TEST_WP_OAUTH_SERVER_VERSION=$(plugin_version "$src/$OAUTH_SERVER")
WPCONNECT_TEST_WP_OAUTH1_VERSION=$(plugin_version "$src/$OAUTH1_SERVER")
WPCONNECT_TEST_WP_WPAPI_OAUTH2_VERSION=$(plugin_version "$src/$WPAPI_OAUTH2")
ENV
}

admin() { # SITE ACTION [ARGS...]
    [ $# -ge 2 ] || die "usage: $0 admin SITE ACTION [ARGS...] (tests/wordpress/admin.php lists the actions)"
    local site=$1 dir="$state/$1"
    shift
    [ -f "$dir/config.php" ] && [ -f "$dir/port" ] || die "no \"$site\" site in $state (run start first)"
    alive "$state/mysqld.pid" || die "the database of $state is not running (run start first)"
    WP_HOSTPORT="127.0.0.1:$(cat "$dir/port")" WP_SITE_CONFIG="$dir/config.php" WP_ADMIN_USER="$ADMIN_USER" \
        php_cli "$here/admin.php" "$@"
}

stop_all() {
    local f
    for f in "$state"/{pretty,plain,oauth,oauthdoc,oauthplain,wpapi}/php.pid "$state"/mysqld.pid; do
        if alive "$f"; then
            local pid
            pid=$(cat "$f")
            # PHP's workers share the server's process group (setsid made the server its leader).
            kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        rm -f "$f"
    done
}

case "${1:-}" in
    start)
        command -v curl >/dev/null || die "curl is needed (apt-get install curl)"
        install_packages
        debian_hook
        start_db
        # shellcheck disable=SC2046 # one word per site
        start_sites pretty:pretty plain:plain $(plugin_sites)
        write_env
        cat "$state/env"
        ;;
    stop) stop_all ;;
    env) [ -f "$state/env" ] && cat "$state/env" || die "not started" ;;
    status)
        for f in mysqld.pid {pretty,plain,oauth,oauthdoc,oauthplain,wpapi}/php.pid; do
            if alive "$state/$f"; then echo "$f: running ($(cat "$state/$f"))"; else echo "$f: stopped"; fi
        done
        ;;
    admin) shift; admin "$@" ;;
    *) echo "usage: $0 start|stop|env|status|admin SITE ACTION [ARGS...]" >&2; exit 2 ;;
esac
