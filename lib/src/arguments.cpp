#include <tenuo/arguments.hpp>

#include "detail/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace tenuo {
namespace detail {
namespace {

// 2^63 as a double; the Int range of a double is [-2^63, 2^63).
constexpr double kTwo63 = 9223372036854775808.0;
// Recursion bound whatever limits a caller passes (the parser recurses once per level).
constexpr std::size_t kHardMaxDepth = 128;

class Parser {
 public:
  Parser(std::string_view text, const ArgumentLimits& limits, NumberStyle style)
      : m_text(text), m_limits(limits), m_style(style),
        m_max_depth(std::min(limits.max_depth, kHardMaxDepth)) {}

  Result<Object> parse_top() {
    if (m_text.size() > m_limits.max_text_bytes)
      return fail_at(0, fmt::format("argument text is {} bytes, over the {}-byte limit",
                                    m_text.size(), m_limits.max_text_bytes));
    skip_ws();
    if (m_pos == m_text.size()) return fail_at(m_pos, "empty text, expected a JSON object");
    if (m_text[m_pos] != '{')
      return fail_at(m_pos, "the top-level value must be a JSON object");
    TENUO_TRY_ASSIGN(Object top, parse_object_members(0));
    skip_ws();
    if (m_pos != m_text.size()) return fail_at(m_pos, "trailing data after the JSON object");
    return top;
  }

 private:
  Unexpected fail_at(std::size_t offset, std::string_view what) const {
    Error e(ErrorCode::InvalidArguments,
            fmt::format("invalid argument JSON at offset {}: {}", offset, what));
    e.byte_offset = offset;
    return Unexpected{std::move(e)};
  }

  void skip_ws() {
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++m_pos;
    }
  }

  Result<void> count_value(std::size_t depth) {
    if (depth > m_max_depth)
      return fail_at(m_pos, fmt::format("nesting deeper than {} levels", m_max_depth));
    if (++m_values > m_limits.max_values)
      return fail_at(m_pos, fmt::format("more than {} values", m_limits.max_values));
    return {};
  }

  Result<Value> parse_value(std::size_t depth) {
    skip_ws();
    if (m_pos == m_text.size()) return fail_at(m_pos, "unexpected end of text, expected a value");
    TENUO_TRY(count_value(depth));
    const char c = m_text[m_pos];
    switch (c) {
      case '{': {
        TENUO_TRY_ASSIGN(Object o, parse_object_members(depth));
        return Value::object(std::move(o));
      }
      case '[': return parse_array(depth);
      case '"': {
        TENUO_TRY_ASSIGN(std::string s, parse_string());
        return Value{std::move(s)};
      }
      case 't': return parse_literal("true", Value{true});
      case 'f': return parse_literal("false", Value{false});
      case 'n': return parse_literal("null", Value{});
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
        return fail_at(m_pos, fmt::format("unexpected character {}", describe(c)));
    }
  }

  static std::string describe(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7f) return fmt::format("'{}'", c);
    return fmt::format("0x{:02x}", u);
  }

  Result<Value> parse_literal(std::string_view word, Value v) {
    if (m_text.substr(m_pos, word.size()) != word)
      return fail_at(m_pos, "invalid literal (expected true, false or null)");
    m_pos += word.size();
    return v;
  }

