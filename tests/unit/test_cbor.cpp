// Strict CBOR reader/writer (WIRE.md §1): malformed-item table at several nesting levels,
// byte-identical round trips, the float writer against an independent half-precision oracle,
// limits, and the A.1 vectors (§19.3, §19.5).
#include <tenuo/cbor.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

using tenuo::Bytes;
using tenuo::ErrorCode;
using tenuo::cbor::Array;
using tenuo::cbor::DecodeOptions;
using tenuo::cbor::Entry;
using tenuo::cbor::Kind;
using tenuo::cbor::Map;
using tenuo::cbor::Value;

// Hex to bytes; spaces are ignored so fixtures can be grouped.
Bytes hx(std::string_view s) {
  Bytes out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  REQUIRE(hi < 0);
  return out;
}

std::string to_hex(const Bytes& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (auto x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes repeat(const Bytes& b, std::size_t n) {
  Bytes out;
  for (std::size_t i = 0; i < n; ++i) out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Asserts `in` is rejected with MalformedCbor and an offset (equal to `offset` when given).
void expect_malformed(const Bytes& in, std::optional<std::size_t> offset,
                      const DecodeOptions& opts = {}) {
  CAPTURE(to_hex(in).substr(0, 200));
  auto r = tenuo::cbor::decode(in, opts);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::MalformedCbor);
  REQUIRE(r.error().byte_offset.has_value());
  if (offset) CHECK(*r.error().byte_offset == *offset);
  CHECK(*r.error().byte_offset <= in.size());
  // The non-building pass applies the same rules: same error, same offset, same message.
  auto s = tenuo::cbor::validate_and_split(in, opts);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == r.error().code);
  CHECK(s.error().byte_offset == r.error().byte_offset);
  CHECK(s.error().message == r.error().message);
}

// Asserts `in` decodes and re-encodes to exactly `in`; returns the value.
Value expect_roundtrip(const Bytes& in, const DecodeOptions& opts = {}) {
  CAPTURE(to_hex(in).substr(0, 200));
  auto r = tenuo::cbor::decode(in, opts);
  REQUIRE(r.has_value());
  CHECK(to_hex(tenuo::cbor::encode(*r)) == to_hex(in));
  // validate_and_split accepts it too and hands back each top-level element's exact bytes.
  auto s = tenuo::cbor::validate_and_split(in, opts);
  REQUIRE(s.has_value());
  if (r->is(tenuo::cbor::Kind::Array)) {
    REQUIRE(s->size() == r->as_array().size());
    for (std::size_t k = 0; k < s->size(); ++k)
      CHECK(to_hex(Bytes((*s)[k].begin(), (*s)[k].end())) == to_hex(tenuo::cbor::encode(r->as_array()[k])));
  } else {
    CHECK(s->empty());
  }
  return *r;
}

const char* const kA1Payload =
    "aa00010150019471f8000070008000000000000001020003a169726561645f66"
    "696c65a16b636f6e73747261696e7473a164706174688210f604820158208139"
    "770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3940582"
    "0158208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b4"
    "0f6f5c061a65920080071a65920e9008031200";
const char* const kA1Envelope =
    "83015893aa00010150019471f8000070008000000000000001020003a1697265"
    "61645f66696c65a16b636f6e73747261696e7473a164706174688210f6048201"
    "58208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9"
    "b39405820158208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3"
    "748801b40f6f5c061a65920080071a65920e9008031200820158404396783e89"
    "f37eebfa7d25ad7d61d6cddfbb6c58eade0e9ccc6e28759f1eb56b3c03873a62"
    "32483d05f766481edf9f85560881aed03b6ef25771285409e6d800";

// ---------------------------------------------------------------- malformed table

enum class Where : std::uint8_t {
  Anywhere,     // a complete (if bad) item: may also sit in map-key position
  NotKey,       // ends the input early, or followed by more bytes would change meaning
};

struct BadRow {
  const char* what;
  const char* hex;
  std::optional<std::size_t> offset;  // expected byte_offset when bare; nullopt = any
  Where where = Where::Anywhere;
};

// Each malformed item of every class named in the decoder contract.
const BadRow kBad[] = {
    // indefinite lengths and stray breaks
    {"indefinite bytes", "5f 41 00 ff", 0},
    {"indefinite bytes, empty", "5f ff", 0},
    {"indefinite text", "7f 61 61 ff", 0},
    {"indefinite array", "9f ff", 0},
    {"indefinite array with item", "9f 01 02 ff", 0},
    {"indefinite map", "bf ff", 0},
    {"indefinite map with entry", "bf 01 02 ff", 0},
    {"stray break", "ff", 0},
    {"break inside definite array", "82 01 ff", 2},
    {"break as map value", "a1 01 ff", 2},
    {"indefinite head major 0", "1f", 0},
    {"indefinite head major 1", "3f", 0},
    // non-shortest heads, majors 0..5, every width
    {"major 0: 18 00", "18 00", 0},
    {"major 0: 18 17", "18 17", 0},
    {"major 0: 19 00ff", "19 00ff", 0},
    {"major 0: 1a 0000ffff", "1a 0000ffff", 0},
    {"major 0: 1b 00000000ffffffff", "1b 00000000ffffffff", 0},
    {"major 0: 1b zero", "1b 0000000000000000", 0},
    {"major 1: 38 17", "38 17", 0},
    {"major 1: 39 00ff", "39 00ff", 0},
    {"major 1: 3a 0000ffff", "3a 0000ffff", 0},
    {"major 1: 3b 00000000ffffffff", "3b 00000000ffffffff", 0},
    {"major 2: 58 01", "58 01 00", 0},
    {"major 2: 59 0001", "59 0001 00", 0},
    {"major 2: 5a 00000001", "5a 00000001 00", 0},
    {"major 2: 5b 0000000000000001", "5b 0000000000000001 00", 0},
    {"major 3: 78 01", "78 01 61", 0},
    {"major 3: 79 0001", "79 0001 61", 0},
    {"major 3: 7a 00000001", "7a 00000001 61", 0},
    {"major 3: 7b 0000000000000001", "7b 0000000000000001 61", 0},
    {"major 4: 98 01", "98 01 00", 0},
    {"major 4: 99 00ff", "99 00ff", 0},
    {"major 4: 9a 00000001", "9a 00000001 00", 0},
    {"major 4: 9b 0000000000000001", "9b 0000000000000001 00", 0},
    {"major 5: b8 01", "b8 01 00 00", 0},
    {"major 5: b9 0001", "b9 0001 00 00", 0},
    {"major 5: ba 00000001", "ba 00000001 00 00", 0},
    {"major 5: bb 0000000000000001", "bb 0000000000000001 00 00", 0},
    // tags, including bignums and every head width
    {"tag 0 (date text)", "c0 61 61", 0},
    {"tag 1 (epoch)", "c1 00", 0},
    {"tag 2 (positive bignum)", "c2 41 01", 0},
    {"tag 3 (negative bignum)", "c3 41 01", 0},
    {"tag 4", "c4 82 00 00", 0},
    {"tag 6", "c6 00", 0},
    {"tag 21", "d5 40", 0},
    {"tag 23 (last inline)", "d7 40", 0},
    {"tag d8 xx", "d8 20 61 61", 0},
    {"tag d8 18", "d8 18 00", 0},
    {"tag d9 (self-describe)", "d9 d9f7 00", 0},
    {"tag da", "da 00010000 00", 0},
    {"tag db", "db 0000000100000000 00", 0},
    {"bignum 2^64", "c2 49 010000000000000000", 0},
    {"tag around a map key", "a1 c1 00 00", 1, Where::NotKey},
    // integers outside i64
    {"uint 2^63", "1b 8000000000000000", 0},
    {"uint 2^64-1", "1b ffffffffffffffff", 0},
    {"nint -2^63-1", "3b 8000000000000000", 0},
    {"nint -2^64", "3b ffffffffffffffff", 0},
    // duplicate map keys
    {"duplicate int key", "a2 01 00 01 00", 3},
    {"duplicate text key", "a2 61 61 00 61 61 01", 4},
    {"duplicate int key, non-adjacent", "a3 01 00 02 00 01 00", 5},
    {"duplicate text key, non-adjacent", "a3 61 61 00 01 00 61 61 00", 6},
    {"duplicate long text key", "a2 78 18 616161616161616161616161616161616161616161616161 00"
                                "78 18 616161616161616161616161616161616161616161616161 00", 28},
    {"duplicate key, different values", "a2 20 f5 20 f4", 3},
    // trailing bytes
    {"trailing byte after uint", "00 00", 1, Where::NotKey},
    {"trailing null", "f6 f6", 1, Where::NotKey},
    {"trailing after array", "81 00 00", 2, Where::NotKey},
    {"trailing after map", "a0 ff", 1, Where::NotKey},
    // truncated items
    {"truncated 1-byte head", "18", 0, Where::NotKey},
    {"truncated 2-byte head", "19 01", 0, Where::NotKey},
    {"truncated 4-byte head", "1a 0001", 0, Where::NotKey},
    {"truncated 8-byte head", "1b 00000001", 0, Where::NotKey},
    {"truncated text body", "62 61", 0, Where::NotKey},
    {"truncated bytes body", "45 0102", 0, Where::NotKey},
    // (a container claiming more items than bytes remain is refused at its own head)
    {"truncated array", "83 01 02", 0, Where::NotKey},
    {"truncated map (no value)", "a1 01", 0, Where::NotKey},
    {"truncated map (no key)", "a2 01 02", 0, Where::NotKey},
    {"truncated head inside array", "82 01 19", 2, Where::NotKey},
    {"truncated text inside map", "a1 01 62", 2, Where::NotKey},
    {"truncated array inside array", "82 82 01", 1, Where::NotKey},
    {"truncated f16", "f9 3c", 0, Where::NotKey},
    {"truncated f32", "fa 3f80", 0, Where::NotKey},
    {"truncated f64", "fb 3ff00000", 0, Where::NotKey},
    {"empty input", "", std::nullopt, Where::NotKey},  // bare: offset 0 (see below)
    // invalid UTF-8 (offset of the bad sequence)
    {"overlong NUL", "62 c080", 1},
    {"overlong 2-byte c1", "62 c1bf", 1},
    {"overlong 3-byte", "63 e08080", 1},
    {"overlong 4-byte", "64 f0808080", 1},
    {"surrogate D800", "63 eda080", 1},
    {"surrogate DFFF", "63 edbfbf", 1},
    {"above U+10FFFF", "64 f4908080", 1},
    {"lead byte f5", "64 f5808080", 1},
    {"lead byte ff", "61 ff", 1},
    {"bare continuation", "61 80", 1},
    {"bad continuation", "62 c328", 1},
    {"bad third byte", "63 e282 28", 1},
    {"truncated 2-byte sequence", "61 c3", 1},
    {"truncated 3-byte sequence", "62 e282", 1},
    {"truncated 4-byte sequence", "63 f09f98", 1},
    {"bad byte after ASCII", "63 61 c3 61", 2},
    {"bad byte after 1-byte head", "78 18 6161616161616161616161616161616161616161616161 ff", 25},
    // lengths beyond the remaining input (never allocated)
    {"bytes with no body", "41", 0, Where::NotKey},
    {"bytes length 2^32-1", "5a ffffffff 00", 0},
    {"bytes length 2^64-1", "5b ffffffffffffffff", 0},
    {"text length 2^64-1", "7b ffffffffffffffff", 0},
    {"text length 2^63", "7b 8000000000000000 61", 0},
    {"array count 2^64-1", "9b ffffffffffffffff", 0},
    {"array count 65535", "99 ffff 00", 0},
    {"map count 2^64-1", "bb ffffffffffffffff", 0},
    {"map count 2^32-1", "ba ffffffff 00 00", 0},
    // map keys that are neither integer nor text
    {"bytes key", "a1 40 00", 1, Where::NotKey},
    {"null key", "a1 f6 00", 1, Where::NotKey},
    {"bool key", "a1 f5 00", 1, Where::NotKey},
    {"float key", "a1 f9 3c00 00", 1, Where::NotKey},
    {"array key", "a1 80 00", 1, Where::NotKey},
    {"map key", "a1 a0 00", 1, Where::NotKey},
    {"second key is bytes", "a2 01 00 41 00 00", 3, Where::NotKey},
    // simple values, undefined, reserved additional information
    {"simple 0 (e0)", "e0", 0},
    {"simple 1 (e1)", "e1", 0},
    {"simple 16 (f0)", "f0", 0},
    {"simple 19 (f3)", "f3", 0},
    {"undefined (f7)", "f7", 0},
    {"simple f8 00", "f8 00", 0},
    {"simple f8 20", "f8 20", 0},
    {"simple f8 ff", "f8 ff", 0},
    {"reserved fc", "fc", 0},
    {"reserved fd", "fd", 0},
    {"reserved fe", "fe", 0},
    {"reserved info 28 major 0", "1c", 0},
    {"reserved info 29 major 1", "3d", 0},
    {"reserved info 30 major 2", "5e", 0},
    {"reserved info 28 major 3", "7c", 0},
    {"reserved info 29 major 4", "9d", 0},
    {"reserved info 30 major 5", "be", 0},
    // floats not in shortest form, and NaNs other than f9 7e00
    {"100.0 as f64", "fb 4059000000000000", 0},
    {"1.0 as f32", "fa 3f800000", 0},
    {"1.0 as f64", "fb 3ff0000000000000", 0},
    {"0.0 as f32", "fa 00000000", 0},
    {"-0.0 as f64", "fb 8000000000000000", 0},
    {"+inf as f32", "fa 7f800000", 0},
    {"-inf as f64", "fb fff0000000000000", 0},
    {"65504 as f32", "fa 477fe000", 0},
    {"f32-exact value as f64", "fb 3fb99999a0000000", 0},
    {"f16 subnormal as f32", "fa 33800000", 0},
    {"NaN f9 7e01", "f9 7e01", 0},
    {"NaN f9 fe00 (negative)", "f9 fe00", 0},
    {"NaN f9 7c01 (signalling)", "f9 7c01", 0},
    {"NaN f9 7fff", "f9 7fff", 0},
    {"NaN as f32", "fa 7fc00000", 0},
    {"NaN as f64", "fb 7ff8000000000000", 0},
    {"NaN f64 with payload", "fb 7ff0000000000001", 0},
};

struct Wrapper {
  const char* what;
  const char* prefix;
  const char* suffix;
  std::size_t shift;  // bytes before the item
  bool key_position;
};

const Wrapper kWrappers[] = {
    {"bare", "", "", 0, false},
    {"array element", "81", "", 1, false},
    {"second array element", "82 f6", "", 2, false},
    {"map value", "a1 00", "", 2, false},
    {"text-keyed map value", "a1 61 6b", "", 3, false},
    {"map key", "a1", "00", 1, true},
    {"3 levels deep", "81 a1 61 61 81", "", 5, false},
    {"3 levels deep, map key", "81 81 a1", "f6", 3, true},
};

// ---------------------------------------------------------------- shared fixtures

// Rows of a tests/vectors/cbor/*.tsv file, split on tabs; comments and blank lines skipped.
std::vector<std::vector<std::string>> tsv_rows(const std::string& file) {
  std::ifstream in(std::string(TENUO_VECTORS_DIR) + "/cbor/" + file);
  REQUIRE(in.good());
  std::vector<std::vector<std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (!line.empty() && line.back() == '\t') cols.emplace_back();
    out.push_back(cols);
  }
  return out;
}

