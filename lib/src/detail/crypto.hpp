#pragma once
// Private crypto primitives. lib/src/crypto.cpp is the sole includer of <sodium.h>.

#include <tenuo/bytes.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tenuo::detail {

using Sha256 = std::array<std::uint8_t, 32>;

// Initialises libsodium once (thread-safe); false if it cannot be initialised.
bool crypto_init() noexcept;
[[nodiscard]] Sha256 sha256(ByteView data) noexcept;
// SHA-256 over the concatenation of `parts` (no copies).
[[nodiscard]] Sha256 sha256_parts(std::span<const ByteView> parts) noexcept;
// Fills `out` from the system CSPRNG.
void random_bytes(std::span<std::uint8_t> out) noexcept;
// Wipes `n` bytes at `p` in a way the compiler cannot elide.
void secure_zero(void* p, std::size_t n) noexcept;
// Strict Ed25519 verification (canonical S, no small-order R or A) of `sig` over `message`.
[[nodiscard]] bool ed25519_verify(const std::array<std::uint8_t, 32>& pub, ByteView message,
                                  ByteView sig) noexcept;
// Same, over the concatenation of `parts` (multi-part message without copying).
[[nodiscard]] bool ed25519_verify_parts(const std::array<std::uint8_t, 32>& pub,
                                        std::span<const ByteView> parts, ByteView sig) noexcept;

}  // namespace tenuo::detail
