//! The client's network address, for the audit trail and the sign-in
//! limits. Behind a TLS proxy the TCP peer is the proxy; only proxies the
//! operator names (`trusted_proxies`, CIDR list, default none) may tell
//! who the client is, through `Forwarded` (RFC 7239) or `X-Forwarded-For`.
//! From anyone else those headers are ignored, so a client cannot choose
//! its own address.
use axum::http::HeaderMap;
use std::net::IpAddr;

/// The proxies whose forwarding headers count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A comma- or space-separated list of addresses and CIDR blocks, e.g.
    /// `10.0.0.0/8, 192.168.1.7, ::1`. Empty: no proxy is trusted.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for item in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (item, None),
            };
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| format!("trusted_proxies: {item:?} is not an address"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits =
                match bits {
                    None => max,
                    Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| {
                        format!("trusted_proxies: {item:?} has a bad prefix length")
                    })?,
                };
            out.push((ip.to_canonical(), bits));
        }
        Ok(Self(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(net, bits)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(*bits)).unwrap_or(0);
                u32::from(*n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(*bits)).unwrap_or(0);
                u128::from(*n) & mask == u128::from(a) & mask
            }
            _ => false,
        })
    }

    /// The client's address: the peer's, unless the peer is a trusted
    /// proxy; then the right-most forwarded address that is not one (the
    /// first hop a trusted proxy saw). A hop that cannot be read ends the
    /// walk at the proxy's own address.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let hops = forwarded_for(headers);
        let mut last = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) if self.contains(*ip) => last = *ip,
                Some(ip) => return *ip,
                None => return last,
            }
        }
        last
    }
}

/// The `for=` addresses of `Forwarded`, else of `X-Forwarded-For`, in
/// order (`None` for one that is not an address, such as `unknown`).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let joined = |name: &str| -> Option<String> {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    if let Some(f) = joined("forwarded") {
        return f
            .split(',')
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_node(v))
            })
            .collect();
    }
    match joined("x-forwarded-for") {
        Some(x) => x.split(',').map(parse_node).collect(),
        None => vec![],
    }
}

/// `192.0.2.1`, `"[2001:db8::1]:4711"`, `192.0.2.1:80`.
fn parse_node(v: &str) -> Option<IpAddr> {
    let v = v.trim().trim_matches('"');
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest
            .split(']')
            .next()?
            .parse::<IpAddr>()
            .ok()
            .map(|i| i.to_canonical());
    }
    let (host, _port) = v.rsplit_once(':')?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_trusted_proxies_may_name_the_client() {
        let none = TrustedProxies::default();
        let proxy = TrustedProxies::parse("10.0.0.0/8, ::1").expect("list");
        let xff = headers(&[("x-forwarded-for", "203.0.113.9")]);
        // Not trusted: the header is the client's own claim, ignored.
        assert_eq!(none.client(ip("10.1.2.3"), &xff), ip("10.1.2.3"));
        assert_eq!(proxy.client(ip("198.51.100.1"), &xff), ip("198.51.100.1"));
        // Trusted: the client the proxy saw.
        assert_eq!(proxy.client(ip("10.1.2.3"), &xff), ip("203.0.113.9"));
        assert_eq!(proxy.client(ip("::1"), &xff), ip("203.0.113.9"));
        // A trusted proxy without the header: the proxy itself.
        assert_eq!(
            proxy.client(ip("10.1.2.3"), &HeaderMap::new()),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn a_forged_left_part_of_the_chain_does_not_count() {
        let proxy = TrustedProxies::parse("10.0.0.0/8").expect("list");
        // The client sent "X-Forwarded-For: 1.2.3.4"; two proxies appended.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.2")]);
        assert_eq!(proxy.client(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        let h = headers(&[("x-forwarded-for", "unknown, 10.0.0.2")]);
        assert_eq!(proxy.client(ip("10.0.0.1"), &h), ip("10.0.0.2"));
    }

    #[test]
    fn forwarded_is_read_before_x_forwarded_for() {
        let proxy = TrustedProxies::parse("192.168.0.0/16").expect("list");
        let h = headers(&[
            (
                "forwarded",
                "for=198.51.100.17;proto=https, for=\"[2001:db8::7]:4711\"",
            ),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(proxy.client(ip("192.168.1.1"), &h), ip("2001:db8::7"));
        let h = headers(&[("forwarded", "for=198.51.100.17:8080")]);
        assert_eq!(proxy.client(ip("192.168.1.1"), &h), ip("198.51.100.17"));
    }

    #[test]
    fn the_list_is_checked() {
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        let v4mapped = TrustedProxies::parse("127.0.0.1").expect("list");
        assert!(v4mapped.contains(ip("::ffff:127.0.0.1")));
    }
}