Value ints(std::initializer_list<std::int64_t> v) {
  Array a;
  for (auto x : v) a.push_back(Value::integer(x));
  return Value::array(std::move(a));
}

Map entries(std::initializer_list<std::pair<Value, Value>> kv) {
  Map m;
  for (const auto& [k, v] : kv) m.push_back(Entry{k, v});
  return m;
}

// The values of tests/vectors/cbor/valid.tsv, built with the Value API (the Python side of
// the cross-check states the same values independently).
std::map<std::string, Value> valid_fixture_values() {
  const double inf = std::numeric_limits<double>::infinity();
  std::map<std::string, Value> f;
  auto i = [](std::int64_t v) { return Value::integer(v); };
  auto t = [](std::string s) { return Value::text(std::move(s)); };
  f["int_0"] = i(0);
  f["int_23"] = i(23);
  f["int_24"] = i(24);
  f["int_255"] = i(255);
  f["int_256"] = i(256);
  f["int_65535"] = i(65535);
  f["int_65536"] = i(65536);
  f["int_2p32m1"] = i(4294967295);
  f["int_2p32"] = i(4294967296);
  f["int_max"] = i(std::numeric_limits<std::int64_t>::max());
  f["nint_1"] = i(-1);
  f["nint_24"] = i(-24);
  f["nint_25"] = i(-25);
  f["nint_256"] = i(-256);
  f["nint_257"] = i(-257);
  f["nint_65537"] = i(-65537);
  f["nint_2p32p1"] = i(-4294967297);
  f["int_min"] = i(std::numeric_limits<std::int64_t>::min());
  f["f_zero"] = Value::floating(0.0);
  f["f_negzero"] = Value::floating(-0.0);
  f["f_half"] = Value::floating(0.5);
  f["f_100"] = Value::floating(100.0);
  f["f_10000"] = Value::floating(10000.0);
  f["f_tenth"] = Value::floating(0.1);
  f["f_inf"] = Value::floating(inf);
  f["f_neginf"] = Value::floating(-inf);
  f["f_nan"] = Value::floating(std::numeric_limits<double>::quiet_NaN());
  f["f_65504"] = Value::floating(65504.0);
  f["f_65520"] = Value::floating(65520.0);
  f["f_sub16"] = Value::floating(0x1p-24);
  f["f_100000"] = Value::floating(100000.0);
  f["f_f32tenth"] = Value::floating(static_cast<double>(0.1F));
  f["f_1e300"] = Value::floating(1e300);
  f["f_2p128"] = Value::floating(0x1p128);
  f["t_empty"] = t("");
  f["t_a"] = t("a");
  f["t_ietf"] = t("IETF");
  f["t_u"] = t("\xc3\xbc");
  f["t_euro"] = t("\xe2\x82\xac");
  f["t_clef"] = t("\xf0\x9d\x84\x9e");
  f["t_23"] = t(std::string(23, 'x'));
  f["t_24"] = t(std::string(24, 'x'));
  f["t_255"] = t(std::string(255, 'x'));
  f["t_256"] = t(std::string(256, 'x'));
  f["b_empty"] = Value::bytes(Bytes{});
  f["b_4"] = Value::bytes(Bytes{1, 2, 3, 4});
  Bytes b24;
  for (std::uint8_t k = 0; k < 24; ++k) b24.push_back(k);
  f["b_24"] = Value::bytes(b24);
  f["b_256"] = Value::bytes(Bytes(256, 0));
  f["true"] = Value::boolean(true);
  f["false"] = Value::boolean(false);
  f["null"] = Value::null();
  f["a_empty"] = Value::array({});
  f["a_nested"] = Value::array({i(1), ints({2, 3})});
  Array a24;
  for (std::int64_t k = 0; k < 24; ++k) a24.push_back(i(k));
  f["a_24"] = Value::array(a24);
  f["uint_array"] = Value::uint_array(Bytes{0, 23, 24, 255});
  f["a_mixed"] = Value::array({Value::boolean(false), Value::boolean(true), Value::null(), i(-1),
                               Value::bytes(Bytes{}), t(""), Value::array({}), Value::map({})});
  f["m_empty"] = Value::map({});
  f["m_order"] = Value::map(entries({{t("b"), i(1)}, {t("a"), i(2)}}));
  f["m_mixedkeys"] = Value::map(entries({{i(1), t("x")}, {t("1"), t("y")}, {i(0), i(-1)}, {i(-1), i(0)}}));
  f["m_nested"] = Value::map(entries(
      {{t("k"), Value::map(entries({{t("k"), Value::map(entries({{t("k"), Value::array({Value::null()})}}))}}))}}));
  f["m_floats"] = Value::map(entries({{t("f"), Value::array({Value::floating(100.0), Value::floating(0.1),
                                                             Value::floating(65520.0), Value::floating(-0.0)})}}));
  Map m24;
  for (std::int64_t k = 0; k < 24; ++k) m24.push_back(Entry{i(k), i(k)});
  f["m_24"] = Value::map(m24);
  auto key = [&](const char* h) { return Value::array({i(1), Value::bytes(hx(h))}); };
  const Value payload = Value::map(entries({
      {i(0), i(1)},
      {i(1), Value::bytes(hx("019471f8000070008000000000000001"))},
      {i(2), i(0)},
      {i(3), Value::map(entries({{t("read_file"),
                                  Value::map(entries({{t("constraints"),
                                                       Value::map(entries({{t("path"), Value::array({i(16), Value::null()})}}))}}))}}))},
      {i(4), key("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394")},
      {i(5), key("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c")},
      {i(6), i(1704067200)},
      {i(7), i(1704070800)},
      {i(8), i(3)},
      {i(18), i(0)},
  }));
  f["a1_payload"] = payload;
  f["a1_envelope"] = Value::array(
      {i(1), Value::bytes(tenuo::cbor::encode(payload)),
       Value::array({i(1), Value::bytes(hx("4396783e89f37eebfa7d25ad7d61d6cddfbb6c58eade0e9ccc6e28759f1eb56b"
                                           "3c03873a6232483d05f766481edf9f85560881aed03b6ef25771285409e6d800"))})});
  return f;
}

}  // namespace