  // At '{'. The object's own value was already counted by the caller (or is the top level).
  Result<Object> parse_object_members(std::size_t depth) {
    if (depth == 0) TENUO_TRY(count_value(0));
    ++m_pos;  // '{'
    Object members;
    std::vector<std::size_t> key_offsets;
    skip_ws();
    if (m_pos < m_text.size() && m_text[m_pos] == '}') {
      ++m_pos;
      return members;
    }
    while (true) {
      skip_ws();
      if (m_pos == m_text.size()) return fail_at(m_pos, "unterminated object");
      if (m_text[m_pos] != '"')
        return fail_at(m_pos, "expected a member name in double quotes");
      if (members.size() == m_limits.max_entries)
        return fail_at(m_pos, fmt::format("object has more than {} members", m_limits.max_entries));
      const std::size_t key_at = m_pos;
      TENUO_TRY_ASSIGN(std::string key, parse_string());
      skip_ws();
      if (m_pos == m_text.size() || m_text[m_pos] != ':')
        return fail_at(m_pos, "expected ':' after the member name");
      ++m_pos;
      TENUO_TRY_ASSIGN(Value v, parse_value(depth + 1));
      members.push_back(Member{std::move(key), std::move(v)});
      key_offsets.push_back(key_at);
      skip_ws();
      if (m_pos == m_text.size()) return fail_at(m_pos, "unterminated object");
      if (m_text[m_pos] == ',') {
        ++m_pos;
        continue;
      }
      if (m_text[m_pos] == '}') {
        ++m_pos;
        break;
      }
      return fail_at(m_pos, "expected ',' or '}' in object");
    }
    // Duplicates are compared on the decoded names, so "b" and "\u0062" clash (§8.1.1).
    std::vector<std::size_t> order(members.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return members[a].key < members[b].key;
    });
    for (std::size_t i = 1; i < order.size(); ++i) {
      if (members[order[i - 1]].key == members[order[i]].key) {
        const std::size_t later = std::max(order[i - 1], order[i]);
        return fail_at(key_offsets[later],
                       fmt::format("duplicate member name \"{}\"", printable(members[later].key)));
      }
    }
    Object sorted;
    sorted.reserve(members.size());
    for (std::size_t i : order) sorted.push_back(std::move(members[i]));
    return sorted;
  }

  static std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 64)) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == '"' || c == '\\')
        out += fmt::format("\\x{:02x}", u);
      else
        out += c;
    }
    if (s.size() > 64) out += "...";
    return out;
  }

  Result<Value> parse_array(std::size_t depth) {
    ++m_pos;  // '['
    List items;
    skip_ws();
    if (m_pos < m_text.size() && m_text[m_pos] == ']') {
      ++m_pos;
      return Value{std::move(items)};
    }
    while (true) {
      if (items.size() == m_limits.max_entries)
        return fail_at(m_pos, fmt::format("array has more than {} elements", m_limits.max_entries));
      TENUO_TRY_ASSIGN(Value v, parse_value(depth + 1));
      items.push_back(std::move(v));
      skip_ws();
      if (m_pos == m_text.size()) return fail_at(m_pos, "unterminated array");
      if (m_text[m_pos] == ',') {
        ++m_pos;
        continue;
      }
      if (m_text[m_pos] == ']') {
        ++m_pos;
        break;
      }
      return fail_at(m_pos, "expected ',' or ']' in array");
    }
    return Value{std::move(items)};
  }

  Result<void> charge_string_bytes(std::size_t start, std::size_t len, std::size_t add) {
    if (len + add > m_limits.max_string_bytes)
      return fail_at(start, fmt::format("string longer than {} bytes", m_limits.max_string_bytes));
    if (m_string_total + add > m_limits.max_total_string_bytes)
      return fail_at(start, fmt::format("strings total more than {} bytes",
                                        m_limits.max_total_string_bytes));
    m_string_total += add;
    return {};
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads the 4 hex digits after "\u" at m_pos (which points at 'u').
  Result<std::uint32_t> read_u_escape() {
    if (m_pos + 5 > m_text.size()) return fail_at(m_pos - 1, "truncated \\u escape");
    std::uint32_t cp = 0;
    for (std::size_t i = 1; i <= 4; ++i) {
      const int d = hex_digit(m_text[m_pos + i]);
      if (d < 0) return fail_at(m_pos - 1, "invalid hex digit in \\u escape");
      cp = cp << 4 | static_cast<std::uint32_t>(d);
    }
    m_pos += 5;
    return cp;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  static std::size_t utf8_len(std::uint32_t cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }

  // Length of the valid UTF-8 sequence starting at `i` (lead byte >= 0x80), or 0 if invalid
  // (overlong forms, encoded surrogates and code points above U+10FFFF are invalid).
  std::size_t utf8_sequence(std::size_t i) const {
    auto at = [&](std::size_t k) -> unsigned {
      return k < m_text.size() ? static_cast<unsigned char>(m_text[k]) : 0u;
    };
    const unsigned b0 = at(i);
    auto cont = [&](std::size_t k) { return (at(k) & 0xc0u) == 0x80u; };
    if (b0 >= 0xc2 && b0 <= 0xdf) return cont(i + 1) ? 2 : 0;
    if (b0 >= 0xe0 && b0 <= 0xef) {
      const unsigned b1 = at(i + 1);
      if (b0 == 0xe0 && (b1 < 0xa0 || b1 > 0xbf)) return 0;
      if (b0 == 0xed && (b1 < 0x80 || b1 > 0x9f)) return 0;
      return cont(i + 1) && cont(i + 2) ? 3 : 0;
    }
    if (b0 >= 0xf0 && b0 <= 0xf4) {
      const unsigned b1 = at(i + 1);
      if (b0 == 0xf0 && (b1 < 0x90 || b1 > 0xbf)) return 0;
      if (b0 == 0xf4 && (b1 < 0x80 || b1 > 0x8f)) return 0;
      return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    return 0;
  }

  // At '"'. Returns the decoded text.
  Result<std::string> parse_string() {
    const std::size_t start = m_pos;
    ++m_pos;
    std::string out;
    while (true) {
      // Copy the longest run of bytes that need no decoding in one go.
      std::size_t run = m_pos;
      while (run < m_text.size()) {
        const auto u = static_cast<unsigned char>(m_text[run]);
        if (u < 0x20 || u == '"' || u == '\\' || u >= 0x80) break;
        ++run;
      }
      if (run > m_pos) {
        TENUO_TRY(charge_string_bytes(start, out.size(), run - m_pos));
        out.append(m_text.substr(m_pos, run - m_pos));
        m_pos = run;
      }
      if (m_pos == m_text.size()) return fail_at(start, "unterminated string");
      const auto u = static_cast<unsigned char>(m_text[m_pos]);
      if (u == '"') {
        ++m_pos;
        return out;
      }
      if (u < 0x20)
        return fail_at(m_pos, fmt::format("unescaped control character 0x{:02x} in string", u));
      if (u >= 0x80) {
        const std::size_t n = utf8_sequence(m_pos);
        if (n == 0) return fail_at(m_pos, "invalid UTF-8 in string");
        TENUO_TRY(charge_string_bytes(start, out.size(), n));
        out.append(m_text.substr(m_pos, n));
        m_pos += n;
        continue;
      }
      // Backslash escape.
      const std::size_t esc_at = m_pos;
      if (m_pos + 1 >= m_text.size()) return fail_at(esc_at, "truncated escape sequence");
      const char e = m_text[m_pos + 1];
      char simple = 0;
      switch (e) {
        case '"': simple = '"'; break;
        case '\\': simple = '\\'; break;
        case '/': simple = '/'; break;
        case 'b': simple = '\b'; break;
        case 'f': simple = '\f'; break;
        case 'n': simple = '\n'; break;
        case 'r': simple = '\r'; break;
        case 't': simple = '\t'; break;
        case 'u': break;
        default: return fail_at(esc_at, fmt::format("invalid escape \\{}", describe(e)));
      }
      if (e != 'u') {
        TENUO_TRY(charge_string_bytes(start, out.size(), 1));
        out += simple;
        m_pos += 2;
        continue;
      }
      ++m_pos;  // now at 'u'
      TENUO_TRY_ASSIGN(std::uint32_t cp, read_u_escape());
      if (cp >= 0xdc00 && cp <= 0xdfff)
        return fail_at(esc_at, "lone low surrogate in \\u escape");
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (m_pos + 1 >= m_text.size() || m_text[m_pos] != '\\' || m_text[m_pos + 1] != 'u')
          return fail_at(esc_at, "lone high surrogate in \\u escape");
        ++m_pos;
        TENUO_TRY_ASSIGN(std::uint32_t lo, read_u_escape());
        if (lo < 0xdc00 || lo > 0xdfff)
          return fail_at(esc_at, "high surrogate not followed by a low surrogate");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      }
      TENUO_TRY(charge_string_bytes(start, out.size(), utf8_len(cp)));
      append_utf8(out, cp);
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  Result<Value> parse_number() {
    const std::size_t start = m_pos;
    std::size_t p = m_pos;
    const std::size_t n = m_text.size();
    if (m_text[p] == '-') ++p;
    if (p == n || !is_digit(m_text[p])) return fail_at(start, "invalid number (no digits)");
    if (m_text[p] == '0') {
      ++p;
      if (p < n && is_digit(m_text[p])) return fail_at(start, "invalid number (leading zero)");
    } else {
      while (p < n && is_digit(m_text[p])) ++p;
    }
    const std::size_t int_end = p;
    bool integer_literal = true;
    if (p < n && m_text[p] == '.') {
      integer_literal = false;
      ++p;
      if (p == n || !is_digit(m_text[p]))
        return fail_at(start, "invalid number (no digits after '.')");
      while (p < n && is_digit(m_text[p])) ++p;
    }
    std::size_t exp_at = 0;
    if (p < n && (m_text[p] == 'e' || m_text[p] == 'E')) {
      integer_literal = false;
      exp_at = p;
      ++p;
      if (p < n && (m_text[p] == '+' || m_text[p] == '-')) ++p;
      if (p == n || !is_digit(m_text[p]))
        return fail_at(start, "invalid number (no digits in exponent)");
      while (p < n && is_digit(m_text[p])) ++p;
    }
    m_pos = p;
    const std::string_view tok = m_text.substr(start, p - start);
    const char* first = tok.data();
    const char* last = tok.data() + tok.size();

    if (integer_literal) {
      std::int64_t i = 0;
      const auto r = std::from_chars(first, last, i);
      if (r.ec == std::errc{} && r.ptr == last) return Value{i};
      // WIRE.md rejects literals in (i64::MAX, u64::MAX]; beyond u64 and below i64::MIN are
      // [U] (serde_json would read a double). Rejecting them all is the stricter choice.
      if (m_style == NumberStyle::V032)
        return fail_at(start, "integer literal outside the signed 64-bit range");
    }

    double d = 0;
    const auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      // libstdc++ reports a result that rounds to ±0 or ±inf as out of range; tell them apart
      // by the decimal magnitude of the literal.
      if (literal_magnitude(tok, int_end - start, exp_at == 0 ? 0 : exp_at - start) >= 0)
        return fail_at(start, "number is too large (not finite as a double)");
      d = tok.front() == '-' ? -0.0 : 0.0;
    } else if (r.ec != std::errc{} || r.ptr != last) {
      return fail_at(start, "invalid number");
    }
    if (!std::isfinite(d)) return fail_at(start, "number is too large (not finite as a double)");
    if (m_style == NumberStyle::Legacy) return Value{d};
    if (d == std::trunc(d) && d >= -kTwo63 && d < kTwo63) return Value{static_cast<std::int64_t>(d)};
    return Value{d};
  }

  // Decimal exponent of the first non-zero digit of a JSON number literal (0 for "1.5", -3 for
  // "0.001", 2 for "123"); saturates on absurd exponents. Only the sign matters to the caller.
  static long long literal_magnitude(std::string_view tok, std::size_t int_end, std::size_t exp_at) {
    const std::size_t mant_end = exp_at == 0 ? tok.size() : exp_at;
    long long pos = 0;  // digit position: int digits count down to 0, fraction digits go negative
    std::size_t first_int = tok.front() == '-' ? 1 : 0;
    long long mag = std::numeric_limits<long long>::min();
    const long long int_digits = static_cast<long long>(int_end - first_int);
    for (std::size_t i = first_int; i < mant_end; ++i) {
      const char c = tok[i];
      if (c == '.') continue;
      const long long place = int_digits - 1 - pos;
      ++pos;
      if (c != '0') {
        mag = place;
        break;
      }
    }
    if (mag == std::numeric_limits<long long>::min()) return -1;  // all zeros: value is 0
    long long e = 0;
    if (exp_at != 0) {
      std::size_t i = exp_at + 1;
      bool neg = false;
      if (tok[i] == '+' || tok[i] == '-') neg = tok[i++] == '-';
      for (; i < tok.size(); ++i) {
        e = e * 10 + (tok[i] - '0');
        if (e > 1'000'000'000) break;  // far beyond any double exponent
      }
      if (neg) e = -e;
    }
    return mag + e;
  }

  std::string_view m_text;
  const ArgumentLimits& m_limits;
  NumberStyle m_style;
  std::size_t m_max_depth;
  std::size_t m_pos = 0;
  std::size_t m_values = 0;
  std::size_t m_string_total = 0;
};

}  // namespace

Result<Object> parse_json_object(std::string_view text, const ArgumentLimits& limits,
                                 NumberStyle style) {
  Parser p(text, limits, style);
  return p.parse_top();
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x80) {
      // Copy a valid UTF-8 sequence; replace an invalid byte with U+FFFD.
      std::size_t n = 0;
      std::uint32_t need = 0;
      if (u >= 0xc2 && u <= 0xdf) need = 1;
      else if (u >= 0xe0 && u <= 0xef) need = 2;
      else if (u >= 0xf0 && u <= 0xf4) need = 3;
      bool ok = need > 0 && i + need < s.size();
      for (std::uint32_t k = 1; ok && k <= need; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) ok = false;
      if (ok) {
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        if ((u == 0xe0 && b1 < 0xa0) || (u == 0xed && b1 > 0x9f) || (u == 0xf0 && b1 < 0x90) ||
            (u == 0xf4 && b1 > 0x8f))
          ok = false;
      }
      if (ok) {
        n = need + 1;
        out.append(s.substr(i, n));
        i += n;
      } else {
        out += "\xef\xbf\xbd";
        ++i;
      }
      continue;
    }
    switch (u) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += static_cast<char>(u);
        }
    }
    ++i;
  }
  out += '"';
}

