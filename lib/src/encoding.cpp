#include <tenuo/encoding.hpp>

#include <fmt/format.h>

namespace tenuo {

std::string hex_encode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (auto b : data) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

Result<Bytes> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0)
    return fail(ErrorCode::InvalidInput, fmt::format("hex text has an odd length ({})", text.size()));
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nib(text[i]);
    const int lo = nib(text[i + 1]);
    if (hi < 0 || lo < 0)
      return fail(ErrorCode::InvalidInput, fmt::format("invalid hex character at offset {}", i));
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace tenuo
