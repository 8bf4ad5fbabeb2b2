//! The crawl snapshot: the site model saved to a folder so `lint --crawl`
//! can replay the rules offline. Layout: `DIR/manifest.json` (run metadata,
//! site ids in order) and `DIR/sites/<id>.json` (one [`Site`] each), written
//! site by site as crawls finish, and beside each the site's page file
//! `DIR/sites/<id>.pages.jsonl` (src/pagefile.rs): the text and links of its
//! pages, written page by page as the crawl goes ([`SnapshotWriter::page_sink`]).
//! A site whose pages hold their own text (snapshots from before the page
//! file, or a site crawled without the sink) has no page file and reads back
//! as it was written.
//!
//! Every file is written atomically (temp file in the same folder, then
//! rename), and a whole snapshot is staged beside its folder and swapped in
//! when complete, so a killed run never leaves a half-written snapshot;
//! `lint` streams sites one at a time with [`read_manifest`] + [`read_site`]
//! (or [`sites`]), so replay memory follows one site, not the portal.

use std::path::{Path, PathBuf};

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::crawl::{PageSink, SitePages};
use crate::pagefile::{PageFile, PageFileWriter};
use crate::site::{Page, Site};

/// `manifest.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Snapshot format, "govaudit.crawl/1".
    pub schema: String,
    /// `[audit] name` of SITES.toml.
    pub audit_name: Option<String>,
    /// When the crawl started (+08:00).
    pub started_at: String,
    /// When it finished; `None` while it runs.
    pub finished_at: Option<String>,
    /// Site ids in SITES.toml order (one `sites/<id>.json` each).
    pub sites: Vec<String>,
    /// Scoring profile of the audit that wrote the snapshot (a built-in name
    /// or an absolute file path); `lint` uses it unless told otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// Writes a snapshot folder.
///
/// A new snapshot is built in a staging folder beside the target
/// (`.<name>.partial`) and swapped in by [`SnapshotWriter::finish`], so an
/// interrupted crawl leaves the last complete snapshot as it was — never a
/// mix of last night's manifest and tonight's sites. (A target folder that
/// exists but holds no snapshot is written in place rather than swapped.)
pub struct SnapshotWriter {
    /// The folder the snapshot ends up in.
    dir: PathBuf,
    /// Where sites are written until `finish`; equals `dir` when in place.
    staging: PathBuf,
    manifest: Manifest,
    /// Page files that could not be written, by site id (reported by
    /// [`SnapshotWriter::write_site`]).
    spill_errors: SpillErrors,
}

type SpillErrors = Arc<Mutex<Vec<(String, crate::Error)>>>;

/// The page file of site `id` in the folder `dir` of a snapshot.
fn page_file_path(dir: &Path, id: &str) -> PathBuf {
    dir.join("sites").join(format!("{id}.pages.jsonl"))
}

impl SnapshotWriter {
    /// Record the scoring profile the snapshot's audit used.
    pub fn set_profile(&mut self, source: &str) {
        self.manifest.profile = Some(source.to_string());
    }

    /// Start a snapshot in `dir` (staged beside it until [`SnapshotWriter::finish`]).
    pub fn create(
        dir: &Path,
        audit_name: Option<String>,
        started_at: String,
    ) -> crate::Result<Self> {
        let staging = staging_for(dir);
        if staging != dir && staging.exists() {
            // Left by an interrupted run.
            std::fs::remove_dir_all(&staging).map_err(|e| crate::Error::io(&staging, e))?;
        }
        std::fs::create_dir_all(staging.join("sites"))
            .map_err(|e| crate::Error::io(&staging, e))?;
        Ok(SnapshotWriter::staged(
            dir,
            staging,
            audit_name,
            started_at,
            Vec::new(),
        ))
    }

