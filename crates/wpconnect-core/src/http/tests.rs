use super::*;

#[test]
fn origins_compare_scheme_host_and_port() {
    let u = |s: &str| Url::parse(s).unwrap();
    assert!(same_origin(
        &u("https://s.example/oauth/me"),
        &u("https://s.example:443/oauth/me/?x=1")
    ));
    assert!(same_origin(&u("http://127.0.0.1:8080/a"), &u("http://127.0.0.1:8080/b")));
    assert!(
        !same_origin(&u("https://s.example/a"), &u("http://s.example/a")),
        "never https to http"
    );
    assert!(!same_origin(&u("http://s.example/a"), &u("https://s.example/a")));
    assert!(!same_origin(&u("https://s.example/a"), &u("https://www.s.example/a")));
    assert!(!same_origin(&u("http://127.0.0.1:8080/a"), &u("http://127.0.0.1:8081/a")));
}
