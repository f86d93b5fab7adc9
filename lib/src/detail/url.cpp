#include "detail/url.hpp"

#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tenuo::detail {
namespace {

Unexpected url_fail(std::string_view why) {
  return fail(ErrorCode::InvalidInput, fmt::format("not a valid URL: {}", why));
}

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) noexcept {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Percent-encode sets (WHATWG §1.3 as the reference's URL library defines them), per byte.
bool in_c0_set(unsigned char b) noexcept { return b < 0x20 || b > 0x7E; }
bool in_fragment_set(unsigned char b) noexcept {
  return in_c0_set(b) || b == ' ' || b == '"' || b == '<' || b == '>' || b == '`';
}
bool in_query_set(unsigned char b) noexcept {
  return in_c0_set(b) || b == ' ' || b == '"' || b == '#' || b == '<' || b == '>';
}
bool in_special_query_set(unsigned char b) noexcept { return in_query_set(b) || b == '\''; }
bool in_path_set(unsigned char b) noexcept {
  return in_fragment_set(b) || b == '#' || b == '?' || b == '{' || b == '}';
}
bool in_userinfo_set(unsigned char b) noexcept {
  return in_path_set(b) || b == '/' || b == ':' || b == ';' || b == '=' || b == '@' ||
         b == '[' || b == '\\' || b == ']' || b == '^' || b == '|';
}

template <class Pred>
void percent_encode_into(std::string& out, std::string_view s, Pred in_set) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (in_set(b)) {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    } else {
      out.push_back(ch);
    }
  }
}

bool is_forbidden_host_cp(unsigned char c) noexcept {
  switch (c) {
    case 0x00: case 0x09: case 0x0A: case 0x0D: case ' ': case '#': case '/': case ':':
    case '<': case '>': case '?': case '@': case '[': case '\\': case ']': case '^': case '|':
      return true;
    default:
      return false;
  }
}
bool is_forbidden_domain_cp(unsigned char c) noexcept {
  return is_forbidden_host_cp(c) || c <= 0x1F || c == '%' || c == 0x7F;
}

bool is_windows_drive_letter(std::string_view s) noexcept {
  return s.size() == 2 && is_alpha(s[0]) && (s[1] == ':' || s[1] == '|');
}
bool is_normalized_windows_drive_letter(std::string_view s) noexcept {
  return s.size() == 2 && is_alpha(s[0]) && s[1] == ':';
}

bool is_single_dot(std::string_view s) noexcept { return s == "." || iequals_ascii(s, "%2e"); }
bool is_double_dot(std::string_view s) noexcept {
  return s == ".." || iequals_ascii(s, ".%2e") || iequals_ascii(s, "%2e.") ||
         iequals_ascii(s, "%2e%2e");
}

// IPv4 number: decimal, 0x hex, or leading-0 octal. nullopt on failure. Saturates at 2^40 so
// that the range checks below still fail for huge inputs.
std::optional<std::uint64_t> parse_ipv4_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  unsigned radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    radix = 16;
  } else if (s.size() >= 2 && s[0] == '0') {
    s.remove_prefix(1);
    radix = 8;
  }
  if (s.empty()) return 0;
  std::uint64_t v = 0;
  constexpr std::uint64_t kCap = std::uint64_t{1} << 40;
  for (char c : s) {
    unsigned d = 0;
    if (radix == 16) {
      if (!is_hex(c)) return std::nullopt;
      d = static_cast<unsigned>(hex_value(c));
    } else {
      if (!is_digit(c)) return std::nullopt;
      d = static_cast<unsigned>(c - '0');
      if (d >= radix) return std::nullopt;
    }
    v = std::min(kCap, v * radix + d);
  }
  return v;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(s.substr(start));
      break;
    }
    parts.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
  return parts;
}

struct ParsedHost {
  HostKind kind = HostKind::Domain;
  std::string text;
  std::uint32_t ipv4 = 0;
  Ipv6Pieces ipv6{};
};

Result<ParsedHost> parse_opaque_host(std::string_view input) {
  for (char c : input)
    if (is_forbidden_host_cp(static_cast<unsigned char>(c)))
      return url_fail(fmt::format("forbidden character {:?} in host", c));
  ParsedHost h;
  h.kind = HostKind::Opaque;
  percent_encode_into(h.text, input, in_c0_set);
  return h;
}

