#include <tenuo/public_key.hpp>

#include <tenuo/encoding.hpp>

#include "detail/crypto.hpp"
#include "detail/key_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace tenuo {
namespace {

constexpr std::string_view kPublicForms =
    "accepted: SPKI PEM ('BEGIN PUBLIC KEY'), 64 hex characters, or base64 of the 32-byte key";

Unexpected bad_public(std::string_view why) {
  return fail(ErrorCode::InvalidInput,
              fmt::format("not a public key: {} ({})", why, kPublicForms));
}

bool has_spki_prefix(ByteView der) {
  return der.size() >= detail::kSpkiPrefix.size() &&
         std::equal(detail::kSpkiPrefix.begin(), detail::kSpkiPrefix.end(), der.begin());
}

Result<PublicKey> from_pem_text(std::string_view text) {
  auto blocks = pem_parse(text);
  if (!blocks) return bad_public(blocks.error().message);
  const PemBlock* found = nullptr;
  bool has_private = false;
  for (const auto& b : *blocks) {
    if (b.label == "PUBLIC KEY") {
      if (found != nullptr) return bad_public("more than one PUBLIC KEY block");
      found = &b;
    } else if (b.label.find("PRIVATE KEY") != std::string::npos) {
      has_private = true;
    }
  }
  if (found == nullptr)
    return bad_public(has_private ? "this is a private key; give its public key (see `tenuo pubkey`)"
                                  : "the PEM text has no PUBLIC KEY block");
  // Legacy form: the armour holds the key as 64 hex characters.
  if (detail::is_hex64(found->body)) return PublicKey::from_bytes(hex_decode(found->body).value());
  auto der = base64_decode_any(found->body, 256);
  if (!der) return bad_public(fmt::format("PUBLIC KEY body: {}", der.error().message));
  if (der->size() != detail::kSpkiSize || !has_spki_prefix(*der))
    return bad_public(fmt::format("the PUBLIC KEY is not an Ed25519 SubjectPublicKeyInfo ({} bytes "
                                  "of DER; expected 44 with OID 1.3.101.112)",
                                  der->size()));
  return PublicKey::from_bytes(ByteView(*der).subspan(detail::kSpkiPrefix.size()));
}

}  // namespace

Result<PublicKey> PublicKey::from_bytes(ByteView raw) {
  if (raw.size() != kSize)
    return fail(ErrorCode::InvalidInput,
                fmt::format("an Ed25519 public key is 32 bytes, got {}", raw.size()));
  PublicKey k;
  std::copy(raw.begin(), raw.end(), k.m_bytes.begin());
  if (!detail::ed25519_is_valid_public_key(k.m_bytes))
    return fail(ErrorCode::InvalidInput,
                "not a usable Ed25519 public key: not a canonical curve point of prime order "
                "(small-order and invalid keys are refused)");
  return k;
}

Result<PublicKey> PublicKey::parse(std::string_view text) {
  if (text.size() > detail::kMaxKeyTextBytes) return bad_public("the text is too long");
  // Binary SPKI DER (`openssl pkey -pubout -outform DER`).
  if (text.size() == detail::kSpkiSize && has_spki_prefix(as_bytes(text)))
    return from_bytes(as_bytes(text).subspan(detail::kSpkiPrefix.size()));
  const std::string_view t = detail::trim_ascii(text);
  if (t.empty()) return bad_public("the text is empty");
  if (t.find("-----BEGIN") != std::string_view::npos) return from_pem_text(t);
  auto raw = detail::decode_raw32(t);
  if (!raw) return bad_public(raw.error().message);
  return from_bytes(*raw);
}

Result<PublicKey> PublicKey::from_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr)
    return fail(ErrorCode::InvalidInput, fmt::format("environment variable {} is not set", name));
  auto k = parse(v);
  if (!k)
    return fail(ErrorCode::InvalidInput,
                fmt::format("environment variable {}: {}", name, k.error().message));
  return k;
}

std::string PublicKey::hex() const { return hex_encode(m_bytes); }

std::string PublicKey::base64() const {
  return base64_encode(m_bytes, Base64Alphabet::Standard, Padding::Yes);
}

std::string PublicKey::to_pem() const {
  Bytes der(detail::kSpkiPrefix.begin(), detail::kSpkiPrefix.end());
  der.insert(der.end(), m_bytes.begin(), m_bytes.end());
  return pem_armor("PUBLIC KEY", base64_encode(der, Base64Alphabet::Standard, Padding::Yes));
}

std::string PublicKey::fingerprint() const { return hex_encode(ByteView(m_bytes).first(8)); }

bool PublicKey::verify(ByteView message, ByteView sig) const noexcept {
  return detail::ed25519_verify(m_bytes, message, sig);
}

}  // namespace tenuo
