#include <tenuo/cbor.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <type_traits>

namespace tenuo::cbor {

Value Value::array(Array a) {
  Value v;
  v.m_v = std::move(a);
  return v;
}

Value Value::map(Map m) {
  Value v;
  v.m_v = std::move(m);
  return v;
}

Value Value::uint_array(ByteView b) {
  Array a;
  a.reserve(b.size());
  for (auto x : b) a.push_back(Value::integer(x));
  return array(std::move(a));
}

const Value* Value::find(std::string_view key) const noexcept {
  if (!is(Kind::Map)) return nullptr;
  for (const auto& e : as_map())
    if (e.key.is(Kind::Text) && e.key.as_text() == key) return &e.value;
  return nullptr;
}

const Value* Value::find_int(std::int64_t key) const noexcept {
  if (!is(Kind::Map)) return nullptr;
  for (const auto& e : as_map())
    if (e.key.is(Kind::Integer) && e.key.as_int() == key) return &e.value;
  return nullptr;
}

bool Value::operator==(const Value& o) const {
  if (kind() != o.kind()) return false;
  switch (kind()) {
    case Kind::Float:
      return std::bit_cast<std::uint64_t>(as_float()) == std::bit_cast<std::uint64_t>(o.as_float());
    case Kind::Map: {
      const auto& a = as_map();
      const auto& b = o.as_map();
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i].key == b[i].key) || !(a[i].value == b[i].value)) return false;
      return true;
    }
    default:
      return m_v == o.m_v;
  }
}

// ---------------------------------------------------------------- writer

void write_head(Bytes& out, std::uint8_t major, std::uint64_t arg) {
  const auto m = static_cast<std::uint8_t>(major << 5);
  if (arg < 24) {
    out.push_back(static_cast<std::uint8_t>(m | arg));
  } else if (arg <= 0xff) {
    out.push_back(m | 24);
    out.push_back(static_cast<std::uint8_t>(arg));
  } else if (arg <= 0xffff) {
    out.push_back(m | 25);
    for (int s = 8; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(arg >> s));
  } else if (arg <= 0xffffffffULL) {
    out.push_back(m | 26);
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(arg >> s));
  } else {
    out.push_back(m | 27);
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(arg >> s));
  }
}

void write_int(Bytes& out, std::int64_t v) {
  if (v >= 0)
    write_head(out, 0, static_cast<std::uint64_t>(v));
  else
    write_head(out, 1, static_cast<std::uint64_t>(-(v + 1)));
}

