//! robots.txt: parsed with `texting_robots` for our User-Agent's product
//! token. A missing robots.txt (4xx) allows everything; a server error or
//! timeout also allows, but is noted so the report can say robots.txt could
//! not be read.

use texting_robots::Robot;

/// The rules of one host.
pub(crate) struct RobotsRules {
    robot: Option<Robot>,
    /// Why robots.txt could not be used, when it could not.
    pub(crate) note: Option<String>,
}

impl RobotsRules {
    /// Everything allowed (robots off, or no robots.txt).
    pub(crate) fn allow_all(note: Option<String>) -> Self {
        RobotsRules { robot: None, note }
    }

    /// Parse a robots.txt body for `agent` (the product token, e.g. "govaudit").
    pub(crate) fn parse(agent: &str, body: &[u8]) -> Self {
        match Robot::new(agent, body) {
            Ok(r) => RobotsRules {
                robot: Some(r),
                note: None,
            },
            Err(e) => RobotsRules::allow_all(Some(format!("robots.txt unreadable: {e}"))),
        }
    }

    /// May `url` be requested?
    pub(crate) fn allowed(&self, url: &str) -> bool {
        self.robot.as_ref().map_or(true, |r| r.allowed(url))
    }

    /// Crawl-delay in seconds, if robots.txt sets one for us.
    pub(crate) fn crawl_delay(&self) -> Option<f32> {
        self.robot.as_ref().and_then(|r| r.delay)
    }
}

/// The robots.txt product token of a User-Agent string:
/// "govaudit/0.1 (…)" → "govaudit".
pub(crate) fn product_token(user_agent: &str) -> String {
    user_agent
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_specific_group_wins() {
        let txt = b"User-agent: *\nDisallow: /\n\nUser-agent: govaudit\nDisallow: /private/\nCrawl-delay: 2\n";
        let r = RobotsRules::parse(&product_token("govaudit/0.1 (+https://x)"), txt);
        assert!(r.allowed("http://a.gov.cn/index.html"));
        assert!(!r.allowed("http://a.gov.cn/private/x.html"));
        assert_eq!(r.crawl_delay(), Some(2.0));
        let other = RobotsRules::parse("otherbot", txt);
        assert!(!other.allowed("http://a.gov.cn/index.html"));
    }
}
