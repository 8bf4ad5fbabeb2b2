//! `govaudit inspect`: what govaudit makes of one page, shown to a reader
//! (or as JSON). The library's `inspect` builds the [`Inspection`].

use govaudit::inspect::Inspection;

/// An inspection as text for a reader, or as pretty JSON.
pub fn render(i: &Inspection, json: bool) -> String {
    if json {
        return format!(
            "{}\n",
            serde_json::to_string_pretty(i).expect("an inspection serialises")
        );
    }
    let mut o = String::new();
    fn line(o: &mut String, k: &str, v: String) {
        o.push_str(&format!("{k:<12}{v}\n"));
    }
    line(&mut o, "url", i.url.clone());
    if let Some(f) = &i.final_url {
        line(&mut o, "redirected", f.clone());
    }
    line(
        &mut o,
        "answer",
        format!(
            "{} ({} attempt{}), {}, {} bytes",
            i.status
                .map_or("no answer".to_string(), |s| format!("HTTP {s}")),
            i.attempts,
            if i.attempts == 1 { "" } else { "s" },
            i.content_type.as_deref().unwrap_or("no content type"),
            i.bytes
        ),
    );
    if let Some(e) = &i.error {
        line(&mut o, "error", e.clone());
    }
    if !i.charset.is_empty() {
        line(
            &mut o,
            "charset",
            format!("{} ({})", i.charset, i.charset_from),
        );
    }
    line(&mut o, "kind", format!("{} — {}", i.kind, i.kind_why));
    if !i.title.is_empty() {
        line(&mut o, "title", i.title.clone());
    }
    if let Some(d) = i.date {
        let from = i
            .date_from
            .and_then(|f| serde_json::to_value(f).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        line(&mut o, "date", format!("{d} ({from})"));
    }
    line(
        &mut o,
        "text",
        format!(
            "{} characters without navigation and footer; own text {} Chinese characters{}",
            i.text_chars,
            i.own_text.chars,
            if i.own_text.excerpt.is_empty() {
                String::new()
            } else {
                format!(": {}…", i.own_text.excerpt)
            }
        ),
    );
    if let Some(f) = i.own_text.form {
        line(&mut o, "form", format!("{f:?}").to_lowercase());
    }
    if let Some(e) = &i.own_text.entrance {
        line(&mut o, "entrance", e.clone());
    }
    if i.placeholder || i.own_text.empty_list {
        line(
            &mut o,
            "empty",
            format!(
                "placeholder {}, empty list container {}",
                i.placeholder, i.own_text.empty_list
            ),
        );
    }
    for l in &i.lists {
        line(
            &mut o,
            "list",
            format!(
                "{} ({}, {} items{})",
                l.heading.as_deref().unwrap_or("(no heading)"),
                l.style,
                l.items.len(),
                l.more
                    .as_ref()
                    .map(|m| format!(", more {m}"))
                    .unwrap_or_default()
            ),
        );
        for it in &l.items {
            o.push_str(&format!(
                "    {:<10} {:<6} {}  {}\n",
                it.date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "undated".into()),
                it.date_from.as_deref().unwrap_or(""),
                it.title,
                it.url.as_deref().unwrap_or("")
            ));
        }
    }
    line(
        &mut o,
        "pagination",
        if i.pagination.is_empty() {
            "none".into()
        } else {
            i.pagination.join("  ")
        },
    );
    line(
        &mut o,
        "columns",
        format!("{} in the navigation", i.nav_columns.len()),
    );
    for c in &i.nav_columns {
        o.push_str(&format!(
            "    {:<16} {:<14} {:<8} {}\n",
            c.name,
            c.class.map_or("-", |c| c.as_str()),
            c.level
                .map_or("level ?".to_string(), |l| format!("level {l}")),
            c.url
        ));
    }
    line(
        &mut o,
        "links",
        format!(
            "{} nav, {} body, {} footer",
            i.links.nav.len(),
            i.links.body.len(),
            i.links.footer.len()
        ),
    );
    for l in &i.links.body {
        o.push_str(&format!(
            "    body  {}{}  {}\n",
            l.text,
            l.section
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default(),
            l.url
        ));
    }
    if let Some(c) = &i.column {
        line(
            &mut o,
            "as column",
            format!(
                "{} ({}), {}, {} items, latest {}{}",
                c.name,
                c.class.as_str(),
                c.kind.as_str(),
                c.items,
                c.latest.map_or("none".into(), |d| d.to_string()),
                c.channel
                    .as_ref()
                    .map(|w| format!(", channel: {w}"))
                    .unwrap_or_default()
            ),
        );
    }
    if let (Some(site), Some(findings)) = (&i.site, &i.findings) {
        line(
            &mut o,
            "findings",
            format!(
                "{} for site {site} as of {}",
                findings.len(),
                i.as_of.map(|d| d.to_string()).unwrap_or_default()
            ),
        );
        for f in findings {
            o.push_str(&format!(
                "    {} {} {}\n",
                f.rule,
                f.severity.as_str(),
                f.message
            ));
        }
    }
    o
}
