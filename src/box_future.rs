//! The boxed future of a deferred answer (`router::Answer::then`), which the doors await and
//! send: low in the crate, so that a module may name it without depending on the router.

use std::future::Future;
use std::pin::Pin;

/// A boxed future that may be sent to another task.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