TEST_SUITE("tenuo::cbor") {

TEST_CASE("fixtures valid.tsv are exactly our encoder's bytes for the stated values") {
  // tests/cli/test_cbor2_crosscheck.sh checks the same bytes against cbor2.
  const auto values = valid_fixture_values();
  const auto rows = tsv_rows("valid.tsv");
  CHECK(rows.size() == values.size());
  for (const auto& row : rows) {
    REQUIRE(row.size() == 3);
    CAPTURE(row[0]);
    auto it = values.find(row[0]);
    REQUIRE(it != values.end());
    CHECK(to_hex(tenuo::cbor::encode(it->second)) == row[1]);
    auto v = expect_roundtrip(hx(row[1]));
    CHECK(v == it->second);
  }
}

TEST_CASE("fixtures rejected.tsv are all refused with malformed-cbor") {
  const auto rows = tsv_rows("rejected.tsv");
  CHECK(rows.size() >= 80);
  for (const auto& row : rows) {
    REQUIRE(row.size() >= 3);
    CAPTURE(row[0]);
    expect_malformed(hx(row[1]), std::nullopt);
  }
}

TEST_CASE("malformed items are rejected with malformed-cbor at every nesting level") {
  std::size_t rows = 0;
  std::size_t cases = 0;
  for (const auto& row : kBad) {
    ++rows;
    const Bytes item = hx(row.hex);
    for (const auto& w : kWrappers) {
      if (w.key_position && row.where != Where::Anywhere) continue;
      const std::string row_name = row.what;
      const std::string wrapper_name = w.what;
      CAPTURE(row_name);
      CAPTURE(wrapper_name);
      const Bytes in = cat({hx(w.prefix), item, hx(w.suffix)});
      std::optional<std::size_t> off;
      if (row.offset) off = *row.offset + w.shift;
      expect_malformed(in, off);
      ++cases;
    }
  }
  CHECK(rows >= 60);
  expect_malformed({}, 0);
  CHECK(cases >= 5 * 60);
}

TEST_CASE("invalid UTF-8 offset is that of the bad sequence whatever the head width") {
  // Regression: the offset used to assume a 1-byte head.
  Bytes t2 = cat({hx("79 0100"), Bytes(255, 'a'), hx("ff")});
  expect_malformed(t2, 3 + 255);
  Bytes t4 = cat({hx("7a 00010000"), Bytes(65535, 'a'), hx("c3")});
  expect_malformed(t4, 5 + 65535);
  expect_malformed(cat({hx("82 00 78 20"), Bytes(31, 'a'), hx("80")}), 4 + 31);
  // Valid neighbours of the rejected ranges are accepted.
  for (const char* ok : {"62 c280", "62 dfbf", "63 e0a080", "63 ed9fbf", "63 ee8080",
                         "63 efbfbf", "64 f0908080", "64 f48fbfbf", "60", "61 7f"})
    expect_roundtrip(hx(ok));
}

TEST_CASE("duplicate keys in large maps (ordered-set path) are found at the right offset") {
  // Regression: duplicate detection is O(n log n) for maps beyond the linear-scan size.
  for (std::size_t n : {16U, 17U, 40U, 1000U}) {
    CAPTURE(n);
    Bytes in;
    tenuo::cbor::write_head(in, 5, n);
    std::vector<std::size_t> key_at;
    for (std::size_t i = 0; i < n; ++i) {
      key_at.push_back(in.size());
      tenuo::cbor::write_text(in, "k" + std::to_string(i == n - 1 ? n / 2 : i));
      in.push_back(0xf6);
    }
    expect_malformed(in, key_at.back());
    // Same map without the duplicate decodes, keeping wire order.
    Bytes ok;
    tenuo::cbor::write_head(ok, 5, n);
    for (std::size_t i = 0; i < n; ++i) {
      tenuo::cbor::write_text(ok, "k" + std::to_string(n - i));
      tenuo::cbor::write_int(ok, static_cast<std::int64_t>(i));
    }
    auto v = expect_roundtrip(ok);
    CHECK(v.as_map().front().key.as_text() == "k" + std::to_string(n));
  }
  // Integer 1 and text "1" are different keys; so are 0 and -1.
  expect_roundtrip(hx("a4 01 00 61 31 00 00 00 20 00"));
}

TEST_CASE("a map of 65280 distinct keys decodes in linear-ish time") {
  // Regression: a quadratic duplicate check took seconds on a 256 KiB input.
  Bytes in;
  tenuo::cbor::write_head(in, 5, 65280);
  for (std::int64_t k = 256; k <= 65535; ++k) {
    tenuo::cbor::write_int(in, k);
    in.push_back(0x00);
  }
  REQUIRE(in.size() <= tenuo::kMaxStackBytes);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = tenuo::cbor::decode(in);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r.has_value());
  CHECK(r->as_map().size() == 65280);
  CHECK(ms < 3000);
}

