//! Work split over the machine's cores, for the two steps a large catalog makes slow at start:
//! reading its files (`map`) and building its index, with its names beside it (`join`). Plain
//! scoped threads: each step runs once per load, on a few large pieces, so a pool or a
//! work-stealing crate would buy nothing.

/// `f` of every input, in input order. The inputs are cut into one contiguous run per core
/// (at most), each mapped on a thread of its own; `worth_it` false (small work, where starting
/// threads costs more than it saves) maps them on the calling thread.
pub fn map<T: Sync, R: Send>(inputs: &[T], worth_it: bool, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = if worth_it { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { 1 };
    if threads <= 1 || inputs.len() <= 1 {
        return inputs.iter().map(f).collect();
    }
    let run = inputs.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = inputs
            .chunks(run)
            .map(|chunk| s.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// `a()` and `b()`, on two threads when `worth_it` (two independent pieces of work, each large),
/// else one after the other on the calling thread.
pub fn join<A: Send, B>(worth_it: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if !worth_it {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let a = s.spawn(a);
        let b = b();
        (a.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), b)
    })
}

#[cfg(test)]
mod tests {
    use super::{join, map};

    #[test]
    fn keeps_input_order_on_any_split() {
        let inputs: Vec<u32> = (0..1001).collect();
        let doubled: Vec<u32> = inputs.iter().map(|x| x * 2).collect();
        assert_eq!(map(&inputs, true, |x| x * 2), doubled);
        assert_eq!(map(&inputs, false, |x| x * 2), doubled);
        assert_eq!(map(&inputs[..1], true, |x| x * 2), vec![0]);
        assert!(map(&inputs[..0], true, |x| x * 2).is_empty());
    }

    #[test]
    fn join_returns_both_results_in_place() {
        for worth_it in [true, false] {
            assert_eq!(join(worth_it, || "a".repeat(3), || 2 + 2), ("aaa".to_string(), 4));
        }
    }
}
