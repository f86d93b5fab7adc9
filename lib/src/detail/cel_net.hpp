#pragma once
// CEL's net_is_private classification; address parsing and CIDR containment come from
// detail/net.hpp (the Cidr constraint's rules).

#include "detail/net.hpp"

namespace tenuo::detail::cel {

// IPv4 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16; IPv6 ::1, fc00::/7, fe80::/10; an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged by its IPv4 address.
[[nodiscard]] bool is_private(const IpAddr& ip) noexcept;

}  // namespace tenuo::detail::cel
