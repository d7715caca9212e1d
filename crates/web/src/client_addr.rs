//! The client's network address, for the audit trail and the sign-in
//! limits. Behind a TLS proxy the TCP peer is the proxy; only proxies the
//! operator names (`trusted_proxies`, CIDR list, default none) may tell
//! who the client is, through the one header the operator names
//! (`proxy_header`: `X-Forwarded-For`, the default, or RFC 7239
//! `Forwarded`). From anyone else those headers are ignored, so a client
//! cannot choose its own address. Only the named header counts: a proxy
//! that appends to `X-Forwarded-For` passes a client's own `Forwarded`
//! on untouched, and reading that would let the client choose again.
use axum::http::HeaderMap;
use std::net::IpAddr;

/// The header a trusted proxy names the client in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProxyHeader {
    #[default]
    XForwardedFor,
    Forwarded,
}

impl ProxyHeader {
    /// `x-forwarded-for` or `forwarded` (any case).
    pub fn parse(name: &str) -> Result<Self, String> {
        match name.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(Self::XForwardedFor),
            "forwarded" => Ok(Self::Forwarded),
            other => Err(format!(
                "proxy_header: {other:?} is not x-forwarded-for or forwarded"
            )),
        }
    }
}

/// The proxies whose forwarding header counts, and which header that is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<(IpAddr, u8)>,
    header: ProxyHeader,
}

impl TrustedProxies {
    /// The same proxies, naming the client in `header`.
    pub fn with_header(self, header: ProxyHeader) -> Self {
        Self { header, ..self }
    }

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
        Ok(Self {
            nets: out,
            header: ProxyHeader::default(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|(net, bits)| match (net, ip) {
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
        let hops = forwarded_for(headers, self.header);
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

/// The addresses in `header`, in order (`None` for one that is not an
/// address, such as `unknown`): the `for=` of each `Forwarded` element, or
/// each `X-Forwarded-For` item.
fn forwarded_for(headers: &HeaderMap, header: ProxyHeader) -> Vec<Option<IpAddr>> {
    let name = match header {
        ProxyHeader::XForwardedFor => "x-forwarded-for",
        ProxyHeader::Forwarded => "forwarded",
    };
    // Split the raw bytes: an item that is not text (a client can send
    // any byte, and the proxy appends to what it sent) is one unreadable
    // hop, not a reason to drop the proxy's own additions.
    let items: Vec<Option<&str>> = headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.as_bytes().split(|b| *b == b','))
        .map(|item| std::str::from_utf8(item).ok())
        .filter(|item| item.is_none_or(|t| !t.trim().is_empty()))
        .collect();
    items
        .into_iter()
        .map(|item| {
            let item = item?;
            match header {
                ProxyHeader::Forwarded => item
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_node(v)),
                ProxyHeader::XForwardedFor => parse_node(item),
            }
        })
        .collect()
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
    fn a_byte_that_is_not_text_does_not_hide_the_client() {
        let proxy = TrustedProxies::parse("10.0.0.0/8").expect("list");
        // The client sent "X-Forwarded-For: \xff"; nginx appended its peer.
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff, 203.0.113.9").expect("value"),
        );
        assert_eq!(proxy.client(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        // Empty items (", ,") are no hops.
        let h = headers(&[("x-forwarded-for", "203.0.113.9, ,")]);
        assert_eq!(proxy.client(ip("10.0.0.1"), &h), ip("203.0.113.9"));
    }

    #[test]
    fn only_the_named_header_counts() {
        let h = headers(&[
            (
                "forwarded",
                "for=198.51.100.17;proto=https, for=\"[2001:db8::7]:4711\"",
            ),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        // The default: X-Forwarded-For. A proxy that appends to it passes
        // the client's own Forwarded on; that one is not read.
        let xff = TrustedProxies::parse("192.168.0.0/16").expect("list");
        assert_eq!(xff.client(ip("192.168.1.1"), &h), ip("203.0.113.9"));
        let spoof = headers(&[("forwarded", "for=1.2.3.4")]);
        assert_eq!(xff.client(ip("192.168.1.1"), &spoof), ip("192.168.1.1"));
        // Configured for Forwarded: that one, and X-Forwarded-For not.
        let fwd = TrustedProxies::parse("192.168.0.0/16")
            .expect("list")
            .with_header(ProxyHeader::Forwarded);
        assert_eq!(fwd.client(ip("192.168.1.1"), &h), ip("2001:db8::7"));
        let h = headers(&[("forwarded", "for=198.51.100.17:8080")]);
        assert_eq!(fwd.client(ip("192.168.1.1"), &h), ip("198.51.100.17"));
        let only_xff = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(fwd.client(ip("192.168.1.1"), &only_xff), ip("192.168.1.1"));
        assert_eq!(ProxyHeader::parse("Forwarded"), Ok(ProxyHeader::Forwarded));
        assert!(ProxyHeader::parse("x-real-ip").is_err());
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
