//! One pass over a parsed page: links labelled with their area and block
//! heading, page text, metadata, content container, list containers, inline
//! scripts (JCMS datastores and paging settings, TRS `createPageHTML`) and
//! the empty-list placeholder. The extractors in the sibling modules then
//! work from what this pass collected; the document is parsed once.

use scraper::{ElementRef, Html, Node};
use url::Url;

use super::dom::{
    area_of, char_len, content_priority, is_block, is_heading_token, is_more_text, text_of, tokens,
    TextBuf,
};
use super::lists::{self, RawBlock};
use crate::site::{LinkArea, PageLink};

/// A block heading (通知公告, 相关解读 …) and its "more" link.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub text: String,
    pub more: Option<Url>,
    /// Tab titles (and their links) of a tabbed block, in order: the n-th
    /// list under this heading belongs to the n-th tab.
    pub tabs: Vec<(String, Option<Url>)>,
    /// Lists already given a tab title.
    pub used: usize,
}

/// An inline `<script type="text/xml">` (JCMS datastore) and its heading.
pub(crate) struct Datastore {
    pub xml: String,
    pub section: Option<usize>,
    pub area: LinkArea,
}

/// Everything one walk collects.
pub(crate) struct Walk<'a> {
    pub base: Url,
    pub links: Vec<PageLink>,
    pub body_text: TextBuf,
    pub title_tag: String,
    pub meta_title: Option<String>,
    pub meta_pubdate: Option<String>,
    pub meta_maketime: Option<String>,
    pub h1: Option<String>,
    pub article_title: Option<String>,
    pub content: Vec<(u8, ElementRef<'a>)>,
    /// Inline script text (jpage settings, createPageHTML calls).
    pub scripts: String,
    pub datastores: Vec<Datastore>,
    pub sections: Vec<Section>,
    pub blocks: Vec<RawBlock>,
    /// A short element in the body reads 暂无信息 / 暂无数据 …
    pub placeholder_seen: bool,
}

#[derive(Clone, Copy)]
struct Ctx {
    area: LinkArea,
    section: Option<usize>,
    in_list: bool,
    in_li: bool,
    in_head: bool,
    depth: u32,
}

/// Placeholder words of an empty list.
pub(crate) fn is_placeholder_text(t: &str) -> bool {
    const WORDS: [&str; 9] = [
        "暂无信息",
        "暂无数据",
        "暂无内容",
        "暂无记录",
        "暂无相关",
        "正在建设中",
        "正在建设",
        "没有记录",
        "没有相关信息",
    ];
    WORDS.iter().any(|w| t.contains(w))
}

/// Short labels followed by their links: `相关解读：<a…>`.
fn label_of(t: &str) -> Option<String> {
    let t = t.trim();
    let stripped = t.strip_suffix('：').or_else(|| t.strip_suffix(':'))?;
    let stripped = stripped.trim();
    let n = char_len(stripped);
    ((2..=10).contains(&n) && !stripped.chars().any(|c| c.is_ascii_digit()))
        .then(|| stripped.to_string())
}

/// Where an anchor leads: its href, or, when the href is a script or an
/// empty `#` (pagers written as `href="javascript:void(0)"
/// onclick="window.location.href='index_1.html'"`), the URL its script
/// navigates to. `None` when neither names one.
fn link_target<'v>(href: Option<&'v str>, onclick: Option<&'v str>) -> Option<&'v str> {
    let scripted = |h: &str| {
        let h = h.trim();
        h.is_empty()
            || h.starts_with('#')
            || h.get(..11)
                .is_some_and(|p| p.eq_ignore_ascii_case("javascript:"))
    };
    match href {
        Some(h) if !scripted(h) => Some(h),
        _ => href
            .into_iter()
            .chain(onclick)
            .find_map(super::sniff::script_navigation)
            .or(href),
    }
}

