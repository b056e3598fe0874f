<?php
// What a site admin does in wp-admin (or with a code snippet), done from the command line on one
// test site, through the plugins' own functions. Run as
//   tests/wordpress/wp-env.sh admin SITE ACTION [ARGS...]
// which sets WP_HOSTPORT, WP_SITE_CONFIG and WP_ADMIN_USER. Prints one line of JSON on stdout;
// errors go to stderr, with exit code 1.
//
// WP OAuth Server sites (oauth, oauthdoc):
//   oauth2-client --redirect-uri URI [--redirect-uri URI2 ...] [--grants "authorization_code refresh_token password"]
//                 [--public] [--name NAME]        -> {"client_id","client_secret" ("" if public),"grant_types","redirect_uri"}
//   oauth1-consumer --callback URI|oob [--name NAME] -> {"key","secret","callback"}
//   option NAME VALUE           one key of the wo_options array     -> the new wo_options
//   set-option NAME VALUE       update_option (the mu-plugin's switches) -> {"name","value"}
//   token-valid TOKEN           an access (or refresh) token still live? -> {"valid","type","client_id","user_id","expires"}
//   live-tokens --client-id ID  unexpired tokens of a client        -> {"access":N,"refresh":N}
//   grants CLIENT_ID "GRANT ..."  a client's grant types            -> {"client_id","grant_types"}
//   expire-token TOKEN          make an access or refresh token expired (as time passing would) -> {"expired":"access"|"refresh"|null}
// OAuth 2 for WordPress site (wpapi):
//   oauth2-client --redirect-uri URI [...] [--public] [--name NAME] -> {"client_id","client_secret"}

function fail(string $message): never {
    fwrite(STDERR, "admin.php: $message\n");
    exit(1);
}

function out(array $data): never {
    echo json_encode($data, JSON_UNESCAPED_SLASHES), "\n";
    exit(0);
}

// --name VALUE pairs (repeatable), --flag alone, and the rest as positional arguments.
function parse_args(array $args, array $flags): array {
    $opts = [];
    $rest = [];
    while ($args) {
        $a = array_shift($args);
        if (strncmp($a, '--', 2) !== 0) { $rest[] = $a; continue; }
        $name = substr($a, 2);
        if (in_array($name, $flags, true)) { $opts[$name][] = true; continue; }
        if (!$args) { fail("$a needs a value"); }
        $opts[$name][] = array_shift($args);
    }
    return [$opts, $rest];
}

foreach (['WP_HOSTPORT', 'WP_SITE_CONFIG', 'WP_ADMIN_USER'] as $k) {
    if (getenv($k) === false) { fail("missing $k (run it as: wp-env.sh admin SITE ACTION ...)"); }
}
$_SERVER['HTTP_HOST'] = getenv('WP_HOSTPORT');
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = explode(':', getenv('WP_HOSTPORT'))[1];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['WORDPRESS_CONFIG'] = 'wpconnecttest';
$_SERVER['WPCONNECT_SITE_CONFIG'] = getenv('WP_SITE_CONFIG');
require '/usr/share/wordpress/wp-load.php';

$admin = get_user_by('login', getenv('WP_ADMIN_USER')) ?: fail('no admin user');
wp_set_current_user($admin->ID);

$action = $argv[1] ?? fail('no action');
[$opts, $rest] = parse_args(array_slice($argv, 2), ['public']);
$one = fn(string $name, ?string $default = null) => $opts[$name][0] ?? $default ?? fail("--$name is needed");
$arg = fn(int $i) => $rest[$i] ?? fail("$action: argument " . ($i + 1) . ' is needed');
$words = fn(string $s) => array_values(array_filter(preg_split('/\s+/', trim($s))));
$wo_server = function_exists('wo_insert_client');
$need_wo_server = fn() => $wo_server ?: fail("$action needs WP OAuth Server (the oauth and oauthdoc sites)");
global $wpdb;