TEST_CASE("every cut point of a valid item is a truncation error") {
  const Bytes items[] = {
      hx(kA1Envelope), hx(kA1Payload), hx("1b 7fffffffffffffff"), hx("3b 7fffffffffffffff"),
      hx("fb 3fb999999999999a"), hx("fa 477ff000"), hx("f9 5640"),
      cat({hx("a2 61 61 82 01 a1 62 6262 f5 20 79 0100"), Bytes(256, 'x')})};
  for (const auto& full : items) {
    expect_roundtrip(full);
    for (std::size_t k = 0; k < full.size(); ++k) {
      CAPTURE(k);
      Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(k));
      auto r = tenuo::cbor::decode(cut);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == ErrorCode::MalformedCbor);
      CHECK(tenuo::cbor::validate_and_split(cut).error().byte_offset == r.error().byte_offset);
      REQUIRE(r.error().byte_offset.has_value());
      CHECK(*r.error().byte_offset <= k);
    }
  }
}

TEST_CASE("every single-bit flip of the A.1 envelope is rejected or re-encodes identically") {
  const Bytes env = hx(kA1Envelope);
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < env.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes m = env;
      m[i] = static_cast<std::uint8_t>(m[i] ^ (1U << bit));
      auto r = tenuo::cbor::decode(m);
      if (!r) {
        CHECK(r.error().code == ErrorCode::MalformedCbor);
        CHECK(r.error().byte_offset.has_value());
        ++rejected;
      } else {
        CHECK(tenuo::cbor::encode(*r) == m);
      }
    }
  }
  CHECK(rejected > 0);
}

