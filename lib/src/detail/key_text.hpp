#pragma once
// Private helpers shared by PublicKey and SigningKey text parsing (WIRE.md §2.4, CLI.md §1).

#include <tenuo/bytes.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/result.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tenuo::detail {

// DER prefixes of the Ed25519 key containers (RFC 8410 / RFC 5958), WIRE.md §2.4.
inline constexpr std::array<std::uint8_t, 16> kPkcs8V1Prefix{
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
inline constexpr std::array<std::uint8_t, 16> kPkcs8V2Prefix{
    0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
inline constexpr std::array<std::uint8_t, 3> kPkcs8V2PublicTag{0x81, 0x21, 0x00};
// PKCS#8 v1 whose privateKey OCTET STRING holds the seed directly (no inner OCTET STRING).
inline constexpr std::array<std::uint8_t, 14> kPkcs8BarePrefix{
    0x30, 0x2c, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x20};
inline constexpr std::array<std::uint8_t, 12> kSpkiPrefix{
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
inline constexpr std::size_t kPkcs8V1Size = 48;
inline constexpr std::size_t kPkcs8V2Size = 83;
inline constexpr std::size_t kPkcs8BareSize = 46;
inline constexpr std::size_t kSpkiSize = 44;
// Longest key text we look at; anything longer is not a key (checked before decoding).
inline constexpr std::size_t kMaxKeyTextBytes = 16 * 1024;

[[nodiscard]] std::string_view trim_ascii(std::string_view s) noexcept;
[[nodiscard]] bool is_hex64(std::string_view s) noexcept;

// Overwrites the contents of a buffer before it is released (best effort for std containers).
template <class Buffer>
class WipeOnExit {
 public:
  explicit WipeOnExit(Buffer& b) noexcept : m_b(b) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit();

 private:
  Buffer& m_b;
};
void wipe(Bytes& b) noexcept;
void wipe(std::string& s) noexcept;
template <class Buffer>
WipeOnExit<Buffer>::~WipeOnExit() {
  wipe(m_b);
}

// 32 raw bytes from 64 hex characters or base64 (either alphabet, padding optional).
// `text` is already trimmed. Errors: InvalidInput naming what was found.
[[nodiscard]] Result<Bytes> decode_raw32(std::string_view text);

}  // namespace tenuo::detail