switch ($action) {
    case 'oauth2-client':
        $uris = $opts['redirect-uri'] ?? fail('--redirect-uri is needed');
        $name = $one('name', 'WP Connect test client');
        $public = isset($opts['public']);
        if ($wo_server) {
            // The plugin's own "add client" (includes/admin/post.php -> wo_insert_client(), client id
            // and secret from wo_gen_key()), with the form's fields; several redirect URIs space-separated.
            $grants = $words($one('grants', 'authorization_code refresh_token password'));
            $post_id = wo_insert_client([
                'name' => $name,
                'grant_types' => $grants,
                'redirect_uri' => implode(' ', $uris),
                'user_id' => -1, // the form's "--- No User ---"
                'scope' => '',
            ]);
            // The CE form only offers "Authorization Code" (stored as authorization_code + implicit);
            // password and refresh_token are Pro checkboxes: store the grant types asked for.
            update_post_meta($post_id, 'grant_types', $grants);
            if ($public) { update_post_meta($post_id, 'client_secret', ''); }
            out([
                'client_id' => get_post_meta($post_id, 'client_id', true),
                'client_secret' => get_post_meta($post_id, 'client_secret', true),
                'grant_types' => get_post_meta($post_id, 'grant_types', true),
                'redirect_uri' => get_post_meta($post_id, 'redirect_uri', true),
            ]);
        }
        if (class_exists('\WP\OAuth2\Client')) {
            $client = \WP\OAuth2\Client::create([
                'name' => $name,
                'description' => 'Created by the WP Connect test harness',
                'meta' => ['callback' => count($uris) === 1 ? $uris[0] : $uris, 'type' => $public ? 'public' : 'private'],
            ]);
            if (is_wp_error($client)) { fail($client->get_error_message()); }
            $approved = $client->approve();
            if (is_wp_error($approved)) { fail($approved->get_error_message()); }
            out(['client_id' => $client->get_id(), 'client_secret' => $client->get_secret()]);
        }
        fail('no OAuth 2 server plugin on this site');

    case 'oauth1-consumer':
        class_exists('WP_REST_OAuth1_Client') ?: fail('no OAuth 1.0a server on this site');
        $callback = $one('callback');
        $consumer = WP_REST_OAuth1_Client::create([
            'name' => $one('name', 'WP Connect test consumer'),
            'description' => 'Created by the WP Connect test harness',
            'meta' => ['callback' => $callback],
        ]);
        if (is_wp_error($consumer)) { fail($consumer->get_error_message()); }
        out(['key' => $consumer->key, 'secret' => $consumer->secret, 'callback' => $consumer->callback]);

    case 'option':
        $need_wo_server();
        $options = get_option('wo_options');
        $options = is_array($options) ? $options : [];
        $options[$arg(0)] = $arg(1);
        update_option('wo_options', $options);
        out(get_option('wo_options'));

    case 'set-option':
        update_option($arg(0), $arg(1));
        out(['name' => $arg(0), 'value' => get_option($arg(0))]);

    case 'token-valid':
        $need_wo_server();
        $token = $arg(0);
        // The plugin's own check (includes/public.php): false once expired, null if not there.
        $access = wo_public_get_access_token($token);
        $row = $wpdb->get_row($wpdb->prepare("SELECT * FROM {$wpdb->prefix}oauth_access_tokens WHERE access_token = %s", $token), ARRAY_A);
        $type = $row ? 'access' : null;
        $valid = (bool) $access;
        if (!$row) {
            // The plugin's refresh-token check (GrantType/RefreshToken.php) compares with the same clock.
            $row = $wpdb->get_row($wpdb->prepare("SELECT * FROM {$wpdb->prefix}oauth_refresh_tokens WHERE refresh_token = %s", $token), ARRAY_A);
            $type = $row ? 'refresh' : null;
            $valid = $row && strtotime($row['expires']) >= current_time('timestamp');
        }
        out(['valid' => $valid, 'type' => $type, 'client_id' => $row['client_id'] ?? null, 'user_id' => $row['user_id'] ?? null, 'expires' => $row['expires'] ?? null]);

    case 'live-tokens':
        $need_wo_server();
        $client_id = $one('client-id');
        // Expiry times are stored in the site's local time (current_time()), as the plugin compares them.
        $now = current_time('mysql');
        $count = fn(string $table) => (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$wpdb->prefix}$table WHERE client_id = %s AND expires > %s", $client_id, $now));
        out(['access' => $count('oauth_access_tokens'), 'refresh' => $count('oauth_refresh_tokens')]);

    case 'grants':
        $need_wo_server();
        $client = get_client_by_client_id($arg(0)) ?: fail('no client ' . $arg(0));
        update_post_meta($client['ID'], 'grant_types', $words($arg(1)));
        out(['client_id' => $arg(0), 'grant_types' => get_post_meta($client['ID'], 'grant_types', true)]);

    case 'expire-token':
        $need_wo_server();
        $past = date('Y-m-d H:i:s', current_time('timestamp') - 60);
        foreach (['access' => 'oauth_access_tokens', 'refresh' => 'oauth_refresh_tokens'] as $type => $table) {
            if ($wpdb->update($wpdb->prefix . $table, ['expires' => $past], [$type . '_token' => $arg(0)])) {
                out(['expired' => $type]);
            }
        }
        out(['expired' => null]);

    default:
        fail("unknown action $action");
}
