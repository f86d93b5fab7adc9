#include "detail/urlsafe.hpp"

#include "detail/url.hpp"
#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace tenuo::detail {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool ends_with(std::string_view s, std::string_view suf) noexcept {
  return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

bool in_v4(std::uint32_t ip, std::uint32_t net, unsigned prefix) noexcept {
  if (prefix == 0) return true;
  const std::uint32_t mask = prefix >= 32 ? 0xFFFFFFFFu : ~((1u << (32 - prefix)) - 1u);
  return (ip & mask) == (net & mask);
}

bool in_v6(const Ipv6Pieces& ip, const Ipv6Pieces& net, unsigned prefix) noexcept {
  for (unsigned i = 0; i < 8 && prefix > 0; ++i) {
    const unsigned bits = std::min(prefix, 16u);
    const auto mask = static_cast<std::uint16_t>(0xFFFFu << (16 - bits));
    if ((ip[i] & mask) != (net[i] & mask)) return false;
    prefix -= bits;
  }
  return true;
}

// The reference's own IP reading of a host (after WHATWG): strict dotted quad (leading-zero
// parts only when their octal and decimal readings agree), a decimal u32, or a 0x hex u32.
enum class RefIp : std::uint8_t { Ip, NotIp, AmbiguousLeadingZeros };
RefIp reference_ipv4(std::string_view h, std::uint32_t& out) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= h.size(); ++i)
    if (i == h.size() || h[i] == '.') {
      parts.push_back(h.substr(start, i - start));
      start = i + 1;
    }
  auto all_digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
  };
  if (parts.size() == 4 && std::all_of(parts.begin(), parts.end(), all_digits)) {
    std::uint32_t dec = 0;
    std::uint32_t oct = 0;
    bool octal_ok = true;
    for (auto p : parts) {
      if (p.size() > 3) return RefIp::NotIp;
      unsigned d = 0;
      unsigned o = 0;
      for (char c : p) {
        d = d * 10 + static_cast<unsigned>(c - '0');
        if (c > '7') octal_ok = false;
        o = o * 8 + static_cast<unsigned>(c - '0');
      }
      if (d > 255) return RefIp::NotIp;
      if (o > 255) octal_ok = false;
      dec = (dec << 8) | d;
      oct = (oct << 8) | (o & 0xFF);
    }
    const bool leading_zero = std::any_of(parts.begin(), parts.end(), [](std::string_view p) {
      return p.size() > 1 && p[0] == '0';
    });
    if (leading_zero && (!octal_ok || oct != dec)) return RefIp::AmbiguousLeadingZeros;
    out = dec;
    return RefIp::Ip;
  }
  if (all_digits(h)) {
    std::uint64_t v = 0;
    for (char c : h) {
      v = v * 10 + static_cast<unsigned>(c - '0');
      if (v > 0xFFFFFFFFu) return RefIp::NotIp;
    }
    out = static_cast<std::uint32_t>(v);
    return RefIp::Ip;
  }
  if (h.size() > 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X')) {
    std::uint64_t v = 0;
    for (char c : h.substr(2)) {
      unsigned d = 0;
      if (is_digit(c)) d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
      else return RefIp::NotIp;
      v = v * 16 + d;
      if (v > 0xFFFFFFFFu) return RefIp::NotIp;
    }
    out = static_cast<std::uint32_t>(v);
    return RefIp::Ip;
  }
  return RefIp::NotIp;
}

struct Block {
  bool hit = false;
  std::string why;
};

Block check_v4(const c::UrlSafe& c, std::uint32_t ip, std::string_view shown) {
  auto hit = [&](std::string_view what, std::string_view flag) {
    return Block{true, fmt::format("{} is {} ({})", shown, what, flag)};
  };
  if (c.block_loopback && in_v4(ip, v4(127, 0, 0, 0), 8)) return hit("a loopback address", "block_loopback");
  // 0.0.0.0/8 reaches the local host on common stacks (stricter: also under block_loopback).
  if (c.block_loopback && in_v4(ip, 0, 8)) return hit("the unspecified/this-host range 0.0.0.0/8", "block_loopback");
  if (c.block_metadata && in_v4(ip, v4(169, 254, 0, 0), 16))
    return hit("a link-local/cloud-metadata address", "block_metadata");
  if (c.block_metadata && (ip == v4(100, 100, 100, 200) || ip == v4(192, 0, 0, 192)))
    return hit("a cloud-metadata address", "block_metadata");
  if (c.block_private) {
    if (in_v4(ip, v4(10, 0, 0, 0), 8) || in_v4(ip, v4(172, 16, 0, 0), 12) ||
        in_v4(ip, v4(192, 168, 0, 0), 16))
      return hit("a private address", "block_private");
    // Shared address space (carrier-grade NAT, also cloud-internal services): stricter.
    if (in_v4(ip, v4(100, 64, 0, 0), 10)) return hit("a shared (CGNAT) address", "block_private");
  }
  if (c.block_reserved) {
    if (in_v4(ip, 0, 8)) return hit("in 0.0.0.0/8", "block_reserved");
    if (in_v4(ip, v4(224, 0, 0, 0), 4)) return hit("a multicast address", "block_reserved");
    if (in_v4(ip, v4(240, 0, 0, 0), 4)) return hit("a reserved (240/4) or broadcast address", "block_reserved");
  }
  return {};
}

