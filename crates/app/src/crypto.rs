//! Cryptographic primitives behind one trait, so that a certified 商用密码 module (SM2 keys,
//! SM3-OTP, a hardware token) can replace the software one without touching callers.

use crate::settings::Argon2Params;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub trait Crypto: Send + Sync + 'static {
    fn hash_password(&self, password: &str) -> String;
    fn verify_password(&self, password: &str, hash: &str) -> bool;
    /// A random token of 256 bits, URL-safe.
    fn random_token(&self) -> String;
    /// The digest under which a token is stored.
    fn token_digest(&self, token: &str) -> String;
    /// A new TOTP secret of 160 bits, base32.
    fn new_totp_secret(&self) -> String;
    /// The TOTP code of a secret at a 30-second step.
    fn totp_code(&self, secret_b32: &str, step: i64) -> Option<String>;
    /// Signs a message (a signed ledger's hash, signer and time); the result names its scheme.
    fn sign(&self, message: &[u8]) -> String;
    fn verify_signature(&self, message: &[u8], signature: &str) -> bool;
    /// Encrypts a tip's contact details (AEAD); the result names its scheme.
    fn seal(&self, plaintext: &str) -> String;
    /// Decrypts what `seal` produced; `None` when it was altered or sealed under another key.
    fn open(&self, sealed: &str) -> Option<String>;
    /// The slow, deterministic digest under which a tip's receipt code is kept: argon2id with
    /// the installation's salt, so a stolen database gives no fast way to test guesses.
    fn receipt_digest(&self, canonical_code: &str) -> String;
}

pub struct SoftwareCrypto {
    argon: Argon2<'static>,
    signing_key: Vec<u8>,
    sealing_key: chacha20poly1305::Key,
}

impl SoftwareCrypto {
    pub fn new(p: Argon2Params, signing_key: Vec<u8>, sealing_key: &[u8]) -> Self {
        let params = Params::new(p.m_kib, p.t, p.p, None).unwrap_or_default();
        // A key of another length is stretched (or cut) through SHA-256 so it is always 256 bits.
        let sealing_key = chacha20poly1305::Key::clone_from_slice(&Sha256::digest(sealing_key));
        SoftwareCrypto { argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params), signing_key, sealing_key }
    }

    fn mac(&self, message: &[u8]) -> String {
        use hmac::Mac;
        let mut m = hmac::Hmac::<Sha256>::new_from_slice(&self.signing_key).expect("HMAC takes any key length");
        m.update(message);
        hex::encode(m.finalize().into_bytes())
    }
}

/// The software scheme: HMAC-SHA256 under the installation's key. A certified module would put
/// an SM2 signature here under its own prefix.
const SIGNATURE_SCHEME: &str = "hmac-sha256:";

/// The software sealing scheme: ChaCha20-Poly1305 with a random 96-bit nonce. A certified module
/// would put SM4-GCM here under its own prefix.
const SEAL_SCHEME: &str = "chacha20poly1305:";

impl Crypto for SoftwareCrypto {
    fn hash_password(&self, password: &str) -> String {
        let salt = SaltString::generate(&mut OsRng);
        self.argon.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
    }

    fn verify_password(&self, password: &str, hash: &str) -> bool {
        // The parameters come from the stored hash, so raising the cost later keeps old hashes valid.
        PasswordHash::new(hash).map(|h| self.argon.verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
    }

    fn random_token(&self) -> String {
        let mut b = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut b);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    }

    fn token_digest(&self, token: &str) -> String {
        hex::encode(Sha256::digest(token.as_bytes()))
    }

    fn new_totp_secret(&self) -> String {
        let mut b = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut b);
        totp_rs::Secret::Raw(b.to_vec()).to_encoded().to_string()
    }

    fn sign(&self, message: &[u8]) -> String {
        format!("{SIGNATURE_SCHEME}{}", self.mac(message))
    }

    fn verify_signature(&self, message: &[u8], signature: &str) -> bool {
        let Some(mac) = signature.strip_prefix(SIGNATURE_SCHEME) else { return false };
        let expected = self.mac(message);
        // Constant time: every byte is compared.
        expected.len() == mac.len() && expected.bytes().zip(mac.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
    }

    fn seal(&self, plaintext: &str) -> String {
        use chacha20poly1305::aead::{Aead, AeadCore, KeyInit};
        let cipher = chacha20poly1305::ChaCha20Poly1305::new(&self.sealing_key);
        let nonce = chacha20poly1305::ChaCha20Poly1305::generate_nonce(&mut chacha20poly1305::aead::OsRng);
        let ct = cipher.encrypt(&nonce, plaintext.as_bytes()).expect("encryption of a short string cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        format!("{SEAL_SCHEME}{}", base64::engine::general_purpose::STANDARD.encode(blob))
    }

    fn open(&self, sealed: &str) -> Option<String> {
        use chacha20poly1305::aead::{Aead, KeyInit};
        let blob = base64::engine::general_purpose::STANDARD.decode(sealed.strip_prefix(SEAL_SCHEME)?).ok()?;
        if blob.len() < 12 {
            return None;
        }
        let (nonce, ct) = blob.split_at(12);
        let cipher = chacha20poly1305::ChaCha20Poly1305::new(&self.sealing_key);
        let pt = cipher.decrypt(chacha20poly1305::Nonce::from_slice(nonce), ct).ok()?;
        String::from_utf8(pt).ok()
    }

    fn receipt_digest(&self, canonical_code: &str) -> String {
        use hmac::Mac;
        let mut m = hmac::Hmac::<Sha256>::new_from_slice(&self.sealing_key).expect("HMAC takes any key length");
        m.update(b"anjian tip receipt salt");
        let salt = m.finalize().into_bytes();
        let mut out = [0u8; 32];
        self.argon
            .hash_password_into(canonical_code.as_bytes(), &salt[..16], &mut out)
            .expect("argon2 accepts a 16-byte salt and a 32-byte output");
        hex::encode(out)
    }

    fn totp_code(&self, secret_b32: &str, step: i64) -> Option<String> {
        let bytes = totp_rs::Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
        let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).ok()?;
        Some(totp.generate(u64::try_from(step).ok()? * 30))
    }
}

/// Hex SHA-256 of a value's JSON, for the before/after digests of audit records.
pub fn digest_json<T: serde::Serialize>(v: &T) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(v).unwrap_or_default()))
}
