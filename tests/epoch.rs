//! Epoch keys (feature `epoch`): every node derives the same key per period
//! from one master secret, seals under the current epoch, and opens the
//! window its TTL needs, including the next epoch near a boundary when a
//! peer's clock runs ahead. Sessions never outlive the accepted window.

mod common;

use sealed_session::{
    Algorithm, ConfigError, EpochKeys, Error, Key, MAX_PREVIOUS_EPOCHS, Sealer, Session,
};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

const MASTER: [u8; 32] = [0x6b; 32];
const CONTEXT: &str = "prod/session";
const HOUR: i64 = 3600;
const LEEWAY: i64 = 60;
/// Epoch 500_000 of one-hour epochs: 2027-01-14T08:00:00Z.
const E: i64 = 500_000;

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

/// Start of epoch `e` of one-hour epochs.
fn start(e: i64) -> i64 {
    e * HOUR
}

fn hourly() -> EpochKeys {
    EpochKeys::new(&MASTER, CONTEXT, Duration::hours(1)).unwrap()
}

/// A sealer over hourly epoch keys with `ttl`, built at epoch `E`.
fn sealer(keys: EpochKeys, ttl: Duration) -> Sealer {
    Sealer::epoch_builder(keys)
        .with_ttl(ttl)
        .build_at(at(start(E)))
        .unwrap()
}

fn seal(sealer: &Sealer, unix: i64) -> String {
    sealer.seal_value_at(&Session::new(7u16), at(unix)).unwrap()
}

/// `Ok((key id, asks for a re-seal under another key))` or the error.
fn open(sealer: &Sealer, value: &str, unix: i64) -> Result<(u32, bool), Error> {
    sealer
        .open_at::<u16>(value, at(unix))
        .map(|o| (o.key_id(), o.reseal().non_primary_key))
}

fn header_key_id(value: &str) -> u32 {
    let bytes = common::decode(value);
    u32::from_be_bytes(bytes[2..6].try_into().unwrap())
}

fn build_err(keys: EpochKeys, ttl: Duration, leeway: Duration) -> ConfigError {
    match Sealer::epoch_builder(keys)
        .with_ttl(ttl)
        .with_leeway(leeway)
        .build_at(at(start(E)))
    {
        Err(Error::InvalidConfig(why)) => why,
        other => panic!("expected a config error, got {other:?}"),
    }
}

// ------------------------------------------------------------- derivation

#[test]
fn key_id_is_the_epoch_and_nodes_agree_without_talking() {
    let node_a = sealer(hourly(), Duration::hours(2));
    let node_b = sealer(hourly(), Duration::hours(2));
    for offset in [0, 1, HOUR / 2, HOUR - 1, HOUR, 5 * HOUR + 17] {
        let t = start(E) + offset;
        let value = seal(&node_a, t);
        let epoch = u32::try_from(t / HOUR).unwrap();
        assert_eq!(header_key_id(&value), epoch);
        assert_eq!(open(&node_b, &value, t), Ok((epoch, false)));
    }
}

/// The epoch key of epoch 500 000 of hourly epochs under [`MASTER`] and
/// [`CONTEXT`], per algorithm, computed outside this crate from the
/// derivation as documented on `EpochKeys`, with Python's standard library:
///
/// ```text
/// python3 -c '
/// import hmac, hashlib, base64, struct
/// prk = hmac.new(b"sealed-session/v1 key derivation", b"\x6b" * 32, hashlib.sha256).digest()
/// for code in (1, 2, 3):
///     info = (b"epoch\0" + struct.pack(">Q", 12) + b"prod/session"
///             + struct.pack(">I", 3600) + bytes([code]) + struct.pack(">I", 500000))
///     okm = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()  # one 32-byte block
///     print(base64.urlsafe_b64encode(okm).rstrip(b"=").decode())'
/// ```
const EPOCH_500_000: [(Algorithm, &str); 3] = [
    (
        Algorithm::Xaes256Gcm,
        "u71INS7ocHqbKS3QOU4rGSjVE7eXeXSDZa7zPh7GIyM",
    ),
    (
        Algorithm::XChaCha20Poly1305,
        "KkGaAy3rO-KDp7r3MLExGMi634vWkjuGruJ-lfa76Yw",
    ),
    (
        Algorithm::Aes256Gcm,
        "aZfHFCnJbxiciskrL2ciwSiNfbt1chH22L4gCJ-YhSc",
    ),
];

