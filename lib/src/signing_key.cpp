#include <tenuo/signing_key.hpp>

#include <tenuo/encoding.hpp>

#include "detail/crypto.hpp"
#include "detail/key_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

namespace tenuo {
namespace {

constexpr std::string_view kPrivateForms =
    "accepted: PKCS#8 PEM ('BEGIN PRIVATE KEY'), 64 hex characters, or base64 of the 32-byte seed";

Unexpected bad_private(std::string_view why) {
  return fail(ErrorCode::InvalidInput,
              fmt::format("not a private key: {} ({})", why, kPrivateForms));
}

template <std::size_t N>
bool has_prefix(ByteView der, const std::array<std::uint8_t, N>& prefix) {
  return der.size() >= N && std::equal(prefix.begin(), prefix.end(), der.begin());
}

// The seed inside an Ed25519 PKCS#8 DER (v1, v2 or the bare-octet-string variant).
// For v2 the embedded public key must match the seed's.
Result<SigningKey> from_pkcs8(ByteView der) {
  if (der.size() == detail::kPkcs8V1Size && has_prefix(der, detail::kPkcs8V1Prefix))
    return SigningKey::from_seed(der.subspan(detail::kPkcs8V1Prefix.size(), 32));
  if (der.size() == detail::kPkcs8BareSize && has_prefix(der, detail::kPkcs8BarePrefix))
    return SigningKey::from_seed(der.subspan(detail::kPkcs8BarePrefix.size(), 32));
  if (der.size() == detail::kPkcs8V2Size && has_prefix(der, detail::kPkcs8V2Prefix)) {
    const ByteView tail = der.subspan(detail::kPkcs8V2Prefix.size() + 32);
    if (!has_prefix(tail, detail::kPkcs8V2PublicTag))
      return bad_private("PKCS#8 v2 key without the [1] public-key field where it belongs");
    TENUO_TRY_ASSIGN(SigningKey key,
                     SigningKey::from_seed(der.subspan(detail::kPkcs8V2Prefix.size(), 32)));
    const ByteView embedded = tail.subspan(detail::kPkcs8V2PublicTag.size());
    const auto& derived = key.public_key().bytes();
    if (!std::equal(embedded.begin(), embedded.end(), derived.begin(), derived.end()))
      return bad_private("the public key embedded in the PKCS#8 v2 key does not match its seed");
    return key;
  }
  // Say which part is wrong: the algorithm (e.g. an X25519 or RSA key) or the layout.
  constexpr std::array<std::uint8_t, 7> kEd25519AlgId{0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
  const bool ed25519 =
      der.size() > 12 && std::equal(kEd25519AlgId.begin(), kEd25519AlgId.end(), der.begin() + 5);
  if (!ed25519) return bad_private("the PRIVATE KEY is not an Ed25519 key (OID 1.3.101.112)");
  return bad_private(fmt::format("unsupported Ed25519 PKCS#8 layout ({} bytes of DER; expected "
                                 "the 48-byte v1 or 83-byte v2 form)",
                                 der.size()));
}

// Wipes every block body (base64 of secret material) when parsing is done.
struct WipeBlocks {
  explicit WipeBlocks(std::vector<PemBlock>& b) noexcept : blocks(b) {}
  std::vector<PemBlock>& blocks;
  WipeBlocks(const WipeBlocks&) = delete;
  WipeBlocks& operator=(const WipeBlocks&) = delete;
  ~WipeBlocks() {
    for (auto& b : blocks) detail::wipe(b.body);
  }
};

Result<SigningKey> from_pem_text(std::string_view text) {
  auto blocks = pem_parse(text);
  if (!blocks) return bad_private(blocks.error().message);
  const WipeBlocks wipe_blocks(*blocks);
  const PemBlock* found = nullptr;
  std::string others;
  for (const auto& b : *blocks) {
    if (b.label == "PRIVATE KEY") {
      if (found != nullptr) return bad_private("more than one PRIVATE KEY block");
      found = &b;
    } else {
      others += others.empty() ? "" : ", ";
      others += b.label;
    }
  }
  if (found == nullptr) {
    if (others == "PUBLIC KEY") return bad_private("this is a public key, not a private key");
    if (others.find("ENCRYPTED PRIVATE KEY") != std::string::npos)
      return bad_private("encrypted private keys are not supported; decrypt it first "
                         "(openssl pkey -in KEY -out PLAIN)");
    return bad_private(fmt::format("the PEM text has no PRIVATE KEY block{}{}",
                                   others.empty() ? "" : "; found: ", others));
  }
  // Legacy form: the armour holds the seed as 64 hex characters (never valid PKCS#8 base64,
  // whose first character is always 'M').
  if (detail::is_hex64(found->body)) {
    Bytes seed = hex_decode(found->body).value();
    const detail::WipeOnExit<Bytes> wipe_seed(seed);
    return SigningKey::from_seed(seed);
  }
  auto der = base64_decode_any(found->body, 256);
  if (!der) return bad_private(fmt::format("PRIVATE KEY body: {}", der.error().message));
  const detail::WipeOnExit<Bytes> wipe_der(*der);
  return from_pkcs8(*der);
}

}  // namespace

Result<SigningKey> SigningKey::from_seed(ByteView seed) {
  if (seed.size() != kSeedSize)
    return fail(ErrorCode::InvalidInput,
                fmt::format("an Ed25519 seed is 32 bytes, got {}", seed.size()));
  std::uint8_t* secret = detail::secure_alloc(detail::kEd25519SecretSize);
  if (secret == nullptr) return fail(ErrorCode::Internal, "cannot allocate protected memory for a key");
  PublicKey pub;
  if (!detail::ed25519_seed_keypair(std::span<const std::uint8_t, 32>(seed.data(), 32),
                                    std::span<std::uint8_t, 64>(secret, 64), pub.m_bytes)) {
    detail::secure_free(secret);
    return fail(ErrorCode::Internal, "cannot derive an Ed25519 key pair");
  }
  return SigningKey(secret, pub);
}

Result<SigningKey> SigningKey::generate() {
  std::array<std::uint8_t, kSeedSize> seed{};
  if (!detail::crypto_init()) return fail(ErrorCode::Internal, "cannot initialise libsodium");
  detail::random_bytes(seed);
  auto key = from_seed(seed);
  detail::secure_zero(seed.data(), seed.size());
  return key;
}

Result<SigningKey> SigningKey::parse(std::string_view text) {
  if (text.size() > detail::kMaxKeyTextBytes) return bad_private("the text is too long");
  // Binary PKCS#8 DER (`openssl pkey -outform DER`): starts with a SEQUENCE, never text.
  if (!text.empty() && static_cast<std::uint8_t>(text.front()) == 0x30 &&
      (text.size() == detail::kPkcs8V1Size || text.size() == detail::kPkcs8V2Size ||
       text.size() == detail::kPkcs8BareSize) &&
      text[1] == static_cast<char>(text.size() - 2))
    return from_pkcs8(as_bytes(text));
  const std::string_view t = detail::trim_ascii(text);
  if (t.empty()) return bad_private("the text is empty");
  if (t.find("-----BEGIN") != std::string_view::npos) return from_pem_text(t);
  auto raw = detail::decode_raw32(t);
  if (!raw) return bad_private(raw.error().message);
  detail::WipeOnExit<Bytes> wipe_raw(*raw);
  return from_seed(*raw);
}

Result<SigningKey> SigningKey::from_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr)
    return fail(ErrorCode::InvalidInput, fmt::format("environment variable {} is not set", name));
  auto k = parse(v);
  if (!k)
    return fail(ErrorCode::InvalidInput,
                fmt::format("environment variable {}: {}", name, k.error().message));
  return k;
}

