//! Property tests (proptest) over the parsers that read what servers and
//! users send: the charset decoder, the date parser, URL resolution and
//! normalisation, SITES.toml loading, the page parser, list and pagination
//! extraction (HTML lists and tables, JCMS datastores and dataproxy paging,
//! TRS createPageHTML), profile and rule-settings loading and check-text's
//! document readers. Arbitrary bytes and structured mutations of the
//! fixtures never panic, never hang, and the results keep their invariants
//! (issue 8, "Fuzzed parsers"). `cargo test` runs a short pass (32 cases
//! each); the long run is `PROPTEST_CASES=100000 cargo test --release --test fuzz`.

use std::path::Path;
use std::sync::LazyLock;

use govaudit::config::Config;
use govaudit::extract::{
    decode, find_date, find_dates, parse_list_fragment, parse_page, reads_as_challenge, NextRequest,
};
use govaudit::profile::Profile;
use govaudit::typo::{check_file, TypoChecker};
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

/// The most further-page requests one list page may produce (TRS and JCMS
/// paging are bounded at 10,000; a 下一页 link adds one).
const MAX_NEXT_PAGES: usize = 10_001;

/// List and pagination fixtures: an HTML list, a gkml table, a JCMS
/// datastore page with jpage paging, TRS createPageHTML pages, a homepage.
const LIST_FIXTURES: [(&str, &str); 7] = [
    (
        "plain-list.html",
        include_str!("../fixtures/extract/plain-list.html"),
    ),
    (
        "gkml-table.html",
        include_str!("../fixtures/extract/gkml-table.html"),
    ),
    (
        "jcms-column.html",
        include_str!("../fixtures/extract/jcms-column.html"),
    ),
    (
        "trs-list.html",
        include_str!("../fixtures/extract/trs-list.html"),
    ),
    (
        "trs-list-2.html",
        include_str!("../fixtures/extract/trs-list-2.html"),
    ),
    (
        "real-pager-onclick.html",
        include_str!("../fixtures/extract/real-pager-onclick.html"),
    ),
    (
        "homepage.html",
        include_str!("../fixtures/extract/homepage.html"),
    ),
];

/// Pieces that matter to list and paging extraction, for splicing into the
/// fixtures: paging calls and numbers (huge ones included), datastore tags,
/// rows, next-page links, and noise.
fn list_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"createPageHTML(".to_vec()),
        Just(b"createPageHTML('page_div', 99999999999, 1, 'index', 'shtml', 20);".to_vec()),
        Just(b"createPageHTML(4294967295, 0, \"index\", \"html\");".to_vec()),
        Just(b"var countPage = 18446744073709551616//".to_vec()),
        Just(b"totalRecord: 18446744073709551615,".to_vec()),
        Just(b"perPage: 18446744073709551615,".to_vec()),
        Just(b"groupSize: 9999999999999,".to_vec()),
        Just(b"perPage: 0, groupSize: 0,".to_vec()),
        Just(b"<totalrecord>99999999999999</totalrecord>".to_vec()),
        Just(b"<recordset>".to_vec()),
        Just(b"<record><![CDATA[<li><a href=\"/art/2026/11/3/art_1_1.html\">\xe9\x80\x9a\xe7\x9f\xa5</a><span>2026-11-03</span></li>".to_vec()),
        Just(b"]]></record>".to_vec()),
        Just(b"</recordset></datastore>".to_vec()),
        Just(b"<nextgroup><![CDATA[/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=2]]></nextgroup>".to_vec()),
        Just(b"<tr><td><a href=\"./202611/t20261103_1.html\">\xe9\x80\x9a\xe7\x9f\xa5</a></td><td>2026-11-03</td></tr>".to_vec()),
        Just(b"<li><a href=\"index_2.html\">\xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5</a></li>".to_vec()),
        Just(b"</table></ul></div>".to_vec()),
        Just(b"<script>".to_vec()),
        "[0-9]{1,25}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..16),
    ]
}

/// An edit of a fixture: at a position, delete a stretch, insert a piece,
/// or duplicate a stretch.
#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, Vec<u8>),
    Duplicate(prop::sample::Index, usize),
}

fn edits(piece: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<prop::sample::Index>(), 1usize..400).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<prop::sample::Index>(), piece).prop_map(|(i, p)| Edit::Insert(i, p)),
        (any::<prop::sample::Index>(), 1usize..400).prop_map(|(i, n)| Edit::Duplicate(i, n)),
    ];
    prop::collection::vec(edit, 0..8)
}

