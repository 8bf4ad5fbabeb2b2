//! A small static web server for fixture folders and the demo portal, on
//! 127.0.0.1. It records every request (method, path, time, concurrency) so
//! tests can assert politeness, and reads `_routes.toml` in the served folder
//! for special answers (status codes, delays, redirects, charset headers,
//! JCMS dataproxy). Used by `govaudit demo`, `govaudit serve`, the tests and
//! the benchmark.
//!
//! STATUS: skeleton; the crawler work fills it in.

/// `govaudit serve DIR --port N`.
pub fn run_serve_command(dir: &std::path::Path, port: u16) -> crate::Result<u8> {
    let _ = (dir, port);
    Err(crate::Error::Other("serve: not implemented yet".into()))
}
