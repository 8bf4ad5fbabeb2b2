//! Columns and their items on the CMS styles real sites use, crawled from
//! fixtures/crawl-cms on 127.0.0.1: 大汉 JCMS (dataproxy POSTs), TRS WCM
//! (createPageHTML), plain 下一页 lists, 政府信息公开目录 tables, and GBK pages
//! whose charset is only in the header or only in `<meta>`.

mod common;

use chrono::NaiveDate;
use common::*;
use govaudit::site::{ClassSource, Column, ColumnClass, DateSource, PageKind, Site};

async fn crawl_cms(path: &str) -> (Site, govaudit::serve::FixtureServer) {
    crawl_cms_with(path, |_| {}).await
}

async fn crawl_cms_with(
    path: &str,
    tune: impl FnOnce(&mut govaudit::config::Config),
) -> (Site, govaudit::serve::FixtureServer) {
    let server = serve(&fixture("crawl-cms")).await;
    let start = format!("{}{path}", server.base_url());
    let mut cfg = config(&[("cms", &start)]);
    tune(&mut cfg);
    let site = crawl(&cfg).await.remove(0);
    assert_eq!(requested_twice(&server), Vec::<String>::new());
    (site, server)
}

fn column<'a>(site: &'a Site, name: &str) -> &'a Column {
    site.columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no column {name} among {:?}",
                site.columns.iter().map(|c| &c.name).collect::<Vec<_>>()
            )
        })
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jcms_column_pages_through_dataproxy_posts() {
    let (site, server) = crawl_cms("/jcms/").await;
    assert!(site.start.ok);
    let c = column(&site, "工作动态");
    assert_eq!(c.class, ColumnClass::Dynamic);
    assert_eq!(c.class_source, ClassSource::Keyword);
    assert_eq!(c.style, "jcms");
    assert_eq!(c.items.len(), 17, "{:#?}", c.items);
    assert!(c.items.iter().all(|i| i.date.is_some()));
    assert_eq!(c.latest(), Some(d("2026-11-20")));
    assert_eq!(c.items[16].date, Some(d("2026-11-04")));
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path_and_query.contains("dataproxy.jsp"))
        .count();
    assert!(posts >= 3, "{posts} dataproxy POSTs");
    assert_eq!(c.list_pages as usize, 1 + posts);
    assert!(c.load_error.is_none() && !c.truncated);
    // Every item's article was fetched and belongs to the column.
    let articles: Vec<_> = site
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::Article && p.column.as_deref() == Some(c.url.as_str()))
        .collect();
    assert_eq!(articles.len(), 17);
    // The empty datastore column is an empty column, not a failed one.
    let empty = column(&site, "通知公告");
    assert!(empty.items.is_empty() && empty.load_error.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trs_column_pages_through_create_page_html() {
    let (site, server) = crawl_cms("/trs/").await;
    let c = column(&site, "通知公告");
    assert_eq!(c.class, ColumnClass::Notice);
    assert_eq!(c.items.len(), 12, "{:#?}", c.items);
    assert_eq!(c.list_pages, 3);
    assert_eq!(server.hits("/trs/tzgg/index_1.html"), 1);
    assert_eq!(server.hits("/trs/tzgg/index_2.html"), 1);
    // ./202611/t….html resolves against the list page it sits on.
    let first = &c.items[0];
    assert!(
        first
            .url
            .as_deref()
            .unwrap()
            .ends_with("/trs/tzgg/202611/t20261124_5001.html"),
        "{first:?}"
    );
    assert_eq!(first.date, Some(d("2026-11-24")));
    assert_eq!(c.items[11].date, Some(d("2026-11-13")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_list_follows_next_page_links_and_dates_undated_items_from_their_pages() {
    let (site, server) = crawl_cms("/plain/").await;
    let c = column(&site, "工作动态");
    assert_eq!(c.items.len(), 11, "{:#?}", c.items);
    assert_eq!(c.list_pages, 3);
    assert_eq!(server.hits("/plain/gzdt/list_3.html"), 1);
    assert_eq!(c.items[0].date, Some(d("2026-11-21")));
    assert_eq!(c.items[0].date_source, DateSource::List);
    // The last item has no list date: it comes from its article page.
    assert_eq!(c.items[9].date_source, DateSource::List);
    let last = &c.items[10];
    assert_eq!(last.date, Some(d("2026-11-11")));
    assert_eq!(last.date_source, DateSource::Page);
    // 暂无信息 is a placeholder, zero items.
    let empty = column(&site, "领导信息");
    assert!(empty.placeholder && empty.items.is_empty());
    // The homepage block's item is recorded with its list date.
    let home = site.homepage.as_ref().unwrap();
    assert!(home
        .items
        .iter()
        .any(|i| i.date == Some(d("2026-11-21")) && i.title.contains("第1条")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gkml_table_found_in_a_hub_page_navigation_and_a_failed_list_page() {
    let (site, _server) = crawl_cms("/gkml/").await;
    // The homepage only links the 政务公开 hub; its side navigation holds the columns.
    assert_eq!(site.columns.len(), 2, "{:?}", site.columns);
    let c = column(&site, "政策文件");
    assert_eq!(c.class, ColumnClass::Policy);
    assert_eq!(c.items.len(), 9, "{:#?}", c.items);
    // list_2.html was read (deep-linked from the homepage) before the
    // column was found: it counts as the column's second list page without
    // a second request (crawl_cms asserts no URL is requested twice).
    assert_eq!(c.list_pages, 2);
    let second = site
        .pages
        .iter()
        .find(|p| p.url.ends_with("/gkml/zcwj/list_2.html"))
        .unwrap();
    assert_eq!(
        (second.kind, second.column.as_deref()),
        (PageKind::List, Some(c.url.as_str()))
    );
    assert!(c.items[0].title.starts_with("关于印发目录测试局管理办法"));
    assert_eq!(c.style, "gkml-table");
    let list_page = site.pages.iter().find(|p| p.url == c.url).unwrap();
    assert_eq!(list_page.kind, PageKind::List);
    let articles = site
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::Article && p.column.as_deref() == Some(c.url.as_str()))
        .count();
    assert_eq!(articles, 9);
    assert_eq!(c.items[0].date, Some(d("2026-10-10")));
    assert_eq!(c.latest(), Some(d("2026-10-18")));
    // A list page that answers 404 is a load error, not an empty column.
    let failed = column(&site, "人事信息");
    assert_eq!(failed.load_error.as_deref(), Some("HTTP 404"));
    assert!(site
        .crawl_errors
        .iter()
        .any(|e| e.what == "list" && e.url.ends_with("/gkml/rsxx/index.html")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_charset_only_in_the_header_decodes() {
    let (site, _server) = crawl_cms("/gbkh/").await;
    let home = &site.pages[0];
    assert_eq!(home.kind, PageKind::Home);
    assert_eq!(home.title, "国标码测试局（头部声明）");
    assert_eq!(home.charset, "GBK");
    let c = column(&site, "工作动态");
    assert_eq!(c.items[0].title, "区测试局召开安全生产会议");
    let art = site
        .pages
        .iter()
        .find(|p| p.url.ends_with("/gbkh/gzdt/content/post_2.html"))
        .unwrap();
    assert_eq!(art.title, "区测试局开展消防检查");
    assert!(art.text.contains("现将有关事项通知如下"), "{}", art.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_charset_only_in_meta_decodes() {
    let (site, _server) = crawl_cms("/gbkm/").await;
    let home = &site.pages[0];
    assert_eq!(home.title, "国标码测试局（网页声明）");
    assert_eq!(home.charset, "GBK");
    let c = column(&site, "工作动态");
    assert_eq!(c.items[1].title, "区测试局召开党组会议");
    assert_eq!(c.items[1].date, Some(d("2026-11-11")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_toml_columns_override_a_class_and_add_a_column() {
    let (site, _server) = crawl_cms_with("/plain/", |cfg| {
        let base = cfg.sites[0].url.trim_end_matches("plain/").to_string();
        cfg.sites[0].columns = vec![
            govaudit::config::ColumnOverride {
                url: format!("{base}plain/gzdt/index.html"),
                class: Some(ColumnClass::Notice),
                name: None,
            },
            govaudit::config::ColumnOverride {
                url: format!("{base}trs/tzgg/index.html"),
                class: Some(ColumnClass::Notice),
                name: Some("外站通知".into()),
            },
        ];
    })
    .await;
    let c = column(&site, "工作动态");
    assert_eq!(
        (c.class, c.class_source),
        (ColumnClass::Notice, ClassSource::Config)
    );
    assert_eq!(c.items.len(), 11);
    // A configured column the navigation does not show is added and crawled.
    let added = column(&site, "外站通知");
    assert_eq!(added.class_source, ClassSource::Config);
    assert_eq!(added.items.len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf16_bytes_declared_gb2312_still_decode() {
    let (site, _server) = crawl_cms("/utf16/").await;
    assert!(site.start.ok);
    let home = &site.pages[0];
    assert_eq!(home.title, "双字节测试局");
    assert!(home.charset.starts_with("UTF-16"), "{}", home.charset);
    let c = column(&site, "通知公告");
    assert_eq!(c.items.len(), 2, "{:#?}", c.items);
    assert_eq!(c.items[0].title, "关于开展防汛演练的通知");
    assert_eq!(c.items[0].date, Some(d("2026-11-16")));
}
