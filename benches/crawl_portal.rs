//! Crawl benchmark (issue 2, "Speed and memory"): generate a district portal
//! of 42 department sites and about 21,000 pages (5–15 KB each, mixed list
//! styles: plain lists with 下一页/尾页, TRS `createPageHTML`, 大汉 JCMS
//! datastores with a dataproxy, 政府信息公开目录 tables; links between
//! articles; PDF attachments, a few of them missing) into a temp folder,
//! serve it with `govaudit::serve` on 127.0.0.1 and crawl it with
//! `govaudit::crawl::crawl_all` with politeness lifted.
//!
//! Each site is handled as `govaudit audit` handles it: its pages' text
//! and links go to the snapshot's page file as the crawl stores them
//! (src/pagefile.rs), and when its crawl ends the site is written to the
//! snapshot and judged by every rule (the text rules read the pages back one
//! at a time). `--in-memory` keeps the pages whole in the site instead (the
//! crawl before the page file), for comparison.
//!
//! Prints pages, seconds, pages/s, the time the rules took and peak RSS
//! (VmHWM). By default the server runs in a child process of this same
//! binary, so the crawler's VmHWM is this process's alone; the server's is
//! read from the child's /proc status. `--in-process` runs both in one
//! process instead.
//!
//!     cargo bench --bench crawl_portal                    # 42 sites, ~21,000 pages
//!     cargo bench --bench crawl_portal -- --big           # one site of 21,000 pages
//!     cargo bench --bench crawl_portal -- --in-memory     # pages kept whole in the site
//!     cargo bench --bench crawl_portal -- --rule-times    # and the slowest rules' time
//!     cargo bench --bench crawl_portal -- --sites 10      # smaller
//!     cargo bench --bench crawl_portal -- --in-process
//!     cargo bench --bench crawl_portal -- --in-flight 2       # sites_in_flight bound (default: none)
//!     cargo bench --bench crawl_portal -- --max-memory-mb 150 # the scheduler's memory budget (default 300)
//!     cargo bench --bench crawl_portal -- --hosts 200 --sites 200   # default politeness, 200 hosts
//!     cargo bench --bench crawl_portal -- --keep /tmp/portal   # keep (and later reuse) the folder
//!     SITES=10 ARTICLES=20 cargo bench --bench crawl_portal    # ARTICLES per column
//!     cargo bench --bench crawl_portal -- --incremental   # run 1 vs run 2 with a history database
//!     cargo bench --bench crawl_portal -- --no-attachments  # attachments checked, not read
//!     TIMELINE=1 cargo bench --bench crawl_portal -- --hosts 200 --sites 200  # sites crawling every 5 s
//!
//! `--incremental` crawls the unchanged portal twice with a history
//! database (src/history/cache.rs) as `govaudit audit` does: run 1 stores
//! each page's validators and extraction, run 2 asks conditionally and
//! takes the 304s from the store; the judge gets the database's text cache
//! as `govaudit audit` does, so run 2 takes the typo results of unchanged
//! texts from it. It prints both runs' bytes, wall time (each including the
//! commit of its entries) and rules time, and fails unless run 2 read under
//! 10% of run 1's bytes, both found every page, item and broken link, and
//! run 2's findings equal run 1's.
//!
//! `--hosts N` (or `HOSTS=N`) serves the portal on 127.0.0.1 … 127.0.0.N,
//! puts site i on 127.0.0.(i % N + 1) and crawls with the default
//! politeness (2 requests in flight and one start per 200 ms per host,
//! robots.txt read); it prints the wall time against the ideal polite time,
//! the busiest host's requests × its delay (issue 8: aim within 2×).
//!
//! Attachments are real files in turn — a pdf with three pages of text, an
//! xlsx 名单 of 200 rows, a docx with paragraphs and a 50-row table (masked
//! numbers, so nothing fires) — and the crawl downloads and reads them as it
//! does on a real site; `--no-attachments` (`[crawl] attachments = false`)
//! gives the crawl without that cost, to compare.
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs a smoke
//! pass of four small sites (one per list style), so the test suite stays
//! fast. Either way it fails when the crawl missed pages, items or broken
//! attachments: a fast but incomplete crawl is not a result.
//!
//! Aim (issue 2): ≥ 1,000 pages/s on 2 cores, peak RSS < 300 MB.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use std::sync::Arc;

use govaudit::audit::Judge;
use govaudit::config::Config;
use govaudit::crawl::{CrawlOptions, CrawlSummary};
use govaudit::score::Profile;
use govaudit::site::Site;
use govaudit::snapshot::SnapshotWriter;

/// Articles per column; with 8 columns and 3 list pages each a site has
/// 1 + 24 + 480 + a site map = 506 pages.
const ARTICLES_PER_COLUMN: usize = 60;
/// Under `cargo test --all-targets` (no `--bench` argument) the binary only
/// runs a smoke pass this small, so the test suite stays fast.
const SMOKE_ARTICLES_PER_COLUMN: usize = 14;
/// `--big`: one site with 8 × 2,500 articles, 1,000 list pages, a homepage
/// and a site map (21,002 pages).
const BIG_ARTICLES_PER_COLUMN: usize = 2500;
/// `[crawl] max_attachments_per_site` of the benchmark's SITES.toml.
const MAX_ATTACHMENTS_PER_SITE: usize = 1000;
/// Items per list page (plain, TRS, gkml) and JCMS perPage.
const PER_PAGE: usize = 20;
/// Version of the generated portal, stamped into a kept folder.
const GENERATOR: &str = "portal-v3";
const COLUMNS: [(&str, &str); 8] = [
    ("工作动态", "gzdt"),
    ("通知公告", "tzgg"),
    ("政策文件", "zcwj"),
    ("政策解读", "zcjd"),
    ("部门动态", "bmdt"),
    ("人事信息", "rsxx"),
    ("规划计划", "ghjh"),
    ("公示公告", "gsgg"),
];
const DEPARTMENTS: [&str; 14] = [
    "发展和改革局",
    "教育局",
    "科学技术局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
];
const SENTENCES: [&str; 16] = [
    "会议指出，要坚持以人民为中心的发展思想，聚焦群众急难愁盼问题，推动各项工作落地见效。",
    "各单位要进一步提高思想认识，压实工作责任，细化工作措施，确保各项任务按时保质完成。",
    "下一步，将持续跟踪督促，定期梳理工作进展，及时研究解决工作中遇到的困难和问题。",
    "会议强调，要坚持问题导向和目标导向，加强部门协同配合，形成推动工作的强大合力。",
    "调研组一行先后来到街道便民服务中心、社区服务站和重点项目现场，实地察看工作开展情况。",
    "座谈会上，与会人员围绕优化营商环境、提升服务效能等议题进行了深入交流。",
    "据统计，今年以来累计办理各类事项一万余件，群众满意度保持在较高水平。",
    "本办法适用于本区行政区域内的相关活动，由区有关部门按照职责分工负责组织实施。",
    "各街道、各有关部门应当加强协作配合，建立健全工作机制，共同做好相关工作。",
    "公示期间，如有异议，请以书面形式向本单位反映，并提供真实姓名和联系方式。",
    "培训采取专题授课、案例分析和现场交流相结合的方式，进一步提升了干部的业务能力。",
    "要加强宣传引导，充分利用门户网站、政务新媒体等渠道，及时发布权威信息。",
    "要强化安全底线思维，全面排查各类风险隐患，建立问题清单，限时整改到位。",
    "通过一系列举措，全区公共服务供给能力持续增强，城乡面貌不断改善。",
    "现将有关事项通知如下，请各单位结合实际认真组织实施，并按时报送工作情况。",
    "本办法自印发之日起施行，有效期五年，由区有关部门负责解释。",
];

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Trs,
    Jcms,
    Gkml,
}

