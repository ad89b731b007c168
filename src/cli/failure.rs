//! Why a command did not succeed, printed in one place with one choice of exit code.

use marquee::catalog::LoadError;
use marquee::config::ConfigError;
use std::process::ExitCode;

/// Exit code of a configuration or usage problem: running again will not help until it is
/// fixed, and a service manager should not restart (the systemd units say so).
const CONFIG_EXIT: u8 = 2;

pub enum Failure {
    /// The configuration or the command line is wrong: one line, exit 2.
    Config(String),
    /// The catalog has problems: every one as path:line:col, exit 1.
    Catalog(LoadError),
    /// Anything else (a database that cannot be opened, I/O): the error's chain, exit 1.
    Runtime(anyhow::Error),
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::Config(message.into())
    }

    /// Prints the failure to stderr and gives the process's exit code.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Config(message) => {
                eprintln!("marquee: {message}");
                ExitCode::from(CONFIG_EXIT)
            }
            Failure::Catalog(problems) => {
                eprintln!("{problems}");
                ExitCode::FAILURE
            }
            // The reader went away (`marquee … | head`): what it wanted, it has. Quiet, as
            // `grep` and `ripgrep` are.
            Failure::Runtime(e) if is_closed_pipe(&e) => ExitCode::SUCCESS,
            Failure::Runtime(e) => {
                eprintln!("marquee: {e:#}");
                ExitCode::FAILURE
            }
        }
    }
}

fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        Failure::Config(e.to_string())
    }
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Failure {
        Failure::Catalog(e)
    }
}

// Every other error is a run-time failure; `?` converts it.
macro_rules! runtime_failure {
    ($($error:ty),*) => {$(
        impl From<$error> for Failure {
            fn from(e: $error) -> Failure {
                Failure::Runtime(e.into())
            }
        }
    )*};
}
runtime_failure!(anyhow::Error, std::io::Error, serde_json::Error);

/// A store error is printed as `store::Chain` puts it: tokio-postgres repeats its cause in its
/// own message, which `{:#}` would print twice.
impl From<marquee::store::StoreError> for Failure {
    fn from(e: marquee::store::StoreError) -> Failure {
        Failure::Runtime(anyhow::anyhow!("{}", marquee::store::Chain(&e)))
    }
}
