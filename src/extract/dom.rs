//! DOM helpers shared by the extractors: whitespace-collapsed text, the
//! page area an element opens (navigation, footer), main-content containers
//! and block headings, judged from tag names and class/id tokens the way gov
//! site templates name them.

use scraper::{ElementRef, Node};

use crate::site::LinkArea;

/// The attribute values and text of `el` and everything in it, space
/// separated: what a serialised element says, without serialising it.
/// html5ever's serializer (`ElementRef::html`) panics on trees the
/// adoption agency left with stale parent links (ego-tree 0.10 reparenting
/// a `<a>` around a block, found by tests/fuzz.rs); walking children by
/// sibling links stays inside the element and cannot panic.
pub(crate) fn subtree_words(el: ElementRef<'_>) -> String {
    // ego_tree is not a direct dependency: its node type, named through scraper.
    type NodeRef<'a> = <ElementRef<'a> as std::ops::Deref>::Target;
    fn walk(node: NodeRef<'_>, out: &mut String, depth: usize) {
        match node.value() {
            Node::Element(e) => {
                for (_, v) in e.attrs() {
                    out.push_str(v);
                    out.push(' ');
                }
            }
            Node::Text(t) => {
                out.push_str(t);
                out.push(' ');
            }
            _ => {}
        }
        // Pages are cut at extract::MAX_PARSE_DEPTH; this bound only guards
        // the stack should a tree come from elsewhere.
        if depth < 2 * super::MAX_PARSE_DEPTH {
            for c in node.children() {
                walk(c, out, depth + 1);
            }
        }
    }
    let mut out = String::new();
    walk(*el, &mut out, 0);
    out
}

/// Elements whose content is never page text.
pub(crate) fn is_opaque(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "svg" | "object" | "select" | "head"
    )
}

/// Block-level elements: their boundaries separate words in collapsed text.
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "tbody"
            | "thead"
            | "br"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "form"
            | "blockquote"
            | "pre"
            | "hr"
            | "option"
            | "main"
            | "center"
            | "caption"
    )
}

/// Appends text to a buffer, collapsing every whitespace run (including
/// NBSP and the ideographic space) to one ASCII space.
#[derive(Default)]
pub(crate) struct TextBuf {
    pub s: String,
}

impl TextBuf {
    pub fn push(&mut self, t: &str) {
        for c in t.chars() {
            if c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' || c == '\u{200b}' {
                self.space();
            } else {
                self.s.push(c);
            }
        }
    }

    pub fn space(&mut self) {
        if !self.s.is_empty() && !self.s.ends_with(' ') {
            self.s.push(' ');
        }
    }

    pub fn finish(mut self) -> String {
        if self.s.ends_with(' ') {
            self.s.pop();
        }
        self.s
    }
}

/// Collapsed text of an element, without script/style and with spaces at
/// block boundaries. `skip_areas` also leaves out nested nav/footer blocks.
pub(crate) fn text_of(el: ElementRef<'_>, skip_areas: bool) -> String {
    let mut buf = TextBuf::default();
    text_into(el, skip_areas, &mut buf, 0);
    buf.finish()
}

fn text_into(el: ElementRef<'_>, skip_areas: bool, buf: &mut TextBuf, depth: u32) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => buf.push(t),
            Node::Element(e) => {
                let name = e.name();
                if is_opaque(name) || depth > 400 {
                    continue;
                }
                let Some(ce) = ElementRef::wrap(child) else {
                    continue;
                };
                if skip_areas && area_of(ce).is_some() {
                    continue;
                }
                let block = is_block(name);
                if block {
                    buf.space();
                }
                text_into(ce, skip_areas, buf, depth + 1);
                if block {
                    buf.space();
                }
            }
            _ => {}
        }
    }
}