TEST_CASE("nesting depth: exactly at the limit accepted, one over rejected") {
  // 32 nested arrays are fine; the 33rd (at offset 32) is refused.
  expect_roundtrip(cat({repeat(hx("81"), 31), hx("80")}));
  expect_roundtrip(cat({repeat(hx("81"), 31), hx("81 00")}));
  expect_malformed(cat({repeat(hx("81"), 32), hx("80")}), 32);
  // Maps as map values: 32 levels ok, 33 refused at the 33rd head.
  expect_roundtrip(cat({repeat(hx("a1 00"), 31), hx("a0")}));
  expect_malformed(cat({repeat(hx("a1 00"), 32), hx("a0")}), 64);
  // Mixed arrays and text-keyed maps.
  expect_roundtrip(cat({repeat(hx("81 a1 61 61"), 15), hx("81 a0")}));
  expect_malformed(cat({repeat(hx("81 a1 61 61"), 16), hx("80")}), 16 * 4);
  // A far deeper input fails the same way (no recursion beyond the limit).
  expect_malformed(repeat(hx("81"), 100000), 32);
  expect_malformed(repeat(hx("a1 00"), 50000), 64);
  // Custom limits.
  DecodeOptions d0;
  d0.max_depth = 0;
  expect_roundtrip(hx("00"), d0);
  expect_malformed(hx("80"), 0, d0);
  DecodeOptions d1;
  d1.max_depth = 1;
  expect_roundtrip(hx("82 01 02"), d1);
  expect_malformed(hx("81 80"), 1, d1);
  expect_malformed(hx("a1 00 a0"), 2, d1);
  DecodeOptions payload;
  payload.max_depth = tenuo::kMaxPayloadCborDepth;
  expect_roundtrip(cat({repeat(hx("81"), tenuo::kMaxPayloadCborDepth - 1), hx("80")}), payload);
  expect_malformed(cat({repeat(hx("81"), tenuo::kMaxPayloadCborDepth), hx("80")}),
                   tenuo::kMaxPayloadCborDepth, payload);
}

