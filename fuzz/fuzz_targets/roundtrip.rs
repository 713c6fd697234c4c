//! An arbitrary session sealed and opened again equals the original, or
//! sealing fails with the size error, and only when the exact line would
//! really exceed the limit.
#![no_main]

use arbitrary::Arbitrary;
use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{self, FuzzSession, MAX_PEAK, MAX_SINGLE_ALLOC};
use libfuzzer_sys::fuzz_target;
use sealed_session::{Algorithm, DEFAULT_MAX_COOKIE_SIZE, Error, Sealer, Session};
use std::sync::OnceLock;

#[derive(Debug, Arbitrary)]
struct Input {
    data: FuzzSession,
    subject: Option<String>,
    /// Picks the algorithm, compression and idle timeout.
    config: u8,
    /// Seconds after sealing at which the cookie is opened (within the
    /// idle timeout, so it must still open).
    later: u16,
}

/// Every combination of algorithm, compression and idle timeout.
fn sealers() -> &'static [Sealer] {
    static SEALERS: OnceLock<Vec<Sealer>> = OnceLock::new();
    SEALERS.get_or_init(|| {
        let mut all = Vec::new();
        for algorithm in Algorithm::ALL {
            for compression in [false, true] {
                for idle in [false, true] {
                    let mut builder =
                        Sealer::builder(fixtures::ring(fixtures::key_id_of(algorithm)))
                            .with_compression(compression);
                    if idle {
                        builder = builder.with_idle_timeout(time::Duration::minutes(30));
                    }
                    all.push(builder.build_at(fixtures::t0()).unwrap());
                }
            }
        }
        all
    })
}

fuzz_target!(|input: Input| {
    let sealers = sealers();
    let sealer = &sealers[usize::from(input.config) % sealers.len()];
    let mut session = Session::new(input.data);
    if let Some(subject) = input.subject {
        if subject.len() > 255 {
            assert!(
                session.set_subject(subject).is_err(),
                "long subject accepted"
            );
        } else {
            session.set_subject(subject).expect("short subject");
        }
    }
    let t0 = fixtures::t0();
    let line = alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || sealer.seal_at(&session, t0));
    let line = match line {
        Ok(line) => line,
        Err(Error::TooLarge { size, limit }) => {
            assert_eq!(limit, DEFAULT_MAX_COOKIE_SIZE);
            assert!(size > limit, "refused {size} bytes under the {limit} limit");
            return;
        }
        Err(other) => panic!("sealing failed with {other:?}"),
    };
    assert!(
        line.len() <= DEFAULT_MAX_COOKIE_SIZE,
        "{} byte line",
        line.len()
    );
    let value = line
        .strip_prefix(sealer.cookie_name())
        .and_then(|rest| rest.strip_prefix('='))
        .and_then(|rest| rest.split(';').next())
        .expect("name=value; attributes");
    let at = t0 + time::Duration::seconds(i64::from(input.later % 1800));
    let opened = alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || {
        sealer.open_at::<FuzzSession>(value, at)
    })
    .expect("a sealed session opens");
    let back = opened.session();
    assert_eq!(back.data(), session.data());
    assert_eq!(back.id(), session.id());
    assert_eq!(back.subject(), session.subject());
    assert_eq!(back.issued_at(), Some(t0));
    assert!(!opened.reseal().non_primary_key);
});
