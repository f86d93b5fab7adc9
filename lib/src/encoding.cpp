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

// ------------------------------------------------------------------ base64

namespace {

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Sextet value of `c` in the common part of both alphabets, or -1.
int common_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return -1;
}

int sextet(char c, Base64Alphabet alphabet) noexcept {
  if (const int v = common_value(c); v >= 0) return v;
  if (alphabet == Base64Alphabet::Standard) {
    if (c == '+') return 62;
    if (c == '/') return 63;
  } else {
    if (c == '-') return 62;
    if (c == '_') return 63;
  }
  return -1;
}

std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", u);
}

// Decodes `digits` (no padding, no whitespace, already checked to be in `alphabet`).
Result<Bytes> decode_digits(std::string_view digits, Base64Alphabet alphabet) {
  if (digits.size() % 4 == 1)
    return fail(ErrorCode::InvalidInput,
                fmt::format("base64 text has an impossible length ({} digits)", digits.size()));
  Bytes out;
  out.reserve(digits.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const int v = sextet(digits[i], alphabet);
    if (v < 0)
      return fail(ErrorCode::InvalidInput,
                  fmt::format("invalid base64 character {} at offset {}", describe_char(digits[i]), i));
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  // Canonical form: the bits left over after the last whole byte must be zero.
  if (bits > 0 && (acc & ((1U << bits) - 1)) != 0)
    return fail(ErrorCode::InvalidInput, "base64 text has non-zero trailing bits (not canonical)");
  return out;
}

// Number of '=' a canonical padded encoding of `digits` data characters carries.
std::size_t padding_for(std::size_t digits) noexcept { return (4 - digits % 4) % 4; }

// Splits `text` into data digits and trailing '='; checks the padding is canonical if present
// and that no '=' appears elsewhere. `pad_count` receives the number of '='.
Result<std::string_view> split_padding(std::string_view text, std::size_t& pad_count) {
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') --end;
  pad_count = text.size() - end;
  const std::string_view digits = text.substr(0, end);
  if (digits.find('=') != std::string_view::npos)
    return fail(ErrorCode::InvalidInput, "base64 padding '=' in the middle of the text");
  if (pad_count > 0 && (pad_count != padding_for(digits.size()) || digits.size() % 4 == 1))
    return fail(ErrorCode::InvalidInput,
                fmt::format("base64 text has {} padding character(s) where {} belong", pad_count,
                            padding_for(digits.size())));
  return digits;
}

}  // namespace

std::string base64_encode(ByteView data, Base64Alphabet alphabet, Padding padding) {
  const std::string_view table = alphabet == Base64Alphabet::Standard ? kStdAlphabet : kUrlAlphabet;
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{data[i]} << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    if (padding == Padding::Yes) out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    if (padding == Padding::Yes) out += '=';
  }
  return out;
}

Result<Bytes> base64_decode(std::string_view text, Base64Alphabet alphabet, Padding padding) {
  std::size_t pads = 0;
  TENUO_TRY_ASSIGN(const std::string_view digits, split_padding(text, pads));
  if (padding == Padding::Yes && text.size() % 4 != 0)
    return fail(ErrorCode::InvalidInput,
                fmt::format("padded base64 must be a multiple of 4 characters long (got {})",
                            text.size()));
  if (padding == Padding::No && pads > 0)
    return fail(ErrorCode::InvalidInput, "base64 padding '=' is not allowed here");
  return decode_digits(digits, alphabet);
}

Result<Bytes> base64_decode_any(std::string_view text, std::size_t max_bytes) {
  // First pass (no allocation): count digits, detect the alphabet, check the size cap.
  std::size_t count = 0;
  std::size_t pad_chars = 0;
  bool saw_std = false;
  bool saw_url = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_ascii_space(c)) continue;
    ++count;
    if (c == '=') ++pad_chars;
    if (c == '+' || c == '/') {
      saw_std = true;
    } else if (c == '-' || c == '_') {
      saw_url = true;
    } else if (c != '=' && common_value(c) < 0) {
      return fail(ErrorCode::InvalidInput,
                  fmt::format("invalid base64 character {} at offset {}", describe_char(c), i));
    }
  }
  if (saw_std && saw_url)
    return fail(ErrorCode::InvalidInput,
                "base64 text mixes the standard ('+', '/') and URL-safe ('-', '_') alphabets");
  const std::size_t digits_count = count - pad_chars;
  if (digits_count / 4 * 3 + (digits_count % 4) * 3 / 4 > max_bytes)
    return fail(ErrorCode::InvalidInput,
                fmt::format("base64 text would decode to more than {} bytes", max_bytes));
  std::string compact;
  compact.reserve(count);
  for (char c : text)
    if (!is_ascii_space(c)) compact += c;
  std::size_t pads = 0;
  TENUO_TRY_ASSIGN(const std::string_view digits, split_padding(compact, pads));
  return decode_digits(digits, saw_url ? Base64Alphabet::UrlSafe : Base64Alphabet::Standard);
}

}  // namespace tenuo