#[test]
fn epoch_key_is_the_documented_hkdf_derivation() {
    // So a node written in another language can derive the same keys.
    for (algorithm, secret) in EPOCH_500_000 {
        let keys = hourly().with_algorithm(algorithm);
        let expected = format!("ss1:{algorithm}:500000:{secret}");
        assert_eq!(keys.key(500_000).to_text().as_str(), expected);
        assert_ne!(keys.key(500_001).to_text().as_str(), expected);
    }
}

#[test]
fn no_context_makes_key_derive_give_an_epoch_key() {
    // Epoch keys were once `Key::derive` with the context
    // `epoch:<period>:<context>`, so anyone choosing that context for
    // `Key::derive` got the epoch keys of another deployment.
    let daily = EpochKeys::new(&MASTER, "prod", Duration::days(1)).unwrap();
    for algorithm in Algorithm::ALL {
        let epoch = daily.clone().with_algorithm(algorithm).key(20_000);
        for context in ["epoch:86400:prod", "prod", ""] {
            let derived = Key::derive(&MASTER, context, algorithm, 20_000).unwrap();
            assert_ne!(
                derived.to_text(),
                epoch.to_text(),
                "{algorithm} {context:?}"
            );
        }
    }
}

#[test]
fn master_context_period_and_algorithm_each_separate_the_keys() {
    let base = sealer(hourly(), Duration::hours(1));
    let value = seal(&base, start(E));
    let others = [
        EpochKeys::new(&[0x6c; 32], CONTEXT, Duration::hours(1)).unwrap(),
        EpochKeys::new(&MASTER, "staging/session", Duration::hours(1)).unwrap(),
    ];
    for keys in others {
        let other = sealer(keys, Duration::hours(1));
        assert_eq!(open(&other, &value, start(E)), Err(Error::Unauthenticated));
    }
    // Another period gives other keys even for the same epoch number.
    let half_hours = EpochKeys::new(&MASTER, CONTEXT, Duration::minutes(30)).unwrap();
    assert_ne!(
        half_hours.key(500_000).to_text(),
        hourly().key(500_000).to_text()
    );
    // Another algorithm: refused before any decryption.
    let other = sealer(
        hourly().with_algorithm(Algorithm::XChaCha20Poly1305),
        Duration::hours(1),
    );
    assert_eq!(
        open(&other, &value, start(E)),
        Err(Error::AlgorithmMismatch { key_id: 500_000 })
    );
}

#[test]
fn aes_gcm_epochs_seal_and_open() {
    let s = sealer(
        hourly().with_algorithm(Algorithm::Aes256Gcm),
        Duration::hours(3),
    );
    let value = seal(&s, start(E) + 10);
    assert_eq!(common::decode(&value)[1], Algorithm::Aes256Gcm.code());
    assert_eq!(open(&s, &value, start(E + 2)), Ok((500_000, true)));
}

// ------------------------------------------------------------- the window

#[test]
fn previous_epochs_open_and_ask_to_move_to_the_current_one() {
    // TTL 2 h + 60 s leeway over 1 h epochs: 3 previous epochs.
    let s = sealer(hourly(), Duration::hours(2));
    let value = seal(&s, start(E) + 10);
    assert_eq!(open(&s, &value, start(E) + 20), Ok((500_000, false)));
    let t = start(E + 1) + 5;
    assert_eq!(open(&s, &value, t), Ok((500_000, true)));
    let opened = s.open_at::<u16>(&value, at(t)).unwrap();
    let resealed = s.seal_value_at(opened.session(), at(t)).unwrap();
    assert_eq!(header_key_id(&resealed), 500_001);
    assert_eq!(open(&s, &resealed, t), Ok((500_001, false)));
    assert_eq!(
        s.open_at::<u16>(&resealed, at(t)).unwrap().session().id(),
        opened.session().id()
    );
}

#[test]
fn epochs_outside_the_window_are_unknown_keys() {
    // A long-lived sealer (TTL 10 h) seals; a node configured for 2 h
    // sessions accepts 3 previous epochs only.
    let long = sealer(hourly(), Duration::hours(10));
    let short = sealer(hourly(), Duration::hours(2));
    let value = seal(&long, start(E));
    // Inside the window the key is found; the 10-hour lifetime is then
    // refused by the 2-hour reader (readers cap lifetimes by their TTL).
    assert_eq!(
        open(&short, &value, start(E + 3) + HOUR - 1),
        Err(Error::LifetimeTooLong)
    );
    assert_eq!(
        open(&short, &value, start(E + 4)),
        Err(Error::UnknownKey { key_id: 500_000 })
    );
    assert_eq!(open(&long, &value, start(E + 4)), Ok((500_000, true)));
    // Epochs further ahead than the next are never accepted.
    let ahead = seal(&long, start(E + 2));
    assert_eq!(
        open(&short, &ahead, start(E)),
        Err(Error::UnknownKey { key_id: 500_002 })
    );
}

