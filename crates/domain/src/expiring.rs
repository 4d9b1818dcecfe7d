//! One bounded map whose entries expire, shared by the server's caches and throttles: signed-in
//! users, verified tokens, revoked tokens and the activity throttle.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// At most `capacity` entries, each kept until its own deadline `T` (an `Instant` for caches
/// timed by the wall clock, a `DateTime<Utc>` for what follows the server's `Clock`). Reads
/// share the lock. When an insert finds the map full it first drops what has expired and, if
/// that frees nothing, forgets everything: a cache may forget, it must not grow. A map whose
/// entries must not be forgotten early (revocations) is [`ExpiringMap::unbounded`].
#[derive(Debug)]
pub struct ExpiringMap<K, V, T> {
    entries: RwLock<HashMap<K, (T, V)>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone, T: Ord + Copy> ExpiringMap<K, V, T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// Entries leave only when they expire (or are removed).
    pub fn unbounded() -> Self {
        Self::new(usize::MAX)
    }

    /// The value under `key` unless it has expired by `now`.
    pub fn get<Q>(&self, key: &Q, now: T) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.read()
            .get(key)
            .filter(|(until, _)| *until > now)
            .map(|(_, value)| value.clone())
    }

    pub fn contains<Q>(&self, key: &Q, now: T) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.read().get(key).is_some_and(|(until, _)| *until > now)
    }

    /// Keeps `value` under `key` until `until`, replacing what was there.
    pub fn insert(&self, key: K, value: V, until: T, now: T) {
        let mut entries = self.write();
        Self::make_room(&mut entries, self.capacity, now);
        entries.insert(key, (until, value));
    }

    /// Like [`insert`](Self::insert), but only when `key` holds nothing live; answers whether
    /// it inserted. Check and insert are one step, so two callers never both win.
    pub fn insert_if_vacant(&self, key: K, value: V, until: T, now: T) -> bool {
        let mut entries = self.write();
        if entries.get(&key).is_some_and(|(held, _)| *held > now) {
            return false;
        }
        Self::make_room(&mut entries, self.capacity, now);
        entries.insert(key, (until, value));
        true
    }

    pub fn remove<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.write().remove(key);
    }

    /// Drops every entry that has expired by `now`.
    pub fn purge(&self, now: T) {
        self.write().retain(|_, (until, _)| *until > now);
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn make_room(entries: &mut HashMap<K, (T, V)>, capacity: usize, now: T) {
        if entries.len() < capacity {
            return;
        }
        entries.retain(|_, (until, _)| *until > now);
        if entries.len() >= capacity {
            entries.clear();
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<K, (T, V)>> {
        self.entries.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<K, (T, V)>> {
        self.entries.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_live_until_their_deadline() {
        let map: ExpiringMap<String, u32, u64> = ExpiringMap::new(10);
        map.insert("a".to_owned(), 1, 5, 0);
        assert_eq!(map.get("a", 4), Some(1));
        assert!(map.contains("a", 4));
        assert_eq!(map.get("a", 5), None, "gone at its deadline");
        map.remove("a");
        assert!(map.is_empty());
    }

    #[test]
    fn a_full_map_drops_the_expired_first_and_never_grows() {
        let map: ExpiringMap<u32, u32, u64> = ExpiringMap::new(3);
        map.insert(1, 1, 10, 0);
        map.insert(2, 2, 100, 0);
        map.insert(3, 3, 100, 0);
        map.insert(4, 4, 100, 20);
        assert_eq!(
            (map.len(), map.get(&1, 20), map.get(&2, 20)),
            (3, None, Some(2))
        );
        map.insert(5, 5, 100, 20);
        assert!(
            map.len() <= 3,
            "nothing had expired: it forgot rather than grew"
        );
        assert_eq!(map.get(&5, 20), Some(5));
    }

    #[test]
    fn insert_if_vacant_wins_once_per_deadline() {
        let map: ExpiringMap<u32, (), u64> = ExpiringMap::unbounded();
        assert!(map.insert_if_vacant(1, (), 60, 0));
        assert!(!map.insert_if_vacant(1, (), 119, 59));
        assert!(map.insert_if_vacant(1, (), 120, 60));
        map.insert(2, (), 10, 0);
        map.purge(10);
        assert_eq!(map.len(), 1);
    }
}
