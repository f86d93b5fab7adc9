#pragma once
// Byte buffers used across the library.
// Thread-safety: stateless inline helpers. A view borrows: the viewed buffer must outlive it and
// must not be modified while another thread reads through the view.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tenuo {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Views the characters of `s` as bytes (no copy).
[[nodiscard]] inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};  // NOLINT
}
// Views `b` as characters (no copy).
[[nodiscard]] inline std::string_view as_chars(ByteView b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // NOLINT
}

}  // namespace tenuo
