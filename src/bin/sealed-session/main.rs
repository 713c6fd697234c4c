//! `sealed-session`: the key tool of the sealed-session crate (feature
//! `cli`). See `sealed-session --help`; exit codes are documented there and
//! in [`Failure`].

#![forbid(unsafe_code)]

mod args;
mod inspect;
mod ring_cmds;

use args::{Cli, Command};
use clap::Parser;
use std::io::Write as _;
use std::process::ExitCode;

/// Why a command did not succeed, and so its exit code.
#[derive(Debug)]
pub enum Failure {
    /// Exit 1: the input was rejected (invalid ring or key, a cookie that
    /// does not decode or open, an impossible rotation).
    Rejected(String),
    /// Exit 2: the command line cannot be carried out (clap's own usage
    /// errors exit 2 too).
    Usage(String),
    /// Exit 3: `check --strict` found warnings (already printed).
    Warnings,
}

impl From<sealed_session::Error> for Failure {
    fn from(err: sealed_session::Error) -> Failure {
        Failure::Rejected(err.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen { algorithm, id } => ring_cmds::keygen(algorithm.unwrap_or_default(), id),
        Command::Rotate {
            ring,
            algorithm,
            id,
            stage,
            after,
        } => ring_cmds::rotate(&ring, algorithm, id, stage, &after),
        Command::Promote { ring, id, after } => ring_cmds::promote(&ring, id, &after),
        Command::Prune { ring, clock } => ring_cmds::prune(&ring, &clock),
        Command::Check {
            ring,
            max_aes_age,
            strict,
            clock,
        } => ring_cmds::check(&ring, max_aes_age, strict, &clock),
        Command::Inspect(args) => inspect::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let code = match &failure {
                Failure::Rejected(message) => {
                    eprintln!("error: {message}");
                    1
                }
                Failure::Usage(message) => {
                    eprintln!("error: {message}");
                    2
                }
                Failure::Warnings => 3,
            };
            ExitCode::from(code)
        }
    }
}

/// Writes `text` and a newline to standard output. A closed pipe (`| head`)
/// is not worth a panic.
pub fn print_line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.write_all(b"\n");
}

/// `YYYY-MM-DDTHH:MM:SSZ` in UTC, whole seconds, clamped to 1970..=9999
/// like the ring's text form.
pub fn time_text(time: time::OffsetDateTime) -> String {
    const MAX_UNIX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let unix = time.unix_timestamp().clamp(0, MAX_UNIX);
    let time =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (date, clock) = (time.date(), time.time());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        date.year(),
        u8::from(date.month()),
        date.day(),
        clock.hour(),
        clock.minute(),
        clock.second()
    )
}