/// xorshift64*: deterministic page sizes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What the generator wrote, to compare with what the crawler saw.
#[derive(Default)]
struct Portal {
    sites: usize,
    html_pages: usize,
    list_pages: usize,
    articles: usize,
    attachments: usize,
    missing_attachments: usize,
    bytes: u64,
}

impl Portal {
    fn to_line(&self) -> String {
        format!(
            "{} {} {} {} {} {} {}",
            self.sites,
            self.html_pages,
            self.list_pages,
            self.articles,
            self.attachments,
            self.missing_attachments,
            self.bytes
        )
    }

    fn parse(line: &str) -> Option<Portal> {
        let n: Vec<u64> = line
            .split_whitespace()
            .map(|x| x.parse().ok())
            .collect::<Option<_>>()?;
        let [sites, html_pages, list_pages, articles, attachments, missing, bytes] = n[..] else {
            return None;
        };
        Some(Portal {
            sites: sites as usize,
            html_pages: html_pages as usize,
            list_pages: list_pages as usize,
            articles: articles as usize,
            attachments: attachments as usize,
            missing_attachments: missing as usize,
            bytes,
        })
    }
}

struct Writer<'a> {
    root: &'a Path,
    per_column: usize,
    portal: Portal,
}

impl Writer<'_> {
    fn put(&mut self, path: &str, body: &[u8]) {
        let p = self.root.join(path.trim_start_matches('/'));
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).expect("create folder");
        }
        std::fs::write(&p, body).expect("write file");
        self.portal.bytes += body.len() as u64;
        if path.ends_with(".html") {
            self.portal.html_pages += 1;
        }
    }
}

struct ArticleRef {
    url: String,
    title: String,
    date: String,
}

fn style_of(site: usize) -> Style {
    [Style::Plain, Style::Trs, Style::Jcms, Style::Gkml][site % 4]
}

fn date_of(col: usize, i: usize) -> (u32, u32, u32) {
    // Newest first, one item every ~2 days back from 2026-11-25.
    let days_back = (i * 2 + col) as i64;
    let d =
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap() - chrono::Duration::days(days_back);
    use chrono::Datelike;
    (d.year() as u32, d.month(), d.day())
}

fn page_head(out: &mut String, site_name: &str, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}_{site_name}</title>\n\
         <meta name=\"SiteName\" content=\"{site_name}\">\n<meta name=\"SiteIDCode\" content=\"3301100099\">\n\
         <meta name=\"keywords\" content=\"{site_name},政务公开,信息公开\">\n</head>\n<body>\n"
    );
}

fn header_nav(out: &mut String, prefix: &str, site_name: &str, columns: &[String]) {
    let _ = write!(
        out,
        "<div class=\"header\"><div class=\"logo\"><a href=\"{prefix}\">{site_name}</a></div>\
         <div class=\"search\"><form action=\"{prefix}search/\" method=\"get\"><input name=\"q\"></form></div></div>\n\
         <div class=\"nav\" id=\"nav\"><ul>\n<li><a href=\"{prefix}\">首页</a></li>\n"
    );
    for (i, (name, _)) in COLUMNS.iter().enumerate() {
        let _ = writeln!(out, "<li><a href=\"{}\">{name}</a></li>", columns[i]);
    }
    out.push_str("</ul></div>\n<div class=\"main\">\n");
}

fn footer(out: &mut String, prefix: &str, site_name: &str) {
    let _ = write!(
        out,
        "</div>\n<div class=\"footer\"><p>主办单位：{site_name}　地址：云溪区人民路88号　联系电话：0571-86012345</p>\
         <p>网站标识码：3301100099　浙ICP备05012345号-2　浙公网安备 33011002000123号</p>\
         <p><a href=\"{prefix}\">返回首页</a>　<a href=\"{prefix}wzdt/index.html\">网站地图</a></p></div>\n</body>\n</html>\n"
    );
}

