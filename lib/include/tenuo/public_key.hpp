#pragma once
// PublicKey: an Ed25519 verifying key (WIRE.md §2.4, §3.1). Copyable, printable, comparable.
// Guarantees: a PublicKey always holds a valid curve point that is not of small order.
// Thread-safety: a PublicKey is an immutable value (no mutating member besides assignment);
// concurrent reads and verify() calls on one key are safe. from_bytes/parse are reentrant (the
// point check remembers valid keys in a thread_local cache: no locking, nothing shared).
// from_env reads the environment with getenv(): do not call it while another thread runs
// setenv/putenv/unsetenv.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace tenuo {

using Signature = std::array<std::uint8_t, 64>;

class TENUO_EXPORT PublicKey {
 public:
  static constexpr std::size_t kSize = 32;

  // From 32 raw bytes. Errors: InvalidInput (wrong length, not a point, small order).
  static Result<PublicKey> from_bytes(ByteView raw);
  // From text: SPKI PEM (`PUBLIC KEY`; legacy 64 hex chars inside the armour too), 64 hex chars,
  // base64 (either alphabet, padding optional) of 32 bytes, or binary SPKI DER. Surrounding
  // whitespace is ignored. Errors: InvalidInput saying what was wrong and what is accepted.
  static Result<PublicKey> parse(std::string_view text);
  // From the environment variable `name` (SPKI PEM, base64 or hex). Errors: InvalidInput.
  static Result<PublicKey> from_env(const char* name);

  [[nodiscard]] const std::array<std::uint8_t, kSize>& bytes() const noexcept { return m_bytes; }
  [[nodiscard]] std::string hex() const;
  [[nodiscard]] std::string base64() const;  // standard, padded
  [[nodiscard]] std::string to_pem() const;  // SPKI, as `openssl pkey -pubout` writes
  [[nodiscard]] std::string fingerprint() const;  // first 8 bytes, hex

  // Strict RFC 8032 verification of `sig` over `message`.
  [[nodiscard]] bool verify(ByteView message, ByteView sig) const noexcept;

  auto operator<=>(const PublicKey&) const = default;

 private:
  friend class SigningKey;
  PublicKey() = default;
  std::array<std::uint8_t, kSize> m_bytes{};
};

}  // namespace tenuo
