//! Seeded fault injection for the simulated servers: server errors, slow answers, bodies cut
//! short, dropped connections and 429 storms, each with a probability per call.

use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

/// Probabilities (0.0 to 1.0) of each fault per API call. All zero: a well-behaved server.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Faults {
    pub server_error: f64,
    pub slow: f64,
    pub truncated: f64,
    pub dropped: f64,
    /// A burst of 429s: the call and the next few are refused as if another app used the limit.
    pub storm: f64,
}

/// What happens to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    ServerError,
    Slow,
    Truncated,
    Dropped,
    TooMany,
}

/// The seeded dice.
#[derive(Debug)]
pub struct Dice {
    faults: Faults,
    state: Mutex<(StdRng, u32)>,
}

impl Dice {
    pub fn new(faults: Faults, seed: u64) -> Self {
        Self { faults, state: Mutex::new((StdRng::seed_from_u64(seed), 0)) }
    }

    pub fn roll(&self) -> Fault {
        let mut state = self.state.lock().expect("dice lock");
        let (rng, storm_left) = &mut *state;
        if *storm_left > 0 {
            *storm_left -= 1;
            return Fault::TooMany;
        }
        let f = self.faults;
        let x: f64 = rng.random();
        let mut edge = 0.0;
        for (p, fault) in [
            (f.server_error, Fault::ServerError),
            (f.slow, Fault::Slow),
            (f.truncated, Fault::Truncated),
            (f.dropped, Fault::Dropped),
            (f.storm, Fault::TooMany),
        ] {
            edge += p;
            if x < edge {
                if fault == Fault::TooMany {
                    *storm_left = rng.random_range(2..6);
                }
                return fault;
            }
        }
        Fault::None
    }
}

/// A body that sends `first` and then fails, so the connection ends mid-response.
pub(super) fn cut_short(first: axum::body::Bytes) -> axum::body::Body {
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = vec![
        Ok(first),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "simulated drop")),
    ];
    axum::body::Body::from_stream(futures_util::stream::iter(chunks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let faults =
            Faults { server_error: 0.2, slow: 0.1, truncated: 0.1, dropped: 0.1, storm: 0.05 };
        let a: Vec<Fault> = {
            let d = Dice::new(faults, 7);
            (0..200).map(|_| d.roll()).collect()
        };
        let b: Vec<Fault> = {
            let d = Dice::new(faults, 7);
            (0..200).map(|_| d.roll()).collect()
        };
        assert_eq!(a, b);
        assert!(
            a.contains(&Fault::ServerError)
                && a.contains(&Fault::TooMany)
                && a.contains(&Fault::None)
        );
    }

    #[test]
    fn no_faults_means_none_ever() {
        let dice = Dice::new(Faults::default(), 1);
        assert!((0..1000).all(|_| dice.roll() == Fault::None));
    }
}