void append_json_value(std::string& out, const Value& v) {
  switch (v.kind()) {
    case ValueKind::Null: out += "null"; break;
    case ValueKind::Bool: out += v.as_bool() ? "true" : "false"; break;
    case ValueKind::Int: fmt::format_to(std::back_inserter(out), "{}", v.as_int()); break;
    case ValueKind::Float: {
      const double d = v.as_float();
      if (std::isnan(d))
        append_json_string(out, "NaN");
      else if (std::isinf(d))
        append_json_string(out, d > 0 ? "Infinity" : "-Infinity");
      else
        fmt::format_to(std::back_inserter(out), "{}", d);  // shortest round-trip
      break;
    }
    case ValueKind::String: append_json_string(out, v.as_string()); break;
    case ValueKind::Array: {
      out += '[';
      bool first = true;
      for (const auto& x : v.as_list()) {
        if (!first) out += ',';
        first = false;
        append_json_value(out, x);
      }
      out += ']';
      break;
    }
    case ValueKind::Map: {
      out += '{';
      bool first = true;
      for (const auto& m : v.as_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, m.key);
        out += ':';
        append_json_value(out, m.value);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace detail

Result<Object> parse_arguments(std::string_view json, const ArgumentLimits& limits) {
  return detail::parse_json_object(json, limits, detail::NumberStyle::V032);
}

Result<Object> parse_arguments_legacy(std::string_view json, const ArgumentLimits& limits) {
  TENUO_TRY_ASSIGN(Object o, detail::parse_json_object(json, limits, detail::NumberStyle::Legacy));
  return without_nulls(o);
}

std::string canonical_json(const Object& args) {
  std::string out;
  out += '{';
  bool first = true;
  for (const auto& m : args) {
    if (!first) out += ',';
    first = false;
    detail::append_json_string(out, m.key);
    out += ':';
    detail::append_json_value(out, m.value);
  }
  out += '}';
  return out;
}

Object without_nulls(const Object& args) {
  Object out;
  out.reserve(args.size());
  for (const auto& m : args)
    if (!m.value.is_null()) out.push_back(m);
  return out;
}

}  // namespace tenuo