fn apply(base: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = base.to_vec();
    for e in edits {
        match e {
            Edit::Delete(i, n) => {
                let at = i.index(v.len() + 1);
                let end = (at + n).min(v.len());
                v.drain(at..end);
            }
            Edit::Insert(i, p) => {
                let at = i.index(v.len() + 1);
                v.splice(at..at, p.iter().copied());
            }
            Edit::Duplicate(i, n) => {
                let at = i.index(v.len() + 1);
                let end = (at + n).min(v.len());
                let copy = v[at..end].to_vec();
                v.splice(end..end, copy);
            }
        }
    }
    v
}

/// The same edits on text, kept valid UTF-8 (positions move to a char
/// boundary; a piece that is no UTF-8 is read lossily).
fn apply_text(base: &str, edits: &[Edit]) -> String {
    String::from_utf8_lossy(&apply(base.as_bytes(), edits)).into_owned()
}

fn check_list_page(base: &Url, bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = decode(bytes, Some("text/html")).text;
    let p = parse_page(base, &text);
    prop_assert!(
        p.next_pages.len() <= MAX_NEXT_PAGES,
        "{} next pages",
        p.next_pages.len()
    );
    for r in &p.next_pages {
        let u = r.url();
        prop_assert!(u.scheme() == "http" || u.scheme() == "https", "{u}");
        if let NextRequest::PostForm { form, .. } = r {
            prop_assert!(form.len() < 64);
        }
    }
    for block in &p.lists {
        for it in &block.items {
            if let Some(u) = &it.url {
                prop_assert!(Url::parse(u).is_ok(), "{u}");
            }
            if let Some(d) = it.date {
                prop_assert!((1949..=2100).contains(&chrono::Datelike::year(&d)), "{d}");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn list_and_pagination_extraction_takes_mutated_fixtures(
        which in 0..LIST_FIXTURES.len(),
        e in edits(list_piece()),
    ) {
        let (name, page) = LIST_FIXTURES[which];
        let base = Url::parse(&format!("http://www.example.gov.cn/col/col4568/{name}")).unwrap();
        check_list_page(&base, &apply(page.as_bytes(), &e))?;
    }

    #[test]
    fn jcms_dataproxy_answers_take_mutations(e in edits(list_piece())) {
        // What a dataproxy.jsp POST brings back (a server's answer, so
        // anything): read as a datastore, else as HTML without paging.
        let base = Url::parse("http://www.example.gov.cn/module/web/jpage/dataproxy.jsp").unwrap();
        let body = apply(include_bytes!("../fixtures/extract/jcms-dataproxy.xml"), &e);
        let p = parse_list_fragment(&base, &decode(&body, Some("text/xml")).text);
        prop_assert!(p.next_pages.is_empty());
        for it in p.lists.iter().flat_map(|b| &b.items) {
            if let Some(u) = &it.url {
                prop_assert!(Url::parse(u).is_ok(), "{u}");
            }
        }
    }

    #[test]
    fn paging_numbers_of_any_size_stay_bounded(
        total in "[0-9]{1,25}",
        current in "[0-9]{1,25}",
        per in "[0-9]{1,25}",
        group in "[0-9]{1,25}",
        records in "[0-9]{1,25}",
    ) {
        let base = Url::parse("http://www.example.gov.cn/col/col4568/index.html").unwrap();
        let jcms = LIST_FIXTURES[2].1
            .replace("totalRecord: 120", &format!("totalRecord: {total}"))
            .replace("perPage: 15", &format!("perPage: {per}"))
            .replace("groupSize: 3", &format!("groupSize: {group}"))
            .replace("<totalrecord>120</totalrecord>", &format!("<totalrecord>{records}</totalrecord>"));
        check_list_page(&base, jcms.as_bytes())?;
        let trs = LIST_FIXTURES[3].1
            .replace("var currentPage = 0", &format!("var currentPage = {current}"))
            .replace("var countPage = 5", &format!("var countPage = {total}"));
        check_list_page(&base, trs.as_bytes())?;
    }

    #[test]
    fn profile_and_rule_settings_loading_never_panics(
        which in 0..PROFILE_FILES.len(),
        e in edits(toml_piece()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in PROFILE_FILES {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let (name, text) = PROFILE_FILES[which];
        std::fs::write(dir.path().join(name), apply_text(text, &e)).unwrap();
        match Profile::load(&dir.path().join("national-2019.toml")) {
            Ok(p) => prop_assert!((0.0..=100.0).contains(&p.pass_mark)),
            // A bad file is one line naming a file of the folder.
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains(".toml"), "{msg}");
                prop_assert!(!msg.trim_end().contains('\n'), "{msg}");
            }
        }
    }

    #[test]
    fn check_text_reads_any_bytes_in_any_format(
        ext in prop_oneof![Just("txt"), Just("md"), Just("html"), Just(""), Just("docx")],
        bytes in page_bytes(),
    ) {
        check_text_file(ext, &bytes)?;
    }

    #[test]
    fn check_text_reads_mutated_documents(
        which in 0..TEXT_FIXTURES.len(),
        e in edits(text_piece()),
    ) {
        let (ext, text) = TEXT_FIXTURES[which];
        check_text_file(ext, &apply(text.as_bytes(), &e))?;
    }

    #[test]
    fn check_text_reads_mutated_docx_archives(
        e in edits(prop::collection::vec(any::<u8>(), 0..8)),
        xml_edits in edits(text_piece()),
        deflate in any::<bool>(),
    ) {
        let xml = apply(DOCX_XML.as_bytes(), &xml_edits);
        let zip = apply(&docx(&xml, deflate), &e);
        check_text_file("docx", &zip)?;
    }
}

/// The profile beside its rule settings, as `Profile::load` reads them.
const PROFILE_FILES: [(&str, &str); 6] = [
    (
        "national-2019.toml",
        include_str!("../rules/national-2019.toml"),
    ),
    (
        "broken-link.toml",
        include_str!("../rules/broken-link.toml"),
    ),
    (
        "column-classes.toml",
        include_str!("../rules/column-classes.toml"),
    ),
    (
        "column-stale.toml",
        include_str!("../rules/column-stale.toml"),
    ),
    (
        "outdated-names.toml",
        include_str!("../rules/outdated-names.toml"),
    ),
    ("typo.toml", include_str!("../rules/typo.toml")),
];

fn toml_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\n[indicators.site-unreachable]\nveto = \"yes\"\n".to_vec()),
        Just(b"\n[indicators.no-such-rule]\npoints = 1\n".to_vec()),
        Just(b"\npass-mark = 1e309\n".to_vec()),
        Just(b"\npass-mark = nan\n".to_vec()),
        Just(b" = -9999999999999999999\n".to_vec()),
        Just(b"[[".to_vec()),
        Just(b"\"\"\"".to_vec()),
        Just(b"\n[deadlines]\nhomepage = -1\n".to_vec()),
        Just(b"\n".to_vec()),
        "[a-z\\-]{1,16} = [0-9.\\-]{1,8}\n".prop_map(String::into_bytes),
        "\\PC{0,24}".prop_map(String::into_bytes),
    ]
}

