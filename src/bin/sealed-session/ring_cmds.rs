//! keygen, rotate, promote, prune and check: read a ring, change it, print
//! it. Rings go to standard output, what happened to standard error.

use crate::args::{AfterRotation, Clock, RingSource};
use crate::{Failure, print_line, time_text};
use sealed_session::{Algorithm, Key, KeyRing, Sealer};
use std::io::Read as _;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

/// The ring from `--env NAME`, else from standard input.
pub fn read_ring(source: &RingSource) -> Result<KeyRing, Failure> {
    match &source.env {
        Some(name) => Ok(KeyRing::from_env(name)?),
        None => Ok(KeyRing::from_text(&read_stdin("the key ring")?)?),
    }
}

/// All of standard input, zeroized when dropped.
pub fn read_stdin(what: &str) -> Result<Zeroizing<String>, Failure> {
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::Rejected(format!("cannot read {what} from standard input: {e}")))?;
    Ok(text)
}

pub fn keygen(algorithm: Algorithm, id: u32) -> Result<(), Failure> {
    let key = Key::try_generate_with(algorithm, id).map_err(|e| {
        Failure::Rejected(format!("the operating system's random source failed: {e}"))
    })?;
    print_line(&key.to_text());
    Ok(())
}

pub fn rotate(
    source: &RingSource,
    algorithm: Option<Algorithm>,
    id: Option<u32>,
    stage: bool,
    after: &AfterRotation,
) -> Result<(), Failure> {
    let mut ring = read_ring(source)?;
    let now = after.clock.now();
    let algorithm = algorithm.unwrap_or(ring.primary().algorithm());
    let id = match id.or(ring.next_id()) {
        Some(id) => id,
        None => {
            return Err(Failure::Rejected(
                "no key id left after u32::MAX: give --id".into(),
            ));
        }
    };
    let key = Key::try_generate_with(algorithm, id).map_err(|e| {
        Failure::Rejected(format!("the operating system's random source failed: {e}"))
    })?;
    if stage {
        ring.add(key)?;
        eprintln!(
            "added key {id} ({algorithm}) for opening; deploy this ring everywhere, then `promote --id {id}`"
        );
    } else {
        let old = ring.primary().id();
        ring.rotate_at(key, now)?;
        eprintln!("key {id} ({algorithm}) is the primary; key {old} now only opens");
        retire_demoted(&mut ring, old, now, after)?;
    }
    finish(ring, now, after)
}

pub fn promote(source: &RingSource, id: Option<u32>, after: &AfterRotation) -> Result<(), Failure> {
    let mut ring = read_ring(source)?;
    let now = after.clock.now();
    let old = ring.primary().id();
    let id = match id.or_else(|| ring.keys().nth(1).map(Key::id)) {
        Some(id) => id,
        None => {
            return Err(Failure::Rejected(
                "the ring has no key besides the primary".into(),
            ));
        }
    };
    if id == old {
        return Err(Failure::Rejected(format!(
            "key {id} is already the primary"
        )));
    }
    ring.promote_at(id, now)?;
    eprintln!("key {id} is the primary; key {old} now only opens");
    retire_demoted(&mut ring, old, now, after)?;
    finish(ring, now, after)
}

pub fn prune(source: &RingSource, clock: &Clock) -> Result<(), Failure> {
    let mut ring = read_ring(source)?;
    report_dropped("pruned", &ring.prune(clock.now()));
    print_line(&ring.to_text());
    Ok(())
}

fn retire_demoted(
    ring: &mut KeyRing,
    old: u32,
    now: OffsetDateTime,
    after: &AfterRotation,
) -> Result<(), Failure> {
    if let Some(delay) = after.retire_after {
        let at = now
            .checked_add(delay)
            .ok_or_else(|| Failure::Rejected("--retire-after reaches past year 9999".into()))?;
        ring.retire(old, at)?;
        eprintln!("key {old} retires at {}", time_text(at));
    }
    Ok(())
}

/// `--prune` and `--keep`, then the ring on standard output.
fn finish(mut ring: KeyRing, now: OffsetDateTime, after: &AfterRotation) -> Result<(), Failure> {
    if after.prune {
        report_dropped("pruned", &ring.prune(now));
    }
    if let Some(keep) = after.keep {
        report_dropped("dropped", &ring.truncate(keep));
    }
    print_line(&ring.to_text());
    Ok(())
}

fn report_dropped(how: &str, ids: &[u32]) {
    for id in ids {
        eprintln!("{how} key {id}");
    }
}

pub fn check(
    source: &RingSource,
    max_aes_age: Duration,
    strict: bool,
    clock: &Clock,
) -> Result<(), Failure> {
    let ring = read_ring(source)?;
    let now = clock.now();
    // What a sealer would refuse (a retired primary) is an error here too.
    Sealer::builder(ring.clone()).build_at(now)?;
    let unix = now.unix_timestamp();
    for (position, key) in ring.keys().enumerate() {
        let id = key.id();
        let retire = ring.retire_at(id);
        let role = match (position, retire) {
            (_, Some(at)) if at.unix_timestamp() <= unix => "retired",
            (0, _) => "primary",
            _ => "opening",
        };
        print_line(&format!(
            "id={id} algorithm={} role={role} since={} retire={}",
            key.algorithm(),
            ring.since(id).map_or_else(|| "-".into(), time_text),
            retire.map_or_else(|| "-".into(), time_text),
        ));
    }
    let warnings = ring.warnings_at(now, max_aes_age);
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    if strict && !warnings.is_empty() {
        return Err(Failure::Warnings);
    }
    Ok(())
}
