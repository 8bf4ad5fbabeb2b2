//! Site-standard facts of a page (国办发〔2017〕47号, the 2019 功能设计 items):
//! the footer identifiers (网站标识码, ICP备案号, 公安机关备案号, the 党政机关
//! badge), a site search, the 「我为政府网站找错」 entrance, the standard meta
//! tags, and the 信息公开 metadata fields (索引号, 发布机构, 文号, dates).
//!
//! Real footers are often drawn by JavaScript: `document.write('京<span>ICP
//! </span>备…')`, identifiers in string literals, a `footer.js`. What the
//! page's own inline scripts say is read here (tags stripped, string literals
//! joined); what only an external script or a run-time placeholder could
//! draw is recorded as `undecided`, so the rule can say it could not tell.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Node};

use crate::site::{Identity, PageFacts, PageLink};

/// The standard meta tags of the 47号 网页设计规范, in report order.
pub const STANDARD_META: [&str; 8] = [
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnType",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
];

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

/// 网站标识码：bm64130001 / 3301000001 (a label is required: ten bare digits
/// are anything).
static SITE_CODE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)标\s*识\s*码\s*[:：]?\s*(bm\s*\d{8}|\d{10})"));
/// 京ICP备05070602号-1, 浙ICP备 12345678, ICP备案号：京ICP备…
static ICP: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\p{Han}?)\s*ICP\s*备\s*(?:案\s*号?\s*[:：]?\s*)?(\d{5,10})\s*号?(\s*-\s*\d{1,3})?")
});
/// 京公网安备 11010202000001号, 公安机关备案号：33010602001234
static POLICE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(\p{Han}?)\s*(?:公\s*网\s*安\s*备|公安(?:机关)?备案号?)\s*[:：]?\s*(\d{10,14})\s*号?")
});
/// `'…' + '…'` inside a script: the pieces of one literal.
static JOIN_LITERALS: LazyLock<Regex> = LazyLock::new(|| re(r#"["']\s*\+\s*["']"#));
/// `var code = "3301060001";` — a string variable a footer script writes.
static STRING_VAR: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?:var|let|const)\s+(\w+)\s*=\s*["']([^"'\n]{1,80})["']"#));
/// `' + code + '` inside a script: a variable written between two literals.
static JOIN_VAR: LazyLock<Regex> = LazyLock::new(|| re(r#"["']\s*\+\s*(\w+)\s*\+\s*["']"#));
/// Tags inside script string literals (`京<span>ICP</span>备`).
static TAGS: LazyLock<Regex> = LazyLock::new(|| re(r"<[^>]{0,200}>"));
/// An external script that may draw the footer (footer.js, foot.js, bottom.js …).
static FOOTER_SCRIPT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(foot|bottom|copyright|dibu|banquan|public|common)[^/]*\.js"));
/// An element id/class naming a footer.
static FOOTER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:foot|footer|bottom|copyright|dibu|banquan)(?:[-_]?(?:box|wrap|wrapper|main|con|content|info|container))?$",
    )
});

/// An id or class attribute with a token naming a footer.
fn names_footer(attr: &str) -> bool {
    attr.split_whitespace().any(|t| FOOTER_NAME.is_match(t))
}
/// Search words in attributes, link text and targets.
static SEARCH_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)搜索|检索|站内搜|search|sousuo|keyword|searchword|关键字|关键词"));
/// Search words in `s`, not counting "research" (调研 pages).
fn search_word(s: &str) -> bool {
    static RESEARCH: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)research"));
    SEARCH_WORD.is_match(&RESEARCH.replace_all(s, ""))
}

/// Words of a login form (a text input that is not a search).
static LOGIN_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)user|login|passw|用户名|账号|密码|手机号|验证码"));
/// Hosts and paths of the national 找错 platform.
static ERROR_REPORT_URL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)zfwzgl\.www\.gov\.cn|pucha\.kaipuyun\.cn|www\.gov\.cn/(?:[^ ]*/)?(?:zhaocuo|jiucuo)")
});

