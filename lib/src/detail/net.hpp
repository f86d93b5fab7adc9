#pragma once
// Strict IP literals and networks as the reference's Cidr constraint reads them (WIRE.md §11
// Cidr, §12.2 Cidr→Cidr). IPv4: dotted quad of decimal octets 0..255, a leading zero ("01")
// rejected. IPv6: RFC 4291 text (1–4 hex digits per group, one `::` standing for at least one
// zero group, an embedded dotted quad only as the last 32 bits), no brackets, no zone id.
// Networks: `addr[/prefix]`; an IPv4 prefix may be a contiguous dotted netmask; host bits are
// allowed and masked; no prefix means /32 or /128. Nothing here allocates on failure paths
// beyond the returned string; all functions are pure.

#include <tenuo/export.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tenuo::detail {

struct IpAddr {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses bytes[0..3]; the rest stay zero

  [[nodiscard]] int bits() const noexcept { return v6 ? 128 : 32; }
  bool operator==(const IpAddr&) const = default;
};

struct IpNetwork {
  IpAddr addr;     // as written (host bits kept); use network_address() for the masked form
  int prefix = 0;  // 0..32 or 0..128

  bool operator==(const IpNetwork&) const = default;
};

// Strict literal parsers; nullopt on anything else (including surrounding whitespace).
[[nodiscard]] TENUO_EXPORT std::optional<IpAddr> parse_ipv4(std::string_view s) noexcept;
[[nodiscard]] TENUO_EXPORT std::optional<IpAddr> parse_ipv6(std::string_view s) noexcept;
[[nodiscard]] TENUO_EXPORT std::optional<IpAddr> parse_ip(std::string_view s) noexcept;
// `addr[/prefix]`, IPv4 prefix as decimal 0..32 or dotted netmask, IPv6 prefix decimal 0..128.
// Prefix digits: no sign, no leading zero (stricter than the reference's integer parse [U]).
[[nodiscard]] TENUO_EXPORT std::optional<IpNetwork> parse_network(std::string_view s) noexcept;

// First and last address of the network (host bits cleared / set).
[[nodiscard]] TENUO_EXPORT IpAddr network_address(const IpNetwork& n) noexcept;
[[nodiscard]] TENUO_EXPORT IpAddr last_address(const IpNetwork& n) noexcept;
// True iff `a` has the network's family and lies inside it. An IPv4 address never lies in an
// IPv6 network (not even as ::ffff:a.b.c.d) and vice versa.
[[nodiscard]] TENUO_EXPORT bool contains(const IpNetwork& n, const IpAddr& a) noexcept;
// True iff every address of `child` lies in `parent` (same family, prefix not shorter).
[[nodiscard]] TENUO_EXPORT bool subnet_of(const IpNetwork& child, const IpNetwork& parent) noexcept;

// Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest run of two or more zero
// groups compressed, first run on a tie; no embedded dotted quad) — the WHATWG URL serialisation.
[[nodiscard]] TENUO_EXPORT std::string to_string(const IpAddr& a);
[[nodiscard]] TENUO_EXPORT std::string to_string(const IpNetwork& n);  // addr/prefix

}  // namespace tenuo::detail