#[test]
fn explicit_previous_epochs_widen_the_window() {
    let wide = sealer(hourly().with_previous_epochs(6), Duration::hours(2));
    let long = sealer(hourly(), Duration::hours(10));
    let value = seal(&long, start(E));
    // The key is found (then the lifetime is refused, as above).
    assert_eq!(
        open(&wide, &value, start(E + 6) + 1),
        Err(Error::LifetimeTooLong)
    );
    assert_eq!(
        open(&wide, &value, start(E + 7)),
        Err(Error::UnknownKey { key_id: 500_000 })
    );
}

#[test]
fn next_epoch_opens_only_within_the_leeway_of_its_start() {
    // A peer whose clock runs ahead already seals under epoch E + 1.
    let s = sealer(hourly(), Duration::hours(2));
    let from_ahead = seal(&s, start(E + 1));
    assert_eq!(header_key_id(&from_ahead), 500_001);
    // Not a reason to re-seal under our (older) key.
    assert_eq!(
        open(&s, &from_ahead, start(E + 1) - 30),
        Ok((500_001, false))
    );
    assert_eq!(
        open(&s, &from_ahead, start(E + 1) - LEEWAY),
        Ok((500_001, false))
    );
    // One second more skew than the leeway: the key is refused before the
    // issue time could be.
    assert_eq!(
        open(&s, &from_ahead, start(E + 1) - LEEWAY - 1),
        Err(Error::UnknownKey { key_id: 500_001 })
    );
    let later_in_epoch = seal(&s, start(E + 1) + 10);
    assert_eq!(
        open(&s, &later_in_epoch, start(E + 1) - 50),
        Ok((500_001, false))
    );
}

#[test]
fn no_valid_session_is_refused_for_its_key() {
    // The arithmetic: TTL + leeway <= previous epochs x period, so every
    // cookie opens until it expires, wherever in its epoch it was sealed,
    // and then fails as expired (not as an unknown key).
    for (ttl, period) in [
        (Duration::hours(2), Duration::hours(1)),
        (Duration::hours(1), Duration::hours(1)),
        (Duration::minutes(59), Duration::hours(1)),
        (Duration::days(7), Duration::days(1)),
        (Duration::hours(5), Duration::minutes(7)),
    ] {
        let keys = EpochKeys::new(&MASTER, CONTEXT, period).unwrap();
        let p = period.whole_seconds();
        let s = Sealer::epoch_builder(keys)
            .with_ttl(ttl)
            .build_at(at(start(E)))
            .unwrap();
        let base = (start(E) / p) * p;
        for offset in [0, 1, p / 2, p - 61, p - 1] {
            let sealed_at = base + offset;
            let value = seal(&s, sealed_at);
            let last_valid = sealed_at + ttl.whole_seconds() + LEEWAY - 1;
            let times = [sealed_at, sealed_at + p, last_valid - p, last_valid];
            for t in times
                .into_iter()
                .filter(|&t| (sealed_at..=last_valid).contains(&t))
            {
                assert!(
                    open(&s, &value, t).is_ok(),
                    "ttl {ttl}, period {period}, sealed at +{offset}, opened {} s later: {:?}",
                    t - sealed_at,
                    open(&s, &value, t)
                );
            }
            assert_eq!(open(&s, &value, last_valid + 1), Err(Error::Expired));
        }
    }
}

#[test]
fn idle_renewal_and_epoch_rotation_report_separately() {
    let s = Sealer::epoch_builder(hourly())
        .with_ttl(Duration::hours(8))
        .with_idle_timeout(Duration::hours(1))
        .build_at(at(start(E)))
        .unwrap();
    // Sealed 20 minutes before the boundary, opened a minute after it:
    // more than a quarter of the idle hour has passed, and the epoch moved.
    let sealed_at = start(E) + HOUR - 1200;
    let value = seal(&s, sealed_at);
    let opened = s.open_at::<u16>(&value, at(start(E) + HOUR + 60)).unwrap();
    assert!(opened.reseal().non_primary_key);
    assert!(opened.reseal().idle_renewal);
    let opened = s.open_at::<u16>(&value, at(sealed_at + 10)).unwrap();
    assert!(!opened.reseal().any());
}