/// The facts of one parsed page. `links` are the page's links as the walk
/// collected them (a, img, script, iframe), used for the badge and 找错 targets.
pub(crate) fn page_facts(doc: &Html, links: &[PageLink]) -> PageFacts {
    let mut meta_tags = Vec::new();
    let mut site_domain = None;
    let mut texts: Vec<String> = Vec::new();
    let mut scripts = String::new();
    let mut undecided: Vec<String> = Vec::new();
    let mut search = false;
    let mut conac = false;
    let mut conac_slot = false;
    let mut error_report = false;

    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        let v = el.value();
        let attr = |n: &str| v.attr(n).unwrap_or("");
        match v.name() {
            "meta" => {
                let name = attr("name");
                let content = attr("content").trim();
                if name.eq_ignore_ascii_case("SiteDomain") && !content.is_empty() {
                    site_domain.get_or_insert_with(|| content.to_ascii_lowercase());
                }
                if !content.is_empty() {
                    if let Some(m) = STANDARD_META
                        .iter()
                        .find(|m| m.eq_ignore_ascii_case(name.trim()))
                    {
                        if !meta_tags.contains(m) {
                            meta_tags.push(m);
                        }
                    }
                }
            }
            "script" => {
                let src = attr("src");
                if !src.is_empty() {
                    let file = src.rsplit('/').next().unwrap_or(src);
                    if FOOTER_SCRIPT.is_match(file) {
                        undecided.push(format!("外部脚本 {file} 未执行"));
                    }
                    if attr("id") == "_jiucuo_" {
                        error_report = true;
                    }
                } else {
                    let body: String = el.text().collect();
                    scripts.push_str(&body);
                    scripts.push('\n');
                }
            }
            "img" | "input" | "button" | "a" | "area" => {
                for a in ["alt", "title", "value", "placeholder"] {
                    let t = attr(a);
                    if !t.is_empty() {
                        texts.push(t.to_string());
                        if t.contains("党政机关") {
                            conac = true;
                        }
                        if t.contains("找错") {
                            error_report = true;
                        }
                    }
                }
                if v.name() == "input" {
                    let ty = attr("type").to_ascii_lowercase();
                    let joined = ["name", "id", "class", "placeholder", "title", "value"]
                        .map(attr)
                        .join(" ");
                    if matches!(ty.as_str(), "" | "text" | "search") {
                        search |= search_word(&joined) || in_search_form(el);
                    } else if matches!(ty.as_str(), "submit" | "button" | "image") {
                        // A search button is often a picture: search.png, btn_sousuo.gif.
                        search |= search_word(&joined)
                            || search_word(attr("alt"))
                            || search_word(attr("src"));
                    }
                } else if matches!(v.name(), "a" | "button") {
                    // Its attributes and what it holds (text, an icon's src / alt).
                    search |= search_word(&super::dom::subtree_words(el));
                }
            }
            "form" => {}
            "span" | "div" | "p" | "td" | "li" => {
                let empty = el.text().all(|t| t.trim().is_empty())
                    && !el.children().any(|c| {
                        c.value()
                            .as_element()
                            .is_some_and(|e| matches!(e.name(), "img" | "a" | "iframe"))
                    });
                if attr("id") == "_ideConac" {
                    conac_slot = true;
                }
                if empty
                    && (v.attr("data-setting").is_some()
                        || names_footer(attr("id"))
                        || names_footer(attr("class")))
                {
                    let name = if v.attr("data-setting").is_some() {
                        "data-setting"
                    } else {
                        "页脚"
                    };
                    let why = format!("{name}占位元素为空（由脚本填充）");
                    if !undecided.contains(&why) {
                        undecided.push(why);
                    }
                }
            }
            _ => {}
        }
    }
    for l in links {
        let u = l.url.to_ascii_lowercase();
        if u.contains("conac.cn") {
            conac = true;
        }
        if ERROR_REPORT_URL.is_match(&u) || l.text.contains("找错") {
            error_report = true;
        }
    }

    // The visible text, then what the inline scripts would write.
    let visible = visible_text(doc);
    error_report |= visible.contains("我为政府网站找错");
    let joined = JOIN_LITERALS
        .replace_all(&resolve_vars(&scripts), "")
        .into_owned();
    let script_text = TAGS.replace_all(&joined, "").into_owned();
    let dom_text = TAGS.replace_all(&visible, "").into_owned();
    texts.push(dom_text.clone());
    texts.push(script_text.clone());
    conac |= joined.contains("conac.cn") || dom_text.contains("党政机关网站标识");
    if conac_slot && !conac {
        undecided.push("党政机关标识占位元素 _ideConac 为空".into());
    }
    let all = texts.join("\n");
    meta_tags.sort_by_key(|m| STANDARD_META.iter().position(|s| s == m));
    let identity = Identity {
        site_code: SITE_CODE
            .captures(&all)
            .map(|c| c[1].replace(char::is_whitespace, "")),
        icp: ICP.captures(&all).map(|c| {
            format!(
                "{}ICP备{}号{}",
                &c[1],
                &c[2],
                c.get(3)
                    .map(|m| m.as_str().replace(char::is_whitespace, ""))
                    .unwrap_or_default()
            )
        }),
        police: POLICE
            .captures(&all)
            .map(|c| format!("{}公网安备{}号", &c[1], &c[2])),
        conac,
        undecided,
    };
    PageFacts {
        meta_tags: meta_tags.into_iter().map(str::to_string).collect(),
        site_domain,
        identity,
        search,
        error_report,
        fields: fields(&pieces(doc)).into(),
    }
}

