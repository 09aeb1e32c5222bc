//! Files kept outside the database, named by the SHA-256 of their content. A name from a client
//! never reaches the file system. A file is written to a temporary name, synced and renamed
//! before its row is committed: after a crash there may be a file without a row, never a row
//! without its file.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn new(root: impl Into<PathBuf>) -> BlobStore {
        BlobStore { root: root.into() }
    }

    /// The path of a key, which must be 64 lowercase hex digits.
    fn path(&self, key: &str) -> Option<PathBuf> {
        let ok = key.len() == 64 && key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| self.root.join(&key[0..2]).join(&key[2..4]).join(key))
    }

    /// Stores bytes and returns their key. Blocking: call it off the async runtime.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let key = hex::encode(Sha256::digest(bytes));
        let path = self.path(&key).expect("a digest is a valid key");
        if path.exists() {
            return Ok(key);
        }
        let dir = path.parent().expect("nested under the root");
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = written {
            // A half-written file would hold on to the space a full disk needs back.
            std::fs::remove_file(&tmp).ok();
            return Err(e);
        }
        sync_dir(dir)?;
        Ok(key)
    }

    pub fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self.path(key).ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad key"))?;
        std::fs::read(path)
    }

    pub fn exists(&self, key: &str) -> bool {
        self.path(key).is_some_and(|p| p.exists())
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    // A rename is durable once the directory entry is; on Unix a directory can be synced.
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_content_and_nothing_else_reaches_the_disk() {
        let dir = tempfile_dir();
        let b = super::BlobStore::new(&dir);
        let k = b.put(b"hello").unwrap();
        assert_eq!(k.len(), 64);
        assert_eq!(b.get(&k).unwrap(), b"hello");
        assert_eq!(b.put(b"hello").unwrap(), k, "the same content, the same file");
        assert!(b.get("../../etc/passwd").is_err());
        assert!(b.get(&"A".repeat(64)).is_err());
        std::fs::remove_dir_all(dir).ok();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("anjian-blob-test-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
