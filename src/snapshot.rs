//! The crawl snapshot: the site model saved to a folder so `lint --crawl`
//! can replay the rules offline. Layout: `DIR/manifest.json` (run metadata,
//! site ids in order) and `DIR/sites/<id>.json` (one [`Site`] each), written
//! site by site as crawls finish.
//!
//! Every file is written atomically (temp file in the same folder, then
//! rename), so a killed run never leaves a half-written site or manifest;
//! `lint` streams sites one at a time with [`read_manifest`] + [`read_site`]
//! (or [`sites`]), so replay memory follows one site, not the portal.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::site::Site;

/// `manifest.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub schema: String,
    pub audit_name: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub sites: Vec<String>,
    /// Scoring profile of the audit that wrote the snapshot (a built-in name
    /// or an absolute file path); `lint` uses it unless told otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// Writes a snapshot folder.
pub struct SnapshotWriter {
    dir: PathBuf,
    manifest: Manifest,
}

impl SnapshotWriter {
    /// Record the scoring profile the snapshot's audit used.
    pub fn set_profile(&mut self, source: &str) {
        self.manifest.profile = Some(source.to_string());
    }

    pub fn create(
        dir: &Path,
        audit_name: Option<String>,
        started_at: String,
    ) -> crate::Result<Self> {
        std::fs::create_dir_all(dir.join("sites")).map_err(|e| crate::Error::io(dir, e))?;
        Ok(SnapshotWriter {
            dir: dir.to_path_buf(),
            manifest: Manifest {
                schema: "govaudit.crawl/1".into(),
                audit_name,
                started_at,
                ..Default::default()
            },
        })
    }

    pub fn write_site(&mut self, site: &Site) -> crate::Result<()> {
        let path = self.dir.join("sites").join(format!("{}.json", site.id));
        write_atomic(&path, |w| {
            serde_json::to_writer(w, site).map_err(std::io::Error::other)
        })?;
        self.manifest.sites.push(site.id.clone());
        Ok(())
    }

    pub fn finish(mut self, finished_at: String) -> crate::Result<PathBuf> {
        self.manifest.finished_at = Some(finished_at);
        let path = self.dir.join("manifest.json");
        write_atomic(&path, |w| {
            serde_json::to_writer_pretty(w, &self.manifest).map_err(std::io::Error::other)
        })?;
        Ok(self.dir)
    }
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

/// Load one site of a snapshot.
pub fn read_site(dir: &Path, id: &str) -> crate::Result<Site> {
    let path = dir.join("sites").join(format!("{id}.json"));
    // Reading the whole file then parsing is much faster than from_reader,
    // and a site's JSON is small next to the site itself.
    let text = std::fs::read(&path).map_err(|e| crate::Error::io(&path, e))?;
    serde_json::from_slice(&text).map_err(|e| crate::Error::io(&path, e))
}