/// Generate one site under `/dNN/`.
fn generate_site(w: &mut Writer, idx: usize, routes: &mut String) {
    let prefix = format!("/d{idx:02}/");
    let department = DEPARTMENTS[idx % DEPARTMENTS.len()];
    let site_name = format!("云溪区{department}");
    let style = style_of(idx);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (idx as u64 + 1));
    let column_urls: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(c, (_, slug))| match style {
            Style::Jcms => format!("{prefix}col/col{}/index.html", 1000 + idx * 10 + c),
            Style::Gkml => format!("{prefix}xxgk/{slug}/index.html"),
            _ => format!("{prefix}{slug}/index.html"),
        })
        .collect();
    let mut buf = String::with_capacity(32 * 1024);
    let mut home_blocks: Vec<(usize, Vec<ArticleRef>)> = Vec::new();
    let mut next_id = 10_000 + idx * 1000;

    for (c, (col_name, _)) in COLUMNS.iter().enumerate() {
        let col_url = &column_urls[c];
        let base = col_url.rsplit_once('/').unwrap().0.to_string();
        let colid = 1000 + idx * 10 + c;
        // Articles first: their URLs feed the lists.
        let per_column = w.per_column;
        let mut arts = Vec::with_capacity(per_column);
        for i in 0..per_column {
            let (y, m, d) = date_of(c, i);
            next_id += 1;
            let url = match style {
                Style::Jcms => format!("{prefix}art/{y}/{m}/{d}/art_{colid}_{next_id}.html"),
                Style::Trs => format!("{base}/{y}{m:02}/t{y}{m:02}{d:02}_{next_id}.html"),
                _ => format!("{base}/content/post_{next_id}.html"),
            };
            let title = format!(
                "{department}{col_name}工作{}（第{}期）",
                ["推进会召开", "情况通报", "专题部署", "调研座谈"][i % 4],
                per_column - i
            );
            arts.push(ArticleRef {
                url,
                title,
                date: format!("{y}-{m:02}-{d:02}"),
            });
        }
        for (i, a) in arts.iter().enumerate() {
            buf.clear();
            page_head(&mut buf, &site_name, &a.title);
            let _ = writeln!(buf, "<meta name=\"PubDate\" content=\"{} 09:30\">", a.date);
            header_nav(&mut buf, &prefix, &site_name, &column_urls);
            let _ = write!(
                buf,
                "<div class=\"position\">当前位置：<a href=\"{prefix}\">首页</a> &gt; <a href=\"{col_url}\">{col_name}</a> &gt; 正文</div>\n\
                 <div class=\"article\"><h1>{}</h1>\n<div class=\"info\">发布日期：{}　来源：{site_name}</div>\n<div class=\"content\" id=\"zoom\">\n",
                a.title, a.date
            );
            // 3–13 KB of body text: page sizes of 5–15 KB with the frame.
            let paragraphs = 6 + rng.below(24);
            for _ in 0..paragraphs {
                buf.push_str("<p>");
                for _ in 0..3 {
                    buf.push_str(SENTENCES[rng.below(SENTENCES.len())]);
                }
                buf.push_str("</p>\n");
            }
            buf.push_str("</div>\n");
            if i % 10 == 3 {
                let missing = i % 30 == 13;
                let ext = ["pdf", "xlsx", "docx"][(i / 10 + idx) % 3];
                let file = format!("{prefix}attach/{colid}/P0{}.{ext}", 20_260_000 + i);
                let _ = writeln!(
                    buf,
                    "<div class=\"attach\"><h3>附件：</h3><ul><li><a href=\"{file}\">附件{i}.{ext}</a></li></ul></div>"
                );
                if missing {
                    w.portal.missing_attachments += 1;
                } else {
                    let body = match ext {
                        "pdf" => attachment_pdf(i),
                        "xlsx" => attachment_xlsx(i),
                        _ => attachment_docx(i),
                    };
                    w.put(&file, &body);
                }
                w.portal.attachments += 1;
            }
            if c == 2 {
                // Policy documents link their interpretation (same index in 政策解读).
                let _ = writeln!(
                    buf,
                    "<div class=\"xgjd\"><h3>相关解读</h3><ul><li><a href=\"{}\">政策解读</a></li></ul></div>",
                    interp_url(style, &prefix, &column_urls[3], idx, i, per_column)
                );
            }
            buf.push_str("<div class=\"related\"><h3>相关文章</h3><ul>\n");
            for k in 1..=4 {
                let r = &arts[(i + k * 7) % arts.len()];
                let _ = writeln!(buf, "<li><a href=\"{}\">{}</a></li>", r.url, r.title);
            }
            buf.push_str("</ul></div>\n</div>\n");
            footer(&mut buf, &prefix, &site_name);
            w.put(&a.url, buf.as_bytes());
            w.portal.articles += 1;
        }
        // List pages.
        match style {
            Style::Jcms => {
                let group = PER_PAGE * 2;
                let record = |a: &ArticleRef| {
                    format!(
                        "<record><![CDATA[\n<li><a href=\"{}\" title=\"{}\" target=\"_blank\">{}</a><span>{}</span></li>]]></record>\n",
                        a.url, a.title, a.title, a.date
                    )
                };
                buf.clear();
                page_head(&mut buf, &site_name, col_name);
                header_nav(&mut buf, &prefix, &site_name, &column_urls);
                let _ = write!(
                    buf,
                    "<div id=\"{colid}\"><script type=\"text/xml\"><datastore>\n<nextgroup><![CDATA[<a href=\"{prefix}module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid={colid}&unitid={colid}&permissiontype=0\"></a>]]></nextgroup>\n<recordset>\n"
                );
                for a in arts.iter().take(group) {
                    buf.push_str(&record(a));
                }
                let _ = write!(
                    buf,
                    "</recordset>\n</datastore></script>\n<script>\n$(document).ready(function(){{\n$('#{colid}').jpage({{\n\
                     dataStore: $('#{colid} script[type=\"text/xml\"]').html(),\nperPage: {PER_PAGE},\ntotalRecord: {},\n\
                     proxyUrl: '{prefix}module/web/jpage/dataproxy.jsp',\ngroupSize: 2,\nbarPosition: 'bottom',\n\
                     ajaxParam: {{col: 1, appid: 1, webid: 1, path: '/', columnid: {colid}, unitid: '{colid}', permissiontype: 0}}\n}});\n}});\n</script>\n</div>\n",
                    arts.len()
                );
                footer(&mut buf, &prefix, &site_name);
                w.put(col_url, buf.as_bytes());
                w.portal.list_pages += 1;
                let mut xml = format!(
                    "<datastore>\n<totalrecord>{}</totalrecord>\n<recordset>\n",
                    arts.len()
                );
                for a in &arts {
                    xml.push_str(&record(a));
                }
                xml.push_str("</recordset>\n</datastore>\n");
                w.put(&format!("{prefix}_jcms/{colid}.xml"), xml.as_bytes());
            }
            _ => {
                let pages = arts.len().div_ceil(PER_PAGE);
                for p in 0..pages {
                    let page_url = |p: usize| match style {
                        Style::Trs if p > 0 => format!("{base}/index_{p}.html"),
                        _ if p > 0 => format!("{base}/list_{}.html", p + 1),
                        _ => format!("{base}/index.html"),
                    };
                    buf.clear();
                    page_head(&mut buf, &site_name, col_name);
                    header_nav(&mut buf, &prefix, &site_name, &column_urls);
                    let _ = writeln!(
                        buf,
                        "<div class=\"position\">当前位置：<a href=\"{prefix}\">首页</a> &gt; {col_name}</div>"
                    );
                    let items = &arts[p * PER_PAGE..((p + 1) * PER_PAGE).min(arts.len())];
                    if style == Style::Gkml {
                        buf.push_str("<table class=\"gkml\"><thead><tr><th>序号</th><th>名称</th><th>索引号</th><th>发布机构</th><th>发布日期</th></tr></thead><tbody>\n");
                        for (k, a) in items.iter().enumerate() {
                            let _ = writeln!(
                                buf,
                                "<tr><td>{}</td><td><a href=\"{}\" title=\"{}\">{}</a></td><td>00100800{idx:02}/2026-{:05}</td><td>{site_name}</td><td>{}</td></tr>",
                                p * PER_PAGE + k + 1, a.url, a.title, a.title, p * PER_PAGE + k + 1, a.date
                            );
                        }
                        buf.push_str("</tbody></table>\n");
                    } else {
                        buf.push_str("<ul class=\"list\">\n");
                        for a in items {
                            let href = if style == Style::Trs {
                                format!(".{}", &a.url[base.len()..])
                            } else {
                                a.url.clone()
                            };
                            let _ = writeln!(
                                buf,
                                "<li><a href=\"{href}\" target=\"_blank\" title=\"{}\">{}</a><span>{}</span></li>",
                                a.title, a.title, a.date
                            );
                        }
                        buf.push_str("</ul>\n");
                    }
                    if style == Style::Trs {
                        let _ = writeln!(
                            buf,
                            "<div class=\"page\"><script type=\"text/javascript\">createPageHTML({pages}, {p}, \"index\", \"html\");</script></div>"
                        );
                    } else {
                        let _ = write!(
                            buf,
                            "<div class=\"pagination\">共{}条 第{}/{pages}页 <a href=\"{}\">首页</a> ",
                            arts.len(),
                            p + 1,
                            page_url(0)
                        );
                        if p + 1 < pages {
                            let _ = write!(buf, "<a href=\"{}\">下一页</a> ", page_url(p + 1));
                        }
                        let _ = writeln!(buf, "<a href=\"{}\">尾页</a></div>", page_url(pages - 1));
                    }
                    footer(&mut buf, &prefix, &site_name);
                    w.put(&page_url(p), buf.as_bytes());
                    w.portal.list_pages += 1;
                }
            }
        }
        if c < 3 {
            home_blocks.push((c, arts.into_iter().take(8).collect()));
        }
    }
    // Homepage with three dated blocks.
    buf.clear();
    page_head(&mut buf, &site_name, "首页");
    header_nav(&mut buf, &prefix, &site_name, &column_urls);
    for (c, items) in &home_blocks {
        let _ = writeln!(
            buf,
            "<div class=\"block\"><div class=\"block-title\"><h2>{}</h2><a class=\"more\" href=\"{}\">更多&gt;&gt;</a></div><ul class=\"list\">",
            COLUMNS[*c].0, column_urls[*c]
        );
        for a in items {
            let _ = writeln!(
                buf,
                "<li><a href=\"{}\" title=\"{}\">{}</a><span>{}</span></li>",
                a.url, a.title, a.title, a.date
            );
        }
        buf.push_str("</ul></div>\n");
    }
    footer(&mut buf, &prefix, &site_name);
    w.put(&format!("{prefix}index.html"), buf.as_bytes());
    // Site map linked from every footer.
    buf.clear();
    page_head(&mut buf, &site_name, "网站地图");
    header_nav(&mut buf, &prefix, &site_name, &column_urls);
    footer(&mut buf, &prefix, &site_name);
    w.put(&format!("{prefix}wzdt/index.html"), buf.as_bytes());
    if style == Style::Jcms {
        let _ = write!(
            routes,
            "[[route]]\npath = \"{prefix}module/web/jpage/dataproxy.jsp\"\nhandler = \"jcms-dataproxy\"\nrecords = \"d{idx:02}/_jcms\"\n\n"
        );
    }
    w.portal.sites += 1;
}