void write_text(Bytes& out, std::string_view s) {
  write_head(out, 3, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void write_bytes(Bytes& out, ByteView b) {
  write_head(out, 2, b.size());
  out.insert(out.end(), b.begin(), b.end());
}

namespace {

// IEEE half -> double.
double half_to_double(std::uint16_t h) {
  const int exp = (h >> 10) & 0x1f;
  const int mant = h & 0x3ff;
  double val;
  if (exp == 0)
    val = std::ldexp(mant, -24);
  else if (exp != 31)
    val = std::ldexp(mant + 1024, exp - 25);
  else
    val = mant == 0 ? std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::quiet_NaN();
  return (h & 0x8000) ? -val : val;
}

// Exact double -> half when lossless.
bool double_to_half(double d, std::uint16_t& out) {
  if (std::isnan(d)) return false;
  const std::uint16_t sign = std::signbit(d) ? 0x8000 : 0;
  const double a = std::fabs(d);
  if (a == 0.0) {
    out = sign;
    return true;
  }
  if (std::isinf(a)) {
    out = sign | 0x7c00;
    return true;
  }
  int e;
  const double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  // half normal range: 2^-14 .. 65504; subnormal down to 2^-24.
  std::uint16_t bits;
  if (e >= -13 && e <= 16) {  // normal: value = 1.f * 2^(e-1)
    const double frac = m * 2.0 - 1.0;  // [0, 1)
    const double scaled = frac * 1024.0;
    if (scaled != std::floor(scaled)) return false;
    const int exp_bits = e - 1 + 15;
    if (exp_bits >= 31) return false;
    bits = static_cast<std::uint16_t>((exp_bits << 10) | static_cast<int>(scaled));
  } else if (e < -13 && e >= -23) {
    const double scaled = std::ldexp(a, 24);
    if (scaled != std::floor(scaled) || scaled >= 1024.0) return false;
    bits = static_cast<std::uint16_t>(scaled);
  } else {
    return false;
  }
  if (half_to_double(bits) != a) return false;
  out = sign | bits;
  return true;
}

}  // namespace

namespace {

// The writer's encoding of `d` (shortest lossless form, NaN as f9 7e00) into `out`; returns its
// length (3, 5 or 9). Shared by write_float and the reader's shortest-form check.
std::size_t float_encoding(double d, std::uint8_t (&out)[9]) {
  if (std::isnan(d)) {
    out[0] = 0xf9;
    out[1] = 0x7e;
    out[2] = 0x00;
    return 3;
  }
  std::uint16_t h;
  if (double_to_half(d, h)) {
    out[0] = 0xf9;
    out[1] = static_cast<std::uint8_t>(h >> 8);
    out[2] = static_cast<std::uint8_t>(h);
    return 3;
  }
  // Outside the float range the narrowing conversion is not value-preserving (and formally
  // undefined), so only finite values within it are tried as f32.
  const bool fits_f32 = std::fabs(d) <= static_cast<double>(std::numeric_limits<float>::max());
  const auto f = fits_f32 ? static_cast<float>(d) : 0.0F;
  if (fits_f32 && static_cast<double>(f) == d) {
    const auto bits = std::bit_cast<std::uint32_t>(f);
    out[0] = 0xfa;
    for (std::size_t k = 0; k < 4; ++k) out[1 + k] = static_cast<std::uint8_t>(bits >> (24 - 8 * k));
    return 5;
  }
  const auto bits = std::bit_cast<std::uint64_t>(d);
  out[0] = 0xfb;
  for (std::size_t k = 0; k < 8; ++k) out[1 + k] = static_cast<std::uint8_t>(bits >> (56 - 8 * k));
  return 9;
}

}  // namespace

void write_float(Bytes& out, double d) {
  std::uint8_t buf[9];
  const std::size_t n = float_encoding(d, buf);
  out.insert(out.end(), buf, buf + n);
}

void encode_to(Bytes& out, const Value& v) {
  switch (v.kind()) {
    case Kind::Integer: write_int(out, v.as_int()); break;
    case Kind::Bytes: write_bytes(out, v.as_bytes()); break;
    case Kind::Text: write_text(out, v.as_text()); break;
    case Kind::Array:
      write_head(out, 4, v.as_array().size());
      for (const auto& x : v.as_array()) encode_to(out, x);
      break;
    case Kind::Map:
      write_head(out, 5, v.as_map().size());
      for (const auto& e : v.as_map()) {
        encode_to(out, e.key);
        encode_to(out, e.value);
      }
      break;
    case Kind::Bool: out.push_back(v.as_bool() ? 0xf5 : 0xf4); break;
    case Kind::Null: out.push_back(0xf6); break;
    case Kind::Float: write_float(out, v.as_float()); break;
  }
}

Bytes encode(const Value& v) {
  Bytes out;
  encode_to(out, v);
  return out;
}

// ---------------------------------------------------------------- reader

namespace {

bool valid_utf8(ByteView s, std::size_t& bad_at) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const std::uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      bad_at = i;
      return false;
    }
    if (i + len > n) {
      bad_at = i;
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) {
        bad_at = i;
        return false;
      }
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
                          (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      bad_at = i;
      return false;
    }
    i += len;
  }
  return true;
}

// Containers reserve at most this many slots up front: a claimed count is only bounded by the
// bytes left, and reserving it at every nesting level would multiply the input size by the
// depth and sizeof(Value). Beyond this, vectors grow as items actually decode.
constexpr std::size_t kMaxReserve = 256;
// Maps up to this size check duplicate keys by linear scan; larger ones use an ordered set so
// a big map of distinct keys stays O(n log n).
constexpr std::size_t kLinearKeyCheck = 16;

// What Reader::item yields: the decoded Value, or (kBuild = false) only success or the error.
template <bool kBuild>
using ItemResult = std::conditional_t<kBuild, Result<Value>, Result<void>>;

