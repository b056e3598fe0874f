<?php
// Installs (or re-points, when already installed) one test site, non-interactively, through
// WordPress's own functions. Run by wp-env.sh with the settings in the environment.
// Idempotent: users and options are set to the known values every time.

$env = fn(string $k) => getenv($k) === false ? die("missing $k\n") : getenv($k);

$_SERVER['HTTP_HOST'] = $env('WP_HOSTPORT');
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = explode(':', $env('WP_HOSTPORT'))[1];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['WORDPRESS_CONFIG'] = 'wpconnecttest';
$_SERVER['WPCONNECT_SITE_CONFIG'] = $env('WP_SITE_CONFIG');

define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

$url = $env('WP_URL');
if (!is_blog_installed()) {
    $r = wp_install($env('WP_TITLE'), $env('WP_ADMIN_USER'), $env('WP_ADMIN_EMAIL'), false, '', wp_slash($env('WP_ADMIN_PASSWORD')));
    if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message() . "\n"); exit(1); }
    echo "installed\n";
}
update_option('siteurl', $url);
update_option('home', $url);
update_option('blogname', $env('WP_TITLE'));
update_option('blogdescription', $env('WP_TAGLINE'));
update_option('timezone_string', $env('WP_TZ'));
update_option('gmt_offset', '');
// No Gravatar: the REST API then sends no avatar URLs, so nothing (the app's window included)
// reaches for an address off this machine.
update_option('show_avatars', 0);
if (get_option('template') !== 'twentytwentythree') {
    switch_theme('twentytwentythree');
}

global $wp_rewrite;
$wp_rewrite->set_permalink_structure($env('WP_PERMALINKS') === 'plain' ? '' : '/%postname%/');
update_option('rewrite_rules', '');
$wp_rewrite->flush_rules(false);

// The administrator's password, reset to the known one.
$admin = get_user_by('login', $env('WP_ADMIN_USER'));
wp_set_password($env('WP_ADMIN_PASSWORD'), $admin->ID);

// The author, with a known password and a known Application Password.
$author = get_user_by('login', $env('WP_AUTHOR_USER'));
$fields = [
    'user_login' => $env('WP_AUTHOR_USER'),
    'user_pass' => $env('WP_AUTHOR_PASSWORD'),
    'user_email' => $env('WP_AUTHOR_EMAIL'),
    'display_name' => $env('WP_AUTHOR_DISPLAY'),
    'first_name' => 'Ada',
    'last_name' => 'Author',
    'role' => 'author',
];
if ($author) {
    $fields['ID'] = $author->ID;
    $id = wp_update_user($fields);
} else {
    $id = wp_insert_user($fields);
}
if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }

$known = WP_Application_Passwords::chunk_password(str_replace(' ', '', $env('WP_AUTHOR_APP_PASSWORD')));
$item = [
    'uuid' => '6f1b6f4e-2a7c-4f5e-9d0a-3c2b1a000001',
    'app_id' => '',
    'name' => 'wpconnect-tests (known password)',
    'password' => wp_hash_password(str_replace(' ', '', $known)),
    'created' => time(),
    'last_used' => null,
    'last_ip' => null,
];
// Keep any passwords the tests created, replace the known one.
$items = array_values(array_filter(
    (array) get_user_meta($id, '_application_passwords', true),
    fn($i) => is_array($i) && ($i['uuid'] ?? '') !== $item['uuid']
));
$items[] = $item;
update_user_meta($id, '_application_passwords', $items);
// A subscriber (may read, may not upload), with a known Application Password too.
$subscriber = get_user_by('login', $env('WP_SUBSCRIBER_USER'));
$sub_fields = [
    'user_login' => $env('WP_SUBSCRIBER_USER'),
    'user_pass' => $env('WP_SUBSCRIBER_USER') . '-pass-Q9!',
    'user_email' => $env('WP_SUBSCRIBER_USER') . '@wpconnect.test',
    'display_name' => 'Sam Subscriber',
    'role' => 'subscriber',
];
if ($subscriber) { $sub_fields['ID'] = $subscriber->ID; }
$sub_id = $subscriber ? wp_update_user($sub_fields) : wp_insert_user($sub_fields);
if (is_wp_error($sub_id)) { fwrite(STDERR, $sub_id->get_error_message() . "\n"); exit(1); }
$sub_item = [
    'uuid' => '6f1b6f4e-2a7c-4f5e-9d0a-3c2b1a000002',
    'app_id' => '',
    'name' => 'wpconnect-tests (subscriber)',
    'password' => wp_hash_password(str_replace(' ', '', $env('WP_SUBSCRIBER_APP_PASSWORD'))),
    'created' => time(),
    'last_used' => null,
    'last_ip' => null,
];
update_user_meta($sub_id, '_application_passwords', [$sub_item]);
// Uploads in this site's state directory (wp-env.sh serves them from there).
if (getenv('WP_UPLOAD_PATH')) {
    update_option('upload_path', $env('WP_UPLOAD_PATH'));
}
// What create_new_application_password() records: without it WordPress skips the check entirely.
update_network_option(get_main_network_id(), WP_Application_Passwords::OPTION_KEY_IN_USE, true);

