//! Per-address throttling of failed logins, kept in memory only (never written anywhere).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(max: u32, window: Duration) -> Self {
        Throttle { max, window, seen: Mutex::new(HashMap::new()) }
    }

    /// Whether this address has failed too often within the window.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        matches!(seen.get(&ip), Some((n, since)) if *n >= self.max && since.elapsed() < self.window)
    }

    pub fn fail(&self, ip: IpAddr) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        // Forget expired entries now and then so the map cannot grow without bound.
        if seen.len() > 10_000 {
            let w = self.window;
            seen.retain(|_, (_, since)| since.elapsed() < w);
        }
        let e = seen.entry(ip).or_insert((0, Instant::now()));
        if e.1.elapsed() >= self.window {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }

    pub fn succeed(&self, ip: IpAddr) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).remove(&ip);
    }
}
