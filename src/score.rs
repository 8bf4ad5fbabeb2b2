//! Scoring: applies a profile (rules/national-2019.toml: vetoes 单项否决,
//! points 扣分, per-indicator caps, pass mark) to a site's findings. Knows
//! nothing about HTML.
//!
//! STATUS: skeleton; the rules work fills it in.