/// Put the values of simple string variables where a script writes them
/// between literals (`'标识码：' + code + '</p>'`).
fn resolve_vars(script: &str) -> String {
    let vars: BTreeMap<&str, &str> = STRING_VAR
        .captures_iter(script)
        .filter_map(|c| Some((c.get(1)?.as_str(), c.get(2)?.as_str())))
        .collect();
    if vars.is_empty() {
        return script.to_string();
    }
    JOIN_VAR
        .replace_all(script, |c: &regex::Captures| match vars.get(&c[1]) {
            Some(v) => (*v).to_string(),
            None => c[0].to_string(),
        })
        .into_owned()
}

/// A text input inside a form that is not a login form is a search box
/// when the form says so (action, id, name, class) or has nothing else to be.
fn in_search_form(input: ElementRef<'_>) -> bool {
    let Some(form) = input
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "form")
    else {
        return false;
    };
    let f = form.value();
    let own = ["action", "id", "name", "class", "onsubmit"]
        .map(|a| f.attr(a).unwrap_or(""))
        .join(" ");
    if search_word(&own) {
        return true;
    }
    let inputs: Vec<ElementRef> = form
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| matches!(e.value().name(), "input" | "textarea" | "select"))
        .collect();
    let fields = inputs
        .iter()
        .filter(|e| {
            let ty = e.value().attr("type").unwrap_or("").to_ascii_lowercase();
            !matches!(
                ty.as_str(),
                "hidden" | "submit" | "button" | "image" | "reset"
            )
        })
        .count();
    let login = inputs.iter().any(|e| {
        let v = e.value();
        v.attr("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("password"))
            || LOGIN_WORD.is_match(&format!(
                "{} {} {}",
                v.attr("name").unwrap_or(""),
                v.attr("id").unwrap_or(""),
                v.attr("placeholder").unwrap_or("")
            ))
    });
    fields == 1 && !login && search_word(&form.text().collect::<String>())
}

/// The page's visible text (no scripts or styles), text nodes joined by newlines.
fn visible_text(doc: &Html) -> String {
    pieces(doc).join("\n")
}

/// Trimmed non-empty text nodes outside scripts and styles, in order.
fn pieces(doc: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for node in doc.root_element().descendants() {
        let Node::Text(t) = node.value() else {
            continue;
        };
        let hidden = node.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript" | "template"))
        });
        let t = t.trim();
        if !hidden && !t.is_empty() {
            out.push(t.to_string());
        }
    }
    out
}

/// 信息公开 metadata labels → canonical names. Templates pad labels with
/// spaces (`索 引 号：`, `文　　号：`), so spaces may separate the characters.
const FIELD_LABELS: [(&str, &str); 16] = [
    ("索引号", "索引号"),
    ("发布机构", "发布机构"),
    // 开普云 / 网站群 gkml templates name the publishing body 责任部门 or
    // 发布部门 (索引号 · 生成日期 · 公开方式 · 责任部门).
    ("责任部门", "发布机构"),
    ("发布部门", "发布机构"),
    ("发文机关", "发布机构"),
    ("发文单位", "发布机构"),
    ("发布单位", "发布机构"),
    ("发文字号", "文号"),
    ("发文文号", "文号"),
    ("文号", "文号"),
    ("生成日期", "生成日期"),
    ("成文日期", "成文日期"),
    ("发文日期", "成文日期"),
    ("发布日期", "发布日期"),
    ("发布时间", "发布日期"),
    ("公开日期", "发布日期"),
];

