//! Codes of an open vocabulary: the kinds of organisation, site, jurisdiction level, industry and
//! activity a plan declares. The code knows only the few it has built-in behaviour for (a bureau,
//! a warehouse, a patrol round …); every other code is data.
//!
//! A code is interned: a small `Copy` number standing for its text, so that the obligation board
//! can hold millions of activities without a string each, and the built-in codes can be matched
//! as constants. Each vocabulary holds at most [`MAX_CODES`] distinct codes, so no input can grow
//! a table without bound.

use std::collections::HashMap;
use std::sync::RwLock;

/// The most codes one vocabulary holds in a process (all plans together declare a few dozen).
pub const MAX_CODES: usize = 4096;

/// The longest a code may be.
pub const MAX_CODE_LEN: usize = 64;

/// One vocabulary's codes, in the order first seen (built-ins first).
#[derive(Debug, Default)]
pub struct Table {
    names: Vec<&'static str>,
    index: HashMap<&'static str, u16>,
}

/// Why a text cannot be a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("`{0}` is not a code: use lower-case letters, digits and `_`, at most 64 characters")]
    Malformed(String),
    #[error("too many distinct codes")]
    Full,
}

/// Whether `s` is shaped like a code: `snake_case`, ASCII, short.
pub fn well_formed(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_CODE_LEN
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && s.as_bytes()[0].is_ascii_lowercase()
}

impl Table {
    pub fn with_builtins(builtins: &[&'static str]) -> Table {
        let mut t = Table::default();
        for b in builtins {
            t.index.insert(b, t.names.len() as u16);
            t.names.push(b);
        }
        t
    }

    pub fn name(&self, i: u16) -> &'static str {
        self.names[i as usize]
    }

    pub fn find(&self, s: &str) -> Option<u16> {
        self.index.get(s).copied()
    }

    /// The number of `s`, adding it when new. The text is leaked once per distinct code: the
    /// table lives as long as the process, and is bounded by [`MAX_CODES`].
    pub fn intern(lock: &RwLock<Table>, s: &str) -> Result<u16, CodeError> {
        if let Some(i) = lock.read().unwrap_or_else(|e| e.into_inner()).find(s) {
            return Ok(i);
        }
        if !well_formed(s) {
            return Err(CodeError::Malformed(s.chars().take(MAX_CODE_LEN).collect()));
        }
        let mut t = lock.write().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = t.find(s) {
            return Ok(i);
        }
        if t.names.len() >= MAX_CODES {
            return Err(CodeError::Full);
        }
        let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
        let i = t.names.len() as u16;
        t.names.push(leaked);
        t.index.insert(leaked, i);
        Ok(i)
    }
}

/// The position of `s` in `names`, at compile time (the built-in constants' numbers).
pub const fn index_of(names: &[&str], s: &str) -> u16 {
    let mut i = 0;
    while i < names.len() {
        let (a, b) = (names[i].as_bytes(), s.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i as u16;
            }
        }
        i += 1;
    }
    panic!("not a built-in code")
}

/// Declares an open code type with its built-in codes as constants:
///
/// ```ignore
/// open_code! { OrgKind { REGULATOR => "regulator", PARK => "park" } }
/// ```
///
/// `FromStr` and `Deserialize` accept any well-formed code (whether a plan declares it is the
/// lint's and the use case's question); `known` only finds one already declared, for what a
/// request sends; `as_str` gives the text back.
macro_rules! open_code {
    ($(#[$m:meta])* $name:ident { $($konst:ident => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(u16);

        impl $name {
            const BUILTIN_NAMES: &'static [&'static str] = &[$($s),*];
            $(pub const $konst: $name = $name($crate::code::index_of(Self::BUILTIN_NAMES, $s));)*
            /// The codes the program itself gives behaviour to.
            pub const BUILTIN: &'static [$name] = &[$($name::$konst),*];

            fn table() -> &'static ::std::sync::RwLock<$crate::code::Table> {
                static TABLE: ::std::sync::OnceLock<::std::sync::RwLock<$crate::code::Table>> =
                    ::std::sync::OnceLock::new();
                TABLE.get_or_init(|| ::std::sync::RwLock::new($crate::code::Table::with_builtins(Self::BUILTIN_NAMES)))
            }

            pub fn as_str(self) -> &'static str {
                Self::table().read().unwrap_or_else(|e| e.into_inner()).name(self.0)
            }

            /// The code for `s`, added to the vocabulary when first seen.
            pub fn new(s: &str) -> Result<$name, $crate::code::CodeError> {
                $crate::code::Table::intern(Self::table(), s).map($name)
            }

            /// The code for `s` if a plan (or the program) already declared it; never adds one,
            /// so that what a request sends cannot grow the table.
            pub fn known(s: &str) -> Option<$name> {
                Self::table().read().unwrap_or_else(|e| e.into_inner()).find(s).map($name)
            }

            pub fn is_builtin(self) -> bool {
                Self::BUILTIN.contains(&self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        /// Ordered by text, so that sorted lists read the same in every process.
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                if self.0 == other.0 { ::std::cmp::Ordering::Equal } else { self.as_str().cmp(other.as_str()) }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::org::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::new(s).map_err(|_| $crate::org::UnknownCode(s.chars().take(64).collect()))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::new(&s).map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <String as utoipa::PartialSchema>::schema()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use open_code;

#[cfg(test)]
mod tests {
    use super::*;

    mod sample {
        crate::code::open_code! { Kind { ALPHA => "alpha", BETA => "beta" } }
    }
    use sample::Kind;

    #[test]
    fn builtins_are_constants_and_new_codes_are_interned_once() {
        assert_eq!(Kind::ALPHA.as_str(), "alpha");
        assert_eq!("beta".parse::<Kind>(), Ok(Kind::BETA));
        let t = Kind::new("tailings_pond").unwrap();
        assert_eq!(Kind::new("tailings_pond").unwrap(), t);
        assert_eq!(t.as_str(), "tailings_pond");
        assert!(!t.is_builtin() && Kind::ALPHA.is_builtin());
        assert_eq!(Kind::known("tailings_pond"), Some(t));
        assert_eq!(Kind::known("never_declared"), None, "a look-up adds nothing");
        assert_eq!(Kind::known("never_declared"), None);
        assert!(matches!(Kind::new("Bad Code"), Err(CodeError::Malformed(_))));
        assert!(Kind::new("").is_err());
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"tailings_pond\"");
        assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), t);
        assert!(Kind::ALPHA < Kind::BETA && Kind::BETA < t);
    }

    #[test]
    fn a_table_stops_growing_at_its_bound() {
        let lock = RwLock::new(Table::with_builtins(&[]));
        for i in 0..MAX_CODES {
            Table::intern(&lock, &format!("c{i}")).unwrap();
        }
        assert_eq!(Table::intern(&lock, "c0"), Ok(0));
        assert_eq!(Table::intern(&lock, "one_more"), Err(CodeError::Full));
    }
}