// Decodes one item with every strictness rule. With kBuild = false the same checks run but
// nothing is built, not even a placeholder: validate_and_split() uses it to find element
// boundaries without copying a byte.
class Reader {
 public:
  Reader(ByteView in, const DecodeOptions& o) : m_in(in), m_opts(o) {}

  // When set, the byte range of every element of the top-level array is appended here.
  void record_top_level_elements(std::vector<ByteView>* out) { m_spans = out; }

  template <bool kBuild>
  ItemResult<kBuild> item(std::size_t depth) {
    const std::size_t start = m_pos;
    if (m_pos >= m_in.size()) return err(start, "truncated: expected an item");
    const std::uint8_t ib = m_in[m_pos++];
    const std::uint8_t major = ib >> 5;
    const std::uint8_t info = ib & 0x1f;

    if (major == 7) return simple<kBuild>(start, info);
    if (major == 6) return err(start, "tags are not allowed");
    if (info == 31) return err(start, "indefinite lengths are not allowed");
    if (info >= 28) return err(start, fmt::format("reserved additional information {}", info));

    std::uint64_t arg = info;
    if (info >= 24) {
      const std::size_t len = std::size_t{1} << (info - 24);
      if (m_in.size() - m_pos < len) return err(start, "truncated head");
      arg = 0;
      for (std::size_t k = 0; k < len; ++k) arg = (arg << 8) | m_in[m_pos++];
      const std::uint64_t min = info == 24 ? 24 : (std::uint64_t{1} << (8 * (len / 2))) ;
      const bool shortest = info == 24 ? arg >= 24 : arg >= min;
      if (!shortest) return err(start, "non-shortest integer or length head");
    }

    switch (major) {
      case 0:
        if (arg > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          return err(start, "integer outside i64");
        if constexpr (kBuild) return Value::integer(static_cast<std::int64_t>(arg));
        else return {};
      case 1:
        if (arg > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          return err(start, "integer outside i64");
        if constexpr (kBuild) return Value::integer(-1 - static_cast<std::int64_t>(arg));
        else return {};
      case 2:
      case 3: {
        if (arg > m_in.size() - m_pos)
          return err(start, fmt::format("length {} exceeds the {} bytes left", arg,
                                        m_in.size() - m_pos));
        const auto len = static_cast<std::size_t>(arg);
        const std::size_t body_at = m_pos;
        ByteView body = m_in.subspan(m_pos, len);
        m_pos += len;
        if (major == 2) {
          if constexpr (kBuild) return Value::bytes(body);
          else return {};
        }
        std::size_t bad = 0;
        // The offset is that of the offending byte sequence (the head may be 1 to 9 bytes).
        if (!valid_utf8(body, bad)) return err(body_at + bad, "invalid UTF-8 in text string");
        if constexpr (kBuild) return Value::text(std::string(as_chars(body)));
        else return {};
      }
      case 4: {
        if (depth >= m_opts.max_depth) return err(start, "nesting too deep");
        if (arg > m_in.size() - m_pos)
          return err(start, fmt::format("{} items claimed, {} bytes left", arg,
                                        m_in.size() - m_pos));
        [[maybe_unused]] Array a;
        if constexpr (kBuild) a.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(arg, kMaxReserve)));
        const bool record = depth == 0 && m_spans != nullptr;
        if (record) m_spans->reserve(static_cast<std::size_t>(std::min<std::uint64_t>(arg, kMaxReserve)));
        for (std::uint64_t k = 0; k < arg; ++k) {
          const std::size_t elem_at = m_pos;
          if constexpr (!kBuild) {
            // A small unsigned integer (one byte, always valid) is the common element of the
            // byte arrays the payload encodes: stepped over without a call.
            if (m_pos < m_in.size() && m_in[m_pos] < 0x18) {
              ++m_pos;
              if (record) m_spans->push_back(m_in.subspan(elem_at, 1));
              continue;
            }
          }
          auto v = item<kBuild>(depth + 1);
          if (!v) return v;
          if (record) m_spans->push_back(m_in.subspan(elem_at, m_pos - elem_at));
          if constexpr (kBuild) a.push_back(std::move(*v));
        }
        if constexpr (kBuild) return Value::array(std::move(a));
        else return {};
      }
      case 5: {
        if (depth >= m_opts.max_depth) return err(start, "nesting too deep");
        if (arg > (m_in.size() - m_pos) / 2)
          return err(start, fmt::format("{} entries claimed, {} bytes left", arg,
                                        m_in.size() - m_pos));
        [[maybe_unused]] Map m;
        if constexpr (kBuild) m.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(arg, kMaxReserve)));
        // Keys are integers or text with shortest heads, so two keys are equal exactly when
        // their encodings are: duplicates are found by comparing the raw key bytes.
        // While the raw keys arrive in strictly ascending byte order (as canonical maps do),
        // each is new by construction and costs one comparison; the first key out of order
        // switches to a search over every key seen so far.
        // Small maps keep their keys' byte ranges in plain arrays: left uninitialized (only the
        // first n_keys are read), so a map costs no zeroing.
        std::size_t key_from[kLinearKeyCheck];
        std::size_t key_len[kLinearKeyCheck];
        std::size_t n_keys = 0;
        std::vector<std::string_view> ascending_run;  // large maps, until a key is out of order
        std::optional<std::set<std::string_view>> key_set;  // large maps, after that
        std::string_view prev_raw;
        bool ascending = true;
        for (std::uint64_t k = 0; k < arg; ++k) {
          const std::size_t key_at = m_pos;
          auto key = item<kBuild>(depth + 1);
          if (!key) return key;
          // Judged by the key's major type (0/1 integer, 3 text), so both modes agree.
          if (const std::uint8_t km = m_in[key_at] >> 5; km != 0 && km != 1 && km != 3)
            return err(key_at, "map keys must be integers or text");
          const std::string_view raw = as_chars(m_in.subspan(key_at, m_pos - key_at));
          bool duplicate = false;
          if (ascending && (k == 0 || prev_raw < raw)) {
            prev_raw = raw;
          } else if (arg <= kLinearKeyCheck) {
            ascending = false;
            for (std::size_t i = 0; i < n_keys && !duplicate; ++i)
              duplicate = as_chars(m_in.subspan(key_from[i], key_len[i])) == raw;
          } else {
            if (ascending) key_set.emplace(ascending_run.begin(), ascending_run.end());
            ascending = false;
            duplicate = !key_set->insert(raw).second;
          }
          if (arg <= kLinearKeyCheck) {
            key_from[n_keys] = key_at;
            key_len[n_keys++] = raw.size();
          }
          else if (ascending)
            ascending_run.push_back(raw);
          if (duplicate) return err(key_at, "duplicate map key");
          auto val = item<kBuild>(depth + 1);
          if (!val) return val;
          if constexpr (kBuild) m.push_back(Entry{std::move(*key), std::move(*val)});
        }
        if constexpr (kBuild) return Value::map(std::move(m));
        else return {};
      }
      default:
        return err(start, "unreachable major type");
    }
  }

  [[nodiscard]] std::size_t pos() const { return m_pos; }

 private:
  template <bool kBuild>
  ItemResult<kBuild> simple(std::size_t start, std::uint8_t info) {
    switch (info) {
      case 20: if constexpr (kBuild) return Value::boolean(false); else return {};
      case 21: if constexpr (kBuild) return Value::boolean(true); else return {};
      case 22: if constexpr (kBuild) return Value::null(); else return {};
      case 25: case 26: case 27: {
        const std::size_t len = std::size_t{1} << (info - 24);
        if (m_in.size() - m_pos < len) return err(start, "truncated float");
        std::uint64_t bits = 0;
        for (std::size_t k = 0; k < len; ++k) bits = (bits << 8) | m_in[m_pos++];
        double d;
        if (info == 25)
          d = half_to_double(static_cast<std::uint16_t>(bits));
        else if (info == 26)
          d = static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
        else
          d = std::bit_cast<double>(bits);
        // Only the writer's shortest form is accepted (NaN only as f9 7e00).
        std::uint8_t canon[9];
        const std::size_t canon_len = float_encoding(d, canon);
        if (canon_len != len + 1 || std::memcmp(canon, m_in.data() + start, canon_len) != 0)
          return err(start, "float not in its shortest lossless form");
        if constexpr (kBuild) return Value::floating(d);
        else return {};
      }
      case 23: return err(start, "undefined is not allowed");
      case 24: return err(start, "simple values are not allowed");
      case 31: return err(start, "unexpected break");
      default: return err(start, "simple values are not allowed");
    }
  }

  static Unexpected err(std::size_t at, std::string msg) {
    Error e{ErrorCode::MalformedCbor, fmt::format("malformed CBOR at byte {}: {}", at, msg)};
    e.byte_offset = at;
    return Unexpected{std::move(e)};
  }

  ByteView m_in;
  const DecodeOptions& m_opts;
  std::size_t m_pos = 0;
  std::vector<ByteView>* m_spans = nullptr;
};

}  // namespace

