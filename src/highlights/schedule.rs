//! When a subscription's posts are due: pure functions of the subscription and an instant.
//!
//! Each subscription posts once per local day at its local time. Daylight saving is handled by
//! chrono-tz: a time that does not exist on a spring-forward day is posted at the first instant
//! after the gap; a time that occurs twice on a fall-back day is posted at its first occurrence.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant `time` happens on local `date` in `tz`.
pub fn scheduled(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local = date.and_time(time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // In a spring-forward gap: the first valid minute after it.
            (1..=180)
                .find_map(|m| tz.from_local_datetime(&(local + Duration::minutes(m))).earliest())
                .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
        }
    }
}

/// What a subscription should do at `now` for one local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Post now: scheduled at `at`, within the catch-up window.
    Due { date: NaiveDate, at: DateTime<Utc> },
    /// The window closed without a post: skip the day (and say so).
    Missed { date: NaiveDate, at: DateTime<Utc> },
}

/// The slots to act on at `now`: yesterday's and today's local dates (a window may span
/// midnight), only those scheduled after the subscription was created.
pub fn slots(
    time: NaiveTime,
    tz: Tz,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    window: Duration,
) -> Vec<Slot> {
    let today = now.with_timezone(&tz).date_naive();
    let mut out = Vec::new();
    for date in [today - Duration::days(1), today] {
        let at = scheduled(date, time, tz);
        if at < created || at > now {
            continue;
        }
        out.push(if now < at + window { Slot::Due { date, at } } else { Slot::Missed { date, at } });
    }
    out
}

/// The next instant a post is scheduled after `now`.
pub fn next_after(time: NaiveTime, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    (0..3)
        .map(|d| scheduled(today + Duration::days(d), time, tz))
        .find(|&at| at > now)
        .unwrap_or_else(|| now + Duration::days(1))
}

/// "HH:MM" (24-hour) as a time of day.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

pub fn parse_timezone(name: &str) -> Option<Tz> {
    let name = name.trim();
    if name.is_empty() || name.eq_ignore_ascii_case("utc") {
        return Some(Tz::UTC);
    }
    name.parse::<Tz>()
        .ok()
        .or_else(|| chrono_tz::TZ_VARIANTS.iter().copied().find(|tz| tz.name().eq_ignore_ascii_case(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn dst_gaps_and_overlaps() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(); // 02:00 → 03:00
        assert_eq!(
            scheduled(d, NaiveTime::from_hms_opt(2, 30, 0).unwrap(), paris),
            utc("2026-03-29T01:00:00Z")
        );
        assert_eq!(
            scheduled(d, NaiveTime::from_hms_opt(9, 0, 0).unwrap(), paris),
            utc("2026-03-29T07:00:00Z")
        );
        let d = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap(); // 03:00 → 02:00
        assert_eq!(
            scheduled(d, NaiveTime::from_hms_opt(2, 30, 0).unwrap(), paris),
            utc("2026-10-25T00:30:00Z")
        );
        let ny: Tz = "America/New_York".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(scheduled(d, NaiveTime::from_hms_opt(2, 15, 0).unwrap(), ny), utc("2026-03-08T07:00:00Z"));
    }

    #[test]
    fn due_missed_and_not_before_creation() {
        let t = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let created = utc("2026-01-01T00:00:00Z");
        let w = Duration::hours(6);
        assert_eq!(slots(t, Tz::UTC, created, utc("2026-01-02T08:59:00Z"), w).len(), 1); // yesterday missed
        assert!(matches!(slots(t, Tz::UTC, created, utc("2026-01-02T09:00:00Z"), w)[1], Slot::Due { .. }));
        assert!(matches!(slots(t, Tz::UTC, created, utc("2026-01-02T15:00:00Z"), w)[1], Slot::Missed { .. }));
        // Created after today's time: first post tomorrow.
        assert!(slots(t, Tz::UTC, utc("2026-01-02T10:00:00Z"), utc("2026-01-02T11:00:00Z"), w).is_empty());
    }

    #[test]
    fn parses_times_and_zones() {
        assert_eq!(parse_time("9:05"), NaiveTime::from_hms_opt(9, 5, 0));
        assert_eq!(parse_time("23:59"), NaiveTime::from_hms_opt(23, 59, 0));
        for bad in ["24:00", "9", "9:5", "ab:cd", "", "12:60"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(parse_timezone("europe/paris").map(|t| t.name()), Some("Europe/Paris"));
        assert_eq!(parse_timezone(""), Some(Tz::UTC));
        assert_eq!(parse_timezone("Mars/Olympus"), None);
    }
}
