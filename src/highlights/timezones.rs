//! Which timezones `/highlights subscribe` offers as the member types: the zones most servers
//! want first, never a legacy alias (`GB`, `PRC`, `W-SU`, `US/Eastern`) ahead of a real zone.

/// Offered for an empty box, after the server's likely zone: where most members live, spread
/// over the world's offsets.
const COMMON: [&str; 16] = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Europe/Paris",
    "America/Chicago",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Singapore",
    "Europe/Madrid",
    "America/Denver",
    "Asia/Shanghai",
    "Africa/Johannesburg",
];

/// The areas of the tz database's canonical zones (`Area/Location`). Names outside them — `GB`,
/// `EST5EDT`, `US/Pacific`, `Etc/GMT+5` — are kept for old data: offered only after real zones.
const AREAS: [&str; 9] = [
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

/// Whether `name` is a current, canonical-area zone (or UTC) rather than a legacy alias.
pub fn is_canonical(name: &str) -> bool {
    name == "UTC" || AREAS.iter().any(|area| name.starts_with(area))
}

/// The zone a server with Discord locale `locale` most likely keeps time in.
pub fn likely_zone(locale: &str) -> Option<&'static str> {
    Some(match locale {
        "en-GB" => "Europe/London",
        "en-US" => "America/New_York",
        "de" => "Europe/Berlin",
        "fr" => "Europe/Paris",
        "es-ES" => "Europe/Madrid",
        "es-419" => "America/Mexico_City",
        "pt-BR" => "America/Sao_Paulo",
        "ja" => "Asia/Tokyo",
        "ko" => "Asia/Seoul",
        "zh-CN" => "Asia/Shanghai",
        "zh-TW" => "Asia/Taipei",
        "it" => "Europe/Rome",
        "nl" => "Europe/Amsterdam",
        "pl" => "Europe/Warsaw",
        "sv-SE" => "Europe/Stockholm",
        "da" => "Europe/Copenhagen",
        "no" => "Europe/Oslo",
        "fi" => "Europe/Helsinki",
        "cs" => "Europe/Prague",
        "hu" => "Europe/Budapest",
        "ro" => "Europe/Bucharest",
        "bg" => "Europe/Sofia",
        "el" => "Europe/Athens",
        "hr" => "Europe/Zagreb",
        "lt" => "Europe/Vilnius",
        "uk" => "Europe/Kyiv",
        "ru" => "Europe/Moscow",
        "tr" => "Europe/Istanbul",
        "hi" => "Asia/Kolkata",
        "th" => "Asia/Bangkok",
        "vi" => "Asia/Ho_Chi_Minh",
        "id" => "Asia/Jakarta",
        _ => return None,
    })
}

/// Up to `limit` zones for `text` typed so far, `locale` being the server's Discord locale.
/// Empty text: UTC, the server's likely zone, then the common ones. Otherwise the names
/// containing the text (case-insensitive, a space standing for `_`), real zones before legacy
/// aliases, then names whose city or whole name starts with the text, then shorter ones.
pub fn matching(text: &str, locale: Option<&str>, limit: usize) -> Vec<&'static str> {
    let needle = text.trim().to_ascii_lowercase().replace(' ', "_");
    if needle.is_empty() {
        let mut names: Vec<&'static str> = vec!["UTC"];
        names.extend(locale.and_then(likely_zone));
        for name in COMMON {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.truncate(limit);
        return names;
    }
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.to_ascii_lowercase().contains(&needle))
        .collect();
    names.sort_by_key(|n| {
        let lower = n.to_ascii_lowercase();
        let city = lower.rsplit('/').next().unwrap_or_default().to_string();
        let starts = lower.starts_with(&needle) || city.starts_with(&needle);
        (lower != needle, !is_canonical(n), !starts, n.len(), *n)
    });
    names.truncate(limit);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_box_offers_common_zones_and_the_servers_own() {
        let offered = matching("", None, 25);
        assert_eq!(offered[..5], ["UTC", "Europe/London", "America/New_York", "Europe/Berlin", "Asia/Tokyo"]);
        assert_eq!(matching("", Some("ja"), 25)[..2], ["UTC", "Asia/Tokyo"]);
        assert_eq!(matching("", Some("pt-BR"), 25)[..2], ["UTC", "America/Sao_Paulo"]);
        assert!(offered.iter().all(|n| is_canonical(n) && n.parse::<chrono_tz::Tz>().is_ok()), "{offered:?}");
        let unique: std::collections::HashSet<_> = matching("", Some("de"), 25).into_iter().collect();
        assert_eq!(unique.len(), matching("", Some("de"), 25).len(), "no zone twice");
    }

    #[test]
    fn legacy_aliases_never_lead() {
        for text in ["e", "eu", "lon", "new y", "us", "gmt", "a", "z"] {
            let offered = matching(text, None, 25);
            let first_legacy = offered.iter().position(|n| !is_canonical(n)).unwrap_or(offered.len());
            assert!(offered[first_legacy..].iter().all(|n| !is_canonical(n)), "{text}: {offered:?}");
            if first_legacy > 0 {
                assert!(is_canonical(offered[0]), "{text}: {offered:?}");
            }
        }
        assert_eq!(matching("paris", None, 25), ["Europe/Paris"]);
        assert_eq!(matching("new y", None, 25)[0], "America/New_York");
        assert_eq!(matching("lon", None, 25)[0], "Europe/London");
        // An alias is still found when nothing else matches what was typed.
        assert_eq!(matching("prc", None, 25), ["PRC"]);
        for alias in ["GB", "NZ", "CET", "EET", "PRC", "W-SU", "Zulu", "US/Eastern", "Etc/GMT+5"] {
            assert!(!is_canonical(alias), "{alias}");
        }
    }
}
