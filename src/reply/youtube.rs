//! YouTube links: which video a link opens, and the picture YouTube publishes for it. A picture
//! is only ever derived from a video id actually in the link — never for search results, a
//! playlist or channel page, or an id that cannot be one.

/// The id of the one video `url` opens: `youtube.com/watch?v=ID` (other parameters anywhere),
/// `youtu.be/ID`, `youtube.com/{embed,live,shorts,v}/ID`, on www., m., music. or
/// youtube-nocookie.com. `None` for anything else, including a malformed id.
pub fn video_id(url: &str) -> Option<&str> {
    let rest =
        strip_prefix_ignore_case(url, "https://").or_else(|| strip_prefix_ignore_case(url, "http://"))?;
    let rest = rest.split('#').next().unwrap_or("");
    let (authority, path_and_query) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path_and_query, ""),
    };
    let host = authority.to_ascii_lowercase();
    let segments: Vec<&str> = path.trim_start_matches('/').trim_end_matches('/').split('/').collect();
    let id = match host.as_str() {
        "youtu.be" | "www.youtu.be" => match segments[..] {
            [id] => id,
            _ => return None,
        },
        "youtube.com"
        | "www.youtube.com"
        | "m.youtube.com"
        | "music.youtube.com"
        | "youtube-nocookie.com"
        | "www.youtube-nocookie.com" => match segments[..] {
            ["watch"] => query.split('&').find_map(|pair| pair.strip_prefix("v="))?,
            ["embed" | "live" | "shorts" | "v", id] => id,
            _ => return None,
        },
        _ => return None,
    };
    is_video_id(id).then_some(id)
}

/// The 16:9 picture (320×180) YouTube serves for every video: unlike `hqdefault` it has no
/// letterbox bars, and unlike `maxresdefault` it always exists.
pub fn thumbnail_url(video_id: &str) -> String {
    format!("https://i.ytimg.com/vi/{video_id}/mqdefault.jpg")
}

/// Eleven characters of URL-safe base64 encoding 64 bits, so the last one carries only four
/// bits: it is one of `AEIMQUYcgkosw048`.
fn is_video_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 11
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        && b"AEIMQUYcgkosw048".contains(&b[10])
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_every_form_of_video_link() {
        for (url, id) in [
            ("https://www.youtube.com/watch?v=89fYOo1V2pA", "89fYOo1V2pA"),
            ("https://www.youtube.com/watch?v=-mL3zT1iIKw", "-mL3zT1iIKw"),
            ("https://youtube.com/watch?feature=share&v=T_D1G42G0dE&t=42s", "T_D1G42G0dE"),
            ("https://m.youtube.com/watch?v=orjziEK8_R8#comments", "orjziEK8_R8"),
            ("HTTPS://WWW.YOUTUBE.COM/watch?v=WDDkLOT8SCk", "WDDkLOT8SCk"),
            ("http://www.youtube.com/watch/?v=WDDkLOT8SCk", "WDDkLOT8SCk"),
            ("https://www.youtube.com/watch?v=fXNRYcNyw0c&list=PL0123456789", "fXNRYcNyw0c"),
            ("https://youtu.be/fXNRYcNyw0c", "fXNRYcNyw0c"),
            ("https://youtu.be/fXNRYcNyw0c?si=abc&t=10", "fXNRYcNyw0c"),
            ("https://www.youtube.com/embed/89fYOo1V2pA?start=30", "89fYOo1V2pA"),
            ("https://www.youtube-nocookie.com/embed/89fYOo1V2pA", "89fYOo1V2pA"),
            ("https://www.youtube.com/live/orjziEK8_R8?feature=shared", "orjziEK8_R8"),
            ("https://youtube.com/shorts/WDDkLOT8SCk/", "WDDkLOT8SCk"),
            ("https://www.youtube.com/v/WDDkLOT8SCk", "WDDkLOT8SCk"),
        ] {
            assert_eq!(video_id(url), Some(id), "{url}");
        }
    }

    #[test]
    fn no_id_from_search_results_playlists_channels_or_malformed_links() {
        for url in [
            "https://www.youtube.com/results?search_query=How+Netflix+Encodes+at+Scale",
            "https://www.youtube.com/results?search_query=x&v=89fYOo1V2pA",
            "https://www.youtube.com/playlist?list=PLhr1KZpdzuke5pqzTvI2ZxwP8-NwLACuU",
            "https://www.youtube.com/@AWSEventsChannel",
            "https://www.youtube.com/channel/UCdoadna9HFHsxXWhafhNvKw",
            "https://www.youtube.com/watch",
            "https://www.youtube.com/watch?v=",
            "https://www.youtube.com/watch?vv=89fYOo1V2pA",
            "https://www.youtube.com/watch?v=89fYOo1V2p", // 10 characters
            "https://www.youtube.com/watch?v=89fYOo1V2pAA", // 12 characters
            "https://www.youtube.com/watch?v=89fYOo1V2pB", // impossible last character
            "https://www.youtube.com/watch?v=89fYOo1V2p%41",
            "https://www.youtube.com/watch?v=89fY+o1V2pA",
            "https://www.youtube.com/embed/",
            "https://www.youtube.com/embed/89fYOo1V2pA/extra",
            "https://youtu.be/",
            "https://youtu.be/89fYOo1V2pA/more",
            "https://youtube.com.evil.example/watch?v=89fYOo1V2pA",
            "https://evil.example/youtube.com/watch?v=89fYOo1V2pA",
            "https://user@www.youtube.com/watch?v=89fYOo1V2pA",
            "https://www.youtube.com:8080/watch?v=89fYOo1V2pA",
            "ftp://www.youtube.com/watch?v=89fYOo1V2pA",
            "www.youtube.com/watch?v=89fYOo1V2pA",
            "https://aws.amazon.com/solutions/case-studies/netflix-aws-reinvent2020-video/",
            "",
            "https://",
            "https://é",
        ] {
            assert_eq!(video_id(url), None, "{url}");
        }
    }

    #[test]
    fn thumbnails_are_youtube_s_own() {
        assert_eq!(thumbnail_url("89fYOo1V2pA"), "https://i.ytimg.com/vi/89fYOo1V2pA/mqdefault.jpg");
    }
}
