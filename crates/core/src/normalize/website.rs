//! The domain a website stands for: its host, normalized like a domain, unless the host is a
//! social profile, a link shortener or another site that hosts pages of many companies (a
//! LinkedIn page says nothing about the company's own domain).

use super::normalize_domain;

/// Hosts that never become an account's domain, each with its subdomains
/// (`uk.linkedin.com`, `m.facebook.com`). One list for every surface: social networks and
/// profile sites, link shorteners and link-in-bio pages, code and content hosts, company
/// directories, and the map, store and site pages of the large platforms.
pub const NON_COMPANY_HOSTS: &[&str] = &[
    // Social networks and profiles.
    "linkedin.com",
    "lnkd.in",
    "facebook.com",
    "fb.com",
    "fb.me",
    "twitter.com",
    "x.com",
    "instagram.com",
    "threads.net",
    "youtube.com",
    "youtu.be",
    "tiktok.com",
    "pinterest.com",
    "reddit.com",
    "snapchat.com",
    "tumblr.com",
    "vimeo.com",
    "bsky.app",
    "mastodon.social",
    "t.me",
    "telegram.me",
    "wa.me",
    "whatsapp.com",
    "discord.gg",
    "discord.com",
    // Code and content hosts.
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "medium.com",
    "substack.com",
    // Company directories and review sites.
    "crunchbase.com",
    "angel.co",
    "wellfound.com",
    "glassdoor.com",
    "indeed.com",
    "yelp.com",
    "trustpilot.com",
    "g2.com",
    "producthunt.com",
    "zoominfo.com",
    "apollo.io",
    "bloomberg.com",
    "wikipedia.org",
    // Link shorteners and link-in-bio pages.
    "bit.ly",
    "t.co",
    "goo.gl",
    "tinyurl.com",
    "ow.ly",
    "buff.ly",
    "rebrand.ly",
    "is.gd",
    "cutt.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "bit.do",
    "linktr.ee",
    // Pages of the large platforms that stand for someone else's business.
    "sites.google.com",
    "maps.google.com",
    "play.google.com",
    "g.page",
    "maps.app.goo.gl",
    "apps.apple.com",
    "itunes.apple.com",
];

/// Whether `host` (normalized) is one of [`NON_COMPANY_HOSTS`] or a subdomain of one.
pub fn is_non_company_host(host: &str) -> bool {
    NON_COMPANY_HOSTS.iter().any(|listed| {
        host == *listed
            || host
                .strip_suffix(listed)
                .is_some_and(|head| head.ends_with('.'))
    })
}

/// The domain a website URL stands for: its host normalized like a domain (`https://www.Acme.com/about`
/// gives `acme.com`), or `None` when the host is not a company's own (see
/// [`NON_COMPANY_HOSTS`]) or not a domain at all (an IP address).
pub fn domain_of_website(url: &str) -> Option<String> {
    normalize_domain(url)
        .ok()
        .filter(|host| !is_non_company_host(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_website_stands_for_its_host() {
        assert_eq!(
            domain_of_website("https://www.Acme.com/about?x=1").as_deref(),
            Some("acme.com")
        );
        assert_eq!(
            domain_of_website("blog.acme.io").as_deref(),
            Some("blog.acme.io")
        );
        assert_eq!(domain_of_website("http://10.0.0.1/"), None);
        assert_eq!(domain_of_website("not a url"), None);
    }

    #[test]
    fn social_profiles_and_shorteners_are_not_domains() {
        for url in [
            "https://www.linkedin.com/company/acme",
            "https://uk.linkedin.com/company/acme",
            "linkedin.com",
            "https://facebook.com/acme",
            "https://m.facebook.com/acme",
            "https://twitter.com/acme",
            "https://x.com/acme",
            "https://instagram.com/acme",
            "https://www.youtube.com/@acme",
            "https://github.com/acme",
            "https://www.crunchbase.com/organization/acme",
            "https://bit.ly/3abc",
            "https://t.co/xyz",
            "https://goo.gl/abc",
            "https://tinyurl.com/acme",
            "https://medium.com/@acme",
            "https://acme.medium.com",
            "https://sites.google.com/view/acme",
        ] {
            assert_eq!(domain_of_website(url), None, "{url}");
        }
    }

    #[test]
    fn only_whole_labels_match_the_list() {
        // Hosts that merely end with the same letters are companies' own.
        for (url, host) in [
            ("https://box.com", "box.com"),
            ("https://netflix.com", "netflix.com"),
            ("https://mybit.ly", "mybit.ly"),
            ("https://google.com", "google.com"),
            ("https://acmegithub.com", "acmegithub.com"),
        ] {
            assert_eq!(domain_of_website(url).as_deref(), Some(host), "{url}");
        }
        assert!(is_non_company_host("x.com"));
        assert!(!is_non_company_host("xx.com"));
        assert!(is_non_company_host("a.b.t.co"));
    }

    #[test]
    fn every_listed_host_is_a_normalized_domain() {
        for host in NON_COMPANY_HOSTS {
            assert_eq!(normalize_domain(host).as_deref(), Ok(*host), "{host}");
        }
    }
}