SigningKey::SigningKey(SigningKey&& other) noexcept
    : m_secret(std::exchange(other.m_secret, nullptr)), m_public(other.m_public) {}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    detail::secure_free(m_secret);
    m_secret = std::exchange(other.m_secret, nullptr);
    m_public = other.m_public;
  }
  return *this;
}

SigningKey::~SigningKey() { detail::secure_free(m_secret); }

namespace {
void require_live(const std::uint8_t* secret) {
  if (secret == nullptr) throw std::logic_error("use of a moved-from SigningKey");
}
}  // namespace

SigningKey SigningKey::clone(SecretAccess access) const {
  auto k = from_seed(expose_secret_bytes(access));
  if (!k) throw std::bad_alloc();
  return std::move(k).value();
}

Signature SigningKey::sign(ByteView message) const {
  require_live(m_secret);
  return detail::ed25519_sign(std::span<const std::uint8_t, 64>(m_secret, 64), message);
}

namespace {
template <std::size_t N>
std::string armour_private(const std::array<std::uint8_t, N>& der) {
  std::string body = base64_encode(der, Base64Alphabet::Standard, Padding::Yes);
  detail::WipeOnExit<std::string> wipe_body(body);
  return pem_armor("PRIVATE KEY", body);
}
}  // namespace

std::string SigningKey::to_pem(SecretAccess access) const {
  std::array<std::uint8_t, detail::kPkcs8V1Size> der{};
  const ByteView seed = expose_secret_bytes(access);
  std::copy(detail::kPkcs8V1Prefix.begin(), detail::kPkcs8V1Prefix.end(), der.begin());
  std::copy(seed.begin(), seed.end(), der.begin() + detail::kPkcs8V1Prefix.size());
  std::string pem = armour_private(der);
  detail::secure_zero(der.data(), der.size());
  return pem;
}

std::string SigningKey::to_pem_v2(SecretAccess access) const {
  std::array<std::uint8_t, detail::kPkcs8V2Size> der{};
  const ByteView seed = expose_secret_bytes(access);
  auto it = std::copy(detail::kPkcs8V2Prefix.begin(), detail::kPkcs8V2Prefix.end(), der.begin());
  it = std::copy(seed.begin(), seed.end(), it);
  it = std::copy(detail::kPkcs8V2PublicTag.begin(), detail::kPkcs8V2PublicTag.end(), it);
  std::copy(m_public.bytes().begin(), m_public.bytes().end(), it);
  std::string pem = armour_private(der);
  detail::secure_zero(der.data(), der.size());
  return pem;
}

std::string SigningKey::seed_hex(SecretAccess access) const {
  return hex_encode(expose_secret_bytes(access));
}

std::string SigningKey::seed_base64(SecretAccess access) const {
  return base64_encode(expose_secret_bytes(access), Base64Alphabet::Standard, Padding::Yes);
}

ByteView SigningKey::expose_secret_bytes(SecretAccess) const noexcept {
  if (m_secret == nullptr) return {};
  return {m_secret, kSeedSize};
}

}  // namespace tenuo