TEST_CASE("max_bytes: inputs at the limit decode, one byte over is refused up front") {
  DecodeOptions o;
  o.max_bytes = 10;
  const Bytes at = hx("49 010203040506070809");
  REQUIRE(at.size() == 10);
  expect_roundtrip(at, o);
  const Bytes over = hx("4a 01020304050607080910");
  expect_malformed(over, 10, o);
  // Over the limit is refused even when the content is garbage (checked before parsing).
  expect_malformed(Bytes(11, 0xff), 10, o);
  // Default limit is the stack limit.
  Bytes big = cat({hx("5a 00040000"), Bytes(tenuo::kMaxStackBytes - 5, 0)});
  REQUIRE(big.size() == tenuo::kMaxStackBytes);
  expect_malformed(big, 0);  // claims more than is present
  Bytes fits = cat({hx("5a"), Bytes{0x00, 0x03, 0xff, 0xfb}, Bytes(tenuo::kMaxStackBytes - 5, 7)});
  expect_roundtrip(fits);
  fits.push_back(0);
  expect_malformed(fits, tenuo::kMaxStackBytes);
}

TEST_CASE("integers at every head boundary round-trip byte-identically") {
  struct Row { std::int64_t v; const char* hex; };
  const Row rows[] = {
      {0, "00"}, {1, "01"}, {23, "17"}, {24, "1818"}, {255, "18ff"}, {256, "190100"},
      {65535, "19ffff"}, {65536, "1a00010000"}, {4294967295, "1affffffff"},
      {4294967296, "1b0000000100000000"},
      {std::numeric_limits<std::int64_t>::max(), "1b7fffffffffffffff"},
      {-1, "20"}, {-24, "37"}, {-25, "3818"}, {-256, "38ff"}, {-257, "390100"},
      {-65536, "39ffff"}, {-65537, "3a00010000"}, {-4294967296, "3affffffff"},
      {-4294967297, "3b0000000100000000"},
      {std::numeric_limits<std::int64_t>::min(), "3b7fffffffffffffff"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.v);
    CHECK(to_hex(tenuo::cbor::encode(Value::integer(r.v))) == r.hex);
    Bytes w;
    tenuo::cbor::write_int(w, r.v);
    CHECK(to_hex(w) == r.hex);
    auto v = expect_roundtrip(hx(r.hex));
    REQUIRE(v.is(Kind::Integer));
    CHECK(v.as_int() == r.v);
  }
  // write_head covers every major at each width.
  for (std::uint8_t major = 0; major < 8; ++major) {
    Bytes w;
    tenuo::cbor::write_head(w, major, 24);
    tenuo::cbor::write_head(w, major, 0x1234);
    tenuo::cbor::write_head(w, major, 0x12345678);
    tenuo::cbor::write_head(w, major, 0x123456789aULL);
    const auto m = static_cast<std::uint8_t>(major << 5);
    CHECK(w == cat({Bytes{static_cast<std::uint8_t>(m | 24), 24},
                    Bytes{static_cast<std::uint8_t>(m | 25), 0x12, 0x34},
                    Bytes{static_cast<std::uint8_t>(m | 26), 0x12, 0x34, 0x56, 0x78},
                    Bytes{static_cast<std::uint8_t>(m | 27), 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
                          0x9a}}));
  }
}

TEST_CASE("floats: the WIRE.md §1.1 table and width edges") {
  struct Row { double d; const char* hex; };
  const double inf = std::numeric_limits<double>::infinity();
  const Row rows[] = {
      {0.0, "f90000"}, {-0.0, "f98000"}, {0.5, "f93800"}, {100.0, "f95640"},
      {10000.0, "f970e2"}, {0.1, "fb3fb999999999999a"}, {inf, "f97c00"}, {-inf, "f9fc00"},
      {1.0, "f93c00"}, {1.5, "f93e00"}, {-2.0, "f9c000"},
      {65504.0, "f97bff"},                 // max f16
      {65520.0, "fa477ff000"},             // rounds to inf in f16: needs f32
      {0x1p-24, "f90001"},                 // smallest f16 subnormal
      {-0x1p-24, "f98001"},
      {0x3ffp-24, "f903ff"},               // largest f16 subnormal
      {0x1p-14, "f90400"},                 // smallest f16 normal
      {0x1p-25, "fa33000000"},             // below f16 subnormal range
      {0x3p-25, "fa33c00000"},             // between f16 subnormals
      {1.0 + 0x1p-11, "fa3f801000"},       // 11 mantissa bits
      {0x1p15, "f97800"}, {0x1p16, "fa47800000"},
      {100000.0, "fa47c35000"},
      {static_cast<double>(0.1F), "fa3dcccccd"},
      {static_cast<double>(std::numeric_limits<float>::max()), "fa7f7fffff"},
      {0x1p-149, "fa00000001"},            // smallest f32 subnormal
      {0x1p-150, "fb3690000000000000"},
      {0x1p128, "fb47f0000000000000"},     // beyond the f32 range
      {-0x1p128, "fbc7f0000000000000"},
      {1e300, "fb7e37e43c8800759c"},
      {std::numeric_limits<double>::max(), "fb7fefffffffffffff"},
      {std::numeric_limits<double>::denorm_min(), "fb0000000000000001"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.hex);
    Bytes w;
    tenuo::cbor::write_float(w, r.d);
    CHECK(to_hex(w) == r.hex);
    auto v = expect_roundtrip(hx(r.hex));
    REQUIRE(v.is(Kind::Float));
    CHECK(std::bit_cast<std::uint64_t>(v.as_float()) == std::bit_cast<std::uint64_t>(r.d));
  }
  // Every NaN becomes f9 7e00, and f9 7e00 decodes to a NaN that re-encodes the same.
  for (std::uint64_t bits : {0x7ff8000000000000ULL, 0xfff8000000000000ULL, 0x7ff0000000000001ULL,
                             0x7fffffffffffffffULL, 0xfff0000000000001ULL}) {
    Bytes w;
    tenuo::cbor::write_float(w, std::bit_cast<double>(bits));
    CHECK(to_hex(w) == "f97e00");
  }
  auto nan = expect_roundtrip(hx("f9 7e00"));
  CHECK(std::isnan(nan.as_float()));
}