impl<'a> Walk<'a> {
    pub fn run(doc: &'a Html, url: &Url) -> Walk<'a> {
        let mut w = Walk {
            base: url.clone(),
            links: Vec::new(),
            body_text: TextBuf::default(),
            title_tag: String::new(),
            meta_title: None,
            meta_pubdate: None,
            meta_maketime: None,
            h1: None,
            article_title: None,
            content: Vec::new(),
            scripts: String::new(),
            datastores: Vec::new(),
            sections: Vec::new(),
            blocks: Vec::new(),
            placeholder_seen: false,
        };
        let ctx = Ctx {
            area: LinkArea::Body,
            section: None,
            in_list: false,
            in_li: false,
            in_head: false,
            depth: 0,
        };
        w.element(doc.root_element(), ctx);
        w
    }

    fn push_link(&mut self, href: &str, text: String, tag: &str, ctx: Ctx) {
        if let Some(u) = crate::urlnorm::resolve(&self.base, href) {
            self.links.push(PageLink {
                url: crate::urlnorm::normalize(&u),
                text,
                area: ctx.area,
                section: ctx.section.map(|i| self.sections[i].text.clone()),
                tag: tag.to_string(),
            });
        }
    }

    /// A heading-like element: h2–h6 / dt / caption, a title bar by class
    /// (`hd`, `title`, `tit` …), or a short bold label ending in `：`.
    /// A tab bar (`<ul class="tab-title"><li>通知公告</li><li>工作动态</li></ul>`):
    /// 2–8 short titles, each with at most one link.
    fn tab_bar(&mut self, el: ElementRef<'_>) -> Option<usize> {
        let name = el.value().name();
        if !matches!(name, "div" | "ul" | "ol" | "p" | "span" | "dl") {
            return None;
        }
        if !tokens(el).any(|t| t.contains("tab") || is_heading_token(&t)) {
            return None;
        }
        let mut parts: Vec<ElementRef<'_>> = el.children().filter_map(ElementRef::wrap).collect();
        if parts.len() == 1 && matches!(parts[0].value().name(), "ul" | "ol") {
            parts = parts[0].children().filter_map(ElementRef::wrap).collect();
        }
        if !(2..=8).contains(&parts.len()) {
            return None;
        }
        let mut tabs = Vec::with_capacity(parts.len());
        for p in parts {
            // A tab title is small; a big part means this is no tab bar.
            if p.descendants().nth(24).is_some() {
                return None;
            }
            let t = text_of(p, false);
            let t = t.trim();
            if is_more_text(t) {
                continue;
            }
            if !(2..=10).contains(&char_len(t)) || t.chars().any(|c| c.is_ascii_digit()) {
                return None;
            }
            let mut links = p
                .descendants()
                .filter_map(ElementRef::wrap)
                .filter(|e| e.value().name() == "a");
            let first = if p.value().name() == "a" {
                Some(p)
            } else {
                links.next()
            };
            if links.next().is_some() {
                return None;
            }
            let url = first
                .and_then(|a| a.value().attr("href"))
                .and_then(|h| crate::urlnorm::resolve(&self.base, h));
            tabs.push((t.to_string(), url));
        }
        if tabs.len() < 2 {
            return None;
        }
        self.sections.push(Section {
            text: tabs[0].0.clone(),
            more: tabs[0].1.clone(),
            tabs,
            used: 0,
        });
        Some(self.sections.len() - 1)
    }

    fn heading(&mut self, el: ElementRef<'_>, in_li: bool) -> Option<usize> {
        let v = el.value();
        let name = v.name();
        let by_tag = !in_li
            && matches!(
                name,
                "h2" | "h3" | "h4" | "h5" | "h6" | "dt" | "caption" | "legend"
            );
        let by_class = !in_li
            && !by_tag
            && !matches!(
                name,
                "a" | "li"
                    | "ul"
                    | "ol"
                    | "table"
                    | "tr"
                    | "td"
                    | "img"
                    | "input"
                    | "form"
                    | "body"
            )
            && tokens(el).any(|t| is_heading_token(&t));
        // Old table layouts: a row (or a whole small table) holding only a
        // short title and maybe a 更多 link heads the rows or tables after it.
        let by_table = !in_li && !by_tag && !by_class && matches!(name, "table" | "tbody" | "tr");
        if !(by_tag || by_class || by_table) {
            // A bold label: only when its text ends in a colon (cheap test first).
            if !matches!(name, "strong" | "b" | "label" | "span" | "em") {
                return None;
            }
            let last = el
                .text()
                .flat_map(|t| t.chars())
                .filter(|c| !c.is_whitespace())
                .last();
            if !matches!(last, Some('：') | Some(':')) {
                return None;
            }
        }
        // Small subtrees only: a title bar, not a whole block.
        let mut n_el = 0;
        let mut links: Vec<ElementRef<'_>> = Vec::new();
        for d in el.descendants().skip(1) {
            if let Some(e) = d.value().as_element() {
                n_el += 1;
                if n_el > 16 || matches!(e.name(), "ul" | "ol" | "table" | "li" | "p") {
                    return None;
                }
                if e.name() == "a" {
                    links.push(ElementRef::wrap(d)?);
                }
            }
        }
        if links.len() > 3 {
            return None;
        }
        let mut buf = TextBuf::default();
        let mut more = None;
        for t in el.text() {
            if is_more_text(t) {
                continue;
            }
            buf.push(t);
            buf.space();
        }
        let raw = buf.finish();
        let text = heading_text(&raw);
        let n = char_len(&text);
        if by_table && (n > 12 || !text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))) {
            return None;
        }
        if !(2..=20).contains(&n)
            || super::dates::find_date(&text).is_some()
            || text
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
        {
            return None;
        }
        for a in &links {
            let at: String = a.text().collect();
            let is_more = is_more_text(&at)
                || tokens(*a).any(|t| t.contains("more"))
                || (at.trim().is_empty() && a.value().attr("title").is_some_and(is_more_text));
            if is_more
                || (links.len() == 1
                    && at.split_whitespace().collect::<String>() == text.replace(' ', ""))
            {
                if let Some(u) = a
                    .value()
                    .attr("href")
                    .and_then(|h| crate::urlnorm::resolve(&self.base, h))
                {
                    more = Some(u);
                    if is_more {
                        break;
                    }
                }
            }
        }
        self.sections.push(Section {
            text,
            more,
            tabs: Vec::new(),
            used: 0,
        });
        Some(self.sections.len() - 1)
    }

    fn element(&mut self, el: ElementRef<'a>, mut ctx: Ctx) {
        let v = el.value();
        let name = v.name();
        ctx.depth += 1;
        if ctx.depth > 300 {
            return;
        }
        match name {
            "script" => {
                if let Some(src) = v.attr("src") {
                    self.push_link(src, String::new(), "script", ctx);
                }
                let ty = v.attr("type").unwrap_or("").to_ascii_lowercase();
                let body: String = el.text().collect();
                if ty.contains("xml") {
                    self.datastores.push(Datastore {
                        xml: body,
                        section: ctx.section,
                        area: ctx.area,
                    });
                } else if !body.trim().is_empty() {
                    self.scripts.push_str(&body);
                    self.scripts.push('\n');
                }
                return;
            }
            "style" | "noscript" | "template" => return,
            "head" => {
                ctx.in_head = true;
                ctx.area = LinkArea::Nav;
            }
            "title" if ctx.in_head || self.title_tag.is_empty() => {
                if self.title_tag.is_empty() {
                    self.title_tag = text_of(el, false);
                }
                return;
            }
            "meta" => {
                let n = v.attr("name").unwrap_or("").to_ascii_lowercase();
                let c = v.attr("content").map(str::trim).filter(|c| !c.is_empty());
                if let Some(c) = c {
                    match n.as_str() {
                        "articletitle" => self.meta_title = Some(c.to_string()),
                        "pubdate" | "publishdate" | "firstpublishedtime" => {
                            self.meta_pubdate.get_or_insert_with(|| c.to_string());
                        }
                        "maketime" => self.meta_maketime = Some(c.to_string()),
                        _ => {}
                    }
                }
                return;
            }
            "base" => {
                if let Some(u) = v.attr("href").and_then(|h| self.base.join(h).ok()) {
                    self.base = u;
                }
                return;
            }
            "link" => {
                if let Some(h) = v.attr("href") {
                    self.push_link(h, String::new(), "link", ctx);
                }
                return;
            }
            _ => {}
        }
        if ctx.area == LinkArea::Body {
            if let Some(a) = area_of(el) {
                ctx.area = a;
            }
        }
        // Blocks named by pinyin initials (xgjd = 相关解读) whose heading is an
        // image or CSS background: the class names the section.
        if ctx.area == LinkArea::Body && (v.attr("class").is_some() || v.attr("id").is_some()) {
            if let Some(label) = tokens(el).find_map(|t| section_code(&t)) {
                self.sections.push(Section {
                    text: label.to_string(),
                    more: None,
                    tabs: Vec::new(),
                    used: 0,
                });
                ctx.section = Some(self.sections.len() - 1);
            }
        }
        match name {
            "a" => {
                if let Some(h) = link_target(v.attr("href"), v.attr("onclick")) {
                    let mut t = text_of(el, false);
                    if t.is_empty() {
                        t = v
                            .attr("title")
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .or_else(|| {
                                el.descendants()
                                    .filter_map(|d| d.value().as_element())
                                    .find_map(|e| e.attr("alt").or(e.attr("title")))
                                    .map(|s| s.trim().to_string())
                            })
                            .unwrap_or_default();
                    }
                    self.push_link(h, t, "a", ctx);
                }
            }
            "img" | "iframe" | "frame" => {
                if let Some(src) = v.attr("src") {
                    let t = v
                        .attr("alt")
                        .or(v.attr("title"))
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    let tag = if name == "frame" { "iframe" } else { name };
                    self.push_link(src, t, tag, ctx);
                }
            }
            "h1" if ctx.area == LinkArea::Body && self.h1.is_none() => {
                let t = text_of(el, false);
                if (2..=200).contains(&char_len(&t)) {
                    self.h1 = Some(t);
                }
            }
            "li" => ctx.in_li = true,
            _ => {}
        }
        if ctx.area == LinkArea::Body {
            let p = content_priority(el);
            if p > 0 {
                self.content.push((p, el));
            }
            if self.article_title.is_none() && name != "a" && is_article_title(el) {
                let t = text_of(el, false);
                if (4..=200).contains(&char_len(&t)) {
                    self.article_title = Some(t);
                }
            }
            if !ctx.in_list {
                if let Some(mut b) = lists::detect(el, &self.base) {
                    if let Some(s) = ctx.section {
                        let sec = &mut self.sections[s];
                        if sec.tabs.is_empty() {
                            b.heading = Some(sec.text.clone());
                            b.more = sec.more.clone();
                        } else if let Some((t, u)) = sec.tabs.get(sec.used) {
                            b.heading = Some(t.clone());
                            b.more = u.clone();
                            sec.used += 1;
                        }
                    }
                    if b.more.is_none() {
                        b.more = self.more_after(el);
                    }
                    self.blocks.push(b);
                    ctx.in_list = true;
                }
            }
        }
        let block = is_block(name);
        if block && ctx.area == LinkArea::Body {
            self.body_text.space();
        }
        let mut section = ctx.section;
        for child in el.children() {
            match child.value() {
                Node::Text(t) => {
                    if ctx.area == LinkArea::Body && !ctx.in_head {
                        self.body_text.push(t);
                        if is_placeholder_text(t) && char_len(&text_of(el, false)) <= 30 {
                            self.placeholder_seen = true;
                        }
                    }
                    if let Some(l) = label_of(t) {
                        self.sections.push(Section {
                            text: l,
                            more: None,
                            tabs: Vec::new(),
                            used: 0,
                        });
                        section = Some(self.sections.len() - 1);
                    }
                }
                Node::Element(_) => {
                    let Some(ce) = ElementRef::wrap(child) else {
                        continue;
                    };
                    let tab = if ctx.in_li { None } else { self.tab_bar(ce) };
                    if let Some(h) = tab.or_else(|| self.heading(ce, ctx.in_li)) {
                        section = Some(h);
                    }
                    self.element(ce, Ctx { section, ..ctx });
                }
                _ => {}
            }
        }
        if block && ctx.area == LinkArea::Body {
            self.body_text.space();
        }
    }

    /// A "more" link right after a list (`<ul>…</ul><a class="more">更多</a>`).
    fn more_after(&self, el: ElementRef<'_>) -> Option<Url> {
        let next = el.next_siblings().filter_map(ElementRef::wrap).next()?;
        let a = if next.value().name() == "a" {
            Some(next)
        } else {
            next.descendants()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "a")
        }?;
        let t: String = a.text().collect();
        if !is_more_text(&t) && !tokens(a).any(|t| t.contains("more")) {
            return None;
        }
        crate::urlnorm::resolve(&self.base, a.value().attr("href")?)
    }
}