/// URL of the i-th item of the 政策解读 column (index 3), as generated.
fn interp_url(
    style: Style,
    prefix: &str,
    col_url: &str,
    idx: usize,
    i: usize,
    per_column: usize,
) -> String {
    let id = 10_000 + idx * 1000 + 3 * per_column + i + 1;
    let (y, m, d) = date_of(3, i);
    let base = col_url.rsplit_once('/').unwrap().0;
    match style {
        Style::Jcms => format!(
            "{prefix}art/{y}/{m}/{d}/art_{}_{id}.html",
            1000 + idx * 10 + 3
        ),
        Style::Trs => format!("{base}/{y}{m:02}/t{y}{m:02}{d:02}_{id}.html"),
        _ => format!("{base}/content/post_{id}.html"),
    }
}

/// A 名单 row: masked ID and mobile numbers (nothing fires), an amount.
fn roster_row(n: usize) -> [String; 5] {
    [
        n.to_string(),
        format!("{}某某", ["张", "王", "李", "赵", "刘", "陈"][n % 6]),
        format!("330106********{:04}", n % 10_000),
        format!("138****{:04}", (n * 7) % 10_000),
        format!("{}", 300 + n % 500),
    ]
}

fn zip_file(parts: &[(&str, String)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        z.start_file(*name, o).expect("zip entry");
        z.write_all(text.as_bytes()).expect("zip write");
    }
    z.finish().expect("zip");
    buf.into_inner()
}

