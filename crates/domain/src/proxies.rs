//! `TRUSTED_PROXIES`: the addresses of the proxies in front of the server, whose
//! `X-Forwarded-For` entries are believed.

use ipnet::IpNet;
use std::net::IpAddr;

/// Networks (CIDRs, or single addresses) of trusted proxies; empty trusts none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list such as `10.0.0.0/8, 192.0.2.7, fd00::/8`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("'{entry}' is not an address or a CIDR such as 10.0.0.0/8")
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy; else the
    /// right-most `X-Forwarded-For` entry (`forwarded`, in header order) that is not a trusted
    /// proxy. Entries left of it came from the client and are never believed; when every entry
    /// is a proxy (or one is not an address), the last address believed.
    pub fn client_address<'a>(
        &self,
        peer: IpAddr,
        forwarded: impl DoubleEndedIterator<Item = &'a str>,
    ) -> IpAddr {
        let mut client = peer;
        if !self.contains(peer) {
            return client;
        }
        for entry in forwarded.rev().flat_map(|h| h.rsplit(',')) {
            let Some(hop) = parse_hop(entry.trim()) else {
                return client;
            };
            client = hop;
            if !self.contains(hop) {
                return client;
            }
        }
        client
    }
}

/// An address as proxies write it: `192.0.2.7`, `192.0.2.7:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn lists_of_cidrs_and_addresses_parse_and_nonsense_is_named() {
        let proxies = TrustedProxies::parse(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,").unwrap();
        assert!(proxies.contains(ip("10.1.2.3")));
        assert!(proxies.contains(ip("192.0.2.7")));
        assert!(!proxies.contains(ip("192.0.2.8")));
        assert!(proxies.contains(ip("fd00::1")));
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
        let err = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();
        assert!(err.contains("'proxy.local'"), "{err}");
    }

    #[test]
    fn the_client_is_the_rightmost_entry_that_is_not_a_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let client = |peer: &str, headers: &[&str]| {
            proxies.client_address(ip(peer), headers.iter().copied())
        };
        assert_eq!(client("10.0.0.1", &["203.0.113.9"]), ip("203.0.113.9"));
        // A client that writes its own header cannot choose its address.
        assert_eq!(
            client("10.0.0.1", &["6.6.6.6, 203.0.113.9"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            client("10.0.0.1", &["6.6.6.6", "203.0.113.9, 10.0.0.2"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            client("10.0.0.1", &["[2001:db8::5]:4711"]),
            ip("2001:db8::5")
        );
        // Not from a proxy: the header is the client's own and is ignored.
        assert_eq!(client("198.51.100.4", &["6.6.6.6"]), ip("198.51.100.4"));
        assert_eq!(client("10.0.0.1", &[]), ip("10.0.0.1"));
        assert_eq!(client("10.0.0.1", &["garbage, 10.0.0.3"]), ip("10.0.0.3"));
    }

    #[test]
    fn no_trusted_proxies_means_the_peer_always() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_address(ip("127.0.0.1"), ["6.6.6.6"].into_iter()),
            ip("127.0.0.1")
        );
    }
}
