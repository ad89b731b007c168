//! `marquee db copy`: everything one database holds — subscriptions (with their language),
//! each server's rotation (seed and epoch: the position follows from the date) and every slot
//! with its state, claim, retry time and attempts — into another, SQLite or PostgreSQL either way.
//!
//! The target is written in ONE transaction, after its migrations ran: a failure anywhere (the
//! source unreadable halfway, the target refusing a row, the network) leaves it as it was. A
//! target that already holds anything is refused unless `replace` is given, which deletes what
//! it holds inside that same transaction (the result is a copy of the source, not a merge).
//! Slots move in pages, so memory stays flat however long the history.

pub use super::bulk::{CopyError, Counts};

use super::Database;

/// Slots per page read from the source and written to the target.
const PAGE: usize = 10_000;

fn same(a: &Database, b: &Database) -> bool {
    match (a, b) {
        (Database::Sqlite(a), Database::Sqlite(b)) => {
            a == b || a.canonicalize().ok().is_some_and(|a| b.canonicalize().ok() == Some(a))
        }
        (a, b) => a == b,
    }
}

/// Copies everything `from` holds into `to` (see the module's comment); returns what it copied.
pub async fn copy(from: &Database, to: &Database, replace: bool) -> Result<Counts, CopyError> {
    let (shown_from, shown_to) = (from.to_string(), to.to_string());
    if same(from, to) {
        return Err(CopyError::Same(shown_from));
    }
    // Opening a SQLite path creates the file: a mistyped source must not become an empty
    // database that `--replace` then copies over the target.
    if let Database::Sqlite(path) = from {
        if !path.exists() {
            return Err(CopyError::SourceMissing(shown_from));
        }
    }
    let source_err = |e| CopyError::Source(shown_from.clone(), e);
    let target_err = |e| CopyError::Target(shown_to.clone(), e);
    let source = from.open_bulk().await.map_err(source_err)?;
    let subscriptions = source.all_subscriptions().await.map_err(source_err)?;
    let rotations = source.all_rotations().await.map_err(source_err)?;
    let first = source.slots_after(None, PAGE).await.map_err(source_err)?;
    if subscriptions.is_empty() && rotations.is_empty() && first.is_empty() {
        return Err(CopyError::SourceEmpty(shown_from));
    }
    // Opening runs the target's migrations, before anything is written.
    let target = to.open_bulk().await.map_err(target_err)?;
    let mut writer = target.begin().await.map_err(target_err)?;
    let written = async {
        let held = writer.counts().await.map_err(target_err)?;
        if !held.is_empty() {
            if !replace {
                return Err(CopyError::NotEmpty(shown_to.clone(), held));
            }
            writer.clear().await.map_err(target_err)?;
        }
        let mut copied = Counts::default();
        for chunk in subscriptions.chunks(PAGE) {
            writer.subscriptions(chunk).await.map_err(target_err)?;
            copied.subscriptions += chunk.len() as u64;
        }
        for chunk in rotations.chunks(PAGE) {
            writer.rotations(chunk).await.map_err(target_err)?;
            copied.rotations += chunk.len() as u64;
        }
        let mut page = first;
        while !page.is_empty() {
            writer.slots(&page).await.map_err(target_err)?;
            copied.slots += page.len() as u64;
            if page.len() < PAGE {
                break;
            }
            let last = page.last().map(|s| (s.subscription_id, s.date));
            page = source.slots_after(last, PAGE).await.map_err(source_err)?;
        }
        Ok(copied)
    }
    .await;
    match written {
        Ok(copied) => writer.commit().await.map_err(target_err).map(|()| copied),
        Err(e) => {
            // What failed is the error to report; a rollback that fails too keeps nothing either.
            let _ = writer.rollback().await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_a_sentence() {
        let c = Counts { subscriptions: 1, rotations: 2, slots: 0 };
        assert_eq!(c.to_string(), "1 subscription, 2 server rotations and 0 slots");
        assert!(!c.is_empty() && Counts::default().is_empty());
    }

    #[test]
    fn the_same_database_is_recognised() {
        let dir = std::env::temp_dir().join(format!("marquee-copy-same-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("m.db");
        std::fs::write(&file, b"").unwrap();
        let a = Database::Sqlite(file.clone());
        let b = Database::Sqlite(dir.join(".").join("m.db"));
        assert!(same(&a, &b));
        assert!(!same(&a, &Database::Sqlite(dir.join("other.db"))));
        let pg = Database::Postgres("postgres://u:p@h/db".into());
        assert!(same(&pg, &pg.clone()) && !same(&pg, &a));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
