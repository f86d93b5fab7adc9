// WHATWG URL parser and UrlSafe. Oracles: a parsed URL re-parses from its serialisation to the
// same serialisation; a URL a default UrlSafe() accepts is http(s) with a host that is neither a
// loopback/private/link-local/reserved IPv4 or IPv6 literal nor a loopback name.
#include "detail/url.hpp"
#include "detail/urlsafe.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto u = tenuo::detail::parse_url(in);
  if (u) {
    const std::string href = u->href();
    auto again = tenuo::detail::parse_url(href);
    if (!again || again->href() != href) std::abort();
  }
  const auto v = tenuo::detail::url_safe_check(tenuo::c::UrlSafe{}, in);
  if (!v.ok) return 0;
  if (!u || (u->scheme != "http" && u->scheme != "https") || u->host.empty()) std::abort();
  auto blocked_v4 = [](std::uint32_t a) {
    const unsigned o1 = a >> 24;
    const unsigned o2 = (a >> 16) & 0xFF;
    return o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224 || (o1 == 169 && o2 == 254) ||
           (o1 == 172 && o2 >= 16 && o2 < 32) || (o1 == 192 && o2 == 168) || (o1 == 100 && o2 >= 64 && o2 < 128);
  };
  if (u->host_kind == tenuo::detail::HostKind::Ipv4 && blocked_v4(u->ipv4)) std::abort();
  if (u->host_kind == tenuo::detail::HostKind::Ipv6) {
    const auto& p = u->ipv6;
    const bool v4ish = p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0 && p[4] == 0 && (p[5] == 0 || p[5] == 0xffff);
    const std::uint32_t embedded = (std::uint32_t{p[6]} << 16) | p[7];
    if (v4ish && (blocked_v4(embedded) || (p[5] == 0 && embedded <= 1))) std::abort();
    if ((p[0] & 0xfe00) == 0xfc00 || (p[0] & 0xffc0) == 0xfe80 || (p[0] & 0xff00) == 0xff00) std::abort();
  }
  std::string bare = u->host;
  while (!bare.empty() && bare.back() == '.') bare.pop_back();
  if (bare == "localhost" || bare == "metadata.google.internal" || bare == "169.254.169.254") std::abort();
  return 0;
}