/// An xlsx 名单 of 200 rows (inline strings).
fn attachment_xlsx(seed: usize) -> Vec<u8> {
    let mut sheet = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    let head = ["序号", "姓名", "身份证号码", "联系电话", "金额（元）"].map(String::from);
    for r in 0..=200 {
        let row = if r == 0 {
            head.clone()
        } else {
            roster_row(seed * 1000 + r)
        };
        let _ = write!(sheet, "<row r=\"{}\">", r + 1);
        for (c, v) in row.iter().enumerate() {
            let _ = write!(
                sheet,
                "<c r=\"{}{}\" t=\"inlineStr\"><is><t>{v}</t></is></c>",
                (b'A' + c as u8) as char,
                r + 1
            );
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    zip_file(&[
        ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".into()),
        ("_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".into()),
        ("xl/workbook.xml", "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"名单\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".into()),
        ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".into()),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

/// A docx: 30 paragraphs and a 50-row table.
fn attachment_docx(seed: usize) -> Vec<u8> {
    let p = |t: &str| format!("<w:p><w:r><w:t>{t}</w:t></w:r></w:p>");
    let mut body = String::new();
    for i in 0..30 {
        body.push_str(&p(SENTENCES[(seed + i) % SENTENCES.len()]));
    }
    body.push_str("<w:tbl>");
    for r in 0..50 {
        body.push_str("<w:tr>");
        for v in roster_row(seed * 1000 + r) {
            let _ = write!(body, "<w:tc>{}</w:tc>", p(&v));
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl>");
    zip_file(&[
        ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".into()),
        ("_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".into()),
        ("word/document.xml", format!("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>")),
    ])
}

/// A pdf of three pages of 40 text lines each (Helvetica, ASCII: the
/// masked roster's numbers).
fn attachment_pdf(seed: usize) -> Vec<u8> {
    let mut objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R 6 0 R 8 0 R] /Count 3 >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    for page in 0..3 {
        let mut ops = String::from("BT /F1 9 Tf 12 TL 40 800 Td\n");
        for line in 0..40 {
            let r = roster_row(seed * 1000 + page * 40 + line);
            let _ = writeln!(ops, "({} {} {} {}) Tj T*", r[0], r[2], r[3], r[4]);
        }
        ops.push_str("ET");
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * page
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", ops.len()).into_bytes();
        stream.extend_from_slice(ops.as_bytes());
        stream.extend_from_slice(b"\nendstream");
        objs.push(stream);
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1);
    for o in offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objs.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

fn generate(root: &Path, sites: usize, per_column: usize) -> Portal {
    let mut w = Writer {
        root,
        per_column,
        portal: Portal::default(),
    };
    let mut routes = String::from("# generated by benches/crawl_portal.rs\n\n");
    for idx in 0..sites {
        generate_site(&mut w, idx, &mut routes);
    }
    w.put("_routes.toml", routes.as_bytes());
    w.portal
}

/// How the benchmark's SITES.toml is set up.
struct Setup {
    /// Distinct hosts (127.0.0.1 … 127.0.0.N); 0: every site on 127.0.0.1
    /// with politeness lifted. Otherwise the default politeness.
    hosts: u8,
    port: u16,
    /// `sites_in_flight`, when given.
    in_flight: Option<usize>,
    /// `max_memory_mb`, when given.
    max_memory_mb: Option<usize>,
    /// Attachments downloaded and read (`[crawl] attachments`).
    attachments: bool,
}

fn sites_toml(setup: &Setup, sites: usize) -> String {
    let mut s = String::from("[audit]\nname = \"benchmark portal\"\n\n[crawl]\n");
    if setup.hosts == 0 {
        s.push_str(
            "concurrency = 64\nper_host_concurrency = 64\nper_host_delay_ms = 0\nrobots = false\n",
        );
    }
    s.push_str("max_pages_per_site = 50000\nmax_depth = 10\n");
    let _ = writeln!(s, "max_attachments_per_site = {MAX_ATTACHMENTS_PER_SITE}");
    let _ = writeln!(s, "attachments = {}", setup.attachments);
    if let Some(n) = setup.in_flight {
        let _ = writeln!(s, "sites_in_flight = {n}");
    }
    if let Some(n) = setup.max_memory_mb {
        let _ = writeln!(s, "max_memory_mb = {n}");
    }
    s.push('\n');
    let port = setup.port;
    for idx in 0..sites {
        let host = (idx % usize::from(setup.hosts.max(1))) + 1;
        let _ = write!(
            s,
            "[[sites]]\nid = \"d{idx:02}\"\nname = \"云溪区{}\"\nurl = \"http://127.0.0.{host}:{port}/d{idx:02}/\"\n\n",
            DEPARTMENTS[idx % DEPARTMENTS.len()]
        );
    }
    s
}

/// The most requests any one host answered.
fn busiest_host(requests: &[govaudit::serve::RequestRecord]) -> usize {
    let mut per_host = std::collections::HashMap::new();
    for r in requests {
        *per_host.entry(r.host.as_str()).or_insert(0) += 1;
    }
    per_host.into_values().max().unwrap_or(0)
}

/// `--rule-times`: run each rule on `site` once more, timed, adding to `per_rule`.
fn time_rules(judge: &Judge, site: &Site, per_rule: &mut Vec<(&'static str, f64)>) {
    let ctx = govaudit::rules::Context {
        as_of: judge.as_of,
        typos: &judge.typos,
        deadlines: &judge.profile.deadlines,
        settings: &judge.profile.settings,
        texts: judge.texts.as_deref(),
    };
    for rule in govaudit::rules::RULES {
        let t = Instant::now();
        let _ = rule.check(site, &ctx);
        let secs = t.elapsed().as_secs_f64();
        match per_rule.iter_mut().find(|(id, _)| *id == rule.id()) {
            Some(e) => e.1 += secs,
            None => per_rule.push((rule.id(), secs)),
        }
    }
}

/// VmHWM (peak resident set) of a process, in MB.
fn vm_hwm_mb(pid: &str) -> Option<f64> {
    status_mb(pid, "VmHWM:")
}

/// This process's resident memory now (VmRSS), in MB.
fn vm_rss_mb() -> Option<f64> {
    status_mb("self", "VmRSS:")
}

/// A `/proc/<pid>/status` line in kB, as MB.
fn status_mb(pid: &str, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Child mode: serve `dir` on 127.0.0.1 (… 127.0.0.`hosts`), print
/// `PORT n`, run until stdin closes.
fn serve_child(dir: PathBuf, hosts: u8) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let server = govaudit::serve::serve_dir_hosts(dir, hosts.max(1))
            .await
            .expect("serve");
        println!("PORT {}", server.addr().port());
        std::io::stdout().flush().unwrap();
        // Block (off the runtime) until the parent closes our stdin.
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin()
                .read_line(&mut sink)
                .map(|n| n > 0)
                .unwrap_or(false)
            {}
        })
        .await
        .unwrap();
        // The parent checks the server saw exactly the requests the crawler counted.
        let requests = server.requests();
        println!("REQUESTS {} {}", requests.len(), busiest_host(&requests));
        drop(server);
    });
}

fn spawn_server(dir: &Path, hosts: u8) -> (Child, BufReader<std::process::ChildStdout>, u16) {
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .arg("--serve-child")
        .arg(dir)
        .arg(hosts.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn server child");
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).expect("read port");
    let port = line
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("server child said {line:?}"));
    (child, stdout, port)
}

#[derive(Default)]
struct Seen {
    sites: usize,
    pages: usize,
    columns: usize,
    items: usize,
    links: usize,
    broken: usize,
    errors: usize,
    unreachable: usize,
    findings: usize,
    /// Every finding as JSON, sorted when the crawl ends (runs compare them).
    finding_json: Vec<String>,
    /// Pages whose text and links went to the page file.
    spilled: usize,
    /// Seconds spent writing and judging sites.
    judging: f64,
    /// Peak RSS (MB) when a site's crawl ended, before its rules ran.
    crawl_peak: f64,
    /// Attachments read that gave an error or no text.
    attachment_errors: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve-child") {
        let hosts = args.get(i + 2).and_then(|h| h.parse().ok()).unwrap_or(1);
        serve_child(PathBuf::from(&args[i + 1]), hosts);
        return;
    }
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .map(|i| args.get(i + 1).cloned())
    };
    // `cargo bench` passes --bench; `cargo test --all-targets` does not.
    let smoke = !args.iter().any(|a| a == "--bench");
    let big = args.iter().any(|a| a == "--big");
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    let sites: usize = flag("--sites")
        .flatten()
        .and_then(|s| s.parse().ok())
        .or_else(|| env("SITES"))
        .unwrap_or(if smoke {
            4
        } else if big {
            1
        } else {
            42
        });
    let per_column = env("ARTICLES").unwrap_or(if smoke {
        SMOKE_ARTICLES_PER_COLUMN
    } else if big {
        BIG_ARTICLES_PER_COLUMN
    } else {
        ARTICLES_PER_COLUMN
    });
    let in_process = args.iter().any(|a| a == "--in-process");
    let attachments = !args.iter().any(|a| a == "--no-attachments");
    let in_memory = args.iter().any(|a| a == "--in-memory");
    let rule_times = args.iter().any(|a| a == "--rule-times");
    let incremental = args.iter().any(|a| a == "--incremental");
    let in_flight: Option<usize> = flag("--in-flight").flatten().and_then(|s| s.parse().ok());
    let max_memory_mb: Option<usize> = flag("--max-memory-mb")
        .flatten()
        .and_then(|s| s.parse().ok());
    // --hosts N: the default politeness, site i on 127.0.0.(i % N + 1).
    let hosts: u8 = flag("--hosts")
        .flatten()
        .map(|s| s.parse().expect("--hosts 1..=254"))
        .or_else(|| std::env::var("HOSTS").ok().and_then(|v| v.parse().ok()))
        .unwrap_or(0);
    let keep = flag("--keep").flatten().map(PathBuf::from);

    let tmp = tempfile::tempdir().expect("temp dir");
    let root = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let t = Instant::now();
    // A kept folder generated with the same parameters is reused, so a
    // profiler run (perf record …) sees the crawl, not the file writes.
    // Bump GENERATOR when the generated pages change.
    let stamp = format!("{GENERATOR} {sites} {per_column}");
    let reused = keep.as_ref().and_then(|dir| {
        let text = std::fs::read_to_string(dir.join("_portal.txt")).ok()?;
        let (head, counts) = text.split_once('\n')?;
        (head == stamp).then(|| Portal::parse(counts))?
    });
    let portal = match reused {
        Some(p) => p,
        None => {
            if keep.is_some() {
                let _ = std::fs::remove_dir_all(&root);
            }
            let p = generate(&root, sites, per_column);
            if keep.is_some() {
                let text = format!("{stamp}\n{}", p.to_line());
                std::fs::write(root.join("_portal.txt"), text).expect("write _portal.txt");
            }
            p
        }
    };
    eprintln!(
        "crawl_portal: portal of {} sites, {} html pages ({} list pages, {} articles), {} attachments ({} missing), {:.1} MB in {:.1} s",
        portal.sites,
        portal.html_pages,
        portal.list_pages,
        portal.articles,
        portal.attachments,
        portal.missing_attachments,
        portal.bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (child, in_proc_server, port) = if in_process {
        let server = rt
            .block_on(govaudit::serve::serve_dir_hosts(root.clone(), hosts.max(1)))
            .expect("serve");
        let port = server.addr().port();
        (None, Some(server), port)
    } else {
        let (child, stdout, port) = spawn_server(&root, hosts);
        (Some((child, stdout)), None, port)
    };
    let setup = Setup {
        hosts,
        port,
        in_flight,
        max_memory_mb,
        attachments,
    };
    let toml = sites_toml(&setup, sites);
    let config = Config::parse(Path::new("bench-SITES.toml"), &toml).expect("bench config");
    let mut judge = Judge::new(
        Profile::builtin("national-2019").expect("built-in profile"),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
    );
    let rss_before = vm_hwm_mb("self").unwrap_or(0.0);

    let history_dir = tempfile::tempdir().expect("temp dir");
    let db = history_dir.path().join("history.sqlite");
    let history = govaudit::history::HistoryOptions::from_flags(Some(db.clone()), false, None);
    let mut runs: Vec<(Seen, CrawlSummary, f64)> = Vec::new();
    let passes = if incremental { 2 } else { 1 };
    if incremental {
        history.check().expect("history database");
    }
    let mut per_rule: Vec<(&str, f64)> = Vec::new();
    for run in 1..=passes {
        let cache = if incremental {
            Some(Arc::new(
                history.url_cache().expect("open").expect("a database"),
            ))
        } else {
            None
        };
        // The judge of an audit with history (src/audit.rs): the text rules
        // reuse what the run before found in the same texts.
        judge.texts = cache
            .clone()
            .map(|c| c as Arc<dyn govaudit::rules::TextCache>);
        // The snapshot of an audit.
        let snap_dir = tempfile::tempdir().expect("snapshot dir");
        let mut snapshot =
            SnapshotWriter::create(&snap_dir.path().join("crawl"), None, "bench".into())
                .expect("snapshot");
        let options = CrawlOptions {
            progress: stall_watch(),
            pages: (!in_memory).then(|| snapshot.page_sink()),
            store: cache
                .clone()
                .map(|c| c as Arc<dyn govaudit::crawl::UrlStore>),
        };
        let t = Instant::now();
        let (seen, summary) = crawl_once(
            &rt,
            &config,
            &options,
            &mut snapshot,
            &judge,
            rule_times.then_some(&mut per_rule),
        );
        if let Some(c) = &cache {
            assert_eq!(c.save(&db).expect("save entries"), None);
        }
        let secs = t.elapsed().as_secs_f64();
        if incremental {
            println!(
                "crawl_portal: incremental run {run}: {} pages, {} answered 304, {} requests, {:.1} MB downloaded, {:.2} s with the entries committed (rules {:.2} s, {} text-rule results reused); history database {:.0} MB",
                seen.pages,
                summary.not_modified,
                summary.requests,
                summary.bytes as f64 / 1e6,
                secs,
                seen.judging,
                cache.as_ref().map_or(0, |c| c.text_hits()),
                std::fs::metadata(&db).map_or(0, |m| m.len()) as f64 / 1e6
            );
        }
        runs.push((seen, summary, secs));
    }
    if incremental {
        let ((r1, s1, t1), (r2, s2, t2)) = (&runs[0], &runs[1]);
        println!(
            "crawl_portal: run 2 / run 1: bytes {:.1}% ({} / {}), wall time {:.1}% ({:.2} s / {:.2} s), rules {:.1}% ({:.2} s / {:.2} s)",
            100.0 * s2.bytes as f64 / s1.bytes.max(1) as f64,
            s2.bytes,
            s1.bytes,
            100.0 * t2 / t1,
            t2,
            t1,
            100.0 * r2.judging / r1.judging,
            r2.judging,
            r1.judging
        );
        assert!(
            s2.bytes * 10 < s1.bytes,
            "run 2 must read under 10% of run 1's bytes"
        );
        assert!(
            r2.finding_json == r1.finding_json,
            "run 2 must find exactly what run 1 found"
        );
    }
    let requests: u64 = runs.iter().map(|r| r.1.requests).sum();

    let crawler_mb = vm_hwm_mb("self").unwrap_or(0.0);
    let server_mb = child
        .as_ref()
        .and_then(|(c, _)| vm_hwm_mb(&c.id().to_string()));
    let (served, busiest) = match (in_proc_server, child) {
        (Some(server), _) => {
            let requests = server.requests();
            (requests.len() as u64, busiest_host(&requests))
        }
        (None, Some((mut c, mut stdout))) => {
            drop(c.stdin.take()); // the child exits when its stdin closes
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = c.wait();
            let mut n = line
                .trim()
                .strip_prefix("REQUESTS ")
                .unwrap_or("")
                .split(' ')
                .map(|n| n.parse().unwrap_or(0));
            (n.next().unwrap_or(0), n.next().unwrap_or(0) as usize)
        }
        (None, None) => (0, 0),
    };
    assert_eq!(
        served, requests,
        "the server must have answered exactly the requests the crawler counted"
    );
    for (seen, summary, secs) in &runs {
        report(&portal, seen, summary, *secs, in_memory, attachments);
    }
    let (_, summary, secs) = runs.last().expect("one run");
    let secs = *secs;
    println!(
        "crawl_portal: at most {} sites held at once, holding at most {:.0} MB as charged; fetches waited {:.0} s for memory in all (max_memory_mb {}, sites_in_flight {})",
        summary.max_sites_held,
        summary.max_held_bytes as f64 / f64::from(1u32 << 20),
        summary.memory_wait_secs,
        config.crawl.max_memory_mb,
        config
            .crawl
            .sites_in_flight
            .map_or("unset".to_string(), |n| n.to_string())
    );
    println!(
        "crawl_portal: attachments {} (read {}, {:.1} MB, {} unreadable or empty)",
        if attachments {
            "read"
        } else {
            "not read (--no-attachments)"
        },
        summary.attachments_read,
        summary.attachment_bytes as f64 / 1e6,
        runs.last().map_or(0, |r| r.0.attachment_errors)
    );
    if hosts > 0 {
        // Each host answers at most one request start per per_host_delay_ms,
        // so no crawl can beat the busiest host's requests × that delay.
        let delay = config.crawl.per_host_delay_ms as f64 / 1000.0;
        let ideal = busiest as f64 * delay;
        println!(
            "crawl_portal: default politeness on {hosts} hosts: wall {secs:.1} s, ideal {ideal:.1} s (busiest host {busiest} requests × {:.0} ms) = {:.2}× ideal",
            delay * 1000.0,
            secs / ideal.max(f64::EPSILON)
        );
    }
    if rule_times {
        per_rule.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (id, secs) in per_rule.iter().take(8) {
            println!("crawl_portal: rule {id}: {secs:.2} s");
        }
    }
    match server_mb {
        Some(s) => println!(
            "crawl_portal: peak RSS (VmHWM) crawler process {crawler_mb:.0} MB (before crawl {rss_before:.0} MB); server child {s:.0} MB"
        ),
        None => println!(
            "crawl_portal: peak RSS (VmHWM) crawler + server in one process {crawler_mb:.0} MB (before crawl {rss_before:.0} MB)"
        ),
    }
    drop(history_dir);
}

/// A crawl that makes no progress for `STALL_SECS` (default 60) seconds
/// prints the sites not done and their queued/done counts to stderr (a
/// hang is a bug; this says where to look). A crawl that goes on with at
/// most two sites at once for as long while others wait to start prints a
/// `NARROW` line: it looks like a hang at the default politeness (one or two
/// hosts at 5 requests/s, the CPU idle) and is the scheduler holding back
/// sites (issue 8: the memory charge that ratcheted down to one site).
fn stall_watch() -> govaudit::crawl::ProgressSink {
    use govaudit::crawl::{Event, Progress, ProgressSink};
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    #[derive(Default)]
    struct Watch {
        sites: Mutex<BTreeMap<String, (u64, u64)>>,
        last: Mutex<Option<Instant>>,
        /// Sites in SITES.toml and sites started so far.
        total: AtomicUsize,
        started: AtomicUsize,
    }
    impl Progress for Watch {
        fn event(&self, event: Event<'_>) {
            *self.last.lock().unwrap() = Some(Instant::now());
            let mut sites = self.sites.lock().unwrap();
            match event {
                Event::Started { sites } => self.total.store(sites, Ordering::Relaxed),
                Event::SiteStarted { site } => {
                    self.started.fetch_add(1, Ordering::Relaxed);
                    sites.insert(site.to_string(), (0, 0));
                }
                Event::Queued { site, urls } => {
                    if let Some(s) = sites.get_mut(site) {
                        s.0 += urls;
                    }
                }
                Event::UrlDone { site, .. } => {
                    if let Some(s) = sites.get_mut(site) {
                        s.1 += 1;
                    }
                }
                Event::SiteDone { site } => {
                    sites.remove(site);
                }
                _ => {}
            }
        }
    }
    let secs: u64 = std::env::var("STALL_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let watch = Arc::new(Watch::default());
    let w = watch.clone();
    let mut narrow_since: Option<Instant> = None;
    // TIMELINE=1: every 5 s, the sites crawling, waiting and done.
    let timeline = std::env::var_os("TIMELINE").is_some();
    let t0 = Instant::now();
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(5));
        let crawling = w.sites.lock().unwrap().len();
        let waiting = w
            .total
            .load(Ordering::Relaxed)
            .saturating_sub(w.started.load(Ordering::Relaxed));
        if timeline {
            eprintln!(
                "crawl_portal: t={:.0}s crawling {crawling}, waiting {waiting}, done {}, RSS {:.0} MB",
                t0.elapsed().as_secs_f64(),
                w.started.load(Ordering::Relaxed).saturating_sub(crawling),
                vm_rss_mb().unwrap_or(0.0)
            );
        }
        if waiting > 0 && crawling <= 2 {
            let since = *narrow_since.get_or_insert_with(Instant::now);
            if since.elapsed().as_secs() >= secs {
                eprintln!(
                    "crawl_portal: NARROW: {crawling} sites crawling for {} s while {waiting} wait to start",
                    since.elapsed().as_secs()
                );
                narrow_since = None;
            }
        } else {
            narrow_since = None;
        }
        let idle = w.last.lock().unwrap().map(|t| t.elapsed().as_secs());
        if idle.is_some_and(|i| i >= secs) {
            let sites = w.sites.lock().unwrap();
            eprintln!(
                "crawl_portal: STALL: no crawl event for {} s; {} sites not done: {:?}",
                idle.unwrap_or(0),
                sites.len(),
                sites.iter().take(20).collect::<Vec<_>>()
            );
            *w.last.lock().unwrap() = Some(Instant::now());
        }
    });
    ProgressSink::new(watch)
}

/// Crawl the portal once the way an audit does (pages to the snapshot,
/// each site written and judged as it ends), counting what came back.
fn crawl_once(
    rt: &tokio::runtime::Runtime,
    config: &Config,
    options: &CrawlOptions,
    snapshot: &mut SnapshotWriter,
    judge: &Judge,
    mut per_rule: Option<&mut Vec<(&'static str, f64)>>,
) -> (Seen, CrawlSummary) {
    // As `govaudit audit` does: sites are judged on a thread of their own
    // as their crawls end, while the crawl goes on.
    let mut seen = Seen::default();
    let summary = govaudit::crawl::crawl_all_judging(
        rt,
        config,
        options,
        |site| {
            let hwm = vm_hwm_mb("self").unwrap_or(0.0);
            let j = Instant::now();
            let findings = judge.judge(site).1;
            (hwm, j, findings)
        },
        |site, (hwm, j, findings)| {
            seen.crawl_peak = seen.crawl_peak.max(hwm);
            snapshot.write_site(&site).expect("write site");
            seen.findings += findings.len();
            seen.finding_json.extend(
                findings
                    .iter()
                    .map(|f| serde_json::to_string(f).expect("finding serialises")),
            );
            seen.judging += j.elapsed().as_secs_f64();
            if let Some(per_rule) = per_rule.as_deref_mut() {
                time_rules(judge, &site, per_rule);
            }
            seen.spilled += site.pages.iter().filter(|p| p.body.is_some()).count();
            seen.sites += 1;
            seen.pages += site.pages.len();
            seen.columns += site.columns.len();
            seen.items += site.columns.iter().map(|c| c.items.len()).sum::<usize>();
            seen.links += site.links.len();
            seen.broken += govaudit::rules::broken_link::count_broken(&site) as usize;
            seen.errors += site.crawl_errors.len();
            seen.unreachable += usize::from(!site.start.ok);
            seen.attachment_errors += site
                .attachments
                .iter()
                .filter(|a| a.text.error.is_some() || a.text.units_read == 0)
                .filter(|a| a.text.skipped.is_none())
                .count();
        },
    )
    .expect("crawl");
    seen.finding_json.sort_unstable();
    (seen, summary)
}

/// Print one crawl's figures and fail when it missed anything.
fn report(
    portal: &Portal,
    seen: &Seen,
    summary: &CrawlSummary,
    secs: f64,
    in_memory: bool,
    attachments: bool,
) {
    println!(
        "crawl_portal: {} pages ({} requests, {:.0} MB, {} crawl errors) from {} sites in {:.2} s = {:.0} pages/s, {:.0} requests/s",
        seen.pages,
        summary.requests,
        summary.bytes as f64 / 1e6,
        seen.errors,
        seen.sites,
        secs,
        seen.pages as f64 / secs,
        summary.requests as f64 / secs
    );
    println!(
        "crawl_portal: pages {}: {} of {} in the page file; rules took {:.2} s of it ({} findings)",
        if in_memory {
            "kept in memory (--in-memory)"
        } else {
            "spilled"
        },
        seen.spilled,
        seen.pages,
        seen.judging,
        seen.findings
    );
    println!(
        "crawl_portal: peak RSS (VmHWM) when the last site's crawl ended, before its rules ran: {:.0} MB",
        seen.crawl_peak
    );
    println!(
        "crawl_portal: expected {} pages, {} items in {} columns, {} broken attachments; saw {} items in {} columns, {} links checked, {} broken, {} sites unreachable",
        portal.html_pages,
        portal.articles,
        portal.sites * COLUMNS.len(),
        portal.missing_attachments,
        seen.items,
        seen.columns,
        seen.links,
        seen.broken,
        seen.unreachable
    );
    assert_eq!(seen.pages, portal.html_pages, "pages crawled");
    assert_eq!(seen.items, portal.articles, "items found in columns");
    assert_eq!(seen.columns, portal.sites * COLUMNS.len(), "columns found");
    assert_eq!(seen.broken, portal.missing_attachments, "broken links");
    if attachments {
        // Each site reads at most max_attachments_per_site of its files
        // (the big site has more), the rest are skipped with the reason.
        let present = portal.attachments - portal.missing_attachments;
        let per_site = present / portal.sites.max(1);
        let readable = portal.sites * per_site.min(MAX_ATTACHMENTS_PER_SITE);
        assert_eq!(
            summary.attachments_read as usize, readable,
            "attachments read"
        );
        assert_eq!(seen.attachment_errors, 0, "every attachment read gave text");
    }
    let spilled = if in_memory { 0 } else { seen.pages };
    assert_eq!(seen.spilled, spilled, "pages in the page file");
}
