//! 大汉 JCMS column lists. The list sits in
//! `<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>…</li>]]></record>`
//! (html5ever keeps script content as raw text, so the records are cut out
//! here and parsed as one HTML fragment). Later records come from
//! `dataproxy.jsp`, POSTed with `startrecord/endrecord/perpage` in the URL
//! and the datastore's `<nextgroup>` link parameters as the form; the jpage
//! script settings (`totalRecord`, `perPage`, `groupSize`, `proxyUrl`) give
//! the ranges.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html};
use url::Url;

use super::lists::{read_row, table_rows, RawBlock};
use super::page::is_placeholder_text;
use super::NextRequest;

static NEXTGROUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<nextgroup[^>]*>.*?href\s*=\s*["']([^"']+)["']"#).expect("static regex")
});
static TOTAL_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<totalrecord>\s*(\d+)\s*</totalrecord>").expect("static regex")
});
static TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\btotalrecords?["']?\s*[:=]\s*["']?(\d+)"#).expect("static regex")
});
static PERPAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bperpage["']?\s*[:=]\s*["']?(\d+)"#).expect("static regex")
});
static GROUPSIZE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bgroupsize["']?\s*[:=]\s*["']?(\d+)"#).expect("static regex")
});
static PROXY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bproxyurl["']?\s*[:=]\s*["']([^"']+)["']"#).expect("static regex")
});
/// jpage parameters written as a JS object when there is no nextgroup link.
static PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(col|appid|webid|path|columnid|sourcecontenttype|unitid|webname|permissiontype)["']?\s*:\s*["']?([^"',}\s]*)"#,
    )
    .expect("static regex")
});

/// Default JCMS proxy path (every JCMS site serves it there).
const DEFAULT_PROXY: &str = "/module/web/jpage/dataproxy.jsp";