    /// A writer over `staging` whose manifest lists `sites` so far.
    fn staged(
        dir: &Path,
        staging: PathBuf,
        audit_name: Option<String>,
        started_at: String,
        sites: Vec<String>,
    ) -> Self {
        SnapshotWriter {
            dir: dir.to_path_buf(),
            staging,
            manifest: Manifest {
                schema: "govaudit.crawl/1".into(),
                audit_name,
                started_at,
                sites,
                ..Default::default()
            },
            spill_errors: SpillErrors::default(),
        }
    }

    /// Start a snapshot like [`SnapshotWriter::create`], unless an
    /// interrupted run of the same audit left one: when the staging folder's
    /// checkpoint (`checkpoint.json`) holds `key` — the caller's hash of
    /// everything the crawl and its judgement depend on — the sites it
    /// finished are kept and listed, and their ids returned, so only the
    /// others need crawling. Any other staging folder is started afresh.
    pub fn create_resumable(
        dir: &Path,
        audit_name: Option<String>,
        started_at: String,
        key: &str,
    ) -> crate::Result<(Self, Vec<String>)> {
        let staging = staging_for(dir);
        let checkpoint = staging.join(CHECKPOINT);
        let left = std::fs::read(&checkpoint)
            .ok()
            .and_then(|t| serde_json::from_slice::<Checkpoint>(&t).ok());
        if left.as_ref().is_some_and(|c| c.key == key) {
            let mut ids: Vec<String> = std::fs::read_dir(staging.join("sites"))
                .map_err(|e| crate::Error::io(&staging, e))?
                .filter_map(|e| {
                    let name = e.ok()?.file_name().into_string().ok()?;
                    // Skip temp files a killed write left (".<id>.json.….tmp").
                    let id = name.strip_suffix(".json")?;
                    (!id.starts_with('.')).then(|| id.to_string())
                })
                .collect();
            ids.sort();
            let writer = SnapshotWriter::staged(dir, staging, audit_name, started_at, ids.clone());
            return Ok((writer, ids));
        }
        if left.is_some() && staging == dir {
            // An in-place snapshot of another run: its sites are not ours.
            let sites = staging.join("sites");
            if sites.exists() {
                std::fs::remove_dir_all(&sites).map_err(|e| crate::Error::io(&sites, e))?;
            }
        }
        let writer = SnapshotWriter::create(dir, audit_name, started_at)?;
        write_atomic(&writer.staging.join(CHECKPOINT), |w| {
            serde_json::to_writer(w, &Checkpoint { key: key.into() }).map_err(std::io::Error::other)
        })?;
        Ok((writer, Vec::new()))
    }

    /// A site this snapshot already holds (one a resumed run kept).
    pub fn read_written(&self, id: &str) -> crate::Result<Site> {
        read_site(&self.staging, id)
    }

    /// The sink to crawl with ([`crate::crawl::CrawlOptions::pages`]): each
    /// site's pages go to its page file in this snapshot as they are
    /// stored, leaving the site only what the rules need of every page at
    /// once. A page file that cannot be written is reported by
    /// [`SnapshotWriter::write_site`] for that site.
    pub fn page_sink(&self) -> Arc<dyn PageSink> {
        Arc::new(SnapshotPages {
            dir: self.staging.clone(),
            errors: self.spill_errors.clone(),
        })
    }

    /// Write one site (atomically) and list it in the manifest. A site
    /// whose page file lies elsewhere (read from another snapshot) has it
    /// copied in.
    pub fn write_site(&mut self, site: &Site) -> crate::Result<()> {
        let failed = {
            let mut errors = self.spill_errors.lock().unwrap_or_else(|e| e.into_inner());
            errors
                .iter()
                .position(|(id, _)| *id == site.id)
                .map(|i| errors.remove(i).1)
        };
        if let Some(e) = failed {
            return Err(e);
        }
        if let Some(file) = &site.page_file {
            let to = page_file_path(&self.staging, &site.id);
            let same = std::fs::canonicalize(&to)
                .ok()
                .is_some_and(|t| std::fs::canonicalize(file.path()).ok() == Some(t));
            if !same {
                write_atomic(&to, |w| {
                    let mut from = std::fs::File::open(file.path())?;
                    std::io::copy(&mut from, w).map(|_| ())
                })?;
            }
        }
        let path = self.staging.join("sites").join(format!("{}.json", site.id));
        write_atomic(&path, |w| {
            serde_json::to_writer(w, site).map_err(std::io::Error::other)
        })?;
        self.manifest.sites.push(site.id.clone());
        Ok(())
    }