// Host parser; `special` false means an opaque host.
Result<ParsedHost> parse_host(std::string_view input, bool special) {
  ParsedHost h;
  if (!input.empty() && input.front() == '[') {
    if (input.back() != ']' || input.size() < 2) return url_fail("unclosed IPv6 address");
    auto v6 = parse_ipv6_pieces(input.substr(1, input.size() - 2));
    if (!v6) return url_fail("invalid IPv6 address");
    h.kind = HostKind::Ipv6;
    h.ipv6 = *v6;
    h.text = "[" + serialize_ipv6(*v6) + "]";
    return h;
  }
  if (!special) return parse_opaque_host(input);
  const std::string domain = percent_decode(input);
  // IDNA (UTS #46) fails closed: only ASCII hosts, and no punycode labels we cannot validate.
  if (!is_ascii(domain)) return url_fail("non-ASCII host (IDNA is not supported)");
  std::string ascii = ascii_lower(domain);
  if (ascii.empty()) return url_fail("empty host");
  for (auto label : split_dots(ascii))
    if (label.substr(0, 4) == "xn--") return url_fail("punycode host label (IDNA is not supported)");
  for (char c : ascii)
    if (is_forbidden_domain_cp(static_cast<unsigned char>(c)))
      return url_fail(fmt::format("forbidden character {:?} in host", c));
  if (host_ends_in_number(ascii)) {
    auto v4 = parse_ipv4_whatwg(ascii);
    if (!v4) return url_fail("invalid IPv4 address");
    h.kind = HostKind::Ipv4;
    h.ipv4 = *v4;
    h.text = serialize_ipv4(*v4);
    return h;
  }
  h.kind = HostKind::Domain;
  h.text = std::move(ascii);
  return h;
}

void set_host(Url& url, ParsedHost h) {
  url.host_kind = h.kind;
  url.host = std::move(h.text);
  url.ipv4 = h.ipv4;
  url.ipv6 = h.ipv6;
}

void shorten_path(Url& url) {
  if (url.scheme == "file" && url.path.size() == 1 &&
      is_normalized_windows_drive_letter(url.path[0]))
    return;
  if (!url.path.empty()) url.path.pop_back();
}

class Parser {
 public:
  explicit Parser(std::string_view in) : m_in(in) {}

  Result<Url> run() {
    TENUO_TRY(parse_scheme());
    if (m_url.scheme == "file") {
      TENUO_TRY(parse_file());
    } else if (m_url.special()) {
      while (m_pos < m_in.size() && (m_in[m_pos] == '/' || m_in[m_pos] == '\\')) ++m_pos;
      TENUO_TRY(parse_authority());
      TENUO_TRY(parse_path_start());
    } else if (starts_with("//")) {
      m_pos += 2;
      TENUO_TRY(parse_authority());
      TENUO_TRY(parse_path_start());
    } else if (starts_with("/")) {
      TENUO_TRY(parse_path());
    } else {
      parse_opaque_path();
    }
    return std::move(m_url);
  }

 private:
  [[nodiscard]] bool starts_with(std::string_view p) const noexcept {
    return m_in.substr(m_pos).substr(0, p.size()) == p;
  }
  [[nodiscard]] bool at_end() const noexcept { return m_pos >= m_in.size(); }
  [[nodiscard]] char cur() const noexcept { return m_in[m_pos]; }
  [[nodiscard]] bool is_slash(char c) const noexcept {
    return c == '/' || (m_url.special() && c == '\\');
  }

  Result<void> parse_scheme() {
    if (m_in.empty() || !is_alpha(m_in[0])) return url_fail("missing scheme");
    std::size_t i = 1;
    while (i < m_in.size() && (is_alpha(m_in[i]) || is_digit(m_in[i]) || m_in[i] == '+' ||
                               m_in[i] == '-' || m_in[i] == '.'))
      ++i;
    if (i >= m_in.size() || m_in[i] != ':') return url_fail("missing scheme");
    m_url.scheme = ascii_lower(m_in.substr(0, i));
    m_pos = i + 1;
    return {};
  }

