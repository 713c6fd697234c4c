//! The command line, declared with clap's derive API.

use clap::{Args, Parser, Subcommand};
use sealed_session::Algorithm;

/// Keys and cookies of sealed-session: make keys, rotate key rings, check
/// them, and look inside cookies.
///
/// A key ring is text: comma-separated keys (`ss1:<algorithm>:<id>:<key>`),
/// the primary first, each optionally followed by `;since=<RFC 3339>` (when
/// it began sealing) and `;retire=<RFC 3339>` (when it stops opening).
/// Commands that read a ring take it from `--env NAME` or standard input,
/// and print rings on standard output; messages go to standard error.
///
/// Exit codes: 0 success; 1 rejected input (invalid ring or key, a cookie
/// that does not decode or open, an impossible rotation); 2 usage error;
/// 3 `check --strict` found warnings.
#[derive(Debug, Parser)]
#[command(name = "sealed-session", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a new random key in text form.
    Keygen {
        /// Algorithm: xaes256gcm (default), xchacha20poly1305 or aes256gcm.
        #[arg(long, value_parser = parse_algorithm)]
        algorithm: Option<Algorithm>,
        /// Key id written in every cookie sealed under the key.
        #[arg(long, default_value_t = 1)]
        id: u32,
    },
    /// Make a new key the primary (or, with --stage, add it for opening
    /// only) and print the new ring.
    Rotate {
        #[command(flatten)]
        ring: RingSource,
        /// Algorithm of the new key [default: the current primary's].
        #[arg(long, value_parser = parse_algorithm)]
        algorithm: Option<Algorithm>,
        /// Id of the new key [default: one past the largest id].
        #[arg(long)]
        id: Option<u32>,
        /// Only add the new key for opening; promote it (`promote`) once
        /// every node has the new ring.
        #[arg(long, conflicts_with = "retire_after")]
        stage: bool,
        #[command(flatten)]
        after: AfterRotation,
    },
    /// Make an opening key the primary and print the new ring.
    Promote {
        #[command(flatten)]
        ring: RingSource,
        /// Key to promote [default: the key after the primary, which is
        /// where `rotate --stage` puts a new key].
        #[arg(long)]
        id: Option<u32>,
        #[command(flatten)]
        after: AfterRotation,
    },
    /// Drop the keys whose retire time has passed and print the new ring.
    Prune {
        #[command(flatten)]
        ring: RingSource,
        #[command(flatten)]
        clock: Clock,
    },
    /// Validate a ring and list its keys: ids, algorithms, roles, times.
    /// Never prints key bytes.
    Check {
        #[command(flatten)]
        ring: RingSource,
        /// Warn when an AES-256-GCM primary has sealed for longer than this
        /// (its budget is about 2^32 seals: 5 days at 10,000 seals/s).
        #[arg(long, default_value = "1d", value_parser = parse_duration)]
        max_aes_age: time::Duration,
        /// Exit with 3 when there are warnings.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        clock: Clock,
    },
    /// Print a cookie's header; with a ring, open it and print its session
    /// metadata. The payload only with --show-payload.
    Inspect(Inspect),
}

#[derive(Debug, Args)]
pub struct Inspect {
    /// The cookie value, or `name=value`, or `-` to read it from standard
    /// input (keeps it out of shell history and process lists).
    pub cookie: String,
    /// Open the cookie with the ring in this environment variable.
    #[arg(long, value_name = "NAME", conflicts_with = "ring_stdin")]
    pub ring_env: Option<String>,
    /// Open the cookie with the ring read from standard input.
    #[arg(long)]
    pub ring_stdin: bool,
    /// Cookie name the cookie was sealed for [default: the name in
    /// `name=value`, else __Host-session].
    #[arg(long)]
    pub cookie_name: Option<String>,
    /// Purpose the cookie was sealed for.
    #[arg(long, default_value = "")]
    pub purpose: String,
    /// Largest Set-Cookie size the sealer allows.
    #[arg(long, default_value_t = sealed_session::DEFAULT_MAX_COOKIE_SIZE)]
    pub max_cookie_size: usize,
    /// Also print the payload (postcard bytes, as hex). It may hold
    /// personal data or secrets.
    #[arg(long)]
    pub show_payload: bool,
    #[command(flatten)]
    pub clock: Clock,
}

/// Where a ring comes from.
#[derive(Debug, Args)]
pub struct RingSource {
    /// Read the ring from this environment variable [default: standard
    /// input].
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
}

/// What happens to the demoted primary and old keys after a rotation.
#[derive(Debug, Args)]
pub struct AfterRotation {
    /// Retire the demoted primary this long from now: the longest session
    /// lifetime (TTL) plus the leeway, e.g. 7d1m.
    #[arg(long, value_parser = parse_duration)]
    pub retire_after: Option<time::Duration>,
    /// Keep at most this many keys, the primary included, newest first.
    #[arg(long)]
    pub keep: Option<usize>,
    /// Also drop keys whose retire time has passed.
    #[arg(long)]
    pub prune: bool,
    #[command(flatten)]
    pub clock: Clock,
}

/// The time a command acts at.
#[derive(Debug, Args)]
pub struct Clock {
    /// Act as if it were this time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    pub now: Option<time::OffsetDateTime>,
}

impl Clock {
    pub fn now(&self) -> time::OffsetDateTime {
        self.now.unwrap_or_else(time::OffsetDateTime::now_utc)
    }
}

fn parse_algorithm(text: &str) -> Result<Algorithm, String> {
    text.parse().map_err(|_| {
        let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

fn parse_time(text: &str) -> Result<time::OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    let bad = || "expected an RFC 3339 time from 1970 to 9999, such as 2030-01-01T00:00:00Z";
    let local = time::OffsetDateTime::parse(text, &Rfc3339).map_err(|_| bad().to_owned())?;
    // In UTC, and refused past year 9999 (converting would panic).
    let utc = time::OffsetDateTime::from_unix_timestamp_nanos(local.unix_timestamp_nanos())
        .map_err(|_| bad().to_owned())?;
    if utc.year() < 1970 {
        return Err(bad().to_owned());
    }
    Ok(utc)
}

/// `<number><unit>` pairs, units s, m, h, d, w: `90s`, `7d`, `7d1m`.
pub fn parse_duration(text: &str) -> Result<time::Duration, String> {
    let bad = || format!("expected a duration such as 90s, 12h, 7d or 7d1m, got {text:?}");
    let mut total = time::Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = rest.split_at(digits);
        let mut chars = tail.chars();
        let unit = chars.next().ok_or_else(bad)?;
        let number: i64 = number.parse().map_err(|_| bad())?;
        let seconds = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let part = number.checked_mul(seconds).ok_or_else(bad)?;
        total = total
            .checked_add(time::Duration::seconds(part))
            .ok_or_else(bad)?;
        rest = chars.as_str();
    }
    Ok(total)
}