    /// List the sites written in the order of `ids` (SITES.toml order),
    /// whatever order their crawls finished in; ids not in `ids` go last.
    pub fn order_sites(&mut self, ids: &[String]) {
        let pos = |id: &String| ids.iter().position(|x| x == id).unwrap_or(usize::MAX);
        self.manifest.sites.sort_by_key(pos);
    }

    /// Write the manifest and put the snapshot in place; returns its folder.
    pub fn finish(mut self, finished_at: String) -> crate::Result<PathBuf> {
        self.manifest.finished_at = Some(finished_at);
        // The snapshot is complete: nothing is left to resume.
        let checkpoint = self.staging.join(CHECKPOINT);
        if checkpoint.exists() {
            std::fs::remove_file(&checkpoint).map_err(|e| crate::Error::io(&checkpoint, e))?;
        }
        let path = self.staging.join("manifest.json");
        write_atomic(&path, |w| {
            serde_json::to_writer_pretty(w, &self.manifest).map_err(std::io::Error::other)
        })?;
        if self.staging != self.dir {
            let io = |p: &Path, e| crate::Error::io(p, e);
            let old = self.staging.with_extension("old");
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
            }
            if self.dir.exists() {
                std::fs::rename(&self.dir, &old).map_err(|e| io(&self.dir, e))?;
            }
            std::fs::rename(&self.staging, &self.dir).map_err(|e| io(&self.dir, e))?;
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
            }
        }
        Ok(self.dir)
    }
}

/// A snapshot being written keeps its checkpoint here until it is complete.
const CHECKPOINT: &str = "checkpoint.json";

/// `checkpoint.json`: which run a staged snapshot belongs to.
#[derive(Serialize, Deserialize)]
struct Checkpoint {
    /// The caller's hash of the run's inputs.
    key: String,
}

/// Where a snapshot for `dir` is built: `.<name>.partial` beside it, or
/// `dir` itself when it exists but holds no snapshot.
fn staging_for(dir: &Path) -> PathBuf {
    let staged = !dir.exists() || dir.join("manifest.json").is_file();
    if !staged {
        return dir.to_path_buf();
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "crawl".into());
    dir.with_file_name(format!(".{name}.partial"))
}

/// Write `path` through a temp file in the same folder, synced, then rename
/// it into place (atomic on one file system): a killed run never leaves a
/// half-written file where the last good one was. The file is made readable
/// by all (0644), like any report a web server or a colleague may need to read.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> std::io::Result<()>,
) -> crate::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| crate::Error::io(dir, e))?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut w).map_err(|e| crate::Error::io(path, e))?;
        w.flush().map_err(|e| crate::Error::io(path, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| crate::Error::io(path, e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| crate::Error::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| crate::Error::io(path, e.error))?;
    Ok(())
}

/// Iterate the sites of a snapshot in manifest order, loading one at a time.
pub fn sites<'a>(
    dir: &'a Path,
    manifest: &'a Manifest,
) -> impl Iterator<Item = crate::Result<Site>> + 'a {
    manifest.sites.iter().map(move |id| read_site(dir, id))
}

/// Read a snapshot folder (or its manifest.json): the manifest and the sites in order.
pub fn read_manifest(path: &Path) -> crate::Result<(PathBuf, Manifest)> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    let mpath = dir.join("manifest.json");
    let text = std::fs::read(&mpath).map_err(|e| crate::Error::io(&mpath, e))?;
    let m: Manifest = serde_json::from_slice(&text).map_err(|e| crate::Error::io(&mpath, e))?;
    Ok((dir, m))
}

