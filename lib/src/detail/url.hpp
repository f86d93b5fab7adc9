#pragma once
// A WHATWG URL parser (no base URL) for what UrlPattern and UrlSafe need: special schemes
// (http, https, ws, wss, ftp, file) and non-special ones with opaque hosts or paths.
// IDNA fails closed: a host that is not ASCII after percent-decoding, or that has an `xn--`
// label, is a parse failure instead of being mapped with UTS #46.

#include <tenuo/export.hpp>
#include <tenuo/result.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenuo::detail {

enum class HostKind : std::uint8_t { None, Empty, Domain, Opaque, Ipv4, Ipv6 };

using Ipv6Pieces = std::array<std::uint16_t, 8>;

struct TENUO_EXPORT Url {
  std::string scheme;  // lowercase, without ':'
  std::string username;
  std::string password;
  HostKind host_kind = HostKind::None;
  std::string host;  // serialised: domain (lowercase ASCII), dotted IPv4, "[v6]", opaque text
  std::uint32_t ipv4 = 0;
  Ipv6Pieces ipv6{};
  std::optional<std::uint16_t> port;  // explicit non-default port only
  bool opaque_path = false;
  std::vector<std::string> path;  // percent-encoded segments; one element when opaque
  std::optional<std::string> query;
  std::optional<std::string> fragment;

  [[nodiscard]] bool special() const noexcept;
  // "/a/b" for hierarchical paths, the opaque path text otherwise.
  [[nodiscard]] std::string path_string() const;
  [[nodiscard]] std::string href() const;
};

// Default port of a special scheme (http/ws 80, https/wss 443, ftp 21); none for others.
[[nodiscard]] TENUO_EXPORT std::optional<std::uint16_t> scheme_default_port(std::string_view scheme) noexcept;
[[nodiscard]] TENUO_EXPORT bool is_special_scheme(std::string_view scheme) noexcept;

// Parses an absolute URL. Errors: InvalidInput with the WHATWG failure reason.
[[nodiscard]] TENUO_EXPORT Result<Url> parse_url(std::string_view input);

// WHATWG host pieces, exposed for tests and for UrlSafe's own IP checks.
// "ends in a number" — the host would go to the IPv4 parser.
[[nodiscard]] TENUO_EXPORT bool host_ends_in_number(std::string_view host);
// WHATWG IPv4 parser (decimal, octal, hex parts; 1–4 parts; trailing dot allowed).
[[nodiscard]] TENUO_EXPORT std::optional<std::uint32_t> parse_ipv4_whatwg(std::string_view host);
// WHATWG IPv6 parser (no brackets, no zone id).
[[nodiscard]] TENUO_EXPORT std::optional<Ipv6Pieces> parse_ipv6_pieces(std::string_view text);
[[nodiscard]] TENUO_EXPORT std::string serialize_ipv4(std::uint32_t a);
[[nodiscard]] TENUO_EXPORT std::string serialize_ipv6(const Ipv6Pieces& a);  // without brackets
// Percent-decodes %XX escapes (invalid escapes are kept as is).
[[nodiscard]] TENUO_EXPORT std::string percent_decode(std::string_view s);

}  // namespace tenuo::detail