/// Lower-cased class and id tokens of an element.
pub(crate) fn tokens(el: ElementRef<'_>) -> impl Iterator<Item = String> + '_ {
    let v = el.value();
    v.classes()
        .chain(v.id())
        .map(|t| t.to_ascii_lowercase())
        .filter(|t| !t.is_empty())
}

fn is_nav_token(t: &str) -> bool {
    t.contains("nav")
        || t.contains("menu")
        || t.contains("daohang")
        || t.contains("crumb")
        || t.contains("header")
        || matches!(
            t,
            "head"
                | "top"
                | "topbar"
                | "top-bar"
                | "top_bar"
                | "banner"
                | "position"
                | "location"
                | "dqwz"
                | "weizhi"
                | "dh"
                | "lanmu-nav"
                | "sidebar"
                | "side-bar"
                | "toolbar"
                | "skip"
        )
}

fn is_footer_token(t: &str) -> bool {
    t.contains("foot")
        || t.contains("bottom")
        || t.contains("copyright")
        || t.contains("banquan")
        || matches!(t, "bq" | "bqxx" | "dbxx" | "copy" | "db" | "site-info")
}

/// The area an element opens, when it opens one: `<nav>` / `<header>` /
/// menus / breadcrumbs are navigation, `<footer>` and copyright blocks are
/// the footer.
pub(crate) fn area_of(el: ElementRef<'_>) -> Option<LinkArea> {
    let v = el.value();
    match v.name() {
        "nav" => return Some(LinkArea::Nav),
        // An HTML5 <header> inside an article is the article's title block.
        "header" => {
            let in_article = el.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "article" | "main"))
            });
            if !in_article {
                return Some(LinkArea::Nav);
            }
        }
        "footer" => return Some(LinkArea::Footer),
        _ => {}
    }
    if v.attr("role") == Some("navigation") {
        return Some(LinkArea::Nav);
    }
    let mut area = None;
    for t in tokens(el) {
        if is_footer_token(&t) {
            return Some(LinkArea::Footer);
        }
        if area.is_none() && is_nav_token(&t) {
            area = Some(LinkArea::Nav);
        }
    }
    area
}

/// How likely an element is the article body container (0 = not one).
/// Specific CMS names (TRS_Editor, zoom, bt_content …) beat generic ones.
pub(crate) fn content_priority(el: ElementRef<'_>) -> u8 {
    let mut best = 0;
    for t in tokens(el) {
        let p = match t.as_str() {
            "trs_editor" | "zoom" | "bt_content" | "art_con" | "artcon" | "wzy" | "wzy_con"
            | "zw" | "zwnr" | "nrzw" | "custom_unionstyle" | "pages_content" | "view"
            | "article-content" | "article_content" | "articlecontent" | "art-content"
            | "detail-content" | "detail_content" | "news-content" | "news_content"
            | "newscontent" | "con_text" | "contxt" | "content-text" | "content_text"
            | "main-txt" | "main_txt" | "artibody" | "article-body" | "xxgk_content"
            | "wz_content" | "ccontent" | "text-content" | "zoomcon" | "conzw" | "maintext"
            | "zw-con" | "zw_con" | "zwcon" | "con-txt" | "con_txt" | "article-text"
            | "article_text" | "content-detail" | "detail-text" | "xl-content" | "xl_content"
            | "info-content" | "info_content" | "ewb-article-info" | "nr" | "nrbox"
            | "txt-content" | "fontzoom" | "news_text" | "news-text" => 3,
            _ if t.starts_with("wzy")
                || t.starts_with("trs_")
                || t.ends_with("_zw")
                || t.ends_with("-zw") =>
            {
                3
            }
            "article" | "content" | "contents" | "detail" | "details" | "main-content"
            | "maincontent" | "main_content" | "con" | "article-con" | "article_con" => 2,
            _ => 0,
        };
        best = best.max(p);
    }
    if best == 0 && el.value().name() == "article" {
        best = 2;
    }
    best
}

