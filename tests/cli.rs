//! The `sealed-session` binary (feature `cli`), run as a shell script would:
//! standard output, standard error and exit codes (0 ok, 1 rejected input,
//! 2 usage, 3 warnings under `check --strict`), and never a key byte from
//! `check` or `inspect`.

mod common;

use common::{T0, key};
use sealed_session::{Algorithm, Key, KeyRing, Sealer, Session};
use std::io::Write as _;
use std::process::{Command, Stdio};
use time::Duration;

const NOW: &str = "2030-01-01T00:00:00Z";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `args`, extra environment variables and `stdin`.
fn run(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sealed-session"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // A command that does not read stdin may close it first: ignore EPIPE.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn ring_text(ring: &KeyRing) -> String {
    ring.to_text().to_string()
}

/// The secret parts (base64url and hex) of every key in `ring`.
fn secrets(ring: &KeyRing) -> Vec<String> {
    ring.keys()
        .flat_map(|k| {
            let b64 = k.to_text().rsplit(':').next().unwrap().to_owned();
            let hex = hex::encode(common::decode(&b64));
            [b64.clone(), b64[..12].to_owned(), hex[..16].to_owned()]
        })
        .collect()
}

#[track_caller]
fn assert_no_key_bytes(run: &Run, ring: &KeyRing) {
    for secret in secrets(ring) {
        assert!(
            !run.stdout.contains(&secret),
            "stdout leaks a key: {}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(&secret),
            "stderr leaks a key: {}",
            run.stderr
        );
    }
}

fn two_key_ring() -> KeyRing {
    let mut ring = KeyRing::new(key(Algorithm::Xaes256Gcm, 1));
    ring.rotate_at(key(Algorithm::Aes256Gcm, 2), T0).unwrap();
    ring
}

/// `key=value` lines of an output as pairs, in order.
fn fields(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').expect("key=value line");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    &fields
        .iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no {name} in {fields:?}"))
        .1
}

// ---------------------------------------------------------------- keygen