static FIELD_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let alts: Vec<String> = FIELD_LABELS
        .iter()
        .map(|(l, _)| {
            l.chars()
                .map(String::from)
                .collect::<Vec<_>>()
                .join(r"\s{0,3}")
        })
        .collect();
    re(&format!(
        r"(?:^|[\s|｜】\]])({})\s*([:：]|$)",
        alts.join("|")
    ))
});

/// Where a field's value ends inside a line: a wide gap, or the next
/// `标签：` (来源：, 浏览次数：) that is not one of ours.
static VALUE_END: LazyLock<Regex> =
    LazyLock::new(|| re(r"\x{3000}|\s{2,}|[\p{Han}A-Za-z]{2,6}\s*[:：]"));

fn canonical(label: &str) -> &'static str {
    let l: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    FIELD_LABELS
        .iter()
        .find(|(k, _)| *k == l)
        .map_or("", |(_, c)| c)
}

/// The labelled fields of a metadata table or line. A label needs a colon,
/// or must be a text piece of its own (a table header cell); its value runs
/// to the next label in the same piece, or is the next piece when nothing
/// follows it (`<td>索引号：</td><td>001/2026-0012</td>`).
fn fields(pieces: &[String]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (i, p) in pieces.iter().enumerate() {
        let hits: Vec<_> = FIELD_LABEL.captures_iter(p).collect();
        for (j, c) in hits.iter().enumerate() {
            let label = c.get(1).expect("group");
            let whole = c.get(0).expect("match");
            let colon = !c[2].is_empty();
            if !colon && label.as_str().len() != p.trim().len() {
                continue;
            }
            let end = hits
                .get(j + 1)
                .map_or(p.len(), |n| n.get(0).expect("match").start());
            let rest = p[whole.end().min(end)..end].trim();
            let cut = VALUE_END.find(rest).map_or(rest.len(), |m| m.start());
            let mut value = rest[..cut].trim().to_string();
            if value.is_empty() && j + 1 == hits.len() {
                if let Some(next) = pieces.get(i + 1) {
                    if !FIELD_LABEL.is_match(next) {
                        value = next.trim().to_string();
                    }
                }
            }
            let value: String = value.chars().take(60).collect();
            let key = canonical(label.as_str());
            if key.is_empty() {
                continue;
            }
            let slot = out.entry(key.to_string()).or_insert_with(String::new);
            if slot.is_empty() {
                *slot = value;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(html: &str) -> PageFacts {
        let url = url::Url::parse("http://127.0.0.1/x/").unwrap();
        super::super::parse_page(&url, html).facts
    }

    #[test]
    fn footer_identifiers_in_text_spans_and_alt() {
        let f = facts(
            r#"<html><body><div class="footer">网站标识码： bm 64130001 京<span>ICP</span>备 05070602 号-1
            <img src="/ga.png" alt="京公网安备11010202000001号">
            <a href="http://bszs.conac.cn/sitename?method=show&id=1"><img src="red.png"></a></div></body></html>"#,
        );
        let id = f.identity;
        assert_eq!(id.site_code.as_deref(), Some("bm64130001"));
        assert_eq!(id.icp.as_deref(), Some("京ICP备05070602号-1"));
        assert_eq!(id.police.as_deref(), Some("京公网安备11010202000001号"));
        assert!(id.conac);
        assert!(id.undecided.is_empty());
    }

    #[test]
    fn identifiers_written_by_inline_script_are_read() {
        let f = facts(
            r#"<html><body><script>var c = "3301000001"; document.write('<p>网站标识码：' + c + ' ' + '备案号：浙ICP备12345678</p>');
            var s = "浙公网安备 33010602001234号";</script></body></html>"#,
        );
        assert_eq!(f.identity.site_code.as_deref(), Some("3301000001"));
        assert_eq!(f.identity.icp.as_deref(), Some("浙ICP备12345678号"));
        assert_eq!(
            f.identity.police.as_deref(),
            Some("浙公网安备33010602001234号")
        );
    }

    #[test]
    fn external_footer_and_placeholders_are_undecided() {
        let f = facts(
            r#"<html><body><div id="footer"></div><div data-setting="footer"></div>
            <script src="/js/footer.js"></script><span id="_ideConac"></span></body></html>"#,
        );
        assert_eq!(f.identity.site_code, None);
        assert!(f.identity.undecided.iter().any(|u| u.contains("footer.js")));
        assert!(f
            .identity
            .undecided
            .iter()
            .any(|u| u.contains("data-setting")));
        assert!(f.identity.undecided.iter().any(|u| u.contains("_ideConac")));
    }

    #[test]
    fn bare_digits_are_not_a_site_code() {
        let f = facts("<html><body>电话：0571870123456 邮编 3100000000</body></html>");
        assert!(f.identity.is_empty());
    }

    #[test]
    fn search_forms_links_and_look_alikes() {
        assert!(facts(r#"<form action="/search.jsp"><input name="q"><input type="submit" value="搜索"></form>"#).search);
        assert!(facts(r#"<input type="text" id="keyword" placeholder="请输入关键字">"#).search);
        assert!(facts(r#"<a href="/so/index.html">站内搜索</a>"#).search);
        assert!(facts(r#"<form action="/s"><input name="q"><input type="image" src="/images/btn_search.gif"></form>"#).search);
        assert!(facts(r#"<button onclick="go()"><img src="/images/sousuo.png"></button>"#).search);
        assert!(!facts(r#"<form action="/login.do"><input name="username"><input type="password" name="pwd"><input type="submit" value="登录"></form>"#).search);
        assert!(!facts(r#"<a href="/research/dy.html">调研报告</a>"#).search);
        assert!(!facts(r#"<form action="/bjcx.do"><input name="sblsh"><input type="submit" value="办件查询"></form>"#).search);
    }

    #[test]
    fn error_report_entrances() {
        assert!(facts(r#"<script id="_jiucuo_" sitecode="bm64130001" src="//zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>"#).error_report);
        assert!(facts(r#"<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=bm1"><img src="jc.png"></a>"#).error_report);
        assert!(
            facts(r#"<a href="/jc.html"><img src="jc.png" alt="我为政府网站找错"></a>"#)
                .error_report
        );
        assert!(!facts(r#"<a href="/feedback.html">我要纠错</a>"#).error_report);
    }

    #[test]
    fn meta_tags_case_insensitive_and_nonempty() {
        let f = facts(
            r#"<html><head><meta name="sitename" content="区政府"><meta name="SiteIDCode" content="">
            <meta name="ArticleTitle" content="关于…"><meta name="SiteDomain" content=" WWW.Yx.gov.cn ">
            </head><body></body></html>"#,
        );
        assert_eq!(f.meta_tags, ["SiteName", "SiteDomain", "ArticleTitle"]);
        assert_eq!(f.site_domain.as_deref(), Some("www.yx.gov.cn"));
    }

    #[test]
    fn metadata_table_and_inline_fields() {
        let f = facts(
            r#"<table><tr><td>索 引 号：</td><td>001/2026-00012</td><td>发布机构：</td><td></td></tr>
            <tr><td>文号</td><td>区政发〔2026〕3号</td><td>成文日期：</td><td>2026-11-02</td></tr></table>
            <p>生成日期：2026-11-03 发布日期：2026-11-04　来源：本站</p><p>本文号召大家：发布日期</p>
            <p>文　　号：区政发〔2026〕3号</p>"#,
        );
        assert_eq!(f.fields["索引号"], "001/2026-00012");
        assert_eq!(f.fields["发布机构"], "");
        assert_eq!(f.fields["文号"], "区政发〔2026〕3号");
        assert_eq!(f.fields["成文日期"], "2026-11-02");
        assert_eq!(f.fields["生成日期"], "2026-11-03");
        assert_eq!(f.fields["发布日期"], "2026-11-04");
    }
}