namespace {

Result<void> check_input(ByteView in, const DecodeOptions& opts) {
  if (in.size() > opts.max_bytes) {
    Error e{ErrorCode::MalformedCbor,
            fmt::format("CBOR input of {} bytes exceeds the limit of {}", in.size(), opts.max_bytes)};
    e.byte_offset = opts.max_bytes;  // the first byte beyond the limit
    return Unexpected{std::move(e)};
  }
  if (in.empty()) {
    Error e{ErrorCode::MalformedCbor, "malformed CBOR at byte 0: empty input"};
    e.byte_offset = 0;
    return Unexpected{std::move(e)};
  }
  return {};
}

Result<void> check_end(const Reader& r, ByteView in) {
  if (r.pos() != in.size()) {
    Error e{ErrorCode::MalformedCbor,
            fmt::format("malformed CBOR at byte {}: {} trailing bytes", r.pos(), in.size() - r.pos())};
    e.byte_offset = r.pos();
    return Unexpected{std::move(e)};
  }
  return {};
}

}  // namespace

Result<Value> decode(ByteView in, const DecodeOptions& opts) {
  TENUO_TRY(check_input(in, opts));
  Reader r(in, opts);
  auto v = r.item<true>(0);
  if (!v) return v;
  TENUO_TRY(check_end(r, in));
  return v;
}

