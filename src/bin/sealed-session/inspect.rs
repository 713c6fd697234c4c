//! inspect: a cookie's header without keys; with a ring, its session
//! metadata, and its payload only when asked for.

use crate::args::Inspect;
use crate::ring_cmds::read_stdin;
use crate::{Failure, print_line, time_text};
use sealed_session::{CookieHeader, DEFAULT_COOKIE_NAME, KeyRing, Sealer};
use std::fmt::Write as _;
use zeroize::Zeroizing;

pub fn run(args: &Inspect) -> Result<(), Failure> {
    if args.cookie == "-" && args.ring_stdin {
        return Err(Failure::Usage(
            "the cookie and the ring cannot both come from standard input".into(),
        ));
    }
    let input = if args.cookie == "-" {
        read_stdin("the cookie")?
    } else {
        Zeroizing::new(args.cookie.clone())
    };
    let (name_in_input, value) = split_cookie(&input);

    let header = CookieHeader::decode(value).map_err(|e| Failure::Rejected(e.to_string()))?;
    print_line(&format!("version={}", header.version()));
    print_line(&format!("algorithm={}", header.algorithm()));
    print_line(&format!("key_id={}", header.key_id()));
    print_line(&format!("sealed_bytes={}", header.sealed_len()));
    print_line(&format!("nonce_bytes={}", header.nonce_len()));
    print_line(&format!("envelope_bytes={}", header.envelope_len()));
    print_line(&format!("tag_bytes={}", header.tag_len()));

    let ring = match (&args.ring_env, args.ring_stdin) {
        (Some(name), _) => KeyRing::from_env(name)?,
        (None, true) => KeyRing::from_text(&read_stdin("the key ring")?)?,
        (None, false) => return Ok(()),
    };
    let now = args.clock.now();
    let name = args
        .cookie_name
        .as_deref()
        .or(name_in_input)
        .unwrap_or(DEFAULT_COOKIE_NAME);
    // Only the name, purpose and size limit matter for opening: deadlines
    // travel inside the cookie.
    let sealer = Sealer::builder(ring)
        .with_cookie_name(name)
        .with_purpose(args.purpose.as_str())
        .with_max_cookie_size(args.max_cookie_size)
        .build_at(now)?;
    let opened = sealer
        .open_raw_at(value, now)
        .map_err(|e| Failure::Rejected(format!("cookie rejected: {e}")))?;
    let session = opened.session();
    let time_or_dash = |t: Option<time::OffsetDateTime>| t.map_or_else(|| "-".into(), time_text);
    print_line(&format!("session_id={}", session.id()));
    print_line(&format!(
        "subject={}",
        session
            .subject()
            .map_or_else(|| "-".into(), |s| s.escape_debug().to_string())
    ));
    print_line(&format!("issued_at={}", time_or_dash(session.issued_at())));
    print_line(&format!(
        "expires_at={}",
        time_or_dash(session.expires_at())
    ));
    print_line(&format!(
        "idle_deadline={}",
        time_or_dash(session.idle_deadline())
    ));
    // Whether an idle renewal is due depends on the server's idle setting,
    // which the cookie does not carry; whether its key is the primary does
    // not.
    print_line(&format!(
        "non_primary_key={}",
        opened.reseal().non_primary_key
    ));
    print_line(&format!("payload_bytes={}", session.data().len()));
    if args.show_payload {
        let mut line = Zeroizing::new(String::with_capacity(12 + 2 * session.data().len()));
        line.push_str("payload_hex=");
        for byte in session.data() {
            // Writing to a String cannot fail.
            let _ = write!(line, "{byte:02x}");
        }
        print_line(&line);
    }
    Ok(())
}

/// `name=value` (as in a Cookie header) or a bare value; surrounding
/// whitespace and a trailing `;` are ignored.
fn split_cookie(input: &str) -> (Option<&str>, &str) {
    let input = input.trim().trim_end_matches(';').trim();
    match input.split_once('=') {
        Some((name, value)) => (Some(name.trim()), value.trim()),
        None => (None, input),
    }
}