// The plugin sites: the real auth plugins, activated as an admin does in wp-admin (activate_plugin()
// runs their activation hooks: WP OAuth Server creates its tables and options there).
$plugins = array_filter(explode(' ', (string) getenv('WP_PLUGINS')));
if ($plugins) {
    require_once ABSPATH . 'wp-admin/includes/plugin.php';
    // (Uploads, where WP OAuth Server keeps its signing keys, are in the site's state directory.)
    wp_set_current_user($admin->ID);
    global $wpdb;
    $oauth_tables = ['oauth_access_tokens', 'oauth_refresh_tokens', 'oauth_authorization_codes', 'oauth_scopes', 'oauth_jwt', 'oauth_public_keys'];
    $missing_tables = fn() => array_values(array_filter($oauth_tables, fn($t) => $wpdb->get_var($wpdb->prepare('SHOW TABLES LIKE %s', $wpdb->prefix . $t)) === null));
    $oauth_server = 'oauth2-provider/wp-oauth-server.php';
    if (in_array($oauth_server, $plugins, true) && is_plugin_active($oauth_server) && $missing_tables()) {
        deactivate_plugins($oauth_server, true); // active without its tables: activate it again
    }
    foreach ($plugins as $plugin) {
        $r = activate_plugin($plugin);
        if (is_wp_error($r)) { fwrite(STDERR, "activating $plugin: " . $r->get_error_message() . "\n"); exit(1); }
    }
    if (in_array($oauth_server, $plugins, true)) {
        if ($missing = $missing_tables()) { fwrite(STDERR, "WP OAuth Server made no table " . implode(', ', $missing) . "\n"); exit(1); }
        // The settings an admin chooses for a desktop app (Settings page of WP OAuth Server), reset at
        // every start; tests change them with `wp-env.sh admin SITE option NAME VALUE`.
        $wo = get_option('wo_options');
        update_option('wo_options', array_merge(is_array($wo) ? $wo : [], [
            'enabled' => 1,
            'auth_code_enabled' => 1,
            'user_creds_enabled' => 1,
            'refresh_tokens_enabled' => 1,
            'client_creds_enabled' => 0,
            'implicit_enabled' => 0,
            'require_exact_redirect_uri' => 0,
            'enforce_state' => 0,
            'enforce_pkce' => 0,
            'block_all_unauthenticated_rest_request' => 0,
            'jwt_bearer_enabled' => 0,
            'use_openid_connect' => 0,
            'home_url_modify' => 0,
            'token_length' => 40,
            'access_token_lifetime' => 3600,
            'refresh_token_lifetime' => 86400,
        ]));
    }
    // The harness's mu-plugin switches back to the plugins' own defaults.
    delete_option('wpconnect_test_refresh_single_use');
    delete_option('wpconnect_test_refresh_rotate');
    // The plugins add their rewrite rules (/oauth/..., /oauth1/...) on `init`, which does not run for
    // them here: leave the rules empty, and WordPress rebuilds them, with the plugins', at the first request.
    update_option('rewrite_rules', '');
    echo 'plugins ' . implode(' ', get_option('active_plugins')) . "\n";
}

echo "ready $url\n";