/// A datastore read: its list, links, and paging facts.
pub(crate) struct Store {
    pub block: RawBlock,
    /// (url, text, tag) of every link inside the records.
    pub links: Vec<(Url, String, &'static str)>,
    pub placeholder: bool,
    pub nextgroup: Option<Url>,
    pub totalrecord: Option<u64>,
    pub records: usize,
}

/// Read a datastore (`<datastore>` XML, inline or a dataproxy answer);
/// `None` when the text holds no `<record>` nor `<recordset>`.
pub(crate) fn parse_store(xml: &str, base: &Url) -> Option<Store> {
    let records = record_bodies(xml);
    let lower_has = |w: &str| xml.to_ascii_lowercase().contains(w);
    if records.is_empty() && !lower_has("<recordset") && !lower_has("<datastore") {
        return None;
    }
    let nextgroup = NEXTGROUP
        .captures(xml)
        .and_then(|c| base.join(&c[1].replace("&amp;", "&")).ok());
    let totalrecord = TOTAL_TAG.captures(xml).and_then(|c| c[1].parse().ok());
    let mut store = Store {
        block: RawBlock {
            style: "jcms",
            ..Default::default()
        },
        links: Vec::new(),
        placeholder: false,
        nextgroup,
        totalrecord,
        records: records.len(),
    };
    if records.is_empty() {
        return Some(store);
    }
    let as_rows = records[0].to_ascii_lowercase().starts_with("<tr");
    let mut html = String::with_capacity(records.iter().map(|r| r.len() + 32).sum());
    if as_rows {
        html.push_str("<table>");
        for r in &records {
            html.push_str(r);
        }
        html.push_str("</table>");
    } else {
        for r in &records {
            html.push_str("<div class=\"jcms-record\">");
            html.push_str(r);
            html.push_str("</div>");
        }
    }
    let frag = Html::parse_fragment(&html);
    let root = frag.root_element();
    let rows: Vec<ElementRef<'_>> = if as_rows {
        root.children()
            .filter_map(ElementRef::wrap)
            .flat_map(table_rows)
            .collect()
    } else {
        // Each record's own element (usually its <li>) is the row.
        root.children()
            .filter_map(ElementRef::wrap)
            .map(|w| {
                let mut kids = w.children().filter_map(ElementRef::wrap);
                match (kids.next(), kids.next()) {
                    (Some(only), None) => only,
                    _ => w,
                }
            })
            .collect()
    };
    for row in rows {
        if let Some(item) = read_row(row, base) {
            store.block.items.push(item);
        } else {
            let t: String = row.text().collect();
            if is_placeholder_text(&t) && t.trim().chars().count() <= 30 {
                store.placeholder = true;
            }
        }
    }
    for d in root.descendants() {
        let Some(e) = d.value().as_element() else {
            continue;
        };
        let (attr, tag) = match e.name() {
            "a" => ("href", "a"),
            "img" => ("src", "img"),
            _ => continue,
        };
        let Some(u) = e.attr(attr).and_then(|h| crate::urlnorm::resolve(base, h)) else {
            continue;
        };
        let text = match tag {
            "a" => ElementRef::wrap(d)
                .map(|a| {
                    a.text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .filter(|t| !t.is_empty())
                .or_else(|| e.attr("title").map(str::to_string))
                .unwrap_or_default(),
            _ => e.attr("alt").unwrap_or("").to_string(),
        };
        store.links.push((u, text, tag));
    }
    Some(store)
}

/// The bodies of `<record>…</record>` elements (CDATA unwrapped), by plain
/// scanning: a regex with lazy captures costs more than the HTML parse.
pub(crate) fn record_bodies(xml: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<record") {
        let after = &rest[i + 7..];
        // `<recordset>` is not a record.
        if !after.starts_with(['>', ' ', '\t', '\n', '\r', '/']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let trimmed = body.trim_start();
        if let Some(cdata) = trimmed.strip_prefix("<![CDATA[") {
            let Some(end) = cdata.find("]]>") else { break };
            out.push(cdata[..end].trim());
            rest = &cdata[end + 3..];
        } else {
            let Some(end) = body.find("</record>") else {
                break;
            };
            out.push(body[..end].trim());
            rest = &body[end + 9..];
        }
    }
    out
}

fn num(re: &Regex, s: &str) -> Option<u64> {
    re.captures(s).and_then(|c| c[1].parse().ok())
}

/// Requests for the records after the first page's: one POST per group of
/// `groupSize × perPage` records, up to `totalRecord`.
pub(crate) fn next_requests(store: &Store, scripts: &str, base: &Url) -> Vec<NextRequest> {
    let Some(total) = num(&TOTAL, scripts).or(store.totalrecord) else {
        return Vec::new();
    };
    let present = store.records as u64;
    if total <= present {
        return Vec::new();
    }
    let perpage = num(&PERPAGE, scripts).filter(|&p| p > 0).unwrap_or(15);
    let group = match num(&GROUPSIZE, scripts).filter(|&g| g > 0) {
        // Numbers come from the page: any size (saturating, never overflowing).
        Some(g) => g.saturating_mul(perpage),
        // No groupSize: the first page showed one group.
        None if present >= perpage => present,
        None => perpage.saturating_mul(3),
    };
    let proxy = PROXY
        .captures(scripts)
        .and_then(|c| base.join(&c[1]).ok())
        .or_else(|| {
            store.nextgroup.as_ref().map(|n| {
                let mut u = n.clone();
                u.set_query(None);
                u
            })
        })
        .or_else(|| base.join(DEFAULT_PROXY).ok());
    let Some(proxy) = proxy else {
        return Vec::new();
    };
    let form: Vec<(String, String)> = match &store.nextgroup {
        Some(n) => n
            .query_pairs()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("page"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        None => {
            let mut seen = Vec::new();
            for c in PARAM.captures_iter(scripts) {
                let k = c[1].to_string();
                if !seen
                    .iter()
                    .any(|(s, _): &(String, String)| s.eq_ignore_ascii_case(&k))
                {
                    seen.push((k, c[2].to_string()));
                }
            }
            seen
        }
    };
    let mut out = Vec::new();
    let mut start = present + 1;
    // Bound the number of requests (a bogus totalRecord must not explode).
    while start <= total && out.len() < 10_000 {
        let end = start.saturating_add(group - 1).min(total);
        let mut url = proxy.clone();
        url.query_pairs_mut()
            .append_pair("startrecord", &start.to_string())
            .append_pair("endrecord", &end.to_string())
            .append_pair("perpage", &perpage.to_string());
        out.push(NextRequest::PostForm {
            url,
            form: form.clone(),
        });
        let Some(next) = end.checked_add(1) else {
            break;
        };
        start = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://a.gov.cn/col/col99/index.html").unwrap()
    }

    fn records(n: usize) -> String {
        (1..=n)
            .map(|i| format!("<record><![CDATA[<li><a href=\"/art/2026/11/{i}/art_99_{i}.html\">第{i}条工作信息标题</a><span>2026-11-{i:02}</span></li>]]></record>"))
            .collect()
    }

    #[test]
    fn table_row_records_and_params_from_the_script() {
        let xml = "<datastore><recordset>\
            <record><![CDATA[<tr><td><a href=\"/art/2026/11/3/art_99_1.html\" title=\"关于某事的通知全文标题\">关于某事的通知…</a></td><td>2026-11-03</td></tr>]]></record>\
            <record><![CDATA[<tr><td><a href=\"/art/2026/11/2/art_99_2.html\">关于另一件事的通知</a></td><td>2026-11-02</td></tr>]]></record>\
            </recordset></datastore>";
        let st = parse_store(xml, &base()).unwrap();
        assert_eq!(st.records, 2);
        assert_eq!(st.block.items.len(), 2);
        assert_eq!(st.block.items[0].title, "关于某事的通知全文标题");
        // No nextgroup: the form comes from the jpage parameter object; no
        // groupSize: the first page's record count is the group.
        let script = "$('#1').jpage({dataStore: dataStore, totalRecord: 5, perPage: 1, \
            ajaxParam: {col:1, appid:1, webid:3, path:'/', columnid:99, sourceContentType:1, unitid:7, webname:'某局', permissiontype:0}});";
        let next = next_requests(&st, script, &base());
        let urls: Vec<_> = next
            .iter()
            .map(|r| r.url().query().unwrap().to_string())
            .collect();
        assert_eq!(
            urls,
            [
                "startrecord=3&endrecord=4&perpage=1",
                "startrecord=5&endrecord=5&perpage=1"
            ]
        );
        let NextRequest::PostForm { form, url } = &next[0] else {
            panic!()
        };
        assert_eq!(url.path(), "/module/web/jpage/dataproxy.jsp");
        assert!(
            form.contains(&("columnid".to_string(), "99".to_string())),
            "{form:?}"
        );
        assert!(
            form.contains(&("webname".to_string(), "某局".to_string())),
            "{form:?}"
        );
    }

    #[test]
    fn all_records_present_means_no_requests() {
        let xml = format!("<datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&columnid=99\"></a>]]></nextgroup><recordset>{}</recordset></datastore>", records(12));
        let st = parse_store(&xml, &base()).unwrap();
        assert_eq!(st.block.items.len(), 12);
        assert!(next_requests(&st, "totalRecord:12, perPage:15", &base()).is_empty());
        assert!(
            next_requests(&st, "", &base()).is_empty(),
            "no total, no guess"
        );
        // totalrecord inside the datastore counts too.
        let xml = xml.replace("<recordset>", "<totalrecord>20</totalrecord><recordset>");
        let st = parse_store(&xml, &base()).unwrap();
        let next = next_requests(&st, "perpage=4; groupsize=2;", &base());
        let q: Vec<_> = next
            .iter()
            .map(|r| r.url().query().unwrap().to_string())
            .collect();
        assert_eq!(q, ["startrecord=13&endrecord=20&perpage=4",]);
        let NextRequest::PostForm { form, .. } = &next[0] else {
            panic!()
        };
        assert_eq!(
            form,
            &[("columnid".to_string(), "99".to_string())],
            "page= is dropped"
        );
    }

    #[test]
    fn record_scanning() {
        let xml = "<datastore><recordset><record><![CDATA[<li>a]]></li>]]></record>\n<record attr=\"1\">\n <li>b</li> </record><record/></recordset></datastore>";
        assert_eq!(record_bodies(xml), ["<li>a", "<li>b</li>"]);
        assert!(record_bodies("<recordset></recordset>").is_empty());
    }

    #[test]
    fn not_a_datastore() {
        assert!(parse_store("<html><body><ul><li>x</li></ul></body></html>", &base()).is_none());
    }
}