// IPv4 addresses carried inside an IPv6 address.
std::vector<std::uint32_t> embedded_v4(const Ipv6Pieces& a) {
  std::vector<std::uint32_t> out;
  const auto last32 = (std::uint32_t{a[6]} << 16) | a[7];
  const bool first5_zero = a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0;
  if (first5_zero && a[5] == 0xFFFF) out.push_back(last32);  // ::ffff:a.b.c.d (mapped)
  if (first5_zero && a[5] == 0 && last32 > 1) out.push_back(last32);  // ::a.b.c.d (compatible)
  // Stricter than the reference:
  if (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0xFFFF && a[5] == 0)
    out.push_back(last32);  // ::ffff:0:a.b.c.d (SIIT)
  if (a[0] == 0x64 && a[1] == 0xff9b && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0)
    out.push_back(last32);  // 64:ff9b::/96 (NAT64)
  if (a[0] == 0x2002) out.push_back((std::uint32_t{a[1]} << 16) | a[2]);  // 6to4
  if (a[0] == 0x2001 && a[1] == 0) {  // Teredo: server and (obfuscated) client
    out.push_back((std::uint32_t{a[2]} << 16) | a[3]);
    out.push_back(~last32);
  }
  return out;
}

Block check_v6(const c::UrlSafe& c, const Ipv6Pieces& a, std::string_view shown) {
  auto hit = [&](std::string_view what, std::string_view flag) {
    return Block{true, fmt::format("{} is {} ({})", shown, what, flag)};
  };
  const Ipv6Pieces loop{0, 0, 0, 0, 0, 0, 0, 1};
  const Ipv6Pieces zero{};
  if (c.block_loopback && a == loop) return hit("the IPv6 loopback address", "block_loopback");
  if (c.block_loopback && a == zero) return hit("the IPv6 unspecified address", "block_loopback");
  if (c.block_metadata && (in_v6(a, {0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254}, 128) ||
                           in_v6(a, {0xfd20, 0x00ce, 0, 0, 0, 0, 0, 0x254}, 128)))
    return hit("a cloud-metadata address", "block_metadata");
  if (c.block_private) {
    if (in_v6(a, {0xfc00, 0, 0, 0, 0, 0, 0, 0}, 7)) return hit("a unique-local address", "block_private");
    if (in_v6(a, {0xfe80, 0, 0, 0, 0, 0, 0, 0}, 10)) return hit("a link-local address", "block_private");
    if (in_v6(a, {0xfec0, 0, 0, 0, 0, 0, 0, 0}, 10)) return hit("a site-local address", "block_private");
  }
  if (c.block_reserved) {
    if (a == zero) return hit("the unspecified address", "block_reserved");
    if (in_v6(a, {0xff00, 0, 0, 0, 0, 0, 0, 0}, 8)) return hit("a multicast address", "block_reserved");
  }
  for (std::uint32_t e : embedded_v4(a)) {
    Block b = check_v4(c, e, fmt::format("{} (carrying {})", shown, serialize_ipv4(e)));
    if (b.hit) return b;
  }
  return {};
}

bool is_internal_tld(std::string_view h) {
  static constexpr std::array<std::string_view, 8> kTlds = {
      "internal", "local", "localhost", "lan", "corp", "home", "svc", "default"};
  for (auto t : kTlds) {
    if (h == t) return true;
    if (h.size() > t.size() && ends_with(h, t) && h[h.size() - t.size() - 1] == '.') return true;
  }
  return false;
}

bool is_loopback_name(std::string_view h) {
  if (h == "localhost" || h == "localhost.localdomain") return true;
  // Stricter: RFC 6761 *.localhost and the Debian/RedHat /etc/hosts loopback aliases.
  if (ends_with(h, ".localhost")) return true;
  return h == "ip6-localhost" || h == "ip6-loopback" || h == "localhost6" ||
         h == "localhost6.localdomain6" || h == "localhost4" || h == "localhost4.localdomain4";
}

bool is_metadata_name(std::string_view h) {
  return h == "169.254.169.254" || h == "metadata.google.internal" || h == "metadata.goog" ||
         h == "100.100.100.200" ||
         // Stricter: GCP's short name and AWS's legacy name.
         h == "metadata" || h == "instance-data" || h == "instance-data.ec2.internal";
}

}  // namespace