Result<std::vector<ByteView>> validate_and_split(ByteView in, const DecodeOptions& opts) {
  TENUO_TRY(check_input(in, opts));
  std::vector<ByteView> elements;
  Reader r(in, opts);
  r.record_top_level_elements(&elements);
  TENUO_TRY(r.item<false>(0));
  TENUO_TRY(check_end(r, in));
  return elements;
}

Result<void> validate(ByteView in, const DecodeOptions& opts) {
  TENUO_TRY(check_input(in, opts));
  Reader r(in, opts);
  TENUO_TRY(r.item<false>(0));
  return check_end(r, in);
}

// ---------------------------------------------------------------- diagnostic

std::string diagnostic(const Value& v) {
  switch (v.kind()) {
    case Kind::Integer: return fmt::format("{}", v.as_int());
    case Kind::Bytes: {
      std::string s = "h'";
      for (auto b : v.as_bytes()) s += fmt::format("{:02x}", b);
      return s + "'";
    }
    case Kind::Text: {
      std::string s = "\"";
      for (char ch : v.as_text()) {
        if (ch == '"' || ch == '\\') s += '\\';
        s += ch;
      }
      return s + "\"";
    }
    case Kind::Array: {
      std::string s = "[";
      bool first = true;
      for (const auto& x : v.as_array()) {
        if (!first) s += ", ";
        first = false;
        s += diagnostic(x);
      }
      return s + "]";
    }
    case Kind::Map: {
      std::string s = "{";
      bool first = true;
      for (const auto& e : v.as_map()) {
        if (!first) s += ", ";
        first = false;
        s += diagnostic(e.key) + ": " + diagnostic(e.value);
      }
      return s + "}";
    }
    case Kind::Bool: return v.as_bool() ? "true" : "false";
    case Kind::Null: return "null";
    case Kind::Float: {
      const double d = v.as_float();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      auto s = fmt::format("{}", d);
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
  }
  return "?";
}

}  // namespace tenuo::cbor
