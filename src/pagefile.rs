//! The page file: where the text and links of a site's pages go as the
//! crawl fetches them, so a site of 20,000 articles does not hold them all
//! in memory until its crawl ends.
//!
//! A page's text and links are most of its weight; what the rules need of
//! every page at once (url, kind, column, title, date, facts, messages)
//! stays in [`Site::pages`](crate::site::Site). Each spilled page keeps a
//! [`BodyRef`] (where its body sits in the file) and
//! [`Site::full_pages`](crate::site::Site::full_pages) reads the bodies back
//! one page at a time, so the rules that read text or links see whole pages
//! while memory holds one.
//!
//! The file is JSON Lines: one `{"text": …, "links": […]}` object a line, in
//! the order pages arrived; it is the snapshot's `sites/<id>.pages.jsonl`
//! beside `sites/<id>.json` (see [`crate::snapshot`]). A snapshot from before
//! the page file keeps text and links inline and replays as it always did.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::site::{BodyRef, Page, PageLink};

/// The spilled part of a page.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PageBody {
    /// [`Page::text`].
    #[serde(default)]
    pub text: String,
    /// [`Page::links`].
    #[serde(default)]
    pub links: Vec<PageLink>,
}

/// The borrowed form written out.
#[derive(Serialize)]
struct BodyOut<'a> {
    text: &'a str,
    links: &'a [PageLink],
}

/// Appends page bodies to a page file as pages arrive.
pub struct PageFileWriter {
    path: PathBuf,
    /// Unbuffered: a page's line is built whole in memory and written in
    /// one call, and every site in flight has a writer (a 32 KB buffer
    /// each was 1.6 MB of a 50-site crawl's heap).
    out: File,
    at: u64,
}

impl PageFileWriter {
    /// Create (or truncate) the page file at `path`.
    pub fn create(path: &Path) -> crate::Result<PageFileWriter> {
        let file = File::create(path).map_err(|e| crate::Error::io(path, e))?;
        Ok(PageFileWriter {
            path: path.to_path_buf(),
            out: file,
            at: 0,
        })
    }

    /// Move `page`'s text and links to the file and note where they went in
    /// `page.body`. A page already spilled is left alone.
    pub fn spill(&mut self, page: &mut Page) -> crate::Result<()> {
        if page.body.is_some() {
            return Ok(());
        }
        let mut line = serde_json::to_vec(&BodyOut {
            text: &page.text,
            links: &page.links,
        })
        .map_err(|e| crate::Error::io(&self.path, e))?;
        let len = line.len() as u64;
        line.push(b'\n');
        self.out
            .write_all(&line)
            .map_err(|e| crate::Error::io(&self.path, e))?;
        page.body = Some(BodyRef { at: self.at, len });
        self.at += len + 1;
        page.text = String::new();
        page.links = Vec::new();
        Ok(())
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True once a page went to the file.
    pub fn spilled(&self) -> bool {
        self.at > 0
    }

    /// Open the file for reading back (every line is written already).
    pub fn finish(self) -> crate::Result<PageFile> {
        PageFile::open(&self.path)
    }
}

/// A page file opened for reading bodies back (cheap to clone: the clones
/// share one handle).
#[derive(Clone)]
pub struct PageFile {
    path: PathBuf,
    file: Arc<Mutex<File>>,
}

impl std::fmt::Debug for PageFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PageFile({})", self.path.display())
    }
}

/// Two handles on the same file are the same page file.
impl PartialEq for PageFile {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

impl PageFile {
    /// Open the page file at `path`.
    pub fn open(path: &Path) -> crate::Result<PageFile> {
        let file = File::open(path).map_err(|e| crate::Error::io(path, e))?;
        Ok(PageFile {
            path: path.to_path_buf(),
            file: Arc::new(Mutex::new(file)),
        })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read one page's body.
    pub fn read(&self, body: &BodyRef) -> crate::Result<PageBody> {
        let mut buf = vec![0; body.len as usize];
        {
            let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
            f.seek(SeekFrom::Start(body.at))
                .and_then(|_| f.read_exact(&mut buf))
                .map_err(|e| crate::Error::io(&self.path, e))?;
        }
        serde_json::from_slice(&buf).map_err(|e| {
            crate::Error::io(&self.path, format!("page body at byte {}: {e}", body.at))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{LinkArea, PageKind};

    fn page(n: usize) -> Page {
        Page {
            url: format!("http://a/{n}.html"),
            kind: PageKind::Article,
            title: format!("标题{n}"),
            text: format!("正文{n}，含换行\n和\"引号\""),
            links: vec![PageLink {
                url: format!("http://a/{}.html", n + 1),
                text: "下一篇".into(),
                area: LinkArea::Body,
                section: None,
                tag: "a".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn spilled_pages_read_back_whole_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.pages.jsonl");
        let mut w = PageFileWriter::create(&path).unwrap();
        let originals: Vec<Page> = (0..3).map(page).collect();
        let mut slim = originals.clone();
        for p in &mut slim {
            w.spill(p).unwrap();
            assert!(p.text.is_empty() && p.links.is_empty() && p.body.is_some());
        }
        // Spilling twice changes nothing.
        let again = slim[1].body;
        w.spill(&mut slim[1]).unwrap();
        assert_eq!(slim[1].body, again);
        let file = w.finish().unwrap();
        for i in [2, 0, 1] {
            let b = file.read(slim[i].body.as_ref().unwrap()).unwrap();
            assert_eq!(b.text, originals[i].text);
            assert_eq!(b.links, originals[i].links);
        }
        // One JSON object a line.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3);
        for line in text.lines() {
            serde_json::from_str::<PageBody>(line).unwrap();
        }
    }
}
