#include "detail/cel_net.hpp"

#include <cstddef>
#include <vector>

namespace tenuo::detail::cel {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::array<std::uint8_t, 4>> parse_v4(std::string_view t) noexcept {
  std::array<std::uint8_t, 4> out{};
  std::size_t part = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t start = pos;
    unsigned v = 0;
    while (pos < t.size() && is_digit(t[pos]) && pos - start < 3) {
      v = v * 10 + static_cast<unsigned>(t[pos] - '0');
      ++pos;
    }
    std::size_t len = pos - start;
    // Leading zeros are refused: "010" is octal to some parsers and decimal to others.
    if (len == 0 || v > 255 || (len > 1 && t[start] == '0')) return std::nullopt;
    out[part++] = static_cast<std::uint8_t>(v);
    if (part == 4) break;
    if (pos >= t.size() || t[pos] != '.') return std::nullopt;
    ++pos;
  }
  if (pos != t.size()) return std::nullopt;
  return out;
}

std::optional<std::array<std::uint8_t, 16>> parse_v6(std::string_view t) noexcept {
  if (t.size() < 2 || t.size() > 45) return std::nullopt;
  std::vector<std::uint16_t> head;
  std::vector<std::uint16_t> tail;
  bool gap = false;
  std::size_t pos = 0;
  if (t.substr(0, 2) == "::") {
    gap = true;
    pos = 2;
  } else if (t[0] == ':') {
    return std::nullopt;
  }
  std::optional<std::array<std::uint8_t, 4>> v4tail;
  while (pos < t.size()) {
    auto& groups = gap ? tail : head;
    std::size_t start = pos;
    while (pos < t.size() && hex_value(t[pos]) >= 0) ++pos;
    if (pos < t.size() && t[pos] == '.') {
      // Embedded IPv4 in the last 32 bits.
      v4tail = parse_v4(t.substr(start));
      if (!v4tail) return std::nullopt;
      pos = t.size();
      break;
    }
    std::size_t len = pos - start;
    if (len == 0 || len > 4) return std::nullopt;
    unsigned v = 0;
    for (std::size_t k = start; k < pos; ++k) v = v * 16 + static_cast<unsigned>(hex_value(t[k]));
    groups.push_back(static_cast<std::uint16_t>(v));
    if (pos == t.size()) break;
    if (t[pos] != ':') return std::nullopt;
    ++pos;
    if (pos < t.size() && t[pos] == ':') {
      if (gap) return std::nullopt;  // a second "::"
      gap = true;
      ++pos;
    } else if (pos == t.size()) {
      return std::nullopt;  // trailing single ':'
    }
  }
  std::size_t groups = head.size() + tail.size() + (v4tail ? 2 : 0);
  if (gap ? groups > 7 : groups != 8) return std::nullopt;
  std::array<std::uint8_t, 16> out{};
  std::size_t k = 0;
  for (auto g : head) {
    out[k++] = static_cast<std::uint8_t>(g >> 8);
    out[k++] = static_cast<std::uint8_t>(g & 0xff);
  }
  k = 16 - tail.size() * 2 - (v4tail ? 4 : 0);
  for (auto g : tail) {
    out[k++] = static_cast<std::uint8_t>(g >> 8);
    out[k++] = static_cast<std::uint8_t>(g & 0xff);
  }
  if (v4tail)
    for (auto b : *v4tail) out[k++] = b;
  return out;
}

std::optional<unsigned> parse_prefix_digits(std::string_view t) noexcept {
  if (t.empty() || t.size() > 3) return std::nullopt;
  unsigned v = 0;
  for (char c : t) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (t.size() > 1 && t[0] == '0') return std::nullopt;
  return v;
}

bool prefix_equal(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) noexcept {
  unsigned full = bits / 8;
  for (unsigned k = 0; k < full; ++k)
    if (a[k] != b[k]) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

std::optional<IpAddr> parse_ip(std::string_view text) noexcept {
  IpAddr ip;
  if (text.find(':') != std::string_view::npos) {
    auto v6 = parse_v6(text);
    if (!v6) return std::nullopt;
    ip.v6 = true;
    ip.bytes = *v6;
    return ip;
  }
  auto v4 = parse_v4(text);
  if (!v4) return std::nullopt;
  for (std::size_t k = 0; k < 4; ++k) ip.bytes[k] = (*v4)[k];
  return ip;
}

std::optional<IpNet> parse_cidr(std::string_view text) noexcept {
  auto slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return std::nullopt;
  IpNet net{*ip, ip->v6 ? 128U : 32U};
  if (slash == std::string_view::npos) return net;
  auto ptext = text.substr(slash + 1);
  if (auto p = parse_prefix_digits(ptext)) {
    if (*p > (ip->v6 ? 128U : 32U)) return std::nullopt;
    net.prefix = *p;
    return net;
  }
  if (ip->v6) return std::nullopt;
  auto mask = parse_v4(ptext);  // dotted netmask, must be contiguous ones
  if (!mask) return std::nullopt;
  std::uint32_t m = (std::uint32_t{(*mask)[0]} << 24) | (std::uint32_t{(*mask)[1]} << 16) |
                    (std::uint32_t{(*mask)[2]} << 8) | std::uint32_t{(*mask)[3]};
  std::uint32_t inv = ~m;
  if ((inv & (inv + 1)) != 0) return std::nullopt;
  unsigned bits = 0;
  while (bits < 32 && (m & (0x80000000U >> bits)) != 0) ++bits;
  net.prefix = bits;
  return net;
}

bool in_net(const IpAddr& ip, const IpNet& net) noexcept {
  if (ip.v6 != net.addr.v6) return false;
  return prefix_equal(ip.bytes.data(), net.addr.bytes.data(), net.prefix);
}

bool is_private(const IpAddr& ip) noexcept {
  const auto& b = ip.bytes;
  if (ip.v6) {
    bool mapped = true;
    for (std::size_t k = 0; k < 10; ++k) mapped = mapped && b[k] == 0;
    mapped = mapped && b[10] == 0xff && b[11] == 0xff;
    if (mapped) {
      IpAddr v4;
      for (std::size_t k = 0; k < 4; ++k) v4.bytes[k] = b[12 + k];
      return is_private(v4);
    }
    bool loopback = true;
    for (std::size_t k = 0; k < 15; ++k) loopback = loopback && b[k] == 0;
    if (loopback && b[15] == 1) return true;
    if ((b[0] & 0xfe) == 0xfc) return true;                   // fc00::/7
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;   // fe80::/10
    return false;
  }
  return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
         b[0] == 127 || (b[0] == 169 && b[1] == 254);
}

}  // namespace tenuo::detail::cel
