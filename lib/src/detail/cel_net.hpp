#pragma once
// Minimal strict IP/CIDR parsing for CEL's net_in_cidr / net_is_private (WIRE.md §11 Cel row).
// IPv4: dotted quad, decimal octets without leading zeros. IPv6: RFC 4291 text (with `::` and
// a trailing dotted quad), no brackets, no zone. CIDR: addr[/prefix], an IPv4 prefix may be a
// contiguous dotted netmask; host bits are allowed (masked).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tenuo::detail::cel {

struct IpAddr {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses bytes[0..3]
};

struct IpNet {
  IpAddr addr;
  unsigned prefix = 0;
};

[[nodiscard]] std::optional<IpAddr> parse_ip(std::string_view text) noexcept;
[[nodiscard]] std::optional<IpNet> parse_cidr(std::string_view text) noexcept;
// An IPv4 address never matches an IPv6 network and vice versa (as the Cidr constraint).
[[nodiscard]] bool in_net(const IpAddr& ip, const IpNet& net) noexcept;
// IPv4 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16; IPv6 ::1, fc00::/7, fe80::/10; an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged by its IPv4 address.
[[nodiscard]] bool is_private(const IpAddr& ip) noexcept;

}  // namespace tenuo::detail::cel
