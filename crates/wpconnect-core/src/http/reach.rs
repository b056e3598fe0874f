//! Where a credential may go: https, or plain http to this computer judged by the addresses a
//! name resolves to (through the resolver requests use), or elsewhere; and the person's proxy,
//! which decides where plain-http names lead.

use std::net::{IpAddr, SocketAddr};

use url::Url;

use super::{Http, HttpOptions};

impl HttpOptions {
    /// The defaults, with the person's proxy for plain http as their environment names it
    /// (`http_proxy`, else `HTTP_PROXY`; `no_proxy`/`NO_PROXY` exceptions), as curl reads them.
    /// What the CLI and the app use: then whether a plain-http site is "on this computer" is
    /// judged the way the request will travel.
    pub fn from_environment() -> Self {
        let (http_proxy, no_proxy) = proxy_from(|k| std::env::var(k).ok());
        HttpOptions { http_proxy, no_proxy, ..Default::default() }
    }
}

/// `http_proxy` (a bare `host:port` is taken as `http://host:port`) and `no_proxy`, from `var`.
fn proxy_from(var: impl Fn(&str) -> Option<String>) -> (Option<Url>, Vec<String>) {
    let first = |names: [&str; 2]| {
        names.iter().filter_map(|n| var(n)).map(|v| v.trim().to_string()).find(|v| !v.is_empty())
    };
    let proxy = first(["http_proxy", "HTTP_PROXY"]).and_then(|p| {
        let p = if p.contains("://") { p } else { format!("http://{p}") };
        match Url::parse(&p) {
            Ok(u)
                if matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h")
                    && u.host_str().is_some() =>
            {
                Some(u)
            }
            _ => {
                tracing::warn!("http_proxy is not a proxy address; ignored");
                None
            }
        }
    });
    let except = first(["no_proxy", "NO_PROXY"])
        .map(|l| {
            l.split(',')
                .map(|e| {
                    e.trim().trim_start_matches("*.").trim_start_matches('.').to_ascii_lowercase()
                })
                .filter(|e| !e.is_empty())
                .collect()
        })
        .unwrap_or_default();
    (proxy, except)
}

/// How a request carrying a credential may reach a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Over https.
    Https,
    /// Plain http to this computer: every address the name resolved to is a loopback one. The
    /// request goes straight to the first of them (no proxy, no second look-up).
    ThisComputer(SocketAddr),
    /// Plain http to anywhere else (or a name that could not be resolved, or a network that a
    /// proxy stands in front of): credentials only after the person's explicit choice.
    Elsewhere,
}

/// Do these addresses (what a name resolved to) all belong to this computer? None at all does
/// not count: a name that resolved to nothing is not known to be here.
pub fn all_loopback(addrs: &[SocketAddr]) -> bool {
    !addrs.is_empty() && addrs.iter().all(|a| is_loopback_ip(a.ip()))
}

fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

impl Http {
    /// How a credential would reach `url`: see [`Reach`]. A name is resolved here (through the
    /// same resolver requests use); what counts is the addresses, not the name (`blog.local` on
    /// the office network is not this computer).
    pub async fn reach(&self, url: &Url) -> Reach {
        if url.scheme() == "https" {
            return Reach::Https;
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = match url.host() {
            Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            // With a proxy for plain http, where a name leads is the proxy's business: only
            // `localhost` names count as here, whatever this computer's resolver says.
            Some(url::Host::Domain(name)) if self.proxied(name) => Vec::new(),
            Some(url::Host::Domain(name)) => self.resolve(name, port).await,
            None => Vec::new(),
        };
        match addrs.first() {
            Some(first) if all_loopback(&addrs) => Reach::ThisComputer(*first),
            _ => Reach::Elsewhere,
        }
    }

    /// Does a plain-http request to `name` go through the proxy? (`localhost` names never do.)
    fn proxied(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let excepted = |e: &String| e == "*" || name == *e || name.ends_with(&format!(".{e}"));
        self.opts.http_proxy.is_some()
            && !crate::address::is_loopback_host(&name)
            && !self.opts.no_proxy.iter().any(excepted)
    }

    async fn resolve(&self, name: &str, port: u16) -> Vec<SocketAddr> {
        let within = tokio::time::timeout(self.opts.connect_timeout, async {
            match &self.opts.resolver {
                Some(resolver) => {
                    let Ok(n) = name.parse::<reqwest::dns::Name>() else { return Vec::new() };
                    match resolver.resolve(n).await {
                        // A resolver may give the port (tests' do); the URL's otherwise.
                        Ok(addrs) => addrs
                            .map(|a| if a.port() == 0 { SocketAddr::new(a.ip(), port) } else { a })
                            .collect(),
                        Err(_) => Vec::new(),
                    }
                }
                None => tokio::net::lookup_host((name, port))
                    .await
                    .map(|a| a.collect())
                    .unwrap_or_default(),
            }
        });
        within.await.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_comes_from_the_environment_as_curl_reads_it() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let (p, except) = proxy_from(env(&[
            ("http_proxy", "proxy.corp:3128"),
            ("HTTP_PROXY", "http://other:1"),
            ("NO_PROXY", "intranet.corp, .dev.corp,*.lan"),
        ]));
        assert_eq!(
            p.unwrap().as_str(),
            "http://proxy.corp:3128/",
            "lower case first; a bare host:port is http"
        );
        assert_eq!(except, ["intranet.corp", "dev.corp", "lan"]);
        assert_eq!(
            proxy_from(env(&[("http_proxy", ""), ("HTTP_PROXY", "http://u:p@proxy:8080")]))
                .0
                .unwrap()
                .host_str(),
            Some("proxy")
        );
        assert!(proxy_from(env(&[("http_proxy", "ftp://nope")])).0.is_none(), "not a proxy");
        assert!(proxy_from(env(&[])).0.is_none());

        let opts = HttpOptions {
            http_proxy: Some(Url::parse("http://u:secret@proxy.corp:3128").unwrap()),
            no_proxy: except,
            ..Default::default()
        };
        assert!(!format!("{opts:?}").contains("secret"), "{opts:?}");
        let http = Http::new(opts);
        assert!(http.proxied("blog.example"));
        assert!(
            !http.proxied("intranet.corp")
                && !http.proxied("wiki.dev.corp")
                && !http.proxied("NAS.LAN."),
            "excepted, with subdomains"
        );
        assert!(http.proxied("notintranet.corp"), "a suffix is matched at a dot");
        assert!(!http.proxied("localhost") && !http.proxied("blog.localhost"), "localhost never");
    }
}
