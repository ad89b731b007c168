//! The boxed future that trait objects and deferred answers hand around: low in the crate, so
//! that any module may name it without depending on the one that uses it most.

use std::future::Future;
use std::pin::Pin;

/// A boxed future that may be sent to another task.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
