#include "detail/key_text.hpp"

#include "detail/crypto.hpp"

#include <fmt/format.h>

namespace tenuo::detail {

std::string_view trim_ascii(std::string_view s) noexcept {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_hex64(std::string_view s) noexcept {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

void wipe(Bytes& b) noexcept { secure_zero(b.data(), b.size()); }
void wipe(std::string& s) noexcept { secure_zero(s.data(), s.size()); }

Result<Bytes> decode_raw32(std::string_view text) {
  if (is_hex64(text)) return hex_decode(text);
  if (text.size() == 64)
    return fail(ErrorCode::InvalidInput, "64 characters long but not hexadecimal");
  auto raw = base64_decode_any(text, 64);
  if (!raw) {
    if (text.size() == 43 || text.size() == 44)
      return fail(ErrorCode::InvalidInput, fmt::format("invalid base64: {}", raw.error().message));
    return fail(ErrorCode::InvalidInput,
                fmt::format("{} characters are neither 64 hex characters nor base64 of 32 bytes "
                            "(43 or 44 characters)",
                            text.size()));
  }
  if (raw->size() != 32) {
    const std::size_t n = raw->size();
    wipe(*raw);
    return fail(ErrorCode::InvalidInput, fmt::format("base64 of {} bytes, not 32", n));
  }
  return raw;
}

}  // namespace tenuo::detail