// ------------------------------------------------------------- the cache

#[test]
fn clock_going_back_and_forth_gives_the_same_answers() {
    let s = sealer(hourly(), Duration::hours(2));
    let cookies: Vec<(i64, String)> = (0..8)
        .map(|k| (start(E + k), seal(&s, start(E + k) + 1)))
        .collect();
    // Open every cookie at every time, in an order that moves the clock
    // forward, back, and far forward: the cached window must never give a
    // different answer than a fresh sealer.
    let times: Vec<i64> = [0, 5, 2, 7, 1, 3, 6, 4, 0]
        .iter()
        .map(|&k| start(E + k) + 30)
        .collect();
    for &t in &times {
        let fresh = sealer(hourly(), Duration::hours(2));
        for (sealed, value) in &cookies {
            let expected = open(&fresh, value, t);
            assert_eq!(open(&s, value, t), expected, "sealed {sealed}, opened {t}");
            if *sealed <= t && t - sealed < 3 * HOUR {
                assert!(expected.is_ok());
            }
        }
        assert_eq!(
            header_key_id(&seal(&s, t)),
            u32::try_from(t / HOUR).unwrap()
        );
    }
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "wasm32-wasip1 cannot spawn threads")]
fn threads_crossing_a_boundary_agree() {
    let s = Arc::new(sealer(hourly(), Duration::hours(2)));
    let boundary = start(E + 1);
    let handles: Vec<_> = (0..4)
        .map(|thread| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                for i in 0..200i64 {
                    // Each thread walks across the boundary, with clocks
                    // that differ between threads by a few seconds.
                    let t = boundary - 100 + i + thread * 3;
                    let value = seal(&s, t);
                    assert_eq!(i64::from(header_key_id(&value)), t / HOUR);
                    let later = t + (i % 7) * 11;
                    assert_eq!(
                        open(&s, &value, later).map(|(id, _)| id),
                        Ok(header_key_id(&value))
                    );
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

// ------------------------------------------------------------- configuration

#[test]
fn builder_refuses_a_ttl_longer_than_the_window() {
    // 2 h + 60 s needs 3 one-hour epochs.
    assert_eq!(
        build_err(
            hourly().with_previous_epochs(2),
            Duration::hours(2),
            Duration::seconds(LEEWAY)
        ),
        ConfigError::EpochWindow { needed: 3 }
    );
    assert!(
        Sealer::epoch_builder(hourly().with_previous_epochs(3))
            .with_ttl(Duration::hours(2))
            .build_at(at(start(E)))
            .is_ok()
    );
    // Without leeway, 2 h fits 2 epochs exactly.
    assert!(
        Sealer::epoch_builder(hourly().with_previous_epochs(2))
            .with_ttl(Duration::hours(2))
            .with_leeway(Duration::ZERO)
            .build_at(at(start(E)))
            .is_ok()
    );
    // Zero previous epochs cannot hold any session.
    assert_eq!(
        build_err(
            hourly().with_previous_epochs(0),
            Duration::minutes(1),
            Duration::ZERO
        ),
        ConfigError::EpochWindow { needed: 1 }
    );
}

#[test]
fn builder_refuses_unworkable_periods() {
    let minute = EpochKeys::new(&MASTER, CONTEXT, Duration::minutes(1)).unwrap();
    // Not longer than the leeway.
    assert_eq!(
        build_err(minute.clone(), Duration::minutes(5), Duration::seconds(60)),
        ConfigError::EpochConfig
    );
    assert!(
        Sealer::epoch_builder(minute.clone())
            .with_ttl(Duration::minutes(5))
            .with_leeway(Duration::seconds(59))
            .build_at(at(start(E)))
            .is_ok()
    );
    // A TTL spanning more epochs than a sealer keeps.
    let needs = i64::from(MAX_PREVIOUS_EPOCHS);
    assert_eq!(
        build_err(minute.clone(), Duration::minutes(needs + 1), Duration::ZERO),
        ConfigError::EpochConfig
    );
    assert!(
        Sealer::epoch_builder(minute.clone())
            .with_ttl(Duration::minutes(needs))
            .with_leeway(Duration::ZERO)
            .build_at(at(start(E)))
            .is_ok()
    );
    assert_eq!(
        build_err(
            minute.with_previous_epochs(MAX_PREVIOUS_EPOCHS + 1),
            Duration::minutes(5),
            Duration::ZERO
        ),
        ConfigError::EpochConfig
    );
}

#[test]
fn epoch_keys_refuse_bad_secrets_and_periods() {
    let err = |r: Result<EpochKeys, Error>| match r {
        Err(Error::InvalidConfig(why)) => why,
        other => panic!("expected a config error, got {other:?}"),
    };
    assert_eq!(
        err(EpochKeys::new(&[1; 31], CONTEXT, Duration::hours(1))),
        ConfigError::MasterSecret
    );
    for period in [
        Duration::ZERO,
        Duration::seconds(-3600),
        Duration::milliseconds(1500),
        Duration::milliseconds(999),
        Duration::seconds(i64::from(u32::MAX) + 1),
    ] {
        assert_eq!(
            err(EpochKeys::new(&MASTER, CONTEXT, period)),
            ConfigError::EpochConfig,
            "{period}"
        );
    }
    assert!(EpochKeys::new(&[1; 64], CONTEXT, Duration::seconds(1)).is_ok());
}

#[test]
fn clocks_outside_the_epoch_range_are_config_errors() {
    let keys = hourly();
    assert_eq!(
        keys.epoch_at(at(-1)).unwrap_err(),
        Error::InvalidConfig(ConfigError::Clock)
    );
    // One-second epochs run out of u32 key ids in 2106.
    let seconds = EpochKeys::new(&MASTER, CONTEXT, Duration::seconds(1)).unwrap();
    let last = i64::from(u32::MAX) - 1;
    assert_eq!(seconds.epoch_at(at(last)).unwrap(), u32::MAX - 1);
    assert_eq!(
        seconds.epoch_at(at(last + 1)).unwrap_err(),
        Error::InvalidConfig(ConfigError::Clock)
    );
    let s = Sealer::epoch_builder(seconds)
        .with_ttl(Duration::seconds(10))
        .with_leeway(Duration::ZERO)
        .build_at(at(last))
        .unwrap();
    assert_eq!(
        s.seal_value_at(&Session::new(()), at(last + 1))
            .unwrap_err(),
        Error::InvalidConfig(ConfigError::Clock)
    );
}

#[test]
fn ring_at_is_a_static_snapshot_of_the_window() {
    let s = sealer(hourly(), Duration::hours(2));
    let value = seal(&s, start(E) + 5);
    let ring = hourly().ring_at(at(start(E + 1) + 5), 3).unwrap();
    let ids: Vec<u32> = ring.keys().map(Key::id).collect();
    assert_eq!(ids, [500_001, 500_000, 499_999, 499_998]);
    assert_eq!(ring.since(500_001), Some(at(start(E + 1))));
    let snapshot = Sealer::builder(ring)
        .with_ttl(Duration::hours(2))
        .build_at(at(start(E + 1)))
        .unwrap();
    assert_eq!(
        open(&snapshot, &value, start(E + 1) + 5),
        Ok((500_000, true))
    );
    let resealed = seal(&snapshot, start(E + 1) + 5);
    assert_eq!(open(&s, &resealed, start(E + 1) + 6), Ok((500_001, false)));
}

#[test]
fn debug_shows_the_schedule_never_the_master_secret() {
    let secret: [u8; 32] = core::array::from_fn(|i| 0xa0 ^ i as u8);
    let keys = EpochKeys::new(&secret, CONTEXT, Duration::hours(1)).unwrap();
    let s = sealer(keys.clone(), Duration::hours(2));
    // Derive a few keys first, so the cache holds some.
    let _ = open(&s, &seal(&s, start(E)), start(E));
    for shown in [
        format!("{keys:?}"),
        format!("{keys:#?}"),
        format!("{s:?}"),
        format!("{s:#?}"),
    ] {
        assert!(shown.contains(r#"context: "prod/session""#), "{shown}");
        assert!(shown.contains("period: 3600"), "{shown}");
        assert!(!shown.contains(&hex::encode(&secret[..4])), "{shown}");
        assert!(
            !shown.contains(&format!("{}, {}, {}", secret[0], secret[1], secret[2])),
            "{shown}"
        );
        assert!(!shown.contains(&common::encode(&secret)[..8]), "{shown}");
    }
    assert!(s.key_ring().is_none());
}