// Independent half -> double, built from the bit fields rather than by ldexp.
double ref_half(std::uint16_t h) {
  const std::uint64_t sign = static_cast<std::uint64_t>(h >> 15) << 63;
  const unsigned e = (h >> 10) & 0x1fU;
  const std::uint64_t m = h & 0x3ffU;
  if (e == 0) {
    const double mag = static_cast<double>(m) / 16777216.0;  // m * 2^-24, exact
    return sign ? -mag : mag;
  }
  if (e == 31) return std::bit_cast<double>(sign | 0x7ff0000000000000ULL | (m << 42));
  return std::bit_cast<double>(sign | (static_cast<std::uint64_t>(e - 15 + 1023) << 52) | (m << 42));
}

TEST_CASE("write_float against all 65536 half patterns") {
  std::size_t checked = 0;
  for (std::uint32_t i = 0; i < 0x10000; ++i) {
    const auto h = static_cast<std::uint16_t>(i);
    const double d = ref_half(h);
    Bytes w;
    tenuo::cbor::write_float(w, d);
    const Bytes as_half{0xf9, static_cast<std::uint8_t>(h >> 8), static_cast<std::uint8_t>(h)};
    auto r = tenuo::cbor::decode(as_half);
    if (std::isnan(d)) {
      CHECK(to_hex(w) == "f97e00");
      CHECK(r.has_value() == (h == 0x7e00));
      continue;
    }
    if (w != as_half) {
      CAPTURE(h);
      FAIL_CHECK("half " << h << " encoded as " << to_hex(w));
    }
    if (!r || std::bit_cast<std::uint64_t>(r->as_float()) != std::bit_cast<std::uint64_t>(d)) {
      CAPTURE(h);
      FAIL_CHECK("f9 " << h << " did not decode to its value");
    }
    ++checked;
  }
  CHECK(checked == 65536 - 2 * 1023);  // all but the NaNs
}

TEST_CASE("random floats and doubles: shortest width and exact round trip") {
  // Oracle: the set of doubles exactly representable as halves, from ref_half.
  std::unordered_map<std::uint64_t, std::uint16_t> halves;
  for (std::uint32_t i = 0; i < 0x10000; ++i) {
    const double d = ref_half(static_cast<std::uint16_t>(i));
    if (!std::isnan(d)) halves.emplace(std::bit_cast<std::uint64_t>(d), static_cast<std::uint16_t>(i));
  }
  auto expected_width = [&](double d) -> std::size_t {
    if (std::isnan(d) || halves.count(std::bit_cast<std::uint64_t>(d))) return 3;
    if (std::fabs(d) <= static_cast<double>(std::numeric_limits<float>::max()) &&
        static_cast<double>(static_cast<float>(d)) == d)
      return 5;
    return 9;
  };
  std::mt19937_64 rng(0x7e0e0);
  std::vector<double> samples;
  for (int i = 0; i < 100000; ++i) samples.push_back(std::bit_cast<double>(rng()));
  for (int i = 0; i < 100000; ++i)
    samples.push_back(static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(rng()))));
  for (int i = 0; i < 20000; ++i) {  // halves nudged by one ulp either way
    const double d = ref_half(static_cast<std::uint16_t>(rng()));
    samples.push_back(std::nextafter(d, 0.0));
    samples.push_back(std::nextafter(d, std::copysign(std::numeric_limits<double>::infinity(), d)));
    samples.push_back(static_cast<double>(std::nextafter(static_cast<float>(d), 0.0F)));
  }
  for (int e = -160; e <= 140; ++e) {  // powers of two across every width boundary
    samples.push_back(std::ldexp(1.0, e));
    samples.push_back(-std::ldexp(1.0, e));
    samples.push_back(std::ldexp(1.0, e) * (1.0 + 0x1p-10));
    samples.push_back(std::ldexp(1.0, e) * (1.0 + 0x1p-23));
  }
  std::size_t widths[10] = {};
  std::size_t bad = 0;
  for (double d : samples) {
    Bytes w;
    tenuo::cbor::write_float(w, d);
    ++widths[std::min<std::size_t>(w.size(), 9)];
    auto r = tenuo::cbor::decode(w);
    const bool ok =
        w.size() == expected_width(d) && r.has_value() && r->is(Kind::Float) &&
        (std::isnan(d) ? std::isnan(r->as_float())
                       : std::bit_cast<std::uint64_t>(r->as_float()) == std::bit_cast<std::uint64_t>(d)) &&
        tenuo::cbor::encode(*r) == w;
    if (!ok && ++bad < 10) FAIL_CHECK("double bits " << std::bit_cast<std::uint64_t>(d) << " -> " << to_hex(w));
  }
  CHECK(bad == 0);
  CHECK(widths[3] > 1000);
  CHECK(widths[5] > 1000);
  CHECK(widths[9] > 1000);
}

