#include "detail/url_pattern.hpp"

#include "detail/net.hpp"

#include <fmt/format.h>

// What is accepted, and why it is narrower than the reference (WIRE.md §11 says the reference
// puts placeholders for `*.` and `/*` into the text and runs a WHATWG URL parser over it):
//  * `scheme://` is required; scheme `*` or an RFC 3986 scheme (lowercased).
//  * No userinfo, query or fragment: WHATWG would accept and then ignore them for matching,
//    so a pattern like `https://h/file?.txt` would silently mean `https://h/file`. Rejected.
//  * Host: `*`, `*.` + domain, a domain of ASCII letters, digits, `-`, `_` and dots, an
//    IPv4 dotted quad, or a bracketed IPv6 literal. Percent-escapes, non-ASCII (IDNA) and
//    WHATWG's numeric IPv4 forms (`0x7f.1`) are rejected instead of being normalised, so the
//    stored host is exactly what a WHATWG parser would serialise. `*` anywhere else rejected.
//  * Port: decimal 0..65535; `:` with no digits rejected. An explicit default port of a
//    special scheme is dropped (means "any"), as the WHATWG parser does. With scheme `*` the
//    reference substitutes a concrete scheme before parsing [U]; we keep the port (stricter).
//  * Path: kept as written; it must not need WHATWG normalisation (no `.`/`..` segments, no
//    backslash, nothing that would be percent-encoded: controls, space, `"<>\`{}`, non-ASCII).
//    `*.` inside the path is rejected: the reference leaves its placeholder there, so such a
//    pattern could never match.

namespace tenuo::detail {

namespace {

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

Unexpected bad(std::string_view text, std::string_view why) {
  return fail(ErrorCode::InvalidInput, fmt::format("invalid URL pattern \"{}\": {}", text, why));
}

// WHATWG "ends in a number": the last label (ignoring one trailing empty label) is all
// digits or 0x-hex. Such hosts are IPv4 addresses to a WHATWG parser.
bool ends_in_number(std::string_view host) noexcept {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const auto dot = host.rfind('.');
  const auto last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  bool all_digits = true;
  for (char c : last) all_digits = all_digits && is_digit(c);
  if (all_digits) return true;
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
    for (char c : last.substr(2))
      if (!is_digit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    return true;
  }
  return false;
}

bool valid_domain(std::string_view d) noexcept {
  if (d.empty()) return false;
  for (char c : d)
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

bool path_char_ok(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '"': case '<': case '>': case '`': case '{': case '}': case '\\': case '?': case '#':
      return false;
    default:
      return true;
  }
}

}  // namespace

std::optional<std::uint16_t> default_port(std::string_view scheme) noexcept {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return std::nullopt;
}

Result<UrlPatternParts> parse_url_pattern(std::string_view text) {
  UrlPatternParts out;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return bad(text, "expected scheme://host");
  const auto scheme = text.substr(0, sep);
  if (scheme == "*") {
    out.scheme = "*";
  } else {
    if (scheme.empty() || !is_alpha(scheme[0])) return bad(text, "invalid scheme");
    for (char c : scheme)
      if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
        return bad(text, "invalid scheme");
    out.scheme = lowercase(scheme);
  }

  auto rest = text.substr(sep + 3);
  const auto path_at = rest.find('/');
  auto authority = rest.substr(0, path_at);
  const auto path = path_at == std::string_view::npos ? std::string_view{} : rest.substr(path_at);
  if (authority.find_first_of("@?#\\") != std::string_view::npos)
    return bad(text, "userinfo, query and fragment are not allowed");

  // Split host and port; an IPv6 literal is bracketed.
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad(text, "unterminated IPv6 literal");
    const auto ip = parse_ipv6(authority.substr(1, close - 1));
    if (!ip) return bad(text, "invalid IPv6 literal");
    out.host = "[" + to_string(*ip) + "]";
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad(text, "unexpected text after IPv6 literal");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (host.empty()) return bad(text, "empty host");
    if (host == "*") {
      out.host = "*";
    } else {
      std::string_view domain = host;
      if (host.size() >= 2 && host[0] == '*' && host[1] == '.') domain = host.substr(2);
      if (!valid_domain(domain)) return bad(text, "invalid host");
      if (ends_in_number(domain)) {
        // Only a plain dotted quad, and never under a wildcard.
        if (domain.size() != host.size() || !parse_ipv4(domain))
          return bad(text, "host looks numeric but is not a dotted-quad IPv4 address");
      }
      out.host = lowercase(host);
    }
  }

  if (has_port) {
    if (port_text.empty() || port_text.size() > 5) return bad(text, "invalid port");
    unsigned p = 0;
    for (char c : port_text) {
      if (!is_digit(c)) return bad(text, "invalid port");
      p = p * 10 + static_cast<unsigned>(c - '0');
    }
    if (p > 65535) return bad(text, "port out of range");
    const auto port = static_cast<std::uint16_t>(p);
    if (out.scheme == "*" || default_port(out.scheme) != port) out.port = port;
  }

  if (!path.empty() && path != "/") {
    for (char c : path)
      if (!path_char_ok(c)) return bad(text, "path contains a character a URL parser would change");
    if (path.find("*.") != std::string_view::npos)
      return bad(text, "'*.' inside the path never matches (use a separate segment)");
    // Dot segments would be resolved by the URL parser.
    std::size_t i = 0;
    while (i < path.size()) {
      const auto next = path.find('/', i + 1);
      const auto seg = path.substr(i + 1, next == std::string_view::npos ? std::string_view::npos
                                                                         : next - i - 1);
      const auto seg_l = lowercase(seg);
      if (seg_l == "." || seg_l == ".." || seg_l == "%2e" || seg_l == ".%2e" ||
          seg_l == "%2e." || seg_l == "%2e%2e")
        return bad(text, "path contains a '.' or '..' segment");
      if (next == std::string_view::npos) break;
      i = next;
    }
    out.path = std::string(path);
  }
  return out;
}

}  // namespace tenuo::detail
