//! Report writers, one file per format (json, html, markdown, csv), all
//! written atomically (temp file + rename).
//!
//! STATUS: skeleton; the rules work fills it in.