/// Words of "more" links (更多 >>) and decoration stripped from headings.
pub(crate) fn is_more_text(t: &str) -> bool {
    let t = t.trim();
    let l = t.to_ascii_lowercase();
    l.contains("更多")
        || l.starts_with("more")
        || l == "+"
        || l == "》"
        || l == ">>"
        || l == "＞＞"
        || l == "»"
        || l == "查看更多"
}

/// Token of a class or id naming a block heading (title bar).
pub(crate) fn is_heading_token(t: &str) -> bool {
    let words = t.split(|c: char| c == '-' || c == '_' || c.is_ascii_digit());
    let mut hit = false;
    for w in words {
        if matches!(
            w,
            "tit"
                | "title"
                | "titles"
                | "hd"
                | "head"
                | "bt"
                | "lmmc"
                | "caption"
                | "lmbt"
                | "tabtitle"
                | "heading"
                | "name"
        ) {
            hit = true;
        }
    }
    hit || t.ends_with("title") || t.ends_with("tit")
}

/// Number of characters, for length limits on CJK text.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    fn first<'a>(doc: &'a Html, css: &str) -> ElementRef<'a> {
        doc.select(&Selector::parse(css).unwrap()).next().unwrap()
    }

    #[test]
    fn areas_from_tags_and_class_tokens() {
        let doc = Html::parse_document(
            r#"<nav id="n"></nav><div id="a" class="main-nav"></div><div id="b" class="g-footer"></div>
            <div id="c" class="news-list"></div><div id="d" class="position"></div>
            <div id="e" class="left"></div><header id="f"></header>
            <article><header id="g"><h1>t</h1></header></article><div id="h" class="top-news"></div>"#,
        );
        let a = |id: &str| area_of(first(&doc, &format!("#{id}")));
        assert_eq!(a("n"), Some(LinkArea::Nav));
        assert_eq!(a("a"), Some(LinkArea::Nav));
        assert_eq!(a("b"), Some(LinkArea::Footer));
        assert_eq!(a("c"), None);
        assert_eq!(a("d"), Some(LinkArea::Nav), "breadcrumb");
        assert_eq!(a("e"), None, "a left column may hold news blocks");
        assert_eq!(a("f"), Some(LinkArea::Nav));
        assert_eq!(a("g"), None, "an article's own header is body");
        assert_eq!(a("h"), None, "top-news is a news block, not the top bar");
    }

    #[test]
    fn content_containers_ranked() {
        let doc = Html::parse_document(
            r#"<div id="content" class="w1200"></div><div class="TRS_Editor"></div><div id="zoom"></div><div class="news-list"></div>"#,
        );
        assert_eq!(content_priority(first(&doc, "#content")), 2);
        assert_eq!(content_priority(first(&doc, ".TRS_Editor")), 3);
        assert_eq!(content_priority(first(&doc, "#zoom")), 3);
        assert_eq!(content_priority(first(&doc, ".news-list")), 0);
    }

    #[test]
    fn text_is_collapsed_with_block_breaks() {
        let doc = Html::parse_document(
            "<div id=\"x\"><p>第一段\n  文字</p><p>第二段&nbsp;&nbsp;文字</p><script>var a=1;</script><table><tr><td>名称</td><td>日期</td></tr></table><span>发布</span><span>日期</span></div>",
        );
        assert_eq!(
            text_of(first(&doc, "#x"), false),
            "第一段 文字 第二段 文字 名称 日期 发布日期"
        );
    }

    #[test]
    fn heading_tokens_and_more_words() {
        for t in [
            "title",
            "box-hd",
            "lm_tit",
            "column-title",
            "hd",
            "bt",
            "newstitle",
        ] {
            assert!(is_heading_token(t), "{t}");
        }
        for t in ["list", "content", "hdr-x-y", "subtitlex"] {
            assert!(!is_heading_token(t), "{t}");
        }
        for t in ["更多", "更多>>", "more", "MORE+", ">>", "+"] {
            assert!(is_more_text(t), "{t}");
        }
        assert!(!is_more_text("通知公告"));
    }
}