/// Section named by a class/id code (pinyin initials or words) of a
/// related-links block on article pages.
fn section_code(token: &str) -> Option<&'static str> {
    let t = token.replace('-', "_");
    let head = t.split('_').next().unwrap_or("");
    match head {
        "xgjd" | "jiedu" | "xgjiedu" | "relatedjd" => Some("相关解读"),
        "zcjd" => Some("政策解读"),
        "xglj" | "related" | "relatedlinks" => Some("相关链接"),
        "xgwj" | "ywlj" => Some("相关文件"),
        _ => None,
    }
}

/// Heading text without decoration: `通知公告 NOTICE >>` → `通知公告`
/// (English words beside Chinese ones are template ornament).
fn heading_text(raw: &str) -> String {
    let has_cjk = raw.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let words: Vec<&str> = raw
        .split_whitespace()
        .filter(|w| !(has_cjk && w.chars().all(|c| c.is_ascii_alphabetic())))
        .collect();
    words
        .join(" ")
        .trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '：' | ':' | '>' | '》' | '|' | '·' | '■' | '●')
        })
        .to_string()
}

/// An article title element by class (`article-title`, `art_title`, `bt` …).
fn is_article_title(el: ElementRef<'_>) -> bool {
    tokens(el).any(|t| {
        let t = t.replace('-', "_");
        matches!(
            t.as_str(),
            "article_title"
                | "art_title"
                | "arttitle"
                | "detail_title"
                | "news_title"
                | "newstitle"
                | "content_title"
                | "con_title"
                | "wz_title"
                | "xl_title"
                | "title_article"
                | "articletitle"
                | "sp_title"
                | "zw_title"
                | "main_title"
                | "tit_article"
                | "article_tit"
                | "xxgk_title"
                | "wzy_title"
                | "zwtitle"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_codes() {
        assert_eq!(section_code("xgjd"), Some("相关解读"));
        assert_eq!(section_code("xgjd-box"), Some("相关解读"));
        assert_eq!(section_code("xglj"), Some("相关链接"));
        assert_eq!(section_code("zcjd_list"), Some("政策解读"));
        assert_eq!(section_code("content"), None);
        assert_eq!(section_code("box_xgjd"), None, "only a leading code");
    }

    #[test]
    fn heading_decoration_is_dropped() {
        assert_eq!(heading_text("通知公告 NOTICE"), "通知公告");
        assert_eq!(heading_text("■ 工作动态 >>"), "工作动态");
        assert_eq!(heading_text("English News"), "English News");
    }

    #[test]
    fn labels_end_in_a_colon() {
        assert_eq!(label_of("相关解读：").as_deref(), Some("相关解读"));
        assert_eq!(label_of(" 相关链接: ").as_deref(), Some("相关链接"));
        assert_eq!(label_of("发布日期：2026-11-03"), None);
        assert_eq!(
            label_of("各街道办事处，区政府各部门："),
            None,
            "a salutation is too long"
        );
        assert_eq!(label_of("2026年："), None);
    }

    #[test]
    fn placeholder_words() {
        assert!(is_placeholder_text("暂无信息"));
        assert!(is_placeholder_text("该栏目正在建设中"));
        assert!(!is_placeholder_text("暂停营业"));
    }
}
