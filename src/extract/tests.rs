//! Page-level tests on the realistic samples in fixtures/extract/: each CMS
//! style's list, its paging, article fields, links by area and section, and
//! the look-alikes that must stay silent (menus, footers, a sentence with 暂无).

use chrono::NaiveDate;
use url::Url;

use super::*;
use crate::site::LinkArea;

fn fixture(name: &str) -> String {
    let p = format!("{}/fixtures/extract/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

fn all_items(p: &ParsedPage) -> Vec<&Item> {
    p.lists.iter().flat_map(|b| &b.items).collect()
}

#[test]
fn jcms_column_page_reads_datastore_and_plans_dataproxy_requests() {
    let url = u("http://fgj.example.gov.cn/col/col1229/index.html");
    let p = parse_page(&url, &fixture("jcms-column.html"));
    let jcms: Vec<_> = p.lists.iter().filter(|b| b.style == "jcms").collect();
    assert_eq!(jcms.len(), 1, "{:#?}", p.lists);
    let items = &jcms[0].items;
    assert_eq!(items.len(), 45);
    assert_eq!(items[0].title, "区发展改革局召开第120次重点项目推进会");
    assert_eq!(
        items[0].url.as_deref(),
        Some("http://fgj.example.gov.cn/art/2026/11/20/art_1229_1120.html")
    );
    assert_eq!(items[0].date, d(2026, 11, 20));
    // Truncated text (…): the title attribute gives the full title.
    assert!(items.iter().all(|i| !i.title.contains('…')));
    assert_eq!(items[5].title, "区发展改革局召开第115次重点项目推进会");
    // No other list: the menus are not lists, the footer date is not an item.
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    assert!(!p.placeholder);
    // 120 records, 45 shown, perPage 15 × groupSize 3 → 46–90, 91–120.
    assert_eq!(p.next_pages.len(), 2, "{:#?}", p.next_pages);
    let NextRequest::PostForm { url: u1, form } = &p.next_pages[0] else {
        panic!("expected a POST: {:?}", p.next_pages[0]);
    };
    assert_eq!(
        u1.as_str(),
        "http://fgj.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    );
    let get = |k: &str| form.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
    assert_eq!(get("columnid"), Some("1229"));
    assert_eq!(get("unitid"), Some("4568"));
    assert_eq!(get("webid"), Some("1"));
    assert_eq!(get("webname"), Some("区发改局"));
    assert_eq!(get("path"), Some("http://fgj.example.gov.cn/"));
    assert_eq!(get("permissiontype"), Some("0"));
    assert_eq!(
        p.next_pages[1].url().query(),
        Some("startrecord=91&endrecord=120&perpage=15")
    );
    // Record links are page links too (the crawler checks them).
    assert!(
        p.links
            .iter()
            .any(|l| l.url.ends_with("/art/2026/11/20/art_1229_1120.html")
                && l.area == LinkArea::Body)
    );
    // Navigation: header menu and left menu columns; 首页 is not one.
    let names: Vec<&str> = p.nav.iter().map(|n| n.name.as_str()).collect();
    for want in [
        "工作动态",
        "通知公告",
        "政策文件",
        "政策解读",
        "区情概况",
        "部门动态",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    assert!(!names.contains(&"首页"));
    assert!(!names.contains(&"网站地图"), "footer links are not nav");
    assert_eq!(p.title, "工作动态_区发展和改革局");
}

#[test]
fn jcms_dataproxy_answer_is_one_list_without_paging() {
    let url = u("http://fgj.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15");
    let p = parse_list_fragment(&url, &fixture("jcms-dataproxy.xml"));
    assert_eq!(p.lists.len(), 1);
    assert_eq!(p.lists[0].style, "jcms");
    let items = &p.lists[0].items;
    assert_eq!(items.len(), 45);
    assert_eq!(items[0].title, "区发展改革局召开第75次重点项目推进会");
    assert_eq!(
        items[0].url.as_deref(),
        Some("http://fgj.example.gov.cn/art/2026/8/22/art_1229_1075.html")
    );
    assert_eq!(items[0].date, d(2026, 8, 22));
    assert!(p.next_pages.is_empty());
    assert!(!p.placeholder);
}

#[test]
fn jcms_empty_datastore_is_a_placeholder() {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore><totalrecord>0</totalrecord><recordset><record><![CDATA[<li>暂无信息</li>]]></record></recordset></datastore>";
    let p = parse_list_fragment(&u("http://a.gov.cn/module/web/jpage/dataproxy.jsp"), body);
    assert!(p.placeholder);
    assert!(p.lists[0].items.is_empty());
}

#[test]
fn trs_list_first_page_requests_every_later_page() {
    let url = u("http://www.example.gov.cn/tzgg/index.html");
    let p = parse_page(&url, &fixture("trs-list.html"));
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    let b = &p.lists[0];
    assert_eq!(b.style, "trs");
    assert_eq!(b.items.len(), 20);
    assert_eq!(
        b.items[0].url.as_deref(),
        Some("http://www.example.gov.cn/tzgg/202611/t20261118_4830000.html")
    );
    assert_eq!(b.items[0].date, d(2026, 11, 18));
    assert_eq!(b.heading.as_deref(), Some("通知公告"));
    let urls: Vec<&str> = p.next_pages.iter().map(|r| r.url().as_str()).collect();
    assert_eq!(
        urls,
        [
            "http://www.example.gov.cn/tzgg/index_1.html",
            "http://www.example.gov.cn/tzgg/index_2.html",
            "http://www.example.gov.cn/tzgg/index_3.html",
            "http://www.example.gov.cn/tzgg/index_4.html",
        ]
    );
    assert!(p
        .next_pages
        .iter()
        .all(|r| matches!(r, NextRequest::Get(_))));
    // Same from a directory URL.
    let p = parse_page(
        &u("http://www.example.gov.cn/tzgg/"),
        &fixture("trs-list.html"),
    );
    assert_eq!(
        p.next_pages[0].url().as_str(),
        "http://www.example.gov.cn/tzgg/index_1.html"
    );
}

#[test]
fn trs_later_page_requests_nothing() {
    let url = u("http://www.example.gov.cn/tzgg/index_2.html");
    let p = parse_page(&url, &fixture("trs-list-2.html"));
    assert_eq!(all_items(&p).len(), 20);
    assert_eq!(all_items(&p)[0].date, d(2026, 10, 9));
    assert!(p.next_pages.is_empty(), "{:?}", p.next_pages);
}

#[test]
fn gkml_table_uses_header_columns() {
    let url = u("http://www.example.gov.cn/xxgk/zcwj/index.html");
    let p = parse_page(&url, &fixture("gkml-table.html"));
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    let b = &p.lists[0];
    assert_eq!(b.style, "gkml-table");
    assert_eq!(b.items.len(), 12);
    assert_eq!(
        b.items[0].title,
        "某某区人民政府关于印发第1号规范性文件的通知"
    );
    // 发布日期 (last column), not 成文日期 three days earlier.
    assert_eq!(b.items[0].date, d(2026, 11, 15));
    assert_eq!(b.items[11].date, d(2026, 9, 21));
}

#[test]
fn plain_list_bare_dates_and_next_link() {
    let url = u("http://www.example.gov.cn/news/list.aspx?page=2");
    let p = parse_page(&url, &fixture("plain-list.html"));
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    let b = &p.lists[0];
    assert_eq!(b.style, "html-list");
    assert_eq!(b.items.len(), 5);
    assert_eq!(b.heading.as_deref(), Some("工作动态"));
    // [11-03] takes its year from the page's full date (2026年11月05日).
    assert_eq!(b.items[0].date, d(2026, 11, 3));
    assert_eq!(b.items[4].date, d(2026, 1, 5));
    assert_eq!(
        b.items[0].url.as_deref(),
        Some("http://www.example.gov.cn/news/show.aspx?id=5000")
    );
    assert_eq!(
        p.next_pages,
        vec![NextRequest::Get(u(
            "http://www.example.gov.cn/news/list.aspx?page=3"
        ))]
    );
}

#[test]
fn homepage_blocks_with_headings_and_more_links() {
    let url = u("http://fgj.example.gov.cn/");
    let p = parse_page(&url, &fixture("homepage.html"));
    assert_eq!(p.lists.len(), 2, "{:#?}", p.lists);
    let tz = &p.lists[0];
    assert_eq!(tz.heading.as_deref(), Some("通知公告"));
    assert_eq!(
        tz.more.as_ref().map(Url::as_str),
        Some("http://fgj.example.gov.cn/tzgg/")
    );
    assert_eq!(tz.items.len(), 3);
    assert_eq!(
        tz.items[0].title,
        "关于2026年度政府信息公开工作年度报告编制工作的通知"
    );
    let dt = &p.lists[1];
    assert_eq!(dt.heading.as_deref(), Some("工作动态"));
    assert_eq!(
        dt.more.as_ref().map(Url::as_str),
        Some("http://fgj.example.gov.cn/zwdt/index.html")
    );
    // Bare 11-20: year from the URL; 10-30 (no year in URL): from the page.
    assert_eq!(dt.items[0].date, d(2026, 11, 20));
    assert_eq!(dt.items[2].date, d(2026, 10, 30));
    // The footer's 最后更新 date is no item.
    assert!(all_items(&p).iter().all(|i| i.date != d(2026, 11, 21)));
    // Navigation columns, no furniture.
    let names: Vec<&str> = p.nav.iter().map(|n| n.name.as_str()).collect();
    for want in ["通知公告", "工作动态", "政策文件", "政策解读"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    // Hub menus (政务公开, 互动交流) list sub-columns, not items.
    for no in [
        "首页",
        "无障碍",
        "长者模式",
        "English",
        "网站地图",
        "联系我们",
        "区政府门户",
        "政务公开",
        "互动交流",
    ] {
        assert!(!names.contains(&no), "{no} in {names:?}");
    }
    // Area labels.
    let area = |t: &str| p.links.iter().find(|l| l.text == t).map(|l| l.area);
    assert_eq!(area("通知公告"), Some(LinkArea::Nav));
    assert_eq!(area("网站地图"), Some(LinkArea::Footer));
    assert_eq!(area("中国政府网"), Some(LinkArea::Body));
    let friend = p.links.iter().find(|l| l.text == "中国政府网").unwrap();
    assert_eq!(friend.section.as_deref(), Some("友情链接"));
    assert!(p
        .links
        .iter()
        .any(|l| l.tag == "script" && l.url == "http://fgj.example.gov.cn/js/jquery.min.js"));
    assert!(p
        .links
        .iter()
        .any(|l| l.tag == "img" && l.url == "http://fgj.example.gov.cn/images/banner1.jpg"));
    assert!(!p.placeholder);
    assert_eq!(p.title, "某某区发展和改革局");
}

#[test]
fn article_title_date_text_and_sections() {
    let url = u("http://www.example.gov.cn/zwgk/zcwj/202611/t20261103_5550.html");
    let p = parse_page(&url, &fixture("article.html"));
    assert_eq!(p.title, "关于印发《某某区促进数字经济发展若干政策》的通知");
    assert_eq!(p.date, d(2026, 11, 3));
    assert!(p.text.starts_with("各街道办事处"), "{}", p.text);
    assert!(p.text.contains("请认真组织实施。"));
    assert!(
        !p.text.contains("网站标识码"),
        "footer left out: {}",
        p.text
    );
    assert!(!p.text.contains("您当前的位置"), "breadcrumb left out");
    assert!(!p.text.contains("  "));
    // 暂无 inside a sentence is no placeholder; an article has no list but
    // itself (as a single-page column would), the 相关解读 block is no list.
    assert!(!p.placeholder);
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    assert_eq!(p.lists[0].style, "single-page");
    assert_eq!(p.lists[0].items[0].url.as_deref(), Some(url.as_str()));
    let jd = p
        .links
        .iter()
        .find(|l| l.url.ends_with("t20261104_5551.html"))
        .unwrap();
    assert_eq!(jd.area, LinkArea::Body);
    assert_eq!(jd.section.as_deref(), Some("相关解读"));
    let menu = p.links.iter().find(|l| l.text == "政策解读").unwrap();
    assert_eq!(menu.area, LinkArea::Nav);
    assert_ne!(menu.section.as_deref(), Some("相关解读"));
    let rel = p
        .links
        .iter()
        .find(|l| l.text == "中国政府网政策库")
        .unwrap();
    assert_eq!(rel.section.as_deref(), Some("相关链接"));
    let pdf = p.links.iter().find(|l| l.url.ends_with(".pdf")).unwrap();
    assert_eq!(pdf.area, LinkArea::Body);
    assert_ne!(pdf.section.as_deref(), Some("相关解读"));
    let crumb = p.links.iter().find(|l| l.text == "政务公开").unwrap();
    assert_eq!(crumb.area, LinkArea::Nav);
}

#[test]
fn article_date_from_text_when_no_meta() {
    let html = "<html><body><div class=\"art\"><h1>关于某事的通知</h1><p>成文日期：2026-10-28</p><p>发布日期：2026年11月3日</p><div class=\"zoom\"><p>正文内容正文内容正文内容。</p></div></div></body></html>";
    let p = parse_page(&u("http://a.gov.cn/a.html"), html);
    assert_eq!(p.date, d(2026, 11, 3));
    assert_eq!(p.title, "关于某事的通知");
    assert_eq!(p.text, "正文内容正文内容正文内容。");
    let html = "<html><head><meta name=\"Maketime\" content=\"2026-09-01 10:00:00\"></head><body><p>正文</p></body></html>";
    assert_eq!(
        parse_page(&u("http://a.gov.cn/a.html"), html).date,
        d(2026, 9, 1)
    );
    let html = "<html><body><p>本文无日期字段 2026-09-01</p></body></html>";
    assert_eq!(parse_page(&u("http://a.gov.cn/a.html"), html).date, None);
    let html = "<html><body><div class=\"info\">时间：2026-10-12 来源：区政府</div><p>报名时间：2026-12-01</p></body></html>";
    assert_eq!(
        parse_page(&u("http://a.gov.cn/a.html"), html).date,
        d(2026, 10, 12)
    );
    let html = "<html><body><p>报名时间：2026-12-01，截止日期：2026-12-31。</p></body></html>";
    assert_eq!(parse_page(&u("http://a.gov.cn/a.html"), html).date, None);
}

#[test]
fn empty_column_is_a_placeholder() {
    let p = parse_page(
        &u("http://www.example.gov.cn/ghjh/"),
        &fixture("empty-list.html"),
    );
    assert!(p.placeholder);
    assert!(all_items(&p).is_empty());
    assert_eq!(
        p.nav.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
        ["规划计划", "人事信息"]
    );
}

#[test]
fn decoded_gbk_pages_parse() {
    let bytes = std::fs::read(format!(
        "{}/fixtures/extract/gbk-header.html",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let dec = decode(&bytes, Some("text/html; charset=gbk"));
    let p = parse_page(&u("http://a.gov.cn/"), &dec.text);
    let items = all_items(&p);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].title, "关于开展2026年度安全生产检查的通知");
    let bytes = std::fs::read(format!(
        "{}/fixtures/extract/utf16le-declared-gb2312.html",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let dec = decode(&bytes, Some("text/html; charset=gb2312"));
    let p = parse_page(&u("http://a.gov.cn/"), &dec.text);
    assert_eq!(all_items(&p)[0].title, "某某区2026年政务公开工作要点");
    assert_eq!(p.title, "政务公开");
}

#[test]
fn nav_menu_alone_is_not_a_list() {
    let html = "<html><body><div class=\"box\"><ul><li><a href=\"/tzgg/\">通知公告</a></li><li><a href=\"/gzdt/\">工作动态</a></li><li><a href=\"/zcwj/\">政策文件</a></li></ul></div><p>某某区人民政府 2026-11-03</p></body></html>";
    let p = parse_page(&u("http://a.gov.cn/"), html);
    assert!(p.lists.is_empty(), "{:#?}", p.lists);
    // A body link list is not navigation.
    assert!(p.nav.is_empty(), "{:?}", p.nav);
}

#[test]
fn undated_title_lists_on_column_pages() {
    // A column list of titles only (dated on the item pages) is a list.
    let html = r#"<html><body><div class="nav"><a href="/gk/jggk/index.html">机构概况</a></div>
        <div class="list-box"><ul class="list">
        <li><a href="/gk/jggk/content/post_1.html" title="机构职能">机构职能</a></li>
        </ul></div></body></html>"#;
    let p = parse_page(&u("http://a.gov.cn/gk/jggk/index.html"), html);
    assert_eq!(all_items(&p).len(), 1, "{:#?}", p.lists);
    assert_eq!(all_items(&p)[0].title, "机构职能");
    assert_eq!(all_items(&p)[0].date, None);
    // Undated links to column pages (a menu in the body) are no list, nor
    // one undated link outside a list-named container, nor external links.
    for html in [
        r#"<ul class="list"><li><a href="/tzgg/index.html">通知公告栏目</a></li><li><a href="/gzdt/">工作动态栏目</a></li></ul>"#,
        r#"<div class="xgjd"><ul><li><a href="/zcjd/202611/t20261104_1.html">一图读懂某某政策</a></li></ul></div>"#,
        r#"<ul class="links"><li><a href="http://www.gov.cn/x/1.html">中国政府网首页</a></li><li><a href="http://b.gov.cn/x/2.html">市政府门户网站</a></li><li><a href="http://c.gov.cn/x/3.html">省政府门户网站</a></li></ul>"#,
    ] {
        let p = parse_page(&u("http://a.gov.cn/x/index.html"), html);
        assert!(p.lists.is_empty(), "{html}: {:#?}", p.lists);
    }
    // Three article links in an unnamed container do make a list.
    let html = r#"<div><ul><li><a href="/a/1.html">第一篇文章标题</a></li><li><a href="/a/2.html">第二篇文章标题</a></li><li><a href="/a/3.html">第三篇文章标题</a></li></ul></div>"#;
    let p = parse_page(&u("http://a.gov.cn/a/index.html"), html);
    assert_eq!(all_items(&p).len(), 3);
}

#[test]
fn a_table_inside_a_list_named_div_is_read_by_rows() {
    // The div around a gkml table must not read the whole table as one row.
    let html = r#"<div class="column-title"><h2>政策文件</h2></div><div class="xxgk-list"><table class="gkml">
        <thead><tr><th>序号</th><th>名称</th><th>索引号</th><th>发布机构</th><th>发布日期</th></tr></thead>
        <tbody>
        <tr><td>1</td><td><a href="/zcwj/content/post_1.html">关于印发第一个管理办法的通知</a></td><td>001/2026-00601</td><td>区局</td><td>2026-11-16</td></tr>
        <tr><td>2</td><td><a href="/zcwj/content/post_2.html">关于印发第二个管理办法的通知</a></td><td>001/2026-00602</td><td>区局</td><td>2026-10-29</td></tr>
        </tbody></table></div>"#;
    let p = parse_page(&u("http://a.gov.cn/zcwj/index.html"), html);
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    assert_eq!(p.lists[0].style, "gkml-table");
    assert_eq!(p.lists[0].heading.as_deref(), Some("政策文件"));
    let dates: Vec<_> = p.lists[0].items.iter().map(|i| i.date).collect();
    assert_eq!(dates, [d(2026, 11, 16), d(2026, 10, 29)]);
}

#[test]
fn tabbed_homepage_block_gives_each_list_its_tab_title() {
    let html = r#"<div class="tab-box">
      <ul class="tab-title"><li class="on"><a href="/tzgg/">通知公告</a></li><li><a href="/gzdt/">工作动态</a></li></ul>
      <div class="tab-con"><ul>
        <li><a href="/tzgg/202611/t20261118_1.html">关于开展冬季消防检查的通知</a><span>2026-11-18</span></li>
      </ul></div>
      <div class="tab-con" style="display:none"><ul>
        <li><a href="/gzdt/202611/t20261120_2.html">区发改局召开项目推进会议</a><span>2026-11-20</span></li>
      </ul></div>
    </div>"#;
    let p = parse_page(&u("http://a.gov.cn/"), html);
    assert_eq!(p.lists.len(), 2, "{:#?}", p.lists);
    assert_eq!(p.lists[0].heading.as_deref(), Some("通知公告"));
    assert_eq!(
        p.lists[0].more.as_ref().map(Url::as_str),
        Some("http://a.gov.cn/tzgg/")
    );
    assert_eq!(p.lists[1].heading.as_deref(), Some("工作动态"));
    assert_eq!(
        p.lists[1].more.as_ref().map(Url::as_str),
        Some("http://a.gov.cn/gzdt/")
    );
    // The tab bar itself is no list.
    assert_eq!(all_items(&p).len(), 2);
}

#[test]
fn day_box_dates() {
    let html = r#"<ul class="news">
      <li><div class="date"><span>03</span><em>2026-11</em></div><a href="/a/1.html">区政府召开第一次常务会议</a></li>
      <li><div class="date"><span>28</span><em>2026.10</em></div><a href="/a/2.html">区政府召开第二次常务会议</a></li>
    </ul>"#;
    let p = parse_page(&u("http://a.gov.cn/"), html);
    let dates: Vec<_> = all_items(&p).iter().map(|i| i.date).collect();
    assert_eq!(dates, [d(2026, 11, 3), d(2026, 10, 28)]);
}

#[test]
fn homepage_logo_link_is_not_a_column() {
    let html = r#"<div class="header"><div class="logo"><a href="/kong/">区空栏局</a></div></div>
        <div class="nav"><ul><li><a href="/kong/">首页</a></li><li><a href="/kong/gzdt/index.html">工作动态</a></li></ul></div>"#;
    for page in [
        "http://a.gov.cn/kong/",
        "http://a.gov.cn/kong/gzdt/index.html",
    ] {
        let p = parse_page(&u(page), html);
        let names: Vec<&str> = p.nav.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["工作动态"], "{page}");
    }
}

#[test]
fn table_layout_headings() {
    let html = r#"<table width="980"><tr><td width="480" valign="top">
      <table class="t1"><tr><td><img src="/images/icon.gif">通知公告</td><td align="right"><a href="/tzgg/list.asp">更多&gt;&gt;</a></td></tr></table>
      <table class="t2">
        <tr><td>·<a href="/tzgg/show.asp?id=31">关于开展冬季消防安全检查的通知</a></td><td>2026-11-18</td></tr>
        <tr><td>·<a href="/tzgg/show.asp?id=30">关于调整办公时间的公告</a></td><td>2026-11-02</td></tr>
      </table>
    </td></tr></table>"#;
    let p = parse_page(&u("http://a.gov.cn/"), html);
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    assert_eq!(p.lists[0].heading.as_deref(), Some("通知公告"));
    assert_eq!(
        p.lists[0].more.as_ref().map(Url::as_str),
        Some("http://a.gov.cn/tzgg/list.asp")
    );
    assert_eq!(p.lists[0].items.len(), 2);
    // A table row of data is no heading: links in the list keep the block's heading.
    let l = p.links.iter().find(|l| l.url.ends_with("id=30")).unwrap();
    assert_eq!(l.section.as_deref(), Some("通知公告"));
}

#[test]
fn article_title_from_title_tag_without_site_suffix() {
    let html = "<html><head><title>关于调整公交线路的通告_通知公告_某某区人民政府</title></head><body><div class=\"info\">发布日期：2026-11-03</div><div id=\"zoom\"><p>正文。</p></div></body></html>";
    let p = parse_page(&u("http://a.gov.cn/a.html"), html);
    assert_eq!(p.title, "关于调整公交线路的通告");
    // Not an article (no date, no body container): the title stays whole.
    let html =
        "<html><head><title>通知公告_某某区人民政府</title></head><body><ul></ul></body></html>";
    assert_eq!(
        parse_page(&u("http://a.gov.cn/tzgg/"), html).title,
        "通知公告_某某区人民政府"
    );
    // A short head before `_` is kept whole.
    let html = "<html><head><title>公告_某区</title></head><body><p>发布日期：2026-11-03</p></body></html>";
    assert_eq!(
        parse_page(&u("http://a.gov.cn/a.html"), html).title,
        "公告_某区"
    );
}

#[test]
fn related_block_named_only_by_its_class() {
    // The heading is an image; the block's class (xgjd = 相关解读) names it.
    let html = r#"<div id="zoom"><p>正文内容正文内容。</p></div>
        <div class="xgjd"><img src="/images/xgjd.png" alt=""><ul><li><a href="/zcjd/202611/t20261104_1.html">一图读懂某某政策</a></li></ul></div>
        <div class="other"><a href="/x/1.html">其他链接的标题</a></div>"#;
    let p = parse_page(&u("http://a.gov.cn/zcwj/202611/t20261103_1.html"), html);
    let jd = p
        .links
        .iter()
        .find(|l| l.url.ends_with("t20261104_1.html"))
        .unwrap();
    assert_eq!(jd.section.as_deref(), Some("相关解读"));
    let other = p
        .links
        .iter()
        .find(|l| l.url.ends_with("/x/1.html"))
        .unwrap();
    assert_eq!(other.section, None);
}

#[test]
fn gkml_table_prefers_generated_over_written_date() {
    // 大汉 信息公开目录: 名称 / 成文日期 / 生成日期 — the publish date is 生成日期.
    let html = r#"<table><tr><td>序号</td><td>索引号</td><td>名称</td><td>成文日期</td><td>生成日期</td></tr>
        <tr><td>1</td><td>001/2026-00001</td><td><a href="/art/2026/11/3/art_1_1.html">关于印发某某办法的通知</a></td><td>2026-10-28</td><td>2026-11-03</td></tr></table>"#;
    let p = parse_page(&u("http://a.gov.cn/col/col1/index.html"), html);
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    assert_eq!(p.lists[0].style, "gkml-table");
    assert_eq!(p.lists[0].items[0].title, "关于印发某某办法的通知");
    assert_eq!(p.lists[0].items[0].date, d(2026, 11, 3));
}

#[test]
fn single_page_column_is_its_own_item() {
    let html = r#"<html><head><title>机构职能</title></head><body><div class="nav"><a href="/jggk/">机构概况</a></div>
        <div class="main"><h2>机构职能</h2><div class="TRS_Editor"><p>区发展和改革局是区政府工作部门，为正科级。主要职责：拟订并组织实施全区国民经济和社会发展战略、中长期规划和年度计划。</p></div>
        <div class="info">发布日期：2025-03-01</div></div></body></html>"#;
    let url = u("http://a.gov.cn/jggk/jgzn/index.html");
    let p = parse_page(&url, html);
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    assert_eq!(p.lists[0].style, "single-page");
    let it = &p.lists[0].items[0];
    assert_eq!(
        it.url.as_deref(),
        Some("http://a.gov.cn/jggk/jgzn/index.html")
    );
    assert_eq!(it.date, d(2025, 3, 1));
    assert_eq!(it.date_source, crate::site::DateSource::Page);
    // An empty list page with a short intro is no single page; nor is a
    // placeholder page.
    let html = r#"<div class="main"><h2>人事信息</h2><div class="TRS_Editor"><p>本栏目发布人事信息。</p></div><ul class="list"></ul></div>"#;
    assert!(parse_page(&url, html).lists.is_empty());
    let p = parse_page(
        &u("http://www.example.gov.cn/ghjh/"),
        &fixture("empty-list.html"),
    );
    assert!(p.lists.is_empty());
    // Without a publish date (a hub homepage with a welcome text) neither.
    let html = r#"<div class="view"><p>欢迎访问某某区发展和改革局网站。本站提供政务公开、政策文件、办事服务、互动交流等信息与服务，欢迎社会各界人士浏览并提出宝贵意见和建议。</p></div>"#;
    assert!(parse_page(&u("http://a.gov.cn/"), html).lists.is_empty());
}

#[test]
fn real_labels_padded_with_spaces_still_name_the_date() {
    // 成 文 日 期 comes first in the page; 发 布 日 期 is the publish date.
    let url = u("http://www.example.gov.cn/xxgk/tzgg/202611/t20261103_231.html");
    let p = parse_page(&url, &fixture("real-spaced-labels.html"));
    assert_eq!(p.date, d(2026, 11, 3));
    // Only 成 文 日 期: that one (not the footer's date).
    let html =
        fixture("real-spaced-labels.html").replace("发 布 日 期：</b>2026年11月03日", "</b>");
    assert_eq!(parse_page(&url, &html).date, d(2026, 10, 28));
    // A spaced word that is no label (日 期 inside a sentence) stays silent.
    let html = "<html><body><div class=\"zoom\"><p>报名截止 发 布 会 2026-11-05 举行</p></div></body></html>";
    assert_eq!(parse_page(&url, html).date, None);
}

#[test]
fn real_pager_with_onclick_urls_and_spaced_words() {
    let url = u("http://www.example.gov.cn/zwgk/tzgg/index.html");
    let html = fixture("real-pager-onclick.html");
    let p = parse_page(&url, &html);
    assert_eq!(all_items(&p).len(), 3);
    let next: Vec<_> = p.next_pages.iter().map(|r| r.url().to_string()).collect();
    assert_eq!(next, ["http://www.example.gov.cn/zwgk/tzgg/index_1.html"]);
    // The onclick targets are links too (the crawler checks and follows them).
    assert!(p
        .links
        .iter()
        .any(|l| l.url == "http://www.example.gov.cn/zwgk/tzgg/index_4.html"));
    // Spaced text with a plain href.
    let plain = html.replace(
        "href=\"javascript:void(0)\" onclick=\"window.location.href='index_1.html';return false;\"",
        "href=\"index_1.html\"",
    );
    let p = parse_page(&url, &plain);
    assert_eq!(p.next_pages.len(), 1, "{:?}", p.next_pages);
    // A script call naming no URL (goPage(2)) gives no request, and no link.
    let js = html.replace(
        "href=\"javascript:void(0)\" onclick=\"window.location.href='index_1.html';return false;\"",
        "href=\"javascript:goPage(2)\"",
    );
    let p = parse_page(&url, &js);
    assert!(p.next_pages.is_empty(), "{:?}", p.next_pages);
    assert!(!p.links.iter().any(|l| l.url.contains("goPage")));
}

#[test]
fn visible_publish_date_beats_a_regenerated_pubdate_meta() {
    // Real 开普云 article: PubDate is the page's regeneration time, 发布日期
    // the publish date a clerk reads.
    let url = u("http://www.example.gov.cn/tjxx/202105/t20210515_1000.shtml");
    let p = parse_page(&url, &fixture("real-regenerated-pubdate.html"));
    assert_eq!(p.date, d(2021, 5, 15));
    assert_eq!(p.content.date_from, Some(DateFrom::Label));
    // Its one 关联稿件 link is no list: the page is its own single item.
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    assert_eq!(p.lists[0].style, "single-page");
    assert_eq!(p.lists[0].items[0].url.as_deref(), Some(url.as_str()));
    assert_eq!(p.lists[0].items[0].date, d(2021, 5, 15));
    // The link itself is still seen, in the body.
    assert!(p
        .links
        .iter()
        .any(|l| l.url.ends_with("t20210712_1001.shtml")));
}

#[test]
fn pubdate_meta_still_beats_document_dates() {
    // Look-alike: only 生成日期 (the document's date) is visible, so the
    // PubDate meta stays the publish date.
    let url = u("http://www.example.gov.cn/xxgk/202611/t20261103_2000.shtml");
    let p = parse_page(&url, &fixture("real-gkml-responsible-dept.html"));
    assert_eq!(p.date, d(2026, 11, 3));
    // 责任部门 is this template's 发布机构.
    assert_eq!(p.facts.fields["发布机构"], "某某县行政审批局");
    assert_eq!(p.facts.fields["索引号"], "014742224A/2026-0043406");
}

#[test]
fn a_column_list_headed_like_its_column_is_still_a_list() {
    // Look-alike of the 关联稿件 block: a dated article body beside a list
    // under its own heading (通知公告) keeps that list.
    let html = "<html><head><meta name=\"PubDate\" content=\"2026-11-03\"></head><body>\
        <div class=\"article-content\"><p>某某区人民政府办公室关于做好冬季安全生产工作的通知，请各单位认真贯彻落实，确保全区安全生产形势持续稳定向好。</p></div>\
        <div class=\"list\"><h3>通知公告</h3><ul><li><a href=\"/tzgg/202611/t20261101_3.html\">关于开展消防安全检查的通知</a><span>2026-11-01</span></li></ul></div>\
        </body></html>";
    let p = parse_page(
        &u("http://www.example.gov.cn/tzgg/202611/t20261103_2.html"),
        html,
    );
    assert!(
        p.lists.iter().all(|b| b.style != "single-page"),
        "{:#?}",
        p.lists
    );
    assert_eq!(all_items(&p).len(), 1);
}

#[test]
fn misnested_link_markup_parses_without_panicking() {
    // Real misnested tile markup made html5ever's serializer panic inside
    // the facts walk; the page must parse and keep its dated list.
    let url = u("http://xxgk.example.gov.cn/");
    let p = parse_page(&url, &fixture("real-misnested-link.html"));
    let items = all_items(&p);
    assert_eq!(items.len(), 2, "{:#?}", p.lists);
    assert!(items.iter().all(|i| i.date.is_some()));
    assert!(p.links.iter().any(|l| l.url.contains("/szzc/ldfg/")));
}

#[test]
fn ucap_content_cell_is_the_article_body() {
    // www.gov.cn-style policy page: the text sits in td#UCAP-CONTENT under a
    // metadata table; the page is its own item, dated by 发布日期.
    let url = u("http://www.example.gov.cn/zhengce/content/2026-02/14/content_5365711.htm");
    let p = parse_page(&url, &fixture("real-govcn-ucap.html"));
    assert_eq!(p.date, d(2026, 2, 14));
    assert_eq!(p.lists.len(), 1, "{:#?}", p.lists);
    assert_eq!(p.lists[0].style, "single-page");
    assert_eq!(p.lists[0].items[0].date, d(2026, 2, 14));
    assert!(p.text.contains("缓解小微企业融资难"), "{}", p.text);
    assert_eq!(p.facts.fields["索引号"], "000014349/2026-00006");
}