bool domain_pattern_matches(std::string_view pattern, std::string_view host) {
  const std::string p = ascii_lower(pattern);
  const std::string h = ascii_lower(host);
  if (p.size() >= 2 && p[0] == '*' && p[1] == '.') {
    const std::string_view base = std::string_view(p).substr(2);
    if (h == base) return true;
    return h.size() > base.size() && ends_with(h, base) && h[h.size() - base.size() - 1] == '.';
  }
  return p == h;
}

UrlSafeVerdict url_safe_check(const c::UrlSafe& c, std::string_view text) {
  UrlSafeVerdict v;
  auto deny = [&](std::string why) {
    v.ok = false;
    v.reason = std::move(why);
    return v;
  };
  if (text.find('\0') != std::string_view::npos) return deny("the URL contains a NUL byte");
  auto parsed = parse_url(text);
  if (!parsed) return deny(parsed.error().message);
  const Url& url = *parsed;
  const bool scheme_ok = std::any_of(c.schemes.begin(), c.schemes.end(), [&](const std::string& s) {
    return iequals_ascii(s, url.scheme);
  });
  if (!scheme_ok) return deny(fmt::format("scheme '{}' is not allowed", url.scheme));
  if (url.host_kind == HostKind::None || url.host_kind == HostKind::Empty || url.host.empty())
    return deny("the URL has no host");

  const std::string host = ascii_lower(percent_decode(url.host));
  // Stricter: a decoded opaque host with non-ASCII bytes, controls or spaces is refused.
  for (char ch : host) {
    const auto b = static_cast<unsigned char>(ch);
    if (b <= 0x20 || b >= 0x7F) return deny(fmt::format("host '{}' contains unsupported characters", host));
  }
  if (c.allow_ports) {
    const auto port = url.port ? url.port : scheme_default_port(url.scheme);
    if (port && std::find(c.allow_ports->begin(), c.allow_ports->end(), *port) == c.allow_ports->end())
      return deny(fmt::format("port {} is not in allow_ports", *port));
  }
  // Block decisions use the host without trailing dots ("localhost." is localhost).
  std::string bare = host;
  while (!bare.empty() && bare.back() == '.') bare.pop_back();
  if (bare.empty()) return deny(fmt::format("host '{}' is empty without its trailing dots", host));

  if (c.block_loopback && is_loopback_name(bare))
    return deny(fmt::format("host {} is a loopback name (block_loopback)", host));
  if (c.block_internal_tlds && is_internal_tld(bare))
    return deny(fmt::format("host {} is under an internal TLD (block_internal_tlds)", host));
  if (c.block_metadata && is_metadata_name(bare))
    return deny(fmt::format("host {} is a cloud-metadata endpoint (block_metadata)", host));

  std::vector<std::string> names{host};
  if (bare != host) names.push_back(bare);
  bool is_ip = false;
  if (bare.front() == '[' && bare.back() == ']') {
    auto a = parse_ipv6_pieces(std::string_view(bare).substr(1, bare.size() - 2));
    if (!a) return deny(fmt::format("host {} is not a valid IPv6 address", host));
    is_ip = true;
    const std::string canon = "[" + serialize_ipv6(*a) + "]";
    if (canon != bare) names.push_back(canon);
    if (auto b = check_v6(c, *a, canon); b.hit) return deny("host " + b.why);
  } else {
    std::uint32_t ip = 0;
    const RefIp r = reference_ipv4(bare, ip);
    if (r == RefIp::AmbiguousLeadingZeros)
      return deny(fmt::format("host {} is a dotted quad with ambiguous leading zeros", host));
    std::optional<std::uint32_t> addr;
    if (r == RefIp::Ip) {
      addr = ip;
    } else if (host_ends_in_number(bare)) {
      // Stricter: numeric-looking hosts get the WHATWG/inet_aton reading ("127.1", "0x7f.1")
      // and are refused when they have none.
      addr = parse_ipv4_whatwg(bare);
      if (!addr) return deny(fmt::format("host {} looks numeric but is not a valid IPv4 address", host));
    }
    if (addr) {
      is_ip = true;
      const std::string canon = serialize_ipv4(*addr);
      if (canon != bare) names.push_back(canon);
      if (auto b = check_v4(c, *addr, canon); b.hit) return deny("host " + b.why);
    }
  }
  if (!is_ip && c.allow_domains) {
    const bool allowed = std::any_of(c.allow_domains->begin(), c.allow_domains->end(),
                                     [&](const std::string& p) { return domain_pattern_matches(p, host); });
    if (!allowed) return deny(fmt::format("host {} is not in allow_domains", host));
  }
  if (c.deny_domains) {
    for (const auto& p : *c.deny_domains)
      for (const auto& n : names)
        if (domain_pattern_matches(p, n))
          return deny(fmt::format("host {} matches deny_domains entry '{}'", host, p));
  }
  v.ok = true;
  return v;
}

}  // namespace tenuo::detail
