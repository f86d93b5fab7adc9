#include "detail/net.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tenuo::detail {

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decimal number without sign or leading zero, at most `max_digits` digits.
std::optional<unsigned> parse_decimal(std::string_view s, std::size_t max_digits) noexcept {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

bool parse_quad(std::string_view s, std::uint8_t* out) noexcept {
  for (int i = 0; i < 4; ++i) {
    const auto dot = s.find('.');
    const bool last = i == 3;
    if (last != (dot == std::string_view::npos)) return false;
    const auto part = last ? s : s.substr(0, dot);
    const auto v = parse_decimal(part, 3);
    if (!v || *v > 255) return false;
    out[i] = static_cast<std::uint8_t>(*v);
    if (!last) s.remove_prefix(dot + 1);
  }
  return true;
}

// Reads up to `limit` 16-bit groups separated by ':' from the front of `s` into `groups`. A
// dotted quad may take the place of the last two groups (only when two slots remain). Returns
// the number of groups written and advances `s` past what was consumed; a group must follow
// each ':' it consumes, so a trailing "::" is left in `s`.
std::size_t read_groups(std::string_view& s, std::uint16_t* groups, std::size_t limit) noexcept {
  std::size_t n = 0;
  while (n < limit) {
    std::string_view rest = s;
    if (n > 0) {
      if (rest.empty() || rest[0] != ':') break;
      rest.remove_prefix(1);
    }
    // Embedded IPv4: a token with a dot must be a dotted quad that ends the text and fills
    // the last two groups.
    const auto token = rest.substr(0, rest.find(':'));
    if (token.find('.') != std::string_view::npos) {
      std::uint8_t q[4];
      if (limit - n < 2 || token.size() != rest.size() || !parse_quad(rest, q)) return n;
      groups[n] = static_cast<std::uint16_t>(q[0] << 8 | q[1]);
      groups[n + 1] = static_cast<std::uint16_t>(q[2] << 8 | q[3]);
      s = std::string_view{};
      return n + 2;
    }
    std::size_t digits = 0;
    unsigned v = 0;
    while (digits < rest.size() && digits < 5 && hex_value(rest[digits]) >= 0) {
      v = v * 16 + static_cast<unsigned>(hex_value(rest[digits]));
      ++digits;
    }
    if (digits == 0 || digits > 4) break;
    groups[n++] = static_cast<std::uint16_t>(v);
    rest.remove_prefix(digits);
    s = rest;
  }
  return n;
}

void mask(IpAddr& a, int prefix, bool set_host_bits) noexcept {
  const int bits = a.bits();
  for (int i = 0; i < bits / 8; ++i) {
    const int keep = std::clamp(prefix - i * 8, 0, 8);
    const auto host = static_cast<std::uint8_t>(0xffu >> keep);
    auto& b = a.bytes[static_cast<std::size_t>(i)];
    b = set_host_bits ? static_cast<std::uint8_t>(b | host)
                      : static_cast<std::uint8_t>(b & static_cast<std::uint8_t>(~host));
  }
}

// Prefix length of a contiguous IPv4 netmask, nullopt when the mask has holes.
std::optional<int> netmask_prefix(const IpAddr& m) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | m.bytes[static_cast<std::size_t>(i)];
  int ones = 0;
  while (ones < 32 && (v & (0x80000000u >> ones)) != 0) ++ones;
  const std::uint32_t expect = ones == 0 ? 0u : ~std::uint32_t{0} << (32 - ones);
  if (v != expect) return std::nullopt;
  return ones;
}

}  // namespace

std::optional<IpAddr> parse_ipv4(std::string_view s) noexcept {
  IpAddr a;
  if (!parse_quad(s, a.bytes.data())) return std::nullopt;
  return a;
}

std::optional<IpAddr> parse_ipv6(std::string_view s) noexcept {
  std::uint16_t head[8]{};
  std::uint16_t tail[8]{};
  std::string_view rest = s;
  const std::size_t head_n = read_groups(rest, head, 8);
  std::size_t tail_n = 0;
  if (head_n < 8) {
    // The remainder must be "::" followed by groups; "::" stands for at least one zero group.
    if (rest.size() < 2 || rest[0] != ':' || rest[1] != ':') return std::nullopt;
    rest.remove_prefix(2);
    const std::size_t limit = 8 - (head_n + 1);
    if (!rest.empty()) {
      tail_n = read_groups(rest, tail, limit);
      if (tail_n == 0) return std::nullopt;
    }
  }
  if (!rest.empty()) return std::nullopt;
  IpAddr a;
  a.v6 = true;
  std::uint16_t g[8]{};
  for (std::size_t i = 0; i < head_n; ++i) g[i] = head[i];
  for (std::size_t i = 0; i < tail_n; ++i) g[8 - tail_n + i] = tail[i];
  for (std::size_t i = 0; i < 8; ++i) {
    a.bytes[2 * i] = static_cast<std::uint8_t>(g[i] >> 8);
    a.bytes[2 * i + 1] = static_cast<std::uint8_t>(g[i] & 0xff);
  }
  return a;
}

std::optional<IpAddr> parse_ip(std::string_view s) noexcept {
  if (auto a = parse_ipv4(s)) return a;
  return parse_ipv6(s);
}

std::optional<IpNetwork> parse_network(std::string_view s) noexcept {
  const auto slash = s.find('/');
  const auto addr_text = s.substr(0, slash);
  auto addr = parse_ip(addr_text);
  if (!addr) return std::nullopt;
  IpNetwork n{*addr, addr->bits()};
  if (slash == std::string_view::npos) return n;
  const auto prefix_text = s.substr(slash + 1);
  if (!addr->v6) {
    if (auto m = parse_ipv4(prefix_text)) {
      const auto p = netmask_prefix(*m);
      if (!p) return std::nullopt;
      n.prefix = *p;
      return n;
    }
  }
  const auto p = parse_decimal(prefix_text, 3);
  if (!p || static_cast<int>(*p) > addr->bits()) return std::nullopt;
  n.prefix = static_cast<int>(*p);
  return n;
}

IpAddr network_address(const IpNetwork& n) noexcept {
  IpAddr a = n.addr;
  mask(a, n.prefix, false);
  return a;
}

IpAddr last_address(const IpNetwork& n) noexcept {
  IpAddr a = n.addr;
  mask(a, n.prefix, true);
  return a;
}

bool contains(const IpNetwork& n, const IpAddr& a) noexcept {
  if (n.addr.v6 != a.v6) return false;
  IpAddr x = a;
  mask(x, n.prefix, false);
  return x == network_address(n);
}

bool subnet_of(const IpNetwork& child, const IpNetwork& parent) noexcept {
  return child.addr.v6 == parent.addr.v6 && child.prefix >= parent.prefix &&
         contains(parent, network_address(child));
}

std::string to_string(const IpAddr& a) {
  if (!a.v6) return fmt::format("{}.{}.{}.{}", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
  unsigned g[8];
  for (std::size_t i = 0; i < 8; ++i) g[i] = static_cast<unsigned>(a.bytes[2 * i] << 8 | a.bytes[2 * i + 1]);
  // Longest run of >= 2 zero groups, first one on a tie (RFC 5952 §4.2).
  int best = -1;
  int best_len = 1;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += fmt::format("{:x}", g[i]);
  }
  return out;
}

std::string to_string(const IpNetwork& n) { return fmt::format("{}/{}", to_string(n.addr), n.prefix); }

}  // namespace tenuo::detail