  Result<void> parse_authority() {
    std::size_t end = m_pos;
    while (end < m_in.size()) {
      const char c = m_in[end];
      if (c == '/' || c == '?' || c == '#' || (m_url.special() && c == '\\')) break;
      ++end;
    }
    std::string_view auth = m_in.substr(m_pos, end - m_pos);
    const auto at = auth.rfind('@');
    if (at != std::string_view::npos) {
      const std::string_view creds = auth.substr(0, at);
      // Every '@' but the last is part of the credentials (encoded as %40 by the set).
      const auto colon = creds.find(':');
      percent_encode_into(m_url.username, creds.substr(0, colon), in_userinfo_set);
      if (colon != std::string_view::npos)
        percent_encode_into(m_url.password, creds.substr(colon + 1), in_userinfo_set);
      auth = auth.substr(at + 1);
      if (auth.empty()) return url_fail("credentials without a host");
    }
    m_pos = end;
    // Host and port: the first ':' outside brackets starts the port.
    bool in_brackets = false;
    std::size_t colon = std::string_view::npos;
    for (std::size_t i = 0; i < auth.size(); ++i) {
      if (auth[i] == '[') in_brackets = true;
      if (auth[i] == ']') in_brackets = false;
      if (auth[i] == ':' && !in_brackets) {
        colon = i;
        break;
      }
    }
    const std::string_view host = auth.substr(0, colon);
    if (colon != std::string_view::npos && host.empty()) return url_fail("empty host");
    if (host.empty()) {
      if (m_url.special()) return url_fail("empty host");
      m_url.host_kind = HostKind::Empty;
    } else {
      TENUO_TRY_ASSIGN(auto h, parse_host(host, m_url.special()));
      set_host(m_url, std::move(h));
    }
    if (colon != std::string_view::npos) {
      const std::string_view port = auth.substr(colon + 1);
      if (!port.empty()) {
        std::uint32_t v = 0;
        for (char c : port) {
          if (!is_digit(c)) return url_fail("invalid port");
          v = std::min<std::uint32_t>(70000, v * 10 + static_cast<std::uint32_t>(c - '0'));
        }
        if (v > 65535) return url_fail("port out of range");
        const auto p = static_cast<std::uint16_t>(v);
        if (scheme_default_port(m_url.scheme) != p) m_url.port = p;
      }
    }
    return {};
  }

  Result<void> parse_file() {
    m_url.host_kind = HostKind::Empty;
    if (!at_end() && (cur() == '/' || cur() == '\\')) {
      ++m_pos;
      if (!at_end() && (cur() == '/' || cur() == '\\')) {
        ++m_pos;
        std::size_t end = m_pos;
        while (end < m_in.size() && m_in[end] != '/' && m_in[end] != '\\' && m_in[end] != '?' &&
               m_in[end] != '#')
          ++end;
        const std::string_view buf = m_in.substr(m_pos, end - m_pos);
        if (is_windows_drive_letter(buf)) {
          // "file://C:/x": the drive letter is the first path segment, not a host.
          return parse_path();
        }
        m_pos = end;
        if (!buf.empty()) {
          TENUO_TRY_ASSIGN(auto h, parse_host(buf, true));
          if (h.kind == HostKind::Domain && h.text == "localhost") h = ParsedHost{HostKind::Empty, "", 0, {}};
          set_host(m_url, std::move(h));
        }
        return parse_path_start();
      }
      --m_pos;  // "file:/x": the slash starts the path
    }
    return parse_path();
  }

  Result<void> parse_path_start() {
    if (m_url.special()) {
      if (!at_end() && (cur() == '/' || cur() == '\\')) ++m_pos;
      return parse_path_from_here();
    }
    if (at_end()) return {};
    if (cur() == '?' || cur() == '#') {
      parse_query_fragment();
      return {};
    }
    if (cur() == '/') ++m_pos;
    return parse_path_from_here();
  }

  // Path state entered at a '/' (which is consumed here).
  Result<void> parse_path() {
    if (!at_end() && is_slash(cur())) ++m_pos;
    return parse_path_from_here();
  }