#[test]
fn keygen_prints_a_fresh_key_text() {
    let a = run(&["keygen"], &[], "");
    assert_eq!((a.code, a.stderr.as_str()), (0, ""));
    let key = Key::from_text(a.stdout.trim_end()).unwrap();
    assert_eq!((key.id(), key.algorithm()), (1, Algorithm::Xaes256Gcm));
    assert!(a.stdout.ends_with('\n') && a.stdout.lines().count() == 1);
    let b = run(&["keygen"], &[], "");
    assert_ne!(a.stdout, b.stdout);

    let c = run(
        &["keygen", "--algorithm", "aes256gcm", "--id", "42"],
        &[],
        "",
    );
    let key = Key::from_text(c.stdout.trim_end()).unwrap();
    assert_eq!((key.id(), key.algorithm()), (42, Algorithm::Aes256Gcm));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["keygen", "--algorithm", "rot13"][..],
        &["keygen", "--id", "-1"],
        &["keygen", "--id", "4294967296"],
        &["rotate", "--stage", "--retire-after", "7d"],
        &["rotate", "--retire-after", "7 days"],
        &["check", "--now", "yesterday"],
        &["check", "--now", "9999-12-31T23:59:59-01:00"],
        &["check", "--now", "1969-12-31T23:59:59Z"],
        &["inspect"],
        &["frobnicate"],
        &[],
    ] {
        let r = run(args, &[], "");
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}");
        assert!(!r.stderr.is_empty(), "{args:?}");
    }
    let r = run(&["keygen", "--algorithm", "rot13"], &[], "");
    assert!(
        r.stderr
            .contains("xaes256gcm, xchacha20poly1305, aes256gcm"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- rotate

#[test]
fn rotate_from_stdin_makes_a_new_primary_and_keeps_the_old_key() {
    let ring = KeyRing::new(key(Algorithm::XChaCha20Poly1305, 4));
    let r = run(
        &["rotate", "--now", NOW, "--retire-after", "7d1m"],
        &[],
        &ring_text(&ring),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rotated = KeyRing::from_text(&r.stdout).unwrap();
    let ids: Vec<u32> = rotated.keys().map(Key::id).collect();
    assert_eq!(ids, [5, 4]);
    assert_eq!(rotated.primary().algorithm(), Algorithm::XChaCha20Poly1305);
    assert_eq!(rotated.since(5), Some(T0));
    assert_eq!(
        rotated.retire_at(4),
        Some(T0 + Duration::days(7) + Duration::minutes(1))
    );
    // The old key is the same key: its cookies open under the new ring,
    // and ask to move.
    assert_eq!(
        rotated.get(4).unwrap().to_text(),
        key(Algorithm::XChaCha20Poly1305, 4).to_text()
    );
    let cookie = Sealer::builder(ring)
        .build_at(T0)
        .unwrap()
        .seal_value_at(&Session::new(1u8), T0)
        .unwrap();
    let opened = Sealer::builder(rotated)
        .build_at(T0)
        .unwrap()
        .open_at::<u8>(&cookie, T0)
        .unwrap();
    assert!(opened.reseal().non_primary_key);
    assert_eq!(
        r.stderr,
        "key 5 (xchacha20poly1305) is the primary; key 4 now only opens\n\
         key 4 retires at 2030-01-08T00:01:00Z\n"
    );
}

#[test]
fn rotate_reads_the_environment_and_takes_algorithm_and_id() {
    let ring = two_key_ring();
    let text = ring_text(&ring);
    let r = run(
        &[
            "rotate",
            "--env",
            "RING",
            "--algorithm",
            "xaes256gcm",
            "--id",
            "10",
            "--now",
            NOW,
        ],
        &[("RING", &text)],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rotated = KeyRing::from_text(&r.stdout).unwrap();
    let ids: Vec<u32> = rotated.keys().map(Key::id).collect();
    assert_eq!(ids, [10, 2, 1]);
    assert_eq!(rotated.primary().algorithm(), Algorithm::Xaes256Gcm);

    let too_far = run(
        &[
            "rotate",
            "--env",
            "RING",
            "--retire-after",
            "500000w",
            "--now",
            "9999-01-01T00:00:00Z",
        ],
        &[("RING", &text)],
        "",
    );
    assert_eq!(too_far.code, 1);
    assert_eq!(too_far.stdout, "");
    assert!(
        too_far
            .stderr
            .ends_with("error: --retire-after reaches past year 9999\n"),
        "{}",
        too_far.stderr
    );

    let dup = run(
        &["rotate", "--env", "RING", "--id", "1"],
        &[("RING", &text)],
        "",
    );
    assert_eq!(dup.code, 1);
    assert_eq!(dup.stdout, "");
    assert_eq!(
        dup.stderr,
        "error: invalid configuration: key id 1 is used twice\n"
    );
}

#[test]
fn stage_then_promote_is_the_two_step_rotation() {
    let ring = KeyRing::new(key(Algorithm::Xaes256Gcm, 1));
    let staged = run(&["rotate", "--stage"], &[], &ring_text(&ring));
    assert_eq!(staged.code, 0, "{}", staged.stderr);
    assert!(
        staged.stderr.contains("promote --id 2"),
        "{}",
        staged.stderr
    );
    let staged_ring = KeyRing::from_text(&staged.stdout).unwrap();
    let ids: Vec<u32> = staged_ring.keys().map(Key::id).collect();
    assert_eq!(ids, [1, 2]);
    assert_eq!(staged_ring.since(2), None);

    let promoted = run(
        &["promote", "--now", NOW, "--retire-after", "1h"],
        &[],
        &staged.stdout,
    );
    assert_eq!(promoted.code, 0, "{}", promoted.stderr);
    let promoted_ring = KeyRing::from_text(&promoted.stdout).unwrap();
    let ids: Vec<u32> = promoted_ring.keys().map(Key::id).collect();
    assert_eq!(ids, [2, 1]);
    assert_eq!(promoted_ring.since(2), Some(T0));
    assert_eq!(promoted_ring.retire_at(1), Some(T0 + Duration::hours(1)));
    assert_eq!(
        promoted_ring.primary().to_text(),
        staged_ring.get(2).unwrap().to_text()
    );

    let again = run(&["promote", "--id", "2"], &[], &promoted.stdout);
    assert_eq!(
        (again.code, again.stderr.as_str()),
        (1, "error: key 2 is already the primary\n")
    );
    let lone = run(&["promote"], &[], &ring_text(&ring));
    assert_eq!(lone.code, 1);
    assert_eq!(
        lone.stderr,
        "error: the ring has no key besides the primary\n"
    );
    let missing = run(&["promote", "--id", "9"], &[], &promoted.stdout);
    assert_eq!(missing.code, 1);
    assert_eq!(
        missing.stderr,
        "error: invalid configuration: no key with id 9 in the ring\n"
    );
}

#[test]
fn keep_and_prune_drop_old_keys() {
    let mut ring = KeyRing::new(key(Algorithm::Xaes256Gcm, 1));
    ring.rotate_at(key(Algorithm::Xaes256Gcm, 2), T0).unwrap();
    ring.rotate_at(key(Algorithm::Xaes256Gcm, 3), T0).unwrap();
    ring.retire(2, T0).unwrap();
    let text = ring_text(&ring);

    let kept = run(&["rotate", "--keep", "2", "--now", NOW], &[], &text);
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    let ids: Vec<u32> = KeyRing::from_text(&kept.stdout)
        .unwrap()
        .keys()
        .map(Key::id)
        .collect();
    assert_eq!(ids, [4, 3]);
    assert!(
        kept.stderr.contains("dropped key 2\ndropped key 1\n"),
        "{}",
        kept.stderr
    );

    let pruned = run(&["prune", "--now", NOW], &[], &text);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    let ids: Vec<u32> = KeyRing::from_text(&pruned.stdout)
        .unwrap()
        .keys()
        .map(Key::id)
        .collect();
    assert_eq!(ids, [3, 1]);
    assert_eq!(pruned.stderr, "pruned key 2\n");
    // A second before the retire time nothing is pruned.
    let early = run(&["prune", "--now", "2029-12-31T23:59:59Z"], &[], &text);
    assert_eq!(early.stderr, "");
    assert_eq!(KeyRing::from_text(&early.stdout).unwrap().len(), 3);
}

#[test]
fn invalid_rings_exit_1_naming_the_entry_without_key_bytes() {
    let ring = two_key_ring();
    let text = ring_text(&ring);
    let cases = [
        (
            format!("{text};colour=red"),
            "error: invalid configuration: key ring entry 2 (key 1): unknown attribute (expected since= or retire=)\n",
        ),
        (
            format!("{text},"),
            "error: invalid configuration: key ring entry 3: empty entry\n",
        ),
        (
            String::new(),
            "error: invalid configuration: key ring entry 1: empty entry\n",
        ),
        (
            text.replacen("ss1:", "ss9:", 1),
            "error: invalid configuration: key ring entry 1: key text is not ss1:<algorithm>:<id>:<base64url 32 bytes>\n",
        ),
    ];
    for (bad, expected) in cases {
        for command in ["rotate", "promote", "prune", "check"] {
            let r = run(&[command], &[], &bad);
            assert_eq!(r.code, 1, "{command}: {}", r.stderr);
            assert_eq!(r.stdout, "", "{command}");
            assert_eq!(r.stderr, expected, "{command}");
            assert_no_key_bytes(&r, &ring);
        }
    }
    let unset = run(
        &["check", "--env", "SEALED_SESSION_CLI_TEST_UNSET"],
        &[],
        "",
    );
    assert_eq!(unset.code, 1);
    assert_eq!(
        unset.stderr,
        "error: invalid configuration: environment variable SEALED_SESSION_CLI_TEST_UNSET is not set or not UTF-8\n"
    );
}

// ---------------------------------------------------------------- check

#[test]
fn check_lists_keys_and_warns_without_key_bytes() {
    let mut ring = two_key_ring();
    ring.retire(1, T0 + Duration::days(7)).unwrap();
    let text = ring_text(&ring);

    let r = run(
        &["check", "--env", "RING", "--now", "2030-01-01T12:00:00Z"],
        &[("RING", &text)],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "id=2 algorithm=aes256gcm role=primary since=2030-01-01T00:00:00Z retire=-\n\
         id=1 algorithm=xaes256gcm role=opening since=- retire=2030-01-08T00:00:00Z\n"
    );
    assert_eq!(r.stderr, "");
    assert_no_key_bytes(&r, &ring);

    // Ten days on: the AES-GCM primary is past the default day, key 1 is
    // retired and prunable. Warnings go to stderr, the listing stays.
    let late = run(&["check", "--now", "2030-01-11T00:00:00Z"], &[], &text);
    assert_eq!(late.code, 0, "{}", late.stderr);
    assert!(
        late.stdout
            .contains("id=1 algorithm=xaes256gcm role=retired"),
        "{}",
        late.stdout
    );
    assert_eq!(
        late.stderr,
        "warning: primary key 2 is AES-256-GCM and has sealed since 2030-01-01T00:00:00Z, longer than 1d: rotate it\n\
         warning: key 1 retired at 2030-01-08T00:00:00Z and can be pruned\n"
    );
    assert_no_key_bytes(&late, &ring);
    let strict = run(
        &["check", "--strict", "--now", "2030-01-11T00:00:00Z"],
        &[],
        &text,
    );
    assert_eq!(strict.code, 3);
    assert_eq!(strict.stdout, late.stdout);
    let relaxed = run(
        &[
            "check",
            "--strict",
            "--max-aes-age",
            "2w",
            "--now",
            "2030-01-05T00:00:00Z",
        ],
        &[],
        &text,
    );
    assert_eq!((relaxed.code, relaxed.stderr.as_str()), (0, ""));
}

#[test]
fn check_refuses_what_a_sealer_would() {
    let mut ring = two_key_ring();
    ring.retire(2, T0).unwrap();
    let r = run(&["check", "--now", NOW], &[], &ring_text(&ring));
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: invalid configuration: primary key 2 is already retired\n"
    );
    assert_no_key_bytes(&r, &ring);
}

// ---------------------------------------------------------------- inspect

const PAYLOAD: &str = "plaintext-cart-s3cret";

fn sealed_cookie(ring: &KeyRing, name: &str) -> String {
    let sealer = Sealer::builder(ring.clone())
        .with_cookie_name(name)
        .with_purpose("web")
        .with_ttl(Duration::hours(12))
        .with_idle_timeout(Duration::hours(1))
        .build_at(T0)
        .unwrap();
    let mut session = Session::new(PAYLOAD.to_owned());
    session.set_subject("user-42").unwrap();
    sealer.seal_value_at(&session, T0).unwrap()
}

#[test]
fn inspect_without_a_ring_prints_the_header_only() {
    let ring = two_key_ring();
    let cookie = sealed_cookie(&ring, "__Host-session");
    let r = run(&["inspect", &cookie], &[], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sealed = common::decode(&cookie).len();
    assert_eq!(
        r.stdout,
        format!(
            "version=1\nalgorithm=aes256gcm\nkey_id=2\nsealed_bytes={sealed}\nnonce_bytes=12\n\
             envelope_bytes={}\ntag_bytes=16\n",
            sealed - 6 - 12 - 16
        )
    );
    assert_eq!(r.stderr, "");
    assert!(!r.stdout.contains(PAYLOAD));
}

#[test]
fn inspect_with_a_ring_opens_and_prints_the_metadata() {
    let ring = two_key_ring();
    let cookie = sealed_cookie(&ring, "__Host-app");
    let text = ring_text(&ring);
    let r = run(
        &[
            "inspect",
            &cookie,
            "--ring-env",
            "RING",
            "--cookie-name",
            "__Host-app",
            "--purpose",
            "web",
            "--now",
            "2030-01-01T00:20:00Z",
        ],
        &[("RING", &text)],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let f = fields(&r.stdout);
    assert_eq!(field(&f, "key_id"), "2");
    assert_eq!(field(&f, "subject"), "user-42");
    assert_eq!(field(&f, "issued_at"), "2030-01-01T00:00:00Z");
    assert_eq!(field(&f, "expires_at"), "2030-01-01T12:00:00Z");
    assert_eq!(field(&f, "idle_deadline"), "2030-01-01T01:00:00Z");
    assert_eq!(field(&f, "non_primary_key"), "false");
    assert_eq!(field(&f, "payload_bytes"), (PAYLOAD.len() + 1).to_string());
    assert_eq!(field(&f, "session_id").len(), 32);
    assert!(f.iter().all(|(k, _)| k != "payload_hex"));
    assert!(!r.stdout.contains(PAYLOAD) && !r.stdout.contains(&hex::encode(PAYLOAD)));
    assert_no_key_bytes(&r, &ring);

    // The payload only when asked for: postcard's length prefix, then the
    // string's bytes.
    let shown = run(
        &[
            "inspect",
            &cookie,
            "--ring-env",
            "RING",
            "--cookie-name",
            "__Host-app",
            "--purpose",
            "web",
            "--now",
            "2030-01-01T00:20:00Z",
            "--show-payload",
        ],
        &[("RING", &text)],
        "",
    );
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert_eq!(
        field(&fields(&shown.stdout), "payload_hex"),
        format!("{:02x}{}", PAYLOAD.len(), hex::encode(PAYLOAD))
    );
    assert_no_key_bytes(&shown, &ring);
}

#[test]
fn inspect_takes_name_value_and_the_cookie_from_stdin() {
    let old = KeyRing::new(key(Algorithm::Xaes256Gcm, 1));
    let cookie = sealed_cookie(&old, "sid");
    let ring = two_key_ring();
    let text = ring_text(&ring);
    // `name=value` supplies the cookie name; read from stdin, with a
    // trailing newline as `echo` leaves it.
    let r = run(
        &[
            "inspect",
            "-",
            "--ring-env",
            "RING",
            "--purpose",
            "web",
            "--now",
            NOW,
        ],
        &[("RING", &text)],
        &format!("sid={cookie};\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let f = fields(&r.stdout);
    assert_eq!(field(&f, "key_id"), "1");
    assert_eq!(field(&f, "non_primary_key"), "true");
    assert_no_key_bytes(&r, &ring);

    // The ring from stdin instead.
    let r = run(
        &[
            "inspect",
            &format!("sid={cookie}"),
            "--ring-stdin",
            "--purpose",
            "web",
            "--now",
            NOW,
        ],
        &[],
        &text,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let both = run(&["inspect", "-", "--ring-stdin"], &[], &text);
    assert_eq!(both.code, 2);
    assert_eq!(
        both.stderr,
        "error: the cookie and the ring cannot both come from standard input\n"
    );
}

#[test]
fn inspect_rejections_exit_1_with_the_reason() {
    let ring = two_key_ring();
    let text = ring_text(&ring);
    let cookie = sealed_cookie(&ring, "__Host-session");
    let env = [("RING", text.as_str())];
    let open = |extra: &[&str]| {
        let mut args = vec!["inspect", cookie.as_str(), "--ring-env", "RING"];
        args.extend_from_slice(extra);
        run(&args, &env, "")
    };
    let cases: Vec<(Run, &str)> = vec![
        (
            open(&[
                "--purpose",
                "web",
                "--cookie-name",
                "__Host-other",
                "--now",
                NOW,
            ]),
            "error: cookie rejected: session cookie failed authentication\n",
        ),
        (
            open(&["--now", NOW]),
            "error: cookie rejected: session cookie failed authentication\n",
        ),
        (
            open(&["--purpose", "web", "--now", "2030-01-01T12:01:00Z"]),
            "error: cookie rejected: session expired\n",
        ),
        (
            open(&["--purpose", "web", "--now", "2030-01-01T01:01:00Z"]),
            "error: cookie rejected: session idle timeout passed\n",
        ),
    ];
    for (r, expected) in cases {
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(r.stderr, expected);
        // The header was printed before the opening failed.
        assert!(r.stdout.starts_with("version=1\n"), "{}", r.stdout);
        assert!(!r.stdout.contains("session_id="));
        assert_no_key_bytes(&r, &ring);
    }
    // A ring whose keys were rotated out.
    let other = KeyRing::new(key(Algorithm::Xaes256Gcm, 7))
        .to_text()
        .to_string();
    let r = run(
        &[
            "inspect",
            &cookie,
            "--ring-env",
            "RING",
            "--purpose",
            "web",
            "--now",
            NOW,
        ],
        &[("RING", &other)],
        "",
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "error: cookie rejected: no key with id 2 in the key ring\n"
    );
    // Not a cookie at all.
    for (bad, expected) in [
        (
            "not*base64",
            "error: malformed session cookie: not canonical unpadded base64url\n",
        ),
        (
            "AQEAAAAB",
            "error: malformed session cookie: shorter than header, nonce and tag\n",
        ),
        ("", "error: malformed session cookie: empty value\n"),
        (
            "AgEAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "error: unsupported session cookie version 2\n",
        ),
    ] {
        let r = run(&["inspect", bad], &[], "");
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (1, "", expected),
            "{bad}"
        );
    }
}

#[test]
fn compromised_primary_is_replaced_and_dropped_in_one_step() {
    // README, "Key compromise": rotate, retire the old primary now, prune.
    let ring = two_key_ring();
    let cookie = sealed_cookie(&ring, "__Host-session");
    let r = run(
        &["rotate", "--retire-after", "0s", "--prune", "--now", NOW],
        &[],
        &ring_text(&ring),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.ends_with("pruned key 2\n"), "{}", r.stderr);
    let replaced = KeyRing::from_text(&r.stdout).unwrap();
    let ids: Vec<u32> = replaced.keys().map(Key::id).collect();
    assert_eq!(ids, [3, 1]);
    let sealer = Sealer::builder(replaced)
        .with_purpose("web")
        .build_at(T0)
        .unwrap();
    assert_eq!(
        sealer.open_at::<String>(&cookie, T0).unwrap_err(),
        sealed_session::Error::UnknownKey { key_id: 2 }
    );
}
