//! The stylesheets and our one script, compiled into the binary (no CDN,
//! no third-party script), served under names that carry their content's
//! hash (`/static/inzage.3f2a9c1d7e.css`) so browsers may keep them a year
//! (`immutable`): a new release has new names. Each is compressed once,
//! with brotli and gzip, the first time it is asked for; the answer
//! follows the browser's `Accept-Encoding`. Pages themselves are not
//! compressed: a compressed page that holds a secret (the CSRF token) and
//! text an attacker chose leaks the secret through its size (BREACH).
//! The names without a hash still answer, kept an hour, for pages cached
//! before a release.
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::LazyLock;

/// One file: its name, its bytes, its type.
struct Source {
    name: &'static str,
    bytes: &'static [u8],
    content_type: &'static str,
}

const SOURCES: &[Source] = &[
    Source {
        name: "inzage.css",
        bytes: include_bytes!("../static/inzage.css"),
        content_type: "text/css; charset=utf-8",
    },
    Source {
        name: "vendor/utrecht-component-library.css",
        bytes: include_bytes!("../static/vendor/utrecht-component-library.css"),
        content_type: "text/css; charset=utf-8",
    },
    Source {
        name: "inzage.js",
        bytes: include_bytes!("../static/inzage.js"),
        content_type: "text/javascript; charset=utf-8",
    },
];

/// A file as served: the hashed name and the three encodings.
struct Asset {
    name: &'static str,
    hashed: String,
    content_type: &'static str,
    identity: Bytes,
    gzip: Bytes,
    brotli: Bytes,
}

/// The hashed name: `inzage.css` → `inzage.<10 hex>.css`.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let h = hex::encode(Sha256::digest(bytes));
    let short = &h[..10];
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
        None => format!("{name}.{short}"),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    if e.write_all(bytes).is_err() {
        return Vec::new();
    }
    e.finish().unwrap_or_default()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    // Quality 11 with a 256 KiB window: the smallest files, and a few MiB
    // of encoder memory. Quality 9 with the default 4 MiB window allocated
    // a 32 MiB hash table per file, and the freed blocks stayed with the
    // process: 105 MB of heap at start on an empty database (P6 in
    // docs/performance.md).
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 18,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut input = bytes;
    if brotli::BrotliCompress(&mut input, &mut out, &params).is_err() {
        return Vec::new();
    }
    out
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|s| Asset {
            name: s.name,
            hashed: hashed_name(s.name, s.bytes),
            content_type: s.content_type,
            identity: Bytes::from_static(s.bytes),
            gzip: Bytes::from(gzip(s.bytes)),
            brotli: Bytes::from(brotli(s.bytes)),
        })
        .collect()
});

/// Names whose hash is computed without compressing (templates need only
/// the names; the compression waits for the first request).
static NAMES: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|s| (s.name, format!("/static/{}", hashed_name(s.name, s.bytes))))
        .collect()
});

/// Compresses the files now, on a thread of its own (the router calls
/// this once), so no request waits for it on a runtime worker.
pub fn prepare() {
    let _ = std::thread::Builder::new()
        .name("inzage-assets".into())
        .spawn(|| LazyLock::force(&ASSETS));
}

/// The URL of `name` with its hash, for templates (`/static/…`).
pub fn url(name: &str) -> &'static str {
    NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("/static/missing", |(_, u)| u.as_str())
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The best encoding the browser accepts (`br` before `gzip`; `q=0`
/// refuses one).
fn choose(headers: &HeaderMap) -> Encoding {
    let accepts = |want: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|item| {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                name.eq_ignore_ascii_case(want) && !refused
            })
    };
    if accepts("br") {
        Encoding::Brotli
    } else if accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `GET /static/{*file}`: a hashed name is kept a year, a plain one an
/// hour; anything else is not found.
pub fn serve(file: &str, headers: &HeaderMap) -> Option<Response> {
    let (asset, immutable) = ASSETS.iter().find_map(|a| {
        if a.hashed == file {
            Some((a, true))
        } else if a.name == file {
            Some((a, false))
        } else {
            None
        }
    })?;
    let encoding = choose(headers);
    let (body, coding): (Bytes, Option<&str>) = match encoding {
        Encoding::Brotli if !asset.brotli.is_empty() => (asset.brotli.clone(), Some("br")),
        Encoding::Gzip | Encoding::Brotli if !asset.gzip.is_empty() => {
            (asset.gzip.clone(), Some("gzip"))
        }
        _ => (asset.identity.clone(), None),
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=3600"
        }),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(c) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
    }
    Some(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(accept) {
            h.insert(header::ACCEPT_ENCODING, v);
        }
        h
    }

    #[test]
    fn the_browser_chooses_the_encoding() {
        assert_eq!(choose(&with("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(choose(&with("gzip")), Encoding::Gzip);
        assert_eq!(choose(&with("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(choose(&with("identity")), Encoding::Identity);
        assert_eq!(choose(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn hashed_names_follow_the_content() {
        let a = hashed_name("inzage.css", b"a");
        assert!(
            a.starts_with("inzage.") && a.ends_with(".css") && a.len() == "inzage..css".len() + 10
        );
        assert_ne!(a, hashed_name("inzage.css", b"b"));
        assert!(url("inzage.css").starts_with("/static/inzage."));
        assert_eq!(url("nope.css"), "/static/missing");
    }

    #[test]
    fn compressed_files_decompress_to_the_original() {
        use std::io::Read;
        for a in ASSETS.iter() {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&a.gzip[..])
                .read_to_end(&mut out)
                .expect("gunzip");
            assert_eq!(out, a.identity, "{}", a.name);
            let mut out = Vec::new();
            brotli::BrotliDecompress(&mut &a.brotli[..], &mut out).expect("unbrotli");
            assert_eq!(out, a.identity, "{}", a.name);
            assert!(
                a.brotli.len() < a.identity.len() / 3,
                "{} compresses",
                a.name
            );
        }
    }
}