  Result<void> parse_path_from_here() {
    std::string buf;
    for (;;) {
      const bool end = at_end() || cur() == '?' || cur() == '#';
      const bool slash = !end && is_slash(cur());
      if (end || slash) {
        if (is_double_dot(buf)) {
          shorten_path(m_url);
          if (!slash) m_url.path.emplace_back();
        } else if (is_single_dot(buf)) {
          if (!slash) m_url.path.emplace_back();
        } else {
          if (m_url.scheme == "file" && m_url.path.empty() && is_windows_drive_letter(buf))
            buf[1] = ':';
          m_url.path.push_back(buf);
        }
        buf.clear();
        if (end) break;
        ++m_pos;
        continue;
      }
      percent_encode_into(buf, m_in.substr(m_pos, 1), in_path_set);
      ++m_pos;
    }
    parse_query_fragment();
    return {};
  }

  void parse_opaque_path() {
    m_url.opaque_path = true;
    std::string buf;
    while (!at_end() && cur() != '?' && cur() != '#') {
      percent_encode_into(buf, m_in.substr(m_pos, 1), in_c0_set);
      ++m_pos;
    }
    m_url.path.push_back(std::move(buf));
    parse_query_fragment();
  }

  void parse_query_fragment() {
    if (!at_end() && cur() == '?') {
      ++m_pos;
      const auto hash = m_in.find('#', m_pos);
      const std::string_view q = m_in.substr(m_pos, hash == std::string_view::npos ? std::string_view::npos : hash - m_pos);
      std::string out;
      if (m_url.special())
        percent_encode_into(out, q, in_special_query_set);
      else
        percent_encode_into(out, q, in_query_set);
      m_url.query = std::move(out);
      m_pos += q.size();
    }
    if (!at_end() && cur() == '#') {
      ++m_pos;
      std::string out;
      percent_encode_into(out, m_in.substr(m_pos), in_fragment_set);
      m_url.fragment = std::move(out);
      m_pos = m_in.size();
    }
  }

  std::string_view m_in;
  std::size_t m_pos = 0;
  Url m_url;
};

}  // namespace

bool is_special_scheme(std::string_view s) noexcept {
  return s == "http" || s == "https" || s == "ws" || s == "wss" || s == "ftp" || s == "file";
}

std::optional<std::uint16_t> scheme_default_port(std::string_view s) noexcept {
  if (s == "http" || s == "ws") return 80;
  if (s == "https" || s == "wss") return 443;
  if (s == "ftp") return 21;
  return std::nullopt;
}

bool Url::special() const noexcept { return is_special_scheme(scheme); }

std::string Url::path_string() const {
  if (opaque_path) return path.empty() ? std::string() : path.front();
  std::string out;
  for (const auto& seg : path) {
    out.push_back('/');
    out += seg;
  }
  return out;
}

std::string Url::href() const {
  std::string out = scheme + ":";
  if (host_kind != HostKind::None) {
    out += "//";
    if (!username.empty() || !password.empty()) {
      out += username;
      if (!password.empty()) out += ":" + password;
      out += "@";
    }
    out += host;
    if (port) out += ":" + std::to_string(*port);
  } else if (!opaque_path && path.size() > 1 && path.front().empty()) {
    out += "/.";
  }
  out += path_string();
  if (query) out += "?" + *query;
  if (fragment) out += "#" + *fragment;
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool host_ends_in_number(std::string_view host) {
  auto parts = split_dots(host);
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  const std::string_view last = parts.back();
  if (!last.empty() && std::all_of(last.begin(), last.end(), is_digit)) return true;
  return parse_ipv4_number(last).has_value();
}

std::optional<std::uint32_t> parse_ipv4_whatwg(std::string_view host) {
  auto parts = split_dots(host);
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  std::vector<std::uint64_t> numbers;
  for (auto p : parts) {
    auto n = parse_ipv4_number(p);
    if (!n) return std::nullopt;
    numbers.push_back(*n);
  }
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i)
    if (numbers[i] > 255) return std::nullopt;
  const std::uint64_t limit = std::uint64_t{1} << (8 * (5 - numbers.size()));
  if (numbers.back() >= limit) return std::nullopt;
  std::uint64_t v = numbers.back();
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i) v += numbers[i] << (8 * (3 - i));
  return static_cast<std::uint32_t>(v);
}

