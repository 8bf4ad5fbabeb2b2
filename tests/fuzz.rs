//! Property tests (proptest) over the parsers that read what servers and
//! users send: the charset decoder, the date parser, URL resolution and
//! normalisation, SITES.toml loading and the page parser. Arbitrary input
//! never panics, and the results keep their invariants (issue 8, "Fuzzed
//! parsers"). `cargo test` runs a short pass (32 cases each); the long run
//! is `PROPTEST_CASES=20000 cargo test --release --test fuzz`.

use std::path::Path;

use govaudit::config::Config;
use govaudit::extract::{decode, find_date, find_dates, parse_page, reads_as_challenge};
use govaudit::urlnorm::{normalize, resolve};
use proptest::prelude::*;
use url::Url;

/// Short by default; PROPTEST_CASES overrides (proptest reads it).
fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    ProptestConfig::with_cases(n)
}

/// Bytes shaped like a page: markup, Chinese in GBK or UTF-8, charset
/// declarations, and raw noise mixed.
fn page_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"<meta charset=\"gbk\">".to_vec()),
        Just(b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">".to_vec()),
        Just(b"<?xml version=\"1.0\" encoding=\"gb2312\"?>".to_vec()),
        Just("政务公开 2026-11-03 通知公告".as_bytes().to_vec()),
        Just(
            encoding_rs::GBK
                .encode("政务公开 发布日期：2026年11月3日")
                .0
                .into_owned()
        ),
        Just(b"\xef\xbb\xbf".to_vec()),
        Just(b"\xff\xfe<\x00p\x00>\x00".to_vec()),
        Just(b"<div><a href=\"/a.html\">".to_vec()),
        prop::collection::vec(any::<u8>(), 0..64),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        Just("text/html".to_string()),
        Just("text/html; charset=utf-8".to_string()),
        Just("text/html;charset=\"GB2312\"".to_string()),
        Just("text/html; charset=utf-16".to_string()),
        Just("text/html; charset=nonsense".to_string()),
        ".{0,40}",
    ])
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn the_charset_decoder_takes_any_bytes(bytes in page_bytes(), ct in content_type()) {
        let d = decode(&bytes, ct.as_deref());
        prop_assert!(!d.charset.is_empty());
        // Decoding is deterministic.
        prop_assert_eq!(decode(&bytes, ct.as_deref()), d);
    }

    #[test]
    fn the_charset_decoder_keeps_valid_utf8(s in "\\PC{0,200}") {
        let d = decode(s.as_bytes(), Some("text/html; charset=utf-8"));
        prop_assert_eq!(d.text, s);
    }

    #[test]
    fn the_date_parser_takes_any_text(
        s in "(\\PC|[0-9年月日./\\-: ]){0,60}",
    ) {
        let _ = find_date(&s);
        for d in find_dates(&s) {
            // Only plausible years come out.
            prop_assert!((1949..=2100).contains(&chrono::Datelike::year(&d)), "{d} from {s:?}");
        }
    }

    #[test]
    fn url_resolution_and_normalisation_take_any_href(href in "\\PC{0,80}") {
        let base = Url::parse("http://www.example.gov.cn/col/col123/index.html").unwrap();
        if let Some(u) = resolve(&base, &href) {
            prop_assert!(u.scheme() == "http" || u.scheme() == "https");
            let n = normalize(&u);
            // Normalising is idempotent.
            let again = Url::parse(&n).expect("a normalised URL parses");
            prop_assert_eq!(normalize(&again), n);
        }
    }

    #[test]
    fn sites_toml_loading_never_panics(text in sites_toml()) {
        match Config::parse(Path::new("SITES.toml"), &text) {
            Ok(_) => {}
            // A bad file is one line naming the file.
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("SITES.toml"), "{msg}");
                prop_assert!(!msg.trim_end().contains('\n'), "{msg}");
            }
        }
    }

    #[test]
    fn the_page_parser_takes_any_markup(bytes in page_bytes(), status in 200u16..600) {
        let text = decode(&bytes, None).text;
        let base = Url::parse("http://www.example.gov.cn/").unwrap();
        let p = parse_page(&base, &text);
        for l in &p.links {
            prop_assert!(Url::parse(&l.url).is_ok(), "{}", l.url);
        }
        let _ = reads_as_challenge(status, &text);
    }
}

/// SITES.toml texts: valid pieces, mutated values and plain noise.
fn sites_toml() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("[audit]\nname = \"测试\"\n".to_string()),
        Just("[crawl]\nmax_body_bytes = 1024\n".to_string()),
        Just("[crawl]\ntimeout_secs = -1\n".to_string()),
        Just("[[sites]]\nid = \"a\"\nname = \"甲\"\nurl = \"http://127.0.0.1/\"\n".to_string()),
        Just("[[sites]]\nid = \"a\"\nurl = 3\n".to_string()),
        Just("[[sites.columns]]\nname = \"通知公告\"\nclass = \"weekly\"\n".to_string()),
        "[a-z_]{1,12} = \"\\PC{0,12}\"\n",
        "\\PC{0,40}\n",
    ];
    prop::collection::vec(line, 0..8).prop_map(|v| v.concat())
}