TEST_CASE("strings, arrays and maps at head boundaries round-trip") {
  for (std::size_t n : {0U, 1U, 23U, 24U, 255U, 256U, 65535U, 65536U}) {
    CAPTURE(n);
    Bytes t;
    tenuo::cbor::write_text(t, std::string(n, 'z'));
    auto tv = expect_roundtrip(t);
    CHECK(tv.as_text().size() == n);
    Bytes b;
    tenuo::cbor::write_bytes(b, Bytes(n, 0xab));
    auto bv = expect_roundtrip(b);
    CHECK(bv.as_bytes() == Bytes(n, 0xab));
    CHECK(b.size() - n == (n < 24 ? 1U : n < 256 ? 2U : n < 65536 ? 3U : 5U));
    Array a(n, Value::null());
    auto av = expect_roundtrip(tenuo::cbor::encode(Value::array(a)));
    CHECK(av.as_array().size() == n);
  }
  CHECK(to_hex(tenuo::cbor::encode(Value::text("IETF"))) == "6449455446");
  CHECK(to_hex(tenuo::cbor::encode(Value::text("\xc3\xbc"))) == "62c3bc");
  CHECK(to_hex(tenuo::cbor::encode(Value::bytes(Bytes{1, 2, 3, 4}))) == "4401020304");
  CHECK(to_hex(tenuo::cbor::encode(Value::uint_array(Bytes{0, 23, 24, 255}))) == "840017181818ff");
  // Maps keep wire order (not sorted) and allow mixed integer/text keys.
  auto m = expect_roundtrip(hx("a3 61 62 01 61 61 02 00 a2 01 80 61 7a f9 3c00"));
  REQUIRE(m.as_map().size() == 3);
  CHECK(m.as_map()[0].key.as_text() == "b");
  CHECK(m.find("a")->as_int() == 2);
  CHECK(m.find_int(0)->as_map().size() == 2);
  CHECK(m.find("zz") == nullptr);
  CHECK(m.find_int(7) == nullptr);
  // Booleans, null, nested containers and all kinds together.
  auto all = expect_roundtrip(
      hx("88 f4 f5 f6 20 40 60 80 a5 00 81 81 81 a0 20 f9 3800 61 78 42 0102 6161 fa 47c35000 "
         "63 e282ac fb 3fb999999999999a"));
  REQUIRE(all.as_array().size() == 8);
  CHECK(all.as_array()[0].is(Kind::Bool));
  CHECK_FALSE(all.as_array()[0].as_bool());
  CHECK(all.as_array()[1].as_bool());
  CHECK(all.as_array()[2].is(Kind::Null));
  CHECK(all.as_array()[3].as_int() == -1);
  CHECK(all.as_array()[7].find("\xe2\x82\xac")->as_float() == 0.1);
  // Built trees encode to the expected bytes.
  Map entries;
  entries.push_back(Entry{Value::integer(1), Value::text("x")});
  entries.push_back(Entry{Value::text("k"), Value::array({Value::boolean(true), Value::floating(100.0)})});
  CHECK(to_hex(tenuo::cbor::encode(Value::map(entries))) == "a2016178616b82f5f95640");
}

TEST_CASE("A.1 payload (147 bytes) and envelope (219 bytes) round-trip byte-identically") {
  const Bytes payload = hx(kA1Payload);
  const Bytes env = hx(kA1Envelope);
  REQUIRE(payload.size() == 147);
  REQUIRE(env.size() == 219);
  auto p = expect_roundtrip(payload);
  REQUIRE(p.is(Kind::Map));
  const std::int64_t keys[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 18};
  REQUIRE(p.as_map().size() == 10);
  for (std::size_t i = 0; i < 10; ++i) CHECK(p.as_map()[i].key.as_int() == keys[i]);
  CHECK(p.find_int(1)->as_bytes() == hx("019471f8000070008000000000000001"));
  CHECK(p.find_int(6)->as_int() == 1704067200);
  CHECK(p.find_int(7)->as_int() == 1704070800);
  const Value* wildcard = p.find_int(3)->find("read_file")->find("constraints")->find("path");
  REQUIRE(wildcard != nullptr);
  CHECK(*wildcard == Value::array({Value::integer(16), Value::null()}));
  auto e = expect_roundtrip(env);
  REQUIRE(e.as_array().size() == 3);
  CHECK(e.as_array()[0].as_int() == 1);
  CHECK(e.as_array()[1].as_bytes() == payload);
  CHECK(e.as_array()[2].as_array()[1].as_bytes().size() == 64);
  // Rebuilding the envelope from parts gives the same bytes.
  const Value rebuilt = Value::array({Value::integer(1), Value::bytes(payload), e.as_array()[2]});
  CHECK(tenuo::cbor::encode(rebuilt) == env);
}

TEST_CASE("equality compares floats by bit pattern and maps in order") {
  CHECK_FALSE(Value::floating(0.0) == Value::floating(-0.0));
  CHECK(Value::floating(std::numeric_limits<double>::quiet_NaN()) ==
        Value::floating(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE(Value::integer(1) == Value::floating(1.0));
  CHECK_FALSE(Value::text("1") == Value::integer(1));
  Map ab{Entry{Value::text("a"), Value::null()}, Entry{Value::text("b"), Value::null()}};
  Map ba{ab[1], ab[0]};
  CHECK_FALSE(Value::map(ab) == Value::map(ba));
  CHECK(Value::bytes(Bytes{1}) == Value::bytes(Bytes{1}));
  CHECK_FALSE(Value::bytes(Bytes{1}) == Value::uint_array(Bytes{1}));
}

TEST_CASE("diagnostic notation") {
  auto v = expect_roundtrip(hx("a3 01 82 f5 f6 61 61 43 010203 20 f9 3c00"));
  CHECK(tenuo::cbor::diagnostic(v) == "{1: [true, null], \"a\": h'010203', -1: 1.0}");
  CHECK(tenuo::cbor::diagnostic(Value::floating(std::numeric_limits<double>::infinity())) == "Infinity");
  CHECK(tenuo::cbor::diagnostic(Value::text("q\"\\")) == "\"q\\\"\\\\\"");
}

}  // TEST_SUITE