std::optional<Ipv6Pieces> parse_ipv6_pieces(std::string_view in) {
  Ipv6Pieces a{};
  std::size_t piece = 0;
  std::optional<std::size_t> compress;
  std::size_t p = 0;
  auto c = [&]() -> char { return p < in.size() ? in[p] : '\0'; };
  auto eof = [&] { return p >= in.size(); };
  if (c() == ':') {
    if (p + 1 >= in.size() || in[p + 1] != ':') return std::nullopt;
    p += 2;
    ++piece;
    compress = piece;
  }
  while (!eof()) {
    if (piece == 8) return std::nullopt;
    if (c() == ':') {
      if (compress) return std::nullopt;
      ++p;
      ++piece;
      compress = piece;
      continue;
    }
    unsigned value = 0;
    std::size_t length = 0;
    while (length < 4 && !eof() && is_hex(c())) {
      value = value * 16 + static_cast<unsigned>(hex_value(c()));
      ++p;
      ++length;
    }
    if (!eof() && c() == '.') {
      if (length == 0) return std::nullopt;
      p -= length;
      if (piece > 6) return std::nullopt;
      int seen = 0;
      while (!eof()) {
        std::optional<unsigned> v4;
        if (seen > 0) {
          if (c() == '.' && seen < 4)
            ++p;
          else
            return std::nullopt;
        }
        if (eof() || !is_digit(c())) return std::nullopt;
        while (!eof() && is_digit(c())) {
          const auto n = static_cast<unsigned>(c() - '0');
          if (!v4)
            v4 = n;
          else if (*v4 == 0)
            return std::nullopt;
          else
            v4 = *v4 * 10 + n;
          if (*v4 > 255) return std::nullopt;
          ++p;
        }
        a[piece] = static_cast<std::uint16_t>(a[piece] * 0x100 + *v4);
        ++seen;
        if (seen == 2 || seen == 4) ++piece;
      }
      if (seen != 4) return std::nullopt;
      break;
    }
    if (!eof() && c() == ':') {
      ++p;
      if (eof()) return std::nullopt;
    } else if (!eof()) {
      return std::nullopt;
    }
    a[piece] = static_cast<std::uint16_t>(value);
    ++piece;
  }
  if (compress) {
    std::size_t swaps = piece - *compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      std::swap(a[piece], a[*compress + swaps - 1]);
      --piece;
      --swaps;
    }
  } else if (piece != 8) {
    return std::nullopt;
  }
  return a;
}

std::string serialize_ipv4(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xFF, (a >> 8) & 0xFF, a & 0xFF);
}

std::string serialize_ipv6(const Ipv6Pieces& a) {
  // Compress the first longest run of two or more zero pieces.
  std::optional<std::size_t> best;
  std::size_t best_len = 1;
  for (std::size_t i = 0; i < 8;) {
    if (a[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && a[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  bool ignore0 = false;
  for (std::size_t i = 0; i < 8; ++i) {
    if (ignore0 && a[i] == 0) continue;
    ignore0 = false;
    if (best && *best == i) {
      out += (i == 0) ? "::" : ":";
      ignore0 = true;
      continue;
    }
    out += fmt::format("{:x}", a[i]);
    if (i != 7) out.push_back(':');
  }
  return out;
}

Result<Url> parse_url(std::string_view raw) {
  if (!is_valid_utf8(raw)) return url_fail("not UTF-8");
  // Strip leading/trailing C0 control or space; remove tab and newlines anywhere.
  std::size_t b = 0;
  std::size_t e = raw.size();
  while (b < e && static_cast<unsigned char>(raw[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(raw[e - 1]) <= 0x20) --e;
  std::string in;
  in.reserve(e - b);
  for (std::size_t i = b; i < e; ++i)
    if (raw[i] != '\t' && raw[i] != '\n' && raw[i] != '\r') in.push_back(raw[i]);
  Parser p(in);
  return p.run();
}

}  // namespace tenuo::detail
