//! report.html: one self-contained file in Chinese (inline CSS, inline SVG
//! chart, a few lines of plain JS, no network) that a district office prints
//! for a meeting: overview table, scores chart, an indicator table per site
//! mirroring the inspection, and each department's worklist. Filter by site
//! and rule with the two selects, or preselect with a URL hash
//! (`report.html#site=fgj&rule=broken-link`).

use std::fmt::Write;

use super::{advice_zh, evidence_zh, fmt_points, rule_name_zh, Format, Report, SiteReport};
use crate::rules::RULES;
use crate::score::{IndicatorResult, Verdict};

/// The report.html writer.
pub struct Html;

/// Escape text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Only http(s) URLs become links (a crawled page could hold `javascript:`).
fn href(url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        esc(url)
    } else {
        "#".to_string()
    }
}

const CSS: &str = r#"
:root{--ok:#1a7f37;--bad:#c62828;--warn:#9a6700;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328;line-height:1.5}
h1{font-size:24px;margin:8px 0}h2{font-size:20px;border-bottom:2px solid #1f2328;padding-bottom:4px;margin-top:32px}
h3{font-size:18px;margin:24px 0 8px}h4{font-size:15px;margin:16px 0 6px}
.meta{color:#57606a;font-size:14px;margin:2px 0}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border:1px solid var(--line);padding:4px 6px;vertical-align:top;text-align:left}
th{background:var(--bg)}td.num{text-align:right;white-space:nowrap}
.verdict-pass{color:var(--ok);font-weight:bold}.verdict-fail{color:var(--bad);font-weight:bold}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;color:#fff;white-space:nowrap}
.sev-veto .badge{background:var(--bad)}.sev-deduct .badge{background:var(--warn)}.sev-warn .badge{background:#6e7781}
.filters{background:var(--bg);border:1px solid var(--line);padding:8px 12px;position:sticky;top:0;z-index:1}
.filters label{margin-right:16px}.filters select{font-size:14px}
tr.dim{opacity:.35}
table.sheet tr.group>th,table.sheet tfoot th{background:var(--bg);white-space:nowrap}
table.sheet tr.group>th,table.sheet tr.group>td.group-lost,table.sheet tr.group>td.group-kept,table.sheet tr.group>td:nth-child(2){border-top:2px solid #1f2328}
.none-checked{color:#57606a}
a{color:#0969da;word-break:break-all}
article.site{border-top:1px solid var(--line);margin-top:16px}
.ev{color:#57606a}.none{color:var(--ok)}
svg text{font-size:12px;font-family:inherit}
[hidden]{display:none!important}
@media print{
  .no-print{display:none!important}
  body{max-width:none;padding:0;font-size:12px}
  article.site{break-before:page}
  tr{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  details{display:block}
}
"#;

const JS: &str = r#"
(function(){
  var fs=document.getElementById('f-site'),fr=document.getElementById('f-rule'),cnt=document.getElementById('f-count');
  function apply(){
    var sv=fs.value,rv=fr.value,n=0;
    document.querySelectorAll('tr[data-finding]').forEach(function(tr){
      var show=(!sv||tr.getAttribute('data-site')===sv)&&(!rv||tr.getAttribute('data-rule')===rv);
      tr.hidden=!show;if(show)n++;
    });
    document.querySelectorAll('article.site').forEach(function(a){a.hidden=!!sv&&a.getAttribute('data-site')!==sv;});
    document.querySelectorAll('#overview tbody tr').forEach(function(tr){tr.classList.toggle('dim',!!sv&&tr.getAttribute('data-site')!==sv);});
    cnt.textContent='显示 '+n+' 条问题';
    var h=[];if(sv)h.push('site='+encodeURIComponent(sv));if(rv)h.push('rule='+encodeURIComponent(rv));
    try{history.replaceState(null,'',h.length?'#'+h.join('&'):location.pathname+location.search);}catch(e){}
    document.body.setAttribute('data-filter',h.join('&'));
    document.body.setAttribute('data-shown',String(n));
  }
  location.hash.replace(/^#/,'').split('&').forEach(function(kv){
    var p=kv.split('='),v=decodeURIComponent(p[1]||'');
    if(p[0]==='site'&&fs.querySelector('option[value="'+v+'"]'))fs.value=v;
    if(p[0]==='rule'&&fr.querySelector('option[value="'+v+'"]'))fr.value=v;
  });
  fs.addEventListener('change',apply);fr.addEventListener('change',apply);
  apply();
  document.body.setAttribute('data-filter-ready','1');
})();
"#;

/// The site's score sheet as the inspectors fill it in: group by group
/// (一级指标 with its points, what it lost and kept), each group's indicators
/// beneath it with their findings, result and cap; the total at the foot.
fn score_sheet(s: &SiteReport) -> String {
    let mut o = String::from(
        "<h4>评分表</h4><table class=\"indicators sheet\"><thead><tr><th>一级指标</th><th>分值</th><th>扣分</th><th>得分</th><th>二级指标</th><th>问题数</th><th>结果</th><th>扣分上限</th></tr></thead><tbody>",
    );
    let row = |ind: &IndicatorResult| {
        let (cls, result) = if ind.veto {
            ("verdict-fail", "不合格（单项否决）".to_string())
        } else if ind.deducted > 0.0 {
            ("", format!("扣 {} 分", fmt_points(ind.deducted)))
        } else {
            ("verdict-pass", "合格".to_string())
        };
        format!(
            "<td class=\"indicator\" data-rule=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"indicator-result {cls}\">{result}</td><td class=\"num\">{}</td>",
            esc(&ind.rule),
            esc(&ind.name),
            ind.findings,
            ind.cap.map(fmt_points).unwrap_or_else(|| "—".into())
        )
    };
    for g in &s.groups {
        let inds: Vec<&IndicatorResult> = s
            .indicators
            .iter()
            .filter(|i| i.group == Some(g.id))
            .collect();
        let span = inds.len().max(1);
        let _ = write!(
            o,
            "<tr class=\"group\" data-group=\"{id}\"><th rowspan=\"{span}\">{name}</th><td rowspan=\"{span}\" class=\"num\">{points}</td><td rowspan=\"{span}\" class=\"num group-lost\">{lost}</td><td rowspan=\"{span}\" class=\"num group-kept\">{kept}</td>",
            id = g.id.as_str(),
            name = if g.skipped {
                format!("{}（无对外服务，不计分）", esc(&g.group))
            } else {
                esc(&g.group)
            },
            points = fmt_points(g.points),
            lost = if g.lost > 0.0 { format!("扣 {} 分", fmt_points(g.lost)) } else { "—".into() },
            kept = fmt_points(g.kept),
        );
        match inds.split_first() {
            None => o.push_str(
                "<td colspan=\"4\" class=\"none-checked\">（暂无自动检查指标）</td></tr>",
            ),
            Some((first, rest)) => {
                let _ = write!(o, "{}</tr>", row(first));
                for ind in rest {
                    let _ = write!(o, "<tr>{}</tr>", row(ind));
                }
            }
        }
    }
    // Indicators outside the sheet's groups (a report from before groups).
    for ind in s
        .indicators
        .iter()
        .filter(|i| !s.groups.iter().any(|g| i.group == Some(g.id)))
    {
        let _ = write!(
            o,
            "<tr><th>—</th><td></td><td></td><td></td>{}</tr>",
            row(ind)
        );
    }
    let lost: f64 = s.groups.iter().map(|g| g.lost).sum();
    let out_of: f64 = s
        .groups
        .iter()
        .filter(|g| !g.skipped)
        .map(|g| g.points)
        .sum();
    let out_of = if s.groups.iter().any(|g| g.skipped) {
        format!("{}（折算为100）", fmt_points(out_of))
    } else {
        "100".into()
    };
    let _ = write!(
        o,
        "</tbody><tfoot><tr class=\"total\"><th>合计</th><td class=\"num\">{out_of}</td><td class=\"num\">{}</td><td class=\"num score\">{}</td><td colspan=\"4\">{}</td></tr></tfoot></table>",
        if lost > 0.0 { format!("扣 {} 分", fmt_points(lost)) } else { "—".into() },
        fmt_points(s.score),
        if s.vetoes.is_empty() { String::new() } else { "单项否决：不合格".into() },
    );
    o
}

/// Horizontal bars of scores by site, with the pass mark as a dashed line.
fn chart(r: &Report) -> String {
    let row = 26.0;
    let label_w = 200.0;
    let bar_w = 460.0;
    let top = 24.0;
    let h = top + row * r.sites.len() as f64 + 10.0;
    let w = label_w + bar_w + 100.0;
    let mut o = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="score-chart" role="img" aria-label="各站点得分" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    let pass_x = label_w + bar_w * r.pass_mark / 100.0;
    for (i, s) in r.sites.iter().enumerate() {
        let y = top + row * i as f64;
        let bw = bar_w * s.score.clamp(0.0, 100.0) / 100.0;
        let color = if s.verdict == Verdict::Pass {
            "#1a7f37"
        } else {
            "#c62828"
        };
        let _ = write!(
            o,
            r#"<g data-site="{id}"><text x="{lx}" y="{ty}" text-anchor="end">{name}</text><rect x="{label_w}" y="{y}" width="{bw:.1}" height="18" fill="{color}"><title>{name}：{score} 分（{verdict}）</title></rect><text x="{sx:.1}" y="{ty}">{score}{veto}</text></g>"#,
            id = esc(&s.id),
            lx = label_w - 6.0,
            ty = y + 14.0,
            name = esc(&s.name),
            score = fmt_points(s.score),
            verdict = s.verdict.label_zh(),
            sx = label_w + bw + 4.0,
            veto = if s.vetoes.is_empty() {
                ""
            } else {
                "（否决）"
            },
        );
    }
    let _ = write!(
        o,
        r##"<line x1="{pass_x:.1}" y1="14" x2="{pass_x:.1}" y2="{y2}" stroke="#1f2328" stroke-dasharray="4 3"/><text x="{pass_x:.1}" y="11" text-anchor="middle">合格线 {pm}</text></svg>"##,
        y2 = h - 4.0,
        pm = fmt_points(r.pass_mark)
    );
    o
}

impl Format for Html {
    fn file_name(&self) -> &'static str {
        "report.html"
    }
    fn render(&self, r: &Report) -> Vec<u8> {
        let mut o = String::with_capacity(64 * 1024);
        let title = r.heading();
        let _ = write!(
            o,
            "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{} {}</title><style>{CSS}{}</style></head><body>\n",
            esc(&title),
            r.as_of,
            super::history_view::CSS
        );
        let _ = write!(
            o,
            "<header><h1>{}</h1><p class=\"meta\">监测时间点：{} · 生成时间：{} · 评分标准：{}（{}） · 合格线：{} 分</p><p class=\"meta\" id=\"summary\">共检查站点 <b>{}</b> 个，合格 <b class=\"verdict-pass\">{}</b> 个，不合格 <b class=\"verdict-fail\">{}</b> 个；发现问题 <b>{}</b> 条。</p></header>",
            esc(&title),
            r.as_of,
            esc(&r.generated_at),
            esc(r.profile_title.as_deref().unwrap_or(&r.profile)),
            esc(&r.profile),
            fmt_points(r.pass_mark),
            r.sites.len(),
            r.sites.len() - r.failing(),
            r.failing(),
            r.findings.len()
        );
        o.push('\n');
        o.push_str(&super::history_view::district_html(r)); // history hook

        // 一、总体情况
        o.push_str("<section id=\"overview\"><h2>一、总体情况</h2><table><thead><tr><th>站点</th><th>结论</th><th>得分</th><th>单项否决</th>");
        for rule in RULES {
            let _ = write!(o, "<th>{}</th>", esc(rule.name_zh()));
        }
        o.push_str("</tr></thead><tbody>\n");
        for s in &r.sites {
            let vetoes: Vec<&str> = s.vetoes.iter().map(|v| rule_name_zh(v)).collect();
            let _ = write!(
                o,
                "<tr data-site=\"{id}\"><td><a href=\"#site-{id}\">{name}</a></td><td class=\"verdict verdict-{v}\">{vz}</td><td class=\"num score\">{score}</td><td class=\"vetoes\">{vetoes}</td>",
                id = esc(&s.id),
                name = esc(&s.name),
                v = if s.verdict == Verdict::Pass { "pass" } else { "fail" },
                vz = s.verdict.label_zh(),
                score = fmt_points(s.score),
                vetoes = if vetoes.is_empty() { "—".to_string() } else { esc(&vetoes.join("、")) },
            );
            for rule in RULES {
                let n = r.findings_of(&s.id).filter(|f| f.rule == rule.id()).count();
                let _ = write!(
                    o,
                    "<td class=\"num\" data-rule=\"{}\">{}</td>",
                    rule.id(),
                    if n == 0 {
                        "—".to_string()
                    } else {
                        n.to_string()
                    }
                );
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</tbody></table>\n<figure><figcaption><h4>各站点得分</h4></figcaption>");
        o.push_str(&chart(r));
        o.push_str("</figure></section>\n");

        // Filters.
        o.push_str("<section class=\"filters no-print\" id=\"filters\"><label>站点 <select id=\"f-site\"><option value=\"\">全部站点</option>");
        for s in &r.sites {
            let _ = write!(
                o,
                "<option value=\"{}\">{}</option>",
                esc(&s.id),
                esc(&s.name)
            );
        }
        o.push_str("</select></label><label>问题类型 <select id=\"f-rule\"><option value=\"\">全部类型</option>");
        for rule in RULES {
            let _ = write!(
                o,
                "<option value=\"{}\">{}</option>",
                rule.id(),
                esc(rule.name_zh())
            );
        }
        o.push_str("</select></label><span id=\"f-count\"></span></section>\n");

        // 二、各站点
        o.push_str("<section id=\"sites\"><h2>二、各站点检查结果与整改清单</h2>\n");
        for s in &r.sites {
            let _ = write!(
                o,
                "<article class=\"site\" id=\"site-{id}\" data-site=\"{id}\"><h3>{name} <span class=\"verdict-{v}\">{vz}</span> · 得分 {score}</h3><p class=\"meta\">网址：<a href=\"{href}\">{url}</a>{owner} · 抓取页面 {pages} 个 · 栏目 {cols} 个 · 检查链接 {links} 个 · 失效链接 {broken} 个</p>",
                id = esc(&s.id),
                name = esc(&s.name),
                v = if s.verdict == Verdict::Pass { "pass" } else { "fail" },
                vz = s.verdict.label_zh(),
                score = fmt_points(s.score),
                href = href(&s.url),
                url = esc(&s.url),
                owner = s
                    .owner
                    .as_ref()
                    .map(|o| format!(" · 联系人：{}", esc(o)))
                    .unwrap_or_default(),
                pages = s.stats.pages,
                cols = s.stats.columns,
                links = s.stats.links_checked,
                broken = s.stats.broken_links,
            );
            o.push_str(&super::history_view::site_html(r, &s.id)); // history hook
            o.push_str(&score_sheet(s));
            let findings: Vec<_> = r.findings_of(&s.id).collect();
            let _ = write!(o, "<h4>整改清单（{} 条）</h4>", findings.len());
            if findings.is_empty() {
                o.push_str("<p class=\"none\">未发现问题。</p>");
            } else {
                o.push_str("<table class=\"worklist\"><thead><tr><th>#</th><th>问题</th><th>栏目</th><th>页面</th><th>证据</th><th>整改要求</th><th>扣分</th></tr></thead><tbody>");
                for (i, f) in findings.iter().enumerate() {
                    let target = f
                        .target
                        .as_ref()
                        .map(|t| format!("<br>失效链接：<a href=\"{}\">{}</a>", href(t), esc(t)))
                        .unwrap_or_default();
                    let _ = write!(
                        o,
                        "<tr data-finding=\"{fid}\" data-site=\"{site}\" data-rule=\"{rule}\" class=\"sev-{sev}\"><td class=\"num\">{n}</td><td>{status}<span class=\"badge\">{sevz}</span> <b>{rname}</b><br>{msg}</td><td>{col}</td><td><a href=\"{href}\">{url}</a>{target}</td><td class=\"ev\">{ev}</td><td>{advice}</td><td class=\"num\">{pts}</td></tr>",
                        fid = esc(&f.id),
                        site = esc(&f.site),
                        rule = esc(&f.rule),
                        sev = f.severity.as_str(),
                        n = i + 1,
                        status = super::history_view::badge_html(f, r),
                        sevz = f.severity.label_zh(),
                        rname = esc(rule_name_zh(&f.rule)),
                        msg = esc(&f.message),
                        col = esc(f.column.as_deref().unwrap_or("—")),
                        href = href(&f.url),
                        url = esc(&f.url),
                        ev = esc(&evidence_zh(f)),
                        advice = esc(advice_zh(&f.rule)),
                        pts = fmt_points(f.points),
                    );
                }
                o.push_str("</tbody></table>");
            }
            if !s.columns.is_empty() {
                let _ = write!(
                    o,
                    "<details class=\"columns\"><summary>栏目概况（{} 个）</summary><table><thead><tr><th>栏目</th><th>类别</th><th>信息条数</th><th>最近更新</th></tr></thead><tbody>",
                    s.columns.len()
                );
                for c in &s.columns {
                    let _ = write!(
                        o,
                        "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                        href(&c.url),
                        esc(&c.name),
                        c.class.label_zh(),
                        c.items,
                        c.latest.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
                    );
                }
                o.push_str("</tbody></table></details>");
            }
            if !s.typo_allow.is_empty() {
                let _ = write!(
                    o,
                    "<p class=\"meta typo-allow\">本站错别字豁免词（SITES.toml typo_allow，不予报告）：{}</p>",
                    esc(&s.typo_allow.join("、"))
                );
            }
            if !s.crawl_errors.is_empty() {
                let _ = write!(
                    o,
                    "<details class=\"crawl-errors\"><summary>抓取错误 {} 个（不计入问题，请核实页面是否可以正常打开）</summary><ul>",
                    s.crawl_errors.len()
                );
                for e in &s.crawl_errors {
                    let _ = write!(
                        o,
                        "<li><a href=\"{}\">{}</a>：{}</li>",
                        href(&e.url),
                        esc(&e.url),
                        esc(&e.error)
                    );
                }
                o.push_str("</ul></details>");
            }
            o.push_str("</article>\n");
        }
        o.push_str("</section>\n");
        o.push_str(&super::history_view::resolved_html(r)); // history hook
        if !r.typo_allow_district.is_empty() {
            let _ = writeln!(
                o,
                "<section id=\"typo-allow\"><h2>附：全区错别字豁免词表</h2><p class=\"meta\">以下词语经确认无误，不作为错别字报告（rules/typos/allow.txt）：{}</p></section>",
                esc(&r.typo_allow_district.join("、"))
            );
        }
        o.push_str("<footer class=\"meta\"><p>本报告由 govaudit 自动生成；单项否决项须在下次监测前整改到位。</p></footer>\n");
        let _ = write!(o, "<script>{JS}</script>\n</body></html>\n");
        o.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn self_contained_escaped_and_complete() {
        let html = String::from_utf8(Html.render(&testdata::report())).unwrap();
        // No network: no external scripts, styles, images or fonts.
        for bad in ["<script src", "<link ", "<img ", "@import", "url("] {
            assert!(!html.contains(bad), "{bad}");
        }
        // Crawled text is escaped.
        assert!(!html.contains("<script>x</script>"));
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(html.contains("<td class=\"verdict verdict-fail\">不合格</td>"));
        assert!(html.contains("<td class=\"verdict verdict-pass\">合格</td>"));
        assert!(html.contains("id=\"score-chart\""));
        assert!(html.contains(&format!(
            "data-finding=\"aaaa\" data-site=\"fgj\" data-rule=\"{}\"",
            testdata::link_id()
        )));
        assert!(html.contains("不合格（单项否决）"));
        // The score sheet, group by group: fgj lost 1 point in 功能设计.
        assert!(html.contains("<h4>评分表</h4>"));
        for g in ["publish", "service", "interaction", "function"] {
            assert!(html.contains(&format!("data-group=\"{g}\"")), "{g}");
        }
        assert!(html.contains("<td rowspan=\"1\" class=\"num group-lost\">扣 1 分</td><td rowspan=\"1\" class=\"num group-kept\">20</td>"));
        assert!(html.contains("（暂无自动检查指标）"));
        assert!(html.contains("扣 1 分"));
        // Allow-lists are shown, so nothing is silenced unseen.
        assert!(html.contains("本站错别字豁免词（SITES.toml typo_allow，不予报告）：云溪小镇"));
        assert!(html.contains("<h2>附：全区错别字豁免词表</h2>"));
        assert!(html.contains("蒲圻路"));
    }

    #[test]
    fn only_http_urls_are_links() {
        assert_eq!(href("javascript:alert(1)"), "#");
        assert_eq!(href("http://a/?x=1&y=2"), "http://a/?x=1&amp;y=2");
    }
}