/// Load one site of a snapshot, with its page file when its pages were
/// spilled to one.
pub fn read_site(dir: &Path, id: &str) -> crate::Result<Site> {
    let path = dir.join("sites").join(format!("{id}.json"));
    // Reading the whole file then parsing is much faster than from_reader,
    // and a site's JSON is small next to the site itself.
    let text = std::fs::read(&path).map_err(|e| crate::Error::io(&path, e))?;
    let mut site: Site = serde_json::from_slice(&text).map_err(|e| crate::Error::io(&path, e))?;
    if site.pages.iter().any(|p| p.body.is_some()) {
        site.page_file = Some(PageFile::open(&page_file_path(dir, id))?);
    }
    Ok(site)
}

/// [`SnapshotWriter::page_sink`].
struct SnapshotPages {
    /// The snapshot's staging folder.
    dir: PathBuf,
    errors: SpillErrors,
}

impl PageSink for SnapshotPages {
    fn site(&self, id: &str) -> Box<dyn SitePages> {
        let mut spill = SiteSpill {
            id: id.to_string(),
            writer: None,
            errors: self.errors.clone(),
        };
        match PageFileWriter::create(&page_file_path(&self.dir, id)) {
            Ok(w) => spill.writer = Some(w),
            Err(e) => spill.fail(e),
        }
        Box::new(spill)
    }
}

/// One site's page file while its crawl runs.
struct SiteSpill {
    id: String,
    /// `None` once writing failed: later pages stay whole in memory.
    writer: Option<PageFileWriter>,
    errors: SpillErrors,
}

impl SiteSpill {
    fn fail(&mut self, e: crate::Error) {
        self.writer = None;
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((self.id.clone(), e));
    }
}

impl SitePages for SiteSpill {
    fn page(&mut self, page: &mut Page) {
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.spill(page) {
                self.fail(e);
            }
        }
    }

    fn close(mut self: Box<Self>, site: &mut Site) {
        if let Some(w) = self.writer.take() {
            if !w.spilled() {
                // No page stored (an unreachable site): no page file.
                let path = w.path().to_path_buf();
                drop(w);
                let _ = std::fs::remove_file(path);
                return;
            }
            match w.finish() {
                Ok(file) => site.page_file = Some(file),
                Err(e) => self.fail(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str) -> Site {
        Site {
            id: id.into(),
            name: id.into(),
            url: format!("http://127.0.0.1:9/{id}/"),
            ..Default::default()
        }
    }

    fn write(dir: &Path, ids: &[&str], finish: bool) {
        let mut w = SnapshotWriter::create(dir, None, "t0".into()).unwrap();
        for id in ids {
            w.write_site(&site(id)).unwrap();
        }
        if finish {
            w.finish("t1".into()).unwrap();
        }
    }

    #[test]
    fn interrupted_run_leaves_the_last_complete_snapshot() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("crawl");
        write(&dir, &["a", "b"], true);
        // A second run that dies before finish: nothing of it is visible.
        write(&dir, &["c"], false);
        let (d, m) = read_manifest(&dir).unwrap();
        assert_eq!(m.sites, ["a", "b"]);
        assert!(!d.join("sites/c.json").exists());
        assert_eq!(read_site(&d, "b").unwrap(), site("b"));
        // The next complete run replaces it whole (no stale sites kept).
        write(&dir, &["c"], true);
        let (d, m) = read_manifest(&dir).unwrap();
        assert_eq!(m.sites, ["c"]);
        assert!(!d.join("sites/a.json").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["crawl"], "no staging folders left behind");
    }

    #[test]
    fn a_folder_that_is_no_snapshot_is_written_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "keep me").unwrap();
        write(tmp.path(), &["a"], true);
        assert!(tmp.path().join("notes.txt").is_file());
        assert_eq!(read_manifest(tmp.path()).unwrap().1.sites, ["a"]);
    }
}