/// check-text inputs: plain text, Markdown and HTML with Chinese prose.
const TEXT_FIXTURES: [(&str, &str); 3] = [
    ("txt", "关于开展2026年度安全生产检查工作的通知\n各有关单位：\n为贯彻落实有关要求，现将有关事项通知如下。\n"),
    ("md", "# 政务公开工作要点\n\n- 坚持以公开为常态\n- 不公开为例外\n\n> 发布日期：2026年11月3日\n"),
    ("html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>通知</title><script>var a='<p>';</script></head><body><p>关于&nbsp;开展&amp;检查的通知</p><!-- 注释 --><p>各有关单位&#x4E00;&#19968;</p></body></html>"),
];

fn text_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just("政务公开".as_bytes().to_vec()),
        Just(b"&#xFFFFFFFF;&#99999999999;&;&#;&#x;".to_vec()),
        Just(b"<w:p><w:r><w:t xml:space=\"preserve\">".to_vec()),
        Just(b"</w:t></w:r></w:p>".to_vec()),
        Just(b"<![CDATA[".to_vec()),
        Just(b"<!--".to_vec()),
        Just(b"<".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xef\xbb\xbf".to_vec()),
        Just(encoding_rs::GBK.encode("中华人民共和国").0.into_owned()),
        prop::collection::vec(any::<u8>(), 0..16),
    ]
}

