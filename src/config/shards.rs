//! Which gateway shards this process runs: all of them (as many as Discord recommends), or a
//! slice of a fixed total, so that a large bot spreads its shards over several processes.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shards {
    /// Every shard, as many as Discord recommends (GET /gateway/bot).
    #[default]
    Auto,
    /// Shards `first..=last` of `total`.
    Range { first: u32, last: u32, total: u32 },
}

impl Shards {
    /// From `--shards A-B` (or a single `A`) and `--total-shards N`. `--total-shards` alone
    /// means every shard of N in this process.
    pub fn from_args(range: Option<&str>, total: Option<u32>) -> Result<Shards, String> {
        let total = match (range, total) {
            (None, None) => return Ok(Shards::Auto),
            (Some(_), None) => {
                return Err("--shards needs --total-shards: every process must agree on the total".into())
            }
            (_, Some(0)) => return Err("--total-shards must be at least 1".into()),
            (_, Some(n)) => n,
        };
        let Some(range) = range else { return Ok(Shards::Range { first: 0, last: total - 1, total }) };
        let number = |s: &str| {
            s.trim().parse::<u32>().map_err(|_| format!("--shards takes FIRST-LAST, e.g. 0-3, got {range:?}"))
        };
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(range)?, number(range)?),
        };
        if first > last {
            return Err(format!("--shards {range}: the first shard comes after the last"));
        }
        if last >= total {
            return Err(format!(
                "--shards {range}: shard ids run from 0 to {} with --total-shards {total}",
                total - 1
            ));
        }
        Ok(Shards::Range { first, last, total })
    }

    /// Whether shard 0 runs here. That process registers the slash commands: one registration
    /// per deployment, not one per process.
    pub fn has_first(&self) -> bool {
        match self {
            Shards::Auto => true,
            Shards::Range { first, .. } => *first == 0,
        }
    }
}

impl fmt::Display for Shards {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shards::Auto => f.write_str("auto"),
            Shards::Range { first, last, total } => write!(f, "{first}-{last} of {total}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges() {
        assert_eq!(Shards::from_args(None, None), Ok(Shards::Auto));
        assert_eq!(
            Shards::from_args(Some("0-3"), Some(8)),
            Ok(Shards::Range { first: 0, last: 3, total: 8 })
        );
        assert_eq!(
            Shards::from_args(Some(" 5 "), Some(8)),
            Ok(Shards::Range { first: 5, last: 5, total: 8 })
        );
        assert_eq!(Shards::from_args(None, Some(4)), Ok(Shards::Range { first: 0, last: 3, total: 4 }));
        assert!(Shards::from_args(Some("0-3"), None).unwrap_err().contains("needs --total-shards"));
        assert!(Shards::from_args(Some("4-8"), Some(8)).unwrap_err().contains("from 0 to 7"));
        assert!(Shards::from_args(Some("3-1"), Some(8)).unwrap_err().contains("comes after"));
        assert!(Shards::from_args(Some("a-b"), Some(8)).unwrap_err().contains("FIRST-LAST"));
        assert!(Shards::from_args(Some("0"), Some(0)).unwrap_err().contains("at least 1"));
    }

    #[test]
    fn shard_zero_registers() {
        assert!(Shards::Auto.has_first());
        assert!(Shards::Range { first: 0, last: 1, total: 4 }.has_first());
        assert!(!Shards::Range { first: 2, last: 3, total: 4 }.has_first());
    }
}