static CHECKER: LazyLock<TypoChecker> = LazyLock::new(TypoChecker::builtin);

fn check_text_file(ext: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let name = if ext.is_empty() {
        "draft".to_string()
    } else {
        format!("draft.{ext}")
    };
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    match check_file(&CHECKER, &path) {
        Ok(found) => {
            for f in found {
                prop_assert!(f.line >= 1 && f.column >= 1, "{f:?}");
                prop_assert!(!f.wrong.is_empty(), "{f:?}");
            }
        }
        Err(e) => prop_assert!(!e.contains('\n'), "{e}"),
    }
    Ok(())
}

const DOCX_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>关于开展安全生产检查的通知</w:t></w:r></w:p><w:p><w:r><w:t xml:space=\"preserve\">各有关单位&amp;部门：</w:t></w:r></w:p></w:body></w:document>";

/// A minimal .docx: a zip holding word/document.xml, stored or deflated.
fn docx(xml: &[u8], deflate: bool) -> Vec<u8> {
    use std::io::Write;
    if deflate {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(xml).unwrap();
        zip_of(8, &e.finish().unwrap(), xml.len())
    } else {
        zip_of(0, xml, xml.len())
    }
}

/// A .docx whose word/document.xml is `data`, already deflated.
fn docx_deflated(data: &[u8]) -> Vec<u8> {
    zip_of(8, data, 0)
}

/// A zip of one entry, word/document.xml: `data` stored with `method`.
fn zip_of(method: u16, data: &[u8], inflated: usize) -> Vec<u8> {
    let name = b"word/document.xml";
    let xml_len = inflated;
    let crc = 0u32; // not checked by the reader
    let mut out = Vec::new();
    let le16 = |v: &mut Vec<u8>, n: u16| v.extend_from_slice(&n.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, n: u32| v.extend_from_slice(&n.to_le_bytes());
    // Local file header.
    out.extend_from_slice(b"PK\x03\x04");
    le16(&mut out, 20);
    le16(&mut out, 0);
    le16(&mut out, method);
    le32(&mut out, 0);
    le32(&mut out, crc);
    le32(&mut out, data.len() as u32);
    le32(&mut out, xml_len as u32);
    le16(&mut out, name.len() as u16);
    le16(&mut out, 0);
    out.extend_from_slice(name);
    out.extend_from_slice(data);
    // Central directory.
    let cd = out.len() as u32;
    out.extend_from_slice(b"PK\x01\x02");
    le16(&mut out, 20);
    le16(&mut out, 20);
    le16(&mut out, 0);
    le16(&mut out, method);
    le32(&mut out, 0);
    le32(&mut out, crc);
    le32(&mut out, data.len() as u32);
    le32(&mut out, xml_len as u32);
    le16(&mut out, name.len() as u16);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le32(&mut out, 0);
    le32(&mut out, 0);
    out.extend_from_slice(name);
    let cd_len = out.len() as u32 - cd;
    // End of central directory.
    out.extend_from_slice(b"PK\x05\x06");
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 1);
    le16(&mut out, 1);
    le32(&mut out, cd_len);
    le32(&mut out, cd);
    le16(&mut out, 0);
    out
}

#[test]
fn the_docx_builder_makes_a_docx_check_text_reads() {
    // Guards the fuzz tests above: an unmutated archive must read, or the
    // mutations would only ever test the error path.
    for deflate in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.docx");
        std::fs::write(&path, docx(DOCX_XML.as_bytes(), deflate)).unwrap();
        let doc = govaudit::typo::read_document(&path).unwrap();
        assert!(doc.text.contains("安全生产检查"), "{}", doc.text);
    }
}

#[test]
fn a_docx_bomb_is_refused_not_inflated() {
    use std::io::Write;
    // word/document.xml inflating to 80 MB (over check-text's 64 MB cap)
    // from ~80 KB: refused with a one-line error once the cap is passed,
    // never inflated whole.
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..80 {
        e.write_all(&chunk).unwrap();
    }
    let data = e.finish().unwrap();
    // The builder writes stored sizes from its input; the reader trusts the
    // compressed size only, so the inflated size may lie.
    let zip = docx_deflated(&data);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.docx");
    std::fs::write(&path, zip).unwrap();
    let err = govaudit::typo::read_document(&path).unwrap_err();
    assert!(err.contains("over 64 MB"), "{err}");
    assert!(!err.contains('\n'));
}
